"""The audit's HTML report: one self-contained page (no JavaScript, no CDN, no external
file), so it can be mailed or archived with the run and opened offline.

It reads as a to-do list: first the next steps (the review queue per culture and family,
the commands to send it and pull the decisions back, the annotators to talk to, links to
the review projects: `next_steps`), then the summary table; each family's charts and
tables are folded in `<details>` (per family, then per culture, each summary line with
its counts), so the page opens short. Record ids link to their Label Studio task when the
report dict has `links`; the detail column says in words why a flag was raised (`_note`).

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
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from curate.audit.store import KINDS, AuditFlag
from curate.bidi import direction
from curate.report_style import BASE_CSS

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
{{ base_css }}
h2 { margin: 0.8em 0 0.3em; }
td.text { max-width: 480px; }
td.detail { max-width: 320px; font-size: 0.95em; }
td.id { white-space: nowrap; }
.charts { display: flex; flex-wrap: wrap; gap: 1em; }
.charts figure { margin: 0; }
.note { color: #666; font-size: 0.9em; }
.next { background: #f6f8fb; border: 1px solid #d5dde8; border-radius: 6px;
  padding: 0.3em 1.2em 0.6em; }
.next h2 { margin-top: 0.4em; }
.next h3 { font-size: 1em; margin: 0.6em 0 0.2em; }
.next ol, .next ul { margin: 0.2em 0; padding-inline-start: 1.4em; }
.next li { margin: 0.15em 0; }
.next pre { display: inline-block; margin: 0.1em 0 0.2em; padding: 2px 8px; background: #fff;
  border: 1px solid #d5dde8; border-radius: 4px; max-width: 100%; white-space: pre-wrap;
  box-sizing: border-box; user-select: all; }
.next table { margin: 0.2em 0 0.4em; }
.next p { margin: 0.4em 0; }
.cols { display: flex; flex-wrap: wrap; gap: 0 2.5em; }
.cols > div { min-width: 0; }
.cols > .queue { flex: 0 1 auto; min-width: 0; overflow-x: auto; }
.cols > .todo { flex: 1 1 420px; min-width: 0; }
details { margin: 0.3em 0; }
details > summary { cursor: pointer; padding: 2px 0; }
details > summary h2, details > summary h3 { display: inline; margin: 0; }
details > summary .counts { color: #555; font-size: 0.9em; margin-inline-start: 0.6em; }
details.family { border-top: 1px solid #ddd; padding-top: 0.3em; }
details.culture { margin-inline-start: 1.2em; }
details[open] > summary { margin-bottom: 0.4em; }
.empty h3 { display: inline; font-size: 1em; }
.empty { margin: 0.3em 0 0.3em 1.2em; }
.skipped { border-top: 1px solid #ddd; padding-top: 0.5em; margin: 0.3em 0; }
</style></head>
<body>
<h1>Label audit</h1>
<p class="note">run {{ run_id }} · {{ records }} de-identified record(s) · texts are
de-identified · score: lower is worse (label quality, consensus quality, outlier score,
near-duplicate score) · the tables are folded: open a family, then a culture; each shows
at most {{ max_rows }} flags, the CSV/Parquet files next to this page have them all.</p>

<section class="next" id="next-steps">
<h2>Next steps</h2>
<div class="cols">
<div class="queue">
{% if queue %}
<p><strong>{{ queue.total }}</strong> {{ queue.what }}{% if queue.top %} (at most
{{ queue.top }} per culture and family){% endif %}.</p>
{% if queue.rows %}
<table><tr><th>culture</th>{% for fam in queue.families %}<th>{{ fam }}</th>
{% endfor %}<th>all</th></tr>
{% for culture, counts, total in queue.rows %}<tr><td>{{ culture }}</td>
{% for n in counts %}<td class="num">{{ n or "" }}</td>{% endfor %}
<td class="num">{{ total }}</td></tr>
{% endfor %}
</table>
{% endif %}
{% if queue.notes %}<p class="note">{{ queue.notes|join(" · ") }}</p>{% endif %}
{% endif %}
{% if projects %}
<p>Review projects in Label Studio: {% for culture, url in projects %}<a
href="{{ url }}">{{ culture }}</a>{% if not loop.last %} · {% endif %}{% endfor %}</p>
{% endif %}
</div>
<div class="todo">
{% if steps %}
<h3>To do</h3>
<ol class="steps">
{% for step in steps %}<li>{{ step.why|capfirst }}{% if step.command %}:<br>
<pre><code>{{ step.command }}</code></pre>{% endif %}</li>
{% endfor %}
</ol>
{% endif %}
{% if by_hand %}<p class="note">{{ by_hand }}</p>{% endif %}
</div>
</div>
{% if annotators %}
<h3>Annotators to talk to</h3>
<ul class="annotators">
{% for a in annotators %}<li><bdi>{{ a.annotator }}</bdi>{% if a.family %} ({{ a.family }})
{%- endif %}: {{ a.why }}</li>
{% endfor %}
</ul>
{% endif %}
</section>

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
{% if section.skipped %}
<p class="skipped" id="{{ section.name }}"><strong>{{ section.name }}</strong>: skipped,
{{ section.skipped }}</p>
{% else %}
<details class="family" id="{{ section.name }}">
<summary><h2>{{ section.name }}</h2><span class="counts">{{ section.counts }}</span></summary>
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
{% for culture, rows, more, counts in section.cultures %}
{% if rows %}
<details class="culture">
<summary><h3>{{ section.name }} · {{ culture }}</h3>
<span class="counts">{{ counts }}</span></summary>
<table><tr><th>kind</th><th>rank</th><th>record id</th><th>annotator</th><th>given</th>
<th>suggested</th><th>score</th><th>text (de-identified)</th><th>detail</th></tr>
{% for f in rows %}<tr><td>{{ kind_titles[f.kind] }}</td><td class="num">{{ f.rank }}</td>
<td class="id">{% if f.link %}<a href="{{ f.link }}">{{ f.record_id }}</a>
{%- else %}{{ f.record_id }}{% endif %}</td>
<td dir="{{ f.annotator|textdir }}">{{ f.annotator or "" }}</td>
<td dir="{{ f.given|textdir }}">{{ f.given or "" }}</td>
<td dir="{{ f.suggested|textdir }}">{{ f.suggested or "" }}</td>
<td class="num">{{ "%.3f"|format(f.score) }}</td>
<td class="text" dir="{{ f.excerpt|textdir }}">{{ f.excerpt }}</td>
<td class="detail">{{ f.note }}</td></tr>
{% endfor %}
</table>{% if more %}<p class="note">{{ more }} more in {{ section.name }}.csv and
{{ section.name }}.parquet.</p>{% endif %}
</details>
{% else %}<div class="empty"><h3>{{ section.name }} · {{ culture }}</h3>
<span class="note">no flags</span></div>
{% endif %}
{% endfor %}
</details>
{% endif %}
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


def _bdi(value: Any) -> Any:
    from markupsafe import Markup

    return Markup("<bdi>{}</bdi>").format(value)


def _num(value: float) -> str:
    """A number rounded for reading: 12.3, 0.42, 0.006."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return str(value)
    if isinstance(value, int) or (value == int(value) and abs(value) >= 1):
        return str(int(value))
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 0.01 or value == 0:
        return f"{value:.2f}"
    return f"{value:.1g}"


def _pct(value: Any) -> Any:
    """A probability or share as a percentage (4 %, <1 %, >99 %); anything else as is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return _value(value)
    x = 100 * float(value)
    if 0 < x < 0.5:
        return "<1\u00a0%"
    if 99.5 <= x < 100:
        return ">99\u00a0%"
    return f"{round(x)}\u00a0%"


def _record(value: Any, links: dict[str, str]) -> Any:
    """A record id, linked to its Label Studio task when there is one."""
    from markupsafe import Markup

    url = links.get(str(value))
    if url:
        return Markup('<a href="{}">{}</a>').format(url, _bdi(value))
    return _bdi(value)


def _value(value: Any, links: dict[str, str] | None = None, limit: int = 5) -> Any:
    """Any detail value as short text: strings in `<bdi>`, numbers rounded, lists and
    mappings as comma-separated items (the first `limit`), never JSON."""
    from markupsafe import Markup

    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return _num(value)
    if isinstance(value, dict):
        items = [Markup("{}: {}").format(_bdi(k), _value(v, links)) for k, v in value.items()]
    elif isinstance(value, list | tuple | set):
        items = [_value(v, links) for v in value]
    else:
        return _record(value, links) if links else _bdi(value)
    shown = Markup(", ").join(items[:limit])
    if len(items) > limit:
        shown += Markup(" and {} more").format(len(items) - limit)
    return shown


def _neighbour(d: dict[str, Any], links: dict[str, str]) -> Any:
    """ "near record X, labelled Y by Z (distance 0.01)" from partner keys."""
    from markupsafe import Markup

    out = Markup("near record {}").format(_record(d["partner"], links))
    if d.get("partner_label") is not None:
        out += Markup(", labelled {}").format(_bdi(d["partner_label"]))
    if d.get("partner_annotator"):
        out += Markup(" by {}").format(_bdi(d["partner_annotator"]))
    if isinstance(d.get("distance"), int | float):
        out += Markup(" (distance {})").format(_num(d["distance"]))
    return out


# Detail keys that get their own wording (the rest: "key: value").
_HANDLED = {
    "wrong_prob",
    "p_given",
    "p_suggested",
    "votes",
    "agreement",
    "partner",
    "partner_label",
    "partner_annotator",
    "distance",
    "partners",
    "labels",
    "record_mates",
    "near_duplicate",
    "field",
    "start",
    "end",
}


def _note(f: AuditFlag, links: dict[str, str] | None = None) -> Any:
    """The detail column: `detail` in short English, whatever keys it has. Values from
    the data (labels, annotator and record ids) are each isolated in `<bdi>`, so a
    right-to-left one cannot reorder its neighbours; numbers are rounded; record ids link
    to their Label Studio task when `links` has one; an unknown key is shown as
    "key: value", never as JSON."""
    from markupsafe import Markup

    links = links or {}
    d = {k: v for k, v in f.detail.items() if v is not None}
    parts: list[Any] = []
    if "wrong_prob" in d:
        parts.append(Markup("likely wrong ({})").format(_pct(d["wrong_prob"])))
    model = []
    if "p_given" in d:
        model.append(Markup("given label {}").format(_pct(d["p_given"])))
    if "p_suggested" in d:
        model.append(Markup("suggested {}").format(_pct(d["p_suggested"])))
    if model:
        parts.append(Markup("model: ") + Markup(", ").join(model))
    if "votes" in d:
        parts.append(Markup("votes {}").format(_value(d["votes"], limit=8)))
    if "agreement" in d:
        parts.append(Markup("annotators agree {}").format(_pct(d["agreement"])))
    if "partner" in d:
        parts.append(_neighbour(d, links))
    elif "distance" in d:
        parts.append(Markup("distance {}").format(_value(d["distance"])))
    if "partners" in d:
        others = [p for p in d["partners"] if p != d.get("partner")]
        if others:
            parts.append(Markup("also near {}").format(_value(others, links)))
    if "labels" in d:
        parts.append(Markup("labels of the similar spans: {}").format(_value(d["labels"])))
    if "record_mates" in d:
        parts.append(Markup("same record: {}").format(_value(d["record_mates"], links)))
    if "near_duplicate" in d:
        dup = d["near_duplicate"]
        if isinstance(dup, dict) and "partner" in dup:
            parts.append(_neighbour(dup, links))
        else:
            parts.append(Markup("near duplicate: {}").format(_value(dup, links)))
    for key, value in d.items():
        if key not in _HANDLED:
            parts.append(Markup("{}: {}").format(key.replace("_", " "), _value(value, links)))
    if "field" in d:
        where = Markup("{}").format(_bdi(d["field"]))
        if isinstance(d.get("start"), int) and isinstance(d.get("end"), int):
            where += Markup(", characters {}\u2013{}").format(d["start"], d["end"])
        parts.append(where)
    return Markup("; ").join(parts)


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


def render(
    summary: dict[str, Any],
    flags: Sequence[AuditFlag],
    classes: dict[str, Sequence[str]],
) -> str:
    """The whole page. `summary` is what summary.json holds, optionally with
    `next_steps` (the review queue, commands, annotators to talk to, review projects;
    see `next_steps`) and `links` ({record id: its Label Studio task's URL}); `flags`
    carry their texts; `classes` gives each family's labels in taxonomy order (for the
    charts)."""
    from jinja2 import Environment
    from markupsafe import Markup

    links = {str(k): v for k, v in (summary.get("links") or {}).items() if _safe_url(v)}
    by_family: dict[str, list[AuditFlag]] = defaultdict(list)
    for f in flags:
        by_family[f.family].append(f)
    families = dict(summary["families"])
    sections = []
    for name, fam in families.items():
        section: dict[str, Any] = {"name": name, "skipped": fam.get("skipped")}
        if not section["skipped"]:
            fam_flags = by_family.get(name, [])
            section["counts"] = _family_counts(fam, fam_flags)
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
                    [_row(f, links) for f in per_culture.get(c, [])[:MAX_ROWS]],
                    max(len(per_culture.get(c, [])) - MAX_ROWS, 0),
                    _culture_counts(per_culture.get(c, [])),
                )
                for c in cultures
            ]
        sections.append(section)
    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["textdir"] = direction
    env.filters["capfirst"] = lambda text: str(text)[:1].upper() + str(text)[1:]
    for section in sections:
        section["charts"] = [Markup(s) for s in section.get("charts", [])]
    return env.from_string(TEMPLATE).render(
        base_css=Markup(BASE_CSS),
        run_id=summary.get("run_id", ""),
        records=summary.get("audited_records", 0),
        max_rows=MAX_ROWS,
        kinds=KINDS,
        kind_titles=KIND_TITLES,
        families=[(n, _FamilyRow(f)) for n, f in families.items()],
        sections=sections,
        **next_steps(summary, flags),
    )


# Below this CROWDLAB quality (0-1) an annotator is named under "Annotators to talk
# to" when the report computes its own next steps.
LOW_QUALITY = 0.5
# Kinds a reviewer can settle in Label Studio (they come with a suggested label).
SENDABLE = ("label_issue", "consensus")


def next_steps(summary: dict[str, Any], flags: Sequence[AuditFlag]) -> dict[str, Any]:
    """What the "Next steps" section shows: `queue` (counts per culture and family),
    `steps` (what to do, each with its command), `by_hand` (flags no reviewer queue
    takes), `annotators` (to talk to, and why) and `projects` (review projects' links).

    `summary["next_steps"]`, when the review queue was built, gives them:
    `{"queue": {"total", "top", "per_culture": {culture: {family: n}}, "adjudicated",
    "no_task", "no_region"}, "commands": [{"command", "why"}], "annotators":
    [{"annotator", "family", "quality", "agreement", "labelled"}], "review_projects":
    {culture: url}}`. Whatever it lacks is computed from this run's flags and summary:
    the label issues and consensus flags that could be queued, the plain commands, and
    the annotators whose CROWDLAB quality is below `LOW_QUALITY`."""
    given = summary.get("next_steps") or {}
    run_id = summary.get("run_id") or "latest"
    sendable = [f for f in flags if f.kind in SENDABLE]
    queue = given.get("queue")
    if queue:
        out_queue = _queue(
            queue.get("per_culture") or {},
            queue.get("total"),
            "item(s) in the review queue in Label Studio",
            queue.get("top"),
        )
        notes = []
        if queue.get("adjudicated"):
            notes.append(
                f"{queue['adjudicated']} item(s) of records already adjudicated, not queued again"
            )
        if queue.get("no_task"):
            notes.append(
                f"{queue['no_task']} flag(s) on records without a Label Studio task "
                "(curate annotate push makes them)"
            )
        if queue.get("unanimous"):
            notes.append(
                f"{queue['unanimous']} model-only flag(s) left out: 2+ annotators gave that "
                "label alike"
            )
        if queue.get("beyond_top"):
            notes.append(f"{queue['beyond_top']} more item(s) past the cap (--top 0 for all)")
        if queue.get("no_region"):
            notes.append(f"{queue['no_region']} flag(s) whose span has no position in the text")
        out_queue["notes"] = notes
    elif sendable:
        per_culture: dict[str, Counter] = defaultdict(Counter)
        for f in sendable:
            per_culture[f.culture or "(none)"][f.family] += 1
        out_queue = _queue(
            per_culture, None, "label issue and consensus flag(s) a reviewer can settle"
        )
        out_queue["notes"] = ["not sent to Label Studio yet"]
    else:
        out_queue = None
    if given.get("commands"):
        steps = [
            {"command": c.get("command", ""), "why": c.get("why", "")} for c in given["commands"]
        ]
    elif sendable:
        most = max(Counter((f.culture, f.family) for f in sendable).values())
        from curate.audit.queue import DEFAULT_TOP as TOP  # the cap a send applies

        top = f" --top {TOP}" if most > TOP else ""
        worst = f", the {TOP} worst per culture and family" if top else ""
        steps = [
            {
                "command": f"curate audit --to-label-studio --run {run_id}{top}",
                "why": f"send the label issues and consensus flags{worst} to Label Studio "
                "as a review queue",
            },
            {"command": "curate annotate pull", "why": "bring the reviewers' decisions back"},
            {"command": "curate audit", "why": "audit again, to see what is left"},
        ]
    else:
        steps = [{"command": "", "why": "nothing for a reviewer: no label issue or consensus flag"}]
    # what the review queue does not take (`curate.audit.queue`): outliers and
    # near-duplicate records ask to keep or drop an item, not to relabel it
    by_hand = sum(f.kind == "outlier" or f.family == "records" for f in flags)
    if "annotators" in given:
        annotators = list(given.get("annotators") or [])
    else:
        annotators = [
            {
                "annotator": a,
                "family": name,
                "quality": s.get("quality"),
                "agreement": s.get("agreement_with_consensus"),
                "labelled": s.get("labelled"),
                "worst_class": s.get("worst_class"),
            }
            for name, fam in summary.get("families", {}).items()
            for a, s in ((fam.get("crowdlab") or {}).get("annotators") or {}).items()
            if isinstance(s.get("quality"), int | float) and s["quality"] < LOW_QUALITY
        ]
    annotators.sort(key=lambda a: (_sortable(a.get("quality")), str(a.get("annotator"))))
    projects = [
        (culture, url)
        for culture, url in sorted((given.get("review_projects") or {}).items())
        if _safe_url(url)
    ]
    return {
        "queue": out_queue,
        "steps": steps,
        "by_hand": (
            f"Check the {by_hand} outlier and near-duplicate-record flag(s) in the tables "
            "below by hand (keep, fix or drop the item): they ask for no new label, so the "
            "review queue does not take them."
            if by_hand
            else ""
        ),
        "annotators": [{**a, "why": _annotator_why(a)} for a in annotators],
        "projects": projects,
    }


def _queue(per_culture: dict[str, Any], total: Any, what: str, top: Any = None) -> dict[str, Any]:
    """Counts per culture (rows) and family (columns), for the next-steps table."""
    families = sorted({fam for counts in per_culture.values() for fam in counts})
    rows = [
        (
            culture,
            [per_culture[culture].get(fam, 0) for fam in families],
            sum(per_culture[culture].values()),
        )
        for culture in sorted(per_culture)
    ]
    if total is None:
        total = sum(row[2] for row in rows)
    return {"total": total, "what": what, "top": top, "families": families, "rows": rows}


def _annotator_why(a: dict[str, Any]) -> str:
    """Why to talk to an annotator, from their CROWDLAB figures."""
    parts = []
    if isinstance(a.get("quality"), int | float):
        parts.append(f"CROWDLAB quality {_num(a['quality'])} of 1")
    if isinstance(a.get("agreement"), int | float):
        of = f" of {a['labelled']} labelled item(s)" if a.get("labelled") else ""
        parts.append(f"agrees with the others' consensus on {_pct(a['agreement'])}{of}")
    elif a.get("labelled"):
        parts.append(f"{a['labelled']} labelled item(s)")
    if a.get("worst_class"):
        parts.append(f"least reliable on {a['worst_class']}")
    return "; ".join(parts) or "flagged by the review"


def _sortable(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else math.inf


def _safe_url(url: Any) -> bool:
    """Only web links (no `javascript:` or `data:` URL can reach an href)."""
    return isinstance(url, str) and url.lower().startswith(("http://", "https://"))


# How the summary lines count each kind: one, many.
KIND_COUNTS = {
    "label_issue": ("label issue", "label issues"),
    "consensus": ("consensus flag", "consensus flags"),
    "outlier": ("outlier", "outliers"),
    "near_duplicate": ("near duplicate", "near duplicates"),
}


def _plural(n: int, kind: str) -> str:
    one, many = KIND_COUNTS.get(kind, (kind, kind))
    return f"{n} {one if n == 1 else many}"


def _family_counts(fam: dict[str, Any], flags: Sequence[AuditFlag]) -> str:
    """The family's summary line: examples and flags per kind."""
    counts = Counter(f.kind for f in flags)
    parts = [f"{fam.get('examples', 0)} examples"]
    parts += [_plural(counts[k], k) for k in KINDS if counts[k]]
    if not counts:
        parts.append("no flags")
    return " · ".join(parts)


def _culture_counts(flags: Sequence[AuditFlag]) -> str:
    """A culture's summary line: flags per kind, and how many rows the table shows."""
    counts = Counter(f.kind for f in flags)
    line = ", ".join(_plural(counts[k], k) for k in KINDS if counts[k])
    if len(flags) > MAX_ROWS:
        line += f" · the first {MAX_ROWS} of {len(flags)} shown"
    return line


class _FamilyRow(dict):
    """Attribute access for the template (`fam.examples`), with safe defaults."""

    def __getattr__(self, key: str) -> Any:
        return self.get(key, "" if key != "flags" else {})


def _row(f: AuditFlag, links: dict[str, str] | None = None) -> dict[str, Any]:
    links = links or {}
    return {
        "kind": f.kind,
        "rank": f.rank,
        "record_id": f.record_id,
        "link": links.get(f.record_id),
        "annotator": f.annotator,
        "given": f.given,
        "suggested": f.suggested,
        "score": f.score,
        "excerpt": _excerpt(f.text),
        "note": _note(f, links),
    }
