"""The residual scan (scan_texts, `curate deid scan`) and `curate deid text`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import run_cli, write_lines

from curate.deid.scan import read_jsonl_items, scan_texts
from curate.errors import CurateError

SECRETS = ("jane.doe@example.com", "0151 23456789", "u/sleepy_owl", "sleepy_owl", "jane.doe")
LEAKS = (*SECRETS, "23456789", "example.com")

# -- scan_texts (in process, the shared engine) ----------------------------------------


def test_scan_finds_leftovers(deid_engine, config) -> None:
    items = [
        ("a", "contact me: jane.doe@example.com", "en"),
        ("b", "Ruf mich an: 0151 23456789, bitte", "de"),
        ("c", "danke <PERSON_1>, und u/sleepy_owl auch", "de"),
        (
            "d",
            "<PERSON_1> told <PERSON_2> to mail <EMAIL_ADDRESS_1> or call <PHONE_NUMBER_3>",
            "en",
        ),
        ("e", "<REDDIT_USERNAME_1> and <URL_2> and <IP_ADDRESS> posted in r/germany", "en"),
        ("f", "谢谢<PERSON_1>，邮箱<EMAIL_ADDRESS_1>。", "zh"),
    ]
    findings = scan_texts(items, config, deid_engine)
    got = sorted((f["id"], f["type"]) for f in findings)
    assert got == [
        ("a", "EMAIL_ADDRESS"),
        ("b", "PHONE_NUMBER"),
        ("c", "REDDIT_USERNAME"),
    ]
    texts = {i: t for i, t, _ in items}
    for f in findings:
        assert set(f) == {"id", "type", "start", "end", "recognizer", "score"}
        assert texts[f["id"]][f["start"] : f["end"]] in SECRETS
        assert not any(s in json.dumps(f) for s in SECRETS)  # offsets, never values


def test_scan_detects_language_when_absent(deid_engine, config) -> None:
    items = [
        ("de", "Ich fühle mich so allein, schreib mir an lukas.k@example.de wenn du magst.", None),
        ("ok", "Ich fühle mich so allein, schreib <PERSON_1> wenn du magst, bitte sehr.", None),
    ]
    findings = scan_texts(items, config, deid_engine)
    assert [(f["id"], f["type"]) for f in findings] == [("de", "EMAIL_ADDRESS")]


def test_scan_ignores_kept_types(deid_engine, config) -> None:
    """Only direct identifiers are findings: a subreddit or a nationality is not."""
    items = [("k", "I am Jewish, I posted in r/Judaism in March 2022", "en")]
    assert scan_texts(items, config, deid_engine) == []


def test_scan_empty(deid_engine, config) -> None:
    assert scan_texts([], config, deid_engine) == []


def test_read_jsonl_items(tmp_path: Path) -> None:
    good = write_lines(
        tmp_path / "in.jsonl",
        [
            {"id": 1, "text": "a"},
            "",
            {"id": "b", "text": "c", "language": "de", "culture": "German"},
        ],
    )
    assert read_jsonl_items(str(good)) == [("1", "a", None, None), ("b", "c", "de", "German")]
    bad = write_lines(tmp_path / "bad.jsonl", [{"id": 1, "text": "a"}, {"text": "no id"}])
    with pytest.raises(CurateError, match=r"bad\.jsonl:2: needs an object with id and text"):
        read_jsonl_items(str(bad))


# -- curate deid text ------------------------------------------------------------------

TEXT_INPUT = [
    {"id": "en1", "text": "Mail me at jane.doe@example.com, thanks u/sleepy_owl", "language": "en"},
    # no language: detected
    {
        "id": 2,
        "text": "Ich heiße Lukas Schneider und meine Nummer ist 0151 23456789. "
        "Ich fühle mich sehr einsam seit dem Umzug nach Berlin.",
    },
    "{not json",
    {"id": "no-text"},
    "[1, 2]",
    "",
    {"id": "zh1", "text": "😔我的朋友李伟说，邮箱li.wei@example.com。他很好，我们经常一起吃饭。"},
    {
        "id": "he1",
        "text": "קוראים לי יוסי כהן ואני גר בעיר הזאת כבר שלוש שנים ואני מרגיש בודד",
        "culture": "Jewish",
    },
    {"id": "empty", "text": "", "language": "en"},
    {"id": "nonstr", "text": 42},
]


@pytest.fixture(scope="module")
def deid_text_run(tmp_path_factory: pytest.TempPathFactory, _offline_caches) -> dict:
    tmp = tmp_path_factory.mktemp("deid-text")
    ws = tmp / "ws"
    infile = write_lines(tmp / "in.jsonl", TEXT_INPUT)
    outfile = tmp / "out.jsonl"
    proc = run_cli("-w", str(ws), "deid", "text", str(infile), "-o", str(outfile), cwd=tmp)
    return {"proc": proc, "out": outfile, "tmp": tmp}


def test_deid_text_exit_and_counts(deid_text_run: dict) -> None:
    proc = deid_text_run["proc"]
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "de-identified 5 text(s); 4 rejected line(s)" in proc.stderr
    assert "out.rejects.jsonl" in proc.stderr


def test_deid_text_rejects(deid_text_run: dict) -> None:
    rejects = deid_text_run["tmp"] / "out.rejects.jsonl"
    rows = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert [r["line"] for r in rows] == [3, 4, 5, 10]
    assert rows[0]["reason"].startswith("malformed JSON")
    assert all(r["reason"] == "needs an object with id and text" for r in rows[1:])
    assert "not json" not in rejects.read_text()  # reasons, not the line's content


def test_deid_text_output(deid_text_run: dict) -> None:
    rows = [json.loads(line) for line in deid_text_run["out"].read_text().splitlines()]
    assert [str(r["id"]) for r in rows] == ["en1", "2", "zh1", "he1", "empty"]
    by_id = {str(r["id"]): r for r in rows}
    assert [r["language"] for r in rows] == ["en", "de", "zh", "he", "en"]
    assert by_id["en1"]["text"] == "Mail me at <EMAIL_ADDRESS_1>, thanks <REDDIT_USERNAME_1>"
    assert by_id["2"]["text"].startswith(
        "Ich heiße <PERSON_1> und meine Nummer ist <PHONE_NUMBER_1>. Ich fühle"
    )
    assert by_id["zh1"]["text"].startswith("😔我的朋友<PERSON_1>说，邮箱<EMAIL_ADDRESS_1>。")
    assert by_id["he1"]["text"].startswith("קוראים לי <PERSON_1> ואני")
    assert by_id["empty"] == {"id": "empty", "language": "en", "text": "", "entities": []}
    whole = deid_text_run["out"].read_text()
    for secret in (*SECRETS, "Lukas", "Schneider", "李伟", "li.wei", "יוסי"):
        assert secret not in whole
    for row in rows:
        text = row["text"]
        for e in row["entities"]:
            assert set(e) == {"type", "start", "end", "recognizer", "score", "operator"}
            value = text[e["start"] : e["end"]]
            if e["operator"] == "keep":
                assert not re.fullmatch(r"<[A-Z_]+_\d+>", value)
            else:
                assert e["operator"] == "pseudonym"
                assert re.fullmatch(rf"<{e['type']}_\d+>", value), (row["id"], e, value)
    types = {
        str(r["id"]): [e["type"] for e in r["entities"] if e["operator"] != "keep"] for r in rows
    }
    assert types["en1"] == ["EMAIL_ADDRESS", "REDDIT_USERNAME"]
    assert types["2"] == ["PERSON", "PHONE_NUMBER"]
    assert types["zh1"] == ["PERSON", "EMAIL_ADDRESS"]
    assert types["he1"] == ["PERSON"]


def test_deid_text_missing_input(tmp_path: Path) -> None:
    proc = run_cli("-w", str(tmp_path / "ws"), "deid", "text", str(tmp_path / "absent.jsonl"))
    assert proc.returncode == 2
    assert "no such file" in proc.stderr and "Traceback" not in proc.stderr


# -- curate deid scan FILE -------------------------------------------------------------


def test_deid_scan_cli_dirty(tmp_path: Path) -> None:
    infile = write_lines(
        tmp_path / "texts.jsonl",
        [
            {"id": "t1", "text": "<PERSON_1> said hi, mail jane.doe@example.com", "language": "en"},
            {"id": "t2", "text": "Ruf mich an: 0151 23456789", "language": "de"},
            {"id": "t3", "text": "thanks <PERSON_1> and <REDDIT_USERNAME_1>", "language": "en"},
        ],
    )
    ws = tmp_path / "ws"
    proc = run_cli("-w", str(ws), "deid", "scan", str(infile), "--json", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    findings = json.loads(proc.stdout)
    assert sorted((f["id"], f["type"]) for f in findings) == [
        ("t1", "EMAIL_ADDRESS"),
        ("t2", "PHONE_NUMBER"),
    ]
    for secret in LEAKS:
        assert secret not in proc.stdout + proc.stderr
    # the table too: ids and types, never values
    proc = run_cli("-w", str(ws), "deid", "scan", str(infile), cwd=tmp_path)
    assert proc.returncode == 1
    assert "EMAIL_ADDRESS" in proc.stdout and "t2" in proc.stdout
    for secret in LEAKS:
        assert secret not in proc.stdout + proc.stderr


def test_deid_scan_cli_clean_on_deid_text_output(deid_text_run: dict) -> None:
    """What `curate deid text` wrote passes the residual scan."""
    proc = run_cli(
        "-w", str(deid_text_run["tmp"] / "ws"), "deid", "scan", str(deid_text_run["out"])
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no direct identifier found" in proc.stdout


def test_deid_scan_cli_bad_input(tmp_path: Path) -> None:
    ws = str(tmp_path / "ws")
    proc = run_cli("-w", ws, "deid", "scan", str(tmp_path / "absent.jsonl"))
    assert proc.returncode == 2 and "no such file" in proc.stderr
    bad = write_lines(tmp_path / "bad.jsonl", ['{"id": "x", "text": "jane.doe@example.com"', ""])
    proc = run_cli("-w", ws, "deid", "scan", str(bad))
    assert proc.returncode == 2
    assert "bad.jsonl:1: malformed JSON" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert "jane.doe" not in proc.stdout + proc.stderr
