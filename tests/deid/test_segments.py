"""Language routing inside a text (curate/deid/segments.py)."""

from __future__ import annotations

import itertools

from curate.deid.segments import segments, sentences


def parts(text: str, hint: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.language) for s in segments(text, hint)]


def test_segments_cover_the_text_contiguously() -> None:
    for text in ("", "a", "Hallo. Hi there, how are you? 你好 שלום مرحبا", "...!!", "😔\n\n"):
        segs = segments(text, "en")
        assert "".join(text[s.start : s.end] for s in segs) == text
        assert all(a.end == b.start for a, b in itertools.pairwise(segs))


def test_german_post_quoting_english() -> None:
    text = (
        "Ich habe mit Jonas geredet und er hat mich nicht verstanden. "
        "He said: I am not sure about this at all, you know. Dann bin ich gegangen."
    )
    assert [lang for _, lang in parts(text, "de")] == ["de", "en", "de"]


def test_arabic_post_switching_to_english() -> None:
    text = "بتسمع بأشي اسمه الدومينو افيكت، Domino effect , هذا يا صديقي"
    assert parts(text, "ar") == [
        ("بتسمع بأشي اسمه الدومينو افيكت، ", "ar"),
        ("Domino effect , ", "en"),
        ("هذا يا صديقي", "ar"),
    ]


def test_identifiers_stay_whole_in_other_scripts() -> None:
    """No e-mail, handle, username or IPv6 address is cut between two segments."""
    cases = [
        ("我的邮箱是abc@x.com，谢谢", "abc@x.com"),
        ("加我t.me/liwei_88好吗", "t.me/liwei_88"),
        ("תודה /u/sleepy_owl", "/u/sleepy_owl"),
        ("حسابي @fatima_h", "@fatima_h"),
        ("המחשב שלי 2001:db8:e8e6:eb4b::d50f עכשיו", "2001:db8:e8e6:eb4b::d50f"),
    ]
    for text, ident in cases:
        start = text.index(ident)
        (seg,) = [s for s in segments(text, None) if s.start <= start < s.end]
        assert seg.end >= start + len(ident), (text, seg)


def test_a_lone_identifier_joins_the_sentence_around_it() -> None:
    """An address or a link inside an Arabic or Chinese sentence has no English for the
    English model: it stays with its sentence (the pattern recognizers read every
    language), and the post is not cut into a dozen segments."""
    text = "راسلوني على lina.h@example.org أو شوفوا https://x.com/lina ومشكورين"
    assert [lang for _, lang in parts(text, "ar")] == ["ar"]
    assert [lang for _, lang in parts("加我t.me/liwei_88好吗", "zh")] == ["zh"]
    # an English sentence inside the Arabic one is still its own segment
    mixed = "انا تعبت. I really do not know what to do anymore. والله"
    assert "en" in [lang for _, lang in parts(mixed, "ar")]


def test_short_foreign_words_join_their_neighbour() -> None:
    assert [lang for _, lang in parts("OK 好的", "zh")] == ["zh"]
    assert [lang for _, lang in parts("Ich sage OK, das war es.", "de")] == ["de"]


def test_undecided_latin_falls_back_to_the_text_then_the_hint() -> None:
    assert parts("Viel Erfolg, Iden.", "de") == [("Viel Erfolg, Iden.", "de")]
    assert parts("Viel Erfolg, Iden.", "en") == [("Viel Erfolg, Iden.", "en")]


def test_sentences() -> None:
    assert sentences("Hi there. How are you?\nFine") == [(0, 10), (10, 23), (23, 27)]
    assert sentences("") == [(0, 0)]
    assert sentences("see https://x.org/a.b?c=d. ok") == [(0, 27), (27, 29)]
