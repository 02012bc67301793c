"""`curate annotate agreement`: inter-annotator agreement where items have more than
one annotator, per culture and label family.

- Span F1, exact (same field, start, end) and overlap (same field, overlapping; matched
  one to one, greedily by overlap), averaged over annotator pairs, micro over items.
- Krippendorff's alpha (`krippendorff` package) for the span attribute (intensity:
  ordinal; cultural-signal type and strategy: nominal) over overlap-matched spans, and
  for the empathy score (ordinal) over items.
Each figure comes with the counts it rests on (items, pairs, matched spans).
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations
from typing import Any

from curate.annotate.tables import adjudicated_records, latest_annotations
from curate.schema import Taxonomy
from curate.store import Store

ORDINAL = {"intensity"}


def _overlap_matches(a: list[dict], b: list[dict]) -> list[tuple[dict, dict]]:
    pairs = sorted(
        (
            (min(x["end"], y["end"]) - max(x["start"], y["start"]), i, j)
            for i, x in enumerate(a)
            for j, y in enumerate(b)
            if x["field"] == y["field"] and x["start"] < y["end"] and y["start"] < x["end"]
        ),
        reverse=True,
    )
    used_a, used_b, out = set(), set(), []
    for _, i, j in pairs:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            out.append((a[i], b[j]))
    return out


def _alpha(units: list[dict[str, int]], annotators: list[str], level: str) -> float | None:
    import krippendorff
    import numpy as np

    if len(units) < 2:
        return None
    data = np.full((len(annotators), len(units)), np.nan)
    row = {a: i for i, a in enumerate(annotators)}
    for j, unit in enumerate(units):
        for who, value in unit.items():
            data[row[who], j] = value
    values = data[~np.isnan(data)]
    if len(set(values.tolist())) < 2:
        return None  # a single value everywhere: alpha is undefined
    return round(float(krippendorff.alpha(reliability_data=data, level_of_measurement=level)), 4)


def agreement(store: Store, taxonomy: Taxonomy) -> dict[str, Any]:
    """Agreement per culture (and "all"). Reviewers' adjudications are not an annotator's
    labels: they are left out of every figure (they would agree with whoever they
    sided with) and counted beside them (`adjudicated`: records with a decision)."""
    by_culture: dict[str, list[tuple[str, dict[str, dict]]]] = defaultdict(list)
    decided = adjudicated_records(store)
    adjudicated: dict[str, int] = defaultdict(int)
    for record in store.iter_records():
        if record.id in decided:
            adjudicated[record.culture or "(none)"] += 1
            adjudicated["all"] += 1
        anns = latest_annotations(store, record.id)
        if len(anns) >= 2:
            by_culture[record.culture or "(none)"].append((record.id, anns))
    out: dict[str, Any] = {}
    groups = dict(by_culture)
    groups["all"] = [item for items in by_culture.values() for item in items]
    for culture, items in sorted(groups.items()):
        annotators = sorted({a for _, anns in items for a in anns})
        result: dict[str, Any] = {
            "items": len(items),
            "annotators": len(annotators),
            "adjudicated": adjudicated.get(culture, 0),
        }
        for family in taxonomy.families.values():
            exact_m = exact_n = overlap_m = overlap_n = pairs = 0
            units: list[dict[str, int]] = []
            for _, anns in items:
                for a, b in combinations(sorted(anns), 2):
                    sa = [s for s in anns[a]["spans"] if s["label"] == family.name]
                    sb = [s for s in anns[b]["spans"] if s["label"] == family.name]
                    pairs += 1
                    keys_a = {(s["field"], s["start"], s["end"]) for s in sa}
                    keys_b = {(s["field"], s["start"], s["end"]) for s in sb}
                    exact_m += 2 * len(keys_a & keys_b)
                    exact_n += len(keys_a) + len(keys_b)
                    matches = _overlap_matches(sa, sb)
                    overlap_m += 2 * len(matches)
                    overlap_n += len(sa) + len(sb)
                    for x, y in matches:
                        vx = x["attributes"].get(family.attribute)
                        vy = y["attributes"].get(family.attribute)
                        if vx in family.values and vy in family.values:
                            units.append({a: family.values.index(vx), b: family.values.index(vy)})
            level = "ordinal" if family.attribute in ORDINAL else "nominal"
            result[family.name] = {
                "pairs": pairs,
                "spans": overlap_n,
                "f1_exact": round(exact_m / exact_n, 4) if exact_n else None,
                "f1_overlap": round(overlap_m / overlap_n, 4) if overlap_n else None,
                f"alpha_{family.attribute}": _alpha(units, annotators, level),
                "matched_spans": len(units),
            }
        empathy_units = [
            {a: ann["empathy"] for a, ann in anns.items() if ann.get("empathy") is not None}
            for _, anns in items
        ]
        empathy_units = [u for u in empathy_units if len(u) >= 2]
        result["empathy"] = {
            "items": len(empathy_units),
            "alpha_empathy": _alpha(empathy_units, annotators, "ordinal"),
        }
        out[culture] = result
    return out
