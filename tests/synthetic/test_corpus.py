"""The labelled de-identification eval corpus: deterministic, exactly aligned, complete."""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise
from pathlib import Path

import pytest

from curate.synthetic.corpus import (
    EMOJI,
    ENTITY_TYPES,
    KEEP_TYPES,
    LANGUAGES,
    Entity,
    EvalDoc,
    build_corpus,
    read_jsonl,
    type_counts,
    write_jsonl,
)
from curate.synthetic.planter import strip_markup
from curate.synthetic.templates import HARD, TEMPLATES
from curate.synthetic.words import word_count

ARABIC = re.compile(r"[\u0600-\u06ff]")
HEBREW = re.compile(r"[\u0590-\u05ff]")
HAN = re.compile(r"[\u4e00-\u9fff]")
SCRIPTS = {"ar": ARABIC, "he": HEBREW, "zh": HAN}


@pytest.fixture(scope="module")
def corpus() -> list[EvalDoc]:
    return build_corpus()


def test_deterministic_bytes(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"
    write_jsonl(build_corpus(per_language=10), a)
    write_jsonl(build_corpus(per_language=10), b)
    write_jsonl(build_corpus(per_language=10, seed=14), c)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_language_docs_do_not_depend_on_other_languages() -> None:
    alone = build_corpus(per_language=5, languages=("he",))
    together = [d for d in build_corpus(per_language=5) if d.language == "he"]
    assert alone == together


def test_doc_counts_and_ids(corpus: list[EvalDoc]) -> None:
    assert Counter(d.language for d in corpus) == dict.fromkeys(LANGUAGES, 40)
    assert len({d.id for d in corpus}) == len(corpus)


def test_offsets_exact(corpus: list[EvalDoc]) -> None:
    for doc in corpus:
        for span in (*doc.entities, *doc.keep):
            assert doc.text[span.start : span.end] == span.text, (doc.id, span)
            assert span.text == span.text.strip(), (doc.id, span)


def test_no_overlapping_spans(corpus: list[EvalDoc]) -> None:
    for doc in corpus:
        spans = sorted((*doc.entities, *doc.keep), key=lambda s: s.start)
        for left, right in pairwise(spans):
            assert left.end <= right.start, (doc.id, left, right)


def test_types_and_minimum_counts(corpus: list[EvalDoc]) -> None:
    counts = type_counts(corpus)
    assert set(counts) == set(LANGUAGES)
    for language, counter in counts.items():
        assert set(counter) == set(ENTITY_TYPES), language
        assert counter["PERSON"] >= 30, (language, counter)
        for kind in ENTITY_TYPES:
            assert counter[kind] >= 5, (language, kind, counter)
    assert {s.type for d in corpus for s in d.keep} == set(KEEP_TYPES)


def test_small_corpus_still_covers_every_type() -> None:
    for language, counter in type_counts(build_corpus(per_language=6)).items():
        assert set(counter) == set(ENTITY_TYPES), language


def test_keep_spans(corpus: list[EvalDoc]) -> None:
    with_keep = [d for d in corpus if 1 <= len(d.keep) <= 3]
    assert len(with_keep) >= 0.75 * len(corpus)
    for doc in corpus:
        for span in doc.keep:
            assert span.type in KEEP_TYPES
            if span.type == "SUBREDDIT":
                assert re.fullmatch(r"r/[A-Za-z0-9_]+", span.text)


def test_entity_shapes(corpus: list[EvalDoc]) -> None:
    ipv6: Counter[str] = Counter()
    for doc in corpus:
        for e in doc.entities:
            if e.type == "REDDIT_USERNAME":
                assert re.fullmatch(r"/?u/[A-Za-z0-9_-]{3,20}", e.text), e
            elif e.type == "EMAIL_ADDRESS":
                assert re.fullmatch(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", e.text, re.ASCII), e
            elif e.type == "URL":
                # with a scheme, www., or a bare host and path as pasted from an app
                assert re.match(r"https?://|www\.|[a-z]+\.com/", e.text), e
            elif e.type == "SOCIAL_HANDLE":
                assert re.fullmatch(r"@[\w.]*\w|[\w.]+#\d{4}|t\.me/\w{5,}", e.text, re.ASCII), e
            elif e.type == "IP_ADDRESS":
                ok = e.text.startswith(("192.0.2.", "198.51.100.", "203.0.113.", "2001:db8:"))
                assert ok, e
                ipv6[doc.language] += ":" in e.text
            elif e.type == "PHONE_NUMBER":
                assert sum(ch.isdigit() for ch in e.text) >= 9, e
    assert all(ipv6[language] >= 1 for language in LANGUAGES), ipv6


def test_scripts(corpus: list[EvalDoc]) -> None:
    latin_styles = {"mixed_script", "latin", "initial"}
    for doc in corpus:
        if doc.language in SCRIPTS:
            assert SCRIPTS[doc.language].search(doc.text), doc.id
            for e in doc.entities:
                if e.type == "PERSON" and e.style not in latin_styles:
                    assert SCRIPTS[doc.language].search(e.text), (doc.id, e)
                elif e.type == "PERSON" and e.style != "initial":
                    assert re.fullmatch(r"[A-Za-z -]+", e.text), (doc.id, e)
        else:
            for script in SCRIPTS.values():
                assert not script.search(doc.text), doc.id
    # English and German posts also name people of other cultures, in Latin script.
    latin = {e.text.casefold() for d in corpus if d.language == "en" for e in d.entities}
    others = {"yossi cohen", "fatima haddad", "li wei", "yossi", "fatima", "li"}
    others |= {n.casefold() for names in HARD["en"].latin.values() for n in names}
    assert len(latin & others) >= 3
    # Arabic, Hebrew and Chinese posts also name people in Latin letters.
    for language in SCRIPTS:
        assert any(
            e.style in ("mixed_script", "latin") and e.text.isascii()
            for d in corpus
            if d.language == language
            for e in d.entities
        ), language


def test_length(corpus: list[EvalDoc]) -> None:
    for doc in corpus:
        assert 60 <= word_count(doc.text, doc.language) <= 160, doc.id


def test_emoji_before_entities(corpus: list[EvalDoc]) -> None:
    def first_emoji(text: str) -> int:
        hits = [text.find(e) for e in EMOJI if e in text]
        return min(hits) if hits else -1

    early = [
        d
        for d in corpus
        if (at := first_emoji(d.text)) >= 0 and any(at < e.start for e in d.entities)
    ]
    assert 0.1 * len(corpus) <= len(early) <= 0.35 * len(corpus)
    # The variation selector of ❤️ makes code-point offsets differ from grapheme counts.
    assert any("❤️" in d.text for d in early)


def test_round_trip(corpus: list[EvalDoc], tmp_path: Path) -> None:
    path = tmp_path / "eval.jsonl"
    write_jsonl(corpus, path)
    assert read_jsonl(path) == corpus
    raw = path.read_text(encoding="utf-8")
    assert "\\u" not in raw  # ensure_ascii=False: the file is readable as is
    assert len(raw.splitlines()) == len(corpus)


def test_read_rejects_misaligned_span(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(
        '{"id": "x", "language": "en", "text": "hi Bob", "entities": '
        '[{"start": 0, "end": 3, "type": "PERSON", "text": "Bob"}], "keep": []}\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError):
        read_jsonl(path)


def test_overlap_rejected() -> None:
    with pytest.raises(ValueError):
        EvalDoc(
            "x",
            "en",
            "hi Bob Ray",
            (Entity(3, 10, "PERSON", "Bob Ray"),),
            (Entity(7, 10, "NRP", "Ray"),),
        )


def test_templates_hold_no_identifiers() -> None:
    """Outside placeholders, template text must not look like any identifier type."""
    suspicious = re.compile(r"@|://|www\.|\bu/|\br/|#|t\.me|\.(com|org|net)\b|\d{3,}")
    for language, t in TEMPLATES.items():
        sentences = [*t.openers, *t.culture, *t.fillers, *t.closers]
        sentences += [s for group in t.slots.values() for s in group]
        hard = HARD[language]
        sentences += [*hard.fillers, *(s for g in hard.people.values() for s in g)]
        sentences += [s for g in hard.public.values() for s in g]
        for sentence in sentences:
            assert not suspicious.search(strip_markup(sentence)), (language, sentence)
        for kind, group in t.slots.items():
            assert all("{" + kind in s for s in group), (language, kind)


def test_unknown_language_rejected() -> None:
    with pytest.raises(ValueError):
        build_corpus(per_language=1, languages=("fr",))


# -- the hard half (data/hard.yaml) ------------------------------------------------


def test_easy_corpus_has_no_hard_cases() -> None:
    easy = build_corpus(per_language=10, hard=False)
    assert all(d.culture is None for d in easy)
    assert all(e.style is None for d in easy for e in (*d.entities, *d.keep))
    assert not any(k.type == "PUBLIC" for d in easy for k in d.keep)


def test_every_style_and_a_public_name_in_every_post(corpus: list[EvalDoc]) -> None:
    for language in LANGUAGES:
        docs = [d for d in corpus if d.language == language]
        styles = Counter(e.style for d in docs for e in d.entities if e.type == "PERSON")
        for style in HARD[language].people:
            assert styles[style] >= 5, (language, style, styles)
        assert styles["plain"] >= 10, (language, styles)
        assert all(any(k.type == "PUBLIC" for k in d.keep) for d in docs), language
        assert {d.culture for d in docs} == set(HARD[language].cultures)


def test_hard_forms(corpus: list[EvalDoc]) -> None:
    """Each style is what it says: lower-case, an initial, a name glued to a clitic."""
    by_style: dict[tuple[str, str], list[tuple[EvalDoc, Entity]]] = {}
    for d in corpus:
        for e in d.entities:
            if e.type == "PERSON" and e.style:
                by_style.setdefault((d.language, e.style), []).append((d, e))
    for language in ("en", "de"):
        assert all(e.text == e.text.lower() for _, e in by_style[(language, "lower")])
        assert all(re.fullmatch(r"[A-ZÄÖÜ]\.", e.text) for _, e in by_style[(language, "initial")])
    # the clitic is outside the span: a detector must not be asked to remove it
    for language, clitics in (("ar", "وlب"), ("he", "ולמשכ")):
        for d, e in by_style[(language, "clitic")]:
            assert d.text[e.start - 1] in clitics.replace("l", "ل"), (d.id, e)
    assert all(e.text[0] in "小老阿" for _, e in by_style[("zh", "nickname")]), by_style[
        ("zh", "nickname")
    ]
    assert any(" " in e.text for _, e in by_style[("ar", "nickname")])  # أبو علي


def test_round_trip_keeps_style_and_culture(tmp_path: Path) -> None:
    docs = build_corpus(per_language=3)
    path = tmp_path / "hard.jsonl"
    write_jsonl(docs, path)
    assert read_jsonl(path) == docs
    assert any(d.culture for d in docs)
