"""`curate ingest`: raw files -> normalized, language-identified records in the store.

The stage is a pipeline over items (datatrove-style): a source yields one item per input
unit, language id and hashing annotate parsed records (`normalize_batch`), and the store
writer commits them in batches (`store_parsed`). Every item is counted exactly once, so
that per culture read = kept + duplicate + skipped + quarantined.

Reddit dump files are scanned in parallel when an executor gives a `file_map` (one task
per file: worker processes, or a Ray cluster), then paired, counted and quarantined here,
in one place: pairing a post with its response needs the comments of every file. Where
the parsed records go is a `RecordSink`: the local one normalizes them in batches (in
worker processes) and stores them here; the Ray engine's (`curate.executors.ray_engine`)
ships them to a cluster and loads the results back with the same `store_parsed`, so both
count and store identically.
"""

from __future__ import annotations

import json
import os
import stat
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from curate.config import Config
from curate.errors import CurateError
from curate.langid import LangidSettings, detect
from curate.quarantine import Quarantine
from curate.records import content_hash
from curate.sources import FORMATS, detect_format, reddit
from curate.sources.base import InputProblem, Item, Parsed, Rejected, Skipped, SourceError
from curate.sources.io import unreadable
from curate.store import PutResult, Store

NO_CULTURE = "(none)"
COLUMNS = ("read", "kept", "duplicate", "skipped", "quarantined", "new", "revised", "unchanged")


@dataclass
class IngestReport:
    run_id: str
    status: str = "running"
    cultures: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    skipped_reasons: Counter = field(default_factory=Counter)
    comments: Counter = field(default_factory=Counter)
    defects: Counter = field(default_factory=Counter)
    quarantine_path: str | None = None
    defects_path: str | None = None
    files: dict[str, str] = field(default_factory=dict)
    # file -> why it could not be read (to its end): truncated, corrupt, unreadable
    problems: dict[str, str] = field(default_factory=dict)

    @property
    def totals(self) -> Counter:
        total: Counter = Counter()
        for counts in self.cultures.values():
            total.update(counts)
        return total

    def reconciles(self) -> bool:
        for c in [*self.cultures.values(), self.totals]:
            if c["read"] != c["kept"] + c["duplicate"] + c["skipped"] + c["quarantined"]:
                return False
        return True

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "status": self.status,
            "files": self.files,
            "file_problems": self.problems,
            "cultures": {k: {c: v[c] for c in COLUMNS} for k, v in sorted(self.cultures.items())},
            "total": {c: self.totals[c] for c in COLUMNS},
            "skipped_reasons": dict(self.skipped_reasons.most_common()),
            "comments": dict(self.comments),
            "defects": dict(self.defects.most_common()),
            "quarantine": self.quarantine_path,
            "defects_file": self.defects_path,
            "reconciles": self.reconciles(),
        }


DATA_SUFFIXES = frozenset(
    {
        ".jsonl",
        ".ndjson",
        ".json",
        ".csv",
        ".tsv",
        ".parquet",
        ".zst",
        ".zstd",
        ".gz",
        ".bz2",
        ".xz",
        "",
    }
)


def expand_paths(
    paths: Iterable[Path], on_problem: Callable[[InputProblem], None] | None = None
) -> list[Path]:
    """Files as given; folders expanded to the data files inside them (sorted), so that a
    README or a hidden file next to the data is not taken for input.

    A file or sub-folder that cannot be read (permissions, an I/O error, a data-named
    FIFO or broken link) goes to `on_problem`, so the run reads the others and reports
    it; without `on_problem`, it is an error. Every file returned could be opened and
    read from. When no file is left, the error names the problems."""
    problems: list[InputProblem] = []

    def report(problem: InputProblem) -> None:
        problems.append(problem)
        if on_problem is not None:
            on_problem(problem)

    out: list[Path] = []
    for path in paths:
        try:
            mode = path.stat().st_mode
        except (FileNotFoundError, NotADirectoryError):
            if not path.is_symlink():
                raise SourceError(f"{path}: no such file or folder") from None
            mode = None
        except OSError as exc:
            report(InputProblem(path, unreadable(exc)))
            continue
        if mode is not None and stat.S_ISDIR(mode):
            out.extend(p for p in _walk(path, report) if _readable(p, report))
        elif mode is None or not stat.S_ISREG(mode):
            report(InputProblem(path, _not_a_file(path)))
        elif _readable(path, report):
            out.append(path)
    if not out and problems:
        raise SourceError("no input file can be read: " + "; ".join(map(str, problems)))
    if not out:
        raise SourceError("no input files")
    if problems and on_problem is None:
        raise problems[0]
    return out


def _walk(folder: Path, report: Callable[[InputProblem], None]) -> list[Path]:
    """The data files under `folder`, sorted; sub-folders that cannot be listed and
    data-named entries that are not files are reported, not skipped in silence."""
    found: list[Path] = []

    def listing_failed(exc: OSError) -> None:
        report(InputProblem(exc.filename or folder, f"folder {unreadable(exc)}"))

    for top, _dirs, names in os.walk(folder, onerror=listing_failed):
        for name in names:
            p = Path(top) / name
            if name[0] == "." or p.suffix.lower() not in DATA_SUFFIXES:
                continue
            if p.is_file():
                found.append(p)
            else:
                report(InputProblem(p, _not_a_file(p)))
    return sorted(found)


def _not_a_file(path: Path) -> str:
    try:
        mode = path.lstat().st_mode
    except OSError as exc:
        return unreadable(exc)
    if stat.S_ISLNK(mode):
        return "unreadable (a symbolic link to nothing readable)"
    kind = "FIFO" if stat.S_ISFIFO(mode) else "socket" if stat.S_ISSOCK(mode) else "device"
    return f"not a regular file ({kind})"


def _readable(path: Path, report: Callable[[InputProblem], None]) -> bool:
    """Whether `path` opens and gives its first byte; reported when not."""
    try:
        with path.open("rb") as fh:
            fh.read(1)
    except OSError as exc:
        report(InputProblem(path, unreadable(exc)))
        return False
    return True


def _sources(paths: list[Path], fmt: str | None, config: Config, salt: bytes,
             mapping: dict[str, str], culture: str | None, staging_dir: Path,
             on_progress, file_map) -> Iterator[Item]:  # fmt: skip
    """One item stream over all inputs, each format read by its own source."""
    from curate.sources import culturecare, tabular

    taxonomy = config.taxonomy()
    limits = config.section("ingest")
    max_bytes, max_chars = limits["max_record_bytes"], limits["max_text_chars"]
    groups: dict[str, list[Path]] = defaultdict(list)
    for path in paths:
        try:
            groups[fmt or detect_format(path)].append(path)
        except InputProblem as problem:  # not one line could be read
            yield problem.item()
    for kind, files in groups.items():
        if kind == "reddit":
            try:
                policy = reddit.RedditPolicy.from_config(config.section("reddit"), max_chars)
            except (ValueError, KeyError) as exc:
                raise CurateError(f"curate.toml [reddit]: {exc}") from None
            yield from reddit.read(
                files,
                policy=policy,
                salt=salt,
                max_bytes=max_bytes,
                staging_dir=staging_dir,
                on_progress=on_progress,
                file_map=file_map,
            )
        elif kind == "culturecare":
            read = partial(
                culturecare.read,
                taxonomy=taxonomy,
                salt=salt,
                max_bytes=max_bytes,
                on_progress=on_progress,
            )
            yield from _each_file(files, read)
        elif kind in ("jsonl", "csv", "parquet"):
            cols = {**config.section("tabular"), **mapping}
            unknown = sorted(set(mapping) - set(tabular.FIELDS))
            if unknown:
                raise CurateError(f"--map: unknown field(s) {unknown}; use {tabular.FIELDS}")
            read = partial(
                tabular.read,
                kind=kind,
                mapping=cols,
                taxonomy=taxonomy,
                salt=salt,
                max_bytes=max_bytes,
                max_text_chars=max_chars,
                culture=culture,
            )
            yield from _each_file(files, read)
        else:
            raise SourceError(f"unknown format {kind!r}; use one of {', '.join(FORMATS)}")


def _each_file(files: list[Path], read: Callable[[list[Path]], Iterable[Item]]) -> Iterator[Item]:
    """Read the files one at a time: a file that cannot be read to its end gives the
    items of its lines before the problem, then a file-level item, and the next file is
    read. (Reddit dumps do this in their scan: `reddit.scan_file`.)"""
    for path in files:
        try:
            yield from read([path])
        except InputProblem as problem:
            yield problem.item()


@dataclass
class IngestRun:
    """What a sink needs to know about the run it stores into."""

    store: Store
    config: Config
    run_id: str
    report: IngestReport

    @property
    def batch_size(self) -> int:
        return int(self.config.section("ingest")["batch_size"])

    @property
    def langid(self) -> LangidSettings:
        return LangidSettings(**self.config.section("langid"))


class RecordSink(Protocol):
    """Where the parsed records of a run go, in input order. `finish` is called once after
    the last record (not when the run fails): by its return every record is stored.
    `close` is always called last, to delete what the sink kept on disk."""

    def add(self, item: Parsed) -> None: ...

    def finish(self) -> None: ...

    def close(self) -> None: ...


class LocalSink:
    """The local engine: normalize in batches (in `workers` forked processes when more
    than one), store here in input order, one transaction per batch."""

    def __init__(self, run: IngestRun, workers: int = 1) -> None:
        self.run = run
        self.lang = run.langid
        self.batch_size = run.batch_size
        self.workers = workers
        self.batch: list[Parsed] = []
        self.pool = None  # started at the first batch: after the dumps are scanned

    def add(self, item: Parsed) -> None:
        self.batch.append(item)
        if len(self.batch) >= self.batch_size:
            self._send()

    def _send(self) -> None:
        batch, self.batch = self.batch, []
        if self.workers <= 1:
            store_parsed(self.run, normalize_batch(batch, self.lang))
            return
        if self.pool is None:
            from curate.executors.pool import OrderedPool

            self.pool = OrderedPool(normalize_batch, self.workers)
        for done in self.pool.submit(batch, self.lang):
            store_parsed(self.run, done)

    def finish(self) -> None:
        if self.batch:
            self._send()
        if self.pool is not None:
            for done in self.pool.drain():
                store_parsed(self.run, done)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None


def store_parsed(run: IngestRun, batch: list[Parsed]) -> list[PutResult]:
    """Store normalized records with their raw texts (one transaction) and count the
    outcomes. Both engines store through here, so dedup, revisions and counts agree."""
    results = run.store.put_batch(((p.record, p.raw) for p in batch), run.run_id)
    for parsed, result in zip(batch, results, strict=True):
        counts = run.report.cultures[parsed.record.culture or NO_CULTURE]
        counts["duplicate" if result.duplicate_of else "kept"] += 1
        counts[result.outcome] += 1
    return results


def ingest(
    paths: list[Path],
    config: Config,
    store: Store,
    *,
    fmt: str | None = None,
    mapping: dict[str, str] | None = None,
    culture: str | None = None,
    on_progress: Callable[[Path, int], None] | None = None,
    sink: Callable[[IngestRun], RecordSink] = LocalSink,
    file_map: reddit.FileMap | None = None,
) -> IngestReport:
    """Read `paths` into `store`. Safe to interrupt: every batch is one transaction, and a
    re-run skips what is already stored unchanged. `sink` makes the record sink of the
    run (default: normalize and store here); `file_map` scans Reddit dump files in
    parallel (default: one after the other, here)."""
    problems: list[InputProblem] = []
    paths = expand_paths(paths, problems.append)
    if culture is not None and culture not in config.taxonomy().cultures:
        raise CurateError(f"--culture {culture!r} is not in the taxonomy")
    args = {"paths": [str(p) for p in paths], "format": fmt, "mapping": mapping}
    report = IngestReport(run_id="")
    with store.run("ingest", args, report.to_dict, failed="interrupted") as run:
        report.run_id = run_id = run.id
        quarantine = Quarantine(store.root / "quarantine", run_id)
        defects_path = store.root / "reports" / f"{run_id}-defects.jsonl"
        defects_path.parent.mkdir(parents=True, exist_ok=True)
        staging = store.root / "tmp"
        staging.mkdir(exist_ok=True)

        records: RecordSink | None = None
        with defects_path.open("w", encoding="utf-8") as defects_out:
            try:
                records = sink(IngestRun(store, config, run_id, report))
                for problem in problems:
                    _file_problem(report, problem.item(), quarantine)
                items = _sources(paths, fmt, config, store.id_salt, mapping or {}, culture, staging,
                                 on_progress, file_map)  # fmt: skip
                for item in items:
                    if isinstance(item, Parsed):
                        report.cultures[item.record.culture or NO_CULTURE]["read"] += 1
                        for d in item.record.defects:
                            report.defects[_defect_kind(d)] += 1
                            defects_out.write(json.dumps({
                                "record_id": item.record.id,
                                "source_id": item.record.source.source_id,
                                "file": item.record.provenance.input_file,
                                "line": item.record.provenance.line, **d,
                            }, ensure_ascii=False) + "\n")  # fmt: skip
                        records.add(item)
                    elif item.kind == "file":
                        _file_problem(report, item, quarantine)
                    elif item.kind == "comment":
                        _count_comment(report, item, quarantine)
                    else:
                        counts = report.cultures[item.culture or NO_CULTURE]
                        counts["read"] += 1
                        if isinstance(item, Skipped):
                            counts["skipped"] += 1
                            report.skipped_reasons[item.reason] += 1
                        else:
                            counts["quarantined"] += 1
                            quarantine.add(item)
                records.finish()
                report.status = "completed"
            except BaseException:
                report.status = "interrupted"
                raise
            finally:
                if records is not None:
                    records.close()
                quarantine.close()
                report.quarantine_path = str(quarantine.path) if quarantine.count else None
                report.defects_path = str(defects_path) if report.defects else None
                report.files = {str(p): (fmt or "auto") for p in paths}
    if not report.defects:
        defects_path.unlink(missing_ok=True)
    return report


def normalize_item(item: Parsed, lang: LangidSettings) -> None:
    """Language id (unless the source gave a language) and the content hash: the
    per-record work after parsing. Pure (no store, no I/O), so any executor can run it."""
    record, raw = item.record, item.raw
    if record.language == "und" and record.language_confidence == 0.0:
        text = "\n".join(t for t in (raw.title, raw.text) if t) or item.langid_hint
        record.language, record.language_confidence = detect(text, lang)
    record.provenance.content_hash = content_hash(record, raw)


def normalize_batch(items: list[Parsed], lang: LangidSettings) -> list[Parsed]:
    for item in items:
        normalize_item(item, lang)
    return items


def _file_problem(report: IngestReport, item: Rejected, quarantine: Quarantine) -> None:
    """A file that could not be read (to its end): in the report and the quarantine."""
    report.problems[item.location.file] = item.reason
    quarantine.add(item)


def _count_comment(report: IngestReport, item: Skipped | Rejected, quarantine: Quarantine):
    report.comments["read"] += 1
    if isinstance(item, Rejected):
        report.comments["quarantined"] += 1
        quarantine.add(item)
    elif item.reason == reddit.STAGED:
        report.comments["candidates"] += 1
    else:
        report.comments["skipped"] += 1
        report.skipped_reasons[f"comment: {item.reason}"] += 1


def _defect_kind(defect: dict[str, Any]) -> str:
    """'post.emotional_distress[3].intensity' -> 'post.emotional_distress[].intensity',
    and '(…)' for the numbers in parentheses ('similarity 0.87'), so that equal defects
    count together. A problem never holds the bad value (`Record.add_defect` keeps it
    apart, as a keyed hash), so the kinds can be printed and stored in the run log."""
    import re

    where = re.sub(r"\[\d+\]", "[]", defect["field"])
    problem = re.sub(r"\(.*\)", "(…)", defect["problem"])
    return f"{where}: {problem}"
