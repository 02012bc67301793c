"""The release card's audit summary and de-identification evaluation are the stored results
of those stages' runs (read through `curate.audit.store` and `curate.deid.evaluate`), not
report files; and every export is a run of the run log."""

from __future__ import annotations

import json
import shutil

import pytest
from helpers import run_cli

from curate.audit.run import audit_workspace
from curate.audit.store import latest_summary
from curate.deid.evaluate import evaluate, latest_result, recorded
from curate.errors import CurateError
from curate.release.export import EXPORT_COMMAND, export


def _deid_eval(config, engine) -> dict:
    """What `curate deid eval` does (synthetic part, small), with its default --out."""
    out = config.workspace / "reports" / "deid-eval"
    with recorded(config, out, {"per_language": 2}) as result:
        result.update(evaluate(config, per_language=2, out_dir=out, engine=engine, hard=False))
    return result


def test_the_card_reads_audit_and_eval_from_their_runs_not_the_report_files(
    store, config, fill, deid_engine
) -> None:
    fill(3)
    first = export(store, config, version="1.0.0", engine=deid_engine)
    assert first.info.audit is None and first.info.deid.eval is None
    readme = (first.folder / "README.md").read_text(encoding="utf-8")
    assert "Label-noise audit: " in readme and "Measured quality" not in readme

    report = audit_workspace(store, config.taxonomy(), html=False)
    evaluation = _deid_eval(config, deid_engine)
    on_disk = json.loads((store.root / "reports" / "audit" / "summary.json").read_text())
    assert on_disk == report.to_dict()  # still written, for people
    assert (store.root / "reports" / "deid-eval" / "eval_results.json").is_file()
    shutil.rmtree(store.root / "reports")  # nothing left to read by path

    second = export(store, config, version="1.1.0", engine=deid_engine)
    assert second.info.audit.to_dict() == report.to_dict() == latest_summary(store)
    evaluated = second.info.deid.eval.to_dict()
    stored_eval = {k: v for k, v in evaluated.items() if k != "same_policy"}
    assert stored_eval == evaluation == latest_result(store)
    readme = (second.folder / "README.md").read_text(encoding="utf-8")
    assert "Label-noise audit: " not in readme
    assert "| label family | examples | flags |" in readme
    assert "Measured quality (`curate deid eval`" in readme
    assert f"F2 {evaluation['overall']['f2']}" in " ".join(readme.split())


def test_a_failed_eval_or_audit_run_is_no_result(store, config, fill, deid_engine) -> None:
    fill(1)
    with pytest.raises(RuntimeError), recorded(config, store.root / "x", {}) as result:
        result["overall"] = {"recall": 1.0}
        raise RuntimeError("stopped half-way")
    assert latest_result(store) is None
    with pytest.raises(CurateError, match="unknown label family"):
        audit_workspace(store, config.taxonomy(), families=["nope"])
    assert latest_summary(store) is None


def test_eval_outside_a_workspace_logs_nothing_and_creates_none(tmp_path, deid_engine) -> None:
    from curate.config import load_config

    config = load_config(None, tmp_path / "no-ws")
    with recorded(config, tmp_path / "elsewhere", {}) as result:
        result["overall"] = {}
    assert not (tmp_path / "no-ws").exists()


def test_each_export_is_a_run(store, config, fill, deid_engine, tmp_path) -> None:
    fill(3)
    result = export(store, config, version="1.0.0", engine=deid_engine)
    run = store.latest_run(EXPORT_COMMAND)
    counts = run["counts"]
    assert counts["version"] == "1.0.0" and counts["mode"] == "reference"
    assert counts["format"] == "hub" and counts["folder"] == str(result.folder)
    assert counts["sizes"] == result.sizes  # rows per config and split
    assert counts["sizes"]["German"] == {"train": 2, "validation": 1, "test": 0}
    assert counts["changes"]["added"] == 12 and counts["validation"]["failed"] == {}
    text = json.dumps(counts)
    assert "marmalade" not in text and "lonely" not in text  # counts, never texts

    with pytest.raises(CurateError, match="already released"):
        export(store, config, version="1.0.0", out_dir=tmp_path / "elsewhere")
    runs = [r for r in store.runs() if r["command"] == EXPORT_COMMAND]
    assert [r["status"] for r in runs] == ["completed", "failed"]
    assert store.latest_run(EXPORT_COMMAND)["run_id"] == run["run_id"]


def _runs(workspace, command: str) -> list[dict]:
    from curate.store import Store

    with Store.open(workspace, create=False) as store:
        return [
            {**r, "counts": json.loads(r["counts"] or "{}")}
            for r in store.runs()
            if r["command"] == command
        ]


def test_cli_validate_is_a_run(store, fill, workspace) -> None:
    fill(3)
    store.close()
    proc = run_cli("-w", str(workspace), "validate", "--no-docs", "--no-pii-scan", "--json")
    assert proc.returncode in (0, 1), proc.stderr
    printed = json.loads(proc.stdout)
    (run,) = _runs(workspace, "validate")
    counts = run["counts"]
    assert run["status"] == "completed"
    assert counts["ok"] is printed["ok"] and counts["pii_scanned"] is False
    assert counts["failures"] == {f["name"]: f["count"] for f in printed["failures"]}
    assert counts["failed"] == len(printed["failures"])
    assert counts["passed"] + counts["failed"] == counts["evaluated"] > 0
    assert "record_ids" not in json.dumps(counts)


def test_cli_deid_eval_is_a_run_and_a_user_error_a_failed_one(tmp_path, deid_engine) -> None:
    """`deid_engine` only warms the shared cache. The folder the command runs in has no
    hand-labelled real phrases beside it: synthetic figures only."""
    here = tmp_path / "project"
    here.mkdir()
    ws = tmp_path / "ws"
    eval_args = ("-w", str(ws), "deid", "eval", "--per-language", "1")
    proc = run_cli(*eval_args, "--real", str(tmp_path / "missing.jsonl"), cwd=here)
    assert proc.returncode == 2 and "no such file" in proc.stderr
    (failed,) = _runs(ws, "deid eval")  # the default --out is in the workspace: logged
    assert failed["status"] == "failed" and "real" not in failed["counts"]

    proc = run_cli(*eval_args, "--json", cwd=here)
    assert proc.returncode == 0, proc.stderr
    printed = json.loads(proc.stdout)
    _, done = _runs(ws, "deid eval")
    assert done["status"] == "completed" and done["counts"] == printed
    on_disk = json.loads((ws / "reports" / "deid-eval" / "eval_results.json").read_text())
    assert on_disk == printed
