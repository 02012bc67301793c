"""De-identification runs until its own residual scan finds nothing: replacing one
identifier can reveal another to the recognizers (the rest of a URL whose handle was
replaced), and that must not reach a release."""

from __future__ import annotations

import pytest

from curate.deid import engine as engine_module
from curate.deid.engine import DeidInput
from curate.deid.offsets import Edit, OffsetMap
from curate.deid.scan import scan_texts

URL_WITH_HANDLE = "Watch https://youtube.com/@jonas_weber?si=AbC123xyz for my videos."


def _run(engine, text: str) -> str:
    out = engine.run([DeidInput("k", "en", None, {"text": text})])
    return out[0].fields["text"]


def test_later_passes_remove_what_the_first_revealed(
    deid_engine, config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "MAX_PASSES", 1)
    one_pass = _run(deid_engine, URL_WITH_HANDLE)
    assert scan_texts([("k", one_pass, "en")], config, deid_engine)  # the problem exists
    monkeypatch.setattr(engine_module, "MAX_PASSES", 3)
    final = _run(deid_engine, URL_WITH_HANDLE)
    assert scan_texts([("k", final, "en")], config, deid_engine) == []
    for secret in ("jonas_weber", "AbC123xyz", "youtube.com/"):
        assert secret not in final
    assert final.startswith("Watch <") and final.endswith("for my videos.")


def test_clean_text_takes_one_pass(deid_engine, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    analyze = deid_engine.analyze

    def counting(texts, language):
        calls.append(len(texts))
        return analyze(texts, language)

    monkeypatch.setattr(deid_engine, "analyze", counting)
    assert _run(deid_engine, "Nothing to hide in this sentence at all.") == (
        "Nothing to hide in this sentence at all."
    )
    assert calls == [1]


def test_offset_map_back_to_the_original() -> None:
    # "ab NAME cd" -> "ab <P> cd": NAME (3..7) became <P> (3..6)
    omap = OffsetMap([Edit(3, 7, 3, 6, "PERSON")], 10, 9)
    assert omap.original_span(0, 2) == (0, 2)
    assert omap.original_span(7, 9) == (8, 10)
    assert omap.original_span(4, 9) == (3, 10)  # starting inside a tag takes in all of it
    assert omap.replaced(0, 9) == [(3, 6)] and omap.replaced(7, 9) == []


def test_only_changed_outputs_are_analyzed_again(
    deid_engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pass re-analyzes only the texts its predecessor changed: an output that a pass
    left as it was has been analyzed already."""
    stable = "Write to jane.doe@example.com about it."
    calls: list[list[str]] = []
    analyze = deid_engine.analyze

    def counting(texts, language):
        calls.append(list(texts))
        return analyze(texts, language)

    monkeypatch.setattr(deid_engine, "analyze", counting)
    docs = [
        DeidInput("a", "en", None, {"text": URL_WITH_HANDLE}),
        DeidInput("b", "en", None, {"text": stable}),
    ]
    out = deid_engine.run(docs)
    assert len(calls) == 3  # the URL needs all three passes
    assert calls[0] == [URL_WITH_HANDLE, stable]
    stable_out = out[1].fields["text"]
    assert "jane.doe" not in stable_out
    assert len(calls[1]) == 2 and calls[1][1] == stable_out
    assert [stable_out in c for c in calls] == [False, True, False]  # passes 1-2 only
    assert len(calls[2]) == 1
