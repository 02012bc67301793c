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
from curate.sources.base import Item, Location, Parsed, Rejected, Skipped, decode_json_line
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

    def is_bot(self, author: str | None) -> bool:
        if not self.skip_bots or not author:
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
    """A dump field as an int (dumps give numbers as ints, floats or strings), or None."""
    try:
        return int(float(value))
    except (TypeError, ValueError, OverflowError):
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
    paired). Pure but for the spools in `job.out`, so any executor can run it."""
    job.out.mkdir(parents=True, exist_ok=True)
    scan = FileScan(job.path, job.out, job.path.stat().st_size)
    spools = [_Spool(scan.comments), _Spool(scan.posts), _Spool(scan.candidates)]
    comments, posts, candidates = spools
    try:
        for number, raw in iter_lines(job.path, on_progress):
            loc = Location(str(job.path), number)
            comment_like = _is_probably_comment(raw)
            kind = "comment" if comment_like else "record"
            obj = decode_json_line(raw, loc, job.max_bytes, kind=kind)
            if isinstance(obj, Rejected):
                if comment_like:
                    comments.add(obj)
                else:
                    posts.add((obj, None))
            elif is_comment(obj):
                comments.add(_comment(obj, loc, raw, job.policy, candidates))
            elif is_submission(obj):
                author = obj.get("author")
                posts.add((_submission(obj, loc, raw, job.policy, job.salt), author))
            else:
                posts.add((Rejected(loc, "neither a Reddit submission nor a comment",
                                    raw.decode()), None))  # fmt: skip
    finally:
        for spool in spools:
            spool.close()
    return scan


def _comment(obj, loc, raw, policy: RedditPolicy, candidates: _Spool) -> Item:
    body, link = obj.get("body"), obj.get("link_id")
    if not isinstance(body, str) or not isinstance(link, str) or "id" not in obj:
        return Rejected(
            loc, "comment without id, link_id or string body", raw.decode(), kind="comment"
        )
    author = obj.get("author")
    if policy.is_gone(body) or (author in ("[deleted]", None) and not body.strip()):
        return Skipped(loc, "deleted or removed", kind="comment")
    if policy.is_bot(author):
        return Skipped(loc, "bot author", kind="comment")
    if obj.get("parent_id", link) != link:
        return Skipped(loc, "not a top-level comment", kind="comment")
    if len(body.strip()) < policy.min_response_chars:
        return Skipped(loc, "too short for a response", kind="comment")
    if len(body) > policy.max_text_chars:
        return Rejected(
            loc,
            f"comment longer than {policy.max_text_chars} characters",
            raw.decode(),
            kind="comment",
        )
    candidates.add(
        (
            link.removeprefix("t3_"),
            str(obj["id"]),
            author,
            as_int(obj.get("score")) or 0,
            as_int(obj.get("created_utc")),
            body,
        )
    )
    return Skipped(loc, STAGED, kind="comment")


def _is_probably_comment(raw: bytes) -> bool:
    return b'"body"' in raw or b'"link_id"' in raw


def _submission(obj, loc, raw, policy: RedditPolicy, salt: bytes) -> Item:
    """The record of a submission, its response not yet chosen (`pair` does that)."""
    post_id, subreddit = obj.get("id"), obj.get("subreddit")
    title, selftext = obj.get("title") or "", obj.get("selftext")
    if not post_id or not isinstance(subreddit, str):
        return Rejected(loc, "submission without id or subreddit", raw.decode())
    if not isinstance(title, str) or not isinstance(selftext, str | None):
        return Rejected(loc, "title or selftext is not a string", raw.decode())
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
    record = Record(
        id=pseudonymous_id(salt, "reddit", str(post_id)),
        culture=culture,
        source=Source(
            platform="reddit",
            source_id=str(post_id),
            community=subreddit,
            created_utc=as_int(obj.get("created_utc")),
            url=url,
            thread_id=str(post_id),
        ),
        provenance=Provenance(input_file=loc.file, line=loc.line, format=FORMAT),
    )
    return Parsed(record, RawText(title=title or None, text=selftext))
