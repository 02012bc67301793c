"""The audit against the real Label Studio server: three annotators (one careless) label
the same spans and empathy scores through the API, `pull` brings them back, CROWDLAB
ranks the careless one last, and `--to-label-studio` puts the flags on the tasks as
review predictions (suggested label, UTF-16 offsets), idempotently, replacing an
earlier run's."""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import make_record, run_cli

from curate.annotate.client import connect
from curate.annotate.pull import pull
from curate.annotate.push import push
from curate.audit import store as audit_store
from curate.audit.review import model_version, send_review
from curate.audit.run import audit_workspace
from curate.config import load_config
from curate.deid import tables as deid_tables
from curate.records import RawText, Span
from curate.store import Store

CUES = {
    "light": ["a bit tired lately", "slightly annoyed today", "ein bisschen müde"],
    "moderate": ["really stressed and anxious", "quite sad most days", "ziemlich gestresst"],
    "high": ["completely hopeless and broken", "cannot go on anymore", "völlig verzweifelt"],
}
EMPATHY = {
    2: ["ok whatever, happens to everyone", "just get over it", "naja, passiert halt"],
    4: ["I am so sorry, that sounds really hard", "I hear you, you are not alone"],
}
GOOD, BAD = "audit-good@example.org", "audit-careless@example.org"
N = 30


def ls_offset(text: str, cp: int) -> int:
    """What Label Studio 1.23.2's labeling screen sends for code point `cp`: `cp` itself
    (code points, measured in Chromium by tests/annotate/test_annotator_browser.py)."""
    return len(text[:cp])


def _user(ls, email):
    found = next((u for u in ls.call(ls.sdk.users.list) if u.email == email), None)
    return found or ls.call(ls.sdk.users.create, email=email, username=email.split("@")[0])


def _annotation(post, span, intensity, empathy):
    start = post.index(span)
    value = {
        "start": ls_offset(post, start),
        "end": ls_offset(post, start + len(span)),
        "text": span,
    }
    return [
        {
            "id": "r1",
            "from_name": "post_spans",
            "to_name": "post",
            "type": "labels",
            "value": {**value, "labels": ["emotional_distress"]},
        },
        {
            "id": "r1",
            "from_name": "post_emotional_distress_intensity",
            "to_name": "post",
            "type": "choices",
            "value": {**value, "choices": [intensity]},
        },
        {
            "from_name": "empathy",
            "to_name": "response",
            "type": "choices",
            "value": {"choices": [str(empathy)]},
        },
    ]


@pytest.fixture(scope="module")
def annotated(ls_server, tmp_path_factory):
    """N records pushed, each annotated by the admin, GOOD and BAD (wrong 80 % of the
    time), pulled; plus 3 records never pushed whose own label is wrong."""
    rng = np.random.default_rng(3)
    root = tmp_path_factory.mktemp("audit-ls")
    toml = root / "curate.toml"
    toml.write_text(f'[workspace]\npath = "{root / "w"}"\n')
    config = load_config(toml)
    store = Store.open(config.workspace)
    ls = connect(config, url=ls_server.url, token=ls_server.token)
    truth, items = {}, []
    for i in range(N):
        intensity, score = list(CUES)[i % 3], (2, 4)[i % 2]
        span = f"I feel {rng.choice(CUES[intensity])}"
        emoji = "😔 " if i % 3 == 0 else ""
        post = f"{emoji}Thread {i}: {span}, {rng.choice(['honestly', 'ehrlich', 'sadly'])}."
        rec = make_record(store, f"p{i}", culture=("German", "Jewish")[i % 2])
        rec.provenance.content_hash = f"{i:064x}"
        rec.post_text, rec.response_text = post, str(rng.choice(EMPATHY[score]))
        items.append((rec, RawText(text=post, response=rec.response_text)))
        truth[rec.id] = (span, intensity, score)
    store.put_batch(items, store.begin_run("test", {}))
    deid_tables.save_deid(store, [(rec, []) for rec, _ in items], "test")
    push(store, config, ls)
    # records added after the push: no Label Studio task, labels wrong on purpose
    late = []
    for i in range(3):
        span = "I feel completely hopeless and broken"
        rec = make_record(store, f"late{i}", content_hash=f"{100 + i:064x}")
        rec.post_text = f"Late {i}: {span}."
        rec.spans = [
            Span("post", "emotional_distress", span, 9, 9 + len(span), {"intensity": "light"})
        ]
        late.append((rec, RawText(text=rec.post_text)))
    store.put_batch(late, store.begin_run("test", {}))
    deid_tables.save_deid(store, [(rec, []) for rec, _ in late], "test")

    me, good, bad = ls.call(ls.sdk.users.whoami), _user(ls, GOOD), _user(ls, BAD)
    tasks = dict(store.conn.execute("SELECT record_id, task_id FROM ls_tasks"))
    wrong = {}
    for rid, (span, intensity, score) in truth.items():
        post = store.get(rid).post_text
        bad_label, bad_score = intensity, score
        if rng.random() < 0.8:
            bad_label = str(rng.choice([x for x in CUES if x != intensity]))
            bad_score = 6 - score  # 2 <-> 4
        wrong[rid] = bad_label != intensity
        for user, label, emp in (
            (me, intensity, score),
            (good, intensity, score),
            (bad, bad_label, bad_score),
        ):
            ls.call(
                ls.sdk.annotations.create,
                tasks[rid],
                result=_annotation(post, span, label, emp),
                completed_by=user.id,
            )
    pull(store, config, ls)
    yield config, store, ls, truth, wrong, me.email
    store.close()


def test_crowdlab_on_pulled_annotations_ranks_the_careless_annotator_last(annotated):
    config, store, _, truth, wrong, me = annotated
    report = audit_workspace(store, config.taxonomy(), families=["emotional_distress", "empathy"])
    for family in ("emotional_distress", "empathy"):
        crowd = report.families[family]["crowdlab"]
        assert crowd["items"] == N
        quality = {a: s["quality"] for a, s in crowd["annotators"].items()}
        assert set(quality) == {me, GOOD, BAD}
        assert min(quality, key=quality.get) == BAD, quality
    # Where the careless annotator was wrong, the item is flagged, naming them, with the
    # true label as the consensus (nearly always: the text model may sway a few).
    consensus = audit_store.flags(store, family="emotional_distress", kind="consensus")
    assert all(len(f.detail["votes"]) == 3 for f in consensus)
    named = {
        f.record_id
        for f in consensus
        if (f.annotator, f.suggested) == (BAD, truth[f.record_id][1])
        and f.detail["votes"][BAD] == f.given
    }
    assert len(named & {rid for rid, w in wrong.items() if w}) >= 0.9 * sum(wrong.values())
    page = open(report.html, encoding="utf-8").read()
    assert "annotator quality (CROWDLAB)" in page and BAD in page
    assert page.count("<svg") >= 6  # 3 charts per family


def test_review_predictions_arrive_on_the_server(annotated, ls_server):
    config, store, ls, truth, _, _ = annotated
    report = audit_workspace(store, config.taxonomy(), families=["emotional_distress", "empathy"])
    sent = send_review(store, config, ls, run_id=report.run_id)
    counts = sent.counts
    assert counts["tasks_sent"] > 0 and counts["no_task"] >= 1  # the late records
    assert counts["not_sendable"] == sum(
        report.families[f]["flags"][k]
        for f in report.families
        for k in ("outlier", "near_duplicate")
    )
    version = model_version(report.run_id)
    tasks = dict(store.conn.execute("SELECT record_id, task_id FROM ls_tasks"))
    flags = [
        f
        for f in audit_store.flags(store)
        if f.kind == "consensus" and f.family == "emotional_distress"
    ]
    # a flagged span after an emoji: the offsets are UTF-16 units on the server
    flag = next(f for f in flags if store.get(f.record_id).post_text.startswith("😔"))
    post = store.get(flag.record_id).post_text
    (pred,) = [
        p
        for p in ls.call(ls.sdk.predictions.list, task=tasks[flag.record_id])
        if p.model_version == version
    ]
    on_task = [
        f
        for f in audit_store.flags(store)
        if f.record_id == flag.record_id and f.kind in ("label_issue", "consensus")
    ]
    assert pred.score == pytest.approx(min(f.score for f in on_task), abs=1e-4)
    choice = next(r for r in pred.result if r["from_name"] == "post_emotional_distress_intensity")
    start = post.index(truth[flag.record_id][0])
    assert choice["value"]["start"] == ls_offset(post, start) == start  # code points
    # the same region flagged twice (a label issue and a consensus flag): the worst wins
    here = [f for f in on_task if (f.family, f.span_index) == (flag.family, flag.span_index)]
    assert choice["value"]["choices"] == [min(here, key=lambda f: f.score).suggested]
    labels = next(r for r in pred.result if r["from_name"] == "post_spans")
    assert labels["id"] == choice["id"] and labels["value"]["labels"] == ["Emotional distress"]
    empathy = [r for r in pred.result if r["from_name"] == "empathy"]
    emp_flags = [f for f in on_task if f.family == "empathy"]
    assert [r["value"]["choices"] for r in empathy] == [[f.suggested] for f in emp_flags[:1]]

    def review_predictions():
        out = []
        for pid in dict(store.conn.execute("SELECT key, project_id FROM ls_projects")).values():
            out += [
                p
                for p in ls.call(ls.sdk.predictions.list, project=pid)
                if (p.model_version or "").startswith("curate-audit-")
            ]
        return out

    first = review_predictions()
    assert len(first) == counts["tasks_sent"] and {p.model_version for p in first} == {version}

    # the same run again, through the CLI: nothing new is sent
    env = {"CURATE_LS_URL": ls_server.url, "CURATE_LS_TOKEN": ls_server.token}
    toml = str(config.workspace.parent / "curate.toml")
    out = run_cli("-c", toml, "audit", "--to-label-studio", "--run", "latest", "--json", env=env)
    assert out.returncode == 0, out.stderr
    review = json.loads(out.stdout)["review"]
    assert review["model_version"] == version
    assert review["counts"].get("tasks_sent", 0) == 0
    assert review["counts"]["already_sent"] == counts["tasks_sent"]
    assert sorted(p.id for p in review_predictions()) == sorted(p.id for p in first)

    # a new run replaces the earlier run's review predictions
    newer = audit_workspace(store, config.taxonomy(), families=["emotional_distress"], html=False)
    resent = send_review(store, config, ls, top=5)
    assert resent.run_id == newer.run_id
    assert resent.counts["replaced"] == len(first)
    now = review_predictions()
    assert {p.model_version for p in now} == {model_version(newer.run_id)}
    assert len(now) == resent.counts["tasks_sent"] <= 10  # top 5 per kind
