"""The workspace store: revisions, the vault, migrations, and surviving kill -9."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from helpers import REPO

from curate.records import Provenance, RawText, Record, Source
from curate.store import SCHEMA_VERSION, Store, StoreError


def _record(store: Store, sid: str, text_hash: str) -> tuple[Record, RawText]:
    from curate.records import pseudonymous_id

    rec = Record(
        id=pseudonymous_id(store.id_salt, "file", sid),
        culture="German",
        source=Source(platform="file", source_id=sid),
        provenance=Provenance(input_file="x", line=1, format="jsonl", content_hash=text_hash),
    )
    return rec, RawText(text=f"text of {sid} {text_hash[:4]}")


def test_ids_are_stable_and_pseudonymous(store):
    rec, _ = _record(store, "abc123", "0" * 64)
    again, _ = _record(store, "abc123", "1" * 64)
    assert rec.id == again.id and rec.id.startswith("cc-") and "abc123" not in rec.id


def test_revisions_are_kept_never_overwritten(store):
    run = store.begin_run("test", {})
    assert [r.outcome for r in store.put_batch([_record(store, "a", "0" * 64)], run)] == ["new"]
    assert [r.outcome for r in store.put_batch([_record(store, "a", "0" * 64)], run)] == [
        "unchanged"
    ]
    assert [r.outcome for r in store.put_batch([_record(store, "a", "1" * 64)], run)] == ["revised"]
    rid = _record(store, "a", "")[0].id
    assert [r["revision"] for r in store.revisions(rid)] == [1, 2]
    assert store.vault.get(rid, 1).text.endswith("0000")
    assert store.vault.get(rid).text.endswith("1111")
    assert store.count() == 1


def test_records_never_carry_raw_text(store):
    run = store.begin_run("test", {})
    store.put_batch([_record(store, "a", "0" * 64)], run)
    (rec,) = store.iter_records()
    assert rec.post_text is None and rec.post_title is None and rec.response_text is None
    doc = store.conn.execute("SELECT doc FROM records").fetchone()[0]
    assert "text of a" not in doc


def test_vault_purge_removes_raw_text_from_disk(workspace):
    with Store.open(workspace) as store:
        run = store.begin_run("test", {})
        store.put_batch([_record(store, "secret", "0" * 64)], run)
        assert store.vault.purge() == 1
        assert store.vault.count() == 0
        assert store.count() == 1  # the records stay
    for path in workspace.iterdir():
        if path.is_file():
            assert b"text of secret" not in path.read_bytes(), path


def test_schema_version_and_newer_workspace_refused(workspace):
    with Store.open(workspace) as store:
        assert store.schema_version == SCHEMA_VERSION
    conn = sqlite3.connect(workspace / "curate.sqlite")
    conn.execute("UPDATE meta SET value='999' WHERE key='schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        Store.open(workspace)


def test_missing_workspace_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="no workspace"):
        Store.open(tmp_path / "nowhere", create=False)


def test_kill_9_leaves_a_consistent_store_and_rerun_completes(tmp_path):
    """Kill an ingest mid-way, check the store, re-run: every record exactly once."""
    n = 6000
    data = tmp_path / "items.jsonl"
    with data.open("w") as fh:
        for i in range(n):
            fh.write(json.dumps({"id": f"i{i}", "text": f"post {i}", "culture": "German"}) + "\n")
    (tmp_path / "curate.toml").write_text(
        f'[workspace]\npath = "{tmp_path / "ws"}"\n[ingest]\nbatch_size = 20\n'
    )
    # without de-identification: what is killed mid-way is the writing, not a model load
    cmd = [sys.executable, "-m", "curate.cli", "ingest", str(data), "--no-progress", "--no-deid"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        cmd, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    db = tmp_path / "ws" / "curate.sqlite"
    deadline = time.time() + 60
    stored = 0
    while time.time() < deadline and proc.poll() is None:
        if db.exists():
            try:
                conn = sqlite3.connect(db, timeout=1)
                stored = conn.execute("SELECT COUNT(*) FROM records").fetchone()[0]
                conn.close()
            except sqlite3.OperationalError:
                stored = 0
            if stored >= 200:
                break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert 0 < stored < n, "the ingest must be killed mid-way"
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    partial = conn.execute("SELECT COUNT(*) FROM records").fetchone()[0]
    assert partial % 20 == 0  # whole batches only
    # every stored record has its revision and its raw text: nothing half-written
    assert (
        conn.execute(
            "SELECT COUNT(*) FROM records r "
            "LEFT JOIN vault v ON v.id=r.id AND v.revision=r.revision "
            "LEFT JOIN revisions x ON x.id=r.id AND x.revision=r.revision "
            "WHERE v.id IS NULL OR x.id IS NULL"
        ).fetchone()[0]
        == 0
    )
    status = conn.execute("SELECT status FROM runs").fetchone()[0]
    assert status == "running"  # the killed run is visible as never finished
    conn.close()
    out = subprocess.run(
        [*cmd, "--json"], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    )
    report = json.loads(out.stdout)
    assert report["total"]["new"] == n - partial
    assert report["total"]["unchanged"] == partial
    with Store.open(tmp_path / "ws") as store:
        assert store.count() == n
        assert store.vault.count() == n


def test_run_log_completes_or_marks_failure(store):
    counts = {"n": 0}
    with store.run("demo-cmd", {"a": 1}, lambda: dict(counts)) as run:
        counts["n"] = 2
    with pytest.raises(ValueError), store.run("demo-cmd", {}, lambda: dict(counts)) as failed:
        counts["n"] = 3
        raise ValueError("boom")
    with pytest.raises(KeyboardInterrupt), store.run("x", {}, failed="interrupted") as stopped:
        raise KeyboardInterrupt
    by_id = {r["run_id"]: r for r in store.runs()}
    assert by_id[run.id]["status"] == "completed"
    assert json.loads(by_id[run.id]["counts"]) == {"n": 2}
    assert by_id[failed.id]["status"] == "failed"
    assert json.loads(by_id[failed.id]["counts"]) == {"n": 3}  # the counts so far
    assert by_id[stopped.id]["status"] == "interrupted"


def test_latest_run_is_the_newest_completed_one_with_its_counts(store):
    assert store.latest_run("cmd") is None
    with store.run("cmd", {}, lambda: {"n": 1, "per": {"a": [1, 2]}}) as first:
        pass
    with store.run("other", {}, lambda: {"n": 9}):
        pass
    assert store.latest_run("cmd")["run_id"] == first.id
    assert store.latest_run("cmd")["counts"] == {"n": 1, "per": {"a": [1, 2]}}  # decoded
    with store.run("cmd", {}, lambda: {"n": 2}) as second:
        pass
    with pytest.raises(ValueError), store.run("cmd", {}, lambda: {"n": 3}):
        raise ValueError("a failed run is no result")
    latest = store.latest_run("cmd")
    assert latest["run_id"] == second.id and latest["status"] == "completed"
    assert latest["counts"] == {"n": 2} and latest["command"] == "cmd"


def test_every_owner_creates_its_tables(tmp_path):
    # the tables of annotate, audit and release come from their owners' migrations
    with Store.open(tmp_path / "ws") as s:
        names = {r[0] for r in s.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    owned = "ls_projects ls_tasks annotations annotation_issues audit_flags splits releases"
    assert {*owned.split(), "release_items", "records", "deid_decisions"} <= names
