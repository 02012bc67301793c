"""One streaming pass over the user's Reddit dumps, keeping only what the reference wants.

Why one pass and no staging (unlike `curate ingest`): the wanted posts are known before
the dumps are read, so each line is judged on its own, in any file order. Memory holds
one slot per wanted post (the best submission version and the two best response
candidates so far), never the dump: it grows with the reference, not with the dumps.

Why a byte-level pre-filter: a dump has billions of lines, almost none wanted. A line is
decoded as JSON only when its `"id"` or `"link_id"` names a wanted post; every other
line costs one regular-expression scan. A malformed line that names a wanted post goes
to the quarantine; one that names none is irrelevant and only counted.

The response: a reference release has the response's phrases but not its comment id.
Every top-level comment of a wanted post is a candidate; the one in which the response
phrases align best wins (ties: the order of the ingest's `[reddit] response_rule`). A
response without annotated phrases is chosen as `curate ingest` chooses one: by the
rule, the post author's own comments and bots excluded. Which one was taken and how is
reported per item.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from curate.hydrate.align import Aligned, align_all, total_score
from curate.quarantine import Quarantine
from curate.sources.base import Location, Rejected, decode_json_line
from curate.sources.io import iter_lines
from curate.sources.reddit import RedditPolicy, as_int, is_comment, is_submission

_IDS = re.compile(rb'"(?:id|link_id)"\s*:\s*"(?:t3_)?([0-9A-Za-z]+)"')
_EPS = 1e-9


@dataclass(frozen=True)
class Phrases:
    """The phrases to align in one field, with their span families (for `align_all`)."""

    texts: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()

    def align(self, text: str, threshold: float) -> list[Aligned]:
        return align_all(text, self.texts, threshold, self.groups)


@dataclass(frozen=True)
class Want:
    post: Phrases
    response: Phrases


@dataclass
class Candidate:
    """A top-level comment that may be the response."""

    align: float  # how well the response phrases align in it (0: no phrases)
    rank: tuple[Any, ...]  # its place under the response rule (lower is better)
    author: str | None
    comment_id: str
    body: str
    location: Location
    aligned: list[Aligned] = field(default_factory=list)  # the response phrases in `body`

    def beats(self, other: Candidate) -> bool:
        if abs(self.align - other.align) > _EPS:
            return self.align > other.align
        return self.rank < other.rank


@dataclass
class Slot:
    """What the dumps hold for one wanted post, so far."""

    post: dict[str, Any] | None = None  # the best submission version (not deleted)
    post_score: float = -1.0
    post_location: Location | None = None
    post_aligned: list[Aligned] = field(default_factory=list)  # the post phrases in it
    deleted: Location | None = None  # a deleted / removed / empty version was seen
    best: Candidate | None = None
    second: Candidate | None = None  # the best whose author differs from `best`'s

    def offer(self, cand: Candidate) -> None:
        """Keep the best candidate and the best by another author: enough to exclude the
        post author's own comment at the end, whenever the submission turns up."""
        best, second = self.best, self.second
        if best is None or cand.beats(best):
            if best is not None and best.author != cand.author:
                self.second = best  # else the second keeps an author other than cand's
            self.best = cand
        elif cand.author != best.author and (second is None or cand.beats(second)):
            self.second = cand

    def response(self, exclude_op: bool) -> Candidate | None:
        op = (self.post or {}).get("author")
        if exclude_op and op not in (None, "[deleted]") and self.best and self.best.author == op:
            return self.second
        return self.best


@dataclass
class DumpStats:
    counts: Counter = field(default_factory=Counter)


def _rank(obj: dict[str, Any], rule: str) -> tuple[Any, ...]:
    created = as_int(obj.get("created_utc"))
    when = (created is None, created or 0)
    if rule == "top_score":
        return (-(as_int(obj.get("score")) or 0), *when, str(obj.get("id")))
    return (*when, str(obj.get("id")))


def scan(
    paths: list[Path],
    wanted: dict[str, Want],
    *,
    policy: RedditPolicy,
    threshold: float,
    max_bytes: int,
    quarantine: Quarantine,
    on_progress: Callable[[Path, int], None] | None = None,
) -> tuple[dict[str, Slot], DumpStats]:
    """Stream every dump file once; return a slot per wanted post that the dumps
    mention, and the counts (lines read, relevant, quarantined, ...)."""
    slots: dict[str, Slot] = {}
    stats = DumpStats()
    keys = {k.encode("ascii", "ignore") for k in wanted}
    counts = stats.counts
    for path in paths:
        progress = None if on_progress is None else (lambda n, p=path: on_progress(p, n))
        for number, raw in iter_lines(path, progress):
            counts["lines"] += 1
            if not any(m.group(1).lower() in keys for m in _IDS.finditer(raw)):
                continue
            counts["relevant"] += 1
            loc = Location(str(path), number)
            obj = decode_json_line(raw, loc, max_bytes, kind="dump line")
            if isinstance(obj, Rejected):
                counts["quarantined"] += 1
                quarantine.add(obj)
            elif is_comment(obj):
                _comment(obj, loc, wanted, slots, policy, threshold, counts)
            elif is_submission(obj):
                problem = _submission(obj, loc, wanted, slots, policy, threshold, counts)
                if problem is not None:
                    counts["quarantined"] += 1
                    quarantine.add(Rejected(loc, problem, raw, kind="dump line"))
            else:
                counts["other"] += 1
    return slots, stats


def _submission(obj, loc, wanted, slots, policy, threshold, counts) -> str | None:
    """Take one submission line; returns why it is bad input, or None."""
    key = str(obj.get("id", "")).lower()
    if key not in wanted:
        counts["other"] += 1
        return None
    counts["submissions"] += 1
    slot = slots.setdefault(key, Slot())
    title, selftext = obj.get("title"), obj.get("selftext")
    if not isinstance(title, str | None) or not isinstance(selftext, str | None):
        return "title or selftext is not a string"
    if policy.is_gone(selftext):
        if slot.deleted is None:
            slot.deleted = loc
        return None
    aligned = wanted[key].post.align(selftext or "", threshold)
    score = total_score(aligned)
    if slot.post is None or score > slot.post_score + _EPS:
        slot.post = {
            "title": title or None,
            "selftext": selftext,
            "subreddit": obj.get("subreddit"),
            "created_utc": as_int(obj.get("created_utc")),
            "author": obj.get("author"),
        }
        slot.post_score, slot.post_location, slot.post_aligned = score, loc, aligned
    return None


def _comment(obj, loc, wanted, slots, policy, threshold, counts) -> None:
    link = obj.get("link_id")
    key = link.removeprefix("t3_").lower() if isinstance(link, str) else ""
    if key not in wanted:
        counts["other"] += 1
        return
    body, author = obj.get("body"), obj.get("author")
    if obj.get("parent_id", link) != link:
        counts["comments_nested"] += 1
        return
    if not isinstance(body, str) or policy.is_gone(body) or policy.is_bot(author):
        counts["comments_excluded"] += 1
        return
    if len(body.strip()) < policy.min_response_chars or len(body) > policy.max_text_chars:
        counts["comments_excluded"] += 1
        return
    phrases = wanted[key].response
    aligned = phrases.align(body, threshold) if phrases.texts else []
    align = total_score(aligned) if phrases.texts else 0.0
    if phrases.texts and align <= 0:
        counts["comments_unmatched"] += 1
        return
    counts["comments_candidates"] += 1
    rank = _rank(obj, policy.response_rule)
    cand = Candidate(align, rank, author, str(obj.get("id")), body, loc, aligned)
    slots.setdefault(key, Slot()).offer(cand)
