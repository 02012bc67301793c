"""Shared fixtures. Tests write their own small synthetic inputs; none of the released
CultureCare data is copied here (tests that read it skip when ../shared is absent)."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_CULTURECARE = REPO.parent / "shared" / "culturecare"


@pytest.fixture(autouse=True, scope="session")
def _offline_caches(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tool caches in a temp dir, never in ~, and nothing fetched from the network."""
    cache = tmp_path_factory.mktemp("caches")
    os.environ["HF_HOME"] = str(cache / "hf")
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TLDEXTRACT_CACHE"] = str(cache / "tldextract")
    os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
    os.environ.pop("CURATE_WORKSPACE", None)
    # The name gazetteer is derived once per test session (names-dataset, ~40 s) and
    # shared by every test and every `curate` subprocess through this cache.
    os.environ["CURATE_CACHE"] = str(cache / "curate")


@pytest.fixture(scope="session")
def deid_engine(tmp_path_factory: pytest.TempPathFactory):
    """One real de-identification engine (Presidio + spaCy + gazetteer) per session."""
    from curate.config import load_config
    from curate.deid.stage import make_engine

    return make_engine(load_config(None, tmp_path_factory.mktemp("deid-ws")))


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return tmp_path / "ws"


@pytest.fixture
def config(workspace: Path):
    from curate.config import load_config

    return load_config(None, workspace)


@pytest.fixture
def store(workspace: Path):
    from curate.store import Store

    with Store.open(workspace) as s:
        yield s


def write_lines(path: Path, lines: list[bytes | str | dict], compress: str | None = None) -> Path:
    """Write NDJSON (dicts are dumped, bytes written as they are), optionally compressed
    with zst, gz, bz2 or xz."""
    blob = b"".join(
        (
            ln
            if isinstance(ln, bytes)
            else (json.dumps(ln, ensure_ascii=False) if isinstance(ln, dict) else ln).encode()
        )
        + b"\n"
        for ln in lines
    )
    if compress == "zst":
        import zstandard

        blob = zstandard.ZstdCompressor(level=3).compress(blob)
    elif compress == "gz":
        blob = gzip.compress(blob)
    elif compress == "bz2":
        blob = bz2.compress(blob)
    elif compress == "xz":
        blob = lzma.compress(blob)
    path.write_bytes(blob)
    return path


def run_cli(
    *args: str, cwd: Path | None = None, env: dict | None = None, check: bool = False
) -> subprocess.CompletedProcess:
    """Run the real `curate` command in a subprocess (as a user would)."""
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-m", "curate.cli", *args],
        cwd=cwd or REPO,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"curate {args} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


def submission(
    pid: str,
    subreddit: str = "germany",
    title: str = "Ich bin einsam",
    selftext: str = "Seit dem Umzug nach Berlin fühle ich mich so einsam und "
    "traurig, meine Familie ist weit weg.",
    author: str = "op_user",
    **extra,
) -> dict:
    return {
        "id": pid,
        "name": f"t3_{pid}",
        "subreddit": subreddit,
        "author": author,
        "title": title,
        "selftext": selftext,
        "created_utc": 1700000000,
        "score": 5,
        "permalink": f"/r/{subreddit}/comments/{pid}/x/",
        **extra,
    }


def comment(
    cid: str,
    pid: str,
    body: str,
    author: str = "helper",
    score: int = 1,
    parent: str | None = None,
    created: int = 1700000100,
) -> dict:
    return {
        "id": cid,
        "name": f"t1_{cid}",
        "link_id": f"t3_{pid}",
        "parent_id": parent or f"t3_{pid}",
        "author": author,
        "body": body,
        "score": score,
        "created_utc": created,
        "subreddit": "germany",
    }
