"""The synthetic demo corpus: reproducible, its PII ground truth exact, its edge cases there.

The culture check mirrors the documented default rule ([reddit.culture_map] in
curate/defaults.toml) so that a template edit that breaks culture assignment fails here,
independently of the ingest code.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
import zstandard

from curate.synthetic import dump

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "demo"
FILES = (
    "reddit/RS_demo.zst",
    "reddit/RC_demo.zst",
    "pii_truth.jsonl",
    *(
        f"careless/{name}"
        for name in (
            "RS_careless.zst",
            "RC_careless.zst",
            "survey.csv",
            "forum.jsonl",
            "German_data.jsonl",
            "export.parquet",
        )
    ),
)
SKIP_BODIES = {"[deleted]", "[removed]"}


def _ndjson(data: bytes) -> list[dict]:
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


def _unzst(data: bytes) -> bytes:
    """Decompressed as far as it goes: a truncated file (demo/careless) has no end marker,
    which `ZstdDecompressor().decompress` refuses."""
    return zstandard.ZstdDecompressor().decompressobj().decompress(data)


def _read(path: Path) -> list[dict]:
    data = path.read_bytes()
    if path.suffix == ".zst":
        data = zstandard.ZstdDecompressor().decompress(data)
    return _ndjson(data)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return dump.generate(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def corpus(generated: dict[str, Path]) -> dict[str, list[dict]]:
    return {
        "rs": _read(generated["submissions"]),
        "rc": _read(generated["comments"]),
        "pii": _read(generated["pii"]),
    }


def test_regeneration_is_byte_identical_to_committed(generated: dict[str, Path]) -> None:
    out = generated["pii"].parent
    written = {p.relative_to(out).as_posix() for p in generated.values()}
    assert written == set(FILES), "a generated file is not checked here (or vice versa)"
    assert {p.name for p in (COMMITTED / "careless").iterdir()} == {
        Path(n).name for n in FILES if n.startswith("careless/")
    }, "demo/careless/ holds a file the generator does not write"
    for name in FILES:
        assert (COMMITTED / name).is_file(), f"missing {name}: python -m curate.synthetic.dump demo"
        new, old = (out / name).read_bytes(), (COMMITTED / name).read_bytes()
        if name.endswith(".zst"):  # compare content first for a readable failure
            assert _unzst(new) == _unzst(old), name
        assert new == old, f"{name} differs: regenerate with python -m curate.synthetic.dump demo"


def test_same_seed_same_bytes_other_seed_differs(tmp_path: Path) -> None:
    a = dump.generate(tmp_path / "a", n_posts=24, seed=3)
    b = dump.generate(tmp_path / "b", n_posts=24, seed=3)
    c = dump.generate(tmp_path / "c", n_posts=24, seed=4)
    assert a["submissions"].read_bytes() == b["submissions"].read_bytes()
    assert a["comments"].read_bytes() == b["comments"].read_bytes()
    assert a["submissions"].read_bytes() != c["submissions"].read_bytes()


def test_reddit_fields(corpus: dict) -> None:
    rs, rc = corpus["rs"], corpus["rc"]
    assert len(rs) == 60
    ids = {p["id"] for p in rs}
    assert len(ids) == len(rs)
    for p in rs:
        assert p["name"] == "t3_" + p["id"]
        assert p["permalink"] == f"/r/{p['subreddit']}/comments/{p['id']}/" + (
            p["permalink"].split("/")[5] + "/"
        )
        assert p["url"] == "https://www.reddit.com" + p["permalink"]
        assert p["is_self"] is True and p["over_18"] is False
        assert isinstance(p["created_utc"], int) and p["subreddit_id"].startswith("t5_")
    per_post = Counter(c["link_id"][3:] for c in rc)
    assert {p["id"]: p["num_comments"] for p in rs} == {i: per_post[i] for i in ids}
    comment_ids = {c["id"] for c in rc}
    assert len(comment_ids) == len(rc)
    created = {c["id"]: c["created_utc"] for c in rc}
    for c in rc:
        assert c["name"] == "t1_" + c["id"] and c["link_id"][3:] in ids
        if c["parent_id"].startswith("t1_"):
            assert c["parent_id"][3:] in comment_ids
            assert created[c["parent_id"][3:]] < c["created_utc"]
        else:
            assert c["parent_id"] == c["link_id"]
        assert c["permalink"].endswith(f"/{c['id']}/")


def test_sidecar_spans_match_their_text(corpus: dict) -> None:
    texts = {("submission", p["id"]): p for p in corpus["rs"]}
    texts |= {("comment", c["id"]): c for c in corpus["rc"]}
    pii = corpus["pii"]
    assert pii
    for span in pii:
        item = texts[(span["kind"], span["source_id"])]
        assert span["field"] in item and span["field"] in ("title", "selftext", "body")
        assert item[span["field"]][span["start"] : span["end"]] == span["text"], span
    types = Counter(s["type"] for s in pii)
    want = {"PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "REDDIT_USERNAME", "URL", "IP_ADDRESS"}
    assert set(types) == want
    assert 1 <= types["IP_ADDRESS"] <= 2
    assert {s["kind"] for s in pii} == {"submission", "comment"}
    persons = {s["text"] for s in pii if s["type"] == "PERSON"}
    assert any(re.search(r"[\u0600-\u06ff]", n) for n in persons)
    assert any(re.search(r"[\u0590-\u05ff]", n) for n in persons)
    assert any(re.search(r"[\u4e00-\u9fff]", n) for n in persons)
    phones = {s["text"] for s in pii if s["type"] == "PHONE_NUMBER"}
    assert any(p.startswith("+") for p in phones) and any(not p.startswith("+") for p in phones)
    users = {s["text"] for s in pii if s["type"] == "REDDIT_USERNAME"}
    assert {u.split("u/")[0] if "u/" in u else "@" for u in users} >= {"", "/", "@"}


def test_languages_and_scripts(corpus: dict) -> None:
    texts = [p["title"] + "\n" + p["selftext"] for p in corpus["rs"]]

    def count(pattern: str) -> int:
        return sum(bool(re.search(pattern, t, re.DOTALL)) for t in texts)

    assert count(r"[\u0600-\u06ff]") >= 3  # Arabic
    assert count(r"[\u0590-\u05ff]") >= 3  # Hebrew
    assert count(r"[\u4e00-\u9fff]") >= 3  # Chinese
    assert count(r"\b(ich|nicht|und)\b.*\b(mich|mir|meine)\b") >= 3  # German
    assert count(r"\b(I|my|and)\b.*\bthe\b") >= 20  # English, the majority
    assert any(e in t for t in texts for e in ("😔", "🙏"))


def test_ingest_of_the_demo_dump(config, store) -> None:
    """The real ingest on the committed dump: every regular post gets a culture, the
    edge cases land where they belong, nothing is quarantined, and counts reconcile."""
    from curate.ingest import ingest

    report = ingest([COMMITTED / "reddit"], config, store)
    assert report.reconciles()
    totals = report.totals
    assert totals["read"] == 60 and totals["quarantined"] == 0
    assert totals["duplicate"] == 2
    assert report.skipped_reasons["deleted or removed"] == 2
    assert report.skipped_reasons["bot author"] == 1
    assert report.skipped_reasons["no culture: subreddit not in the culture map"] == 1
    assert totals["kept"] + totals["duplicate"] == 56
    kept = {c: n["kept"] + n["duplicate"] for c, n in report.cultures.items() if n["kept"]}
    assert set(kept) == {"German", "Arabic", "Chinese", "Jewish"}
    assert min(kept.values()) >= 10
    records = list(store.iter_records())
    assert all(r.source.response_id for r in records)
    langs = Counter(r.language for r in records)
    assert {"en", "de", "ar", "he", "zh"} <= set(langs)
    # the peer response is never the post author's own reply
    rc = {c["id"]: c for c in _read(COMMITTED / "reddit" / "RC_demo.zst")}
    rs = {p["id"]: p for p in _read(COMMITTED / "reddit" / "RS_demo.zst")}
    for r in records:
        assert rc[r.source.response_id]["author"] != rs[r.source.source_id]["author"]
    assert ingest([COMMITTED / "reddit"], config, store).totals["new"] == 0


def test_submission_edge_cases(corpus: dict) -> None:
    rs = corpus["rs"]
    assert sum(p["selftext"] == "[removed]" for p in rs) == 1
    assert sum(p["selftext"] == "[deleted]" for p in rs) == 1
    assert sum(p["author"] == "AutoModerator" for p in rs) == 1
    assert sum(p["subreddit"] == "gardening" for p in rs) == 1

    def norm(p: dict) -> str:
        text = p["title"] + "\n" + p["selftext"]
        return " ".join(unicodedata.normalize("NFKC", text).casefold().split())

    live = [p for p in rs if p["selftext"] not in SKIP_BODIES]
    groups = Counter(norm(p) for p in live)
    assert sum(n - 1 for n in groups.values()) == 2
    raw = Counter(p["title"] + "\n" + p["selftext"] for p in live)
    assert sum(n - 1 for n in raw.values()) == 1  # one exact copy, one case/space variant


def test_comment_edge_cases(corpus: dict) -> None:
    rs, rc = corpus["rs"], corpus["rc"]
    op = {"t3_" + p["id"]: p["author"] for p in rs}
    op_top = [c for c in rc if c["author"] == op[c["link_id"]] and c["parent_id"] == c["link_id"]]
    assert op_top, "an OP top-level comment must exist (and must not be the peer response)"
    assert any(c["author"] == "AutoModerator" for c in rc)
    assert sum(c["body"] == "[deleted]" for c in rc) >= 1
    assert sum(c["body"] == "[removed]" for c in rc) >= 1
    assert sum(c["parent_id"].startswith("t1_") for c in rc) >= 10
    top = Counter(c["link_id"] for c in rc if c["parent_id"] == c["link_id"])
    assert all(top[link] >= 1 for link in op)
    assert len({c["score"] for c in rc}) > 20
    peer = [
        c
        for c in rc
        if c["parent_id"] == c["link_id"]
        and c["author"] not in ("AutoModerator", "[deleted]", op[c["link_id"]])
        and c["body"] not in SKIP_BODIES
        and c["subreddit"] != "gardening"
    ]
    sizes = [len(c["body"].split()) for c in peer if c["body"].isascii()]
    assert sizes and min(sizes) >= 40 and max(sizes) <= 120
