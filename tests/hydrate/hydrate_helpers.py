"""Builders for the hydrate tests (imported as `hydrate_helpers`, a name of its own).

- `publisher_workspace`: what a publisher has: the demo dump ingested, every record given
  the spans the demo generator planted (found in the RAW texts, in the test only), plus
  one span around a planted name (so that the reference release holds a de-identified
  phrase), de-identified.
- `read_demo_dump`: the demo dump as dicts (written back in the Pushshift layout,
  zstandard NDJSON, with `helpers.write_lines(..., compress="zst")` after the tests
  changed it).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import zstandard
from helpers import REPO, review_all

from curate.records import Span, content_hash

DEMO = REPO / "demo"
PII_SPAN_LABEL = "cultural_signal"
PII_SPAN_VALUE = "Values"


def read_demo_dump() -> tuple[list[dict], list[dict]]:
    """(submissions, comments) of demo/reddit, as dicts in file order."""
    out = []
    for name in ("RS_demo.zst", "RC_demo.zst"):
        blob = (DEMO / "reddit" / name).read_bytes()
        text = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(blob)).read().decode()
        out.append([json.loads(line) for line in text.splitlines() if line.strip()])
    return out[0], out[1]


def pii_truth() -> list[dict]:
    lines = (DEMO / "pii_truth.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence holding [start, end): from after the previous '. ' to the next '.'."""
    left = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start))
    right = text.find(".", end)
    return (left + 2 if text[left : left + 2] == ". " else left + 1), (
        right + 1 if right >= 0 else len(text)
    )


def plant_spans(store, config) -> str | None:
    """Give every stored record the generator's spans on its raw texts (a new revision,
    before de-identification), its empathy and demographics. One record whose post has a
    planted PERSON in the middle of a sentence also gets a span over that sentence.
    Returns that record's source id."""
    from curate.demographics import normalize_demographics
    from curate.synthetic.annotators.lexicon import demographics_truth, empathy_truth, true_spans

    taxonomy = config.taxonomy()
    persons = {}
    for truth in pii_truth():
        if truth["type"] == "PERSON" and truth["field"] == "selftext":
            persons.setdefault(truth["source_id"], truth)
    pii_source = None
    items = []
    for rid in [r.id for r in store.iter_records()]:
        record, raw = store.vault.original(rid)
        texts = {"post": raw.text or "", "response": raw.response or ""}
        truths = true_spans(taxonomy, texts)
        record.spans = [
            Span(
                t.field,
                t.family,
                texts[t.field][t.start : t.end],
                t.start,
                t.end,
                {taxonomy.family(t.family).attribute: t.value},
            )
            for t in truths
        ]
        name = persons.get(record.source.source_id)
        if pii_source is None and name is not None and record.duplicate_of is None:
            start, end = _sentence_around(texts["post"], name["start"], name["end"])
            if start < name["start"] and end > name["end"] + 3:
                pii_source = record.source.source_id
                record.spans.append(
                    Span(
                        "post",
                        PII_SPAN_LABEL,
                        texts["post"][start:end],
                        start,
                        end,
                        {"type": PII_SPAN_VALUE},
                    )
                )
        record.empathy = empathy_truth(taxonomy, truths, raw.response or "")
        demo = demographics_truth(taxonomy, raw.title or "", raw.text or "")
        record.demographics_raw = demo
        record.demographics = normalize_demographics(demo, taxonomy)[0]
        record.provenance.content_hash = content_hash(record, raw)
        items.append((record, raw))
    store.put_batch(items, store.begin_run("test: plant demo spans", {}))
    return pii_source


def publisher_workspace(folder: Path, deid_engine):
    """(config, store, pii source id): the demo, annotated and de-identified."""
    from curate.config import load_config
    from curate.deid.stage import deidentify_workspace
    from curate.ingest import ingest
    from curate.store import Store

    config = load_config(None, folder)
    store = Store.open(config.workspace)
    ingest([DEMO / "reddit"], config, store)
    pii_source = plant_spans(store, config)
    deidentify_workspace(store, config, engine=deid_engine, workers=1)
    # planted names inside cultural-signal spans wait for the curator: private, removed
    review_all(store, config, deid_engine)
    return config, store, pii_source


# -- the publisher's facts and the synthetic dump ---------------------------------------------
@dataclass
class Item:
    """One released item as the publisher has it: raw texts, the spans on the raw texts
    (as annotated), and the same spans after de-identification (what the reference
    release holds as phrases)."""

    source_id: str
    record_id: str
    raw: object  # RawText
    spans: list  # Span on the raw text
    released: list  # Span after de-identification (the reference phrase is its text)
    response_id: str | None


def published_items(store) -> dict[str, Item]:
    out = {}
    for record in store.iter_records(deidentified=True):
        original, raw = store.vault.original(record.id)
        out[record.source.source_id] = Item(
            record.source.source_id,
            record.id,
            raw,
            original.spans,
            record.spans,
            record.source.response_id,
        )
    return out


def _clean(item: Item, field: str, min_len: int = 30, spaces: int = 0):
    """Index of a span of `field` that is long, occurs once in its text, overlaps no other
    span, carries no placeholder in the release and has `spaces` spaces; or None."""
    text = (item.raw.text if field == "post" else item.raw.response) or ""
    for i, span in enumerate(item.spans):
        if span.field != field or span.start is None or span.end - span.start < min_len:
            continue
        phrase = text[span.start : span.end]
        others = [s for j, s in enumerate(item.spans) if j != i and s.field == field]
        if text.count(phrase) != 1 or phrase.count(" ") < max(spaces, 3):
            continue
        if any(s.start is not None and s.start < span.end and span.start < s.end for s in others):
            continue
        if "<" in item.released[i].text or len(phrase.upper()) != len(phrase):
            continue
        if not phrase.isascii():
            continue
        return i
    return None


def _substitute(phrase: str) -> str:
    """One letter in the middle of the phrase changed (same length)."""
    middle = len(phrase) // 2
    k = next(k for k in range(middle, len(phrase)) if phrase[k].isalpha() and phrase[k] != "q")
    return phrase[:k] + "q" + phrase[k + 1 :]


@dataclass
class Synthetic:
    files: list[Path]
    roles: dict[str, list[str]] = field(default_factory=dict)  # role -> source ids
    target: dict[str, int] = field(default_factory=dict)  # source id -> span index changed
    post: dict[str, str] = field(default_factory=dict)  # source id -> selftext in the dump
    response: dict[str, str | None] = field(default_factory=dict)  # body in the dump
    insert_at: dict[str, int] = field(default_factory=dict)  # whitespace role: +1 after
    malformed_line: tuple[str, int] | None = None


def synthetic_dump(folder: Path, items: dict[str, Item]) -> Synthetic:
    """The demo dump, changed by construction: posts deleted/removed, posts missing,
    phrases edited (one letter: fuzzy), replaced (unaligned), re-spaced (normalized),
    upper-cased (normalized), a response edited and one deleted, an older edited version
    of a post before the current one, a malformed line about a wanted post and one about
    no wanted post. Submissions and comments in four files, two compressions."""
    from helpers import write_lines

    folder.mkdir(parents=True, exist_ok=True)
    subs, comments = read_demo_dump()
    by_id = {s["id"]: s for s in subs}
    top = {}  # post id -> its top-level comments
    for c in comments:
        if c["parent_id"] == c["link_id"]:
            top.setdefault(c["link_id"][3:], []).append(c)
    comment_by_id = {c["id"]: c for c in comments}
    syn = Synthetic(files=[])
    ids = sorted(items)
    free = list(ids)

    def take(role: str, ok=lambda sid: True, n: int = 1) -> list[str]:
        chosen = [sid for sid in free if ok(sid)][:n]
        assert len(chosen) == n, f"no item for {role}"
        for sid in chosen:
            free.remove(sid)
        syn.roles[role] = chosen
        return chosen

    for sid, body in zip(
        take("deleted", n=3), ("[deleted]", "[removed]", "[deleted]"), strict=True
    ):
        by_id[sid]["selftext"] = body
    missing = set(take("missing", n=2))

    def edit_post(role: str, change, n: int, spaces: int = 0) -> None:
        for sid in take(role, lambda s: _clean(items[s], "post", spaces=spaces) is not None, n):
            i = _clean(items[sid], "post", spaces=spaces)
            span, text = items[sid].spans[i], by_id[sid]["selftext"]
            new = change(text[span.start : span.end])
            by_id[sid]["selftext"] = text[: span.start] + new + text[span.end :]
            syn.target[sid] = i
            if len(new) != span.end - span.start:
                syn.insert_at[sid] = span.start + new.index("  ") + 1

    edit_post("fuzzy", _substitute, 2)
    edit_post("unaligned", lambda p: "".join("z" if c.isalpha() else c for c in p), 1)
    edit_post("whitespace", lambda p: p.replace(" ", "\n", 1).replace(" ", "  ", 1), 2, 2)
    edit_post("case", str.upper, 1)

    (sid,) = take("response_fuzzy", lambda s: _clean(items[s], "response") is not None)
    i = _clean(items[sid], "response")
    span, comment = items[sid].spans[i], comment_by_id[items[sid].response_id]
    body = comment["body"]
    comment["body"] = (
        body[: span.start] + _substitute(body[span.start : span.end]) + body[span.end :]
    )
    syn.target[sid] = i

    def lone_response(s: str) -> bool:
        """Its response phrases are in no other top-level comment of the thread."""
        item = items[s]
        phrases = [p.text for p in item.spans if p.field == "response"]
        others = [c["body"] for c in top.get(s, []) if c["id"] != item.response_id]
        return bool(phrases) and not any(p in body for p in phrases for body in others)

    (sid,) = take("response_deleted", lone_response)
    comment_by_id[items[sid].response_id]["body"] = "[deleted]"

    (old,) = take("older_version", lambda s: _clean(items[s], "post") is not None)
    i = _clean(items[old], "post")
    span, current = items[old].spans[i], by_id[old]
    older = {**current, "selftext": current["selftext"][: span.start] + "Edited later."}

    for sid, sub in by_id.items():
        syn.post[sid] = sub["selftext"]
    for sid, item in items.items():
        syn.response[sid] = comment_by_id[item.response_id]["body"] if item.response_id else None

    wanted = next(s for s in ids if s not in missing)
    malformed = f'{{"id":"{wanted}","subreddit":"x","selftext":"unterminated'.encode()
    rs = [s for s in subs if s["id"] not in missing]
    rs_rows = [*rs[:5], malformed, b'{"id":"zzzzzz", not json', *rs[5:]]
    syn.malformed_line = ("RS_synthetic.zst", 6)
    half = len(comments) // 2
    syn.files = [
        write_lines(folder / "RC_part1.gz", comments[:half], compress="gz"),
        write_lines(folder / "RS_older.zst", [older], compress="zst"),
        write_lines(folder / "RS_synthetic.zst", rs_rows, compress="zst"),
        write_lines(folder / "RC_part2.zst", comments[half:], compress="zst"),
    ]
    return syn
