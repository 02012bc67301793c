"""End to end against the real Label Studio server: push the de-identified demo corpus,
annotate by API as two annotators (emoji, Arabic and Hebrew text included), pull, and
get the exact spans and agreement figures back; re-push and re-pull are no-ops."""

from __future__ import annotations

import json

import pytest
from helpers import demo_workspace

from curate.annotate.agreement import agreement
from curate.annotate.client import connect
from curate.annotate.pull import pull
from curate.annotate.push import push
from curate.config import load_config
from curate.deid import tables as deid_tables
from curate.errors import CurateError
from curate.store import Store


def ls_offset(text: str, cp: int) -> int:
    """What the Label Studio 1.23.2 frontend sends for code point `cp`: the code point
    itself, as seen in Chromium (test_annotator_browser), not the UTF-16 offset."""
    return len(text[:cp])


def region(
    rid, control, field, text, start, end, label, attr_control=None, attr=None, span_text=None
):
    value = {
        "start": ls_offset(text, start),
        "end": ls_offset(text, end),
        "text": span_text if span_text is not None else text[start:end],
    }
    items = [
        {
            "id": rid,
            "from_name": control,
            "to_name": field,
            "type": "labels",
            "value": {**value, "labels": [label]},
        }
    ]
    if attr_control:
        items.append(
            {
                "id": rid,
                "from_name": attr_control,
                "to_name": field,
                "type": "choices",
                "value": {**value, "choices": [attr]},
            }
        )
    return items


@pytest.fixture(scope="module")
def env(ls_server, tmp_path_factory, deid_engine):
    config, store = demo_workspace(tmp_path_factory.mktemp("ls-ws"), deid_engine)
    ls = connect(config, url=ls_server.url, token=ls_server.token)
    yield config, store, ls
    store.close()


def _find(store, predicate):
    return next(r for r in store.iter_records(deidentified=True) if predicate(r))


def test_roundtrip(env):
    config, store, ls = env
    records = list(store.iter_records(deidentified=True))
    first = push(store, config, ls)
    assert sum(c["new"] for c in first.counts.values()) == len(records) == 54
    assert set(first.projects) == {r.culture for r in records}
    again = push(store, config, ls)
    assert sum(c.get("new", 0) + c.get("updated", 0) for c in again.counts.values()) == 0
    assert again.requests == 0

    # a second annotator
    other = next(
        (u for u in ls.call(ls.sdk.users.list) if u.email == "annotator2@example.org"), None
    ) or ls.call(ls.sdk.users.create, email="annotator2@example.org", username="annotator2")
    me = ls.call(ls.sdk.users.whoami)
    emoji = _find(store, lambda r: any(ord(c) > 0xFFFF for c in (r.post_text or "")[20:]))
    arabic = _find(store, lambda r: r.language == "ar")
    hebrew = _find(store, lambda r: r.language == "he")
    task_of = dict(store.conn.execute("SELECT record_id, task_id FROM ls_tasks"))

    def annotate(record, user, result, cancelled=False):
        ls.call(
            ls.sdk.annotations.create,
            task_of[record.id],
            result=result,
            completed_by=user.id,
            was_cancelled=cancelled,
        )

    # emoji record: a span ending after an emoji (1 code point, 2 UTF-16 units)
    text = emoji.post_text
    at_emoji = next(i for i, c in enumerate(text) if ord(c) > 0xFFFF and i >= 20)
    s1, e1 = at_emoji - 20, at_emoji + 1
    assert len(text[:e1].encode("utf-16-le")) // 2 > ls_offset(text, e1) == e1  # an emoji before
    r_a = region(
        "a1",
        "post_spans",
        "post",
        text,
        s1,
        e1,
        "emotional_distress",
        "post_emotional_distress_intensity",
        "high",
    )
    r_b = region(
        "b1",
        "post_spans",
        "post",
        text,
        s1,
        e1,
        "emotional_distress",
        "post_emotional_distress_intensity",
        "moderate",
    )
    emp = [
        {
            "from_name": "empathy",
            "to_name": "response",
            "type": "choices",
            "value": {"choices": ["4"]},
        }
    ]
    annotate(emoji, me, r_a + emp)
    annotate(emoji, other, [*r_b, {**emp[0], "value": {"choices": ["3"]}}])
    # Arabic: same span, same type for both; Hebrew: one annotator only, plus bad regions
    at = arabic.post_text
    r_ar = region(
        "c1",
        "post_spans",
        "post",
        at,
        0,
        12,
        "cultural_signal",
        "post_cultural_signal_type",
        "Values",
    )
    annotate(arabic, me, r_ar)
    annotate(arabic, other, [{**x, "id": "c2"} for x in r_ar])
    german = _find(store, lambda r: r.language == "de")
    gt = german.post_text
    r_de = region(
        "g1",
        "post_spans",
        "post",
        gt,
        0,
        10,
        "cultural_signal",
        "post_cultural_signal_type",
        "Values",
    )
    annotate(german, me, r_de)
    annotate(german, other, [{**x, "id": "g2"} for x in r_de])
    ht = hebrew.post_text
    bad = (
        region("d1", "post_spans", "post", ht, 0, 5, "joy")  # unknown label
        + region("d2", "post_spans", "post", ht, 3, 3, "cultural_signal")  # empty span
        + [
            {
                "id": "d3",
                "from_name": "post_spans",
                "to_name": "post",
                "type": "labels",
                "value": {
                    "start": 10_000,
                    "end": 10_005,
                    "text": "x",
                    "labels": ["cultural_signal"],
                },
            }
        ]  # off the text
        + region("d4", "post_spans", "post", ht, 0, 6, "cultural_signal", span_text="other")
        + region(
            "d5",
            "post_spans",
            "post",
            ht,
            0,
            8,
            "emotional_distress",
            "post_emotional_distress_intensity",
            "light",
        )  # valid
    )
    annotate(hebrew, me, bad)
    annotate(hebrew, other, [], cancelled=True)  # skipped

    report = pull(store, config, ls)
    counts = {k: v for k, v in report.counts.items()}
    assert sum(c["submitted"] for c in counts.values()) == 7
    assert sum(c["cancelled"] for c in counts.values()) == 1
    problems = sorted(i["problem"] for i in report.issues)
    assert problems == sorted(
        [
            "unknown label",
            "empty span",
            "offsets off the text",
            "span text differs from the task text",
        ]
    )
    assert all(i["record_id"] == hebrew.id for i in report.issues)

    got = store.get(emoji.id)
    spans = sorted(
        (s.annotator, s.start, s.end, s.text, s.attributes["intensity"])
        for s in got.spans
        if s.annotator
    )
    assert spans == sorted(
        [
            (me.email, s1, e1, text[s1:e1], "high"),
            ("annotator2@example.org", s1, e1, text[s1:e1], "moderate"),
        ]
    )
    assert [(s.start, s.end, s.label) for s in store.get(hebrew.id).spans if s.annotator] == [
        (0, 8, "emotional_distress")
    ]
    ar_spans = [s for s in store.get(arabic.id).spans if s.annotator]
    assert {(s.text, s.attributes["type"]) for s in ar_spans} == {(at[0:12], "Values")}

    # pulling twice changes nothing
    second = pull(store, config, ls)
    assert sum(c.get("new", 0) + c.get("updated", 0) for c in second.counts.values()) == 0
    assert len({p for p in report.snapshots}) == len(second.snapshots)
    assert report.snapshots == second.snapshots  # same content, same snapshot

    # agreement: two items with two annotators
    result = agreement(store, config.taxonomy())
    allc = result["all"]
    assert allc["items"] == 3 and allc["annotators"] == 2
    assert allc["emotional_distress"]["f1_exact"] == 1.0
    assert allc["cultural_signal"]["f1_exact"] == 1.0
    assert allc["cultural_signal"]["alpha_type"] is None  # one value everywhere: undefined
    assert allc["empathy"]["items"] == 1

    # a newer annotation by the same annotator supersedes the older one
    annotate(
        arabic,
        other,
        region(
            "c3",
            "post_spans",
            "post",
            at,
            0,
            12,
            "cultural_signal",
            "post_cultural_signal_type",
            "Norms and Morals",
        ),
    )
    pull(store, config, ls)
    ar_spans = [s for s in store.get(arabic.id).spans if s.annotator == "annotator2@example.org"]
    assert [s.attributes["type"] for s in ar_spans] == ["Norms and Morals"]
    stored = store.conn.execute("SELECT COUNT(*) FROM annotations").fetchone()[0]
    assert stored == 9  # nothing is lost locally
    # units (Values, Norms and Morals) and (Values, Values): by hand, nominal alpha:
    # n = 4 values, D_o = 2/4, D_e = (3*1 + 1*3) / (4*3) = 1/2, alpha = 1 - 1 = 0
    result = agreement(store, config.taxonomy())
    assert result["all"]["cultural_signal"]["alpha_type"] == 0.0
    assert result["all"]["cultural_signal"]["matched_spans"] == 2

    # a changed text is updated in place and its annotations flagged for review
    changed = store.get(emoji.id)
    changed.post_text = changed.post_text + " (edited)"
    store.update_records([changed])
    third = push(store, config, ls)
    upd = sum(c.get("updated", 0) for c in third.counts.values())
    flagged = sum(c.get("annotations_flagged_for_review", 0) for c in third.counts.values())
    assert upd == 1 and flagged == 2
    task = ls.call(ls.sdk.tasks.get, str(task_of[emoji.id]))
    assert task.data["post"].endswith("(edited)")


def test_server_down_is_a_clear_error(env):
    config, _, _ls = env
    from curate.annotate.client import LabelStudio

    down = LabelStudio(
        url="http://127.0.0.1:9",
        sdk=connect(config, url="http://127.0.0.1:9", token="x").sdk,
        retries=2,
        backoff=0.05,
    )
    with pytest.raises(CurateError, match="not answering"):
        down.call(down.sdk.projects.list)


def test_cli_push_pull_agreement(env, ls_server, tmp_path):
    from helpers import run_cli

    config, _, _ = env
    envv = {"CURATE_LS_URL": ls_server.url, "CURATE_LS_TOKEN": ls_server.token}
    ws = str(config.workspace)
    out = run_cli("-w", ws, "annotate", "push", "--json", env=envv)
    assert out.returncode == 0, out.stderr
    assert ls_server.token not in out.stdout + out.stderr
    pulled = run_cli("-w", ws, "annotate", "pull", "--json", env=envv)
    assert pulled.returncode == 0, pulled.stderr
    assert json.loads(pulled.stdout)["counts"]
    agr = run_cli("-w", ws, "annotate", "agreement", env=envv)
    assert agr.returncode == 0 and "agreement" in agr.stdout
    bad = run_cli("-w", ws, "annotate", "pull", env={**envv, "CURATE_LS_TOKEN": "wrong"})
    assert bad.returncode == 2 and "refused the API token" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_predictions_are_sent_with_frontend_offsets(ls_server, tmp_path):
    """Spans already on a de-identified text (e.g. release phrases aligned to it) go to
    Label Studio as predictions, with offsets in the unit its frontend draws by (code
    points in 1.23.2), under the label the annotator sees."""
    from helpers import make_record

    from curate.records import RawText, Span

    toml = tmp_path / "curate.toml"
    toml.write_text(f'[workspace]\npath = "{tmp_path / "w"}"\n[annotate]\nprojects = "single"\n')
    config = load_config(toml)
    text = "😔 I miss Shabbat dinners with my family."
    start = text.index("Shabbat")
    with Store.open(config.workspace) as store:
        rec = make_record(store, "1", culture="Jewish", content_hash="1" * 64)
        store.put_batch([(rec, RawText(text=text))], store.begin_run("t", {}))
        rec.post_text = text
        rec.spans = [
            Span(
                "post",
                "cultural_signal",
                "Shabbat dinners",
                start,
                start + 15,
                {"type": "Norms and Morals"},
            )
        ]
        deid_tables.save_deid(store, [(rec, [])], "test")
        ls = connect(config, url=ls_server.url, token=ls_server.token)
        report = push(store, config, ls, with_predictions=True)
        (task_id,) = [t for (t,) in store.conn.execute("SELECT task_id FROM ls_tasks")]
    assert report.counts["all"]["new"] == 1
    preds = ls.call(ls.sdk.predictions.list, task=task_id)
    (pred,) = preds
    assert pred.model_version == "culturecare-release"
    labels = next(r for r in pred.result if r["type"] == "labels")
    assert labels["value"]["start"] == start  # the emoji before counts one, not two
    assert labels["value"]["labels"] == ["Cultural signal"]
    choices = next(r for r in pred.result if r["type"] == "choices")
    assert choices["value"]["choices"] == ["Norms and Morals"]

    # the project deleted in Label Studio: the next push makes it anew and re-sends
    pid = report.projects["all"]
    ls.call(ls.sdk.projects.delete, pid)
    with Store.open(config.workspace) as store:
        again = push(store, config, ls)
        (new_task,) = [t for (t,) in store.conn.execute("SELECT task_id FROM ls_tasks")]
    assert again.counts["all"]["new"] == 1 and again.projects["all"] != pid
    assert ls.call(ls.sdk.tasks.get, str(new_task)).data["post"] == text
