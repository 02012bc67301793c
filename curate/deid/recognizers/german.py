"""German person names: HanTa's proper-noun tag, name lists and context cues together.

German capitalises every noun, so a capitalised word is never a name because it is
capitalised, and the name lists hold many nouns too ("Bett", "Handy", "Sonne"). HanTa (the
Hanover Tagger, a small morphological HMM whose German model ships in the wheel) tells
proper nouns (NE) from common nouns (NN) in context. Neither signal is enough alone: HanTa
also tags places, apps, brands and medications NE, and a list may hold a noun. So a word
is taken for a name (score 0.85, 0.9 with a surname) when two signals agree:

- NE and a first name of the home countries' lists that is no common word (or is one of
  the top names, "Paul", "Klaus");
- NE and a kinship or role word, a title or "namens" before it; or NE, a listed name and
  a verb of talking or meeting ("habe mit Ahmad gesprochen");
- a home first name and any cue, a foreign one after a kinship word or title (HanTa
  misses some: "Mitbewohner Ahmet" comes out a verb);
- a listed or rare word followed by a surname HanTa tags NE ("Hildegunde Henschel");
- a name or NE right next to a sure name ("Lea und Avi");
- a listed first name (or a rare NE) filling the address of a reply or a signature
  ("Gertrud: ich kenne das", "- Moshe"; `address`), a rare word between "mit" and a verb
  of talking ("mit Ludwina geredet").

One signal alone gives a low score under the PERSON threshold, marked unsure: a name
listed only abroad or also a word ("Tavor", "Jo", "Park"), NE with no list ("Discord hat
mich gebannt", "Corona"), a home first name HanTa calls a noun.

A surname, or a rare word, right after a name joins it ("Jonas Weber" is one span). After
a kinship word or a title an initial is a name too ("meine Freundin S."). A lower-case
listed first name ("hab mit jonas geredet") is taken only next to a cue (a role word,
"ich und", "und ich", a verb of talking), at the initial's score and marked unsure.

Speed: only sentences that may hold a name (a listed word or a cue) are tagged, each in one
call; HanTa's per-word analysis is memoised across calls (it analyses every word it did not
see in training anew on each call).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from presidio_analyzer import EntityRecognizer, RecognizerResult

from curate.deid.data import cultural_terms, stop_words, zipf
from curate.deid.recognizers.address import addressed
from curate.deid.recognizers.result import person_result

SURE = 0.85
LINKED = 0.9  # first name and surname together
INITIAL = 0.6
UNSURE = 0.35  # one signal only: under the PERSON threshold, marked unsure

_LOW = "a-zäöüßáàâãåçéèêëíìîïñóòôõøúùûýÿğışčćšžłń"
_UP = "A-ZÄÖÜÁÀÂÇÉÈÊÍÎÓÔØÚÛÝĞİŞČĆŠŽŁ"
_TOKEN = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]")
# A capitalised word: "Lea", "Anna-Lena", "Ben-David", "O'Neill", "Hans-J" (before "J.").
_NAME_WORD = re.compile(rf"[{_UP}][{_LOW}]+(?:[-'’][{_UP}]?[{_LOW}]+)*(?:-[{_UP}])?")
_SENTENCE_END = frozenset(".!?…")
_ARTICLES = frozenset("der die das den dem des ein eine einen einem einer eines".split())
# Particles inside a name: "Aurelia van der Dussen", "Itai ben David".
_PARTICLES = frozenset("von van der den de zu vom ten ter da di del ben bin ibn al el".split())

TITLES = frozenset("herr herrn frau dr prof doktor fräulein med".casefold().split())
NAMING = frozenset("namens genannt heißt heiße heißen hieß hießen".casefold().split())
ROLES = frozenset(
    (
        "freund freundin freunde freundinnen bruder brüder schwester schwestern mutter vater "
        "mama papa mami papi oma opa großmutter großvater cousin cousine onkel tante sohn "
        "tochter neffe nichte enkel enkelin schwager schwägerin mann ehemann ehefrau gatte "
        "gattin partner partnerin verlobter verlobte ex exfreund exfreundin chef chefin kollege "
        "kollegin kollegen vorgesetzter vorgesetzte leiter leiterin therapeut therapeutin "
        "psychologe psychologin psychiater psychiaterin arzt ärztin lehrer lehrerin betreuer "
        "betreuerin trainer trainerin mitbewohner mitbewohnerin nachbar nachbarin kumpel "
        "kumpels bekannter bekannte mitschüler mitschülerin kommilitone kommilitonin "
        "sozialarbeiter sozialarbeiterin seelsorger seelsorgerin pfarrer pastor pastorin "
        "liebling schatz"
    )
    .casefold()
    .split()
)
# A greeting names who is greeted ("Hallo Lea"), but is no cue for an initial or an unknown word.
GREETINGS = frozenset("hallo hi hey liebe lieber danke gute".split())  # "Alles Gute X"
# Compound role words end in one: "Teamleiterin", "Hausarzt", "Schulfreundin" (but
# "Schenkel" is no grandchild and "Gebärmutter" no mother).
_ROLE_SUFFIXES = tuple(
    sorted(w for w in ROLES if len(w) >= 5 and w not in ("schatz", "enkel", "enkelin", "mutter"))
)
# Verb forms of talking, meeting, writing, loving, fighting: "mit X geredet", "X meinte",
# "habe X angerufen". Not "sehen", "helfen", "benutzen": things are seen, help and are used
# ("Sport hilft").
TALK_VERBS = frozenset(
    (
        "geredet redet redete redeten reden gesprochen spricht sprach sprachen sprechen "
        "getroffen trifft traf trafen treffen geschrieben schreibt schrieb schrieben "
        "angeschrieben gefragt fragt fragte fragten gesagt sagt sagte sagten gemeint meint "
        "meinte meinten erzählt erzählte erzählten angerufen ruft rief anrufen telefoniert "
        "telefonierte gechattet chattet kennengelernt geküsst küsst küsste geheiratet heiratet "
        "heiratete betrogen betrog geschlagen schlägt schlug gedatet datet vermisst vermisste "
        "geliebt liebt liebte gehasst hasst hasste angeschrien schreit schrie geantwortet "
        "antwortet antwortete gestritten streitet stritten besucht besuchte getextet textet "
        "vergewaltigt missbraucht gemeldet meldet meldete"
    )
    .casefold()
    .split()
)
_AUX = frozenset("hat hatte hätte ist war wird will wollte".split())
_OBJECT = frozenset("mich mir uns".split())
_AND = frozenset({"und", "oder", "&", ","})
_STRONG = ("title", "naming", "role")


@cache
def _tagger():
    """HanTa's German model, loaded once (0.2 s), its per-word analysis memoised."""
    from HanTa import HanoverTagger as ht

    tagger = ht.HanoverTagger("morphmodel_ger.pgz")
    tagger.analyze_forward = lru_cache(maxsize=100_000)(tagger.analyze_forward)
    return tagger


def tag_sentence(tokens: list[str]) -> list[str]:
    """STTS tags of one sentence's tokens (NE proper noun, NN common noun, ...)."""
    return _tagger().tag_sent(tokens, taglevel=0) if tokens else []


def is_role(key: str) -> bool:
    """A kinship or role word, also inside a compound ("Teamleiterin")."""
    return key in ROLES or (len(key) > 6 and key.endswith(_ROLE_SUFFIXES))


@dataclass
class _Found:
    """A name candidate: words i..j-1 of a sentence."""

    i: int
    j: int
    score: float
    how: str


@dataclass
class _Sentence:
    text: str
    toks: list[tuple[int, int, str]]
    keys: list[str]
    tags: list[str]


class GermanNameRecognizer(EntityRecognizer):
    """PERSON in German text: HanTa NE tags, first/last-name lists and context cues."""

    def __init__(
        self,
        *,
        gazetteer: dict | None = None,
        supported_language: str = "de",
        sure_score: float = SURE,
        unsure_score: float = UNSURE,
        top_n: int = 4000,
        top_common: int = 150,
        initials: bool = True,
    ) -> None:
        gazetteer = gazetteer or {}
        self.common = frozenset(gazetteer.get("common", ()))
        first, last = gazetteer.get("first", {}), gazetteer.get("last", {})
        # rank top_n: listed only outside the language's home countries
        self.rank = first
        self.top_n = top_n
        self.top_common = top_common
        self.first = frozenset(k for k, r in first.items() if r < top_n) - self.common
        self.abroad = frozenset(k for k, r in first.items() if r >= top_n) - self.common
        self.last = frozenset(last)
        self.home_last = frozenset(k for k, r in last.items() if r < top_n)
        self.sure_score = sure_score
        self.unsure_score = unsure_score
        self.initials = initials
        # stop words and cultural terms ("Deutsch", "Abitur") are never names
        self.stops = stop_words("de") | cultural_terms()
        super().__init__(
            supported_entities=["PERSON"],
            supported_language=supported_language,
            name="GermanNameRecognizer",
        )

    def load(self) -> None:
        pass  # the tagger loads on first use

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list:
        if entities and "PERSON" not in entities:
            return []
        results: list[RecognizerResult] = []
        for toks in _sentences(text):
            keys = [w.casefold() for _, _, w in toks]
            results.extend(self._lower_names(toks, keys))
            if not self._worth_tagging(toks, keys, text):
                continue
            sent = _Sentence(text, toks, keys, tag_sentence([w for _, _, w in toks]))
            results.extend(self._names(sent))
            if self.initials:
                results.extend(self._initials(sent))
        return results

    # -- signals ------------------------------------------------------------------------

    def _word(self, word: str, key: str) -> bool:
        return (
            bool(_NAME_WORD.fullmatch(word))
            and key not in self.stops
            and key not in TITLES
            and key not in GREETINGS
            and not is_role(key)
        )

    def _listed(self, key: str, table: frozenset[str]) -> bool:
        """In `table`, or a hyphenated name whose parts all are ("Kai-Uwe")."""
        if key in table:
            return True
        parts = [p for p in key.split("-") if len(p) > 1]
        return "-" in key and bool(parts) and all(p in table for p in parts)

    def _genitive(self, key: str) -> str:
        """The name in a genitive ("Leas Mutter" -> "lea"), else the word itself."""
        if key.endswith("s") and not self._first_name(key) and key not in self.last:
            stem = key[:-1]
            if self._first_name(stem):
                return stem
        return key

    def _first_name(self, key: str) -> bool:
        return any(self._listed(key, t) for t in (self.first, self.abroad, self.common))

    def _worth_tagging(
        self, toks: list[tuple[int, int, str]], keys: list[str], text: str = ""
    ) -> bool:
        """Every rule needs a first name, a cue, or a listed word beside another capitalised
        word (a common-word name or a surname counts only so): else skip HanTa."""
        capital = [
            self._word(word, key) or (len(word) == 1 and word.isupper())
            for (_, _, word), key in zip(toks, keys, strict=True)
        ]
        for i, key in enumerate(keys):
            if not capital[i]:
                continue
            if key[-1] == "s" and key[:-1] in self.first:
                return True  # "Leas Mutter"
            if key in self.first or key in self.abroad or _cue_before(keys, i):
                return True
            if key in self.common or key in self.last:
                beside = [i + 1] + (
                    [i + 2, i - 2] if i + 1 < len(keys) and keys[i + 1] in _AND else []
                )
                if i >= 1 and keys[i - 1] in _AND:
                    beside.append(i - 2)
                if any(0 <= k < len(keys) and capital[k] for k in beside):
                    return True
            if _cue_after(keys, i + 1):
                return True
            namelike = self._first_name(key) or key in self.last or zipf(key, "de") < 2.0
            if text and namelike and _address_end(text, toks, i, i + 1) is not None:
                return True  # "Ramon, ...", "- Centa Jüttner", "Hanne Bruder:"
        return False

    def _surname_part(self, s: _Sentence, j: int) -> bool:
        """Word j may continue a name: a surname, or a capitalised word that is no common
        noun (HanTa: not NN, or a rare word)."""
        word, key, tag = s.toks[j][2], s.keys[j], s.tags[j]
        if not self._word(word, key):
            return False
        if tag == "NE" or (tag != "NN" and key not in self.common):
            return True
        rarity = zipf(key.split("-")[0], "de")
        return rarity < 3.0 or (key in self.last and rarity < 4.5)

    def _span(self, s: _Sentence, i: int) -> int:
        """Index after the last word of the name that starts at word i."""
        toks, keys, j = s.toks, s.keys, i + 1
        end = toks[i][1]
        while j < len(toks):
            gap = s.text[end : toks[j][0]]
            word = toks[j - 1][2]
            if gap == "" and keys[j] == "." and (word[-1:].isupper()) and j + 1 < len(toks):
                # "Hans-J. Kobelt", "Lea M. Weber": an initial inside the name
                if s.text[toks[j][1] : toks[j + 1][0]] == " " and self._surname_part(s, j + 1):
                    end, j = toks[j + 1][1], j + 2
                    continue
                break
            if gap not in (" ", "-"):
                break
            if keys[j] in _PARTICLES:
                k = j
                while k < len(toks) and keys[k] in _PARTICLES:
                    k += 1
                if k < len(toks) and self._surname_part(s, k):
                    end, j = toks[k][1], k + 1  # "Aurelia van der Dussen"
                    continue
                if keys[j] == "van" and k == j + 1:
                    end, j = toks[j][1], j + 1  # "Dussen van" as name lists write it
                break
            if len(toks[j][2]) == 1 and toks[j][2].isupper():
                end, j = toks[j][1], j + 1  # "Lea M. Weber"
                continue
            if not self._surname_part(s, j):
                break
            end, j = toks[j][1], j + 1
        # never end on an initial without its surname
        while j - 1 > i and len(toks[j - 1][2]) == 1:
            j -= 1
        return j

    def _address_span(self, s: _Sentence, i: int, j: int) -> int:
        """Up to three capitalised words from a first name that fill the address of a
        reply or a signature are one name, whatever HanTa calls the later ones ("Waldemar
        Killer: ...", not "Vergiss Jonas, ...")."""
        if not self._first_name(self._genitive(s.keys[i])):
            return j
        k = _address_end(s.text, s.toks, i, j)
        return j if k is None else max(k, j)

    # -- decisions ----------------------------------------------------------------------

    def _proper(self, s: _Sentence, k: int) -> bool:
        """HanTa calls word k a proper noun (NE), or foreign material (FM) that is a name."""
        return s.tags[k] == "NE" or (s.tags[k] == "FM" and self._first_name(s.keys[k]))

    def _names(self, s: _Sentence) -> list[RecognizerResult]:
        found: list[_Found] = []
        i = 0
        while i < len(s.toks):
            word, key = s.toks[i][2], s.keys[i]
            if not self._word(word, key) or _glued(s, i):
                i += 1
                continue
            j = self._address_span(s, i, self._span(s, i))
            score, how = self._decide(s, i, j)
            if j > i + 1 and score >= 0.5:
                score = max(score, LINKED)
            if score or self._first_name(key) or key in self.last:
                found.append(_Found(i, j, score, how))
            i = j if score >= 0.5 else i + 1
        self._coordinated(s, found)
        # an unsure span that overlaps another result, sure or earlier, is left out
        kept: list[_Found] = []
        for f in sorted((f for f in found if f.score), key=lambda f: -f.score):
            if f.score >= 0.5 or all(f.j <= g.i or g.j <= f.i for g in kept):
                kept.append(f)
        return [
            self._result(
                s.toks[f.i][0],
                _end(s, f.j),
                f.score,
                f.how,
                {} if f.score >= 0.5 else {"unsure": f.how},
            )
            for f in sorted(kept, key=lambda f: f.i)
        ]

    def _decide(self, s: _Sentence, i: int, j: int) -> tuple[float, str]:
        """Score and reason for the name candidate of words i..j-1 (0: none)."""
        key = self._genitive(s.keys[i])
        ne = self._proper(s, i)
        before = _cue_before(s.keys, i)
        after = _cue_after(s.keys, j)
        cue = before or after
        home = self._listed(key, self.first) or self.rank.get(key, self.top_n) < self.top_common
        abroad = not home and self._listed(key, self.abroad)
        first = self._first_name(key)
        listed = first or key in self.last
        rare = zipf(key, "de") < 2.0
        # a proper noun of two or more words, not inside a longer one ("Amazon Prime Video")
        linked = (
            j > i + 1
            and any(self._proper(s, k) for k in range(i, j))
            and not (i > 0 and self._proper(s, i - 1) and _NAME_WORD.fullmatch(s.toks[i - 1][2]))
        )
        surname = any(s.keys[k] in self.home_last for k in range(i + 1, j))
        starter = first or (ne and key in self.home_last) or (rare and surname)
        article = i > 0 and s.keys[i - 1] in _ARTICLES
        if ne and home and not (article and not cue):
            return self.sure_score, "NE, first name"
        if ne and (before in _STRONG or (cue and listed)):
            # a verb or a greeting alone is no cue for an unlisted word: apps, countries and
            # illnesses talk and are greeted too ("Discord hat mich gebannt")
            return self.sure_score, f"NE, {cue} cue"
        if (home and cue) or (abroad and before in ("title", "role", "naming")):
            return self.sure_score, f"first name, {cue} cue"
        if before in ("title", "naming") and listed:
            return self.sure_score, f"name list, {before} cue"
        if before in ("title", "role") and first and after:
            return self.sure_score, f"name list, {before} and {after} cue"  # "Freundin Asta hat"
        if (
            before in ("title", "role")
            and not listed
            and ((linked and zipf(key, "de") < 4.0) or (rare and after))
        ):
            # "meine Therapeutin Kreszenz sagt", "meine Freundin Centa Heuser"
            return self.sure_score, f"unknown word, {before} cue"
        if linked and starter:
            return LINKED, "first name and surname"
        if linked and cue and zipf(key, "de") < 2.5:
            return self.sure_score, f"rare name, {cue} cue"  # "habe Bernhardine Hettner ..."
        where = addressed(s.text, s.toks[i][0], _end(s, j))
        # a name that is also a word only if a rare one ("Gertrud", not "Bett"); an unlisted
        # proper noun only alone and rare (not "Vergiss Jonas, ...": HanTa calls a
        # sentence's first word NE often)
        listed_rare = first and (zipf(key, "de") < 4.0 or surname)
        if where and (home or abroad or listed_rare or (ne and rare and j == i + 1)):
            return self.sure_score, f"first name, {where}"  # "Gertrud: ...", "- Moshe"
        if before == "greeting" and rare and j == i + 1 and s.keys[j : j + 1] == [","]:
            return self.sure_score, "rare word greeted"  # "Alles Gute Fleischgeiger, hier"
        if i > 0 and s.keys[i - 1] == "mit" and after and rare:
            return self.sure_score, "rare word, mit … talk cue"  # "mit Ludwina geredet"
        if ne or home or abroad:
            if home or abroad:
                return self.unsure_score, "name list, no cue"
            return self.unsure_score, f"NE, {cue} cue only" if cue else "NE, no cue"
        return 0.0, ""

    def _coordinated(self, s: _Sentence, found: list[_Found]) -> None:
        """A proper noun or a listed name next to a sure name across "und", "oder" or "&"
        is a name too ("Lea und Avi"); so are two listed names one of which HanTa tags NE
        ("Gloria und Wang"). A comma links listed names only."""
        by_start = {f.i: f for f in found}
        by_end = {f.j: f for f in found}

        def neighbours(f: _Found) -> list[_Found]:
            out = []
            if f.i >= 2 and s.keys[f.i - 1] in _AND and f.i - 1 in by_end:
                out.append(by_end[f.i - 1])
            if f.j < len(s.keys) and s.keys[f.j] in _AND and f.j + 1 in by_start:
                out.append(by_start[f.j + 1])
            return out

        def named(f: _Found) -> bool:
            key = self._genitive(s.keys[f.i])
            return self._first_name(key) or key in self.last

        todo = list(found)
        while todo:
            f = todo.pop()
            if f.score >= 0.5:
                continue
            for g in neighbours(f):
                comma = s.keys[min(f.j, g.j)] == ","
                both = named(f) and named(g)
                mine, theirs = self._proper(s, f.i), self._proper(s, g.i)
                if comma and not both:
                    continue
                if (g.score >= 0.5 and (mine or named(f))) or (both and (mine or theirs)):
                    f.score, f.how = self.sure_score, "next to a name"
                    todo.extend(neighbours(f))
                    break

    def _lower_names(self, toks: list[tuple[int, int, str]], keys: list[str]) -> list:
        """A lower-case first name ("hab grad mit jonas telefoniert", "ich und lena") where
        a cue says a person stands there: a kinship or role word, a title, "ich und" before
        it, "und ich" after it, or a verb of talking or meeting right after it or after
        "mit" + the name. German writes every noun and name capitalised, so a lower-case
        listed name is taken only so, and marked unsure (no tagger confirms it)."""
        out = []
        for i, (start, end, word) in enumerate(toks):
            key = keys[i]
            if not word.islower() or key in self.stops or not self._lower_first(key):
                continue
            if is_role(key) or key in TITLES or key in GREETINGS or zipf(key, "de") >= 5.0:
                continue
            # a surname (listed, or a rare word) or a second given name after it: "mit hans
            # georg", "ich und zeynep birnbaum"
            j = i + 1
            if j < len(toks) and toks[j][2].islower() and toks[j][0] == end + 1:
                nxt = keys[j]
                known = self._listed(nxt, self.last) or nxt in self.first
                if nxt not in self.stops and (known or zipf(nxt, "de") < 2.5):
                    j += 1
            after = keys[j : j + 3]
            cue = _cue_before(keys, i) in ("title", "role", "naming", "talk")
            cue = cue or after[:2] == ["und", "ich"]
            cue = cue or (bool(after) and after[0] in TALK_VERBS)
            cue = cue or (i and keys[i - 1] == "mit" and any(k in TALK_VERBS for k in after))
            cue = cue or (len(after) > 1 and after[0] in _AUX and after[1] in TALK_VERBS)
            if cue:
                why = "lower-case first name after a cue"
                out.append(self._result(start, toks[j - 1][1], INITIAL, why, {"unsure": why}))
        return out

    def _lower_first(self, key: str) -> bool:
        """A first name listed at home or abroad (a cue is required anyway), never one that
        is also a common word."""
        return any(self._listed(key, t) for t in (self.first, self.abroad))

    def _initials(self, s: _Sentence) -> list[RecognizerResult]:
        """An initial right after a title or a kinship or role word ("meine Freundin S.",
        "Herr K."): one capital letter and a full stop."""
        out = []
        for i, (start, end, word) in enumerate(s.toks):
            if (
                len(word) == 1
                and word.isupper()
                and s.text[end : end + 1] == "."
                and _cue_before(s.keys, i) in ("title", "role")
            ):
                out.append(self._result(start, end, INITIAL, "initial after cue", {}))
        return out

    def _result(self, start: int, end: int, score: float, how: str, meta: dict) -> RecognizerResult:
        return person_result(
            self, start, end, score, how, meta.get("unsure"), scored_with_context=True
        )


def _address_end(text: str, toks: list[tuple[int, int, str]], i: int, j: int) -> int | None:
    """Index after the capitalised words from word i (at least to word j, up to three in
    all, one space apart) that fill the address of a reply or a signature (`address`),
    or None. The place bounds the name: a surname that is also a noun is part of it."""
    k = j
    while (
        k < len(toks)
        and k - i < 3
        and _NAME_WORD.fullmatch(toks[k][2])
        and text[toks[k - 1][1] : toks[k][0]] == " "
    ):
        k += 1
    return k if addressed(text, toks[i][0], toks[k - 1][1]) else None


def _glued(s: _Sentence, i: int) -> bool:
    """Word i is part of a path, handle or address ("r/Austria", "lea@", "#Lea")."""
    start, end = s.toks[i][0], s.toks[i][1]
    return s.text[start - 1 : start] in ("/", "@", "#", "_", "\\") or s.text[end : end + 1] in (
        "/",
        "@",
        "_",
    )


def _end(s: _Sentence, j: int) -> int:
    """End offset of a name whose last word is j-1, with the full stop of a final
    abbreviated part ("Hans-J.")."""
    end, word = s.toks[j - 1][1], s.toks[j - 1][2]
    abbreviated = len(word) > 2 and word[-2] == "-" and word[-1].isupper()
    return end + 1 if abbreviated and s.text[end : end + 1] == "." else end


def _cue_before(keys: list[str], i: int) -> str:
    """What right before word i says a person follows: "title", "naming", "role", "talk"."""
    j = i - 1
    if j >= 1 and keys[j] == "." and keys[j - 1] in TITLES:
        return "title"  # "Dr. Weber"
    if j >= 1 and keys[j] == ",":
        j -= 1  # "meine Freundin, Lea, ..."
    if j < 0:
        return ""
    prev = keys[j]
    if prev in TITLES:
        return "title"
    if prev in NAMING:
        return "naming"
    if is_role(prev):
        return "role"
    if prev in GREETINGS:
        return "greeting"
    if prev == "und" and j >= 1 and keys[j - 1] == "ich":
        return "talk"  # "ich und X"
    return ""


def _cue_after(keys: list[str], j: int) -> str:
    """A verb of talking or meeting soon after the name ending before word j: "mit X
    geredet", "habe X gesehen", "X hat mich", "X und ich"."""
    nxt = keys[j : j + 5]
    if len(nxt) > 1 and (
        (nxt[0] in _AUX and nxt[1] in _OBJECT) or (nxt[0] == "und" and nxt[1] == "ich")
    ):
        return "talk"
    for k in nxt:
        if k in TALK_VERBS:
            return "talk"
        if k in _SENTENCE_END or k in (",", ";", ":"):
            break
    return ""


def _sentences(text: str) -> list[list[tuple[int, int, str]]]:
    """Tokens (start, end, word) split into sentences at . ! ? (not after a title or an
    initial) and at line breaks, so HanTa reads each sentence start as one."""
    sentences: list[list[tuple[int, int, str]]] = []
    current: list[tuple[int, int, str]] = []
    last_end = 0
    for m in _TOKEN.finditer(text):
        tok = (m.start(), m.end(), m.group())
        if current and "\n" in text[last_end : m.start()]:
            sentences.append(current)
            current = []
        current.append(tok)
        last_end = m.end()
        if tok[2] in _SENTENCE_END:
            prev = current[-2][2] if len(current) > 1 else ""
            if prev.casefold() in TITLES or (prev[-1:].isupper() and len(prev.split("-")[-1]) == 1):
                continue
            sentences.append(current)
            current = []
    if current:
        sentences.append(current)
    return sentences
