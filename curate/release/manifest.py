"""`MANIFEST.json`: the list of every file of a release folder with its sha256 and size.

Why: a release is published (and cited) as a whole. The manifest, written last by
`curate export`, pins the exact bytes of every other file, so `curate publish` can refuse a
folder that was edited, truncated or extended after export, and a reader can check a
download against it.

    {"name": "culturecare", "version": "1.0.0", "mode": "text", "created": "...Z",
     "files": {"README.md": {"sha256": "...", "bytes": 1234}, ...}}
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from curate.errors import CurateError

MANIFEST = "MANIFEST.json"
_CHUNK = 1 << 20
_MAX_LISTED = 10  # problems shown in an error message (the count is always given)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def release_files(folder: Path) -> list[str]:
    """Every file of the folder except the manifest, as sorted POSIX paths relative to it."""
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.relative_to(folder).as_posix() != MANIFEST
    )


def write_manifest(
    folder: Path, name: str, version: str, mode: str, created: str | None = None
) -> Path:
    """Write `folder/MANIFEST.json` listing every other file. Call it after every other
    file of the release is written; `created` defaults to now (UTC)."""
    folder = Path(folder)
    files = {
        rel: {"sha256": sha256_file(folder / rel), "bytes": (folder / rel).stat().st_size}
        for rel in release_files(folder)
    }
    manifest = {
        "name": name,
        "version": version,
        "mode": mode,
        "created": created or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "files": files,
    }
    path = folder / MANIFEST
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def read_manifest(folder: Path) -> dict[str, Any]:
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise CurateError(f"{folder} has no {MANIFEST}: is it a folder made by `curate export`?")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise CurateError(f"{path} is not valid JSON: {exc}") from None
    missing = [k for k in ("name", "version", "mode", "files") if k not in manifest]
    if not isinstance(manifest, dict) or missing or not isinstance(manifest["files"], dict):
        raise CurateError(f"{path} lacks {', '.join(missing) or 'a files mapping'}")
    return manifest


def verify_manifest(folder: Path) -> dict[str, Any]:
    """The manifest, after checking that the folder holds exactly the files it lists, with
    the same sizes and sha256. Raises CurateError naming every problem otherwise."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    listed: dict[str, dict[str, Any]] = manifest["files"]
    present = set(release_files(folder))
    problems = [f"missing: {rel}" for rel in sorted(set(listed) - present)]
    problems += [f"not in the manifest: {rel}" for rel in sorted(present - set(listed))]
    for rel in sorted(set(listed) & present):
        entry, path = listed[rel], folder / rel
        if path.stat().st_size != entry.get("bytes"):
            problems.append(f"size differs: {rel} ({path.stat().st_size} != {entry.get('bytes')})")
        elif sha256_file(path) != entry.get("sha256"):
            problems.append(f"sha256 differs: {rel}")
    if problems:
        shown = "\n  ".join(problems[:_MAX_LISTED])
        extra = len(problems) - _MAX_LISTED
        more = f"\n  … and {extra} more" if extra > 0 else ""
        raise CurateError(
            f"{folder} does not match its {MANIFEST} ({len(problems)} problem(s)):\n  {shown}{more}"
            "\nRe-run `curate export` rather than editing a release folder."
        )
    return manifest
