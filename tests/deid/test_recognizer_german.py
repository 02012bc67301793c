"""GermanNameRecognizer: HanTa's proper-noun tag, name lists and cues must agree.

The unit cases use a small hand-made gazetteer shaped like the real one (`first`/`last`
ranks, `common` = names that are also words); every sentence is written here. The last
two tests use the real gazetteer: on the hand-labelled real phrases (skipped when
`../shared` is absent) and on the synthetic corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from curate.deid.recognizers import german
from curate.deid.recognizers.german import GermanNameRecognizer

TOP = 4000  # rank of a name listed only outside the home countries
GAZETTEER = {
    "first": {
        "jonas": 50,
        "lea": 30,
        "lukas": 20,
        "monika": 5,
        "kevin": 32,
        "sieglinde": 900,
        "paul": 66,  # a top name that is also a word: "common", but protected by its rank
        "itai": TOP,
        "avi": TOP,
        "yasmin": TOP,
        "tavor": TOP,  # a medication brand some foreign name list holds
        "bett": TOP,
        "handy": TOP,
        "sonne": 2300,
        "hoffnung": 3000,
    },
    "last": {"weber": 5, "müller": 0, "schmidt": 1, "henschel": 1100, "kobelt": 2000, "prime": TOP},
    "common": ["bett", "handy", "sonne", "hoffnung", "paul", "avi"],
}


@pytest.fixture(scope="module")
def rec() -> GermanNameRecognizer:
    return GermanNameRecognizer(gazetteer=GAZETTEER)


def names(rec: GermanNameRecognizer, text: str, threshold: float = 0.5) -> list[str]:
    return [text[r.start : r.end] for r in rec.analyze(text, ["PERSON"]) if r.score >= threshold]


@pytest.mark.parametrize(
    "text",
    [
        # capitalised nouns, also ones the name lists hold, are no names
        "Ich liege den ganzen Tag im Bett und schaue auf mein Handy.",
        "Auf der Gesamtschule hatte ich nie Freunde.",
        "Die Sonne scheint, aber ich fühle nur Leere.",
        "Hoffnung ist alles, was mir noch bleibt.",
        # a kinship word before a noun, "Frau" meaning wife
        "Mein Vater Alkoholiker, meine Mutter nie zu Hause.",
        "Ich gebe meiner Frau Schuld daran.",
        # places, brands, a medication, God
        "Ich war in Berlin und München, aber Hamburg war schöner.",
        "Ich nahm eine Tavor und konnte endlich schlafen.",
        "Tavor wirkt bei mir inzwischen kaum noch.",
        "Netflix und YouTube lenken mich ab.",
        "Ich bete jeden Abend zu Gott.",
        "Sport hilft mir ein bisschen.",
        # a subreddit is no person, also before "hat mir"
        "Auf r/Austria hat mir jemand geantwortet.",
        # a greeting is no cue for a capitalised word
        "Hallo Zusammen, ich bin neu hier.",
        # nouns opening a sentence before a comma or a colon: no address
        "Bett, Handy und Sonne. Danke, Leute!",
        "Hoffnung: die habe ich nicht mehr.",
    ],
)
def test_no_names(rec: GermanNameRecognizer, text: str) -> None:
    assert names(rec, text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # first name tagged NE, no cue needed
        ("Ich habe gestern mit Jonas geredet.", ["Jonas"]),
        ("Monika hat mich ausgenutzt.", ["Monika"]),
        # a top name that is also a word, tagged NE
        ("Paul hat mich blockiert.", ["Paul"]),
        # first name and surname: one span
        ("Jonas Weber hat mich angerufen.", ["Jonas Weber"]),
        ("Ich habe Sieglinde Henschel aus dem Kurs geschrieben.", ["Sieglinde Henschel"]),
        # kinship and role words, also compounds, and titles
        ("Meine beste Freundin Lea meinte, ich soll zum Arzt.", ["Lea"]),
        ("Mein Mitbewohner Itai redet kaum mit mir.", ["Itai"]),
        ("Meine Teamleiterin Yasmin hat mich vor allen kritisiert.", ["Yasmin"]),
        ("Herr Müller hat mich rausgeworfen.", ["Müller"]),
        ("Mein Chef, Dr. Schmidt, hat gesagt, ich sei faul.", ["Schmidt"]),
        # naming verbs
        ("Ein Typ namens Kevin hat mich verfolgt.", ["Kevin"]),
        ("Sie heißt Yasmin und wohnt nebenan.", ["Yasmin"]),
        # a name no list knows, after a role word and a talking verb
        ("Meine Therapeutin Kreszenz sagt, ich soll Grenzen setzen.", ["Kreszenz"]),
        # a name next to a sure one; two listed names together
        ("Letzte Woche waren Lea und Avi ohne mich im Kino.", ["Lea", "Avi"]),
        ("Letzte Woche waren Yasmin und Itai ohne mich im Kino.", ["Yasmin", "Itai"]),
        # a genitive
        ("Leas Mutter hat mich gestern angerufen.", ["Leas"]),
        # an abbreviated part and particles inside a name
        ("Mein Bruder Hans-J. Kobelt ist das Lieblingskind.", ["Hans-J. Kobelt"]),
        ("Ich habe Lea van der Weber lange nicht gesehen.", ["Lea van der Weber"]),
        # the address of a reply, a signature: the place is the cue, and bounds the name
        ("Das kenne ich. Sieglinde: ich auch.", ["Sieglinde"]),
        ("Itai, Ich weiß nicht weiter.", ["Itai"]),
        ("Wünsche dir ganz viel Kraft! - Yasmin", ["Yasmin"]),
        ("Bleib nicht aus Mitleid bei ihr ~ Sieglinde Killer", ["Sieglinde Killer"]),
        ("Sieglinde Bruder: Ich kann nicht mehr.", ["Sieglinde Bruder"]),  # a noun surname
        # a rare word between "mit" and a verb of talking; greeted before a comma
        ("Ich habe gestern mit Ludwina darüber geredet.", ["Ludwina"]),
        ("Hey Alles Gute Fleischgeigerin, hier hast du ein Bier.", ["Fleischgeigerin"]),
    ],
)
def test_names(rec: GermanNameRecognizer, text: str, expected: list[str]) -> None:
    assert names(rec, text) == expected


def test_initial_after_cue(rec: GermanNameRecognizer) -> None:
    text = "Meine Freundin S. hat mir sehr geholfen."
    assert names(rec, text) == ["S"]
    assert names(rec, "Ich habe Plan B. Dann wird es besser.") == []


def test_unsure_results_are_marked_and_low(rec: GermanNameRecognizer) -> None:
    """One signal alone (a listed name HanTa tags NE, listed only abroad, no cue) gives a
    low score that says why."""
    results = rec.analyze("Tavor wirkt bei mir inzwischen kaum noch.", ["PERSON"])
    assert [r.score < 0.5 for r in results] == [True]
    meta = results[0].recognition_metadata
    assert meta["unsure"] == "name list, no cue"
    assert meta["recognizer_name"] == "GermanNameRecognizer"
    # the cues are weighed here: Presidio's context step must leave the score alone
    assert meta["is_score_enhanced_by_context"] is True
    sure = rec.analyze("Ich habe mit Jonas geredet.", ["PERSON"])
    assert [r.score for r in sure] == [0.85] and "unsure" not in sure[0].recognition_metadata


def test_unsure_spans_do_not_overlap(rec: GermanNameRecognizer) -> None:
    """A proper noun of several words is one unsure span, not one per word."""
    text = "Ich schaue abends Amazon Prime Video und sonst nichts."
    results = rec.analyze(text, ["PERSON"])
    assert [(text[r.start : r.end], r.score < 0.5) for r in results] == [
        ("Amazon Prime Video", True)
    ]


def test_other_entities_only(rec: GermanNameRecognizer) -> None:
    assert rec.analyze("Ich habe mit Jonas geredet.", ["EMAIL_ADDRESS"]) == []


def test_tagger_loaded_once_and_each_sentence_tagged_once(
    rec: GermanNameRecognizer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only sentences that may hold a name are tagged, each in one call."""
    assert german._tagger() is german._tagger()
    calls: list[list[str]] = []
    real = german.tag_sentence

    def counting(tokens: list[str]) -> list[str]:
        calls.append(tokens)
        return real(tokens)

    monkeypatch.setattr(german, "tag_sentence", counting)
    text = "Heute war ein schlechter Tag. Jonas Weber hat mich angerufen. Ich bin müde."
    assert names(rec, text) == ["Jonas Weber"]
    assert calls == [["Jonas", "Weber", "hat", "mich", "angerufen", "."]]


# -- with the real gazetteer ---------------------------------------------------------------

REAL = Path("../shared/deid-realtext/dev.jsonl")


@pytest.fixture(scope="module")
def real_rec(tmp_path_factory: pytest.TempPathFactory) -> GermanNameRecognizer:
    """With the names-dataset gazetteer the engine uses (the same settings, so the one
    built once per test session in CURATE_CACHE)."""
    from curate.config import load_config
    from curate.deid.analyzer import culture_terms
    from curate.deid.policy import load_policy
    from curate.deid.recognizers.gazetteer import GazetteerSettings, load_or_build
    from curate.deid.stage import cache_dir

    config = load_config(None, tmp_path_factory.mktemp("de-ws"))
    section = load_policy(config).data["gazetteer"]
    never = set(section.get("never_names", ())) | culture_terms(config)
    data = load_or_build(cache_dir(config), GazetteerSettings.from_policy(section, never))
    return GermanNameRecognizer(gazetteer=data["names"]["de"])


@pytest.mark.skipif(not REAL.is_file(), reason="../shared/deid-realtext absent")
def test_real_german_phrases(real_rec: GermanNameRecognizer) -> None:
    """Almost no false positive on the real German phrases; their private names found."""
    from curate.langid import detect

    false_pos = missed = 0
    for line in REAL.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if detect(row["text"])[0] != "de":
            continue
        found = [r for r in real_rec.analyze(row["text"], ["PERSON"]) if r.score >= 0.5]
        private = row["private"]
        false_pos += sum(
            not any(r.start < p["end"] and p["start"] < r.end for p in private) for r in found
        )
        missed += sum(
            not any(r.start <= p["start"] and r.end >= p["end"] for r in found)
            for p in private
            if p["type"] == "PERSON"
        )
    assert false_pos <= 2
    assert missed == 0


def test_synthetic_recall(real_rec: GermanNameRecognizer) -> None:
    from curate.synthetic.corpus import build_corpus

    gold = found = 0
    for doc in build_corpus(per_language=80, seed=29, languages=("de",), hard=False):
        results = [r for r in real_rec.analyze(doc.text, ["PERSON"]) if r.score >= 0.5]
        for e in doc.entities:
            if e.type == "PERSON":
                gold += 1
                found += any(r.start <= e.start and r.end >= e.end for r in results)
    assert found / gold >= 0.92


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a lower-case first name where a cue says a person stands there (unsure)
        ("hab eben mit jonas geredet, bringt nix.", ["jonas"]),
        ("ich und lea waren mal beste freundinnen.", ["lea"]),
        ("lukas und ich schreiben kaum noch.", ["lukas"]),
        ("ich und lea kobelt waren mal unzertrennlich.", ["lea kobelt"]),  # with the surname
        ("hab monika gefragt, aber sie hat keine zeit.", ["monika"]),
        ("meine schwester lea meint, ich soll zum arzt.", ["lea"]),
        # no cue, a word that some list holds, a name that is also a word
        ("gestern war jonas nicht da.", []),
        ("mit sonne und ruhe geht es mir besser.", []),
        ("ich hab mit paul nichts zu tun.", []),
    ],
)
def test_lower_case_names_after_a_cue(rec, text, expected) -> None:
    found = [r for r in rec.analyze(text, ["PERSON"]) if r.score >= 0.5]
    assert [text[r.start : r.end] for r in found] == expected
    assert all(r.recognition_metadata.get("unsure") for r in found)
