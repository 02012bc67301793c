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
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from curate.deid.offsets import OffsetMap
from curate.deid.operators import Decision, Pseudonyms, apply, from_presidio, resolve
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
        # Gather every non-empty text per pipeline language, analyze each group at once.
        by_lang: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
        for i, doc in enumerate(docs):
            lang = self.policy.language_for(doc.language)
            for name, text in doc.fields.items():
                if text:
                    by_lang[lang].append((i, name, text))
            for j, phrase in enumerate(doc.phrases):
                if phrase:
                    by_lang[lang].append((i, f"phrase:{j}", phrase))
        found: dict[tuple[int, str], list] = {}
        for lang, items in by_lang.items():
            for (i, name, _), dets in zip(
                items, self.analyze([t for *_, t in items], lang), strict=True
            ):
                found[(i, name)] = dets
        outputs = []
        locales = self.policy.data.get("surrogate_locales", {})
        for i, doc in enumerate(docs):
            pseudo = Pseudonyms(seed=doc.key, culture=doc.culture, locales=locales)
            fields, maps, decisions = {}, {}, []
            for name, text in doc.fields.items():  # in order: title, text, response
                if not text:
                    fields[name], maps[name] = text, OffsetMap.identity(len(text or ""))
                    continue
                new, omap, dec = apply(text, found[(i, name)], self.policy, pseudo, name)
                fields[name], maps[name] = new, omap
                decisions.extend(dec)
            phrases, phrase_decisions = [], []
            for j, phrase in enumerate(doc.phrases):
                if not phrase:
                    phrases.append(phrase)
                    phrase_decisions.append([])
                    continue
                new, _, dec = apply(
                    phrase, found[(i, f"phrase:{j}")], self.policy, pseudo, f"phrase:{j}"
                )
                phrases.append(new)
                phrase_decisions.append(dec)
            outputs.append(
                DeidOutput(
                    doc.key,
                    self.policy.language_for(doc.language),
                    fields,
                    maps,
                    decisions,
                    phrases,
                    phrase_decisions,
                )
            )
        return outputs


# -- worker processes ------------------------------------------------------------------
_WORKER: Deidentifier | None = None


def _init_worker() -> None:
    """One BLAS thread per worker: the workers already use every core."""
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn/thinc
        pass


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
    the models load once, in the parent."""
    chunks = _chunked(docs, chunk_size)
    if workers <= 1:
        for chunk in chunks:
            yield engine.run(chunk)
        return
    import multiprocessing as mp

    global _WORKER
    _WORKER = engine
    ctx = mp.get_context("fork")
    # Chunks are read here, in the calling thread (the input may come from a SQLite
    # cursor, bound to its thread), and at most two per worker are in flight.
    pending: deque = deque()
    with ctx.Pool(workers, initializer=_init_worker) as pool:
        for chunk in chunks:
            pending.append(pool.apply_async(_run_chunk, (chunk,)))
            if len(pending) >= 2 * workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def _chunked(items: Iterable[DeidInput], size: int) -> Iterator[list[DeidInput]]:
    chunk: list[DeidInput] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
