"""Published versions only move forward (issue 12, point 6): a version is strict ASCII
SemVer, a tag that exists is never published again, and a version that is not newer
than the repository's newest needs --force with a recorded --reason. Against the test
Hub (tests/hubserver.py) through the real client and the real CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from releasefolder import build_release, rows_v1, rows_v2
from test_publish import api, cli_publish, repo_name, state

from curate.errors import CurateError
from curate.publish import publish

# the client uploads LFS files with httpx2's deprecated `data=<file>`: not ours to fix
pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")


def release(tmp_path: Path, version: str, rows=rows_v1) -> Path:
    return build_release(tmp_path / f"r-{version.encode().hex()}", version, "text", rows())


@pytest.fixture
def two_versions(hub_server, tmp_path: Path) -> str:
    """A repository holding v1.0.0 and v1.1.0 (tagged), as in the issue."""
    repo_id = repo_name(hub_server)
    publish(release(tmp_path, "1.0.0"), repo_id, token=hub_server.token)
    publish(release(tmp_path, "1.1.0", rows_v2), repo_id, token=hub_server.token)
    return repo_id


@pytest.mark.parametrize("version", ["1.0.0\n", "１.0.0", "01.0.0", "1.0.0-rc.1"])
def test_a_release_folder_with_a_version_that_is_not_strict_semver_is_refused(
    hub_server, tmp_path: Path, version: str
):
    folder = release(tmp_path, version)  # card and manifest both say it
    proc = cli_publish(hub_server, str(folder), "--repo", repo_name(hub_server))
    assert proc.returncode == 2, proc.stderr
    assert "the release version in" in proc.stderr and "major.minor.patch" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert hub_server.requests == []  # refused before anything is sent


def test_an_existing_tag_is_refused_even_with_force(hub_server, two_versions: str, tmp_path):
    """The issue's case: another 1.0.0 over a repo with v1.0.0 and v1.1.0 committed a
    "Release v1.0.0" over the newer content, then failed to tag."""
    before = state(hub_server, two_versions)
    other = release(tmp_path, "1.0.0", rows_v2)  # same version, other files
    for extra in ([], ["--force", "--reason", "re-do"]):
        proc = cli_publish(hub_server, str(other), "--repo", two_versions, *extra)
        assert proc.returncode == 2, proc.stderr
        assert "already has the tag v1.0.0" in proc.stderr and "Traceback" not in proc.stderr
    assert state(hub_server, two_versions) == before


def test_an_older_version_needs_force_and_a_reason_which_is_recorded(
    hub_server, two_versions: str, tmp_path
):
    before = state(hub_server, two_versions)
    backport = release(tmp_path, "1.0.1")
    proc = cli_publish(hub_server, str(backport), "--repo", two_versions)
    assert proc.returncode == 2
    assert f"v1.0.1 is not newer than v1.1.0, the newest in {two_versions}" in proc.stderr
    assert "--force --reason" in proc.stderr and "Traceback" not in proc.stderr
    proc = cli_publish(hub_server, str(backport), "--repo", two_versions, "--force")
    assert proc.returncode == 2 and "--force needs --reason" in proc.stderr
    proc = cli_publish(hub_server, str(backport), "--repo", two_versions, "--reason", "x")
    assert proc.returncode == 2 and "--reason only goes with --force" in proc.stderr
    assert state(hub_server, two_versions) == before

    reason = "fix of a mislabelled item for users pinned to 1.0"
    args = ["--repo", two_versions, "--force", "--reason", reason]
    proc = cli_publish(hub_server, str(backport), *args)
    assert proc.returncode == 0, proc.stderr
    assert "force    v1.0.1 is not newer than v1.1.0" in proc.stdout
    assert reason in proc.stdout and "published v1.0.1" in proc.stdout
    after = state(hub_server, two_versions)
    assert set(after["tags"]) == {"v1.0.0", "v1.1.0", "v1.0.1"}
    assert after["tags"]["v1.1.0"] == before["tags"]["v1.1.0"]  # never moved
    head = api(hub_server).list_repo_commits(two_versions, repo_type="dataset")[0]
    assert head.title == "Release v1.0.1" and reason in head.message


def test_an_untagged_release_commit_at_the_head_counts_and_resumes(hub_server, tmp_path):
    """A release whose tag was lost is not "older": re-running it only tags it, and an
    older version may not slip in over it."""
    repo_id = repo_name(hub_server)
    publish(release(tmp_path, "1.0.0"), repo_id, token=hub_server.token)
    hub_server.fail_next("tag", mode="status")
    v110 = release(tmp_path, "1.1.0", rows_v2)
    with pytest.raises(CurateError, match="the tag failed"):
        publish(v110, repo_id, token=hub_server.token)
    half = state(hub_server, repo_id)
    assert set(half["tags"]) == {"v1.0.0"} and half["titles"][0] == "Release v1.1.0"
    with pytest.raises(CurateError, match=r"v1\.0\.5 is not newer than v1\.1\.0"):
        publish(release(tmp_path, "1.0.5"), repo_id, token=hub_server.token)
    assert state(hub_server, repo_id) == half
    result = publish(v110, repo_id, token=hub_server.token)
    assert result.resumed and result.commit == half["head"]
    assert state(hub_server, repo_id)["tags"]["v1.1.0"] == half["head"]


@pytest.mark.parametrize("repo", ["curate-test/cc\n", "curate-test/../x", "a/b/c", "ｃｃ/x"])
def test_a_repo_id_is_checked_in_full(hub_server, tmp_path, repo: str):
    proc = cli_publish(hub_server, str(release(tmp_path, "1.0.0")), "--repo", repo)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "--repo" in proc.stderr
    assert hub_server.requests == []
