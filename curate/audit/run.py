"""`curate audit`: which labels look wrong, per label family, written to the workspace.

For every span family (its attribute: intensity, cultural-signal type, strategy) and for
the empathy score, the workspace's labelled examples get out-of-fold probabilities from
a character + word n-gram model and go through cleanlab (`labelnoise`). The ranked flags
are written as CSV in `<workspace>/reports/audit/`, with a JSON summary that counts
flags per culture. Texts in the reports are the de-identified ones.
"""

from __future__ import annotations

import csv
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from curate.schema import Taxonomy
from curate.store import Store

MIN_EXAMPLES = 10


@dataclass
class AuditReport:
    families: dict[str, dict[str, Any]] = field(default_factory=dict)
    out_dir: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"out_dir": self.out_dir, "families": self.families}


def audit_workspace(
    store: Store,
    taxonomy: Taxonomy,
    families: list[str] | None = None,
    folds: int = 5,
    seed: int = 0,
) -> AuditReport:
    from curate.audit.labelnoise import empathy_examples, find_issues, span_examples

    out_dir = store.root / "reports" / "audit"
    out_dir.mkdir(parents=True, exist_ok=True)
    report = AuditReport(out_dir=str(out_dir))
    names = families or [*taxonomy.families, "empathy"]
    for name in names:
        start = time.perf_counter()
        if name == "empathy":
            examples = empathy_examples(store)
            classes = [str(v) for v in taxonomy.empathy]
        else:
            examples = span_examples(store, taxonomy, name)
            classes = list(taxonomy.family(name).values)
        present = {e.label for e in examples}
        if len(examples) < MIN_EXAMPLES or len(present) < 2:
            report.families[name] = {
                "examples": len(examples),
                "skipped": f"needs {MIN_EXAMPLES}+ examples of 2+ labels",
            }
            continue
        flags = find_issues(examples, classes, folds=folds, seed=seed)
        path = out_dir / f"{name}.csv"
        _write_csv(path, examples, flags)
        per_culture = Counter(examples[f.index].culture or "(none)" for f in flags)
        report.families[name] = {
            "examples": len(examples),
            "labels": dict(Counter(e.label for e in examples).most_common()),
            "flags": len(flags),
            "flags_per_culture": dict(per_culture.most_common()),
            "csv": str(path),
            "seconds": round(time.perf_counter() - start, 2),
        }
    (out_dir / "summary.json").write_text(json.dumps(report.to_dict(), indent=2))
    return report


def _write_csv(path: Path, examples, flags) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            [
                "rank",
                "record_id",
                "culture",
                "annotator",
                "given",
                "suggested",
                "label_quality",
                "text",
            ]
        )
        for rank, flag in enumerate(flags, start=1):
            ex = examples[flag.index]
            writer.writerow(
                [
                    rank,
                    flag.record_id,
                    ex.culture or "",
                    flag.annotator or "",
                    flag.given,
                    flag.suggested,
                    round(flag.quality, 4),
                    flag.text,
                ]
            )
