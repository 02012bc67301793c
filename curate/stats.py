"""`curate stats`: what is in the workspace, per culture, language, source and
annotation status (spans per label family included). Reads the store only."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from curate.scratch import usage
from curate.store import Store


def workspace_stats(store: Store) -> dict[str, Any]:
    by_culture: dict[str, Counter] = defaultdict(Counter)
    languages: dict[str, Counter] = defaultdict(Counter)
    sources: Counter = Counter()
    spans: dict[str, Counter] = defaultdict(Counter)
    labels: dict[str, Counter] = defaultdict(Counter)
    for record in store.iter_records():
        culture = record.culture or "(none)"
        c = by_culture[culture]
        c["records"] += 1
        c["duplicates"] += record.duplicate_of is not None
        c["with_response"] += bool(
            record.source.response_id
            or record.response_text
            or any(s.field == "response" for s in record.spans)
        )
        c["annotated" if record.spans or record.empathy else "unannotated"] += 1
        c["with_defects"] += bool(record.defects)
        c["with_empathy"] += record.empathy is not None
        languages[culture][record.language] += 1
        sources[f"{record.source.platform}/{record.source.community or '-'}"] += 1
        for span in record.spans:
            spans[culture][span.label] += 1
            for attr, value in span.attributes.items():
                labels[f"{span.label}.{attr}"][value if value is not None else "(missing)"] += 1
    deid = store.deid_status_counts()
    cultures = sorted(by_culture)
    total: Counter = Counter()
    for c in by_culture.values():
        total.update(c)
    span_total: Counter = Counter()
    for c in spans.values():
        span_total.update(c)
    return {
        "workspace": str(store.root),
        "schema_version": store.schema_version,
        "records": store.count(),
        "cultures": {k: dict(by_culture[k]) for k in cultures},
        "total": dict(total),
        "languages": {k: dict(languages[k].most_common()) for k in cultures},
        "sources": dict(sources.most_common()),
        "deid_status": deid,
        "spans": {k: dict(spans[k]) for k in cultures if spans[k]},
        "spans_total": dict(span_total),
        "labels": {k: dict(v.most_common()) for k, v in sorted(labels.items())},
        "vault_texts": store.vault.count(),
        "scratch": scratch_report(store),
        "runs": len(store.runs()),
    }


def scratch_report(store: Store) -> dict[str, dict[str, int]]:
    """Raw-text scratch folders in tmp/ (counts and bytes, never contents): those of
    killed runs deleted when the store was opened, those in use by running commands,
    and stale ones that could not be deleted."""
    now = usage(store.root)
    return {
        "removed_stale": store.swept.to_dict(),
        "in_use": now["in_use"].to_dict(),
        "stale": now["stale"].to_dict(),
    }
