"""The equivalence harness's manifest (bench/equivalence.py): a changed row of the store is
a difference, a changed timestamp or run id is not.

Why a test: the harness is what says a refactor kept the workspace and the releases
identical; a manifest that masked too much would say "identical" about anything."""

from __future__ import annotations

import importlib.util
import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _harness():
    spec = importlib.util.spec_from_file_location("equivalence", REPO / "bench" / "equivalence.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["equivalence"] = module
    spec.loader.exec_module(module)
    return module


def _tiny_workspace(tmp_path: Path, eq) -> Path:
    """Two records ingested from a JSONL file (no de-identification: fast)."""
    data = tmp_path / "in.jsonl"
    rows = [
        {"id": "a1", "text": "I feel alone since we moved to Berlin.", "culture": "German"},
        {"id": "a2", "text": "Ramadan without my family is hard this year.", "culture": "Arabic"},
    ]
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    ws = tmp_path / "ws"
    eq.new_workspace(ws)
    cmd = [sys.executable, "-c", "from curate.cli import main; main()", "-w", str(ws)]
    cmd += ["ingest", str(data), "--no-deid", "--no-progress", "--json"]
    subprocess.run(cmd, check=True, cwd=tmp_path, capture_output=True, env=_env())
    return ws


def _env() -> dict[str, str]:
    import os

    return {**os.environ, "PYTHONPATH": str(REPO)}


def test_manifest_sees_a_changed_row_not_a_changed_timestamp(tmp_path: Path) -> None:
    eq = _harness()
    ws = _tiny_workspace(tmp_path, eq)
    now = time.time()
    norm = lambda: eq.Normaliser(window=(now - 86400, now + 86400))  # noqa: E731
    first = eq.snapshot_workspace(ws, norm())
    assert first["store/records"]["rows"] == 2
    assert first == eq.snapshot_workspace(ws, norm())  # the same workspace twice: the same

    with sqlite3.connect(ws / eq.DB_NAME) as conn:
        # what differs between two runs of the same code: times and run ids
        conn.execute("UPDATE runs SET started = started + 3600, finished = finished + 3600")
        conn.execute("UPDATE revisions SET created = created + 3600")
        (old,) = conn.execute("SELECT run_id FROM runs").fetchone()
        new = "20300101T000000Z-0123abcd"
        for table in ("runs", "records", "revisions"):
            conn.execute(f"UPDATE {table} SET run_id=?", (new,))
        for table, column in (("runs", "counts"), ("records", "doc"), ("revisions", "doc")):
            conn.execute(f"UPDATE {table} SET {column} = replace({column}, ?, ?)", (old, new))
    conn.close()
    assert eq.snapshot_workspace(ws, norm()) == first

    with sqlite3.connect(ws / eq.DB_NAME) as conn:
        (language,) = conn.execute("SELECT language FROM records WHERE source_id='a1'").fetchone()
        conn.execute("UPDATE records SET language='xx' WHERE source_id='a1'")
    conn.close()
    changed = eq.snapshot_workspace(ws, norm())
    differ = [r["entry"] for r in eq.compare(first, changed) if r["status"] != "same"]
    assert differ == ["store/records"]

    # a command that logs a run where it did not before: its own entry, the rest the same
    with sqlite3.connect(ws / eq.DB_NAME) as conn:
        conn.execute("UPDATE records SET language=? WHERE source_id='a1'", (language,))
        conn.execute(
            "INSERT INTO runs VALUES ('20300101T000001Z-00000001', 'export', '{}', 0, 0, "
            "'completed', '{}')"
        )
    conn.close()
    logged = eq.snapshot_workspace(ws, norm())
    rows = {r["entry"]: r["status"] for r in eq.compare(first, logged)}
    assert rows.pop("store/runs[export]") == "only after"
    assert set(rows.values()) == {"same"}
