"""Residual personal-data scan: is any direct identifier still in a text that is about to
leave the workspace? A release gate calls this; it reports ids, types, offsets and the
recognizer, never the values.

Pseudonym tags (`<PERSON_1>`) are what de-identification leaves behind and are skipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from curate.config import Config
from curate.deid.operators import PLACEHOLDER
from curate.errors import CurateError
from curate.records import Record, free_texts


def scan_texts(
    items: list[tuple],
    config: Config,
    engine=None,
    kept: dict[str, list[tuple[int, int]]] | None = None,
) -> list[dict[str, Any]]:
    """items: (id, text, language) or (id, text, language, culture). Returns one finding
    per direct identifier left. The culture selects the allowlist's public names, as it
    did when the text was de-identified. `kept`: regions per item id that a curator
    decided to keep (`curate deid review`): skipped like pseudonym tags."""
    from curate.deid.engine import has_text_outside
    from curate.deid.stage import make_engine
    from curate.langid import detect

    engine = engine or make_engine(config)
    direct = set(engine.policy.direct_identifiers)
    by_lang: dict[str, list[tuple[str, str, str | None]]] = {}
    for item in items:
        item_id, text, language = item[:3]
        culture = item[3] if len(item) > 3 else None
        lang = language or detect(text)[0]
        by_lang.setdefault(engine.policy.language_for(lang), []).append((item_id, text, culture))
    findings = []
    for lang, group in by_lang.items():
        texts = [t for _, t, _ in group]
        cultures = [c for _, _, c in group]
        for (item_id, text, _), dets in zip(
            group, engine.analyze(texts, lang, cultures), strict=True
        ):
            tags = [(m.start(), m.end()) for m in PLACEHOLDER.finditer(text)]
            tags += (kept or {}).get(item_id, [])
            for d in dets:
                if d.entity_type not in direct or d.operator == "keep":
                    continue  # kept by the allowlist, or under the bar for review
                if not has_text_outside(text, d.start, d.end, tags):
                    continue  # only pseudonym tags (and punctuation between them)
                findings.append(
                    {
                        "id": item_id,
                        "type": d.entity_type,
                        "start": d.start,
                        "end": d.end,
                        "recognizer": d.recognizer,
                        "score": round(d.score, 3),
                    }
                )
    return findings


def scan_workspace(store, config: Config, engine=None) -> list[dict[str, Any]]:
    """Scan every free-text value of every record in the workspace (see `scan_records`),
    but for the words a curator decided to keep."""
    from curate.deid.review import curator_kept

    return scan_records(store.iter_records(), config, engine, kept=curator_kept(store))


def scan_records(
    records: Iterable[Record],
    config: Config,
    engine=None,
    kept: dict[str, list[tuple[int, int]]] | None = None,
) -> list[dict[str, Any]]:
    """Scan every free-text value of these records (what the record schema marks
    `x-free-text`: texts, unaligned phrases, demographics, free-text label values); finding
    ids are `<record id>:<path>`, e.g. `cc-…:demographics.profession`. A span with
    offsets is a slice of its field's text, which is scanned whole."""
    items = []
    for record in records:
        aligned = {f"spans[{i}].text" for i, s in enumerate(record.spans) if s.start is not None}
        for path, text in free_texts(record):
            if path not in aligned:
                items.append((f"{record.id}:{path}", text, record.language, record.culture))
    return scan_texts(items, config, engine, kept) if items else []


def read_jsonl_items(src: str) -> list[tuple]:
    from curate.deid.jsonl import read_items

    rejects: list[dict] = []
    items = [
        (str(o["id"]), o["text"], o.get("language"), o.get("culture"))
        for _, o in read_items(src, rejects)
    ]
    if rejects:
        first = rejects[0]
        raise CurateError(f"{src}:{first['line']}: {first['reason']} ({len(rejects)} bad line(s))")
    return items


def scan_jsonl(src: str, config: Config) -> list[dict[str, Any]]:
    if src != "-" and not Path(src).is_file():
        raise CurateError(f"{src}: no such file")
    return scan_texts(read_jsonl_items(src), config)
