"""Split assignment: grouped by source thread, stratified by culture, deterministic for a
seed, and stable forever once stored."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from release_helpers import CULTURES, put_deidentified, synthetic_record

from curate.deid import tables as deid_tables
from curate.errors import CurateError
from curate.records import RawText
from curate.release import splits
from curate.store import Store

POLICY = splits.SplitPolicy(seed=0, ratios=splits.DEFAULT_RATIOS)


def _assign_and_save(store, version: str, policy=POLICY) -> splits.Assignment:
    records = list(store.iter_records(deidentified=True))
    assignment = splits.assign(store, records, policy, version)
    with store.transaction() as conn:
        splits.save(conn, assignment)
    return assignment


def _by_source(store, assignment: splits.Assignment) -> dict[str, str]:
    return {r.source.source_id: assignment.split[r.id] for r in store.iter_records()}


def test_each_culture_is_split_to_its_targets(store, fill) -> None:
    fill(50)
    sizes = splits.assign(store, store.iter_records(deidentified=True), POLICY, "1.0.0").sizes()
    assert sizes == {c: {"train": 40, "validation": 5, "test": 5} for c in CULTURES}


def test_small_culture_still_close_to_targets(store) -> None:
    """With ~110 items (a CultureCare culture), hashing each group against thresholds
    could put 6 or 16 items in test; the ordered cut puts 11."""
    put_deidentified(store, [synthetic_record(store, f"g{i}", "German") for i in range(110)])
    sizes = splits.assign(store, store.iter_records(deidentified=True), POLICY, "1.0.0").sizes()
    assert sizes["German"] == {"train": 88, "validation": 11, "test": 11}


def test_a_thread_never_straddles_splits(store) -> None:
    records = [
        synthetic_record(store, f"t{t}-{i}", "German", thread=f"thread{t}")
        for t in range(12)
        for i in range(3)
    ]
    put_deidentified(store, records)
    assignment = _assign_and_save(store, "1.0.0")
    by_thread: dict[str, set[str]] = {}
    for r in records:
        by_thread.setdefault(r.source.thread_id, set()).add(assignment.split[r.id])
    assert all(len(s) == 1 for s in by_thread.values())
    assert len({s for v in by_thread.values() for s in v}) == 3  # and all splits are used
    # a later item of an assigned thread joins it, whatever the targets say
    late = put_deidentified(store, [synthetic_record(store, "late", "German", "thread0")])
    again = _assign_and_save(store, "1.1.0")
    assert again.split[late[0].id] == assignment.split[records[0].id]


def test_same_seed_same_splits_in_another_workspace(tmp_path: Path) -> None:
    """Record ids differ between workspaces (salted), the assignment does not: it hangs
    on (seed, source thread) only."""
    results = []
    for name in ("a", "b"):
        with Store.open(tmp_path / name) as st:
            put_deidentified(
                st, [synthetic_record(st, f"{c}{i}", c) for c in CULTURES for i in range(20)]
            )
            results.append(_by_source(st, _assign_and_save(st, "1.0.0")))
    assert results[0] == results[1]
    with Store.open(tmp_path / "c") as st:
        put_deidentified(
            st, [synthetic_record(st, f"{c}{i}", c) for c in CULTURES for i in range(20)]
        )
        other_seed = splits.SplitPolicy(seed=7, ratios=splits.DEFAULT_RATIOS)
        reseeded = _by_source(st, _assign_and_save(st, "1.0.0", other_seed))
    assert reseeded != results[0]
    assert Counter(reseeded.values()) == Counter(results[0].values())  # same targets


def test_assigned_items_keep_their_split_forever(store, fill) -> None:
    fill(20)
    first = _assign_and_save(store, "1.0.0")
    fill(20, prefix="new")
    # even under another seed and other ratios, v1.0.0 items do not move
    policy = splits.SplitPolicy(seed=99, ratios={"train": 0.5, "validation": 0.25, "test": 0.25})
    second = _assign_and_save(store, "1.1.0", policy)
    assert all(second.split[rid] == split for rid, split in first.split.items())
    rows = dict(store.conn.execute("SELECT record_id, first_version FROM splits").fetchall())
    assert {rows[rid] for rid in first.split} == {"1.0.0"}
    assert {rows[rid] for rid in second.split if rid not in first.split} == {"1.1.0"}
    # the new items move each culture towards the new targets
    assert second.sizes()["German"] == {"train": 20, "validation": 10, "test": 10}


def test_duplicates_follow_their_original(store) -> None:
    original = synthetic_record(store, "orig", "German")
    copy = synthetic_record(store, "copy", "German")
    run = store.begin_run("test", {})
    store.put_batch([(original, RawText(text="same text")), (copy, RawText(text="same text"))], run)
    assert store.get(copy.id).duplicate_of == original.id
    deid_tables.save_deid(store, [(r, []) for r in store.iter_records()], "test-policy")
    candidates = list(store.iter_records(deidentified=True))
    assert [r.id for r in candidates] == [original.id]
    assignment = splits.assign(store, candidates, POLICY, "1.0.0")  # duplicates from the store
    rows = {row[0]: row for row in assignment.new_rows}
    assert rows[copy.id][1:3] == rows[original.id][1:3]  # same group, same split
    assert rows[copy.id][5] is None  # assigned, never released


@pytest.mark.parametrize(
    "section",
    [
        {"splits": {"train": 0.8, "test": 0.2}},
        {"splits": {"train": 0.8, "validation": 0.1, "test": 0.2}},
        {"splits": {"train": 1.2, "validation": -0.1, "test": -0.1}},
        {"seed": "zero"},
    ],
)
def test_bad_split_config_is_a_user_error(section: dict) -> None:
    with pytest.raises(CurateError, match=r"\[release\]"):
        splits.split_policy(section)
