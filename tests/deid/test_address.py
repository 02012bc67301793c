"""Where a text addresses someone or is signed (curate/deid/recognizers/address.py)."""

from __future__ import annotations

import pytest

from curate.deid.recognizers.address import addressed


def where(text: str, name: str) -> str:
    start = text.index(name)
    return addressed(text, start, start + len(name))


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        ("Sarah, I am so sorry.", "Sarah", "opening"),
        ("Gertrud: ich kenne das.", "Gertrud", "opening"),
        ("Das hilft. Jonas, ich auch.", "Jonas", "opening"),  # after a sentence end
        ("Thanks all!\nLea: me too", "Lea", "opening"),  # a line of its own
        ("نبراس، شكرا على كلامك", "نبراس", "opening"),  # the Arabic comma
        ("I hope it helps. - Leon", "Leon", "signature"),
        ("Wünsche dir Kraft! ~ Centa Jüttner", "Centa Jüttner", "signature"),
        ("Wünsche dir Kraft! — Lara.", "Lara", "signature"),
        # not an address or a signature
        ("I told Sarah, and she left.", "Sarah", ""),  # inside a sentence
        ("Sarah and I, we left.", "Sarah", ""),  # the comma comes later
        ("I hope it helps. - Leon said so.", "Leon", ""),  # the text goes on
        ("It was Anna-Lena", "Lena", ""),  # a hyphen inside a word
        ("Sarah Miller, hi", "Sarah", ""),  # only part of what opens the line
    ],
)
def test_addressed(text: str, name: str, expected: str) -> None:
    assert where(text, name) == expected
