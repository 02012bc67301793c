"""Labelled synthetic corpus for measuring de-identification.

Why: recall cannot be measured on the real posts (their identifiers are exactly what must
never leave the vault), so known identifiers are planted into hand-written peer-support
templates and their code-point offsets recorded. `keep` spans mark the dataset's cultural
content (nationality, religion, practices, subreddits) that a de-identifier must NOT remove,
so over-redaction is measured too.

Template text outside placeholders holds no names, emails, phones, URLs, handles or IPs, so
every identifier in a document is a labelled one. Markup: `{TYPE}` / `{TYPE:variant}` is a
planted identifier (or a `{SUBREDDIT}` keep span drawn from a pool); `[[TYPE|text]]` is a
literal keep span.

By default (`hard=True`) every post also carries the hard cases of
`curate.deid.evalhard`: a name written the way real posts write it (lower-cased, a
nickname, an initial, glued to an Arabic or Hebrew clitic, after a title, in Latin
letters inside Arabic, Hebrew or Chinese text, inside dialect), a public name that must
be kept (`PUBLIC`), informal or mixed-language filler, and harder identifier shapes
(Reddit's `Adjective-Noun-1234` names, links without a scheme). A post then has a
culture (its allowlist section) and each PERSON span a `style`, so recall can be read
per style. `hard=False` gives the template-only corpus of before, unchanged.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from faker import Faker

from curate.deid.evalhard import ENGLISH, HARD

ENTITY_TYPES: tuple[str, ...] = (
    "PERSON",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "URL",
    "REDDIT_USERNAME",
    "SOCIAL_HANDLE",
    "IP_ADDRESS",
)
KEEP_TYPES: tuple[str, ...] = ("NRP", "CULTURAL_TERM", "SUBREDDIT", "PUBLIC")
LANGUAGES: tuple[str, ...] = ("en", "de", "ar", "he", "zh")
EMOJI: tuple[str, ...] = ("😔", "🙏", "❤️", "😢", "💔")

_LOCALES = {"en": "en_US", "de": "de_DE", "ar": "ar_AA", "he": "he_IL", "zh": "zh_CN"}
_MIN_WORDS, _MAX_WORDS = 60, 160
_EMOJI_RATE = 0.2
_MARK = re.compile(
    r"\{(?P<slot>[A-Z_]+)(?::(?P<variant>[a-z_]+))?\}|\[\[(?P<ktype>[A-Z_]+)\|(?P<ktext>[^\]|]+)\]\]"
)


@dataclass(frozen=True)
class Entity:
    """A labelled span; offsets are Python code points into the document text."""

    start: int
    end: int
    type: str
    text: str
    style: str | None = None  # what makes a planted name hard ("nickname", "clitic" ...)

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end or self.end - self.start != len(self.text):
            raise ValueError(f"bad span {self.start}:{self.end} for {self.text!r}")


@dataclass(frozen=True)
class EvalDoc:
    """One post with its identifiers (`entities`) and must-keep cultural spans (`keep`)."""

    id: str
    language: str
    text: str
    entities: tuple[Entity, ...]
    keep: tuple[Entity, ...]
    culture: str | None = None  # the allowlist section a post of the dataset would have

    def __post_init__(self) -> None:
        # Validated on construction so a corrupted JSONL file fails loudly on read.
        spans = sorted((*self.entities, *self.keep), key=lambda e: (e.start, e.end))
        for span in spans:
            if self.text[span.start : span.end] != span.text:
                raise ValueError(f"{self.id}: offsets do not match {span.text!r}")
        for left, right in pairwise(spans):
            if right.start < left.end:
                raise ValueError(f"{self.id}: overlapping spans {left.text!r}, {right.text!r}")


@dataclass(frozen=True)
class _Templates:
    """Hand-written sentences for one language; `slots` holds one list per entity type."""

    openers: tuple[str, ...]
    culture: tuple[str, ...]
    fillers: tuple[str, ...]
    closers: tuple[str, ...]
    slots: dict[str, tuple[str, ...]]
    subreddits: tuple[str, ...]
    sep: str = " "


_EN = _Templates(
    openers=(
        "Throwaway because my family knows my main account.",
        "Long time lurker, first post here, sorry if this is messy.",
        "I don't really know where else to post this.",
        "Not sure if this is the right place, but here goes.",
        "I'm 19 and I feel like everything is falling apart.",
    ),
    culture=(
        "My parents are [[NRP|Chinese]] immigrants and the only thing they ever ask about"
        " is my grades.",
        "I grew up in a traditional [[NRP|Jewish]] home and every [[CULTURAL_TERM|Shabbat]]"
        " dinner turns into questions about when I'll get married.",
        "During [[CULTURAL_TERM|Ramadan]] I usually feel close to my family, but this year I"
        " just feel empty.",
        "As a [[NRP|Muslim]] girl at a college where nobody looks like me, I feel like I have"
        " to explain myself all the time.",
        "My cousins are all preparing for the [[CULTURAL_TERM|Gaokao]] and my mom keeps"
        " comparing me to them.",
        "I'm half [[NRP|Arab]], half [[NRP|German]], and I never feel like I belong to"
        " either side.",
        "I found {SUBREDDIT} last week and reading other people's stories made me cry.",
        "Someone in {SUBREDDIT} suggested I post here instead.",
        "Everyone at the [[CULTURAL_TERM|Eid]] gathering asked about my job and I had nothing"
        " to say.",
        "In [[NRP|Chinese]] families you don't talk about feelings, you just work harder.",
    ),
    fillers=(
        "I haven't really talked to anyone in weeks and the evenings are the worst.",
        "Work has been brutal, my manager keeps piling things on and I can't say no.",
        "Every time I open my textbooks my chest gets tight and I just stare at the page.",
        "My parents think therapy is for weak people, so I can't ask them for help.",
        "I moved to a new city for this job and I don't know a single person here.",
        "Exams start in two weeks and I'm so far behind that it all feels pointless.",
        "Some nights I just lie awake replaying every mistake I've ever made.",
        "I feel like a burden on everyone, even when they say I'm not.",
        "My dad told me I'm wasting every sacrifice they made for me.",
        "I eat lunch alone in my car most days so nobody sees me like this.",
        "I'm so tired of pretending I'm fine at family dinners.",
    ),
    closers=(
        "Thanks for reading if you made it this far.",
        "Any advice would mean a lot.",
        "Sorry for the wall of text.",
        "I just needed to get this out somewhere.",
    ),
    slots={
        "PERSON": (
            "My best friend {PERSON:f} used to check on me every day, but she moved away in"
            " the spring.",
            "The only person I talk to is my roommate {PERSON:m}, and even he is getting"
            " tired of me.",
            "My older brother {PERSON:m} is the golden child and I'm always compared to him.",
            "I texted {PERSON:f} from my study group and she just left me on read.",
            "My manager {PERSON} said I'm not a team player in front of everyone.",
            "Last week {PERSON:f} and {PERSON:m} planned a trip and didn't even invite me.",
            "My therapist, {PERSON:f}, says I should set boundaries, but how?",
        ),
        "EMAIL_ADDRESS": (
            "If anyone wants to talk privately, my email is {EMAIL_ADDRESS}.",
            "My mom found the emails I sent from {EMAIL_ADDRESS} and read all of them.",
            "A recruiter wrote to me at {EMAIL_ADDRESS} and I panicked and never answered.",
            "You can also reach me at {EMAIL_ADDRESS} if messages here don't work.",
        ),
        "PHONE_NUMBER": (
            "I even called the helpline from my cell, {PHONE_NUMBER}, but hung up before"
            " anyone answered.",
            "My aunt keeps calling me from {PHONE_NUMBER} to ask why I haven't visited.",
            "If you're in the same situation, text me at {PHONE_NUMBER}, I mean it.",
            "My boss gave everyone my number ({PHONE_NUMBER}) so now I get calls at night.",
        ),
        "URL": (
            "I posted about this before ({URL:reddit}) but nobody answered.",
            "This article helped a bit: {URL} and maybe it helps someone else.",
            "I write everything down on my blog, {URL}, but nobody reads it.",
            "My university's counselling page ({URL}) has a waitlist of two months.",
        ),
        "REDDIT_USERNAME": (
            "Edit: thank you {REDDIT_USERNAME} for the kind message, it really helped.",
            "I saw {REDDIT_USERNAME} post about something similar and felt less alone.",
            "My old account was {REDDIT_USERNAME} but my sister found it so I stopped.",
        ),
        "SOCIAL_HANDLE": (
            "My insta is {SOCIAL_HANDLE:at} if anyone wants to be friends.",
            "My ex still watches all my stories from {SOCIAL_HANDLE:at} and it hurts so much.",
            "Add me on discord: {SOCIAL_HANDLE:discord}, I'm usually online late.",
            "There's a small support group on Telegram, {SOCIAL_HANDLE:telegram}, that"
            " helped me a bit.",
            "My cousin (twitter {SOCIAL_HANDLE:at}) blocked me after our fight.",
        ),
        "IP_ADDRESS": (
            "Someone logged into my email from {IP_ADDRESS} and I'm scared it was my ex.",
            "My dad checks the router logs and saw my laptop, {IP_ADDRESS}, online at night.",
            "The game banned my IP, {IP_ADDRESS}, and that was the only place I had friends.",
        ),
    },
    subreddits=("r/offmychest", "r/lonely", "r/Judaism", "r/islam", "r/China", "r/GradSchool"),
)

_DE = _Templates(
    openers=(
        "Wegwerfaccount, weil meine Familie meinen normalen Account kennt.",
        "Ich lese hier schon lange mit, aber das ist mein erster Post.",
        "Ich weiß nicht, wo ich das sonst schreiben soll.",
        "Sorry, falls das hier der falsche Ort ist.",
        "Ich bin 22 und habe das Gefühl, dass mir alles entgleitet.",
    ),
    culture=(
        "Meine Eltern sind [[NRP|türkische]] Einwanderer, und für sie zählt nur, dass ich das"
        " [[CULTURAL_TERM|Abitur]] mit Eins schaffe.",
        "Ich bin in einer [[NRP|jüdischen]] Familie aufgewachsen, und an jedem"
        " [[CULTURAL_TERM|Schabbat]] geht es nur darum, wann ich endlich heirate.",
        "Im [[CULTURAL_TERM|Ramadan]] fühle ich mich meiner Familie normalerweise nah, aber"
        " dieses Jahr fühle ich gar nichts.",
        "Als [[NRP|Muslimin]] an einer Uni, an der kaum jemand so aussieht wie ich, muss ich"
        " mich ständig erklären.",
        "Das [[NRP|Judentum]] ist meinen Großeltern unglaublich wichtig, und ich traue mich"
        " nicht zu sagen, dass ich nicht mehr glaube.",
        "Ich bin halb [[NRP|deutsch]], halb [[NRP|arabisch]] und fühle mich nirgends richtig"
        " zugehörig.",
        "Meine [[NRP|chinesischen]] Eltern reden nie über Gefühle, bei uns wird einfach mehr"
        " gearbeitet.",
        "Auf {SUBREDDIT} hat mir jemand geraten, hier zu posten.",
        "Ich habe letzte Woche {SUBREDDIT} gefunden und beim Lesen der anderen Geschichten"
        " geweint.",
        "Beim [[CULTURAL_TERM|Zuckerfest]] haben mich alle Verwandten nach meinem Job gefragt,"
        " und ich hatte keine Antwort.",
    ),
    fillers=(
        "Ich habe seit Wochen mit niemandem richtig geredet, und die Abende sind am schlimmsten.",
        "Auf der Arbeit ist es gerade brutal, mein Chef lädt immer mehr auf mich ab und ich"
        " kann nicht Nein sagen.",
        "Jedes Mal, wenn ich die Unterlagen aufschlage, wird meine Brust eng.",
        "Meine Eltern finden, Therapie ist was für Schwache, also kann ich sie nicht um Hilfe"
        " bitten.",
        "Ich bin für den Job in eine neue Stadt gezogen und kenne hier niemanden.",
        "In zwei Wochen fangen die Prüfungen an und ich bin so weit hinten, dass alles"
        " sinnlos wirkt.",
        "Manche Nächte liege ich wach und gehe jeden Fehler noch einmal durch.",
        "Ich fühle mich wie eine Last für alle, auch wenn sie sagen, dass ich das nicht bin.",
        "Mein Vater meint, ich verschwende alles, was sie für mich geopfert haben.",
        "Mittags esse ich meistens allein im Auto, damit mich niemand so sieht.",
        "Ich habe keine Kraft mehr, bei Familienfeiern so zu tun, als wäre alles gut.",
    ),
    closers=(
        "Danke fürs Lesen, falls ihr bis hierhin gekommen seid.",
        "Jeder Rat würde mir viel bedeuten.",
        "Sorry für den langen Text.",
        "Ich musste das einfach mal irgendwo loswerden.",
    ),
    slots={
        "PERSON": (
            "Meine beste Freundin {PERSON:f} hat sich früher jeden Tag gemeldet, aber sie ist"
            " im Frühling weggezogen.",
            "Der Einzige, mit dem ich rede, ist mein Mitbewohner {PERSON:m}, und selbst er hat"
            " langsam genug von mir.",
            "Mein älterer Bruder {PERSON:m} ist das Lieblingskind, und ich werde ständig mit"
            " ihm verglichen.",
            "Ich habe {PERSON:f} aus meiner Lerngruppe geschrieben, aber sie hat nie geantwortet.",
            "Meine Teamleiterin {PERSON:f} hat vor allen gesagt, ich sei kein Teamplayer.",
            "Letzte Woche haben {PERSON:f} und {PERSON:m} einen Ausflug geplant und mich nicht"
            " mal gefragt.",
            "Meine Therapeutin {PERSON:f} sagt, ich soll Grenzen setzen, aber wie?",
        ),
        "EMAIL_ADDRESS": (
            "Wer privat reden will, meine Mail ist {EMAIL_ADDRESS}.",
            "Meine Mutter hat die Mails gefunden, die ich von {EMAIL_ADDRESS} verschickt habe.",
            "Eine Personalerin hat mir an {EMAIL_ADDRESS} geschrieben und ich habe vor Panik"
            " nie geantwortet.",
            "Ihr könnt mich auch unter {EMAIL_ADDRESS} erreichen, falls Nachrichten hier nicht"
            " gehen.",
        ),
        "PHONE_NUMBER": (
            "Ich habe sogar von meinem Handy, {PHONE_NUMBER}, bei der Seelsorge angerufen, aber"
            " aufgelegt, bevor jemand ranging.",
            "Meine Tante ruft mich ständig von {PHONE_NUMBER} aus an und fragt, warum ich mich"
            " nicht melde.",
            "Wenn es euch genauso geht, schreibt mir unter {PHONE_NUMBER}, ich meine das ernst.",
            "Mein Chef hat allen meine Nummer gegeben ({PHONE_NUMBER}), jetzt kommen sogar"
            " nachts Anrufe.",
        ),
        "URL": (
            "Ich hatte schon mal darüber gepostet ({URL:reddit}), aber niemand hat geantwortet.",
            "Dieser Artikel hat mir ein bisschen geholfen: {URL} und vielleicht hilft er auch"
            " jemand anderem.",
            "Ich schreibe alles in meinen Blog, {URL}, aber den liest keiner.",
            "Die Beratungsseite meiner Uni ({URL}) hat eine Warteliste von zwei Monaten.",
        ),
        "REDDIT_USERNAME": (
            "Edit: Danke {REDDIT_USERNAME} für die liebe Nachricht, das hat echt geholfen.",
            "Ich habe gesehen, dass {REDDIT_USERNAME} etwas Ähnliches gepostet hat, und fühlte"
            " mich weniger allein.",
            "Mein alter Account war {REDDIT_USERNAME}, aber meine Schwester hat ihn gefunden.",
        ),
        "SOCIAL_HANDLE": (
            "Mein Insta ist {SOCIAL_HANDLE:at}, falls jemand Freunde sucht.",
            "Mein Ex schaut sich immer noch alle meine Storys von {SOCIAL_HANDLE:at} aus an,"
            " und das tut so weh.",
            "Schreibt mir auf Discord: {SOCIAL_HANDLE:discord}, ich bin meistens spät online.",
            "Es gibt eine kleine Selbsthilfegruppe auf Telegram, {SOCIAL_HANDLE:telegram}, die"
            " mir etwas geholfen hat.",
            "Meine Cousine hat mich auf Twitter blockiert, sie ist dort {SOCIAL_HANDLE:at}.",
        ),
        "IP_ADDRESS": (
            "Jemand hat sich von {IP_ADDRESS} aus in mein Mailkonto eingeloggt und ich habe"
            " Angst, dass es mein Ex war.",
            "Mein Vater schaut in die Router-Logs und hat gesehen, dass mein Laptop mit"
            " {IP_ADDRESS} nachts online war.",
            "Das Spiel hat meine IP {IP_ADDRESS} gesperrt, und dort hatte ich meine einzigen"
            " Freunde.",
        ),
    },
    subreddits=("r/germany", "r/de", "r/Studium", "r/einsamkeit", "r/Austria"),
)

_AR = _Templates(
    openers=(
        "حساب مؤقت لأن عائلتي تعرف حسابي الأساسي.",
        "أتابع هذا المنتدى منذ فترة طويلة، وهذا أول منشور لي.",
        "لا أعرف أين أكتب هذا غير هنا.",
        "آسف إذا كان هذا المكان غير مناسب، لكن سأكتب على أي حال.",
        "عمري عشرون سنة وأشعر أن كل شيء ينهار من حولي.",
    ),
    culture=(
        "في [[CULTURAL_TERM|رمضان]] عادةً أشعر بالقرب من عائلتي، لكن هذه السنة أشعر بالفراغ فقط.",
        "أنا فتاة [[NRP|مسلمة]] في جامعة لا يشبهني فيها أحد، وأشعر أنني مضطرة لتبرير نفسي دائماً.",
        "أهلي يعتبرون أن نتيجة [[CULTURAL_TERM|الثانوية العامة]] ستحدد مستقبلي كله.",
        "في [[CULTURAL_TERM|العيد]] سألني كل الأقارب عن عملي ولم يكن عندي جواب.",
        "كوني [[NRP|عربية]] في مدينة غريبة يجعلني أشعر بالوحدة أكثر.",
        "أبي يقول إن الرجل [[NRP|المسلم]] لا يشتكي، لذلك لا أستطيع أن أكلمه عن مشاعري.",
        "قرأت قصصاً مشابهة في {SUBREDDIT} وبكيت وأنا أقرأها.",
        "نصحني أحدهم في {SUBREDDIT} أن أكتب هنا.",
        "في العائلات [[NRP|العربية]] لا نتكلم عن المشاعر، فقط نعمل أكثر.",
        "أمي تريدني أن ألبس [[CULTURAL_TERM|الحجاب]] وأنا لست مستعدة بعد.",
    ),
    fillers=(
        "لم أتكلم مع أحد بشكل حقيقي منذ أسابيع، والليل هو الأصعب.",
        "العمل مرهق جداً، مديري يضيف المهام عليّ وأنا لا أستطيع الرفض.",
        "كلما فتحت كتبي يضيق صدري وأبقى أحدق في الصفحة.",
        "أهلي يرون أن العلاج النفسي للضعفاء، فلا أستطيع طلب المساعدة منهم.",
        "انتقلت إلى مدينة جديدة من أجل العمل ولا أعرف أحداً هنا.",
        "الامتحانات تبدأ بعد أسبوعين وأنا متأخرة جداً لدرجة أن كل شيء يبدو بلا فائدة.",
        "في بعض الليالي أبقى مستيقظاً أتذكر كل أخطائي.",
        "أشعر أنني عبء على الجميع حتى عندما يقولون العكس.",
        "أبي يقول إنني أضيع كل التضحيات التي قدموها من أجلي.",
        "تعبت من التظاهر بأنني بخير في العزائم العائلية.",
        "ضغط العائلة للزواج لا يتوقف، وكل زيارة تتحول إلى تحقيق.",
    ),
    closers=(
        "شكراً لمن قرأ حتى النهاية.",
        "أي نصيحة ستعني لي الكثير.",
        "آسف على الإطالة.",
        "كنت فقط بحاجة أن أكتب هذا في مكان ما.",
    ),
    slots={
        "PERSON": (
            "صديقتي المقربة {PERSON:f} كانت تسأل عني كل يوم، لكنها سافرت في الربيع.",
            "الشخص الوحيد الذي أتكلم معه هو زميلي في السكن {PERSON:m}، وحتى هو بدأ يتعب مني.",
            "أخي الكبير {PERSON:m} هو المفضل عند أهلي، ودائماً يقارنونني به.",
            "أرسلت رسالة إلى {PERSON:f} من مجموعة الدراسة لكنها لم ترد.",
            "مديري {PERSON:m} قال أمام الجميع إنني لا أعمل بروح الفريق.",
            "الأسبوع الماضي خططت {PERSON:f} مع {PERSON:m} لرحلة ولم يدعواني.",
            "معالجتي النفسية {PERSON:f} تقول إن عليّ وضع حدود، لكن كيف؟",
        ),
        "EMAIL_ADDRESS": (
            "إذا أراد أحد أن يتكلم معي على الخاص، إيميلي هو {EMAIL_ADDRESS}.",
            "أمي وجدت الرسائل التي أرسلتها من {EMAIL_ADDRESS} وقرأتها كلها.",
            "راسلتني شركة على {EMAIL_ADDRESS} لكنني خفت ولم أرد.",
            "يمكنكم مراسلتي على {EMAIL_ADDRESS} إذا لم تعمل الرسائل الخاصة.",
        ),
        "PHONE_NUMBER": (
            "اتصل بي على {PHONE_NUMBER} إذا كنت تمر بنفس الشيء، أنا جاد.",
            "اتصلت بخط المساعدة من رقمي {PHONE_NUMBER} لكنني أغلقت الخط قبل أن يرد أحد.",
            "خالتي تتصل بي باستمرار من {PHONE_NUMBER} لتسألني لماذا لا أزورهم.",
            "مديري أعطى رقمي ({PHONE_NUMBER}) للجميع، والآن تأتيني مكالمات في منتصف الليل.",
        ),
        "URL": (
            "كتبت عن هذا من قبل هنا {URL:reddit} ولم يرد أحد.",
            "هذا المقال ساعدني قليلاً: {URL} ربما يساعد غيري.",
            "أكتب كل شيء في مدونتي {URL} لكن لا أحد يقرأها.",
            "صفحة الإرشاد في جامعتي ({URL}) فيها قائمة انتظار لشهرين.",
        ),
        "REDDIT_USERNAME": (
            "تعديل: شكراً {REDDIT_USERNAME} على رسالتك اللطيفة، ساعدتني فعلاً.",
            "رأيت {REDDIT_USERNAME} يكتب عن شيء مشابه فشعرت أنني لست وحدي.",
            "حسابي القديم كان {REDDIT_USERNAME} لكن أختي وجدته فتوقفت عن استخدامه.",
        ),
        "SOCIAL_HANDLE": (
            "حسابي على انستغرام {SOCIAL_HANDLE:at} إذا أراد أحد أن نكون أصدقاء.",
            "حبيبي السابق ما زال يشاهد كل قصصي من حساب {SOCIAL_HANDLE:at} وهذا يؤلمني.",
            "أضيفوني على ديسكورد: {SOCIAL_HANDLE:discord} أكون متصلة غالباً في الليل.",
            "هناك مجموعة دعم صغيرة على تيليجرام {SOCIAL_HANDLE:telegram} ساعدتني قليلاً.",
            "ابن عمي حظرني على تويتر، حسابه {SOCIAL_HANDLE:at}، بعد خلافنا.",
        ),
        "IP_ADDRESS": (
            "أحدهم دخل إلى بريدي من العنوان {IP_ADDRESS} وأخاف أن يكون حبيبي السابق.",
            "أبي يراقب سجلات الراوتر ورأى أن حاسوبي على {IP_ADDRESS} كان متصلاً في الفجر.",
            "اللعبة حظرت عنواني {IP_ADDRESS} وكانت المكان الوحيد الذي لدي فيه أصدقاء.",
        ),
    },
    subreddits=("r/arabs", "r/Egypt", "r/saudiarabia", "r/islam"),
)

_HE = _Templates(
    openers=(
        "חשבון זמני כי המשפחה שלי מכירה את החשבון הרגיל שלי.",
        "אני קוראת פה כבר הרבה זמן, זה הפוסט הראשון שלי.",
        "אני לא יודע איפה עוד לכתוב את זה.",
        "סליחה אם זה לא המקום הנכון, אבל הנה.",
        "אני בת עשרים ואני מרגישה שהכול מתפרק.",
    ),
    culture=(
        "גדלתי בבית [[NRP|יהודי]] מסורתי, ובכל ארוחת [[CULTURAL_TERM|שבת]] שואלים אותי מתי"
        " אני מתחתן.",
        "ההורים שלי חושבים שהציונים בבחינות [[CULTURAL_TERM|בגרות]] יקבעו את כל העתיד שלי.",
        "לפני [[CULTURAL_TERM|פסח]] כל המשפחה מתאספת ואני מרגישה הכי לבד שיש.",
        "אני בא ממשפחה [[NRP|חרדית]] ולא יכול לספר להם שאני כבר לא מאמין.",
        "בתור [[NRP|יהודייה]] בקמפוס בחו״ל אני מרגישה שאני כל הזמן צריכה להסביר את עצמי.",
        "מצאתי את {SUBREDDIT} בשבוע שעבר ובכיתי כשקראתי את הסיפורים של אנשים אחרים.",
        "מישהו ב-{SUBREDDIT} הציע לי לכתוב כאן.",
        "אבא שלי אומר שגבר [[NRP|ישראלי]] לא בוכה, אז אני לא מדבר איתו על זה.",
        "אחרי [[CULTURAL_TERM|השירות הצבאי]] כולם יודעים מה הם רוצים לעשות, חוץ ממני.",
    ),
    fillers=(
        "לא דיברתי באמת עם אף אחד כבר שבועות, והערבים הכי קשים.",
        "העבודה מטורפת, המנהל שלי מעמיס עליי עוד ועוד ואני לא מצליח להגיד לא.",
        "כל פעם שאני פותחת את החומר החזה שלי נלחץ ואני רק בוהה בדף.",
        "ההורים שלי חושבים שטיפול זה לחלשים, אז אני לא יכול לבקש מהם עזרה.",
        "עברתי לעיר חדשה בשביל העבודה ואני לא מכירה פה אף אחד.",
        "המבחנים מתחילים בעוד שבועיים ואני כל כך מאחור שזה מרגיש חסר טעם.",
        "יש לילות שאני שוכב ער ועובר שוב על כל טעות שעשיתי.",
        "אני מרגישה שאני נטל על כולם, גם כשהם אומרים שלא.",
        "אבא שלי אמר שאני מבזבז את כל מה שהם הקריבו בשבילי.",
        "נמאס לי להעמיד פנים שהכול בסדר בארוחות משפחתיות.",
        "הלחץ להתחתן לא נגמר, וכל ביקור אצל סבתא הופך לחקירה.",
    ),
    closers=(
        "תודה למי שקרא עד הסוף.",
        "כל עצה תעזור לי מאוד.",
        "סליחה על החפירה.",
        "הייתי צריך להוציא את זה איפשהו.",
    ),
    slots={
        "PERSON": (
            "החברה הכי טובה שלי, {PERSON:f}, הייתה בודקת מה שלומי כל יום, אבל היא עברה דירה באביב.",
            "האדם היחיד שאני מדבר איתו הוא השותף שלי לדירה, {PERSON:m}, וגם הוא כבר מתעייף ממני.",
            "אחי הגדול {PERSON:m} הוא הילד המועדף, ותמיד משווים אותי אליו.",
            "שלחתי הודעה ל-{PERSON:f} מקבוצת הלימוד והיא לא ענתה.",
            "המנהל שלי, {PERSON:m}, אמר מול כולם שאני לא שחקן צוות.",
            "בשבוע שעבר {PERSON:f} ו-{PERSON:m} תכננו טיול ואפילו לא הזמינו אותי.",
            "המטפלת שלי, {PERSON:f}, אומרת שאני צריכה לשים גבולות, אבל איך?",
        ),
        "EMAIL_ADDRESS": (
            "מי שרוצה לדבר בפרטי, המייל שלי הוא {EMAIL_ADDRESS}.",
            "אמא שלי מצאה את המיילים ששלחתי מ-{EMAIL_ADDRESS} וקראה את כולם.",
            "מגייסת כתבה לי ל-{EMAIL_ADDRESS} ונבהלתי ולא עניתי.",
            "אפשר גם לכתוב לי ל-{EMAIL_ADDRESS} אם ההודעות הפרטיות לא עובדות.",
        ),
        "PHONE_NUMBER": (
            "אם אתם באותו מצב, תשלחו לי הודעה ל-{PHONE_NUMBER}, אני רצינית.",
            "התקשרתי לקו הסיוע מהנייד שלי, {PHONE_NUMBER}, אבל ניתקתי לפני שמישהו ענה.",
            "הדודה שלי מתקשרת אליי כל הזמן מ-{PHONE_NUMBER} ושואלת למה אני לא מבקרת.",
            "הבוס נתן לכולם את המספר שלי ({PHONE_NUMBER}) ועכשיו מתקשרים אליי באמצע הלילה.",
        ),
        "URL": (
            "כבר כתבתי על זה פעם ({URL:reddit}) ואף אחד לא ענה.",
            "הכתבה הזאת עזרה לי קצת: {URL} אולי היא תעזור גם למישהו אחר.",
            "אני כותבת הכול בבלוג שלי, {URL}, אבל אף אחד לא קורא.",
            "לדף של מרכז הייעוץ באוניברסיטה ({URL}) יש רשימת המתנה של חודשיים.",
        ),
        "REDDIT_USERNAME": (
            "עריכה: תודה {REDDIT_USERNAME} על ההודעה החמה, זה באמת עזר.",
            "ראיתי ש-{REDDIT_USERNAME} כתב על משהו דומה והרגשתי פחות לבד.",
            "החשבון הישן שלי היה {REDDIT_USERNAME} אבל אחותי מצאה אותו.",
        ),
        "SOCIAL_HANDLE": (
            "האינסטגרם שלי הוא {SOCIAL_HANDLE:at} אם מישהו רוצה להיות חברים.",
            "האקס שלי עדיין צופה בכל הסטוריז שלי מהחשבון {SOCIAL_HANDLE:at} וזה כואב.",
            "תוסיפו אותי בדיסקורד: {SOCIAL_HANDLE:discord}, אני בדרך כלל מחובר בלילה.",
            "יש קבוצת תמיכה קטנה בטלגרם, {SOCIAL_HANDLE:telegram}, שעזרה לי קצת.",
            "בן הדוד שלי חסם אותי בטוויטר, הוא שם {SOCIAL_HANDLE:at}.",
        ),
        "IP_ADDRESS": (
            "מישהו התחבר למייל שלי מהכתובת {IP_ADDRESS} ואני מפחדת שזה היה האקס.",
            "אבא שלי בודק את הלוגים של הראוטר וראה שהמחשב שלי, {IP_ADDRESS}, היה מחובר בלילה.",
            "המשחק חסם את כתובת ה-IP שלי, {IP_ADDRESS}, וזה היה המקום היחיד שהיו לי בו חברים.",
        ),
    },
    subreddits=("r/Israel", "r/Judaism", "r/hebrew", "r/lonely"),
)

_ZH = _Templates(
    openers=(
        "小号发帖，因为家里人知道我的大号。",
        "潜水很久了，第一次发帖，写得有点乱。",
        "不知道还能在哪里说这些。",
        "如果发错地方了先说声抱歉。",
        "我今年二十岁，感觉一切都在崩塌。",
    ),
    culture=(
        "我爸妈觉得[[CULTURAL_TERM|高考]]决定了我的一辈子，别的什么都不重要。",
        "每年[[CULTURAL_TERM|春节]]回家，亲戚们都会问我工资多少、什么时候结婚。",
        "我是在国外长大的[[NRP|中国人]]，可是在哪里都觉得自己是外人。",
        "在很多[[NRP|中国人]]的家庭里，大家从来不谈感受，只会叫你更努力。",
        "我决定[[CULTURAL_TERM|考研]]，已经准备了一年，但越来越没有信心。",
        "[[CULTURAL_TERM|中秋节]]那天我一个人在宿舍吃泡面，突然就哭了。",
        "我在{SUBREDDIT}看到很多类似的故事，看着看着就哭了。",
        "有人在{SUBREDDIT}建议我来这里发帖。",
        "我家是[[NRP|回族]]，[[CULTURAL_TERM|斋月]]的时候我总觉得自己不够虔诚。",
        "表妹今年也要参加[[CULTURAL_TERM|高考]]，我妈天天拿我们俩比较。",
    ),
    fillers=(
        "我已经好几个星期没有真正和人说过话了，晚上最难熬。",
        "工作压力太大了，领导一直给我加活，我不敢拒绝。",
        "每次打开课本就胸口发紧，只能盯着那一页发呆。",
        "我爸妈觉得看心理医生是软弱的表现，所以我没法跟他们求助。",
        "为了这份工作我搬到了一个新的城市，这里一个认识的人都没有。",
        "两周后就要考试了，我落下太多，感觉做什么都没用。",
        "有些晚上我躺着睡不着，一遍遍回想自己犯过的错。",
        "我觉得自己是所有人的负担，即使他们说不是。",
        "我爸说我辜负了他们为我做出的所有牺牲。",
        "每天中午我都一个人在车里吃饭，不想让别人看到我这个样子。",
        "家里催婚催得越来越紧，每次打电话都像审问。",
    ),
    closers=(
        "谢谢你看到这里。",
        "有什么建议都非常感谢。",
        "抱歉写了这么长。",
        "只是需要找个地方说出来。",
    ),
    slots={
        "PERSON": (
            "我最好的朋友{PERSON:f}以前每天都会问我好不好，可是她春天搬走了。",
            "我现在唯一说话的人是室友{PERSON:m}，连他都开始嫌我烦了。",
            "我哥{PERSON:m}一直是爸妈最喜欢的孩子，他们总拿我跟他比。",
            "我给学习小组的{PERSON:f}发了消息，她已读不回。",
            "我们组长{PERSON:m}当着所有人的面说我没有团队精神。",
            "上周{PERSON:f}和{PERSON:m}计划出去玩，根本没叫我。",
            "我的心理咨询师{PERSON:f}说我要学会设立边界，可是怎么做呢？",
        ),
        "EMAIL_ADDRESS": (
            "如果有人想私聊，我的邮箱是 {EMAIL_ADDRESS}。",
            "我妈翻到了我用{EMAIL_ADDRESS}发的邮件，全都看了。",
            "有家公司给我的邮箱 {EMAIL_ADDRESS} 发了面试邀请，我太紧张了一直没回。",
            "私信不行的话也可以发邮件到{EMAIL_ADDRESS}找我。",
        ),
        "PHONE_NUMBER": (
            "如果你也是这样，可以给我发短信：{PHONE_NUMBER}，我是认真的。",
            "我用自己的手机号{PHONE_NUMBER}打过心理热线，但没等人接就挂了。",
            "我姑姑总是用{PHONE_NUMBER}给我打电话，问我为什么不回家。",
            "老板把我的号码（{PHONE_NUMBER}）给了所有人，现在半夜都有人打来。",
        ),
        "URL": (
            "我之前发过一次（{URL:reddit}），没有人回复。",
            "这篇文章对我有一点帮助：{URL} 也许对别人也有用。",
            "我把所有事情都写在博客里 {URL} ，可是没人看。",
            "学校心理咨询中心的网页（{URL}）显示要排队两个月。",
        ),
        "REDDIT_USERNAME": (
            "编辑：谢谢{REDDIT_USERNAME}的暖心私信，真的帮到我了。",
            "我看到{REDDIT_USERNAME}发过类似的帖子，觉得自己没那么孤单了。",
            "我以前的账号是{REDDIT_USERNAME}，后来被我妹妹发现了。",
        ),
        "SOCIAL_HANDLE": (
            "我的 Instagram 是 {SOCIAL_HANDLE:at}，想交朋友可以关注。",
            "前任还在用{SOCIAL_HANDLE:at}看我所有的快拍，不知道为什么这么难受。",
            "加我 discord：{SOCIAL_HANDLE:discord}，我一般晚上在线。",
            "有个小的互助群在 Telegram 上，{SOCIAL_HANDLE:telegram}，对我有点帮助。",
            "我表哥在推特上把我拉黑了，他的账号是{SOCIAL_HANDLE:at}。",
        ),
        "IP_ADDRESS": (
            "有人从{IP_ADDRESS}登录了我的邮箱，我怕是前任。",
            "我爸查了路由器记录，看到我的电脑（{IP_ADDRESS}）半夜还在线。",
            "游戏把我的IP {IP_ADDRESS} 封了，那是我唯一有朋友的地方。",
        ),
    },
    subreddits=("r/China_irl", "r/China", "r/taiwan", "r/lonely"),
    sep="",
)

TEMPLATES: dict[str, _Templates] = {"en": _EN, "de": _DE, "ar": _AR, "he": _HE, "zh": _ZH}

# Names of other cultures in Latin script, as they appear in English and German posts.
_LATIN_NAMES = {
    "f": (
        "Fatima Haddad",
        "Noa Levi",
        "Layla Nasser",
        "Miriam Goldberg",
        "Mei Lin",
        "Yasmin Khalil",
        "Shira Cohen",
        "Zhang Min",
        "Aylin Yilmaz",
        "Chen Jing",
    ),
    "m": (
        "Yossi Cohen",
        "Ahmed Mansour",
        "Omar Haddad",
        "Avi Friedman",
        "Wang Lei",
        "Li Wei",
        "Karim Saleh",
        "Moshe Katz",
        "Zhang Wei",
        "Itai Ben-David",
    ),
}
_SLUG_WORDS = (
    "i",
    "feel",
    "so",
    "alone",
    "my",
    "parents",
    "exams",
    "work",
    "burnout",
    "family",
    "pressure",
    "lonely",
    "tired",
    "need",
    "advice",
    "cant",
    "sleep",
    "anymore",
    "help",
)
_PATH_WORDS = (
    "help",
    "resources",
    "blog",
    "mental-health",
    "support",
    "loneliness",
    "counselling",
    "posts",
    "students",
    "wellbeing",
    "article",
    "stories",
)
_HANDLE_ADJ = ("quiet", "sad", "tired", "lost", "sleepy", "grey", "little", "lonely")
_HANDLE_NOUN = ("owl", "panda", "cloud", "fox", "moon", "rain", "tea", "sparrow")
_ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


class _Planter:
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
            name = rng.choice(_LATIN_NAMES[gender])
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
        """A name in one of the hard forms of `curate.deid.evalhard` (see its markup)."""
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
        path = "/".join(rng.sample(_PATH_WORDS, rng.randint(1, 3)))
        if kind == "reddit":
            sub = rng.choice(TEMPLATES[self.language].subreddits)
            post = "".join(rng.choice("0123456789abcdefghijklmnopqrstuvwxyz") for _ in range(7))
            slug = "_".join(rng.sample(_SLUG_WORDS, rng.randint(3, 6)))
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
                f"{rng.choice(_HANDLE_ADJ)}_{rng.choice(_HANDLE_NOUN)}_{rng.randint(10, 99)}",
            )
        )
        if self.hard and rng.random() < 0.5:
            adj, noun = rng.choice(_HANDLE_ADJ), rng.choice(_HANDLE_NOUN)
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


def _phone_en(p: _Planter) -> str:
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


def _phone_de(p: _Planter) -> str:
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


def _phone_ar(p: _Planter) -> str:
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


def _phone_he(p: _Planter) -> str:
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


def _phone_zh(p: _Planter) -> str:
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


_PHONES: dict[str, Callable[[_Planter], str]] = {
    "en": _phone_en,
    "de": _phone_de,
    "ar": _phone_ar,
    "he": _phone_he,
    "zh": _phone_zh,
}

_Span = tuple[int, int, str, bool, str | None]  # start, end, type, is_keep, style
_Part = tuple[str, list[_Span]]


def _render(template: str, planter: _Planter, style: str | None = None) -> _Part:
    """Fill one template; spans are relative to the returned sentence. Its names get
    `style`."""
    out: list[str] = []
    spans: list[_Span] = []
    pos = cursor = 0
    for match in _MARK.finditer(template):
        literal = template[cursor : match.start()]
        out.append(literal)
        pos += len(literal)
        if match["slot"]:
            slot = match["slot"]
            value = planter.fill(slot, match["variant"])
            is_keep = slot in KEEP_TYPES
        else:
            slot, value, is_keep = match["ktype"], match["ktext"], True
        if slot not in ENTITY_TYPES + KEEP_TYPES:
            raise ValueError(f"unknown slot {slot!r} in {template!r}")
        out.append(value)
        spans.append((pos, pos + len(value), slot, is_keep, style if slot == "PERSON" else None))
        pos += len(value)
        cursor = match.end()
    out.append(template[cursor:])
    return "".join(out), spans


def strip_markup(template: str) -> str:
    """Template text outside placeholders and keep markup (what must hold no identifiers)."""
    return _MARK.sub(" ", template)


_HAN = re.compile(r"[\u4e00-\u9fff]")
_LATIN_RUN = re.compile(r"[!-~]+")


def word_count(text: str, language: str) -> int:
    """Whitespace words; for Chinese, two Han characters count as one word."""
    if language == "zh":
        return len(_HAN.findall(text)) // 2 + len(_LATIN_RUN.findall(text))
    return len(text.split())


def _build_doc(
    doc_id: str, language: str, planter: _Planter, kinds: Sequence[str], index: int = 0
) -> EvalDoc:
    rng, t = planter.rng, TEMPLATES[language]
    opener = rng.choice(t.openers)
    if rng.random() < _EMOJI_RATE:  # before every entity, so offsets must count code points
        opener += (" " if t.sep else "") + rng.choice(EMOJI)
    culture = rng.sample(t.culture, 2)
    person = rng.choice(t.slots["PERSON"])
    body_templates = [culture[0], person]
    body_templates += [rng.choice(t.slots[kind]) for kind in kinds]
    styles: dict[str, str] = {}  # PERSON template -> the style of its names
    doc_culture = None
    if planter.hard:
        # one hard name per post, its style in turn; it replaces the easy one in 60 % of
        # posts and joins it in the rest. One public name, of the post's culture.
        hard = HARD[language]
        style = list(hard.people)[index % len(hard.people)]
        hard_person = rng.choice(hard.people[style])
        styles = {person: "plain", hard_person: style}
        if rng.random() < 0.6:
            body_templates[1] = hard_person
        else:
            body_templates.append(hard_person)
        doc_culture = hard.cultures[index % len(hard.cultures)]
        body_templates.append(
            rng.choice(hard.public.get(doc_culture, ()) + hard.public.get("all", ()))
        )
    if rng.random() < 0.3:
        body_templates.append(culture[1])
    rng.shuffle(body_templates)
    body = [_render(x, planter, styles.get(x)) for x in body_templates]
    closer = rng.choice(t.closers)

    def total(parts: list[_Part]) -> int:
        return word_count(" ".join(s for s, _ in parts) + f" {opener} {closer}", language)

    target = rng.randint(_MIN_WORDS + 10, _MAX_WORDS - 30)
    fillers = rng.sample(t.fillers, len(t.fillers))
    first_hard = None
    if planter.hard:  # one informal, dialect or mixed-language filler in every post
        fillers = rng.sample(fillers + list(HARD[language].fillers), len(fillers) + 2)
        first_hard = rng.choice(HARD[language].fillers)
        fillers = [first_hard, *(f for f in fillers if f != first_hard)]
    for filler in fillers:
        if total(body) >= target and filler is not first_hard:
            break
        candidate: _Part = (filler, [])
        if total([*body, candidate]) <= _MAX_WORDS:
            body.insert(rng.randint(0, len(body)), candidate)

    paragraphs: list[list[_Part]] = [[(opener, [])], body, [(closer, [])]]
    text = ""
    entities: list[Entity] = []
    keep: list[Entity] = []
    for p_index, paragraph in enumerate(paragraphs):
        if p_index:
            text += "\n\n"
        for s_index, (sentence, spans) in enumerate(paragraph):
            if s_index:
                text += t.sep
            base = len(text)
            text += sentence
            for start, end, kind, is_keep, style in spans:
                span = Entity(base + start, base + end, kind, sentence[start:end], style)
                (keep if is_keep else entities).append(span)
    return EvalDoc(doc_id, language, text, tuple(entities), tuple(keep), doc_culture)


def build_corpus(
    per_language: int = 40,
    seed: int = 13,
    languages: Sequence[str] = LANGUAGES,
    hard: bool = True,
) -> list[EvalDoc]:
    """`per_language` labelled posts per language, identical for identical arguments.
    `hard=False`: the template-only corpus (easy names, no public names)."""
    others = [kind for kind in ENTITY_TYPES if kind != "PERSON"]
    docs: list[EvalDoc] = []
    for language in languages:
        if language not in TEMPLATES:
            raise ValueError(f"unsupported language {language!r}; have {sorted(TEMPLATES)}")
        # One stream per language (seeded from `seed`), so a language's docs do not depend
        # on which other languages were asked for.
        planter = _Planter(language, random.Random(f"{seed}:{language}"), seed, hard)
        cursor = 0
        for index in range(per_language):
            # Round-robin over the non-name types: every type appears in any ~3 docs.
            n = 2 + index % 2
            kinds = [others[(cursor + j) % len(others)] for j in range(n)]
            cursor += n
            docs.append(_build_doc(f"{language}-{index:03d}", language, planter, kinds, index))
    return docs


def _span_json(span: Entity) -> dict[str, int | str]:
    out: dict[str, int | str] = {
        "start": span.start,
        "end": span.end,
        "type": span.type,
        "text": span.text,
    }
    if span.style:
        out["style"] = span.style
    return out


def write_jsonl(docs: Iterable[EvalDoc], path: str | Path) -> None:
    """One JSON object per line, UTF-8 unescaped, so the file reads like the posts."""
    with Path(path).open("w", encoding="utf-8", newline="\n") as fh:
        for doc in docs:
            record = {
                "id": doc.id,
                "language": doc.language,
                "text": doc.text,
                "entities": [_span_json(e) for e in doc.entities],
                "keep": [_span_json(e) for e in doc.keep],
            }
            if doc.culture:
                record["culture"] = doc.culture
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


def read_jsonl(path: str | Path) -> list[EvalDoc]:
    """Inverse of `write_jsonl`; raises ValueError if any span's offsets do not match."""
    docs: list[EvalDoc] = []
    with Path(path).open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            obj = json.loads(line)
            docs.append(
                EvalDoc(
                    id=obj["id"],
                    language=obj["language"],
                    text=obj["text"],
                    entities=tuple(Entity(**e) for e in obj["entities"]),
                    keep=tuple(Entity(**e) for e in obj["keep"]),
                    culture=obj.get("culture"),
                )
            )
    return docs


def type_counts(docs: Iterable[EvalDoc]) -> dict[str, Counter[str]]:
    """Entity counts per language and type, for reports and coverage checks."""
    counts: dict[str, Counter[str]] = {}
    for doc in docs:
        counts.setdefault(doc.language, Counter()).update(e.type for e in doc.entities)
    return counts
