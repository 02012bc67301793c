"""`curate publish` against the test Hub (tests/hubserver.py) through the real
`huggingface_hub` client, and the releases read back with the real `datasets.load_dataset`."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import free_port, run_cli
from releasefolder import build_release, load_all, rows_v1, rows_v2

from curate.errors import CurateError
from curate.publish import publish
from curate.release.manifest import verify_manifest, write_manifest

_names = itertools.count()
# the client uploads LFS files with httpx2's deprecated `data=<file>`: not ours to fix
pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")
V1_STALE = "data/German/train-00000-of-00001.parquet"


def repo_name(hub, org: str = "curate-test") -> str:
    """A repository id of its own for every publish of every test."""
    return f"{org}/cc-{hub.port}-{next(_names)}"


def api(hub, token: str | None = None):
    from huggingface_hub import HfApi

    return HfApi(endpoint=hub.endpoint, token=token or hub.token)


def state(hub, repo_id: str) -> dict:
    """Branch head, tags and commit titles of a repository, read through the client."""
    client = api(hub)
    refs = client.list_repo_refs(repo_id, repo_type="dataset")
    commits = client.list_repo_commits(repo_id, repo_type="dataset")
    return {
        "head": refs.branches[0].target_commit,
        "tags": {t.name: t.target_commit for t in refs.tags},
        "titles": [c.title for c in commits],
    }


def writes(hub, since: int) -> list[tuple[str, str, int]]:
    return [r for r in hub.requests[since:] if r[0] not in ("GET", "HEAD")]


@pytest.fixture
def v1(tmp_path: Path) -> Path:
    return build_release(tmp_path / "v1", "1.0.0", "text", rows_v1())


@pytest.fixture
def v2(tmp_path: Path) -> Path:
    return build_release(tmp_path / "v2", "1.1.0", "text", rows_v2())


def cli_publish(hub, *args: str, token: str | None = None) -> subprocess.CompletedProcess:
    return run_cli("publish", *args, env={"HF_TOKEN": token or hub.token})


# -- the manifest ----------------------------------------------------------------------------


def test_manifest_lists_every_file_and_catches_any_change(v1: Path):
    manifest = verify_manifest(v1)
    assert set(manifest["files"]) == {
        "README.md",
        "croissant.json",
        "CHANGELOG.md",
        "data/all/train-00000-of-00001.parquet",
        "data/all/test-00000-of-00001.parquet",
        V1_STALE,
    }
    assert (manifest["version"], manifest["mode"]) == ("1.0.0", "text")
    (v1 / "CHANGELOG.md").write_text("# Changelog\n\n## 1.0.1\n")  # same size, other bytes
    (v1 / "notes.txt").write_text("x")
    (v1 / "croissant.json").unlink()
    with pytest.raises(CurateError) as err:
        verify_manifest(v1)
    msg = str(err.value)
    assert "3 problem(s)" in msg
    assert "sha256 differs: CHANGELOG.md" in msg
    assert "not in the manifest: notes.txt" in msg
    assert "missing: croissant.json" in msg
    (v1 / "notes.txt").unlink()
    with pytest.raises(CurateError, match=r"size differs: CHANGELOG\.md"):
        (v1 / "CHANGELOG.md").write_text("# Changelog\n")
        verify_manifest(v1)


def test_a_folder_that_does_not_match_its_manifest_is_not_published(hub_server, v1: Path):
    (v1 / "data/all/test-00000-of-00001.parquet").write_bytes(b"PAR1 truncated")
    proc = cli_publish(hub_server, str(v1), "--repo", repo_name(hub_server))
    assert proc.returncode == 2, proc.stderr
    assert "does not match its MANIFEST.json" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert hub_server.requests == []  # refused before anything is sent


def test_a_card_the_hub_refuses_is_not_published(hub_server, tmp_path: Path):
    folder = build_release(tmp_path / "bad", "1.0.0", "text", rows_v1(), license="cc-by-forever")
    repo_id = repo_name(hub_server)
    since = len(hub_server.requests)
    proc = cli_publish(hub_server, str(folder), "--repo", repo_id)
    assert proc.returncode == 2, proc.stderr
    assert "the Hub refuses the dataset card's metadata" in proc.stderr
    assert "cc-by-forever" in proc.stderr and "Traceback" not in proc.stderr
    sent = [r for r in hub_server.requests[since:] if r[0] not in ("GET", "HEAD")]
    assert [r[1] for r in sent] == ["/api/validate-yaml"]  # checked, nothing created
    assert hub_server.meta(repo_id) is None


# -- publish, publish again, read back -------------------------------------------------------


def test_two_versions_published_and_loaded_back(hub_server, v1: Path, v2: Path, tmp_path):
    repo_id = repo_name(hub_server)
    first = cli_publish(hub_server, str(v1), "--repo", repo_id, "--public", "--gated", "auto")
    assert first.returncode == 0, first.stderr
    assert "published v1.0.0" in first.stdout
    meta = hub_server.meta(repo_id)
    assert (meta.private, meta.gated) == (False, "auto")
    after_v1 = state(hub_server, repo_id)
    assert after_v1["tags"] == {"v1.0.0": after_v1["head"]}
    assert after_v1["titles"] == ["Release v1.0.0", "initial commit"]
    # everything .parquet is stored in LFS, the rest as regular git blobs
    listing = api(hub_server).list_repo_tree(
        repo_id, repo_type="dataset", recursive=True, revision="v1.0.0"
    )
    tree = {f.path: f for f in listing if hasattr(f, "lfs")}
    assert tree[V1_STALE].lfs is not None and tree["README.md"].lfs is None

    second = cli_publish(hub_server, str(v2), "--repo", repo_id)
    assert second.returncode == 0, second.stderr
    assert f"delete   {V1_STALE}" in second.stdout
    after_v2 = state(hub_server, repo_id)
    assert after_v2["titles"] == ["Release v1.1.0", "Release v1.0.0", "initial commit"]
    assert after_v2["tags"] == {"v1.0.0": after_v1["head"], "v1.1.0": after_v2["head"]}
    assert (hub_server.meta(repo_id).private, hub_server.meta(repo_id).gated) == (False, "auto")
    # one commit per version; the stale file is gone at v1.1.0 but kept at v1.0.0
    files_v1 = hub_server.files_at(repo_id, "v1.0.0")
    files_v2 = hub_server.files_at(repo_id, "v1.1.0")
    assert V1_STALE in files_v1 and V1_STALE not in files_v2
    assert files_v1[V1_STALE] == (v1 / V1_STALE).read_bytes()
    expected_v2 = {p.relative_to(v2).as_posix() for p in v2.rglob("*") if p.is_file()}
    assert set(files_v2) == expected_v2 | {".gitattributes"}

    loaded = load_all(
        [
            [repo_id, "all", "v1.0.0"],
            [repo_id, "German", "v1.0.0"],
            [repo_id, "all", "v1.1.0"],
            [str(v1), "all", None],
            [str(v1), "German", None],
        ],
        tmp_path / "datasets-cache",
        env={"HF_TOKEN": hub_server.token},  # the repository is gated
    )
    hub_v1_all, hub_v1_german, hub_v2_all, local_v1_all, local_v1_german = loaded
    assert not [r["error"] for r in loaded if "error" in r]
    assert hub_v1_all == local_v1_all
    assert hub_v1_german == local_v1_german
    for split, rows in rows_v1()["all"].items():
        assert hub_v1_all[split]["rows"] == rows
        assert hub_v1_all[split]["features"]["culture"]["_type"] == "ClassLabel"
        assert hub_v1_all[split]["features"]["distress_spans"]["_type"] == "List"
    assert {s: len(d["rows"]) for s, d in hub_v1_all.items()} == {"train": 4, "test": 2}
    assert {s: len(d["rows"]) for s, d in hub_v2_all.items()} == {"train": 5, "test": 2}
    assert hub_v2_all["train"]["rows"] == rows_v2()["all"]["train"]


def test_gated_release_is_not_readable_without_a_token(hub_server, v1: Path, tmp_path):
    repo_id = repo_name(hub_server)
    publish(v1, repo_id, private=False, gated="manual", token=hub_server.token)
    private_id = repo_name(hub_server)
    publish(v1, private_id, token=hub_server.token)
    gated, private = load_all(
        [[repo_id, "all", "v1.0.0"], [private_id, "all", "v1.0.0"]], tmp_path / "cache"
    )
    assert "is a gated dataset on the Hub" in gated["error"]
    # a private one does not even exist for an anonymous reader
    assert "doesn't exist on the Hub or cannot be accessed" in private["error"]


# -- dry run, refusals ---------------------------------------------------------------------


def test_dry_run_lists_everything_and_changes_nothing(hub_server, v1: Path, v2: Path):
    repo_id = repo_name(hub_server)
    since = len(hub_server.requests)
    proc = cli_publish(hub_server, str(v1), "--repo", repo_id, "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert f"create   dataset repo {repo_id} (private=True)" in proc.stdout
    assert hub_server.meta(repo_id) is None and not writes(hub_server, since)

    publish(v1, repo_id, token=hub_server.token)
    before = state(hub_server, repo_id)
    since = len(hub_server.requests)
    proc = cli_publish(hub_server, str(v2), "--repo", repo_id, "--dry-run", "--gated", "auto")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    manifest = json.loads((v2 / "MANIFEST.json").read_text())
    train = "data/all/train-00000-of-00001.parquet"
    entry = manifest["files"][train]
    assert f"add      {train}  {entry['bytes']} bytes  sha256 {entry['sha256']}  [changed]" in out
    assert "keep     data/all/test-00000-of-00001.parquet" in out  # identical bytes
    assert f"delete   {V1_STALE}" in out
    assert "setting  gated = auto" in out
    assert f"commit   'Release v1.1.0' on main, parent {before['head']}" in out
    assert "tag      v1.1.0" in out and "dry run: nothing was sent" in out
    assert hub_server.token not in out + proc.stderr
    assert state(hub_server, repo_id) == before
    assert hub_server.meta(repo_id).gated is False
    assert not writes(hub_server, since)


def test_text_mode_is_refused_on_a_public_ungated_repo(hub_server, v1: Path, tmp_path):
    repo_id = repo_name(hub_server)
    proc = cli_publish(hub_server, str(v1), "--repo", repo_id, "--public")
    assert proc.returncode == 2
    assert "refusing to publish a text-mode release" in proc.stderr
    assert hub_server.meta(repo_id) is None  # not even created
    # an existing public repository: refused unless the publish gates it
    hub_server.create_repo(repo_id, private=False)
    with pytest.raises(CurateError, match="public, ungated"):
        publish(v1, repo_id, token=hub_server.token)
    assert hub_server.files_at(repo_id, "main").keys() == {".gitattributes"}
    publish(v1, repo_id, gated="manual", token=hub_server.token)
    assert hub_server.meta(repo_id).gated == "manual"
    # a reference-mode release (no texts) may be public
    ref = build_release(tmp_path / "ref", "1.0.0", "reference", rows_v1())
    public_id = repo_name(hub_server)
    publish(ref, public_id, private=False, token=hub_server.token)
    assert hub_server.meta(public_id).private is False


def test_an_existing_tag_is_never_moved(hub_server, v1: Path):
    repo_id = repo_name(hub_server)
    publish(v1, repo_id, token=hub_server.token)
    before = state(hub_server, repo_id)
    proc = cli_publish(hub_server, str(v1), "--repo", repo_id)
    assert proc.returncode == 2
    assert "already has the tag v1.0.0" in proc.stderr
    assert hub_server.token not in proc.stdout + proc.stderr
    assert state(hub_server, repo_id) == before


# -- interrupted publishes -----------------------------------------------------------------


@pytest.mark.parametrize("mode", ["status", "disconnect"])
def test_a_failed_commit_leaves_no_version_and_no_tag(hub_server, v1: Path, v2: Path, mode):
    repo_id = repo_name(hub_server)
    publish(v1, repo_id, token=hub_server.token)
    before = state(hub_server, repo_id)
    hub_server.fail_next("commit", mode=mode)
    proc = cli_publish(hub_server, str(v2), "--repo", repo_id)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert ("HTTP 500" if mode == "status" else "cannot reach the Hub") in proc.stderr
    assert state(hub_server, repo_id) == before  # no commit, no tag
    assert V1_STALE in hub_server.files_at(repo_id, "main")
    publish(v2, repo_id, token=hub_server.token)  # the re-run publishes normally
    assert set(state(hub_server, repo_id)["tags"]) == {"v1.0.0", "v1.1.0"}


@pytest.mark.parametrize(
    "kind,mode", [("tag", "status"), ("commit", "after")], ids=["tag-fails", "commit-answer-lost"]
)
def test_a_rerun_after_the_commit_only_adds_the_tag(hub_server, v1: Path, kind, mode):
    repo_id = repo_name(hub_server)
    hub_server.fail_next(kind, mode=mode)
    proc = cli_publish(hub_server, str(v1), "--repo", repo_id)
    assert proc.returncode == 2
    half = state(hub_server, repo_id)
    assert half["titles"][0] == "Release v1.0.0" and half["tags"] == {}
    if kind == "tag":
        assert "the tag failed" in proc.stderr and "Re-run the same command" in proc.stderr
    rerun = cli_publish(hub_server, str(v1), "--repo", repo_id)
    assert rerun.returncode == 0, rerun.stderr
    assert "resume" in rerun.stdout and f"resumed: tagged v1.0.0 on {half['head']}" in rerun.stdout
    done = state(hub_server, repo_id)
    assert done["titles"] == half["titles"]  # no second commit
    assert done["tags"] == {"v1.0.0": half["head"]}


def test_a_concurrent_change_makes_the_commit_fail(hub_server, v1: Path, v2: Path):
    repo_id = repo_name(hub_server)
    publish(v1, repo_id, token=hub_server.token)
    hub_server.before_next(
        "commit", lambda: hub_server.commit_files(repo_id, {"notes.md": b"hi\n"}, "someone else")
    )
    with pytest.raises(CurateError, match=r"changed while publishing \(412"):
        publish(v2, repo_id, token=hub_server.token)
    now = state(hub_server, repo_id)
    assert now["titles"][:2] == ["someone else", "Release v1.0.0"]
    assert set(now["tags"]) == {"v1.0.0"}
    assert V1_STALE in hub_server.files_at(repo_id, "main")


# -- tokens and errors ---------------------------------------------------------------------


def test_token_errors_are_clear_and_no_token_is_ever_printed(hub_server, v1: Path, tmp_path):
    repo_id = repo_name(hub_server)
    secret = hub_server.token
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    runs = {
        "ok": run_cli("publish", str(v1), "--repo", repo_id, env={"HF_TOKEN": secret}),
        "bad": run_cli("publish", str(v1), "--repo", repo_id, env={"HF_TOKEN": "hf_bad_secret"}),
        "read": run_cli("publish", str(v1), "--repo", repo_id,
                        env={"HF_TOKEN": hub_server.read_token}),
        "other-ns": run_cli("publish", str(v1), "--repo", "other-org/cc",
                            env={"HF_TOKEN": secret}),
        "down": run_cli("publish", str(v1), "--repo", repo_id, "--endpoint", closed,
                        env={"HF_TOKEN": secret}),
        "none": run_cli("publish", str(v1), "--repo", repo_id),
    }  # fmt: skip
    assert runs["ok"].returncode == 0, runs["ok"].stderr
    expected = {
        "bad": "rejected the token (401)",
        "read": "the token is read-only",
        "other-ns": "belongs to the namespace 'other-org'",
        "down": f"cannot reach the Hub at {closed}",
        "none": "no Hugging Face token",
    }
    for name, text in expected.items():
        proc = runs[name]
        assert proc.returncode == 2, (name, proc.stderr)
        assert text in proc.stderr, (name, proc.stderr)
        assert "Traceback" not in proc.stderr
    for name, proc in runs.items():
        for token in (secret, "hf_bad_secret", hub_server.read_token):
            assert token not in proc.stdout + proc.stderr, name


def test_the_token_can_come_from_the_login_cache(hub_server, v1: Path, tmp_path):
    import os

    home = Path(os.environ["HF_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    (home / "token").write_text(hub_server.token)
    proc = run_cli("publish", str(v1), "--repo", repo_name(hub_server), "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert "(as curator)" in proc.stdout and hub_server.token not in proc.stdout


def test_a_release_without_a_curate_block_is_refused(tmp_path: Path, v1: Path):
    folder = tmp_path / "copy"
    shutil.copytree(v1, folder)
    (folder / "README.md").write_text("---\nlicense: mit\n---\n# x\n")
    write_manifest(folder, "culturecare", "1.0.0", "text")
    with pytest.raises(CurateError, match=r"no `curate: \{version, mode\}` block"):
        publish(folder, "curate-test/x", token="unused")
    (folder / "README.md").write_text(
        (v1 / "README.md").read_text().replace("version: 1.0.0", "version: 1.0.1")
    )
    write_manifest(folder, "culturecare", "1.0.0", "text")
    with pytest.raises(CurateError, match=r"the card says v1\.0\.1"):
        publish(folder, "curate-test/x", token="unused")
