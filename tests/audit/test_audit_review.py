"""The audit against the real Label Studio server: three annotators (one careless) label
the same spans and empathy scores through the API, `pull` brings them back, CROWDLAB
ranks the careless one last, and `--to-label-studio` queues the flagged records in
review projects, where a reviewer's decision comes back with `pull` as an adjudication
that wins in the record and the export."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from helpers import make_record, run_cli

from curate.annotate import tables
from curate.annotate.client import connect
from curate.annotate.pull import pull
from curate.annotate.push import push
from curate.audit import store as audit_store
from curate.audit.review import REVIEW_MODEL, send_review
from curate.audit.run import audit_workspace
from curate.config import load_config
from curate.deid import tables as deid_tables
from curate.records import ADJUDICATED, RawText, Span
from curate.release.export import export
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
            Span("post", "emotional_distress", span, 8, 8 + len(span), {"intensity": "light"})
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


REVIEWER = "audit-reviewer@example.org"


def _review_tasks(store, ls):
    """Every task of the review projects, with its predictions."""
    out = {}
    for key, pid in tables.projects(store, ls.url, kind=tables.REVIEW).items():
        for task in ls.call(ls.sdk.tasks.list, project=pid, fields="all", page_size=1000):
            out[task.id] = (key, pid, task)
    return out


def test_review_queue_adjudication_round_trip(annotated, ls_server, deid_engine, tmp_path):
    """audit -> queue (review projects, tasks that say why, pre-filled) -> a reviewer
    submits through the API -> pull -> the adjudication wins on the record and in the
    export; queued once, not again once decided, again when the labels change."""
    config, store, ls, truth, wrong, _ = annotated
    taxonomy = config.taxonomy()
    report = audit_workspace(store, taxonomy, families=["emotional_distress", "empathy"])
    sent = send_review(store, config, ls, run_id=report.run_id, top=None)
    counts = sent.counts
    assert counts["tasks_sent"] > 0 and counts["items"] >= counts["tasks_sent"]
    # review projects, one per culture, pre-labelling from the queue's predictions
    keys = tables.projects(store, ls.url, kind=tables.REVIEW)
    assert set(keys) == {"review-German", "review-Jewish"}
    assert set(tables.projects(store, ls.url)) == {"German", "Jewish"}  # annotators' untouched
    for pid in keys.values():
        project = ls.call(ls.sdk.projects.get, pid)
        assert project.model_version == REVIEW_MODEL and project.show_collab_predictions
        assert project.maximum_annotations == 1
        assert 'name="why"' in project.label_config
    tasks = _review_tasks(store, ls)
    assert len(tasks) == counts["tasks_sent"]
    # a task of a record where the careless annotator was wrong: why, in words
    rid = next(
        t.data["record_id"]
        for _, _, t in tasks.values()
        if wrong.get(t.data["record_id"]) and "Annotators:" in t.data["why"]
    )
    tid, (key, pid, task) = next((i, v) for i, v in tasks.items() if v[2].data["record_id"] == rid)
    why = task.data["why"]
    assert "Emotional distress" in why and BAD in why and "Consensus (CROWDLAB)" in why
    assert "consensus" in why and "<script" not in why
    # pre-filled with the consensus: the true intensity, at the span's code points
    span, intensity, _ = truth[rid]
    post = store.get(rid).post_text
    (pred,) = [p for p in ls.call(ls.sdk.predictions.list, task=tid)]
    assert pred.model_version == REVIEW_MODEL
    choice = next(r for r in pred.result if r["from_name"] == "post_emotional_distress_intensity")
    assert choice["value"]["choices"] == [intensity]
    assert choice["value"]["start"] == post.index(span)
    emp = next(r for r in pred.result if r["from_name"] == "empathy")
    assert emp["value"]["choices"] == [str(store.get(rid).empathy)]

    # idempotent: the same run again queues nothing new (through the CLI)
    env = {"CURATE_LS_URL": ls_server.url, "CURATE_LS_TOKEN": ls_server.token}
    toml = str(config.workspace.parent / "curate.toml")
    out = run_cli(
        "-c", toml, "audit", "--to-label-studio", "--run", "latest", "--top", "0", "--json",
        env=env,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    again = json.loads(out.stdout)["review"]["counts"]
    assert again.get("tasks_sent", 0) == 0 and again["already_queued"] == counts["tasks_sent"]
    assert len(_review_tasks(store, ls)) == len(tasks)

    # the reviewer decides: the pre-filled labels, with the intensity set to "light"
    # (a decision nobody gave, so its source is unmistakable) and empathy 3
    reviewer = _user(ls, REVIEWER)
    decided = "light" if intensity != "light" else "high"
    result = []
    for r in pred.result:
        r = json.loads(json.dumps(r))
        if r["from_name"] == "post_emotional_distress_intensity":
            r["value"]["choices"] = [decided]
        if r["from_name"] == "empathy":
            r["value"]["choices"] = ["3"]
        result.append(r)
    ls.call(ls.sdk.annotations.create, tid, result=result, completed_by=reviewer.id)
    pulled = pull(store, config, ls)
    assert pulled.counts[key]["new"] == 1 and not [i for i in pulled.issues if i["project"] == key]
    assert tables.latest_adjudication(store, rid)["reviewer"] == REVIEWER
    assert REVIEWER not in tables.latest_annotations(store, rid)  # not an annotator's
    record = store.get(rid)
    spans = [s for s in record.spans if s.label == "emotional_distress"]
    assert [(s.annotator, s.attributes["intensity"]) for s in spans] == [(ADJUDICATED, decided)]
    assert record.empathy == 3
    # agreement leaves the decision out (a reviewer is not one more annotator), counts it
    from curate.annotate.agreement import agreement

    figures = agreement(store, taxonomy)
    assert figures[record.culture]["adjudicated"] == 1 == figures["all"]["adjudicated"]
    assert figures[record.culture]["annotators"] == 3

    # the export carries it (annotator "adjudicated", not a pseudonym) and counts it
    result = export(store, config, mode="text", engine=deid_engine, out_dir=tmp_path / "rel")
    rows = pd.concat(
        pd.read_parquet(p) for p in (tmp_path / "rel" / "data" / "all").glob("*.parquet")
    )
    row = rows[rows["id"] == rid].iloc[0]
    values = taxonomy.family("emotional_distress").values  # a ClassLabel in the files
    assert [(s["annotator"], s["intensity"]) for s in row["emotional_distress"]] == [
        (ADJUDICATED, values.index(decided))
    ]
    assert row["empathy"] == 3
    assert result.info.adjudicated.get("all") == 1
    card = (tmp_path / "rel" / "README.md").read_text(encoding="utf-8")
    assert "adjudicated" in card.lower()

    # a re-audit does not queue the decided record again ...
    audit_workspace(store, taxonomy, families=["emotional_distress", "empathy"], html=False)
    later = send_review(store, config, ls, top=None)
    assert later.counts["adjudicated"] >= 1
    mine = [v for v in _review_tasks(store, ls).values() if v[2].data["record_id"] == rid]
    assert len(mine) == 1
    # ... unless its labels change: the careless annotator relabels, the record is
    # queued again, pre-filled with the reviewer's decision
    post_tasks = dict(store.conn.execute("SELECT record_id, task_id FROM ls_tasks"))
    bad = _user(ls, BAD)
    other = next(x for x in CUES if x not in (intensity, decided))
    ls.call(
        ls.sdk.annotations.create,
        post_tasks[rid],
        result=_annotation(post, span, other, 2),
        completed_by=bad.id,
    )
    pull(store, config, ls)
    audit_workspace(store, taxonomy, families=["emotional_distress", "empathy"], html=False)
    relabelled = send_review(store, config, ls, top=None)
    mine = [v for v in _review_tasks(store, ls).values() if v[2].data["record_id"] == rid]
    assert len(mine) == 2, relabelled.counts
    newest = max(mine, key=lambda v: v[2].id)[2]
    assert "the decision of" in newest.data["why"]
    (pred2,) = list(ls.call(ls.sdk.predictions.list, task=newest.id))
    choice2 = next(r for r in pred2.result if r["from_name"] == "post_emotional_distress_intensity")
    assert choice2["value"]["choices"] == [decided]
