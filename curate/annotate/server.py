"""The local Label Studio server, driven through `label_studio/serve.sh`.

Label Studio pins its own Django, so it runs from its own venv and is managed by the shell
script; this module only calls the script and reads back what it recorded in the data dir
(`server.json`: url and port; `credentials.json`, mode 600: the admin's API token)."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from curate.errors import CurateError

SERVE_SH = Path(__file__).resolve().parents[2] / "label_studio" / "serve.sh"


@dataclass(frozen=True)
class LabelStudioServer:
    """A running server and the admin's API token (kept out of repr, so out of logs)."""

    url: str
    token: str = field(repr=False)
    data_dir: Path


def _serve(command: str, data_dir: Path, *args: str, timeout: float) -> subprocess.CompletedProcess:
    """Runs serve.sh; its own messages never contain the token or the password."""
    if not SERVE_SH.is_file():
        raise CurateError(
            f"{SERVE_SH} not found: the Label Studio server needs a checkout of the curate repo"
        )
    cmd = ["bash", str(SERVE_SH), command, "--data-dir", str(data_dir), *args]
    try:
        return subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired:
        raise CurateError(
            f"label_studio/serve.sh {command} took over {timeout:.0f} s "
            f"(log: {data_dir / 'server.log'})"
        ) from None


def _last_line(proc: subprocess.CompletedProcess) -> str:
    lines = [ln for ln in (proc.stderr or proc.stdout or "").splitlines() if ln.strip()]
    return lines[-1].removeprefix("serve.sh: ") if lines else f"exit code {proc.returncode}"


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CurateError(f"cannot read {path}: {type(exc).__name__}") from None


def ensure_running(
    data_dir: Path,
    port: int | None = None,
    venv: Path | None = None,
    timeout: float = 240,
) -> LabelStudioServer:
    """Starts the server unless it runs already (installing its venv the first time)."""
    data_dir = Path(data_dir).resolve()
    args: list[str] = []
    if port is not None:
        args += ["--port", str(port)]
    if venv is not None:
        args += ["--venv", str(Path(venv).resolve())]
    proc = _serve("start", data_dir, *args, timeout=timeout)
    if proc.returncode != 0:
        raise CurateError(
            f"Label Studio did not start: {_last_line(proc)} (log: {data_dir / 'server.log'})"
        )
    info = _read_json(data_dir / "server.json")
    creds = _read_json(data_dir / "credentials.json")
    return LabelStudioServer(url=info["url"], token=creds["token"], data_dir=data_dir)


def stop(data_dir: Path, timeout: float = 60) -> None:
    """Stops the server of this data dir (SIGTERM, then SIGKILL); fine if none runs."""
    data_dir = Path(data_dir).resolve()
    proc = _serve("stop", data_dir, timeout=timeout)
    if proc.returncode != 0:
        raise CurateError(
            f"Label Studio did not stop: {_last_line(proc)} (log: {data_dir / 'server.log'})"
        )


def status(data_dir: Path, timeout: float = 30) -> dict[str, Any]:
    """Whether the server of this data dir runs and answers, with its url, pid and log."""
    data_dir = Path(data_dir).resolve()
    if not data_dir.is_dir():
        return {
            "running": False,
            "answering": False,
            "url": None,
            "pid": None,
            "data_dir": str(data_dir),
            "log": str(data_dir / "server.log"),
        }
    proc = _serve("status", data_dir, timeout=timeout)
    # serve.sh status: 0 running and answering, 1 process up but not answering, 3 not running.
    if proc.returncode not in (0, 1, 3):
        raise CurateError(f"label_studio/serve.sh status failed: {_last_line(proc)}")
    info_path = data_dir / "server.json"
    info = _read_json(info_path) if info_path.is_file() else {}
    pid_path = data_dir / "server.pid"
    pid = pid_path.read_text().strip() if proc.returncode != 3 and pid_path.is_file() else None
    return {
        "running": proc.returncode in (0, 1),
        "answering": proc.returncode == 0,
        "url": info.get("url"),
        "pid": int(pid) if pid and pid.isdigit() else None,
        "data_dir": str(data_dir),
        "log": str(data_dir / "server.log"),
        "message": proc.stdout.strip(),
    }


def default_data_dir(repo: Path | None = None) -> Path:
    """`workspace/label-studio` of the repo (the same default as serve.sh)."""
    return (repo or SERVE_SH.parent.parent) / "workspace" / "label-studio"


__all__ = ["SERVE_SH", "LabelStudioServer", "default_data_dir", "ensure_running", "status", "stop"]
