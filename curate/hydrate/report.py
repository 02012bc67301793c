"""The coverage report of `curate hydrate`: counts per culture, as JSON and as tables.

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


def _print_table(console: Any, title: str, rows: dict[str, dict[str, int]], cols) -> None:
    from rich.table import Table

    table = Table(title=title)
    table.add_column("culture", no_wrap=True)
    for col in cols:
        table.add_column(col.replace("_", " "), justify="right")
    names = list(rows)  # the cultures, then "total"
    for index, culture in enumerate(names):
        cells = [str(rows[culture].get(k, 0)) for k in cols]
        table.add_row(culture, *cells, end_section=index == len(names) - 2)
    console.print(table)


def print_report(report: HydrateReport, console: Any) -> None:
    """Two tables per culture (items; spans by alignment method), then one line each
    for the reference, the dumps, the responses, reconciliation and the files."""
    data = report.to_dict()
    _print_table(console, f"hydrate {report.run_id} ({report.status}): items", data["items"], ITEMS)
    _print_table(console, "spans by alignment method", data["spans"], SPANS)
    ref, dumps, responses = data["reference"], data["dumps"], data["responses"]
    lines = [
        f"reference: {ref.get('rows', 0)} row(s): {ref.get('wanted', 0)} wanted, "
        f"{ref.get('quarantined', 0)} quarantined ({ref.get('duplicate', 0)} repeating a post)",
        f"dumps: {dumps.get('lines', 0)} line(s) read, {dumps.get('relevant', 0)} about a wanted "
        f"post, {dumps.get('quarantined', 0)} quarantined",
        "responses: "
        + ", ".join(f"{k.replace('_', ' ')} {responses['total'][k]}" for k in RESPONSES),
        "stored: " + ", ".join(f"{k} {data['stored']['total'][k]}" for k in STORED),
        "reconciles (wanted = hydrated + deleted + missing; every span counted once): "
        + ("yes" if data["reconciles"] else "NO"),
    ]
    fuzzy = data["fuzzy_scores"]
    if fuzzy["n"]:
        lines.append(
            f"fuzzy: {fuzzy['n']} span(s), similarity min {fuzzy['min']:.2f}, "
            f"median {fuzzy['median']:.2f} (threshold {report.threshold:.2f})"
        )
    notes = data["notes"]["total"]
    if notes["in_title"] or notes["deid_unmoved"]:
        lines.append(
            f"notes: {notes['in_title']} phrase(s) found only in the title; "
            f"{notes['deid_unmoved']} span(s) cut through an identifier and lost their "
            "offsets at de-identification"
        )
    if report.deid is not None:
        lines.append(
            f"de-identified {report.deid['records']} record(s) (policy {report.deid['policy']})"
        )
    if report.quarantine_path:
        lines.append(f"quarantine: {report.quarantine_path}")
    lines.append(f"report: {report.report_path}")
    lines.append(f"items: {report.items_path}")
    for line in lines:
        console.print(line, soft_wrap=True, markup=False, highlight=False)
