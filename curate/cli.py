"""The `curate` command line. It parses arguments, calls one stage function and prints:
no logic lives here. Stages are imported inside each command so `--help` stays fast."""

from __future__ import annotations

import json
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
demo_app = typer.Typer(help="The bundled synthetic demo corpus.", no_args_is_help=True)
app.add_typer(vault_app, name="vault")
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


def _console(stderr: bool = False):
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    # Not a terminal (a log, a pipe): wide enough that the tables do not wrap.
    width = None if stream.isatty() else 120
    return Console(stderr=stderr, highlight=False, width=width)


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
        bool, typer.Option(help="Exit non-zero when any input was quarantined.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Read raw files into the workspace as normalized, language-identified records."""
    from curate import reporting
    from curate.ingest import ingest as run_ingest

    pairs = {}
    for item in mapping or []:
        field, sep, column = item.partition("=")
        if not sep or not field or not column:
            raise CurateError(f"--map takes field=column, not {item!r}")
        pairs[field.strip()] = column.strip()
    config = _config()
    from curate.store import Store

    with (
        Store.open(config.workspace) as store,
        reporting.byte_progress(paths, enabled=progress and not as_json) as on_progress,
    ):
        report = run_ingest(paths, config, store, fmt=fmt, mapping=pairs, culture=culture,
                                on_progress=on_progress)  # fmt: skip
    if as_json:
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        reporting.print_ingest(report, _console())
    quarantined = report.totals["quarantined"] + report.comments["quarantined"]
    if strict and quarantined:
        _console(stderr=True).print(f"--strict: {quarantined} input(s) quarantined", soft_wrap=True)
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
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        reporting.print_stats(data, _console())


@vault_app.command("purge")
def vault_purge(
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete every raw (not de-identified) text from the workspace, for good."""
    with _store(create=False) as store:
        if not yes:
            typer.confirm(f"Delete all raw texts in {store.root}?", abort=True)
        n = store.vault.purge()
    _console().print(f"vault purged: {n} raw text row(s) deleted")


@demo_app.command("generate")
def demo_generate(
    out: Annotated[Path, typer.Argument(help="Output folder.")] = Path("demo"),
) -> None:
    """(Re)generate the synthetic demo Reddit dump, byte for byte."""
    from curate.demo import generate

    for path in generate(out).values():
        _console().print(str(path))


def main() -> None:
    try:
        app()
    except CurateError as exc:
        from rich.markup import escape

        _console(stderr=True).print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
        sys.exit(2)
    except KeyboardInterrupt:
        _console(stderr=True).print("interrupted: re-run the same command to complete it")
        sys.exit(130)


if __name__ == "__main__":
    main()
