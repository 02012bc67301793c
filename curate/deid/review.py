"""The curator's review of what de-identification is unsure of (`curate deid review`).

Why: a detector that fires on a name list without context, a score near the threshold, a
public name written like a private one ("my friend Hillel"), a name replaced inside an
annotated cultural-signal phrase: the machine decides (replace or leave in place), and a
person looks at the decision. Only the curator does, inside the workspace: the queue
shows raw text (from the vault), which never goes to Label Studio, whose every user sees
every project.

A verdict is stored as an `Override` (original offsets on the record's revision, no text)
and applied on every later run of `curate deid`: `keep` leaves the words, `remove`
replaces them whatever the detectors say. "Always keep" also adds the words to the
curator's allowlist (`curate.deid.allowlist.add_entry`), for every record.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from curate.deid import tables as deid_tables
from curate.deid.allowlist import KINDS as ALLOWLIST_KINDS
from curate.deid.policy import Policy
from curate.errors import CurateError

CONTEXT_CHARS = 60
VERDICTS = ("remove", "keep", "always_keep")
# what a curator may type (interactively or in an import file) for each verdict
_VERDICT_WORDS = {
    "r": "remove",
    "remove": "remove",
    "k": "keep",
    "keep": "keep",
    "a": "always_keep",
    "always_keep": "always_keep",
    "always-keep": "always_keep",
    "always keep": "always_keep",
}
_NO_VERDICT = ("", "s", "skip")


# -- the queue ---------------------------------------------------------------------------
def item_id(row: dict[str, Any]) -> str:
    """A queue item's id: the record, its revision, the field and the original offsets
    (no text). Stable across runs as long as the decision is the same."""
    return f"{row['record_id']}@{row['revision']}:{row['field']}:{row['start']}-{row['end']}"


def field_texts(record: Any, raw: Any) -> dict[str, str]:
    """The raw texts the engine was given for one record, by the decisions' field names
    (`title`, `text`, `response`, a free-text path, `phrase:<j>`)."""
    from curate.deid.stage import deid_input

    seen = deid_input(record, raw)
    texts = {k: v for k, v in seen.fields.items() if v}
    texts.update({f"phrase:{j}": p for j, p in enumerate(seen.phrases) if p})
    return texts


@dataclass
class Item:
    """One uncertain decision, with its context in the raw text (None: not in the vault)."""

    id: str
    row: dict[str, Any]
    before: str | None = None
    value: str | None = None
    after: str | None = None
    cut: tuple[bool, bool] = (False, False)  # the text goes on before / after the context

    def to_dict(self) -> dict[str, Any]:
        """What the export file holds for this item (raw text: the file is the
        curator's alone), with an empty `verdict` for the curator to fill in."""
        r = self.row
        return {
            "id": self.id,
            "record_id": r["record_id"],
            "field": r["field"],
            "entity_type": r["entity_type"],
            "operator": r["operator"],
            "reason": r["unsure"],
            "recognizer": r["recognizer"],
            "score": r["score"],
            "culture": r["culture"],
            "before": self.before,
            "value": self.value,
            "after": self.after,
            "verdict": None,
        }


def items(store: Any, record_id: str | None = None, reviewed: bool = False) -> Iterator[Item]:
    """The queue (`Store.deid_review_queue`) with each item's context: up to
    `CONTEXT_CHARS` characters either side, from the vault."""
    return _with_context(store, deid_tables.review_queue(store, record_id, reviewed=reviewed))


def _with_context(store: Any, rows: Iterable[dict[str, Any]]) -> Iterator[Item]:
    texts: dict[str, dict[str, str]] = {}
    for row in rows:
        rid = row["record_id"]
        if rid not in texts:
            found = store.vault.original(rid)
            texts = {rid: field_texts(*found) if found else {}}  # one record at a time
        text = texts[rid].get(row["field"])
        item = Item(item_id(row), row)
        if text is not None and row["end"] <= len(text):
            s, e = row["start"], row["end"]
            item.before = text[max(0, s - CONTEXT_CHARS) : s]
            item.value = text[s:e]
            item.after = text[e : e + CONTEXT_CHARS]
            item.cut = (s > CONTEXT_CHARS, e + CONTEXT_CHARS < len(text))
        yield item


def summary(store: Any) -> dict[str, Any]:
    """Counts of the queue (no values): what is left to review, by reason and entity
    type, and how many verdicts wait for `curate deid` to apply them."""
    left = deid_tables.review_queue(
        store,
    )
    pending = deid_tables.records_to_redo(store)
    verdicts = deid_tables.verdict_counts(store)
    return {
        "unreviewed": len(left),
        "records": len({r["record_id"] for r in left}),
        "by_reason": dict(Counter(r["unsure"] for r in left).most_common()),
        "by_entity_type": dict(Counter(r["entity_type"] for r in left).most_common()),
        "verdicts": {v: verdicts.get(v, 0) for v in ("remove", "keep")},
        "records_to_redo": pending,
    }


def curator_kept(store: Any) -> dict[str, list[tuple[int, int]]]:
    """Where the de-identified texts hold words a curator decided to keep, as the
    residual scan names its items (`<record id>:<path>`) with offsets in those texts:
    the scan skips them (it would find the name again and stop every release)."""
    from curate.deid.stage import TEXT_FIELDS
    from curate.records import Record

    out: dict[str, list[tuple[int, int]]] = {}
    phrase_paths: dict[str, list[int]] = {}
    for rid, fld, start, end, doc in deid_tables.curator_kept(store):
        if fld.startswith("phrase:"):
            # the j-th phrase is the j-th span without offsets of the record as ingested
            if rid not in phrase_paths:
                spans = Record.from_dict(json.loads(doc)).spans
                phrase_paths[rid] = [i for i, s in enumerate(spans) if s.start is None]
            j = int(fld.partition(":")[2])
            if j >= len(phrase_paths[rid]):
                continue
            path = f"spans[{phrase_paths[rid][j]}].text"
        else:
            path = TEXT_FIELDS.get(fld, fld)
        out.setdefault(f"{rid}:{path}", []).append((start, end))
    return out


# -- verdicts ----------------------------------------------------------------------------
def parse_verdict(word: Any) -> str | None:
    """'remove' | 'keep' | 'always_keep', None for no verdict (empty, 'skip'); raises
    ValueError for anything else."""
    text = "" if word is None else str(word).strip().casefold()
    if text in _NO_VERDICT:
        return None
    if text in _VERDICT_WORDS:
        return _VERDICT_WORDS[text]
    raise ValueError(text)


def decide(
    store: Any, item: Item, verdict: str, policy: Policy | None, reviewer: str | None
) -> bool:
    """Record one verdict on a queue item; False if the record was re-ingested meanwhile
    (its revision changed: the item no longer exists). `always_keep` also adds the words
    to the curator's allowlist of the record's culture (`policy.curator_allowlist`)."""
    if verdict not in VERDICTS:
        raise CurateError(f"unknown verdict {verdict!r}: use one of {', '.join(VERDICTS)}")
    if verdict == "always_keep":
        _always_keep(item, policy)
    row = dict(item.row, verdict="remove" if verdict == "remove" else "keep")
    if verdict == "remove" and row["entity_type"] in ALLOWLIST_KINDS:
        # an allowlisted 'public figure' the curator says is a private person: a name
        row["entity_type"] = "PERSON"
    stored, _ = deid_tables.record_verdicts(store, [row], reviewer)
    return stored == 1


def _always_keep(item: Item, policy: Policy | None) -> None:
    from curate.deid.allowlist import add_entry

    if policy is None or policy.curator_allowlist is None:
        raise CurateError("no curator allowlist file: 'always keep' needs a workspace policy")
    term = " ".join((item.value or "").split())
    if not term:
        raise CurateError(f"{item.id}: its words are not in the vault, cannot add them")
    add_entry(policy.curator_allowlist, item.row["culture"], term)


# -- export and import -------------------------------------------------------------------
def export_queue(store: Any, path: Path) -> int:
    """Write the unreviewed queue as JSONL (one item a line, with its raw context and an
    empty `verdict`). The file holds raw text: created readable by its owner only (0600),
    rewritten if it exists. Returns the number of items."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    try:
        fd = os.open(path, flags, 0o600)
        os.fchmod(fd, 0o600)  # an existing file keeps its mode on open: set it
    except OSError as exc:
        raise CurateError(f"{path}: cannot write ({exc.strerror})") from None
    n = 0
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        for item in items(store):
            out.write(json.dumps(item.to_dict(), ensure_ascii=False) + "\n")
            n += 1
    return n


REVIEW_COMMAND = "deid review"  # the run log's name of an import or an interactive review


@dataclass
class ImportReport:
    """What an import did, line by line: nothing is dropped without a word."""

    recorded: Counter = field(default_factory=Counter)  # by verdict
    no_verdict: int = 0  # lines without a verdict (left in the queue)
    problems: list[dict[str, Any]] = field(default_factory=list)  # line, id, problem

    def to_dict(self) -> dict[str, Any]:
        return {
            "recorded": dict(self.recorded),
            "no_verdict": self.no_verdict,
            "problems": self.problems,
        }

    def run_counts(self) -> dict[str, Any]:
        """For the run log: counts only."""
        return {
            "recorded": dict(self.recorded),
            "no_verdict": self.no_verdict,
            "problems": len(self.problems),
        }


def read_verdict_lines(lines: Iterable[str]) -> Iterator[tuple[int, str | None, Any, str | None]]:
    """(line number, item id, verdict as given, problem) per non-empty line. A line is
    a JSON object with `id` and `verdict` (an exported line with its verdict filled in),
    or `ID VERDICT` separated by white space, a tab or a comma."""
    for n, line in enumerate(lines, 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        if text.startswith("{"):
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as exc:
                yield n, None, None, f"not JSON ({exc.msg} at column {exc.colno})"
                continue
            if not isinstance(obj, dict) or not isinstance(obj.get("id"), str):
                yield n, None, None, "a JSON line needs an 'id' (string) and a 'verdict'"
                continue
            yield n, obj["id"], obj.get("verdict"), None
            continue
        parts = text.replace(",", " ").replace("\t", " ").split(None, 1)
        if len(parts) < 2:
            yield n, parts[0], None, None
            continue
        yield n, parts[0], parts[1], None


def import_verdicts(
    store: Any, path: Path, policy: Policy | None, reviewer: str | None
) -> ImportReport:
    """Record the verdicts of a file (see `read_verdict_lines`). An id must name a
    decision of a record's current revision — an uncertain one from the queue, reviewed
    or not (a verdict given again replaces the earlier one), or any other the curator
    saw with `--record` — or an earlier verdict's region. Unknown ids, unknown verdicts
    and unreadable lines are reported with their line number; the other lines are
    recorded. The last verdict on one item counts."""
    try:
        lines = list(read_verdict_lines(path.read_text(encoding="utf-8").splitlines()))
    except (OSError, UnicodeDecodeError) as exc:
        raise CurateError(f"{path}: cannot read ({type(exc).__name__})") from None
    report = ImportReport()
    args = {"import": str(path), "reviewer": reviewer}
    with store.run(REVIEW_COMMAND, args, report.run_counts):
        _import_lines(store, lines, policy, reviewer, report)
    return report


def _import_lines(
    store: Any, lines: list, policy: Policy | None, reviewer: str | None, report: ImportReport
) -> None:
    known = _known_items(store, {iid.partition("@")[0] for _, iid, _, _ in lines if iid})
    for line, iid, given, problem in lines:
        if problem is None and iid not in known:
            problem = "unknown item (no decision of a record's current revision)"
        verdict = None
        if problem is None:
            try:
                verdict = parse_verdict(given)
            except ValueError:
                # (what was given is not echoed: a mangled line may hold the context)
                problem = "unknown verdict (use remove, keep, always_keep, or none to skip)"
        if problem is not None:
            report.problems.append({"line": line, "id": iid, "problem": problem})
            continue
        if verdict is None:
            report.no_verdict += 1
            continue
        assert iid is not None
        try:
            stored = decide(store, known[iid], verdict, policy, reviewer)
        except CurateError as exc:
            report.problems.append({"line": line, "id": iid, "problem": str(exc)})
            continue
        if stored:
            report.recorded[verdict] += 1
        else:
            report.problems.append(
                {"line": line, "id": iid, "problem": "the record was re-ingested meanwhile"}
            )


def _known_items(store: Any, record_ids: set[str]) -> dict[str, Item]:
    """Every decision of these records' current revisions and every earlier verdict on
    them, by item id, with context."""
    rows: list[dict[str, Any]] = []
    for rid in sorted(record_ids):
        decided = deid_tables.review_queue(store, rid, reviewed=True, certain=True)
        ids = {item_id(r) for r in decided}
        rows += decided + [r for r in _override_rows(store, rid) if item_id(r) not in ids]
    return {item.id: item for item in _with_context(store, rows)}


def _override_rows(store: Any, record_id: str) -> list[dict[str, Any]]:
    """Earlier verdicts on the record's current revision, as queue rows."""
    return deid_tables.override_rows(store, record_id)


# -- the interactive loop ----------------------------------------------------------------
PROMPT = "[r]emove / [k]eep / [a]lways keep / [s]kip / [q]uit"
_KEYS = {"r": "remove", "k": "keep", "a": "always_keep", "s": None}


def render(item: Item, n: int, total: int) -> str:
    """One queue item as rich markup: where it is, why the machine is unsure, and its
    context with the words highlighted. Every raw or stored string is escaped (a text
    may hold `[bold]` or anything else)."""
    from rich.markup import escape

    r = item.row
    now = "kept" if r["operator"] == "keep" else f"replaced ({r['operator']})"
    lines = [
        f"[bold]{n}/{total}[/]  record {escape(r['record_id'])}  field {escape(r['field'])}"
        f"  {escape(r['entity_type'])}, now {escape(now)}"
        f"  [dim]({escape(str(r['recognizer']))}, score {r['score']})[/]",
        f"unsure: {escape(str(r['unsure']))}",
    ]
    if item.value is None:
        lines.append("[dim](the text is not in the vault)[/]")
    else:

        def flat(text: str) -> str:
            return escape(" ⏎ ".join(text.split("\n")))

        lines.append(
            f"  {'…' if item.cut[0] else ''}{flat(item.before or '')}"
            f"[reverse bold]{flat(item.value)}[/]{flat(item.after or '')}"
            f"{'…' if item.cut[1] else ''}"
        )
    return "\n" + "\n".join(lines)


@dataclass
class LoopReport:
    recorded: Counter = field(default_factory=Counter)  # by verdict
    skipped: int = 0
    stale: int = 0  # records re-ingested while the loop ran
    left: int = 0  # not shown (quit)

    def run_counts(self) -> dict[str, Any]:
        return {
            "recorded": dict(self.recorded),
            "skipped": self.skipped,
            "stale": self.stale,
            "left": self.left,
        }


def review_loop(
    store: Any, policy: Policy | None, reviewer: str | None, ask: Any, show: Any
) -> LoopReport:
    """Go through the unreviewed queue: `show(markup)` each item, `ask(prompt)` returns
    one of r k a s q (None: the input ended, as q). Each verdict is stored at once, so a
    quit keeps what was decided."""
    rows = deid_tables.review_queue(store)
    report = LoopReport()
    with store.run(REVIEW_COMMAND, {"reviewer": reviewer}, report.run_counts):
        _loop(store, rows, policy, reviewer, ask, show, report)
    return report


def _loop(store: Any, rows: list, policy, reviewer, ask, show, report: LoopReport) -> None:
    for n, item in enumerate(_with_context(store, rows), 1):  # the vault read as it goes
        show(render(item, n, len(rows)))
        key = ask(PROMPT)
        if key is None or key == "q":
            report.left = len(rows) - n + 1
            break
        verdict = _KEYS[key]
        if verdict is None:
            report.skipped += 1
            continue
        if decide(store, item, verdict, policy, reviewer):
            report.recorded[verdict] += 1
        else:
            report.stale += 1
