"""Benchmark: `curate validate` on 100k records (target: <= 30 s, library import excluded).

Usage:  .venv/bin/python bench/validate_100k.py [--records 100000]

Fills a fresh workspace with N synthetic de-identified records (3 spans each), then
times `curate.validate.runner.validate` (table building + every suite, without Data Docs),
after Great Expectations has been imported. The baseline printed beside it is the time
to read the same records from the store (`Store.iter_records`), the floor any
validation has to pay.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from _synthetic import fill_deidentified  # noqa: E402

from curate.records import Span  # noqa: E402
from curate.schema import load_taxonomy  # noqa: E402
from curate.store import Store  # noqa: E402

POST = "I feel so lonely since moving to Berlin and my family is far away."
RESPONSE = "That sounds hard. Do you have friends there?"


def _span(field: str, label: str, text: str, attributes: dict) -> Span:
    start = (POST if field == "post" else RESPONSE).index(text)
    return Span(field, label, text, start, start + len(text), attributes)


def fill(store: Store, n: int) -> None:
    def make(i: int) -> tuple[str, str, dict]:
        spans = [
            _span("post", "emotional_distress", "so lonely", {"intensity": "high"}),
            _span("post", "cultural_signal", "Berlin", {"type": "Concepts"}),
            _span(
                "response",
                "emotional_support",
                "Do you have friends there?",
                {"strategy": "Questions"},
            ),
        ]
        return POST, RESPONSE, {"empathy": 1 + i % 5, "spans": spans}

    fill_deidentified(store, n, make)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    args = parser.parse_args()
    from curate.validate.runner import _import_gx, validate

    _import_gx()  # import cost excluded, as the target says
    taxonomy = load_taxonomy()
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "ws") as store:
        fill(store, args.records)
        t = time.perf_counter()
        n = sum(1 for _ in store.iter_records())
        read_s = time.perf_counter() - t
        t = time.perf_counter()
        report = validate(store, taxonomy)
        validate_s = time.perf_counter() - t
    row = {
        "records": n,
        "read_s": round(read_s, 1),
        "validate_s": round(validate_s, 1),
        "ratio_to_read": round(validate_s / read_s, 1),
        "ok": report.ok,
        "target_s": 30,
    }
    print(" | ".join(row))
    print(" | ".join(str(v) for v in row.values()))
    print(json.dumps(row))


if __name__ == "__main__":
    main()
