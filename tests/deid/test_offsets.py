"""OffsetMap: moving positions and spans from an original text onto its de-identified
version (pure; no models)."""

from __future__ import annotations

import random

import pytest

from curate.deid.offsets import Edit, OffsetMap, Remapped
from curate.deid.operators import Detection, Pseudonyms, apply
from curate.deid.policy import DEFAULT_POLICY, Policy

# One edit grows the text, one shrinks it:
#   original: "Call Jo at x@y.de now"   (Jo: 5-7, x@y.de: 11-17)
#   new:      "Call <PERSON_1> at  now" (Jo grows to 10 chars, the e-mail is removed)
ORIGINAL = "Call Jo at x@y.de now"
NEW = "Call <PERSON_1> at  now"
EDITS = [
    Edit(5, 7, 5, 15, "PERSON"),
    Edit(11, 17, 19, 19, "EMAIL_ADDRESS"),
]


@pytest.fixture
def omap() -> OffsetMap:
    return OffsetMap(list(reversed(EDITS)), len(ORIGINAL), len(NEW))


def test_fixture_is_consistent() -> None:
    for e in EDITS:
        assert NEW[: e.new_start].endswith(ORIGINAL[: e.start][-3:])
    assert ORIGINAL[5:7] == "Jo" and NEW[5:15] == "<PERSON_1>"
    assert ORIGINAL[11:17] == "x@y.de" and NEW[19:19] == ""


def test_edits_sorted_by_start(omap: OffsetMap) -> None:
    assert [e.start for e in omap.edits] == [5, 11]


@pytest.mark.parametrize(
    ("pos", "expected"),
    [
        (0, 0),  # before every edit
        (4, 4),
        (5, 5),  # an edit's start maps to its new start
        (7, 15),  # an edit's end maps to its new end (grown by 8)
        (8, 16),
        (11, 19),
        (17, 19),  # end of the removed e-mail: shrunk by 6 in total from here
        (18, 20),
        (len(ORIGINAL), len(NEW)),
    ],
)
def test_position_outside_edits(omap: OffsetMap, pos: int, expected: int) -> None:
    assert omap.position(pos) == expected


@pytest.mark.parametrize("pos", [6, 12, 16])
def test_position_inside_edit_raises(omap: OffsetMap, pos: int) -> None:
    with pytest.raises(ValueError, match="inside a replaced"):
        omap.position(pos)


def test_position_with_insertion_and_shrink() -> None:
    # "abcdefghij": "cd" -> "CDCDCD" (grows by 4), "gh" -> "" (shrinks by 2)
    m = OffsetMap([Edit(2, 4, 2, 8, "X"), Edit(6, 8, 10, 10, "Y")], 10, 12)
    assert [m.position(p) for p in (0, 1, 2, 4, 5, 6, 8, 9, 10)] == [0, 1, 2, 8, 9, 10, 10, 11, 12]


def test_adjacent_edits() -> None:
    # "AB" -> "<a><b>": two adjacent edits; the shared boundary maps to the same point
    m = OffsetMap([Edit(0, 1, 0, 3, "A"), Edit(1, 2, 3, 6, "B")], 2, 6)
    assert m.position(0) == 0
    assert m.position(1) == 3
    assert m.position(2) == 6
    assert m.span(0, 2) == Remapped(0, 6, None, ("A", "B"))


@pytest.mark.parametrize(
    ("start", "end", "new", "entities"),
    [
        (0, 4, (0, 4), ()),  # "Call" before every edit
        (18, 21, (20, 23), ()),  # "now" after both
        (8, 10, (16, 18), ()),  # "at" between them
        (0, 21, (0, 23), ("PERSON", "EMAIL_ADDRESS")),  # the whole text
        (5, 7, (5, 15), ("PERSON",)),  # exactly the entity
        (4, 10, (4, 18), ("PERSON",)),  # " Jo at": wholly contains the name
        (7, 11, (15, 19), ()),  # touches both edits, contains neither
    ],
)
def test_span_moved(omap: OffsetMap, start: int, end: int, new: tuple, entities: tuple) -> None:
    moved = omap.span(start, end)
    assert moved.problem is None
    assert (moved.start, moved.end) == new
    assert moved.entities == entities
    if not entities:
        assert NEW[moved.start : moved.end] == ORIGINAL[start:end]


@pytest.mark.parametrize(
    ("start", "end", "problem"),
    [
        (12, 15, "span lies inside a replaced EMAIL_ADDRESS"),
        (5, 6, "span lies inside a replaced PERSON"),
        (6, 7, "span lies inside a replaced PERSON"),
        (6, 6, "span lies inside a replaced PERSON"),  # empty, strictly inside
        (3, 6, "span cuts through a replaced PERSON"),
        (6, 9, "span cuts through a replaced PERSON"),
        (9, 14, "span cuts through a replaced EMAIL_ADDRESS"),
        (14, 20, "span cuts through a replaced EMAIL_ADDRESS"),
        (0, 14, "span cuts through a replaced EMAIL_ADDRESS"),  # contains one, cuts another
        (-1, 3, "offsets outside the text"),
        (3, 99, "offsets outside the text"),
        (5, 3, "offsets outside the text"),
    ],
)
def test_span_problems(omap: OffsetMap, start: int, end: int, problem: str) -> None:
    moved = omap.span(start, end)
    assert moved.problem == problem
    assert moved.start is None and moved.end is None


def test_identity_map() -> None:
    m = OffsetMap.identity(12)
    assert m.edits == [] and m.original_length == m.new_length == 12
    assert [m.position(p) for p in range(13)] == list(range(13))
    assert m.span(3, 9) == Remapped(3, 9, None, ())
    assert m.span(0, 12) == Remapped(0, 12, None, ())
    assert m.span(0, 13).problem == "offsets outside the text"
    assert m.to_list() == []


def test_empty_identity() -> None:
    m = OffsetMap.identity(0)
    assert m.position(0) == 0
    assert m.span(0, 0) == Remapped(0, 0, None, ())


def test_to_list_from_list_round_trip(omap: OffsetMap) -> None:
    rows = omap.to_list()
    assert rows == [[5, 7, 5, 15, "PERSON"], [11, 17, 19, 19, "EMAIL_ADDRESS"]]
    again = OffsetMap.from_list(rows, omap.original_length, omap.new_length)
    assert again.edits == omap.edits
    assert (again.original_length, again.new_length) == (len(ORIGINAL), len(NEW))
    for start in range(len(ORIGINAL) + 1):
        for end in range(start, len(ORIGINAL) + 1):
            assert again.span(start, end) == omap.span(start, end)


def test_round_trip_through_json(omap: OffsetMap) -> None:
    import json

    rows = json.loads(json.dumps(omap.to_list()))
    assert OffsetMap.from_list(rows, len(ORIGINAL), len(NEW)).edits == omap.edits


# -- property: random texts and random replacements via operators.apply ----------------

ALPHABET = [
    *"abcdefg XYZ.,!?\n",
    "😔",
    "🫂",
    "👍🏽",  # emoji with a skin-tone modifier (two code points)
    "👨‍👩‍👧",  # ZWJ sequence
    *"مرحبا",
    *"שלום",
    "e\u0301",  # e + combining acute
    "\u05b8",  # Hebrew qamats (combining)
    "\u064e",  # Arabic fatha (combining)
    *"你好",
    "\u200f",  # right-to-left mark
]
# An operator per entity type, so replacements grow, shrink, vanish and stay.
OPERATORS = {
    "PERSON": "pseudonym",  # grows or shrinks: <PERSON_n>
    "EMAIL_ADDRESS": "redact",  # vanishes
    "URL": "tag",  # <URL>
    "AGE": "generalize",
    "SUBREDDIT": "keep",  # recorded, not replaced: no edit
    "REDDIT_USERNAME": "surrogate",
}
TYPES = sorted(OPERATORS)


@pytest.fixture(scope="module")
def policy() -> Policy:
    data = {
        "nlp": {"models": {"en": "blank"}},
        "registry": "recognizers.yaml",
        "operators": {**OPERATORS, "default": "pseudonym"},
        "surrogate_locales": {"default": "en_US"},
    }
    return Policy(data=data, path=DEFAULT_POLICY)


def _random_case(rng: random.Random) -> tuple[str, list[Detection]]:
    text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 40)))
    cuts = sorted(rng.sample(range(len(text) + 1), k=min(len(text) + 1, 2 * rng.randint(0, 4))))
    detections = []
    for start, end in zip(cuts[::2], cuts[1::2], strict=False):
        if end > start:
            detections.append(Detection(start, end, rng.choice(TYPES), 0.9, "Test"))
    return text, detections


def test_random_replacements_keep_untouched_spans(policy: Policy) -> None:
    """For random texts (emoji, RTL scripts, combining marks) and random non-overlapping
    replacements, every span not overlapping a replaced entity is moved onto the same
    text; spans wholly containing one list it; spans cutting into one are reported."""
    rng = random.Random(20240607)
    checked = 0
    for case in range(400):
        text, detections = _random_case(rng)
        pseudo = Pseudonyms(seed=f"case{case}", locales={"default": "en_US"})
        new_text, omap, decisions = apply(text, detections, policy, pseudo, "text")
        assert (omap.original_length, omap.new_length) == (len(text), len(new_text))
        replaced = [(e.start, e.end) for e in omap.edits]
        # every decision points at its replacement (or, kept, at the unchanged value)
        for det, dec in zip(detections, decisions, strict=True):
            assert (dec.start, dec.end, dec.entity_type) == (det.start, det.end, det.entity_type)
            if dec.operator == "keep":
                assert new_text[dec.new_start : dec.new_end] == text[det.start : det.end]
                assert (det.start, det.end) not in replaced
        # every span
        for start in range(len(text) + 1):
            for end in range(start, len(text) + 1):
                moved = omap.span(start, end)
                overlapping = [(s, e) for s, e in replaced if s < end and e > start]
                if not overlapping:
                    assert moved.problem is None, (text, start, end, moved)
                    assert new_text[moved.start : moved.end] == text[start:end]
                    assert moved.entities == ()
                    checked += 1
                elif all(start <= s and e <= end for s, e in overlapping):
                    assert moved.problem is None
                    assert len(moved.entities) == len(overlapping)
                    # the text around the contained entities is unchanged
                    first, last = overlapping[0], overlapping[-1]
                    head = text[start : first[0]]
                    tail = text[last[1] : end]
                    got = new_text[moved.start : moved.end]
                    assert got.startswith(head) and got.endswith(tail)
                else:
                    assert moved.problem is not None
                    assert moved.start is None and moved.end is None
    assert checked > 10_000  # the loop did explore


def test_random_replacements_rebuild_text(policy: Policy) -> None:
    """The new text is the original with each edit's region swapped for its
    replacement, in order (nothing else changes)."""
    rng = random.Random(7)
    for case in range(300):
        text, detections = _random_case(rng)
        pseudo = Pseudonyms(seed=str(case), locales={"default": "en_US"})
        new_text, omap, _ = apply(text, detections, policy, pseudo, "title")
        rebuilt, cursor = [], 0
        for e in omap.edits:
            rebuilt.append(text[cursor : e.start])
            rebuilt.append(new_text[e.new_start : e.new_end])
            cursor = e.end
        rebuilt.append(text[cursor:])
        assert "".join(rebuilt) == new_text
