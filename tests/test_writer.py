"""The one store writer: a run writes each record once, de-identified, and reads nothing
back to write it again; a record survives its stored form unchanged."""

from __future__ import annotations

import json

from helpers import REPO, SHARED_CULTURECARE

from curate.config import load_config
from curate.deid.policy import load_policy
from curate.ingest import ingest, ingest_steps
from curate.records import Record
from curate.store import Store

DEMO = REPO / "demo"


def test_ingest_writes_each_record_once_and_reads_none_back(tmp_path, deid_engine):
    config = load_config(None, tmp_path / "ws")
    policy = load_policy(config)
    statements: list[str] = []
    with Store.open(config.workspace) as store:
        store.conn.set_trace_callback(statements.append)
        report = ingest([DEMO / "reddit"], config, store, policy=policy,
                        steps=ingest_steps(config, policy, deid_engine))  # fmt: skip
        store.conn.set_trace_callback(None)
        statuses = store.deid_status_counts()
        decisions = store.conn.execute("SELECT COUNT(*) FROM deid_decisions").fetchone()[0]
    written = report.totals["new"] + report.totals["revised"]
    assert written == 56 and statuses == {"done": 56} and decisions > 0
    assert report.deid.records == written
    inserts = [s for s in statements if s.startswith("INSERT INTO records")]
    assert len(inserts) == written  # once each, already de-identified
    assert not [s for s in statements if s.startswith("UPDATE records")]
    read_back = [s for s in statements if "FROM vault" in s or "FROM revisions" in s]
    assert not read_back


class _RoundTrip:
    """A step that checks every record it sees against its stored (JSON) form."""

    def __init__(self) -> None:
        self.seen = 0
        self.changed: list[str] = []

    def setup(self) -> None:
        pass

    def __call__(self, batch):
        for work in batch:
            self.seen += 1
            stored = json.loads(json.dumps(work.record.to_dict(), ensure_ascii=False))
            if Record.from_dict(stored) != work.record:
                self.changed.append(work.record.id)
        return batch


def test_record_to_dict_is_lossless_on_every_record_read(tmp_path):
    """After language id (the last step before de-identification), a record equals its
    stored form read back: de-identification starts from the same record whether it was
    stored first or not. On the demo dump, the careless files and the real release."""
    config = load_config(None, tmp_path / "ws")
    check = _RoundTrip()
    paths = [DEMO / "reddit", DEMO / "careless"]
    if SHARED_CULTURECARE.is_dir():
        paths.append(SHARED_CULTURECARE)
    with Store.open(config.workspace) as store:
        ingest(paths, config, store, steps=[*ingest_steps(config), check])
    assert check.seen > 100 and check.changed == []
