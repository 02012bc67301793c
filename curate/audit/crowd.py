"""CROWDLAB on the annotations pulled from Label Studio: consensus labels, how sure each
consensus is, and how reliable each annotator is.

Items. Empathy: the record, one vote per annotator with a score. Span families: a *span
region* of a record, one vote per annotator with the family's attribute. Annotators
rarely select the very same characters (a space, a full stop), so regions are formed by
overlap, not by equal offsets: the annotators' spans of one record, field and family are
grouped into connected runs of overlapping spans, and each run with spans of two or more
annotators is an item. An annotator with several spans in one run votes with the longest.
(Exact-offset items would miss most real agreements; a long span overlapping two short
ones of another annotator chains them into one item, which is rare and shows in the
report as a single item.)

pred_probs. CROWDLAB also weighs a text model: an item's row is the mean of the
out-of-fold probabilities of its votes' examples, from folds grouped by record, so no
label of the item was seen by the model that scores it.

Flags ("consensus"): items where the annotators disagree, or where the consensus itself
is doubtful (consensus quality < CONSENSUS_MIN), worst first. The flag names the
dissenting annotator whose label CROWDLAB rates lowest, with their label as `given` and
the consensus as `suggested`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from curate.audit.labelnoise import Example
from curate.audit.store import AuditFlag
from curate.records import Record
from curate.store import Store

CONSENSUS_MIN = 0.5


@dataclass
class Item:
    """One thing several annotators labelled."""

    record_id: str
    culture: str | None
    key: tuple  # ("record",) or (field, start, end) of the region
    votes: dict[str, str] = field(default_factory=dict)  # annotator -> label
    regions: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)  # annotator -> de-identified text


def overlap_runs(spans: list[dict]) -> list[list[dict]]:
    """Connected runs of overlapping spans (one field), in text order."""
    runs: list[list[dict]] = []
    end = -1
    for s in sorted(spans, key=lambda s: (s["start"], -s["end"])):
        if runs and s["start"] < end:
            runs[-1].append(s)
            end = max(end, s["end"])
        else:
            runs.append([s])
            end = s["end"]
    return runs


def span_items(store: Store, records: Sequence[Record], family: str, attribute: str) -> list[Item]:
    """Span regions of `family` that 2+ annotators labelled (see the module docstring)."""
    from curate.annotate.tables import latest_annotations

    items: list[Item] = []
    for record in records:
        anns = latest_annotations(store, record.id)
        if len(anns) < 2:
            continue
        by_field: dict[str, list[dict]] = {}
        for annotator, ann in anns.items():
            for s in ann["spans"]:
                value = (s.get("attributes") or {}).get(attribute)
                if s["label"] != family or value is None or s["start"] is None:
                    continue
                by_field.setdefault(s["field"], []).append({**s, "annotator": annotator})
        for fld, spans in sorted(by_field.items()):
            for run in overlap_runs(spans):
                item = Item(
                    record.id,
                    record.culture,
                    (fld, min(s["start"] for s in run), max(s["end"] for s in run)),
                )
                for s in sorted(run, key=lambda s: s["end"] - s["start"], reverse=True):
                    if s["annotator"] in item.votes:
                        continue  # the annotator's longest span in the run votes
                    item.votes[s["annotator"]] = s["attributes"][attribute]
                    item.regions[s["annotator"]] = (fld, s["start"], s["end"])
                    item.texts[s["annotator"]] = s["text"]
                if len(item.votes) >= 2:
                    items.append(item)
    return items


def empathy_items(examples: Sequence[Example]) -> list[Item]:
    """Records with empathy scores from 2+ annotators (from the empathy examples)."""
    by_record: dict[str, Item] = {}
    for e in examples:
        if e.annotator is None:
            continue
        item = by_record.setdefault(e.record_id, Item(e.record_id, e.culture, ("record",)))
        item.votes[e.annotator] = e.label
        item.texts[e.annotator] = e.text
    return [item for item in by_record.values() if len(item.votes) >= 2]


def item_probs(
    items: Sequence[Item], examples: Sequence[Example], pred_probs: np.ndarray
) -> np.ndarray:
    """Each item's row: the mean out-of-fold row of its votes' examples (uniform when
    none is found, e.g. a record re-de-identified since the pull moved its spans)."""
    rows: dict[tuple, list[int]] = {}
    for i, e in enumerate(examples):
        where = e.region if e.region is not None else ("record",)
        rows.setdefault((e.record_id, e.annotator, *where), []).append(i)
    k = pred_probs.shape[1]
    out = np.full((len(items), k), 1.0 / k)
    for n, item in enumerate(items):
        found = [
            i
            for annotator in item.votes
            for i in rows.get(
                (item.record_id, annotator, *item.regions.get(annotator, ("record",))), []
            )
        ]
        if found:
            out[n] = pred_probs[found].mean(axis=0)
    # CROWDLAB takes logs and ratios of these: no exact zeros.
    out = np.clip(out, 1e-6, None)
    return out / out.sum(axis=1, keepdims=True)


@dataclass
class CrowdOutcome:
    flags: list[AuditFlag]
    summary: dict[str, Any]


def crowd_flags(
    family: str,
    items: Sequence[Item],
    probs: np.ndarray,
    classes: Sequence[str],
    examples: Sequence[Example] = (),
) -> CrowdOutcome:
    """Run CROWDLAB on `items` and turn its output into flags and a summary.

    Needs 2+ annotators overall; otherwise the summary says why nothing ran.
    """
    from curate.audit.labelnoise import crowdlab

    annotators = {a for item in items for a in item.votes}
    if not items or len(annotators) < 2:
        return CrowdOutcome([], {"items": len(items), "skipped": "needs items with 2+ annotators"})
    keyed = {n: dict(item.votes) for n, item in enumerate(items)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. "Annotators do not agree on any example"
        result = crowdlab(keyed, probs, classes)
    detailed = result.detailed_quality
    span_of = {(e.record_id, e.annotator, *(e.region or ("record",))): e.span for e in examples}
    flags: list[AuditFlag] = []
    for n, item in enumerate(items):
        consensus = result.consensus[n]
        quality = result.consensus_quality[n]
        dissent = [a for a, lab in item.votes.items() if lab != consensus]
        if not dissent and quality >= CONSENSUS_MIN:
            continue
        pool = dissent or list(item.votes)
        who = min(pool, key=lambda a: (detailed.get((n, a), 1.0), a))
        region = item.regions.get(who)
        detail: dict[str, Any] = {
            "votes": dict(sorted(item.votes.items())),
            "agreement": round(float(result.label_quality["annotator_agreement"].iloc[n]), 4),
        }
        if region is not None:
            detail.update(field=region[0], start=region[1], end=region[2])
        flags.append(
            AuditFlag(
                family=family,
                kind="consensus",
                record_id=item.record_id,
                culture=item.culture,
                score=quality,
                span_index=span_of.get((item.record_id, who, *(region or ("record",)))),
                annotator=who,
                given=item.votes[who],
                suggested=consensus,
                detail=detail,
                text=item.texts.get(who, ""),
            )
        )
    stats = result.annotator_stats
    summary = {
        "items": len(items),
        "flags": len(flags),
        "mean_consensus_quality": round(float(np.mean(list(result.consensus_quality.values()))), 4),
        "annotators": {
            str(a): {
                "quality": round(float(row["annotator_quality"]), 4),
                "agreement_with_consensus": round(float(row["agreement_with_consensus"]), 4),
                "labelled": int(row["num_examples_labeled"]),
                "worst_class": classes[int(row["worst_class"])],
            }
            for a, row in stats.sort_values("annotator_quality", ascending=False).iterrows()
        },
    }
    return CrowdOutcome(flags, summary)
