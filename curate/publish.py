"""`curate publish`: push a release folder (made by `curate export`) to a Hugging Face Hub
dataset repository as one atomic commit, then tag it `vX.Y.Z`.

Why it is built this way:

* A version is published whole or not at all. Every file of the release (adds) and every
  stale file of the previous version (deletes) go in ONE `create_commit`, whose
  `parent_commit` is the branch head read just before: the Hub applies it atomically, and
  refuses it (HTTP 412) if anyone else moved the branch meanwhile, so no mix of two
  versions can ever be the head.
* The tag comes after the commit, so a run can stop in between (network, Ctrl-C). A
  re-run sees that the head already holds exactly this release's files and no tag, and
  only adds the tag (resume). An existing tag is never moved: versions are immutable.
* Versions only move forward: a version that is not newer than the repository's newest
  (its `vX.Y.Z` tags, and a release commit at the head whose tag was lost) is refused,
  unless `--force` comes with a `--reason`, which goes into the commit description. A
  release commit whose tag was lost is not "older": re-running it resumes.
* Text-mode releases carry de-identified posts: they may only go to a private or gated
  repository. The check runs on the settings the repository will have, before any upload,
  and settings are applied before the commit.
* The folder is checked against its `MANIFEST.json` first, so what is published is exactly
  what `curate export` wrote.
* The token (HF_TOKEN or the `hf auth login` cache) is never printed: error messages are
  our own, and anything quoted from the server is scrubbed of it.
* Given the workspace's store, a publish is a "publish" run of its run log, completed with
  the repository, tag, revision and file counts, or failed; never with the token.
"""

from __future__ import annotations

import hashlib
import importlib
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from curate.errors import CurateError
from curate.release.info import MODES, check_hub_name, parse_version
from curate.release.manifest import MANIFEST, sha256_file, verify_manifest

if TYPE_CHECKING:
    from curate.store import Store

PUBLISH_COMMAND = "publish"

REPO_TYPE = "dataset"
GATED = {"auto": "auto", "manual": "manual", "none": False}
KEEP_REMOTE = frozenset({".gitattributes"})  # Hub-made, not part of a release: never deleted
_RELEASE_TITLE = re.compile(r"Release v(\S+)")  # Release.message, read back from the Hub


@dataclass
class Release:
    """A verified release folder."""

    folder: Path
    name: str
    version: str
    mode: str
    files: dict[str, dict[str, Any]]  # relative path -> {"sha256", "bytes"} (manifest included)

    @property
    def tag(self) -> str:
        return f"v{self.version}"

    @property
    def message(self) -> str:
        return f"Release v{self.version}"


@dataclass
class FileAdd:
    path: str
    bytes: int
    sha256: str
    status: str  # "new" | "changed" | "unchanged"


@dataclass
class Plan:
    """What a publish will do; `--dry-run` prints it and stops."""

    repo_id: str
    endpoint: str
    user: str
    release: Release
    create: bool
    private: bool  # the repository's visibility after publishing
    gated: str | bool  # "auto" | "manual" | False, after publishing
    settings: dict[str, Any]  # settings to change: {"private": bool, "gated": ...}
    parent: str | None  # branch head the commit builds on (None: repo to be created)
    parent_title: str | None = None
    # when --force let a version through that is not newer than the repository's newest:
    # "v1.0.1 is not newer than v1.1.0, the newest in ORG/NAME; ... reason: ..."
    forced: str | None = None
    adds: list[FileAdd] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)

    @property
    def changes(self) -> list[FileAdd]:
        return [a for a in self.adds if a.status != "unchanged"]

    @property
    def resume(self) -> bool:
        """The head already holds exactly this release: only the tag is missing."""
        return not self.create and not self.changes and not self.deletes

    def lines(self) -> list[str]:
        r = self.release
        gated = self.gated or "no"
        out = [
            f"release  {r.name} v{r.version} ({r.mode} mode) from {r.folder}",
            f"repo     {self.endpoint}/datasets/{self.repo_id} (as {self.user})",
        ]
        if self.create:
            out.append(f"create   dataset repo {self.repo_id} (private={self.private})")
        for key, value in self.settings.items():
            out.append(f"setting  {key} = {value}")
        out.append(f"access   private={self.private}, gated={gated}")
        if self.forced:
            out.append(f"force    {self.forced}")
        if self.resume:
            out.append(
                f"resume   the head {self.parent} already holds these files"
                f" ({self.parent_title!r}): only the tag is added"
            )
        else:
            for a in self.adds:
                verb = "keep" if a.status == "unchanged" else "add"
                out.append(f"{verb:<8} {a.path}  {a.bytes} bytes  sha256 {a.sha256}  [{a.status}]")
            out += [f"delete   {path}" for path in self.deletes]
            out.append(f"commit   {r.message!r} on main, parent {self.parent or '(new repo)'}")
        out.append(f"tag      {r.tag}")
        return out


@dataclass
class Result:
    plan: Plan
    commit: str | None = None  # the release commit (None on a dry run)
    tagged: bool = False
    resumed: bool = False

    def run_counts(self) -> dict[str, Any]:
        """The counts of the publish's run: where to, which version, what was sent (file
        counts), the commit; never the token (the endpoint without any user part)."""
        plan = self.plan
        url = urlsplit(plan.endpoint)
        host = (url.hostname or "") + (f":{url.port}" if url.port else "")
        return {
            "repo": plan.repo_id,
            "endpoint": url._replace(netloc=host, query="", fragment="").geturl(),
            "version": plan.release.version,
            "mode": plan.release.mode,
            "tag": plan.release.tag,
            "revision": self.commit,
            "dry_run": self.commit is None,
            "created": plan.create,
            "resumed": self.resumed,
            "tagged": self.tagged,
            "files": len(plan.adds),
            "changed": len(plan.changes),
            "deleted": len(plan.deletes),
            "private": plan.private,
            "gated": plan.gated,
            "forced": plan.forced is not None,
        }


# -- the release folder ---------------------------------------------------------------------


def read_card_header(readme: Path) -> dict[str, Any]:
    """The YAML metadata block at the top of a dataset card."""
    import yaml

    if not readme.is_file():
        raise CurateError(f"{readme.parent} has no README.md (the dataset card)")
    text = readme.read_text(encoding="utf-8")
    match = re.match(r"^---\r?\n(.*?)\r?\n---\r?\n", text, flags=re.S)
    if not match:
        raise CurateError(f"{readme} has no YAML header (--- ... ---)")
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise CurateError(f"{readme}: invalid YAML header: {exc}") from None
    if not isinstance(meta, dict):
        raise CurateError(f"{readme}: the YAML header is not a mapping")
    return meta


def read_release(folder: Path) -> Release:
    """Verify the folder against its manifest and read what is being released."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CurateError(f"{folder} is not a folder")
    manifest = verify_manifest(folder)
    block = read_card_header(folder / "README.md").get("curate")
    if not isinstance(block, dict) or "version" not in block or "mode" not in block:
        raise CurateError(f"{folder}/README.md has no `curate: {{version, mode}}` block")
    version, mode = str(block["version"]), str(block["mode"])
    parse_version(version, f"the release version in {folder}/README.md")
    if mode not in MODES:
        raise CurateError(f"release mode {mode!r} is not one of {', '.join(MODES)}")
    if (str(manifest["version"]), str(manifest["mode"])) != (version, mode):
        raise CurateError(
            f"the card says v{version} ({mode}) but {MANIFEST} says "
            f"v{manifest['version']} ({manifest['mode']}): re-run `curate export`"
        )
    check_hub_name(str(manifest["name"]), f"the release name in {folder}/{MANIFEST}")
    files = dict(manifest["files"])
    path = folder / MANIFEST
    files[MANIFEST] = {"sha256": sha256_file(path), "bytes": path.stat().st_size}
    return Release(folder, str(manifest["name"]), version, mode, files)


def git_blob_sha1(path: Path) -> str:
    """The git object id of a file, as the Hub reports it for regular (non-LFS) files."""
    digest = hashlib.sha1(f"blob {path.stat().st_size}\0".encode())
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# -- errors ---------------------------------------------------------------------------------


def _transport_errors() -> tuple[type[BaseException], ...]:
    """Connection-level errors of the HTTP library huggingface_hub uses (httpx2 in 2.x,
    httpx in 1.x)."""
    found = []
    for name in ("httpx2", "httpx"):
        with suppress(ImportError, AttributeError):
            found.append(importlib.import_module(name).TransportError)
    return tuple(found)


def _scrub(text: str, token: str | None) -> str:
    return text.replace(token, "***") if token else text


def _cause_chain(exc: BaseException) -> str:
    parts, seen = [], set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        first = str(cur).strip().splitlines()[0] if str(cur).strip() else type(cur).__name__
        parts.append(first)
        cur = cur.__cause__ or cur.__context__
    return ": ".join(parts)


@contextmanager
def _hub_step(step: str, endpoint: str, repo_id: str, token: str | None) -> Iterator[None]:
    """Turn client errors into CurateErrors that say what failed, and what state the
    repository is left in."""
    from huggingface_hub.errors import HfHubHTTPError, OfflineModeIsEnabled

    try:
        yield
    except CurateError:
        raise
    except OfflineModeIsEnabled:
        raise CurateError("HF_HUB_OFFLINE is set: unset it to publish") from None
    except HfHubHTTPError as exc:
        status = exc.response.status_code if exc.response is not None else None
        server = (exc.server_message or "").strip().splitlines()
        detail = f" (server: {server[0]})" if server else ""
        if status == 401:
            msg = (
                f"the Hub at {endpoint} rejected the token (401) while {step}: set a valid "
                "HF_TOKEN or run `hf auth login`"
            )
        elif status == 403:
            msg = f"forbidden (403) while {step}: the token may not write to {repo_id}{detail}"
        elif status == 412:
            msg = (
                f"{repo_id} changed while publishing (412: its main branch moved after it was "
                "read). Nothing was committed; check what changed, then re-run."
            )
        elif status == 404:
            msg = f"not found (404) while {step} on {repo_id}{detail}"
        else:
            msg = f"the Hub answered HTTP {status} while {step} on {repo_id}{detail}"
        raise CurateError(_scrub(msg, token)) from None
    except _transport_errors() as exc:
        raise CurateError(
            _scrub(
                f"cannot reach the Hub at {endpoint} while {step} "
                f"({type(exc).__name__}: {_cause_chain(exc)})",
                token,
            )
        ) from None
    except (RuntimeError, ValueError, OSError) as exc:  # client-side failures (upload, YAML)
        raise CurateError(_scrub(f"failed while {step}: {_cause_chain(exc)}", token)) from None


# -- planning (reads only) ------------------------------------------------------------------


def _remote_files(api, repo_id: str, revision: str) -> dict[str, Any]:
    from huggingface_hub.hf_api import RepoFile

    tree = api.list_repo_tree(repo_id, repo_type=REPO_TYPE, recursive=True, revision=revision)
    return {f.path: f for f in tree if isinstance(f, RepoFile)}


def _same(remote, local: Path, entry: dict[str, Any]) -> bool:
    if remote.lfs is not None:
        return remote.lfs.sha256 == entry["sha256"] and remote.lfs.size == entry["bytes"]
    return remote.size == entry["bytes"] and remote.blob_id == git_blob_sha1(local)


def _diff(plan: Plan, api) -> None:
    """Fill the plan's adds and deletes from the files at the plan's parent commit."""
    remote = _remote_files(api, plan.repo_id, plan.parent) if plan.parent else {}
    release = plan.release
    plan.adds = []
    for rel, entry in sorted(release.files.items()):
        r = remote.get(rel)
        if r is None:
            status = "new"
        else:
            status = "unchanged" if _same(r, release.folder / rel, entry) else "changed"
        plan.adds.append(FileAdd(rel, int(entry["bytes"]), str(entry["sha256"]), status))
    plan.deletes = sorted(p for p in remote if p not in release.files and p not in KEEP_REMOTE)


def _version_key(text: str) -> tuple[int, int, int] | None:
    try:
        return parse_version(text)
    except CurateError:
        return None  # a tag or commit that is not a release: not a version


def published_versions(tags: Iterable[str], head_title: str | None) -> list[str]:
    """Versions the repository holds: its `vX.Y.Z` tags, and the release commit at the
    head (whose tag may have been lost), oldest first."""
    found = {t[1:] for t in tags if t.startswith("v") and _version_key(t[1:])}
    if head_title and (m := _RELEASE_TITLE.fullmatch(head_title)) and _version_key(m[1]):
        found.add(m[1])
    return sorted(found, key=parse_version)


def check_newer(
    release: Release, repo_id: str, published: list[str], reason: str | None
) -> str | None:
    """None when `release` is newer than every published version. Otherwise a CurateError,
    or with --force (`reason` given) what is being overridden and why, for the record."""
    key = parse_version(release.version)
    blocking = [v for v in published if parse_version(v) >= key]
    if not blocking:
        return None
    newest = blocking[-1]
    if newest == release.version:  # untagged, and not a resume: other files
        what = f"the head of {repo_id} is a release commit of v{newest} holding other files"
    else:
        what = f"v{release.version} is not newer than v{newest}, the newest in {repo_id}"
    if reason is None:
        raise CurateError(
            f"{what}: published versions only move forward; export a newer version, or "
            'publish it anyway with --force --reason "why"'
        )
    return f"{what}; published with --force, reason: {reason}"


def make_plan(
    api,
    release: Release,
    repo_id: str,
    *,
    endpoint: str,
    token: str,
    private: bool | None,
    gated: str | bool | None,
    force_reason: str | None = None,
) -> Plan:
    """Everything a publish will do, from read-only calls to the Hub. `force_reason`
    (--force --reason) lets a version through that is not newer than the repository's
    newest; an existing tag is refused all the same."""
    from huggingface_hub.errors import RepositoryNotFoundError

    ns = repo_id.split("/")[0]
    with _hub_step("checking the token", endpoint, repo_id, token):
        who = api.whoami(token=token)
    user = str(who.get("name"))
    orgs = [str(o.get("name")) for o in who.get("orgs") or []]
    if ns not in {user, *orgs}:
        raise CurateError(
            f"{repo_id} belongs to the namespace {ns!r}, which is neither your user ({user}) "
            f"nor one of your organizations ({', '.join(orgs) or 'none'})"
        )
    role = ((who.get("auth") or {}).get("accessToken") or {}).get("role")
    if role == "read":
        raise CurateError("the token is read-only: publishing needs a token with write access")
    with _hub_step("reading the repository", endpoint, repo_id, token):
        try:
            info = api.dataset_info(repo_id)
        except RepositoryNotFoundError:
            info = None
    exists = info is not None
    cur_private = bool(info.private) if exists else True
    cur_gated = (info.gated or False) if exists else False
    final_private = cur_private if private is None else private
    final_gated = cur_gated if gated is None else gated
    if release.mode == "text" and not final_private and not final_gated:
        raise CurateError(
            f"refusing to publish a text-mode release (de-identified posts) to {repo_id} as a "
            "public, ungated repository: use --private or --gated auto|manual "
            "(or export in reference mode)"
        )
    settings: dict[str, Any] = {}
    if exists and final_private != cur_private:
        settings["private"] = final_private
    if final_gated != cur_gated:
        settings["gated"] = final_gated
    plan = Plan(
        repo_id=repo_id,
        endpoint=endpoint,
        user=user,
        release=release,
        create=not exists,
        private=final_private,
        gated=final_gated,
        settings=settings,
        parent=info.sha if exists else None,
    )
    if exists:
        with _hub_step("reading the repository", endpoint, repo_id, token):
            refs = api.list_repo_refs(repo_id, repo_type=REPO_TYPE)
            tags = {t.name: t.target_commit for t in refs.tags}
            if release.tag in tags:
                raise CurateError(
                    f"{repo_id} already has the tag {release.tag} (commit {tags[release.tag]}): "
                    "a published version is immutable; export a new version to publish changes"
                )
            _diff(plan, api)
            commits = api.list_repo_commits(repo_id, repo_type=REPO_TYPE, revision=plan.parent)
            plan.parent_title = commits[0].title if commits else None
        if not plan.resume:  # a commit whose tag was lost is not "older": it resumes
            published = published_versions(tags, plan.parent_title)
            plan.forced = check_newer(release, repo_id, published, force_reason)
    else:
        _diff(plan, api)
    return plan


def check_repo_id(repo_id: str) -> None:
    """ORG/NAME, each a valid Hub name (checked in full: no trailing newline slips by)."""
    parts = repo_id.split("/") if isinstance(repo_id, str) else []
    if len(parts) != 2:
        raise CurateError(f"--repo takes ORG/NAME, not {repo_id!r}")
    check_hub_name(parts[0], "the ORG of --repo")
    check_hub_name(parts[1], "the NAME of --repo")


# -- publishing -----------------------------------------------------------------------------


def _apply_settings(api, plan: Plan, token: str) -> Any:
    step = _hub_step("changing the repository settings", plan.endpoint, plan.repo_id, token)
    with step:
        if plan.settings:
            api.update_repo_settings(
                plan.repo_id,
                repo_type=REPO_TYPE,
                private=plan.settings.get("private"),
                gated=plan.settings.get("gated"),
            )
        info = api.dataset_info(plan.repo_id)
    # Trust, but verify: text may only be uploaded once the repository is really closed.
    if plan.release.mode == "text" and not info.private and not info.gated:
        raise CurateError(
            f"{plan.repo_id} is still public and ungated after changing its settings: "
            "nothing was uploaded"
        )
    return info


def validate_card(release: Release, endpoint: str, repo_id: str, token: str) -> None:
    """The Hub's own check of the card's metadata, before anything is created or sent:
    the request huggingface_hub's `RepoCard.validate` makes (POST /api/validate-yaml),
    sent to this publish's endpoint (`validate` itself always asks the default one). The
    Hub knows rules no offline list has, such as its licence ids; export has checked the
    rest offline (`curate.release.card.metadata.metadata_problems`)."""
    from huggingface_hub import DatasetCard
    from huggingface_hub.utils import get_session, hf_raise_for_status

    card = DatasetCard.load(release.folder / "README.md")
    with _hub_step("validating the dataset card", endpoint, repo_id, token):
        response = get_session().post(
            f"{endpoint}/api/validate-yaml",
            json={"repoType": REPO_TYPE, "content": str(card)},
            headers={"Accept": "text/plain", "authorization": f"Bearer {token}"},
        )
        if response.status_code == 400:
            raise CurateError(
                "the Hub refuses the dataset card's metadata (README.md): "
                f"{_scrub(response.text, token)[:500]}; fix the facts file's `hub:` section "
                "or `license`, and export again"
            )
        hf_raise_for_status(response)


def execute(api, plan: Plan, token: str) -> Result:
    """Carry out a plan: create/configure the repository, commit, tag."""
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete

    release, repo_id, endpoint = plan.release, plan.repo_id, plan.endpoint
    result = Result(plan)
    validate_card(release, endpoint, repo_id, token)
    if plan.create:
        with _hub_step("creating the repository", endpoint, repo_id, token):
            api.create_repo(repo_id, repo_type=REPO_TYPE, private=plan.private)
    if plan.create or plan.settings:
        info = _apply_settings(api, plan, token)
        if plan.create:  # the Hub starts a repository with a commit of its own
            plan.parent = info.sha
            with _hub_step("reading the repository", endpoint, repo_id, token):
                _diff(plan, api)
    if plan.resume:
        result.commit, result.resumed = plan.parent, True
    else:
        operations: list[Any] = [
            CommitOperationAdd(path_in_repo=a.path, path_or_fileobj=str(release.folder / a.path))
            for a in plan.changes
        ]
        operations += [CommitOperationDelete(path_in_repo=p) for p in plan.deletes]
        description = (
            f"curate publish of {release.name} v{release.version} ({release.mode} mode): "
            f"{len(plan.changes)} file(s) added or changed, {len(plan.deletes)} deleted. "
            f"Every file is listed with its sha256 in {MANIFEST}."
        )
        if plan.forced:
            description += f"\n\nForced: {plan.forced}"
        with _hub_step("uploading and committing", endpoint, repo_id, token):
            info = api.create_commit(
                repo_id,
                operations,
                commit_message=release.message,
                commit_description=description,
                repo_type=REPO_TYPE,
                parent_commit=plan.parent,
            )
        result.commit = info.oid
    try:
        with _hub_step(f"tagging {release.tag}", endpoint, repo_id, token):
            api.create_tag(
                repo_id,
                tag=release.tag,
                revision=result.commit,
                tag_message=release.message,
                repo_type=REPO_TYPE,
            )
    except CurateError as exc:
        raise CurateError(
            f"the release commit {result.commit} is on main, but the tag failed: {exc}. "
            "Re-run the same command: it will only add the tag."
        ) from None
    result.tagged = True
    return result


def publish(
    folder: Path,
    repo_id: str,
    *,
    private: bool | None = None,
    gated: str | None = None,
    dry_run: bool = False,
    endpoint: str | None = None,
    token: str | None = None,
    force: bool = False,
    reason: str | None = None,
    store: Store | None = None,
) -> Result:
    """Publish `folder` to the dataset repository `repo_id` (see the module docstring).
    `gated` is "auto", "manual" or "none"; None keeps the repository's setting (new
    repositories: private, ungated, unless told otherwise). `force` (with a `reason`)
    publishes a version that is not newer than the repository's newest. With a `store`,
    logged as a "publish" run of that workspace (a dry run too)."""
    kwargs: dict[str, Any] = {
        "private": private, "gated": gated, "dry_run": dry_run, "force": force, "reason": reason,
    }  # fmt: skip
    if store is None:
        return _publish(folder, repo_id, endpoint=endpoint, token=token, **kwargs)
    counts: dict[str, Any] = {}
    with store.run(
        PUBLISH_COMMAND, {"folder": str(folder), "repo": repo_id, **kwargs}, lambda: counts
    ):
        result = _publish(folder, repo_id, endpoint=endpoint, token=token, **kwargs)
        counts.update(result.run_counts())
    return result


def _publish(
    folder: Path,
    repo_id: str,
    *,
    private: bool | None,
    gated: str | None,
    dry_run: bool,
    endpoint: str | None,
    token: str | None,
    force: bool,
    reason: str | None,
) -> Result:
    check_repo_id(repo_id)
    reason = " ".join((reason or "").split()) or None  # one line in the plan and the commit
    if force and reason is None:
        raise CurateError('--force needs --reason "why" (it is recorded in the release commit)')
    if reason is not None and not force:
        raise CurateError("--reason only goes with --force")
    if gated is not None and gated not in GATED:
        raise CurateError(f"--gated takes auto, manual or none, not {gated!r}")
    release = read_release(folder)

    from huggingface_hub import HfApi, constants, get_token
    from huggingface_hub.utils import disable_progress_bars

    disable_progress_bars()  # curate prints each operation itself; no bars in logs

    from curate import __version__

    token = token or get_token()
    if not token:
        raise CurateError(
            "no Hugging Face token: set HF_TOKEN or run `hf auth login` (a token with write access)"
        )
    endpoint = (endpoint or constants.ENDPOINT).rstrip("/")
    api = HfApi(endpoint=endpoint, token=token, library_name="curate", library_version=__version__)
    plan = make_plan(
        api,
        release,
        repo_id,
        endpoint=endpoint,
        token=token,
        private=private,
        gated=None if gated is None else GATED[gated],
        force_reason=reason if force else None,
    )
    if dry_run:
        return Result(plan)
    return execute(api, plan, token)
