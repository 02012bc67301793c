"""Two `curate deid` runs on the same workspace at once split the work: each record is
de-identified once, by whichever run claimed it, and the workspace ends as one ingest
leaves it. Two ingests of the same input at once leave it so too. A killed run's claims
are taken over when they expire."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from helpers import make_record, run_cli, salted_workspace, start_cli

from curate.deid import tables as deid_tables
from curate.records import RawText
from curate.store import SCHEMA_VERSION, Store

N = 300


@pytest.fixture(scope="module")
def posts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """N posts, each with a name, an e-mail address and a phone number to find."""
    path = tmp_path_factory.mktemp("posts") / "posts.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for i in range(N):
            text = (
                f"My name is Jonas Weber and I feel alone since the move ({i}). "
                f"Write to jonas{i}@example.de or call +49 151 2345{i:04d}."
            )
            fh.write(json.dumps({"id": f"p{i}", "text": text, "culture": "German"}) + "\n")
    return path


def _ingest(ws: Path, posts: Path) -> subprocess.Popen:
    return start_cli(
        "-w", str(ws), "ingest", str(posts), "--json", "--no-progress", "--workers", "1"
    )


def _deid(ws: Path) -> subprocess.Popen:
    return start_cli("-w", str(ws), "deid", "--json", "--workers", "1")


def _claims(ws: Path) -> dict[str, int]:
    """Live claims per owner, read as another process would (a failed read: none)."""
    try:
        conn = sqlite3.connect(ws / "curate.sqlite", timeout=1)
        try:
            return dict(conn.execute("SELECT owner, COUNT(*) FROM deid_claims GROUP BY owner"))
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return {}


def _wait_for(what, procs: list[subprocess.Popen], seconds: float = 300):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := what():
            return found
        for proc in procs:
            assert proc.poll() is None, proc.communicate()[1][-2000:]
        time.sleep(0.05)
    raise AssertionError("timed out")


def _state(ws: Path) -> tuple[list[dict], list[tuple]]:
    """The de-identified records (run ids aside) and every de-identification decision."""
    with Store.open(ws, create=False) as store:
        docs = [r.to_dict() for r in store.iter_records()]
        decisions = store.conn.execute(
            "SELECT d.* FROM deid_decisions d JOIN records r ON r.id=d.id "
            "ORDER BY r.rowid, d.field, d.start"
        ).fetchall()
    for doc in docs:
        doc["provenance"].pop("run_id")
    return docs, decisions


def test_two_concurrent_deid_runs_deidentify_each_record_once(
    tmp_path: Path, posts: Path, deid_engine
):
    # deid_engine: the name gazetteer is derived once, into the session cache that the
    # subprocesses share, before they start.
    single = salted_workspace(tmp_path / "single")
    proc = run_cli("-w", str(single), "ingest", str(posts), "--json", "--no-progress", check=True)
    assert json.loads(proc.stdout)["deid"]["records"] == N

    ws = salted_workspace(tmp_path / "ws")
    run_cli("-w", str(ws), "ingest", str(posts), "--no-deid", "--no-progress", check=True)
    first = _deid(ws)
    second = None
    try:
        # The first run is de-identifying (it holds claims): stop it there, start the
        # second, and let both go once the second holds claims too. They overlap for sure.
        owner = next(iter(_wait_for(lambda: _claims(ws), [first])))
        os.kill(first.pid, signal.SIGSTOP)
        second = _deid(ws)
        _wait_for(lambda: set(_claims(ws)) - {owner}, [second])
        os.kill(first.pid, signal.SIGCONT)
        results = [p.communicate(timeout=600) for p in (first, second)]
    finally:
        for p in (first, second):
            if p is not None and p.poll() is None:
                os.kill(p.pid, signal.SIGCONT)
                p.kill()
                p.communicate()
    assert first.returncode == 0 and second.returncode == 0, [r[1][-2000:] for r in results]
    done = [json.loads(out)["records"] for out, _ in results]
    # Both did a share, and together each record exactly once (twice would count N + x).
    assert all(n > 0 for n in done), done
    assert sum(done) == N
    with Store.open(ws, create=False) as store:
        assert store.conn.execute("SELECT COUNT(*) FROM deid_claims").fetchone()[0] == 0
        statuses = dict(store.conn.execute("SELECT deid_status, COUNT(*) FROM records GROUP BY 1"))
    assert statuses == {"done": N}
    assert _state(ws) == _state(single)


def test_two_concurrent_ingests_write_each_record_once(tmp_path: Path, posts: Path, deid_engine):
    """Ingests de-identify what they read without claims (nothing is stored yet to claim):
    both may de-identify a record, the store writer writes it once, and each record is
    counted by the run that wrote it."""
    single = salted_workspace(tmp_path / "single")
    run_cli("-w", str(single), "ingest", str(posts), "--no-progress", check=True)
    ws = salted_workspace(tmp_path / "ws")
    procs = [_ingest(ws, posts), _ingest(ws, posts)]
    results = [p.communicate(timeout=600) for p in procs]
    assert all(p.returncode == 0 for p in procs), [r[1][-2000:] for r in results]
    reports = [json.loads(out) for out, _ in results]
    assert sum(r["total"]["new"] for r in reports) == N
    assert sum(r["deid"]["records"] for r in reports) == N
    with Store.open(ws, create=False) as store:
        assert store.conn.execute("SELECT COUNT(*) FROM revisions").fetchone()[0] == N
    assert _state(ws) == _state(single)


def test_claims_are_exclusive_and_a_dead_runs_expire(store):
    run = store.begin_run("test", {})
    store.put_batch([(make_record(store, f"s{i}"), RawText(text=f"{i}")) for i in range(4)], run)
    ids = [r.id for r in store.iter_records()]
    mine, busy = deid_tables.claim(store, "a", "policy", ids[:3])
    assert (mine, busy) == (ids[:3], [])
    theirs, busy = deid_tables.claim(store, "b", "policy", ids)
    assert (theirs, busy) == (ids[3:], ids[:3])  # never a record "a" holds
    # "a" is killed: its claims expire, and "b" takes them over.
    store.conn.execute("UPDATE deid_claims SET expires=0 WHERE owner='a'")
    theirs, busy = deid_tables.claim(store, "b", "policy", ids[:3])
    assert (theirs, busy) == (ids[:3], [])
    # Storing the results releases the claims; `release_deid_claims` drops the rest.
    record = store.get(ids[0])
    deid_tables.save_deid(store, [(record, [])], "policy", owner="b")
    assert deid_tables.claim(store, "b", "policy", ids[:1]) == ([], [])  # done under this policy
    deid_tables.release_claims(store, "b")
    assert store.conn.execute("SELECT COUNT(*) FROM deid_claims").fetchone()[0] == 0


def test_a_version_4_workspace_migrates(workspace: Path):
    with Store.open(workspace) as store:
        run = store.begin_run("test", {})
        store.put_batch([(make_record(store, "old"), RawText(text="some text"))], run)
        store.conn.execute("DROP TABLE deid_claims")
        store.conn.execute("DROP TABLE deid_overrides")  # (schema 6)
        store.conn.execute("ALTER TABLE deid_decisions DROP COLUMN unsure")
        store.conn.execute("ALTER TABLE ls_projects DROP COLUMN kind")  # (schema 7)
        store.conn.execute("ALTER TABLE annotations DROP COLUMN kind")
        store.conn.execute("DROP TABLE review_tasks")
        store.conn.execute("UPDATE meta SET value='4' WHERE key='schema_version'")
    with Store.open(workspace) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.count() == 1
        ids = [r.id for r in store.iter_records()]
        assert deid_tables.claim(store, "a", "policy", ids) == (ids, [])
