"""The dataset card's body: the Jinja environment and the view it renders.

Why the body is a Jinja template fed a prepared view: curators edit wording and layout in
`release/card.md.j2` without touching code, while every figure is computed once by
export (`ReleaseInfo`) and every label and definition comes from the taxonomy, so the card
can neither disagree with the data nor hard-code a label. Whatever comes from the release
(names, reasons, labels) is markdown-escaped on output by default (`finalize`); only the
curator-written prose in `release/dataset.yaml` is trusted as markdown.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from curate.errors import CurateError
from curate.release import completeness
from curate.release.facts import NOT_COMPUTED, pretty_name, templates_dir
from curate.release.info import DEFAULT_CONFIG, MODES, SPLITS, ReleaseInfo
from curate.release.row import field_rows
from curate.release.splits import GROUP, SplitPolicy
from curate.release.summaries import Agreement, AuditSummary, Changes, DeidSummary, Scores
from curate.schema import Taxonomy
from curate.validate.gate import GateResult

# What the card says in place of a fact the curator did not provide.
NOT_PROVIDED = "*Not provided by the curator.*"
# Audit summary families that are not label families.
AUDIT_TITLES = {"records": "Records (near-duplicate posts)"}


# -- markdown output -------------------------------------------------------------------
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~#])")


def md_escape(value: Any) -> str:
    """`value` as inert markdown text: one line, HTML and markdown syntax escaped.

    Why: a label, culture name, failure name or reason comes from data a curator does not
    read line by line; in a table cell a `|` would break the table, a `<…>` (pseudonym tags
    look like HTML) would vanish or become markup."""
    text = " ".join(str(value).split())
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, int):
        return str(value)
    return md_escape(value)


def environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined
    from markupsafe import Markup

    def finalize(value: Any) -> str:
        # Every `{{ … }}` goes through here: data is escaped unless marked trusted.
        return str(value) if isinstance(value, Markup) else _fmt(value)

    def code(value: Any) -> Markup:
        """Inline code (backslash escapes do not work there; a `|` still must)."""
        text = " ".join(str(value).split()).replace("|", "\\|")
        fence = "``" if "`" in text else "`"
        return Markup(f"{fence}{text}{fence}")

    def pystr(value: Any) -> Markup:
        """A Python string literal for code blocks (no newline can end the block)."""
        return Markup(json.dumps(str(value), ensure_ascii=False))

    def pct(part: Any, whole: Any) -> str:
        return f"{100 * part / whole:.1f} %" if part is not None and whole else "n/a"

    env = Environment(
        loader=FileSystemLoader(str(templates_dir())),
        undefined=StrictUndefined,
        autoescape=False,
        finalize=finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(code=code, pystr=pystr, raw=Markup, pct=pct)
    return env


def _trusted(value: Any) -> Any:
    """Curator-written prose from release/dataset.yaml renders as markdown."""
    from markupsafe import Markup

    if isinstance(value, str):
        return Markup(value.strip())
    if isinstance(value, list):
        return [_trusted(v) for v in value]
    if isinstance(value, dict):
        return {k: _trusted(v) for k, v in value.items()}
    return value


# -- the view the template renders -----------------------------------------------------
def card_context(info: ReleaseInfo) -> dict[str, Any]:
    """Everything `release/card.md.j2` shows, prepared so the template only lays out:
    absent figures are None (the template says so), tables are lists of rows."""
    if info.mode not in MODES:
        raise CurateError(f"unknown release mode {info.mode!r} (expected one of {MODES})")
    taxonomy = info.taxonomy
    configs = list(info.configs)
    splits = [s for s in SPLITS if any(s in info.configs[c] for c in configs)]
    culture_configs = [c for c in configs if c != DEFAULT_CONFIG]
    problems = completeness.check(info.facts, info.mode, culture_configs)
    facts = completeness.with_placeholders(info.facts, problems, NOT_PROVIDED)
    mode_facts = (facts.get("modes") or {}).get(info.mode, {})
    culture_specs = {c["name"]: c.get("description", "") for c in taxonomy.raw["cultures"]}

    families, counts = _label_counts(info, splits)
    overview, label_sections = _label_tables(info, configs, splits, families, counts)

    return {
        "info": info,
        "title": pretty_name(info.name, info.facts),
        "facts": _trusted(facts),
        "mode": info.mode,
        "mode_facts": _trusted(mode_facts),
        "repo_id": info.repo_id,
        "revision": f"v{info.version}",
        "configs": configs,
        "default_config": DEFAULT_CONFIG if DEFAULT_CONFIG in configs else configs[0],
        "example_config": culture_configs[0] if culture_configs else configs[0],
        "splits": splits,
        "languages": [
            {"code": code, "name": (facts.get("language_names") or {}).get(code, code)}
            for code in sorted(info.languages)
        ],
        "cultures": [
            {
                "name": c,
                "description": culture_specs.get(c, "(added by the curator)"),
                "rows": sum((info.split_sizes.get(c) or {}).values()),
            }
            for c in culture_configs
        ],
        "sizes": [
            {
                "config": c,
                "counts": [(info.split_sizes.get(c) or {}).get(s) for s in splits],
                "total": sum((info.split_sizes.get(c) or {}).values()),
            }
            for c in configs
        ],
        "span_totals": _span_totals(info, configs, splits, families, counts),
        "split_policy": _split_policy(info.split_policy),
        "fields": field_rows(info.features, taxonomy),
        "families": [
            {
                "name": f.name,
                "title": f.title,
                "description": f.description,
                "fields": list(f.fields),
                "attribute": f.attribute,
                "choices": [{"name": v, "definition": f.definitions[v]} for v in f.values],
            }
            for f in taxonomy.families.values()
        ],
        "empathy": {
            "title": taxonomy.raw["empathy"].get("title", "Empathy"),
            "description": taxonomy.raw["empathy"].get("description", ""),
            "scale": [{"value": v, "label": lb} for v, lb in taxonomy.empathy.items()],
        },
        "demographics": [
            {"name": d["name"], "description": d["description"], "kind": d.get("kind", "text")}
            for d in taxonomy.raw["demographics"]["fields"]
        ],
        "label_overview": overview,
        "label_sections": label_sections,
        "agreement": _agreement(info.agreement, taxonomy),
        "deid": _deid(info.deid),
        "audit": _audit(info.audit, taxonomy),
        "adjudicated": _adjudicated(info.adjudicated),
        "validation": _validation(info.validation),
        "changes": _changes(info.changes),
        "not_computed": NOT_COMPUTED,
        "origin": str((info.facts.get("source_data") or {}).get("origin") or "").strip(),
        "paper_link": _paper_link(info.facts),
        "annotators_per_culture": _trusted(_annotators(facts, culture_configs)),
        "derived_limitations": completeness.derived_limitations(info.split_sizes, DEFAULT_CONFIG),
        "small_splits": [
            {"config": c, "split": s, "n": n}
            for c, s, n in completeness.small_splits(info.split_sizes)
        ],
        "small_split": completeness.SMALL_SPLIT,
        "missing": [
            p.to_dict() | {"question": getattr(completeness.BY_PATH.get(p.path), "question", "")}
            for p in problems
        ],
    }


def _paper_link(facts: dict[str, Any]) -> Any:
    """`[title](url) (venue)` of the facts' paper; "not provided" without its URL."""
    from markupsafe import Markup

    paper = facts.get("paper") if isinstance(facts.get("paper"), dict) else {}
    url = str(paper.get("url") or "").strip()
    if completeness.is_blank(url):
        return Markup(NOT_PROVIDED)
    title = str(paper.get("title") or url).strip()
    venue = str(paper.get("venue") or "").strip()
    return Markup(f"[{title}]({url})" + (f" ({venue})" if venue else ""))


def _annotators(facts: dict[str, Any], cultures: list[str]) -> list[dict[str, Any]]:
    """One row per culture of the release: how many annotators, their background."""
    per = (facts.get("annotation") or {}).get("per_culture") or {}
    rows = []
    for culture in cultures:
        entry = per.get(culture)
        if not isinstance(entry, dict):
            entry = {"annotators": entry, "background": entry}
        rows.append(
            {
                "culture": culture,
                "annotators": entry.get("annotators", NOT_PROVIDED),
                "background": entry.get("background", NOT_PROVIDED),
            }
        )
    return rows


def _label_counts(info: ReleaseInfo, splits: list[str]):
    """The families present in the label counts (in taxonomy order) and a lookup
    (config, split, family) -> {label: count} with canonical label names."""
    from curate.release.charts import canonical, family_order

    present: dict[str, int] = {}
    for by_split in info.label_counts.values():
        for by_family in by_split.values():
            present.update(dict.fromkeys(by_family, 1))

    def counts(config: str, split: str, family: str) -> dict[str, int]:
        raw = ((info.label_counts.get(config) or {}).get(split) or {}).get(family) or {}
        return canonical(info.taxonomy, family, raw)

    return family_order(info.taxonomy, present), counts


def _label_tables(info: ReleaseInfo, configs, splits, families, counts):
    """Totals per family x config, and per config a table per family x split (every
    taxonomy label, zeros included). A config without counts gets no tables."""
    from curate.release.charts import family_title, label_order

    taxonomy = info.taxonomy

    def labels_of(family: str, among: list[str]) -> list[str]:
        seen = {lb for c in among for s in splits for lb in counts(c, s, family)}
        return label_order(taxonomy, family, seen)

    sections = []
    for config in configs:
        tables = []
        if any((info.label_counts.get(config) or {}).values()):
            for family in families:
                rows = []
                for label in labels_of(family, [config]):
                    per_split = [counts(config, s, family).get(label, 0) for s in splits]
                    rows.append({"label": label, "counts": per_split, "total": sum(per_split)})
                if rows:
                    tables.append({"title": family_title(taxonomy, family), "rows": rows})
        sections.append({"config": config, "chart": info.charts.get(config), "tables": tables})

    overview = []
    for family in families:
        rows = [
            {
                "label": label,
                "counts": [
                    sum(counts(c, s, family).get(label, 0) for s in splits) for c in configs
                ],
            }
            for label in labels_of(family, configs)
        ]
        if rows:
            overview.append({"title": family_title(taxonomy, family), "rows": rows})
    return overview, sections


def _span_totals(info, configs, splits, families, counts) -> dict[str, Any] | None:
    span_families = [f for f in families if f in info.taxonomy.families]
    if not span_families:
        return None
    from curate.release.charts import family_title

    return {
        "families": [family_title(info.taxonomy, f) for f in span_families],
        "rows": [
            {
                "config": c,
                "counts": [
                    sum(sum(counts(c, s, f).values()) for s in splits) for f in span_families
                ],
            }
            for c in configs
        ],
    }


def _split_policy(policy: SplitPolicy | None) -> dict[str, Any] | None:
    if policy is None:
        return None
    return {
        "seed": policy.seed,
        "group": GROUP,
        "ratios": [
            {"split": s, "share": f"{100 * float(r):.0f} %"} for s, r in policy.ratios.items()
        ],
    }


def _agreement(agreement: Agreement | None, taxonomy: Taxonomy) -> list[dict] | None:
    """Rows (culture, family) of `curate annotate agreement` output; None when absent."""
    if agreement is None:
        return None
    rows = []
    for culture, result in agreement.cultures.items():
        for name, family in taxonomy.families.items():
            fig = result.families.get(name)
            if fig is None:
                continue
            rows.append(
                {
                    "culture": culture,
                    "family": family.title,
                    "n_items": result.items,
                    "pairs": fig.pairs,
                    "f1_exact": fig.f1_exact,
                    "f1_overlap": fig.f1_overlap,
                    "alpha_of": family.attribute,
                    "alpha": fig.alpha if fig.alpha_of == family.attribute else None,
                    "matched": fig.matched_spans,
                }
            )
        if result.empathy is not None:
            rows.append(
                {
                    "culture": culture,
                    "family": taxonomy.raw["empathy"].get("title", "Empathy"),
                    "n_items": result.empathy.items,
                    "pairs": None,
                    "f1_exact": None,
                    "f1_overlap": None,
                    "alpha_of": "score",
                    "alpha": result.empathy.alpha,
                    "matched": None,
                }
            )
    return rows or None


def _deid(deid: DeidSummary | None) -> dict[str, Any] | None:
    """Policy and, when `curate deid eval` ran, its overall and per-language figures."""
    if deid is None:
        return None
    out: dict[str, Any] = {
        "policy": deid.policy,
        "fingerprint": deid.fingerprint,
        "other_policies": [
            {"fingerprint": fp, "records": n} for fp, n in deid.other_policies.items()
        ],
        "eval": None,
    }
    evaluation = deid.eval
    if evaluation is not None:
        overall = evaluation.overall or Scores()
        out["eval"] = {
            "precision": overall.precision,
            "recall": overall.recall,
            "f2": overall.f2,
            "corpus": evaluation.corpus,
            "languages": evaluation.languages,
            "same_policy": evaluation.same_policy,
            "planted": evaluation.planted,
            "real": evaluation.real,
        }
    return out


def _adjudicated(counts: dict[str, int]) -> dict[str, Any] | None:
    """How many items a reviewer adjudicated, in all and per culture; None: none."""
    if not counts.get("all"):
        return None
    per = ", ".join(f"{c} {n}" for c, n in counts.items() if c != "all")
    return {"all": counts["all"], "per_culture": per}


def _audit(audit: AuditSummary | None, taxonomy: Taxonomy) -> list[dict] | None:
    """One row per audited family of `curate audit`'s summary (paths are left out: they
    are the curator's workspace, meaningless to readers)."""
    if audit is None:
        return None
    from curate.release.charts import family_title

    rows = []
    for name, fig in audit.families.items():
        kinds = (
            ", ".join(f"{k.replace('_', ' ')} {n}" for k, n in fig.flags_by_kind.items() if n)
            if fig.flags_by_kind is not None
            else None
        )
        rows.append(
            {
                "family": AUDIT_TITLES.get(name) or family_title(taxonomy, name),
                "examples": fig.examples,
                "flags": fig.flags,
                "kinds": kinds or None,
                "skipped": fig.skipped,
                "per_culture": ", ".join(f"{c} {n}" for c, n in fig.flags_per_culture.items())
                or None,
            }
        )
    return rows or None


def _validation(validation: GateResult | None) -> dict[str, Any] | None:
    if validation is None:
        return None
    allowed = set(validation.allowed)
    failures = [
        {
            "name": f.get("name"),
            "suite": f.get("suite"),
            "check": f.get("expectation"),
            "column": f.get("column"),
            "count": f.get("count"),
            "allowed": f.get("name") in allowed,
        }
        for f in validation.failures
        if isinstance(f, dict)
    ]
    return {
        "evaluated": validation.evaluated,
        "failures": failures,
        "allowed": sorted(allowed),
        "reason": validation.reason,
    }


def _changes(changes: Changes | None) -> dict[str, Any] | None:
    """Counts of the changelog entry (lists of ids are counted, not listed)."""
    if changes is None:
        return None
    return {
        "version": changes.version,
        "previous": changes.previous,
        "date": changes.date,
        "added": len(changes.added),
        "removed": len(changes.removed),
        "relabelled": len(changes.relabelled),
        "notes": changes.notes,
    }
