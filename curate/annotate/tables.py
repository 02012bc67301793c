"""The Label Studio round-trip's tables: projects, pushed tasks, pulled annotations and
the problems found in them. Only this module reads or writes them; other stages (the
audit's review queue, the simulated annotators, export's agreement check) ask here.

Why here and not in `curate.store`: the store keeps records, revisions and the vault;
each stage owns the tables it writes, with their migrations, so a table has one place
that knows its columns.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from curate.store import Store

# Schema version 3 of the workspace (`curate.store` applies it in version order).
MIGRATIONS = {
    3: """
    CREATE TABLE ls_projects (
        key TEXT PRIMARY KEY, project_id INTEGER NOT NULL, url TEXT NOT NULL,
        config_hash TEXT NOT NULL);
    CREATE TABLE ls_tasks (
        record_id TEXT PRIMARY KEY, project_key TEXT NOT NULL, task_id INTEGER NOT NULL,
        text_hash TEXT NOT NULL, pushed_run TEXT NOT NULL);
    CREATE INDEX ls_tasks_task ON ls_tasks (project_key, task_id);
    CREATE TABLE annotations (
        annotation_id INTEGER NOT NULL, project_key TEXT NOT NULL,
        record_id TEXT NOT NULL, task_id INTEGER NOT NULL, annotator TEXT NOT NULL,
        updated_at TEXT, status TEXT NOT NULL, result_hash TEXT NOT NULL,
        doc TEXT NOT NULL, stale INTEGER NOT NULL DEFAULT 0, pulled_run TEXT NOT NULL,
        PRIMARY KEY (project_key, annotation_id));
    CREATE INDEX annotations_record ON annotations (record_id, annotator);
    CREATE TABLE annotation_issues (
        project_key TEXT NOT NULL, annotation_id INTEGER NOT NULL, record_id TEXT,
        annotator TEXT, problem TEXT NOT NULL, detail TEXT, pulled_run TEXT NOT NULL);
    """,
    # Adjudication: a project is an annotators' one ("annotate") or a review queue's
    # ("review"); an annotation from a review project is an "adjudication".
    7: """
    ALTER TABLE ls_projects ADD COLUMN kind TEXT NOT NULL DEFAULT 'annotate';
    ALTER TABLE annotations ADD COLUMN kind TEXT NOT NULL DEFAULT 'annotation';
    """,
}

ANNOTATE, REVIEW = "annotate", "review"  # project kinds
ANNOTATION, ADJUDICATION = "annotation", "adjudication"  # annotation kinds


# -- projects ---------------------------------------------------------------------------
def project(store: Store, key: str, url: str) -> tuple[int, str] | None:
    """(project id, labeling-config hash) of the project `key` on the server at `url`."""
    return store.conn.execute(
        "SELECT project_id, config_hash FROM ls_projects WHERE key=? AND url=?", (key, url)
    ).fetchone()


def projects(store: Store, url: str, kind: str | None = ANNOTATE) -> dict[str, int]:
    """Project key -> project id, of the projects of `kind` (None: every kind) on the
    server at `url`, by key."""
    sql, args = "SELECT key, project_id FROM ls_projects WHERE url=?", [url]
    if kind is not None:
        sql += " AND kind=?"
        args.append(kind)
    return dict(store.conn.execute(sql + " ORDER BY key", args))


def projects_with_urls(store: Store, kind: str | None = ANNOTATE) -> dict[str, tuple[int, str]]:
    """Project key -> (project id, server URL) of every project of `kind` (None: all)."""
    sql, args = "SELECT key, project_id, url FROM ls_projects", []
    if kind is not None:
        sql += " WHERE kind=?"
        args.append(kind)
    return {key: (pid, url) for key, pid, url in store.conn.execute(sql, args)}


def project_kind(store: Store, key: str) -> str:
    row = store.conn.execute("SELECT kind FROM ls_projects WHERE key=?", (key,)).fetchone()
    return row[0] if row else ANNOTATE


def set_config_hash(store: Store, key: str, config_hash: str) -> None:
    store.conn.execute("UPDATE ls_projects SET config_hash=? WHERE key=?", (config_hash, key))


def new_project(
    store: Store, key: str, project_id: int, url: str, config_hash: str, kind: str = ANNOTATE
) -> None:
    """A project made anew for `key`: the tasks pushed to the one before are forgotten."""
    with store.transaction() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO ls_projects (key, project_id, url, config_hash, kind)"
            " VALUES (?, ?, ?, ?, ?)",
            (key, project_id, url, config_hash, kind),
        )
        conn.execute("DELETE FROM ls_tasks WHERE project_key=?", (key,))


# -- tasks ------------------------------------------------------------------------------
def tasks(store: Store) -> dict[str, tuple[str, int, str]]:
    """Record id -> (project key, task id, hash of the text pushed) of every pushed task."""
    return {
        rid: (key, tid, digest)
        for rid, key, tid, digest in store.conn.execute(
            "SELECT record_id, project_key, task_id, text_hash FROM ls_tasks"
        )
    }


def tasks_on(store: Store, url: str) -> list[tuple[str, int, str]]:
    """(record id, task id, project key) of the tasks pushed to the server at `url`, by
    project and task."""
    return store.conn.execute(
        "SELECT t.record_id, t.task_id, t.project_key FROM ls_tasks t JOIN ls_projects p"
        " ON p.key = t.project_key WHERE p.url = ? ORDER BY t.project_key, t.task_id",
        (url,),
    ).fetchall()


def add_tasks(store: Store, rows: Iterable[tuple[str, str, int, str, str]]) -> None:
    """(record id, project key, task id, text hash, run id) of tasks just imported."""
    with store.transaction() as conn:
        conn.executemany("INSERT OR REPLACE INTO ls_tasks VALUES (?, ?, ?, ?, ?)", rows)


def text_updated(store: Store, record_id: str, digest: str, run_id: str) -> int:
    """A task's text was updated on the server: its annotations are marked stale (for
    review). Returns how many."""
    with store.transaction() as conn:
        conn.execute(
            "UPDATE ls_tasks SET text_hash=?, pushed_run=? WHERE record_id=?",
            (digest, run_id, record_id),
        )
        return conn.execute(
            "UPDATE annotations SET stale=1 WHERE record_id=?", (record_id,)
        ).rowcount


# -- annotations ------------------------------------------------------------------------
def save_annotation(
    conn: sqlite3.Connection,
    row: tuple[int, str, str | None, int, str, str | None, str, str, str, str],
    issues: list[tuple[str, str | None]],
    kind: str = ANNOTATION,
) -> str:
    """Store one pulled annotation (annotation id, project key, record id, task id,
    annotator, updated at, status, result hash, doc, run id) of `kind` with its problems,
    inside the caller's transaction: 'unchanged' (same result hash: nothing written),
    'updated' or 'new'."""
    aid, pkey, rid, tid, who, updated, status, digest, doc, run = row
    old = conn.execute(
        "SELECT result_hash FROM annotations WHERE project_key=? AND annotation_id=?",
        (pkey, aid),
    ).fetchone()
    if old and old[0] == digest:
        return "unchanged"
    conn.execute(
        "INSERT OR REPLACE INTO annotations (annotation_id, project_key, record_id,"
        " task_id, annotator, updated_at, status, result_hash, doc, stale,"
        " pulled_run, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
        (aid, pkey, rid or "", tid, who, updated, status, digest, doc, run, kind),
    )
    conn.execute(
        "DELETE FROM annotation_issues WHERE project_key=? AND annotation_id=?", (pkey, aid)
    )
    conn.executemany(
        "INSERT INTO annotation_issues VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(pkey, aid, rid, who, p, d, run) for p, d in issues],
    )
    return "updated" if old else "new"


def latest_annotations(store: Store, record_id: str) -> dict[str, dict]:
    """The newest submitted annotation of each annotator on a record (adjudications not
    included: `latest_adjudication`)."""
    out: dict[str, dict] = {}
    for annotator, updated, doc in store.conn.execute(
        "SELECT annotator, updated_at, doc FROM annotations WHERE record_id=? AND "
        "status='submitted' AND kind=? ORDER BY updated_at, annotation_id",
        (record_id, ANNOTATION),
    ):
        out[annotator] = {**json.loads(doc), "updated_at": updated}
    return out


def latest_adjudication(store: Store, record_id: str) -> dict | None:
    """The newest submitted adjudication of a record (any reviewer), with its `reviewer`
    and `updated_at`, or None."""
    row = store.conn.execute(
        "SELECT annotator, updated_at, doc FROM annotations WHERE record_id=? AND "
        "status='submitted' AND kind=? ORDER BY updated_at DESC, annotation_id DESC LIMIT 1",
        (record_id, ADJUDICATION),
    ).fetchone()
    if row is None:
        return None
    return {**json.loads(row[2]), "reviewer": row[0], "updated_at": row[1]}


def adjudicated_task(store: Store, project_key: str, task_id: int) -> bool:
    """A reviewer submitted a decision on this review task (as last pulled)."""
    return (
        store.conn.execute(
            "SELECT 1 FROM annotations WHERE project_key=? AND task_id=? AND kind=?"
            " AND status='submitted' LIMIT 1",
            (project_key, task_id, ADJUDICATION),
        ).fetchone()
        is not None
    )


def adjudicated_records(store: Store) -> set[str]:
    """Ids of the records with a submitted adjudication."""
    return {
        rid
        for (rid,) in store.conn.execute(
            "SELECT DISTINCT record_id FROM annotations WHERE status='submitted' AND kind=?",
            (ADJUDICATION,),
        )
    }


def labels_basis(store: Store, record_id: str) -> str:
    """A hash of what the annotators' labels of a record are now (their annotations'
    result hashes and staleness, adjudications left out): the review queue compares it
    with the one a record was queued with, to tell whether the labels changed since."""
    import hashlib

    rows = store.conn.execute(
        "SELECT project_key, annotation_id, result_hash, status, stale FROM annotations"
        " WHERE record_id=? AND kind=? ORDER BY project_key, annotation_id",
        (record_id, ANNOTATION),
    ).fetchall()
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()[:16]


def multi_annotated(store: Store) -> bool:
    """Some record has annotations by more than one annotator (agreement can be
    measured)."""
    return (
        store.conn.execute(
            "SELECT 1 FROM annotations WHERE kind='annotation' GROUP BY record_id"
            " HAVING COUNT(DISTINCT annotator) > 1 LIMIT 1"
        ).fetchone()
        is not None
    )
