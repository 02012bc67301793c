"""Resolution of overlapping detections, pseudonym memory, replacement operators, apply()
and policy loading (pure; no models)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from curate.deid.operators import (
    Detection,
    Pseudonyms,
    apply,
    replacement,
    resolve,
)
from curate.deid.policy import DEFAULT_POLICY, Policy, load_policy
from curate.errors import CurateError

REGISTRY = DEFAULT_POLICY.parent / "recognizers.yaml"

POLICY_YAML = """
nlp:
  models: {en: blank, de: blank}
  fallback_language: en
registry: recognizers.yaml
thresholds:
  default: 0.4
  PERSON: {default: 0.5, de: 0.7}
  URL: 0.6
operators:
  PERSON: pseudonym
  EMAIL_ADDRESS: tag
  PHONE_NUMBER: pseudonym
  URL: redact
  REDDIT_USERNAME: surrogate
  SOCIAL_HANDLE: surrogate
  AGE: generalize
  DATE_TIME: generalize
  SUBREDDIT: keep
  NRP: keep
  default: pseudonym
surrogate_locales:
  Arabic: ar_AA
  Chinese: zh_CN
  German: de_DE
  Jewish: he_IL
  default: en_US
direct_identifiers: [PERSON, EMAIL_ADDRESS]
"""


def write_policy(folder: Path, text: str = POLICY_YAML, registry: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if registry:
        shutil.copy(REGISTRY, folder / "recognizers.yaml")
    path = folder / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def policy(tmp_path: Path) -> Policy:
    return load_policy(path=write_policy(tmp_path / "pol"))


def det(start: int, end: int, etype: str, score: float = 0.9, rec: str = "Pattern") -> Detection:
    return Detection(start, end, etype, score, rec)


def at(text: str, value: str, etype: str, nth: int = 0, **kw) -> Detection:
    """A detection of the nth occurrence of `value` in `text`."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(value, start + 1)
    return det(start, start + len(value), etype, **kw)


# -- policy ----------------------------------------------------------------------------


def test_policy_accessors(policy: Policy, tmp_path: Path) -> None:
    assert policy.languages == ("en", "de")
    assert policy.language_for("de") == "de"
    assert policy.language_for("he") == "en"  # no pipeline: the fallback
    assert policy.language_for(None) == "en"
    assert policy.operator("URL") == "redact"
    assert policy.operator("CREDIT_CARD") == "pseudonym"  # default
    assert policy.threshold("PERSON", "en") == 0.5
    assert policy.threshold("PERSON", "de") == 0.7
    assert policy.threshold("URL", "de") == 0.6
    assert policy.threshold("EMAIL_ADDRESS", "en") == 0.4
    assert policy.direct_identifiers == ("PERSON", "EMAIL_ADDRESS")
    assert policy.registry_path == (tmp_path / "pol" / "recognizers.yaml").resolve()
    assert re.fullmatch(r"[0-9a-f]{16}", policy.fingerprint)


def test_fingerprint_follows_policy_and_registry(tmp_path: Path) -> None:
    a = load_policy(path=write_policy(tmp_path / "a"))
    b = load_policy(path=write_policy(tmp_path / "b"))
    assert a.fingerprint == b.fingerprint
    c = load_policy(
        path=write_policy(tmp_path / "c", POLICY_YAML.replace("URL: redact", "URL: tag"))
    )
    assert c.fingerprint != a.fingerprint
    (tmp_path / "b" / "recognizers.yaml").write_text(REGISTRY.read_text() + "\n# edited\n")
    assert b.fingerprint != a.fingerprint


def test_registry_absolute_path(tmp_path: Path) -> None:
    text = POLICY_YAML.replace("registry: recognizers.yaml", f"registry: {REGISTRY}")
    policy = load_policy(path=write_policy(tmp_path / "abs", text, registry=False))
    assert policy.registry_path == REGISTRY.resolve()


def test_default_policy_loads() -> None:
    policy = load_policy()
    assert policy.path == DEFAULT_POLICY.resolve()
    assert set(policy.languages) == {"en", "de", "ar", "he", "zh"}
    assert policy.operator("SUBREDDIT") == "keep"
    assert policy.operator("NRP") == "keep"
    assert policy.operator("PERSON") == "pseudonym"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("PERSON: pseudonym", "PERSON: scramble"), "unknown operator"),
        (("registry: recognizers.yaml", "registry: nowhere.yaml"), "registry file not found"),
        (("registry: recognizers.yaml", "registry_file: recognizers.yaml"), "'registry'"),
        (("operators:", "ops:"), "missing section 'operators'"),
        (("nlp:", "language_models:"), "missing section 'nlp'"),
        (("nlp:\n", "nlp: [\n"), "invalid YAML"),
    ],
)
def test_load_policy_errors(tmp_path: Path, edit: tuple[str, str], message: str) -> None:
    path = write_policy(tmp_path / "bad", POLICY_YAML.replace(*edit, 1))
    with pytest.raises(CurateError, match=re.escape(message)):
        load_policy(path=path)


def test_load_policy_errors_missing_file_and_empty(tmp_path: Path) -> None:
    with pytest.raises(CurateError, match="policy not found"):
        load_policy(path=tmp_path / "absent.yaml")
    with pytest.raises(CurateError, match="missing section 'nlp'"):
        load_policy(path=write_policy(tmp_path / "empty", ""))


def test_load_policy_registry_missing_beside_policy(tmp_path: Path) -> None:
    path = write_policy(tmp_path / "noreg", registry=False)
    with pytest.raises(CurateError, match="registry file not found"):
        load_policy(path=path)


def test_load_policy_from_config(tmp_path: Path) -> None:
    from curate.config import load_config

    path = write_policy(tmp_path / "cfg")
    (tmp_path / "curate.toml").write_text('[deid]\npolicy = "cfg/policy.yaml"\n')
    config = load_config(tmp_path / "curate.toml", tmp_path / "ws")
    assert load_policy(config).path == path.resolve()


# -- resolve ---------------------------------------------------------------------------


def test_resolve_threshold(policy: Policy) -> None:
    text = "Anna Weber mailed a@b.de"
    found = [det(0, 10, "PERSON", 0.6, "SpacyRecognizer"), det(18, 24, "EMAIL_ADDRESS", 0.39)]
    names = frozenset({"anna"})
    assert resolve(found, policy, "en", text=text, known_names=names) == [found[0]]
    # PERSON needs 0.7 in de: 0.6 is near it, so kept and marked for review
    (near,) = resolve(found, policy, "de", text=text, known_names=names)
    assert (near.operator, near.unsure) == ("keep", "score near threshold")
    at = [det(18, 24, "EMAIL_ADDRESS", 0.4)]
    assert resolve(at, policy, "en", text=text) == at  # the threshold itself passes


def test_resolve_ner_alone_goes_to_review(policy: Policy) -> None:
    """A name the English model found where no word is a known first name
    ('Kindergarten'): not replaced, kept under the bar and queued for the curator."""
    text = "life in Kindergarten was hard"
    (d,) = resolve([det(8, 20, "PERSON", 0.85, "SpacyRecognizer")], policy, "en", text=text)
    assert d.operator == "keep" and d.unsure == "NER only, no known name"
    named = resolve(
        [det(8, 20, "PERSON", 0.85, "SpacyRecognizer")],
        policy,
        "en",
        text=text,
        known_names=frozenset({"kindergarten"}),
    )
    assert named[0].operator is None and named[0].unsure is None


def test_resolve_far_under_threshold_is_dropped(policy: Policy) -> None:
    text = "Anna Weber"
    assert resolve([det(0, 10, "PERSON", 0.2, "X")], policy, "en", text=text) == []


def test_resolve_drops_empty_detections(policy: Policy) -> None:
    assert resolve([det(3, 3, "PERSON"), det(4, 2, "PERSON")], policy, "en", text="abcdef") == []


def test_resolve_merges_same_type_overlaps(policy: Policy) -> None:
    text = "ruf +49 (0)152 1234567 an"
    whole = det(4, 22, "PHONE_NUMBER", 0.7, "InternationalPhoneRecognizer")
    part = det(11, 22, "PHONE_NUMBER", 0.75, "PhoneRecognizer")
    head = det(4, 9, "PHONE_NUMBER", 0.5, "PhoneRecognizer")
    out = resolve([part, whole, head], policy, "de", text=text)
    assert out == [Detection(4, 22, "PHONE_NUMBER", 0.75, "PhoneRecognizer")]


def test_resolve_union_extends_both_ways(policy: Policy) -> None:
    text = "Maria Anna Schmidt"
    out = resolve(
        [det(0, 10, "PERSON", 0.8, "A"), det(6, 18, "PERSON", 0.6, "B")], policy, "en", text=text
    )
    assert out == [Detection(0, 18, "PERSON", 0.8, "A")]


def test_resolve_touching_same_type_not_merged(policy: Policy) -> None:
    found = [det(0, 4, "PERSON", 0.9), det(4, 8, "PERSON", 0.9)]
    assert resolve(found, policy, "en", text="AnnaBeth") == found


def test_resolve_prefers_pattern_over_statistical(policy: Policy) -> None:
    text = "See https://example.com/x"
    url = det(4, 25, "URL", 0.65, "UrlRecognizer")
    ner = det(0, 25, "PERSON", 0.85, "SpacyRecognizer")
    assert resolve([ner, url], policy, "en", text=text) == [url]
    text = "frag @lukas_s"
    handle = det(5, 13, "SOCIAL_HANDLE", 0.85, "SocialHandleRecognizer")
    gaz = det(6, 11, "PERSON", 0.95, "NameGazetteerRecognizer_de")
    assert resolve([gaz, handle], policy, "de", text=text) == [handle]


def test_resolve_pattern_keep_beats_statistical(policy: Policy) -> None:
    """'r/GradSchool' taken for a name by NER stays a (kept) subreddit."""
    text = "posted in r/GradSchool"
    sub = det(10, 22, "SUBREDDIT", 0.9, "SubredditRecognizer")
    ner = det(12, 22, "PERSON", 0.85, "SpacyRecognizer")
    assert resolve([ner, sub], policy, "en", text=text) == [sub]


def test_resolve_prefers_replaced_over_kept(policy: Policy) -> None:
    text = "u/r/thing"
    kept = det(2, 9, "SUBREDDIT", 0.95, "SubredditRecognizer")
    user = det(0, 7, "REDDIT_USERNAME", 0.5, "RedditUsernameRecognizer")
    assert resolve([kept, user], policy, "en", text=text) == [user]
    # both statistical: still the replaced one
    text = "Jewish Jonas"
    nrp = det(0, 12, "NRP", 0.95, "SpacyRecognizer")
    person = det(7, 12, "PERSON", 0.6, "SpacyRecognizer")
    names = frozenset({"jonas"})
    assert resolve([nrp, person], policy, "en", text=text, known_names=names) == [person]


def test_resolve_gazetteer_defers_to_ner(policy: Policy) -> None:
    """A gazetteer 'name' on the words the NER model read as a place is dropped."""
    text = "We moved to Santa Barbara"
    place = at(text, "Santa Barbara", "LOCATION", score=0.85, rec="SpacyRecognizer")
    gaz = at(text, "Santa Barbara", "PERSON", score=0.95, rec="NameGazetteerRecognizer_en")
    assert resolve([gaz, place], policy, "en", text=text) == [place]
    # without the NER's reading, the name stands
    assert resolve([gaz], policy, "en", text=text) == [gaz]
    # a name inside a wider group reading stays ('Jewish Anna')
    text = "Jewish Anna"
    nrp = det(0, 11, "NRP", 0.95, "SpacyRecognizer")
    anna = det(7, 11, "PERSON", 0.7, "NameGazetteerRecognizer_en")  # a context word lifted it
    assert resolve([nrp, anna], policy, "en", text=text) == [anna]


def test_resolve_cue_name_stands_where_ner_reads_an_organisation() -> None:
    """The list's hit gives way to the model's organisation, a cue recognizer's name on
    the same words does not: it read the context ("my sister ..."). (The default policy:
    organisations are kept.)"""
    policy = load_policy()
    text = "Only my sister Debbie Bell knows."
    org = at(text, "Debbie Bell", "ORGANIZATION", score=0.85, rec="SpacyRecognizer")
    gaz = at(text, "Debbie Bell", "PERSON", score=1.0, rec="NameGazetteerRecognizer_en")
    cue = at(text, "Debbie Bell", "PERSON", score=0.75, rec="EnglishCueNameRecognizer")
    (chosen,) = resolve([gaz, org, cue], policy, "en", text=text)
    assert (chosen.entity_type, chosen.recognizer) == ("PERSON", "EnglishCueNameRecognizer")
    assert resolve([gaz, org], policy, "en", text=text) == [org]


def test_resolve_then_score_then_length(policy: Policy) -> None:
    text = "x" * 30
    low = det(0, 10, "EMAIL_ADDRESS", 0.6)
    high = det(5, 12, "IP_ADDRESS", 0.9)
    assert resolve([low, high], policy, "en", text=text) == [high]
    short = det(0, 5, "EMAIL_ADDRESS", 0.8)
    long = det(3, 20, "IP_ADDRESS", 0.8)
    assert resolve([short, long], policy, "en", text=text) == [long]


def test_resolve_keeps_non_overlapping_sorted(policy: Policy) -> None:
    text = "a@b.de then Jonas then u/someone"
    found = [
        at(text, "u/someone", "REDDIT_USERNAME", score=0.95),
        at(text, "a@b.de", "EMAIL_ADDRESS", score=1.0),
        at(text, "Jonas", "PERSON", score=0.6, rec="NameGazetteerRecognizer_en"),
    ]
    assert [d.start for d in resolve(found, policy, "en", text=text)] == [0, 12, 23]


def test_resolve_never_person(policy: Policy) -> None:
    text = "I say Shalom, said Jonas"
    found = [
        at(text, "Shalom", "PERSON", score=0.85, rec="SpacyRecognizer"),
        at(text, "Jonas", "PERSON", score=0.85, rec="SpacyRecognizer"),
        at(text, "Shalom", "NRP", score=0.85, rec="SpacyRecognizer"),
    ]
    never = frozenset({"shalom"})
    names = frozenset({"jonas", "shalom"})
    out = resolve(found, policy, "en", never_person=never, text=text, known_names=names)
    assert [(text[d.start : d.end], d.entity_type) for d in out] == [
        ("Shalom", "NRP"),
        ("Jonas", "PERSON"),
    ]
    # without the list, the name wins over the kept NRP
    out = resolve(found, policy, "en", text=text, known_names=names)
    assert [(text[d.start : d.end], d.entity_type) for d in out] == [
        ("Shalom", "PERSON"),
        ("Jonas", "PERSON"),
    ]
    # matched case-insensitively; other types unaffected
    loud = "SHALOM"
    out = resolve([det(0, 6, "PERSON"), det(0, 6, "NRP")], policy, "en", never, loud)
    assert [d.entity_type for d in out] == ["NRP"]


def test_resolve_cultural_terms_never_persons(policy: Policy) -> None:
    """NER's 'names' that are the dataset's cultural terms are dropped without a list."""
    text = "I am Jewish and keep Shabbat"
    found = [
        at(text, "Jewish", "PERSON", score=0.85, rec="SpacyRecognizer"),
        at(text, "Shabbat", "PERSON", score=0.85, rec="SpacyRecognizer"),
    ]
    assert resolve(found, policy, "en", text=text) == []


def test_resolve_trims_person_ends(policy: Policy) -> None:
    text = "so sad 😔 Jonas!! help"
    found = [det(7, 16, "PERSON", 0.85, "SpacyRecognizer")]
    assert text[7:16] == "😔 Jonas!!"
    (d,) = resolve(found, policy, "en", text=text)
    assert text[d.start : d.end] == "Jonas"


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("https://example.com/x", True),
        ("www.example.org", True),
        ("example.com/page", True),
        ("do..no", False),
        ("sein.Na", False),
        ("Hallo.Wie", False),
    ],
)
def test_resolve_url_plausibility(policy: Policy, value: str, kept: bool) -> None:
    text = f"see {value} now"
    found = [at(text, value, "URL", score=0.6, rec="UrlRecognizer")]
    assert bool(resolve(found, policy, "en", text=text)) is kept


@pytest.mark.parametrize("text", ["John said hi", "I told David about it.", "Is Sarah mad?"])
def test_resolve_keeps_common_first_names(policy: Policy, text: str) -> None:
    name = next(w for w in ("John", "David", "Sarah") if w in text)
    found = [at(text, name, "PERSON", score=0.85, rec="SpacyRecognizer")]
    # a common word unless the gazetteer knows it as a first name
    assert resolve(found, policy, "en", text=text) == []
    known = frozenset({"john", "david", "sarah"})
    assert resolve(found, policy, "en", text=text, known_names=known) == found


def test_resolve_strips_possessive(policy: Policy) -> None:
    text = "I talked to Sarah Miller's rabbi"
    found = [at(text, "Sarah Miller's", "PERSON", score=0.85, rec="SpacyRecognizer")]
    (d,) = resolve(found, policy, "en", text=text)
    assert text[d.start : d.end] == "Sarah Miller"


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("I was 19 in 2022", []),  # ages and years, parsed leniently, are not phones
        ("call 12345 now", []),
        ("ruf 030 1234 an", ["030 1234"]),  # 7 digits
        ("(555) 123-4567 or 555-123-4567", ["(555) 123-4567", "555-123-4567"]),
    ],
)
def test_phone_recognizer_drops_short_numbers(text: str, found: list[str]) -> None:
    """Short digit runs are not taken for phone numbers (the filter lives in the phone
    recognizer, not in resolve()); one result per span, not one per region."""
    from curate.deid.recognizers.phone import MIN_DIGITS, CuratePhoneRecognizer

    assert MIN_DIGITS >= 6
    rec = CuratePhoneRecognizer(
        supported_language="en", supported_regions=("US", "DE", "GB"), leniency=0
    )
    results = rec.analyze(text, ["PHONE_NUMBER"])
    assert [text[r.start : r.end] for r in results] == found


# -- pseudonyms ------------------------------------------------------------------------


def test_pseudonym_numbers_per_type() -> None:
    p = Pseudonyms(seed="doc1")
    assert p.number("PERSON", "Anna") == 1
    assert p.number("PERSON", "Omar") == 2
    assert p.number("EMAIL_ADDRESS", "a@b.de") == 1
    assert p.number("PERSON", "anna") == 1  # case-insensitive
    assert p.number("PERSON", " Omar ") == 2
    assert p.number("EMAIL_ADDRESS", "c@d.de") == 2
    assert p.number("REDDIT_USERNAME", "u/owl") == 1
    assert p.number("REDDIT_USERNAME", "/u/owl") == 1  # leading slash ignored
    assert p.number("SOCIAL_HANDLE", "@owl") == 1
    assert p.number("SOCIAL_HANDLE", "owl") == 1


def test_pseudonym_full_name_then_first_name() -> None:
    p = Pseudonyms(seed="doc")
    assert p.number("PERSON", "Jonas Weber") == 1
    assert p.number("PERSON", "Lea") == 2
    assert p.number("PERSON", "Jonas") == 1
    assert p.number("PERSON", "jonas  weber") == 1


def test_pseudonym_first_name_then_full_name() -> None:
    p = Pseudonyms(seed="doc")
    assert p.number("PERSON", "Jonas") == 1
    assert p.number("PERSON", "Weber") == 2
    assert p.number("PERSON", "Jonas Weber") == 1
    assert p.number("PERSON", "Lea Weber") == 2  # contains 'Weber'


def test_pseudonym_subset_rule_only_for_persons() -> None:
    p = Pseudonyms(seed="doc")
    assert p.number("EMAIL_ADDRESS", "anna") == 1
    assert p.number("EMAIL_ADDRESS", "anna weber") == 2


def test_pseudonyms_consistent_across_fields(policy: Policy) -> None:
    pseudo = Pseudonyms(seed="post1")
    title = "Jonas Weber hurt me"
    text = "Lea says Jonas is sorry; write to jw@example.de"
    response = "Ignore Jonas. Lea is right. jw@example.de is his?"
    email = "jw@example.de"
    t_new, _, _ = apply(title, [at(title, "Jonas Weber", "PERSON")], policy, pseudo, "title")
    found = [at(text, "Lea", "PERSON"), at(text, "Jonas", "PERSON"), at(text, email, "EMAIL")]
    x_new, _, _ = apply(text, found, policy, pseudo, "text")
    found = [at(response, "Jonas", "PERSON"), at(response, "Lea", "PERSON")]
    found.append(at(response, email, "PHONE_NUMBER"))  # pseudonym, numbered per type
    r_new, _, _ = apply(response, found, policy, pseudo, "response")
    assert t_new == "<PERSON_1> hurt me"
    assert x_new == "<PERSON_2> says <PERSON_1> is sorry; write to <EMAIL_1>"
    assert r_new == "Ignore <PERSON_1>. <PERSON_2> is right. <PHONE_NUMBER_1> is his?"


# -- operators -------------------------------------------------------------------------


def test_operator_pseudonym() -> None:
    p = Pseudonyms(seed="s")
    assert replacement("pseudonym", "PERSON", "Anna", p) == "<PERSON_1>"
    assert replacement("pseudonym", "PERSON", "Ben", p) == "<PERSON_2>"
    assert replacement("pseudonym", "PERSON", "Anna", p) == "<PERSON_1>"
    assert replacement("pseudonym", "URL", "https://x.org", p) == "<URL_1>"


def test_operator_tag_redact_keep() -> None:
    p = Pseudonyms(seed="s")
    assert replacement("tag", "EMAIL_ADDRESS", "a@b.de", p) == "<EMAIL_ADDRESS>"
    assert replacement("redact", "URL", "https://x.org", p) == ""
    assert replacement("keep", "SUBREDDIT", "r/germany", p) is None


@pytest.mark.parametrize(
    ("etype", "value", "expected"),
    [
        ("AGE", "23", "20s"),
        ("AGE", "7", "0s"),
        ("AGE", "I'm 41 years old", "40s"),
        ("AGE", "twenty", "<AGE>"),
        ("DATE_TIME", "3 March 1999", "1999"),
        ("DATE_TIME", "12.05.2021", "2021"),
        ("DATE_TIME", "last Tuesday", "<DATE_TIME>"),
        ("PERSON", "Anna", "<PERSON>"),
    ],
)
def test_operator_generalize(etype: str, value: str, expected: str) -> None:
    assert replacement("generalize", etype, value, Pseudonyms(seed="s")) == expected


LOCALES = {"Arabic": "ar_AA", "Chinese": "zh_CN", "German": "de_DE", "Jewish": "he_IL"}


@pytest.mark.parametrize(
    ("etype", "value", "shape"),
    [
        ("PERSON", "Anna Weber", r".+ .+"),
        ("EMAIL_ADDRESS", "anna@example.de", r"[^@\s]+@[^@\s]+\.\w+"),
        ("PHONE_NUMBER", "+49 151 23456789", r".*\d.*"),
        ("URL", "https://anna.example/blog", r"https://example\.org/[\w-]+"),
        ("REDDIT_USERNAME", "u/sleepy_owl", r"u/\S+"),
        ("SOCIAL_HANDLE", "@anna_w", r"@\S+"),
        ("IP_ADDRESS", "8.8.8.8", r"(10|172|192)\.\d+\.\d+\.\d+"),
        ("LOCATION", "Berlin", r"<LOCATION>"),
    ],
)
def test_operator_surrogate(etype: str, value: str, shape: str) -> None:
    a = Pseudonyms(seed="doc-7", culture="German", locales=LOCALES)
    b = Pseudonyms(seed="doc-7", culture="German", locales=LOCALES)
    fake = replacement("surrogate", etype, value, a)
    assert re.fullmatch(shape, fake), fake
    assert fake != value
    assert replacement("surrogate", etype, value, b) == fake  # deterministic per seed
    assert replacement("surrogate", etype, value, a) == fake  # consistent in a document
    # the same value in another spelling is the same entity
    assert replacement("surrogate", etype, value.upper(), a) == fake


def test_surrogate_varies_with_seed_and_value() -> None:
    fakes = {
        replacement("surrogate", "PERSON", "Anna Weber", Pseudonyms(seed=f"doc-{i}"))
        for i in range(5)
    }
    assert len(fakes) > 1
    p = Pseudonyms(seed="doc")
    assert replacement("surrogate", "PERSON", "Anna", p) != replacement(
        "surrogate", "PERSON", "Omar", p
    )


@pytest.mark.parametrize(
    ("culture", "locale", "script"),
    [
        ("Arabic", "ar_AA", r"[\u0600-\u06ff]"),
        ("Chinese", "zh_CN", r"[\u4e00-\u9fff]"),
        ("Jewish", "he_IL", r"[\u05d0-\u05ea]"),
        ("German", "de_DE", r"[A-Za-zÄÖÜäöüß]"),
        (None, "en_US", r"[A-Za-z]"),
        ("Klingon", "en_US", r"[A-Za-z]"),
    ],
)
def test_surrogate_locale_by_culture(culture: str | None, locale: str, script: str) -> None:
    from faker import Faker

    locales = {**LOCALES, "default": "en_US"}
    p = Pseudonyms(seed="doc", culture=culture, locales=locales)
    assert p._locale() == locale
    name = p.surrogate("PERSON", "Max Mustermann")
    assert re.search(script, name), name
    # the fake is what Faker of that locale makes
    assert name in {_seeded_names(Faker, locale, p, "Max Mustermann")}


def _seeded_names(faker_cls, locale: str, p: Pseudonyms, value: str) -> str:
    import hashlib

    seed = f"{p.seed}|{('PERSON', p.key(value))}"
    fake = faker_cls(locale)
    fake.seed_instance(int(hashlib.sha256(seed.encode()).hexdigest()[:12], 16))
    return fake.name()


def test_surrogate_through_apply(policy: Policy) -> None:
    text = "thanks u/sleepy_owl!"
    pseudo = Pseudonyms(seed="k", culture="Jewish", locales=policy.data["surrogate_locales"])
    new, omap, (d,) = apply(text, [det(7, 19, "REDDIT_USERNAME")], policy, pseudo, "text")
    assert d.operator == "surrogate"
    assert new.startswith("thanks u/") and new.endswith("!")
    assert "sleepy_owl" not in new
    assert new[d.new_start : d.new_end] == pseudo.surrogate("REDDIT_USERNAME", "u/sleepy_owl")
    assert omap.position(19) == d.new_end


# -- apply -----------------------------------------------------------------------------


def test_apply_decisions_and_map(policy: Policy) -> None:
    text = "Anna (23) in r/germany: mail a@b.de, see https://x.org or ask Anna"
    found = [
        at(text, "Anna", "PERSON", score=0.85, rec="SpacyRecognizer"),
        at(text, "23", "AGE", score=0.6),
        at(text, "r/germany", "SUBREDDIT", rec="SubredditRecognizer"),
        at(text, "a@b.de", "EMAIL_ADDRESS", score=1.0, rec="EmailRecognizer"),
        at(text, "https://x.org", "URL", score=0.6, rec="UrlRecognizer"),
        at(text, "Anna", "PERSON", 1, score=0.7, rec="NameGazetteerRecognizer_en"),
    ]
    new, omap, decisions = apply(text, found, policy, Pseudonyms(seed="d"), "text")
    assert new == "<PERSON_1> (20s) in r/germany: mail <EMAIL_ADDRESS>, see  or ask <PERSON_1>"
    expected = [
        ("PERSON", "pseudonym", "<PERSON_1>"),
        ("AGE", "generalize", "20s"),
        ("SUBREDDIT", "keep", "r/germany"),
        ("EMAIL_ADDRESS", "tag", "<EMAIL_ADDRESS>"),
        ("URL", "redact", ""),
        ("PERSON", "pseudonym", "<PERSON_1>"),
    ]
    for d, f, (etype, op, shown) in zip(decisions, found, expected, strict=True):
        assert (d.field, d.start, d.end, d.entity_type, d.operator) == (
            "text",
            f.start,
            f.end,
            etype,
            op,
        )
        assert d.recognizer == f.recognizer and d.score == f.score
        assert new[d.new_start : d.new_end] == shown
    # the kept subreddit is not an edit; the others are, with the same offsets
    assert [e.entity_type for e in omap.edits] == [
        "PERSON",
        "AGE",
        "EMAIL_ADDRESS",
        "URL",
        "PERSON",
    ]
    for e in omap.edits:
        d = next(d for d in decisions if d.start == e.start)
        assert (e.end, e.new_start, e.new_end) == (d.end, d.new_start, d.new_end)
    assert (omap.original_length, omap.new_length) == (len(text), len(new))
    # a span around the kept subreddit moves onto it; one around the URL lists it
    sub = omap.span(13, 22)
    assert new[sub.start : sub.end] == "r/germany" and sub.entities == ()
    start = text.index("see")
    around = omap.span(start, start + len("see https://x.org or"))
    assert around.entities == ("URL",) and new[around.start : around.end] == "see  or"


def test_apply_no_detections(policy: Policy) -> None:
    new, omap, decisions = apply("nothing here 😔", [], policy, Pseudonyms(seed="x"), "text")
    assert new == "nothing here 😔" and decisions == [] and omap.edits == []
    assert omap.span(0, 14).start == 0


def test_apply_score_rounded(policy: Policy) -> None:
    _, _, (d,) = apply(
        "Anna", [det(0, 4, "PERSON", 0.123456789)], policy, Pseudonyms(seed="x"), "title"
    )
    assert d.score == 0.1235 and d.field == "title"
