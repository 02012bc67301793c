"""Person names in Arabic script: a name list with counts, a dialect stoplist and context cues.

Name parts come from `arabic-name-romanizer`'s `names.sqlite3` (Wikidata and Algerian
registry names; each unit with a count, a role and a country; data CC0), read once,
read-only, into a dict (Arab-world rows only). The engine's names-dataset gazetteer is a
second list, used only in context: its Arabic lists come from free-text name fields, so
everyday dialect words ("what", "stay", "my husband") are "names" there, and on real posts
most of its context-free hits were words. It fills the first list's gaps (rare and modern
given names) after a cue, and its family names join a name the context made sure.

Arabic names are words too (Karim = generous, Amal = hope, Saeed = happy) and posts are
written in dialect, so a listed name is not enough. Rules, from sure to dropped:
- after a kinship, role or naming cue ("صديقي" my friend, "الدكتور", "اسمه" his name is,
  with adjectives or "in the dorm" between) a listed name is sure. A word that is more
  often a word than a name ("جميلة" beautiful) is unsure there, and before an intensifier
  ("جدا") it is the predicate, no name. A word the list lacks is taken, unsure, only if it
  is rare and not inflected like a dialect verb, participle or possessed noun;
- after "with" or a verb of talking ("تكلمت مع", "قلت ل", "كلمت") a listed given name is
  sure if rare as a word, unsure if a common name ("أحمد"), dropped if a common word;
- "I called+X" ("اتصلت بX") and "I and X" / "my mother and X" ("أنا وX") take listed
  names as a kin cue does (the clitic split off); a line opened by a name ("X، …",
  "X: …") or a text signed off ("- X") counts as "with"; a kin word after a listed name
  ("X جارنا" = X our neighbour) or "with" + a listed name ("X مع Y") is context too;
- a kunya "أم X" (mother of X; "أم" is also "or") takes a listed given name;
- without context: two name parts ("given + al-family", "X bin Y", "Abd al-X", "Abu X")
  are sure; a listed given name that is rare as a word (Zipf < `alone_zipf`) is unsure
  ("name list, no context"); a common word is dropped.
Every word goes through the same normalisation as the list's `lookup_key` (diacritics,
tatweel, alef/hamza forms, ى/ي, ة/ه), but dialect function words are checked before ى/ة
are folded ("على" = on is never "علي" = Ali). Prefixed conjunctions and prepositions
(و ف ب ل ك) are split off only when the whole word is no listed name: names start with
those letters too (وليد, فادي, بلال, كريم, لينا).
"""

from __future__ import annotations

import re
import sqlite3
from functools import cache, lru_cache
from importlib import resources
from math import log10
from typing import NamedTuple

from presidio_analyzer import EntityRecognizer, RecognizerResult

from curate.deid.data import zipf
from curate.deid.recognizers.address import signature, starts_sentence
from curate.deid.recognizers.result import person_result

# Arabic-world rows only: the file's Iranian, Pakistani and Afghan rows are Persian-script
# names, and their name fields hold many Persian/Urdu words.
_ARAB_COUNTRIES = frozenset(
    "DZ MA TN MR EG SA AE QA KW BH OM YE IQ JO PS SY LB SD LY SO DJ KM".split()
)

_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_WORD = re.compile(
    "[\u0621-\u063a\u0641-\u064a\u066e-\u06d3\u06fa-\u06ff]"
    "[\u0610-\u061a\u0621-\u065f\u0670-\u06d3\u06d6-\u06ed\u06fa-\u06ff]*"
)
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ک": "ك", "ی": "ي"})
_KEY = str.maketrans({"ى": "ي", "ة": "ه"})


def plain(word: str) -> str:
    """Marks and tatweel removed, alef/hamza forms folded; ى and ة kept ("على" is no "علي")."""
    return _MARKS.sub("", word).translate(_FOLD)


def key(word: str) -> str:
    """The name list's key (its `lookup_key`): also ى -> ي and ة -> ه."""
    return plain(word).translate(_KEY)


def _words(text: str) -> frozenset[str]:
    return frozenset(plain(w) for w in text.split())


# Spoken-Arabic function words, pronouns, particles and fillers (Egyptian, Levantine, Gulf,
# Iraqi, Maghrebi) and MSA ones spaCy's list lacks: never a name, whatever the name list
# says (many are given names in it: ايه = Aya, اني = Ani, هلا = Hala).
STOP = _words(
    """
    ايه ايش ايش شو شنو شنهو وش ليه ليش علاش لويش ازاي ازيك كيف كيفاش شلون فين وين منين
    امتى امتي ايمتى ايمت قديش اديش كام كم مين منو
    ده دي دا دول دة كده كدا كدة كدهو هيك هيكي هاد هادا هاي هدول هيدا هيدي هيدول
    هذا هذه هذي هاذا هاذي هذيك هذاك ذا ذي ذاك تلك جذي كذا كذي هيه
    عشان علشان مشان منشان لانو لأنو لان لأن عشانك عشانه
    مش مو مب ما ماشي مافي مافيش مفيش ماكو اكو فيه فيش مفيهاش معنديش ماعنديش محدش ماحدش
    بس بقى بقا برضه برضو بردو برده كمان كمانة لسه لسة لسا لساتني لسى زي زيي زيك زيه
    دلوقتي دلوقت هلق هلأ هسه هسة هسا الحين اللحين هالحين دابا توا تو هلء
    امبارح مبارح امس بكرة بكره بكرا النهارده النهاردة اليوم الليلة دايما دايماً
    ابدا ابداً لحد لغاية
    اوي قوي خالص جدا جداً كتير كثير وايد هواية بزاف برشا كلش مره مرة شوي شوية شويه
    شويا حبة حبه حبتين
    حاجة حاجه حاجات اشي إشي شي شيء شغلة حد حدا حدش واحد وحدة
    يعني اصلا أصلا اصلاً عادي طب طيب تمام خلاص خلص يلا يالله ياريت يا ريت اكيد أكيد
    بجد والله بالله ولله وربي اقسم يارب يا رب امين آمين الحمدلله الحمد لله ماشاء
    ماشاءالله انشاء انشالله إنشاءالله انشاءالله ان شاء الله استغفر سبحان
    اللي الي إلي اللى الى إلى الذي التي الذين ايلي يلي اللي
    انا أنا انى اني إني انو انه إنه انها إنها انت انتي انتِ انتو انتم انتما احنا إحنا
    نحنا نحن هو هي هما همه هم هن انتوا اني احنا ياني
    بيا ليا فيا عليا معايا معاي عندي عندك عنده عندها ليك لك ليكي لكي له لها لي ليه منه
    منها مني منك عليه عليها عليك فيه فيها فيك بيه بيها بيك
    دى فى الى إلى حتى متى لدى اللى إللى هى ى
    تبع تبعي تبعك تبعه بتاع بتاعي بتاعك بتاعه بتاعة بتوع ديال ديالي نتاع متاع
    عايز عايزة عاوز عاوزة بدي بدك بده بدها بدنا ابي ابغى ابغي أبغى ودي نفسي حابب حابة
    راني راك راه راهو راهي مزال مازال لازم ممكن يمكن ربما بلكي مبلا مفروض المفروض
    عم عمال عمالة قاعد قاعدة جالس
    يا ايوه ايوا أيوه اه آه لا لأ لاء ولا نعم اها اوكي اوك اوكيه
    مع من في على عن الى حتى حتي بعد قبل عند لما لو اذا إذا كل بعض غير بين ضد فوق تحت
    ثم او أو ام أم بل لكن لاكن بس وبس لقد قد كان كانت يكون تكون صار صارت بقيت راح
    الله لله بالله والله ربي ربنا ربك رب الرب إله اله الاله رسول الرسول النبي نبي سيدنا
    ولد بنت ولاد بنات اب ام اخ اخت ابن عم خال جد جدة ست راجل رجل مرا مراة امرأة
    توفى توفي توفت اتوفى اتوفت اتوفي مات ماتت
    الناس ناس الدنيا دنيا الحياة حياتي عمري روحي قلبي نفسي حبيبي حبيبتي
    """
)

# A word right after these is the name: kinship and relationship words, roles, titles and
# naming words ("my friend X", "Dr. X", "his name is X"). Also never names themselves.
KIN_CUES = _words(
    """
    صديقي صديقتي صاحبي صاحبتي صحبتي رفيقي رفيقتي خويي خويا اخوي اخويا اختي اخي اخيّ
    اخوية عمي عمتي خالي خالتي جدي جدتي ابن بنت زوجي زوجتي جوزي مراتي خطيبي خطيبتي
    حبيبي حبيبتي ابني ابنتي بنتي جاري جارتي زميلي زميلتي زميلتى مديري مديرتي رئيسي
    مشرفي مشرفتي استاذي استاذتي معلمي معلمتي مدرسي مدرستي معالجي معالجتي طبيبي طبيبتي
    دكتوري دكتورتي
    الدكتور الدكتورة دكتور دكتورة الاستاذ الاستاذة استاذ استاذة المهندس المهندسة الحاج
    الحاجة الحاجه السيد السيدة الانسة المعلم المعلمة الكابتن كابتن عمو طنط خالو
    """
)
NAMING_CUES = _words("اسمي اسمه اسمها اسمو اسمك يدعى تدعى اسمهُ سميته سميتها يلقب")
# Talking to or meeting someone: "I talked with X", "I told X", "a message to X". After
# these only a listed name counts (an unknown word is more likely a noun).
TALK_VERBS = _words(
    """
    تكلمت اتكلمت حكيت احكي كلمت بكلم كلمتني قلت قولت بقول قالت قال قالي قاللي قالتلي
    سالت سألت رسالة رساله مسج بعثت ارسلت أرسلت اتصلت اتصل كلمني قابلت التقيت شفت شوفت
    خرجت طلعت سافرت تعرفت اتعرفت اعرف تزوجت اتجوزت انفصلت خطبت خليت
    """
)
TALK_PREPS = _words("مع الى إلى على عن")
# Calling someone takes "ب" glued to the name: "اتصلت بX" (I called X).
CALL_VERBS = _words("اتصلت اتصل اتصلنا اتصلتي بتصل رنيت رنيتله ضربت تواصلت")
# "I and X", "my mother and X": a name glued to "و" after a pronoun or a kin word.
AND_CUES = _words(
    """
    انا احنا امي ابي ابوي بابا ماما اختي اخوي اخي جدتي جدي عمي خالي خالتي عمتي زوجي
    زوجتي جوزي مراتي صاحبي صاحبتي صديقي صديقتي
    """
)
# A kin word after the name: "X جارنا" (X our neighbour), "X صاحبي" (X my friend).
KIN_AFTER = _words(
    """
    جارنا جارتنا جاري جارتي جيراننا صاحبي صاحبتي صديقي صديقتي زميلي زميلتي صاحبنا
    اخوي اختي ابن بنت
    """
)
# Words joining the parts of one name: "Abd al-X", "ibn / bin / bint", "Abu X", "Al X".
CONNECTORS = _words("بن ابن بنت ابو أبو بو آل بنو بني عبد اولاد")
# Of these, the ones that only join a lineage ("X bin Y", "X Banu Y"): the word before
# them is a name part ("ابن", "بنت" are also "son", "daughter").
_LINEAGE = _words("بن بنو بني آل")
# A name here is a public religious figure ("our master Muhammad", "the Prophet").
PUBLIC_BEFORE = _words(
    "سيدنا سيدتنا النبي نبي الرسول رسول الامام الإمام الصحابي الصحابية الخليفة سورة قصة"
)
PUBLIC_AFTER = _words("صلى صلي عليه عليها رضي")
# Words a name may be separated from its cue by: "my big brother X", "my colleague in the
# dorm X" (the article-prefixed adjective or a preposition + noun).
_PREP_MODIFIERS = _words("في من عند")
_CLITICS = ("وب", "ول", "وك", "فب", "فل", "فك", "و", "ف", "ب", "ل", "ك")
# Dialect inflection, for words the name list does not know: after "my sister" comes a
# predicate as often as a name ("اختي تعبانة" = my sister is tired), and dialect forms are
# rare in wordfreq, so rarity says little. Verb prefixes (present b-, future ha-/ha-,
# form VIII it-, negation ma-...-sh), participles (mu-), and endings of verbs with
# subjects/objects, plurals, possessives and feminine adjectives.
_VERB_PREFIXES = ("بي", "بت", "بن", "با", "هي", "هت", "هن", "حي", "حت", "حن", "ات", "است", "و")
# Pronoun endings of verbs and nouns ("سابتني" = she left me, "بيتها" = her house).
_PRONOUN_ENDINGS = ("ني", "وا", "تم", "تو", "ها", "هم", "كم", "نا", "يه", "ون", "وش")
# Endings that names have too ("حسين", "عدنان", "نشوة", "رازي"): the word is inflected
# only if what is left is a word ("تعبان" = tired: "تعب", "اصحابي": "اصحاب").
_WORD_ENDINGS = ("ين", "ان", "ات", "ت", "ة", "ه", "ك", "ي")
# A surname may end in the nisba -i / -ani / -uni ("طرابلسي", "صيداني", "حمدوني").
_SURNAME_ENDINGS = ("ي", "اني", "وني")


def looks_inflected(word: str, surname: bool = False) -> bool:
    """Looks like an inflected dialect verb, participle, plural or possessed noun rather
    than a name (for words the name list lacks)."""
    n = len(word)
    if n >= 5 and word.startswith(_VERB_PREFIXES):
        return True
    if n >= 5 and word.startswith("م") and zipf(word, "ar") >= 1.5:
        return True  # participles: "مكتئب", "متجوزة", "مسافر" (no word wordfreq lacks)
    if word.startswith("م") and word.endswith("ش"):
        return True  # negation: "متزعلش"
    if surname and word.endswith(_SURNAME_ENDINGS):
        return False
    if any(word.endswith(e) and n - len(e) >= 3 for e in _PRONOUN_ENDINGS):
        return True
    # (feminine adjectives are built on rarer dialect stems: "تعبانة" on "تعبان")
    return any(
        word.endswith(e)
        and n - len(e) >= 3
        and zipf(word[: -len(e)], "ar") >= (2.5 if e == "ة" else 3.0)
        for e in _WORD_ENDINGS
    )


# Intensifiers: the word before them is an adjective ("جميلة جدا" = very beautiful).
_INTENSIFIERS = _words("جدا جداً اوي قوي خالص كتير كثير وايد بزاف برشا كلش مره مرة")


@cache
def _db_path() -> str:
    return str(resources.files("arabic_name_romanizer") / "resources" / "names.sqlite3")


@cache
def name_table() -> dict[str, tuple[int, int, int]]:
    """Name-part key -> (count as given name or alone, count as surname, countries), over
    the Arab-world rows of `names.sqlite3`. Read once (under a second), read-only."""
    path = _db_path()
    table: dict[str, list] = {}
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT arabic_key, role, country, count FROM units")
        for arabic_key, role, country, count in rows:
            if country not in _ARAB_COUNTRIES:
                continue
            entry = table.setdefault(arabic_key, [0, 0, set()])
            entry[1 if role == "surname" else 0] += int(count)
            entry[2].add(country)
    finally:
        conn.close()
    return {k: (g, s, len(c)) for k, (g, s, c) in table.items()}


def _gazetteer_keys(
    gazetteer: dict | None,
) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(first names, last names, names that are also common words) of the engine's
    gazetteer, as this module's keys; empty without one."""
    if not gazetteer:
        return frozenset(), frozenset(), frozenset()

    def keys(names) -> frozenset[str]:
        return frozenset(k for k in (key(n) for n in names) if len(k) >= 2 and k not in STOP)

    return (
        keys(gazetteer.get("first", ())),
        keys(gazetteer.get("last", ())),
        keys(gazetteer.get("common", ())),
    )


class _Token(NamedTuple):
    start: int
    end: int
    plain: str
    key: str


@lru_cache(maxsize=1 << 16)
def _forms(word: str) -> tuple[str, str]:
    """(plain, key) of a word; cached, as posts repeat their words."""
    p = plain(word)
    return p, p.translate(_KEY)


class _Reading(NamedTuple):
    """One way to read a token as a listed name part, whole or after its clitics."""

    start: int  # offset into the text where the name starts (after the clitics)
    key: str
    given: int
    surname: int
    countries: int
    zipf: float  # how common the word is (the whole token or the part, whichever is more)
    clitic: str
    gaz: bool = False  # known only from the names-dataset gazetteer: taken in context only


def _raw_offset(text: str, token: _Token, letters: int) -> int:
    """Text offset after the first `letters` letters of the token (marks follow letters)."""
    seen = 0
    i = token.start
    while i < token.end and seen < letters:
        i += 1
        while i < token.end and _MARKS.match(text[i]):
            i += 1
        seen += 1
    return i


_ADDRESSED = re.compile(r"[^\s،,:؛]+(?:[ \t]+[^\s،,:؛]+){0,4}[ \t]*[،,:]")


def _frame(text: str, tok: _Token) -> str | None:
    """'opening' when the word opens a line or sentence addressed to someone ("X، ...",
    "X: ..."), 'signature' when it starts the last words of the text after a dash or a
    tilde ("- X", "~ X Y"): the place of a name, as after "with"."""
    line = text[tok.start :].split("\n", 1)[0]
    if starts_sentence(text, tok.start) and _ADDRESSED.match(line):
        return "opening"
    end = len(text.rstrip())
    rest = text[tok.start : end]
    if "\n" not in rest and len(rest.split()) <= 5 and signature(text, tok.start, end):
        return "signature"
    return None


_SLOT_END = re.compile(r"[ \t]*(?:[،,:]|[ \t.!]*$)")


def _article(text: str, tok: _Token) -> bool:
    """The word starts with the article "ال" (not "آل", folded the same: "آلاء" is a name)."""
    return _MARKS.sub("", text[tok.start : tok.end]).startswith(("ال", "ٱل"))


class ArabicNameRecognizer(EntityRecognizer):
    """PERSON in Arabic script from `names.sqlite3`, a dialect stoplist and context cues.

    Scores: `sure_score` for sure names; `ambiguous_score` (after a cue) and `alone_score`
    (weaker context) for unsure ones, which carry `recognition_metadata["unsure"]`.
    Thresholds are wordfreq Zipf values: `common_zipf` (a common word), `alone_zipf` (rare
    enough to be a name with no context), `unknown_zipf` / `kin_zipf` / `surname_zipf` (an
    unlisted word taken after "with" / after a kinship or naming cue / as a family name),
    and `name_ratio`: log10(count as a given name) -
    Zipf, above which a common word is more a name ("أحمد") than a word ("جميلة")."""

    def __init__(
        self,
        *,
        gazetteer: dict | None = None,
        common_zipf: float = 4.0,
        name_ratio: float = -2.7,
        alone_zipf: float = 3.0,
        min_given: int = 3,
        alone_score: float = 0.55,
        ambiguous_score: float = 0.6,
        sure_score: float = 0.85,
        unknown_zipf: float = 3.0,
        kin_zipf: float = 3.0,
        surname_zipf: float = 3.6,
        supported_language: str = "ar",
    ) -> None:
        # `gazetteer` (names-dataset): its Arabic lists hold dialect words, so it is used
        # only as a second name list after a cue, never for a name without context.
        self._gaz_first, self._gaz_last, self._gaz_common = _gazetteer_keys(gazetteer)
        self.common_zipf = common_zipf
        self.name_ratio = name_ratio
        self.alone_zipf = alone_zipf
        self.min_given = min_given
        self.alone_score = alone_score
        self.ambiguous_score = ambiguous_score
        self.sure_score = sure_score
        self.unknown_zipf = unknown_zipf
        self.kin_zipf = kin_zipf
        self.surname_zipf = surname_zipf
        super().__init__(
            supported_entities=["PERSON"],
            supported_language=supported_language,
            name="ArabicNameRecognizer",
        )

    def load(self) -> None:
        pass  # the name table is read lazily, on the first Arabic text

    # -- readings -------------------------------------------------------------------

    def _reading(self, text: str, tok: _Token) -> _Reading | None:
        """The token read as a listed name part (whole, or after clitics), or None. The
        whole word wins when it is a listed name ("وليد", "بلال"); otherwise the clitics
        are split off ("وأحمد" = "and Ahmad")."""
        if tok.plain in STOP or tok.plain in KIN_CUES or tok.plain in NAMING_CUES:
            return None
        if tok.plain in TALK_VERBS:
            return None
        table = name_table()
        entry = table.get(tok.key)
        if entry is None and tok.key.startswith("عبدال") and len(tok.key) >= 7:
            entry = table.get(f"عبد {tok.key[3:]}")  # "عبدالله" = "عبد الله"
        weak = entry is not None and entry[2] < 2 and tok.key in self._gaz_first
        if entry is not None and entry[0] + entry[1] >= self.min_given and not weak:
            return _Reading(tok.start, tok.key, *entry, zipf(tok.plain, "ar"), "")
        for clitic in _CLITICS:
            rest = tok.key[len(clitic) :]
            if not tok.key.startswith(clitic) or len(rest) < 3:
                continue
            if clitic.endswith("ل") and rest.startswith("ل"):
                rest = "ا" + rest  # لل = ل + ال ("to the Khatib")
            split = table.get(rest)
            if split is None:
                continue
            start = _raw_offset(text, tok, len(clitic))
            rest_plain = plain(text[start : tok.end])
            if rest_plain in STOP:
                continue
            if (split[0] < self.min_given or split[2] < 2) and rest in self._gaz_first:
                break  # a weak entry: the gazetteer reading below is better evidence
            if entry is None or split[0] + split[1] > entry[0] + entry[1]:
                # a common whole word ("بحب" = I love) is no name either
                z = max(zipf(tok.plain, "ar"), zipf(rest_plain, "ar"))
                return _Reading(start, rest, *split, z, clitic)
            break
        gaz = self._gaz_reading(text, tok)
        if gaz is not None and (entry is None or entry[0] < self.min_given or entry[2] < 2):
            return gaz
        if entry is not None:
            return _Reading(tok.start, tok.key, *entry, zipf(tok.plain, "ar"), "")
        return None

    def _gaz_reading(self, text: str, tok: _Token) -> _Reading | None:
        """The token as a gazetteer first name, whole or after one clitic ("بنبراس" = to
        Nibras after "I called"), marked `gaz`: the gazetteer holds dialect words, so
        these count only after a cue. A name that is also a common word is read as such."""
        if not self._gaz_first:
            return None
        if tok.key in self._gaz_first:
            z = zipf(tok.plain, "ar")
            return _Reading(tok.start, tok.key, 3, 0, 2, self._gaz_zipf(tok.key, z), "", True)
        for clitic in ("و", "ب", "ل"):
            rest = tok.key[len(clitic) :]
            if tok.key.startswith(clitic) and len(rest) >= 3 and rest in self._gaz_first:
                start = _raw_offset(text, tok, len(clitic))
                rest_plain = plain(text[start : tok.end])
                if rest_plain in STOP:
                    return None
                z = max(zipf(tok.plain, "ar"), zipf(rest_plain, "ar"))
                return _Reading(start, rest, 3, 0, 2, self._gaz_zipf(rest, z), clitic, True)
        return None

    def _gaz_name(self, k: str) -> bool:
        """A gazetteer first or last name that the gazetteer does not call a common word."""
        return (k in self._gaz_first or k in self._gaz_last) and k not in self._gaz_common

    def _gaz_zipf(self, k: str, z: float) -> float:
        """A gazetteer name the gazetteer itself calls a common word counts as common."""
        return max(z, self.common_zipf) if k in self._gaz_common else z

    def _given(self, r: _Reading | None) -> bool:
        """Listed as a given name often enough, in two countries (the list is noisy)."""
        return r is not None and r.given >= self.min_given and r.countries >= 2

    def _listed(self, r: _Reading) -> bool:
        """Listed often enough as a given name or a family name."""
        return self._given(r) or (r.given + r.surname >= 5 and r.countries >= 2)

    def _common(self, r: _Reading) -> bool:
        return r.zipf >= self.common_zipf

    def _namelike(self, r: _Reading) -> bool:
        """Rare as a word, or a common word that is far more often a name than a word of
        its frequency: "أحمد", "يوسف", "سارة" (log10 count - Zipf >= `name_ratio`) but not
        "جميلة" (beautiful), "شيخ" (sheikh), "عالم" (world)."""
        return r.zipf < self.common_zipf or log10(r.given + 1) - r.zipf >= self.name_ratio

    def _unknown_name(
        self, tok: _Token, surname: bool = False, rarity: float | None = None
    ) -> bool:
        """A word the list does not know that may be a name after a cue: rare in the
        language (Zipf < `unknown_zipf`), no stop word or cue, not inflected."""
        p = tok.plain
        return (
            len(p) >= 3
            and p not in STOP
            and p not in KIN_CUES
            and p not in TALK_VERBS
            and not p.startswith("ال")
            and not looks_inflected(p, surname)
            and zipf(p, "ar") < (self.unknown_zipf if rarity is None else rarity)
        )

    def _surname_guess(self, tok: _Token) -> bool:
        """An unknown word after a sure given name that may be its family name: rarer than
        `surname_zipf` and not inflected (a nisba ending is allowed). Family names the
        list lacks (tribes: "همدان", "عنزة") are words of Zipf 3 to 3.6, as are dialect
        adjectives ("سامر عنيد" = Samer is stubborn), which then join the name: one word
        too many is replaced, where a missed family name would be left in."""
        z = zipf(tok.plain, "ar")
        if tok.plain.startswith(("لل", "بال", "وال", "فال", "كال")):
            return False  # a preposition + article: "للعقبة" (to Aqaba)
        if (tok.plain.endswith(_PRONOUN_ENDINGS) or len(tok.plain) <= 3) and z >= 2.5:
            return False  # a verb with its object ("نصحني" = advised me), a short verb
        return self._unknown_name(tok, True, rarity=self.surname_zipf)

    # -- context --------------------------------------------------------------------

    @staticmethod
    def _adjacent(text: str, a: _Token, b: _Token) -> bool:
        """Only spaces (or a hyphen) between two tokens: no punctuation, no line break."""
        gap = text[a.end : b.start]
        return len(gap) <= 3 and gap.strip(" -\u200c\u200f") == ""

    def _cue(self, text: str, toks: list[_Token], i: int, clitic: str) -> str | None:
        """The cue before token i: 'kin' (kinship, role, title), 'naming' ("his name is"),
        'with' ("with", "I talked to"), 'talk' (a verb of talking, "O …"), or None."""
        if i == 0:
            return None
        prev = toks[i - 1]
        if prev.plain == "د" and text[prev.end : toks[i].start].strip() == ".":
            return "kin"  # "د. هشام" (Dr.)
        if not self._adjacent(text, prev, toks[i]):
            return None
        p = prev.plain
        if p in NAMING_CUES:
            return "naming"
        if clitic.endswith("ل") and p in TALK_VERBS:
            return "with"  # "I told+to-X"
        if clitic == "ب" and p in CALL_VERBS:
            return "glued"  # "I called+X"
        if clitic == "و" and p in AND_CUES:
            return "glued"  # "I and X", "my mother and X"
        if p in TALK_PREPS and i >= 2 and toks[i - 2].plain in TALK_VERBS:
            return "talk with"  # "حكيت مع X" (I talked with X)
        if p == "مع":
            return "with"
        if p in TALK_VERBS or p == "يا":
            return "talk"
        # kin cue, with adjectives ("my big brother X") or one preposition + noun ("my
        # colleague in the dorm X") between
        j = i - 1
        while j >= 0 and i - j <= 3:
            q = toks[j].plain
            if q in KIN_CUES or (q[:1] in "وف" and q[1:] in KIN_CUES):
                return "kin"
            if not q.startswith("ال") or q in STOP or j == 0:
                return None
            if not self._adjacent(text, toks[j - 1], toks[j]):
                return None
            if toks[j - 1].plain in _PREP_MODIFIERS:
                j -= 1
                if j == 0 or not self._adjacent(text, toks[j - 1], toks[j]):
                    return None
            j -= 1
        return None

    def _cue_after(self, text: str, toks: list[_Token], k: int) -> str | None:
        """Context right after a name ending before token k: 'kin' for a possessed kin
        word ("جارنا" = our neighbour), 'with' for "with" + a listed given name."""
        if k >= len(toks) or not self._adjacent(text, toks[k - 1], toks[k]):
            return None
        p = toks[k].plain
        if p in KIN_AFTER:
            return "kin"
        if p == "مع" and k + 1 < len(toks) and self._adjacent(text, toks[k], toks[k + 1]):
            other = self._reading(text, toks[k + 1])
            if self._given(other) and not other.clitic and not self._common(other):
                return "with"
        return None

    def _slot(
        self, text: str, toks: list[_Token], i: int, reading: _Reading | None, signs: bool
    ) -> int | None:
        """End token of a name of two to four words that fills the address of a reply or
        a signature (`_frame`); -1 if two to four words fill it that are no name (or a
        stop word is among them); None if the place holds one word or more than four.
        The place bounds the name, so later words join it whatever the list says
        ("- ابتكار السادة الراويون"), if one of them is a connector ("بن") or no common
        word (not "صباح الخير،" = good morning, though both are listed name parts); in a
        signature (`signs`) whatever they are."""
        j = i + 1
        while j < len(toks) and j - i < 4 and self._adjacent(text, toks[j - 1], toks[j]):
            j += 1
            if _SLOT_END.match(text, toks[j - 1].end):
                break
        if j - i < 2 or not _SLOT_END.match(text, toks[j - 1].end):
            return None
        words = toks[i:j]
        if any(
            t.plain not in CONNECTORS
            and (t.plain in STOP or t.plain in KIN_CUES or t.plain in TALK_VERBS)
            and (n == 0 or words[n - 1].plain not in CONNECTORS)  # "ابو الحاج"
            for n, t in enumerate(words)
        ):
            return -1  # a phrase fills the place ("سمن على عسل: ..."), no name
        # the first word: a given name that is no common word ("احسن" = better) or more
        # often a name; any listed name part that is rare as a word ("مخيمر القواسم:");
        # a common given name before a rare listed family name ("معين بيروتي:") or a
        # word that is hardly ever a word ("نور زحيكة،"); or a rare word the list lacks
        named = self._given(reading) and (not self._common(reading) or self._namelike(reading))
        listed_rare = reading is not None and not reading.clitic and not self._common(reading)
        family = any(
            self._family(t, self.surname_zipf) or self._unknown_name(t, True, rarity=2.0)
            for t in words[1:]
        )
        first = (
            named
            or listed_rare
            or (family and self._given(reading))
            or self._unknown_name(toks[i], rarity=self.common_zipf)
        )
        # a later word: a connector, no common word, or more often a name ("غيداء عبده:")
        later = any(
            t.plain in CONNECTORS
            or zipf(t.plain, "ar") < self.common_zipf
            or (self._given(r := self._reading(text, t)) and not r.clitic and self._namelike(r))
            for t in words[1:]
        )
        if signs:
            # a dash and two to four words closing the text: a signature, whatever words
            # the name's parts also are ("~ عالية رصاص", "- سلطان سوميرة"), if the
            # first is a listed name part or no common word
            listed = reading is not None and not reading.clitic  # not "ك+لام" in "كلام"
            first = first or listed or zipf(toks[i].plain, "ar") < self.common_zipf
            later = True
        if first and later and not self._public(toks, i, j):
            return j
        return -1  # the place holds words that are no name

    def _before_family(self, text: str, toks: list[_Token], i: int) -> bool:
        """Token i, a word the list lacks that is no common word, stands before a
        well-attested 'al-' family name: "حكيت مع ليم الدسوقي" (I talked with Lim
        al-Dasuqi)."""
        if i + 1 >= len(toks) or not self._adjacent(text, toks[i], toks[i + 1]):
            return False
        nxt = toks[i + 1]
        return (
            self._unknown_name(toks[i], rarity=self.common_zipf)
            and _article(text, nxt)
            and self._family(nxt, self.common_zipf, count=5)
        )

    def _family(self, tok: _Token, rarity: float, count: int = 1) -> bool:
        """Listed as a family name (`count` times or more) and rarer than `rarity` as a
        word: "بيروتي", "الدسوقي" (the nisba and 'al-' names), not "الخير"."""
        entry = name_table().get(tok.key)
        return entry is not None and entry[1] >= count and zipf(tok.plain, "ar") < rarity

    def _public(self, toks: list[_Token], i: int, j: int) -> bool:
        """A religious figure: "our master X", "X peace be upon him"."""
        before = toks[i - 1].plain if i > 0 else ""
        after = toks[j].plain if j < len(toks) else ""
        return before in PUBLIC_BEFORE or after in PUBLIC_AFTER

    # -- spans ----------------------------------------------------------------------

    def _extend(self, text: str, toks: list[_Token], i: int, sure: bool) -> tuple[int, int, int]:
        """(end token index, listed parts added, guessed parts added) of the name starting
        at token i: connectors ("bin", "Abd", "Abu") with the word after them, compounds
        ("Nur al-Din"), listed name parts, and one 'al-' + rare word. After a sure first
        part (`sure`), common listed words ("Hasan") and one rare unknown word (a surname
        the list lacks) join too."""
        table = name_table()
        j, named, guessed = i + 1, 0, 0
        nasab = False  # the last part came after "bin" / "Abd": a guessed word ends no chain
        while j < len(toks) and self._adjacent(text, toks[j - 1], toks[j]):
            tok = toks[j]
            p = tok.plain
            if p in CONNECTORS:
                if j + 1 < len(toks) and self._adjacent(text, tok, toks[j + 1]):
                    nxt = toks[j + 1]
                    if len(nxt.plain) >= 2 and nxt.plain not in STOP:
                        j, named = j + 2, named + 1
                        if (
                            nxt.plain in ("عبد", "ابو")
                            and j < len(toks)
                            and self._adjacent(text, nxt, toks[j])
                            and toks[j].plain not in STOP
                        ):
                            j += 1  # "بن عبد مناة"
                        nasab = True
                        continue
                break
            if f"{toks[j - 1].key} {tok.key}" in table and p not in STOP:
                j += 1  # "نور الدين", "عبد الله", "جار الله"
                continue
            if p in STOP or p in KIN_CUES or p in NAMING_CUES:
                break
            if (
                sure
                and j + 2 < len(toks)
                and toks[j + 1].plain in _LINEAGE
                and self._adjacent(text, tok, toks[j + 1])
                and toks[j + 2].plain not in STOP
            ):
                # "نوره الحكم بن سعد": a word before "bin" / "Banu" is a name part,
                # whatever else it means
                j, named = j + 1, named + 1
                continue
            entry = table.get(tok.key) or (0, 0, 0)
            count = entry[0] + entry[1]
            z = zipf(p, "ar")
            if p.startswith("ال") and len(p) > 4:
                # family name: "… الحربي" (listed, though also "the military"), or a rare
                # word "… الشعباني" (not a plural adjective: "… المشتتون")
                if entry[1] >= 10 or (sure and count >= 2):
                    return self._more_al(text, toks, j + 1, named + 1, guessed, sure)
                if z < (self.common_zipf if sure else self.unknown_zipf) and not p.endswith("ون"):
                    return self._more_al(text, toks, j + 1, named, guessed + 1, sure)
                break
            # a listed name part: without a cue a well-attested one (the list's rare entries
            # are noisy); a common word only after a sure first part, and only if it is a
            # frequent name ("أحمد حسن"). After a cue, a missed family name leaks more
            # than one word too many.
            if sure:
                # after a sure first part one entry is enough (the list holds many family
                # and tribe names once: "كنانة", "شمر"), if the word is not a common one
                listed = count >= 1 and (z < self.common_zipf or count >= 20)
            else:
                namelike = z < self.common_zipf or log10(count + 1) - z >= self.name_ratio
                listed = count >= 5 and entry[2] >= 2 and namelike
            if listed:
                j, named = j + 1, named + 1
                continue
            if sure and z < self.unknown_zipf and self._gaz_name(tok.key):
                j, named = j + 1, named + 1  # a gazetteer name after a sure first part
                continue
            if sure and not nasab and self._surname_guess(tok):
                return j + 1, named, guessed + 1
            break
        return j, named, guessed

    def _more_al(
        self, text: str, toks: list[_Token], j: int, named: int, guessed: int, sure: bool
    ) -> tuple[int, int, int]:
        """After a sure name's 'al-' family name, a second rare 'al-' word ("… البيسار
        القعقور"): family names are chained, adjectives after them are common words."""
        if sure and j < len(toks) and self._adjacent(text, toks[j - 1], toks[j]):
            p = toks[j].plain
            if _article(text, toks[j]) and len(p) > 4 and zipf(p, "ar") < self.unknown_zipf:
                return j + 1, named, guessed + 1
        return j, named, guessed

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list:
        if "PERSON" not in entities:
            return []
        toks = [_Token(m.start(), m.end(), *_forms(m.group())) for m in _WORD.finditer(text)]
        results: list[RecognizerResult] = []
        i = 0
        while i < len(toks):
            found = self._at(text, toks, i)
            if found is None:
                i += 1
                continue
            start, j, score, unsure = found
            results.append(self._result(start, toks[j - 1].end, score, unsure))
            # "X and Y": a listed given name glued to "و" right after a name
            while j < len(toks) and self._adjacent(text, toks[j - 1], toks[j]):
                other = self._reading(text, toks[j])
                if other is None or other.clitic != "و" or not self._given(other):
                    break
                results.append(self._result(other.start, toks[j].end, score, unsure))
                j += 1
            i = j
        return results

    def _at(
        self, text: str, toks: list[_Token], i: int
    ) -> tuple[int, int, float, str | None] | None:
        """(start offset, end token, score, unsure reason) of a name starting at token i."""
        tok = toks[i]
        table = name_table()
        # a kunya, "Umm X" (mother of X; "أم" is also "or"): a listed given name after it
        if (
            tok.plain in ("ام", "وام")
            and i + 1 < len(toks)
            and self._adjacent(text, tok, toks[i + 1])
        ):
            nxt = self._reading(text, toks[i + 1])
            if self._given(nxt) and not nxt.gaz and not nxt.clitic and self._namelike(nxt):
                j, _, _ = self._extend(text, toks, i + 1, True)
                if not self._public(toks, i, j):
                    start = tok.start + (1 if tok.plain.startswith("و") else 0)
                    return start, j, self.sure_score, None
        if tok.plain in STOP:
            return None
        # "Abd al-X" / "Abu X" as the first word
        if tok.key.startswith("عبدال") and f"عبد {tok.key[3:]}" in table:
            j, _, _ = self._extend(text, toks, i, True)
            if not self._public(toks, i, j):
                return tok.start, j, self.sure_score, None
        if tok.plain in ("عبد", "ابو") and i + 1 < len(toks):
            nxt = toks[i + 1]
            compound = f"{tok.key} {nxt.key}" in table
            # "Abd al-X" with a rare X the list lacks ("عبد المحيي")
            rare_al = (
                tok.plain == "عبد"
                and _article(text, nxt)
                and len(nxt.plain) > 4
                and zipf(nxt.plain, "ar") < self.surname_zipf
            )
            if self._adjacent(text, tok, nxt) and (
                compound or rare_al or self._given(self._reading(text, nxt))
            ):
                j, _, _ = self._extend(text, toks, i + 1, True)
                if self._public(toks, i, j):
                    return None
                return tok.start, j, self.sure_score, None
        reading = self._reading(text, tok)
        k = i + 1  # the first name part ends before token k
        if k < len(toks) and self._adjacent(text, tok, toks[k]):
            compound = table.get(f"{tok.key} {toks[k].key}")  # "نور الدين", "سيف الله"
            if compound and toks[k].plain not in STOP:
                z = zipf(f"{tok.plain} {toks[k].plain}", "ar")
                reading, k = _Reading(tok.start, tok.key, *compound, z, ""), k + 1
        if reading is None and (len(tok.plain) < 3 or _article(text, tok)):
            return None  # neither listed nor a possible unknown name
        cue = self._cue(text, toks, i, reading.clitic if reading else "")
        signed = False  # one word signing the text or addressed with a colon
        if cue is None and (where := _frame(text, tok)):
            slot = self._slot(text, toks, i, reading, where == "signature")
            if slot == -1:
                return None
            if slot is not None:
                return tok.start if reading is None else reading.start, slot, self.sure_score, None
            alone = k == len(toks) or _SLOT_END.match(text, toks[k - 1].end)
            signs = where == "signature" or text[toks[k - 1].end :].lstrip()[:1] == ":"
            signed = bool(alone and signs and reading is not None and not reading.clitic)
            cue = "with"  # one word where a name stands: as after "with"
        if cue == "kin" and _article(text, tok):
            return None  # "my big brother": an adjective between the cue and the name
        if cue != "naming" and k < len(toks) and toks[k].plain in _INTENSIFIERS:
            return None  # "اختي جميلة جدا" = my sister is very beautiful
        if cue in ("kin", "naming", "glued"):
            # right after a cue a name carries no clitic ("وصاف" is one word), except the
            # one the cue calls for ("اتصلت بX" = I called X, "أنا وX" = X and I)
            if reading is not None and reading.gaz and toks[i - 1].plain in CONNECTORS:
                return None  # "ابن X" is a nasab, whose famous ones the gazetteer lists
            glued = cue == "glued" or (reading is not None and not reading.clitic)
            if reading is not None and glued and self._listed(reading):
                j, named, _ = self._extend(text, toks, k - 1, True)
                if named or self._namelike(reading):
                    return reading.start, j, self.sure_score, None
                return reading.start, j, self.ambiguous_score, "ambiguous word after cue"
            # a word the list lacks, or holds only a few times (its rare entries are
            # noisy): rare in the language and not inflected
            if cue == "glued":
                return None
            rare = (
                self._unknown_name(tok, rarity=self.kin_zipf)
                or self._before_family(text, toks, i)
                or (
                    reading is not None
                    and not reading.clitic
                    and reading.zipf < self.common_zipf
                    and self._unknown_name(tok, rarity=self.common_zipf)
                )
            )
            if rare:
                j, _, _ = self._extend(text, toks, i, True)
                return tok.start, j, self.ambiguous_score, "unknown word after cue"
            return None
        # after "with": not a possessed noun ("مع زمايلي" = with my colleagues)
        with_unknown = not self._given(reading) and not tok.plain.endswith("ي")
        if (
            cue in ("with", "talk with")
            and with_unknown
            and (self._unknown_name(tok) or self._before_family(text, toks, i))
        ):
            j, _, _ = self._extend(text, toks, i, True)
            return tok.start, j, self.alone_score, "unknown word after 'with' / 'to'"
        if reading is None or not self._given(reading):
            return None
        common = self._common(reading)
        if cue in ("talk", "with", "talk with"):
            j, named, guessed = self._extend(text, toks, k - 1, True)
            if self._public(toks, i, j):
                return None
            if not common or named:
                return reading.start, j, self.sure_score, None
            if cue == "talk with" and not reading.clitic and not tok.plain.endswith("ي"):
                # "حكيت مع لورين": after talking with, a listed given name is a person
                return reading.start, j, self.ambiguous_score, "common name after talking with"
            if signed and j == k:
                # "- تمام", "يزيد: ...": a listed name signing or addressed, though also a
                # word: replaced, for the curator to look at
                why = "name that is also a word, signing or addressed"
                return reading.start, j, self.ambiguous_score, why
            if self._namelike(reading) or (guessed and not reading.gaz):
                return reading.start, j, self.alone_score, "common name after 'with' / talking"
            return None
        after = self._cue_after(text, toks, k)
        if after and not reading.clitic:
            # "X جارنا" (X our neighbour), "X مع Y" (X with Y): context after the name
            j, _, _ = self._extend(text, toks, k - 1, True)
            if not self._public(toks, i, j) and (after == "kin" or not common):
                if after == "kin" and not common and not reading.gaz:
                    return reading.start, j, self.sure_score, None
                return reading.start, j, self.alone_score, f"name list, {after} after it"
        if reading.gaz:
            return None  # the gazetteer alone is no evidence
        j, named, guessed = self._extend(text, toks, k - 1, False)
        if self._public(toks, i, j):
            return None
        if not common:
            if named:
                return reading.start, j, self.sure_score, None
            if guessed:
                return reading.start, j, self.alone_score, "name list + rare 'al-' word"
            if reading.zipf < self.alone_zipf:
                return reading.start, j, self.alone_score, "name list, no context"
            return None
        # a common word: only beside another listed name part, and not two common words
        # that are more often words ("عون العبد" = the help of the servant)
        rare_part = any(zipf(t.plain, "ar") < self.common_zipf for t in toks[k:j])
        if named and (rare_part or self._namelike(reading)):
            return reading.start, j, self.alone_score, "common word beside a name"
        return None

    def _result(self, start: int, end: int, score: float, unsure: str | None) -> RecognizerResult:
        return person_result(self, start, end, score, unsure or "name", unsure)
