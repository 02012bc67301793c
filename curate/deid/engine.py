"""De-identifying documents in batches, in one process or in worker processes.

A document is a post's fields (title, text, response) plus any annotated phrases: one
`Pseudonyms` memory spans all of them, so `<PERSON_1>` is the same person throughout.
Texts are grouped by language and sent through spaCy with `nlp.pipe` (Presidio's
BatchAnalyzerEngine); worker processes each hold one engine (forked from the parent, so
models load once) and take chunks of documents.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from curate.charclasses import CJK_PUNCTUATION, FULLWIDTH, HAN
from curate.deid.offsets import OffsetMap
from curate.deid.operators import (
    Decision,
    Detection,
    Override,
    Pseudonyms,
    apply,
    apply_overrides,
    from_presidio,
    resolve,
)
from curate.deid.policy import Policy
from curate.deid.recognizers.address import starts_sentence
from curate.deid.segments import Segment, segments, sentences

# Chinese characters and CJK punctuation, blanked before the Presidio models read a text
_HAN = re.compile(f"[{CJK_PUNCTUATION}{HAN}{FULLWIDTH}]")


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

        from curate.deid import allowlist
        from curate.deid.analyzer import build_analyzer

        self.policy = policy
        self.never = frozenset(w.casefold() for w in (never_names or set()))
        self.analyzer, self.by_language = build_analyzer(policy, cache_dir, set(self.never))
        self.batch = BatchAnalyzerEngine(analyzer_engine=self.analyzer)
        gazetteers = [
            r
            for recs in ([*self.analyzer.registry.recognizers], *self.by_language.values())
            for r in recs
            if r.name.startswith("NameGazetteerRecognizer_")
        ]
        # first names that are also everyday English words ('John', 'Grace') are names
        self.known_names = frozenset().union(*(g.first - g.common for g in gazetteers))
        # what confirms an English model's guess: a listed first name or surname that is
        # not an everyday word ('Karim', 'Zhang'; not 'Notary', 'Kindergarten')
        self.listed_names = self.known_names.union(
            *(g.last - g.common - _everyday(g.last) for g in gazetteers)
        )
        self.allowlist = allowlist.load(policy.allowlist_files)
        self.batch_size = batch_size

    def warm(self) -> None:
        """Load every language's models now (jieba's tables, HanTa, the name lists load on
        first use): before worker processes are forked, so they share them instead of
        each loading its own copy."""
        self.analyze(list(_WARM.values()), list(_WARM))

    def analyze(
        self,
        texts: list[str],
        language: str | list[str | None] | None,
        cultures: list[str | None] | None = None,
    ) -> list[list[Detection]]:
        """Resolved detections for each text.

        Each text is cut into segments of one language (`segments`), `language` being
        the hint for undecided stretches. Segments are analyzed grouped by language, in
        one `nlp.pipe` batch each: pattern recognizers and the spaCy model of that
        language through Presidio, then that language's own name recognizers. The
        allowlist marks the public names to keep (per the text's culture), and
        `resolve` picks one decision per region.

        Pattern recognizers delimit matches with word boundaries, and a Han character
        counts as a word character: 'u/name' or an e-mail glued to Chinese text would
        not match. So Presidio reads text with Han characters blanked out (same length,
        so offsets hold); the name recognizers read the original."""
        hints = language if isinstance(language, list) else [language] * len(texts)
        cultures = cultures or [None] * len(texts)
        pieces: dict[str, list[tuple[int, Segment]]] = defaultdict(list)
        for i, text in enumerate(texts):
            hint = self.policy.language_for(hints[i])
            for seg in segments(text, hint):
                pieces[self.policy.language_for(seg.language)].append((i, seg))
        found: list[list[Detection]] = [[] for _ in texts]
        for lang, items in pieces.items():
            seg_texts = [texts[i][seg.start : seg.end] for i, seg in items]
            masked = [_HAN.sub(" ", t) for t in seg_texts]
            raw = self.batch.analyze_iterator(masked, language=lang, batch_size=self.batch_size)
            named = self.by_language.get(lang, ())
            for (i, seg), seg_text, masked_text, results in zip(
                items, seg_texts, masked, raw, strict=True
            ):
                dets = from_presidio(results)
                if masked_text != seg_text:
                    # blanking Chinese characters may join digits into a 'number' ("302号，
                    # 2019年"): a pattern match may not contain a Chinese character
                    dets = [d for d in dets if not _HAN.search(seg_text[d.start : d.end])]
                lead, tail = _context_marks(texts[i], seg.start, seg.end)
                for rec in named:
                    found_here = rec.analyze(lead + seg_text + tail, rec.supported_entities, None)
                    dets += [
                        dataclasses.replace(d, start=d.start - len(lead), end=d.end - len(lead))
                        for d in from_presidio(found_here)
                    ]
                found[i].extend(
                    dataclasses.replace(d, start=d.start + seg.start, end=d.end + seg.start)
                    for d in dets
                )
        out = []
        for i, text in enumerate(texts):
            kept = [
                Detection(start, end, kind, 1.0, "Allowlist", unsure, operator="keep")
                for start, end, kind, unsure in self.allowlist.find(text, cultures[i])
            ]
            for j, d in enumerate(found[i]):
                if d.entity_type != "URL":
                    continue
                # Presidio's URL pattern stops inside a host it does not know the end of
                # ('example.biz' read as 'example.bi'): a link runs to the next space
                d = found[i][j] = dataclasses.replace(d, end=max(d.end, _link_end(text, d.end)))
                if self.allowlist.public_url(text[d.start : d.end]):
                    found[i][j] = dataclasses.replace(d, recognizer="Allowlist", operator="keep")
            lang = self.policy.language_for(hints[i])
            out.append(
                resolve(
                    found[i] + kept,
                    self.policy,
                    lang,
                    self.never,
                    text,
                    self.known_names,
                    self.listed_names,
                )
            )
        return out

    def run(self, docs: list[DeidInput]) -> list[DeidOutput]:
        """De-identify a batch. Replacing one identifier changes the context of the
        words around it, and the recognizers can then see an identifier they missed
        (a surname next to a pseudonymized first name, the rest of a URL whose handle
        was replaced). So the output is analyzed again, up to `MAX_PASSES` times in all,
        and what is found is added to the detections on the original text until nothing
        new turns up: the output then passes the same analyzers' residual scan.

        A later pass reads only the sentences that hold a replacement: elsewhere the text
        is as it was, and the analyzers already read it."""
        texts: dict[tuple[int, str], str] = {}
        langs: dict[tuple[int, str], str] = {}
        cultures = {i: doc.culture for i, doc in enumerate(docs)}
        for i, doc in enumerate(docs):
            lang = self.policy.language_for(doc.language)
            for name, text in doc.fields.items():
                if text:
                    texts[(i, name)], langs[(i, name)] = text, lang
            for j, phrase in enumerate(doc.phrases):
                if phrase:
                    texts[(i, f"phrase:{j}")], langs[(i, f"phrase:{j}")] = phrase, lang
        found = self._analyze_keys(list(texts), texts, langs, cultures)
        outputs = self._apply_all(docs, found)
        previous = texts  # what each text was before the last pass's replacements
        for _ in range(MAX_PASSES - 1):
            # an output the last pass left unchanged was analyzed already (or is the
            # input itself) and the analyzer is deterministic: nothing new to find
            changed = [k for k, (new, _, _) in outputs.items() if new != previous[k]]
            if not changed:
                break
            again = self._analyze_windows(changed, outputs, langs, cultures)
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

    def _analyze_windows(
        self, keys: list[tuple[int, str]], outputs: dict, langs: dict, cultures: dict
    ) -> dict[tuple[int, str], list]:
        """Detections in the sentences of each output that hold an open replacement
        (`_open`), in the output's offsets. What a replacement reveals stands next to it
        (a surname after a pseudonymized first name, the rest of a link whose handle
        became a tag); a tag between lower-case words and spaces reveals nothing, and
        reading its sentence again through the English model was a quarter of the
        stage's time."""
        windows: list[tuple[tuple[int, str], int, int]] = []
        for key in keys:
            text, omap, _ = outputs[key]
            regions = [(r0, r1) for r0, r1 in omap.replaced(0, len(text)) if _open(text, r0, r1)]
            for start, end in sentences(text):
                if any(r0 <= end and start <= r1 for r0, r1 in regions):
                    if windows and windows[-1][0] == key and windows[-1][2] >= start:
                        windows[-1] = (key, windows[-1][1], end)
                    else:
                        windows.append((key, start, end))
        results = self.analyze(
            [outputs[k][0][a:b] for k, a, b in windows],
            [langs[k] for k, _, _ in windows],
            [cultures.get(k[0]) for k, _, _ in windows],
        )
        found: dict[tuple[int, str], list] = {k: [] for k in keys}
        for (key, a, _), dets in zip(windows, results, strict=True):
            found[key].extend(
                dataclasses.replace(d, start=d.start + a, end=d.end + a) for d in dets
            )
        return found

    def _analyze_keys(
        self, keys: list[tuple[int, str]], texts: dict, langs: dict, cultures: dict
    ) -> dict[tuple[int, str], list]:
        """Analyze the texts of `keys` in one batch (segments are grouped by language)."""
        results = self.analyze(
            [texts[k] for k in keys],
            [langs[k] for k in keys],
            [cultures.get(k[0]) for k in keys],
        )
        return dict(zip(keys, results, strict=True))

    def _apply_all(self, docs: list[DeidInput], found: dict) -> dict[tuple[int, str], tuple]:
        """Replace the detections; one `Pseudonyms` memory per document, fields in order
        (title, text, response) then phrases, so numbering follows the text. The
        curator's verdicts (`DeidInput.overrides`) have the last word, on every pass."""
        locales = self.policy.data.get("surrogate_locales", {})
        out: dict[tuple[int, str], tuple] = {}
        for i, doc in enumerate(docs):
            _same_name_everywhere(i, doc, found)
            pseudo = Pseudonyms(seed=doc.key, culture=doc.culture, locales=locales)
            for name, text in doc.fields.items():
                if text:
                    dets = apply_overrides(
                        found[(i, name)], doc.overrides.get(name, []), self.policy
                    )
                    out[(i, name)] = apply(text, dets, self.policy, pseudo, name)
            for j, phrase in enumerate(doc.phrases):
                if phrase:
                    key = (i, f"phrase:{j}")
                    dets = apply_overrides(
                        found[key], doc.overrides.get(f"phrase:{j}", []), self.policy
                    )
                    out[key] = apply(phrase, dets, self.policy, pseudo, f"phrase:{j}")
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
# A sentence per language that reaches each language's recognizer (`Deidentifier.warm`).
_WARM = {
    "en": "My friend Anna Weber said hi.",
    "de": "Ich habe mit meiner Freundin Anna geredet.",
    "ar": "تكلمت مع صديقي أحمد.",
    "he": "דיברתי עם החבר שלי יוסי.",
    "zh": "我和朋友李明说话。",
}


# stands for the rest of the text beside a segment: no letter, no space, no end of a
# sentence (a word joiner, U+2060)
_ELSEWHERE = "\u2060"


def _context_marks(text: str, start: int, end: int) -> tuple[str, str]:
    """What to put before and after a segment's text so its name recognizers do not take
    the segment's edges for the text's: a segment after a Latin word inside an Arabic
    sentence does not open a line ("... Facebook احسن المنشور: ..."), one before more
    text is not signed off. Only where the text itself goes on."""
    lead = "" if start == 0 or starts_sentence(text, start) else _ELSEWHERE
    tail = "" if not text[end:].strip() else _ELSEWHERE
    return lead, tail


# a word that may start or continue an identifier: capitalised, another script, a
# digit, or marks of a link, an address or a handle
_OPEN_WORD = re.compile(r"[A-ZÀ-Þ0-9]|.*[^\x00-\x7f]|.*[@/._#+:%~=&?-]")
_AND = frozenset("and or und oder & with mit".split())
_CLAUSE_MARKS = ".,!?;:)(\"'”’“‘ "


def _open(text: str, start: int, end: int) -> bool:
    """The replacement text[start:end] touches a word (no space between; punctuation
    that ends a clause does not count) or has, past spaces and such punctuation (and past
    "and", "or"), a word that may start or continue an identifier (`_OPEN_WORD`)."""
    before, after = text[max(0, start - 40) : start], text[end : end + 40]
    if before[-1:] and before[-1] not in _CLAUSE_MARKS and not before[-1].isspace():
        return True  # glued before: 'x.com/<HANDLE_1>', 'Dr.<PERSON_1>'
    if after[:1] and after[0] not in _CLAUSE_MARKS and not after[0].isspace():
        return True  # glued after: '<HANDLE_1>?si=…' ('?' then no space), '<PERSON_1>s'
    if after[:1] in ("?", ":", ".") and after[1:2] and not after[1].isspace():
        return True
    left, right = before.rstrip(_CLAUSE_MARKS).split(), after.lstrip(_CLAUSE_MARKS).split()
    near = left[-1:] + right[:1]
    # a name coordinated with the tag reads differently now: "<PERSON_1> and Scott"
    if left[-1:] and left[-1].casefold() in _AND and len(left) > 1:
        near.append(left[-2])
    if right[:1] and right[0].casefold() in _AND and len(right) > 1:
        near.append(right[1])
    return any(_OPEN_WORD.match(w) for word in near if (w := word.strip(_CLAUSE_MARKS)))


def _same_name_everywhere(i: int, doc: DeidInput, found: dict) -> None:
    """A name replaced somewhere in a document is replaced wherever else it stands in
    it, also where a detector was unsure of it there ('Give Priyanka time.' in the
    response of a post whose title named her)."""
    texts = {name: text for name, text in doc.fields.items() if text}
    texts |= {f"phrase:{j}": p for j, p in enumerate(doc.phrases) if p}
    names: set[str] = set()
    for name, text in texts.items():
        for d in found.get((i, name), ()):
            if d.entity_type == "PERSON" and d.operator is None:
                names.update(Pseudonyms.key(text[d.start : d.end]).split())
    if not names:
        return
    for name, text in texts.items():
        dets = found.get((i, name))
        if not dets:
            continue
        found[(i, name)] = [
            dataclasses.replace(d, operator=None)
            if d.entity_type == "PERSON"
            and d.operator == "keep"
            and d.recognizer not in ("Allowlist", "curator")
            and set(Pseudonyms.key(text[d.start : d.end]).split()) <= names
            else d
            for d in dets
        ]


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
    URL, up to the next space), and the earlier detections it covers give way to it."""
    direct = set(policy.direct_identifiers)
    merged = list(original)
    added = False
    for det in residual:
        op = det.operator or policy.operator(det.entity_type)
        if op == "keep" and det.entity_type not in direct:
            continue
        if det.operator == "keep":
            continue  # kept by the allowlist or the curator
        if det.entity_type == "URL" and omap.replaced(det.start, det.end + 1):
            det = dataclasses.replace(det, end=_link_end(new_text, det.end))
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


def _everyday(names: frozenset[str]) -> set[str]:
    """Surnames that are everyday English words ('Park', 'Young', 'Church')."""
    from curate.deid.data import zipf

    return {n for n in names if zipf(n, "en") >= 4.0}


_URL_CHAR = re.compile(r"[A-Za-z0-9\-._~:/?#@!$&*+,;=%]")


def _link_end(text: str, end: int) -> int:
    """Where a link really ends: at the next character no link has (a space, a bracket,
    a Chinese character), without the sentence's closing punctuation. Presidio's pattern
    stops early inside a host it does not know ('x.biz') and at a pseudonym tag
    ('https://x.com/<HANDLE_1>?si=…'), which a later pass reads as part of the link."""
    while end < len(text) and (_URL_CHAR.match(text[end]) or text[end] in "<>"):
        end += 1
    while end > 0 and text[end - 1] in ".,;:!?":
        end -= 1
    return end


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


def run_all(
    engine: Deidentifier, docs: Iterable[DeidInput], workers: int = 1, chunk_size: int = 64
) -> Iterator[list[DeidOutput]]:
    """De-identify `docs` in chunks, yielding results chunk by chunk in input order.

    With workers > 1 the engine is shared with forked worker processes (copy-on-write):
    the models load once, in the parent. Chunks are read here, in the calling thread
    (the input may come from a SQLite cursor, bound to its thread)."""
    from curate.executors.pool import chunks, map_ordered

    parts = chunks(docs, chunk_size)
    if workers <= 1:
        for chunk in parts:
            yield engine.run(chunk)
        return

    global _WORKER
    engine.warm()
    _WORKER = engine
    yield from map_ordered(_run_chunk, parts, workers)
