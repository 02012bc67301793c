"""Identifiers planted into carrier phrases: offsets, language of a carrier, scoring.

The carriers here are our own sentences; one test additionally reads the released
phrases from ../shared and skips when they are absent."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest

from curate.deid.planted import (
    FRAMES,
    LANGUAGES,
    TYPES,
    Carrier,
    carrier_language,
    evaluate_planted,
    load_carriers,
    plant,
    plant_all,
    sample,
    score,
)

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"

CARRIERS = [
    Carrier("en", "Jewish", "I keep it all inside. Nobody at home would understand anyway."),
    Carrier("en", "Chinese", "the pressure before exams never really goes away"),
    Carrier("de", "German", "Ich schaffe das alles nicht mehr. Jeden Abend das Gleiche."),
    Carrier("ar", "Arabic", "تعبت من كل شيء. ما حدا بيفهمني بالبيت."),
    Carrier("he", "Jewish", "אני לא ישן כבר שבוע. אף אחד לא שם לב."),
    Carrier("zh", "Chinese", "我每天都很累。家里没有人理解我。"),
]


def _carrier_text(p) -> str:
    return " ".join(p.text[s:e] for s, e in p.carrier)


@pytest.mark.parametrize("position", ["before", "inside", "after"])
@pytest.mark.parametrize("cue", ["cue", "bare"])
def test_plant_offsets_and_carrier_spans(position: str, cue: str) -> None:
    rng = random.Random(1)
    for carrier in (c for c in CARRIERS if c is not CARRIERS[1]):  # each has two sentences
        for kind in TYPES:
            frame = FRAMES[carrier.language][kind][cue][0]
            p = plant(carrier, kind, "Zyx Qwerty", cue, position, frame, rng)
            assert p.text[p.start : p.end] == "Zyx Qwerty"
            assert p.position == position  # every carrier here has a sentence boundary
            # the carrier is all there, untouched, outside the identifier
            assert "".join(_carrier_text(p).split()) == "".join(carrier.text.split())
            assert all(e <= p.start or s >= p.end for s, e in p.carrier)
            if position == "inside":
                assert len(p.carrier) == 2 and p.carrier[0][1] <= p.start < p.carrier[1][0]


def test_inside_without_a_sentence_boundary_goes_after() -> None:
    carrier = CARRIERS[1]
    frame = FRAMES["en"]["EMAIL_ADDRESS"]["cue"][0]
    p = plant(carrier, "EMAIL_ADDRESS", "a.b@example.org", "cue", "inside", frame, random.Random(0))
    assert p.position == "after" and p.text.startswith(carrier.text)


def test_plant_all_every_type_and_deterministic() -> None:
    a = plant_all(CARRIERS, seed=5)
    assert a == plant_all(CARRIERS, seed=5)
    assert a != plant_all(CARRIERS, seed=6)
    per_carrier = Counter((p.language, p.type) for p in a)
    for language in LANGUAGES:
        assert per_carrier[(language, "PERSON")] == 2 * sum(
            c.language == language for c in CARRIERS
        )
        for kind in TYPES[1:]:
            assert per_carrier[(language, kind)] >= 1
    assert {p.position for p in a} == {"before", "inside", "after"}
    assert {(p.type, p.cue) for p in a if p.type == "PERSON"} == {
        ("PERSON", "cue"),
        ("PERSON", "bare"),
    }
    for p in a:  # identifiers of a carrier's own language (a Hebrew name in Hebrew)
        if p.type == "PERSON" and p.language in ("ar", "he", "zh"):
            assert carrier_language(p.text[p.start : p.end] * 3) == p.language


def test_carrier_language_by_text_not_culture() -> None:
    assert carrier_language("I never told my parents about any of this") == "en"
    assert carrier_language("Ich habe das meinen Eltern nie erzählt, weil sie es nicht") == "de"
    assert carrier_language("ما قلت لأهلي أي شيء عن الموضوع") == "ar"
    assert carrier_language("לא סיפרתי להורים שלי כלום") == "he"
    assert carrier_language("我从来没有跟父母说过这些事") == "zh"
    # an English phrase with one Chinese word is English
    assert carrier_language("my mom keeps saying 加油 but I am so tired of all of it") == "en"
    assert carrier_language("...") is None


def _regions(p, *spans: tuple[int, int]) -> list[tuple[int, int, str]]:
    return [(s, e, "PERSON") for s, e in spans]


def test_score_recall_and_carrier_unchanged() -> None:
    rng = random.Random(3)
    carrier = CARRIERS[0]
    cue = FRAMES["en"]["PERSON"]["cue"][0]
    p = plant(carrier, "PERSON", "Anna Berg", "cue", "before", cue, rng)
    first = p.text.index("Anna")
    in_frame = p.text.index("friend")
    in_carrier = p.carrier[0][0] + 2
    cases = [
        ([(p.start, p.end)], True, True),  # found, nothing else touched
        ([(first, first + 4)], False, True),  # surname left: not found
        ([(p.start, p.end), (in_carrier, in_carrier + 4)], True, False),  # carrier changed
        ([(p.start, p.end), (in_frame, in_frame + 6)], True, True),  # only the cue word
        ([(p.start, p.end + 6)], True, True),  # ran on into the frame ("Anna Berg told")
    ]
    for spans, found, unchanged in cases:
        result = score([p], [_regions(p, *spans)], [carrier], [[]])
        row = result["by_language"]["en"]
        assert row["PERSON"]["found"] == found, spans
        assert row["carrier_unchanged"] == unchanged, spans
        assert row["alone_unchanged_rate"] == 1.0
        assert bool(result["misses"]) != found
    run_on = score([p], [_regions(p, (p.start, p.end), (in_frame, in_frame + 6))], [], [])
    assert run_on["by_language"]["en"]["frame_changed"] == 1
    # a bare name right before the carrier: a detection running into it changes the carrier
    bare = plant(carrier, "PERSON", "Anna", "bare", "before", ("{X}:", "~ {X}"), rng)
    result = score([bare], [_regions(bare, (bare.start, bare.end + 4))], [], [])
    assert result["by_language"]["en"]["carrier_unchanged"] == 0
    assert result["by_language"]["en"]["carrier_changed_by"] == {"PERSON": 1}


def test_load_carriers_from_a_release(tmp_path: Path) -> None:
    def record(culture: str, phrases: list) -> str:
        items = [{"phrase": p, "intensity": "light"} for p in phrases]
        return json.dumps(
            {
                "culture": culture,
                "post": {"text": "x", "emotional_distress": items, "cultural_signals": []},
                "response": {"emotional_support": [{"phrase": phrases[0]}]},
            }
        )

    (tmp_path / "German_data.jsonl").write_text(
        record("German", ["Ich kann einfach nicht mehr schlafen und das macht mir Angst", "ok"])
        + "\n"
        + record("German", [None, "My name is private here, a labelled phrase"])
        + "\n",
        encoding="utf-8",
    )
    (tmp_path / "Jewish_data.jsonl").write_text(
        record("Jewish", ["אני לא ישן כבר שבוע ואף אחד לא שם לב"]) + "\n", encoding="utf-8"
    )
    labels = tmp_path / "dev.jsonl"
    labels.write_text(
        json.dumps(
            {
                "text": "My name is private here, a labelled phrase",
                "private": [{"start": 0, "end": 2, "type": "PERSON"}],
            }
        )
        + "\n",
        encoding="utf-8",
    )
    carriers, excluded = load_carriers(tmp_path, labels)
    assert excluded == 1
    # "ok" is too short, None is no phrase, the repeated phrase counts once
    assert [(c.language, c.culture) for c in carriers] == [("de", "German"), ("he", "Jewish")]
    assert sample(carriers, 1, 0) == sample(carriers, 1, 0) == carriers


@pytest.mark.skipif(not (SHARED / "culturecare").is_dir(), reason="../shared absent")
def test_planted_into_real_phrases(deid_engine, tmp_path: Path) -> None:
    """On real released phrases (a fixed sample): the direct identifiers are found and
    the phrases around them stay as they were. Only counts are looked at."""
    from curate.config import load_config

    config = load_config(None, tmp_path / "ws")
    result = evaluate_planted(
        config,
        SHARED / "culturecare",
        per_language=12,
        seed=13,
        engine=deid_engine,
        labels=SHARED / "deid-realtext" / "dev.jsonl",
    )
    rows = result["by_language"]
    assert set(rows) >= {"en", "de", "ar", "he"}
    assert "zh" not in rows  # the release holds no Chinese-language phrase
    for language, row in rows.items():
        assert row["EMAIL_ADDRESS"]["recall"] == 1.0, language
        assert row["PHONE_NUMBER"]["recall"] == 1.0, language
        assert row["REDDIT_USERNAME"]["recall"] == 1.0, language
        assert row["carrier_unchanged_rate"] >= 0.9, language
    assert rows["en"]["PERSON"]["recall"] >= 0.75
    assert result["overall"]["carrier_unchanged_rate"] >= 0.97
    text = json.dumps(result)
    assert result["corpus"]["planted"] > 0 and len(text) < 20_000  # counts, no phrases
