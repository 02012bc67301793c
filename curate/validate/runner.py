"""Run the suites over the workspace with Great Expectations (GX 1.x, offline,
ephemeral context), after the residual-PII scan that feeds `no_residual_pii`.

Why GX and not plain asserts: the suites are data (JSON in `validations/`) that curators
can read and review, and Data Docs give a shareable HTML report of every run.

`curate validate` is a "validate" run of the run log (`validate_workspace`); the export
gate calls `validate` inside the export's own run.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from curate.deid import tables as deid_tables
from curate.schema import Taxonomy
from curate.validate.suites import SUITES, VALIDATIONS_DIR, generated_suites
from curate.validate.tables import tables

# Uncertain de-identification decisions no curator has reviewed (`curate deid review`).
DEID_REVIEWED = "deid_uncertain_reviewed"
MAX_IDS = 20
VALIDATE_COMMAND = "validate"


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
        queue = deid_tables.review_queue(
            store,
        )
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


def validate_workspace(store: Any, taxonomy: Taxonomy, **kwargs: Any) -> ValidationReport:
    """`curate validate`: `validate` (same arguments) as a "validate" run of the run log.
    The run completes whether expectations fail or not (its counts say which, and how
    many records each; no record ids), and fails when the validation cannot run."""
    args = {
        "release": kwargs.get("release", False),
        "pii_scan": kwargs.get("scan_pii", True),
        "docs": kwargs.get("docs_dir") is not None,
    }
    counts: dict[str, Any] = {}
    with store.run(VALIDATE_COMMAND, args, lambda: counts):
        report = validate(store, taxonomy, **kwargs)
        counts.update(
            ok=report.ok,
            evaluated=report.evaluated,
            passed=report.evaluated - len(report.failures),
            failed=len(report.failures),
            failures={f["name"]: f["count"] for f in report.failures},
            pii_scanned=report.pii_scanned,
        )
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
