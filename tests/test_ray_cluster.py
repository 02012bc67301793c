"""`--address`: the Ray engine joining a running cluster of several nodes, as on a real
cluster, rather than starting its own instance.

The cluster is real Ray — a head node and two worker nodes, each its own raylet, object
store and worker processes, found through the head's address (`ray.cluster_utils`, the
way Ray tests multi-node scheduling) — on this one machine, since no other is reachable
here. The head has no CPU, so every scan task and every actor runs on a worker node;
three actors of one CPU cannot fit on one node of two CPUs, so they span both, and
their results cross object stores to reach the driver. The driver is the real command
in a process of its own, as a user runs it: Ray keeps some settings per process (its
token authentication mode), so the local instance `test_ray_engine.py` started in this
process must not be the driver here.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest
from helpers import run_cli
from test_ray_engine import DEMO, SALT, _extra_dump, _ingest, _report, _snapshot, _without_run_ids

from curate.config import load_config
from curate.store import Store


@pytest.fixture
def cluster(monkeypatch: pytest.MonkeyPatch):
    import ray
    from ray.cluster_utils import Cluster

    monkeypatch.setenv("RAY_USAGE_STATS_ENABLED", "0")
    # A short folder (Unix sockets), every file of the cluster inside it (the address
    # file too: RAY_TMPDIR, not /tmp/ray).
    folder = Path(tempfile.mkdtemp(prefix="crc-"))
    (folder / "ray").mkdir()
    monkeypatch.setenv("RAY_TMPDIR", str(folder))
    common = {"temp_dir": str(folder / "ray"), "object_store_memory": 256 << 20}
    nodes = Cluster(
        initialize_head=True,
        head_node_args={"num_cpus": 0, "include_dashboard": False, **common},
    )
    try:
        for _ in range(2):
            nodes.add_node(num_cpus=2, **common)
        nodes.wait_for_nodes()
        yield nodes
    finally:
        if ray.is_initialized():
            ray.shutdown()
        nodes.shutdown()
        shutil.rmtree(folder, ignore_errors=True)


def _cli_ingest(workspace: Path, paths: list[Path], *args: str):
    """`curate ingest` in its own process, into a workspace salted like `_ingest`'s."""
    with Store.open(load_config(None, workspace).workspace) as store:
        store.conn.execute("UPDATE meta SET value=? WHERE key='id_salt'", (SALT,))
    return run_cli(
        "-w", str(workspace), "ingest", *map(str, paths), "--json", "--no-progress", *args
    )  # fmt: skip


def test_ray_engine_on_a_cluster_at_an_address(tmp_path, cluster):
    paths = [DEMO, _extra_dump(tmp_path)]
    local = _ingest(tmp_path / "local", paths, engine="local", workers=2)
    proc = _cli_ingest(tmp_path / "ray", paths, "--engine", "ray", "--address", cluster.address)
    assert proc.returncode == 0, proc.stderr[-3000:]
    on_ray = json.loads(proc.stdout)

    assert len(cluster.list_all_nodes()) == 3  # the run disconnected; the cluster runs on
    engine = on_ray.pop("engine")
    assert engine["address"] == cluster.address
    assert engine["workers"] == 3  # 4 CPUs on the worker nodes, one kept for I/O
    assert engine["seconds"]["scan"] > 0 and engine["seconds"]["process"] > 0
    for key in ("run_id", "quarantine", "defects_file"):
        on_ray.pop(key)
    deid = on_ray.pop("deid")
    assert {"ingest": on_ray, "deid": deid} == _report(local)
    # 56 records; the post edited within the run was de-identified in both revisions
    assert deid["records"] == 57 and on_ray["reconciles"]
    assert _without_run_ids(_snapshot(tmp_path / "ray")) == _without_run_ids(
        _snapshot(tmp_path / "local")
    )
    assert not list((tmp_path / "ray" / "tmp").glob("ray-*"))  # spools and shards gone


def test_asking_for_more_actors_than_the_cluster_has_cpus(tmp_path, cluster):
    proc = _cli_ingest(
        tmp_path / "ws", [DEMO], "--engine", "ray", "--address", cluster.address, "--workers", "4"
    )
    assert proc.returncode == 2
    assert "--workers 4: the Ray cluster has 4 CPU(s)" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not list((tmp_path / "ws" / "tmp").glob("ray-*"))
