"""The review queue's plan (`curate.audit.queue`): flags on one span merge into one
item, items flagged by more kinds rank first, the cap is per culture and family, a
model-only flag on a label annotators gave alike is left out, and a decided record is
not queued again until its labels change. Store tables only, no server."""

from __future__ import annotations

import json

from helpers import make_record

from curate.annotate import tables
from curate.audit.queue import group_items, plan
from curate.audit.store import AuditFlag, add_review_task
from curate.records import RawText

ATTRS = {"emotional_distress": "intensity"}


def _flag(rid, kind, start, end, score, culture="German", family="emotional_distress"):
    detail = {"field": "post", "start": start, "end": end} if family != "empathy" else {}
    return AuditFlag(family, kind, rid, culture, score, given="high", suggested="light",
                     detail=detail)  # fmt: skip


def _annotate(store, rid, aid, who, label, kind=tables.ANNOTATION, updated="2026-01-01"):
    doc = {
        "spans": [
            {"field": "post", "label": "emotional_distress", "text": "x", "start": 0, "end": 5,
             "attributes": {"intensity": label}, "annotator": who}
        ],
        "empathy": None,
        "demographics": {},
    }  # fmt: skip
    with store.transaction() as conn:
        row = (
            aid,
            "k",
            rid,
            aid,
            who,
            updated,
            "submitted",
            f"h{aid}{label}",
            json.dumps(doc),
            "r",
        )
        tables.save_annotation(conn, row, [], kind)


def test_flags_on_overlapping_spans_are_one_item_ranked_by_kinds():
    flags = [
        _flag("r1", "label_issue", 0, 5, 0.01),
        _flag("r1", "consensus", 1, 6, 0.3),
        _flag("r1", "label_issue", 20, 25, 0.001),  # another span of the record
        _flag("r2", "outlier", 0, 5, 0.0),  # not queued
        AuditFlag("emotional_distress", "label_issue", "r3", "German", 0.1),  # no offsets
    ]
    items, skipped = group_items(flags)
    assert skipped["no_region"] == 1
    assert sorted((i.record_id, i.region, i.kinds) for i in items) == [
        ("r1", ("post", 0, 6), ["label_issue", "consensus"]),
        ("r1", ("post", 20, 25), ["label_issue"]),
    ]


def test_cap_per_culture_and_family_keeps_the_best(store):
    flags = [_flag(f"g{i}", "label_issue", 0, 5, i / 10) for i in range(5)]
    flags += [_flag(f"j{i}", "label_issue", 0, 5, i / 10, culture="Jewish") for i in range(5)]
    chosen = plan(store, flags, ATTRS, top=2)
    assert sorted(i.record_id for i in chosen.items) == ["g0", "g1", "j0", "j1"]
    assert chosen.skipped["beyond_top"] == 6
    assert chosen.per_culture() == {"German": {"emotional_distress": 2},
                                    "Jewish": {"emotional_distress": 2}}  # fmt: skip


def test_model_only_flag_on_a_unanimous_label_is_left_out(store):
    _annotate(store, "r1", 1, "a", "high")
    _annotate(store, "r1", 2, "b", "high")
    _annotate(store, "r2", 3, "a", "high")
    _annotate(store, "r2", 4, "b", "light")
    flags = [_flag("r1", "label_issue", 0, 5, 0.01), _flag("r2", "label_issue", 0, 5, 0.02)]
    chosen = plan(store, flags, ATTRS, top=None)
    assert [i.record_id for i in chosen.items] == ["r2"]
    assert chosen.skipped["unanimous"] == 1


def test_a_decided_record_is_queued_again_only_when_its_labels_change(store):
    from curate.records import Span

    rec = make_record(store, "p1")
    rec.post_text = "hello world"
    # an own (release) span placed on the text: the decision replaces it on the record
    rec.spans = [Span("post", "emotional_distress", "hello", 0, 5, {"intensity": "high"})]
    store.put_batch([(rec, RawText(text=rec.post_text))], store.begin_run("test", {}))
    _annotate(store, rec.id, 1, "a", "high")
    flags = [_flag(rec.id, "label_issue", 0, 5, 0.01)]
    from curate.audit.queue import labels_basis

    add_review_task(store, "review-German", 77, rec.id, "run1", labels_basis(store, rec.id), 1,
                    "send1")  # fmt: skip
    assert len(plan(store, flags, ATTRS).items) == 1  # queued, not decided yet
    _annotate(store, rec.id, 2, "reviewer", "light", kind=tables.ADJUDICATION)
    with store.transaction() as conn:  # the decision answers task 77
        conn.execute("UPDATE annotations SET project_key='review-German', task_id=77"
                     " WHERE annotation_id=2")  # fmt: skip
    from curate.annotate.pull import _merge_into_records
    from curate.schema import load_taxonomy

    _merge_into_records(store, {rec.id}, load_taxonomy())  # what pull does
    assert [s.annotator for s in store.get(rec.id).spans] == ["adjudicated"]
    chosen = plan(store, flags, ATTRS)
    assert chosen.items == [] and chosen.skipped["adjudicated"] == 1
    _annotate(store, rec.id, 3, "a", "moderate", updated="2026-02-01")  # a new label
    assert len(plan(store, flags, ATTRS).items) == 1


def test_a_version_6_workspace_migrates(tmp_path):
    """A workspace of the previous curate (schema 6): its projects are annotators'
    projects, its pulled annotations annotators' annotations, and the queue's table
    exists."""
    import sqlite3

    from curate.store import SCHEMA_VERSION, Store, _migration

    ws = tmp_path / "ws"
    ws.mkdir()
    conn = sqlite3.connect(ws / "curate.sqlite", isolation_level=None)
    for version in range(1, 7):
        conn.executescript(_migration(version))
    conn.execute("INSERT INTO meta VALUES ('schema_version', '6')")
    conn.execute("INSERT INTO meta VALUES ('id_salt', ?)", ("ab" * 32,))
    conn.execute("INSERT INTO ls_projects VALUES ('German', 3, 'http://ls', 'h')")
    conn.execute(
        "INSERT INTO annotations (annotation_id, project_key, record_id, task_id, annotator,"
        " updated_at, status, result_hash, doc, pulled_run) VALUES (1, 'German', 'r1', 9, 'a',"
        " '2026-01-01', 'submitted', 'h', ?, 'run')",
        (json.dumps({"spans": [], "empathy": 4, "demographics": {}}),),
    )
    conn.close()
    with Store.open(ws) as store:
        assert store.schema_version == SCHEMA_VERSION == 7
        assert tables.projects(store, "http://ls") == {"German": 3}
        assert tables.projects(store, "http://ls", kind=tables.REVIEW) == {}
        assert tables.latest_annotations(store, "r1")["a"]["empathy"] == 4
        assert tables.latest_adjudication(store, "r1") is None
        assert store.conn.execute("SELECT COUNT(*) FROM review_tasks").fetchone() == (0,)
