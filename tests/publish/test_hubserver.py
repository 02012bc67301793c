"""The test Hub itself, through the real `huggingface_hub` client: the parts of the protocol
the publish tests do not reach (atomicity on a bad operation, ranges, folders, errors)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")


@pytest.fixture
def client(hub_server):
    from huggingface_hub import HfApi

    api = HfApi(endpoint=hub_server.endpoint, token=hub_server.token)
    api.create_repo("curate-test/proto", repo_type="dataset", private=True)
    return api


def test_a_commit_is_all_or_nothing(hub_server, client):
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete
    from huggingface_hub.errors import HfHubHTTPError, RemoteEntryNotFoundError

    head = client.dataset_info("curate-test/proto").sha
    ops = [
        CommitOperationAdd(path_in_repo="a/one.txt", path_or_fileobj=b"one\n"),
        CommitOperationDelete(path_in_repo="not-there.txt"),
    ]
    with pytest.raises(RemoteEntryNotFoundError):
        client.create_commit("curate-test/proto", ops, commit_message="x", repo_type="dataset")
    assert client.dataset_info("curate-test/proto").sha == head
    # an LFS file whose object never reached the store: refused, nothing changes
    big = CommitOperationAdd(path_in_repo="x.parquet", path_or_fileobj=b"PAR1" * 10)
    client.preupload_lfs_files("curate-test/proto", additions=[big], repo_type="dataset")
    for p in hub_server.lfs.root.rglob("*"):
        if p.is_file():
            p.unlink()  # the object is lost on the server side
    with pytest.raises(HfHubHTTPError) as err:
        client.create_commit("curate-test/proto", [big], commit_message="x", repo_type="dataset")
    assert err.value.response.status_code == 422
    assert client.dataset_info("curate-test/proto").sha == head


def test_folders_ranges_paths_info_and_tags(hub_server, client):
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete, HfFileSystem
    from huggingface_hub.errors import HfHubHTTPError, RevisionNotFoundError

    repo = "curate-test/proto"
    ops = [
        CommitOperationAdd(path_in_repo=f"d/{n}.txt", path_or_fileobj=f"{n}\n".encode())
        for n in ("a", "b")
    ] + [CommitOperationAdd(path_in_repo="big.parquet", path_or_fileobj=bytes(range(256)) * 8)]
    first = client.create_commit(repo, ops, commit_message="files", repo_type="dataset")
    client.create_tag(repo, tag="t1", revision=first.oid, repo_type="dataset")
    with pytest.raises(HfHubHTTPError) as err:
        client.create_tag(repo, tag="t1", revision=first.oid, repo_type="dataset")
    assert err.value.response.status_code == 409
    infos = client.get_paths_info(repo, ["d", "big.parquet", "nope"], repo_type="dataset")
    kinds = {i.path: type(i).__name__ for i in infos}
    assert kinds == {"d": "RepoFolder", "big.parquet": "RepoFile"}
    big = next(i for i in infos if i.path == "big.parquet")
    assert big.lfs is not None and big.size == 2048
    # ranged reads of an LFS file, as HfFileSystem does them
    fs = HfFileSystem(endpoint=hub_server.endpoint, token=hub_server.token)
    with fs.open(f"datasets/{repo}@t1/big.parquet", "rb", block_size=100) as f:
        f.seek(300)
        assert f.read(4) == bytes([44, 45, 46, 47])
    assert any(status == 206 for _m, _p, status in hub_server.requests)  # partial content
    assert sorted(fs.ls(f"datasets/{repo}@t1/d", detail=False)) == [
        f"datasets/{repo}@t1/d/a.txt",
        f"datasets/{repo}@t1/d/b.txt",
    ]
    client.create_commit(
        repo,
        [CommitOperationDelete(path_in_repo="d/")],
        commit_message="rm d",
        repo_type="dataset",
    )
    assert hub_server.files_at(repo, "main").keys() == {".gitattributes", "big.parquet"}
    assert hub_server.files_at(repo, "t1")["d/a.txt"] == b"a\n"
    client.delete_tag(repo, tag="t1", repo_type="dataset")
    with pytest.raises(RevisionNotFoundError):
        client.dataset_info(repo, revision="t1")


def test_access_rules(hub_server, client):
    from huggingface_hub import HfApi
    from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError

    anonymous = HfApi(endpoint=hub_server.endpoint, token=False)
    with pytest.raises(RepositoryNotFoundError):
        anonymous.dataset_info("curate-test/proto")  # private
    client.update_repo_settings("curate-test/proto", repo_type="dataset", private=False)
    assert anonymous.dataset_info("curate-test/proto").private is False
    reader = HfApi(endpoint=hub_server.endpoint, token=hub_server.read_token)
    with pytest.raises(HfHubHTTPError) as err:
        reader.create_tag("curate-test/proto", tag="x", repo_type="dataset")
    assert err.value.response.status_code == 403
    with pytest.raises(HfHubHTTPError) as err:
        client.create_repo("other-org/nope", repo_type="dataset")
    assert err.value.response.status_code == 403
    with pytest.raises(HfHubHTTPError) as err:
        HfApi(endpoint=hub_server.endpoint, token="hf_wrong").whoami()
    assert err.value.response.status_code == 401
