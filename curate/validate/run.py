"""Validate a workspace with Great Expectations (GX 1.x, offline, ephemeral context).

Why GX and not plain asserts: the suites are data (JSON in `validations/`) that curators
can read and review, and Data Docs give a shareable HTML report of every run. The value
sets are generated from the taxonomy so they can never drift from `schemas/`; a test
fails when the committed generated files are stale (`python -m curate.validate.run
--generate` rewrites them).
"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from curate.records import Record
from curate.schema import Taxonomy, load_taxonomy, schemas_dir

VALIDATIONS_DIR = schemas_dir().parent / "validations"
SUITES: dict[str, tuple[str, ...]] = {
    "records": ("records.generated", "records.rules", "records.privacy"),
    "spans": ("spans.generated", "spans.rules"),
    "splits": ("splits.rules",),
    "split_stats": ("split_stats.rules",),
}
# The expectation that no override may ever let through (see curate.validate.gate).
RESIDUAL_PII = "no_residual_pii"
# Uncertain de-identification decisions no curator has reviewed (`curate deid review`).
DEID_REVIEWED = "deid_uncertain_reviewed"
MAX_IDS = 20

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
        (rid, split, group)
        for rid, split, group in store.conn.execute(
            "SELECT record_id, split, group_key FROM splits"
        )
        if rid in cultures
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


# -- suites ----------------------------------------------------------------------------
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
    note = "GENERATED from schemas/taxonomy.yaml by `python -m curate.validate.run --generate`"
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


# -- running GX ------------------------------------------------------------------------
@dataclass
class ValidationReport:
    """What a release gate needs: pass/fail and, per failed expectation, which records."""

    ok: bool
    failures: list[dict[str, Any]] = field(default_factory=list)
    evaluated: int = 0
    docs_index: Path | None = None
    pii_scanned: bool = False


def residual_pii_counts(
    store: Any, config: Any, release: bool, engine: Any = None
) -> dict[str, int]:
    """Direct identifiers the de-identification scan still finds, per record id, in
    every free-text value of the records (the same set `curate deid scan` and
    de-identification cover, derived from the record schema), but for the words a
    curator decided to keep (`curate deid review`)."""
    from curate.deid.review import curator_kept
    from curate.deid.scan import scan_records

    counts: dict[str, int] = {}
    records = store.iter_records(deidentified=release)
    for finding in scan_records(records, config, engine, kept=curator_kept(store)):
        rid = finding["id"].partition(":")[0]
        counts[rid] = counts.get(rid, 0) + 1
    return counts


def expectation_name(suite: str, config: Any) -> str:
    """The stable name of an expectation: its `meta.name`, else one derived from its
    suite, type, column and condition (so every failure can be named in an override)."""
    meta = getattr(config, "meta", None) or {}
    if meta.get("name"):
        return str(meta["name"])
    kind = config.type.removeprefix("expect_")
    column = config.kwargs.get("column") or "+".join(
        str(config.kwargs.get(k)) for k in ("column_A", "column_B") if config.kwargs.get(k)
    )
    condition = _condition_text(config.kwargs.get("row_condition"))
    return f"{suite}:{kind}:{column}" + (f"[{condition}]" if condition else "")


def _import_gx() -> Any:
    """Import GX with analytics off: it must never phone home from a curation run."""
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    import great_expectations as gx

    return gx


def _record_ids(result: dict[str, Any]) -> list[str]:
    ids: list[str] = []
    for item in result.get("unexpected_index_list") or []:
        rid = item.get("record_id") if isinstance(item, dict) else None
        if rid is not None and rid not in ids:
            ids.append(rid)
    return ids


def validate(
    store: Any,
    taxonomy: Taxonomy,
    docs_dir: Path | None = None,
    suites_dir: Path = VALIDATIONS_DIR,
    config: Any = None,
    release: bool = False,
    scan_pii: bool = True,
    engine: Any = None,
) -> ValidationReport:
    """Run every suite over the workspace in an ephemeral (in-memory) GX context.

    The generated suites are built from `taxonomy` directly (not read from disk), so a
    workspace with extra cultures validates against its own taxonomy; the rules files
    are read from `suites_dir`. With `docs_dir`, GX Data Docs are written there.
    `release`: validate only what may leave the workspace (de-identified, not
    duplicates). With a `config` (and `scan_pii`), the residual-PII scan of the
    de-identification stage runs over those records' texts and feeds the
    `no_residual_pii` expectation (`engine`: a de-identification engine to reuse);
    split targets come from its `[release]` section, and so does `require_deid_review`
    (default true): uncertain de-identification decisions no curator reviewed fail
    `deid_uncertain_reviewed` (the failure says how many, by reason).
    """
    gx = _import_gx()
    from great_expectations.checkpoint import UpdateDataDocsAction
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    actions = []
    if docs_dir is not None:
        context.add_data_docs_site(
            site_name="curate",
            site_config={
                "class_name": "SiteBuilder",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(docs_dir),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
        actions.append(UpdateDataDocsAction(name="docs", site_names=["curate"]))

    pii = None
    if config is not None and scan_pii:
        pii = residual_pii_counts(store, config, release, engine)
    policy = config.section("release") if config is not None else {}
    queue, unreviewed = None, None
    if policy.get("require_deid_review", True):
        queue = store.deid_review_queue()
        unreviewed = {}
        for row in queue:
            unreviewed[row["record_id"]] = unreviewed.get(row["record_id"], 0) + 1
    frames = tables(
        store, taxonomy, release=release, pii=pii, split_policy=policy, unreviewed=unreviewed
    )
    generated = generated_suites(taxonomy)
    source = context.data_sources.add_pandas("workspace")
    report = ValidationReport(ok=True, pii_scanned=pii is not None)
    for table, suite_names in SUITES.items():
        batch = source.add_dataframe_asset(table).add_batch_definition_whole_dataframe("all")
        definitions = []
        for suite_name in suite_names:
            doc = generated.get(suite_name) or json.loads(
                (suites_dir / f"{suite_name}.json").read_text(encoding="utf-8")
            )
            expectations = [
                ExpectationConfiguration(
                    type=e["type"], kwargs=e["kwargs"], meta=e.get("meta") or {}
                ).to_domain_obj()
                for e in doc["expectations"]
            ]
            suite = context.suites.add(
                gx.ExpectationSuite(name=suite_name, expectations=expectations)
            )
            definitions.append(
                context.validation_definitions.add(
                    gx.ValidationDefinition(name=suite_name, data=batch, suite=suite)
                )
            )
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name=f"curate-{table}",
                validation_definitions=definitions,
                actions=actions,
                result_format={
                    "result_format": "COMPLETE",
                    "unexpected_index_column_names": ["record_id"],
                },
            )
        )
        result = checkpoint.run(batch_parameters={"dataframe": frames[table]})
        for run in result.run_results.values():
            suite_name = run.suite_name
            for res in run.results:
                report.evaluated += 1
                if res.success:
                    continue
                exp = res.expectation_config
                ids = _record_ids(res.result)
                failure = {
                    "name": expectation_name(suite_name, exp),
                    "suite": suite_name,
                    "expectation": exp.type,
                    "column": exp.kwargs.get("column"),
                    "row_condition": _condition_text(exp.kwargs.get("row_condition")),
                    "count": res.result.get("unexpected_count", len(ids)),
                    "record_ids": ids[:MAX_IDS],
                }
                if failure["name"] == DEID_REVIEWED and queue is not None:
                    failure["by_reason"] = _reasons_of(queue, frames["records"])
                    failure["decisions"] = sum(failure["by_reason"].values())
                report.failures.append(failure)
    report.ok = not report.failures
    if docs_dir is not None and (docs_dir / "index.html").is_file():
        report.docs_index = docs_dir / "index.html"
    return report


def _reasons_of(queue: list[dict[str, Any]], records: pd.DataFrame) -> dict[str, int]:
    """Why the validated records' unreviewed decisions are uncertain, by reason."""
    from collections import Counter

    validated = set(records["record_id"])
    return dict(Counter(r["unsure"] for r in queue if r["record_id"] in validated).most_common())


def _condition_text(condition: Any) -> str | None:
    """Row conditions come back as GX objects or their JSON dicts; report short text."""
    if condition is None:
        return None
    if hasattr(condition, "to_dict"):
        condition = condition.to_dict()
    if isinstance(condition, dict) and condition.get("type") == "comparison":
        column = (condition.get("column") or {}).get("name")
        return f"{column} {condition.get('operator')} {condition.get('parameter')!r}"
    return str(condition)


def main(argv: list[str] | None = None) -> int:
    """`--generate`: rewrite the generated suites; `--workspace DIR`: validate it."""
    parser = argparse.ArgumentParser(prog="python -m curate.validate.run")
    parser.add_argument("--generate", action="store_true", help="rewrite generated suites")
    parser.add_argument("--workspace", type=Path, help="workspace to validate")
    parser.add_argument("--docs", type=Path, help="write Data Docs into this folder")
    args = parser.parse_args(argv)
    taxonomy = load_taxonomy()
    if args.generate:
        for path in write_generated_suites(taxonomy):
            print(f"wrote {path}")
    if args.workspace is not None:
        from curate.store import Store

        with Store.open(args.workspace, create=False) as store:
            report = validate(store, taxonomy, args.docs)
        for failure in report.failures:
            print(json.dumps(failure, ensure_ascii=False))
        print("ok" if report.ok else f"{len(report.failures)} failed expectation(s)")
        return 0 if report.ok else 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
