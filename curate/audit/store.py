"""Audit flags in the workspace (table `audit_flags`), the audit summary, and how later
stages read them.

Why in the store and not only in the report files: `curate audit --to-label-studio --run
...` sends an earlier run's flags, long after the report folder may have been overwritten.
The summary (what the report's `summary.json` holds) is stored as the counts of the audit
run; the release card reads it with `latest_summary`, not from the report folder.
Each audit run keeps its own rows (keyed by the run id from `Store.begin_run`), so runs
can be compared; `flags()` without a run id reads the newest completed audit run.

A flag holds ids, labels, a score and a JSON `detail`, never a text: texts stay on the
records, which the report reads de-identified.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from curate.store import Store

if TYPE_CHECKING:
    from curate.audit.labelnoise import Example

# The audit's table, schema version 4 of the workspace (`curate.store` applies it).
MIGRATIONS = {
    4: """
    CREATE TABLE audit_flags (
        run_id TEXT NOT NULL, family TEXT NOT NULL, kind TEXT NOT NULL,
        rank INTEGER NOT NULL, record_id TEXT NOT NULL, culture TEXT,
        span_index INTEGER, annotator TEXT, given TEXT, suggested TEXT,
        score REAL, detail TEXT);
    CREATE INDEX audit_flags_run ON audit_flags (run_id, family);
    CREATE INDEX audit_flags_record ON audit_flags (record_id);
    """,
    # The review queue (`curate.audit.review`): one row per task sent to a review
    # project, with the hash of the labels it was queued on (`basis`).
    7: """
    CREATE TABLE review_tasks (
        project_key TEXT NOT NULL, task_id INTEGER NOT NULL, record_id TEXT NOT NULL,
        audit_run TEXT NOT NULL, basis TEXT NOT NULL, items INTEGER NOT NULL,
        sent_run TEXT NOT NULL, PRIMARY KEY (project_key, task_id));
    CREATE INDEX review_tasks_record ON review_tasks (record_id);
    """,
}

AUDIT_COMMAND = "audit"
# Every kind of flag, in the order reports list them.
KINDS = ("label_issue", "consensus", "outlier", "near_duplicate")
# Family name of the record-level (not label-family) flags: near-duplicate records.
RECORDS = "records"


@dataclass
class AuditFlag:
    """One row of `audit_flags`. `score` is in [0, 1], lower is worse for every kind
    (label quality, consensus quality, outlier score, near-duplicate score), and `rank`
    orders flags within (family, kind), 1 = worst. `text` is the de-identified text the
    flag is about, for the report only (not stored)."""

    family: str
    kind: str
    record_id: str
    culture: str | None
    score: float
    rank: int = 0
    span_index: int | None = None
    annotator: str | None = None
    given: str | None = None
    suggested: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    text: str = ""

    def row(self, run_id: str) -> tuple:
        return (
            run_id,
            self.family,
            self.kind,
            self.rank,
            self.record_id,
            self.culture,
            self.span_index,
            self.annotator,
            self.given,
            self.suggested,
            self.score,
            json.dumps(self.detail, ensure_ascii=False, sort_keys=True),
        )


def example_flag(
    family: str,
    kind: str,
    e: Example,
    score: float,
    detail: dict[str, Any] | None = None,
    suggested: str | None = None,
) -> AuditFlag:
    """A flag about one audited example: its ids, its label as `given`, its text, and its
    aligned region (field, start, end) added to `detail`."""
    detail = dict(detail or {})
    if e.region is not None:
        detail.update(field=e.region[0], start=e.region[1], end=e.region[2])
    return AuditFlag(
        family=family,
        kind=kind,
        record_id=e.record_id,
        culture=e.culture,
        score=score,
        span_index=e.span,
        annotator=e.annotator,
        given=e.label,
        suggested=suggested,
        detail=detail,
        text=e.text,
    )


def rank_flags(flags: list[AuditFlag]) -> list[AuditFlag]:
    """Sort by kind (report order), then worst score first, and number within each kind."""
    order = {k: i for i, k in enumerate(KINDS)}
    flags = sorted(flags, key=lambda f: (order.get(f.kind, len(order)), f.score, f.record_id))
    seen: dict[str, int] = {}
    for f in flags:
        seen[f.kind] = f.rank = seen.get(f.kind, 0) + 1
    return flags


def save_flags(store: Store, run_id: str, flags: Iterable[AuditFlag]) -> int:
    """Store a run's flags (replacing any rows of that run and family: a re-save of the
    same run is not doubled)."""
    rows = [f.row(run_id) for f in flags]
    families = sorted({r[1] for r in rows})
    with store.transaction() as conn:
        conn.executemany(
            "DELETE FROM audit_flags WHERE run_id=? AND family=?", [(run_id, f) for f in families]
        )
        conn.executemany(
            "INSERT INTO audit_flags (run_id, family, kind, rank, record_id, culture, span_index,"
            " annotator, given, suggested, score, detail) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
    return len(rows)


def latest_run(store: Store) -> str | None:
    """The newest completed audit run, or None when there was none."""
    run = store.latest_run(AUDIT_COMMAND)
    return run["run_id"] if run else None


def latest_summary(store: Store) -> dict[str, Any] | None:
    """The summary of the newest completed audit run (what its `summary.json` holds: run
    id, audited records, per family counts, labels, CROWDLAB figures, report paths), or
    None when no audit completed. Runs of a curate that stored only flag counts (no
    "families") are not summaries: None as well."""
    run = store.latest_run(AUDIT_COMMAND)
    if run is None or "families" not in run["counts"]:
        return None
    return run["counts"]


def flags(
    store: Store,
    run_id: str | None = None,
    family: str | None = None,
    kind: str | None = None,
) -> list[AuditFlag]:
    """The flags of `run_id` (default: the newest completed audit run), optionally of one
    family or kind, in report order. Empty when there was no audit run."""
    run_id = run_id or latest_run(store)
    if run_id is None:
        return []
    sql = (
        "SELECT family, kind, rank, record_id, culture, span_index, annotator, given, "
        "suggested, score, detail FROM audit_flags WHERE run_id=?"
    )
    args: list[Any] = [run_id]
    if family is not None:
        sql += " AND family=?"
        args.append(family)
    if kind is not None:
        sql += " AND kind=?"
        args.append(kind)
    order = {k: i for i, k in enumerate(KINDS)}
    out = [
        AuditFlag(
            family=fam,
            kind=knd,
            rank=rank,
            record_id=rid,
            culture=culture,
            span_index=span,
            annotator=annotator,
            given=given,
            suggested=suggested,
            score=score,
            detail=json.loads(detail or "{}"),
        )
        for fam, knd, rank, rid, culture, span, annotator, given, suggested, score, detail in (
            store.conn.execute(sql, args)
        )
    ]
    out.sort(key=lambda f: (f.family, order.get(f.kind, len(order)), f.rank))
    return out


def run_exists(store: Store, run_id: str) -> bool:
    row = store.conn.execute(
        "SELECT 1 FROM runs WHERE run_id=? AND command=?", (run_id, AUDIT_COMMAND)
    ).fetchone()
    return row is not None


# -- the review queue's tasks (`curate.audit.review`) -----------------------------------
def review_rows(store: Store, record_id: str | None = None) -> list[dict[str, Any]]:
    """Rows of `review_tasks` (of one record, or all), oldest first."""
    from curate.store import rows_as_dicts

    sql = "SELECT rowid AS seq, * FROM review_tasks"
    args: tuple = ()
    if record_id is not None:
        sql += " WHERE record_id=?"
        args = (record_id,)
    return rows_as_dicts(store.conn.execute(sql + " ORDER BY rowid", args))


def add_review_task(
    store: Store,
    key: str,
    task_id: int,
    record_id: str,
    run: str,
    basis: str,
    items: int,
    sent_run: str,
) -> None:
    with store.transaction() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO review_tasks (project_key, task_id, record_id, audit_run,"
            " basis, items, sent_run) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (key, task_id, record_id, run, basis, items, sent_run),
        )


def drop_review_task(store: Store, key: str, task_id: int) -> None:
    with store.transaction() as conn:
        conn.execute("DELETE FROM review_tasks WHERE project_key=? AND task_id=?", (key, task_id))
