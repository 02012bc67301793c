"""The worked example per language in docs/deid.md is what the engine does: each row's
text goes through the real engine (routing, the language's recognizer, the allowlist,
the policy) and must come out as the row says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from curate.deid.engine import DeidInput

DOC = Path(__file__).resolve().parents[2] / "docs" / "deid.md"
CULTURE = {"en": "Jewish", "de": "German", "zh": "Chinese", "ar": "Arabic", "he": "Jewish"}


def _rows() -> list[tuple[str, str, str]]:
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("### A worked example per language") :]
    section = section[: section.index("\n### ", 5)]
    rows = re.findall(r"^\| (\w\w) \| `([^`]+)` \| `([^`]+)` \|$", section, re.MULTILINE)
    assert len(rows) == 5, "the table lost rows"
    return rows


@pytest.mark.parametrize(("lang", "text", "expected"), _rows())
def test_worked_example(deid_engine, lang: str, text: str, expected: str) -> None:
    (out,) = deid_engine.run([DeidInput("doc", lang, CULTURE[lang], {"text": text})])
    assert out.fields["text"] == expected
