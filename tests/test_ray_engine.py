"""The Ray engine (`curate ingest --engine ray`) on a real local Ray instance: it must
leave the workspace exactly as the local engine does on the same input — records,
revisions, vault, de-identification decisions, statuses and counts — and leave no raw
text behind (shards, Ray's files) or on the terminal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import REPO, run_cli

from curate.config import load_config
from curate.deid.policy import load_policy
from curate.errors import CurateError
from curate.executors.ray_engine import start_local
from curate.executors.shards import ShardWriter, read_in_order
from curate.ingest import run_ingest
from curate.records import Provenance, RawText, Record, Source
from curate.sources.base import Parsed
from curate.store import Store
from curate.work import Work

DEMO = REPO / "demo" / "reddit"
SALT = "ab" * 32  # both workspaces get the same record ids


@pytest.fixture(scope="module")
def ray_instance(tmp_path_factory: pytest.TempPathFactory):
    """One local Ray instance for the module (start-up takes seconds), started the way
    the CLI starts one: every file of it inside the given folder."""
    import ray

    folder = tmp_path_factory.mktemp("ray")
    stop = start_local(folder, num_cpus=3)  # two actors + one CPU for reads and writes
    try:
        yield folder, ray
    finally:
        stop()


def _extra_dump(folder: Path) -> Path:
    """Two more submissions after the demo dump: an edited copy of a demo post (a new
    revision within the same run) and an exact copy of another one (unchanged)."""
    import zstandard

    lines = zstandard.ZstdDecompressor().decompress((DEMO / "RS_demo.zst").read_bytes())
    posts = [json.loads(line) for line in lines.decode().splitlines()]
    edited = dict(posts[3], selftext=posts[3]["selftext"] + " Edit: still lonely.")
    path = folder / "RS_extra.ndjson"
    path.write_text("".join(json.dumps(p) + "\n" for p in (edited, posts[7])), encoding="utf-8")
    return path


def _ingest(workspace: Path, paths: list[Path], **engine):
    config = load_config(None, workspace)
    with Store.open(config.workspace) as store:
        store.conn.execute("UPDATE meta SET value=? WHERE key='id_salt'", (SALT,))
        result = run_ingest(paths, config, store, policy=load_policy(config), **engine)
    return result


def _snapshot(workspace: Path) -> dict:
    """Everything the run left in the store, without run ids and timestamps."""
    with Store.open(workspace, create=False) as store:
        records = []
        for record in store.iter_records():
            doc = record.to_dict()
            doc["provenance"].pop("run_id")
            records.append(doc)
        conn = store.conn
        return {
            "records": records,
            "rows": conn.execute(
                "SELECT id, revision, culture, language, content_hash, dedup_hash, "
                "duplicate_of, deid_status, deid_policy FROM records ORDER BY rowid"
            ).fetchall(),
            "revisions": conn.execute(
                "SELECT id, revision, content_hash, doc FROM revisions ORDER BY id, revision"
            ).fetchall(),
            "vault": conn.execute("SELECT * FROM vault ORDER BY id, revision").fetchall(),
            "decisions": conn.execute(
                "SELECT * FROM deid_decisions ORDER BY id, revision, field, start, end"
            ).fetchall(),
        }


def _without_run_ids(snapshot: dict) -> dict:
    revisions = []
    for rid, rev, chash, doc in snapshot["revisions"]:
        data = json.loads(doc)
        data["provenance"].pop("run_id")
        revisions.append((rid, rev, chash, data))
    return {**snapshot, "revisions": revisions}


def _report(result) -> dict:
    data = result.report.to_dict()
    for key in ("run_id", "quarantine", "defects_file"):
        data.pop(key)
    return {"ingest": data, "deid": result.deid.to_dict()}


def test_ray_engine_stores_what_the_local_engine_stores(tmp_path, ray_instance):
    folder, ray = ray_instance
    session = Path(ray._private.worker._global_node.get_session_dir_path())
    assert session.resolve().is_relative_to(folder.resolve())  # Ray's files: inside
    paths = [DEMO, _extra_dump(tmp_path)]
    local = _ingest(tmp_path / "local", paths, engine="local", workers=2)
    on_ray = _ingest(tmp_path / "ray", paths, engine="ray", workers=2)

    assert on_ray.engine["name"] == "ray" and on_ray.engine["workers"] == 2
    assert _report(on_ray) == _report(local)
    assert on_ray.report.reconciles()
    totals = on_ray.report.totals
    assert (totals["new"], totals["revised"], totals["unchanged"]) == (56, 1, 1)
    # both revisions of the edited post were de-identified; the store keeps the last
    assert on_ray.deid.records == 57 and on_ray.deid.entities["PERSON"] > 10
    left, right = _snapshot(tmp_path / "local"), _snapshot(tmp_path / "ray")
    assert len(right["records"]) == 56 and len(right["revisions"]) == 57
    assert {row[7] for row in right["rows"]} == {"done"}
    assert right["decisions"]
    assert _without_run_ids(right) == _without_run_ids(left)
    assert not list((tmp_path / "ray" / "tmp").glob("ray-*"))  # shards deleted

    # Run again: the post and its edited copy alternate (two more revisions); the rest
    # is unchanged and is not de-identified again.
    local = _ingest(tmp_path / "local", paths, engine="local", workers=2)
    on_ray = _ingest(tmp_path / "ray", paths, engine="ray", workers=2)
    assert _report(on_ray) == _report(local)
    totals = on_ray.report.totals
    assert (totals["new"], totals["revised"], totals["unchanged"]) == (0, 2, 56)
    assert on_ray.deid.records == 2
    right = _snapshot(tmp_path / "ray")
    assert len(right["revisions"]) == 59
    assert _without_run_ids(right) == _without_run_ids(_snapshot(tmp_path / "local"))


def test_cli_ingest_on_ray_leaves_no_raw_text_behind(tmp_path):
    """The command as a user runs it: its own local Ray instance inside the workspace,
    nothing written to the home folder, no planted identifier on the terminal."""
    home, ws = tmp_path / "home", tmp_path / "ws"
    home.mkdir()
    proc = run_cli(
        "-w", str(ws), "ingest", str(DEMO), "--engine", "ray", "--workers", "2",
        "--json", "--no-progress", env={"HOME": str(home)},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout)
    assert report["engine"]["name"] == "ray" and report["engine"]["workers"] == 2
    assert report["deid"]["records"] == 56 and report["reconciles"]
    assert not list(home.iterdir())  # no ~/.ray/auth_token
    # shards and Ray's files gone (tmp/.lock: the scratch folders' lock, no data)
    assert [p.name for p in (ws / "tmp").iterdir()] == [".lock"]
    planted = [
        json.loads(line)["text"]
        for line in (REPO / "demo" / "pii_truth.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert len(planted) > 50
    leaked = [t for t in planted if len(t) > 5 and (t in proc.stderr or t in proc.stdout)]
    assert leaked == []
    scan = run_cli("-w", str(ws), "deid", "scan", "--json")
    assert scan.returncode == 0 and json.loads(scan.stdout) == []


class _Leaky:
    """A step that fails quoting the text it was given, as a library might."""

    def setup(self) -> None:
        pass

    def __call__(self, batch):
        raise ValueError(f"cannot handle {batch[0].item.raw.title!r}")


def test_a_failure_on_ray_is_reported_without_the_data(tmp_path, ray_instance, monkeypatch, capfd):
    _, ray = ray_instance
    import sys

    import curate.ingest

    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])  # actors get _Leaky
    monkeypatch.setattr(curate.ingest, "ingest_steps", lambda config, policy: [_Leaky()])
    config = load_config(None, tmp_path / "ws")
    with Store.open(config.workspace) as store:
        with pytest.raises(CurateError) as err:
            run_ingest([DEMO], config, store, engine="ray", workers=1)
        assert str(err.value).startswith("the Ray engine failed (ValueError)")
        assert "cannot handle" not in str(err.value) and err.value.__cause__ is None
        assert store.count() == 0 and store.runs()[-1]["status"] == "interrupted"
    assert [p.name for p in (tmp_path / "ws" / "tmp").iterdir()] == [".lock"]
    out, err = capfd.readouterr()
    assert "cannot handle" not in out + err  # nor on the terminal


def _work(seq: int) -> Work:
    record = Record(f"cc-{seq}", "German", Source("reddit", str(seq)), Provenance("f", seq, "x"))
    return Work(Parsed(record, RawText(text=f"text {seq}")), deid=seq % 2 == 0)


def test_result_shards_come_back_in_input_order_or_not_at_all(tmp_path):
    writer = ShardWriter(tmp_path / "out", rows_per_shard=3)
    for seq in range(8):
        writer.add(_work(seq))
    writer.flush()
    # shards listed in another order than written still load in input order
    writer.files[0].rename(writer.folder / "zz.parquet")
    works = list(read_in_order(writer.folder, 8))
    assert [w.record.id for w in works] == [f"cc-{seq}" for seq in range(8)]
    assert [w.item.raw.text for w in works][:2] == ["text 0", "text 1"]
    assert [w.deid for w in works][:2] == [True, False]
    # a shard written where this machine cannot see it (another node's disk)
    writer.files[1].unlink()
    with pytest.raises(CurateError, match="5 of 8 record"):
        list(read_in_order(writer.folder, 8))
