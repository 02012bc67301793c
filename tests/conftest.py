"""Shared fixtures. Tests write their own small synthetic inputs; none of the released
CultureCare data is copied here (tests that read it skip when ../shared is absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


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
