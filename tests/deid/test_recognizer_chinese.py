"""ChineseNameRecognizer: jieba `nr` + surname shape + context cues (synthetic sentences)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from presidio_analyzer import RecognizerResult

from curate.deid.recognizers.chinese import ChineseNameRecognizer

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "deid-realtext" / "dev.jsonl"


@pytest.fixture(scope="module")
def rec() -> ChineseNameRecognizer:
    return ChineseNameRecognizer()


def names(rec: ChineseNameRecognizer, text: str) -> list[str]:
    return [text[r.start : r.end] for r in rec.analyze(text, ["PERSON"]) if r.score >= 0.5]


def by_name(rec: ChineseNameRecognizer, text: str) -> dict[str, RecognizerResult]:
    return {text[r.start : r.end]: r for r in rec.analyze(text, ["PERSON"]) if r.score >= 0.5}


POSITIVE = [
    # full names after a relation word, before 说, after 叫 / 跟 / 给
    ("我同事王建国昨天辞职了。", ["王建国"]),
    ("张伟说他明天不来了。", ["张伟"]),
    ("我男朋友叫林子豪。", ["林子豪"]),  # jieba cuts 林子|豪
    ("我妈让我别再跟赵磊来往。", ["赵磊"]),
    ("我给郭静发了消息，她没回。", ["郭静"]),
    ("我们老师黄丽华对我很好。", ["黄丽华"]),
    ("我的心理咨询师高凤英说我要学会设立边界。", ["高凤英"]),  # jieba glues 师高凤英
    # two names joined by 和, one cut by jieba (刘|桂花), a compound surname
    ("刘桂花和陈建国都是我的高中同学。", ["刘桂花", "陈建国"]),
    ("我和诸葛明分手了。", ["诸葛明"]),
    ("欧阳娜娜是我最好的朋友。", ["欧阳娜娜"]),
    # nicknames
    ("小王和老李昨天吵架了。", ["小王", "老李"]),
    ("阿明告诉我他要搬家了。", ["阿明"]),
    ("老张今天又骂我了。", ["老张"]),
    ("我室友小美总是不打扫卫生。", ["小美"]),
    # names without any cue
    ("昨天在超市碰到了周晓梅，她瘦了好多。", ["周晓梅"]),
    ("孙丽丽每天都问我好不好。", ["孙丽丽"]),
    ("谢谢你，杨晓东。", ["杨晓东"]),
    # given names alone, after a relation word or a first name + 和
    ("我的室友玉珍经常半夜哭。", ["玉珍"]),
    ("我最好的朋友秀云以前每天都会问我好不好。", ["秀云"]),  # jieba: 秀|云
    ("我哥文一直是爸妈最喜欢的孩子。", ["文"]),  # jieba glues 哥文
    ("上周陈丽和文计划出去玩，根本没叫我。", ["陈丽", "文"]),  # jieba: 和文 (Japanese)
    ("上周李丽和建军计划出去玩。", ["李丽", "建军"]),
    # a surname with a title names a private person too (the title stays)
    ("王老师说张伟最近心情不好。", ["王", "张伟"]),
    ("我跟李老师请了假。", ["李"]),
]


@pytest.mark.parametrize(("text", "expected"), POSITIVE)
def test_finds_names(rec, text, expected):
    assert names(rec, text) == expected


NEGATIVE = [
    # common words jieba's dictionary tags `nr`
    "我明白你的意思，但是我做不到。",
    "今天阳光很好，我想出去走走。",
    "谢谢大家的支持和鼓励。",
    "我老公每天加班到很晚才回家。",
    "我的宝贝女儿今天发烧了。",
    "他的文明程度很高，道德也好。",
    "我们应该保持公正的态度。",
    "向东走五百米就到了。",  # jieba: 向东走/nr
    # words that start with a surname
    "我们公司的高管都很忙。",
    "黄金周的时候人特别多。",
    "白天我睡不着，晚上也睡不着。",
    "周末我和家人一起吃饭。",
    "马上就要考试了，我很紧张。",
    "方便的话请告诉我怎么办。",
    # relation words followed by something that is not a name
    "我朋友也觉得我应该去看医生。",
    "我哥家住得很远。",
    "我同事都说我太敏感了。",
    "我朋友们都不理解我。",
    "我哥笑了，说我想太多。",
    "我朋友忙，没时间陪我。",
    "我的老同学聚会我没去。",
    "我跟妈妈说了，她不理解。",
    "我跟阿姨说了这件事。",
    "我男朋友叫我别想太多。",
    "我姐夫对我姐很好。",
    "朋友圈里大家都过得很好。",
    # places and public figures
    "我在北京工作，家在上海。",
    "孔子说过，三人行必有我师。",
    "毛泽东时代的人都很苦。",
    "我看了一个关于雷锋的纪录片。",
]


@pytest.mark.parametrize("text", NEGATIVE)
def test_no_name(rec, text):
    assert names(rec, text) == []


def test_context_makes_sure_and_no_context_unsure(rec):
    sure = by_name(rec, "我同事王建国昨天辞职了。")["王建国"]
    assert sure.score >= 0.8 and "unsure" not in sure.recognition_metadata
    unsure = by_name(rec, "昨天在超市碰到了周晓梅。")["周晓梅"]
    assert 0.5 <= unsure.score < 0.8 and unsure.recognition_metadata["unsure"]
    one = by_name(rec, "我现在唯一说话的人是室友勇。")["勇"]
    assert one.recognition_metadata["unsure"]
    meta = sure.recognition_metadata
    assert meta[RecognizerResult.RECOGNIZER_NAME_KEY] == "ChineseNameRecognizer"
    assert meta[RecognizerResult.RECOGNIZER_IDENTIFIER_KEY] == rec.id


def test_known_name_only_near_a_cue(rec):
    # 李娜 and 红霞 are frequent in jieba's dictionary: taken only next to a cue, unsure
    assert names(rec, "李娜的比赛我每场都看。") == []
    found = by_name(rec, "我跟李娜说了这件事。")["李娜"]
    assert found.recognition_metadata["unsure"] == "known name or word"


def test_offsets_are_code_points(rec):
    text = "OK 😢 emoji first: 我同事王建国昨天辞职了。"
    (result,) = rec.analyze(text, ["PERSON"])
    assert text[result.start : result.end] == "王建国"


def test_only_person_and_only_han(rec):
    assert rec.analyze("我同事王建国昨天辞职了。", ["EMAIL_ADDRESS"]) == []
    assert rec.analyze("My colleague Wang Jianguo quit.", ["PERSON"]) == []
    assert rec.supported_language == "zh" and rec.supported_entities == ["PERSON"]


def test_jieba_cache_goes_to_the_given_dir(tmp_path):
    rec = ChineseNameRecognizer(cache_dir=tmp_path / "jieba", gazetteer={"first": {}})
    assert names(rec, "张伟说他明天不来了。") == ["张伟"]
    assert [p.name for p in (tmp_path / "jieba").iterdir()] == ["jieba.cache"]


def test_jieba_still_calls_the_memoised_hmm(tmp_path):
    # the memo wraps jieba's private `_POSTokenizer__cut` (jieba is pinned below 0.43):
    # if an upgrade stops calling it, output stays right and only speed is lost, so
    # only this test notices
    from curate.deid.recognizers.chinese import _load

    rec = ChineseNameRecognizer(cache_dir=tmp_path / "jieba", gazetteer={"first": {}})
    runs = _load(str(tmp_path / "jieba")).pos.curate_hmm_runs
    text = "我的朋友欧阳娜娜昨天跟我聊了很久。"  # a name the dictionary does not cut
    names(rec, text)
    first = runs.cache_info()
    assert first.misses > 0
    names(rec, text)
    assert runs.cache_info().hits > first.hits


def test_synthetic_corpus_recall(rec):
    from curate.synthetic.corpus import build_corpus

    gold = found = false_pos = 0
    for doc in build_corpus(per_language=80, seed=29, languages=("zh",), hard=False):
        results = [r for r in rec.analyze(doc.text, ["PERSON"]) if r.score >= 0.5]
        people = [e for e in doc.entities if e.type == "PERSON"]
        gold += len(people)
        found += sum(any(r.start <= e.start and r.end >= e.end for r in results) for e in people)
        false_pos += sum(
            not any(r.start < e.end and e.start < r.end for e in people) for r in results
        )
    assert found / gold >= 0.9
    assert false_pos == 0


@pytest.mark.skipif(not SHARED.is_file(), reason="licensed real-text labels not present")
def test_real_chinese_script_phrases_unchanged(rec):
    rows = [json.loads(line) for line in SHARED.read_text(encoding="utf-8").splitlines()]
    rows = [r for r in rows if re.search(r"[\u4e00-\u9fff]", r["text"])]
    assert rows
    for row in rows:
        for result in rec.analyze(row["text"], ["PERSON"]):
            if result.score >= 0.5:
                assert any(
                    result.start < p["end"] and p["start"] < result.end for p in row["private"]
                )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a surname and a title name one private person: the surname is taken, the title kept
        ("宋老师下课后把我留了下来。", ["宋"]),
        ("社区医院的胡医生让我多休息。", ["胡"]),
        ("我们公司的罗总又加班到十点。", ["罗"]),
        # a title without a surname, a surname character used as a word
        ("我和老师聊了很久。", []),
        ("买了两张老师推荐的票。", []),
    ],
)
def test_surname_and_title(rec, text, expected):
    assert names(rec, text) == expected
