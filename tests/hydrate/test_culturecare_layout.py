"""Hydrating the original CultureCare layout (`{Culture}_data.jsonl`, `post.text` = URL)
from a small synthetic dump: the response is the comment holding the response phrases
(or, without phrases, the ingest's rule), bad and repeated lines are quarantined, and
the records are the ones `curate ingest` of the same file makes, now with texts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import SHARED_CULTURECARE, comment, submission, write_lines

from curate.config import load_config
from curate.hydrate import reference
from curate.hydrate.run import hydrate
from curate.ingest import ingest
from curate.quarantine import read_quarantine
from curate.store import Store

DEMO_INFO = {"settlement": "unknown", "gender": "Female", "age": "24", "religion": "unknown"}

POST_DE = (
    "Seit dem Umzug nach Berlin fühle ich mich so einsam. Mein Chef sagt, Gefühle gehören "
    "nicht ins Büro. Schreib mir an lena.schmidt87@example.com, bitte."
)
RESPONSE_DE = "Das klingt wirklich schwer. Hast du jemanden in der Nähe, mit dem du reden kannst?"
POST_AR = (
    "I moved to Cairo for work and I feel so lonely. During Ramadan everyone is with family "
    "and I sit alone at iftar."
)
POST_HE = "I keep Shabbat alone now and I feel anxious every Friday evening."
TITLE_HE = "Lonely since my divorce"


def _line(culture, post_id, distress, signals=(), support=(), empathy="", response_signals=()):
    return {
        "culture": culture,
        "post_id": post_id,
        "post": {
            "text": f"https://www.reddit.com/comments/{post_id}",
            "emotional_distress": [{"phrase": p, "intensity": i} for p, i in distress],
            "cultural_signals": [{"phrase": p, "type": t} for p, t in signals],
            "demographic_info": DEMO_INFO,
        },
        "response": {
            "emotional_support": [{"phrase": p, "strategy": s} for p, s in support],
            "cultural_signals": [{"phrase": p, "type": t} for p, t in response_signals],
            "empathy_score": empathy,
        },
    }


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    ref = tmp_path / "release"
    ref.mkdir()
    write_lines(
        ref / "German_data.jsonl",
        [
            _line(
                "German",
                "de0001",
                # reference phrases with a double space and a newline: the dump has single
                [("fühle ich mich  so\neinsam", "moderate"), ("Gefühle gehören nicht", "None")],
                [("Mein Chef sagt", "Norms and Morals")],
                [("Hast du jemanden in der Nähe", "Questions")],
                "3 moderately empathetic",
            ),
            _line("German", "de0001", [("einsam", "light")]),  # the same post again
            b'{"culture": "German", "post_id": "de0002", "post": ',  # malformed
        ],
    )
    write_lines(
        ref / "Arabic_data.jsonl",
        [
            _line("Arabic", "ar0001", [("I feel so lonely", "high")], [("Ramadan", "Concepts")]),
            _line("Klingon", "kl0001", [("lonely", "high")]),
        ],
    )
    write_lines(
        ref / "Jewish_data.jsonl",
        [
            _line(
                "Jewish",
                170123,  # a numeric post id, as some releases have them
                [("I feel anxious every Friday evening", "moderate"), ("Lonely since", "light")],
            ),
            _line("Jewish", "gone01", [("anything at all", "light")]),
        ],
    )
    dump = tmp_path / "dump"
    dump.mkdir()
    write_lines(
        dump / "RS_2024-01.zst",
        [
            submission("de0001", selftext=POST_DE, author="lena"),
            submission("ar0001", "arabs", "Lonely in Cairo", POST_AR, author="omar"),
            submission("170123", "judaism", TITLE_HE, POST_HE, author="miriam"),
            submission("zz9999", "germany", "Something else", "Not wanted here.", author="x"),
        ],
        compress="zst",
    )
    write_lines(
        dump / "RC_2024-01.zst",
        [
            # de0001: the response is the comment with the phrases, not the top-scored
            comment("c1", "de0001", "Kopf hoch, das wird schon wieder gut werden!", score=50),
            comment("c2", "de0001", RESPONSE_DE, score=3),
            comment("c3", "de0001", "Hast du jemanden? Ich weiß es nicht.", "other", 9, "t1_c2"),
            # ar0001: no response phrases: the rule (top score), OP and bots excluded
            comment("c4", "ar0001", "Thank you all for the kind words here.", "omar", 99),
            comment("c5", "ar0001", "I am a bot, this action was performed.", "AutoModerator", 80),
            comment("c6", "ar0001", "Ramadan alone is hard, please visit a mosque.", "p1", 20),
            comment("c7", "ar0001", "You are not alone in feeling this way friend.", "p2", 10),
        ],
        compress="zst",
    )
    return ref, dump


def test_culturecare_layout_is_hydrated(inputs, tmp_path, deid_engine) -> None:
    ref, dump = inputs
    config = load_config(None, tmp_path / "ws")
    with Store.open(config.workspace) as store:
        # the reference ingested first, as `curate ingest` reads it: hydrating revises
        # the same records (same ids), now with texts and offsets
        ingest([ref], config, store)
        before = {r.source.source_id: r.id for r in store.iter_records()}
        report = hydrate([ref, dump], config, store, engine=deid_engine, workers=1)
        data = report.to_dict()
        records = {r.source.source_id: r for r in store.iter_records()}
        originals = {sid: store.vault.original(r.id) for sid, r in records.items()}
        gone_revisions = store.revisions(before["gone01"])

    assert data["reconciles"]
    assert data["reference"]["rows"] == 7
    assert data["reference"]["wanted"] == 4 and data["reference"]["quarantined"] == 3
    assert data["reference"]["duplicate"] == 1
    reasons = sorted(e["reason"] for e in read_quarantine(Path(report.quarantine_path)))
    assert any("already wanted" in r for r in reasons)
    assert "culture is not in the taxonomy" in reasons  # not the value ("Klingon")
    assert any("malformed JSON" in r for r in reasons)
    assert data["items"]["total"] == {
        "wanted": 4, "hydrated": 3, "edited": 0, "deleted": 0, "missing": 1,
    }  # fmt: skip
    assert data["stored"]["total"]["revised"] == 3 and data["stored"]["total"]["new"] == 0
    assert {sid: r.id for sid, r in records.items()} == before  # ids as ingest gives them

    # German: texts back; the response holding the phrases, not the top-scored comment
    de_record, de_raw = originals["de0001"]
    assert de_raw.text == POST_DE and de_raw.response == RESPONSE_DE
    assert records["de0001"].source.response_id == "c2"
    spans = {s.text: s for s in de_record.spans}
    moved = spans["fühle ich mich so einsam"]  # normalized: the span is the raw text's
    assert POST_DE[moved.start : moved.end] == "fühle ich mich so einsam"
    assert spans["Gefühle gehören nicht"].attributes == {"intensity": None}  # "None" kept null
    assert RESPONSE_DE[spans["Hast du jemanden in der Nähe"].start :].startswith("Hast du")
    # de-identified: the e-mail is gone from the record, not from the vault
    assert "lena.schmidt87@example.com" not in records["de0001"].post_text
    assert "<EMAIL_ADDRESS_1>" in records["de0001"].post_text
    assert records["de0001"].empathy == 3

    # Arabic: no response phrases: the top-scored comment that is no bot and not the OP's
    assert originals["ar0001"][1].response.startswith("Ramadan alone is hard")
    assert data["responses"]["total"]["by_rule"] == 1

    # Jewish: a numeric post id; a phrase only in the title is kept without offsets
    he_record, he_raw = originals["170123"]
    assert he_raw.text == POST_HE and he_raw.title == TITLE_HE
    title_span = next(s for s in he_record.spans if s.text == "Lonely since")
    assert title_span.start is None
    assert any("only in the post title" in d["problem"] for d in he_record.defects)
    assert data["notes"]["total"]["in_title"] == 1
    # not in the dumps: hydrate leaves the ingested record as it was (no new revision)
    assert [r["revision"] for r in gone_revisions] == [1]
    assert all(r["run_id"] != report.run_id for r in gone_revisions)

    items = [json.loads(x) for x in Path(report.items_path).read_text().splitlines()]
    assert {i["post_id"]: i["status"] for i in items} == {
        "de0001": "hydrated", "ar0001": "hydrated", "170123": "hydrated", "gone01": "missing",
    }  # fmt: skip
    methods = sorted(d["method"] for i in items for d in i["spans"])
    assert methods.count("normalized") == 1 and methods.count("no_text") == 1


@pytest.mark.parametrize(
    ("url", "post_id"),
    [
        ("https://www.reddit.com/comments/zz9qx1", "zz9qx1"),
        ("https://www.reddit.com/r/germany/comments/1ZZQX9Y/some_title/", "1zzqx9y"),
        ("https://old.reddit.com/r/arabs/comments/abc12/x/def34/?context=3", "abc12"),
        ("https://redd.it/xyz789", "xyz789"),
        ("https://www.reddit.com/r/germany/", None),
        ("not a url", None),
        (None, None),
    ],
)
def test_post_id_from_url(url, post_id) -> None:
    assert reference.post_id_of(url) == post_id


@pytest.mark.skipif(not SHARED_CULTURECARE.is_dir(), reason="../shared/culturecare absent")
def test_the_real_release_is_read_as_462_wanted_posts(tmp_path) -> None:
    from curate.config import load_config

    config = load_config(None, tmp_path / "ws")
    files = [
        reference.Reference(p, "culturecare") for p in sorted(SHARED_CULTURECARE.glob("*.jsonl"))
    ]
    wanted = list(reference.read(files, config.taxonomy(), b"salt", 1 << 20))
    assert len(wanted) == 462
    assert all(isinstance(w, reference.Wanted) for w in wanted)
    assert all(w.key == reference.post_id_of(w.record.source.url) for w in wanted)
    assert sum(len(w.record.spans) for w in wanted) == 1729 + 1524 + 1043
