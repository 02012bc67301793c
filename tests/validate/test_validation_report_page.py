"""The validation report and the audit report open offline: in headless Chromium
(tests/browser.py) with the network unavailable (the context offline, and every request
but file:// aborted and recorded), neither page attempts any request but its own file,
and what matters is on screen. GX Data Docs, opened the same way, do try to load their
CSS and JavaScript from CDNs: the control that shows the recording sees such requests."""

from __future__ import annotations

from pathlib import Path

from browser import chromium_page
from helpers import external_references
from test_validation_report import build

from curate.audit.html import render as render_audit
from curate.audit.store import AuditFlag, rank_flags
from curate.schema import load_taxonomy
from curate.validate.runner import validate, validate_workspace


def _open_offline(path: Path, page) -> list[str]:
    """Open `path` with the network unavailable; returns every URL the page requested
    (the page's own file included)."""
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.context.set_offline(True)

    def route(r) -> None:
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            r.abort("internetdisconnected")

    page.route("**/*", route)
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_load_state("networkidle")
    return requested


def _elsewhere(requested: list[str]) -> list[str]:
    return [url for url in requested if not url.startswith("file://")]


def test_the_validation_report_opens_offline(store, tmp_path: Path) -> None:
    failing = build(store)
    report = validate_workspace(store, load_taxonomy(), scan_pii=False)
    html = report.html.read_text(encoding="utf-8")
    assert external_references(html) == []
    with chromium_page(width=1280, height=900) as page:
        requested = _open_offline(report.html, page)
        page.screenshot(path=tmp_path / "validation-report.png")
        page.screenshot(path=tmp_path / "validation-report-full.png", full_page=True)
        verdict = page.locator("#verdict")
        assert verdict.is_visible() and verdict.inner_text() == "FAILED: 3 expectation(s)"
        # the failures, first, with a failing record id on screen
        failures = page.locator("#failures table")
        assert failures.is_visible() and failures.bounding_box()["y"] < 300
        first_id = failures.get_by_text(failing["span.text_matches"][0], exact=True)
        assert first_id.is_visible() and first_id.bounding_box()["height"] > 0
        # the every-expectation tables: those of suites with failures open and laid out
        table = page.locator("#suite-spans\\.rules table.expectations")
        box = table.bounding_box()
        assert table.is_visible() and box["height"] > 100 and box["width"] > 400, box
        assert table.locator("tr").count() == 6  # the header and 5 expectations
        assert table.get_by_text(failing["span.unique"][0]).is_visible()
        # the folded suites open without JavaScript
        folded = page.locator("#suite-records\\.rules")
        assert not folded.locator("table").is_visible()
        folded.locator("> summary").click()
        assert folded.locator("table").is_visible()
        # the styles are there (inline): the failure box is tinted, the header bold
        tint = page.locator("#failures").evaluate("e => getComputedStyle(e).backgroundColor")
        assert tint == "rgb(253, 246, 246)", tint
    assert requested == [report.html.as_uri()], requested
    assert (tmp_path / "validation-report.png").stat().st_size > 20_000


def _audit_page(tmp_path: Path) -> Path:
    """A small audit report (curate.audit.html.render), with right-to-left texts."""
    texts = {"Arabic": "تركني وحدي وأشعر باليأس.", "German": "Ich fühle mich verzweifelt."}
    flags = rank_flags(
        [
            AuditFlag(
                "emotional_distress",
                kind,
                f"rec-{culture}-{n}",
                culture,
                score=0.1 * (n + 1),
                span_index=0,
                given="light",
                suggested="high" if kind == "label_issue" else None,
                detail={"wrong_prob": 0.9} if kind == "label_issue" else {"distance": 0.02},
                text=f"{text} {n}",
            )
            for culture, text in texts.items()
            for n, kind in enumerate(["label_issue", "label_issue", "outlier"])
        ]
    )
    summary = {
        "run_id": "20261207T000000Z-0badc0de",
        "audited_records": 40,
        "families": {
            "emotional_distress": {
                "examples": 40,
                "labels_per_culture": {c: {"light": 10, "high": 10} for c in texts},
                "flags": {"label_issue": 4, "outlier": 2},
                "seconds": 1.0,
            }
        },
    }
    path = tmp_path / "audit.html"
    page = render_audit(summary, flags, {"emotional_distress": ["light", "moderate", "high"]})
    path.write_text(page, encoding="utf-8")
    return path


def test_the_audit_report_opens_offline(tmp_path: Path) -> None:
    path = _audit_page(tmp_path)
    assert external_references(path.read_text(encoding="utf-8")) == []
    with chromium_page() as page:
        requested = _open_offline(path, page)
        assert page.locator("#next-steps").is_visible()
        summary = page.locator("h2#summary + table")
        assert summary.is_visible() and summary.bounding_box()["height"] > 30
        page.locator("details.family > summary").first.click()
        chart = page.locator("details.family svg").first  # inline SVG, drawn offline
        assert chart.is_visible() and chart.bounding_box()["height"] > 100
        page.screenshot(path=tmp_path / "audit.png", full_page=True)
    assert requested == [path.as_uri()], requested


def test_the_recording_sees_what_data_docs_fetch(store, tmp_path: Path) -> None:
    """The control: GX Data Docs (opt-in, `--data-docs`) load CSS and JavaScript from
    CDNs, so offline they ask for them and render unstyled; the harness above records
    those requests (so its empty record for our pages means something)."""
    build(store)
    report = validate(store, load_taxonomy(), docs_dir=tmp_path / "data-docs", run_name="run-x1")
    assert report.docs_index is not None
    assert external_references(report.docs_index.read_text(encoding="utf-8"))
    with chromium_page() as page:
        requested = _open_offline(report.docs_index, page)
    assert any(url.startswith("https://") for url in _elsewhere(requested)), requested
