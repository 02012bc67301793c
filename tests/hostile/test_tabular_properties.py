"""Property: whatever JSON value any field of a row holds, in any row format, the run ends
normally, every row is accounted for (kept or quarantined), the good rows around it are
kept, and a value never shows in a reason, a defect or the run's report (issue 12).

In-process (`curate.ingest.ingest` on a fresh workspace per example) to stay fast; the
named hostile cases go through the command line in the test_hostile_* files."""

from __future__ import annotations

import csv
import io
import json
import math
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from helpers import release_record
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from curate.config import load_config
from curate.ingest import ingest
from curate.release.row import build_features, encode
from curate.schema import Taxonomy
from curate.sources.tabular import FIELDS
from curate.store import Store

# A value a test can look for: it must never leave the row it came in.
MARKER = "zq.marker@example.org"

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()  # NaN and infinities included
    | st.text(max_size=30)
    # values known to have broken a run, drawn more often than chance would
    | st.sampled_from([MARKER, math.nan, math.inf, -math.inf, 1e20, 10**30, "", "None", "1e400"])
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

GOOD = [
    {
        "id": "good-1",
        "culture": "German",
        "text": "Seit dem Umzug fühle ich mich sehr einsam und traurig.",
    },
    {
        "id": "good-2",
        "culture": "German",
        "text": "I have been feeling lonely since I moved to a new city.",
    },
]


@cache
def _features(taxonomy: Taxonomy):
    return build_features(taxonomy)


def _ingest(write: Callable[[Path], Path], *, fmt: str) -> None:
    """Ingest the file `write` makes (a good row, the odd one, a good row) in a fresh
    workspace, and check the three properties."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        config = load_config(None, root / "ws")
        with Store.open(config.workspace) as store:
            report = ingest([write(root)], config, store, fmt=fmt)
            records = list(store.iter_records())
        ids = {r.source.source_id for r in records}
        defects = [d for r in records for d in r.defects]
        # what ingest keeps fits the release's typed columns (an age of 1e20 did not)
        taxonomy = config.taxonomy()
        for record in records:
            _features(taxonomy).encode_example(encode(record, taxonomy, "reference", b"s"))
        data = report.to_dict()
        assert data["status"] == "completed" and data["reconciles"] is True
        assert data["total"]["read"] == 3
        assert (
            data["total"]["kept"] + data["total"]["duplicate"] + data["total"]["quarantined"] == 3
        )
        assert MARKER not in json.dumps([data, defects], ensure_ascii=False)
        if report.quarantine_path:
            reasons = [json.loads(x)["reason"] for x in Path(report.quarantine_path).open()]
            assert not any(MARKER in r for r in reasons)
        assert {"good-1", "good-2"} <= ids


@SETTINGS
@given(row=st.fixed_dictionaries({}, optional=dict.fromkeys(FIELDS, JSON)))
def test_jsonl_rows(row: dict[str, Any]) -> None:
    def write(root: Path) -> Path:
        path = root / "rows.jsonl"
        path.write_text("\n".join(json.dumps(r) for r in (GOOD[0], row, GOOD[1])) + "\n")
        return path

    _ingest(write, fmt="jsonl")


CELL = st.text(max_size=40) | st.just(MARKER) | JSON.map(json.dumps)


@SETTINGS
@example(cells=["c1", "x" * 200_000, "German"])  # over the csv module's 128 KiB field limit
@given(cells=st.lists(CELL, min_size=1, max_size=len(FIELDS) + 2))  # [] is a blank line
def test_csv_rows(cells: list[str]) -> None:
    """Any cell text (quotes, commas, newlines, NUL), too few or too many cells."""

    def write(root: Path) -> Path:
        buf = io.StringIO()
        out = csv.writer(buf)  # CRLF rows: a CR or LF in a cell is quoted
        out.writerow(FIELDS)
        for good in (GOOD[0], None, GOOD[1]):
            out.writerow([good.get(f, "") for f in FIELDS] if good else cells)
        path = root / "rows.csv"
        path.write_text(buf.getvalue(), encoding="utf-8", newline="")
        return path

    _ingest(write, fmt="csv")


def _arrow_types():
    import pyarrow as pa

    return [
        pa.string(),
        pa.large_string(),
        pa.binary(),
        pa.int64(),
        pa.float64(),
        pa.bool_(),
        pa.list_(pa.string()),
        pa.struct([("a", pa.string()), ("b", pa.int64())]),
    ]


# A value of each Parquet column type (index as in _arrow_types), or null.
ARROW_VALUES = [
    st.text(max_size=30) | st.just(MARKER),
    st.text(max_size=30),
    st.binary(max_size=30) | st.just(MARKER.encode()),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(),
    st.booleans(),
    st.lists(st.text(max_size=8) | st.just(MARKER), max_size=3),
    st.fixed_dictionaries({"a": st.text(max_size=8) | st.just(MARKER), "b": st.integers(0, 9)}),
]


@st.composite
def parquet_columns(draw) -> dict[str, tuple[int, Any]]:
    """Per field: (type index, the odd row's value). The good rows need id, text and culture
    as text, so those columns are text or bytes; the others may be of any type."""
    out = {}
    for name in FIELDS:
        kinds = [0, 1, 2] if name in ("id", "text", "culture") else range(len(ARROW_VALUES))
        kind = draw(st.sampled_from(list(kinds)))
        out[name] = (kind, draw(st.none() | ARROW_VALUES[kind]))
    return out


@SETTINGS
@given(columns=parquet_columns())
def test_parquet_rows(columns: dict[str, tuple[int, Any]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = _arrow_types()

    def good(name: str, kind: int, row: dict) -> Any:
        value = row.get(name)
        return value.encode() if value is not None and kind == 2 else value

    def write(root: Path) -> Path:
        table = pa.table(
            {
                name: pa.array(
                    [good(name, kind, GOOD[0]), value, good(name, kind, GOOD[1])], types[kind]
                )
                for name, (kind, value) in columns.items()
            }
        )
        path = root / "rows.parquet"
        pq.write_table(table, path)
        return path

    _ingest(write, fmt="parquet")


# Every key of a release line, nested ones included ("0" is the first list item).
RELEASE_PATHS = [
    "culture",
    "post_id",
    "post",
    "post.text",
    "post.emotional_distress",
    "post.emotional_distress.0",
    "post.emotional_distress.0.phrase",
    "post.emotional_distress.0.intensity",
    "post.cultural_signals",
    "post.cultural_signals.0",
    "post.cultural_signals.0.phrase",
    "post.cultural_signals.0.type",
    "post.demographic_info",
    *(f"post.demographic_info.{k}" for k in release_record("x")["post"]["demographic_info"]),
    "post.demographic_info.not_a_field",
    "response",
    "response.emotional_support",
    "response.emotional_support.0",
    "response.emotional_support.0.phrase",
    "response.emotional_support.0.strategy",
    "response.cultural_signals",
    "response.empathy_score",
]


def _set(record: dict, path: str, value: Any) -> None:
    """Set a dotted path, if its parents are still containers (an earlier, shorter
    override may have replaced them)."""
    target: Any = record
    *parents, last = path.split(".")
    for key in parents:
        if isinstance(target, list) and key.isdigit() and int(key) < len(target):
            target = target[int(key)]
        elif isinstance(target, dict) and key in target:
            target = target[key]
        else:
            return
    if isinstance(target, list) and last.isdigit() and int(last) < len(target):
        target[int(last)] = value
    elif isinstance(target, dict):
        target[last] = value


@pytest.mark.parametrize("key", RELEASE_PATHS)
@settings(SETTINGS, max_examples=4)
@given(value=JSON)
@example(value=math.nan)
@example(value=1e20)
@example(value=[MARKER])
@example(value={"phrase": MARKER})
def test_culturecare_each_key(key: str, value: Any) -> None:
    """Every key of a release line, one at a time."""
    test_culturecare_lines.hypothesis.inner_test({key: value})


@SETTINGS
@given(overrides=st.dictionaries(st.sampled_from(RELEASE_PATHS), JSON, min_size=1, max_size=4))
def test_culturecare_lines(overrides: dict[str, Any]) -> None:
    """Several keys at once (a replaced object with replaced keys inside it)."""
    odd = release_record("odd")
    for path in sorted(overrides, key=lambda p: -p.count(".")):  # deepest first
        _set(odd, path, overrides[path])

    def write(root: Path) -> Path:
        path = root / "German_data.jsonl"
        lines = [release_record("good-1"), odd, release_record("good-2")]
        path.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
        return path

    _ingest(write, fmt="culturecare")
