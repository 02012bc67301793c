"""Public names kept by policy and data: the allowlist.

Why: the names the dataset is about (King David, Rebbe Nachman, Confucius, Shabbos,
Netflix, a medication such as Tavor, a city) look like person names to every detector,
and replacing them destroys the cultural signal while protecting no one. What is public
is decided by data files, not code: the built-in `data/allowlist.yaml` (per culture and
for every culture), the files a project's policy adds, and the curator's own file in
the workspace (`curate deid review` writes "always keep" there). A titled figure (Rabbi,
Rebbe, Rav, King, Queen, Prophet, Sheikh, Imam … + a capitalised name) is kept by rule.

A match becomes a `keep` detection: detectors' person/place/organisation guesses on the
same words give way to it, pattern matches (an e-mail, a URL, a u/username) never do.
A kept name written the way a private person is ("my friend Hillel") stays kept but is
marked unsure, for the curator's review.

A link is kept when its site is listed under `public_domains` (a law, an encyclopedia,
a health service); links to anything else (a profile, a post) are replaced.

File format (YAML): `titles: [..]`, `public_domains: [..]`, and per section (`all`,
or a culture name) a mapping kind -> list of terms:

    Jewish:
      PUBLIC_FIGURE: [King David, Rebbe Nachman]
      RELIGIOUS_TERM: [Shabbos, Beis Din]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from curate.deid.segments import sentences
from curate.errors import CurateError

BUILTIN = Path(__file__).parent / "data" / "allowlist.yaml"
KINDS = (
    "PUBLIC_FIGURE",
    "RELIGIOUS_TERM",
    "BRAND_PRODUCT",
    "MEDICATION",
    "PLACE",
    "ORG",
    "OTHER",
    "CURATOR",
)
# (Hebrew gershayim and geresh are typed as ASCII quotes as often: "רמב״ם" = 'רמב"ם')
_FOLD = str.maketrans("أإآٱىة’״׳", "اااايه'\"'")
_AR_MARKS = re.compile("[\u064b-\u0652\u0670\u0640\u05b0-\u05c7]")  # and tatweel
_WORD = r"[^\W_]"
# "my friend Hillel": a possessive or kinship word right before a kept name
_PERSONAL_CUE = re.compile(
    r"(?:\b(?:my|our|his|her|their)\s+(?:\w+\s+)?|\b(?:mein|meine|meinem|meiner)\s+\w+\s+)$",
    re.IGNORECASE,
)


def normalize(text: str) -> str:
    """Case, width, Arabic/Hebrew diacritics and tatweel, alef/ya/ta-marbuta forms
    folded, so a term matches however it was typed."""
    return _normalize(text)[0]


def _normalize(text: str) -> tuple[str, Sequence[int]]:
    """The folded text and, for each of its characters, the index it came from."""
    folded = text.translate(_FOLD)
    if not _AR_MARKS.search(folded):
        low = folded.lower()
        if len(low) == len(folded):
            return low, range(len(folded))  # most texts: one character for one
    chars, where = [], []
    for i, ch in enumerate(text.translate(_FOLD)):
        if _AR_MARKS.match(ch):
            continue
        low = ch.lower()
        chars.append(low if len(low) == 1 else ch)
        where.append(i)
    return "".join(chars), where


@dataclass(frozen=True)
class Entry:
    term: str
    kind: str
    culture: str  # "all" or a culture name


def _read(path: Path) -> tuple[list[Entry], list[str]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise CurateError(f"{path}: unreadable allowlist ({type(exc).__name__})") from None
    if not isinstance(data, dict):
        raise CurateError(f"{path}: an allowlist is a mapping of sections")
    titles = [str(t) for t in data.get("titles", [])]
    titles += [f"script:{t}" for t in data.get("script_titles", [])]
    titles += [f"epithet:{t}" for t in data.get("epithets", [])]
    entries = [Entry(str(d).casefold(), "DOMAIN", "all") for d in data.get("public_domains", [])]
    scripture = data.get("scripture") or {}
    entries += [Entry(str(t), "SCRIPTURE_FIGURE", "all") for t in scripture.get("figures", [])]
    entries += [Entry(str(t), "SCRIPTURE_CUE", "all") for t in scripture.get("cues", [])]
    for section, kinds in data.items():
        if section in ("titles", "public_domains", "scripture", "script_titles", "epithets"):
            continue
        if not isinstance(kinds, dict):
            raise CurateError(f"{path}: section {section!r} must map kinds to term lists")
        for kind, terms in kinds.items():
            if kind not in KINDS:
                raise CurateError(f"{path}: unknown kind {kind!r} (use one of {KINDS})")
            entries.extend(Entry(str(t), kind, str(section)) for t in terms or ())
    return entries, titles


class Allowlist:
    """The public names of every file, compiled once per culture into one regex."""

    def __init__(self, files: tuple[Path, ...]) -> None:
        self.entries: list[Entry] = []
        self.titles: list[str] = []
        for path in files:
            if path.is_file():
                entries, titles = _read(path)
                self.entries += entries
                self.titles += titles
        self._patterns: dict[str, re.Pattern | None] = {}
        self._kind: dict[tuple[str, str], str] = {}
        self.domains = tuple(e.term for e in self.entries if e.kind == "DOMAIN")
        figures = [e.term for e in self.entries if e.kind == "SCRIPTURE_FIGURE"]
        cues = [e.term for e in self.entries if e.kind == "SCRIPTURE_CUE"]
        self._figures = _words_rx(figures, case=True)
        self._scripture = _words_rx(cues, case=False)
        self.entries = [e for e in self.entries if e.kind in KINDS]
        for e in self.entries:
            self._kind.setdefault((e.culture, " ".join(normalize(e.term).split())), e.kind)
        latin = [t for t in self.titles if not t.startswith(("script:", "epithet:"))]
        title_alt = "|".join(sorted((re.escape(t) for t in latin), key=len, reverse=True))
        # a title and one to three capitalised words: "Rebbe Nachman", "Rabbi Akiva Eiger"
        self._titled = (
            re.compile(
                rf"(?<!{_WORD})(?:{title_alt})\.?\s+(?-i:[A-Z][\w'’-]+)(?:\s+(?-i:[A-Z][\w'’-]+)){{0,2}}"
                rf"(?:\s+(?:of|ben|bar|bat|ibn|bin|al-)\s+(?-i:[A-Z][\w'’-]+))?(?!{_WORD})",
                re.IGNORECASE,
            )
            if title_alt
            else None
        )
        self._scripted = _scripted_titles(
            [t.removeprefix("script:") for t in self.titles if t.startswith("script:")],
            [t.removeprefix("epithet:") for t in self.titles if t.startswith("epithet:")],
        )

    def _pattern(self, culture: str | None) -> re.Pattern | None:
        key = culture or ""
        if key not in self._patterns:
            terms = {
                normalize(e.term)
                for e in self.entries
                if e.culture == "all" or (culture and e.culture.casefold() == culture.casefold())
            }
            alt = "|".join(
                re.escape(t).replace(r"\ ", r"\s+")
                for t in sorted(terms, key=len, reverse=True)
                if t
            )
            # a term is a whole word; Arabic/Hebrew one-letter prefixes (و، ال، ה، ב…) may
            # stand before it, so "والله" and "בשבת" match "الله" and "שבת"
            self._patterns[key] = (
                re.compile(rf"(?<!{_WORD})(?:ال|[وبلفك]ال|[وبلفك]|[והבלמשכ])?(?:{alt})(?!{_WORD})")
                if alt
                else None
            )
        return self._patterns[key]

    def find(self, text: str, culture: str | None) -> list[tuple[int, int, str, str | None]]:
        """(start, end, kind, unsure reason) of every public name in `text`."""
        found: list[tuple[int, int, str, str | None]] = []
        norm, where = _normalize(text)
        rx = self._pattern(culture)
        if rx is not None:
            for m in rx.finditer(norm):
                start, end = where[m.start()], where[m.end() - 1] + 1
                found.append((start, end, self._kind_of(m.group(), culture), None))
        if self._titled is not None:
            for m in self._titled.finditer(text):
                found.append((m.start(), m.end(), "PUBLIC_FIGURE", None))
        if self._figures is not None and self._scripture is not None:
            # 'Psalm 38 is where David prays': a scripture figure's bare name, in a
            # sentence about scripture, is that figure (unsure: the curator sees it)
            for start, end in sentences(text):
                if self._scripture.search(text, start, end):
                    found.extend(
                        (m.start(), m.end(), "PUBLIC_FIGURE", "scripture figure by context")
                        for m in self._figures.finditer(text, start, end)
                    )
        if self._scripted is not None:
            for m in self._scripted.finditer(norm):
                found.append((where[m.start()], where[m.end() - 1] + 1, "PUBLIC_FIGURE", None))
        out: list[tuple[int, int, str, str | None]] = []
        for start, end, kind, why in sorted(found, key=lambda f: (f[0], -(f[1] - f[0]))):
            if out and start < out[-1][1]:
                if end > out[-1][1]:
                    out[-1] = (out[-1][0], end, out[-1][2], None)
                continue
            before = text[max(0, start - 40) : start]
            if kind in ("PUBLIC_FIGURE", "CURATOR") and _PERSONAL_CUE.search(before):
                if why:  # 'my friend David' in a sentence about a psalm: a private David
                    continue
                why = "kept name used like a private one"
            out.append((start, end, kind, why))
        return out

    def public_url(self, url: str) -> bool:
        """A link to a public site (a law, an encyclopedia, a health service), not to a
        person's profile or post."""
        host = re.sub(r"^[a-z]+://", "", url.casefold()).split("/", 1)[0].split(":", 1)[0]
        host = host.removeprefix("www.")
        return any(host == d or host.endswith("." + d) for d in self.domains)

    def _kind_of(self, matched: str, culture: str | None) -> str:
        key = " ".join(matched.split())
        for section in (culture or "", "all"):
            for k in (key, key[1:], key[2:], key[3:]):
                kind = self._kind.get((section, k))
                if kind:
                    return kind
        return "OTHER"


def _words_rx(words: list[str], case: bool) -> re.Pattern | None:
    if not words:
        return None
    alt = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!{_WORD})(?:{alt})(?!{_WORD})", 0 if case else re.IGNORECASE)


def _scripted_titles(before: list[str], after: list[str]) -> re.Pattern | None:
    """Titles in a script without capitals: a title before one word ("רבי עקיבא") or an
    epithet after it ("משה רבנו", "דוד המלך", "אליהו הנביא"). A private person is not
    called "our teacher" or "the king", so the word next to one is a public figure's
    name. (One-letter prefixes may stand before either: "של דוד המלך", "ולרבי נחמן".)"""
    word = r"[^\W\d_](?:[^\W\d_]|['\"](?=[^\W\d_]))*'?"
    alts = []
    if before:
        b = "|".join(sorted((re.escape(normalize(t)) for t in before), key=len, reverse=True))
        alts.append(rf"ו?[הבלמשכ]?(?:{b})\s+{word}")
    if after:
        a = "|".join(sorted((re.escape(normalize(t)) for t in after), key=len, reverse=True))
        alts.append(rf"{word}\s+(?:{a})")
    if not alts:
        return None
    return re.compile(rf"(?<!{_WORD})(?:{'|'.join(alts)})(?!{_WORD})")


@cache
def _load(files: tuple[Path, ...], stamp: tuple[float, ...]) -> Allowlist:
    return Allowlist(files)


def load(files: tuple[Path, ...]) -> Allowlist:
    """The allowlist of these files (re-read when one of them changes)."""
    stamp = tuple(p.stat().st_mtime if p.is_file() else 0.0 for p in files)
    return _load(files, stamp)


def add_entry(path: Path, culture: str | None, term: str, kind: str = "CURATOR") -> bool:
    """Add `term` to the curator's allowlist file (created if missing) under the record's
    culture (or `all`); False if it was there already. The file is the workspace's own:
    the policy fingerprint covers it, so records are re-done under the new list."""
    if kind not in KINDS:
        raise CurateError(f"unknown allowlist kind {kind!r}")
    section = culture or "all"
    data: dict = {}
    if path.is_file():
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    terms = data.setdefault(section, {}).setdefault(kind, [])
    same = " ".join(normalize(term).split())
    if any(" ".join(normalize(t).split()) == same for t in terms):
        return False
    terms.append(term)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(
        "# Curator's allowlist: public names kept in this workspace (curate deid review).\n"
        + yaml.safe_dump(data, allow_unicode=True, sort_keys=True),
        encoding="utf-8",
    )
    tmp.replace(path)
    return True
