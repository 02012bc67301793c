"""The audit's HTML report: one self-contained page (no JavaScript, no CDN, no external
file), so it can be mailed or archived with the run and opened offline.

Charts are inline SVG drawn with matplotlib's object API (`Figure`, no pyplot state, no
GUI backend). Every text on the page comes from de-identified records and is
HTML-escaped by Jinja's autoescaping; chart labels are label names, cultures and
annotator ids only.

Right-to-left text: every cell that shows dataset text (the excerpt, the given and
suggested values, annotator ids) carries its own `dir` (`curate.bidi.direction`, decided
per cell by its content, pseudonym tags skipped) and cells align to their start, so an
Arabic or Hebrew excerpt starts at the right edge while an English one starts at the left;
values quoted inside the English notes are isolated in `<bdi>`.
"""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from curate.audit.store import KINDS, AuditFlag
from curate.bidi import direction

MAX_ROWS = 100  # flags shown per family and culture; the CSV/Parquet files have them all
EXCERPT = 160  # characters of text shown per flag
# No date, creator or licence block in the SVGs: the same run renders the same page.
NO_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}

KIND_TITLES = {
    "label_issue": "label issue",
    "consensus": "consensus (CROWDLAB)",
    "outlier": "outlier",
    "near_duplicate": "near duplicate",
}

TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>curate audit {{ run_id }}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em; max-width: 1200px; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: start; vertical-align: top; }
th { background: #f2f2f2; }
td.text { max-width: 480px; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.charts { display: flex; flex-wrap: wrap; gap: 1em; }
.charts figure { margin: 0; }
.note { color: #666; font-size: 0.9em; }
</style></head>
<body>
<h1>Label audit</h1>
<p class="note">run {{ run_id }} · {{ records }} de-identified record(s) · texts are
de-identified · score: lower is worse (label quality, consensus quality, outlier score,
near-duplicate score) · full lists in the CSV/Parquet files next to this page.</p>
<h2 id="summary">Summary</h2>
<table>
<tr><th>family</th><th>examples</th>{% for k in kinds %}<th>{{ kind_titles[k] }}</th>{% endfor %}
<th>seconds</th></tr>
{% for name, fam in families %}
<tr><td><a href="#{{ name }}">{{ name }}</a></td><td class="num">{{ fam.examples }}</td>
{% if fam.skipped %}<td colspan="{{ kinds|length }}">{{ fam.skipped }}</td><td></td>
{% else %}{% for k in kinds %}<td class="num">{{ fam.flags.get(k, 0) }}</td>{% endfor %}
<td class="num">{{ fam.seconds }}</td>{% endif %}</tr>
{% endfor %}
</table>
{% for section in sections %}
<h2 id="{{ section.name }}">{{ section.name }}</h2>
{% if section.skipped %}<p>{{ section.skipped }}</p>{% else %}
<div class="charts">{% for svg in section.charts %}<figure>{{ svg }}</figure>{% endfor %}</div>
{% if section.annotators %}
<h3>Annotators (CROWDLAB, {{ section.crowd_items }} item(s) with 2+ annotators)</h3>
<table><tr><th>annotator</th><th>quality</th><th>agreement with consensus</th>
<th>labels</th><th>worst class</th></tr>
{% for a, s in section.annotators %}<tr><td dir="{{ a|textdir }}">{{ a }}</td>
<td class="num">{{ s.quality }}</td><td class="num">{{ s.agreement_with_consensus }}</td>
<td class="num">{{ s.labelled }}</td><td dir="{{ s.worst_class|textdir }}">{{ s.worst_class }}</td>
</tr>{% endfor %}
</table>{% elif section.crowd_note %}<p class="note">CROWDLAB: {{ section.crowd_note }}</p>
{% endif %}
{% for culture, rows, more in section.cultures %}
<h3>{{ section.name }} · {{ culture }}</h3>
{% if rows %}
<table><tr><th>kind</th><th>rank</th><th>record id</th><th>annotator</th><th>given</th>
<th>suggested</th><th>score</th><th>text (de-identified)</th><th>detail</th></tr>
{% for f in rows %}<tr><td>{{ kind_titles[f.kind] }}</td><td class="num">{{ f.rank }}</td>
<td>{{ f.record_id }}</td><td dir="{{ f.annotator|textdir }}">{{ f.annotator or "" }}</td>
<td dir="{{ f.given|textdir }}">{{ f.given or "" }}</td>
<td dir="{{ f.suggested|textdir }}">{{ f.suggested or "" }}</td>
<td class="num">{{ "%.3f"|format(f.score) }}</td>
<td class="text" dir="{{ f.excerpt|textdir }}">{{ f.excerpt }}</td><td>{{ f.note }}</td></tr>
{% endfor %}
</table>{% if more %}<p class="note">{{ more }} more in the CSV/Parquet files.</p>{% endif %}
{% else %}<p class="note">no flags</p>{% endif %}
{% endfor %}{% endif %}
{% endfor %}
</body></html>
"""


def svg(fig: Any) -> str:
    """A matplotlib figure as an inline <svg> element (text kept as text, no ids that
    change between runs)."""
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "curate-audit"}):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata=NO_METADATA)
    text = buf.getvalue()
    return text[text.index("<svg") :]


def _bar_chart(
    title: str,
    labels: Sequence[str],
    series: dict[str, list[float]],
    xlabel: str,
    stacked: bool,
    share: bool = False,
) -> str:
    """Horizontal bars, one row per label, one colour per series (culture, ...)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5.5, 0.35 * len(labels) + 1.4))
    ax = fig.add_subplot()
    ys = list(range(len(labels)))
    left = [0.0] * len(labels)
    height = 0.8 if stacked else 0.8 / max(len(series), 1)
    for n, (name, values) in enumerate(series.items()):
        if stacked:
            ax.barh(ys, values, left=left, height=height, label=name)
            left = [a + b for a, b in zip(left, values, strict=True)]
        else:
            offset = [y - 0.4 + height * (n + 0.5) for y in ys]
            ax.barh(offset, values, height=height, label=name)
    ax.set_yticks(ys, [str(lab) for lab in labels])
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    if share:  # shares and qualities: always on the same 0-1 axis, comparable across charts
        ax.set_xlim(0, 1)
    ax.set_title(title, fontsize=10)
    if len(series) > 1:
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return svg(fig)


def family_charts(
    name: str, fam: dict[str, Any], flags: Sequence[AuditFlag], classes: Sequence[str]
) -> list[str]:
    """Label distribution by culture, flag rate per label by culture, annotator quality."""
    per_culture: dict[str, dict[str, int]] = fam.get("labels_per_culture", {})
    labels = [c for c in classes if any(c in v for v in per_culture.values())]
    if not labels:
        return []
    cultures = sorted(per_culture)
    charts = [
        _bar_chart(
            f"{name}: examples per label",
            labels,
            {c: [per_culture[c].get(lab, 0) for lab in labels] for c in cultures},
            "examples",
            stacked=True,
        )
    ]
    flagged: dict[str, Counter] = defaultdict(Counter)
    for f in flags:
        if f.kind in ("label_issue", "consensus") and f.given is not None:
            flagged[f.culture or "(none)"][f.given] += 1
    charts.append(
        _bar_chart(
            f"{name}: share of labels flagged (label issue or consensus)",
            labels,
            {
                c: [
                    flagged[c][lab] / per_culture[c][lab] if per_culture[c].get(lab) else 0.0
                    for lab in labels
                ]
                for c in cultures
            },
            "flagged / examples",
            stacked=False,
            share=True,
        )
    )
    annotators = (fam.get("crowdlab") or {}).get("annotators") or {}
    if annotators:
        charts.append(
            _bar_chart(
                f"{name}: annotator quality (CROWDLAB)",
                list(annotators),
                {"quality": [s["quality"] for s in annotators.values()]},
                "quality (0-1, higher is better)",
                stacked=False,
                share=True,
            )
        )
    return charts


def _note(f: AuditFlag) -> Any:
    """The detail column: English wording around values from the data (labels, annotator
    ids), each isolated in `<bdi>` so a right-to-left one cannot reorder its neighbours."""
    from markupsafe import Markup, escape

    def bdi(value: Any) -> Markup:
        return Markup("<bdi>{}</bdi>").format(value)

    d = f.detail
    if f.kind == "near_duplicate":
        extra = (
            Markup(", its label {}").format(bdi(d["partner_label"]))
            if d.get("partner_label")
            else ""
        )
        return Markup("near {} (distance {}){}").format(
            bdi(d.get("partner")), d.get("distance"), extra
        )
    if f.kind == "consensus":
        votes = Markup(", ").join(
            Markup("{}: {}").format(bdi(a), bdi(v)) for a, v in d.get("votes", {}).items()
        )
        return Markup("votes {}; agreement {}").format(votes, d.get("agreement"))
    return escape("")


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


def render(
    summary: dict[str, Any],
    flags: Sequence[AuditFlag],
    classes: dict[str, Sequence[str]],
) -> str:
    """The whole page. `summary` is what summary.json holds; `flags` carry their texts;
    `classes` gives each family's labels in taxonomy order (for the charts)."""
    from jinja2 import Environment
    from markupsafe import Markup

    by_family: dict[str, list[AuditFlag]] = defaultdict(list)
    for f in flags:
        by_family[f.family].append(f)
    families = dict(summary["families"])
    sections = []
    for name, fam in families.items():
        section: dict[str, Any] = {"name": name, "skipped": fam.get("skipped")}
        if not section["skipped"]:
            fam_flags = by_family.get(name, [])
            section["charts"] = (
                family_charts(name, fam, fam_flags, classes.get(name, ()))
                if name in classes
                else []
            )
            crowd = fam.get("crowdlab") or {}
            section["annotators"] = list((crowd.get("annotators") or {}).items())
            section["crowd_items"] = crowd.get("items", 0)
            section["crowd_note"] = crowd.get("skipped")
            per_culture: dict[str, list[AuditFlag]] = defaultdict(list)
            for f in fam_flags:
                per_culture[f.culture or "(none)"].append(f)
            cultures = sorted(set(fam.get("labels_per_culture", {})) | set(per_culture))
            section["cultures"] = [
                (
                    c,
                    [_row(f) for f in per_culture.get(c, [])[:MAX_ROWS]],
                    max(len(per_culture.get(c, [])) - MAX_ROWS, 0),
                )
                for c in cultures
            ]
        sections.append(section)
    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["textdir"] = direction
    for section in sections:
        section["charts"] = [Markup(s) for s in section.get("charts", [])]
    return env.from_string(TEMPLATE).render(
        run_id=summary.get("run_id", ""),
        records=summary.get("audited_records", 0),
        kinds=KINDS,
        kind_titles=KIND_TITLES,
        families=[(n, _FamilyRow(f)) for n, f in families.items()],
        sections=sections,
    )


class _FamilyRow(dict):
    """Attribute access for the template (`fam.examples`), with safe defaults."""

    def __getattr__(self, key: str) -> Any:
        return self.get(key, "" if key != "flags" else {})


def _row(f: AuditFlag) -> dict[str, Any]:
    return {
        "kind": f.kind,
        "rank": f.rank,
        "record_id": f.record_id,
        "annotator": f.annotator,
        "given": f.given,
        "suggested": f.suggested,
        "score": f.score,
        "excerpt": _excerpt(f.text),
        "note": _note(f),
    }
