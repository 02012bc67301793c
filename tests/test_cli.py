"""The command line as a user meets it: fast help, clear errors, JSON for scripts."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from helpers import REPO, run_cli, submission, write_lines

from curate.store import Store

SUBCOMMANDS = [
    [],
    ["ingest"],
    ["stats"],
    ["vault"],
    ["vault", "purge"],
    ["demo", "generate"],
    ["deid"],
    ["deid", "text"],
    ["annotate"],
    ["annotate", "serve"],
    ["annotate", "push"],
    ["annotate", "pull"],
    ["annotate", "agreement"],
    ["audit"],
    ["validate"],
    ["deid", "scan"],
    ["deid", "eval"],
    ["deid", "review"],
    ["demo", "annotate"],
    ["export"],
    ["publish"],
    ["hydrate"],
]


HEAVY = (
    "langdetect", "zstandard", "pyarrow", "jsonschema", "sqlite3", "yaml", "presidio_analyzer",
    "spacy", "faker", "wordfreq", "label_studio_sdk", "krippendorff", "httpx", "cleanlab",
    "sklearn", "pandas", "great_expectations", "datasets", "huggingface_hub", "mlcroissant",
    "matplotlib", "ray",
)  # fmt: skip


@pytest.mark.parametrize("sub", SUBCOMMANDS, ids=lambda s: " ".join(s) or "top")
def test_help_imports_no_heavy_library(sub):
    """Every --help stays fast because stages import their dependencies lazily: no heavy
    library is imported to print it. (Its speed is measured in bench/cli_help.py, not
    timed here: a timed test fails on a loaded machine.)"""
    code = (
        "import sys\n"
        "from curate import cli\n"
        "try:\n"
        f"    cli.app({[*sub, '--help']!r})\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, None), exc.code\n"
        f"heavy = {HEAVY!r}\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)), file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "Usage:" in out.stdout
    assert out.stderr.strip().splitlines()[-1] == "[]"


def test_stats_json_after_ingest(tmp_path):
    ws = tmp_path / "ws"
    dump = write_lines(tmp_path / "RS.ndjson", [submission("a1"), submission("a2", title="Hi")])
    run_cli("-w", str(ws), "ingest", str(dump), "--no-progress", check=True)
    data = json.loads(run_cli("-w", str(ws), "stats", "--json", check=True).stdout)
    assert data["records"] == 2
    assert data["cultures"]["German"]["records"] == 2
    assert data["languages"]["German"] == {"de": 2}
    assert data["deid_status"] == {"done": 2}  # ingest de-identifies
    human = run_cli("-w", str(ws), "stats", check=True).stdout
    assert "German" in human and "einsam" not in human  # counts, never text


def test_stats_without_workspace_is_a_clear_error(tmp_path):
    proc = run_cli("-w", str(tmp_path / "none"), "stats")
    assert proc.returncode == 2
    assert "no workspace" in proc.stderr and "Traceback" not in proc.stderr


def test_bad_config_is_a_clear_error(tmp_path):
    bad = tmp_path / "curate.toml"
    bad.write_text("[workspace\npath = 1\n")
    proc = run_cli("--config", str(bad), "stats")
    assert proc.returncode == 2 and "invalid TOML" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_bad_map_and_unknown_format(tmp_path):
    dump = write_lines(tmp_path / "x.jsonl", [{"id": 1, "text": "x"}])
    proc = run_cli("-w", str(tmp_path / "ws"), "ingest", str(dump), "--map", "nonsense")
    assert proc.returncode == 2 and "field=column" in proc.stderr
    proc = run_cli("-w", str(tmp_path / "ws"), "ingest", str(dump), "--format", "xml")
    assert proc.returncode == 2 and "unknown format" in proc.stderr


def test_vault_purge_cli(tmp_path):
    ws = tmp_path / "ws"
    dump = write_lines(tmp_path / "RS.ndjson", [submission("a1")])
    run_cli("-w", str(ws), "ingest", str(dump), "--no-progress", check=True)
    out = run_cli("-w", str(ws), "vault", "purge", "--yes", check=True).stdout
    assert "1 raw text" in out
    assert json.loads(run_cli("-w", str(ws), "stats", "--json").stdout)["vault_texts"] == 0
    with Store.open(ws, create=False) as store:
        run = store.runs()[-1]
    assert (run["command"], run["status"], json.loads(run["counts"])) == (
        "vault purge",
        "completed",
        {"texts": 1},
    )


@pytest.mark.parametrize("command", ["ingest", "deid", "hydrate"])
@pytest.mark.parametrize("workers", ["0", "-3"])
def test_workers_must_be_at_least_one(tmp_path, command, workers):
    dump = write_lines(tmp_path / "RS.ndjson", [submission("a1")])
    args = {"ingest": ["ingest", str(dump)], "deid": ["deid"], "hydrate": ["hydrate", str(dump)]}
    proc = run_cli("-w", str(tmp_path / "ws"), *args[command], "--workers", workers)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Invalid value for '--workers'" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "ws").exists()
