"""A real Label Studio server for the annotation tests, one per test session.

It runs from its own venv (`.venv-label-studio`, installed by serve.sh on first use) with
its data in a session temp dir, or in `$CURATE_TEST_LS_DIR` (relative to the repo, e.g.
`.pytest-ls`) to skip the ~40 s of first-start migrations on later runs."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from curate.annotate.server import LabelStudioServer, ensure_running, stop

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A port nothing listens on now (serve.sh refuses a taken one rather than move)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def ls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabelStudioServer]:
    """The running server with the admin's token; stopped at the end of the session."""
    reuse = os.environ.get("CURATE_TEST_LS_DIR")
    data_dir = REPO / reuse if reuse else tmp_path_factory.mktemp("label-studio")
    with pytest.MonkeyPatch.context() as mp:
        # A developer's own server settings must not leak into the test server.
        for var in ("CURATE_LS_DATABASE_URL", "CURATE_LS_PASSWORD", "CURATE_LS_TOKEN"):
            mp.delenv(var, raising=False)
        server = ensure_running(data_dir, port=free_port())
    try:
        yield server
    finally:
        stop(data_dir)
