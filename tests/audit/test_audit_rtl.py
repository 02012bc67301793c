"""Right-to-left text in the audit report: every cell showing dataset text carries its
own direction, decided by its content, so Arabic and Hebrew read from the right edge on a
page that also shows English, German and Chinese; the texts themselves are unchanged.
The last test looks at the rendered page in headless Chromium (tests/browser.py)."""

from __future__ import annotations

import re
from pathlib import Path

from browser import chromium_page

from curate.audit.html import render
from curate.audit.store import AuditFlag, rank_flags
from curate.bidi import direction

FAMILY = "emotional_distress"
ENGLISH = "I feel completely hopeless and broken since the move."
GERMAN = "Ich fühle mich völlig verzweifelt, seit <PERSON_1> weg ist."
CHINESE = "我每天晚上都睡不着觉，感觉非常绝望。"
ARABIC = "<PERSON_1> تركني وحدي وأشعر باليأس التام."  # a tag first, a full stop last
HEBREW = "אני מרגיש בודד מאוד בעבודה החדשה, ואין לי עם מי לדבר על זה."
HEBREW_LONG = f"{HEBREW} {HEBREW}"  # wraps onto two lines (and is not cut short)
ARABIC_ANNOTATOR = "سارة"
HEBREW_ANNOTATOR = "דנה"
TEXTS = {
    "en": ENGLISH,
    "de": GERMAN,
    "zh": CHINESE,
    "ar": ARABIC,
    "he": HEBREW,
    "he-long": HEBREW_LONG,
}
RTL = {"ar", "he", "he-long"}


def _flags() -> list[AuditFlag]:
    cultures = {"en": "English", "de": "German", "zh": "Chinese", "ar": "Arabic"}
    flags = [
        AuditFlag(
            FAMILY,
            "label_issue",
            f"rec-{key}",
            cultures.get(key, "Jewish"),
            0.1 + n / 100,
            span_index=0,
            given="light",
            suggested="high",
            text=text,
        )
        for n, (key, text) in enumerate(TEXTS.items())
    ]
    flags.append(
        AuditFlag(
            FAMILY,
            "consensus",
            "rec-ar-consensus",
            "Arabic",
            0.2,
            annotator=ARABIC_ANNOTATOR,
            given="light",
            suggested="high",
            detail={"votes": {ARABIC_ANNOTATOR: "light", HEBREW_ANNOTATOR: "high"}},
            text=ARABIC,
        )
    )
    return rank_flags(flags)


def _page() -> str:
    per_culture = {
        c: {"light": 4, "moderate": 3, "high": 5}
        for c in ("Arabic", "Chinese", "English", "German", "Jewish")
    }
    summary = {
        "run_id": "rtl-test",
        "audited_records": 60,
        "families": {
            FAMILY: {
                "examples": 60,
                "flags": {"label_issue": 6, "consensus": 1},
                "seconds": 1.0,
                "labels_per_culture": per_culture,
                "crowdlab": {
                    "items": 3,
                    "annotators": {
                        ARABIC_ANNOTATOR: {
                            "quality": 0.8,
                            "agreement_with_consensus": 0.9,
                            "labelled": 3,
                            "worst_class": "light",
                        },
                        HEBREW_ANNOTATOR: {
                            "quality": 0.7,
                            "agreement_with_consensus": 0.8,
                            "labelled": 3,
                            "worst_class": "high",
                        },
                    },
                },
            }
        },
    }
    return render(summary, _flags(), {FAMILY: ["light", "moderate", "high"]})


def test_direction_is_decided_by_the_first_strong_letter_outside_tags() -> None:
    assert direction(ARABIC) == "rtl"  # not "ltr" from the tag's P
    assert direction(HEBREW) == direction(ARABIC_ANNOTATOR) == "rtl"
    assert direction(ENGLISH) == direction(GERMAN) == direction(CHINESE) == "ltr"
    assert direction("<PERSON_1> said so") == "ltr"
    assert direction("OK " + HEBREW) == "ltr"  # the first letter decides, as in Unicode P2
    for nothing in (None, "", "42", "3.5 %", "<PERSON_1>", "…"):
        assert direction(nothing) == "auto"


def test_every_text_cell_carries_its_direction_and_the_text_is_unchanged() -> None:
    page = _page()
    cells = re.findall(r'<td class="text" dir="(\w+)">([^<]*)</td>', page)
    assert len(cells) == len(TEXTS) + 1  # every flag's excerpt, none without dir
    assert page.count('<td class="text"') == len(cells)
    shown = {text: dir_ for dir_, text in cells}
    for key, text in TEXTS.items():
        escaped = text.replace("<", "&lt;").replace(">", "&gt;")
        assert shown[escaped] == ("rtl" if key in RTL else "ltr"), key
    # values given by annotators and the annotators' ids: their own direction too
    assert f'<td dir="rtl">{ARABIC_ANNOTATOR}</td>' in page
    assert f'<td dir="rtl">{HEBREW_ANNOTATOR}</td>' in page
    assert page.count('<td dir="ltr">light</td>') >= len(TEXTS)
    assert page.count('<td dir="ltr">high</td>') >= len(TEXTS)
    # the English notes keep their direction; the names and labels in them are isolated
    assert (
        f"votes <bdi>{ARABIC_ANNOTATOR}</bdi>: <bdi>light</bdi>, "
        f"<bdi>{HEBREW_ANNOTATOR}</bdi>: <bdi>high</bdi></td>"
    ) in page
    # cells align to their start (left for ltr, right for rtl), not to a fixed left
    assert "text-align: left" not in page and "text-align: start" in page


def test_a_note_escapes_what_it_isolates() -> None:
    flag = AuditFlag(
        FAMILY,
        "near_duplicate",
        "a",
        None,
        0.1,
        detail={"partner": "<b>", "partner_label": "x&y", "distance": 0.01},
    )
    page = render(
        {"families": {FAMILY: {"examples": 1, "flags": {}}}}, [flag], {}
    )  # no charts without labels
    assert "near record <bdi>&lt;b&gt;</bdi>, labelled <bdi>x&amp;y</bdi> (distance 0.01)" in page


# In the browser: where does each character of each cell sit?
GEOMETRY = """
() => [...document.querySelectorAll('td[dir]')].filter(td => td.textContent.trim()).map(td => {
  const node = td.firstChild, style = getComputedStyle(td), box = td.getBoundingClientRect();
  const chars = [...Array(node.textContent.length).keys()].map(i => {
    const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
    const rect = r.getBoundingClientRect();
    return {left: rect.left, right: rect.right, top: Math.round(rect.top)};
  });
  return {
    text: td.textContent, dir: td.getAttribute('dir'), direction: style.direction, chars,
    left: box.left + parseFloat(style.borderLeftWidth) + parseFloat(style.paddingLeft),
    right: box.right - parseFloat(style.borderRightWidth) - parseFloat(style.paddingRight),
  };
})
"""


def _lines(cell: dict) -> list[list[dict]]:
    """The cell's characters grouped by line (top to bottom), blanks left out."""
    lines: dict[int, list[dict]] = {}
    for ch, rect in zip(cell["text"], cell["chars"], strict=True):
        if not ch.isspace():
            lines.setdefault(rect["top"], []).append(rect)
    return [lines[top] for top in sorted(lines)]


def test_arabic_and_hebrew_start_at_the_right_edge_in_the_browser(tmp_path: Path) -> None:
    report = tmp_path / "index.html"
    report.write_text(_page(), encoding="utf-8")
    with chromium_page() as page:
        page.goto(report.as_uri())
        # the flag tables are folded in <details>: open them all, as a reader would
        for summary in page.locator("details > summary").all():
            summary.click()
        assert page.evaluate("[...document.querySelectorAll('details')].every(d => d.open)")
        page.screenshot(path=tmp_path / "audit-report.png", full_page=True)
        for n, table in enumerate(page.locator("table").all()):
            table.screenshot(path=tmp_path / f"audit-table-{n}.png")
        cells = page.evaluate(GEOMETRY)
    by_text: dict[str, list[dict]] = {}
    for c in cells:
        by_text.setdefault(c["text"], []).append(c)
    lines_seen = set()
    for key, text in TEXTS.items():
        for cell in by_text[text]:  # shown exactly as stored
            first, last, lines = cell["chars"][0], cell["chars"][-1], _lines(cell)
            lines_seen.add((key, len(lines)))
            if key in RTL:
                assert cell["direction"] == "rtl", key
                # the first character (for Arabic: the "<" of <PERSON_1>) is at the top
                # right; every line starts at the right edge
                assert first["top"] == lines[0][0]["top"], key
                assert abs(first["right"] - cell["right"]) < 2, (key, first, cell)
                for line in lines:
                    assert abs(max(r["right"] for r in line) - cell["right"]) < 2, key
                # the closing full stop is at the left end of the last line
                assert abs(last["left"] - min(r["left"] for r in lines[-1])) < 0.5, key
            else:
                assert cell["direction"] == "ltr", key
                assert abs(first["left"] - cell["left"]) < 2, (key, first, cell)
                for line in lines:
                    assert abs(min(r["left"] for r in line) - cell["left"]) < 2, key
                assert abs(last["right"] - max(r["right"] for r in lines[-1])) < 0.5, key
    assert ("he-long", 1) not in lines_seen  # the wrapped case was seen wrapped
    # the tag opening the Arabic line sits at its right end and still reads <PERSON_1>
    # from left to right: "PERSON_1" in order, the brackets (mirrored) around it
    assert ARABIC[:10] == "<PERSON_1>"
    for cell in by_text[ARABIC]:
        xs = [r["left"] for r in cell["chars"][:10]]
        assert xs[9] < xs[1] < xs[2] < xs[3] < xs[4] < xs[5] < xs[6] < xs[7] < xs[8] < xs[0]
    # short cells too: an Arabic annotator id sits at the right, a label at the left
    for cell in by_text[ARABIC_ANNOTATOR] + by_text[HEBREW_ANNOTATOR]:
        assert abs(cell["chars"][0]["right"] - cell["right"]) < 2
    for cell in by_text["light"]:
        assert abs(cell["chars"][0]["left"] - cell["left"]) < 2
    assert (tmp_path / "audit-report.png").stat().st_size > 10_000
