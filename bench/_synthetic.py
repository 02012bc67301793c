"""Synthetic de-identified records for benchmarks of the stages after ingest."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from curate.deid import tables as deid_tables
from curate.records import Provenance, RawText, Record, Source, pseudonymous_id
from curate.store import Store

CULTURES = ("Arabic", "Chinese", "German", "Jewish")


def fill_deidentified(
    store: Store,
    n: int,
    make: Callable[[int], tuple[str, str, dict[str, Any]]],
    batch: int = 5000,
) -> None:
    """Store N records as ingested (raw text in the vault) and as de-identified (the
    same text, as if nothing had been found). `make(i)` gives (post, response, extra
    record fields such as spans or empathy)."""
    run = store.begin_run("bench", {})
    for start in range(0, n, batch):
        items = []
        for i in range(start, min(n, start + batch)):
            post, response, extra = make(i)
            rec = Record(
                id=pseudonymous_id(store.id_salt, "bench", str(i)),
                culture=CULTURES[i % len(CULTURES)],
                source=Source("bench", str(i)),
                language="en",
                language_confidence=1.0,
                provenance=Provenance("bench", i, "bench", content_hash=f"{i:064x}"),
                **extra,
            )
            items.append((rec, RawText(text=post, response=response)))
        store.put_batch(items, run)
        for rec, raw in items:
            rec.post_text, rec.response_text = raw.text, raw.response
        deid_tables.save_deid(store, [(rec, []) for rec, _ in items], "bench")
