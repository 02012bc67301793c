"""The hydrate stage: reference release + Reddit dumps -> records in the workspace.

The result is an ordinary workspace, as if `curate ingest` had read the posts: raw texts
in the vault, records with source, culture, language, spans with offsets on the raw
text, empathy and demographics, then de-identified by the same stage and policy as
ingest (spans move with the offset map). So `curate export --mode text`, `validate`,
`annotate` and the rest work on it unchanged.

Decisions:
- An item is hydrated when its post text is in the dumps. A post that is deleted,
  removed or empty in every version the dumps hold, or that the dumps do not hold at
  all, is reported (`deleted`, `missing`) in the items file and NOT stored: a record
  without text adds nothing to a text dataset, the reference keeps it, and a later run
  with more dumps picks it up. Always: wanted = hydrated + deleted + missing.
- Record ids are the workspace's own pseudonyms of the post id (as `curate ingest` gives
  them), not the release's ids (keyed by the publisher's secret); the items file maps
  one to the other.
- A phrase that cannot be aligned keeps its text with null offsets (like a reference
  record), so nothing annotated is dropped; it is counted and named in a defect.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from curate.config import Config
from curate.errors import CurateError
from curate.hydrate import align, dumps, reference
from curate.hydrate.reference import Reference, Wanted
from curate.hydrate.report import HydrateReport
from curate.ingest import NO_CULTURE, expand_paths, ingest_steps, run_steps
from curate.quarantine import Quarantine
from curate.records import Provenance, RawText, Record, Source, Span, content_hash
from curate.sources.base import Parsed, Rejected
from curate.store import Store
from curate.work import Work


# -- inputs --------------------------------------------------------------------------------
def classify(paths: list[Path]) -> tuple[list[Reference], list[Path]]:
    """Split the inputs into reference inputs and dumps, by content: a release folder, a
    Parquet file or CultureCare JSONL is a reference; Reddit NDJSON is a dump."""
    from curate.sources import detect_format

    references: list[Reference] = []
    dump_files: list[Path] = []
    for path in paths:
        if reference.is_release_folder(path):
            references.extend(reference.release_files(path))
            continue
        for file in expand_paths([path]):
            kind = detect_format(file)
            if kind in ("parquet", "culturecare"):
                references.append(Reference(file, kind))
            elif kind == "reddit":
                dump_files.append(file)
            else:
                raise CurateError(
                    f"{file}: neither a reference release (release folder, Parquet, "
                    f"CultureCare *_data.jsonl) nor a Reddit dump (its content looks like {kind})"
                )
    if not references:
        raise CurateError("no reference release among the inputs (a release folder, its "
                          "Parquet files, or CultureCare *_data.jsonl)")  # fmt: skip
    if not dump_files:
        raise CurateError("no Reddit dump among the inputs (Pushshift/Arctic Shift NDJSON)")
    return references, dump_files


def _phrases(record: Record, field: str) -> dumps.Phrases:
    spans = [s for s in record.spans if s.field == field]
    return dumps.Phrases(tuple(s.text for s in spans), tuple(span_group(s) for s in spans))


def _read_wanted(
    references: list[Reference],
    config: Config,
    store: Store,
    quarantine: Quarantine,
    report: HydrateReport,
) -> dict[str, Wanted]:
    """The reference rows by post id. A row repeating a post id already wanted is
    quarantined (counted as a duplicate too): a post is one record. The same release row
    seen again (in a second config of one release) is no new row."""
    max_bytes = int(config.section("ingest")["max_record_bytes"])
    wanted: dict[str, Wanted] = {}
    seen_rows: set[str] = set()
    items = reference.read(references, config.taxonomy(), store.id_salt, max_bytes)
    for item in items:
        if isinstance(item, Rejected):
            report.reference["rows"] += 1
            report.reference["quarantined"] += 1
            quarantine.add(item)
            continue
        if item.reference_id is not None:
            if item.reference_id in seen_rows:
                continue  # the same row in another config of the release: not a new row
            seen_rows.add(item.reference_id)
        report.reference["rows"] += 1
        first = wanted.get(item.key)
        if first is not None:  # a post is one record: the later row is kept aside
            report.reference["quarantined"] += 1
            report.reference["duplicate"] += 1
            where = f"{first.location.file}:{first.location.line}"
            payload = json.dumps(item.record.to_dict(), ensure_ascii=False)
            reason = f"post {item.key} is already wanted (at {where})"
            quarantine.add(Rejected(item.location, reason, payload, item.record.culture))
            continue
        report.reference["wanted"] += 1
        wanted[item.key] = item
    return wanted


# -- one item ------------------------------------------------------------------------------
def span_group(span: Span) -> str:
    """Spans of one family by one annotator: the unit within which identical phrases take
    distinct occurrences. Several annotators marking the same words (or one phrase marked
    in two families) all point at the same occurrence."""
    return f"{span.label}\x1f{span.annotator or ''}"


def _by_span(record: Record, field: str, aligned: list[align.Aligned]) -> dict[int, align.Aligned]:
    """The alignment the dump scan made of the record's `field` phrases, by span index."""
    indices = [i for i, s in enumerate(record.spans) if s.field == field]
    return dict(zip(indices, aligned, strict=True))


def _place(
    span: Span, a: align.Aligned | None, texts: dict, title: str | None, threshold: float
) -> tuple[Span, dict[str, Any], str | None]:
    """The hydrated span (offsets and phrase from the raw text when aligned; the
    reference phrase without offsets otherwise), its line in the items file (method,
    score, note: never text) and the defect to record, if any."""
    new = Span(span.field, span.label, span.text, None, None, span.attributes, span.annotator)
    detail: dict[str, Any] = {"field": span.field, "label": span.label}
    if a is None:
        detail["method"] = "no_text"
        return new, detail, f"no {span.field} text in the dumps to align it in"
    detail.update(method=a.method, score=a.score)
    if a.note:
        detail["note"] = a.note
    if a.ok:
        new.start, new.end = a.start, a.end
        new.text = texts[span.field][a.start : a.end]
        if a.method == align.FUZZY:
            return new, detail, f"aligned fuzzily (similarity {a.score:.2f})"
        return new, detail, a.note
    in_title = bool(span.field == "post" and title)
    in_title = in_title and align.align_all(title or "", [span.text], threshold)[0].ok
    detail["in_title"] = in_title
    if in_title:
        return new, detail, "found only in the post title; span offsets point into the post text"
    why = a.note or "not found"
    return new, detail, f"{why} in the {span.field} text (best similarity {a.score:.2f})"


def _hydrate_item(
    w: Wanted, slot: dumps.Slot, policy, threshold: float
) -> tuple[Record, RawText, dict[str, Any]]:
    """Fill one found item: texts, aligned spans, source, language, defects."""
    record, post = w.record, slot.post or {}
    title, text = post.get("title"), post.get("selftext") or ""
    cand = slot.response(policy.exclude_op)
    has_response_phrases = any(s.field == "response" for s in record.spans)
    if cand is not None:
        how = "matched" if has_response_phrases else "by_rule"
    else:
        how = "not_found" if has_response_phrases else "none"
    response = cand.body if cand is not None else None
    found = _by_span(record, "post", slot.post_aligned)
    if cand is not None:
        found.update(_by_span(record, "response", cand.aligned))
    texts = {"post": text, "response": response}
    spans, details = [], []
    for i, span in enumerate(record.spans):
        new, detail, problem = _place(span, found.get(i), texts, title, threshold)
        if problem:
            record.add_defect(f"hydrate.spans[{i}]", problem)
        spans.append(new)
        details.append(detail)
    if how == "not_found":
        record.add_defect(
            "hydrate.response", "no top-level comment in the dumps holds the response phrases"
        )
    elif how == "by_rule":
        record.add_defect(
            "hydrate.response", "chosen by [reddit] response_rule: the reference has no phrases"
        )
    record.spans = spans
    assert slot.post_location is not None
    record.source = Source(
        platform="reddit",
        source_id=record.source.source_id,
        community=post.get("subreddit"),
        created_utc=post.get("created_utc"),
        url=record.source.url,
        response_id=cand.comment_id if cand is not None else None,
        thread_id=record.source.source_id,
    )
    record.provenance = Provenance(
        input_file=slot.post_location.file, line=slot.post_location.line, format=reference.FORMAT
    )
    raw = RawText(title=title, text=text, response=response)
    record.language, record.language_confidence = "und", 0.0  # detected on the raw text
    record.provenance.content_hash = content_hash(record, raw)
    item = {
        "response": how,
        "dump": {
            "post": [slot.post_location.file, slot.post_location.line],
            "response": [cand.location.file, cand.location.line] if cand else None,
        },
        "spans": details,
    }
    return record, raw, item


def _differs(detail: dict[str, Any]) -> bool:
    """A phrase that is not in the text as it was annotated (a sign the post was edited
    since); an empty phrase in the reference, or one found in the title, says nothing
    about an edit."""
    if detail["method"] == align.FUZZY:
        return True
    return (
        detail["method"] == align.UNALIGNED
        and detail.get("note") != "empty phrase"
        and not detail.get("in_title")
    )


def _count_item(report: HydrateReport, culture: str, item: dict[str, Any]) -> None:
    report.items[culture]["wanted"] += 1
    report.items[culture][item["status"]] += 1
    spans = report.spans[culture]
    for detail in item["spans"]:
        spans["spans"] += 1
        spans[detail["method"]] += 1
        if detail["method"] == align.FUZZY:
            report.fuzzy_scores.append(detail["score"])
        report.extra[culture]["in_title"] += bool(detail.get("in_title"))
    if item["status"] == "hydrated":
        report.responses[culture][item["response"]] += 1
        report.items[culture]["edited"] += item["edited"]


# -- the stage -----------------------------------------------------------------------------
def hydrate(
    paths: list[Path],
    config: Config,
    store: Store,
    *,
    threshold: float = 0.85,
    engine: Any = None,
    workers: int | None = None,
    on_progress: Callable[[Path, int], None] | None = None,
    on_deid_progress: Callable[[int, int], None] | None = None,
) -> HydrateReport:
    """Hydrate the reference in `paths` from the dumps in `paths` into `store`,
    de-identified (with `engine`, or one built from the config's policy) by the steps
    and the store writer of an ingest."""
    from curate.deid.policy import load_policy
    from curate.deid.stage import deidentify_workspace
    from curate.sources.reddit import RedditPolicy

    started = time.perf_counter()
    if not 0 < threshold <= 1:
        raise CurateError(f"--fuzzy-threshold must be in (0, 1], not {threshold}")
    references, dump_files = classify(paths)
    limits = config.section("ingest")
    try:
        policy = RedditPolicy.from_config(config.section("reddit"), int(limits["max_text_chars"]))
    except (ValueError, KeyError) as exc:
        raise CurateError(f"curate.toml [reddit]: {exc}") from None
    args = {
        "references": [str(r.path) for r in references],
        "dumps": [str(p) for p in dump_files],
        "fuzzy_threshold": threshold,
    }
    report = HydrateReport(run_id="", threshold=threshold)
    data: dict[str, Any] = {}
    with store.run("hydrate", args, lambda: data, failed="interrupted") as run:
        report.run_id = run_id = run.id
        report.reference_files, report.dump_files = args["references"], args["dumps"]
        quarantine = Quarantine(store.root / "quarantine", run_id)
        out_dir = store.root / "reports" / "hydrate"
        out_dir.mkdir(parents=True, exist_ok=True)
        items: list[dict[str, Any]] = []
        try:
            wanted = _read_wanted(references, config, store, quarantine, report)
            want = {
                k: dumps.Want(_phrases(w.record, "post"), _phrases(w.record, "response"))
                for k, w in wanted.items()
            }
            slots, stats = dumps.scan(
                dump_files,
                want,
                policy=policy,
                threshold=threshold,
                max_bytes=int(limits["max_record_bytes"]),
                quarantine=quarantine,
                on_progress=on_progress,
            )
            report.dumps.update(stats.counts)
            deid_policy = load_policy(config)
            steps = ingest_steps(config, deid_policy, engine)
            fresh, unchanged = _store_items(store, config, wanted, slots, policy, threshold,
                                            report, items, steps, workers)  # fmt: skip
            # records stored earlier and not yet de-identified (an interrupted run)
            deid = deidentify_workspace(
                store, config, policy=deid_policy, engine=steps[-1].engine, workers=workers,
                on_progress=on_deid_progress,
            )  # fmt: skip
            fresh.merge(deid)
            report.deid = fresh.to_dict()
            by_id = {i["record_id"]: i for i in items if i["record_id"]}
            for record_id in unchanged:  # stored before: their spans as de-identified then
                record = store.get(record_id)
                if record is not None:
                    _count_unmoved(record, by_id[record_id], report)
            report.status = "completed"
        except BaseException:
            report.status = "interrupted"
            raise
        finally:
            quarantine.close()
            report.quarantine_path = str(quarantine.path) if quarantine.count else None
            items_path = out_dir / f"{run_id}-items.jsonl"
            with items_path.open("w", encoding="utf-8") as fh:
                for item in items:
                    fh.write(json.dumps(item, ensure_ascii=False) + "\n")
            report.items_path = str(items_path)
            report.report_path = str(out_dir / f"{run_id}.json")
            report.seconds = time.perf_counter() - started
            data = report.to_dict()
            Path(report.report_path).write_text(json.dumps(data, indent=2), encoding="utf-8")
    return report


def _store_items(
    store: Store,
    config: Config,
    wanted: dict[str, Wanted],
    slots: dict[str, dumps.Slot],
    policy,
    threshold: float,
    report: HydrateReport,
    items: list[dict[str, Any]],
    steps: list,
    workers: int | None,
):
    """Build every found item and run it through the steps of an ingest (language id,
    de-identification) into the store writer; fill `items` with one entry per wanted item
    (what was stored, and the spans de-identification could not move). Returns the
    de-identification counts of the records written."""
    from curate.deid.stage import DeidReport
    from curate.executors.local import LocalExecutor
    from curate.executors.pool import chunks
    from curate.writer import StoreWriter

    deid = DeidReport(policy=steps[-1].policy.fingerprint)
    writer = StoreWriter(store, report.run_id, deid.policy)
    entries: dict[str, dict[str, Any]] = {}  # record id -> its item

    def works() -> Iterator[Work]:
        for key, w in wanted.items():
            culture = w.record.culture or NO_CULTURE
            slot = slots.get(key)
            item: dict[str, Any] = {
                "post_id": key,
                "culture": w.record.culture,
                "status": None,
                "record_id": None,
                "reference": {
                    "file": w.location.file,
                    "line": w.location.line,
                    "id": w.reference_id,
                    "split": w.split,
                },
            }
            if slot is None or slot.post is None:
                item["status"] = "deleted" if slot is not None and slot.deleted else "missing"
                if item["status"] == "deleted":
                    assert slot is not None and slot.deleted is not None
                    item["dump"] = {"post": [slot.deleted.file, slot.deleted.line]}
                item["spans"] = [
                    {"field": s.field, "label": s.label, "method": "no_text"}
                    for s in w.record.spans
                ]
            else:
                record, raw, built = _hydrate_item(w, slot, policy, threshold)
                item.update(built, status="hydrated", record_id=record.id)
                item["edited"] = any(_differs(d) for d in item["spans"])
                entries[record.id] = item
                held = store.holds(record.id, record.provenance.content_hash)
                yield Work(Parsed(record, raw, ""), deid=not held)
            _count_item(report, culture, item)
            items.append(item)

    batch_size = int(config.section("ingest")["batch_size"])
    executor = LocalExecutor.for_items(len(wanted), workers)
    unchanged: list[str] = []  # records this run did not de-identify: counted from the store
    for batch in chunks(run_steps(executor, steps, works()), batch_size):
        written = writer.write(batch)
        deid.count(batch, written)
        for work, put in zip(batch, written, strict=True):
            assert put is not None
            item = entries[work.record.id]
            culture = work.record.culture or NO_CULTURE
            report.stored[culture][put.outcome] += 1
            if put.duplicate_of:
                report.stored[culture]["duplicate"] += 1
                item["duplicate_of"] = put.duplicate_of
            item["stored"] = put.outcome
            if work.result is not None and put.outcome != "unchanged":
                _count_unmoved(work.result.record, item, report)
            else:
                unchanged.append(work.record.id)
    return deid, unchanged


def _count_unmoved(record: Record, item: dict[str, Any], report: HydrateReport) -> None:
    """Spans that de-identification could not move (they cut through an identifier):
    their offsets became null. Counted per culture and per item."""
    lost = sum(d["field"].startswith("deid.spans") for d in record.defects)
    item["deid_unmoved"] = lost
    report.extra[record.culture or NO_CULTURE]["deid_unmoved"] += lost
