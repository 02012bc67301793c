"""Chinese person names: jieba's part-of-speech tags, checked by surname and context.

No Chinese NER model is installable from PyPI on this project's machines; jieba (MIT, its
dictionary inside the wheel) tags words `nr` (person), `ns` (place), `nt` (organisation).
Its `nr` alone is not enough: it also fires on famous people (孔子, 毛泽东) and on common
words that its dictionary lists as names (明白, 阳光, 谢谢, 老公). So a span is taken as a
person's name when

- it has a name's shape: a known surname + one or two characters (王建国, 欧阳娜娜), a
  小/老/阿 nickname (小王, 老李, 阿明), or, near a context cue, a given name alone (玉珍);
- jieba tags it (or its given-name part) `nr`; a name-shaped span it does not tag needs a
  context cue (室友|勇, 陈丽和|文);
- or it is a surname right before a title (王|老师, 李|医生, 张|总): the surname alone is
  taken, the title kept: it names one private teacher, doctor or boss as "Mr. Wang" does;
- it is not a frequent word of jieba's dictionary: a name the dictionary counts often is a
  public figure or a word, kept unless a context cue points at a private person.

Context cues (a relation before: 我朋友 / 同事 / 男朋友 / 叫 / 跟 …; an act of a person
after: … 说 / 告诉 / 问 …; another name joined by 和) make a result sure; without one it
is reported but marked unsure (`recognition_metadata["unsure"]`) for the curator's review.
Latin-script names inside Chinese text are left to the other recognizers.

jieba's tokenizer is private to this module (the global `jieba.dt` is not touched) and
writes its dictionary cache into the given cache directory or the system temp directory,
never into the home directory. It is loaded once, on first use (2-4 s: jieba's tables and
dictionary). Tagging costs ~1.5 ms of CPU per 25-character sentence, almost all of it
jieba's posseg pass (one per segment).
"""

from __future__ import annotations

import logging
import re
import tempfile
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from presidio_analyzer import EntityRecognizer

from curate.deid.recognizers.result import person_result

_HAN = re.compile(r"[\u4e00-\u9fff]+")
# Relation and role words a name follows (我朋友王芳, 我们组长潘勇, 咨询师秀珍), matched on
# the raw text before a span, so that jieba's cut does not matter.
_RELATIONS = tuple(
    """朋友 好友 闺蜜 室友 舍友 同事 同学 老师 男友 女友 前任 老公 老婆 丈夫 妻子 爱人
    哥 姐 弟 妹 儿子 女儿 组长 经理 老板 领导 上司 主管 医生 咨询师 治疗师 邻居 网友 学长
    学姐 教练 班主任 辅导员""".split()
)
# Verbs and conjunctions a name follows (我男朋友叫林子豪, 我跟李娜说): they take any
# object, so they make a name sure but do not open a slot for a lone given name.
_VERB_CUES = tuple(
    "叫 名叫 叫做 和 跟 与 给 找 问 告诉 谢谢 陪 约 认识 喜欢 想念 嫁给 联系".split()
)
_BEFORE = _RELATIONS + _VERB_CUES
# What a person does, or is called, right after the name: 张伟说, 李娜告诉我, 王芳老师.
_AFTER = tuple(
    """说 发了消息 发消息 发了微信 发微信 发了短信 发短信 打了电话 打电话 讲 告诉 问 觉得
    认为 跟我 和我 对我 让我 帮我 给我 叫我 骂 哭 笑 回复 同学 老师 先生 女士 阿姨 叔叔""".split()
)
# Titles that jieba glues to a surname into one unknown `nr` word (李老师, 王医生).
_TITLES = ("老师", "医生", "先生", "女士", "小姐", "阿姨", "叔叔", "同学", "经理", "老板")
_TITLES += ("总", "哥", "姐", "叔", "姨")
# Words joining two names: 小王和老李, 陈丽与张伟.
_JOIN = ("和", "跟", "与", "、", "或")
# Kinship characters: 阿姨 / 阿婆 / 老公 are relatives, not nicknames.
_KIN = frozenset("姨婆公妈爸爷奶哥姐弟妹兄叔伯舅嫂婶娘爹父夫儿女氏")
_NICK = frozenset("小老阿")
# Tags of words that never are a name's given part (pronoun, preposition, conjunction,
# particles, adverb, numeral, measure word, modal, punctuation / non-Han, direction, time).
_FUNCTION = ("r", "p", "c", "u", "d", "m", "q", "y", "x", "e", "o", "f", "t", "eng")
# Characters that follow a relation word without being a name (我哥家, 我朋友们).
_NOT_GIVEN = frozenset("家们俩圈群那这里也都说的是在和了就会要有把被让给对跟不没很太真最又还总")
_NOT_GIVEN |= _KIN | _NICK
# Tags of a lone character that may be a one-character given name: a noun or a character
# jieba does not know; a verb only after 和 or before an adverb (我哥亮一直), never an
# adjective (我朋友忙).
_NOUN = ("n", "x")
# jieba dictionary counts: at or above HIGH a `nr` word is a public figure or a word
# (毛泽东 8994, 明白 10875, 孔子 1103) and never taken; at or above MID (雷锋 232, 老王 190)
# only next to a context cue, and then unsure.
_HIGH = 1000
_MID = 100
# Share of a character's dictionary words that are three-character names with it in the
# given-name part (伟 0.74, 峰 0.53, 勇 0.36 against 说 0.00, 去 0.01, 人 0.09).
_GIVEN_SHARE = 0.2
# Below this share a verb is never a given name's character (走 0.02, 吃 0.01; 花 0.09 is).
_VERB_SHARE = 0.05

_LOCK = threading.Lock()
_LOADED: dict[str, _Jieba] = {}


@dataclass(frozen=True)
class _Jieba:
    pos: object  # jieba.posseg.POSTokenizer
    freq: dict[str, int]
    given_share: dict[str, float]


@dataclass
class _Tok:
    start: int
    end: int
    word: str
    flag: str


def _load(cache_dir: str | None) -> _Jieba:
    """The private tokenizer, built once per cache directory (jieba's own lock is per
    instance, so concurrent first calls are serialised here)."""
    tmp_dir = str(cache_dir or tempfile.gettempdir())
    with _LOCK:
        if tmp_dir not in _LOADED:
            import jieba
            import jieba.posseg

            jieba.setLogLevel(logging.WARNING)  # not "Building prefix dict…" on stderr
            tokenizer = jieba.Tokenizer()
            tokenizer.tmp_dir = tmp_dir
            Path(tmp_dir).mkdir(parents=True, exist_ok=True)
            tokenizer.initialize()
            pos = jieba.posseg.POSTokenizer(tokenizer)
            _memoise_hmm(pos)
            _LOADED[tmp_dir] = _Jieba(pos, tokenizer.FREQ, _given_share(pos.word_tag_tab))
        return _LOADED[tmp_dir]


def _memoise_hmm(pos) -> None:
    """Memoise the tokenizer's HMM pass over a run of characters the dictionary does not
    cut (its Viterbi over every part-of-speech state is four fifths of jieba's time, and
    jieba calls it through the name-mangled `__cut`). A later de-identification pass
    reads a sentence again with one name replaced: its other runs are the same strings,
    and the answer is the same."""
    hmm = pos._POSTokenizer__cut

    @lru_cache(maxsize=100_000)
    def runs(sentence: str) -> tuple:
        return tuple(hmm(sentence))

    pos._POSTokenizer__cut = lambda sentence: iter(runs(sentence))
    pos.curate_hmm_runs = runs  # its cache_info() shows jieba still calls the memo


def _given_share(tags: dict[str, str]) -> dict[str, float]:
    """How often each character stands in the given-name part of the dictionary's
    three-character `nr` words, against how often it appears in the dictionary at all: a
    measure of how name-like a lone character is, from jieba's own data."""
    seen = Counter("".join(tags))
    named = Counter("".join(w[1:] for w, tag in tags.items() if tag == "nr" and len(w) == 3))
    return {ch: n / (seen[ch] + 5) for ch, n in named.items()}


class ChineseNameRecognizer(EntityRecognizer):
    """PERSON in Chinese text from jieba's `nr` tag, a surname list and context cues."""

    def __init__(
        self,
        *,
        gazetteer: dict | None = None,
        surnames: Iterable[str] | None = None,
        cache_dir: str | Path | None = None,
        score: float = 0.85,
        unsure_score: float = 0.6,
    ) -> None:
        from curate.deid.data import zh_surnames

        # the names-dataset gazetteer holds no Chinese-script names; accepted for the
        # engine's uniform call only
        del gazetteer
        self.surnames = frozenset(surnames if surnames is not None else zh_surnames())
        self.cache_dir = str(cache_dir) if cache_dir is not None else None
        self.score = score
        self.unsure_score = unsure_score
        super().__init__(
            supported_entities=["PERSON"],
            supported_language="zh",
            name="ChineseNameRecognizer",
        )

    def load(self) -> None:
        pass  # jieba loads lazily on the first Chinese text

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list:
        if "PERSON" not in entities or not _HAN.search(text):
            return []
        jb = _load(self.cache_dir)
        tokens = _repair(_tokens(text, jb), jb.freq, self.surnames)
        spans = self._candidates(text, tokens, jb)
        results = []
        for i, (start, end, kind, tagged) in enumerate(spans):
            joined = any(
                _adjacent(text, other, (start, end)) for j, other in enumerate(spans) if j != i
            )
            decision = self._decide(text, start, end, kind, tagged, joined, jb)
            if decision:
                results.append(self._result(start, end, *decision))
        return results

    # -- candidates --------------------------------------------------------------------

    def _surname_len(self, word: str) -> int:
        if len(word) >= 3 and word[:2] in self.surnames:
            return 2
        return 1 if word[:1] in self.surnames else 0

    def _shape(self, word: str) -> str | None:
        """'full' (surname + 1-2 characters), 'nick' (小王, 老李, 阿明), 'given' or None."""
        k = self._surname_len(word)
        if k and 1 <= len(word) - k <= 2:
            return "full"
        if len(word) == 2 and word[0] in _NICK and word[1] not in _KIN:
            return "nick"
        if len(word) <= 2:
            return "given"
        return None

    def _candidates(
        self, text: str, toks: list[_Tok], jb: _Jieba
    ) -> list[tuple[int, int, str, bool]]:
        """(start, end, shape, tagged): name-like spans over whole tokens. A span starts at
        a `nr` token, a lone surname token, a nickname, or a lone noun character right after
        a relation word or a first name + 和 (室友|勇, 陈丽和|文); a surname may take in
        one or two following short tokens as the given name (jieba cuts 林子|豪, 刘|桂花,
        诸葛|明)."""
        out: list[tuple[int, int, str, bool]] = []
        i = 0
        while i < len(toks):
            tok = toks[i]
            word = tok.word
            nr = tok.flag.startswith("nr")
            nick = len(word) == 2 and word[0] in _NICK and word[1] in self.surnames
            if self._titled(toks, i):  # 王|老师, 部门的张|总: one private person
                out.append((tok.start, tok.end, "titled", True))
                i += 2
                continue
            joined = _after_join(text, tok, out)
            de = text[: tok.start].endswith("的")  # 学习小组的|秀|梅|发了消息
            if not nr and (joined or de or _after_relation(text, tok.start)):
                j = _lone_given(toks, i, jb, joined)
                if j > i and (not de or text[toks[j - 1].end :].startswith(_AFTER)):
                    out.append((tok.start, toks[j - 1].end, "given", j - i == 2))
                    i = j
                    continue
            if not _HAN.fullmatch(word) or not (nr or word in self.surnames or nick):
                i += 1
                continue
            end, tagged, j = tok.end, nr or (nick and word[0] == "老"), i + 1
            k = 2 if word in self.surnames and len(word) == 2 else self._surname_len(word)
            if k and not nick:
                limit = 3 + (k == 2)
                while j < len(toks) and self._given_part(toks[j], jb, end - tok.start, limit):
                    tagged = tagged or toks[j].flag.startswith("nr")
                    end, j = toks[j].end, j + 1
            shape = self._shape(text[tok.start : end])
            if shape:
                out.append((tok.start, end, shape, tagged))
            i = j
        return _before_join(text, toks, out, jb)

    def _titled(self, toks: list[_Tok], i: int) -> bool:
        """A surname token right before a title token (王|老师, 李|医生, 张|总): a
        particular teacher, doctor or boss, named by the surname. Not a surname character
        used as a word: a function word (于), a measure word after a numeral (两张|...)."""
        tok = toks[i]
        if i + 1 >= len(toks) or toks[i + 1].word not in _TITLES or tok.word not in self.surnames:
            return False
        if tok.flag.startswith(_FUNCTION) and tok.flag != "q":
            return False
        return not (tok.flag == "q" and i and toks[i - 1].flag.startswith(("m", "r")))

    def _given_part(self, tok: _Tok, jb: _Jieba, have: int, limit: int) -> bool:
        word = tok.word
        if have + len(word) > limit or len(word) > 2 or not _HAN.fullmatch(word):
            return False
        if word.startswith(_AFTER) or word in _BEFORE or any(c in _NOT_GIVEN for c in word):
            return False  # 张伟|说, 李娜|家, 王|老师
        if tok.flag.startswith("nr"):
            return True
        if tok.flag.startswith(_FUNCTION) or tok.flag in ("ns", "nt", "v"):
            return False
        return all(jb.given_share.get(c, 0.0) >= _GIVEN_SHARE for c in word)

    # -- decision ----------------------------------------------------------------------

    def _decide(
        self,
        text: str,
        start: int,
        end: int,
        shape: str,
        tagged: bool,
        joined: bool,
        jb: _Jieba,
    ) -> tuple[float, str, str | None] | None:
        """(score, how, unsure reason) or None (not a private person's name)."""
        word = text[start:end]
        if shape == "titled":
            return self.score, "surname + title", None
        before = text[:start].endswith(_BEFORE)
        after = text[end:].startswith(_AFTER)
        relation = _after_relation(text, start)
        cue = before or after or joined
        freq = jb.freq.get(word, 0) if len(word) > 1 else 0
        if freq >= _HIGH or (shape != "full" and word[-1] in _KIN):
            return None  # a public figure or a word; a relative (阿姨, 老公)
        old_nick = shape == "nick" and word[0] == "老" and word[1] in self.surnames
        if freq >= _MID and not old_nick:  # 老张, 老马: the dictionary counts the nickname
            if not cue:
                return None
            return self.unsure_score, "frequent word after cue", "known name or word"
        if shape == "full" and not self._given_chars(word, jb):
            return None  # jieba guessed a name from a verb: 向东走 (walk east)
        if shape in ("full", "nick"):
            if not tagged and not cue:
                return None
            if cue:
                return self.score, f"{shape} name + context", None
            return self.unsure_score, f"{shape} name", "name tag, no context"
        # a given name alone
        if len(word) == 1:
            de = text[:start].endswith("的") and after
            if not (relation or joined or de) or word in _NOT_GIVEN:
                return None
            if not tagged and jb.given_share.get(word, 0.0) < _GIVEN_SHARE / 2:
                return None
            return self.unsure_score, "given name after cue", "one-character name after cue"
        if not tagged:
            return None
        if relation or joined:
            return self.score, "given name + context", None
        if cue:
            return self.unsure_score, "given name + context", "given name, weak context"
        return None

    def _given_chars(self, word: str, jb: _Jieba) -> bool:
        """The given-name part holds no character that the dictionary knows as a verb or
        function word and that almost never stands in a name (走, 吃, 说)."""
        tags = jb.pos.word_tag_tab
        for ch in word[self._surname_len(word) :]:
            tag = tags.get(ch, "n")
            if tag.startswith((*_FUNCTION, "v")) and jb.given_share.get(ch, 0.0) < _VERB_SHARE:
                return False
        return True

    def _result(self, start: int, end: int, score: float, how: str, unsure: str | None):
        return person_result(self, start, end, score, how, unsure)


def _after_relation(text: str, start: int) -> bool:
    """A relation or role word (not a verb) right before `start`: 我室友|勇."""
    return text[:start].endswith(_RELATIONS)


def _after_join(text: str, tok: _Tok, found: list[tuple[int, int, str, bool]]) -> bool:
    """A name found just before, joined by 和 / 跟 / 与: 陈丽和|文."""
    return bool(found) and text[found[-1][1] : tok.start] in _JOIN


def _lone_given(toks: list[_Tok], i: int, jb: _Jieba, joined: bool) -> int:
    """Index past a given name that jieba does not tag `nr`, right after a cue: one token
    (李丽和|建军), two single characters (朋友|秀|云) or one (室友|勇, 我哥|亮|一直), or
    `i` when there is none. Two characters must both be name-like; one must be a noun, or
    a name-like verb after 和 or before a pause (not 我哥|笑|了)."""
    tok = toks[i]
    if len(tok.word) == 2 and _HAN.fullmatch(tok.word) and tok.flag.startswith(_NOUN):
        share = [jb.given_share.get(c, 0.0) for c in tok.word]
        if min(share) >= 1.5 * _GIVEN_SHARE and not set(tok.word) & _NOT_GIVEN:
            return i + 1  # 李丽和|建军
        return i
    singles = []
    for tok in toks[i : i + 2]:
        if len(tok.word) != 1 or not _HAN.fullmatch(tok.word) or tok.word in _NOT_GIVEN:
            break
        if tok.flag.startswith(_FUNCTION) and tok.flag != "x":
            break
        singles.append(tok)
    share = [jb.given_share.get(t.word, 0.0) for t in singles]
    if len(singles) == 2 and min(share) >= 1.5 * _GIVEN_SHARE:
        nxt = toks[i + 2] if i + 2 < len(toks) else None
        if nxt is None or len(nxt.word) > 1 or nxt.flag.startswith(_FUNCTION):
            return i + 2
    if not singles or share[0] < _GIVEN_SHARE:
        return i
    first, nxt = singles[0], toks[i + 1] if i + 1 < len(toks) else None
    if first.flag.startswith(_NOUN):
        return i + 1
    # 我哥|成|一直 (a name), not 我朋友|忙|，(a predicate)
    pause = nxt is not None and (nxt.flag == "p" or (nxt.flag == "d" and len(nxt.word) > 1))
    if first.flag == "v" and (pause or joined):
        return i + 1
    return i


def _before_join(
    text: str, toks: list[_Tok], found: list[tuple[int, int, str, bool]], jb: _Jieba
) -> list[tuple[int, int, str, bool]]:
    """Add a one-character given name joined by 和 to a name after it (上周|雪|和赵兵),
    when nothing it could belong to stands before it (a time word, a pause, a verb)."""
    starts = {t.start: k for k, t in enumerate(toks)}
    extra = []
    for start, *_ in found:
        k = starts.get(start)
        if k is None or k < 2 or toks[k - 1].word not in _JOIN:
            continue
        tok, prev = toks[k - 2], toks[k - 3] if k >= 3 else None
        if len(tok.word) != 1 or not _HAN.fullmatch(tok.word) or tok.word in _NOT_GIVEN:
            continue
        if not tok.flag.startswith(_NOUN) or jb.given_share.get(tok.word, 0.0) < _GIVEN_SHARE:
            continue
        if prev is None or prev.flag.startswith(("t", "x", "p", "c", "v")):
            extra.append((tok.start, tok.end, "given", False))
    return sorted(found + extra)


def _tokens(text: str, jb: _Jieba) -> list[_Tok]:
    """One posseg pass, with code-point offsets."""
    out, pos = [], 0
    for pair in jb.pos.cut(text):
        word, flag = pair.word, pair.flag
        start = text.find(word, pos)
        if start < 0:
            continue
        out.append(_Tok(start, start + len(word), word, flag))
        pos = start + len(word)
    return out


def _repair(toks: list[_Tok], freq: dict[str, int], surnames: frozenset[str]) -> list[_Tok]:
    """Undo three cuts jieba makes around unknown names: a title glued to a surname
    (李老师), a relation word's last character glued to the name (哥|文 → 哥文, 咨询师|静
    → 师静) and 和 glued to a second name after a first one (陈丽 和文 → 陈丽 和 文)."""
    out: list[_Tok] = []
    for tok in toks:
        word = tok.word
        title = next((t for t in _TITLES if word.endswith(t) and len(word) > len(t)), None)
        if title and tok.flag.startswith("nr") and word[0] in surnames:
            cut = tok.end - len(title)  # 李老师 → 李 + 老师: a surname and a title
            out.append(_Tok(tok.start, cut, word[: -len(title)], tok.flag))
            out.append(_Tok(cut, tok.end, title, "n"))
            continue
        if 2 <= len(word) <= 4 and _HAN.fullmatch(word) and out:
            prev = out[-1]
            head, rest = word[0], word[1:]
            unknown = freq.get(word, 0) == 0
            relation = unknown and (prev.word + head).endswith(_BEFORE) and head not in "和跟与"
            joined = (
                head in "和跟与" and prev.flag.startswith("nr") and (unknown or "nz" in tok.flag)
            )
            if relation or joined:
                flag = tok.flag if tok.flag.startswith("nr") else "nr" if joined else "n"
                out.append(_Tok(tok.start, tok.start + 1, head, "c" if joined else "n"))
                out.append(_Tok(tok.start + 1, tok.end, rest, flag))
                continue
        out.append(tok)
    return out


def _adjacent(text: str, a: tuple, b: tuple[int, int]) -> bool:
    """Two spans joined by 和 / 跟 / 与 / 、: 小王和老李."""
    first, second = (a, b) if a[0] < b[0] else (b, a)
    return text[first[1] : second[0]] in _JOIN
