"""De-identifying documents in batches, in one process or in worker processes.

A document is a post's fields (title, text, response) plus any annotated phrases: one
`Pseudonyms` memory spans all of them, so `<PERSON_1>` is the same person throughout.
Texts are grouped by language and sent through spaCy with `nlp.pipe` (Presidio's
BatchAnalyzerEngine); worker processes each hold one engine (forked from the parent, so
models load once) and take chunks of documents.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from curate.deid.offsets import OffsetMap
from curate.deid.operators import (
    Decision,
    Detection,
    Override,
    Pseudonyms,
    apply,
    from_presidio,
    resolve,
)
from curate.deid.policy import Policy
from curate.deid.recognizers.gazetteer import SCRIPT_LANGUAGE

_SCRIPT_RX = {"arabic": re.compile(r"[\u0600-\u06ff]"), "hebrew": re.compile(r"[\u05d0-\u05ea]")}
_HAN = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


@dataclass
class DeidInput:
    key: str
    language: str | None
    culture: str | None
    fields: dict[str, str | None]
    phrases: list[str] = field(default_factory=list)
    # the curator's verdicts by field name (as in `fields`, or `phrase:<j>`), original
    # offsets: applied to the detections by `curate.deid.review.apply_overrides`
    overrides: dict[str, list[Override]] = field(default_factory=dict)


@dataclass
class DeidOutput:
    key: str
    language: str  # pipeline language used
    fields: dict[str, str | None]
    maps: dict[str, OffsetMap]
    decisions: list[Decision]
    phrases: list[str]
    phrase_decisions: list[list[Decision]]


class Deidentifier:
    """Holds one AnalyzerEngine; `run` de-identifies a batch of documents."""

    def __init__(
        self,
        policy: Policy,
        cache_dir: Path,
        never_names: set[str] | None = None,
        batch_size: int = 64,
    ) -> None:
        from presidio_analyzer import BatchAnalyzerEngine

        from curate.deid.analyzer import build_analyzer

        self.policy = policy
        self.never = frozenset(w.casefold() for w in (never_names or set()))
        self.analyzer = build_analyzer(policy, cache_dir, set(self.never))
        self.batch = BatchAnalyzerEngine(analyzer_engine=self.analyzer)
        gazetteers = {
            r.supported_language: r
            for r in self.analyzer.registry.recognizers
            if r.name.startswith("NameGazetteerRecognizer_")
        }
        self.zh_names = gazetteers.get("zh")
        # first names that are also everyday English words ('John', 'Grace') are names
        self.known_names = frozenset().union(*(g.first - g.common for g in gazetteers.values()))
        # names in Arabic or Hebrew script inside text of another language
        self.by_script = {
            (script, _SCRIPT_RX[script]): gazetteers[lang]
            for script, lang in SCRIPT_LANGUAGE.items()
            if lang in gazetteers
        }
        self.batch_size = batch_size

    def analyze(self, texts: list[str], language: str):
        """Resolved detections for each text (all in one language).

        Pattern recognizers delimit matches with word boundaries, and a Han character
        counts as a word character: 'u/name' or an e-mail glued to Chinese text would
        not match. So text with Han characters is analyzed with them blanked out (same
        length, so offsets hold); the Chinese name recognizer then reads the original."""
        masked = [_HAN.sub(" ", t) for t in texts]
        raw = self.batch.analyze_iterator(masked, language=language, batch_size=self.batch_size)
        out = []
        for text, masked_text, results in zip(texts, masked, raw, strict=True):
            found = from_presidio(results)
            if masked_text != text:
                # blanking Chinese characters may join digits into a 'number' ("302号，
                # 2019年"): a pattern match may not contain a Chinese character
                found = [d for d in found if not _HAN.search(text[d.start : d.end])]
            if masked_text != text and self.zh_names is not None:
                found += from_presidio(self.zh_names.analyze(text, ["PERSON"]))
            for (script, rx), rec in self.by_script.items():
                if rec.supported_language != language and rx.search(text):
                    found += from_presidio(rec.analyze_scripts(text, (script,)))
            out.append(resolve(found, self.policy, language, self.never, text, self.known_names))
        return out

    def run(self, docs: list[DeidInput]) -> list[DeidOutput]:
        """De-identify a batch. Replacing one identifier changes the context of the
        words around it, and the recognizers can then see an identifier they missed
        (a surname next to a pseudonymized first name, the rest of a URL whose handle
        was replaced). So the output is analyzed again, up to `MAX_PASSES` times in all,
        and what is found is added to the detections on the original text until nothing
        new turns up: the output then passes the same analyzers' residual scan."""
        texts: dict[tuple[int, str], str] = {}
        langs: dict[tuple[int, str], str] = {}
        for i, doc in enumerate(docs):
            lang = self.policy.language_for(doc.language)
            for name, text in doc.fields.items():
                if text:
                    texts[(i, name)], langs[(i, name)] = text, lang
            for j, phrase in enumerate(doc.phrases):
                if phrase:
                    texts[(i, f"phrase:{j}")], langs[(i, f"phrase:{j}")] = phrase, lang
        found = self._analyze_keys(list(texts), texts, langs)
        outputs = self._apply_all(docs, found)
        previous = texts  # what each text was before the last pass's replacements
        for _ in range(MAX_PASSES - 1):
            # an output the last pass left unchanged was analyzed already (or is the
            # input itself) and the analyzer is deterministic: nothing new to find
            changed = [k for k, (new, _, _) in outputs.items() if new != previous[k]]
            if not changed:
                break
            again = self._analyze_keys(changed, {k: outputs[k][0] for k in changed}, langs)
            added = False
            for key in changed:
                new_text, omap, _ = outputs[key]
                merged = _merge_residual(found[key], again[key], new_text, omap, self.policy)
                if merged is not None:
                    found[key], added = merged, True
            if not added:
                break
            previous = {k: new for k, (new, _, _) in outputs.items()}
            outputs = self._apply_all(docs, found)
        return [self._output(i, doc, outputs) for i, doc in enumerate(docs)]

    def _analyze_keys(
        self, keys: list[tuple[int, str]], texts: dict, langs: dict
    ) -> dict[tuple[int, str], list]:
        """Analyze the texts of `keys` grouped by pipeline language (one batch each)."""
        by_lang: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for key in keys:
            by_lang[langs[key]].append(key)
        found: dict[tuple[int, str], list] = {}
        for lang, group in by_lang.items():
            for key, dets in zip(group, self.analyze([texts[k] for k in group], lang), strict=True):
                found[key] = dets
        return found

    def _apply_all(self, docs: list[DeidInput], found: dict) -> dict[tuple[int, str], tuple]:
        """Replace the detections; one `Pseudonyms` memory per document, fields in order
        (title, text, response) then phrases, so numbering follows the text."""
        locales = self.policy.data.get("surrogate_locales", {})
        out: dict[tuple[int, str], tuple] = {}
        for i, doc in enumerate(docs):
            pseudo = Pseudonyms(seed=doc.key, culture=doc.culture, locales=locales)
            for name, text in doc.fields.items():
                if text:
                    out[(i, name)] = apply(text, found[(i, name)], self.policy, pseudo, name)
            for j, phrase in enumerate(doc.phrases):
                if phrase:
                    key = (i, f"phrase:{j}")
                    out[key] = apply(phrase, found[key], self.policy, pseudo, f"phrase:{j}")
        return out

    def _output(self, i: int, doc: DeidInput, outputs: dict) -> DeidOutput:
        fields, maps, decisions = {}, {}, []
        for name, text in doc.fields.items():
            if not text:
                fields[name], maps[name] = text, OffsetMap.identity(len(text or ""))
                continue
            fields[name], maps[name], dec = outputs[(i, name)]
            decisions.extend(dec)
        phrases, phrase_decisions = [], []
        for j, phrase in enumerate(doc.phrases):
            if not phrase:
                phrases.append(phrase)
                phrase_decisions.append([])
                continue
            new, _, dec = outputs[(i, f"phrase:{j}")]
            phrases.append(new)
            phrase_decisions.append(dec)
        return DeidOutput(
            doc.key,
            self.policy.language_for(doc.language),
            fields,
            maps,
            decisions,
            phrases,
            phrase_decisions,
        )


MAX_PASSES = 3


def _merge_residual(
    original: list[Detection],
    residual: list[Detection],
    new_text: str,
    omap: OffsetMap,
    policy: Policy,
) -> list[Detection] | None:
    """Add what a later pass found (offsets in the de-identified text) to the detections
    on the original text, or None if it adds nothing.

    Only detections the policy replaces count. One that touches a replaced region grows
    to cover it in the original (the rest of a URL whose handle became a tag becomes one
    URL), and the earlier detections it covers give way to it."""
    direct = set(policy.direct_identifiers)
    merged = list(original)
    added = False
    for det in residual:
        if policy.operator(det.entity_type) == "keep" and det.entity_type not in direct:
            continue
        if not has_text_outside(new_text, det.start, det.end, omap.replaced(det.start, det.end)):
            continue  # only pseudonym tags and punctuation: nothing left to replace
        start, end = omap.original_span(det.start, det.end)
        covered = [d for d in merged if d.start < end and d.end > start]
        start = min([start, *(d.start for d in covered)])
        end = max([end, *(d.end for d in covered)])
        merged = [d for d in merged if d not in covered]
        merged.append(Detection(start, end, det.entity_type, det.score, det.recognizer, det.unsure))
        added = True
    return sorted(merged, key=lambda d: d.start) if added else None


def has_text_outside(text: str, start: int, end: int, regions: list[tuple[int, int]]) -> bool:
    """Whether text[start:end] has a letter or digit outside `regions` (replacements or
    pseudonym tags): a detection made only of tags has nothing left to replace. The
    residual scan uses the same rule, so a pass that finds nothing new scans clean."""
    for pos in range(start, end):
        if text[pos].isalnum() and not any(s <= pos < e for s, e in regions):
            return True
    return False


# -- worker processes ------------------------------------------------------------------
_WORKER: Deidentifier | None = None


def _run_chunk(docs: list[DeidInput]) -> list[DeidOutput]:
    assert _WORKER is not None
    return _WORKER.run(docs)


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)))


def run_all(
    engine: Deidentifier, docs: Iterable[DeidInput], workers: int = 1, chunk_size: int = 64
) -> Iterator[list[DeidOutput]]:
    """De-identify `docs` in chunks, yielding results chunk by chunk in input order.

    With workers > 1 the engine is shared with forked worker processes (copy-on-write):
    the models load once, in the parent. Chunks are read here, in the calling thread
    (the input may come from a SQLite cursor, bound to its thread)."""
    chunks = _chunked(docs, chunk_size)
    if workers <= 1:
        for chunk in chunks:
            yield engine.run(chunk)
        return
    from curate.executors.pool import map_ordered

    global _WORKER
    _WORKER = engine
    yield from map_ordered(_run_chunk, chunks, workers)


def _chunked(items: Iterable[DeidInput], size: int) -> Iterator[list[DeidInput]]:
    chunk: list[DeidInput] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
