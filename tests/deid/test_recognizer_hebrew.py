"""HebrewNameRecognizer: given names from the Israeli birth registry, graded by how often
they are ordinary words; cues, clitics, surnames. Sentences written for these tests."""

from __future__ import annotations

import json

import pytest
from helpers import REPO

from curate.deid.recognizers.hebrew import (
    NAME,
    NOUN,
    OTHER,
    WORD,
    WORD_NAME,
    HebrewNameRecognizer,
    latin_patronymics,
)

# A small stand-in for the names-dataset gazetteer the engine injects (rank: 0 = top).
GAZETTEER = {
    "first": {"יוסי": 4, "משה": 2, "דני": 117, "אבי": 5, "קובי": 104},
    "last": {"כהן": 0, "לוי": 2, "פרץ": 5, "שטרן": 559, "גבאי": 42},
    "common": [],
}
DEV = REPO.parent / "shared" / "deid-realtext" / "dev.jsonl"


@pytest.fixture(scope="module")
def rec(tmp_path_factory) -> HebrewNameRecognizer:
    return HebrewNameRecognizer(gazetteer=GAZETTEER, cache_dir=tmp_path_factory.mktemp("he"))


def names(rec: HebrewNameRecognizer, text: str) -> list[str]:
    found = sorted(rec.analyze(text, ["PERSON"]), key=lambda r: r.start)
    return [text[r.start : r.end] for r in found if r.score >= 0.5]


# Ordinary sentences: given names used as words ("חיים" = life, "אור" = light, "גל" =
# wave, "לי" = to me, "שלום" = peace, "נתן" = gave, "טובה" = good) and names inside
# longer words ("מדינה" = state holds "דינה"). Nothing here is a name.
PLAIN = [
    "החיים שלי השתנו מאז שעברתי דירה.",
    "אין לי כוח לקום בבוקר.",
    "שלום לכולם, זה הפוסט הראשון שלי.",
    "ראיתי אור בקצה המנהרה בפעם הראשונה.",
    "גל של עצב שוטף אותי כל ערב.",
    "זו מדינה קטנה עם הרבה בעיות, וגרנו פעם במדינה אחרת.",
    "הוא נתן לי עצה טובה.",
    "זה שיר שאני שומעת כשעצוב לי.",
    "הלכנו לים בשבת וזה היה נחמד.",
    "החברה הכי טובה שלי עברה לעיר אחרת.",
    "מה שלומי? לא יודעת, קשה לי לענות.",
    "בני אדם לא תמיד מבינים את זה.",
    "הדוד שלי תמיד שואל מתי אני מתחתן.",
    "אבא שלי אמר שאני צריך להתאמץ יותר.",
    "אחי אמר לי שזה יעבור.",
    "הבוס נתן לכולם משימה חדשה.",
    "יש לי מזל שיש לי אותך.",
    "ובכיתי כל הלילה ולא הצלחתי להירדם.",
    "אמא שלי טובה אליי, אבל לא מבינה אותי.",
    "אחי, החיים האלה קשים מדי.",
    "יש קבוצת תמיכה קטנה בטלגרם שעזרה לי.",
    "הבת שלי בת חמש והיא כבר שואלת שאלות.",
    "חבר כנסת אמר בטלוויזיה שהכול בסדר.",
    "שמחה גדולה הייתה בבית כשחזרתי.",
    "המשפחה שלי גרה בבת ים כבר עשרים שנה.",
    "אני רוצה שלום בבית, זה הכול.",
    "ברק ורעם כל הלילה, לא ישנתי.",
    "האוכל הזה לא כשר ואני לא יודעת אם המנה הזאת כשרה.",
    "הרופא אמר שהגידול לא ממאיר.",
    "קשה לי להלל את עצמי מול אחרים.",
]


@pytest.mark.parametrize("text", PLAIN)
def test_words_that_are_also_names_are_not_names(rec, text):
    assert names(rec, text) == []


# (sentence, the names it holds)
NAMES = [
    ("יוסי לא ענה לי כל השבוע.", ["יוסי"]),  # a nickname, kept by its names-dataset rank
    ("דיברתי עם נועה אתמול בלילה.", ["נועה"]),
    ("אמרתי ליוסי שאני צריך הפסקה.", ["יוסי"]),  # clitic "ל" glued on
    ("ביקשתי מאיתמר עזרה בשיעורי הבית.", ["איתמר"]),
    ("מוחמד ואחמד עובדים איתי במשמרת.", ["מוחמד", "אחמד"]),
    ("החבר שלי חיים תמיד מקשיב לי.", ["חיים"]),  # a word-name after a role cue
    ("אחותי גל עברה לגור בצפון.", ["גל"]),
    ("קוראים לה לי והיא הכי נחמדה בכיתה.", ["לי"]),  # after a naming phrase
    ("המנהלת שלי, שלום, צעקה עליי מול כולם.", ["שלום"]),  # apposition
    ("הבוס שלי, נתן, לא נותן לי לצאת מוקדם.", ["נתן"]),  # a verb-like name in commas
    ("המטפלת שלי, אלה, אומרת שאני מתקדמת.", ["אלה"]),  # a stop word in commas
    ("שלחתי הודעה ל-שיר והיא לא ענתה.", ["שיר"]),  # a hyphenated clitic
    ("יעל ואור נסעו בלעדיי.", ["יעל", "אור"]),  # beside another name
    ("גל ו-נועם לא הזמינו אותי למסיבה.", ["גל", "נועם"]),
    ("חיים כהן מהעבודה התקשר אליי.", ["חיים כהן"]),  # word-name + top surname
    ("דני כהן צעק עליי מול כולם.", ["דני כהן"]),
    ("שירה לוי ואני היינו חברות טובות.", ["שירה לוי"]),
    ("תמר אלמלח מהכיתה שלי צחקה עליי.", ["תמר אלמלח"]),  # a rare word as surname
    ("איתי גבאי ישב לידי בהסעה.", ["איתי גבאי"]),  # "with me" + a listed surname
    ("שמי דנה ואני בת עשרים.", ["דנה"]),
    ("אורי בן דוד הוא החבר הכי טוב שלי.", ["אורי בן דוד"]),  # patronymic
    ("לרפואת חיה בת שרה.", ["חיה בת שרה"]),
    ("הדסה אבו מוך גרה מולנו.", ["הדסה אבו מוך"]),
    ('סבא שלי, אברהם ז"ל, היה מספר לנו סיפורים.', ["אברהם"]),
    ("אחי הגדול איתן תמיד היה המועדף.", ["איתן"]),
    ("נטע-לי לא מבינה למה אני עצובה.", ["נטע-לי"]),  # a two-part given name
    ("השותף שלי לדירה, בן, לא מדבר איתי.", ["בן"]),
]


@pytest.mark.parametrize(("text", "expected"), NAMES)
def test_names_are_found_as_whole_spans(rec, text, expected):
    assert names(rec, text) == expected


def test_grades_come_from_data(rec):
    """Each given name is graded once from the registry and wordfreq: the issue's
    ambiguous words are not plain names; common names are."""
    lex = rec.names
    assert len(lex) > 19_000
    for name in ("נועה", "משה", "יעל", "איתמר", "יוסי", "עומר"):
        assert lex[name] == NAME, name
    for word in ("חיים", "אור", "שלום", "גל", "שיר", "טובה", "שלומי"):
        assert lex[word] == NOUN, word
    assert lex["נתן"] == OTHER and lex["לי"] == WORD_NAME and lex["אמר"] == WORD


def test_unsure_results_say_why(rec):
    (cued,) = rec.analyze("החבר שלי חיים תמיד מקשיב לי.", ["PERSON"])
    assert cued.score >= 0.5 and "cue" in cued.recognition_metadata["unsure"]
    (plain,) = rec.analyze("דיברתי עם נועה אתמול.", ["PERSON"])
    assert "unsure" not in plain.recognition_metadata
    assert plain.recognition_metadata["recognizer_name"] == "HebrewNameRecognizer"
    (poem,) = rec.analyze("גם שירה הייתה שם אתמול.", ["PERSON"])  # also "poetry"
    assert poem.recognition_metadata["unsure"]
    # after talking with someone, the cue settles it
    (talked,) = rec.analyze("דיברתי עם שירה אתמול.", ["PERSON"])
    assert "unsure" not in talked.recognition_metadata


def test_only_person_and_hebrew_script(rec):
    assert rec.analyze("דיברתי עם נועה", ["EMAIL_ADDRESS"]) == []
    assert rec.analyze("I talked to Noa yesterday", ["PERSON"]) == []
    assert rec.supported_language == "he" and rec.supported_entities == ["PERSON"]


def test_points_and_geresh_are_normalised(rec):
    assert names(rec, "דִּבַּרְתִּי עִם נוֹעָה") == ["נוֹעָה"]
    assert names(rec, "ג׳ורג׳ כהן מהבניין שלנו") == ["ג׳ורג׳ כהן"]


def test_lexicon_is_cached_in_cache_dir(tmp_path):
    rec = HebrewNameRecognizer(gazetteer=GAZETTEER, cache_dir=tmp_path)
    assert rec.names["נועה"] == NAME
    assert len(list(tmp_path.glob("hebrew-names-*.json"))) == 1


LATIN = [
    ("Please pray for Chaya bat Sarah, she is in surgery.", ["Chaya bat Sarah"]),
    ("My grandfather Shmuel Aryeh ben Yaakov passed away.", ["Shmuel Aryeh ben Yaakov"]),
    ("Rabbi Akiva ben Yosef taught this.", ["Akiva ben Yosef"]),  # the title stays
    ("For Moshe ben David and Rivka bas Leah.", ["Moshe ben David", "Rivka bas Leah"]),
    ("Sarah's bat Mitzvah was hard for me.", []),
    ("Leah bat Mitzvah party next week", []),
    ("He went to the bar with Ben.", []),
    ("The bat flew at Sam.", []),
]


@pytest.mark.parametrize(("text", "expected"), LATIN)
def test_latin_patronymics(text, expected):
    assert [text[a:b] for a, b in latin_patronymics(text)] == expected


@pytest.mark.skipif(not DEV.is_file(), reason="../shared/deid-realtext absent")
def test_real_hebrew_phrases_have_no_false_names(rec):
    """Real dev phrases in Hebrew script: nothing outside the labelled private spans."""
    wrong = 0
    for line in DEV.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if not any("\u05d0" <= ch <= "\u05ea" for ch in row["text"]):
            continue
        for r in rec.analyze(row["text"], ["PERSON"]):
            if r.score >= 0.5:
                wrong += not any(r.start < p["end"] and p["start"] < r.end for p in row["private"])
    assert wrong == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("השכנה שלי ת' הביאה לי מרק כשהייתי חולה.", ["ת'"]),
        ("הבוס שלי, ש', צעק עליי מול כולם.", ["ש'"]),
        ("אחותי הקטנה נ' שאלה למה אני בוכה.", ["נ'"]),
        # no cue, or an initial that stands for someone public (ר' = Rabbi, ה' = God)
        ("קראתי את פרק ג' בספר.", []),
        ("החבר שלי ר' יוחנן אמר משהו יפה.", []),
        ("אמא שלי אמרה ה' יעזור.", []),
    ],
)
def test_initials_after_a_role_cue(rec, text, expected):
    assert names(rec, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the address of a reply or a signature bounds the name
        ("חוה כהן: אנטישמיות-למה אנשים לא עומדים", ["חוה כהן"]),
        ("יעל, אני מבינה אותך", ["יעל"]),
        ("למה לא רוצים להקשיב לנו? ~ עדן", ["עדן"]),
        # a name that is also a word opening a post before a comma is a greeting
        ("שלום, אני חדשה כאן", []),
        ("תודה רבה - אמא", []),
        # after talking with someone
        ("דיברתי על זה עם דור כהן.", ["דור כהן"]),
        ("דיברתי עם החברים שלי", []),
        ("המורה שמה לב שאני לא מרוכזת", []),  # "noticed", not "her name is Lev"
        # "שלי" after a role word is "my", not Shelly
        ("החברה שלי מאיה לוי אמרה את אותו דבר.", ["מאיה לוי"]),
    ],
)
def test_address_signature_and_talking_with(rec, text, expected) -> None:
    assert names(rec, text) == expected
