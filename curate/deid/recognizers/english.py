"""English person names that spaCy and the name list miss: initials and lower-case names
right after a kinship or role cue.

Why: posts write "my friend J. keeps inviting me", "my ex, M., still texts me", "my
sister sarah says". spaCy's model reads neither a lone initial nor a lower-case word as a
person, and the name gazetteer matches capitalised names only. A possessive and a
kinship or role word ("my friend", "his ex", "our neighbour") make the next word a
person reference, so only there is an initial or a lower-case first name taken:

- an initial: one capital letter with a period ("J."), not part of an abbreviation
  ("U.S."), not "I"/"A" (a pronoun, an article);
- a lower-case word: an English first name of the names-dataset list (in its top
  `top_n`, not one of its names that are everyday words: "will", "max", "bob" after "my
  friend" are a verb, a word, or unclear).

After a weaker cue ("talked to", "me and", "with") a lower-case name is taken only if it
is among the `social_top_n` first names and rarer as a word than 'david' (wordfreq), and
marked unsure. An initial in brackets needs a word for a person before it ("a girl from
my class (J.)"). A surname after a lower-case name joins it when it is a frequent one
("jane taylor") or a rare word ("mansour"), never an everyday word ("me and jack fell").

A capitalised first name is spaCy's and the gazetteer's, except where the small spaCy
model misreads it and a cue says who it is: "I talked to Stephen" comes out a place, "my
sister Debbie Bell" an organisation. So a capitalised first name of the list (not one of its
everyday words: "Will", "Grace") is a name here after a role cue or a verb of talking, and
where a reply addresses someone or a post is signed ("Sarah, I am sorry", "- Leon":
`address`); a listed surname or a rare capitalised word after it joins it.

Everything else (names without a cue) is left to spaCy and the gazetteer.
"""

from __future__ import annotations

import re

from presidio_analyzer import EntityRecognizer, RecognizerResult

from curate.deid.recognizers.address import addressed
from curate.deid.recognizers.result import person_result

SURE = 0.75
UNSURE = 0.55

# possessive + optional adjective + kinship/role word
_POSSESSIVE = r"(?:my|our|his|her|their)"
_ADJECTIVE = (
    r"(?:(?:best|little|big|older|younger|old|new|ex|former|close|dear|twin|baby|step|late)"
    r"[\s-]+)?"
)
_ROLES = (
    "friend friends bestie bff ex boyfriend girlfriend bf gf husband wife hubby partner"
    " fiance fiancé fiancee fiancée sister brother sis bro mom mum mommy mummy dad daddy"
    " mother father cousin aunt auntie aunty uncle niece nephew grandma grandpa granny"
    " grandmother grandfather son daughter roommate roomie flatmate housemate coworker"
    " co-worker colleague boss manager supervisor therapist counselor counsellor"
    " psychiatrist psychologist doctor teacher tutor professor neighbor neighbour"
    " classmate crush mentor stepmom stepmum stepdad stepsister stepbrother buddy pal"
    " sibling cousins"
)
_ROLE = "|".join(sorted((re.escape(r) for r in _ROLES.split()), key=len, reverse=True))
# the cue, then ", " or " (" or a space before the name
_CUE = re.compile(rf"(?<![\w'’])(?i:{_POSSESSIVE}\s+{_ADJECTIVE}(?:{_ROLE}))(?:\s*,\s*|\s+\(|\s+)$")
# Talking, meeting, being with someone: a weaker cue, for a lower-case name only
_TALK = (
    r"(?<![\w'’])(?i:(?:talked|talking|talk|spoke|speaking|speak|texted|texting|text|called"
    r"|calling|told|telling|asked|met|meeting|hung out|hanging out|went out|dating|dated"
    r"|kissed|married|broke up)\s+(?:to\s+|with\s+)?|(?:me|i)\s+and\s+"
)
_SOCIAL = re.compile(_TALK + r"|with\s+)$")
# before a capitalised name, "with" alone is no cue ("struggle with Faith")
_TALKED = re.compile(_TALK + r")$")
# an initial: a capital and a period, no abbreviation ("U.S.", "J.R.R.") and not I/A
_INITIAL = re.compile(r"(?<![\w.])([B-HJ-Z])\.(?![\w.]|\s?[A-Z]\.)")
# "a girl from my class (J.)": an initial in brackets after a word for a person
_PAREN_INITIAL = re.compile(r"\(([A-Z])\.\)")
_PERSON_NOUN = re.compile(
    r"(?<![\w'’])(?i:girl|guy|boy|woman|man|lady|kid|someone|somebody|person|student"
    r"|classmate|friend|coworker|colleague|neighbou?r)\b[^.!?()]{0,40}$"
)
_LOWER = re.compile(r"(?<![\w'’-])([a-z][a-z'’-]*[a-z])(?![\w'’-])")
_CAPITAL = re.compile(r"(?<![\w'’@/#-])([A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)*)(?![\w'’@/-])")


class EnglishCueNameRecognizer(EntityRecognizer):
    """PERSON: an initial or a lower-case first name right after "my friend", "her ex"."""

    def __init__(
        self,
        *,
        gazetteer: dict | None = None,
        supported_language: str = "en",
        sure_score: float = SURE,
        unsure_score: float = UNSURE,
        top_n: int = 3000,
        social_top_n: int = 1000,
        social_zipf: float = 5.0,
        last_top_n: int = 1000,
    ) -> None:
        from curate.deid.data import zipf

        gazetteer = gazetteer or {}
        common = set(gazetteer.get("common", ()))
        self.first = frozenset(
            n for n, rank in gazetteer.get("first", {}).items() if rank < top_n and n not in common
        )
        self.social = frozenset(
            n
            for n, rank in gazetteer.get("first", {}).items()
            if rank < social_top_n and n not in common and zipf(n, "en") < social_zipf
        )
        # a surname after the name: a frequent one ("taylor", "evans"), or a rare word
        # ("mansour"); not an everyday word far down the list ("fell", "hurt")
        self.last = frozenset(
            n
            for n, rank in gazetteer.get("last", {}).items()
            if rank < last_top_n or (n not in common and zipf(n, "en") < 4.0)
        )
        self.zipf = zipf
        self.social_zipf = social_zipf
        # after a role cue a name that is also a word is a name ("my friend Will"); where
        # a text addresses or signs, a name of any rank that is a rare word ("- Fatima")
        self.any_first = frozenset(gazetteer.get("first", {}))
        self.cued_first = frozenset(
            n for n, rank in gazetteer.get("first", {}).items() if rank < top_n
        )
        self.sure_score, self.unsure_score = sure_score, unsure_score
        super().__init__(
            supported_entities=["PERSON"],
            supported_language=supported_language,
            name="EnglishCueNameRecognizer",
        )

    def load(self) -> None:
        pass

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list:
        if entities and "PERSON" not in entities:
            return []
        out: list[RecognizerResult] = []
        for m in _INITIAL.finditer(text):
            if _CUE.search(text[max(0, m.start() - 60) : m.start()]):
                out.append(
                    self._result(m.start(), m.end(), self.sure_score, "initial after a role cue")
                )
        for m in _PAREN_INITIAL.finditer(text):
            if _PERSON_NOUN.search(text[max(0, m.start() - 50) : m.start()]):
                out.append(
                    self._result(
                        m.start(1), m.end() - 1, self.sure_score, "initial after a person word"
                    )
                )
        for m in _LOWER.finditer(text):
            word, before = m.group(1), text[max(0, m.start() - 60) : m.start()]
            if word in self.first and _CUE.search(before):
                score, how = self.sure_score, "lower-case name after a role cue"
            elif word in self.social and _SOCIAL.search(before):
                score, how = self.unsure_score, "lower-case name after talking to, with"
            else:
                continue
            end = m.end()
            after = _LOWER.match(text, end + 1) if text[end : end + 1] == " " else None
            if after and after.group(1) in self.last:
                end = after.end()  # "angela fleming"
            result = self._result(m.start(), end, score, how)
            if score < self.sure_score:
                result.recognition_metadata["unsure"] = "lower-case name after a weak cue"
            out.append(result)
        out.extend(self._capitalised(text))
        return out

    def _capitalised(self, text: str) -> list[RecognizerResult]:
        """A capitalised listed first name after a role cue or a verb of talking, or
        filling an address or a signature, with the surname after it."""
        out = []
        for m in _CAPITAL.finditer(text):
            key, before = m.group(1).casefold(), text[max(0, m.start() - 60) : m.start()]
            if key not in self.any_first:
                continue
            end = m.end()
            while text[end : end + 1] == " " and (nxt := _CAPITAL.match(text, end + 1)):
                part = nxt.group(1).casefold()
                if part not in self.last and self.zipf(part, "en") >= 3.0:
                    break
                end = nxt.end()  # "Debbie Bell", "Stephanie Mason"
            # a name that is also a frequent word ("Thomas", "Joseph", "Howard") counts
            # after a verb of talking or in an address too, an everyday word ("Will",
            # "Hope", zipf >= `social_zipf`) only after a role cue
            cued = key in self.cued_first
            listed = key in self.first or (cued and self.zipf(key, "en") < self.social_zipf)
            if cued and _CUE.search(before):
                how = "capitalised name after a role cue"
            elif listed and _TALKED.search(before):
                how = "capitalised name after talking to, with"
            elif (listed or self.zipf(key, "en") < 3.5) and (
                where := addressed(text, m.start(), end)
            ):
                how = f"capitalised name, {where}"
            else:
                continue
            out.append(self._result(m.start(), end, self.sure_score, how))
        return out

    def _result(self, start: int, end: int, score: float, how: str) -> RecognizerResult:
        return person_result(self, start, end, score, how)
