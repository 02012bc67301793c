"""Loading results computed elsewhere (a cluster) into the workspace store, so that the
store ends up exactly as the local engine leaves it.

The local engine stores each record as ingested, then de-identifies the records that
need it from the store. Here both are already computed, so loading is two passes over
the results in input order:

1. `store_parsed` (the local engine's own batch writer): records and raw texts, dedup,
   revisions, counts.
2. the de-identified records, each only if its row is the one that made the record's
   current revision (same content hash, same file and line): a record that came twice in
   one run is de-identified once, as the local engine does it, from its last revision.
   Duplicate links and run ids come from the stored record, the rest from the result.

Records the first pass left unchanged are not touched here; those still waiting for
de-identification (an earlier `--no-deid`, a new policy) are left to the local
`deidentify_workspace` that runs after every ingest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from curate.deid.stage import DeidReport
from curate.executors.pool import chunks
from curate.executors.work import Work
from curate.ingest import IngestRun, store_parsed


def store_records(run: IngestRun, works: Iterable[Work]) -> None:
    """Pass 1: normalized records with their raw texts, in batches of `[ingest]
    batch_size`, as the local engine stores them."""
    for batch in chunks(works, run.batch_size):
        store_parsed(run, [w.item for w in batch])


def store_deidentified(
    run: IngestRun,
    works: Iterable[Work],
    fingerprint: str,
    on_progress: Callable[[int, int], None] | None = None,
    total: int | None = None,
) -> DeidReport:
    """Pass 2: de-identified records and their decisions (one transaction per batch)."""
    report = DeidReport(policy=fingerprint)
    store = run.store
    for batch in chunks((w for w in works if w.result is not None), run.batch_size):
        done = []
        for work in batch:
            assert work.result is not None
            ingested = work.item.record.provenance
            current = store.get(work.item.record.id)
            if current is None or (
                current.provenance.content_hash,
                current.provenance.input_file,
                current.provenance.line,
            ) != (ingested.content_hash, ingested.input_file, ingested.line):
                continue  # a later copy of the record made its current revision
            record = work.result.record
            record.duplicate_of = current.duplicate_of
            record.provenance.run_id = current.provenance.run_id
            report.add(work.result.decisions, work.result.problems, work.result.changed)
            done.append((record, work.result.decisions))
        if done:
            store.save_deid(done, fingerprint)
        if on_progress:
            on_progress(report.records, total or report.records)
    return report
