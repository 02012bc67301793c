"""A Hub-compatible HTTP server for tests: the real `huggingface_hub` client and
`datasets.load_dataset` talk to it as they would to huggingface.co.

Why a server of our own: the real Hub is unreachable from tests (and must not be written to),
and a mock of the client would test nothing. This server speaks the wire protocol of the
Hub's REST API as `huggingface_hub` 2.4 uses it (URLs, headers, JSON shapes, error codes in
`X-Error-Code`), and keeps the data the way the Hub does: one bare git repository per Hub
repository, driven with the `git` CLI (commits are built with `hash-object`, a temporary
index and `commit-tree`, then published with a compare-and-swap `update-ref`), and large
files in a content-addressed LFS store, referenced from git by pointer files.

What it implements (paths relative to the endpoint, `{t}` = models|datasets|spaces):

    GET  /api/whoami-v2                               token check (401 for unknown tokens)
    GET  /api/agent-harnesses                         (empty) registry the client's User-Agent reads
    POST /api/validate-yaml                           README metadata check before a commit
    POST /api/repos/create, DELETE /api/repos/delete  create (private or public) / delete
    GET  /api/{t}/{ns}/{name}[/revision/{rev}]        repo info: sha, siblings, private, gated,
                                                      cardData
    PUT  /api/{t}/{ns}/{name}/settings                visibility and gating
    GET  /api/{t}/{ns}/{name}/refs                    branches and tags
    GET  /api/{t}/{ns}/{name}/commits/{rev}           history
    GET  /api/{t}/{ns}/{name}/tree/{rev}[/{path}]     tree listing (recursive or not)
    POST /api/{t}/{ns}/{name}/paths-info/{rev}        info on given paths
    POST /api/{t}/{ns}/{name}/preupload/{rev}         regular vs LFS upload mode
    POST /api/{t}/{ns}/{name}/commit/{rev}            NDJSON commit, atomic, honours parentCommit
    POST /api/{t}/{ns}/{name}/tag/{rev}, DELETE .../tag/{tag}
    POST /{prefix}{ns}/{name}.git/info/lfs/objects/batch   LFS batch API (basic transfer)
    PUT  /_lfs/upload/{oid}, POST /_lfs/verify/{oid}, GET /_lfs/objects/{oid}  (signed URLs)
    GET|HEAD /{prefix}{ns}/{name}/resolve/{rev}/{path}     files, with Range support

Failures can be injected: `server.fail_next("commit")` answers the next commit with a 500;
`mode="disconnect"` closes the connection mid-request instead; `mode="after"` performs the
request and then answers 500 (a lost response). `server.before_next("commit", fn)` runs `fn`
just before the next commit is handled (to simulate a concurrent push).

Not implemented: pull requests, creating branches (there is `main`), Xet storage
(clients must set HF_HUB_DISABLE_XET=1), multipart LFS uploads, `.gitignore` handling,
pagination (every listing is one page). Repository settings live in memory: a server
restarted on the same root does not know its repositories any more.
"""

from __future__ import annotations

import base64
import contextlib
import fnmatch
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote

ZERO_OID = "0" * 40
TYPES = {"models": "model", "datasets": "dataset", "spaces": "space"}
URL_PREFIX = {"model": "", "dataset": "datasets/", "space": "spaces/"}
LFS_POINTER_MAX = 200
# Licence ids the Hub accepts in a card's `license` (a part of its list: the ones a
# dataset is likely to use; anything else is refused like the Hub refuses an unknown id).
HUB_LICENCES = frozenset(
    "apache-2.0 mit openrail bigscience-openrail-m creativeml-openrail-m cc0-1.0 cc-by-2.0 "
    "cc-by-2.5 cc-by-3.0 cc-by-4.0 cc-by-sa-3.0 cc-by-sa-4.0 cc-by-nc-2.0 cc-by-nc-3.0 "
    "cc-by-nc-4.0 cc-by-nd-4.0 cc-by-nc-nd-3.0 cc-by-nc-nd-4.0 cc-by-nc-sa-2.0 "
    "cc-by-nc-sa-3.0 cc-by-nc-sa-4.0 odc-by odbl pddl gpl-3.0 lgpl-3.0 agpl-3.0 "
    "bsd-3-clause other unknown".split()
)
REGULAR_MAX_BYTES = 10 * 1024 * 1024
# The Hub's default .gitattributes: the patterns it stores as LFS.
LFS_PATTERNS = (
    "*.7z *.arrow *.bin *.bz2 *.ckpt *.ftz *.gz *.h5 *.joblib *.lfs.* *.lz4 *.mds *.mlmodel "
    "*.model *.msgpack *.npy *.npz *.onnx *.ot *.parquet *.pb *.pickle *.pkl *.pt *.pth *.rar "
    "*.safetensors *.tar *.tflite *.tgz *.wasm *.xz *.zip *.zst *tfevents* *.mp3 *.ogg *.wav "
    "*.jpg *.jpeg *.png *.webp *.db *.sqlite"
).split()
GITATTRIBUTES = "".join(f"{p} filter=lfs diff=lfs merge=lfs -text\n" for p in LFS_PATTERNS)
_NO_HARNESSES = {"standardEnvVars": [], "harnesses": {}}
_REV_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
_OID_RE = re.compile(r"^[0-9a-f]{64}$")
_POINTER_RE = re.compile(
    rb"^version https://git-lfs.github.com/spec/v1\noid sha256:([0-9a-f]{64})\nsize (\d+)\n$"
)


class HubError(Exception):
    """An HTTP error answer, with the Hub's `X-Error-Code` when it has one."""

    def __init__(self, status: int, message: str, code: str | None = None, headers=None):
        super().__init__(message)
        self.status, self.message, self.code = status, message, code
        self.headers = headers or {}


@dataclass
class _Injection:
    kind: str
    status: int
    mode: str  # "status" | "disconnect" | "after"
    times: int


@dataclass
class RepoMeta:
    repo_type: str
    repo_id: str
    private: bool
    gated: str | bool = False
    created: str = field(default_factory=lambda: _now())


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def lfs_pointer(oid: str, size: int) -> bytes:
    return f"version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {size}\n".encode()


class GitRepo:
    """One bare repository, driven through the git CLI (plumbing commands only)."""

    def __init__(self, path: Path):
        self.path = path
        self.lock = threading.Lock()  # serialises writes of this repository

    def _env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") and k != "HOME"}
        env.update(
            GIT_CONFIG_GLOBAL=os.devnull,
            GIT_CONFIG_NOSYSTEM="1",
            HOME=str(self.path),
            GIT_AUTHOR_NAME="hub",
            GIT_AUTHOR_EMAIL="hub@localhost",
            GIT_COMMITTER_NAME="hub",
            GIT_COMMITTER_EMAIL="hub@localhost",
        )
        env.update(extra)
        return env

    def git(self, *args: str, input: bytes | None = None, check: bool = True, **env) -> bytes:
        proc = subprocess.run(
            ["git", "--git-dir", str(self.path), *args],
            input=input,
            capture_output=True,
            env=self._env(**env),
        )
        if check and proc.returncode != 0:
            raise RuntimeError(f"git {args[0]} failed: {proc.stderr.decode(errors='replace')}")
        return proc.stdout

    def init(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["git", "init", "--bare", "-q", "-b", "main", str(self.path)],
            check=True,
            capture_output=True,
            env=self._env(),
        )

    def resolve(self, rev: str) -> str | None:
        """The commit a branch, tag, full sha or `refs/...` name points to."""
        if not _REV_RE.match(rev) or ".." in rev or rev.endswith((".lock", "/")):
            return None
        out = self.git(
            "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}", check=False
        )
        sha = out.decode().strip()
        return sha if re.fullmatch(r"[0-9a-f]{40}", sha) else None

    def head(self, branch: str = "main") -> str | None:
        out = self.git("rev-parse", "--verify", "--quiet", f"refs/heads/{branch}", check=False)
        return out.decode().strip() or None

    def entries(self, commit: str) -> dict[str, tuple[str, str, str, int]]:
        """path -> (mode, type, oid, size) of every file and folder of a commit."""
        out = self.git("ls-tree", "-r", "-t", "-l", "-z", "--full-tree", commit)
        result = {}
        for item in out.split(b"\0"):
            if not item:
                continue
            meta, path = item.split(b"\t", 1)
            mode, kind, oid, size = meta.decode().split()
            result[path.decode()] = (mode, kind, oid, 0 if size == "-" else int(size))
        return result

    def blobs(self, oids: list[str]) -> dict[str, bytes]:
        """Contents of (small) blobs, read with one `cat-file --batch`."""
        if not oids:
            return {}
        out = self.git("cat-file", "--batch", input="".join(f"{o}\n" for o in oids).encode())
        result, pos = {}, 0
        for oid in oids:
            end = out.index(b"\n", pos)
            header = out[pos:end].decode().split()
            size = int(header[2])
            result[oid] = out[end + 1 : end + 1 + size]
            pos = end + 1 + size + 1
        return result

    def blob(self, oid: str) -> bytes:
        return self.git("cat-file", "blob", oid)

    def hash_blob(self, content: bytes) -> str:
        return self.git("hash-object", "-w", "--stdin", input=content).decode().strip()

    def write_commit(
        self,
        parent: str | None,
        changes: dict[str, str | None],
        message: str,
    ) -> str:
        """A new commit object: `parent`'s tree with `changes` (path -> blob oid, or None
        to remove) applied. Nothing is published: the caller moves the branch."""
        with tempfile.TemporaryDirectory() as tmp:
            index = str(Path(tmp) / "index")
            if parent:
                self.git("read-tree", parent, GIT_INDEX_FILE=index)
            lines = []
            for path, oid in changes.items():
                if oid is None:
                    lines.append(f"0 {ZERO_OID}\t{path}\0")
                else:
                    lines.append(f"100644 {oid}\t{path}\0")
            if lines:
                self.git(
                    "update-index", "-z", "--index-info",
                    input="".join(lines).encode(), GIT_INDEX_FILE=index,
                )  # fmt: skip
            tree = self.git("write-tree", GIT_INDEX_FILE=index).decode().strip()
        args = ["commit-tree", tree, "-F", "-"]
        if parent:
            args[2:2] = ["-p", parent]
        return self.git(*args, input=message.encode()).decode().strip()

    def move_ref(self, ref: str, new: str, old: str | None) -> bool:
        """Compare-and-swap a ref (`old` None: the ref must not exist yet)."""
        proc = subprocess.run(
            ["git", "--git-dir", str(self.path), "update-ref", ref, new, old or ZERO_OID],
            capture_output=True,
            env=self._env(),
        )
        return proc.returncode == 0

    def refs(self) -> list[tuple[str, str]]:
        """(refname, commit) of every branch and tag (annotated tags peeled)."""
        out = self.git(
            "for-each-ref", "--format=%(refname)%00%(objectname)%00%(*objectname)",
            "refs/heads", "refs/tags", "refs/convert",
        ).decode()  # fmt: skip
        result = []
        for line in out.splitlines():
            name, obj, peeled = line.split("\0")
            result.append((name, peeled or obj))
        return result

    def tag(self, name: str, commit: str, message: str | None) -> bool:
        target = commit
        if message:
            body = (
                f"object {commit}\ntype commit\ntag {name}\n"
                f"tagger hub <hub@localhost> {int(datetime.now(UTC).timestamp())} +0000\n\n"
                f"{message}\n"
            )
            target = self.git("mktag", input=body.encode()).decode().strip()
        return self.move_ref(f"refs/tags/{name}", target, None)

    def log(self, commit: str) -> list[dict[str, Any]]:
        out = self.git("log", "--format=%H%x00%s%x00%b%x00%an%x00%at%x1e", commit).decode()
        commits = []
        for rec in out.split("\x1e"):
            rec = rec.strip("\n")
            if not rec:
                continue
            sha, title, body, author, date = rec.split("\0")
            commits.append(
                {
                    "id": sha,
                    "title": title,
                    "message": body.strip(),
                    "authors": [{"user": author}],
                    "date": datetime.fromtimestamp(int(date), UTC).strftime(
                        "%Y-%m-%dT%H:%M:%S.000Z"
                    ),
                }
            )
        return commits


class LfsStore:
    """Content-addressed large files: `root/ab/cd/<sha256>`."""

    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def path(self, oid: str) -> Path:
        return self.root / oid[:2] / oid[2:4] / oid

    def size(self, oid: str) -> int | None:
        p = self.path(oid)
        return p.stat().st_size if p.exists() else None


class HubServer:
    """The server, its repositories and users. Start with `start()`, stop with `stop()`."""

    def __init__(
        self,
        root: Path,
        *,
        users: dict[str, list[str]] | None = None,
        tokens: dict[str, tuple[str, str]] | None = None,
        port: int = 0,
    ):
        self.root = Path(root)
        self._port = port
        self.users = users or {}  # user -> organizations
        self.tokens = tokens or {}  # token -> (user, "write" | "read")
        self.repos: dict[tuple[str, str], RepoMeta] = {}
        self.lfs = LfsStore(self.root / "lfs")
        self.requests: list[tuple[str, str, int]] = []  # (method, path, status)
        self._lock = threading.RLock()
        self._injections: list[_Injection] = []
        self._git: dict[Path, GitRepo] = {}
        self._hooks: dict[str, list[Callable[[], None]]] = {}
        self._secret = secrets.token_bytes(16)
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle --------------------------------------------------------------------

    def start(self) -> HubServer:
        server = self

        class Handler(_Handler):
            hub = server

        self._httpd = ThreadingHTTPServer(("127.0.0.1", self._port), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    @property
    def port(self) -> int:
        assert self._httpd is not None
        return self._httpd.server_address[1]

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- test controls -----------------------------------------------------------------

    def fail_next(
        self, kind: str, *, status: int = 500, mode: str = "status", times: int = 1
    ) -> None:
        """Make the next `times` requests of `kind` fail. Kinds: whoami, create, info,
        settings, refs, commits, tree, paths-info, preupload, commit, tag, delete-tag,
        lfs-batch, lfs-upload, lfs-verify, lfs-download, resolve, validate-yaml."""
        assert mode in ("status", "disconnect", "after")
        with self._lock:
            self._injections.append(_Injection(kind, status, mode, times))

    def before_next(self, kind: str, fn: Callable[[], None]) -> None:
        """Run `fn` once, just before the next request of `kind` is handled."""
        with self._lock:
            self._hooks.setdefault(kind, []).append(fn)

    def _take_injection(self, kind: str) -> _Injection | None:
        with self._lock:
            for inj in self._injections:
                if inj.kind == kind:
                    inj.times -= 1
                    if inj.times <= 0:
                        self._injections.remove(inj)
                    return inj
        return None

    def _take_hooks(self, kind: str) -> list[Callable[[], None]]:
        with self._lock:
            return self._hooks.pop(kind, [])

    # -- direct access for tests (server side, no HTTP) ------------------------------------

    def git_repo(self, repo_id: str, repo_type: str = "dataset") -> GitRepo:
        """The repository's git store (one object per repository: it holds the write lock)."""
        ns, name = repo_id.split("/")
        path = self.root / "repos" / f"{repo_type}s" / ns / f"{name}.git"
        with self._lock:
            return self._git.setdefault(path, GitRepo(path))

    def meta(self, repo_id: str, repo_type: str = "dataset") -> RepoMeta | None:
        return self.repos.get((repo_type, repo_id))

    def commit_files(
        self, repo_id: str, files: dict[str, bytes | None], message: str, repo_type="dataset"
    ) -> str:
        """Commit straight into the repository (as a concurrent writer would)."""
        repo = self.git_repo(repo_id, repo_type)
        with repo.lock:
            head = repo.head()
            changes = {p: (None if c is None else repo.hash_blob(c)) for p, c in files.items()}
            sha = repo.write_commit(head, changes, message)
            assert repo.move_ref("refs/heads/main", sha, head)
        return sha

    def files_at(self, repo_id: str, rev: str, repo_type: str = "dataset") -> dict[str, bytes]:
        """Every file of a revision with its content (LFS pointers resolved)."""
        repo = self.git_repo(repo_id, repo_type)
        sha = repo.resolve(rev)
        assert sha, f"no revision {rev}"
        out = {}
        for path, (_mode, kind, oid, _size) in repo.entries(sha).items():
            if kind != "blob":
                continue
            data = repo.blob(oid)
            m = _POINTER_RE.match(data)
            out[path] = self.lfs.path(m.group(1).decode()).read_bytes() if m else data
        return out

    def create_repo(self, repo_id: str, *, private: bool, repo_type: str = "dataset") -> None:
        repo = self.git_repo(repo_id, repo_type)
        repo.init()
        sha = repo.write_commit(
            None, {".gitattributes": repo.hash_blob(GITATTRIBUTES.encode())}, "initial commit"
        )
        repo.move_ref("refs/heads/main", sha, None)
        self.repos[(repo_type, repo_id)] = RepoMeta(repo_type, repo_id, private)

    # -- signed URLs for LFS transfers (the client sends no token on them, as with S3) ---

    def sign(self, action: str, oid: str) -> str:
        return hmac.new(self._secret, f"{action}:{oid}".encode(), "sha256").hexdigest()

    def lfs_url(self, action: str, oid: str) -> str:
        return f"{self.endpoint}/_lfs/{action}/{oid}?sig={self.sign(action, oid)}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    hub: HubServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read `requests`
        pass

    # -- plumbing --------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def _body_reader(self) -> Iterator[bytes]:
        """The request body in chunks (Content-Length or chunked transfer encoding)."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return
                yield self.rfile.read(size)
                self.rfile.readline()
        else:
            left = int(self.headers.get("Content-Length") or 0)
            while left > 0:
                chunk = self.rfile.read(min(left, 1 << 16))
                if not chunk:
                    return
                left -= len(chunk)
                yield chunk

    def body(self) -> bytes:
        if self._body is None:
            self._body = b"".join(self._body_reader())
        return self._body

    def json_body(self) -> Any:
        try:
            return json.loads(self.body() or b"null")
        except ValueError as exc:
            raise HubError(400, "invalid JSON body") from exc

    def send(
        self, status: int, payload: Any = None, *, raw: bytes | None = None, headers=None
    ) -> None:
        if self._swallow:
            return
        data = raw if raw is not None else json.dumps(payload).encode()
        self.send_response(status)
        ctype = "application/octet-stream" if raw is not None else "application/json"
        hdrs = {"Content-Type": ctype, "Content-Length": str(len(data)), **(headers or {})}
        for k, v in hdrs.items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        self._status = status

    def _disconnect(self) -> None:
        """Drop the connection in the middle of the request body, with no answer."""
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(max(1, length // 2))
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)
        self._status = 0

    def _dispatch(self) -> None:
        self._body: bytes | None = None
        self._status = 0
        self._swallow = False
        raw_path, _, query = self.path.partition("?")
        self.query = {k: v for k, v in parse_qs(query, keep_blank_values=True).items()}
        parts = [unquote(p) for p in raw_path.split("/")[1:]]
        try:
            self.user, self.role = self._authenticate()
            kind, handler, args = self._route(parts)
            for fn in self.hub._take_hooks(kind):
                fn()
            inj = self.hub._take_injection(kind)
            if inj and inj.mode == "disconnect":
                self._disconnect()
                return
            if inj and inj.mode == "status":
                self.body()
                raise HubError(inj.status, f"injected failure of {kind}")
            self._swallow = bool(inj and inj.mode == "after")
            handler(*args)
            if self._swallow:  # done, but the answer is lost
                self._swallow = False
                raise HubError(inj.status, f"injected failure of {kind} (after it was done)")
        except HubError as err:
            with contextlib.suppress(Exception):
                self.body()  # keep the connection in sync
            headers = dict(err.headers)
            if err.code:
                headers["X-Error-Code"] = err.code
            headers["X-Error-Message"] = err.message
            self._swallow = False
            self.send(err.status, {"error": err.message}, headers=headers)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as exc:  # a server bug: answer 500 with the reason
            self.send(500, {"error": f"test server error: {type(exc).__name__}: {exc}"})
        finally:
            self.hub.requests.append((self.command, self.path, self._status))

    # -- auth --------------------------------------------------------------------------------

    def _authenticate(self) -> tuple[str | None, str | None]:
        auth = self.headers.get("Authorization") or ""
        if not auth:
            return None, None
        token = auth.removeprefix("Bearer ").strip()
        if token not in self.hub.tokens:
            raise HubError(401, "Invalid credentials in Authorization header")
        return self.hub.tokens[token]

    def _namespaces(self) -> set[str]:
        if not self.user:
            return set()
        return {self.user, *self.hub.users.get(self.user, [])}

    def _repo(
        self, repo_type: str, repo_id: str, *, write: bool = False
    ) -> tuple[RepoMeta, GitRepo]:
        meta = self.hub.repos.get((repo_type, repo_id))
        member = repo_id.split("/")[0] in self._namespaces()
        if meta is None or (meta.private and not member):
            raise HubError(404 if self.user else 401, "Repository not found", "RepoNotFound")
        if write:
            if not member:
                raise HubError(403, "You don't have the rights to write to this repository")
            if self.role != "write":
                raise HubError(403, "This token is read-only")
        return meta, self.hub.git_repo(repo_id, repo_type)

    def _commit_of(self, repo: GitRepo, rev: str) -> str:
        sha = repo.resolve(rev)
        if sha is None:
            raise HubError(404, f"Invalid rev id: {rev}", "RevisionNotFound")
        return sha

    # -- routing -----------------------------------------------------------------------------

    def _route(self, p: list[str]) -> tuple[str, Callable[..., None], tuple]:
        m = self.command
        if p[:1] == ["api"]:
            if p[1:] == ["whoami-v2"] and m == "GET":
                return "whoami", self.whoami, ()
            if p[1:] == ["agent-harnesses"] and m == "GET":  # the client's User-Agent registry
                return "agent-harnesses", lambda: self.send(200, _NO_HARNESSES), ()
            if p[1:] == ["validate-yaml"] and m == "POST":
                return "validate-yaml", self.validate_yaml, ()
            if p[1:] == ["repos", "create"] and m == "POST":
                return "create", self.create_repo, ()
            if p[1:] == ["repos", "delete"] and m == "DELETE":
                return "delete", self.delete_repo, ()
            if len(p) >= 4 and p[1] in TYPES:
                rtype, repo_id, rest = TYPES[p[1]], f"{p[2]}/{p[3]}", p[4:]
                routes: dict[tuple[str, str, int], tuple[str, Callable[..., None]]] = {
                    ("GET", "", 0): ("info", self.info),
                    ("GET", "revision", 1): ("info", self.info),
                    ("PUT", "settings", 0): ("settings", self.settings),
                    ("GET", "refs", 0): ("refs", self.list_refs),
                    ("GET", "commits", 1): ("commits", self.commits),
                    ("POST", "paths-info", 1): ("paths-info", self.paths_info),
                    ("POST", "preupload", 1): ("preupload", self.preupload),
                    ("POST", "commit", 1): ("commit", self.commit),
                    ("POST", "tag", 1): ("tag", self.create_tag),
                    ("DELETE", "tag", 1): ("delete-tag", self.delete_tag),
                }
                head = rest[0] if rest else ""
                if m == "GET" and head == "tree" and len(rest) >= 2:
                    return "tree", self.tree, (rtype, repo_id, rest[1], "/".join(rest[2:]))
                key = (m, head, len(rest) - 1 if rest else 0)
                if key in routes:
                    kind, fn = routes[key]
                    return kind, fn, (rtype, repo_id, *rest[1:])
        if p[:1] == ["_lfs"] and len(p) == 3:
            action, oid = p[1], p[2]
            sig = (self.query.get("sig") or [""])[0]
            if not _OID_RE.match(oid) or not hmac.compare_digest(sig, self.hub.sign(action, oid)):
                raise HubError(403, "bad signature")
            if action == "upload" and m == "PUT":
                return "lfs-upload", self.lfs_upload, (oid,)
            if action == "verify" and m == "POST":
                return "lfs-verify", self.lfs_verify, (oid,)
            if action == "objects" and m in ("GET", "HEAD"):
                return "lfs-download", self.lfs_download, (oid,)
        rtype, q = "model", p
        if p[:1] in (["datasets"], ["spaces"]):
            rtype, q = TYPES[p[0]], p[1:]
        if len(q) == 6 and q[1].endswith(".git") and q[2:] == ["info", "lfs", "objects", "batch"]:
            return "lfs-batch", self.lfs_batch, (rtype, f"{q[0]}/{q[1][:-4]}")
        if len(q) >= 5 and q[2] == "resolve" and m in ("GET", "HEAD"):
            return "resolve", self.resolve, (rtype, f"{q[0]}/{q[1]}", q[3], "/".join(q[4:]))
        raise HubError(404, f"no route for {m} /{'/'.join(p)}")

    # -- account -----------------------------------------------------------------------------

    def whoami(self) -> None:
        if not self.user:
            raise HubError(401, "Invalid credentials in Authorization header")
        orgs = self.hub.users.get(self.user, [])
        self.send(
            200,
            {
                "type": "user",
                "name": self.user,
                "fullname": self.user,
                "orgs": [{"type": "org", "name": o, "roleInOrg": "write"} for o in orgs],
                "auth": {
                    "type": "access_token",
                    "accessToken": {"displayName": "test token", "role": self.role},
                },
            },
        )

    def validate_yaml(self) -> None:
        import yaml

        content = (self.json_body() or {}).get("content", "")
        errors = []
        if content.startswith("---"):
            header = content.split("\n---", 1)[0].removeprefix("---")
            try:
                meta = yaml.safe_load(header)
                if meta is not None and not isinstance(meta, dict):
                    errors.append({"message": "metadata must be a mapping"})
                licence = (meta or {}).get("license") if isinstance(meta, dict) else None
                if licence is not None and licence not in HUB_LICENCES:
                    msg = f'"license" must be one of the Hub\'s licence ids, got {licence!r}'
                    errors.append({"message": msg})
            except yaml.YAMLError as exc:
                errors.append({"message": f"invalid YAML: {exc}"})
        self.send(400 if errors else 200, {"errors": errors, "warnings": []})

    # -- repositories ------------------------------------------------------------------------

    def create_repo(self) -> None:
        body = self.json_body() or {}
        rtype = body.get("type") or "model"
        ns = body.get("organization") or self.user
        name = body.get("name") or ""
        if not self.user:
            raise HubError(401, "You must be authenticated to create a repository")
        if rtype not in URL_PREFIX or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
            raise HubError(400, "invalid repository name or type")
        if ns not in self._namespaces() or self.role != "write":
            raise HubError(403, f"You don't have the rights to create a repository under {ns}")
        repo_id = f"{ns}/{name}"
        url = f"{self.hub.endpoint}/{URL_PREFIX[rtype]}{repo_id}"
        with self.hub._lock:
            if (rtype, repo_id) in self.hub.repos:
                raise HubError(409, f"You already created this {rtype} repo", headers={})
            private = body.get("visibility") == "private" or body.get("private") is True
            self.hub.create_repo(repo_id, private=private, repo_type=rtype)
        self.send(200, {"url": url, "name": repo_id, "id": repo_id})

    def delete_repo(self) -> None:
        body = self.json_body() or {}
        rtype = body.get("type") or "model"
        repo_id = f"{body.get('organization') or self.user}/{body.get('name')}"
        self._repo(rtype, repo_id, write=True)
        with self.hub._lock:
            self.hub.repos.pop((rtype, repo_id))
            shutil.rmtree(self.hub.git_repo(repo_id, rtype).path)
        self.send(200, {})

    def _file_infos(self, repo: GitRepo, commit: str) -> list[dict[str, Any]]:
        """Tree entries in the Hub's JSON shape (files with `lfs` when they are pointers)."""
        entries = repo.entries(commit)
        small = [e[2] for e in entries.values() if e[1] == "blob" and e[3] <= LFS_POINTER_MAX]
        contents = repo.blobs(small)
        infos = []
        for path, (_mode, kind, oid, size) in sorted(entries.items()):
            if kind == "tree":
                infos.append({"type": "directory", "oid": oid, "size": 0, "path": path})
                continue
            info: dict[str, Any] = {"type": "file", "oid": oid, "size": size, "path": path}
            m = _POINTER_RE.match(contents.get(oid, b""))
            if m:
                lfs_oid, lfs_size = m.group(1).decode(), int(m.group(2))
                info["size"] = lfs_size
                info["lfs"] = {"oid": lfs_oid, "size": lfs_size, "pointerSize": size}
            infos.append(info)
        return infos

    def info(self, rtype: str, repo_id: str, rev: str = "main") -> None:
        import yaml

        meta, repo = self._repo(rtype, repo_id)
        sha = self._commit_of(repo, rev)
        infos = [i for i in self._file_infos(repo, sha) if i["type"] == "file"]
        blobs = "blobs" in self.query and self.query["blobs"][0].lower() in ("1", "true")
        siblings = []
        for i in infos:
            sib: dict[str, Any] = {"rfilename": i["path"]}
            if blobs:
                sib.update(size=i["size"], blobId=i["oid"])
                if "lfs" in i:
                    sib["lfs"] = {
                        "size": i["lfs"]["size"],
                        "sha256": i["lfs"]["oid"],
                        "pointerSize": i["lfs"]["pointerSize"],
                    }
            siblings.append(sib)
        card = None
        readme = next((i for i in infos if i["path"] == "README.md" and "lfs" not in i), None)
        if readme:
            text = repo.blob(readme["oid"]).decode("utf-8", errors="replace")
            if text.startswith("---"):
                with contextlib.suppress(Exception):
                    card = yaml.safe_load(text.split("\n---", 1)[0].removeprefix("---"))
        ns = repo_id.split("/")[0]
        self.send(
            200,
            {
                "_id": hashlib.sha1(repo_id.encode()).hexdigest()[:24],
                "id": repo_id,
                "author": ns,
                "sha": sha,
                "private": meta.private,
                "gated": meta.gated,
                "disabled": False,
                "downloads": 0,
                "likes": 0,
                "tags": [],
                "createdAt": meta.created,
                "lastModified": _now(),
                "cardData": card if isinstance(card, dict) else None,
                "siblings": siblings,
            },
        )

    def settings(self, rtype: str, repo_id: str) -> None:
        meta, _ = self._repo(rtype, repo_id, write=True)
        body = self.json_body() or {}
        if "gated" in body:
            if body["gated"] not in ("auto", "manual", False):
                raise HubError(400, "gated must be 'auto', 'manual' or false")
            meta.gated = body["gated"]
        if "visibility" in body:
            if body["visibility"] not in ("private", "public"):
                raise HubError(400, "visibility must be 'private' or 'public'")
            meta.private = body["visibility"] == "private"
        if "private" in body:
            meta.private = bool(body["private"])
        self.send(200, {"private": meta.private, "gated": meta.gated})

    def list_refs(self, rtype: str, repo_id: str) -> None:
        _, repo = self._repo(rtype, repo_id)
        out: dict[str, list] = {"branches": [], "converts": [], "tags": [], "pullRequests": []}
        for ref, target in repo.refs():
            for prefix, key in (
                ("refs/heads/", "branches"),
                ("refs/tags/", "tags"),
                ("refs/convert/", "converts"),
            ):
                if ref.startswith(prefix):
                    name = ref[len(prefix) :]
                    out[key].append({"name": name, "ref": ref, "targetCommit": target})
        self.send(200, out)

    def commits(self, rtype: str, repo_id: str, rev: str) -> None:
        _, repo = self._repo(rtype, repo_id)
        self.send(200, repo.log(self._commit_of(repo, rev)))

    def tree(self, rtype: str, repo_id: str, rev: str, path: str) -> None:
        _, repo = self._repo(rtype, repo_id)
        sha = self._commit_of(repo, rev)
        recursive = (self.query.get("recursive") or ["false"])[0].lower() in ("1", "true")
        infos = self._file_infos(repo, sha)
        path = path.strip("/")
        if path and not any(i["path"] == path and i["type"] == "directory" for i in infos):
            raise HubError(404, f"{path} does not exist on {rev}", "EntryNotFound")
        prefix = f"{path}/" if path else ""
        chosen = [
            i
            for i in infos
            if i["path"].startswith(prefix) and (recursive or "/" not in i["path"][len(prefix) :])
        ]
        self.send(200, chosen)

    def paths_info(self, rtype: str, repo_id: str, rev: str) -> None:
        _, repo = self._repo(rtype, repo_id)
        sha = self._commit_of(repo, rev)
        ctype = self.headers.get("Content-Type", "")
        if "json" in ctype:
            wanted = (self.json_body() or {}).get("paths", [])
        else:
            wanted = parse_qs(self.body().decode()).get("paths", [])
        wanted = {w.strip("/") for w in wanted}
        self.send(200, [i for i in self._file_infos(repo, sha) if i["path"] in wanted])

    # -- writing -----------------------------------------------------------------------------

    def preupload(self, rtype: str, repo_id: str, rev: str) -> None:
        _, repo = self._repo(rtype, repo_id, write=True)
        sha = repo.resolve(rev)
        current = {i["path"]: i for i in self._file_infos(repo, sha)} if sha else {}
        files = []
        for f in (self.json_body() or {}).get("files", []):
            sample = base64.b64decode(f.get("sample") or "")
            lfs = (
                any(fnmatch.fnmatch(Path(f["path"]).name, p) for p in LFS_PATTERNS)
                or f.get("size", 0) > REGULAR_MAX_BYTES
                or b"\0" in sample
            )
            remote = current.get(f["path"])
            oid = None
            if remote and remote["type"] == "file":
                oid = remote["lfs"]["oid"] if "lfs" in remote else remote["oid"]
            files.append(
                {
                    "path": f["path"],
                    "uploadMode": "lfs" if lfs else "regular",
                    "shouldIgnore": False,
                    "oid": oid,
                }
            )
        self.send(200, {"files": files, "commitOid": sha})

    def commit(self, rtype: str, repo_id: str, rev: str) -> None:
        _, repo = self._repo(rtype, repo_id, write=True)
        lines = [json.loads(ln) for ln in self.body().splitlines() if ln.strip()]
        if not lines or lines[0].get("key") != "header":
            raise HubError(400, "the first line of a commit must be its header")
        header = lines[0]["value"]
        if (self.query.get("create_pr") or ["0"])[0] not in ("0", ""):
            raise HubError(400, "pull requests are not supported by the test server")
        branch = rev
        if not re.fullmatch(r"[A-Za-z0-9._-]+", branch):
            raise HubError(400, f"cannot commit to {rev}: not a branch")
        with repo.lock:
            head = repo.head(branch)
            if head is None:
                raise HubError(404, f"Invalid rev id: {rev}", "RevisionNotFound")
            parent = header.get("parentCommit")
            if parent and parent != head:
                raise HubError(
                    412, f"A commit has happened since. Please refresh and try again. ({head})"
                )
            current = {i["path"]: i for i in self._file_infos(repo, head)}
            changes: dict[str, str | None] = {}
            for item in lines[1:]:
                key, value = item.get("key"), item.get("value") or {}
                path = str(value.get("path", "")).strip("/")
                if not path or path.startswith(".git/") or ".." in path.split("/"):
                    raise HubError(400, f"invalid path {path!r}")
                if key == "file":
                    data = base64.b64decode(value["content"])
                    changes[path] = repo.hash_blob(data)
                elif key == "lfsFile":
                    oid, size = value.get("oid", ""), self.hub.lfs.size(value.get("oid", "x"))
                    if not _OID_RE.match(oid) or size is None:
                        raise HubError(
                            422, f"LFS object {oid} of {path} was not uploaded", "LfsNotFound"
                        )
                    if value.get("size") is not None and int(value["size"]) != size:
                        raise HubError(422, f"size mismatch for the LFS object of {path}")
                    changes[path] = repo.hash_blob(lfs_pointer(oid, size))
                elif key == "deletedFile":
                    if current.get(path, {}).get("type") != "file":
                        raise HubError(404, "A file with this name doesn't exist", "EntryNotFound")
                    changes[path] = None
                elif key == "deletedFolder":
                    inside = [p for p, i in current.items() if p.startswith(f"{path}/")]
                    if not inside:
                        raise HubError(404, "No folder with this name", "EntryNotFound")
                    changes.update({p: None for p in inside if current[p]["type"] == "file"})
                else:
                    raise HubError(400, f"unknown commit operation {key!r}")
            message = header.get("summary") or "commit"
            if header.get("description"):
                message += "\n\n" + header["description"]
            sha = repo.write_commit(head, changes, message)
            if not repo.move_ref(f"refs/heads/{branch}", sha, head):
                raise HubError(412, "A commit has happened since. Please refresh and try again.")
        prefix = URL_PREFIX[rtype]
        self.send(
            200,
            {
                "success": True,
                "commitOid": sha,
                "commitUrl": f"{self.hub.endpoint}/{prefix}{repo_id}/commit/{sha}",
                "pullRequestUrl": None,
            },
        )

    def create_tag(self, rtype: str, repo_id: str, rev: str) -> None:
        _, repo = self._repo(rtype, repo_id, write=True)
        body = self.json_body() or {}
        tag = str(body.get("tag", ""))
        if not _REV_RE.match(tag) or ".." in tag:
            raise HubError(400, f"invalid tag name {tag!r}")
        with repo.lock:
            sha = self._commit_of(repo, rev)
            if not repo.tag(tag, sha, body.get("message")):
                raise HubError(409, f"Tag {tag} already exists")
        self.send(200, {})

    def delete_tag(self, rtype: str, repo_id: str, tag: str) -> None:
        _, repo = self._repo(rtype, repo_id, write=True)
        with repo.lock:
            if repo.resolve(f"refs/tags/{tag}") is None:
                raise HubError(404, f"Invalid rev id: {tag}", "RevisionNotFound")
            repo.git("update-ref", "-d", f"refs/tags/{tag}")
        self.send(200, {})

    # -- LFS ---------------------------------------------------------------------------------

    def lfs_batch(self, rtype: str, repo_id: str) -> None:
        body = self.json_body() or {}
        operation = body.get("operation")
        self._repo(rtype, repo_id, write=operation == "upload")
        objects = []
        for obj in body.get("objects", []):
            oid, size = str(obj.get("oid", "")), int(obj.get("size", 0))
            entry: dict[str, Any] = {"oid": oid, "size": size, "authenticated": True}
            stored = self.hub.lfs.size(oid) if _OID_RE.match(oid) else None
            if operation == "upload":
                if stored != size:
                    entry["actions"] = {
                        "upload": {"href": self.hub.lfs_url("upload", oid), "expires_in": 3600},
                        "verify": {"href": self.hub.lfs_url("verify", oid), "header": {}},
                    }
            elif operation == "download":
                if stored is None:
                    entry["error"] = {"code": 404, "message": "Object does not exist"}
                else:
                    entry["actions"] = {
                        "download": {"href": self.hub.lfs_url("objects", oid), "expires_in": 3600}
                    }
            else:
                raise HubError(400, f"unknown LFS operation {operation!r}")
            objects.append(entry)
        self.send(200, {"transfer": "basic", "objects": objects, "hash_algo": "sha256"})

    def lfs_upload(self, oid: str) -> None:
        final = self.hub.lfs.path(oid)
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=".incoming-")
        digest = hashlib.sha256()
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in self._body_reader():
                    digest.update(chunk)
                    out.write(chunk)
            self._body = b""
            if digest.hexdigest() != oid:
                raise HubError(400, "the uploaded content does not match its sha256")
            os.replace(tmp, final)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        self.send(200, {}, headers={"ETag": f'"{oid}"'})

    def lfs_verify(self, oid: str) -> None:
        body = self.json_body() or {}
        if not self.user:
            raise HubError(401, "verify needs a token")
        if self.hub.lfs.size(oid) != int(body.get("size", -1)):
            raise HubError(404, "Object not found or wrong size")
        self.send(200, {"oid": oid, "size": body.get("size")})

    def lfs_download(self, oid: str) -> None:
        path = self.hub.lfs.path(oid)
        if not path.exists():
            raise HubError(404, "Object does not exist")
        self._send_bytes(path.read_bytes(), {"ETag": f'"{oid}"'})

    # -- reading files -----------------------------------------------------------------------

    def resolve(self, rtype: str, repo_id: str, rev: str, path: str) -> None:
        meta, repo = self._repo(rtype, repo_id)
        sha = self._commit_of(repo, rev)
        if meta.gated and not self.user:
            raise HubError(401, "Access to this repository is restricted (gated)", "GatedRepo")
        info = next((i for i in self._file_infos(repo, sha) if i["path"] == path), None)
        if info is None or info["type"] != "file":
            raise HubError(404, "Entry not found", "EntryNotFound", headers={"X-Repo-Commit": sha})
        headers = {"X-Repo-Commit": sha, "ETag": f'"{info["oid"]}"'}
        if "lfs" in info:
            lfs_oid = info["lfs"]["oid"]
            headers.update(
                {
                    "ETag": f'"{lfs_oid}"',
                    "X-Linked-Etag": f'"{lfs_oid}"',
                    "X-Linked-Size": str(info["lfs"]["size"]),
                }
            )
            data = self.hub.lfs.path(lfs_oid).read_bytes()
        else:
            data = repo.blob(info["oid"])
        self._send_bytes(data, headers)

    def _send_bytes(self, data: bytes, headers: dict[str, str]) -> None:
        headers = {"Accept-Ranges": "bytes", **headers}
        rng = self.headers.get("Range")
        m = re.fullmatch(r"bytes=(\d*)-(\d*)", (rng or "").strip())
        if m and data and (m.group(1) or m.group(2)):
            total = len(data)
            if m.group(1):
                start = int(m.group(1))
                end = min(int(m.group(2)), total - 1) if m.group(2) else total - 1
            else:  # suffix range: the last N bytes
                start, end = max(0, total - int(m.group(2))), total - 1
            if start >= total:
                raise HubError(416, "bad range", headers={"Content-Range": f"*/{total}"})
            headers["Content-Range"] = f"bytes {start}-{end}/{total}"
            self.send(206, raw=data[start : end + 1], headers=headers)
        else:
            self.send(200, raw=data, headers=headers)


def main() -> None:
    """Run the server by hand, for a rehearsal of `curate publish` (see docs/publish.md)."""
    import argparse
    import time

    parser = argparse.ArgumentParser(description="A local Hub-compatible test server.")
    parser.add_argument("--root", type=Path, required=True, help="folder for repos and LFS")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--user", default="me")
    parser.add_argument("--org", action="append", default=[], help="an organization of user")
    parser.add_argument("--token", required=True, help="the user's (write) token")
    args = parser.parse_args()
    server = HubServer(
        args.root,
        users={args.user: args.org},
        tokens={args.token: (args.user, "write")},
        port=args.port,
    ).start()
    print(f"test Hub at {server.endpoint} (Ctrl-C to stop)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
