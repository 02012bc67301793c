"""The audit's HTML report as a to-do list: it opens with the next steps (the review
queue, the commands, the annotators to talk to), its flag tables are folded away in
`<details>` (no JavaScript), record ids link to their Label Studio tasks, and the detail
column says in words why each flag was raised. The last test opens the page in headless
Chromium (tests/browser.py). Every text here is synthetic."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from browser import chromium_page

from curate.audit import html as audit_html
from curate.audit.html import render
from curate.audit.store import AuditFlag, rank_flags

RUN = "20261125T203630Z-0a0319c9"
CLASSES = {
    "emotional_distress": ["light", "moderate", "high"],
    "emotional_support": ["Affirmation", "Suggestions", "Restatement"],
}
TEXTS = {
    "Arabic": "<PERSON_1> تركني وحدي وأشعر باليأس التام.",
    "German": "Ich fühle mich völlig verzweifelt, seit <PERSON_1> weg ist.",
    "Jewish": "אני מרגיש בודד מאוד בעבודה החדשה, ואין לי עם מי לדבר על זה.",
}
GOOD, CARELESS = "good@example.org", "careless@example.org"
DETAILS = {
    "label_issue": {
        "p_given": 0.04123,
        "p_suggested": 0.9134,
        "wrong_prob": 0.9321,
        "record_mates": {GOOD: "high"},
        "near_duplicate": {"partner": "rec-German-1", "partner_label": "high", "distance": 0.02},
        "field": "post",
        "start": 3,
        "end": 29,
        "mystery_signal": 0.123456,
    },
    "consensus": {"votes": {CARELESS: "light", GOOD: "high"}, "agreement": 0.5},
    "outlier": {"field": "post", "start": 0, "end": 12},
    "near_duplicate": {
        "partner": "rec-Arabic-2",
        "partner_label": "high",
        "partner_annotator": GOOD,
        "labels": {"light": 1, "high": 2},
        "distance": 0.0123,
    },
}


def _flags(per_culture: int) -> list[AuditFlag]:
    kinds = ["label_issue"] * 6 + ["consensus", "outlier", "near_duplicate"]
    flags = []
    for family, labels in CLASSES.items():
        for culture, text in TEXTS.items():
            for n in range(per_culture):
                kind = kinds[n % len(kinds)]
                flags.append(
                    AuditFlag(
                        family,
                        kind,
                        f"rec-{culture}-{n}",
                        culture,
                        score=(n + 1) / (per_culture + 2),
                        span_index=0,
                        annotator=CARELESS if kind == "consensus" else None,
                        given=labels[0],
                        suggested=labels[2] if kind in ("label_issue", "consensus") else None,
                        detail=dict(DETAILS[kind]),
                        text=f"{text} {n}",
                    )
                )
    return rank_flags(flags)


def _summary(flags: list[AuditFlag]) -> dict:
    families = {}
    for family, labels in CLASSES.items():
        mine = [f for f in flags if f.family == family]
        families[family] = {
            "examples": 400,
            "labels_per_culture": {c: {lab: 40 for lab in labels} for c in TEXTS},
            "flags": {k: sum(f.kind == k for f in mine) for k in DETAILS},
            "seconds": 1.5,
            "crowdlab": {
                "items": 30,
                "annotators": {
                    GOOD: {
                        "quality": 0.81,
                        "agreement_with_consensus": 0.9,
                        "labelled": 30,
                        "worst_class": labels[1],
                    },
                    CARELESS: {
                        "quality": 0.32,
                        "agreement_with_consensus": 0.41,
                        "labelled": 30,
                        "worst_class": labels[0],
                    },
                },
            },
        }
    families["records"] = {"examples": 3, "skipped": "needs 10+ records with a post"}
    return {"run_id": RUN, "audited_records": 400, "families": families}


NEXT_STEPS = {
    "queue": {
        "total": 37,
        "top": 50,
        "per_culture": {
            "Arabic": {"emotional_support": 12, "emotional_distress": 5},
            "Jewish": {"emotional_distress": 20},
        },
        "adjudicated": 4,
        "no_task": 3,
        "no_region": 2,
    },
    "commands": [
        {
            "command": f"curate audit --to-label-studio --run {RUN} --top 50",
            "why": "send the 37 items to the review projects in Label Studio",
        },
        {"command": "curate annotate pull", "why": "bring the reviewers' decisions back"},
    ],
    "annotators": [
        {
            "annotator": CARELESS,
            "family": "emotional_support",
            "quality": 0.3217,
            "agreement": 0.41,
            "labelled": 30,
        }
    ],
    "review_projects": {
        "Arabic": "http://localhost:8080/projects/7/data",
        "Jewish": "javascript:alert(1)",  # never a link
    },
}


def _page(per_culture: int = 9, **extra) -> str:
    flags = _flags(per_culture)
    return render({**_summary(flags), **extra}, flags, CLASSES)


def _section(page: str, start: str, end: str) -> str:
    return page[page.index(start) : page.index(end)]


def test_next_steps_come_first_with_the_queue_commands_annotators_and_projects() -> None:
    page = _page(next_steps=NEXT_STEPS)
    order = [page.index(s) for s in ("Next steps", 'id="summary"', "<details")]
    assert order == sorted(order)
    steps = _section(page, "Next steps", 'id="summary"')
    assert "<strong>37</strong> item(s) in the review queue" in steps
    assert "at most\n50 per culture and family" in steps
    # per culture (rows) and family (columns), with each row's total
    assert re.search(r"<td>Arabic</td>\s*<td class=\"num\">5</td><td class=\"num\">12</td>", steps)
    assert '<td class="num">17</td>' in steps and '<td class="num">20</td>' in steps
    assert "4 item(s) of records already adjudicated" in steps
    assert "3 flag(s) on records without" in steps
    assert "2 flag(s) whose span has no position" in steps
    for command in NEXT_STEPS["commands"]:
        assert f"<pre><code>{command['command']}</code></pre>" in steps
    assert "Send the 37 items to the review projects in Label Studio:" in steps
    # the annotator to talk to, and why: figures rounded
    assert f"<bdi>{CARELESS}</bdi> (emotional_support): CROWDLAB quality 0.32 of 1" in steps
    assert "consensus on 41\u00a0% of 30 labelled item(s)" in steps
    assert '<a\nhref="http://localhost:8080/projects/7/data">Arabic</a>' in steps
    assert "javascript:" not in page and ">Jewish</a>" not in steps
    # outliers and near-duplicate records: to check by hand (the queue takes the
    # inconsistent near-duplicate spans, as reasons of their items), counted
    by_hand = sum(f.kind == "outlier" or f.family == "records" for f in _flags(9))
    assert f"Check the {by_hand} outlier and near-duplicate-record flag(s)" in steps


def test_without_a_queue_the_next_steps_are_computed_from_the_flags() -> None:
    flags = _flags(9)
    page = render(_summary(flags), flags, CLASSES)
    steps = _section(page, "Next steps", 'id="summary"')
    sendable = [f for f in flags if f.kind in ("label_issue", "consensus")]
    assert f"<strong>{len(sendable)}</strong> label issue and consensus flag(s)" in steps
    assert "not sent to Label Studio yet" in steps
    per_arabic = sum(f.culture == "Arabic" for f in sendable)
    assert re.search(
        rf"<td>Arabic</td>(\s*<td class=\"num\">\d+</td>)+\s*<td class=\"num\">"
        rf"{per_arabic}</td>",
        steps,
    )
    assert f"<pre><code>curate audit --to-label-studio --run {RUN}</code></pre>" in steps
    assert "<pre><code>curate annotate pull</code></pre>" in steps
    # the careless annotator (quality 0.32) in both families, the good one not at all
    assert steps.count(f"<bdi>{CARELESS}</bdi>") == 2 and GOOD not in steps
    assert "least reliable on light" in steps
    # more than 50 in a culture and family: the worst 50 proposed
    many = _flags(80)
    steps = _section(render(_summary(many), many, CLASSES), "Next steps", 'id="summary"')
    assert f"<pre><code>curate audit --to-label-studio --run {RUN} --top 50</code></pre>" in steps
    assert "the 50 worst per culture and family" in steps
    # nothing to review: said so, no command
    empty = render(_summary([]), [], CLASSES)
    steps = _section(empty, "Next steps", 'id="summary"')
    assert "Nothing for a reviewer" in steps and "<pre>" not in steps


def test_record_ids_with_a_task_link_to_it() -> None:
    links = {
        "rec-Arabic-0": "http://localhost:8080/projects/7/data?task=11",
        "rec-Arabic-2": "http://localhost:8080/projects/7/data?task=13",
        "rec-Jewish-0": "javascript:alert(1)",
    }
    page = _page(links=links)
    url = html.escape(links["rec-Arabic-0"])
    assert f'<td class="id"><a href="{url}">rec-Arabic-0</a></td>' in page
    assert '<td class="id">rec-Arabic-1</td>' in page  # no task: plain text
    assert '<td class="id">rec-Jewish-0</td>' in page and "javascript:" not in page
    # a partner record named in a detail links too
    partner = html.escape(links["rec-Arabic-2"])
    assert f'near record <a href="{partner}"><bdi>rec-Arabic-2</bdi></a>' in page


def test_tables_are_folded_with_counts_and_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit_html, "MAX_ROWS", 5)
    page = _page(per_culture=9)
    assert "<details open" not in page and " open>" not in page
    families = page.count('<details class="family"')
    cultures = page.count('<details class="culture"')
    assert (families, cultures) == (len(CLASSES), len(CLASSES) * len(TEXTS))
    assert page.count("<details") == families + cultures
    # a skipped family: one line with its reason
    assert "<strong>records</strong>: skipped,\nneeds 10+ records with a post</p>" in page
    assert (
        "400 examples · 18 label issues · 3 consensus flags · 3 outliers · 3 near duplicates"
        in page
    )
    line = "6 label issues, 1 consensus flag, 1 outlier, 1 near duplicate"
    assert f"{line} · the first 5 of 9 shown" in page
    assert page.count("4 more in emotional_distress.csv") == len(TEXTS)
    assert page.count('<td class="id">') == 5 * len(CLASSES) * len(TEXTS)
    for culture in TEXTS:
        assert f"<h3>emotional_distress · {culture}</h3>" in page


def _details(page: str) -> dict[str, list[str]]:
    """Each flag row's detail cell (markup), by kind."""
    out: dict[str, list[str]] = {}
    titles = {v: k for k, v in audit_html.KIND_TITLES.items()}
    kinds = "|".join(re.escape(t) for t in titles)
    for title, cell in re.findall(
        rf"<tr><td>({kinds})</td>.*?<td class=\"detail\">(.*?)</td>", page, re.S
    ):
        out.setdefault(titles[title], []).append(cell)
    return out


def test_the_detail_column_says_why_in_words_for_every_kind() -> None:
    cells = _details(_page())
    assert set(cells) == set(DETAILS)
    for kind, notes in cells.items():
        for note in notes:
            assert note.strip(), kind
            assert not any(c in note for c in '{}[]"'), (kind, note)  # not JSON
    label = cells["label_issue"][0]
    assert "likely wrong (93\u00a0%)" in label
    assert "model: given label 4\u00a0%, suggested 91\u00a0%" in label
    assert f"same record: <bdi>{GOOD}</bdi>: <bdi>high</bdi>" in label
    assert "near record <bdi>rec-German-1</bdi>, labelled <bdi>high</bdi> (distance 0.02)" in label
    assert "mystery signal: 0.12" in label and "0.1234" not in label  # unknown key, rounded
    assert "<bdi>post</bdi>, characters 3\u201329" in label
    assert cells["consensus"][0] == (
        f"votes <bdi>{CARELESS}</bdi>: <bdi>light</bdi>, <bdi>{GOOD}</bdi>: <bdi>high</bdi>; "
        "annotators agree 50\u00a0%"
    )
    assert cells["outlier"][0] == "<bdi>post</bdi>, characters 0\u201312"
    assert cells["near_duplicate"][0] == (
        f"near record <bdi>rec-Arabic-2</bdi>, labelled <bdi>high</bdi> by <bdi>{GOOD}</bdi> "
        "(distance 0.01); labels of the similar spans: <bdi>light</bdi>: 1, <bdi>high</bdi>: 2"
    )


def test_detail_values_are_escaped_and_odd_shapes_still_read() -> None:
    flag = AuditFlag(
        "emotional_distress",
        "label_issue",
        "a",
        None,
        0.1,
        detail={
            "wrong_prob": "n/a",
            "record_mates": ["<b>", "x&y"],
            "near_duplicate": True,
            "flag_list": list(range(8)),
            "nothing": None,
            "tiny": 0.000123,
            "odd": float("nan"),
        },
    )
    note = str(audit_html._note(flag))
    assert note == (
        "likely wrong (<bdi>n/a</bdi>); same record: <bdi>&lt;b&gt;</bdi>, <bdi>x&amp;y</bdi>; "
        "near duplicate: yes; flag list: 0, 1, 2, 3, 4 and 3 more; tiny: 0.0001; odd: nan"
    )


# In the browser: the first screen, the height, opening a table, an RTL cell.
RTL_CELL = """
(td) => {
  const node = td.firstChild, style = getComputedStyle(td), box = td.getBoundingClientRect();
  const r = document.createRange(); r.setStart(node, 0); r.setEnd(node, 1);
  return {direction: style.direction, first: r.getBoundingClientRect().right,
          right: box.right - parseFloat(style.borderRightWidth)
                 - parseFloat(style.paddingRight)};
}
"""


def test_the_page_opens_short_with_next_steps_first_in_the_browser(tmp_path: Path) -> None:
    report = tmp_path / "index.html"
    report.write_text(_page(per_culture=120, next_steps=NEXT_STEPS), encoding="utf-8")
    with chromium_page(width=1280, height=900) as page:
        page.goto(report.as_uri())
        page.screenshot(path=tmp_path / "first-screen.png")
        height = page.evaluate("document.documentElement.scrollHeight")
        # the first screen: the next steps, then the summary table, whole
        steps = page.locator("#next-steps").bounding_box()
        summary = page.locator("h2#summary + table").bounding_box()
        assert steps["y"] < 200 and summary["y"] + summary["height"] < 900, (steps, summary)
        assert page.get_by_text("Next steps").is_visible()
        assert page.get_by_text("curate annotate pull").is_visible()
        assert not page.locator("td.text").first.is_visible()  # tables folded away
        # open a family, then a culture: its rows show
        family = page.locator("details.family#emotional_distress")
        family.locator("> summary").click()
        assert family.evaluate("d => d.open")
        culture = family.locator("details.culture", has_text="emotional_distress · Jewish")
        culture.locator("> summary").click()
        assert culture.evaluate("d => d.open")
        rows = culture.locator("tr")
        assert rows.count() == audit_html.MAX_ROWS + 1 and rows.nth(1).is_visible()
        culture.locator("> summary").screenshot(path=tmp_path / "culture-summary.png")
        cell = culture.locator('td.text[dir="rtl"]').first
        cell.scroll_into_view_if_needed()
        page.screenshot(path=tmp_path / "opened.png")
        geometry = cell.evaluate(RTL_CELL)
        # everything open: how tall the page would be unfolded
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        unfolded = page.evaluate("document.documentElement.scrollHeight")
    assert height < 2000 < 20 * height < unfolded, (height, unfolded)
    # the Hebrew excerpt still starts at the right edge of its cell
    assert geometry["direction"] == "rtl"
    assert abs(geometry["first"] - geometry["right"]) < 2, geometry
    assert (tmp_path / "first-screen.png").stat().st_size > 10_000
