"""`CHANGELOG.md` of a release: one entry per version, newest first.

Why ids and not counts only: a user who trained on v1.0.0 needs to know exactly which
items changed under them. Entries are stored with each release (`releases.notes`), so
every later release folder carries the whole history, rendered the same way each time.
An entry also says which failed expectations were let through and why: those are the
release notes a reviewer must see.
"""

from __future__ import annotations

from typing import Any

from curate.release.info import parse_version

CHANGELOG = "CHANGELOG.md"  # the file in a release folder (the card links to it)
KINDS = (
    ("added", "new items (or items back after removal)"),
    ("removed", "items no longer in the release"),
    ("relabelled", "items whose spans, attributes, empathy or demographics changed"),
)


def _entry(entry: dict[str, Any]) -> list[str]:
    lines = [f"## {entry['version']} ({entry['date']}, {entry['mode']} mode)", ""]
    previous = entry.get("previous")
    counts = ", ".join(f"{len(entry[k])} {k}" for k, _ in KINDS)
    lines.append(f"Since {previous}: {counts}." if previous else f"First release: {counts}.")
    sizes = (entry.get("sizes") or {}).get("all")
    if sizes:
        lines.append("Splits: " + ", ".join(f"{s} {n}" for s, n in sizes.items()) + ".")
    adjudicated = (entry.get("adjudicated") or {}).get("all")
    if adjudicated:
        lines.append(
            f"Adjudicated: {adjudicated} item(s) carry labels a reviewer decided on after the"
            " label audit flagged them (spans with annotator `adjudicated`)."
        )
    validation = entry.get("validation") or {}
    if validation.get("allowed"):
        lines += [
            "",
            "Released with failed expectations, explicitly allowed: "
            + ", ".join(f"`{name}`" for name in validation["allowed"])
            + ".",
            f"Reason: {validation.get('reason')}",
        ]
    elif validation:
        lines.append(f"Validation: all {validation.get('evaluated', 0)} expectations passed.")
    for kind, meaning in KINDS:
        ids = entry[kind]
        if ids:
            lines += [
                "",
                f"<details><summary>{kind} ({len(ids)}): {meaning}</summary>",
                "",
                ", ".join(ids),
                "",
                "</details>",
            ]
    return [*lines, ""]


def render(name: str, entries: list[dict[str, Any]]) -> str:
    """The whole file from every version's entry (any order in, newest first out)."""
    lines = [
        f"# Changelog of {name}",
        "",
        "Items are named by their release `id`. An item keeps its split in every version.",
        "",
    ]
    for entry in sorted(entries, key=lambda e: parse_version(e["version"]), reverse=True):
        lines += _entry(entry)
    return "\n".join(lines)
