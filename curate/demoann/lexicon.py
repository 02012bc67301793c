"""The "true" labels of the demo corpus: what `curate.demo` planted, phrase by phrase.

The generator (`curate.demo`) builds every post and response from hand-written template
sentences but records only the personal identifiers it plants, not which sentence
expresses distress, culture or support. This map supplies that, keyed by fragments of
its templates: each entry is a phrase that occurs verbatim in one template (outside its
{slots}), the field it is found in, its span family and the family's value.

Values are written as ALIASES (a lowercase word of the value, e.g. `norms`), resolved
against `schemas/taxonomy.yaml` at run time (`resolve`): the taxonomy stays the one copy
of the label names, and a renamed value fails loudly instead of silently drifting.

The assignments are one reasonable reading of the synthetic sentences (openers are
strong distress, details lighter; cultural cues carry one or two typed signals;
response sentences one strategy each), not a gold standard. `tests/annotate/
test_demo_annotate.py` checks that every phrase still occurs in a template of
`curate.demo`, so a change to the generator shows up here.

Empathy is derived from the true strategies of the response (`empathy_truth`);
demographics from the few facts the posts state (`DEMOGRAPHICS`).
"""

from __future__ import annotations

from dataclasses import dataclass

from curate.schema import Taxonomy

DISTRESS = "emotional_distress"
CULTURE = "cultural_signal"
SUPPORT = "emotional_support"

Entry = tuple[str, str, str, str]  # (field, phrase, family, value alias)


def _d(phrase: str, intensity: str) -> Entry:
    return ("post", phrase, DISTRESS, intensity)


def _c(phrase: str, kind: str, field: str = "post") -> Entry:
    return (field, phrase, CULTURE, kind)


def _rc(phrase: str, kind: str) -> Entry:
    return _c(phrase, kind, "response")


def _s(phrase: str, strategy: str) -> Entry:
    return ("response", phrase, SUPPORT, strategy)


SPANS: tuple[Entry, ...] = (
    # --- English posts: openers (every post has one), details, identifiers, closers ----
    _d("feeling so lonely for months now", "moderate"),
    _d("I wake up anxious every single morning and my chest feels tight", "high"),
    _d("I'm overwhelmed all the time and I can't remember the last time I felt okay", "high"),
    _d("I have been depressed and most days I just go through the motions", "moderate"),
    _d("I feel hopeless and stuck, like nothing I do is ever going to be enough", "high"),
    _d("I'm so stressed that I've stopped sleeping properly and I keep crying", "high"),
    _d("stare at the wall for hours", "moderate"),
    _d("I'm good at hiding it", "light"),
    _d(
        "I keep replaying every mistake I've made and the guilt just sits in my stomach", "moderate"
    ),
    _d("I simply can't be bothered", "light"),
    _d("every page ends up being the same sad paragraph", "light"),
    _d("I'm just drifting", "light"),
    _d("I'm too scared to call", "moderate"),
    _d("deleted it because I panicked", "light"),
    _d("I feel a bit lighter just typing this out 😔", "light"),
    _d("I'm so anxious that I check my router every night", "moderate"),
    # English cultural cues in posts (one culture each)
    _c("expect me to finish my Ausbildung and never complain", "norms"),
    _c("failed part of my Abitur", "knowledge"),
    _c("you just have to function", "values"),
    _c("talking about feelings is basically forbidden", "norms"),
    _c("The Christmas markets in Germany", "artifacts"),
    _d("I've never felt more invisible among so many people", "moderate"),
    _c("It's Ramadan", "concepts"),
    _d("I feel like a stranger at iftar every night", "moderate"),
    _c("the eldest daughter in an Arab household", "demographics"),
    _c("expected to hold everyone together and never show weakness", "norms"),
    _c("My parents are from Egypt", "demographics"),
    _c("therapy is only for 'crazy people'", "values"),
    _c("I'm Muslim", "demographics"),
    _c("I keep praying for things to get better", "concepts"),
    _d("some days even prayer feels empty", "moderate"),
    _c("expect me to take over the family business", "values"),
    _c("after the gaokao", "knowledge"),
    _c("In my Chinese family we don't talk about feelings", "norms"),
    _c("love means cutting fruit for you", "artifacts"),
    _c("I'm the only child", "demographics"),
    _c("lose face", "language"),
    _d("I feel like I made everyone lose face by not coping", "moderate"),
    _c("Every Friday at Shabbat dinner", "concepts"),
    _d("I sit there pretending everything is fine", "light"),
    _c("I grew up in a Jewish community", "demographics"),
    _c("asking for help feels like announcing it at synagogue", "norms"),
    _c("My rabbi", "concepts"),
    _d("I'm too embarrassed to tell him how dark things have gotten", "high"),
    _c("My family moved to Israel", "demographics"),
    _d("I still feel like I don't belong anywhere", "moderate"),
    # --- English responses ------------------------------------------------------------
    _s("I'm really sorry you're carrying all of this", "reflection"),
    _s("Thank you for trusting us with this, it takes courage to write it down", "affirmation"),
    _s("What you're feeling makes so much sense given everything you describe", "restatement"),
    _s("You are not a disappointment, you are a person who is exhausted and hurting", "reflection"),
    _s("It might help to tell one safe person, even just a little", "suggestions"),
    _s("Small steps count: a walk, a glass of water, one honest text to a friend", "suggestions"),
    _s("please contact a local crisis line or a doctor", "information"),
    _s("Your worth is not measured by grades, jobs or what your relatives say", "affirmation"),
    _s("went through something similar and is happy to chat", "information"),
    _s("There's a free support group listed at", "information"),
    _s("it helped me a lot", "disclosure"),
    _s("Feel free to DM me", "others"),
    _s("When I was in a bad place I called", "disclosure"),
    _s("Sending you a big hug 🫂", "others"),
    _s("You deserve support, please keep reaching out", "affirmation"),
    _s("Rooting for you, truly", "affirmation"),
    _s("I grew up in Germany too", "disclosure"),
    _rc("I grew up in Germany", "demographics"),
    _rc("the 'just function' mindset", "values"),
    _s("your feelings still matter", "affirmation"),
    _rc("Finishing an Ausbildung", "knowledge"),
    _s("is not the only path, plenty of people change course later", "information"),
    _s("I know how heavy Ramadan can feel when you're hurting inside", "reflection"),
    _rc("Ramadan", "concepts"),
    _s("be gentle with yourself at iftar", "suggestions"),
    _rc("iftar", "artifacts"),
    _s("Many Muslim therapists understand family expectations and won't judge you", "information"),
    _rc("Muslim therapists", "demographics"),
    _s("I'm Chinese as well and I know the pressure around the gaokao", "disclosure"),
    _rc("I'm Chinese", "demographics"),
    _rc("the gaokao and face", "knowledge"),
    _s("My parents also showed love through food instead of words", "disclosure"),
    _rc("showed love through food instead of words", "values"),
    _s("Maybe there's a rabbi or a Jewish counselor outside your community", "suggestions"),
    _rc("a rabbi or a Jewish counselor", "concepts"),
    _s("Shabbat dinners can be so hard when you're hiding something", "reflection"),
    _rc("Shabbat dinners", "concepts"),
    _s("many of us know that", "disclosure"),
    # --- German ---------------------------------------------------------------------
    _d("ich bin seit Monaten einsam", "moderate"),
    _d("Jeden Morgen wache ich mit Angst auf und mein Herz rast", "high"),
    _d("Ich bin völlig überfordert und weiß nicht mehr, wie es weitergehen soll", "high"),
    _d("Ich bin so traurig, dass ich abends einfach nur noch weine", "high"),
    _c("Meine Eltern erwarten, dass ich meine Ausbildung durchziehe", "norms"),
    _c("Seit dem Abitur", "knowledge"),
    _d("alle anderen einen Plan haben, nur ich nicht", "light"),
    _c("Beim Sonntagskaffee bei meiner Oma", "artifacts"),
    _d("tue ich so, als wäre alles in Ordnung", "light"),
    _c("Reiß dich zusammen, Gefühle zeigt man nicht", "language"),
    _d("kenne hier fast niemanden", "light"),
    _d("zu Hause starre ich stundenlang an die Decke", "moderate"),
    _d("weil ich es gut verstecke", "light"),
    _d("Ich schlafe kaum noch und grüble jede Nacht über jeden Fehler", "moderate"),
    _d("den habe ich aus Scham gelöscht", "light"),
    _s("Es tut mir so leid, dass es dir gerade so geht", "reflection"),
    _s("Danke, dass du das hier geteilt hast, das braucht Mut", "affirmation"),
    _s("Du bist keine Enttäuschung, du bist einfach erschöpft", "reflection"),
    _s("Vielleicht hilft es, mit einer Vertrauensperson zu sprechen", "suggestions"),
    _s("Die Telefonseelsorge ist rund um die Uhr erreichbar und anonym", "information"),
    _rc("Die Telefonseelsorge", "knowledge"),
    _s("Niemand muss alles alleine schaffen, auch du nicht", "affirmation"),
    _s("Nach meinem Abitur ging es mir ähnlich", "disclosure"),
    _rc("Abitur", "knowledge"),
    _s("Eine Ausbildung abzubrechen ist kein Weltuntergang", "affirmation"),
    _rc("kein Weltuntergang", "language"),
    _s("arbeitet in einer Beratungsstelle", "information"),
    _s("das hat mir geholfen", "disclosure"),
    _s("Schreib mir gern", "others"),
    _s("Fühl dich gedrückt 🫂", "others"),
    _s("Du schaffst das, Schritt für Schritt", "affirmation"),
    # --- Arabic ---------------------------------------------------------------------
    _d("لكنني حزين منذ شهور ولا أحد يلاحظ", "moderate"),
    _d("أنا قلق طوال الوقت، وقلبي يدق بسرعة", "high"),
    _d("أعاني من اكتئاب منذ سنة تقريبا", "moderate"),
    _d("أشعر أنني وحيد حتى عندما أكون بين أهلي", "moderate"),
    _c("في رمضان", "concepts"),
    _c("مائدة الإفطار", "artifacts"),
    _d("أجلس على مائدة الإفطار كأنني غريب", "moderate"),
    _c("أنا البنت الكبرى", "demographics"),
    _c("والكل ينتظر مني أن أكون قوية ولا أشتكي أبدا", "norms"),
    _c("أهلي يقولون إن العلاج النفسي للمجانين فقط", "values"),
    _c("في العيد يسألني الجميع متى سأتزوج", "norms"),
    _d("ثم أختبئ في غرفتي", "light"),
    _c("أصلي وأدعو أن تتحسن الأمور", "concepts"),
    _d("أشعر أن قلبي فارغ", "moderate"),
    _d("وفي البيت أبكي بصمت", "moderate"),
    _d("لأنني أجيد التمثيل", "light"),
    _d("لم أعد أنام جيدا، وأفكر في كل خطأ ارتكبته", "moderate"),
    _d("حذفته من الخجل", "light"),
    _s("أنا آسف جدا لما تمر به", "reflection"),
    _s("شكرا لأنك شاركت هذا، هذا يحتاج إلى شجاعة", "affirmation"),
    _s("أنت لست عبئا على أحد، أنت فقط متعب وتحتاج إلى راحة", "reflection"),
    _s("ربما يساعدك أن تتكلم مع شخص تثق به", "suggestions"),
    _s("تواصل مع طبيب أو خط مساعدة", "information"),
    _s("الخطوات الصغيرة مهمة: مشي قصير، كوب ماء، رسالة صادقة لصديق", "suggestions"),
    _s("أعرف كيف يكون رمضان ثقيلا عندما يكون القلب متعبا", "reflection"),
    _rc("رمضان", "concepts"),
    _s("كن لطيفا مع نفسك", "suggestions"),
    _s("لكن طلب المساعدة أيضا ليس ضعفا في الإيمان", "affirmation"),
    _rc("الدعاء جميل", "concepts"),
    _s("مرت بنفس التجربة", "information"),
    _s("هذا الرابط ساعدني كثيرا", "disclosure"),
    _s("أرسل لك حضنا كبيرا 🫂", "others"),
    _s("أنت تستحق الدعم", "affirmation"),
    # --- Hebrew ---------------------------------------------------------------------
    _d("כבר חודשים אני עצוב ואף אחד לא שם לב", "moderate"),
    _d("יש לי חרדה כל בוקר, הלב דופק", "high"),
    _d("כבר שנה שאני מתמודד עם דיכאון", "moderate"),
    _d("אני מרגיש בודד גם כשכל המשפחה סביבי", "moderate"),
    _c("כל שישי בארוחת שבת", "concepts"),
    _d("ומעמיד פנים שהכול בסדר", "light"),
    _c("בקהילה שלנו כולם מכירים את כולם", "demographics"),
    _c("לבקש עזרה מרגיש כמו להודיע על זה בבית הכנסת", "norms"),
    _c("הרב שלנו", "concepts"),
    _d("אני מתבייש לספר לו כמה חשוך לי", "high"),
    _c("עלינו לארץ", "language"),
    _d("אני לא מרגיש שייך לשום מקום", "moderate"),
    _c("אחרי הצבא", "knowledge"),
    _d("רק אני תקוע", "light"),
    _d("ובבית אני בוהה בתקרה שעות", "moderate"),
    _d("כי אני טוב בלהסתיר", "light"),
    _d("אני כמעט לא ישן וחושב כל לילה על כל טעות", "moderate"),
    _d("מחקתי אותו מבושה", "light"),
    _c("מהמילואים", "knowledge"),
    _s("אני כל כך מצטער שאתה עובר את זה", "reflection"),
    _s("תודה ששיתפת, זה דורש אומץ", "affirmation"),
    _s("אתה לא אכזבה, אתה פשוט עייף ופגוע", "reflection"),
    _s("אולי יעזור לדבר עם אדם אחד שאתה סומך עליו", "suggestions"),
    _s("אפשר לפנות לער״ן בכל שעה", "information"),
    _rc("לער״ן", "knowledge"),
    _s("צעדים קטנים נחשבים: הליכה קצרה, כוס מים, הודעה כנה לחבר", "suggestions"),
    _s("גם אצלנו בארוחות שבת היה קשה להסתיר דברים", "disclosure"),
    _rc("בארוחות שבת", "concepts"),
    _s("אתה ממש לא לבד", "affirmation"),
    _s("אולי יש רב או יועץ מחוץ לקהילה שתוכל לדבר איתו בפרטיות", "suggestions"),
    _rc("רב או יועץ מחוץ לקהילה", "concepts"),
    _s("עבר משהו דומה", "information"),
    _s("יש קבוצת תמיכה בקישור הזה", "information"),
    _s("שולח לך חיבוק גדול 🫂", "others"),
    _s("אתה לא לבד", "affirmation"),
    # --- Chinese --------------------------------------------------------------------
    _d("这几个月我一直觉得：孤独，而且没有人发现", "moderate"),
    _d("每天早上醒来的第一感觉：焦虑，心跳得很快", "high"),
    _d("抑郁、焦虑、难过，这就是我现在的全部状态", "high"),
    _d("难过，累，什么都不想做", "moderate"),
    _c("高考", "knowledge"),
    _c("接手家里的生意", "values"),
    _c("我们家从来不谈感情", "norms"),
    _c("爱就是切好的水果", "artifacts"),
    _c("过年的时候亲戚们又拿我和表哥比较", "norms"),
    _d("我的脸一直在发烫", "moderate"),
    _c("我是独生子女", "demographics"),
    _c("心理问题在我们家好像是丢脸的事", "values"),
    _d("我不敢告诉任何人", "moderate"),
    _d("回到家就盯着天花板发呆好几个小时", "moderate"),
    _d("因为我很会隐藏", "light"),
    _d("晚上总是睡不着，一遍又一遍地想自己犯过的错", "moderate"),
    _d("后来因为太丢人删掉了", "light"),
    _s("抱抱你，真的辛苦了", "reflection"),
    _s("谢谢你愿意说出来，这需要很大的勇气", "affirmation"),
    _s("你不是失败者，你只是太累了", "reflection"),
    _s("也许可以先找一个信任的人说一点点", "suggestions"),
    _s("请联系当地的心理援助热线", "information"),
    _s("小小的一步也算数：散散步，喝杯水，给朋友发一条真心的消息", "suggestions"),
    _s("我也经历过高考的压力", "disclosure"),
    _rc("高考", "knowledge"),
    _s("但后来慢慢好起来了", "affirmation"),
    _s("我们家也是用切水果代替说“我爱你”", "disclosure"),
    _rc("用切水果代替说“我爱你”", "values"),
    _s("以前也是这样", "information"),
    _s("这个网站对我帮助很大", "information"),
    _s("加油，你值得被好好对待", "affirmation"),
    _s("抱抱 🫂", "others"),
)

# Facts a post states about its author: (phrase in title or post, field, value). The
# first match per field wins (title first, then the post in text order).
DEMOGRAPHICS: tuple[tuple[str, str, str], ...] = (
    ("hopeless at 24", "age", "24"),
    ("I'm Muslim", "religion", "Muslim"),
    ("the eldest daughter", "gender", "female"),
    ("أنا البنت الكبرى", "gender", "female"),
    ("מרגישה שאני מאכזבת", "gender", "female"),
    ("כשהייתי בן שתים עשרה", "gender", "male"),
    ("our small flat in Berlin", "settlement", "Berlin"),
    ("nach Berlin gezogen", "settlement", "Berlin"),
    ("für das Studium", "employment", "student"),
    ("I moved from Beijing for university", "employment", "student"),
    ("My family moved to Israel", "settlement", "Israel"),
    ("עלינו לארץ", "settlement", "Israel"),
    ("I smile at work", "employment", "employed"),
    ("Auf der Arbeit lächle ich", "employment", "employed"),
    ("في العمل أبتسم", "employment", "employed"),
    ("בעבודה אני מחייך", "employment", "employed"),
    ("在公司我一直在笑", "employment", "employed"),
)


@dataclass(frozen=True)
class TrueSpan:
    field: str
    start: int  # code points
    end: int
    family: str
    value: str  # the taxonomy value (resolved alias)


def resolve(taxonomy: Taxonomy, family: str, alias: str) -> str:
    """The taxonomy value of `family` that `alias` names: the value itself (any case) or
    the one value having `alias` as a word. Raises ValueError otherwise."""
    values = taxonomy.family(family).values
    exact = [v for v in values if v.lower() == alias]
    if exact:
        return exact[0]
    hits = [v for v in values if alias in v.lower().replace("-", " ").split()]
    if len(hits) != 1:
        raise ValueError(f"alias {alias!r} names {len(hits)} values of {family}: {hits}")
    return hits[0]


def _cjk(ch: str) -> bool:
    return "\u3000" <= ch <= "\u9fff" or "\uf900" <= ch <= "\uffef"


def occurrences(text: str, phrase: str) -> list[int]:
    """Start offsets of `phrase` in `text` as a whole phrase: not glued to a letter or
    digit on either side (CJK, written without spaces, may touch anything)."""
    out, i = [], text.find(phrase)
    while i >= 0:
        before = text[i - 1] if i else " "
        after = text[i + len(phrase)] if i + len(phrase) < len(text) else " "
        glued = (before.isalnum() and not (_cjk(before) or _cjk(phrase[0]))) or (
            after.isalnum() and not (_cjk(after) or _cjk(phrase[-1]))
        )
        if not glued:
            out.append(i)
        i = text.find(phrase, i + 1)
    return out


def true_spans(taxonomy: Taxonomy, texts: dict[str, str]) -> list[TrueSpan]:
    """Every planted span in the texts ({field: text}), in text order. Longer phrases
    win: a phrase inside a longer one of the same family is not a span of its own."""
    found: list[TrueSpan] = []
    entries = sorted(SPANS, key=lambda e: -len(e[1]))
    for field, phrase, family, alias in entries:
        text = texts.get(field) or ""
        if family not in taxonomy.families or field not in taxonomy.family(family).fields:
            continue
        value = resolve(taxonomy, family, alias)
        for start in occurrences(text, phrase):
            end = start + len(phrase)
            if any(
                s.field == field and s.family == family and s.start < end and start < s.end
                for s in found
            ):
                continue
            found.append(TrueSpan(field, start, end, family, value))
    return sorted(found, key=lambda s: (s.field, s.start, s.end, s.family))


def empathy_truth(taxonomy: Taxonomy, spans: list[TrueSpan], response: str) -> int | None:
    """Empathy from the response's true strategies: none for an empty response; the
    lowest score without support; else one step above it, plus one each for reflected
    feelings, for affirmation, and for a rich response (5+ support spans)."""
    if not response.strip():
        return None
    scale = sorted(taxonomy.empathy)
    support = [s for s in spans if s.family == SUPPORT]
    if not support:
        return scale[0]
    kinds = {s.value for s in support}
    score = 1
    score += resolve(taxonomy, SUPPORT, "reflection") in kinds
    score += resolve(taxonomy, SUPPORT, "affirmation") in kinds
    score += len(support) >= 5
    return scale[min(score, len(scale) - 1)]


def demographics_truth(taxonomy: Taxonomy, title: str, post: str) -> dict[str, str]:
    """{field: value} the title or post states, first match per field."""
    out: dict[str, str] = {}
    hits = []
    for order, text in enumerate((title or "", post or "")):
        for phrase, field, value in DEMOGRAPHICS:
            for start in occurrences(text, phrase):
                hits.append((order, start, field, value))
    for _, _, field, value in sorted(hits):
        if field in taxonomy.demographic_fields:
            out.setdefault(field, value)
    return out
