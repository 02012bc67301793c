"""The harder half of the synthetic eval corpus: text written the way real posts are.

Why: planted names in tidy template sentences ("My best friend Anna Weber ...") are what
every detector catches; real posts write "talked to sarah yesterday", "Basti", "J.",
"وأحمد", "ליוסי", "小王", "Dr. Weber", switch to English in the middle of an Arabic post,
and mention public names (King David, Confucius, Tavor, Netflix, حبة البركة) that must
stay. These templates hold such cases, grouped by the *style* that makes them hard, so
recall can be read per style. All sentences are written for this corpus.

Markup is the corpus's own (`curate.deid.evalcorpus`): `{PERSON:<tokens>}` plants a name,
the tokens joined by `_`: `m`/`f` (gender), `lower` (lower-cased), `nick` (a nickname,
kunya or diminutive), `initial` (one letter), `first`/`last` (given or family name
only), `latin` (a Latin-script name as people of that language write it in Latin
letters), `english` (an English name). `[[PUBLIC|text]]` is a public name to keep.
"""

from __future__ import annotations

from dataclasses import dataclass


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


# Surnames for Latin-script names of people from Arabic, Hebrew and Chinese posts.
_AR_LATIN_LAST = ("Haddad", "Mansour", "Saleh", "Nasser", "El-Sayed", "Khoury", "Hamdan")
_HE_LATIN_LAST = ("Levi", "Mizrahi", "Peretz", "Biton", "Friedman", "Azoulay", "Shapiro")

EN = Hard(
    people={
        "lower": (
            "talked to {PERSON:lower_f} yesterday and she said i'm overthinking it.",
            "honestly {PERSON:lower_m} is the only one who gets it, idk what i'd do without him.",
            "me and {PERSON:lower} used to study together every night but that stopped.",
            "went to the mall with {PERSON:lower_f} and her mom and felt like a third wheel"
            " the whole time.",
        ),
        "nickname": (
            "My roommate {PERSON:nick_m} keeps saying I should just go out more.",
            "{PERSON:nick_f} from work noticed I was crying in the bathroom.",
            "Only {PERSON:nick_f} knows about any of this, and she promised not to tell.",
            "my little brother {PERSON:nick_m} asked me why I don't laugh anymore.",
        ),
        "initial": (
            "My friend {PERSON:initial_f} keeps inviting me out and I keep making excuses.",
            "My ex, {PERSON:initial_m}, still texts me on holidays.",
            "A girl from my class ({PERSON:initial_f}) sat with me at lunch today, which was nice.",
        ),
        "title": (
            "My therapist, Dr. {PERSON:last}, thinks I should try medication.",
            "Mrs. {PERSON:last} from next door brought soup when I was sick.",
            "Our school counselor Mr. {PERSON:last} called my parents without asking me.",
            "I finally told Prof. {PERSON:last} that I'm struggling and she gave me an extension.",
        ),
        "vocative": (
            "{PERSON:f}, if you somehow read this, I'm sorry for everything.",
            "{PERSON:m} said he'd call back and that was three weeks ago.",
            "I spent the weekend at {PERSON:f}'s place because I couldn't be home.",
            "Thank you {PERSON:m} for sitting with me in the ER, you have no idea.",
        ),
        "other_culture": (
            "My study partner {PERSON:latin_m} noticed I stopped coming to the evening classes.",
            "{PERSON:latin_f} from the mosque keeps checking on me after Friday prayers.",
            "my aunt {PERSON:lower_latin_f} says i should just pray more.",
            "My lab partner {PERSON:latin_m} is the only one I can speak Mandarin with.",
        ),
    },
    public={
        "Jewish": (
            "I've been reading [[PUBLIC|Rebbe Nachman]] at night and it helps a little.",
            "Our rabbi keeps telling me that even [[PUBLIC|King David]] had dark nights.",
            "[[PUBLIC|Maimonides]] wrote about the middle path and I wish I could find it.",
        ),
        "Arabic": (
            "I've been reading [[PUBLIC|Rumi]] before bed because it calms me down.",
            "My mom plays [[PUBLIC|Umm Kulthum]] all evening and it makes me homesick.",
            "My dad quotes [[PUBLIC|Imam Ali]] every time I complain about anything.",
        ),
        "Chinese": (
            "My dad keeps quoting [[PUBLIC|Confucius]] about respecting your parents.",
            "We had to memorise [[PUBLIC|Li Bai]] poems as kids and I still know them.",
            "I read [[PUBLIC|Lu Xun]] in high school and only now do I get it.",
        ),
        "German": (
            "My doctor in Munich gave me [[PUBLIC|Tavor]] for panic attacks.",
            "My host mom reads [[PUBLIC|Goethe]] to her kids and I feel so out of place.",
        ),
        "all": (
            "I've been binging [[PUBLIC|Netflix]] all weekend so I don't have to think.",
            "My doctor put me on [[PUBLIC|Zoloft]] last month and I feel kind of numb.",
            "Listening to [[PUBLIC|Taylor Swift]] on repeat is the only thing that helps.",
            "I deleted [[PUBLIC|Instagram]] because everyone there looks so happy.",
        ),
    },
    fillers=(
        "idk anymore tbh, everything just feels heavy.",
        "ngl i cried in the shower again today lol.",
        "i keep telling myself next week will be better but it never is.",
        "Sorry for any typos, I'm writing this on my phone at 3am.",
    ),
    cultures=("Jewish", "Arabic", "Chinese", "German"),
    nicknames={
        "m": ("Jonny", "Mikey", "Danny", "Tommy", "Nate", "Robbie", "Benji", "Zach"),
        "f": ("Becca", "Katie", "Lizzie", "Jess", "Abby", "Chrissy", "Meg", "Bex"),
    },
    latin={
        "m": ("Yossi", "Ahmed", "Omar", "Avi", "Wang Lei", "Karim Saleh", "Moshe", "Jun"),
        "f": ("Fatima", "Noa", "Layla Nasser", "Miriam", "Mei", "Yasmin", "Shira", "Xiu"),
    },
)

DE = Hard(
    people={
        "lower": (
            "hab grad mit {PERSON:lower_m} telefoniert, der checkt halt gar nix.",
            "gestern war {PERSON:lower_f} da und hat nur über ihren neuen freund geredet.",
            "ich und {PERSON:lower} waren früher unzertrennlich, jetzt schreiben wir kaum noch.",
            "hab {PERSON:lower_f} gefragt ob sie mitkommt aber sie hatte mal wieder keine zeit.",
        ),
        "nickname": (
            "Mein Kumpel {PERSON:nick_m} meint, ich soll mich nicht so anstellen.",
            "{PERSON:nick_f} aus meinem Semester hat gemerkt, dass es mir nicht gut geht.",
            "Nur {PERSON:nick_f} weiß davon, und die hat versprochen, nichts zu sagen.",
            "Mein kleiner Bruder {PERSON:nick_m} hat gefragt, warum ich nicht mehr lache.",
        ),
        "initial": (
            "Meine Freundin {PERSON:initial_f} will ständig was unternehmen, aber ich sage"
            " immer ab.",
            "Mein Ex {PERSON:initial_m} schreibt mir an Feiertagen immer noch.",
            "Eine aus meiner WG ({PERSON:initial_f}) hat mir heute Tee gekocht.",
        ),
        "title": (
            "Meine Therapeutin, Frau Dr. {PERSON:last}, meint, ich soll es mit Medikamenten"
            " versuchen.",
            "Frau {PERSON:last} von nebenan hat mir Suppe gebracht, als ich krank war.",
            "Herr {PERSON:last}, unser Vertrauenslehrer, hat meine Eltern angerufen, ohne"
            " mich zu fragen.",
            "Ich habe Prof. {PERSON:last} endlich gesagt, dass ich nicht mehr kann.",
        ),
        "english_quote": (
            "Meine Cousine hat nur geantwortet: ask {PERSON:english_m}, he knows a good therapist.",
            "Im Gruppenchat schrieb jemand: honestly {PERSON:english_f} is just like that,"
            " ignore her.",
            "Mein Mitbewohner aus Kanada meinte: {PERSON:english_m} went through the same"
            " thing last year.",
        ),
        "vocative": (
            "{PERSON:f}, falls du das liest: es tut mir leid.",
            "{PERSON:m} hat gesagt, er ruft zurück, das ist jetzt drei Wochen her.",
            "Das Wochenende war ich bei {PERSON:first_f}s Eltern, weil ich nicht nach Hause"
            " wollte.",
            "Danke {PERSON:m}, dass du mit mir in der Notaufnahme gewartet hast.",
        ),
    },
    public={
        "German": (
            "Mein Arzt hat mir [[PUBLIC|Tavor]] für Notfälle verschrieben.",
            "Seit zwei Monaten nehme ich [[PUBLIC|Sertralin]] und merke noch nichts.",
            "Meine Oma zitiert ständig [[PUBLIC|Goethe]], als ob das irgendwas lösen würde.",
            "In der Schule haben wir viel über [[PUBLIC|Martin Luther]] gelernt, aber nie"
            " über Gefühle.",
            "Schon [[PUBLIC|Konfuzius]] wusste angeblich, dass man seine Eltern ehren muss.",
            "Ich schaue nachts nur noch [[PUBLIC|Netflix]], damit ich nicht nachdenke.",
            "Ich habe [[PUBLIC|Instagram]] gelöscht, weil dort alle so glücklich aussehen.",
        ),
    },
    fillers=(
        "ich kann einfach nicht mehr, echt jetzt.",
        "Keine Ahnung, ob das hier überhaupt jemand liest, aber egal.",
        "Sorry für die Rechtschreibung, bin am Handy.",
        "Manchmal denke ich auf Englisch, sorry: I just feel so done with everything.",
    ),
    cultures=("German",),
    nicknames={
        "m": ("Basti", "Flo", "Benni", "Tobi", "Andi", "Maxi", "Hansi", "Jonny"),
        "f": ("Sanne", "Steffi", "Kathi", "Jule", "Conny", "Resi", "Babsi", "Susi"),
    },
    latin={
        "m": ("Yossi", "Ahmed", "Omar", "Avi", "Wang Lei", "Karim Saleh", "Moshe", "Jun"),
        "f": ("Fatima", "Noa", "Layla Nasser", "Miriam", "Mei", "Yasmin", "Shira", "Xiu"),
    },
)

AR = Hard(
    people={
        "nickname": (
            "{PERSON:nick_m} جارنا هو الوحيد اللي بيسأل عليّ.",
            "حكيت مع {PERSON:nick_f} بس ما فهمتني.",
            "صاحبي {PERSON:nick_m} قال لي إن الموضوع مش مستاهل.",
        ),
        "clitic": (
            "رحت أنا و{PERSON:first_m} على البحر بس ما قدرت أنبسط.",
            "قلت ل{PERSON:first_f} إني تعبانة وما ردت.",
            "اتصلت ب{PERSON:first_m} ثلاث مرات ولا رد.",
            "أمي و{PERSON:first_f} جارتنا بيتكلموا عني طول الوقت.",
        ),
        "title": (
            "الدكتور {PERSON:first_m} قال لي إن عندي اكتئاب خفيف.",
            "الأستاذة {PERSON:first_f} لاحظت إني مش مركزة في الحصة.",
            "المعالجة النفسية الدكتورة {PERSON:f} نصحتني أكتب مشاعري كل يوم.",
            "الحاج {PERSON:first_m} صاحب المحل بيسألني كل يوم عن أهلي.",
        ),
        "dialect": (
            "امبارح كلمت {PERSON:m} بس هو مش فاهم حاجة خالص.",
            "أنا بجد مش عارفة أعمل إيه، حتى {PERSON:f} زهقت مني.",
            "بدي احكي مع {PERSON:f} بس ما بعرف شو بدي قلها.",
            "هلق {PERSON:m} صار ما يرد عليّ، وأنا كتير زعلان.",
        ),
        "mixed_script": (
            "صاحبتي بعتت لي بالإنجليزي: my cousin {PERSON:latin_f} went through the same"
            " thing, talk to her.",
            "قال لي بالحرف: honestly just call {PERSON:latin_m} and stop overthinking.",
            "وبعدين {PERSON:latin_m} قال إن الموضوع عادي، يعني ما في داعي للزعل.",
        ),
    },
    public={
        "Arabic": (
            "جدتي تحلف إن [[PUBLIC|حبة البركة]] بتعالج كل شيء.",
            "أسمع [[PUBLIC|أم كلثوم]] كل ليلة وأبكي.",
            "قرأت شعر [[PUBLIC|محمود درويش]] وحسيت إنه بيتكلم عني.",
            "صوت [[PUBLIC|فيروز]] الصبح هو الشيء الوحيد اللي بيهديني.",
            "أبوي دايماً يستشهد بكلام [[PUBLIC|الإمام الشافعي]] عن الصبر.",
            "سهرت على [[PUBLIC|نتفليكس]] لحد الفجر عشان ما أفكر.",
            "قرأت عن [[PUBLIC|ابن سينا]] وكيف كان يعالج الحزن بالموسيقى.",
        ),
    },
    fillers=(
        "والله تعبت، مش قادرة أكمل كده.",
        "شو بدي أعمل؟ كل يوم نفس القصة.",
        "sorry for my english بس ما بعرف أكتب بالعربي منيح.",
        "يعني عادي، بس أنا مخنوقة أوي.",
    ),
    cultures=("Arabic",),
    nicknames={
        "m": ("أبو علي", "أبو خالد", "أبو سمير", "حمودة", "ميدو", "زيزو", "أبو يوسف"),
        "f": ("أم أحمد", "أم سامي", "سوسو", "لولو", "نونا", "ديدي", "أم كريم"),
    },
    latin={
        "m": ("Ahmed", "Omar", "Khaled", "Youssef", "Tarek", "Karim", "Mostafa", "Hamza"),
        "f": ("Nour", "Yasmin", "Salma", "Rania", "Hana", "Mariam", "Layla", "Dina"),
        "last": _AR_LATIN_LAST,
    },
)

HE = Hard(
    people={
        "nickname": (
            "{PERSON:nick_m} מהעבודה שם לב שבכיתי בשירותים.",
            "רק {PERSON:nick_f} יודעת על כל זה, והיא הבטיחה לא לספר.",
            "השותף שלי {PERSON:nick_m} אומר שאני צריך לצאת יותר.",
        ),
        "clitic": (
            "אמרתי ל{PERSON:first_f} שאני לא מרגישה טוב והיא לא ענתה.",
            "אני ו{PERSON:first_m} היינו חברים הכי טובים בתיכון.",
            "שמעתי מ{PERSON:first_f} שכולם מדברים עליי.",
            "כש{PERSON:first_m} עזב את הבית הכול התפרק.",
            "אמא אמרה ש{PERSON:first_m} שוב לא הגיע לארוחה.",
        ),
        "title": (
            "ד״ר {PERSON:last} אמרה שאולי כדאי לנסות תרופות.",
            "המורה {PERSON:first_f} שמה לב שאני לא מרוכזת בשיעור.",
            "העובדת הסוציאלית, {PERSON:f}, התקשרה להורים שלי בלי לשאול אותי.",
        ),
        "initial": (
            "החברה שלי {PERSON:initial_f} כל הזמן מזמינה אותי לצאת ואני מתחמקת.",
            "האקס שלי, {PERSON:initial_m}, עדיין שולח לי הודעות בחגים.",
        ),
        "slang": (
            "אחי, {PERSON:m} פשוט לא קולט כמה זה קשה לי.",
            "וואלה {PERSON:f} חפרה לי שעה ובסוף לא אמרה כלום.",
            "יאללה, {PERSON:m} שוב ביטל ברגע האחרון.",
        ),
        "mixed_script": (
            "ואז היא כתבה לי באנגלית: just ask {PERSON:latin_m}, he knows someone good.",
            "דיברתי עם {PERSON:latin_f} מהקורס באנגלית כי היא לא יודעת עברית.",
        ),
    },
    public={
        "Jewish": (
            "[[PUBLIC|רבי נחמן]] כתב שאסור להתייאש, אבל אני לא מצליח.",
            "קראתי תהילים של [[PUBLIC|דוד המלך]] כל הלילה.",
            "[[PUBLIC|הרמב״ם]] כותב על דרך האמצע, ואני תמיד בקצוות.",
            "ראיתי סדרה ב[[PUBLIC|נטפליקס]] עד שלוש בלילה.",
            "הרופאה נתנה לי [[PUBLIC|ציפרלקס]] ואני עוד לא מרגישה הבדל.",
            "שמתי [[PUBLIC|עומר אדם]] באוזניות והלכתי לים לבד.",
            "סבא שלי תמיד מספר על [[PUBLIC|משה רבנו]] שגם לו היה קשה לדבר.",
        ),
    },
    fillers=(
        "סורי על העברית, אני לא כותבת טוב.",
        "ואללה אין לי כוח לכלום.",
        "like seriously, אני כבר לא יודעת מה לעשות.",
    ),
    cultures=("Jewish",),
    nicknames={
        "m": ("יוסי", "מושיקו", "קובי", "שוקי", "דודו", "איציק", "מוטי", "אבי"),
        "f": ("שירלי", "ציפי", "מיכי", "שולי", "רוני", "פזית", "אתי", "סיגי"),
    },
    latin={
        "m": ("Itai", "Omer", "Eyal", "Yoni", "Gil", "Amit", "Josh", "Daniel"),
        "f": ("Noa", "Yael", "Tamar", "Dana", "Shira", "Maya", "Sarah", "Rachel"),
        "last": _HE_LATIN_LAST,
    },
)

ZH = Hard(
    people={
        "nickname": (
            "我室友{PERSON:nick_m}一直劝我多出去走走。",
            "只有{PERSON:nick_f}知道这件事，她答应不说出去。",
            "{PERSON:nick_m}今天在食堂问我最近怎么瘦了。",
        ),
        "title": (
            "{PERSON:last}老师把我叫到办公室，问我是不是家里出了事。",
            "心理咨询中心的{PERSON:last}医生建议我试试吃药。",
            "我们部门的{PERSON:last}总当着大家的面骂我。",
            "楼下的{PERSON:last}阿姨给我送了一碗汤。",
        ),
        "given_only": (
            "{PERSON:first_f}昨天给我发消息说她也很难受。",
            "我跟{PERSON:first_m}说了我的情况，他沉默了很久。",
            "前几天和{PERSON:first_f}一起吃饭，她一直在看手机。",
        ),
        "latin": (
            "我的同事{PERSON:latin_f}是唯一会问我累不累的人。",
            "和{PERSON:latin_m}吵架以后我们就再也没说过话。",
            "我跟室友{PERSON:latin_f}说了，她说我想太多。",
        ),
        "mixed_script": (
            "她回了我一句 honestly {PERSON:english_f} is the only one who can help you，我也"
            "不知道什么意思。",
            "群里有人说 just talk to {PERSON:english_m}，可是我根本不认识他。",
        ),
        "initial": (
            "我室友{PERSON:initial}最近也在准备考研，我们都快撑不住了。",
            "上次{PERSON:initial}同学借了我的笔记，到现在都没还。",
        ),
        "slang": (
            "家人们谁懂啊，{PERSON:m}又放我鸽子了。",
            "绝了，{PERSON:f}居然把我的事告诉了全班。",
        ),
    },
    public={
        "Chinese": (
            "我爸总是拿[[PUBLIC|孔子]]的话教育我要孝顺。",
            "小时候背了很多[[PUBLIC|李白]]的诗，现在一句都想不起来。",
            "我最近在读[[PUBLIC|鲁迅]]的小说，越读越难过。",
            "我每天晚上都刷[[PUBLIC|抖音]]到两三点。",
            "我在[[PUBLIC|微信]]上跟妈妈说了，她没回。",
            "睡前翻了几页[[PUBLIC|老子]]的书，心里稍微平静了一点。",
            "医生给我开了[[PUBLIC|舍曲林]]，吃了两周还是睡不好。",
        ),
    },
    fillers=(
        "真的好累，不想说话。",
        "我也不知道为啥，就是emo了。",
        "sorry 打字有点乱，用手机写的。",
    ),
    cultures=("Chinese",),
    nicknames={"prefix": ("小", "老", "阿")},
    latin={
        "m": ("Kevin", "Jason", "Tony", "Eric", "Leo", "Zhang Wei", "Chen Hao", "Andy"),
        "f": ("Emily", "Cindy", "Vivian", "Amy", "Jessica", "Li Na", "Wang Fang", "Coco"),
    },
)

HARD: dict[str, Hard] = {"en": EN, "de": DE, "ar": AR, "he": HE, "zh": ZH}

# English first names, for English quoted inside German and Chinese posts.
ENGLISH = {
    "m": ("Mike", "Tyler", "Ryan", "Chris", "Josh", "Kyle", "Brandon", "Jake"),
    "f": ("Jess", "Ashley", "Megan", "Kayla", "Lauren", "Brittany", "Hannah", "Emma"),
}
