"""Run the suites over the workspace with Great Expectations (GX 1.x, offline,
ephemeral context), after the residual-PII scan that feeds `no_residual_pii`.

Why GX and not plain asserts: the suites are data (JSON in `validations/`) that curators
can read and review. Every run keeps every expectation's outcome (`ValidationReport.results`),
which `curate.validate.html` renders as one self-contained page (it opens offline); GX
Data Docs are opt-in (`docs_dir`): their pages load CSS and JavaScript from CDNs.

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


# What to do about a failed expectation, by name (the page and the console show it). A
# generated per-family rule (`<family>.<attribute>_in_taxonomy`, `<family>.field_allowed`)
# is looked up by its suffix.
WHAT_TO_DO = {
    "culture.in_taxonomy": "correct the culture at the source and ingest again, or add it to "
    "[taxonomy] extra_cultures in curate.toml",
    "empathy.in_scale": "correct the empathy score at the source (1-5, or none) and ingest again",
    "no_residual_pii": "run `curate deid` again (or `curate deid scan` to see where); "
    "a release is refused until nothing is left, no override lets it through",
    "deid_uncertain_reviewed": "review the uncertain de-identification decisions: "
    "`curate deid review`",
    "record_id.unique": "the store gives each record one id: report this as a bug",
    "record_id.well_formed": "the store makes ids cc-<16 hex digits>: report this as a bug",
    "language.well_formed": "correct the language code at the source (ISO 639, or und) and "
    "ingest again",
    "text.non_empty": "the record's text is empty: fix it at the source and ingest again",
    "demographics.normalized": "fix the demographic values at the source, or their "
    "normalization in the taxonomy, and ingest again",
    "empathy.present_when_response_annotated": "ask the annotators for the missing empathy "
    "score, or let it through with --allow-failures and a --reason",
    "demographics.no_mixed_types": "the source gives numbers where other records give "
    "strings: check the normalized values, or let it through with a --reason",
    "span.label_in_taxonomy": "relabel the spans in Label Studio (`curate annotate`), or add "
    "the label to the taxonomy",
    "span.field_in_taxonomy": "the span names a field that does not exist: fix the source "
    "and ingest again",
    "span.attribute_present": "give the spans their attribute in Label Studio, or let it "
    "through with a --reason",
    "span.inside_text": "re-align the spans (`curate hydrate` for reference releases) or fix "
    "their offsets at the source",
    "span.text_matches": "the text changed under the span: re-align it (`curate hydrate`) or "
    "fix the offsets",
    "span.non_empty": "drop the zero-length spans or fix their offsets",
    "span.unique": "drop the duplicate spans (the same phrase twice with the same label)",
    "split.known": "the stored split assignment names an unknown split: report this as a bug",
    "split.disjoint_by_item": "an item is in two splits: report this as a bug",
    "split.disjoint_by_thread": "a source thread straddles splits: report this as a bug",
    "split.proportions_within_bounds": "check [release] splits and min_tolerance; a culture "
    "too small for the targets may need a wider tolerance",
}
WHAT_TO_DO_SUFFIX = {
    "_in_taxonomy": "relabel the spans' attribute in Label Studio, or add the value to the "
    "taxonomy",
    ".field_allowed": "the label is on a field its family does not allow: relabel or move the span",
}


def what_to_do(name: str) -> str | None:
    """What to do about a failure of the expectation `name`, when the runner knows."""
    if name in WHAT_TO_DO:
        return WHAT_TO_DO[name]
    return next((t for suffix, t in WHAT_TO_DO_SUFFIX.items() if name.endswith(suffix)), None)


@dataclass
class ValidationReport:
    """What a release gate needs: pass/fail and, per failed expectation, which records;
    and for the HTML report every expectation's outcome (`results`), the tables
    validated with their row counts (`assets`), the run's name and time, and what the
    residual-PII scan found (`pii`: records and findings, no values; None: not run)."""

    ok: bool
    failures: list[dict[str, Any]] = field(default_factory=list)
    evaluated: int = 0
    docs_index: Path | None = None
    pii_scanned: bool = False
    results: list[dict[str, Any]] = field(default_factory=list)
    assets: dict[str, int] = field(default_factory=dict)
    run_name: str | None = None
    started: str = ""
    # record ids kept per failed expectation (the HTML report says "at most N")
    max_ids: int = MAX_IDS
    release: bool = False
    pii: dict[str, int] | None = None
    html: Path | None = None


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


def _readable_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    """An expectation's kwargs as the page shows them: the row condition as short text,
    GX's bookkeeping (`result_format`, `catch_exceptions`, ...) left out."""
    skip = {"result_format", "catch_exceptions", "include_config", "meta", "batch_id"}
    out = {k: v for k, v in kwargs.items() if k not in skip and v is not None}
    if "row_condition" in out:
        out["row_condition"] = _condition_text(out["row_condition"])
    out.pop("condition_parser", None)
    return out


def _observed(result: dict[str, Any]) -> Any:
    """The observed value when it is a number or yes/no (aggregate expectations); never
    values from the data (a map expectation's unexpected values may be texts)."""
    value = result.get("observed_value")
    return value if isinstance(value, bool | int | float) else None


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
    run_name: str | None = None,
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
    `deid_uncertain_reviewed` (the failure says how many, by reason). `run_name`: the
    run log's run id, GX's run name (Data Docs show it).
    """
    import datetime as dt

    gx = _import_gx()
    from great_expectations.checkpoint import UpdateDataDocsAction
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    started = dt.datetime.now(dt.UTC)
    run_id = RunIdentifier(run_name=run_name or "curate-validate", run_time=started)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    docs_action = None
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
        docs_action = UpdateDataDocsAction(name="docs", site_names=["curate"])

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
    report = ValidationReport(
        ok=True,
        pii_scanned=pii is not None,
        run_name=run_name,
        started=started.strftime("%Y-%m-%d %H:%M:%S UTC"),
        release=release,
        assets={table: len(frames[table]) for table in SUITES},
        pii=None
        if pii is None
        else {"records": sum(1 for n in pii.values() if n), "findings": sum(pii.values())},
    )
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
                actions=[],
                result_format={
                    "result_format": "COMPLETE",
                    "unexpected_index_column_names": ["record_id"],
                },
            )
        )
        result = checkpoint.run(batch_parameters={"dataframe": frames[table]}, run_id=run_id)
        for run in result.run_results.values():
            suite_name = run.suite_name
            for res in run.results:
                report.evaluated += 1
                exp = res.expectation_config
                ids = _record_ids(res.result)
                outcome = {
                    "name": expectation_name(suite_name, exp),
                    "suite": suite_name,
                    "table": table,
                    "expectation": exp.type,
                    "kwargs": _readable_kwargs(exp.kwargs),
                    "why": (exp.meta or {}).get("why"),
                    "success": bool(res.success),
                    "rows": res.result.get("element_count"),
                    "count": res.result.get("unexpected_count", len(ids)),
                    "observed": _observed(res.result),
                    "record_ids": ids[:MAX_IDS],
                    "more_ids": max(len(ids) - MAX_IDS, 0),
                    "todo": None if res.success else what_to_do(expectation_name(suite_name, exp)),
                }
                info = res.exception_info
                if isinstance(info, dict) and info.get("raised_exception"):
                    # the message may quote a value from the data: only that it failed
                    outcome["error"] = True
                report.results.append(outcome)
                if res.success:
                    continue
                failure = {
                    "name": outcome["name"],
                    "suite": suite_name,
                    "expectation": exp.type,
                    "column": exp.kwargs.get("column"),
                    "row_condition": _condition_text(exp.kwargs.get("row_condition")),
                    "count": outcome["count"],
                    "record_ids": ids[:MAX_IDS],
                }
                if failure["name"] == DEID_REVIEWED and queue is not None:
                    failure["by_reason"] = _reasons_of(queue, frames["records"])
                    failure["decisions"] = sum(failure["by_reason"].values())
                    outcome["by_reason"] = failure["by_reason"]
                    outcome["decisions"] = failure["decisions"]
                report.failures.append(failure)
        if docs_action is not None:
            _write_data_docs(context, docs_action, result, table)
    report.ok = not report.failures
    if docs_dir is not None and (docs_dir / "index.html").is_file():
        report.docs_index = docs_dir / "index.html"
    return report


def _write_data_docs(context: Any, action: Any, result: Any, table: str) -> None:
    """GX Data Docs for one checkpoint's results, with the data asset named: a dataframe
    asset's batch spec has no name, so its pages would say "Data asset: None"."""
    for identifier, run in result.run_results.items():
        run.meta.setdefault("batch_spec", {})["data_asset_name"] = table
        context.validation_results_store.set(identifier, run)
    action.run(checkpoint_result=result)


def validate_workspace(
    store: Any, taxonomy: Taxonomy, html: bool = True, **kwargs: Any
) -> ValidationReport:
    """`curate validate`: `validate` (same arguments) as a "validate" run of the run log,
    its run id as GX's run name. The run completes whether expectations fail or not (its
    counts say which, and how many records each; no record ids), and fails when the
    validation cannot run. `html`: write the self-contained report
    (`curate.validate.html.write_report`) into the workspace's reports folder."""
    args = {
        "release": kwargs.get("release", False),
        "pii_scan": kwargs.get("scan_pii", True),
        "docs": kwargs.get("docs_dir") is not None,
    }
    counts: dict[str, Any] = {}
    with store.run(VALIDATE_COMMAND, args, lambda: counts) as run:
        report = validate(store, taxonomy, run_name=run.id, **kwargs)
        counts.update(
            ok=report.ok,
            evaluated=report.evaluated,
            passed=report.evaluated - len(report.failures),
            failed=len(report.failures),
            failures={f["name"]: f["count"] for f in report.failures},
            pii_scanned=report.pii_scanned,
        )
        if html:
            from curate.validate.html import write_report

            report.html = write_report(report, store.root / "reports")
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
