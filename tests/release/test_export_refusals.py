"""What `curate export` refuses before writing anything (issue 12, points 6 and 7): a
version that is not strict SemVer, an --out inside an existing release (it would break
that release's manifest), and a --name that is not a Hub name (it is a folder name too,
and `../../../x` would write outside the workspace)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import run_cli

from curate.errors import CurateError
from curate.release.export import export
from curate.release.info import parse_version
from curate.release.manifest import MANIFEST, verify_manifest
from curate.store import Store


def _tree(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def _refused(proc) -> str:
    """The stderr of a CLI run that must end as a user error: exit 2, one line."""
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    return proc.stderr


@pytest.mark.parametrize(
    "version",
    ["1.0.0\n", "\n1.0.0", "1.0.0 ", "１.０.０", "1.0.0٣", "01.0.0", "1.00.0", "1.0", "v1.0.0",
     "1.0.0-rc.1", "1.0.0+build", "1.0.0.0", ""],
)  # fmt: skip
def test_a_version_is_strict_ascii_semver(version: str) -> None:
    with pytest.raises(CurateError, match=r"major\.minor\.patch"):
        parse_version(version)


def test_valid_versions_compare_by_number() -> None:
    assert parse_version("0.0.0") == (0, 0, 0)
    assert parse_version("1.10.0") > parse_version("1.9.12")


def test_cli_refuses_a_version_with_a_newline_or_full_width_digits(
    store, config, fill, workspace: Path, deid_engine
) -> None:
    """The issue's case: `--version $'1.0.0\\n'` recorded a second release beside 1.0.0."""
    fill(2)
    export(store, config, version="1.0.0", engine=deid_engine)
    store.close()
    env = {"CURATE_WORKSPACE": str(workspace)}
    before = _tree(workspace / "releases")
    for version in ("1.0.0\n", "１.0.0", "1.1.0\n"):
        err = _refused(run_cli("export", "--version", version, env=env))
        assert "major.minor.patch" in err and repr(version) in err
    assert _tree(workspace / "releases") == before
    with Store.open(workspace, create=False) as reopened:
        assert reopened.conn.execute("SELECT version FROM releases").fetchall() == [("1.0.0",)]


def test_out_inside_an_existing_release_is_refused(
    store, config, fill, workspace: Path, deid_engine, tmp_path: Path
) -> None:
    fill(2)
    first = export(store, config, version="1.0.0", engine=deid_engine).folder
    before = _tree(first)
    copy = tmp_path / "copy-of-1.0.0"  # a release folder the store does not know: its manifest
    shutil.copytree(first, copy)
    for out in (first / "v2", first / "data" / "all" / "v2", copy / "v2"):
        with pytest.raises(CurateError, match="the folder of an existing release"):
            export(store, config, version="1.1.0", out_dir=out, engine=deid_engine)
    (first / MANIFEST).unlink()  # the store's record of the release still counts
    with pytest.raises(CurateError, match=f"is inside {first}, which is"):
        export(store, config, version="1.1.0", out_dir=first / "v2", engine=deid_engine)
    assert _tree(first) == [p for p in before if p != MANIFEST]
    verify_manifest(copy)  # untouched
    store.close()
    env = {"CURATE_WORKSPACE": str(workspace)}
    err = _refused(run_cli("export", "--version", "1.1.0", "--out", str(copy / "x"), env=env))
    assert "the folder of an existing release" in err
    verify_manifest(copy)
    # a folder beside the releases is fine
    proc = run_cli("export", "--version", "1.1.0", "--out", str(tmp_path / "v110"), env=env)
    assert proc.returncode == 0, proc.stderr
    verify_manifest(tmp_path / "v110")


@pytest.mark.parametrize(
    "name", ["../../../x", "a/b", "..", "x\n", "ｃｃ", "-x", "x.", "a--b", "x" * 97]
)
def test_name_must_be_a_hub_name(store, config, fill, workspace: Path, name: str) -> None:
    fill(1)
    with pytest.raises(CurateError, match="--name must be a Hub name"):
        export(store, config, version="1.0.0", name=name)
    assert not (workspace / "releases").exists()


def test_cli_name_and_config_name_cannot_leave_the_workspace(
    store, fill, workspace: Path, tmp_path: Path
) -> None:
    fill(1)
    store.close()
    env = {"CURATE_WORKSPACE": str(workspace)}
    err = _refused(run_cli("export", "--name", "../../../x", env=env))
    assert "--name must be a Hub name" in err
    err = _refused(run_cli("export", "--org", "a/b", env=env))
    assert "--org must be a Hub name" in err
    toml = tmp_path / "curate.toml"
    toml.write_text('[release]\nname = "../escape"\n')
    err = _refused(run_cli("--config", str(toml), "export", env=env))
    assert "[release] name must be a Hub name" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["curate.toml", "ws"]
    assert not (workspace / "releases").exists()
