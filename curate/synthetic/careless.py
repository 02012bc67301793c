"""A deterministic generator of a small *careless input* folder, `demo/careless/`.

Why it exists: the demo shows what curate does with good input; this folder shows what
it does with the input real users hand over: a dump whose download stopped, lines with
half an emoji or a number where a name belongs, a CSV saved by Excel, a label column
holding someone's e-mail address, a Parquet file that is only its first four bytes. Each
file shows one family of cases from docs/ingest.md ("What happens to bad input"), so the
demo (scripts/demo.sh) and tests/synthetic/test_careless.py can run the real ingest on them.

Text comes from `curate.synthetic.dump`'s template sentences (no real Reddit text, no real people);
the one planted identifier, `PLANTED_LABEL`, is fictional (an example.org address).
Nothing is random: the same code writes the same bytes, so the committed files are
checked by regenerating them (tests/synthetic/test_dump.py).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import zstandard

from curate.schema import load_taxonomy
from curate.synthetic.common import CUES_EN, EPOCH_START, ZSTD_LEVEL, T

# An intensity label a careless annotator typed into the wrong cell. The apostrophe is
# deliberate: it once defeated the masking of quoted values (issue 12, point 2).
PLANTED_LABEL = "Mara's mail is mara.careless@example.org"
NESTING = 10_000  # levels of `[`: deeper than Python's JSON parser goes


def _line(obj: dict[str, Any], ascii_only: bool = False) -> bytes:
    """One NDJSON line; `ascii_only` writes escapes, the only way to write a lone
    surrogate (`"\\ud83d"`), which UTF-8 cannot encode."""
    text = json.dumps(obj, sort_keys=True, ensure_ascii=ascii_only, separators=(",", ":"))
    return text.encode("utf-8") + b"\n"


def _submission(pid: str, sub: str, title: str, sentences: list[str], when: int) -> dict:
    permalink = f"/r/{sub}/comments/{pid}/careless/"
    return {
        "author": f"careless_{pid}",
        "created_utc": when,
        "id": pid,
        "name": "t3_" + pid,
        "permalink": permalink,
        "score": 3,
        "selftext": " ".join(sentences),
        "subreddit": sub,
        "title": title,
    }


def _comment(cid: str, post: dict, sentences: list[str], score: int | float) -> dict:
    """A top-level comment on `post`, its time taken from its own id, not from the post:
    a post's timestamp may be the careless one."""
    return {
        "author": f"helper_{cid}",
        "body": " ".join(sentences),
        "created_utc": EPOCH_START + 86400 * int(cid[-1]) + 3600,
        "id": cid,
        "link_id": "t3_" + post["id"],
        "name": "t1_" + cid,
        "parent_id": "t3_" + post["id"],
        "score": score,
        "subreddit": post["subreddit"],
    }


def _posts() -> list[dict]:
    de, en = T["de"], T["en"]
    return [
        _submission(
            "cc0001",
            "germany",
            de["title"][0],
            [de["open"][0], de["cue"][4], de["detail"][0], de["close"][1]],
            EPOCH_START + 86400,
        ),
        # half an emoji: the high surrogate of 😔 without its low half
        _submission(
            "cc0002",
            "lonely",
            en["title"][5].replace("😔", "\ud83d"),
            [en["open"][0], CUES_EN["Chinese"][1], en["close"][0]],
            EPOCH_START + 2 * 86400,
        ),
        # a timestamp beyond a 64-bit integer: the post is kept, the timestamp left empty
        _submission(
            "cc0003",
            "judaism",
            en["title"][0],
            [en["open"][4], CUES_EN["Jewish"][0], en["detail"][1], en["close"][2]],
            10**30,
        ),
        {
            **_submission(
                "cc0004",
                "egypt",
                en["title"][2],
                [en["open"][1], CUES_EN["Arabic"][2], en["close"][1]],
                EPOCH_START + 4 * 86400,
            ),
            "author": 12345,
        },
        _submission(
            "cc0005",
            "arabs",
            en["title"][4],
            [en["open"][2], CUES_EN["Arabic"][0], en["detail"][3], en["close"][3]],
            EPOCH_START + 5 * 86400,
        ),
    ]


def _truncated_zst(data: bytes) -> bytes:
    """`data` as one zstd frame whose last block never came: compressed and flushed to a
    block boundary, without the end of the frame. Every line decodes cleanly; only the
    missing end marker tells that the download stopped (docs/ingest.md)."""
    cobj = zstandard.ZstdCompressor(level=ZSTD_LEVEL).compressobj()
    return cobj.compress(data) + cobj.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK)


def _reddit(out: Path) -> dict[str, Path]:
    posts = _posts()
    rs = b"".join(_line(p, ascii_only=p["id"] == "cc0002") for p in posts)
    de, en = T["de"], T["en"]
    comments = [
        _comment("cx0001", posts[0], [de["r_open"][0], de["r_mid"][1], de["r_close"][1]], 12),
        _comment("cx0002", posts[0], [de["r_open"][1], de["r_mid"][3]], 1e30),
        _comment("cx0003", posts[2], [en["r_open"][1], en["r_mid"][0], en["r_close"][2]], 8),
        _comment("cx0004", posts[4], [en["r_open"][2], en["r_mid"][2], en["r_close"][0]], 5),
    ]
    paths = {
        "careless_submissions": out / "RS_careless.zst",
        "careless_comments": out / "RC_careless.zst",
    }
    paths["careless_submissions"].write_bytes(_truncated_zst(rs))
    cctx = zstandard.ZstdCompressor(level=ZSTD_LEVEL, write_content_size=True)
    paths["careless_comments"].write_bytes(cctx.compress(b"".join(map(_line, comments))))
    return paths


def _csv(path: Path) -> Path:
    """Saved by Excel: a byte-order mark, CRLF line ends, and one row with a cell too
    many (a comma typed into an unquoted cell)."""
    rows = [
        ["id", "culture", "language", "text"],
        ["s1", "German", "de", " ".join([T["de"]["open"][2], T["de"]["detail"][2]])],
        ["s2", "Chinese", "zh", "".join([T["zh"]["open"][1], T["zh"]["detail"][1]])],
        ["s3", "Arabic", "en", CUES_EN["Arabic"][1], " and I cannot tell anyone"],
        ["s4", "Jewish", "he", " ".join([T["he"]["open"][3], T["he"]["detail"][0]])],
    ]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))
    return path


def _jsonl(path: Path) -> Path:
    """A forum export: a list where a text belongs, and a thread nested past any parser."""
    en = T["en"]
    rows = [
        {"id": "f1", "culture": "German", "text": " ".join([en["open"][3], CUES_EN["German"][2]])},
        {"id": "f2", "culture": "Chinese", "text": [en["open"][5], CUES_EN["Chinese"][0]]},
        {"id": "f4", "culture": "Jewish", "text": " ".join([en["open"][1], CUES_EN["Jewish"][3]])},
    ]
    deep = {"id": "f3", "culture": "Arabic", "text": en["detail"][4], "thread": "NEST"}
    nest = b"[" * NESTING + b"]" * NESTING  # json.dumps itself cannot write it
    deep_line = _line(deep).replace(b'"NEST"', nest)
    lines = [_line(rows[0]), _line(rows[1]), deep_line, _line(rows[2])]
    path.write_bytes(b"".join(lines))
    return path


def _release_line(pid: str, distress: list[tuple[str, Any]], demographics: dict) -> dict:
    """A release line; demographics the taxonomy names and `demographics` leaves out are
    "unknown", as in the release."""
    # Labels come from the taxonomy (schemas/), never spelled out in code.
    de, tax = T["de"], load_taxonomy()
    fields, reassurance = tax.demographic_fields, tax.family("emotional_support").values[4]
    return {
        "culture": "German",
        "post": {
            "cultural_signals": [{"phrase": "Abitur", "type": "Knowledge"}],
            "demographic_info": {**dict.fromkeys(fields, "unknown"), **demographics},
            "emotional_distress": [{"intensity": v, "phrase": p} for p, v in distress],
            "text": f"https://example.org/r/de/comments/{pid}/careless/",
        },
        "post_id": pid,
        "response": {
            "cultural_signals": [],
            "emotional_support": [{"phrase": de["r_mid"][3], "strategy": reassurance}],
            "empathy_score": tax.empathy[4],
        },
    }


def _culturecare(path: Path) -> Path:
    """The release format: one clean line, then one whose intensity label is an e-mail-like
    sentence and whose age is NaN (a spreadsheet's empty number)."""
    lines = [
        _release_line(
            "careless1",
            [("ich bin seit Monaten einsam", "moderate"), ("weiß nicht mehr weiter", "high")],
            {"gender": "weiblich", "age": "23"},
        ),
        _release_line(
            "careless2",
            [("so traurig", "high"), ("abends einfach nur noch weine", PLANTED_LABEL)],
            {"gender": "männlich", "age": float("nan")},
        ),
    ]
    path.write_bytes(b"".join(map(_line, lines)))
    return path


def generate(out_dir: Path) -> dict[str, Path]:
    """Write the careless input files into `out_dir` (created); returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = _reddit(out_dir)
    paths["careless_csv"] = _csv(out_dir / "survey.csv")
    paths["careless_jsonl"] = _jsonl(out_dir / "forum.jsonl")
    paths["careless_culturecare"] = _culturecare(out_dir / "German_data.jsonl")
    paths["careless_parquet"] = out_dir / "export.parquet"
    paths["careless_parquet"].write_bytes(b"PAR1")  # the magic bytes, and nothing else
    return paths
