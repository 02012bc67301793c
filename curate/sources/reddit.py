"""Reddit dumps in the Pushshift / Arctic Shift NDJSON layout (submissions and comments,
plain or compressed).

Pairing posts with a peer response needs the comments of a post when the post is read,
but dumps are far larger than memory. So the comments are streamed first into a
temporary SQLite staging file (indexed by post), then the submissions are streamed and
each looks up its candidates there: memory stays flat whatever the dump size.
"""

from __future__ import annotations

import re
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from curate.records import Provenance, RawText, Record, Source, pseudonymous_id
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
    """Top-level comment candidates of every post, on disk."""

    def __init__(self, directory: Path | None) -> None:
        self._tmp = tempfile.NamedTemporaryFile(
            prefix="curate-staging-", suffix=".sqlite", dir=directory, delete=False
        )
        self._tmp.close()
        self.path = Path(self._tmp.name)
        self.conn = sqlite3.connect(self.path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=OFF")
        self.conn.execute("PRAGMA synchronous=OFF")
        self.conn.execute(
            "CREATE TABLE c (link TEXT, id TEXT, author TEXT, score INTEGER, created INTEGER,"
            " body TEXT)"
        )
        self.conn.execute("BEGIN")
        self._pending = 0

    def add(
        self, link: str, cid: str, author: str | None, score: int, created: int | None, body: str
    ) -> None:
        self.conn.execute(
            "INSERT INTO c VALUES (?, ?, ?, ?, ?, ?)", (link, cid, author, score, created, body)
        )
        self._pending += 1
        if self._pending >= 50_000:
            self.conn.execute("COMMIT")
            self.conn.execute("BEGIN")
            self._pending = 0

    def seal(self) -> None:
        self.conn.execute("COMMIT")
        self.conn.execute("CREATE INDEX c_link ON c (link)")

    def candidates(self, link: str, rule: str) -> list[tuple[str, str | None, str]]:
        # A comment without a time sorts last, not first (SQLite puts NULL first).
        when = "created IS NULL, created ASC"
        order = f"score DESC, {when}, id" if rule == "top_score" else f"{when}, id"
        return self.conn.execute(
            f"SELECT id, author, body FROM c WHERE link=? ORDER BY {order}", (link,)
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


def read(
    paths: list[Path],
    *,
    policy: RedditPolicy,
    salt: bytes,
    max_bytes: int,
    staging_dir: Path | None = None,
    on_progress: Callable[[Path, int], None] | None = None,
) -> Iterator[Item]:
    """Yield one item per line of every file: comments first (staged), then submissions."""
    staging = _Staging(staging_dir)
    try:
        yield from _stage_comments(paths, staging, policy, max_bytes, on_progress)
        staging.seal()
        yield from _read_submissions(paths, staging, policy, salt, max_bytes, on_progress)
    finally:
        staging.close()


def _progress(on_progress, path):
    return None if on_progress is None else (lambda n: on_progress(path, n))


def _stage_comments(paths, staging, policy, max_bytes, on_progress) -> Iterator[Item]:
    for path in paths:
        for number, raw in iter_lines(path, _progress(on_progress, path)):
            loc = Location(str(path), number)
            obj = decode_json_line(raw, loc, max_bytes, kind="comment")
            if isinstance(obj, Rejected):
                if _is_probably_comment(raw):
                    yield obj
                continue  # a bad submission line is reported in the submissions pass
            if not is_comment(obj):
                continue
            body, link = obj.get("body"), obj.get("link_id")
            if not isinstance(body, str) or not isinstance(link, str) or "id" not in obj:
                yield Rejected(
                    loc, "comment without id, link_id or string body", raw.decode(), kind="comment"
                )
                continue
            author = obj.get("author")
            if policy.is_gone(body) or (author in ("[deleted]", None) and not body.strip()):
                yield Skipped(loc, "deleted or removed", kind="comment")
            elif policy.is_bot(author):
                yield Skipped(loc, "bot author", kind="comment")
            elif obj.get("parent_id", link) != link:
                yield Skipped(loc, "not a top-level comment", kind="comment")
            elif len(body.strip()) < policy.min_response_chars:
                yield Skipped(loc, "too short for a response", kind="comment")
            elif len(body) > policy.max_text_chars:
                yield Rejected(
                    loc,
                    f"comment longer than {policy.max_text_chars} characters",
                    raw.decode(),
                    kind="comment",
                )
            else:
                staging.add(
                    link.removeprefix("t3_"),
                    str(obj["id"]),
                    author,
                    as_int(obj.get("score")) or 0,
                    as_int(obj.get("created_utc")),
                    body,
                )
                yield Skipped(loc, STAGED, kind="comment")


def _is_probably_comment(raw: bytes) -> bool:
    return b'"body"' in raw or b'"link_id"' in raw


def _read_submissions(paths, staging, policy, salt, max_bytes, on_progress) -> Iterator[Item]:
    for path in paths:
        for number, raw in iter_lines(path, _progress(on_progress, path)):
            loc = Location(str(path), number)
            obj = decode_json_line(raw, loc, max_bytes)
            if isinstance(obj, Rejected):
                if not _is_probably_comment(raw):
                    yield obj
                continue
            if is_comment(obj):
                continue
            if not is_submission(obj):
                yield Rejected(loc, "neither a Reddit submission nor a comment", raw.decode())
                continue
            yield _submission(obj, loc, raw, staging, policy, salt)


def _submission(obj, loc, raw, staging, policy, salt) -> Item:
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
    response_id, response = None, None
    for cid, cauthor, body in staging.candidates(str(post_id), policy.response_rule):
        if policy.exclude_op and author not in (None, "[deleted]") and cauthor == author:
            continue
        response_id, response = cid, body
        break
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
            response_id=response_id,
            thread_id=str(post_id),
        ),
        provenance=Provenance(input_file=loc.file, line=loc.line, format=FORMAT),
    )
    return Parsed(record, RawText(title=title or None, text=selftext, response=response))
