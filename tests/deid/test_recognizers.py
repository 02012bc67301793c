"""Detection with the real engine (Presidio + spaCy + the name gazetteer), per language:
identifiers are found, cultural terms are left alone, pseudonyms are consistent."""

from __future__ import annotations

import re

import pytest

from curate.deid.engine import DeidInput

# (language, text, entity type, the value that must be found exactly)
CASES = [
    # e-mail
    ("en", "Mail me at jane.doe@example.com please", "EMAIL_ADDRESS", "jane.doe@example.com"),
    ("de", "Schreib an lukas@example.de, danke", "EMAIL_ADDRESS", "lukas@example.de"),
    ("ar", "بريدي fatima@example.com", "EMAIL_ADDRESS", "fatima@example.com"),
    ("he", "המייל yossi@example.co.il", "EMAIL_ADDRESS", "yossi@example.co.il"),
    ("zh", "邮箱li.wei@example.com。", "EMAIL_ADDRESS", "li.wei@example.com"),
    # phones: international and local
    ("en", "Call +49 151 23456789 now", "PHONE_NUMBER", "+49 151 23456789"),
    ("en", "call me at (555) 123-4567", "PHONE_NUMBER", "(555) 123-4567"),
    ("en", "or +20 10 1234 5678 in Cairo", "PHONE_NUMBER", "+20 10 1234 5678"),
    ("de", "Ruf mich an: 0151 23456789", "PHONE_NUMBER", "0151 23456789"),
    ("de", "Meine Nummer ist +49 151 23456789.", "PHONE_NUMBER", "+49 151 23456789"),
    ("ar", "رقم هاتفي +20 10 1234 5678", "PHONE_NUMBER", "+20 10 1234 5678"),
    ("he", "הטלפון שלי 052-1234567", "PHONE_NUMBER", "052-1234567"),
    ("he", "תתקשר +972 52-123-4567", "PHONE_NUMBER", "+972 52-123-4567"),
    ("zh", "电话+86 138 0013 8000", "PHONE_NUMBER", "+86 138 0013 8000"),
    # URLs
    ("en", "see https://example.com/page for more", "URL", "https://example.com/page"),
    ("de", "Schau auf www.example.org nach", "URL", "www.example.org"),
    ("ar", "الرابط https://example.com/x", "URL", "https://example.com/x"),
    ("he", "קישור https://example.co.il/a", "URL", "https://example.co.il/a"),
    # Reddit users, with and without the leading slash, glued to Chinese text
    ("en", "thanks u/sleepy_owl for this", "REDDIT_USERNAME", "u/sleepy_owl"),
    ("en", "as /u/night_owl said", "REDDIT_USERNAME", "/u/night_owl"),
    ("de", "danke u/sleepy_owl!", "REDDIT_USERNAME", "u/sleepy_owl"),
    ("ar", "شكرا u/sleepy_owl", "REDDIT_USERNAME", "u/sleepy_owl"),
    ("he", "תודה /u/sleepy_owl", "REDDIT_USERNAME", "/u/sleepy_owl"),
    ("zh", "谢谢u/sleepy_owl的建议", "REDDIT_USERNAME", "u/sleepy_owl"),
    # social handles
    ("en", "ping me @handle_1 anytime", "SOCIAL_HANDLE", "@handle_1"),
    ("en", "my discord is name#1234", "SOCIAL_HANDLE", "name#1234"),
    ("en", "on telegram: t.me/someone", "SOCIAL_HANDLE", "t.me/someone"),
    ("de", "Insta: @lena.m_99", "SOCIAL_HANDLE", "@lena.m_99"),
    ("ar", "حسابي @fatima_h", "SOCIAL_HANDLE", "@fatima_h"),
    ("he", "הדיסקורד שלי yossi#4321", "SOCIAL_HANDLE", "yossi#4321"),
    ("zh", "加我t.me/liwei_88好吗", "SOCIAL_HANDLE", "t.me/liwei_88"),
    # IP addresses
    ("en", "my ip is 192.168.1.20 today", "IP_ADDRESS", "192.168.1.20"),
    ("en", "or 2001:db8::1 on v6", "IP_ADDRESS", "2001:db8::1"),
    ("de", "Server 10.0.0.7 ist down", "IP_ADDRESS", "10.0.0.7"),
    # subreddits (detected, kept by policy)
    ("en", "I posted in r/germany yesterday", "SUBREDDIT", "r/germany"),
    ("de", "Frag mal in /r/germany", "SUBREDDIT", "/r/germany"),
    ("zh", "我在r/China发帖", "SUBREDDIT", "r/China"),
    # person names
    ("en", "My friend Sarah Miller said I should go", "PERSON", "Sarah Miller"),
    ("de", "Ich heiße Lukas Schneider", "PERSON", "Lukas Schneider"),
    ("ar", "اسمي فاطمة الحسن", "PERSON", "فاطمة الحسن"),
    ("he", "קוראים לי יוסי כהן", "PERSON", "יוסי כהן"),
    ("zh", "我的朋友李伟说", "PERSON", "李伟"),
    # an initial or a lower-case name after a cue (curate's English recognizer)
    # (the engine trims the period or geresh off an initial)
    ("en", "My friend J. keeps inviting me out", "PERSON", "J"),
    ("en", "my sister sarah says it gets better", "PERSON", "sarah"),
    ("he", "האקס שלי, מ', עדיין שולח לי הודעות", "PERSON", "מ"),
    ("zh", "陈老师把我叫到办公室", "PERSON", "陈"),
]


def found(engine, text: str, lang: str) -> list[tuple[str, str]]:
    (dets,) = engine.analyze([text], lang)
    return [(d.entity_type, text[d.start : d.end]) for d in dets]


@pytest.mark.parametrize(
    ("lang", "text", "etype", "value"),
    CASES,
    ids=[f"{c[0]}-{c[2]}-{i}" for i, c in enumerate(CASES)],
)
def test_detects(deid_engine, lang: str, text: str, etype: str, value: str) -> None:
    assert (etype, value) in found(deid_engine, text, lang)


def test_batch_equals_single(deid_engine) -> None:
    """analyze() over a batch gives each text the same result as alone."""
    texts = [c[1] for c in CASES if c[0] == "de"]
    batch = deid_engine.analyze(texts, "de")
    for text, dets in zip(texts, batch, strict=True):
        assert [(d.entity_type, text[d.start : d.end]) for d in dets] == found(
            deid_engine, text, "de"
        )


def test_english_uses_spacy_ner(deid_engine) -> None:
    nlp = deid_engine.analyzer.nlp_engine.nlp
    assert "ner" in nlp["en"].pipe_names
    text = "I met Xochitl Brennan yesterday and she was kind."
    (dets,) = deid_engine.analyze([text], "en")
    persons = [(text[d.start : d.end], d.recognizer) for d in dets if d.entity_type == "PERSON"]
    assert persons == [("Xochitl Brennan", "SpacyRecognizer")]


def test_common_first_names_replaced(deid_engine) -> None:
    text = "John said hi. I told David about it. Is Sarah mad?"
    (out,) = deid_engine.run(
        [DeidInput(key="j", language="en", culture=None, fields={"text": text})]
    )
    assert (
        out.fields["text"] == "<PERSON_1> said hi. I told <PERSON_2> about it. Is <PERSON_3> mad?"
    )


def test_possessive_name_same_pseudonym(deid_engine) -> None:
    doc = DeidInput(
        key="p",
        language="en",
        culture=None,
        fields={
            "title": "Sarah Miller ghosted me",
            "text": "I talked to Sarah Miller's rabbi about Sarah Miller.",
        },
    )
    (out,) = deid_engine.run([doc])
    assert out.fields["text"] == "I talked to <PERSON_1>'s rabbi about <PERSON_1>."


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "I was 19 in 2022 and moved in March"),
        ("de", "Ich bin 23 und seit 2019 in Berlin"),
        ("zh", "我今年23岁，2019年来的"),
        ("zh", "我住302号，2019年搬来的"),
    ],
)
def test_ages_and_years_are_not_phones(deid_engine, lang: str, text: str) -> None:
    assert not [t for t, _ in found(deid_engine, text, lang) if t == "PHONE_NUMBER"]


def test_phone_beside_an_age_in_chinese(deid_engine) -> None:
    text = "我23岁，电话是13800138000"
    assert [v for t, v in found(deid_engine, text, "zh") if t == "PHONE_NUMBER"] == ["13800138000"]


# -- cultural terms survive de-identification ------------------------------------------

CULTURE_CASES = [
    ("en", "Jewish", "I am Jewish and keep Shabbat", ["Jewish", "Shabbat"]),
    ("de", "Arabic", "Ich bin Muslim", ["Muslim"]),
    ("de", "German", "Ich bin Deutsche und feiere Weihnachten", ["Deutsche", "Weihnachten"]),
    ("ar", "Arabic", "أنا مسلمة وأصوم رمضان", ["مسلمة", "رمضان"]),
    ("he", "Jewish", "אני יהודי ושומר שבת", ["יהודי", "שבת"]),
    ("zh", "Chinese", "我是中国人", ["中国人"]),
]


@pytest.mark.parametrize(("lang", "culture", "text", "words"), CULTURE_CASES)
def test_cultural_terms_not_replaced(
    deid_engine, lang: str, culture: str, text: str, words: list[str]
) -> None:
    doc = DeidInput(key="k", language=lang, culture=culture, fields={"title": text, "text": text})
    (out,) = deid_engine.run([doc])
    assert out.fields == {"title": text, "text": text}
    assert all(d.operator == "keep" for d in out.decisions)
    for word in words:
        assert word in out.fields["text"]


def test_cultural_terms_kept_beside_a_name(deid_engine) -> None:
    text = "My friend Sarah Miller is Jewish and keeps Shabbat with us"
    (out,) = deid_engine.run(
        [DeidInput(key="k", language="en", culture="Jewish", fields={"text": text})]
    )
    assert out.fields["text"] == "My friend <PERSON_1> is Jewish and keeps Shabbat with us"


# -- through Deidentifier.run ----------------------------------------------------------


def test_pseudonyms_consistent_across_fields_and_phrases(deid_engine) -> None:
    doc = DeidInput(
        key="post-1",
        language="de",
        culture="German",
        fields={
            "title": "Jonas Weber hat mich verlassen",
            "text": "Meine Freundin Lea sagt, Jonas war nie gut. Lea hilft mir.",
            "response": "Vergiss Jonas, hör auf Lea.",
        },
        phrases=["Jonas Weber hat mich verlassen", "Lea hilft mir"],
    )
    (out,) = deid_engine.run([doc])
    assert out.language == "de"
    assert out.fields == {
        "title": "<PERSON_1> hat mich verlassen",
        "text": "Meine Freundin <PERSON_2> sagt, <PERSON_1> war nie gut. <PERSON_2> hilft mir.",
        "response": "Vergiss <PERSON_1>, hör auf <PERSON_2>.",
    }
    assert out.phrases == ["<PERSON_1> hat mich verlassen", "<PERSON_2> hilft mir"]
    assert [d.field for d in out.phrase_decisions[0]] == ["phrase:0"]
    for d in out.decisions:
        new = out.fields[d.field]
        assert re.fullmatch(r"<PERSON_[12]>", new[d.new_start : d.new_end])
    # each field's offset map agrees with its decisions
    for name, omap in out.maps.items():
        assert omap.new_length == len(out.fields[name])
        assert [(e.start, e.end) for e in omap.edits] == [
            (d.start, d.end) for d in out.decisions if d.field == name
        ]


def test_pseudonyms_english_full_and_short_name(deid_engine) -> None:
    doc = DeidInput(
        key="post-2",
        language="en",
        culture="Jewish",
        fields={
            "title": "Priyanka Thornquist ghosted me",
            "text": "My friend Priyanka Thornquist stopped talking to me. Is Priyanka mad?",
            "response": "Give Priyanka time.",
        },
        phrases=["Priyanka stopped talking"],
    )
    (out,) = deid_engine.run([doc])
    assert out.fields == {
        "title": "<PERSON_1> ghosted me",
        "text": "My friend <PERSON_1> stopped talking to me. Is <PERSON_1> mad?",
        "response": "Give <PERSON_1> time.",
    }
    assert out.phrases == ["<PERSON_1> stopped talking"]


def test_documents_numbered_independently(deid_engine) -> None:
    docs = [
        DeidInput(key=k, language="de", culture=None, fields={"text": f"Ich heiße {name}"})
        for k, name in (("a", "Lukas Schneider"), ("b", "Jonas Weber"))
    ]
    outs = deid_engine.run(docs)
    assert [o.key for o in outs] == ["a", "b"]
    assert [o.fields["text"] for o in outs] == ["Ich heiße <PERSON_1>"] * 2


def test_email_after_emoji_offsets(deid_engine) -> None:
    text = "😔🫂 I'm lost. 👍🏽 mail me: anna.k@example.com, pls 🙏"
    doc = DeidInput(key="e", language="en", culture=None, fields={"text": text})
    (out,) = deid_engine.run([doc])
    new = out.fields["text"]
    assert new == "😔🫂 I'm lost. 👍🏽 mail me: <EMAIL_ADDRESS_1>, pls 🙏"
    (email,) = [d for d in out.decisions if d.entity_type == "EMAIL_ADDRESS"]
    assert text[email.start : email.end] == "anna.k@example.com"
    assert new[email.new_start : email.new_end] == "<EMAIL_ADDRESS_1>"
    omap = out.maps["text"]
    assert omap.position(email.end) == email.new_end
    tail = omap.span(email.end, len(text))
    assert new[tail.start : tail.end] == ", pls 🙏"


def test_email_after_emoji_in_chinese(deid_engine) -> None:
    text = "😔好累。邮箱li.wei@example.com。谢谢u/sleepy_owl"
    (out,) = deid_engine.run(
        [DeidInput(key="z", language="zh", culture="Chinese", fields={"text": text})]
    )
    new = out.fields["text"]
    assert new == "😔好累。邮箱<EMAIL_ADDRESS_1>。谢谢<REDDIT_USERNAME_1>"
    for d in out.decisions:
        assert new[d.new_start : d.new_end] == f"<{d.entity_type}_1>"


def test_language_fallback_and_empty_fields(deid_engine) -> None:
    doc = DeidInput(
        key="u",
        language="fr",  # no pipeline: the fallback language
        culture=None,
        fields={"title": None, "text": "écris à marie@example.fr", "response": ""},
    )
    (out,) = deid_engine.run([doc])
    assert out.language == "en"
    assert out.fields == {"title": None, "text": "écris à <EMAIL_ADDRESS_1>", "response": ""}
    assert out.maps["title"].edits == [] and out.maps["response"].new_length == 0


def test_a_segment_edge_is_not_a_line_start(deid_engine) -> None:
    """The address rule reads the place in the text, not in the segment: after a Latin
    word inside an Arabic sentence, the Arabic segment does not open a line."""
    from curate.deid.engine import _context_marks

    text = "عشان تكون Facebook ساجي شهران: شوف"
    start = text.index("ساجي")
    assert _context_marks(text, start, len(text)) == ("\u2060", "")
    assert _context_marks(text, 0, text.index("Facebook")) == ("", "\u2060")
    assert _context_marks("سطر\nساجي", 4, 8) == ("", "")  # a real line start
    (out,) = deid_engine.run([DeidInput("k", "ar", "Arabic", {"text": text})])
    assert out.fields["text"] == text  # two words mid-sentence, no cue: no name
    # at a real line start, a name and surname addressed with a colon are a name
    named = "ساجي شهران: شوف الموضوع"
    (out,) = deid_engine.run([DeidInput("k", "ar", "Arabic", {"text": named})])
    assert out.fields["text"].startswith("<PERSON_1>:")
