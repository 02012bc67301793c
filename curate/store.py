"""The workspace store: one SQLite database (WAL) holding records, their revisions, the
raw-text vault and the run log.

Why one file: SQLite commits a transaction atomically only within one database file, and
a record and its raw text must land together (an ingest killed with -9 must leave both or
neither). The vault is a separate table that only `Vault` reads: `Store.iter_records`
never touches it, so a later stage cannot pick up raw text by accident.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from curate.errors import CurateError
from curate.records import RawText, Record, blank_free_texts, normalize_for_dedup
from curate.scratch import Usage, sweep

SCHEMA_VERSION = 7
DB_NAME = "curate.sqlite"

# Modules owning tables of later stages, each with `MIGRATIONS` {schema version: SQL}:
# a stage's tables are declared (and queried) in that stage, never here. Named, not
# imported, as those stages import this module.
TABLE_OWNERS = (
    "curate.deid.tables",
    "curate.annotate.tables",
    "curate.audit.store",
    "curate.release.tables",
)

# Ordered migrations of the tables this module owns (records, revisions, the vault, the
# run log): MIGRATIONS[i] brings a store from version i to i + 1, with the owners'
# statements of version i + 1.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE runs (
        run_id TEXT PRIMARY KEY, command TEXT NOT NULL, args TEXT NOT NULL,
        started REAL NOT NULL, finished REAL, status TEXT NOT NULL, counts TEXT);
    CREATE TABLE records (
        id TEXT PRIMARY KEY, revision INTEGER NOT NULL,
        platform TEXT NOT NULL, source_id TEXT NOT NULL,
        culture TEXT, language TEXT, content_hash TEXT NOT NULL,
        dedup_hash TEXT, duplicate_of TEXT,
        deid_status TEXT NOT NULL DEFAULT 'pending',
        doc TEXT NOT NULL, run_id TEXT NOT NULL,
        UNIQUE (platform, source_id));
    CREATE INDEX records_culture ON records (culture);
    CREATE INDEX records_dedup ON records (dedup_hash);
    CREATE TABLE revisions (
        id TEXT NOT NULL, revision INTEGER NOT NULL, content_hash TEXT NOT NULL,
        run_id TEXT NOT NULL, created REAL NOT NULL, doc TEXT NOT NULL,
        PRIMARY KEY (id, revision));
    CREATE TABLE vault (
        id TEXT NOT NULL, revision INTEGER NOT NULL,
        title TEXT, text TEXT, response TEXT,
        PRIMARY KEY (id, revision));
    """,
    # 2: de-identification: the policy a record's doc was made under; its tables are
    # `curate.deid.tables`.
    "ALTER TABLE records ADD COLUMN deid_policy TEXT",
    # 3: the Label Studio round-trip's tables: `curate.annotate.tables`.
    "",
    # 4: audit flags (`curate.audit.store`); splits and releases (`curate.release.tables`).
    "",
    # 5: de-identification claims (`curate.deid.tables`).
    "",
    # 6: the curator's review of uncertain decisions (`curate.deid.tables`).
    "",
    # 7: adjudication: project and annotation kinds (`curate.annotate.tables`), the
    # review queue's tasks (`curate.audit.store`).
    "",
]


def rows_as_dicts(cursor: sqlite3.Cursor, names: list[str] | None = None) -> list[dict[str, Any]]:
    """Every row of `cursor` as {column: value}; `names` renames the columns in order."""
    cols = names or [c[0] for c in cursor.description]
    return [dict(zip(cols, row, strict=True)) for row in cursor]


class StoreError(CurateError):
    """A user-facing store problem (e.g. a workspace from a newer curate)."""


@dataclass
class Run:
    """A command's run, as `Store.run` logs it: its id, the status it ends with if it
    ends normally, and how to get its counts when it ends."""

    id: str
    counts: Callable[[], dict[str, Any]]
    status: str = "completed"


@dataclass(frozen=True)
class PutResult:
    outcome: str  # "new" | "revised" | "unchanged"
    duplicate_of: str | None
    revision: int = 0  # the record's current revision after the put
    # "revised" over a revision the same run wrote: that one was never the record's
    # revision at the end of a run (a record read twice in one run)
    supersedes_own: bool = False


def _owners() -> list[Any]:
    import importlib

    return [importlib.import_module(name) for name in TABLE_OWNERS]


def _migration(version: int) -> str:
    """The SQL that brings a store to `version`: this module's, then each owner's."""
    owned = [owner.MIGRATIONS.get(version, "") for owner in _owners()]
    return ";\n".join([MIGRATIONS[version - 1], *owned])


def _doc(record: Record) -> str:
    return json.dumps(record.to_dict(), ensure_ascii=False)


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


class Store:
    """The workspace database. Open with `Store.open(workspace_dir)`."""

    def __init__(self, conn: sqlite3.Connection, root: Path) -> None:
        self.conn = conn
        self.root = root
        self.swept = Usage()  # scratch folders of dead runs deleted when it was opened

    # -- lifecycle -------------------------------------------------------------------
    @classmethod
    def open(cls, root: Path, create: bool = True) -> Store:
        db = root / DB_NAME
        if not db.exists() and not create:
            raise StoreError(f"no workspace at {root} (run `curate ingest` first)")
        root.mkdir(parents=True, exist_ok=True)
        store = cls(_connect(db), root)
        store._migrate()
        # Whatever the command: raw text left in tmp/ by a killed run goes first.
        store.swept = sweep(root)
        return store

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        conn = self.conn
        conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        version = int(row[0]) if row else 0
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"workspace schema version {version} is newer than this curate "
                f"({SCHEMA_VERSION}); upgrade curate"
            )
        for target in range(version, SCHEMA_VERSION):
            with self.transaction():
                for statement in _migration(target + 1).split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(
                    "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(target + 1),)
                )
                if target == 0:
                    conn.execute(
                        "INSERT OR IGNORE INTO meta VALUES ('id_salt', ?)", (secrets.token_hex(32),)
                    )

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # -- meta and runs ---------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    @property
    def schema_version(self) -> int:
        return int(self.meta("schema_version") or 0)

    @property
    def id_salt(self) -> bytes:
        return bytes.fromhex(self.meta("id_salt") or "")

    @contextmanager
    def run(
        self,
        command: str,
        args: dict[str, Any],
        counts: Callable[[], dict[str, Any]] = dict,
        *,
        failed: str = "failed",
    ) -> Iterator[Run]:
        """One command's entry in the run log, for every command alike: begun on entry;
        on leaving, completed with `counts()` (or the status the body set on the `Run`),
        or, on an error or an interrupt, marked `failed` (ingest and hydrate say
        "interrupted": a re-run resumes them) with what `counts()` says by then."""
        run = Run(self.begin_run(command, args), counts)
        try:
            yield run
        except BaseException:
            self.finish_run(run.id, failed, run.counts())
            raise
        self.finish_run(run.id, run.status, run.counts())

    def begin_run(self, command: str, args: dict[str, Any]) -> str:
        run_id = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + uuid.uuid4().hex[:8]
        self.conn.execute(
            "INSERT INTO runs VALUES (?, ?, ?, ?, NULL, 'running', NULL)",
            (run_id, command, json.dumps(args, default=str), time.time()),
        )
        return run_id

    def finish_run(self, run_id: str, status: str, counts: dict[str, Any]) -> None:
        self.conn.execute(
            "UPDATE runs SET finished=?, status=?, counts=? WHERE run_id=?",
            (time.time(), status, json.dumps(counts), run_id),
        )

    def runs(self) -> list[dict[str, Any]]:
        cur = self.conn.execute(
            "SELECT run_id, command, started, finished, status, counts FROM runs ORDER BY started"
        )
        return rows_as_dicts(cur)

    def latest_run(self, command: str) -> dict[str, Any] | None:
        """The newest completed run of `command`, as `runs()` gives it but with its counts
        decoded from JSON; None when it never completed. A stage whose results are its
        run's counts (the audit summary, the de-identification evaluation) reads them here."""
        cur = self.conn.execute(
            "SELECT run_id, command, started, finished, status, counts FROM runs "
            "WHERE command=? AND status='completed' ORDER BY started DESC, rowid DESC LIMIT 1",
            (command,),
        )
        rows = rows_as_dicts(cur)
        if not rows:
            return None
        run = rows[0]
        run["counts"] = json.loads(run["counts"]) if run["counts"] else {}
        return run

    # -- records -----------------------------------------------------------------------
    def put_batch(self, items: Iterable[tuple[Record, RawText]], run_id: str) -> list[PutResult]:
        """Write records and their raw texts in one transaction (not de-identified: a
        run's records go through `curate.writer`, which writes both at once).

        Same content as stored: nothing changes. Same source id, new content: a new
        revision is stored beside the old ones (never overwritten).
        """
        now = time.time()
        with self.transaction() as conn:
            return [self.put(conn, record, raw, run_id, now) for record, raw in items]

    def holds(self, record_id: str, content_hash: str) -> bool:
        """The record is stored with this content: `put` would leave it unchanged (so
        it need not be de-identified again)."""
        row = self.conn.execute(
            "SELECT content_hash FROM records WHERE id=?", (record_id,)
        ).fetchone()
        return row is not None and row[0] == content_hash

    def put(
        self,
        conn: sqlite3.Connection,
        record: Record,
        raw: RawText,
        run_id: str,
        now: float,
        deidentified: Record | None = None,
        fingerprint: str | None = None,
    ) -> PutResult:
        """Write one record (inside the caller's transaction): the record as read into
        a new revision and its raw texts into the vault, and into the records table its
        `deidentified` form (made under the policy `fingerprint`) or, without one, the
        record as read, to be de-identified. Dedup and the run id are set on both."""
        row = conn.execute(
            "SELECT revision, content_hash, duplicate_of, run_id FROM records WHERE id=?",
            (record.id,),
        ).fetchone()
        if row and row[1] == record.provenance.content_hash:
            return PutResult("unchanged", row[2], row[0])  # as `holds` says
        dedup = _dedup_hash(raw)
        if dedup is not None:
            first = conn.execute(
                "SELECT id FROM records WHERE dedup_hash=? AND id<>? AND duplicate_of IS NULL "
                "ORDER BY rowid LIMIT 1",
                (dedup, record.id),
            ).fetchone()
            record.duplicate_of = first[0] if first else None
        revision = row[0] + 1 if row else 1
        record.provenance.run_id = run_id
        doc = _doc(record)
        conn.execute(
            "INSERT INTO revisions VALUES (?, ?, ?, ?, ?, ?)",
            (record.id, revision, record.provenance.content_hash, run_id, now, doc),
        )
        if not raw.is_empty():
            conn.execute(
                "INSERT INTO vault VALUES (?, ?, ?, ?, ?)",
                (record.id, revision, raw.title, raw.text, raw.response),
            )
        status, policy = "pending", None
        if deidentified is not None:
            deidentified.duplicate_of = record.duplicate_of
            deidentified.provenance.run_id = run_id
            doc, status, policy = _doc(deidentified), "done", fingerprint
        conn.execute(
            "INSERT INTO records (id, revision, platform, source_id, culture, language, "
            "content_hash, dedup_hash, duplicate_of, deid_status, doc, run_id, deid_policy) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET revision=excluded.revision, "
            "culture=excluded.culture, language=excluded.language, "
            "content_hash=excluded.content_hash, dedup_hash=excluded.dedup_hash, "
            "duplicate_of=excluded.duplicate_of, deid_status=excluded.deid_status, "
            "doc=excluded.doc, run_id=excluded.run_id, "
            "deid_policy=coalesce(excluded.deid_policy, deid_policy)",
            (
                record.id,
                revision,
                record.source.platform,
                record.source.source_id,
                record.culture,
                record.language,
                record.provenance.content_hash,
                dedup,
                record.duplicate_of,
                status,
                doc,
                run_id,
                policy,
            ),
        )
        own = row is not None and row[3] == run_id
        return PutResult("revised" if row else "new", record.duplicate_of, revision, own)

    def needing_deid(self, fingerprint: str, redo: bool = False) -> list[str]:
        """Ids of records never de-identified, or under another policy (or all: redo)."""
        if redo:
            sql, args = "SELECT id FROM records ORDER BY rowid", ()
        else:
            sql = (
                "SELECT id FROM records WHERE deid_status<>'done' OR deid_policy IS NULL "
                "OR deid_policy<>? ORDER BY rowid"
            )
            args = (fingerprint,)
        return [row[0] for row in self.conn.execute(sql, args)]

    def deid_status_counts(self) -> dict[str, int]:
        """De-identification status ('pending', 'done', ...) -> how many records."""
        return dict(self.conn.execute("SELECT deid_status, COUNT(*) FROM records GROUP BY 1"))

    def deid_policies(self) -> dict[str, int]:
        """Policy fingerprint -> how many de-identified records (not duplicates) it made."""
        return dict(
            self.conn.execute(
                "SELECT deid_policy, COUNT(*) FROM records WHERE deid_status='done' "
                "AND duplicate_of IS NULL GROUP BY deid_policy"
            ).fetchall()
        )

    def set_deidentified(
        self, conn: sqlite3.Connection, record: Record, fingerprint: str, status: str = "done"
    ) -> int:
        """Replace the current revision's record by its de-identified form (inside the
        caller's transaction; `curate.writer`). Returns that revision."""
        revision = conn.execute("SELECT revision FROM records WHERE id=?", (record.id,)).fetchone()
        conn.execute(
            "UPDATE records SET doc=?, deid_status=?, deid_policy=? WHERE id=?",
            (_doc(record), status, fingerprint, record.id),
        )
        return revision[0]

    def get(self, record_id: str) -> Record | None:
        row = self.conn.execute("SELECT doc FROM records WHERE id=?", (record_id,)).fetchone()
        return Record.from_dict(json.loads(row[0])) if row else None

    def iter_records(
        self, culture: str | None = None, deidentified: bool = False
    ) -> Iterator[Record]:
        """Current revision of every record, without raw text (that stays in the vault).
        `deidentified`: only records whose texts are de-identified and that are not
        duplicates: what may leave the workspace."""
        where, args = [], []
        if culture is not None:
            where.append("culture=?")
            args.append(culture)
        if deidentified:
            where.append("deid_status='done' AND duplicate_of IS NULL")
        sql = "SELECT doc FROM records" + (" WHERE " + " AND ".join(where) if where else "")
        for (doc,) in self.conn.execute(sql + " ORDER BY rowid", args):
            yield Record.from_dict(json.loads(doc))

    def update_records(self, records: list[Record]) -> None:
        """Write back records changed by a later stage (same revision)."""
        with self.transaction() as conn:
            conn.executemany(
                "UPDATE records SET doc=? WHERE id=?",
                [(_doc(r), r.id) for r in records],
            )

    def duplicates(self) -> list[tuple[str, str, str | None]]:
        """(id, id of the record it duplicates, culture) of every duplicate record."""
        return self.conn.execute(
            "SELECT id, duplicate_of, culture FROM records WHERE duplicate_of IS NOT NULL"
        ).fetchall()

    def ingested_doc(self, record_id: str) -> dict[str, Any] | None:
        """The record's current revision as ingested (before any stage changed it, e.g.
        pull's consensus labels), or None."""
        row = self.conn.execute(
            "SELECT x.doc FROM records r JOIN revisions x ON x.id=r.id AND x.revision=r.revision "
            "WHERE r.id=?",
            (record_id,),
        ).fetchone()
        return json.loads(row[0]) if row else None

    def revisions(self, record_id: str) -> list[dict[str, Any]]:
        cur = self.conn.execute(
            "SELECT revision, content_hash, run_id, created FROM revisions WHERE id=? "
            "ORDER BY revision",
            (record_id,),
        )
        return [
            dict(zip(("revision", "content_hash", "run_id", "created"), r, strict=True))
            for r in cur
        ]

    def count(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM records").fetchone()[0]

    @property
    def vault(self) -> Vault:
        return Vault(self.conn)

    def purge_vault(self) -> int:
        """`curate vault purge` as a run of the run log: every raw text deleted (see
        `Vault.purge`). Returns how many records' raw texts went."""
        counts: dict[str, int] = {}
        with self.run("vault purge", {}, lambda: counts):
            counts["texts"] = self.vault.purge()
        return counts["texts"]


class Vault:
    """Raw, not de-identified texts. Only de-identification and curators' review read it."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def get(self, record_id: str, revision: int | None = None) -> RawText | None:
        if revision is None:
            row = self.conn.execute(
                "SELECT v.title, v.text, v.response FROM vault v JOIN records r "
                "ON v.id=r.id AND v.revision=r.revision WHERE v.id=?",
                (record_id,),
            ).fetchone()
        else:
            row = self.conn.execute(
                "SELECT title, text, response FROM vault WHERE id=? AND revision=?",
                (record_id, revision),
            ).fetchone()
        return RawText(*row) if row else None

    def count(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM vault").fetchone()[0]

    def original(self, record_id: str) -> tuple[Record, RawText] | None:
        """The record as ingested (spans on the raw text) and its raw texts: what
        de-identification starts from, so that a new policy starts from the original."""
        row = self.conn.execute(
            "SELECT x.doc, v.title, v.text, v.response FROM records r "
            "JOIN revisions x ON x.id=r.id AND x.revision=r.revision "
            "LEFT JOIN vault v ON v.id=r.id AND v.revision=r.revision WHERE r.id=?",
            (record_id,),
        ).fetchone()
        if row is None:
            return None
        return Record.from_dict(json.loads(row[0])), RawText(row[1], row[2], row[3])

    def purge(self) -> int:
        """Delete every raw text and compact the file so the bytes are gone from disk."""
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        n = conn.execute("DELETE FROM vault").rowcount
        for owner in _owners():  # what other stages keep on the vault side goes too
            if hasattr(owner, "purge"):
                owner.purge(conn)
        # Ingested revision docs hold every free-text value (phrases, demographics) as
        # it was ingested, and so do the records that were never de-identified.
        rows = conn.execute("SELECT id, revision, doc FROM revisions").fetchall()
        for rid, rev, doc in rows:
            conn.execute(
                "UPDATE revisions SET doc=? WHERE id=? AND revision=?",
                (_blank_free_texts(doc), rid, rev),
            )
        rows = conn.execute("SELECT id, doc FROM records WHERE deid_status<>'done'").fetchall()
        for rid, doc in rows:
            conn.execute("UPDATE records SET doc=? WHERE id=?", (_blank_free_texts(doc), rid))
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('vault_purged', ?)", (str(time.time()),))
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("VACUUM")
        return n


def _blank_free_texts(doc: str) -> str:
    data = json.loads(doc)
    blank_free_texts(data)
    return json.dumps(data, ensure_ascii=False)


def _dedup_hash(raw: RawText) -> str | None:
    import hashlib

    text = "\n".join(t for t in (raw.title, raw.text) if t)
    if not text.strip():
        return None
    return hashlib.sha256(normalize_for_dedup(text).encode("utf-8")).hexdigest()
