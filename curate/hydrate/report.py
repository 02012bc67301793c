"""The coverage report of `curate hydrate`: counts per culture, as JSON (printed as tables
by `curate.reporting.print_hydrate`).

Only counts, ids, methods, scores and paths: never a text or a phrase (the raw texts are
the user's own dump content, and phrases of a hydrated text are raw text too).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

ITEMS = ("wanted", "hydrated", "edited", "deleted", "missing")
SPANS = ("spans", "exact", "placeholder", "normalized", "fuzzy", "unaligned", "no_text")
RESPONSES = ("matched", "by_rule", "not_found", "none")
STORED = ("new", "revised", "unchanged", "duplicate")


def _table(counters: dict[str, Counter], columns: tuple[str, ...]) -> dict[str, dict[str, int]]:
    out = {c: {k: counts[k] for k in columns} for c, counts in sorted(counters.items())}
    total: Counter = Counter()
    for counts in counters.values():
        total.update(counts)
    out["total"] = {k: total[k] for k in columns}
    return out


@dataclass
class HydrateReport:
    run_id: str
    threshold: float
    status: str = "running"
    items: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    spans: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    responses: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    stored: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    extra: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    reference: Counter = field(default_factory=Counter)
    reference_files: list[str] = field(default_factory=list)
    dumps: Counter = field(default_factory=Counter)
    dump_files: list[str] = field(default_factory=list)
    fuzzy_scores: list[float] = field(default_factory=list)
    deid: dict[str, Any] | None = None
    quarantine_path: str | None = None
    report_path: str | None = None
    items_path: str | None = None
    seconds: float = 0.0

    def reconciles(self) -> bool:
        """wanted = hydrated + deleted + missing (per culture); every span counted once;
        every reference row is wanted or quarantined (duplicates are quarantined)."""
        for counts in self.items.values():
            if counts["wanted"] != counts["hydrated"] + counts["deleted"] + counts["missing"]:
                return False
        for counts in self.spans.values():
            if counts["spans"] != sum(counts[k] for k in SPANS[1:]):
                return False
        ref = self.reference
        return ref["rows"] == ref["wanted"] + ref["quarantined"]

    def to_dict(self) -> dict[str, Any]:
        scores = self.fuzzy_scores
        return {
            "run_id": self.run_id,
            "status": self.status,
            "fuzzy_threshold": self.threshold,
            "reference": {"files": self.reference_files, **dict(self.reference)},
            "dumps": {"files": self.dump_files, **dict(self.dumps)},
            "items": _table(self.items, ITEMS),
            "spans": _table(self.spans, SPANS),
            "responses": _table(self.responses, RESPONSES),
            "stored": _table(self.stored, STORED),
            "notes": _table(self.extra, ("in_title", "deid_unmoved")),
            "fuzzy_scores": {
                "n": len(scores),
                "min": min(scores) if scores else None,
                "median": round(statistics.median(scores), 4) if scores else None,
            },
            "deid": self.deid,
            "quarantine": self.quarantine_path,
            "report": self.report_path,
            "items_file": self.items_path,
            "seconds": round(self.seconds, 2),
            "reconciles": self.reconciles(),
        }
