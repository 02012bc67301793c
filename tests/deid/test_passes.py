"""De-identification runs until its own residual scan finds nothing: replacing one
identifier can reveal another to the recognizers (the rest of a URL whose handle was
replaced), and that must not reach a release."""

from __future__ import annotations

import pytest

from curate.deid import engine as engine_module
from curate.deid.engine import DeidInput
from curate.deid.offsets import Edit, OffsetMap
from curate.deid.operators import Detection
from curate.deid.scan import scan_texts

URL_WITH_HANDLE = "Watch https://youtube.com/@jonas_weber?si=AbC123xyz for my videos."


def _run(engine, text: str) -> str:
    out = engine.run([DeidInput("k", "en", None, {"text": text})])
    return out[0].fields["text"]


def _first_pass_sees_only_the_handle(engine, monkeypatch: pytest.MonkeyPatch) -> list:
    """The first analysis finds only the handle inside the link (as it did before links
    were preferred whole): what a detector finds in part is the case passes exist for."""
    analyze = engine.analyze
    calls: list[list[str]] = []

    def partial(texts, language, *rest):
        calls.append(list(texts))
        found = analyze(texts, language, *rest)
        if len(calls) == 1:
            found = [[d for d in dets if d.entity_type != "URL"] for dets in found]
            for dets, text in zip(found, texts, strict=True):
                if "@jonas_weber" in text:
                    start = text.index("@jonas_weber")
                    dets.append(Detection(start, start + 12, "SOCIAL_HANDLE", 0.85, "Test"))
        return found

    monkeypatch.setattr(engine, "analyze", partial)
    return calls


def test_later_passes_remove_what_the_first_revealed(
    deid_engine, config, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert scan_texts([("k", _run(deid_engine, URL_WITH_HANDLE), "en")], config, deid_engine) == []
    _first_pass_sees_only_the_handle(deid_engine, monkeypatch)
    monkeypatch.setattr(engine_module, "MAX_PASSES", 1)
    one_pass = _run(deid_engine, URL_WITH_HANDLE)
    assert "AbC123xyz" in one_pass  # the problem exists
    monkeypatch.setattr(engine_module, "MAX_PASSES", 3)
    final = _run(deid_engine, URL_WITH_HANDLE)
    assert scan_texts([("k", final, "en")], config, deid_engine) == []
    for secret in ("jonas_weber", "AbC123xyz", "youtube.com/"):
        assert secret not in final
    assert final.startswith("Watch <") and final.endswith("for my videos.")


def test_clean_text_takes_one_pass(deid_engine, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    analyze = deid_engine.analyze

    def counting(texts, language, *rest):
        calls.append(len(texts))
        return analyze(texts, language, *rest)

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
    calls = _first_pass_sees_only_the_handle(deid_engine, monkeypatch)
    docs = [
        DeidInput("a", "en", None, {"text": URL_WITH_HANDLE}),
        DeidInput("b", "en", None, {"text": stable}),
    ]
    out = deid_engine.run(docs)
    assert len(calls) == 3  # the link needs all three passes
    assert calls[0] == [URL_WITH_HANDLE, stable]
    stable_out = out[1].fields["text"]
    assert "jane.doe" not in stable_out
    # its tag stands between lower-case words: it can reveal nothing, and is not read again
    assert [stable_out in c for c in calls] == [False, False, False]
    assert len(calls[1]) == 1 and len(calls[2]) == 1


def test_a_closed_replacement_is_not_read_again() -> None:
    """Only a tag glued to a word, or next to a word that may start or continue an
    identifier, sends its sentence to a later pass."""
    from curate.deid.engine import _open

    def opened(text: str) -> bool:
        start = text.index("<")
        return _open(text, start, text.index(">") + 1)

    assert not opened("I met <PERSON_1> at the park.")
    assert not opened("Write to <EMAIL_1>, thanks.")
    assert opened("I met <PERSON_1> Weber at the park.")  # a capitalised word after it
    assert opened("Watch x.com/<HANDLE_1>?si=AbC for it")  # glued on both sides
    assert opened("It was <PERSON_1>s dog.")
    assert opened("Ask Dr <PERSON_1> about it.")
    assert opened("Last week <PERSON_1> and Scott Thomas planned a trip.")  # coordinated
    assert not opened("Last week <PERSON_1> and me planned a trip.")


def test_later_passes_read_only_sentences_with_a_replacement(
    deid_engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Elsewhere the output is as the input was, and the analyzers read it already."""
    filler = "Nothing to hide in this sentence at all. " * 5
    text = filler + URL_WITH_HANDLE + " " + filler
    calls = _first_pass_sees_only_the_handle(deid_engine, monkeypatch)
    (out,) = deid_engine.run([DeidInput("k", "en", None, {"text": text})])
    assert "AbC123xyz" not in out.fields["text"] and "jonas_weber" not in out.fields["text"]
    assert calls[0] == [text]
    assert len(calls) > 1
    for later in calls[1:]:
        assert all("Nothing to hide" not in window for window in later)
