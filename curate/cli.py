"""The `curate` command line. It parses arguments, calls one stage function and hands the
result to `curate.reporting`, which prints it: no logic and no output live here. Stages
(and reporting) are imported inside each command so `--help` stays fast."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from curate.errors import CurateError

app = typer.Typer(
    help="Curate and publish sensitive, span-annotated text datasets.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=False,
)
vault_app = typer.Typer(help="The raw-text vault of the workspace.", no_args_is_help=True)
deid_app = typer.Typer(
    help="De-identification (Presidio): re-run on the workspace, scrub files, evaluate, scan.",
    invoke_without_command=True,
)
demo_app = typer.Typer(help="The bundled synthetic demo corpus.", no_args_is_help=True)
app.add_typer(vault_app, name="vault")
app.add_typer(deid_app, name="deid")
annotate_app = typer.Typer(
    help="Annotation round-trip with Label Studio: serve, push, pull, agreement.",
    no_args_is_help=True,
)
app.add_typer(annotate_app, name="annotate")
app.add_typer(demo_app, name="demo")

_state: dict[str, Any] = {}


@app.callback()
def _global(
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="curate.toml to use.", dir_okay=False)
    ] = None,
    workspace: Annotated[
        Path | None,
        typer.Option("--workspace", "-w", envvar="CURATE_WORKSPACE", help="Workspace folder."),
    ] = None,
) -> None:
    _state["config"], _state["workspace"] = config, workspace


def _config():
    from curate.config import load_config

    return load_config(_state.get("config"), _state.get("workspace"))


def _store(create: bool = True):
    from curate.store import Store

    return Store.open(_config().workspace, create=create)


def _store_if_any():
    """The workspace's store (as a context) when the workspace exists, else None."""
    from contextlib import nullcontext

    from curate.store import DB_NAME

    workspace = _config().workspace
    return _store(create=False) if (workspace / DB_NAME).is_file() else nullcontext()


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Input files or folders.")],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="reddit, culturecare, jsonl, csv or parquet (default: detected from content).",
        ),
    ] = None,
    mapping: Annotated[
        list[str] | None,
        typer.Option("--map", help="field=column for jsonl/csv/parquet (repeatable)."),
    ] = None,
    culture: Annotated[
        str | None, typer.Option(help="Culture of every record (jsonl/csv/parquet).")
    ] = None,
    strict: Annotated[
        bool,
        typer.Option(
            help="Exit non-zero when any input was quarantined or any file could not be "
            "read to its end."
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
    deid: Annotated[
        bool, typer.Option(help="De-identify the new records (the workspace policy).")
    ] = True,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Worker processes for reading dump files, language id and "
            "de-identification (all cores); with --engine ray, Ray actors (one per CPU of "
            "the cluster but one).",
        ),
    ] = None,
    engine: Annotated[
        str,
        typer.Option(help="local (this machine) or ray (Ray Data; needs the ray extra)."),
    ] = "local",
    address: Annotated[
        str | None,
        typer.Option(
            help="With --engine ray: the cluster to use (auto, host:port or ray://host:port; "
            "default: a local Ray instance inside the workspace)."
        ),
    ] = None,
) -> None:
    """Read raw files into the workspace as normalized, language-identified records, then
    de-identify them."""
    from curate import reporting
    from curate.ingest import run_ingest

    pairs = {}
    for item in mapping or []:
        field, sep, column = item.partition("=")
        if not sep or not field or not column:
            raise CurateError(f"--map takes field=column, not {item!r}")
        pairs[field.strip()] = column.strip()
    config = _config()
    from functools import partial

    from curate.deid.policy import load_policy
    from curate.store import Store

    show = progress and not as_json
    with (
        Store.open(config.workspace) as store,
        reporting.byte_progress(paths, enabled=show) as on_progress,
    ):
        result = run_ingest(
            paths,
            config,
            store,
            engine=engine,
            policy=load_policy(config) if deid else None,
            workers=workers,
            address=address,
            fmt=fmt,
            mapping=pairs,
            culture=culture,
            on_progress=on_progress,
            deid_progress=partial(reporting.count_progress, "de-identify", enabled=show),
        )
    reporting.print_ingest_result(result, as_json)
    if strict and reporting.print_strict(result.report):
        raise typer.Exit(1)


@app.command()
def stats(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Counts per culture, language, source and annotation status."""
    from curate import reporting
    from curate.stats import workspace_stats

    with _store(create=False) as store:
        data = workspace_stats(store)
    if as_json:
        reporting.print_json(data, ascii_only=False)
    else:
        reporting.print_stats(data, reporting.console())


def _run_deid(store, config, *, workers=None, redo=False, policy_path=None, progress=True):
    from curate import reporting
    from curate.deid.policy import load_policy
    from curate.deid.stage import run_deid

    policy = load_policy(config, policy_path)
    with reporting.count_progress("de-identify", enabled=progress) as on_progress:
        return run_deid(
            store, config, policy=policy, redo=redo, workers=workers, on_progress=on_progress
        )


@deid_app.callback()
def deid_run(
    ctx: typer.Context,
    redo: Annotated[bool, typer.Option("--all", help="Re-do every record.")] = False,
    policy: Annotated[
        Path | None, typer.Option(help="Policy YAML (default: [deid] policy or the built-in).")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Worker processes (all cores).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """De-identify the workspace's records that need it: never done, or done under another
    policy (or all, with --all). Sub-commands do other de-identification jobs."""
    if ctx.invoked_subcommand is not None:
        return
    from curate import reporting

    config = _config()
    from curate.store import Store

    with Store.open(config.workspace, create=False) as store:
        report = _run_deid(
            store, config, workers=workers, redo=redo, policy_path=policy, progress=not as_json
        )
    if as_json:
        reporting.print_json(report.to_dict())
    else:
        reporting.print_deid(report, reporting.console())


@deid_app.command("text")
def deid_text(
    src: Annotated[str, typer.Argument(help="JSONL of {id, text, language?}; - for stdin.")] = "-",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output JSONL (default: stdout).")
    ] = None,
    policy: Annotated[Path | None, typer.Option(help="Policy YAML.")] = None,
) -> None:
    """De-identify any JSONL file with the workspace policy: writes the de-identified text
    and the entities found (type, offsets in the output, recognizer, score)."""
    from curate import reporting
    from curate.deid.textjob import deidentify_jsonl

    config = _config()
    counts = deidentify_jsonl(src, out, config, policy_path=policy)
    reporting.print_deid_text(counts)


@deid_app.command("scan")
def deid_scan(
    src: Annotated[
        str | None,
        typer.Argument(help="JSONL of {id, text}; default: the workspace's de-identified texts."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print findings as JSON.")] = False,
) -> None:
    """Residual personal-data scan: every direct identifier still present (exit 1 if any).
    Prints ids, types and offsets, never the values."""
    from curate import reporting
    from curate.deid.scan import scan_jsonl, scan_workspace

    config = _config()
    if src is None:
        from curate.store import Store

        with Store.open(config.workspace, create=False) as store:
            findings = scan_workspace(store, config)
    else:
        findings = scan_jsonl(src, config)
    if as_json:
        reporting.print_json(findings)
    else:
        reporting.print_scan(findings, reporting.console())
    if findings:
        raise typer.Exit(1)


@deid_app.command("eval")
def deid_eval(
    per_language: Annotated[int, typer.Option(help="Documents per language.")] = 40,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic corpus.")] = 13,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Write the corpus and results here [default: <workspace>/reports/deid-eval]; "
            "the results are also logged in the workspace, where the dataset card reads them.",
        ),
    ] = None,
    real: Annotated[
        Path | None,
        typer.Option(
            help="Hand-labelled real phrases (JSONL) [default: ../shared/deid-realtext/"
            "dev.jsonl beside the project, when it is there].",
        ),
    ] = None,
    planted: Annotated[
        bool,
        typer.Option(
            "--planted",
            help="Also plant names and identifiers into real released phrases and measure "
            "recall and carriers left unchanged.",
        ),
    ] = False,
    planted_from: Annotated[
        Path | None,
        typer.Option(
            help="Released CultureCare records to take carrier phrases from [default: "
            "../shared/culturecare beside the project].",
        ),
    ] = None,
    planted_per_language: Annotated[
        int, typer.Option(help="Carrier phrases per language for --planted.")
    ] = 40,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
) -> None:
    """Precision, recall and F2 per entity type and language on a synthetic labelled
    corpus (English, German, Arabic, Hebrew, Chinese) with planted identifiers, and
    beside them, on hand-labelled real text: precision, recall, public names kept and
    plain phrases changed. With --planted, also identifiers planted into real phrases:
    recall per language and type, and the phrases left unchanged around them."""
    from curate import reporting
    from curate.deid.evaluate import run_eval
    from curate.deid.planted import release_dir

    config = _config()
    source = release_dir(config, planted_from) if planted else None
    if planted and source is None:
        raise typer.BadParameter(
            "no released records beside the project (../shared/culturecare); "
            "give --planted-from DIR",
            param_hint="--planted",
        )
    result = run_eval(config, out=out, per_language=per_language, seed=seed, real=real,
                      planted_from=source, planted_per_language=planted_per_language)  # fmt: skip
    if as_json:
        reporting.print_json(result)
    else:
        reporting.print_eval_results(result, reporting.console())


@deid_app.command("review")
def deid_review(
    record_id: Annotated[
        str | None, typer.Argument(help="A record id (cc-…): as --record.", show_default=False)
    ] = None,
    record: Annotated[
        str | None,
        typer.Option("--record", help="Show what de-identification decided on one record."),
    ] = None,
    show_values: Annotated[
        bool, typer.Option(help="With --record: the original values too (from the vault).")
    ] = False,
    export_file: Annotated[
        Path | None,
        typer.Option(
            "--export",
            dir_okay=False,
            help="Write the unreviewed queue to this JSONL file, with the raw context of "
            "each item (mode 0600), to fill in each line's verdict.",
        ),
    ] = None,
    import_file: Annotated[
        Path | None,
        typer.Option(
            "--import",
            dir_okay=False,
            help="Record the verdicts of a file: per line an item id and remove | keep | "
            "always_keep (or an exported line with its verdict filled in).",
        ),
    ] = None,
    reviewer: Annotated[
        str | None, typer.Option(help="Who reviews (stored with each verdict) [default: $USER].")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON (counts, no values).")
    ] = False,
) -> None:
    """The curator's review of what de-identification is unsure of. With no option: go
    through the unreviewed uncertain decisions in the terminal, each with its raw context
    ([r]emove / [k]eep / [a]lways keep / [s]kip / [q]uit); `curate deid` then applies the
    verdicts. --json: the queue's counts."""
    from curate import reporting
    from curate.deid import review
    from curate.deid import tables as deid_tables

    record = record or record_id
    modes = [m for m, on in (("--record", record), ("--export", export_file),
                             ("--import", import_file)) if on]  # fmt: skip
    if len(modes) > 1:
        raise CurateError(f"use one of {', '.join(modes)} at a time")
    reviewer = reviewer or _user()
    config = _config()
    from curate.store import Store

    with Store.open(config.workspace, create=False) as store:
        if record is not None:
            if as_json:  # each decision with its item id (for a verdict on it: --import)
                rows = deid_tables.review_queue(store, record, reviewed=True, certain=True)
                reporting.print_review_decisions_json(rows)
                return
            decisions = deid_tables.decisions(store, record)
            raw = store.vault.original(record) if show_values else None
            verdicts = deid_tables.review_queue(store, record, reviewed=True, certain=True)
            reporting.print_review(record, decisions, raw, reporting.console(), verdicts)
            return
        if export_file is not None:
            n = review.export_queue(store, export_file)
            reporting.print_review_export(n, export_file, as_json)
            return
        if import_file is not None:
            from curate.deid.policy import load_policy

            result = review.import_verdicts(store, import_file, load_policy(config), reviewer)
            summary = review.summary(store)
            if as_json:
                reporting.print_json({**result.to_dict(), "queue": summary})
            else:
                reporting.print_review_import(result.to_dict(), summary, reporting.console())
            if result.problems:
                raise typer.Exit(1)
            return
        if as_json:
            reporting.print_json(review.summary(store))
            return
        from curate.deid.policy import load_policy

        console = reporting.console()
        loop = review.review_loop(
            store, load_policy(config), reviewer, ask=_ask_verdict, show=console.print
        )
        reporting.print_review_loop(loop, review.summary(store), console)


def _user() -> str | None:
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return None


def _ask_verdict(prompt: str) -> str | None:
    """One key of r k a s q; None when the input ends."""
    import click

    try:
        return click.prompt(
            prompt, type=click.Choice(list("rkasq"), case_sensitive=False), show_choices=False
        ).lower()
    except click.exceptions.Abort:
        return None


@annotate_app.command("serve")
def annotate_serve(
    action: Annotated[str, typer.Argument(help="start, stop or status")] = "start",
    port: Annotated[int | None, typer.Option(help="Port (default: 8080 or the next free).")] = None,
) -> None:
    """Run a local Label Studio server for this workspace (its own venv, data in the
    workspace, bound to 127.0.0.1)."""
    from curate import reporting
    from curate.annotate import server

    data_dir = _config().workspace / "label-studio"
    if action == "start":
        info = server.ensure_running(data_dir, port=port)
        reporting.print_server_started(info.url, data_dir)
    elif action == "stop":
        server.stop(data_dir)
        reporting.print_server_stopped()
    elif action == "status":
        reporting.print_server_status(server.status(data_dir))
    else:
        raise CurateError(f"unknown action {action!r}: use start, stop or status")


@annotate_app.command("push")
def annotate_push(
    culture: Annotated[
        list[str] | None, typer.Option(help="Only these cultures (repeatable).")
    ] = None,
    predictions: Annotated[
        bool, typer.Option(help="Send spans already on the texts as pre-annotations.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Send de-identified records to Label Studio, one project per culture; re-runs send
    only new or changed records."""
    from curate.annotate.client import connect
    from curate.annotate.push import push

    config = _config()
    with _store(create=False) as store:
        report = push(
            store, config, connect(config), cultures=culture, with_predictions=predictions
        )
    from curate import reporting

    if as_json:
        reporting.print_json(report.to_dict())
    else:
        reporting.print_counts("annotate push", report.to_dict()["counts"], reporting.console())


@annotate_app.command("pull")
def annotate_pull(
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Bring every annotation back (snapshot, convert offsets, validate, store)."""
    from curate.annotate.client import connect
    from curate.annotate.pull import pull

    config = _config()
    with _store(create=False) as store:
        report = pull(store, config, connect(config))
    from curate import reporting

    if as_json:
        reporting.print_json(report.to_dict(), ascii_only=False)
    else:
        reporting.print_counts("annotate pull", report.to_dict()["counts"], reporting.console())
        reporting.print_issues(report.issues, reporting.console())


@annotate_app.command("agreement")
def annotate_agreement(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Inter-annotator agreement per culture and label family (span F1, Krippendorff's
    alpha), where items have more than one annotator."""
    from curate.annotate.agreement import agreement

    config = _config()
    with _store(create=False) as store:
        result = agreement(store, config.taxonomy())
    from curate import reporting

    if as_json:
        reporting.print_json(result)
    else:
        reporting.print_agreement(result, reporting.console())


@app.command()
def audit(
    family: Annotated[
        list[str] | None,
        typer.Option(help="Label family (emotional_distress, …, empathy, or records); repeatable."),
    ] = None,
    html: Annotated[
        bool, typer.Option("--html/--no-html", help="Write the HTML report (index.html).")
    ] = True,
    to_label_studio: Annotated[
        bool,
        typer.Option(
            "--to-label-studio",
            help="Queue the flagged items for review: one Label Studio review project "
            "per culture, a task per flagged record, pre-filled, saying why.",
        ),
    ] = False,
    run: Annotated[
        str | None,
        typer.Option(
            help="With --to-label-studio: send this earlier audit run's stored flags "
            "('latest' for the newest) instead of auditing again."
        ),
    ] = None,
    top: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="With --to-label-studio: queue at most N items per culture and family, "
            "best-ranked first (default 50; 0 for all).",
        ),
    ] = None,
    features: Annotated[
        str,
        typer.Option(
            help="What ranks the label issues: 'wordllama' (n-gram text model + packaged "
            "WordLlama embeddings of the phrase and its record) or 'tfidf' (n-grams only).",
        ),
    ] = "wordllama",
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Label audit: cleanlab label issues, Datalab outliers and near duplicates, CROWDLAB
    consensus; ranked flags in the store and in <workspace>/reports/audit/ (CSV, Parquet,
    summary.json, index.html)."""
    from curate.audit.run import audit_workspace

    if run is not None and not to_label_studio:
        raise CurateError("--run only goes with --to-label-studio (it sends a stored run)")
    if top is not None and not to_label_studio:
        raise CurateError("--top only goes with --to-label-studio")
    config = _config()
    with _store(create=False) as store:
        if run is None:
            report = audit_workspace(
                store, config.taxonomy(), families=family, html=html, features=features
            )
            out = report.to_dict()
            run_id = report.run_id
        else:
            if family:
                raise CurateError("--family does not go with --run (the run is audited already)")
            out, run_id = {}, None if run == "latest" else run
        if to_label_studio:
            from curate.annotate.client import connect
            from curate.audit.queue import DEFAULT_TOP
            from curate.audit.review import send_review

            cap = DEFAULT_TOP if top is None else (top or None)
            review = send_review(store, config, connect(config), run_id=run_id, top=cap)
            out["review"] = review.to_dict()
    from curate import reporting

    if as_json:
        reporting.print_json(out, ascii_only=False)
    else:
        reporting.print_audit(out, reporting.console())


@app.command()
def validate(
    data_docs: Annotated[
        bool,
        typer.Option(
            "--data-docs",
            help="Also write GX Data Docs into reports/data-docs/ (their pages load CSS and "
            "JavaScript from CDNs: they need the network to display). The self-contained "
            "report reports/validation.html is always written.",
        ),
    ] = False,
    no_docs: Annotated[
        bool,
        typer.Option(
            "--no-docs", hidden=True, help="No Data Docs (the default now; kept for scripts)."
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print failures as JSON.")] = False,
    release: Annotated[
        bool,
        typer.Option(
            "--release",
            help="Only what a release may contain (de-identified, not duplicates), as the "
            "export gate does.",
        ),
    ] = False,
    pii_scan: Annotated[
        bool, typer.Option(help="Run the residual-PII scan (no_residual_pii).")
    ] = True,
) -> None:
    """Check the workspace against the expectation suites in validations/ (Great
    Expectations, offline); exit 1 when any expectation fails. Writes a self-contained
    HTML report (every expectation, the failing record ids) to reports/validation.html."""
    from curate.validate.runner import validate_workspace as run_validate

    if data_docs and no_docs:
        raise CurateError("--data-docs and --no-docs contradict each other")
    config = _config()
    with _store(create=False) as store:
        docs_dir = store.root / "reports" / "data-docs" if data_docs else None
        report = run_validate(
            store,
            config.taxonomy(),
            docs_dir=docs_dir,
            config=config,
            release=release,
            scan_pii=pii_scan,
        )
    from curate import reporting

    if as_json:
        report_path = str(report.html) if report.html else None
        reporting.print_json({"ok": report.ok, "failures": report.failures, "report": report_path})
    else:
        reporting.print_validation(report, reporting.console())
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def export(
    version: Annotated[
        str | None,
        typer.Option(
            help="Release version, e.g. 1.0.0 (default: next minor after the last release; "
            "culturecare-jsonl: the last release)."
        ),
    ] = None,
    mode: Annotated[
        str,
        typer.Option(
            help="reference (no texts: URLs + spans) or text (de-identified texts, for a "
            "gated repository)."
        ),
    ] = "reference",
    fmt: Annotated[
        str,
        typer.Option(
            "--format", help="hub (Parquet + card) or culturecare-jsonl (the paper's layout)."
        ),
    ] = "hub",
    out: Annotated[
        Path | None,
        typer.Option(help="Release folder (default: <workspace>/releases/<name>-<version>)."),
    ] = None,
    allow_failures: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-failures",
            help="Let this failed expectation through (repeatable, or comma-separated); "
            "needs --reason. Never no_residual_pii.",
        ),
    ] = None,
    reason: Annotated[
        str | None, typer.Option(help="Why the allowed failures are acceptable (release notes).")
    ] = None,
    org: Annotated[str | None, typer.Option(help="Hub namespace, for the card.")] = None,
    name: Annotated[
        str | None, typer.Option(help="Dataset name (default: [release] name).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Build a versioned release folder (Hub layout: Parquet per culture and split, dataset
    card, Croissant, changelog, manifest) after the validation gate passes."""
    from curate.release.export import export as run_export

    allow = [a.strip() for item in allow_failures or [] for a in item.split(",") if a.strip()]
    config = _config()
    with _store(create=False) as store:
        result = run_export(
            store, config, out_dir=out, version=version, mode=mode, allow=allow,
            reason=reason, org=org, name=name, fmt=fmt,
        )  # fmt: skip
    from curate import reporting

    reporting.print_export(result, as_json)


@app.command()
def publish(
    release_dir: Annotated[
        Path, typer.Argument(help="Release folder made by `curate export`.", file_okay=False)
    ],
    repo: Annotated[str, typer.Option("--repo", help="Hub dataset repository ORG/NAME.")],
    private: Annotated[
        bool | None,
        typer.Option(
            "--private/--public", help="Visibility (default: keep; new repositories: private)."
        ),
    ] = None,
    gated: Annotated[
        str | None,
        typer.Option(help="Access requests: auto, manual or none (default: keep)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print what would be done; change nothing.")
    ] = False,
    endpoint: Annotated[
        str | None, typer.Option(help="Hub URL (default: HF_ENDPOINT or huggingface.co).")
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Publish a version that is not newer than the repository's newest (never "
            "one whose tag exists); needs --reason.",
        ),
    ] = False,
    reason: Annotated[
        str | None, typer.Option(help="Why --force (recorded in the release commit).")
    ] = None,
) -> None:
    """Publish a release folder to the Hugging Face Hub: one atomic commit per version,
    tagged vX.Y.Z. Token from HF_TOKEN or `hf auth login`; never printed."""
    from curate.publish import publish as run_publish

    with _store_if_any() as store:  # the run is logged in the workspace, when there is one
        result = run_publish(
            release_dir, repo, private=private, gated=gated, dry_run=dry_run, endpoint=endpoint,
            force=force, reason=reason, store=store,
        )  # fmt: skip
    from curate import reporting

    reporting.print_publish(result, dry_run)


@app.command()
def hydrate(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="A reference release (its folder, Parquet files, or CultureCare "
            "*_data.jsonl) and your Reddit dump files or folders, in any order.",
        ),
    ],
    fuzzy_threshold: Annotated[
        float, typer.Option(help="Lowest similarity (0-1] at which a phrase is aligned fuzzily.")
    ] = 0.85,
    workspace: Annotated[
        Path | None,
        typer.Option("--workspace", "-w", help="Workspace to hydrate into (as curate -w)."),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Worker processes for de-identification (all cores)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Fill a reference release's texts in from your own Reddit dumps: align every phrase
    to offsets, de-identify, and report coverage per culture."""
    from curate import reporting
    from curate.hydrate.run import hydrate as run_hydrate
    from curate.store import Store

    if workspace is not None:
        _state["workspace"] = workspace
    config = _config()
    show = progress and not as_json
    with (
        Store.open(config.workspace) as store,
        reporting.byte_progress(paths, enabled=show, what="hydrate") as on_progress,
        reporting.count_progress("de-identify", enabled=show) as on_deid,
    ):
        report = run_hydrate(
            paths, config, store, threshold=fuzzy_threshold, workers=workers,
            on_progress=on_progress, on_deid_progress=on_deid,
        )  # fmt: skip
    if as_json:
        reporting.print_json(report.to_dict(), ascii_only=False)
    else:
        reporting.print_hydrate(report, reporting.console())


@vault_app.command("purge")
def vault_purge(
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete every raw (not de-identified) text from the workspace, for good: the vault,
    and the scratch folders in tmp/ left by killed runs."""
    from curate import reporting
    from curate.scratch import sweep, usage

    with _store(create=False) as store:
        if not yes:
            typer.confirm(f"Delete all raw texts in {store.root}?", abort=True)
        n = store.purge_vault()
        removed = store.swept + sweep(store.root)
        left = {k: v.to_dict() for k, v in usage(store.root).items()}
    reporting.print_vault_purged(n, removed, left)


@demo_app.command("generate")
def demo_generate(
    out: Annotated[Path, typer.Argument(help="Output folder.")] = Path("demo"),
) -> None:
    """(Re)generate the synthetic demo data, byte for byte: the Reddit dump, its PII ground
    truth and the careless input folder."""
    from curate import reporting
    from curate.synthetic.dump import generate

    reporting.print_paths(generate(out).values())


@demo_app.command("annotate")
def demo_annotate(
    annotators: Annotated[int, typer.Option(help="Number of simulated annotators.")] = 3,
    noise: Annotated[
        str | None,
        typer.Option(help="Noise level per annotator, e.g. 0.05,0.1,0.4 (last one poor)."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same annotations.")] = 0,
    limit: Annotated[int | None, typer.Option(help="Annotate only the first N tasks.")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Requests sent at the same time.")] = 2,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """SYNTHETIC annotators (demo/tests only) label the pushed demo tasks in Label
    Studio from what the demo generator planted, with seeded per-annotator noise;
    re-runs add nothing."""
    from curate.annotate.client import connect
    from curate.synthetic.annotators.run import parse_noise, simulate_annotators

    levels = parse_noise(noise, annotators)
    config = _config()
    with _store(create=False) as store:
        report = simulate_annotators(
            store,
            config,
            connect(config),
            annotators=annotators,
            noise=levels,
            seed=seed,
            limit=limit,
            workers=workers,
        )
    from curate import reporting

    if as_json:
        reporting.print_json(report.to_dict())
    else:
        reporting.print_simulated_annotators(report.to_dict(), reporting.console())


def main() -> None:
    try:
        app()
    except CurateError as exc:
        from curate import reporting

        reporting.print_error(exc)
        sys.exit(2)
    except KeyboardInterrupt:
        from curate import reporting

        reporting.print_interrupted()
        sys.exit(130)


if __name__ == "__main__":
    main()
