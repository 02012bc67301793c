"""Equivalence harness: the same scripted flow with two checkouts' code, then a manifest of
checksums of each resulting workspace and release folder, compared entry by entry.

Usage:
  .venv/bin/python bench/equivalence.py --before-commit e124eb8 --after .
  .venv/bin/python bench/equivalence.py --before /tmp/wt-before --after /work/main \
      [--flows demo,real] [--workers 2] [--ray] [--json manifests.json] [--keep]

Why: a behaviour-preserving refactor is "done" when the workspace (records, revisions,
vault, decisions) and the release folders it produces are identical before and after,
apart from timestamps. Each side runs in its own process with `PYTHONPATH=<checkout>` (so
that checkout's `curate` is the code that runs, whatever the venv has installed) and in
its own temporary workspace, on the same inputs.

Flows (each into a fresh workspace):
  demo  `curate ingest demo/reddit` (de-identification on), the demo's scripted curator
        review (every queued item `remove`; with an empty queue, as scripts/demo.sh does:
        one replaced PERSON confirmed) + `curate deid`, then `curate export --mode text
        --version 1.0.0` and `curate export --mode reference --version 1.1.0`.
  real  `curate ingest <shared>/culturecare/` (the released reference files), the same
        scripted review + `curate deid`, then `curate export --version 1.0.0` (reference
        mode) letting through the failures `curate validate --release` reports (the
        release's known data defects; never no_residual_pii).
  ray   (--ray) the demo ingest on `--engine ray`: workspace only.

"Identical" = every manifest entry has the same sha256 on both sides. What is dropped or
normalised before hashing (timestamps, durations, run ids, absolute paths) is listed in
the constants below and in bench/README.md. Nothing of the data is printed: names, row
counts and hashes only. Exit status 0: identical; 1: a difference; 2: a flow failed.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DB_NAME = "curate.sqlite"
# The workspace's id salt is random (HMAC key of record ids, annotator pseudonyms and
# defect value hashes), so two workspaces never share an id. Both sides get this one,
# written into the store before the first command (the store keeps an existing salt).
PINNED_SALT = hashlib.sha256(b"curate equivalence harness").hexdigest()

# -- what "apart from timestamps" means --------------------------------------------------
# SQLite columns dropped (by name, in any table): wall-clock times of the run
# (runs.started/finished, revisions.created, splits.assigned, releases.created,
# deid_overrides.decided_at, deid_claims.expires, annotations.updated_at).
TIME_COLUMNS = frozenset(
    {"started", "finished", "created", "assigned", "decided_at", "expires", "updated_at"}
)
# Columns dropped in one table only: deid_claims.owner is host:pid:random of the claiming
# process (the table is empty after a completed run).
DROP_COLUMNS = frozenset({("deid_claims", "owner")})
# JSON keys dropped wherever JSON is hashed (cells of the store, JSON/JSONL files): times
# and durations of a run.
TIME_KEYS = frozenset(
    TIME_COLUMNS
    | {
        "seconds",
        "elapsed",
        "duration",
        "timestamp",
        "date",
        "datePublished",
        "dateCreated",
        "dateModified",
    }
)
# JSON keys dropped in the release folder's JSON (MANIFEST.json, croissant.json) and the
# store's releases.manifest: checksums and sizes of the release's files. Each file is
# compared by its own entry, with its own normalisation (a README differs in its bytes by
# its export date only; a Parquet file is compared by its content).
FILE_CHECKSUM_KEYS = frozenset({"sha256", "md5", "bytes", "contentSize"})
# Run ids (`20261207T084809Z-2ea84141`: time + random) are replaced by their ordinal in
# the runs of its command (`<ingest-1>`, ...), wherever they occur: columns, JSON, text, file names.
RUN_ID = re.compile(r"\b\d{8}T\d{6}Z-[0-9a-f]{8}\b")
ISO_DATETIME = re.compile(
    r"\b(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"
)
ISO_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
# Files of the workspace not compared: the store (compared table by table) and tmp/ (the
# scratch folder of running commands, swept when the store is opened).
SKIP_FILES = re.compile(rf"^({re.escape(DB_NAME)}(-wal|-shm|-journal)?|tmp/.*)$")
TEXT_SUFFIXES = frozenset({".md", ".txt", ".yaml", ".yml", ".csv", ".html", ".svg", ".xml"})


@dataclass
class Normaliser:
    """Everything that differs between two runs of the same code, and how it is masked.

    `roots`: absolute paths of this side (workspace, checkout, temp folder) -> a label;
    `run_ids`: run id -> ordinal label; `dates`: the calendar dates the runs happened on
    (only these dates are masked: a date in the data stays); `window`: epoch seconds of the
    runs (a number inside it, in a column or key not dropped by name, is masked and counted
    in `masked_values`: a timestamp the lists above missed shows up there).
    """

    roots: list[tuple[str, str]] = field(default_factory=list)
    run_ids: dict[str, str] = field(default_factory=dict)
    dates: frozenset[str] = frozenset()
    window: tuple[float, float] | None = None
    masked_values: int = 0

    def text(self, value: str) -> str:
        for root, label in self.roots:
            value = value.replace(root, label)
        value = RUN_ID.sub(lambda m: self.run_ids.get(m.group(0), "<run-?>"), value)
        value = ISO_DATETIME.sub(
            lambda m: "<datetime>" if m.group(1) in self.dates else m.group(0), value
        )
        return ISO_DATE.sub(lambda m: "<date>" if m.group(1) in self.dates else m.group(0), value)

    def number(self, value: float) -> float | str:
        if self.window is not None and self.window[0] <= value <= self.window[1]:
            self.masked_values += 1
            return "<epoch>"
        return value

    def json(self, obj: Any, drop: frozenset[str] = TIME_KEYS) -> Any:
        if isinstance(obj, dict):
            return {self.text(str(k)): self.json(v, drop) for k, v in obj.items() if k not in drop}
        if isinstance(obj, list):
            return [self.json(v, drop) for v in obj]
        if isinstance(obj, str):
            return self.text(obj)
        if isinstance(obj, bool) or obj is None:
            return obj
        if isinstance(obj, int | float):
            return self.number(obj)
        return obj

    def cell(self, value: Any, drop: frozenset[str] = TIME_KEYS) -> Any:
        if isinstance(value, bytes):
            return "sha256:" + hashlib.sha256(value).hexdigest()
        if isinstance(value, str):
            if value[:1] in "{[":
                try:
                    parsed = json.loads(value)
                except ValueError:
                    return self.text(value)
                return json.dumps(self.json(parsed, drop), sort_keys=True, ensure_ascii=False)
            return self.text(value)
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, int | float):
            return self.number(value)
        return value


def run_dates(start: float, end: float) -> frozenset[str]:
    """The UTC and local calendar dates from `start` to `end` (epoch seconds)."""
    out: set[str] = set()
    day = datetime.fromtimestamp(start, UTC) - timedelta(days=1)
    while day.timestamp() <= end + 86400:
        out.add(day.strftime("%Y-%m-%d"))
        out.add(datetime.fromtimestamp(day.timestamp()).strftime("%Y-%m-%d"))
        day += timedelta(hours=12)
    return frozenset(out)


def _sha(lines: Iterator[str]) -> str:
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def _entry(kind: str, sha: str, rows: int | None = None, **note: Any) -> dict[str, Any]:
    return {"kind": kind, "rows": rows, "sha256": sha, **({"note": note} if note else {})}


# -- the store -----------------------------------------------------------------------------
def run_map(db: Path) -> dict[str, str]:
    """Run id -> `<command-N>`, N its place among the runs of its command by start time:
    a command that starts logging runs does not renumber the runs of the others."""
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        try:
            rows = conn.execute("SELECT run_id, command FROM runs ORDER BY started, rowid")
            rows = rows.fetchall()
        except sqlite3.DatabaseError:
            return {}
    seen: dict[str, int] = {}
    out = {}
    for run_id, command in rows:
        seen[command] = seen.get(command, 0) + 1
        out[run_id] = f"<{command.replace(' ', '_')}-{seen[command]}>"
    return out


def snapshot_store(db: Path, norm: Normaliser) -> dict[str, dict[str, Any]]:
    """One entry per table (columns and rows sorted, after normalisation) and one for the
    schema (tables, columns, types, indexes)."""
    out: dict[str, dict[str, Any]] = {}
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        objects = conn.execute(
            "SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
            "ORDER BY type, name"
        ).fetchall()
        schema: list[str] = []
        tables = [name for kind, name, _ in objects if kind == "table"]
        for kind, name, table in objects:
            schema.append(json.dumps([kind, name, table]))
        for table in tables:
            info = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
            schema.append(json.dumps([table, [(c[1], c[2], c[3], c[5]) for c in info]]))
            cols = [c[1] for c in info]
            keep = [
                i
                for i, c in enumerate(cols)
                if c not in TIME_COLUMNS and (table, c) not in DROP_COLUMNS
            ]
            drop = TIME_KEYS | (FILE_CHECKSUM_KEYS if table == "releases" else frozenset())
            before = norm.masked_values
            rows = sorted(
                json.dumps([norm.cell(row[i], drop) for i in keep], ensure_ascii=False)
                for row in conn.execute(f'SELECT * FROM "{table}"')
            )
            dropped = sorted(set(cols) - {cols[i] for i in keep})
            note: dict[str, Any] = {}
            if dropped:
                note["dropped"] = dropped
            if norm.masked_values > before:
                note["masked_values"] = norm.masked_values - before
            header = json.dumps([cols[i] for i in keep])
            if table == "runs":  # one entry per command: a command's new runs stand apart
                by_command: dict[str, list[str]] = {}
                command = keep.index(cols.index("command"))
                for row in rows:
                    by_command.setdefault(json.loads(row)[command], []).append(row)
                for name, group in by_command.items():
                    out[f"store/runs[{name}]"] = _entry(
                        "table", _sha(iter([header, *group])), len(group)
                    )
                continue
            out[f"store/{table}"] = _entry("table", _sha(iter([header, *rows])), len(rows), **note)
        out["store/(schema)"] = _entry("schema", _sha(iter(schema)), len(schema))
    return out


# -- files ---------------------------------------------------------------------------------
def snapshot_parquet(path: Path, norm: Normaliser) -> dict[str, Any]:
    """A Parquet file by its content: schema (with its metadata, normalised) and rows in
    file order; the byte hash is kept as a note (writer versions live in the bytes)."""
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    meta = {
        k.decode(): norm.cell(v.decode("utf-8", "replace"))
        for k, v in (table.schema.metadata or {}).items()
    }
    head = [table.schema.remove_metadata().to_string(), json.dumps(meta, sort_keys=True)]
    rows = (
        json.dumps(norm.json(row, frozenset()), sort_keys=True, default=str, ensure_ascii=False)
        for row in table.to_pylist()
    )
    byte_sha = hashlib.sha256(path.read_bytes()).hexdigest()
    return _entry("parquet", _sha(iter([*head, *rows])), table.num_rows, bytes_sha256=byte_sha)


def snapshot_file(path: Path, norm: Normaliser, release: bool) -> dict[str, Any]:
    """JSON/JSONL: parsed, time keys dropped (and file checksums in a release), strings
    normalised; Markdown, YAML, CSV, SVG ...: text normalised; anything else: bytes."""
    drop = TIME_KEYS | (FILE_CHECKSUM_KEYS if release else frozenset())
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return snapshot_parquet(path, norm)
    if suffix == ".json":
        try:
            obj = json.loads(path.read_text("utf-8"))
        except ValueError:
            return _entry("bytes", hashlib.sha256(path.read_bytes()).hexdigest())
        return _entry("json", _sha(iter([json.dumps(norm.json(obj, drop), sort_keys=True)])))
    if suffix == ".jsonl":
        lines = []
        for line in path.read_text("utf-8", errors="replace").splitlines():
            try:
                lines.append(json.dumps(norm.json(json.loads(line), drop), sort_keys=True))
            except ValueError:
                lines.append(norm.text(line))
        return _entry("jsonl", _sha(iter(lines)), len(lines))
    if suffix in TEXT_SUFFIXES:
        text = path.read_text("utf-8", errors="replace")
        return _entry("text", _sha(iter([norm.text(text)])), text.count("\n"))
    return _entry("bytes", hashlib.sha256(path.read_bytes()).hexdigest())


def snapshot_workspace(ws: Path, norm: Normaliser | None = None) -> dict[str, dict[str, Any]]:
    """The manifest of a workspace: its store table by table, every other file (release
    folders under `release/<name>/...`), each entry a sha256 after normalisation."""
    norm = norm or Normaliser()
    db = ws / DB_NAME
    if not norm.run_ids and db.exists():
        norm.run_ids = run_map(db)
    if not any(label == "<workspace>" for _, label in norm.roots):
        norm.roots.insert(0, (str(ws.resolve()), "<workspace>"))
    out = snapshot_store(db, norm) if db.exists() else {}
    for path in sorted(p for p in ws.rglob("*") if p.is_file()):
        rel = path.relative_to(ws).as_posix()
        if SKIP_FILES.match(rel):
            continue
        release = rel.startswith("releases/")
        key = norm.text(("release/" + rel[len("releases/") :]) if release else "files/" + rel)
        out[key] = snapshot_file(path, norm, release)
    return out


# -- running a checkout --------------------------------------------------------------------
class FlowError(RuntimeError):
    """A command of a flow failed (its output stays in the flow's log folder)."""


@dataclass
class Side:
    """One checkout and the temporary folder its flows run in."""

    label: str
    checkout: Path
    tmp: Path
    python: str
    workers: int
    seconds: dict[str, float] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("CURATE_WORKSPACE", "PYTHONPATH")}
        env.update(
            PYTHONPATH=str(self.checkout),
            HF_HUB_OFFLINE="1",
            HF_HOME=str(self.tmp / "cache" / "hf"),
            TLDEXTRACT_CACHE=str(self.tmp / "cache" / "tldextract"),
            TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS="",
            USER="curate-eq",
        )
        return env

    def check_import(self) -> None:
        """The code that runs must be the checkout's, not the venv's editable install."""
        out = subprocess.run(
            [self.python, "-c", "import curate; print(curate.__file__)"],
            env=self.env(),
            cwd=self.tmp,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        if not Path(out).resolve().is_relative_to(self.checkout.resolve()):
            raise FlowError(f"{self.label}: curate is imported from {out}, not {self.checkout}")

    def curate(self, flow: str, step: str, ws: Path, *args: str, ok: tuple[int, ...] = (0,)):
        """`curate -w WS ARGS` with this checkout's code; stdout (a --json report) is kept
        in the log folder and returned parsed; nothing of it is printed."""
        logs = self.tmp / "logs" / flow
        logs.mkdir(parents=True, exist_ok=True)
        cmd = [self.python, "-c", "from curate.cli import main; main()", "-w", str(ws), *args]
        start = time.perf_counter()
        with (logs / f"{step}.out").open("wb") as out, (logs / f"{step}.err").open("wb") as err:
            code = subprocess.run(
                cmd, env=self.env(), cwd=self.tmp, stdout=out, stderr=err
            ).returncode
        self.seconds[f"{flow}:{step}"] = time.perf_counter() - start
        if code not in ok:
            raise FlowError(f"{self.label}: {flow} step {step!r} exited {code} (log: {logs})")
        text = (logs / f"{step}.out").read_text("utf-8", errors="replace")
        try:
            return json.loads(text)
        except ValueError:
            return None


def new_workspace(ws: Path) -> None:
    """A fresh workspace folder whose store holds the pinned id salt (nothing else)."""
    ws.mkdir(parents=True)
    with contextlib.closing(sqlite3.connect(ws / DB_NAME)) as conn:
        conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        conn.execute("INSERT INTO meta VALUES ('id_salt', ?)", (PINNED_SALT,))
        conn.commit()


def scripted_review(side: Side, flow: str, ws: Path) -> None:
    """The demo's scripted curator (scripts/demo.sh): every queued uncertain decision is
    confirmed `remove`; with an empty queue, one replaced PERSON is confirmed instead (the
    first by record id and offset). Then `curate deid` applies the verdicts. The exported
    queue holds raw text: it stays in the side's temp folder and is deleted at once."""
    queue, verdicts = side.tmp / f"{flow}-queue.jsonl", side.tmp / f"{flow}-verdicts.txt"
    side.curate(flow, "review-export", ws, "deid", "review", "--export", str(queue))
    lines = [json.loads(line)["id"] for line in queue.read_text("utf-8").splitlines() if line]
    queue.unlink()
    if not lines:
        with contextlib.closing(sqlite3.connect(f"file:{ws / DB_NAME}?mode=ro", uri=True)) as c:
            row = c.execute(
                "SELECT d.id FROM deid_decisions d JOIN records r ON r.id=d.id AND "
                "r.revision=d.revision WHERE d.entity_type='PERSON' AND d.operator!='keep' "
                "AND r.duplicate_of IS NULL ORDER BY d.id LIMIT 1"
            ).fetchone()
        if row is not None:
            items = side.curate(
                flow, "review-record", ws, "deid", "review", "--record", row[0], "--json"
            )
            items = sorted(
                (i for i in items if i["entity_type"] == "PERSON" and i["operator"] != "keep"),
                key=lambda i: (i["field"], i["start"], i["end"]),
            )
            lines = [items[0]["id"]] if items else []
    verdicts.write_text("".join(f"{item} remove\n" for item in lines), encoding="utf-8")
    if lines:
        side.curate(
            flow,
            "review-import",
            ws,
            "deid",
            "review",
            "--import",
            str(verdicts),
            "--reviewer",
            "curate-eq",
            "--json",
        )
    side.curate(flow, "deid", ws, "deid", "--workers", str(side.workers), "--json")


def flow_demo(side: Side, ws: Path, demo: Path) -> None:
    w = str(side.workers)
    side.curate(
        "demo", "ingest", ws, "ingest", str(demo), "--workers", w, "--no-progress", "--json"
    )
    scripted_review(side, "demo", ws)
    side.curate(
        "demo", "export-text", ws, "export", "--mode", "text", "--version", "1.0.0", "--json"
    )
    side.curate(
        "demo",
        "export-reference",
        ws,
        "export",
        "--mode",
        "reference",
        "--version",
        "1.1.0",
        "--json",
    )


def flow_real(side: Side, ws: Path, real: Path) -> None:
    w = str(side.workers)
    side.curate(
        "real", "ingest", ws, "ingest", str(real), "--workers", w, "--no-progress", "--json"
    )
    scripted_review(side, "real", ws)
    report = side.curate(
        "real", "validate", ws, "validate", "--release", "--no-docs", "--json", ok=(0, 1)
    )
    allow = sorted({f["name"] for f in report["failures"]} - {"no_residual_pii"})
    args = ["--allow-failures", ",".join(allow), "--reason", "equivalence harness"] if allow else []
    side.curate("real", "export", ws, "export", "--version", "1.0.0", *args, "--json")


def flow_ray(side: Side, ws: Path, demo: Path) -> None:
    side.curate(
        "ray",
        "ingest",
        ws,
        "ingest",
        str(demo),
        "--engine",
        "ray",
        "--workers",
        str(side.workers),
        "--no-progress",
        "--json",
    )


FLOWS = {"demo": flow_demo, "real": flow_real, "ray": flow_ray}


def side_roots(side: Side, ws: Path, inputs: dict[str, Path]) -> list[tuple[str, str]]:
    """This side's absolute paths and their labels, longest first: the inputs are the same
    on both sides but may lie inside one side's checkout (the demo dump of --before)."""
    roots = [
        (str(ws.resolve()), "<workspace>"),
        (str(side.tmp.resolve()), "<tmp>"),
        (str(side.checkout.resolve()), "<checkout>"),
        *((str(path), f"<{name}-data>") for name, path in inputs.items()),
    ]
    return sorted(roots, key=lambda root: len(root[0]), reverse=True)


def run_side(side: Side, flows: list[str], inputs: dict[str, Path], t0: float) -> dict[str, Any]:
    """Every flow of one side; returns {flow: manifest} (or {flow: {"error": ...}})."""
    side.check_import()
    out: dict[str, Any] = {}
    for flow in flows:
        ws = side.tmp / f"ws-{flow}"
        new_workspace(ws)
        print(f"[{side.label}] {flow} ...", file=sys.stderr, flush=True)
        try:
            FLOWS[flow](side, ws, inputs["real" if flow == "real" else "demo"])
        except (FlowError, KeyError, TypeError, IndexError, ValueError) as exc:
            out[flow] = {"error": str(exc)}
            continue
        roots = side_roots(side, ws, inputs)
        norm = Normaliser(
            roots=roots, dates=run_dates(t0, time.time()), window=(t0 - 86400, time.time() + 86400)
        )
        manifest = snapshot_workspace(ws, norm)
        with contextlib.closing(sqlite3.connect(f"file:{ws / DB_NAME}?mode=ro", uri=True)) as c:
            salt = c.execute("SELECT value FROM meta WHERE key='id_salt'").fetchone()
        if not salt or salt[0] != PINNED_SALT:
            manifest["(pinned id salt kept)"] = _entry("check", "no")
        out[flow] = manifest
    return out


# -- comparing -------------------------------------------------------------------------------
def compare(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per manifest entry of either side: same | different | only before/after
    (the byte hash of a Parquet file whose content is the same is reported as a note)."""
    rows = []
    for key in sorted(set(before) | set(after)):
        b, a = before.get(key), after.get(key)
        if b is None or a is None:
            status = "only after" if b is None else "only before"
        else:
            status = "same" if b["sha256"] == a["sha256"] else "different"
        note = ""
        if b and a and status == "same":
            bs, as_ = (b.get("note") or {}), (a.get("note") or {})
            if bs.get("bytes_sha256") != as_.get("bytes_sha256"):
                note = "Parquet bytes differ"
        if b and a and (b.get("note") or {}).get("masked_values"):
            note = (note + "; " if note else "") + f"{b['note']['masked_values']} epoch values"
        rows.append(
            {
                "entry": key,
                "kind": (b or a)["kind"],
                "rows_before": (b or {}).get("rows"),
                "rows_after": (a or {}).get("rows"),
                "status": status,
                "note": note,
            }
        )
    return rows


def print_table(flow: str, rows: list[dict[str, Any]]) -> None:
    width = max([len(r["entry"]) for r in rows] + [5])
    print(f"\n== {flow}")
    print(f"{'entry':<{width}}  {'kind':<7} {'rows before':>11} {'rows after':>10}  status")
    for r in rows:
        nb = "" if r["rows_before"] is None else r["rows_before"]
        na = "" if r["rows_after"] is None else r["rows_after"]
        note = f"  ({r['note']})" if r["note"] else ""
        print(f"{r['entry']:<{width}}  {r['kind']:<7} {nb!s:>11} {na!s:>10}  {r['status']}{note}")


@contextlib.contextmanager
def checkout_of(path: Path | None, commit: str | None, repo: Path, tmp: Path, name: str):
    """A checkout path as given, or a temporary detached worktree of `commit`, removed on
    exit."""
    if path is not None:
        yield path.resolve()
        return
    target = tmp / f"wt-{name}"
    subprocess.run(
        ["git", "-C", str(repo), "worktree", "add", "--detach", str(target), commit],
        check=True,
        capture_output=True,
    )
    try:
        yield target
    finally:
        subprocess.run(
            ["git", "-C", str(repo), "worktree", "remove", "--force", str(target)],
            check=False,
            capture_output=True,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    before = parser.add_mutually_exclusive_group(required=True)
    before.add_argument("--before", type=Path, help="checkout of the code before")
    before.add_argument("--before-commit", help="commit of --repo to check out (temporarily)")
    after = parser.add_mutually_exclusive_group()
    after.add_argument("--after", type=Path, help="checkout of the code after (default: this)")
    after.add_argument("--after-commit", help="commit of --repo to check out (temporarily)")
    parser.add_argument("--repo", type=Path, default=REPO, help="git repository for *-commit")
    parser.add_argument("--flows", default="demo,real", help="demo, real, ray (comma-separated)")
    parser.add_argument("--ray", action="store_true", help="add the ray flow")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (both sides)")
    parser.add_argument("--demo-data", type=Path, help="default: <before>/demo/reddit")
    parser.add_argument("--real-data", type=Path, default=REPO.parent / "shared" / "culturecare")
    parser.add_argument("--python", default=sys.executable, help="interpreter of both sides")
    parser.add_argument("--json", type=Path, help="write both manifests and the comparison")
    parser.add_argument("--keep", action="store_true", help="keep the temporary workspaces")
    args = parser.parse_args(argv)
    flows = [f.strip() for f in args.flows.split(",") if f.strip()] + (["ray"] * args.ray)
    if unknown := set(flows) - set(FLOWS):
        parser.error(f"unknown flow(s): {', '.join(sorted(unknown))}")
    if "real" in flows and not (args.real_data / "German_data.jsonl").is_file():
        print(f"real flow skipped: no CultureCare release at {args.real_data}", file=sys.stderr)
        flows.remove("real")
    os.environ.setdefault("CURATE_CACHE", str(HERE / ".data" / "cache"))
    t0 = time.time()
    tmp = Path(tempfile.mkdtemp(prefix="curate-eq-"))
    try:
        with (
            checkout_of(args.before, args.before_commit, args.repo, tmp, "before") as b_path,
            checkout_of(
                args.after if args.after or args.after_commit else REPO,
                args.after_commit,
                args.repo,
                tmp,
                "after",
            ) as a_path,
        ):
            inputs = {
                "demo": (args.demo_data or b_path / "demo" / "reddit").resolve(),
                "real": args.real_data.resolve(),
            }
            manifests = {}
            sides = []
            for label, path in (("before", b_path), ("after", a_path)):
                (tmp / label).mkdir()
                side = Side(label, path, tmp / label, args.python, args.workers)
                manifests[label] = run_side(side, flows, inputs, t0)
                sides.append(side)
    finally:
        if args.keep:
            print(f"workspaces kept in {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    status = 0
    comparison = {}
    for flow in flows:
        b, a = manifests["before"][flow], manifests["after"][flow]
        if "error" in b or "error" in a:
            print(f"\n== {flow}: failed: {b.get('error') or a.get('error')}")
            status = 2
            continue
        rows = comparison[flow] = compare(b, a)
        print_table(flow, rows)
        differ = [r for r in rows if r["status"] != "same"]
        print(
            f"{flow}: {len(rows) - len(differ)} of {len(rows)} entries same"
            + (f", {len(differ)} DIFFERENT" if differ else ": IDENTICAL")
        )
        status = max(status, 1 if differ else 0)
    print("\nseconds per step (before / after):")
    for step in sides[0].seconds:
        print(f"  {step:<28} {sides[0].seconds[step]:7.1f} {sides[1].seconds.get(step, 0):7.1f}")
    print(
        f"total {time.time() - t0:.0f} s; result: "
        + {0: "IDENTICAL", 1: "DIFFERENT", 2: "FAILED"}[status]
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "before": str(b_path),
                    "after": str(a_path),
                    "flows": flows,
                    "manifests": manifests,
                    "comparison": comparison,
                    "seconds": {s.label: s.seconds for s in sides},
                },
                indent=2,
            )
        )
    return status


if __name__ == "__main__":
    sys.exit(main())
