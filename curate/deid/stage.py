"""The de-identification stage: its step, and `curate deid` over the workspace.

`DeidentifyStep` de-identifies the records of a batch of `Work` as read: raw texts, spans
on the raw text, raw annotated phrases. Each result is a copy of the record with the
de-identified texts, spans moved onto them with the offset map, de-identified phrases,
and every decision (entity type, recognizer, score, original offsets). Ingest and
hydrate run it on the records they read; `deidentify_workspace` (`curate deid`) runs it
on stored records that need it (from the vault: never done, or under another policy),
always from the original, never from an earlier de-identified text. The store writer
(`curate.writer`) writes the results.
"""

from __future__ import annotations

import copy
import os
import socket
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from curate.config import Config
from curate.deid import tables
from curate.deid.engine import Deidentifier, DeidInput, DeidOutput
from curate.deid.operators import CURATOR, Override
from curate.deid.policy import Policy, load_policy
from curate.errors import CurateError
from curate.records import RawText, Record, free_texts, replace_free_texts
from curate.sources.base import Parsed
from curate.store import Store
from curate.work import DeidResult, Work

CLAIM_CHUNK = 64  # records claimed at a time, and de-identified in one batch
CLAIM_POLL = 0.5  # seconds between looks at another run's claims


@dataclass
class DeidReport:
    records: int = 0
    entities: Counter = field(default_factory=Counter)  # replaced, by type
    kept: Counter = field(default_factory=Counter)  # detected and kept, by type
    span_problems: int = 0
    phrases_changed: int = 0
    policy: str = ""

    def add(self, decisions: list[dict], problems: int, changed: int) -> None:
        """Count one de-identified record."""
        self.records += 1
        self.span_problems += problems
        self.phrases_changed += changed
        for d in decisions:
            target = self.kept if d["operator"] == "keep" else self.entities
            target[d["entity_type"]] += 1

    def count(self, batch: list[Work], written: list[Any]) -> None:
        """Count the records of a batch the writer wrote de-identified (`written`: what
        `StoreWriter.write` returned for each)."""
        for work, put in zip(batch, written, strict=True):
            if work.result is not None and (put is None or put.outcome != "unchanged"):
                self.add(work.result.decisions, work.result.problems, work.result.changed)

    def merge(self, other: DeidReport) -> None:
        """Add another run's counts (one policy: a run's own records and the sweep of
        those earlier runs left)."""
        self.records += other.records
        self.entities.update(other.entities)
        self.kept.update(other.kept)
        self.span_problems += other.span_problems
        self.phrases_changed += other.phrases_changed
        self.policy = self.policy or other.policy

    def to_dict(self) -> dict:
        return {
            "records": self.records,
            "replaced": dict(self.entities.most_common()),
            "kept": dict(self.kept.most_common()),
            "span_problems": self.span_problems,
            "phrases_changed": self.phrases_changed,
            "policy": self.policy,
        }


def cache_dir(config: Config) -> Path:
    """Where derived data (the name gazetteer) is cached: never in ~."""
    env = os.environ.get("CURATE_CACHE")
    if env:
        return Path(env)
    configured = config.section("deid").get("cache_dir")
    if configured:
        path = Path(configured)
        return path if path.is_absolute() else config.root / path
    return config.workspace / "cache"


def make_engine(config: Config, policy: Policy | None = None) -> Deidentifier:
    from curate.deid.analyzer import culture_terms

    policy = policy or load_policy(config)
    return Deidentifier(policy, cache_dir(config), culture_terms(config))


# The raw texts (from the vault) under the names the engine and the decisions use, and
# where each lands on the record.
TEXT_FIELDS = {"title": "post.title", "text": "post.text", "response": "response.text"}


def _other_free_texts(record: Record) -> dict[str, str]:
    """The record's free-text values besides its texts and span phrases (those two have
    their own handling: texts come from the vault, spans move with the offset map):
    demographics, free-text label values, and whatever the record schema marks later."""
    return {
        path: text
        for path, text in free_texts(record)
        if path not in TEXT_FIELDS.values()
        and not (path.startswith("spans[") and path.endswith("].text"))
    }


def deid_input(
    record: Record, raw: RawText, overrides: dict[str, list[Override]] | None = None
) -> DeidInput:
    """What the engine sees of one record as ingested: its raw texts, its other
    free-text values (by path, e.g. `demographics.profession`: one pseudonym memory with
    the texts), the annotated phrases that have no offsets (those are de-identified
    themselves) and the curator's verdicts on them (`Store.deid_overrides`)."""
    texts = {"title": raw.title, "text": raw.text, "response": raw.response}
    return DeidInput(
        key=record.id,
        language=record.language,
        culture=record.culture,
        fields={**texts, **_other_free_texts(record)},
        phrases=[s.text for s in record.spans if s.start is None],
        overrides=dict(overrides or {}),
    )


class DeidentifyStep:
    """De-identification of the `Work` marked for it (`deid`), each from a copy of the
    record as read: the record itself stays as read, for the revision the writer keeps.

    Picklable without its engine (a cluster gets the policy, not a loaded model): `setup`
    builds the engine in the process that runs the step, unless one was given."""

    def __init__(
        self,
        policy: Policy,
        cache_dir: Path,
        never_names: set[str],
        engine: Deidentifier | None = None,
    ) -> None:
        self.policy = policy
        self.cache_dir = cache_dir
        self.never_names = never_names
        self.engine = engine

    @classmethod
    def from_config(
        cls, config: Config, policy: Policy | None = None, engine: Deidentifier | None = None
    ) -> DeidentifyStep:
        from curate.deid.analyzer import culture_terms

        policy = policy or load_policy(config)
        return cls(policy, cache_dir(config).resolve(), culture_terms(config), engine)

    def __getstate__(self) -> dict:
        return {**self.__dict__, "engine": None}

    def setup(self) -> None:
        if self.engine is None:
            self.engine = Deidentifier(self.policy, self.cache_dir, self.never_names)

    def warm(self) -> None:
        """Every language's models loaded (before worker processes fork)."""
        assert self.engine is not None
        self.engine.warm()

    def __call__(self, batch: list[Work]) -> list[Work]:
        todo = [w for w in batch if w.deid]
        if not todo:
            return batch
        self.setup()
        assert self.engine is not None
        records = [copy.deepcopy(w.record) for w in todo]
        outputs = self.engine.run(
            [deid_input(r, w.item.raw, w.overrides) for r, w in zip(records, todo, strict=True)]
        )
        for work, record, out in zip(todo, records, outputs, strict=True):
            work.result = DeidResult(*apply_output(record, out))
        return batch


def _stored(store: Store, ids: Iterator[str]) -> Iterator[Work]:
    """Stored records to de-identify again, as read: from the vault."""
    for rid in ids:
        found = store.vault.original(rid)
        if found is None:
            continue
        record, raw = found
        yield Work(Parsed(record, raw, ""), True, tables.overrides(store, rid), stored=True)


class _Claims:
    """The records one `deidentify_workspace` call takes on (`ids`, in order): claimed
    in the store a chunk at a time, so that concurrent runs (two ingests, an ingest and
    `curate deid`) split the records and each is de-identified once. Without `redo`, a
    record another run de-identified meanwhile under the same policy is left out."""

    def __init__(self, store: Store, fingerprint: str, ids: list[str], redo: bool) -> None:
        self.store = store
        self.fingerprint = fingerprint
        self.redo = redo
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.todo = ids  # not tried yet in this round
        self.busy: list[str] = []  # held by another run when tried

    def ids(self) -> Iterator[str]:
        """The ids claimed in this round, a chunk at a time as the engine asks for them
        (claimed early, they would wait under a claim while another run could do them)."""
        while chunk := self.next():
            yield from chunk

    def next(self) -> list[str]:
        """The next chunk of records claimed (empty: none left to try this round)."""
        while self.todo:
            window, self.todo = self.todo[:CLAIM_CHUNK], self.todo[CLAIM_CHUNK:]
            ids, busy = tables.claim(self.store, self.owner, self.fingerprint, window, self.redo)
            self.busy.extend(busy)
            if ids:
                return ids
        return []

    def wait(self, poll: float = CLAIM_POLL) -> bool:
        """After a round: if other runs held some records, wait a moment and say to try
        those again (done by then: left out; their claims expired: taken over)."""
        if not self.busy:
            return False
        self.todo, self.busy = self.busy, []
        time.sleep(poll)
        return True

    def release(self) -> None:
        tables.release_claims(self.store, self.owner)


def apply_output(record: Record, out: DeidOutput) -> tuple[Record, list[dict], int, int]:
    """Fill the record from the de-identified output (texts and every other free-text
    value); move its spans. A name replaced inside an annotated cultural-signal span is
    marked uncertain, for the curator's review."""
    cultural = _cultural_signal_regions(record)
    replace_free_texts(record, {k: v for k, v in out.fields.items() if k not in TEXT_FIELDS})
    record.post_title = out.fields.get("title")
    record.post_text = out.fields.get("text")
    record.response_text = out.fields.get("response")
    texts = {"post": record.post_text, "response": record.response_text}
    maps = {"post": out.maps.get("text"), "response": out.maps.get("response")}
    record.defects = [d for d in record.defects if not d["field"].startswith("deid.")]
    problems = changed = 0
    phrases = iter(out.phrases)
    for i, span in enumerate(record.spans):
        if span.start is None:
            new = next(phrases)
            changed += new != span.text
            span.text = new
            continue
        omap = maps.get(span.field)
        moved = omap.span(span.start, span.end) if omap else None
        if moved is None or moved.problem:
            problems += 1
            why = moved.problem if moved else "no text for the span's field"
            record.add_defect(f"deid.spans[{i}]", why)
            span.start = span.end = None
            span.text = ""
            continue
        span.start, span.end = moved.start, moved.end
        span.text = (texts[span.field] or "")[moved.start : moved.end]
    decisions = [asdict(d) for d in out.decisions]
    for j, decs in enumerate(out.phrase_decisions):
        decisions.extend({**asdict(d), "field": f"phrase:{j}"} for d in decs)
    _mark_in_cultural_signal(decisions, cultural)
    return record, decisions, problems, changed


# The taxonomy's span family of cultural signals (schemas/taxonomy.yaml), and the engine's
# field name of each span field it is annotated on.
CULTURAL_SIGNAL = "cultural_signal"
_ENGINE_FIELD = {"post": "text", "response": "response"}
IN_CULTURAL_SIGNAL = "inside a cultural-signal span"


def _cultural_signal_regions(record: Record) -> dict[str, list[tuple[int, int]]]:
    """Where the record as ingested has cultural-signal spans, by the engine's field
    names, in original offsets: a span with offsets covers its region, a phrase without
    offsets (`phrase:<j>`) all of it."""
    regions: dict[str, list[tuple[int, int]]] = {}
    phrase = 0
    for span in record.spans:
        if span.start is None:
            if span.label == CULTURAL_SIGNAL:
                regions.setdefault(f"phrase:{phrase}", []).append((0, len(span.text or "")))
            phrase += 1
        elif span.label == CULTURAL_SIGNAL and span.field in _ENGINE_FIELD:
            end = span.end if span.end is not None else span.start
            regions.setdefault(_ENGINE_FIELD[span.field], []).append((span.start, end))
    return regions


def _mark_in_cultural_signal(
    decisions: list[dict], regions: dict[str, list[tuple[int, int]]]
) -> None:
    """A name replaced inside (or across the edge of) a cultural-signal span may be a
    public or religious figure the span is about: uncertain, unless a detector already
    said why or the curator decided it."""
    for d in decisions:
        if d.get("unsure") or d["operator"] == "keep" or d["entity_type"] != "PERSON":
            continue
        if d["recognizer"] == CURATOR:
            continue
        if any(s < d["end"] and d["start"] < e for s, e in regions.get(d["field"], ())):
            d["unsure"] = IN_CULTURAL_SIGNAL


def deidentify_workspace(
    store: Store,
    config: Config,
    *,
    policy: Policy | None = None,
    redo: bool = False,
    workers: int | None = None,
    engine: Deidentifier | None = None,
    executor: Any = None,
    on_progress: Callable[[int, int], None] | None = None,
    report: DeidReport | None = None,
) -> DeidReport:
    """De-identify every stored record that needs it (never done, or under another
    policy; all with `redo`), on `executor` (default: the local one, with `workers`);
    counted into `report` (a new one by default) as batches are written."""
    from curate.executors.local import LocalExecutor
    from curate.executors.pool import chunks
    from curate.writer import StoreWriter

    if store.meta("vault_purged"):
        raise CurateError("the vault was purged: raw texts are gone, nothing to de-identify")
    policy = policy or load_policy(config)
    fingerprint = policy.fingerprint
    ids = store.needing_deid(fingerprint, redo=redo)
    report = report if report is not None else DeidReport(policy=fingerprint)
    if not ids:
        return report
    step = DeidentifyStep.from_config(config, policy, engine)
    if executor is None:
        executor = LocalExecutor.for_items(len(ids), workers)
    claims = _Claims(store, fingerprint, ids, redo)
    writer = StoreWriter(store, "", fingerprint, owner=claims.owner)
    try:
        while True:  # a round over what can be claimed; again while others hold claims
            batches = chunks(_stored(store, claims.ids()), CLAIM_CHUNK)
            for batch in executor.run([step], batches):
                report.count(batch, writer.write(batch))
                if on_progress:
                    on_progress(report.records, len(ids))
            if not claims.wait():
                break
    finally:
        claims.release()
    return report


def run_deid(
    store: Store,
    config: Config,
    *,
    policy: Policy | None = None,
    redo: bool = False,
    workers: int | None = None,
    engine: Deidentifier | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> DeidReport:
    """`curate deid`: `deidentify_workspace` as a run of the run log (its counts: the
    report; failed with the counts so far)."""
    policy = policy or load_policy(config)
    report = DeidReport(policy=policy.fingerprint)
    args = {"policy": policy.path.name, "fingerprint": policy.fingerprint, "all": redo}
    with store.run("deid", args, report.to_dict):
        deidentify_workspace(store, config, policy=policy, redo=redo, workers=workers,
                             engine=engine, on_progress=on_progress, report=report)  # fmt: skip
    return report
