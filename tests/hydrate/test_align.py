"""Phrase alignment: each method finds what it should, with code-point offsets into the
original text, and nothing is placed where it does not belong."""

from __future__ import annotations

import pytest

from curate.hydrate.align import (
    EXACT,
    FUZZY,
    NORMALIZED,
    PLACEHOLDER,
    UNALIGNED,
    align_all,
    normalize,
    placeholder_pattern,
)


def _one(text: str, phrase: str, threshold: float = 0.85):
    return align_all(text, [phrase], threshold)[0]


def _where(text: str, a) -> str:
    assert a.ok, a
    return text[a.start : a.end]


def test_exact_match_with_code_point_offsets_in_any_script() -> None:
    text = "😔 אני מרגיש בודד. 我很孤独。 I feel so lonely 🙏 since I moved."
    for phrase in ("אני מרגיש בודד", "我很孤独", "I feel so lonely", "so lonely 🙏 since"):
        a = _one(text, phrase)
        assert a.method == EXACT and a.score == 1.0
        assert _where(text, a) == phrase


def test_surrounding_whitespace_of_a_phrase_is_not_part_of_the_span() -> None:
    text = "I can't sleep. I keep crying."
    a = _one(text, "  I keep crying.\n")
    assert a.method == EXACT and _where(text, a) == "I keep crying."


def test_identical_phrases_take_successive_occurrences() -> None:
    text = "lonely at home, lonely at work, lonely everywhere"
    found = align_all(text, ["lonely", "lonely", "lonely", "lonely"], 0.85)
    assert [a.start for a in found[:3]] == [0, 16, 32]
    # a fourth one has nowhere left to go: it is not stacked on a taken occurrence
    assert found[3].method == UNALIGNED


def test_whole_words_are_preferred_over_matches_inside_a_word() -> None:
    text = "My heart hurts. Art was my only escape, art and music."
    a = _one(text, "art")
    assert a.start == text.index("art and")


def test_longer_phrases_are_placed_first_and_same_family_overlaps_avoided() -> None:
    text = "I feel sad and alone every day. I feel sad."
    phrases = ["I feel sad", "I feel sad and alone every day"]
    short, long = align_all(text, phrases, 0.85, groups=["distress", "distress"])
    assert _where(text, long) == "I feel sad and alone every day"
    assert short.start == 32  # not inside the long one, which was placed first
    # in another family, overlapping is fine: the first occurrence is taken
    short, long = align_all(text, phrases, 0.85, groups=["signal", "distress"])
    assert short.start == 0


@pytest.mark.parametrize(
    ("text", "phrase", "expected"),
    [
        ("I am so  tired\nof   this.", "I am so tired of this", "I am so  tired\nof   this"),
        ("I CAN'T DO THIS ANYMORE", "I can't do this anymore", "I CAN'T DO THIS ANYMORE"),
        ("Tom &amp; Jerry &lt;3 ok", "Tom & Jerry <3", "Tom &amp; Jerry &lt;3"),
        ("It’s “fine” — really", 'It\'s "fine" - really', "It’s “fine” — really"),
        ("I **hate** myself, honestly", "I hate myself", "I **hate** myself"),
        ("Ich fühle mich einsam", "Ich fu\u0308hle mich einsam", "Ich fühle mich einsam"),
        ("zero\u200bwidth space here", "zerowidth space", "zero\u200bwidth space"),
        ("Straße nach Hause", "STRASSE nach", "Straße nach"),
    ],
)
def test_normalized_matches_map_back_to_the_original_text(text, phrase, expected) -> None:
    a = _one(text, phrase)
    assert a.method == NORMALIZED, a
    assert _where(text, a) == expected


def test_normalize_index_map_points_into_the_original() -> None:
    text = "A  b&amp;C\u0301"
    norm = normalize(text)
    assert norm.text == "a b&c"
    assert [text[s:e] for s, e in zip(norm.starts, norm.ends, strict=True)] == [
        "A",
        "  ",
        "b",
        "&amp;",
        "C\u0301"[:1],
    ]


def test_placeholders_match_the_identifiers_they_replaced() -> None:
    text = (
        "My friend Jonas Weber gave me a hotline number, +49 151 23456789, but I'm scared. "
        "Mail me at jonas.weber@example.de. Thanks."
    )
    a = _one(text, "My friend <PERSON_1> gave me a hotline number, <PHONE_NUMBER_1>, but")
    assert a.method == PLACEHOLDER and a.note is None
    assert _where(text, a) == (
        "My friend Jonas Weber gave me a hotline number, +49 151 23456789, but"
    )
    # a one-token identifier, even with punctuation after it (greedy within the token)
    a = _one(text, "Mail me at <EMAIL_ADDRESS_1>.")
    assert _where(text, a) == "Mail me at jonas.weber@example.de."


def test_a_name_at_the_edge_of_a_phrase_is_left_out_of_the_span() -> None:
    text = "Yesterday Jonas Weber told me to pull myself together."
    a = _one(text, "<PERSON_1> told me to pull myself together.")
    assert a.method == PLACEHOLDER
    assert _where(text, a) == "told me to pull myself together."
    assert a.note and "start" in a.note


def test_placeholders_with_too_little_else_are_not_placed() -> None:
    assert placeholder_pattern("<PERSON_1>") is None
    assert placeholder_pattern("hi <PERSON_1>") is None
    assert placeholder_pattern("no placeholder here") is None
    assert _one("Jonas Weber", "<PERSON_1>").method == UNALIGNED


def test_placeholders_also_match_in_the_normalized_text() -> None:
    text = "My friend Jonas Weber said I&#39;m  fine."
    a = _one(text, "My friend <PERSON_1> said I'm fine")
    assert a.method == PLACEHOLDER
    assert _where(text, a) == "My friend Jonas Weber said I&#39;m  fine"


def test_fuzzy_alignment_follows_an_edit_and_reports_its_score() -> None:
    text = "Intro. I have been feeling so very lonely for many months now. The end."
    phrase = "I have been feeling so lonely for months now"
    a = _one(text, phrase)
    assert a.method == FUZZY
    assert 0.85 <= a.score < 1.0
    assert _where(text, a) == "I have been feeling so very lonely for many months now"


def test_below_the_threshold_nothing_is_placed_but_the_best_score_is_told() -> None:
    text = "I went to the market and bought some apples and pears today."
    a = _one(text, "I feel hopeless and stuck in my life")
    assert a.method == UNALIGNED and a.start is None
    assert 0 < a.score < 0.85
    strict = _one(
        "I have been feeling so very lonely for many months now",
        "I have been feeling so lonely for months now",
        threshold=0.99,
    )
    assert strict.method == UNALIGNED


def test_empty_phrases_and_texts() -> None:
    assert _one("some text", "   ").method == UNALIGNED
    assert _one("", "a phrase").method == UNALIGNED
    assert align_all("text", [], 0.85) == []


def test_identical_phrases_of_different_annotators_share_the_occurrence():
    from curate.hydrate.align import align_all

    text = "I feel so lonely. Really so lonely."
    two_annotators = align_all(text, ["so lonely", "so lonely"], 0.85, ["d\x1fann-a", "d\x1fann-b"])
    assert [(a.start, a.end) for a in two_annotators] == [(7, 16), (7, 16)]
    one_annotator = align_all(text, ["so lonely", "so lonely"], 0.85, ["d\x1fann-a", "d\x1fann-a"])
    assert [(a.start, a.end) for a in one_annotator] == [(7, 16), (25, 34)]
