"""The curator-edited inputs in `release/`: `dataset.yaml` (the dataset's facts and
prose, shared by the card and croissant.json) and `fields.yaml` (descriptions of columns
the taxonomy does not define), and the card template's folder.

Why a module of their own: the card, Croissant and the release row all read them, and
none of those should have to import another to get at them.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from curate.errors import CurateError

CARD_TEMPLATE = "card.md.j2"
# What the card and croissant.json say of a figure export did not compute.
NOT_COMPUTED = "not computed for this release"


def templates_dir() -> Path:
    """Where `release/` is: the repo's top-level folder, or a copy inside a wheel."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parents[1] / "release", here.parent / "_release"):
        if (candidate / CARD_TEMPLATE).is_file():
            return candidate
    raise CurateError(f"release/{CARD_TEMPLATE} not found next to the curate package")


@cache
def _load_yaml(name: str) -> dict[str, Any]:
    path = templates_dir() / name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise CurateError(f"release/{name} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise CurateError(f"release/{name} must be a mapping")
    return data


_FACT_LISTS = (
    ("biases",),
    ("limitations",),
    ("recommendations",),
    ("uses", "direct"),
    ("uses", "out_of_scope"),
    ("annotation", "platform"),
    ("annotation", "demographics"),
    ("source_data", "collection_type"),
)


def dataset_facts() -> dict[str, Any]:
    """`release/dataset.yaml`: curator prose shared by the card and croissant.json.

    The lists are checked because YAML quietly turns an unquoted `- Small: text` into a
    mapping, which would print as a Python dict in the card."""
    facts = _load_yaml("dataset.yaml")
    for keys in _FACT_LISTS:
        value: Any = facts
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        if value is not None and not (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        ):
            raise CurateError(
                f"release/dataset.yaml: {'.'.join(keys)} must be a list of strings "
                "(quote an item that contains ': ')"
            )
    return facts


def field_docs() -> dict[str, Any]:
    """`release/fields.yaml`: descriptions of columns the taxonomy does not define."""
    return _load_yaml("fields.yaml")


def pretty_name(name: str) -> str:
    """The display name of a release called `name` (the facts' name for CultureCare)."""
    if name.lower() == "culturecare":
        return str(dataset_facts().get("pretty_name") or "CultureCare")
    return name
