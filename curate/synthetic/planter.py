"""The one planter of the synthetic generators: template markup in, text with the
offsets of every planted value out; and the identifier values themselves.

Why shared: the demo dump, the labelled evaluation corpus and the identifiers planted
into real phrases (`curate.deid.planted`) all fill hand-written sentences with planted
values and must know where each value landed, so ground truth and text cannot drift
apart. Markup: `{slot}` / `{SLOT:variant}` is a value to plant (what it is, the caller's
`value` says); `[[TYPE|text]]` is a literal span of the template (a keep span of the
evaluation corpus).

`Planter` makes identifier values for one language (Faker for names and e-mail
addresses, a seeded RNG for the rest); the demo dump draws from its own fixed pools
(`data/dump.yaml`) instead, since its committed files must not change.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import NamedTuple

from faker import Faker

from curate.synthetic.templates import (
    ENGLISH,
    HANDLE_ADJECTIVES,
    HANDLE_NOUNS,
    HARD,
    LATIN_NAMES,
    PATH_WORDS,
    SLUG_WORDS,
    TEMPLATES,
)

MARK = re.compile(
    r"\{(?P<slot>\w+)(?::(?P<variant>[a-z_]+))?\}|\[\[(?P<ktype>[A-Z_]+)\|(?P<ktext>[^\]|]+)\]\]"
)
_LOCALES = {"en": "en_US", "de": "de_DE", "ar": "ar_AA", "he": "he_IL", "zh": "zh_CN"}
_ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


class Part(NamedTuple):
    """A piece of a filled template: its text and, for a planted value or a literal
    span, the slot or type name (None for plain template text)."""

    text: str
    slot: str | None = None
    literal: bool = False  # `[[TYPE|text]]`: the text is the template's own


def fill(template: str, value: Callable[[str, str | None], str]) -> list[Part]:
    """Split `template` at its markup, left to right, asking `value(slot, variant)` for
    each planted value in that order (so a seeded caller stays reproducible). Plain
    text between markup comes as parts with `slot=None`, empty ones included."""
    out: list[Part] = []
    cursor = 0
    for match in MARK.finditer(template):
        out.append(Part(template[cursor : match.start()]))
        if match["slot"]:
            out.append(Part(value(match["slot"], match["variant"]), match["slot"]))
        else:
            out.append(Part(match["ktext"], match["ktype"], literal=True))
        cursor = match.end()
    out.append(Part(template[cursor:]))
    return out


def strip_markup(template: str) -> str:
    """Template text outside placeholders and keep markup (what must hold no identifiers)."""
    return MARK.sub(" ", template)


class Planter:
    """Makes identifier values for one language: Faker for names and emails, `rng` for the
    rest, so a fixed seed gives the same corpus."""

    def __init__(self, language: str, rng: random.Random, seed: int, hard: bool = False) -> None:
        self.language = language
        self.rng = rng
        self.fake = Faker(_LOCALES[language])
        self.fake.seed_instance(seed)
        self.ips = 0
        self.hard = hard

    def fill(self, slot: str, variant: str | None) -> str:
        makers: dict[str, Callable[[str | None], str]] = {
            "PERSON": self.person,
            "EMAIL_ADDRESS": lambda _: self.email(),
            "PHONE_NUMBER": lambda _: self.phone(),
            "URL": self.url,
            "REDDIT_USERNAME": lambda _: self.reddit_username(),
            "SOCIAL_HANDLE": self.social_handle,
            "IP_ADDRESS": lambda _: self.ip(),
            "SUBREDDIT": lambda _: self.rng.choice(TEMPLATES[self.language].subreddits),
        }
        return makers[slot](variant)

    def _digits(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    def _user(self, min_len: int = 4) -> str:
        user = re.sub(r"[^a-z0-9_.]", "", self.fake.user_name().lower()).strip("._")
        while len(user) < min_len:
            user += self._digits(2)
        return user[:18]

    def person(self, variant: str | None) -> str:
        rng = self.rng
        tokens = set(variant.split("_")) if variant else set()
        if tokens - {"m", "f"}:
            return self._hard_person(tokens)
        gender = variant if variant in ("m", "f") else rng.choice("mf")
        if self.language in ("en", "de") and rng.random() < 0.3:
            name = rng.choice(LATIN_NAMES[gender])
            return name if rng.random() < 0.7 else name.split()[0]
        first = self.fake.first_name_male() if gender == "m" else self.fake.first_name_female()
        if rng.random() < 0.35:
            return first
        last = self.fake.last_name()
        return f"{last}{first}" if self.language == "zh" else f"{first} {last}"

    def _first(self, gender: str) -> str:
        first = self.fake.first_name_male() if gender == "m" else self.fake.first_name_female()
        if self.language == "zh" and len(first) == 1:
            # friends call each other by a two-character given name ("思琪"), not by one
            more = self.fake.first_name_female() if gender == "f" else self.fake.first_name()
            first += more[-1]
        return first

    def _hard_person(self, tokens: set[str]) -> str:
        """A name in one of the hard forms of `data/hard.yaml` (see `templates`)."""
        rng, hard = self.rng, HARD[self.language]
        gender = "m" if "m" in tokens else "f" if "f" in tokens else rng.choice("mf")
        if "nick" in tokens:
            if self.language == "zh":  # 小王, 老张, 阿明
                prefix = rng.choice(hard.nicknames["prefix"])
                name = prefix + (
                    self._first(gender)[-1] if prefix == "阿" else self.fake.last_name()
                )
            else:
                name = rng.choice(hard.nicknames[gender])
        elif "initial" in tokens:
            name = self._initial(gender)
        elif "latin" in tokens:
            name = rng.choice(hard.latin[gender])
            if " " not in name and "last" in hard.latin and rng.random() < 0.3:
                name += " " + rng.choice(hard.latin["last"])
        elif "english" in tokens:
            name = rng.choice(ENGLISH[gender])
        elif "last" in tokens:
            name = self.fake.last_name()
        elif "first" in tokens:
            name = self._first(gender)
        else:
            name = self.person(gender)
        return name.lower() if "lower" in tokens else name

    def _initial(self, gender: str) -> str:
        if self.language == "zh":  # a pinyin initial: "我室友L"
            return self.rng.choice("LWZCYHJXMT")
        if self.language == "he":
            # not ר' (Rabbi) or ה' (God): those initials stand for someone public
            letter = next(c for c in self._first(gender) + "נ" if c not in "רה")
            return letter + "'"
        return self._first(gender)[0].upper() + "."

    def email(self) -> str:
        if self.hard and self.rng.random() < 0.25:
            tag = self.rng.choice(("reddit", "vent", "private", "x"))
            return f"{self._user()}+{tag}@{self.fake.free_email_domain()}"
        r = self.rng.random()
        if r < 0.45:
            return self.fake.free_email()
        if r < 0.8:
            return self.fake.email()
        return f"{self._user()}{self.rng.randint(1, 99)}@example.com"

    def phone(self) -> str:
        language = self.language
        if language in ("en", "de") and self.rng.random() < 0.25:
            language = self.rng.choice(("en", "de", "ar", "he", "zh"))
        return _PHONES[language](self)

    def url(self, variant: str | None) -> str:
        rng = self.rng
        kind = variant or rng.choices(("reddit", "https", "www"), weights=(4, 4, 2))[0]
        if self.hard and variant is None and rng.random() < 0.4:
            kind = rng.choice(("bare", "http", "profile"))
        path = "/".join(rng.sample(PATH_WORDS, rng.randint(1, 3)))
        if kind == "reddit":
            sub = rng.choice(TEMPLATES[self.language].subreddits)
            post = "".join(rng.choice("0123456789abcdefghijklmnopqrstuvwxyz") for _ in range(7))
            slug = "_".join(rng.sample(SLUG_WORDS, rng.randint(3, 6)))
            return f"https://www.reddit.com/{sub}/comments/{post}/{slug}/"
        if kind == "https":
            host = rng.choice(("example.org", "www.example.com", self.fake.domain_name()))
            return f"https://{host}/{path}"
        if kind == "bare":  # no scheme, no www: as people paste from an app
            sub = rng.choice(TEMPLATES[self.language].subreddits)
            post = "".join(rng.choice("0123456789abcdefghijklmnopqrstuvwxyz") for _ in range(7))
            return f"reddit.com/{sub}/comments/{post}"
        if kind == "http":
            return f"http://{self.fake.domain_name()}/{path}"
        if kind == "profile":
            site = rng.choice(("instagram.com", "tiktok.com/@", "youtube.com/@", "x.com"))
            sep = "" if site.endswith("@") else "/"
            return f"https://{site}{sep}{self._user().replace('.', '_')}"
        host = rng.choice(("example.net", self.fake.domain_name()))
        return f"www.{host}/{path}"

    def reddit_username(self) -> str:
        rng = self.rng
        name = rng.choice(
            (
                self._user().replace(".", "_"),
                f"{self._user().replace('.', '_')}_{rng.randint(1, 99)}",
                f"throwaway_{self._digits(4)}",
                f"{rng.choice(HANDLE_ADJECTIVES)}_{rng.choice(HANDLE_NOUNS)}_{rng.randint(10, 99)}",
            )
        )
        if self.hard and rng.random() < 0.5:
            adj, noun = rng.choice(HANDLE_ADJECTIVES), rng.choice(HANDLE_NOUNS)
            name = rng.choice(
                (
                    # Reddit's suggested names: Adjective-Noun-1234
                    f"{adj.title()}-{noun.title()}-{self._digits(4)}",
                    f"{self._user().replace('.', '-')}-{adj}-{noun}"[:20].strip("-_"),
                )
            )
        return ("u/" if rng.random() < 0.7 else "/u/") + name[:20]

    def social_handle(self, variant: str | None) -> str:
        rng = self.rng
        user = self._user()
        if variant == "discord":
            return f"{user.replace('.', '_')}#{rng.randint(1000, 9999)}"
        if variant == "telegram":
            return f"t.me/{self._user(min_len=5).replace('.', '_')}"
        return "@" + rng.choice((user, f"{user}.{self._digits(2)}", f"{user}_{self._digits(2)}"))

    def ip(self) -> str:
        # Documentation ranges only (RFC 5737 / RFC 3849); every third one is IPv6.
        self.ips += 1
        rng = self.rng
        if self.ips % 3 == 0 or rng.random() < 0.1:
            groups = [f"{rng.randrange(1, 0x10000):x}" for _ in range(3)]
            return f"2001:db8:{groups[0]}:{groups[1]}::{groups[2]}"
        net = rng.choice(("192.0.2", "198.51.100", "203.0.113"))
        return f"{net}.{rng.randint(1, 254)}"


def _phone_en(p: Planter) -> str:
    area = "555" if p.rng.random() < 0.3 else f"{p.rng.randint(2, 9)}{p._digits(2)}"
    mid, end = f"{p.rng.randint(2, 9)}{p._digits(2)}", p._digits(4)
    return p.rng.choice(
        (
            f"+1 ({area}) {mid}-{end}",
            f"({area}) {mid}-{end}",
            f"{area}-{mid}-{end}",
            f"+1 {area} {mid} {end}",
            f"+44 7700 {p._digits(6)}",
        )
    )


def _phone_de(p: Planter) -> str:
    pre = p.rng.choice(("151", "152", "157", "160", "162", "170", "172", "175", "176", "179"))
    return p.rng.choice(
        (
            f"+49 {pre} {p._digits(8)}",
            f"0{pre} {p._digits(8)}",
            f"0{pre}/{p._digits(7)}",
            f"+49 30 {p._digits(8)}",
            f"030 {p._digits(8)}",
            f"+49 (0){pre} {p._digits(7)}",
        )
    )


def _phone_ar(p: Planter) -> str:
    eg, sa = p.rng.choice("0125"), p._digits(1)
    local = f"01{eg} {p._digits(4)} {p._digits(4)}"
    return p.rng.choice(
        (
            f"+20 1{eg} {p._digits(4)} {p._digits(4)}",
            local,
            # Arabic-Indic digits, common in Arabic posts (not in an English one)
            local.translate(_ARABIC_INDIC) if p.language == "ar" else local,
            f"+966 5{sa} {p._digits(3)} {p._digits(4)}",
            f"05{sa} {p._digits(3)} {p._digits(4)}",
            f"+20 2 {p._digits(4)} {p._digits(4)}",
        )
    )


def _phone_he(p: Planter) -> str:
    pre = p.rng.choice("023458")
    return p.rng.choice(
        (
            f"+972 5{pre}-{p._digits(3)}-{p._digits(4)}",
            f"05{pre}-{p._digits(7)}",
            f"05{pre}-{p._digits(3)}-{p._digits(4)}",
            f"+972-5{pre}-{p._digits(7)}",
            f"+972 3-{p._digits(3)}-{p._digits(4)}",
            f"03-{p._digits(7)}",
        )
    )


def _phone_zh(p: Planter) -> str:
    mobile = f"1{p.rng.choice('3456789')}{p._digits(1)}"
    return p.rng.choice(
        (
            f"+86 {mobile} {p._digits(4)} {p._digits(4)}",
            f"{mobile} {p._digits(4)} {p._digits(4)}",
            f"{mobile}{p._digits(8)}",
            f"+86-{mobile}-{p._digits(4)}-{p._digits(4)}",
            f"+86 10 {p._digits(4)} {p._digits(4)}",
            f"010-{p._digits(8)}",
        )
    )


_PHONES: dict[str, Callable[[Planter], str]] = {
    "en": _phone_en,
    "de": _phone_de,
    "ar": _phone_ar,
    "he": _phone_he,
    "zh": _phone_zh,
}
