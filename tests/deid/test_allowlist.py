"""Public names kept by policy and data (curate/deid/allowlist.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from curate.config import load_config
from curate.deid.allowlist import BUILTIN, Allowlist, add_entry, load
from curate.deid.engine import DeidInput
from curate.deid.policy import load_policy
from curate.errors import CurateError


def found(text: str, culture: str | None, lists: Allowlist | None = None) -> list[tuple]:
    lists = lists or load((BUILTIN,))
    return [(text[s:e], kind, unsure) for s, e, kind, unsure in lists.find(text, culture)]


def test_public_names_per_culture() -> None:
    assert found("I took a Tavor and watched Netflix", "German") == [
        ("Tavor", "BRAND_PRODUCT", None),
        ("Netflix", "BRAND_PRODUCT", None),
    ]
    assert ("Beis Din", "RELIGIOUS_TERM", None) in found("the Beis Din said no", "Jewish")
    assert found("the Beis Din said no", "German") == []  # another culture's term
    assert found("قال رسول الله صلى الله عليه وسلم", "Arabic")[0][:2] == (
        "رسول الله",
        "PUBLIC_FIGURE",
    )


def test_arabic_and_hebrew_prefixes_and_marks() -> None:
    assert found("والله العظيم", "Arabic")[0][0] == "والله"
    assert found("בשבת הזאת", "Jewish")[0][0] == "בשבת"
    assert found("اللَّه", "Arabic")  # with a diacritic


def test_titled_figures_are_kept_by_rule() -> None:
    assert found("Rabbi Akiva Eiger wrote", None)[0][:2] == ("Rabbi Akiva Eiger", "PUBLIC_FIGURE")
    assert found("as Sheikh Zayed said", None)[0][0] == "Sheikh Zayed"
    assert found("the king is tired", None) == []  # a title needs a capitalised name


def test_hebrew_figures_with_an_epithet_or_title_are_kept_by_rule() -> None:
    # a name with an epithet after it, a title before it, one-letter prefixes allowed
    assert found("אני חושב על אברהם אבינו הרבה", None)[0][:2] == ("אברהם אבינו", "PUBLIC_FIGURE")
    assert found("הסיפור של שלמה המלך", None)[0][0] == "שלמה המלך"
    assert found("קראתי על אליהו הנביא", None)[0][0] == "אליהו הנביא"
    assert found("ולרבי עקיבא היו תלמידים", None)[0][0] == "ולרבי עקיבא"
    # an ordinary name, or "the king" without a name, is not kept
    assert found("יוסי אמר לי שזה יעבור", "Jewish") == []
    assert found("המלך של הכיתה", None) == []


def test_hebrew_public_names_and_gershayim_typed_either_way() -> None:
    assert found('למדתי רש"י כל הערב', "Jewish")[0][:2] == ('רש"י', "PUBLIC_FIGURE")
    assert found("למדתי רש״י כל הערב", "Jewish")[0][0] == "רש״י"
    assert found("שמעתי שלמה ארצי בדרך", "Jewish")[0][0] == "שלמה ארצי"
    assert found("לקחתי לוריוון בלילה", "Jewish")[0][:2] == ("לוריוון", "MEDICATION")
    assert found("שלמה אמר לי שזה יעבור", "Jewish") == []  # the given name alone


def test_a_kept_name_used_like_a_private_one_is_unsure() -> None:
    assert found("my friend Hillel said", "Jewish") == [
        ("Hillel", "PUBLIC_FIGURE", "kept name used like a private one")
    ]
    assert found("Hillel said", "Jewish") == [("Hillel", "PUBLIC_FIGURE", None)]


def test_bare_given_names_and_surnames_are_not_public() -> None:
    for text in ("Miriam", "Aisha", "Noah", "Nasser", "Jung", "Salah"):
        assert found(f"I met {text} today", None) == [], text


def test_public_links() -> None:
    lists = load((BUILTIN,))
    assert lists.public_url("http://dejure.org/gesetze/StGB/238.html")
    assert lists.public_url("https://de.wikipedia.org/wiki/Angst")
    assert not lists.public_url("https://www.instagram.com/someone")
    assert not lists.public_url("https://notwikipedia.org/x")


def test_curator_file_extends_and_changes_the_fingerprint(tmp_path: Path) -> None:
    config = load_config(None, tmp_path / "ws")
    policy = load_policy(config)
    before = policy.fingerprint
    assert policy.curator_allowlist == tmp_path / "ws" / "deid" / "allowlist.yaml"
    assert add_entry(policy.curator_allowlist, "German", "Spielbank Hohensyburg")
    assert not add_entry(policy.curator_allowlist, "German", "spielbank  hohensyburg")
    assert load_policy(config).fingerprint != before
    lists = load(policy.allowlist_files)
    assert found("in der Spielbank Hohensyburg", "German", lists)[0][1] == "CURATOR"
    assert found("in der Spielbank Hohensyburg", "Jewish", lists) == []


def test_bad_allowlist_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "a.yaml"
    bad.write_text("Jewish:\n  NOT_A_KIND: [x]\n")
    with pytest.raises(CurateError, match="unknown kind"):
        Allowlist((bad,))
    bad.write_text("- just a list\n")
    with pytest.raises(CurateError, match="mapping"):
        Allowlist((bad,))


def test_engine_keeps_public_names_and_replaces_private_ones(deid_engine) -> None:
    cases = [
        ("Rebbe Nachman of Breslov teaches joy", "Jewish", "Rebbe Nachman of Breslov teaches joy"),
        ("My best friend Youssef Nasser knows", "Arabic", "My best friend <PERSON_1> knows"),
        ("Nimm die Tavor vom Arzt", "German", "Nimm die Tavor vom Arzt"),
        (
            "see https://youtube.com/@jonas_weber now",
            None,
            "see <URL_1> now",
        ),
    ]
    for text, culture, expected in cases:
        (out,) = deid_engine.run([DeidInput("k", None, culture, {"text": text})])
        assert out.fields["text"] == expected, text


def test_scripture_figures_by_context() -> None:
    """A bare name of a scripture figure is that figure in a sentence about scripture,
    and only there; 'my friend David' stays a private person's name."""
    assert found("Psalm 38 is where David prays for himself.", "Jewish")[1] == (
        "David",
        "PUBLIC_FIGURE",
        "scripture figure by context",
    )
    assert found("David prays every night. It is hard.", "Jewish") == []
    assert [f[0] for f in found("In the Torah my brother David found comfort", "Jewish")] == [
        "Torah"
    ]
