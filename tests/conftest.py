"""Shared fixtures. Tests write their own small synthetic inputs; none of the released
CultureCare data is copied here (tests that read it skip when ../shared is absent)."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

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


def free_port() -> int:
    """A port nothing listens on now (serve.sh refuses a taken one rather than move)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
