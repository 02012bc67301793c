"""A deterministic generator of a small SYNTHETIC Reddit corpus for demos and tests.

Why it exists: the real CultureCare sources are Reddit dumps that cannot be shipped, but
every stage (ingest, culture mapping, dedup, de-identification, response choice) needs a
realistic input to run end to end. This module writes two Pushshift / Arctic Shift style
files (`RS_demo.zst` submissions, `RC_demo.zst` comments: zstandard-compressed NDJSON)
plus `pii_truth.jsonl`, the ground truth of every planted personal identifier, so that the
de-identification stage can be scored against it.

All text is hand-written template sentences combined by a seeded RNG: no real Reddit
text, no real people. Output is byte-for-byte reproducible for the same arguments (no
clock, no Faker, sorted JSON keys, fixed zstd level), so the committed `demo/reddit/`
files can be checked by regenerating them.

Regenerate with: python -m curate.demo demo (also writes demo/careless/, hostile input:
`curate.demo_careless`)
"""

from __future__ import annotations

import argparse
import json
import random
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import zstandard

ZSTD_LEVEL = 19
EPOCH_START = 1640995200  # 2022-01-01T00:00:00Z; posts fall within the following year
YEAR = 365 * 86400

Piece = tuple[str, str | None]  # (text, PII type or None for plain text)

# ---------------------------------------------------------------------------------------
# Planted identifiers. All fictional: example.* domains (RFC 2606), documentation IP
# ranges (RFC 5737), 555 numbers; other numbers are well-known placeholder patterns.
# ---------------------------------------------------------------------------------------
CULTURES = ("German", "Arabic", "Chinese", "Jewish")
NATIVE_LANG = {"German": "de", "Arabic": "ar", "Chinese": "zh", "Jewish": "he"}
CULTURE_SUBS = {
    "German": ["de", "germany"],
    "Arabic": ["arabs", "egypt"],
    "Chinese": ["china", "taiwan"],
    "Jewish": ["judaism", "jewish", "israel"],
}
DISTRESS_SUBS = ["depression", "anxiety", "offmychest", "lonely", "mentalhealth"]
PEOPLE = {  # (women, men): Latin script first, then native script where the language has one
    "German": (["Lena Schmidt", "Katrin Hoffmann"], ["Jonas Weber", "Matthias Becker"]),
    "Arabic": (
        ["Fatima Al-Sayed", "Layla Mansour", "فاطمة السيد", "ليلى منصور"],
        ["Omar Haddad", "Youssef Nasser", "عمر حداد"],
    ),
    "Chinese": (["Chen Jing", "Wang Fang", "陈静", "王芳"], ["Li Wei", "Zhang Wei", "李伟"]),
    "Jewish": (
        ["Miriam Levi", "Noa Friedman", "מרים לוי", "נועה פרידמן"],
        ["Yossi Cohen", "David Katz", "יוסי כהן"],
    ),
}
EMAILS = {
    "German": ["jonas.weber@example.de", "lena.schmidt87@example.com"],
    "Arabic": ["fatima.alsayed@example.com", "omar.haddad@example.net"],
    "Chinese": ["liwei88@example.cn", "zhang.min@example.com"],
    "Jewish": ["yossi.cohen@example.co.il", "miriam.levi@example.org"],
}
PHONES = {  # international and local formats
    "German": ["+49 151 23456789", "0151 2345678", "+49 30 12345678"],
    "Arabic": ["+20 10 1234 5678", "+966 50 123 4567", "010 1234 5678"],
    "Chinese": ["+86 138 0013 8000", "138 0013 8000", "+886 912 345 678"],
    "Jewish": ["+972-52-123-4567", "052-123-4567"],
}
HOTLINES = ["(555) 123-4567", "555-867-5309"]
HANDLES = ["quiet_owl_22", "sunflower_days", "mira_writes", "throwaway_4471", "paper_cranes_17"]
URLS = [
    "https://example.org/support/peer-groups",
    "https://example.org/blog/2021/how-i-got-through",
    "https://example.org/resources?lang=de",
    "https://www.reddit.com/r/lonely/comments/d3m9zz/you_are_not_alone/",
    "https://old.reddit.com/r/mentalhealth/wiki/index",
]
IPS = ["192.0.2.146", "203.0.113.77"]
SLOT_TYPES = {
    "person": "PERSON",
    "her": "PERSON",
    "him": "PERSON",
    "email": "EMAIL_ADDRESS",
    "phone": "PHONE_NUMBER",
    "hotline": "PHONE_NUMBER",
    "user": "REDDIT_USERNAME",
    "url": "URL",
    "ip": "IP_ADDRESS",
}

# ---------------------------------------------------------------------------------------
# Templates. Every opener holds a default distress keyword as a whole word (culture
# subreddits need one); every English cue holds a keyword of its culture only (distress
# subreddits need exactly one culture). CJK keywords sit between punctuation, since a
# word-boundary match fails inside a run of CJK characters.
# ---------------------------------------------------------------------------------------
T: dict[str, dict[str, list[str]]] = {
    "en": {
        "title": [
            "I feel so lonely and I don't know who to talk to",
            "Overwhelmed and tired of pretending I'm fine",
            "Can't stop feeling anxious about my family's expectations",
            "Is it normal to feel this hopeless at 24?",
            "Struggling after moving away from home",
            "I cried in the car again today 😔",
            "Feeling like a disappointment to my parents",
            "My best friend {person} is the only one who knows how bad it is",
        ],
        "open": [
            "I don't really know how to start this, but I have been feeling so lonely "
            "for months now.",
            "Lately I wake up anxious every single morning and my chest feels tight before "
            "I even open my eyes.",
            "I'm overwhelmed all the time and I can't remember the last time I felt okay.",
            "For the past year I have been depressed and most days I just go through the motions.",
            "I feel hopeless and stuck, like nothing I do is ever going to be enough.",
            "I'm so stressed that I've stopped sleeping properly and I keep crying over "
            "small things.",
        ],
        "detail": [
            "I smile at work and then come home and stare at the wall for hours.",
            "My friends think I'm fine because I'm good at hiding it.",
            "I keep replaying every mistake I've made and the guilt just sits in my stomach.",
            "Some nights I don't eat because I simply can't be bothered.",
            "I tried journaling but every page ends up being the same sad paragraph.",
            "It feels like everyone around me has a plan and I'm just drifting.",
            "My therapist moved away last spring and I never found a new one.",
        ],
        "pii": [
            "My older cousin {her} is the only one I can talk to, but she lives far away now.",
            "I even wrote to a counselor at {email} but I haven't heard back.",
            "If anyone here wants to talk, my number is {phone}, I mean it.",
            "My friend {person} gave me a hotline number, {hotline}, but I'm too scared to call.",
            "I posted about this before as {user} but deleted it because I panicked.",
            "Someone linked me {url} and I read it three times.",
            "My roommate {him} noticed I stopped eating, and I lied to his face about it.",
        ],
        "close": [
            "Sorry for the long post, I just needed to say it somewhere.",
            "I don't even know what I'm asking for. Thanks for reading 🙏",
            "Has anyone felt like this and gotten through it?",
            "Thanks for reading. I feel a bit lighter just typing this out 😔",
        ],
        "r_open": [
            "I'm really sorry you're carrying all of this.",
            "Thank you for trusting us with this, it takes courage to write it down.",
            "What you're feeling makes so much sense given everything you describe.",
        ],
        "r_mid": [
            "You are not a disappointment, you are a person who is exhausted and hurting.",
            "It might help to tell one safe person, even just a little, instead of holding "
            "it all inside.",
            "Small steps count: a walk, a glass of water, one honest text to a friend.",
            "If it ever feels like too much, please contact a local crisis line or a doctor.",
            "Your worth is not measured by grades, jobs or what your relatives say at dinner.",
        ],
        "r_pii": [
            "My cousin {her} went through something similar and is happy to chat, you can "
            "email her at {email} anytime.",
            "There's a free support group listed at {url} and it helped me a lot.",
            "Feel free to DM me or {user}, we both check messages daily.",
            "When I was in a bad place I called {hotline} and the person there was kind.",
        ],
        "r_close": [
            "Sending you a big hug 🫂",
            "You deserve support, please keep reaching out. 💙",
            "Rooting for you, truly.",
        ],
        "reply": [
            "This. Exactly this.",
            "Same here, you're not alone in this.",
            "+1, please reach out to someone today.",
        ],
        "op": [
            "Thank you, this really means a lot to me 🙏",
            "I didn't expect anyone to answer. Thank you for being kind.",
        ],
    },
    "de": {
        "title": [
            "Ich fühle mich so einsam",
            "Alles wird mir zu viel",
            "Angst vor der Zukunft nach dem Abitur",
            "Keiner versteht mich 😔",
        ],
        "open": [
            "Ich weiß nicht, wem ich das sonst erzählen soll, aber ich bin seit Monaten einsam.",
            "Jeden Morgen wache ich mit Angst auf und mein Herz rast, bevor ich überhaupt "
            "aufstehe.",
            "Ich bin völlig überfordert und weiß nicht mehr, wie es weitergehen soll.",
            "Ich bin so traurig, dass ich abends einfach nur noch weine.",
        ],
        "cue": [
            "Meine Eltern erwarten, dass ich meine Ausbildung durchziehe und mich nicht beschwere.",
            "Seit dem Abitur habe ich das Gefühl, dass alle anderen einen Plan haben, nur "
            "ich nicht.",
            "Beim Sonntagskaffee bei meiner Oma tue ich so, als wäre alles in Ordnung.",
            "In meiner Familie heißt es immer: Reiß dich zusammen, Gefühle zeigt man nicht.",
            "Ich bin für das Studium nach Berlin gezogen und kenne hier fast niemanden.",
        ],
        "detail": [
            "Auf der Arbeit lächle ich, und zu Hause starre ich stundenlang an die Decke.",
            "Meine Freunde denken, mir geht es gut, weil ich es gut verstecke.",
            "Ich schlafe kaum noch und grüble jede Nacht über jeden Fehler.",
        ],
        "pii": [
            "Meine Schwester {her} ist die Einzige, mit der ich rede, aber sie wohnt jetzt "
            "in einer anderen Stadt.",
            "Ich habe schon an {email} geschrieben, aber noch keine Antwort bekommen.",
            "Falls jemand reden möchte: {phone}, ich meine das ernst.",
            "Mein alter Account war {user}, aber den habe ich aus Scham gelöscht.",
            "Jemand hat mir {url} geschickt, das hat ein bisschen geholfen.",
        ],
        "close": [
            "Sorry für den langen Text, ich musste das einfach mal loswerden.",
            "Danke fürs Lesen 🙏",
            "Geht es jemandem ähnlich?",
        ],
        "r_open": [
            "Es tut mir so leid, dass es dir gerade so geht.",
            "Danke, dass du das hier geteilt hast, das braucht Mut.",
        ],
        "r_mid": [
            "Du bist keine Enttäuschung, du bist einfach erschöpft.",
            "Vielleicht hilft es, mit einer Vertrauensperson zu sprechen, auch wenn es nur "
            "ein kleiner Schritt ist.",
            "Die Telefonseelsorge ist rund um die Uhr erreichbar und anonym.",
            "Niemand muss alles alleine schaffen, auch du nicht.",
        ],
        "r_cue": [
            "Nach meinem Abitur ging es mir ähnlich, und heute bin ich froh, dass ich den "
            "Weg gewechselt habe.",
            "Eine Ausbildung abzubrechen ist kein Weltuntergang, egal was die Familie sagt.",
        ],
        "r_pii": [
            "Meine Freundin {her} arbeitet in einer Beratungsstelle, du erreichst sie "
            "unter {email} jederzeit.",
            "Schau mal hier: {url} – das hat mir geholfen.",
            "Schreib mir gern, ich bin {user} hier.",
        ],
        "r_close": ["Fühl dich gedrückt 🫂", "Du schaffst das, Schritt für Schritt. 💙"],
        "reply": ["Genau so geht es mir auch.", "Danke, das hätte ich auch gebraucht."],
        "op": ["Danke, das bedeutet mir wirklich viel 🙏"],
    },
    "ar": {
        "title": [
            "أنا وحيد ولا أعرف مع من أتكلم",
            "أشعر أنني عبء على عائلتي 😔",
            "أنا قلق طوال الوقت",
        ],
        "open": [
            "لا أعرف كيف أبدأ، لكنني حزين منذ شهور ولا أحد يلاحظ.",
            "أنا قلق طوال الوقت، وقلبي يدق بسرعة قبل أن أفتح عيني في الصباح.",
            "أعاني من اكتئاب منذ سنة تقريبا وأصبحت الأيام كلها متشابهة.",
            "أشعر أنني وحيد حتى عندما أكون بين أهلي.",
        ],
        "cue": [
            "في رمضان من المفروض أن أشعر بالقرب من عائلتي، لكنني أجلس على مائدة الإفطار "
            "كأنني غريب.",
            "أنا البنت الكبرى، والكل ينتظر مني أن أكون قوية ولا أشتكي أبدا.",
            "أهلي يقولون إن العلاج النفسي للمجانين فقط، ولذلك لا أستطيع أن أخبرهم بشيء.",
            "في العيد يسألني الجميع متى سأتزوج، فأبتسم ثم أختبئ في غرفتي.",
            "أصلي وأدعو أن تتحسن الأمور، لكن أحيانا أشعر أن قلبي فارغ.",
        ],
        "detail": [
            "في العمل أبتسم، وفي البيت أبكي بصمت.",
            "أصدقائي يظنون أنني بخير لأنني أجيد التمثيل.",
            "لم أعد أنام جيدا، وأفكر في كل خطأ ارتكبته.",
        ],
        "pii": [
            "أختي {her} هي الوحيدة التي أتكلم معها، لكنها تعيش بعيدا الآن.",
            "راسلت مستشارة على {email} ولم ترد حتى الآن.",
            "إذا أراد أحد أن يتكلم معي، رقمي {phone} وأنا جاد.",
            "صديقي {him} هو الوحيد الذي يعرف، لكنه لا يعرف كيف يساعدني.",
            "حسابي القديم كان {user} لكنني حذفته من الخجل.",
        ],
        "close": [
            "آسف على الإطالة، كنت أحتاج أن أقولها لأحد.",
            "شكرا لمن قرأ 🙏",
            "هل مر أحد منكم بشيء مشابه؟",
        ],
        "r_open": ["أنا آسف جدا لما تمر به.", "شكرا لأنك شاركت هذا، هذا يحتاج إلى شجاعة."],
        "r_mid": [
            "أنت لست عبئا على أحد، أنت فقط متعب وتحتاج إلى راحة.",
            "ربما يساعدك أن تتكلم مع شخص تثق به، ولو قليلا.",
            "إذا أصبح الأمر أكثر من طاقتك، تواصل مع طبيب أو خط مساعدة.",
            "الخطوات الصغيرة مهمة: مشي قصير، كوب ماء، رسالة صادقة لصديق.",
        ],
        "r_cue": [
            "أعرف كيف يكون رمضان ثقيلا عندما يكون القلب متعبا، كن لطيفا مع نفسك.",
            "الدعاء جميل، لكن طلب المساعدة أيضا ليس ضعفا في الإيمان.",
        ],
        "r_pii": [
            "صديقتي {her} مرت بنفس التجربة، ويمكنك مراسلتها على {email} في أي وقت.",
            "هذا الرابط ساعدني كثيرا: {url} أتمنى أن يفيدك.",
        ],
        "r_close": ["أرسل لك حضنا كبيرا 🫂", "أنت تستحق الدعم 💙"],
        "reply": ["نفس الشيء معي تماما.", "كلام جميل، شكرا لك."],
        "op": ["شكرا لك، كلامك يعني لي الكثير 🙏"],
    },
    "he": {
        "title": [
            "אני מרגיש בודד ולא יודע עם מי לדבר",
            "יש לי חרדה כל הזמן 😔",
            "מרגישה שאני מאכזבת את ההורים",
        ],
        "open": [
            "אני לא יודע איך להתחיל, אבל כבר חודשים אני עצוב ואף אחד לא שם לב.",
            "יש לי חרדה כל בוקר, הלב דופק עוד לפני שאני פותח את העיניים.",
            "כבר שנה שאני מתמודד עם דיכאון והימים פשוט נמרחים.",
            "אני מרגיש בודד גם כשכל המשפחה סביבי.",
        ],
        "cue": [
            "כל שישי בארוחת שבת אני יושב ומעמיד פנים שהכול בסדר, ואמא שואלת על העתיד שלי.",
            "בקהילה שלנו כולם מכירים את כולם, אז לבקש עזרה מרגיש כמו להודיע על זה בבית הכנסת.",
            "הרב שלנו אדם טוב, אבל אני מתבייש לספר לו כמה חשוך לי.",
            "עלינו לארץ כשהייתי בן שתים עשרה, ועדיין אני לא מרגיש שייך לשום מקום.",
            "אחרי הצבא כולם יודעים מה הם רוצים, רק אני תקוע.",
        ],
        "detail": [
            "בעבודה אני מחייך, ובבית אני בוהה בתקרה שעות.",
            "החברים שלי חושבים שאני בסדר כי אני טוב בלהסתיר.",
            "אני כמעט לא ישן וחושב כל לילה על כל טעות.",
        ],
        "pii": [
            "אחותי {her} היא היחידה שאני מדבר איתה, אבל היא גרה רחוק עכשיו.",
            "כתבתי ליועצת בכתובת {email} ועדיין לא קיבלתי תשובה.",
            "אם מישהו רוצה לדבר, המספר שלי {phone} ואני רציני.",
            "רק {him} מהמילואים יודע מה עובר עליי, ואפילו לו אני לא מספר הכול.",
            "החשבון הישן שלי היה {user} אבל מחקתי אותו מבושה.",
        ],
        "close": [
            "סליחה על האורך, הייתי צריך להוציא את זה.",
            "תודה למי שקרא 🙏",
            "מישהו עבר משהו דומה?",
        ],
        "r_open": ["אני כל כך מצטער שאתה עובר את זה.", "תודה ששיתפת, זה דורש אומץ."],
        "r_mid": [
            "אתה לא אכזבה, אתה פשוט עייף ופגוע.",
            "אולי יעזור לדבר עם אדם אחד שאתה סומך עליו, אפילו קצת.",
            "אם זה נהיה יותר מדי, אפשר לפנות לער״ן בכל שעה.",
            "צעדים קטנים נחשבים: הליכה קצרה, כוס מים, הודעה כנה לחבר.",
        ],
        "r_cue": [
            "גם אצלנו בארוחות שבת היה קשה להסתיר דברים, אתה ממש לא לבד.",
            "אולי יש רב או יועץ מחוץ לקהילה שתוכל לדבר איתו בפרטיות.",
        ],
        "r_pii": [
            "חבר שלי {him} עבר משהו דומה, אפשר לכתוב לו: {email} והוא תמיד עונה.",
            "יש קבוצת תמיכה בקישור הזה: {url} שווה לנסות.",
        ],
        "r_close": ["שולח לך חיבוק גדול 🫂", "אתה לא לבד 💙"],
        "reply": ["בדיוק ככה גם אצלי.", "מילים יפות, תודה."],
        "op": ["תודה, זה באמת חשוב לי 🙏"],
    },
    "zh": {
        "title": ["我真的好累", "高考之后我不知道该怎么办 😔", "没有人理解我"],
        "open": [
            "不知道从哪里说起，这几个月我一直觉得：孤独，而且没有人发现。",
            "每天早上醒来的第一感觉：焦虑，心跳得很快。",
            "说实话，抑郁、焦虑、难过，这就是我现在的全部状态。",
            "我不想再装了：难过，累，什么都不想做。",
        ],
        "cue": [
            "爸妈希望我高考之后接手家里的生意，从来没有人问过我想要什么。",
            "我们家从来不谈感情，爱就是切好的水果和一句“考了多少分”。",
            "过年的时候亲戚们又拿我和表哥比较，我的脸一直在发烫。",
            "我是独生子女，爸妈每天晚上打电话问我为什么还没找到更好的工作。",
            "心理问题在我们家好像是丢脸的事，我不敢告诉任何人。",
        ],
        "detail": [
            "在公司我一直在笑，回到家就盯着天花板发呆好几个小时。",
            "朋友们都以为我很好，因为我很会隐藏。",
            "晚上总是睡不着，一遍又一遍地想自己犯过的错。",
        ],
        "pii": [
            "只有我姐姐{her}愿意听我说话，可她现在住得很远。",
            "我给心理咨询师发了邮件（{email}），到现在还没有回复。",
            "如果有人想聊聊，我的电话是 {phone} ，真的。",
            "我以前的账号是 {user} ，后来因为太丢人删掉了。",
            "室友{him}是唯一知道这件事的人，但他也不知道该怎么帮我。",
        ],
        "close": [
            "抱歉写了这么多，我只是需要说出来。",
            "谢谢你们看完 🙏",
            "有没有人也经历过这样的事？",
        ],
        "r_open": ["抱抱你，真的辛苦了。", "谢谢你愿意说出来，这需要很大的勇气。"],
        "r_mid": [
            "你不是失败者，你只是太累了。",
            "也许可以先找一个信任的人说一点点，不用一下子全部说出来。",
            "如果实在撑不住，请联系当地的心理援助热线。",
            "小小的一步也算数：散散步，喝杯水，给朋友发一条真心的消息。",
        ],
        "r_cue": [
            "我也经历过高考的压力，那时候觉得天都要塌了，但后来慢慢好起来了。",
            "我们家也是用切水果代替说“我爱你”，后来我们才慢慢学会沟通。",
        ],
        "r_pii": [
            "我朋友{her}以前也是这样，你可以发邮件给她：{email} 。",
            "这个网站对我帮助很大：{url} 。",
        ],
        "r_close": ["加油，你值得被好好对待 💙", "抱抱 🫂"],
        "reply": ["我也是这样。", "说得太好了，谢谢。"],
        "op": ["谢谢你，真的很感动 🙏"],
    },
}
CUES_EN = {  # English cultural cues: each names its culture's keyword(s) and no other's
    "German": [
        "My parents moved to Germany in the nineties and they still expect me to finish my "
        "Ausbildung and never complain.",
        "Since I failed part of my Abitur, my dad barely talks to me at dinner in our small "
        "flat in Berlin.",
        "Everyone in my German family says you just have to function, so talking about "
        "feelings is basically forbidden.",
        "The Christmas markets in Germany are everywhere right now and I've never felt more "
        "invisible among so many people.",
    ],
    "Arabic": [
        "It's Ramadan and I'm supposed to feel close to my family, but I feel like a stranger "
        "at iftar every night.",
        "As the eldest daughter in an Arab household, I'm expected to hold everyone together "
        "and never show weakness.",
        "My parents are from Egypt and they think therapy is only for 'crazy people', so I "
        "can't tell them anything.",
        "I'm Muslim and I keep praying for things to get better, but some days even prayer "
        "feels empty.",
    ],
    "Chinese": [
        "My parents expect me to take over the family business after the gaokao, and nobody "
        "asked what I want.",
        "In my Chinese family we don't talk about feelings; love means cutting fruit for you "
        "and asking about your grades.",
        "I'm the only child and my parents in Shanghai call every night to ask why I haven't "
        "found a better job yet.",
        "I moved from Beijing for university and I feel like I made everyone lose face by "
        "not coping.",
    ],
    "Jewish": [
        "Every Friday at Shabbat dinner I sit there pretending everything is fine while my mom "
        "asks about my future.",
        "I grew up in a Jewish community where everyone knows everyone, so asking for help "
        "feels like announcing it at synagogue.",
        "My rabbi is kind but I'm too embarrassed to tell him how dark things have gotten.",
        "My family moved to Israel when I was twelve and I still feel like I don't belong "
        "anywhere.",
    ],
}
R_CUES_EN = {
    "German": [
        "I grew up in Germany too and the 'just function' mindset is real, but your feelings "
        "still matter.",
        "Finishing an Ausbildung is not the only path, plenty of people change course later.",
    ],
    "Arabic": [
        "I know how heavy Ramadan can feel when you're hurting inside; be gentle with yourself "
        "at iftar.",
        "Many Muslim therapists understand family expectations and won't judge you.",
    ],
    "Chinese": [
        "I'm Chinese as well and I know the pressure around the gaokao and face can be crushing.",
        "My parents also showed love through food instead of words; it took years before we "
        "could talk.",
    ],
    "Jewish": [
        "Maybe there's a rabbi or a Jewish counselor outside your community you could talk to "
        "privately.",
        "Shabbat dinners can be so hard when you're hiding something, many of us know that.",
    ],
}
POST_IP = (
    "I'm so anxious that I check my router every night, and yesterday it showed a login from "
    "{ip} that I don't recognize."
)
REPLY_IP = (
    "Something similar happened to me, a login from {ip} that wasn't mine: change your "
    "passwords and turn on two-factor authentication, feeling safe at home matters too."
)
OP_TOP = (
    "Edit: thanks everyone, I read every comment and I'm going to try calling someone tomorrow."
)
AUTOMOD = (
    "Hi {user}, thank you for posting in r/{sub}. If you are in immediate danger, please "
    "contact your local emergency number.\n\n*I am a bot, and this action was performed "
    "automatically. Please contact the moderators of this subreddit if you have any "
    "questions or concerns.*"
)
BOT_POST = (
    "Weekly check-in: how are you holding up?",
    "This is the weekly thread for anyone in Germany who feels lonely, stressed or "
    "overwhelmed. Share what is on your mind and please be kind to each other.\n\n*I am a "
    "bot, and this action was performed automatically.*",
)
OFFTOPIC_POST = (
    "My tomato plants keep dropping their flowers",
    "Second year growing tomatoes on the balcony. The plants look healthy, lots of leaves, "
    "but the flowers dry up and fall off before any fruit sets. I water every morning and "
    "feed them every two weeks. We had a few very hot days last week. Is this heat, too much "
    "nitrogen, or something else? Would a shade cloth help, or should I shake the plants to "
    "pollinate them by hand?",
    "Sounds like blossom drop from the heat. Shade cloth in the afternoon and a gentle shake "
    "of the flower trusses when they open usually fixes it.",
)
ADJ = ["quiet", "tired", "blue", "little", "paper", "velvet", "silent", "gentle", "rainy"]
NOUN = ["owl", "river", "lantern", "fox", "cloud", "harbor", "sparrow", "maple", "comet"]


def _b36(n: int, width: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out.rjust(width, "0")


def _words(text: str, lang: str) -> float:
    """Word count; Chinese has no spaces, so ~1.5 characters count as one word."""
    return len("".join(text.split())) / 1.5 if lang == "zh" else len(text.split())


def _plain(pieces: list[Piece]) -> str:
    return "".join(t for t, _ in pieces)


@dataclass
class _Item:
    """A submission or comment: its text fields as pieces, so PII offsets stay known."""

    kind: str
    sub: str
    author: str
    created: int
    texts: dict[str, list[Piece]]
    score: int
    culture: str | None = None
    lang: str = "en"
    parent: _Item | None = None  # comments: the parent comment, None when top-level
    post: _Item | None = None  # comments: the submission
    id: str = ""
    slug: str = ""


class _Gen:
    """All randomness goes through one seeded RNG, consumed in a fixed order."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.authors: set[str] = set()

    def author(self) -> str:
        while True:
            name = f"{self.rng.choice(ADJ)}_{self.rng.choice(NOUN)}{self.rng.randint(1, 99)}"
            if name not in self.authors:
                self.authors.add(name)
                return name

    def names(self, culture: str, lang: str, gender: int) -> list[str]:
        """Latin-script names in English and German text; in Arabic, Hebrew and Chinese
        text mostly native-script names, sometimes Latin ones (as people really write)."""
        names = PEOPLE[culture][gender]
        native = [n for n in names if not n.isascii()]
        latin = [n for n in names if n.isascii()]
        return native if native and lang != "en" and self.rng.random() < 0.7 else latin

    def fill(self, template: str, culture: str, lang: str) -> list[Piece]:
        """Split a template on its {slots}; each slot becomes a typed PII piece."""
        out: list[Piece] = []
        for i, part in enumerate(re.split(r"\{(\w+)\}", template)):
            if i % 2 == 0:
                if part:
                    out.append((part, None))
                continue
            if part == "user":
                value = self.rng.choice(["u/", "/u/", "@"]) + self.rng.choice(HANDLES)
            elif part in ("her", "him", "person"):
                gender = {"her": 0, "him": 1}.get(part, self.rng.randint(0, 1))
                value = self.rng.choice(self.names(culture, lang, gender))
            else:
                pools = {"email": EMAILS[culture], "phone": PHONES[culture]}
                pools |= {"hotline": HOTLINES, "url": URLS, "ip": IPS}
                value = self.rng.choice(pools[part])
            out.append((value, SLOT_TYPES[part]))
        return out

    def text(self, parts: list[str], culture: str, lang: str, paragraphs: bool) -> list[Piece]:
        """Join sentences (Chinese without spaces), optionally into 2-3 paragraphs."""
        sep = "" if lang == "zh" else " "
        breaks = set()
        if paragraphs and len(parts) > 3:
            breaks = set(self.rng.sample(range(1, len(parts)), self.rng.randint(1, 2)))
        out: list[Piece] = []
        for i, sentence in enumerate(parts):
            if i:
                out.append(("\n\n" if i in breaks else sep, None))
            out.extend(self.fill(sentence, culture, lang))
        return out

    def body(self, culture: str, lang: str, response: bool) -> list[str]:
        """Sentence templates: opener, shuffled middle, closer. Posts get 60-200 words,
        peer responses 40-120 (padded with more middle sentences)."""
        t = T[lang]
        p, lo, hi = ("r_", 40, 120) if response else ("", 60, 200)
        cues = (R_CUES_EN if p else CUES_EN)[culture] if lang == "en" else t[p + "cue"]
        pool = {"cue": list(cues), "detail": list(t[p + "mid" if p else "detail"])}
        self.rng.shuffle(pool["cue"])
        self.rng.shuffle(pool["detail"])
        n_cue = (1 if self.rng.random() < 0.4 else 0) if p else self.rng.randint(1, 2)
        middle = [pool["cue"].pop() for _ in range(n_cue)]
        middle += [pool["detail"].pop() for _ in range(self.rng.randint(1, 2))]
        # Every non-English post plants something: few of them, and their scripts matter.
        pii_p, pii_k = (0.3, [1]) if p else (0.75 if lang == "en" else 1.0, [1, 1, 2])
        if self.rng.random() < pii_p:
            middle += self.rng.sample(t[p + "pii"], self.rng.choice(pii_k))
        self.rng.shuffle(middle)
        opener, closer = self.rng.choice(t[p + "open"]), self.rng.choice(t[p + "close"])
        while _words(" ".join([opener, *middle, closer]), lang) < lo:
            key = "detail" if pool["detail"] else "cue"
            middle.append(pool[key].pop())
        assert _words(" ".join([opener, *middle, closer]), lang) <= hi
        return [opener, *middle, closer]

    def post(self, culture: str, lang: str, sub: str, ip: bool = False) -> _Item:
        sentences = self.body(culture, lang, response=False)
        if ip:
            sentences.insert(1, POST_IP)
        title = self.fill(self.rng.choice(T[lang]["title"]), culture, lang)
        selftext = self.text(sentences, culture, lang, paragraphs=True)
        when = EPOCH_START + self.rng.randint(0, YEAR)
        texts = {"title": title, "selftext": selftext}
        return _Item(
            "submission", sub, self.author(), when, texts, self.rng.randint(1, 250), culture, lang
        )

    def comment(
        self, post: _Item, body: list[Piece], author: str, score: int, parent: _Item | None = None
    ) -> _Item:
        after = (parent or post).created + self.rng.randint(60, 2 * 86400)
        texts = {"body": body}
        return _Item("comment", post.sub, author, after, texts, score, parent=parent, post=post)

    def thread(self, post: _Item, k: int, ip: bool) -> list[_Item]:
        """1-4 peer responses, nested replies, OP replies, AutoModerator, deleted/removed."""
        c, lang, rng = post.culture or "German", post.lang, self.rng
        t = T[lang]
        out: list[_Item] = []
        for _ in range(rng.randint(1, 4)):
            sentences = self.body(c, lang, response=True)
            body = self.text(sentences, c, lang, paragraphs=False)
            out.append(self.comment(post, body, self.author(), rng.randint(-3, 60)))
        peers = list(out)
        if k % 6 == 1:  # OP's own top-level comment, top-scored: must not become the response
            best = max(x.score for x in peers)
            out.append(self.comment(post, [(OP_TOP, None)], post.author, best + 25))
        if k % 10 == 3:
            out.append(self.comment(post, [("[deleted]", None)], "[deleted]", 90))
        if k % 10 == 7:
            out.append(self.comment(post, [("[removed]", None)], "[deleted]", 85))
        if post.sub in DISTRESS_SUBS or k % 7 == 0:
            user = [("u/" + post.author, "REDDIT_USERNAME")]
            pre, post_ = AUTOMOD.split("{user}")
            body = [(pre, None), *user, (post_.replace("{sub}", post.sub), None)]
            out.append(self.comment(post, body, "AutoModerator", 1))
        for parent in peers:
            if rng.random() < 0.3:  # OP thanks a peer
                body = self.fill(rng.choice(t["op"]), c, lang)
                out.append(self.comment(post, body, post.author, rng.randint(1, 20), parent))
            if rng.random() < 0.25:
                body = self.fill(rng.choice(t["reply"]), c, lang)
                out.append(self.comment(post, body, self.author(), rng.randint(0, 15), parent))
        if ip:
            body = self.fill(REPLY_IP, c, lang)
            out.append(self.comment(post, body, self.author(), 7, peers[0]))
        return out


def _slug(pieces: list[Piece]) -> str:
    """Reddit-style slug from the title; PII pieces are left out so the sidecar (which
    covers title/selftext/body only) stays complete."""
    words = re.findall(r"\w+", "".join(t for t, kind in pieces if kind is None).lower())
    return "_".join(words)[:50].rstrip("_") or "post"


def _variant(pieces: list[Piece]) -> list[Piece]:
    """Same text for dedup purposes (case-folded, whitespace collapsed), different bytes."""
    return [(t.lower().replace(". ", ".  ").replace("\n\n", "\n \n"), k) for t, k in pieces]


def _build(n_posts: int, seed: int) -> tuple[list[_Item], list[_Item]]:
    gen = _Gen(seed)
    rng = gen.rng
    posts: list[_Item] = []
    seen: set[str] = set()
    n_regular = n_posts - 6
    for i in range(n_regular):
        culture = CULTURES[i % 4]
        lang = NATIVE_LANG[culture] if (i // 4) % 3 == 1 else "en"
        in_culture_sub = lang != "en" or rng.random() < 0.5
        sub = rng.choice(CULTURE_SUBS[culture] if in_culture_sub else DISTRESS_SUBS)
        while True:
            post = gen.post(culture, lang, sub, ip=(i == 0))
            key = _plain(post.texts["title"]) + "\n" + _plain(post.texts["selftext"])
            if key not in seen:
                seen.add(key)
                break
        posts.append(post)
    # Edge cases for the ingest: removed, deleted, bot, two duplicates, off-topic.
    # Removed and deleted posts would be assigned a culture: only their body stops them.
    title = [(T["en"]["title"][0], None)]
    removed = gen.post("German", "en", "germany")
    removed.texts = {"title": title, "selftext": [("[removed]", None)]}
    deleted = gen.post("Jewish", "en", "judaism")
    deleted.texts = {"title": title, "selftext": [("[deleted]", None)]}
    deleted.author = "[deleted]"
    bot = gen.post("German", "en", "germany")
    bot.author = "AutoModerator"
    bot.texts = {"title": [(BOT_POST[0], None)], "selftext": [(BOT_POST[1], None)]}
    dups = []
    for src, variant in ((posts[5], False), (posts[10], True)):
        texts = {k: (_variant(v) if variant else list(v)) for k, v in src.texts.items()}
        author = gen.author() if variant else src.author
        when = src.created + rng.randint(3600, 14 * 86400)
        score = rng.randint(1, 40)
        dups.append(_Item("submission", src.sub, author, when, texts, score, src.culture, src.lang))
    title, text, reply = OFFTOPIC_POST
    texts = {"title": [(title, None)], "selftext": [(text, None)]}
    when = EPOCH_START + rng.randint(0, YEAR)
    off = _Item("submission", "gardening", gen.author(), when, texts, 42)
    posts += [removed, deleted, bot, *dups, off]
    order = sorted(range(len(posts)), key=lambda j: (posts[j].created, j))
    comments: list[_Item] = []
    for k, j in enumerate(order):
        post = posts[j]
        post.id = "d3m" + _b36(int("0a1", 36) + k, 3)
        post.slug = _slug(post.texts["title"])
        if post is off:
            comments.append(gen.comment(post, [(reply, None)], gen.author(), 12))
        else:
            comments += gen.thread(post, k, ip=(j == 0))
    posts = [posts[j] for j in order]
    comments.sort(key=lambda c: c.created)  # stable: ties keep generation order
    for n, c in enumerate(comments):
        c.id = "dm" + _b36(n + 1000, 5)
    return posts, comments


def _sub_id(sub: str) -> str:
    return "t5_" + _b36(zlib.crc32(sub.encode()) % 36**6, 6)


def _records(posts: list[_Item], comments: list[_Item]) -> tuple[list[dict], list[dict]]:
    counts: dict[str, int] = {}
    for c in comments:
        assert c.post is not None
        counts[c.post.id] = counts.get(c.post.id, 0) + 1
    rs, rc = [], []
    for p in posts:
        permalink = f"/r/{p.sub}/comments/{p.id}/{p.slug}/"
        rs.append(
            {
                "id": p.id,
                "name": "t3_" + p.id,
                "subreddit": p.sub,
                "subreddit_id": _sub_id(p.sub),
                "author": p.author,
                "title": _plain(p.texts["title"]),
                "selftext": _plain(p.texts["selftext"]),
                "created_utc": p.created,
                "score": p.score,
                "num_comments": counts.get(p.id, 0),
                "permalink": permalink,
                "url": "https://www.reddit.com" + permalink,
                "is_self": True,
                "over_18": False,
            }
        )
    for c in comments:
        assert c.post is not None
        link = "t3_" + c.post.id
        rc.append(
            {
                "id": c.id,
                "name": "t1_" + c.id,
                "link_id": link,
                "parent_id": "t1_" + c.parent.id if c.parent else link,
                "author": c.author,
                "body": _plain(c.texts["body"]),
                "score": c.score,
                "created_utc": c.created,
                "subreddit": c.sub,
                "subreddit_id": _sub_id(c.sub),
                "permalink": f"/r/{c.sub}/comments/{c.post.id}/{c.post.slug}/{c.id}/",
            }
        )
    return rs, rc


def _spans(items: list[_Item]) -> list[dict[str, Any]]:
    """Ground truth: code-point offsets of every planted identifier in its field."""
    out = []
    for item in items:
        for name, pieces in item.texts.items():
            full, pos = _plain(pieces), 0
            for text, kind in pieces:
                if kind is not None:
                    assert full[pos : pos + len(text)] == text
                    out.append(
                        {
                            "source_id": item.id,
                            "kind": item.kind,
                            "field": name,
                            "start": pos,
                            "end": pos + len(text),
                            "text": text,
                            "type": kind,
                        }
                    )
                pos += len(text)
    return out


def _dumps(rows: list[dict[str, Any]]) -> bytes:
    lines = (json.dumps(r, sort_keys=True, ensure_ascii=False, separators=(",", ":")) for r in rows)
    return "".join(line + "\n" for line in lines).encode("utf-8")


def generate(out_dir: Path, n_posts: int = 60, seed: int = 7) -> dict[str, Path]:
    """Write reddit/RS_demo.zst, reddit/RC_demo.zst and pii_truth.jsonl under out_dir,
    and the careless input files under careless/ (`curate.demo_careless`, which takes no
    arguments: its files show fixed cases).

    The ground truth sits outside reddit/ so that `curate ingest OUT_DIR/reddit` takes
    only the dump. Returns the paths."""
    from curate import demo_careless  # it imports this module's templates

    if n_posts < 17:
        raise ValueError("n_posts must be at least 17 (edge cases need a few real posts)")
    posts, comments = _build(n_posts, seed)
    rs, rc = _records(posts, comments)
    out_dir = Path(out_dir)
    (out_dir / "reddit").mkdir(parents=True, exist_ok=True)
    cctx = zstandard.ZstdCompressor(level=ZSTD_LEVEL, write_content_size=True)
    paths = {
        "submissions": out_dir / "reddit" / "RS_demo.zst",
        "comments": out_dir / "reddit" / "RC_demo.zst",
        "pii": out_dir / "pii_truth.jsonl",
    }
    paths["submissions"].write_bytes(cctx.compress(_dumps(rs)))
    paths["comments"].write_bytes(cctx.compress(_dumps(rc)))
    paths["pii"].write_bytes(_dumps(_spans(posts) + _spans(comments)))
    return paths | demo_careless.generate(out_dir / "careless")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write the synthetic demo Reddit corpus.")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--n-posts", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    for path in generate(args.out_dir, args.n_posts, args.seed).values():
        print(path)


if __name__ == "__main__":
    main()
