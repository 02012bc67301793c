"""The validation report: one self-contained HTML page per validation run (inline CSS, no
JavaScript, no CDN, no external file), so it opens offline, can be mailed or archived
with the run, and reads the same years later. GX Data Docs, which load their CSS and
JavaScript from CDNs, are opt-in (`curate validate --data-docs`).

It reads as a to-do list: the overall result, then the failed expectations with their
record ids and what to do about each, then every expectation of every suite (folded per
suite in `<details>`, the suites with failures open), the tables validated with their
row counts and the residual-PII scan's result.

Privacy: the page shows record ids, counts and the suites' own settings (value sets,
patterns), never a value from the data (a failing span's text, a leaked name): the
runner keeps no unexpected values. Everything on the page is HTML-escaped by Jinja's
autoescaping; values that may be right-to-left (cultures, value sets) are isolated in
`<bdi>` and cells carry `dir="auto"`.

`write_report` writes `validation-<run id>.html` into the workspace's reports folder and
copies it to `validation.html` (the latest run's). `report` is the runner's
`ValidationReport`; this module does not import the runner, which calls it (no cycle).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from curate.report_style import BASE_CSS

LATEST = "validation.html"
VALUES_SHOWN = 8  # items of a value set shown before "and N more"

TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>curate validation {{ run }}</title>
<style>
{{ base_css }}
h2 { margin: 1em 0 0.3em; }
td.ids { max-width: 420px; }
td.ids code { white-space: nowrap; }
code { font-size: 0.95em; }
.note { color: #666; font-size: 0.9em; }
.verdict { display: inline-block; padding: 0.2em 0.8em; border-radius: 4px; font-weight: bold; }
.verdict.pass { background: #e3f4e6; color: #17602a; border: 1px solid #9fd3ab; }
.verdict.fail { background: #fbe7e7; color: #8a1c1c; border: 1px solid #e3a5a5; }
.failures { background: #fdf6f6; border: 1px solid #ebcaca; border-radius: 6px;
  padding: 0.3em 1.2em 0.6em; }
.failures h2 { margin-top: 0.4em; }
.failures td { background: #fff; }
tr.fail td.result { color: #8a1c1c; font-weight: bold; }
tr.pass td.result { color: #17602a; }
tr.allowed td.result { color: #8a5a00; }
td.todo { max-width: 320px; }
.kw { color: #444; font-size: 0.92em; }
details { margin: 0.3em 0; }
details > summary { cursor: pointer; padding: 2px 0; }
details > summary h3 { display: inline; font-size: 1em; margin: 0; }
details > summary .counts { color: #555; font-size: 0.9em; margin-inline-start: 0.6em; }
details.suite { border-top: 1px solid #ddd; padding-top: 0.3em; }
</style></head>
<body>
<h1>Validation report</h1>
<p class="note">run name <bdi id="run-name">{{ run }}</bdi> · {{ command }} · {{ started }}
· {{ scope }}</p>
<p><span class="verdict {{ 'pass' if ok else 'fail' }}" id="verdict">{{ verdict }}</span>
<span class="note">{{ evaluated }} expectation(s): {{ passed }} passed, {{ failed }}
failed{% if allowed %} ({{ allowed|length }} let through by name){% endif %}</span></p>

{% if failures %}
<section class="failures" id="failures">
<h2>Failed expectations</h2>
<table>
<tr><th>expectation</th><th>suite · table</th><th>failing rows</th>
<th>failing record ids</th><th>what to do</th></tr>
{% for r in failures %}<tr class="{{ 'allowed' if r.allowed else 'fail' }}">
<td><strong>{{ r.name }}</strong><br><span class="kw">{{ r.kind }}</span></td>
<td>{{ r.suite }} · {{ r.table }}</td>
<td class="num">{{ r.count }}{% if r.rows is not none %} of {{ r.rows }}{% endif %}</td>
<td class="ids">{{ r.ids }}</td>
<td class="todo">{% if r.allowed %}<strong>allowed</strong>: <bdi>{{ reason }}</bdi>
{%- if r.todo %}<br>{% endif %}{% endif %}{{ r.todo|code }}
{%- if r.reasons %}<br><span class="note">uncertain decisions by reason:
{{ r.reasons }}</span>{% endif %}</td></tr>
{% endfor %}
</table>
</section>
{% endif %}

<h2 id="pii">Residual personal data</h2>
<p id="pii-result">{{ pii }}</p>

<h2 id="assets">Data assets</h2>
<table id="asset-table">
<tr><th>table</th><th>rows</th><th>suites</th></tr>
{% for a in assets %}<tr><td>{{ a.table }}</td><td class="num">{{ a.rows }}</td>
<td>{{ a.suites|join(", ") }}</td></tr>
{% endfor %}
</table>

<h2 id="expectations">Every expectation</h2>
<p class="note">per suite, the suites with failures open; failing record ids: at most
{{ max_ids }} per expectation (ids only, never a text; <code>curate validate --json</code>
prints them too).</p>
{% for s in suites %}
<details class="suite" id="suite-{{ s.name }}"{% if s.failed %} open{% endif %}>
<summary><h3>{{ s.name }}</h3><span class="counts">table {{ s.table }} ·
{{ s.rows|length }} expectation(s) · {{ s.failed ~ " failed" if s.failed else "all passed" }}
</span></summary>
<table class="expectations">
<tr><th>result</th><th>expectation</th><th>settings</th><th>observed</th>
<th>failing record ids</th></tr>
{% for r in s.rows %}<tr class="{{ r.css }}"><td class="result">{{ r.result }}</td>
<td><strong>{{ r.name }}</strong><br><span class="kw">{{ r.kind }}</span>
{% if r.why %}<br><span class="note">{{ r.why }}</span>{% endif %}</td>
<td class="kw">{{ r.settings }}</td>
<td>{{ r.observed }}</td>
<td class="ids">{{ r.ids }}</td></tr>
{% endfor %}
</table>
</details>
{% endfor %}
</body></html>
"""


def _bdi(value: Any) -> Any:
    from markupsafe import Markup

    return Markup("<bdi>{}</bdi>").format(value)


def _setting(value: Any) -> Any:
    """A kwarg's value as short text: lists as items (the first VALUES_SHOWN), strings in
    `<bdi>` (a culture's name may be right-to-left), never JSON."""
    from markupsafe import Markup

    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple | set):
        items = [_setting(v) for v in value]
        shown = Markup(", ").join(items[:VALUES_SHOWN])
        if len(items) > VALUES_SHOWN:
            shown += Markup(" and {} more").format(len(items) - VALUES_SHOWN)
        return Markup("[{}]").format(shown)
    if isinstance(value, str):
        return _bdi(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def settings(kwargs: dict[str, Any]) -> Any:
    """An expectation's kwargs, one `key: value` per line (the row condition as "where")."""
    from markupsafe import Markup

    lines = []
    for key, value in kwargs.items():
        if key == "row_condition":
            lines.append(Markup("where {}").format(_bdi(value)))
        elif key == "regex":
            lines.append(Markup("{}: <code>{}</code>").format(key, value))
        else:
            lines.append(Markup("{}: {}").format(key.replace("_", " "), _setting(value)))
    return Markup("<br>").join(lines)


def _code(text: str | None) -> Any:
    """Plain text, escaped, with its `backquoted` commands in <code>."""
    import re

    from markupsafe import Markup, escape

    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escape(text or ""))))


def _kind(expectation: str) -> str:
    """`expect_column_values_to_be_in_set` -> "column values to be in set"."""
    return expectation.removeprefix("expect_").replace("_", " ")


def _ids(result: dict[str, Any]) -> Any:
    """The failing record ids (as the runner kept them) and how many more there are."""
    from markupsafe import Markup

    ids = result.get("record_ids") or []
    if not ids:
        return ""
    out = Markup(", ").join(Markup("<code>{}</code>").format(i) for i in ids)
    more = result.get("more_ids") or 0
    if more:
        out += Markup(' <span class="note">and {} more record(s)</span>').format(more)
    return out


def _observed(result: dict[str, Any]) -> str:
    """Failing rows of rows checked, or the observed number of an aggregate expectation."""
    if result.get("error"):
        return "could not be evaluated (an error in GX)"
    if result.get("observed") is not None:
        return f"observed {result['observed']}"
    rows, count = result.get("rows"), result.get("count")
    if rows is None:
        return ""
    if not count:
        return f"{rows} row(s), none failing" if rows else "no rows (nothing to check)"
    share = f" ({100 * count / rows:.1f}\u00a0%)" if rows else ""
    return f"{count} of {rows} row(s) failing{share}"


def _pii_line(report: Any) -> str:
    if report.pii is None:
        return (
            "Not scanned (--no-pii-scan): no_residual_pii checked nothing. The release gate "
            "always scans."
        )
    what = "release candidate" if report.release else "record"
    if not report.pii["records"]:
        return (
            f"Scanned the titles, texts, responses and unaligned phrases of every {what}: no "
            "direct identifier left (no_residual_pii passed)."
        )
    return (
        f"{report.pii['records']} record(s) with {report.pii['findings']} direct "
        "identifier(s) left (no_residual_pii failed; their ids are in the table above, "
        "never the values). No override lets this through."
    )


def render(
    report: Any,
    command: str = "curate validate",
    allowed: list[str] | None = None,
    reason: str | None = None,
) -> str:
    """The whole page for `report`. `command`: what ran the validation (`curate validate`
    or the export gate); `allowed`/`reason`: failures the gate let through by name."""
    from jinja2 import Environment
    from markupsafe import Markup

    allowed = list(allowed or [])
    failures = []
    suites: dict[str, dict[str, Any]] = {}
    for r in report.results:
        row = {
            "name": r["name"],
            "kind": _kind(r["expectation"]),
            "why": r.get("why"),
            "settings": settings(r.get("kwargs") or {}),
            "observed": _observed(r),
            "ids": _ids(r),
        }
        if r["success"]:
            row.update(result="pass", css="pass")
        elif r["name"] in allowed:
            row.update(result="failed (allowed)", css="allowed")
        else:
            row.update(result="FAIL", css="fail")
        suite = suites.setdefault(
            r["suite"], {"name": r["suite"], "table": r["table"], "rows": [], "failed": 0}
        )
        suite["rows"].append(row)
        if not r["success"]:
            suite["failed"] += 1
            reasons = r.get("by_reason") or {}
            failures.append(
                {
                    **row,
                    "suite": r["suite"],
                    "table": r["table"],
                    "count": r.get("count"),
                    "rows": r.get("rows"),
                    "todo": r.get("todo"),
                    "allowed": r["name"] in allowed,
                    "reasons": ", ".join(f"{k}: {n}" for k, n in reasons.items()),
                }
            )
    failures.sort(key=lambda f: f["allowed"])  # what blocks first
    for suite in suites.values():  # failures first within each suite too
        suite["rows"].sort(key=lambda row: row["css"] == "pass")
    failed = sum(not r["success"] for r in report.results)
    blocking = failed - sum(f["allowed"] for f in failures)
    if not failed:
        verdict = "PASSED"
    elif not blocking:
        verdict = "PASSED with allowed failures"
    else:
        verdict = f"FAILED: {blocking} expectation(s)"
    tables: dict[str, list[str]] = {}
    for r in report.results:
        if r["suite"] not in tables.setdefault(r["table"], []):
            tables[r["table"]].append(r["suite"])
    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["code"] = _code
    return env.from_string(TEMPLATE).render(
        base_css=Markup(BASE_CSS),
        run=report.run_name or "(not logged)",
        command=command,
        started=report.started,
        scope="release candidates only (de-identified, no duplicates)"
        if report.release
        else "the whole workspace",
        ok=not blocking,
        verdict=verdict,
        evaluated=report.evaluated,
        passed=report.evaluated - failed,
        failed=failed,
        allowed=[a for a in allowed if any(f["name"] == a for f in failures)],
        reason=reason or "",
        failures=failures,
        pii=_pii_line(report),
        assets=[
            {"table": t, "rows": n, "suites": tables.get(t, [])} for t, n in report.assets.items()
        ],
        suites=list(suites.values()),
        max_ids=report.max_ids,
    )


def write_report(
    report: Any,
    reports_dir: Path,
    command: str = "curate validate",
    allowed: list[str] | None = None,
    reason: str | None = None,
) -> Path:
    """Write `validation-<run id>.html` into `reports_dir` and copy it to
    `validation.html` (the latest); returns the run's page."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    name = report.run_name or "unlogged"
    page = reports_dir / f"validation-{name}.html"
    page.write_text(render(report, command, allowed, reason), encoding="utf-8")
    shutil.copyfile(page, reports_dir / LATEST)
    return page
