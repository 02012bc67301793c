"""`curate ingest`: raw files -> normalized, language-identified records in the store.

The stage is a pipeline over items (datatrove-style): a source yields one item per input
unit; here each parsed record gets its content hash and is marked for de-identification
unless the store already holds that content; the steps (`ingest_steps`: language id,
then de-identification) run on batches of them on an executor (`curate.executors`: this
machine's worker processes or Ray, the same steps either way); and the store writer
(`curate.writer`) writes each record once, in input order, one transaction per batch.
Every item is counted exactly once, so that per culture read = kept + duplicate +
skipped + quarantined.

Reddit dump files are scanned in parallel by the executor (`map_files`: one task per
file), then paired, counted and quarantined here, in one place: pairing a post with its
response needs the comments of every file.
"""

from __future__ import annotations

import json
import os
import stat
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from curate.config import Config
from curate.errors import CurateError
from curate.executors import Executor, Step
from curate.executors.pool import chunks
from curate.langid import LangidSettings, detect
from curate.quarantine import Quarantine
from curate.records import content_hash
from curate.sources import FORMATS, detect_format, reddit
from curate.sources.base import InputProblem, Item, Parsed, Rejected, Skipped, SourceError
from curate.sources.io import unreadable
from curate.store import Store
from curate.work import Work

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
    # the run's de-identification counts (`curate.deid.stage.DeidReport`), with a policy
    deid: Any = None

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


class NormalizeStep:
    """Language id of every record of a batch (unless its source gave a language)."""

    def __init__(self, lang: LangidSettings) -> None:
        self.lang = lang

    def setup(self) -> None:
        pass

    def __call__(self, batch: list[Work]) -> list[Work]:
        for work in batch:
            identify_language(work.item, self.lang)
        return batch


# Records per step call: work enough per call, and batches small enough to spread evenly
# over the workers (the store writes `[ingest] batch_size` records per transaction).
STEP_BATCH = 64


def run_steps(executor: Executor, steps: list[Step], works: Iterable[Work]) -> Iterator[Work]:
    """`steps` on every record of `works` on `executor`, in batches of `STEP_BATCH`; the
    records come back one by one, in input order."""
    for batch in executor.run(steps, chunks(works, STEP_BATCH)):
        yield from batch


def ingest_steps(config: Config, policy: Any = None, engine: Any = None) -> list[Step]:
    """The steps of a record after it is read: language id, then, with a de-identification
    `policy`, de-identification (with `engine`, if one is loaded already)."""
    steps: list[Step] = [NormalizeStep(LangidSettings(**config.section("langid")))]
    if policy is not None:
        from curate.deid.stage import DeidentifyStep

        steps.append(DeidentifyStep.from_config(config, policy, engine))
    return steps


def ingest(
    paths: list[Path],
    config: Config,
    store: Store,
    *,
    fmt: str | None = None,
    mapping: dict[str, str] | None = None,
    culture: str | None = None,
    on_progress: Callable[[Path, int], None] | None = None,
    policy: Any = None,
    executor: Executor | None = None,
    steps: list[Step] | None = None,
) -> IngestReport:
    """Read `paths` into `store`, de-identified under `policy` (without one, records are
    stored to be de-identified later, `curate deid`). Safe to interrupt: every batch is
    one transaction, and a re-run skips what is already stored unchanged. `executor`
    runs the steps (`ingest_steps`, or `steps`) and scans the dump files (default: here,
    one after the other)."""
    from curate.writer import StoreWriter

    if executor is None:
        from curate.executors.local import LocalExecutor

        executor = LocalExecutor(1)
    steps = steps if steps is not None else ingest_steps(config, policy)
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

        writer = StoreWriter(store, run_id, policy.fingerprint if policy is not None else None)
        if policy is not None:
            from curate.deid.stage import DeidReport

            report.deid = DeidReport(policy=policy.fingerprint)
        batch_size = int(config.section("ingest")["batch_size"])
        with defects_path.open("w", encoding="utf-8") as defects_out:
            try:
                for problem in problems:
                    _file_problem(report, problem.item(), quarantine)
                items = _sources(paths, fmt, config, store.id_salt, mapping or {}, culture, staging,
                                 on_progress, executor.map_files)  # fmt: skip
                works = _works(items, store, policy is not None, report, quarantine, defects_out)
                for batch in chunks(run_steps(executor, steps, works), batch_size):
                    written = writer.write(batch)  # a transaction per `batch_size` records
                    _count_written(report, batch, written)
                report.status = "completed"
            except BaseException:
                report.status = "interrupted"
                raise
            finally:
                quarantine.close()
                report.quarantine_path = str(quarantine.path) if quarantine.count else None
                report.defects_path = str(defects_path) if report.defects else None
                report.files = {str(p): (fmt or "auto") for p in paths}
    if not report.defects:
        defects_path.unlink(missing_ok=True)
    return report


@dataclass
class IngestResult:
    report: IngestReport
    deid: Any  # `curate.deid.stage.DeidReport`, or None without a policy
    engine: dict[str, Any] = field(default_factory=dict)  # name, workers, seconds per phase


def run_ingest(
    paths: list[Path],
    config: Config,
    store: Store,
    *,
    engine: str = "local",
    policy: Any = None,
    workers: int | None = None,
    address: str | None = None,
    fmt: str | None = None,
    mapping: dict[str, str] | None = None,
    culture: str | None = None,
    on_progress: Callable[[Path, int], None] | None = None,
    deid_progress: Callable[[], AbstractContextManager] = lambda: nullcontext(),
) -> IngestResult:
    """`curate ingest`: `ingest` on the executor called `engine`, then, with a `policy`,
    the de-identification of stored records that still need it (none, unless earlier
    runs left some: `--no-deid`, a new policy), as `curate deid` does it, here.
    `deid_progress()` gives a context whose value, if not None, is called with (done,
    total) as those are de-identified."""
    from curate.deid.stage import deidentify_workspace
    from curate.executors import make_executor

    executor = make_executor(engine, workers=workers, address=address)
    steps = ingest_steps(config, policy)
    if policy is not None:
        steps[-1].setup()  # a bad policy fails here, before any input is read
    start = time.perf_counter()
    with executor.running(store.root):
        report = ingest(paths, config, store, fmt=fmt, mapping=mapping, culture=culture,
                        on_progress=on_progress, policy=policy, executor=executor,
                        steps=steps)  # fmt: skip
    seconds = {"ingest": time.perf_counter() - start}
    if policy is not None:
        start = time.perf_counter()
        with deid_progress() as on_deid_progress:
            earlier = deidentify_workspace(store, config, policy=policy, workers=workers,
                                           engine=steps[-1].engine,
                                           on_progress=on_deid_progress)  # fmt: skip
        report.deid.merge(earlier)
        seconds["deid"] = time.perf_counter() - start
    info = executor.info()
    info["seconds"] = {**info["seconds"], **{k: round(v, 2) for k, v in seconds.items()}}
    return IngestResult(report, report.deid, info)


def _works(
    items: Iterable[Item],
    store: Store,
    deid: bool,
    report: IngestReport,
    quarantine: Quarantine,
    defects_out: Any,
) -> Iterator[Work]:
    """The parsed records among `items`, each with its content hash and marked for
    de-identification unless the store already holds that content (a re-run costs no
    de-identification); every other item counted (and quarantined) here."""
    for item in items:
        if isinstance(item, Parsed):
            record = item.record
            report.cultures[record.culture or NO_CULTURE]["read"] += 1
            for d in record.defects:
                report.defects[_defect_kind(d)] += 1
                defects_out.write(json.dumps({
                    "record_id": record.id,
                    "source_id": record.source.source_id,
                    "file": record.provenance.input_file,
                    "line": record.provenance.line, **d,
                }, ensure_ascii=False) + "\n")  # fmt: skip
            record.provenance.content_hash = content_hash(record, item.raw)
            held = deid and store.holds(record.id, record.provenance.content_hash)
            yield Work(item, deid=deid and not held)
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


def _count_written(report: IngestReport, batch: list[Work], written: list[Any]) -> None:
    """Count what the writer did with each record (and what it de-identified)."""
    for work, put in zip(batch, written, strict=True):
        counts = report.cultures[work.record.culture or NO_CULTURE]
        counts["duplicate" if put.duplicate_of else "kept"] += 1
        counts[put.outcome] += 1
    if report.deid is not None:
        report.deid.count(batch, written)


def identify_language(item: Parsed, lang: LangidSettings) -> None:
    """Language id, unless the source gave a language. Pure (no store, no I/O), so any
    executor can run it. The confidence is rounded here, to what is stored."""
    record, raw = item.record, item.raw
    if record.language == "und" and record.language_confidence == 0.0:
        text = "\n".join(t for t in (raw.title, raw.text) if t) or item.langid_hint
        record.language, confidence = detect(text, lang)
        record.language_confidence = round(confidence, 4)


def normalize_item(item: Parsed, lang: LangidSettings) -> None:
    """Language id and the content hash of a record read."""
    identify_language(item, lang)
    item.record.provenance.content_hash = content_hash(item.record, item.raw)


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
