"""Shared fixtures. Tests write their own small synthetic inputs; none of the released
CultureCare data is copied here (tests that read it skip when ../shared is absent)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import free_port

REPO = Path(__file__).resolve().parents[1]


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


# -- a real Label Studio server, one per test session ----------------------------------
# It runs from its own venv (`.venv-label-studio`, installed by serve.sh on first use) with
# its data in a session temp dir, or in `$CURATE_TEST_LS_DIR` (relative to the repo, e.g.
# `.pytest-ls`) to skip the first-start migrations on later runs.


@pytest.fixture(scope="session")
def ls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """The running server with the admin's token; stopped at the end of the session."""
    reuse = os.environ.get("CURATE_TEST_LS_DIR")
    data_dir = REPO / reuse if reuse else tmp_path_factory.mktemp("label-studio")
    with pytest.MonkeyPatch.context() as mp:
        # A developer's own server settings must not leak into the test server.
        for var in ("CURATE_LS_DATABASE_URL", "CURATE_LS_PASSWORD", "CURATE_LS_TOKEN"):
            mp.delenv(var, raising=False)
        from curate.annotate.server import ensure_running, stop

        server = ensure_running(data_dir, port=free_port())
    try:
        yield server
    finally:
        stop(data_dir)


# -- a Hub-compatible test server (tests/hubserver.py), one per test -------------------------


@pytest.fixture
def hub_server(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """A running test Hub (real git repositories behind the Hub's REST API) with one user,
    `curator`, member of the organization `curate-test`; `server.token` writes,
    `server.read_token` only reads. This process and its subprocesses are pointed at it:
    HF_ENDPOINT, online, no Xet, a fresh HF_HOME, no HF_TOKEN (tests set it when they
    want one). `huggingface_hub.constants` and `datasets.config` copy the environment at
    import time, so their copies are patched too (and restored after the test)."""
    import secrets

    import datasets.config
    import huggingface_hub.constants as hf_constants
    from hubserver import HubServer

    root = tmp_path_factory.mktemp("hub")
    token, read_token = f"hf_test_{secrets.token_hex(12)}", f"hf_read_{secrets.token_hex(12)}"
    server = HubServer(
        root / "server",
        users={"curator": ["curate-test"], "other": ["other-org"]},
        tokens={token: ("curator", "write"), read_token: ("curator", "read")},
    ).start()
    server.token, server.read_token = token, read_token
    endpoint = server.endpoint
    monkeypatch.setenv("HF_ENDPOINT", endpoint)
    monkeypatch.setenv("HF_HUB_DISABLE_XET", "1")
    monkeypatch.setenv("HF_HOME", str(root / "hf-home"))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("HF_DATASETS_OFFLINE", raising=False)
    for var in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_HUB_CACHE", "HF_DATASETS_CACHE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(hf_constants, "ENDPOINT", endpoint)
    monkeypatch.setattr(
        hf_constants,
        "HUGGINGFACE_CO_URL_TEMPLATE",
        endpoint + "/{repo_id}/resolve/{revision}/{filename}",
    )
    monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(hf_constants, "HF_HUB_DISABLE_XET", True)
    monkeypatch.setattr(datasets.config, "HF_ENDPOINT", endpoint)
    monkeypatch.setattr(
        datasets.config,
        "HUB_DATASETS_URL",
        endpoint + "/datasets/{repo_id}/resolve/{revision}/{path}",
    )
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(datasets.config, "HF_DATASETS_OFFLINE", False)
    try:
        yield server
    finally:
        server.stop()
