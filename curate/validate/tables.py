"""The tables Great Expectations validates: the workspace flattened to one row per
record, per span, per assigned split, and per culture and split (`split_stats`).

Why flat pandas tables: GX expectations are per column; every rule in `validations/`
names a column here. Columns are object dtype so nulls stay None and ints stay ints.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from curate.records import Record
from curate.release.splits import assigned_splits
from curate.schema import Taxonomy

RECORD_COLUMNS = [
    "record_id",
    "culture",
    "language",
    "has_text",
    "title_len",
    "text_len",
    "response_len",
    "empathy",
    "empathy_missing",
    "raw_number_types",
    "residual_pii",
    "deid_unreviewed",
]
SPLIT_COLUMNS = ["record_id", "culture", "split", "group_key", "group_splits"]
SPLIT_STAT_COLUMNS = [
    "record_id",
    "culture",
    "split",
    "count",
    "share",
    "target",
    "deviation",
    "tolerance",
]
SPAN_COLUMNS = [
    "record_id",
    "field",
    "label",
    "attribute",
    "start",
    "end",
    "text",
    "in_text",
    "text_matches",
    "length",
    "dup_key",
]


def _len(text: str | None) -> int | None:
    return None if text is None else len(text)


def demographic_column(name: str) -> str:
    """Demographic columns are prefixed so a field can never shadow a record column."""
    return f"demo_{name}"


def _demographics_ok(record: Record, taxonomy: Taxonomy) -> bool:
    """Normalized demographics must be None or of the kind's type (int for integers)."""
    for name in taxonomy.demographic_fields:
        value = record.demographics.get(name)
        if value is None:
            continue
        kind = taxonomy.demographic_kinds[name]
        if kind == "integer":
            if isinstance(value, bool) or not isinstance(value, int):
                return False
        elif not isinstance(value, str):
            return False
    return True


def _span_row(record: Record, span: Any, taxonomy: Taxonomy) -> dict[str, Any]:
    texts = {"post": record.post_text, "response": record.response_text}
    family = taxonomy.families.get(span.label)
    # an unknown label is one defect (its label), not two: its attribute is taken as is
    attribute = (
        span.attributes.get(family.attribute)
        if family
        else next(iter(span.attributes.values()), None)
    )
    start, end = span.start, span.end
    in_text: bool | None = None
    matches: bool | None = None
    length: int | None = None
    if start is not None and end is not None:
        length = end - start
        field_text = texts.get(span.field)
        # Zero-length spans are "in the text" here on purpose: the length rule reports
        # them, so one defect fails exactly one expectation.
        in_text = field_text is not None and 0 <= start <= end <= len(field_text)
        if in_text:
            matches = field_text[start:end] == span.text
    return {
        "record_id": record.id,
        "field": span.field,
        "label": span.label,
        "attribute": attribute,
        "start": start,
        "end": end,
        "text": span.text,
        "in_text": in_text,
        "text_matches": matches,
        "length": length,
        # unaligned phrases (null offsets) are told apart by their text
        "dup_key": "|".join(
            str(v)
            for v in (
                record.id,
                span.field,
                start,
                end,
                span.label,
                span.annotator,
                span.text if start is None else "",
            )
        ),
    }


def tables(
    store: Any,
    taxonomy: Taxonomy,
    release: bool = False,
    pii: dict[str, int] | None = None,
    split_policy: dict[str, Any] | None = None,
    unreviewed: dict[str, int] | None = None,
) -> dict[str, pd.DataFrame]:
    """Flatten the workspace into the tables GX validates: records, spans, splits and
    split_stats (one row per culture and split).

    `release`: only what may leave the workspace (de-identified, not duplicates).
    `pii`: residual direct identifiers per record id (from the scan); None = not scanned,
    which leaves the column null. `unreviewed`: uncertain de-identification decisions no
    curator has reviewed, per record id; None = not checked (null). Columns are object
    dtype so nulls stay None (GX map expectations skip nulls, which is what "value or
    null" rules mean) and ints stay ints.
    """
    demographic_cols = [demographic_column(n) for n in taxonomy.demographic_fields]
    rows: list[dict[str, Any]] = []
    span_rows: list[dict[str, Any]] = []
    for record in store.iter_records(deidentified=release):
        row: dict[str, Any] = {
            "record_id": record.id,
            "culture": record.culture,
            "language": record.language,
            "has_text": record.post_text is not None,
            "title_len": _len(record.post_title),
            "text_len": _len(record.post_text),
            "response_len": _len(record.response_text),
            "empathy": record.empathy,
            # a response with strategy spans but no empathy score (a response without
            # any annotation legitimately has none)
            "empathy_missing": record.empathy is None
            and any(s.field == "response" for s in record.spans),
            # integer demographics given as numbers in some records and strings in
            # others (mixed types in the source): the number-typed ones
            "raw_number_types": sorted(
                k
                for k, v in record.demographics_raw.items()
                if isinstance(v, int | float) and not isinstance(v, bool)
            )
            or None,
            "residual_pii": None if pii is None else pii.get(record.id, 0),
            "deid_unreviewed": None if unreviewed is None else unreviewed.get(record.id, 0),
            "demographics_ok": _demographics_ok(record, taxonomy),
        }
        for name, col in zip(taxonomy.demographic_fields, demographic_cols, strict=True):
            row[col] = record.demographics.get(name)
        rows.append(row)
        span_rows.extend(_span_row(record, s, taxonomy) for s in record.spans)
    records_df = pd.DataFrame(rows, columns=[*RECORD_COLUMNS, *demographic_cols, "demographics_ok"])
    spans_df = pd.DataFrame(span_rows, columns=SPAN_COLUMNS)
    cultures = dict(zip(records_df["record_id"], records_df["culture"], strict=True))
    splits_df, stats_df = _split_tables(store, cultures, split_policy or {})
    return {
        "records": records_df.astype(object),
        "spans": spans_df.astype(object),
        "splits": splits_df.astype(object),
        "split_stats": stats_df.astype(object),
    }


def _split_tables(
    store: Any, cultures: dict[str, str | None], policy: dict[str, Any]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows of the stored split assignment for the validated records, and per culture and
    split its share against the configured target with a tolerance that widens for small
    cultures (3 binomial standard deviations, at least `min_tolerance`).

    Nothing is assigned before the first export, so both tables are then empty."""
    assigned = [
        (rid, split, group) for rid, split, group in assigned_splits(store) if rid in cultures
    ]
    splits_of_group: dict[str, set[str]] = {}
    for _, split, group in assigned:
        splits_of_group.setdefault(group, set()).add(split)
    rows = [
        {
            "record_id": rid,
            "culture": cultures[rid],
            "split": split,
            "group_key": group,
            "group_splits": len(splits_of_group[group]),
        }
        for rid, split, group in assigned
    ]
    targets: dict[str, float] = dict(policy.get("splits") or {})
    min_tol = float(policy.get("min_tolerance", 0.05))
    stats = []
    per_culture: dict[str, dict[str, int]] = {}
    for row in rows:
        counts = per_culture.setdefault(row["culture"] or "(none)", {})
        counts[row["split"]] = counts.get(row["split"], 0) + 1
    for culture, counts in sorted(per_culture.items()):
        n = sum(counts.values())
        for split in sorted(set(targets) | set(counts)):
            target = targets.get(split)
            share = counts.get(split, 0) / n
            tolerance = None
            deviation = None
            if target is not None:
                deviation = round(abs(share - target), 6)
                tolerance = round(max(min_tol, 3 * (target * (1 - target) / n) ** 0.5), 6)
            stats.append(
                {
                    "record_id": f"{culture}/{split}",
                    "culture": culture,
                    "split": split,
                    "count": counts.get(split, 0),
                    "share": round(share, 6),
                    "target": target,
                    "deviation": deviation,
                    "tolerance": tolerance,
                }
            )
    return (
        pd.DataFrame(rows, columns=SPLIT_COLUMNS),
        pd.DataFrame(stats, columns=SPLIT_STAT_COLUMNS),
    )
