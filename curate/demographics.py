"""Demographics normalization, driven by schemas/normalization.yaml (tables, not code).

The raw value is always kept beside the normalized one; every value that could not be
normalized is returned as a defect so the curator sees it.
"""

from __future__ import annotations

import math
import re
from functools import cache
from typing import Any

import numpy as np

from curate.schema import Taxonomy, load_normalization

_INT = re.compile(r"^\s*[+]?(\d{1,3})(?:\.0+)?\s*$")

# The release column type of integer demographics (`curate.release.row`). Ingest
# keeps only numbers that fit it, so a value that passes ingest cannot break an export.
RELEASE_INTEGER_TYPE = "int32"
INTEGER_RANGE = (int(np.iinfo(RELEASE_INTEGER_TYPE).min), int(np.iinfo(RELEASE_INTEGER_TYPE).max))


@cache
def _tables() -> tuple[frozenset[str], dict[str, dict[str, str]]]:
    table = load_normalization()
    nulls = frozenset(str(v).casefold() for v in table["null_values"])
    lookups = {
        field: {str(raw).casefold(): canon for canon, raws in mapping.items() for raw in raws}
        for field, mapping in table["categories"].items()
    }
    return nulls, lookups


def is_missing_label(value: Any) -> bool:
    """True for null and the placeholder strings that stand for a missing label."""
    if value is None:
        return True
    placeholders = load_normalization()["missing_label_values"]
    return isinstance(value, str) and value.strip() in placeholders


def is_table_value(name: str, value: str, taxonomy: Taxonomy) -> bool:
    """Whether normalization recognizes this value of field `name` (a placeholder for
    unknown, a number of an integer field, a raw or canonical value of the table of a
    category field): a closed label. Anything else was kept as it was given, and is
    free text that must be de-identified."""
    nulls, lookups = _tables()
    text = " ".join(value.split())
    if text.casefold() in nulls:
        return True
    kind = taxonomy.demographic_kinds.get(name)
    if kind == "integer":
        return _INT.match(value) is not None
    if kind == "category":
        table = lookups.get(name, {})
        return text.casefold() in table or text in table.values()
    return False


def normalize_demographics(
    raw: dict[str, Any], taxonomy: Taxonomy
) -> tuple[dict[str, Any], list[tuple[str, str, Any]]]:
    """Return (normalized values, defects as (field, problem[, value])) for the taxonomy's
    fields. A problem never quotes the value: the value is the third item (absent when
    there is none to report), for `Record.add_defect` to describe without showing."""
    nulls, lookups = _tables()
    out: dict[str, Any] = {}
    defects: list[tuple[Any, ...]] = []
    for name in taxonomy.demographic_fields:
        value = raw.get(name)
        kind = taxonomy.demographic_kinds[name]
        where = f"demographics.{name}"
        if name not in raw:
            defects.append((where, "missing field"))
        if value is None or (isinstance(value, str) and value.strip().casefold() in nulls):
            out[name] = None
            continue
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            out[name] = None
            defects.append((where, f"unexpected type {type(value).__name__}", value))
            continue
        if kind == "integer":
            out[name], problem = _integer(value)
            if problem:
                defects.append((where, problem, value))
            continue
        text = " ".join(str(value).split())
        if kind == "category":
            canon = lookups.get(name, {}).get(text.casefold())
            if canon is None:
                defects.append((where, "value not in the normalization table; kept as is", value))
            out[name] = canon if canon is not None else text
        else:
            out[name] = text
    extra = sorted(set(raw) - set(taxonomy.demographic_fields))
    defects.extend((f"demographics.{k}", "field not in the taxonomy; dropped") for k in extra)
    return out, defects


def _integer(value: str | int | float) -> tuple[int | None, str | None]:
    """An integer field's value and the problem with it, if any. Numbers must be finite
    and fit the release column (`INTEGER_RANGE`): NaN, Infinity or 1e20 would pass
    ingest and break the export, so they become null here, with a defect."""
    if isinstance(value, str):
        match = _INT.match(value)
        if not match:
            return None, "not a number; kept raw only"
        return int(match.group(1)), None
    if not math.isfinite(value):
        return None, "not a finite number; kept raw only"
    low, high = INTEGER_RANGE
    if not low <= value <= high:
        return None, f"number out of range ({low} to {high}); kept raw only"
    return int(value), "number instead of string: mixed types"
