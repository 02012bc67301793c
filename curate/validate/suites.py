"""The expectation suites: the ones generated from the taxonomy, and where the
hand-written rules are (`validations/`).

Why generated: the value sets (cultures, labels, fields, the empathy scale) come from
`schemas/taxonomy.yaml`, so they can never drift from it; a test fails when the
committed generated files are stale (`python -m curate.validate.suites --generate`
rewrites them).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from curate.schema import Taxonomy, load_taxonomy, schemas_dir

VALIDATIONS_DIR = schemas_dir().parent / "validations"
SUITES: dict[str, tuple[str, ...]] = {
    "records": ("records.generated", "records.rules", "records.privacy"),
    "spans": ("spans.generated", "spans.rules"),
    "splits": ("splits.rules",),
    "split_stats": ("split_stats.rules",),
}


def _exp(kind: str, name: str, **kwargs: Any) -> dict[str, Any]:
    """An expectation with its stable name (what reports and `--allow-failures` use)."""
    return {"type": f"expect_{kind}", "kwargs": kwargs, "meta": {"name": name}}


def _equals(column: str, value: Any) -> dict[str, Any]:
    """A GX 1.9+ row condition (`Column(column) == value`) in its JSON form: string
    conditions with the pandas parser are deprecated and go away in GX 2.0."""
    return {"column": {"name": column}, "operator": "==", "parameter": value, "type": "comparison"}


def generated_suites(taxonomy: Taxonomy) -> dict[str, dict[str, Any]]:
    """The taxonomy-derived suites, as plain JSON-able dicts (deterministic output)."""
    records = [
        _exp(
            "column_values_to_be_in_set",
            "culture.in_taxonomy",
            column="culture",
            value_set=list(taxonomy.cultures),
        ),
        _exp(
            "column_values_to_be_in_set",
            "empathy.in_scale",
            column="empathy",
            value_set=sorted(taxonomy.empathy),
        ),
    ]
    spans = [
        _exp(
            "column_values_to_be_in_set",
            "span.label_in_taxonomy",
            column="label",
            value_set=list(taxonomy.families),
        ),
        _exp(
            "column_values_to_be_in_set",
            "span.field_in_taxonomy",
            column="field",
            value_set=list(taxonomy.fields),
        ),
    ]
    for name, family in taxonomy.families.items():
        condition = {"row_condition": _equals("label", name)}
        spans.append(
            _exp(
                "column_values_to_be_in_set",
                f"{name}.{family.attribute}_in_taxonomy",
                column="attribute",
                value_set=list(family.values),
                **condition,
            )
        )
        spans.append(
            _exp(
                "column_values_to_be_in_set",
                f"{name}.field_allowed",
                column="field",
                value_set=list(family.fields),
                **condition,
            )
        )
    note = "GENERATED from schemas/taxonomy.yaml by `python -m curate.validate.suites --generate`"
    return {
        "records.generated": {
            "name": "records.generated",
            "meta": {"note": note},
            "expectations": records,
        },
        "spans.generated": {
            "name": "spans.generated",
            "meta": {"note": note},
            "expectations": spans,
        },
    }


def _dump(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def write_generated_suites(taxonomy: Taxonomy, out_dir: Path = VALIDATIONS_DIR) -> list[Path]:
    """Write `<name>.json` for each generated suite; returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, doc in generated_suites(taxonomy).items():
        path = out_dir / f"{name}.json"
        path.write_text(_dump(doc), encoding="utf-8")
        paths.append(path)
    return paths


def stale_generated_suites(taxonomy: Taxonomy, out_dir: Path = VALIDATIONS_DIR) -> list[str]:
    """Names of generated suites whose file on disk differs from what the taxonomy gives."""
    stale = []
    for name, doc in generated_suites(taxonomy).items():
        path = out_dir / f"{name}.json"
        if not path.is_file() or path.read_text(encoding="utf-8") != _dump(doc):
            stale.append(name)
    return stale


def main(argv: list[str] | None = None) -> int:
    """`--generate`: rewrite the generated suites in `validations/` (validating a
    workspace is `curate validate`)."""
    parser = argparse.ArgumentParser(prog="python -m curate.validate.suites")
    parser.add_argument("--generate", action="store_true", help="rewrite generated suites")
    args = parser.parse_args(argv)
    if args.generate:
        for path in write_generated_suites(load_taxonomy()):
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
