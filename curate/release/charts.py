"""Label-distribution charts for the dataset card: one SVG per config in `<folder>/images/`,
a panel per label family, the share of each label in each split, each bar labelled with
its count.

Why SVG written this way: the card links the files relatively (`images/…`), which the Hub
renders at the card's own revision, and a release must be reproducible byte for byte — the
same `ReleaseInfo` gives the same files, so re-exporting an unchanged release changes
nothing in the repository. Hence no timestamp in the metadata, a fixed `svg.hashsalt`
(element ids), text kept as text (`svg.fonttype: none`: no glyph outlines that depend on
the installed fonts) and the font that ships with matplotlib for the layout metrics.
The figures are drawn on a bare `Figure` (no pyplot): headless, no global backend state.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from curate.release.completeness import SMALL_SPLIT
from curate.release.info import SPLITS, ReleaseInfo
from curate.schema import Taxonomy

IMAGES_DIR = "images"
EMPATHY = "empathy"

# Everything that could make two renderings of the same figure differ.
_RC = {
    "svg.hashsalt": "curate-release",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
# One colour per split, the same in every chart (colour-blind safe Okabe-Ito hues).
_SPLIT_COLOURS = {"train": "#0072B2", "validation": "#E69F00", "test": "#009E73"}
_OTHER_COLOUR = "#999999"


def family_order(taxonomy: Taxonomy, counts_by_family: dict[str, Any]) -> list[str]:
    """Families in taxonomy order, then empathy, then anything else the counts have."""
    known = [*taxonomy.families, EMPATHY]
    return [f for f in known if f in counts_by_family] + sorted(
        f for f in counts_by_family if f not in known
    )


def known_labels(taxonomy: Taxonomy, family: str) -> tuple[str, ...]:
    """Every label the taxonomy defines for a family (the empathy scale's labels)."""
    if family == EMPATHY:
        return tuple(taxonomy.empathy.values())
    return taxonomy.families[family].values if family in taxonomy.families else ()


def canonical(taxonomy: Taxonomy, family: str, counts: dict[Any, int]) -> dict[str, int]:
    """Counts keyed by the taxonomy's label: empathy counts may be keyed by the bare
    score ("4") or by its taxonomy label; both are the same label."""
    out: dict[str, int] = {}
    for key, n in counts.items():
        label = str(key)
        if family == EMPATHY and (value := taxonomy.empathy_value(label)) is not None:
            label = taxonomy.empathy[value]
        out[label] = out.get(label, 0) + int(n)
    return out


def label_order(taxonomy: Taxonomy, family: str, seen: set[str] | list[str]) -> list[str]:
    """Every label of the family in the taxonomy's order (the order annotators saw, zero
    counts included), then labels the taxonomy does not know, sorted.

    Why not by count, and why the zeros: the same rows in every culture and split make
    tables and charts comparable at a glance, and a label nobody used is a finding."""
    known = known_labels(taxonomy, family)
    return list(known) + sorted(lb for lb in seen if lb not in known)


def family_title(taxonomy: Taxonomy, family: str) -> str:
    if family in taxonomy.families:
        return taxonomy.families[family].title
    if family == EMPATHY:
        return str(taxonomy.raw.get("empathy", {}).get("title", "Empathy"))
    return family


def slug(name: str) -> str:
    """A file-name-safe form of a config name (extra cultures may contain anything)."""
    text = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()
    return text or "config"


def chart_path(config: str) -> str:
    return f"{IMAGES_DIR}/labels-{slug(config)}.svg"


def write_charts(folder: Path, info: ReleaseInfo) -> dict[str, str]:
    """Draw one chart per config that has label counts; return and set `info.charts`
    (config -> path relative to `folder`). Called by `write_card`."""
    import matplotlib

    charts: dict[str, str] = {}
    used: set[str] = set()
    with matplotlib.rc_context(_RC):
        for config in info.configs:
            by_split = info.label_counts.get(config) or {}
            if not any(by_split.values()):
                continue
            rel = chart_path(config)
            n = 2
            while rel in used:  # two config names with the same slug
                rel = f"{IMAGES_DIR}/labels-{slug(config)}-{n}.svg"
                n += 1
            used.add(rel)
            path = Path(folder) / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            _draw(path, config, by_split, info.taxonomy, info.split_sizes.get(config) or {})
            charts[config] = rel
    info.charts = charts
    return charts


def _draw(
    path: Path,
    config: str,
    by_split: dict[str, dict[str, dict[str, int]]],
    taxonomy: Taxonomy,
    items: dict[str, int],
) -> None:
    """Bars of shares, each labelled with its count; a split under `SMALL_SPLIT` items is
    hatched and says so in the legend. Why the counts on the bars: a share alone hides
    that "100 %" of a 4-item test split may be one label."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    splits = [s for s in SPLITS if s in by_split] + sorted(s for s in by_split if s not in SPLITS)
    families = family_order(taxonomy, {f: 1 for s in splits for f in by_split[s]})
    counts = {
        (s, f): canonical(taxonomy, f, by_split[s].get(f) or {}) for s in splits for f in families
    }
    per_family = []
    for family in families:
        seen = {label for s in splits for label in counts[(s, family)]}
        labels = label_order(taxonomy, family, seen)
        if labels:
            per_family.append((family, labels))
    heights = [max(len(labels), 1) * (0.18 * len(splits) + 0.12) + 0.6 for _, labels in per_family]
    fig = Figure(figsize=(7.5, sum(heights) + 0.6))
    axes = fig.subplots(nrows=len(per_family), ncols=1, gridspec_kw={"height_ratios": heights})
    if len(per_family) == 1:
        axes = [axes]
    bar = 0.8 / max(len(splits), 1)
    for ax, (family, labels) in zip(axes, per_family, strict=True):
        for i, split in enumerate(splits):
            # Shares, not counts: train is many times the size of the other splits, and
            # what a reader checks here is whether the splits are distributed alike.
            n = [counts[(split, family)].get(label, 0) for label in labels]
            values = [100 * v / sum(n) if sum(n) else 0 for v in n]
            positions = [y + (i - (len(splits) - 1) / 2) * bar for y in range(len(labels))]
            size = items.get(split)
            small = size is not None and 0 < size < SMALL_SPLIT
            note = ", too few" if small else ""
            items_text = f"{size} item" + ("" if size == 1 else "s")
            name = split if size is None else f"{split} ({items_text}{note})"
            bars = ax.barh(
                positions,
                values,
                height=bar,
                label=name,
                color=_SPLIT_COLOURS.get(split, _OTHER_COLOUR),
                hatch="///" if small else None,
                edgecolor="white" if small else None,
                linewidth=0,
            )
            ax.bar_label(bars, labels=[str(v) if v else "" for v in n], padding=2, fontsize=7)
        ax.set_yticks(range(len(labels)))
        ax.set_yticklabels(labels)
        ax.invert_yaxis()
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlim(0, 100)
        ax.set_title(family_title(taxonomy, family), loc="left", fontsize=10)
        ax.set_xlabel("% of the split's labels (numbers: label counts)")
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="upper right", ncols=len(splits), frameon=False, fontsize=8)
    fig.suptitle(f"{config}: label shares per split", x=0.01, ha="left", fontsize=11)
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    fig.savefig(path, format="svg", metadata={"Date": None})
