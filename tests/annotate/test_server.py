"""The Label Studio server that serve.sh starts: reachable with the stored legacy token,
usable through the SDK, idempotent to start, and closed to a wrong token."""

from __future__ import annotations

import socket
import uuid
from pathlib import Path

import pytest
from label_studio_sdk import LabelStudio
from label_studio_sdk.core.api_error import ApiError

from curate.annotate.server import LabelStudioServer, ensure_running, status
from curate.errors import CurateError


def client(server: LabelStudioServer, token: str | None = None) -> LabelStudio:
    # A non-JWT api_key makes SDK 2.1 send `Authorization: Token <key>` (legacy token).
    return LabelStudio(base_url=server.url, api_key=token or server.token)


def test_version_with_token(ls_server: LabelStudioServer) -> None:
    version = client(ls_server).versions.get()
    assert version.release == "1.23.2"
    assert ls_server.url.startswith("http://127.0.0.1:")


def test_token_identifies_the_admin(ls_server: LabelStudioServer) -> None:
    assert client(ls_server).users.whoami().email == "curate@localhost"


def test_project_create_and_delete(ls_server: LabelStudioServer) -> None:
    ls = client(ls_server)
    title = f"curate-test-{uuid.uuid4().hex[:8]}"
    project = ls.projects.create(title=title)
    assert ls.projects.get(id=project.id).title == title
    ls.projects.delete(id=project.id)
    with pytest.raises(ApiError) as err:
        ls.projects.get(id=project.id)
    assert err.value.status_code == 404


def test_wrong_token_is_401(ls_server: LabelStudioServer) -> None:
    with pytest.raises(ApiError) as err:
        client(ls_server, token="0" * 40).users.whoami()
    assert err.value.status_code == 401


def test_second_ensure_running_is_a_noop(ls_server: LabelStudioServer) -> None:
    before = status(ls_server.data_dir)
    again = ensure_running(ls_server.data_dir)
    assert again == ls_server
    assert status(ls_server.data_dir)["pid"] == before["pid"]


def test_status_reports_running(ls_server: LabelStudioServer) -> None:
    st = status(ls_server.data_dir)
    assert st["running"] and st["answering"]
    assert st["url"] == ls_server.url
    assert ls_server.token not in repr(ls_server) + repr(st)


def test_credentials_are_private(ls_server: LabelStudioServer) -> None:
    assert (ls_server.data_dir / "credentials.json").stat().st_mode & 0o777 == 0o600


def test_status_of_a_stopped_server(tmp_path: Path) -> None:
    assert status(tmp_path / "none")["running"] is False
    assert status(tmp_path)["running"] is False


def test_taken_port_is_a_clear_error(ls_server: LabelStudioServer, tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        with pytest.raises(CurateError, match=f"port {port} .* in use") as err:
            ensure_running(tmp_path / "ls", port=port)
    assert "server.log" in str(err.value)
    assert ls_server.token not in str(err.value)
