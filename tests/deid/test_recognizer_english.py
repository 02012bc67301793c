"""English initials and lower-case names after a cue (curate/deid/recognizers/english.py)."""

from __future__ import annotations

import pytest

from curate.deid.recognizers.english import EnglishCueNameRecognizer

# a small gazetteer in the names-dataset shape: rank by popularity, 'common' = also words
GAZETTEER = {
    "first": {
        "sarah": 0,
        "jonas": 40,
        "max": 5,
        "ivy": 200,
        "dawn": 60,
        "obscurename": 9000,
        "thomas": 10,
        "will": 30,
        "fatima": 5000,
    },
    "last": {"fleming": 100, "young": 3, "fell": 1726, "bell": 150},
    "common": ["max", "thomas", "will"],
}


@pytest.fixture(scope="module")
def rec() -> EnglishCueNameRecognizer:
    return EnglishCueNameRecognizer(gazetteer=GAZETTEER)


def names(rec: EnglishCueNameRecognizer, text: str) -> list[tuple[str, float]]:
    return [(text[r.start : r.end], r.score) for r in rec.analyze(text, ["PERSON"])]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("My friend J. keeps asking me out", "J."),
        ("my ex, M., still texts me", "M."),
        ("Her older brother K. moved away", "K."),
        ("my little sister sarah said it gets better", "sarah"),
        ("my roommate jonas never cleans", "jonas"),
        ("a guy from my old job (R.) called me", "R."),
    ],
)
def test_initial_or_lower_case_name_after_a_role_cue_is_sure(rec, text, name) -> None:
    assert names(rec, text) == [(name, rec.sure_score)]


def test_lower_case_name_after_a_weak_cue_is_unsure(rec) -> None:
    found = rec.analyze("talked to sarah fleming yesterday", ["PERSON"])
    assert [(r.start, r.end) for r in found] == [(10, 23)]  # the surname joins the name
    assert found[0].score == rec.unsure_score
    assert found[0].recognition_metadata["unsure"]
    assert names(rec, "me and ivy used to study") == [("ivy", rec.unsure_score)]
    # a frequent surname joins too; an everyday word far down the surname list does not
    assert names(rec, "with jonas young and his mom")[0][0] == "jonas young"
    assert names(rec, "me and jonas fell asleep")[0][0] == "jonas"


@pytest.mark.parametrize(
    "text",
    [
        "I moved to the U.S. with my mom",  # an abbreviation, not an initial
        "my friend I. said no",  # 'I' is never taken
        "my friend said sarah was there",  # no cue right before the name
        "my friend max is so kind",  # a name that is also a word
        "my friend young people like",  # a surname only, and a word
        "talked to my mom about it",
        "my friend obscurename came",  # far down the list
        "Sarah came over",  # capitalised without a cue: spaCy's and the gazetteer's job
        "I struggle with Will",  # 'with' alone, and a name that is an everyday word
        "Will, you know",  # an everyday word opening a sentence
        "It goes on. - Thomas said so",  # the text goes on after the dash
        "went to the park with friends",
        "see the options (A.) and (B.) below",  # list labels, no person before them
    ],
)
def test_no_name_without_a_strong_reading(rec, text) -> None:
    assert names(rec, text) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # the small spaCy model reads these as a place and an organisation
        ("I talked to Thomas about this last night.", "Thomas"),
        ("Only my sister Sarah Bell knows.", "Sarah Bell"),  # a listed surname joins
        ("My friend Will told me the same.", "Will"),  # after a role cue, any listed name
        ("Sarah, I am so sorry for your loss.", "Sarah"),  # a reply's address
        ("I hope this helps. - Jonas", "Jonas"),  # a signature
        ("Stay strong. ~ Fatima", "Fatima"),  # far down the list, but a rare word
    ],
)
def test_capitalised_name_with_a_cue_or_in_an_address(rec, text, name) -> None:
    assert names(rec, text) == [(name, rec.sure_score)]


def test_other_entities_are_not_asked_for(rec) -> None:
    assert rec.analyze("my friend J. came", ["EMAIL_ADDRESS"]) == []
