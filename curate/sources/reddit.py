"""Reddit dumps in the Pushshift / Arctic Shift NDJSON layout (submissions and comments,
plain or compressed).

Pairing posts with a peer response needs every comment of a post, and a post's comments
may sit in several files (a January post's comments are in February's file too), while
dumps are far larger than memory. So reading is two steps:

1. `scan_file`, one task per file (in parallel: worker processes or a Ray cluster, see
   `curate.executors`): one streaming pass that turns every line into an item and
   spools them to disk in the workspace, with the file's response candidates;
2. `pair`, in one place: the candidates of all files go into one SQLite index keyed by
   post id, and each post is paired with its response as its item is yielded.

Memory stays flat whatever the dump size, and the items are the same whichever way the
scans ran.
"""

from __future__ import annotations

import pickle
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from curate.records import Provenance, RawText, Record, Source, pseudonymous_id
from curate.scratch import Scratch
from curate.sources.base import (
    InputProblem,
    Item,
    Location,
    Parsed,
    Rejected,
    Skipped,
    as_int64,
    decode_json_line,
)
from curate.sources.io import iter_lines

FORMAT = "reddit"
# The reason on a comment that was kept aside as a response candidate (not an error,
# not left out): the ingest counts these apart.
STAGED = "staged as response candidate"


def looks_like(obj: dict[str, Any]) -> bool:
    return is_submission(obj) or is_comment(obj)


def is_submission(obj: dict[str, Any]) -> bool:
    return "subreddit" in obj and ("selftext" in obj or "title" in obj) and "body" not in obj


def is_comment(obj: dict[str, Any]) -> bool:
    return "body" in obj and "link_id" in obj


@dataclass(frozen=True)
class RedditPolicy:
    """The `[reddit]` settings of curate.toml, compiled."""

    skip_bodies: frozenset[str]
    bot_authors: frozenset[str]
    bot_pattern: re.Pattern[str] | None
    skip_bots: bool
    response_rule: str
    exclude_op: bool
    min_response_chars: int
    culture_subreddits: dict[str, str]
    culture_subreddits_need_distress: bool
    distress_subreddits: frozenset[str]
    distress_re: re.Pattern[str] | None
    culture_res: dict[str, re.Pattern[str]]
    max_text_chars: int

    @classmethod
    def from_config(cls, section: dict[str, Any], max_text_chars: int) -> RedditPolicy:
        cmap = section.get("culture_map", {})
        rule = section.get("response_rule", "top_score")
        if rule not in ("top_score", "earliest"):
            raise ValueError(f"[reddit] response_rule must be top_score or earliest, not {rule!r}")
        pattern = section.get("bot_author_pattern")
        return cls(
            skip_bodies=frozenset(section.get("skip_bodies", [])),
            bot_authors=frozenset(a.casefold() for a in section.get("bot_authors", [])),
            bot_pattern=re.compile(pattern) if pattern else None,
            skip_bots=section.get("skip_bots", True),
            response_rule=rule,
            exclude_op=section.get("exclude_op_responses", True),
            min_response_chars=section.get("min_response_chars", 1),
            culture_subreddits={
                k.casefold(): v for k, v in cmap.get("culture_subreddits", {}).items()
            },
            culture_subreddits_need_distress=cmap.get("culture_subreddits_need_distress", True),
            distress_subreddits=frozenset(
                s.casefold() for s in cmap.get("distress_subreddits", [])
            ),
            distress_re=_keyword_re(cmap.get("distress_keywords", [])),
            culture_res={
                c: r
                for c, words in cmap.get("culture_keywords", {}).items()
                if (r := _keyword_re(words)) is not None
            },
            max_text_chars=max_text_chars,
        )

    def is_bot(self, author: Any) -> bool:
        if not self.skip_bots or not author or not isinstance(author, str):
            return False
        if author.casefold() in self.bot_authors:
            return True
        return bool(self.bot_pattern and self.bot_pattern.search(author))

    def is_gone(self, text: str | None) -> bool:
        return text is None or text.strip() in self.skip_bodies

    def culture_of(self, subreddit: str, text: str) -> tuple[str | None, str]:
        """(culture, why) by the culture map; culture None means out of scope."""
        sub = subreddit.casefold()
        if sub in self.culture_subreddits:
            if not self.culture_subreddits_need_distress:
                return self.culture_subreddits[sub], "culture subreddit"
            if self.distress_re is not None and self.distress_re.search(text):
                return self.culture_subreddits[sub], "culture subreddit + distress keyword"
            return None, "culture subreddit without distress keyword"
        if sub in self.distress_subreddits:
            hits = [c for c, rx in self.culture_res.items() if rx.search(text)]
            if len(hits) == 1:
                return hits[0], "distress subreddit + culture keyword"
            if hits:
                return None, "distress subreddit with keywords of several cultures"
            return None, "distress subreddit without culture keyword"
        return None, "subreddit not in the culture map"


def _keyword_re(words: list[str]) -> re.Pattern[str] | None:
    if not words:
        return None
    alts = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    # \b does not work for scripts without spaces (Chinese): use letter look-arounds that
    # only apply where the keyword starts/ends with a Latin letter.
    return re.compile(
        rf"(?<![^\W\d_])(?:{alts})(?![^\W\d_])|(?:{alts})(?=[\u3000-\u9fff])", re.IGNORECASE
    )


class _Staging:
    """Top-level comment candidates of every post, on disk (SQLite, indexed by post)."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / "candidates.sqlite"
        self.conn = sqlite3.connect(self.path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=OFF")
        self.conn.execute("PRAGMA synchronous=OFF")
        self.conn.execute(
            "CREATE TABLE c (link TEXT, id TEXT, author TEXT, score INTEGER, created INTEGER,"
            " body TEXT)"
        )

    def load(self, rows: Iterable[list[Candidate]]) -> None:
        self.conn.execute("BEGIN")
        for chunk in rows:
            self.conn.executemany("INSERT INTO c VALUES (?, ?, ?, ?, ?, ?)", chunk)
        self.conn.execute("COMMIT")

    def seal(self) -> None:
        self.conn.execute("CREATE INDEX c_link ON c (link)")

    def candidates(self, link: str, rule: str) -> list[tuple[str, str | None, str]]:
        # A comment without a time sorts last, not first (SQLite puts NULL first); equal
        # keys keep the reading order (rowid).
        when = "created IS NULL, created ASC"
        order = f"score DESC, {when}, id" if rule == "top_score" else f"{when}, id"
        return self.conn.execute(
            f"SELECT id, author, body FROM c WHERE link=? ORDER BY {order}, rowid", (link,)
        ).fetchall()

    def close(self) -> None:
        self.conn.close()
        self.path.unlink(missing_ok=True)


def as_int(value: Any) -> int | None:
    """A dump field as an int (dumps give numbers as ints, floats or strings), or None
    when it is none, or beyond what SQLite and Parquet hold (lenient: hydration)."""
    try:
        return as_int64(value)
    except ValueError:
        return None


# The fields of a dump line that curate reads, besides those with checks of their own,
# and what they must be when present (null is always allowed). A line where one is
# something else is quarantined naming the field: fields curate does not read are not
# checked. (A post's `created_utc` is not here: a bad one is left empty, with a defect
# on the record, rather than losing the post for its timestamp.)
SUBMISSION_TEXTS = ("author", "permalink", "url")
COMMENT_TEXTS = ("author", "parent_id")
COMMENT_NUMBERS = ("score", "created_utc")


def wrong_field(
    obj: dict[str, Any], texts: tuple[str, ...], numbers: tuple[str, ...]
) -> str | None:
    """Why a field of `obj` that curate reads has the wrong type or range, or None."""
    pid = obj.get("id")
    if isinstance(pid, bool) or not isinstance(pid, str | int | None):
        return f"id is not a string ({type(pid).__name__})"
    for name in texts:
        value = obj.get(name)
        if not isinstance(value, str | None):
            return f"{name} is not a string ({type(value).__name__})"
    for name in numbers:
        try:
            as_int64(obj.get(name))
        except ValueError as exc:
            return f"{name} {exc}"
    return None


# (link, comment id, author, score, created, body): one staged response candidate.
Candidate = tuple[str, str, str | None, int, int | None, str]
SPOOL_CHUNK = 1000  # items per pickled chunk of a spool file


@dataclass(frozen=True)
class ScanJob:
    """One dump file to scan, and where to put what the scan found."""

    path: Path
    out: Path  # a folder of its own, inside the workspace (the spools hold raw text)
    policy: RedditPolicy
    salt: bytes
    max_bytes: int


@dataclass(frozen=True)
class FileScan:
    """What the scan of one file left in its folder: three spools, in line order."""

    path: Path
    out: Path
    size: int  # bytes of the (compressed) file: progress

    @property
    def comments(self) -> Path:  # one item per comment line (counted, never stored)
        return self.out / "comments.pkl"

    @property
    def posts(self) -> Path:  # one (item, author) per other line, posts not yet paired
        return self.out / "posts.pkl"

    @property
    def candidates(self) -> Path:  # the staged response candidates
        return self.out / "candidates.pkl"


# Maps a function over jobs somewhere (worker processes, a Ray cluster) and yields the
# results in the order of the jobs.
FileMap = Callable[[Callable[[ScanJob], FileScan], list[ScanJob]], Iterator[FileScan]]


def read(
    paths: list[Path],
    *,
    policy: RedditPolicy,
    salt: bytes,
    max_bytes: int,
    staging_dir: Path | None = None,
    on_progress: Callable[[Path, int], None] | None = None,
    file_map: FileMap | None = None,
) -> Iterator[Item]:
    """Yield one item per line of every file: comments first, then submissions, each
    post paired with its response.

    Two steps. `scan_file` reads one file, in one pass, into spools (one task per file:
    `file_map` runs them in parallel, in worker processes or on a Ray cluster; without
    it they run here, one after the other). Then `pair`, here, stages every file's
    response candidates in one index keyed by post id — a January post's comments are
    in February's file too — and pairs each post with its response. The items, and so
    the records, are the same whichever way the scans ran."""
    scratch = Scratch.create(staging_dir, "curate-reddit")  # swept if this run is killed
    folder = scratch.path
    try:
        jobs = [
            ScanJob(path, folder / f"{i:05d}", policy, salt, max_bytes)
            for i, path in enumerate(paths)
        ]
        if file_map is None or len(jobs) < 2:
            scans = [scan_file(job, _progress(on_progress, job.path)) for job in jobs]
        else:
            scans = []
            for scan in file_map(scan_file, jobs):
                scans.append(scan)
                if on_progress is not None:
                    on_progress(scan.path, scan.size)
        yield from pair(scans, policy, folder)
    finally:
        scratch.remove()


def _progress(on_progress, path):
    return None if on_progress is None else (lambda n: on_progress(path, n))


def pair(scans: list[FileScan], policy: RedditPolicy, folder: Path) -> Iterator[Item]:
    """The items of scanned files, in the order of a sequential read: every file's
    comment items, then every file's other items, each post with its response chosen
    among the candidates of all files."""
    staging = _Staging(folder)
    try:
        staging.load(chunk for scan in scans for chunk in _unspool(scan.candidates))
        staging.seal()
        for scan in scans:
            for chunk in _unspool(scan.comments):
                yield from chunk
        for scan in scans:
            for chunk in _unspool(scan.posts):
                for item, author in chunk:
                    if isinstance(item, Parsed):
                        _add_response(item, author, staging, policy)
                    yield item
    finally:
        staging.close()


def _add_response(item: Parsed, author: str | None, staging: _Staging, policy) -> None:
    source = item.record.source
    for cid, cauthor, body in staging.candidates(source.source_id, policy.response_rule):
        if policy.exclude_op and author not in (None, "[deleted]") and cauthor == author:
            continue
        source.response_id, item.raw.response = cid, body
        return


class _Spool:
    """Items appended to a file in pickled chunks: memory stays flat."""

    def __init__(self, path: Path) -> None:
        self.fh = path.open("wb")
        self.chunk: list = []

    def add(self, item) -> None:
        self.chunk.append(item)
        if len(self.chunk) >= SPOOL_CHUNK:
            self.flush()

    def flush(self) -> None:
        if self.chunk:
            pickle.dump(self.chunk, self.fh, protocol=pickle.HIGHEST_PROTOCOL)
            self.chunk = []

    def close(self) -> None:
        self.flush()
        self.fh.close()


def _unspool(path: Path) -> Iterator[list]:
    """The chunks of a spool written by `_Spool` (by this run: never an outside file)."""
    with path.open("rb") as fh:
        while True:
            try:
                yield pickle.load(fh)
            except EOFError:
                return


def scan_file(job: ScanJob, on_progress: Callable[[int], None] | None = None) -> FileScan:
    """One pass over one dump file: every line becomes one item (comments are counted,
    top-level ones staged as response candidates; submissions are parsed, not yet
    paired). Pure but for the spools in `job.out`, so any executor can run it.

    A line that breaks the parser in a way nobody foresaw becomes a quarantined line
    (the reason names the exception type only: its message could quote the line), and a
    file that cannot be read to its end keeps the lines before and gives one file-level
    item naming the problem."""
    job.out.mkdir(parents=True, exist_ok=True)
    try:
        size = job.path.stat().st_size
    except OSError:
        size = 0
    scan = FileScan(job.path, job.out, size)
    spools = [_Spool(scan.comments), _Spool(scan.posts), _Spool(scan.candidates)]
    comments, posts, candidates = spools
    try:
        for number, raw in iter_lines(job.path, on_progress):
            loc = Location(str(job.path), number)
            comment_like = _is_probably_comment(raw)
            try:
                item, candidate, author = _scan_line(raw, loc, job, comment_like)
            except Exception as exc:  # the last resort: lose the line, not the run
                kind = "comment" if comment_like else "record"
                reason = f"could not be parsed ({type(exc).__name__})"
                item, candidate, author = Rejected(loc, reason, raw, kind=kind), None, None
            if candidate is not None:
                candidates.add(candidate)
            if isinstance(item, Parsed) or item.kind != "comment":
                posts.add((item, author))
            else:
                comments.add(item)
    except InputProblem as problem:
        posts.add((problem.item(), None))
    finally:
        for spool in spools:
            spool.close()
    return scan


def _scan_line(
    raw: bytes, loc: Location, job: ScanJob, comment_like: bool
) -> tuple[Item, Candidate | None, Any]:
    """(item, response candidate or None, the post's author) of one dump line."""
    obj = decode_json_line(raw, loc, job.max_bytes, kind="comment" if comment_like else "record")
    if isinstance(obj, Rejected):
        return obj, None, None
    if is_comment(obj):
        item, candidate = _comment(obj, loc, raw, job.policy)
        return item, candidate, None
    if is_submission(obj):
        return _submission(obj, loc, raw, job.policy, job.salt), None, obj.get("author")
    return Rejected(loc, "neither a Reddit submission nor a comment", raw.decode()), None, None


def _comment(obj, loc, raw, policy: RedditPolicy) -> tuple[Item, Candidate | None]:
    """The item of a comment line, and the response candidate it makes (if any)."""
    body, link = obj.get("body"), obj.get("link_id")
    if not isinstance(body, str) or not isinstance(link, str) or obj.get("id") in (None, ""):
        return Rejected(
            loc, "comment without id, link_id or string body", raw.decode(), kind="comment"
        ), None
    problem = wrong_field(obj, COMMENT_TEXTS, COMMENT_NUMBERS)
    if problem:
        return Rejected(loc, problem, raw.decode(), kind="comment"), None
    author = obj.get("author")
    if policy.is_gone(body) or (author in ("[deleted]", None) and not body.strip()):
        return Skipped(loc, "deleted or removed", kind="comment"), None
    if policy.is_bot(author):
        return Skipped(loc, "bot author", kind="comment"), None
    if obj.get("parent_id", link) != link:
        return Skipped(loc, "not a top-level comment", kind="comment"), None
    if len(body.strip()) < policy.min_response_chars:
        return Skipped(loc, "too short for a response", kind="comment"), None
    if len(body) > policy.max_text_chars:
        return Rejected(
            loc,
            f"comment longer than {policy.max_text_chars} characters",
            raw.decode(),
            kind="comment",
        ), None
    candidate = (
        link.removeprefix("t3_"),
        str(obj["id"]),
        author,
        as_int64(obj.get("score")) or 0,
        as_int64(obj.get("created_utc")),
        body,
    )
    return Skipped(loc, STAGED, kind="comment"), candidate


def _is_probably_comment(raw: bytes) -> bool:
    return b'"body"' in raw or b'"link_id"' in raw


def _submission(obj, loc, raw, policy: RedditPolicy, salt: bytes) -> Item:
    """The record of a submission, its response not yet chosen (`pair` does that)."""
    post_id, subreddit = obj.get("id"), obj.get("subreddit")
    title, selftext = obj.get("title"), obj.get("selftext")
    if not post_id or not isinstance(subreddit, str):
        return Rejected(loc, "submission without id or subreddit", raw.decode())
    if not isinstance(title, str | None) or not isinstance(selftext, str | None):
        return Rejected(loc, "title or selftext is not a string", raw.decode())
    problem = wrong_field(obj, SUBMISSION_TEXTS, ())
    if problem:
        return Rejected(loc, problem, raw.decode())
    title = title or ""
    if policy.is_gone(selftext):
        return Skipped(loc, "deleted or removed")
    author = obj.get("author")
    if policy.is_bot(author):
        return Skipped(loc, "bot author")
    if len(title) + len(selftext or "") > policy.max_text_chars:
        return Rejected(loc, f"post longer than {policy.max_text_chars} characters", raw.decode())
    culture, why = policy.culture_of(subreddit, f"{title}\n{selftext}")
    if culture is None:
        return Skipped(loc, f"no culture: {why}")
    permalink = obj.get("permalink")
    url = f"https://www.reddit.com{permalink}" if permalink else obj.get("url")
    created, bad_time = _post_time(obj.get("created_utc"))
    record = Record(
        id=pseudonymous_id(salt, "reddit", str(post_id)),
        culture=culture,
        source=Source(
            platform="reddit",
            source_id=str(post_id),
            community=subreddit,
            created_utc=created,
            url=url,
            thread_id=str(post_id),
        ),
        provenance=Provenance(input_file=loc.file, line=loc.line, format=FORMAT),
    )
    if bad_time:
        record.add_defect("source.created_utc", f"{bad_time}; left empty")
    return Parsed(record, RawText(title=title or None, text=selftext))


def _post_time(value: Any) -> tuple[int | None, str | None]:
    """(created_utc, why it was left empty): one that SQLite and Parquet cannot hold
    (not a number, not finite, beyond 64 bits) is left empty with a reason."""
    try:
        return as_int64(value), None
    except ValueError as exc:
        return None, str(exc)
