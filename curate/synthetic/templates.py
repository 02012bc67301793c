"""The sentences of the labelled evaluation corpus, per language (`data/corpus.yaml`,
`data/hard.yaml`), as typed records.

Why two halves: planted names in tidy template sentences ("My best friend Anna Weber
...") are what every detector catches; real posts write "talked to sarah yesterday",
"Basti", "J.", "وأحمد", "ליוסי", "小王", "Dr. Weber", switch to English in the middle of
an Arabic post, and mention public names (King David, Confucius, Tavor, Netflix, حبة
البركة) that must stay. The hard half holds such cases, grouped by the *style* that
makes them hard, so recall can be read per style. All sentences are written for this
corpus.

Markup (`curate.synthetic.planter`): `{TYPE}` / `{TYPE:variant}` plants an identifier;
for `{PERSON:<tokens>}` the tokens are joined by `_`: `m`/`f` (gender), `lower`
(lower-cased), `nick` (a nickname, kunya or diminutive), `initial` (one letter),
`first`/`last` (given or family name only), `latin` (a Latin-script name as people of
that language write it in Latin letters), `english` (an English name).
`[[TYPE|text]]` is a literal keep span (`[[PUBLIC|text]]`: a public name to keep).
"""

from __future__ import annotations

from dataclasses import dataclass

from curate.synthetic.data import load


def _tuples(pools: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    return {key: tuple(values) for key, values in pools.items()}


@dataclass(frozen=True)
class Templates:
    """Hand-written sentences for one language; `slots` holds one list per entity type."""

    openers: tuple[str, ...]
    culture: tuple[str, ...]
    fillers: tuple[str, ...]
    closers: tuple[str, ...]
    slots: dict[str, tuple[str, ...]]
    subreddits: tuple[str, ...]
    sep: str = " "

    @classmethod
    def from_yaml(cls, raw: dict) -> Templates:
        return cls(
            openers=tuple(raw["openers"]),
            culture=tuple(raw["culture"]),
            fillers=tuple(raw["fillers"]),
            closers=tuple(raw["closers"]),
            slots=_tuples(raw["slots"]),
            subreddits=tuple(raw["subreddits"]),
            sep=raw["sep"],
        )


@dataclass(frozen=True)
class Hard:
    """Hard sentences of one language.

    `people`: style -> sentences naming a private person; `public`: culture -> sentences
    naming public figures, brands, medications (keep spans); `fillers`: informal,
    dialect or mixed-language sentences with no identifier; `cultures`: the cultures
    a post of this language is given in turn (its allowlist section)."""

    people: dict[str, tuple[str, ...]]
    public: dict[str, tuple[str, ...]]
    fillers: tuple[str, ...]
    cultures: tuple[str, ...]
    nicknames: dict[str, tuple[str, ...]]
    latin: dict[str, tuple[str, ...]]

    @classmethod
    def from_yaml(cls, raw: dict) -> Hard:
        return cls(
            people=_tuples(raw["people"]),
            public=_tuples(raw["public"]),
            fillers=tuple(raw["fillers"]),
            cultures=tuple(raw["cultures"]),
            nicknames=_tuples(raw["nicknames"]),
            latin=_tuples(raw["latin"]),
        )


_CORPUS = load("corpus")
_HARD = load("hard")

TEMPLATES: dict[str, Templates] = {
    language: Templates.from_yaml(raw) for language, raw in _CORPUS["templates"].items()
}
HARD: dict[str, Hard] = {
    language: Hard.from_yaml(raw) for language, raw in _HARD["languages"].items()
}
# English first names, for English quoted inside German and Chinese posts.
ENGLISH: dict[str, tuple[str, ...]] = _tuples(_HARD["english"])
# Names of other cultures in Latin script, as they appear in English and German posts.
LATIN_NAMES: dict[str, tuple[str, ...]] = _tuples(_CORPUS["latin_names"])
SLUG_WORDS: tuple[str, ...] = tuple(_CORPUS["slug_words"])
PATH_WORDS: tuple[str, ...] = tuple(_CORPUS["path_words"])
HANDLE_ADJECTIVES: tuple[str, ...] = tuple(_CORPUS["handle_adjectives"])
HANDLE_NOUNS: tuple[str, ...] = tuple(_CORPUS["handle_nouns"])
