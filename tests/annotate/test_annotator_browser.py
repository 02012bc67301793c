"""What an in-culture annotator sees and does, in a real browser against the real server.

Headless system Chromium (Playwright) logs in as an annotator who signed up through the
organization's invite link, opens tasks of the Arabic, Jewish (Hebrew) and Chinese
projects, checks by element geometry that right-to-left paragraphs are laid out right to
left, makes spans with the mouse in the labeling UI itself, picks their attribute with its
hotkey, submits, and gets the exact code-point offsets back from `curate annotate pull`.
Screenshots of every screen are kept in the test run's folder (`<basetemp>/screens`).
"""

from __future__ import annotations

import json
import secrets
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import chromium_page
from helpers import demo_workspace

from curate.annotate.client import connect
from curate.annotate.pull import pull
from curate.annotate.push import push
from curate.annotate.tables import latest_annotations

# First and last character of a phrase in one Text object, as viewport rectangles, found
# by Range over the DOM text nodes (Label Studio draws each paragraph as one span).
JS_PHRASE_RECTS = """([field, phrase]) => {
  const box = document.querySelectorAll('.lsf-htx-richtext')[field === 'post' ? 0 : 1];
  const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
  const nodes = []; let text = ''; let node;
  while ((node = walker.nextNode())) { nodes.push([node, text.length]); text += node.nodeValue; }
  const at = text.indexOf(phrase);
  if (at < 0 || text.indexOf(phrase, at + 1) >= 0) return null;
  const rect = (k, len) => {
    let i = nodes.length - 1; while (nodes[i][1] > k) i--;
    const r = document.createRange();
    r.setStart(nodes[i][0], k - nodes[i][1]); r.setEnd(nodes[i][0], k - nodes[i][1] + len);
    const b = r.getBoundingClientRect(); return {x: b.x, y: b.y, w: b.width, h: b.height};
  };
  const end = at + phrase.length;
  const lastLen = phrase.codePointAt(phrase.length - 2) > 0xffff ? 2 : 1;
  return {first: rect(at, 1), last: rect(end - lastLen, lastLen)};
}"""

# Per paragraph of a Text object: its start, its box, and the box of its
# first character (where a reader starts).
JS_PARAGRAPHS = """(index) => {
  const box = document.querySelectorAll('.lsf-htx-richtext')[index];
  return [...box.querySelectorAll('.lsf-richtext__line')].filter(l => l.textContent.trim())
    .map(line => {
      const node = document.createTreeWalker(line, NodeFilter.SHOW_TEXT).nextNode();
      const r = document.createRange(); r.setStart(node, 0); r.setEnd(node, 1);
      const c = r.getBoundingClientRect(), b = line.getBoundingClientRect();
      return {text: line.textContent.slice(0, 40),
              left: b.left, right: b.right, first_left: c.left, first_right: c.right};
    });
}"""


@pytest.fixture(scope="module")
def screens(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Screenshots of this run, kept as artifacts in the run's folder."""
    folder = tmp_path_factory.getbasetemp() / "screens"
    folder.mkdir(exist_ok=True)
    return folder


# The demo's emoji all end their text; a span after an emoji needs one inside the text
# (one code point but two UTF-16 units: a span after it tells which unit is counted).
EMOJI_POSTS = [
    {
        "id": "browser-emoji-ar",
        "culture": "Arabic",
        "language": "ar",
        "text": "تعبت من كل شيء 😔 ولا أستطيع النوم منذ أسابيع.\n\nلا أعرف لمن أتحدث.",
    },
    {
        "id": "browser-emoji-he",
        "culture": "Jewish",
        "language": "he",
        "text": "אני עייף מהכול 🫂 ואני לא ישן כבר שבועות.\n\nאין לי עם מי לדבר.",
    },
]


@pytest.fixture(scope="module")
def pushed(ls_server, tmp_path_factory, deid_engine):
    from curate.deid.stage import deidentify_workspace
    from curate.ingest import ingest

    folder = tmp_path_factory.mktemp("browser-ws")
    config, store = demo_workspace(folder, deid_engine)
    extra = folder / "emoji.jsonl"
    extra.write_text(
        "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in EMOJI_POSTS), "utf-8"
    )
    ingest([extra], config, store)
    deidentify_workspace(store, config, engine=deid_engine, workers=1)
    ls = connect(config, url=ls_server.url, token=ls_server.token)
    push(store, config, ls)
    yield config, store, ls
    store.close()


def _api(server, path: str) -> dict:
    request = urllib.request.Request(
        server.url + path, headers={"Authorization": f"Token {server.token}"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def _sign_up(page, url: str, email: str, password: str) -> None:
    page.goto(url)
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.fixture(scope="module")
def annotator(ls_server, pushed) -> tuple[str, str]:
    """An annotator account made the way the docs say: the curator copies the invite link
    (Organization -> Add People; here from the same API that page calls) and the
    annotator signs up with it in the browser."""
    email, password = "annotator-ar@example.org", secrets.token_urlsafe(12)
    invite = _api(ls_server, "/api/invite")["invite_url"]
    with chromium_page(1600, 1000) as page:
        _sign_up(page, ls_server.url + invite, email, password)
    return email, password


@pytest.fixture
def page(ls_server, annotator) -> Iterator:
    """A browser logged in as the annotator, at desktop size."""
    with chromium_page(1600, 1000) as pg:
        pg.goto(ls_server.url + "/user/login/")
        pg.fill("input[name=email]", annotator[0])
        pg.fill("input[name=password]", annotator[1])
        pg.click("button[type=submit]")
        pg.wait_for_load_state("networkidle")
        yield pg


def _open_task(page, ls_server, store, record) -> None:
    task_id, key = store.conn.execute(
        "SELECT task_id, project_key FROM ls_tasks WHERE record_id = ?", (record.id,)
    ).fetchone()
    project_id = store.conn.execute(
        "SELECT project_id FROM ls_projects WHERE key = ?", (key,)
    ).fetchone()[0]
    page.goto(f"{ls_server.url}/projects/{project_id}/data?task={task_id}")
    page.wait_for_selector(".lsf-htx-richtext")
    page.get_by_text(f"record id {record.id}").wait_for()  # this task, not another
    page.wait_for_timeout(800)  # the regions and the outliner settle after the text


def _record(store, language: str, contains: str = ""):
    return next(
        r
        for r in store.iter_records(deidentified=True)
        if r.language == language and contains in (r.post_text or "")
    )


def test_signing_up_needs_the_invite_link(ls_server, pushed) -> None:
    email = "walk-in@example.org"
    with chromium_page(1600, 1000) as page:
        _sign_up(page, ls_server.url + "/user/signup/", email, secrets.token_urlsafe(12))
    users = _api(ls_server, "/api/users")
    assert email not in [u["email"] for u in users]


def test_annotator_account_works(ls_server, annotator) -> None:
    assert annotator[0] in [u["email"] for u in _api(ls_server, "/api/users")]


def test_guidelines_travel_with_the_project(page, ls_server, pushed, screens) -> None:
    """The guide opens by itself when the annotator starts labeling (Label All Tasks), and
    again from the Instructions button."""
    config, store, _ = pushed
    record = _record(store, "ar")
    _open_task(page, ls_server, store, record)
    project_url = page.url.split("/data")[0]
    page.goto(f"{project_url}/data")
    page.get_by_text("Label All Tasks").first.click()
    page.get_by_text("CultureCare annotator guide").wait_for()
    text = page.inner_text("body")
    for fam in config.taxonomy().families.values():
        assert fam.title in text and fam.description in text
    page.screenshot(path=screens / "instructions-before-labeling.png")
    _open_task(page, ls_server, store, record)
    page.get_by_role("button", name="Instructions").click()
    page.get_by_text("CultureCare annotator guide").wait_for()
    page.screenshot(path=screens / "instructions.png")


@pytest.mark.parametrize(
    ("language", "direction"), [("ar", "rtl"), ("he", "rtl"), ("zh", "ltr"), ("en", "ltr")]
)
def test_paragraphs_are_laid_out_by_their_script(
    page, ls_server, pushed, screens, language, direction
) -> None:
    """Every paragraph of the post and the response: direction from its own content, the
    first character at the start edge (right for Arabic and Hebrew). The English task is
    one of the Arabic project's: direction is per paragraph, not per project."""
    _, store, _ = pushed
    record = _record(store, language)
    if language == "en":
        record = next(
            r
            for r in store.iter_records(deidentified=True)
            if r.language == "en" and r.culture == "Arabic"
        )
    _open_task(page, ls_server, store, record)
    page.screenshot(path=screens / f"task-{language}.png")
    paragraphs = page.evaluate(JS_PARAGRAPHS, 0) + page.evaluate(JS_PARAGRAPHS, 1)
    assert paragraphs
    for para in paragraphs:
        if para["text"].lstrip().startswith("<"):
            continue  # a paragraph that opens with a placeholder is laid out by its letters
        # `unicode-bidi: plaintext` leaves the computed `direction` alone: geometry tells
        # (a few pixels of padding and glyph side bearing at the edge)
        if direction == "rtl":
            assert para["right"] - para["first_right"] < 12, para
            assert para["first_left"] - para["left"] > 100, para
        else:
            assert para["first_left"] - para["left"] < 12, para


def _drag(page, field: str, phrase: str, rtl: bool) -> None:
    """Select `phrase` with the mouse: press at its first character's start edge, release
    at its last character's end edge (for right-to-left text, right and left)."""
    rects = page.evaluate(JS_PHRASE_RECTS, [field, phrase])
    assert rects, f"phrase not found once in the {field}"
    first, last = rects["first"], rects["last"]
    if rtl:
        start = (first["x"] + first["w"] - 1, first["y"] + first["h"] / 2)
        end = (last["x"] + 1, last["y"] + last["h"] / 2)
    else:
        start = (first["x"] + 1, first["y"] + first["h"] / 2)
        end = (last["x"] + last["w"] - 1, last["y"] + last["h"] / 2)
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=8)
    page.mouse.up()
    page.wait_for_timeout(500)


def _phrase_after(text: str, start: int, words: int) -> str:
    """`words` whole words of `text` from `start` (a phrase that exists once)."""
    return " ".join(text[start:].split(" ")[:words]).strip()


def _cases(store):
    """(name, record, field, phrase, rtl, label key, attribute key, attribute value)."""
    ar = _record(store, "ar")
    he = _record(store, "he")
    emoji_ar = _record(store, "ar", "😔")
    emoji_he = _record(store, "he", "🫂")
    return [
        ("arabic", ar, "post", _phrase_after(ar.post_text, 0, 3), True, "e", "h", "high"),
        ("hebrew", he, "post", _phrase_after(he.post_text, 0, 3), True, "c", "v", "Values"),
        ("arabic-emoji-before", emoji_ar, "post", "ولا أستطيع النوم", True, "e", "m", "moderate"),
        ("hebrew-emoji-before", emoji_he, "post", "ואני לא ישן", True, "e", "l", "light"),
    ]


def test_spans_made_in_the_ui_come_back_exact(page, ls_server, pushed, annotator, screens):
    config, store, ls = pushed
    taxonomy = config.taxonomy()
    made = {}
    for name, record, field, phrase, rtl, label_key, attr_key, value in _cases(store):
        text = getattr(record, f"{field}_text")
        assert text.count(phrase) == 1, name
        _open_task(page, ls_server, store, record)
        page.keyboard.press(label_key)
        _drag(page, field, phrase, rtl)
        assert page.locator(".lsf-outliner-item").count() == 1, name
        page.screenshot(path=screens / f"span-{name}.png")

        # a span without its attribute cannot be submitted
        page.get_by_role("button", name="Submit").click()
        page.get_by_text("needs its").first.wait_for()
        page.screenshot(path=screens / f"required-{name}.png")
        ok = page.get_by_role("button", name="OK")
        while ok.count():  # Label Studio may stack the same warning twice
            ok.first.click()
            page.wait_for_timeout(300)
        task_id = store.conn.execute(
            "SELECT task_id FROM ls_tasks WHERE record_id = ?", (record.id,)
        ).fetchone()[0]
        assert ls.call(ls.sdk.annotations.list, task_id) == [], name

        # the refused span is now selected: its attribute by hotkey, then submit
        page.keyboard.press(attr_key)
        page.keyboard.press("4")  # empathy
        page.screenshot(path=screens / f"attribute-{name}.png")
        if name == "arabic":  # demographics: a choice, "other" with its text, a number
            page.get_by_text("Demographics", exact=True).last.click()
            religion = page.locator(".lsf-choice__item").filter(has_text="Islam")
            religion.click()
            header = page.get_by_text("Employment: ", exact=False).last
            header.locator("xpath=following::label[normalize-space()='other'][1]").click()
            page.get_by_placeholder("Employment, as the post states it").fill("retired")
            page.locator("input[type=number]").first.fill("34")  # age
            page.keyboard.press("Tab")
            page.screenshot(path=screens / "demographics.png")
        page.get_by_role("button", name="Submit").click()
        for _ in range(50):  # the frontend posts the annotation in the background
            if ls.call(ls.sdk.annotations.list, task_id):
                break
            page.wait_for_timeout(200)
        assert len(ls.call(ls.sdk.annotations.list, task_id)) == 1, name
        start = text.index(phrase)
        made[record.id] = (name, field, start, start + len(phrase), phrase, value)

    report = pull(store, config, ls)
    answers = latest_annotations(store, _record(store, "ar").id)[annotator[0]]["demographics"]
    assert {k: v for k, v in answers.items() if v} == {
        "religion": "Islam",
        "employment": "retired",
        "age": "34",
    }
    assert report.issues == [], [(i["problem"], i.get("detail")) for i in report.issues]
    for record_id, (name, field, start, end, phrase, value) in made.items():
        record = store.get(record_id)
        spans = [s for s in record.spans if s.annotator == annotator[0]]
        family = "cultural_signal" if value == "Values" else "emotional_distress"
        attribute = taxonomy.family(family).attribute
        assert [(s.field, s.start, s.end, s.text, s.label, s.attributes) for s in spans] == [
            (field, start, end, phrase, family, {attribute: value})
        ], name


def test_a_review_task_explains_and_opens_prefilled(page, ls_server, pushed, screens):
    """A flagged record in its culture's review project: the reviewer sees why it was
    flagged in its own box, the record's current labels already on the text, and submits
    them as the decision, which `pull` stores as an adjudication."""
    from curate.annotate.tables import latest_adjudication
    from curate.audit.review import send_review
    from curate.audit.store import AUDIT_COMMAND, AuditFlag, save_flags
    from curate.records import Span

    config, store, ls = pushed
    record = _record(store, "ar", "😔")
    text = record.post_text
    phrase = _phrase_after(text, text.index("😔") + 2, 3)
    start = text.index(phrase)
    # the record's own (release-like) span, placed on the text: what the task opens with
    record.spans = [
        Span("post", "emotional_distress", phrase, start, start + len(phrase),
             {"intensity": "high"})
    ]  # fmt: skip
    store.update_records([record])
    region = {"field": "post", "start": start, "end": start + len(phrase)}
    flags = [
        AuditFlag("emotional_distress", "label_issue", record.id, "Arabic", 0.02,
                  given="high", suggested="light",
                  detail={**region, "p_given": 0.05, "p_suggested": 0.81}),
        AuditFlag("emotional_distress", "near_duplicate", record.id, "Arabic", 0.1,
                  given="high", detail={**region, "partner": "cc-other", "partner_label": "light",
                                        "distance": 0.04}),
    ]  # fmt: skip
    with store.run(AUDIT_COMMAND, {}, lambda: {"families": {}}) as run:
        save_flags(store, run.id, flags)
    sent = send_review(store, config, ls, run_id=run.id, top=None)
    assert sent.counts["tasks_sent"] == 1, sent.counts
    (task_id, key) = store.conn.execute(
        "SELECT task_id, project_key FROM review_tasks WHERE record_id=?", (record.id,)
    ).fetchone()
    project_id = store.conn.execute(
        "SELECT project_id FROM ls_projects WHERE key=?", (key,)
    ).fetchone()[0]

    page.goto(f"{ls_server.url}/projects/{project_id}/data?task={task_id}")
    page.wait_for_selector(".lsf-htx-richtext")
    page.get_by_text(f"record id {record.id}").wait_for()
    page.wait_for_timeout(1000)
    why = page.locator(".curate-why")
    assert why.is_visible()
    shown = why.inner_text()
    assert "Why this record is in the review queue" in shown
    assert "suggests light (81% for light" in shown and "cc-other" in shown, shown
    # pre-filled: the span is on the text, with its intensity, before anyone touched it
    assert page.locator(".lsf-outliner-item").count() >= 1
    assert page.locator(".htx-highlight, .lsf-htx-highlight").count() >= 1
    page.screenshot(path=screens / "review-task.png", full_page=True)
    # the Data Manager's tab for reviewers hides the explanation's HTML from the table
    assert page.get_by_text("Review queue").first.is_visible()
    assert page.get_by_text("<ol>", exact=False).count() == 0
    page.get_by_role("button", name="Submit").click()
    for _ in range(50):
        if ls.call(ls.sdk.annotations.list, task_id):
            break
        page.wait_for_timeout(200)
    pull(store, config, ls)
    decided = latest_adjudication(store, record.id)
    assert decided is not None
    assert [(s["start"], s["end"], s["attributes"]) for s in decided["spans"]] == [
        (start, start + len(phrase), {"intensity": "high"})
    ]
