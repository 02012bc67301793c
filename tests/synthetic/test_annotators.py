"""Simulated (SYNTHETIC) annotators on the demo corpus: the planted truth matches the
generator, the annotations are deterministic, and against the real Label Studio server
they come back through `pull` like human work: every task and annotator, no invalid
region (offsets right on emoji records), the poor annotator visibly poor, and
re-running adds nothing."""

from __future__ import annotations

import json
import re
from collections import Counter
from itertools import combinations

import pytest
from helpers import demo_workspace

from curate.annotate.agreement import agreement
from curate.annotate.client import connect
from curate.annotate.pull import pull
from curate.annotate.push import push, task_data
from curate.annotate.tables import latest_annotations
from curate.errors import CurateError
from curate.schema import load_taxonomy
from curate.store import Store
from curate.synthetic import dump
from curate.synthetic.annotators.lexicon import (
    DEMOGRAPHICS,
    SPANS,
    SUPPORT,
    occurrences,
    resolve,
    true_spans,
)
from curate.synthetic.annotators.run import (
    EMAIL,
    default_noise,
    parse_noise,
    planned_annotations,
    simulate_annotators,
)
from curate.synthetic.annotators.simulate import controls, plan

TAX = load_taxonomy()


def ls_offset(text: str, cp: int) -> int:
    """What Label Studio 1.23.2's labeling screen sends for code point `cp`: `cp` itself
    (code points, measured in Chromium by tests/annotate/test_annotator_browser.py)."""
    return len(text[:cp])


def _templates(*keys: str) -> list[str]:
    out = [s for t in dump.T.values() for k in keys for s in t.get(k, [])]
    if "cue" in keys:
        out += [s for v in dump.CUES_EN.values() for s in v]
    if "r_cue" in keys:
        out += [s for v in dump.R_CUES_EN.values() for s in v]
    return out


def _literals(template: str) -> list[str]:
    return re.split(r"\{\w+\}", template)


# -- no server --------------------------------------------------------------------------


def test_lexicon_is_keyed_by_the_generators_templates():
    """Every phrase occurs in a template of curate.synthetic.dump (outside its slots), every
    alias names one taxonomy value, every opener carries distress and every response
    sentence a support strategy."""
    post = [
        lit for t in _templates("open", "detail", "cue", "pii", "close") for lit in _literals(t)
    ]
    post += _literals(dump.POST_IP)
    response = [
        lit
        for t in _templates("r_open", "r_mid", "r_cue", "r_pii", "r_close")
        for lit in _literals(t)
    ]
    for field, phrase, family, alias in SPANS:
        pool = post if field == "post" else response
        assert any(occurrences(lit, phrase) for lit in pool), (field, phrase)
        assert field in TAX.family(family).fields
        assert resolve(TAX, family, alias) in TAX.family(family).values
    titles = _templates("title")
    for phrase, field, _ in DEMOGRAPHICS:
        assert field in TAX.demographic_fields
        assert any(phrase in lit for lit in post + titles), phrase
    for opener in _templates("open"):
        spans = true_spans(TAX, {"post": opener})
        assert any(s.family == "emotional_distress" for s in spans), opener
    for sentence in _templates("r_open", "r_mid", "r_cue", "r_pii", "r_close"):
        spans = true_spans(TAX, {"response": sentence.replace("{", "").replace("}", "")})
        assert any(s.family == SUPPORT for s in spans), sentence
    with pytest.raises(ValueError):
        resolve(TAX, SUPPORT, "joy")  # names no value


def test_noise_levels():
    assert parse_noise(None, 3) == default_noise(3) == [0.05, 0.1, 0.4]
    assert parse_noise("0.2", 2) == [0.2, 0.2]
    assert parse_noise("0.05, 0.1,0.4", 3) == [0.05, 0.1, 0.4]
    assert default_noise(1) == [0.05]
    with pytest.raises(CurateError, match="levels for"):
        parse_noise("0.1,0.2", 3)
    with pytest.raises(CurateError):
        parse_noise("a,b", 2)
    with pytest.raises(CurateError):
        parse_noise("1.5", 1)


def test_plan_is_seeded_and_sends_frontend_offsets():
    ctl = controls(TAX)
    data = {
        "title": "Is it normal to feel this hopeless at 24?",
        "post": "😔😔 I feel hopeless and stuck, like nothing I do is ever going to be "
        "enough. It's Ramadan and I'm supposed to feel close to my family. I'm Muslim.",
        "response": "I'm really sorry you're carrying all of this. Sending you a big hug 🫂",
    }
    perfect = plan(TAX, ctl, data, "cc-1", 1, 0.0, seed=0)
    truth = true_spans(TAX, {"post": data["post"], "response": data["response"]})
    assert perfect.spans == truth
    assert {"age": "24", "religion": "Muslim"}.items() <= perfect.demographics.items()
    assert perfect.empathy is not None
    # offsets are code points, as the frontend counts: the two emoji before count two
    by_id = {i["id"]: i for i in perfect.result if i["type"] == "labels"}
    for span, item in zip(perfect.spans, by_id.values(), strict=True):
        text = data[span.field]
        assert item["value"]["start"] == ls_offset(text, span.start)
        assert item["value"]["end"] == ls_offset(text, span.end)
        assert item["value"]["text"] == text[span.start : span.end]
    hug = next(s for s in perfect.spans if s.field == "response" and s.end == len(data["response"]))
    assert data["response"][hug.start : hug.end].endswith("🫂")
    again = plan(TAX, ctl, data, "cc-1", 1, 0.0, seed=0)
    assert again.result == perfect.result
    noisy = [plan(TAX, ctl, data, "cc-1", 3, 0.4, seed=s).result for s in range(6)]
    assert noisy[0] == plan(TAX, ctl, data, "cc-1", 3, 0.4, seed=0).result
    assert len({json.dumps(r, sort_keys=True) for r in noisy}) > 1


# -- against the real Label Studio server ----------------------------------------------


@pytest.fixture(scope="module")
def env(ls_server, tmp_path_factory, deid_engine):
    config, store = demo_workspace(tmp_path_factory.mktemp("sim-ws"), deid_engine)
    ls = connect(config, url=ls_server.url, token=ls_server.token)
    push(store, config, ls)
    yield config, store, ls
    store.close()


def _pair_f1(store: Store, record_ids: list[str]) -> dict[tuple[str, str], float]:
    """Exact span F1 (field, offsets, family and value) per annotator pair."""
    hit, total = Counter(), Counter()
    for rid in record_ids:
        anns = latest_annotations(store, rid)
        for a, b in combinations(sorted(anns), 2):
            keys = [
                {
                    (s["field"], s["start"], s["end"], s["label"], *s["attributes"].values())
                    for s in anns[x]["spans"]
                }
                for x in (a, b)
            ]
            hit[(a, b)] += 2 * len(keys[0] & keys[1])
            total[(a, b)] += len(keys[0]) + len(keys[1])
    return {pair: hit[pair] / total[pair] for pair in total}


def test_simulated_annotators_round_trip(env, ls_server):
    config, store, ls = env
    tasks = dict(store.conn.execute("SELECT record_id, task_id FROM ls_tasks"))
    assert len(tasks) == 54
    before = planned_annotations(store, config, ls.url, seed=0)

    report = simulate_annotators(store, config, ls, annotators=3, seed=0)
    emails = [EMAIL.format(n=n) for n in (1, 2, 3)]
    assert list(report.annotators) == emails
    assert all(report.annotators[e]["created"] == 54 for e in emails)
    assert report.requests == 162 and not report.stale and not report.missing
    assert all(report.spans[e]["emotional_distress"] > 0 for e in emails)
    print(f"\n162 annotations in {report.seconds:.1f} s ({report.workers} at a time)")

    pulled = pull(store, config, ls)
    assert pulled.issues == []
    assert store.conn.execute("SELECT COUNT(*) FROM annotation_issues").fetchone()[0] == 0
    got = Counter(
        (rid, who)
        for rid, who, status in store.conn.execute(
            "SELECT record_id, annotator, status FROM annotations"
        )
        if status == "submitted"
    )
    assert got == Counter({(rid, e): 1 for rid in tasks for e in emails})

    # the spans stored are exactly the planned ones, on the right characters
    astral = 0
    for record_id, _, _, data, plans in before:
        record = store.get(record_id)
        anns = latest_annotations(store, record_id)
        for email, planned in zip(emails, plans, strict=True):
            spans = anns[email]["spans"]
            assert {
                (s["field"], s["start"], s["end"], s["label"], s["attributes"][a])
                for s in spans
                for a in [TAX.family(s["label"]).attribute]
            } == {(s.field, s.start, s.end, s.family, s.value) for s in planned.spans}
            assert anns[email]["empathy"] == planned.empathy
            assert anns[email]["demographics"] == planned.demographics
        # record-level labels: the annotators' consensus (lower median of the scores)
        scores = sorted(p.empathy for p in plans if p.empathy is not None)
        assert record.empathy == (scores[(len(scores) - 1) // 2] if scores else None)
        for span in record.spans:
            text = record.post_text if span.field == "post" else record.response_text
            assert span.text == text[span.start : span.end] and span.text
            family = TAX.family(span.label)
            assert span.field in family.fields
            assert span.attributes[family.attribute] in family.values
            astral += any(ord(c) > 0xFFFF for c in text[: span.end])
        assert task_data(record) == data  # what was planned is what LS shows
    assert astral >= 10  # many spans sit after or on an emoji: the offset unit was right

    # the poor annotator is visibly poor; the two good ones agree
    f1 = _pair_f1(store, list(tasks))
    good = f1[(emails[0], emails[1])]
    poor = max(f1[(emails[0], emails[2])], f1[(emails[1], emails[2])])
    print(f"exact span F1: good pair {good:.3f}, with the poor annotator {poor:.3f}")
    assert good > 0.5 and good > poor + 0.25
    result = agreement(store, config.taxonomy())["all"]
    assert result["items"] == 54 and result["annotators"] == 3
    for family in TAX.families.values():
        figures = result[family.name]
        assert 0 < figures["f1_exact"] < figures["f1_overlap"] < 1
        assert figures[f"alpha_{family.attribute}"] is not None
    assert result["empathy"]["alpha_empathy"] is not None

    # deterministic: planning again gives what was sent
    assert [(r, [p.result for p in ps]) for r, _, _, _, ps in before] == [
        (r, [p.result for p in ps])
        for r, _, _, _, ps in planned_annotations(store, config, ls.url, seed=0)
    ]

    # re-running adds nothing (also from the command line)
    again = simulate_annotators(store, config, ls, annotators=3, seed=0)
    assert again.requests == 0
    assert all(a["already_there"] == 54 and a["created"] == 0 for a in again.annotators.values())
    from helpers import run_cli

    envv = {"CURATE_LS_URL": ls_server.url, "CURATE_LS_TOKEN": ls_server.token}
    out = run_cli("-w", str(config.workspace), "demo", "annotate", "--json", env=envv)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["synthetic"] is True and doc["requests"] == 0 and doc["tasks"] == 54
    assert ls_server.token not in out.stdout + out.stderr
    assert pull(store, config, ls).counts["German"]["new"] == 0

    # a record whose text changed since the push is not annotated on the old text
    record = store.get(next(iter(tasks)))
    record.post_text = (record.post_text or "") + " (edited)"
    store.update_records([record])
    stale = simulate_annotators(store, config, ls, annotators=3, seed=0)
    assert stale.stale == [record.id] and stale.tasks == 53 and stale.requests == 0
