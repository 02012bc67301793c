"""The self-contained validation report (curate/validate/html.py), from real GX runs over
small synthetic workspaces: every expectation of every suite with its outcome, failures
first with their record ids (never a text) and what to do, the tables validated with
their row counts, the residual-PII scan's result; written by `curate validate` and by the
export gate; nothing from the data unescaped, nothing fetched from elsewhere."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from helpers import external_references, make_record, run_cli

from curate.deid import tables as deid_tables
from curate.records import RawText, Record, Span
from curate.schema import load_taxonomy
from curate.store import Store
from curate.validate import runner
from curate.validate.html import LATEST, render
from curate.validate.runner import validate, validate_workspace

POST = "I feel so lonely since moving to Berlin."
RESPONSE = "That sounds hard. Do you have friends there?"
# A span text no page may show: markup, and right-to-left text.
HOSTILE = '<img src=x onerror="alert(1)"> שלום'


def _span(field: str, label: str, text: str, attribute: dict[str, str]) -> Span:
    start = (POST if field == "post" else RESPONSE).index(text)
    return Span(field, label, text, start, start + len(text), attribute, "a1")


def _record(store, n: int) -> Record:
    return make_record(
        store,
        f"s{n}",
        post_title="Lonely",
        post_text=POST,
        response_text=RESPONSE,
        spans=[
            _span("post", "emotional_distress", "so lonely", {"intensity": "high"}),
            _span("post", "cultural_signal", "Berlin", {"type": "Concepts"}),
        ],
        empathy=4,
        demographics={"age": 30, "gender": "female", "settlement": "Berlin"},
    )


def build(store) -> dict[str, list[str]]:
    """Four records, three of them spoiled: the texts under two spans changed
    (`span.text_matches`, records 0 and 1), an empathy score of 9 (`empathy.in_scale`,
    record 2), a span twice (`span.unique`, record 2). Returns the failing ids by name."""
    records = [_record(store, n) for n in range(4)]
    records[0].spans[0].text = HOSTILE
    records[1].spans[0].text = "so lonelx"
    records[2].empathy = 9
    records[2].spans.append(copy.deepcopy(records[2].spans[1]))
    store.put_batch([(r, RawText()) for r in records], store.begin_run("test", {}))
    return {
        "span.text_matches": [records[0].id, records[1].id],
        "empathy.in_scale": [records[2].id],
        "span.unique": [records[2].id],
    }


def _rows(page: str) -> list[tuple[str, str, str]]:
    """(result, name, failing ids cell) of each row of the every-expectation tables."""
    tables = re.findall(r'<table class="expectations">(.*?)</table>', page, re.S)
    return re.findall(
        r'<tr class="\w+"><td class="result">(.*?)</td>\s*<td><strong>(.*?)</strong>'
        r'.*?<td class="ids">(.*?)</td></tr>',
        "".join(tables),
        re.S,
    )


def test_every_expectation_is_shown_failures_first_with_ids_and_what_to_do(store) -> None:
    failing = build(store)
    report = validate_workspace(store, load_taxonomy(), scan_pii=False)
    assert report.html == store.root / "reports" / f"validation-{report.run_name}.html"
    page = report.html.read_text(encoding="utf-8")
    assert (store.root / "reports" / LATEST).read_text(encoding="utf-8") == page
    # the run name is the run log's run id, with its date
    (run,) = [r for r in store.runs() if r["command"] == "validate"]
    assert report.run_name == run["run_id"]
    assert f'run name <bdi id="run-name">{run["run_id"]}</bdi> · curate validate' in page
    assert re.search(r"· \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", page)
    assert '<span class="verdict fail" id="verdict">FAILED: 3 expectation(s)</span>' in page
    # every expectation of every suite, once, with its outcome
    rows = _rows(page)
    assert len(rows) == report.evaluated == len(report.results) > 25
    assert sorted(name for _, name, _ in rows) == sorted(r["name"] for r in report.results)
    assert {name for result, name, _ in rows if result == "FAIL"} == set(failing)
    assert all(result in ("pass", "FAIL") for result, _, _ in rows)
    # the failures come first: above the PII scan, the tables and every expectation, and
    # first within each suite's table
    sections = ('id="failures"', 'id="pii"', 'id="assets"', 'id="expectations"')
    order = [page.index(s) for s in sections]
    assert order == sorted(order)
    spans_rules = page[page.index('id="suite-spans.rules"') :]
    spans_rules = spans_rules[: spans_rules.index("</table>")]
    results = re.findall(r'<td class="result">(\w+)</td>', spans_rules)
    assert results == sorted(results, key=lambda r: r != "FAIL") and "FAIL" in results
    # the suites with failures are open, the others folded
    assert '<details class="suite" id="suite-spans.rules" open>' in page
    assert '<details class="suite" id="suite-records.rules">' in page
    # each failure: its record ids, its row count and what to do
    failures = page[page.index('id="failures"') : page.index('id="pii"')]
    for name, ids in failing.items():
        row = failures[failures.index(f"<strong>{name}</strong>") :]
        row = row[: row.index("</tr>")]
        assert re.findall(r"<code>(cc-[0-9a-f]{16})</code>", row) == ids
    assert "2 of 9" in failures  # span.text_matches: 2 of the 9 span rows
    assert "drop the duplicate spans" in failures
    assert "re-align it (<code>curate hydrate</code>)" in failures
    # the tables validated, with their row counts
    assets = page[page.index('id="asset-table"') :]
    assert '<tr><td>records</td><td class="num">4</td>' in assets
    assert '<tr><td>spans</td><td class="num">9</td>' in assets
    assert '<tr><td>splits</td><td class="num">0</td>' in assets
    # an expectation's settings: its kwargs, readable
    assert "value set: [<bdi>Arabic</bdi>, <bdi>Chinese</bdi>" in page
    assert "regex: <code>^cc-[0-9a-f]{16}$</code>" in page
    assert "where <bdi>label == &#39;emotional_distress&#39;</bdi>" in page
    assert "Not scanned (--no-pii-scan)" in page
    # ids only: the spoiled span's text is nowhere, escaped or not
    assert "onerror" not in page and "שלום" not in page and "lonelx" not in page
    assert "<script" not in page.lower() and external_references(page) == []


def test_every_expectation_of_the_suites_says_what_to_do() -> None:
    from curate.validate.suites import SUITES, VALIDATIONS_DIR, generated_suites

    generated = generated_suites(load_taxonomy(("Klingon",)))
    names = []
    for suite in (s for suites in SUITES.values() for s in suites):
        doc = generated.get(suite) or json.loads(
            (VALIDATIONS_DIR / f"{suite}.json").read_text(encoding="utf-8")
        )
        names += [e["meta"]["name"] for e in doc["expectations"]]
    assert len(names) > 25
    assert [n for n in names if not runner.what_to_do(n)] == []
    assert runner.what_to_do("no.such.rule") is None


def test_ids_beyond_the_cap_are_counted(store, monkeypatch: pytest.MonkeyPatch) -> None:
    failing = build(store)
    monkeypatch.setattr(runner, "MAX_IDS", 1)
    report = validate(store, load_taxonomy(), run_name="capped")
    (outcome,) = [r for r in report.results if r["name"] == "span.text_matches"]
    assert outcome["record_ids"] == failing["span.text_matches"][:1] and outcome["more_ids"] == 1
    page = render(report)
    failures = page[page.index('id="failures"') : page.index('id="pii"')]
    row = failures[failures.index("<strong>span.text_matches</strong>") :]
    row = row[: row.index("</tr>")]
    assert f"<code>{failing['span.text_matches'][0]}</code>" in row
    assert failing["span.text_matches"][1] not in page
    assert '<span class="note">and 1 more record(s)</span>' in row


def test_suite_settings_are_escaped_and_rtl_isolated(store, tmp_path: Path) -> None:
    """Names, value sets and notes come from suite files a curator edits: escaped too."""
    import shutil

    from curate.validate.suites import VALIDATIONS_DIR

    build(store)
    suites = tmp_path / "validations"
    shutil.copytree(VALIDATIONS_DIR, suites)
    rules = json.loads((suites / "records.rules.json").read_text(encoding="utf-8"))
    rules["expectations"].append(
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "culture", "value_set": ["<script>alert(1)</script>", "עברית"]},
            "meta": {"name": "culture.<i>odd</i>", "why": "a & b <u>"},
        }
    )
    (suites / "records.rules.json").write_text(json.dumps(rules), encoding="utf-8")
    report = validate(store, load_taxonomy(), suites_dir=suites, run_name='"><b>run')
    assert any(f["name"] == "culture.<i>odd</i>" for f in report.failures)
    page = render(report, allowed=["culture.<i>odd</i>"], reason="<em>why</em>")
    assert "<script>" not in page and "<i>odd</i>" not in page and "<b>run" not in page
    assert "<em>why</em>" not in page and "<u>" not in page
    assert "value set: [<bdi>&lt;script&gt;alert(1)&lt;/script&gt;</bdi>, <bdi>עברית</bdi>]" in page
    assert "<strong>culture.&lt;i&gt;odd&lt;/i&gt;</strong>" in page
    assert "<strong>allowed</strong>: <bdi>&lt;em&gt;why&lt;/em&gt;</bdi>" in page
    assert "a &amp; b &lt;u&gt;" in page


def test_cli_writes_and_prints_the_report(store, workspace: Path) -> None:
    failing = build(store)
    store.close()
    proc = run_cli("-w", str(workspace), "validate", "--no-pii-scan")
    assert proc.returncode == 1, proc.stderr
    with Store.open(workspace, create=False) as st:
        (run,) = [r for r in st.runs() if r["command"] == "validate"]
    page = workspace / "reports" / f"validation-{run['run_id']}.html"
    assert f"report: {page}" in proc.stdout
    assert page.read_bytes() == (workspace / "reports" / LATEST).read_bytes()
    assert all(i in page.read_text(encoding="utf-8") for ids in failing.values() for i in ids)
    assert not (workspace / "reports" / "data-docs").exists()  # Data Docs: opt-in
    proc = run_cli("-w", str(workspace), "validate", "--no-pii-scan", "--no-docs", "--json")
    assert proc.returncode == 1, proc.stderr  # --no-docs: still accepted, the default
    printed = json.loads(proc.stdout)
    assert Path(printed["report"]).is_file() and printed["report"] != str(page)
    assert not (workspace / "reports" / "data-docs").exists()


def test_data_docs_name_the_run_and_the_data_assets(store, tmp_path: Path) -> None:
    """Opt-in Data Docs: the run's name and each table, not "__none__" and "None"."""
    build(store)
    report = validate(store, load_taxonomy(), docs_dir=tmp_path / "docs", run_name="run-x1")
    assert report.docs_index is not None and report.docs_index.is_file()
    pages = list((tmp_path / "docs" / "validations").rglob("*.html"))
    assert len(pages) == len({r["suite"] for r in report.results}) == 7
    for path in pages:
        text = path.read_text(encoding="utf-8")
        assert "run-x1" in text and "__none__" not in text
        assert re.search(r"Data asset: (records|spans|splits|split_stats)<", text), path
        assert "Data asset: None" not in text


def _deidentified(store, leak: str | None = None, empathy_missing: bool = False) -> list[Record]:
    """Four clean release candidates; `leak` appended to the second's response after
    de-identification (as a faulty stage would), or its empathy score dropped."""
    records = [_record(store, n) for n in range(4)]
    store.put_batch([(r, RawText()) for r in records], store.begin_run("test", {}))
    records = list(store.iter_records())
    if leak:
        records[1].response_text = RESPONSE + leak
    if empathy_missing:
        records[1].empathy = None
        records[1].spans.append(
            _span("response", "emotional_support", "Do you", {"strategy": "Questions"})
        )
    deid_tables.save_deid(store, [(r, []) for r in records], "test-policy")
    return records


def test_the_gate_writes_the_report_when_it_refuses_and_when_it_allows(
    store, config, deid_engine
) -> None:
    from curate.validate.gate import GateError, run_gate

    records = _deidentified(store, leak=" Mail me: jonas.weber@example.com")
    reports = store.root / "reports"
    with pytest.raises(GateError) as err:
        run_gate(
            store, config.taxonomy(), config, engine=deid_engine, run_name="exp-1",
            reports_dir=reports,
        )  # fmt: skip
    assert err.value.html == reports / "validation-exp-1.html"
    assert f"report: {err.value.html}" in str(err.value)
    page = err.value.html.read_text(encoding="utf-8")
    assert "curate export (release gate)" in page and "release candidates only" in page
    failures = page[page.index('id="failures"') : page.index('id="pii"')]
    assert "<strong>no_residual_pii</strong>" in failures
    assert f"<code>{records[1].id}</code>" in failures
    assert "1 record(s) with 1 direct identifier(s) left" in page
    assert "jonas" not in page.lower() and "example.com" not in page  # ids, never values

    with Store.open(store.root.parent / "ws2") as other:  # no leak; an empathy score lost
        _deidentified(other, empathy_missing=True)
        name = "empathy.present_when_response_annotated"
        result = run_gate(
            other, config.taxonomy(), config, allow=[name], reason="score lost <at> the source",
            engine=deid_engine, run_name="exp-2", reports_dir=reports,
        )  # fmt: skip
    assert result.html == reports / "validation-exp-2.html"
    page = result.html.read_text(encoding="utf-8")
    assert (reports / LATEST).read_text(encoding="utf-8") == page
    assert "PASSED with allowed failures" in page
    assert '<td class="result">failed (allowed)</td>' in page
    assert "<strong>allowed</strong>: <bdi>score lost &lt;at&gt; the source</bdi>" in page
    assert "no direct identifier left (no_residual_pii passed)" in page
    assert "validation_report" not in json.dumps(result.to_dict())  # no local path in notes
