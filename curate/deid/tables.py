"""De-identification's tables: decisions, concurrent runs' claims, the curator's verdicts.

The de-identification stage owns them: their migrations are here (`MIGRATIONS`, run by
`curate.store` with its own), and nothing outside this module reads or writes them. A
decision lives on the vault side: original offsets on a revision, never text.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable
from typing import Any

from curate.records import Record
from curate.store import Store, StoreError, rows_as_dicts

MIGRATIONS = {
    # decisions live on the vault side (original offsets)
    2: """
    CREATE TABLE deid_decisions (
        id TEXT NOT NULL, revision INTEGER NOT NULL, field TEXT NOT NULL,
        start INTEGER NOT NULL, end INTEGER NOT NULL, entity_type TEXT NOT NULL,
        recognizer TEXT NOT NULL, score REAL NOT NULL, operator TEXT NOT NULL,
        new_start INTEGER, new_end INTEGER);
    CREATE INDEX deid_decisions_id ON deid_decisions (id, revision);
    """,
    # claims, so that concurrent runs split the work (`claim`)
    5: """
    CREATE TABLE deid_claims (
        id TEXT PRIMARY KEY, owner TEXT NOT NULL, expires REAL NOT NULL);
    CREATE INDEX deid_claims_owner ON deid_claims (owner);
    """,
    # the curator's review of uncertain decisions (`curate deid review`): why a decision
    # is uncertain, and the curator's verdicts (no text: offsets on a revision)
    6: """
    ALTER TABLE deid_decisions ADD COLUMN unsure TEXT;
    CREATE TABLE deid_overrides (
        record_id TEXT NOT NULL, revision INTEGER NOT NULL, field TEXT NOT NULL,
        start INTEGER NOT NULL, end INTEGER NOT NULL, entity_type TEXT NOT NULL,
        verdict TEXT NOT NULL CHECK (verdict IN ('remove', 'keep')),
        decided_at REAL NOT NULL, reviewer TEXT,
        PRIMARY KEY (record_id, revision, field, start, end));
    """,
}
# How long a claim holds without news from its owner: a killed run's claims are taken
# over after this; a live run renews its claims whenever it stores a batch.
CLAIM_LEASE = 600.0


def purge(conn: sqlite3.Connection) -> None:
    """With the vault (`Vault.purge`, inside its transaction): decisions go with the raw
    texts, but for the words a curator decided to keep (offsets, no text): the residual
    scan needs them to honour the verdicts. The verdicts hold no text either, but nothing
    can apply them once the raw texts are gone."""
    conn.execute("DELETE FROM deid_decisions WHERE NOT (recognizer='curator' AND operator='keep')")
    conn.execute("DELETE FROM deid_overrides")


def write_decisions(
    conn: sqlite3.Connection, record_id: str, revision: int, decisions: list[dict[str, Any]]
) -> None:
    """Replace the decisions of one revision (inside the caller's transaction)."""
    conn.execute("DELETE FROM deid_decisions WHERE id=? AND revision=?", (record_id, revision))
    conn.executemany(
        "INSERT INTO deid_decisions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                record_id,
                revision,
                d["field"],
                d["start"],
                d["end"],
                d["entity_type"],
                d["recognizer"],
                d["score"],
                d["operator"],
                d["new_start"],
                d["new_end"],
                d.get("unsure"),
            )
            for d in decisions
        ],
    )


def drop_decisions(conn: sqlite3.Connection, record_id: str, revision: int) -> None:
    conn.execute("DELETE FROM deid_decisions WHERE id=? AND revision=?", (record_id, revision))


def claim(
    store: Store,
    owner: str,
    fingerprint: str,
    among: list[str],
    redo: bool = False,
    lease: float = CLAIM_LEASE,
) -> tuple[list[str], list[str]]:
    """Claim for `owner`, among these ids, the records to de-identify, in one write
    transaction (so that two runs never claim the same record): those that need it
    (as `needing`; with `redo`, all) and on which no other owner holds a live
    claim. An expired claim (its owner was killed) is taken over. Returns the ids
    claimed and the ids other owners hold, both in rowid order."""
    now = time.time()
    window = json.dumps(among)
    need = (
        ""
        if redo
        else ("AND (r.deid_status<>'done' OR r.deid_policy IS NULL OR r.deid_policy<>?) ")
    )
    with store.transaction() as conn:
        busy = [
            row[0]
            for row in conn.execute(
                "SELECT c.id FROM deid_claims c JOIN records r ON r.id=c.id "
                "WHERE c.id IN (SELECT value FROM json_each(?)) AND c.owner<>? "
                "AND c.expires>? ORDER BY r.rowid",
                (window, owner, now),
            )
        ]
        ids = [
            row[0]
            for row in conn.execute(
                "SELECT r.id FROM records r WHERE r.id IN (SELECT value FROM json_each(?)) "
                + need
                + "AND NOT EXISTS (SELECT 1 FROM deid_claims c WHERE c.id=r.id "
                "AND c.owner<>? AND c.expires>?) ORDER BY r.rowid",
                (window, *(() if redo else (fingerprint,)), owner, now),
            )
        ]
        conn.executemany(
            "INSERT OR REPLACE INTO deid_claims VALUES (?, ?, ?)",
            [(rid, owner, now + lease) for rid in ids],
        )
    return ids, busy


def release_claims(store: Store, owner: str) -> None:
    """Drop `owner`'s claims (its run ends, done or failed) and any expired ones."""
    with store.transaction() as conn:
        conn.execute("DELETE FROM deid_claims WHERE owner=? OR expires<=?", (owner, time.time()))


def save_deid(
    store: Store,
    items: list[tuple[Record, list[dict[str, Any]]]],
    fingerprint: str,
    status: str = "done",
    owner: str | None = None,
) -> None:
    """Store de-identified records of their current revision (texts filled in) and their
    decisions, atomically. With the `owner` of their claims: release those claims, renew
    its others."""
    with store.transaction() as conn:
        save_in(conn, store, items, fingerprint, status, owner)


def save_in(
    conn: sqlite3.Connection,
    store: Store,
    items: list[tuple[Record, list[dict[str, Any]]]],
    fingerprint: str,
    status: str = "done",
    owner: str | None = None,
) -> None:
    """`save_deid` inside the caller's transaction."""
    if owner is not None:
        conn.executemany(
            "DELETE FROM deid_claims WHERE id=? AND owner=?",
            [(record.id, owner) for record, _ in items],
        )
        conn.execute(
            "UPDATE deid_claims SET expires=? WHERE owner=?", (time.time() + CLAIM_LEASE, owner)
        )
    for record, decisions in items:
        revision = store.set_deidentified(conn, record, fingerprint, status)
        write_decisions(conn, record.id, revision, decisions)


def review_queue(
    store: Store, record_id: str | None = None, reviewed: bool = False, certain: bool = False
) -> list[dict[str, Any]]:
    """The uncertain de-identification decisions (`unsure` set) of the current
    revision of every record that is not a duplicate, which no curator verdict covers
    yet (with `reviewed`: those too, each with its `verdict`; with `certain`: every
    decision), in record and text order. Offsets and reasons only: the text is the
    vault's."""
    sql = (
        "SELECT d.id, d.revision, r.culture, r.language, d.field, d.start, d.end, "
        "d.entity_type, d.recognizer, d.score, d.operator, d.unsure, "
        "(SELECT o.verdict FROM deid_overrides o WHERE o.record_id=d.id "
        "AND o.revision=d.revision AND o.field=d.field AND o.start<=d.start "
        "AND d.end<=o.end ORDER BY o.decided_at DESC LIMIT 1) AS verdict "
        "FROM deid_decisions d JOIN records r ON r.id=d.id AND r.revision=d.revision "
        "WHERE (d.unsure IS NOT NULL OR ?) AND r.duplicate_of IS NULL"
    )
    args: list[Any] = [certain]
    if record_id is not None:
        sql += " AND d.id=?"
        args.append(record_id)
    cur = store.conn.execute(sql + " ORDER BY r.rowid, d.rowid", args)
    rows = rows_as_dicts(cur, ["record_id", *(c[0] for c in cur.description[1:])])
    return rows if reviewed else [r for r in rows if r["verdict"] is None]


def record_verdicts(
    store: Store, verdicts: Iterable[dict[str, Any]], reviewer: str | None = None
) -> tuple[int, list[dict[str, Any]]]:
    """Store curator verdicts (`record_id`, `revision`, `field`, `start`, `end`,
    `entity_type`, `verdict` 'remove' | 'keep'; original offsets) and mark their
    records for de-identification again: `curate deid` re-does them from the vault
    with the verdicts applied, and until then they are not released. A verdict on a
    revision that is no longer the record's current one (re-ingested meanwhile) is
    not stored: returned with the count stored."""
    now = time.time()
    stored, stale = 0, []
    with store.transaction() as conn:
        for v in verdicts:
            if v["verdict"] not in ("remove", "keep"):
                raise StoreError(f"unknown verdict {v['verdict']!r} (remove or keep)")
            row = conn.execute(
                "SELECT revision FROM records WHERE id=?", (v["record_id"],)
            ).fetchone()
            if row is None or row[0] != v["revision"]:
                stale.append(v)
                continue
            conn.execute(
                "INSERT OR REPLACE INTO deid_overrides VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    v["record_id"],
                    v["revision"],
                    v["field"],
                    v["start"],
                    v["end"],
                    v["entity_type"],
                    v["verdict"],
                    now,
                    reviewer,
                ),
            )
            conn.execute("UPDATE records SET deid_status='pending' WHERE id=?", (v["record_id"],))
            stored += 1
    return stored, stale


def overrides(store: Store, record_id: str) -> dict[str, list[Any]]:
    """The curator's verdicts on the record's current revision, by field (the
    engine's field names: `title`, `text`, `response`, a free-text path,
    `phrase:<j>`), as `curate.deid.operators.Override`s in original offsets."""
    from curate.deid.operators import Override

    out: dict[str, list[Any]] = {}
    for field, start, end, verdict, entity_type in store.conn.execute(
        "SELECT o.field, o.start, o.end, o.verdict, o.entity_type FROM deid_overrides o "
        "JOIN records r ON r.id=o.record_id AND r.revision=o.revision "
        "WHERE o.record_id=? ORDER BY o.field, o.start, o.decided_at",
        (record_id,),
    ):
        out.setdefault(field, []).append(Override(start, end, verdict, entity_type))
    return out


def decisions(store: Store, record_id: str) -> list[dict[str, Any]]:
    cur = store.conn.execute(
        "SELECT d.field, d.start, d.end, d.entity_type, d.recognizer, d.score, d.operator, "
        "d.new_start, d.new_end, d.unsure FROM deid_decisions d JOIN records r ON r.id=d.id "
        "AND r.revision=d.revision WHERE d.id=? ORDER BY d.field, d.start",
        (record_id,),
    )
    return rows_as_dicts(cur)


def records_to_redo(store: Store) -> int:
    """Records with a curator verdict on their current revision that are not yet
    de-identified again."""
    return store.conn.execute(
        "SELECT COUNT(DISTINCT o.record_id) FROM deid_overrides o JOIN records r "
        "ON r.id=o.record_id AND r.revision=o.revision WHERE r.deid_status<>'done'"
    ).fetchone()[0]


def verdict_counts(store: Store) -> dict[str, int]:
    """Verdict ('remove' | 'keep') -> how many, on current revisions."""
    return dict(
        store.conn.execute(
            "SELECT o.verdict, COUNT(*) FROM deid_overrides o JOIN records r "
            "ON r.id=o.record_id AND r.revision=o.revision GROUP BY o.verdict"
        ).fetchall()
    )


def curator_kept(store: Store) -> list[tuple[str, str, int, int, str]]:
    """(record id, field, start, end in the de-identified text, the record as ingested)
    of every word a curator decided to keep, on current revisions."""
    from curate.deid.operators import CURATOR

    return store.conn.execute(
        "SELECT d.id, d.field, d.new_start, d.new_end, x.doc FROM deid_decisions d "
        "JOIN records r ON r.id=d.id AND r.revision=d.revision "
        "JOIN revisions x ON x.id=r.id AND x.revision=r.revision "
        "WHERE d.recognizer=? AND d.operator='keep' AND d.new_start IS NOT NULL",
        (CURATOR,),
    ).fetchall()


def override_rows(store: Store, record_id: str) -> list[dict[str, Any]]:
    """The curator's verdicts on the record's current revision, as review-queue rows."""
    cur = store.conn.execute(
        "SELECT o.record_id, o.revision, r.culture, r.language, o.field, o.start, o.end, "
        "o.entity_type, NULL AS recognizer, NULL AS score, NULL AS operator, "
        "NULL AS unsure, o.verdict FROM deid_overrides o JOIN records r "
        "ON r.id=o.record_id AND r.revision=o.revision WHERE o.record_id=?",
        (record_id,),
    )
    return rows_as_dicts(cur)
