"""The release stage's tables: the stable split assignment (`splits`, written and read by
`curate.release.splits`), and the releases made with the records each holds.

Why here: each stage owns the tables it writes, with their migrations (`curate.store`
applies them in version order); other stages ask this module, never the tables.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from curate.store import Store

# Schema version 4 of the workspace.
MIGRATIONS = {
    4: """
    CREATE TABLE splits (
        record_id TEXT PRIMARY KEY, group_key TEXT NOT NULL, split TEXT NOT NULL,
        culture TEXT, seed INTEGER NOT NULL, first_version TEXT, assigned REAL NOT NULL);
    CREATE INDEX splits_group ON splits (group_key);
    CREATE TABLE releases (
        version TEXT PRIMARY KEY, mode TEXT NOT NULL, created REAL NOT NULL,
        path TEXT NOT NULL, manifest TEXT NOT NULL, notes TEXT);
    CREATE TABLE release_items (
        version TEXT NOT NULL, record_id TEXT NOT NULL, split TEXT NOT NULL,
        label_hash TEXT NOT NULL, PRIMARY KEY (version, record_id));
    """,
}


def versions(store: Store) -> list[str]:
    """Every released version, in no particular order."""
    return [r[0] for r in store.conn.execute("SELECT version FROM releases")]


def release_path(store: Store, version: str) -> str | None:
    row = store.conn.execute("SELECT path FROM releases WHERE version=?", (version,)).fetchone()
    return row[0] if row else None


def release_paths(store: Store) -> list[str]:
    return [p for (p,) in store.conn.execute("SELECT path FROM releases")]


def release_notes(store: Store) -> list[dict[str, Any]]:
    """The changelog entries of the releases made so far, as stored."""
    return [
        json.loads(notes)
        for (notes,) in store.conn.execute("SELECT notes FROM releases WHERE notes IS NOT NULL")
    ]


def label_hashes(store: Store, version: str) -> dict[str, str]:
    """Record id -> label hash of the records in release `version`."""
    return dict(
        store.conn.execute(
            "SELECT record_id, label_hash FROM release_items WHERE version=?", (version,)
        ).fetchall()
    )


def record_release(
    conn: sqlite3.Connection,
    row: tuple[str, str, float, str, str, str],
    items: list[tuple[str, str, str, str]],
) -> None:
    """A release (version, mode, created, path, manifest, notes) and its items (version,
    record id, split, label hash), inside the caller's transaction."""
    conn.execute("INSERT INTO releases VALUES (?, ?, ?, ?, ?, ?)", row)
    conn.executemany("INSERT INTO release_items VALUES (?, ?, ?, ?)", items)


def stored_splits(store: Any) -> list[tuple[str, str, str]]:
    """(record id, group key, split) of every assignment, oldest first."""
    return store.conn.execute(
        "SELECT record_id, group_key, split FROM splits ORDER BY assigned, rowid"
    ).fetchall()


def assigned_splits(store: Any) -> list[tuple[str, str, str]]:
    """(record id, split, group key) of every assignment, in the table's order."""
    return list(store.conn.execute("SELECT record_id, split, group_key FROM splits"))


def save_splits(conn: Any, rows: list[tuple]) -> None:
    """New assignments (inside the caller's transaction, with the release)."""
    conn.executemany("INSERT INTO splits VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
