"""Person names from a gazetteer, for languages without a spaCy NER model here.

No German, Arabic, Hebrew or Chinese spaCy model is installable from PyPI on this
project's machines, so names in those languages are found by lookup: the top first and
last names per country from `names-dataset` (a maintained package; its data ships inside
the wheel) for Latin, Arabic and Hebrew script, and a surname list with context cues for
Chinese. Words that are more likely something else (stop words, country names, the
taxonomy's cultural keywords, a policy list) are never names.

Loading names-dataset takes ~13 s and ~1.9 GB, so the compact gazetteer is built once
and cached as JSON (`build_gazetteer`), then loaded in milliseconds.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from presidio_analyzer import EntityRecognizer, RecognizerResult

from curate.deid.recognizers.result import person_result

GAZETTEER_VERSION = 10

_AR_MARKS = "\u064b-\u0652\u0670\u0640"  # harakat, superscript alef, tatweel
_LATIN = r"[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿß]+(?:['’-][A-ZÀ-ÖØ-Þ]?[a-zà-öø-ÿß]+)?"
_SCRIPTS = {
    "latin": re.compile(_LATIN),
    "arabic": re.compile(rf"[\u0621-\u064A\u0671-\u06D3][\u0621-\u064A\u0671-\u06D3{_AR_MARKS}]+"),
    "hebrew": re.compile(r"[\u05D0-\u05EA][\u05D0-\u05EA\u05B0-\u05C7'’״׳]+"),
}
_STRIP = re.compile(rf"[{_AR_MARKS}\u05B0-\u05C7]")
# One-letter prefixes glued to the next word ("and", "the", "to", …): a name may carry one.
_PREFIXES = {"arabic": "وبلفك", "hebrew": "והבלמשכ"}
# Words that join the parts of one name: "Abd al-…", "ibn", "bint", "Abu", "ben", "bat".
_CONNECTORS = frozenset("عبد بن بنت ابن بنو أبو ابو آل von van al el bin ibn".split())
_HAN = re.compile(r"[\u4e00-\u9fff]")
_ZH_BEFORE = (
    "叫",
    "是",
    "和",
    "跟",
    "与",
    "给",
    "找",
    "朋友",
    "同事",
    "老师",
    "同学",
    "室友",
    "男朋友",
    "女朋友",
    "老公",
    "老婆",
    "哥哥",
    "姐姐",
    "妹妹",
    "弟弟",
    "我",
    "问",
    "谢谢",
    "见",
    "想",
)
_ZH_AFTER = (
    "说",
    "告诉",
    "先生",
    "女士",
    "老师",
    "同学",
    "他",
    "她",
    "给",
    "跟",
    "和",
    "也",
    "是",
    "的",
    "问",
    "帮",
    "劝",
    "一直",
    "昨天",
    "今天",
    "每",
    "总",
)
_ZH_STOP = set("说的了是和在告也都很就给跟对去来我你他她们吗呢吧啊一")


def _script_of(word: str) -> str:
    for name, rx in _SCRIPTS.items():
        if rx.fullmatch(word):
            return name
    return "other"


def _key(word: str) -> str:
    return _STRIP.sub("", word).casefold()


# Scripts whose names each language's gazetteer holds; words of another script in a
# text are looked up in that script's language (an Arabic phrase in an English post).
LANGUAGE_SCRIPTS = {
    "en": ("latin",),
    "de": ("latin",),
    "ar": ("arabic", "latin"),
    "he": ("hebrew", "latin"),
    "zh": (),
}
SCRIPT_LANGUAGE = {"arabic": "ar", "hebrew": "he"}


@dataclass(frozen=True)
class GazetteerSettings:
    """What the gazetteer is derived from (the policy's `gazetteer` section)."""

    countries: dict[str, list[str]]
    top_n: int = 4000
    never: tuple[str, ...] = ()
    protect_top: int = 150
    common_zipf: dict[str, float] | None = None
    home: dict[str, list[str]] | None = None
    min_countries: dict[str, int] | None = None

    @classmethod
    def from_policy(cls, section: dict, never: Iterable[str]) -> GazetteerSettings:
        return cls(
            countries=section["countries"],
            top_n=int(section.get("top_n", 4000)),
            never=tuple(sorted(set(never))),
            protect_top=int(section.get("protect_top", 150)),
            common_zipf=section.get("common_zipf"),
            home=section.get("home"),
            min_countries=section.get("min_countries"),
        )


def build_gazetteer(settings: GazetteerSettings) -> dict:
    """Extract the compact gazetteer from names-dataset (slow; call once, then cache).

    A name that is also a common word of the language (Zipf >= `common_zipf`: "Job",
    "جميلة" = beautiful, "מישהו") is marked `common`, unless it is among the
    `protect_top` most frequent names of one of the language's `home` countries
    ("Thomas", "محمد", "יוסי"): a common-word name is only taken near a context word
    ("my brother …"), by a low score that Presidio's context enhancer lifts. A very
    common word (Zipf >= 5) is no name at all unless it is a top-20 home name. Where the
    source is noisy (words typed into name fields), a name must be listed by at least
    `min_countries` of its countries, or be a protected top name."""
    import pycountry
    from names_dataset import NameDataset

    from curate.deid.data import cultural_terms, stop_words, zipf

    countries, top_n, protect_top = settings.countries, settings.top_n, settings.protect_top
    common_zipf, home, min_countries = settings.common_zipf, settings.home, settings.min_countries
    nd = NameDataset()
    exclude = {w.casefold() for w in settings.never} | set(cultural_terms())
    for country in pycountry.countries:
        for attr in ("name", "common_name"):
            value = str(getattr(country, attr, "") or "")
            if " " not in value:
                exclude.add(value.casefold())
    far = 1 << 30
    names: dict[str, dict] = {}
    for lang, codes in countries.items():
        stops = stop_words(lang) | stop_words("en")
        scripts = LANGUAGE_SCRIPTS.get(lang, ("latin",))
        homes = set((home or {}).get(lang, codes))
        # kind -> name -> best rank in a home country (far away if only abroad)
        ranks: dict[str, dict[str, int]] = {"first": {}, "last": {}}
        listed_by: dict[str, set[str]] = {}
        for code in codes:
            weight = 0 if code in homes else far
            for by_gender in nd.get_top_names(n=top_n, country_alpha2=code).values():
                for listed in by_gender.values():
                    for rank, name in enumerate(listed):
                        _put(ranks["first"], name, rank + weight)
                        listed_by.setdefault(name, set()).add(code)
            for listed in nd.get_top_names(
                n=top_n, use_first_names=False, country_alpha2=code
            ).values():
                for rank, name in enumerate(listed):
                    _put(ranks["last"], name, rank + weight)
                    listed_by.setdefault(name, set()).add(code)

        need = (min_countries or {}).get(lang, 1)

        def keep(
            word: str,
            rank: int,
            stops=stops,
            scripts=scripts,
            lang=lang,
            listed_by=listed_by,
            need=need,
        ) -> bool:
            key = _key(word)
            if _script_of(word) not in scripts or len(key) < 2:
                return False
            if key in exclude or key in stops:
                return False
            if rank >= protect_top and len(listed_by.get(word, ())) < need:
                return False
            return rank < 20 or zipf(key, lang) < 5.0

        limits = common_zipf or {}
        limit = limits.get(lang, limits.get("default", 4.0))
        names[lang] = {
            kind: {_key(w): min(r, top_n) for w, r in table.items() if keep(w, r)}
            for kind, table in ranks.items()
        }
        # noisy lists put capitalized nouns among the top names too ("Bett", "Handy"):
        # in Latin script a very common word is only protected among the top 20
        names[lang]["common"] = sorted(
            key
            for key, rank in names[lang]["first"].items()
            if (rank >= protect_top and zipf(key, lang) >= limit)
            or (rank >= 20 and lang in ("en", "de") and zipf(key, lang) >= 4.5)
        )
    return {"version": GAZETTEER_VERSION, "top_n": top_n, "names": names}


def _put(table: dict[str, int], name: str, rank: int) -> None:
    if rank < table.get(name, float("inf")):
        table[name] = rank


def load_or_build(cache_dir: Path, settings: GazetteerSettings) -> dict:
    """The cached gazetteer for these settings, built on first use."""
    import hashlib

    key = json.dumps([GAZETTEER_VERSION, asdict(settings)], sort_keys=True)
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    path = cache_dir / f"gazetteer-{digest}.json"
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    data = build_gazetteer(settings)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)
    return data


class NameGazetteerRecognizer(EntityRecognizer):
    """PERSON by gazetteer lookup; consecutive name words form one name."""

    def __init__(
        self,
        names: dict[str, list[str]],
        supported_language: str,
        score: float = 0.6,
        common_score: float = 0.3,
        zh_surnames: Iterable[str] = (),
        context: list[str] | None = None,
        cues: Iterable[str] = (),
    ) -> None:
        self.cues = frozenset(_key(c) for c in cues)
        self.first = frozenset(names.get("first", {}))
        self.last = frozenset(names.get("last", {}))
        self.common = frozenset(names.get("common", ()))
        self.score = score
        self.common_score = common_score
        self.zh_surnames = sorted(zh_surnames, key=len, reverse=True)
        super().__init__(
            supported_entities=["PERSON"],
            supported_language=supported_language,
            name=f"NameGazetteerRecognizer_{supported_language}",
            context=context,
        )

    def load(self) -> None:
        pass

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list:
        if "PERSON" not in entities:
            return []
        return self.analyze_scripts(text, LANGUAGE_SCRIPTS.get(self.supported_language, ("latin",)))

    def analyze_scripts(self, text: str, scripts: Iterable[str]) -> list:
        """Names written in `scripts` only (another language's text may carry a phrase
        in this language's script)."""
        scripts = tuple(scripts)
        results = self._by_words(text, scripts)
        if self.cues and any(sc in scripts for sc in ("arabic", "hebrew")):
            taken = [(r.start, r.end) for r in results]
            results.extend(
                r
                for r in self._after_cues(text)
                if all(r.end <= s or r.start >= e for s, e in taken)
            )
        if self.zh_surnames and _HAN.search(text):
            results.extend(self._chinese(text))
        return results

    def _after_cues(self, text: str) -> list[RecognizerResult]:
        """A name the gazetteer does not know, right after a kinship or role word: "أخي
        الكبير شافع" (my big brother Shafi'), "המנהל שלי, עברי" (my manager, Ivri). Up
        to two modifiers (a definite adjective, a possessive, a preposition + noun) may
        stand between; the name must be a rare-ish word that is not a verb form."""
        from curate.deid.data import stop_words, zipf

        lang = self.supported_language
        words = [
            (m.start(), m.end(), m.group()) for rx in _SCRIPTS.values() for m in rx.finditer(text)
        ]
        words.sort()
        results = []
        for i, (_, cue_end, word) in enumerate(words):
            if _key(word) not in self.cues:
                continue
            j, last_end = i + 1, cue_end
            for _ in range(3):
                if j >= len(words) or words[j][0] - last_end > 3:
                    break
                start, end, cand = words[j]
                key = _key(cand)
                modifier = (
                    key.startswith(("ال", "ה"))
                    or key in stop_words(lang)
                    or key in self.cues
                    or key in {"شلي", "שלי", "في", "الكبير"}
                )
                if modifier:
                    j, last_end = j + 1, end
                    continue
                clitic = key.endswith(("ني", "ون", "وا", "تم")) and not key.endswith("اني")
                if zipf(key, lang) < 4.0 and len(key) > 1 and not clitic:
                    results.append(self._result(start, end, self.score - 0.05, "after cue"))
                break
        return results

    def _lookup(self, word: str, script: str) -> tuple[int, int] | None:
        """(offset into word where the name starts, 1 first / 2 last), or None."""
        key = _key(word)
        if key in self.first or key in self.last:
            return 0, 1 if key in self.first else 2
        for prefix in _PREFIXES.get(script, ""):
            if key.startswith(prefix) and len(key) > 3:
                rest = key[1:]
                if rest in self.first or rest in self.last:
                    return 1, 1 if rest in self.first else 2
        return None

    def _likely_surname(self, word: str, strong: bool = False) -> bool:
        """An unknown word right after a first name, rare in the language: a surname the
        gazetteer does not know ("Monika Mälzer", "بلسم صيداني"). Not in Hebrew, and only
        very rare Arabic words: there, words carry clitics, so most written forms are
        rare anyway."""
        from curate.deid.data import stop_words, zipf

        key = _key(word)
        lang = self.supported_language
        script = _script_of(word)
        if key in stop_words(lang) or len(key) < 2:
            return False
        if script == "latin":
            return zipf(key, lang) < 2.5
        if script == "arabic":
            # a very rare word, but not a verb with an object clitic ("حظرني" = he
            # blocked me); nisba surnames end in -اني / -وني / -ي ("صيداني", "عرموني")
            clitic = key.endswith("ني") and not key.endswith(("اني", "وني"))
            # after an unambiguous given name, a rarer-than-everyday word ("طه غامد")
            return zipf(key, lang) < (3.6 if strong else 1.5) and not clitic
        return False

    def _al_family_name(self, word: str, script: str) -> bool:
        """'al-' + a rare word after a given name is a family name ("نزار الشعباني");
        'al-' + a common word is not ("طلب المساعدة")."""
        from curate.deid.data import zipf

        key = _key(word)
        return (
            script == "arabic"
            and key.startswith("ال")
            and len(key) > 4
            and zipf(key, self.supported_language) < 3.0
        )

    def _by_words(self, text: str, scripts: tuple[str, ...]) -> list[RecognizerResult]:
        words: list[tuple[int, int, str, str]] = []  # (start, end, script, word)
        for script, rx in _SCRIPTS.items():
            if script not in scripts:
                continue
            words.extend((m.start(), m.end(), script, m.group()) for m in rx.finditer(text))
        words.sort()
        results, i = [], 0
        while i < len(words):
            start, end, script, word = words[i]
            i += 1
            found = self._lookup(word, script)
            if found is None and _key(word) == "عبد" and i < len(words):
                found = (0, 1)  # "Abd al-…": the start of a compound given name
            # A lone last name is too often a word ("Koch", "Bauer", "صديقي" = my
            # friend / Siddiqui): it is only taken after a first name.
            if not found or found[1] != 1:
                continue
            if (
                script == "latin"
                and len(word) < 3
                and not (i < len(words) and words[i][0] - end == 1)
            ):
                continue  # "Ik", "Ds", "Ha": a lone two-letter word is no name
            start += found[0]
            n = 1
            # "First [Middle] Last": following name words, joined by a space or hyphen;
            # one unknown rare word may close the name as its surname.
            while i < len(words) and words[i][0] - end == 1 and text[end] in " -":
                nxt = words[i]
                if nxt[2] == "latin" and not nxt[3][0].isupper():
                    break
                if _key(words[i - 1][3]) in _CONNECTORS and i + 1 < len(words):
                    end, n, i = nxt[1], n + 1, i + 1  # "عبد الرحيم", "سعد بن ليث"
                    continue
                if _key(nxt[3]) in _CONNECTORS:
                    end, n, i = nxt[1], n + 1, i + 1
                    continue
                if self._al_family_name(nxt[3], nxt[2]):
                    end, n, i = nxt[1], n + 1, i + 1  # "نزار الشعباني"
                    break
                if self._lookup(nxt[3], nxt[2]) is None:
                    strong = _key(word[found[0] :]) not in self.common
                    if not self._likely_surname(nxt[3], strong):
                        break
                    end, n, i = nxt[1], n + 1, i + 1
                    break
                end, n, i = nxt[1], n + 1, i + 1
            base = self.common_score if _key(word[found[0] :]) in self.common else self.score
            score = min(0.95, base + 0.25) if n > 1 else base
            results.append(self._result(start, end, score, "gazetteer"))
        return results

    def _chinese(self, text: str) -> list[RecognizerResult]:
        results = []
        for surname in self.zh_surnames:
            for m in re.finditer(re.escape(surname), text):
                start = m.start()
                given = ""
                for ch in text[m.end() : m.end() + 2]:
                    if not _HAN.match(ch) or ch in _ZH_STOP:
                        break
                    given += ch
                if not given:
                    continue
                end = m.end() + len(given)
                before = text[max(0, start - 3) : start]
                after = text[end : end + 2]
                if any(before.endswith(c) for c in _ZH_BEFORE) or after.startswith(_ZH_AFTER):
                    results.append(self._result(start, end, self.score, "zh surname + context"))
        return results

    def _result(self, start: int, end: int, score: float, how: str) -> RecognizerResult:
        return person_result(self, start, end, score, how)
