"""Bad input never crashes a run and is never lost: each bad line lands in the
quarantine with where it was and why, and the counts still reconcile. Raw text of a
quarantined line never shows in the command's output."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from helpers import comment, run_cli, submission, write_lines

from curate.config import load_config
from curate.ingest import NO_CULTURE, ingest
from curate.quarantine import read_quarantine

MAX_BYTES = 2000
SECRETS = (
    "SECRETMALFORMED7f3a",
    "SECRETLATIN9c1e",
    "SECRETARRAY2b7d",
    "SECRETNOSUB4e5f",
    "SECRETOVERSIZED8a9b",
    "SECRETNULLSUB1d2c",
)

MALFORMED = (
    b'{"id": "p2", "subreddit": "germany", "title": "SECRETMALFORMED7f3a einsam", '
    b'"selftext": "abgeschnitten'
)
LATIN1 = json.dumps(
    submission("p3", selftext="Grüße aus München, ich bin so einsam SECRETLATIN9c1e"),
    ensure_ascii=False,
).encode("latin-1")
ARRAY = b'["SECRETARRAY2b7d", 1, 2]'
NO_SUBREDDIT = {
    k: v
    for k, v in submission("p4", selftext="Ich bin einsam SECRETNOSUB4e5f").items()
    if k != "subreddit"
}
OVERSIZED = json.dumps(
    submission("p5", selftext="Ich bin einsam " + "sehr " * 500 + "SECRETOVERSIZED8a9b")
).encode()
NULL_SUBREDDIT = submission("p6", subreddit=None, selftext="Ich bin einsam SECRETNULLSUB1d2c")

GOOD_1 = submission("p1")
GOOD_2 = submission(
    "p7", title="Heimweh", selftext="Ich vermisse meine Familie in Wien und bin oft traurig."
)
RESPONSE = comment("c1", "p1", "Du bist nicht allein, schreib mir gerne jederzeit.")

LINES: list = [
    GOOD_1,  # 1
    MALFORMED,  # 2
    LATIN1,  # 3
    b"",  # 4 (blank: not an input unit)
    ARRAY,  # 5
    NO_SUBREDDIT,  # 6
    OVERSIZED,  # 7
    GOOD_2,  # 8
    RESPONSE,  # 9 (a comment: counted under comments, not records)
    b"   ",  # 10 (blank)
    NULL_SUBREDDIT,  # 11
]
SUBMISSION_LINES = 8  # non-blank lines that are not comments


def _toml(tmp_path: Path) -> Path:
    path = tmp_path / "curate.toml"
    path.write_text(f"[ingest]\nmax_record_bytes = {MAX_BYTES}\n", encoding="utf-8")
    return path


def _dump(tmp_path: Path) -> Path:
    return write_lines(tmp_path / "dump.jsonl", LINES)


def test_sanity_of_the_synthetic_lines():
    assert len(OVERSIZED) > MAX_BYTES
    assert all(len(json.dumps(x).encode()) < MAX_BYTES for x in (GOOD_1, GOOD_2, RESPONSE))
    with pytest.raises(UnicodeDecodeError):
        LATIN1.decode("utf-8")


def test_every_bad_line_is_quarantined(tmp_path: Path, workspace, store):
    config = load_config(_toml(tmp_path), workspace)
    path = _dump(tmp_path)
    report = ingest([path], config, store)

    assert report.reconciles()
    totals = report.totals
    assert totals["read"] == SUBMISSION_LINES
    assert totals["read"] == (
        totals["kept"] + totals["duplicate"] + totals["skipped"] + totals["quarantined"]
    )
    got = {
        k: {c: v[c] for c in ("read", "kept", "duplicate", "skipped", "quarantined")}
        for k, v in report.cultures.items()
    }
    assert got == {
        "German": {"read": 2, "kept": 2, "duplicate": 0, "skipped": 0, "quarantined": 0},
        NO_CULTURE: {"read": 6, "kept": 0, "duplicate": 0, "skipped": 0, "quarantined": 6},
    }
    assert dict(report.comments) == {"read": 1, "candidates": 1}
    assert sorted(r.source.source_id for r in store.iter_records()) == ["p1", "p7"]

    qpath = Path(report.quarantine_path)
    assert qpath.is_file()
    assert qpath.parent == store.root / "quarantine"
    entries = read_quarantine(qpath)
    by_line = {e["line"]: e for e in entries}
    assert len(entries) == 6
    assert sorted(by_line) == [2, 3, 5, 6, 7, 11]
    for e in entries:
        assert e["file"] == str(path)
        assert e["kind"] == "record"
        assert set(e) >= {"file", "line", "kind", "reason", "payload", "payload_encoding"}

    assert by_line[2]["reason"].startswith("malformed JSON: ")
    assert by_line[2]["payload_encoding"] == "text"
    assert by_line[2]["payload"] == MALFORMED.decode()

    first_bad = next(i for i, b in enumerate(LATIN1) if b >= 0x80)
    assert by_line[3]["reason"] == f"not UTF-8 (byte {first_bad})"
    assert by_line[3]["payload_encoding"] == "base64"
    assert base64.b64decode(by_line[3]["payload"]) == LATIN1

    assert by_line[5]["reason"] == "JSON value is a list, not an object"
    assert by_line[5]["payload"] == ARRAY.decode()

    assert by_line[6]["reason"] == "neither a Reddit submission nor a comment"
    assert json.loads(by_line[6]["payload"]) == NO_SUBREDDIT

    assert by_line[7]["reason"] == f"oversized line ({len(OVERSIZED)} bytes > {MAX_BYTES})"
    assert by_line[7]["payload"] == OVERSIZED.decode()

    assert by_line[11]["reason"] == "submission without id or subreddit"
    assert json.loads(by_line[11]["payload"]) == NULL_SUBREDDIT


def test_quarantined_lines_keep_exact_line_numbers_in_compressed_input(
    tmp_path: Path, workspace, store
):
    config = load_config(_toml(tmp_path), workspace)
    path = write_lines(tmp_path / "dump.zst", [GOOD_1, b"", b"", ARRAY, MALFORMED], "zst")
    report = ingest([path], config, store)
    assert report.reconciles()
    assert report.totals["read"] == 3
    entries = read_quarantine(Path(report.quarantine_path))
    assert [(e["line"], e["payload"]) for e in entries] == [
        (4, ARRAY.decode()),
        (5, MALFORMED.decode()),
    ]


def test_no_quarantine_file_when_nothing_is_rejected(tmp_path: Path, config, store):
    report = ingest([write_lines(tmp_path / "d.jsonl", [GOOD_1, RESPONSE])], config, store)
    assert report.quarantine_path is None
    assert report.totals["quarantined"] == 0
    assert not list((store.root / "quarantine").glob("*.jsonl"))


# -- the command line ----------------------------------------------------------------------


def _assert_private(proc) -> None:
    for secret in SECRETS:
        assert secret not in proc.stdout
        assert secret not in proc.stderr


def test_cli_ingest_with_bad_lines(tmp_path: Path):
    path, toml = _dump(tmp_path), _toml(tmp_path)
    proc = run_cli(
        "-c", str(toml), "-w", str(tmp_path / "ws"), "ingest", str(path), "--no-progress"
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "quarantine:" in proc.stdout
    assert "read = kept + duplicate + skipped + quarantined: yes" in proc.stdout
    _assert_private(proc)


def test_cli_strict_fails_when_anything_is_quarantined(tmp_path: Path):
    path, toml = _dump(tmp_path), _toml(tmp_path)
    proc = run_cli(
        "-c",
        str(toml),
        "-w",
        str(tmp_path / "ws"),
        "ingest",
        str(path),
        "--no-progress",
        "--strict",
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "--strict: 6 input(s) quarantined" in proc.stderr
    _assert_private(proc)


def test_cli_strict_passes_on_clean_input(tmp_path: Path):
    path = write_lines(tmp_path / "clean.jsonl", [GOOD_1, GOOD_2, RESPONSE])
    proc = run_cli("-w", str(tmp_path / "ws"), "ingest", str(path), "--no-progress", "--strict")
    assert proc.returncode == 0, proc.stderr


def test_cli_json_report(tmp_path: Path):
    path, toml = _dump(tmp_path), _toml(tmp_path)
    ws = tmp_path / "ws"
    proc = run_cli("-c", str(toml), "-w", str(ws), "ingest", str(path), "--no-progress", "--json")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    data = json.loads(proc.stdout)
    assert data["reconciles"] is True
    assert data["status"] == "completed"
    assert data["total"]["read"] == SUBMISSION_LINES
    assert data["total"]["kept"] == 2
    assert data["total"]["quarantined"] == 6
    assert data["comments"] == {"read": 1, "candidates": 1}
    assert Path(data["quarantine"]).parent == ws / "quarantine"
    assert len(read_quarantine(Path(data["quarantine"]))) == 6
    _assert_private(proc)


@pytest.mark.parametrize(
    "name",
    [
        "missing.jsonl",
        "a-rather-long-folder-name-" * 4 + "/x.jsonl",
    ],
)
def test_cli_nonexistent_input_is_a_user_error(tmp_path: Path, name: str):
    missing = tmp_path / name
    proc = run_cli("-w", str(tmp_path / "ws"), "ingest", str(missing), "--no-progress")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error:")
    assert str(missing) in lines[0]
