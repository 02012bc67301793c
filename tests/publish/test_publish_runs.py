"""`curate publish` in the workspace's run log: a completed run says where the release went
(repository, tag, revision, file counts), a failed one that it failed; neither holds the
token. Without a workspace the command still publishes, and creates none."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from helpers import run_cli
from releasefolder import build_release, rows_v1

from curate.publish import PUBLISH_COMMAND, read_release
from curate.store import DB_NAME, Store

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")


def test_cli_publish_is_a_run_and_never_holds_the_token(hub_server, tmp_path: Path) -> None:
    from huggingface_hub import HfApi

    v1 = build_release(tmp_path / "v1", "1.0.0", "text", rows_v1())
    ws = tmp_path / "ws"
    Store.open(ws).close()
    repo = f"curate-test/cc-runs-{hub_server.port}"
    env = {"CURATE_WORKSPACE": str(ws)}
    args = ("publish", str(v1), "--repo", repo, "--gated", "manual")
    proc = run_cli(*args, env={**env, "HF_TOKEN": hub_server.token})
    assert proc.returncode == 0, proc.stderr
    proc = run_cli(*args, env={**env, "HF_TOKEN": "hf_bad_secret_token"})
    assert proc.returncode == 2 and "Traceback" not in proc.stderr

    with Store.open(ws, create=False) as store:
        runs = [r for r in store.runs() if r["command"] == PUBLISH_COMMAND]
        done = store.latest_run(PUBLISH_COMMAND)
    assert [r["status"] for r in runs] == ["completed", "failed"]
    refs = HfApi(endpoint=hub_server.endpoint, token=hub_server.token).list_repo_refs(
        repo, repo_type="dataset"
    )
    counts = done["counts"]
    assert counts["repo"] == repo and counts["tag"] == "v1.0.0" and counts["tagged"]
    assert counts["revision"] == {t.name: t.target_commit for t in refs.tags}["v1.0.0"]
    assert counts["files"] == counts["changed"] == len(read_release(v1).files)
    assert counts["created"] and not counts["dry_run"] and counts["gated"] == "manual"
    assert counts["endpoint"] == hub_server.endpoint.rstrip("/")
    with sqlite3.connect(ws / DB_NAME) as conn:
        everything = "\n".join(conn.iterdump())
    assert hub_server.token not in everything and "hf_bad_secret_token" not in everything
    assert json.loads(runs[-1]["counts"]) == {}  # failed before a plan: nothing to count


def test_cli_publish_without_a_workspace_creates_none(hub_server, tmp_path: Path) -> None:
    v1 = build_release(tmp_path / "v1", "1.0.0", "text", rows_v1())
    ws = tmp_path / "no-ws"
    proc = run_cli(
        "publish", str(v1), "--repo", f"curate-test/cc-nows-{hub_server.port}", "--dry-run",
        env={"CURATE_WORKSPACE": str(ws), "HF_TOKEN": hub_server.token},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "dry run" in proc.stdout and not ws.exists()
