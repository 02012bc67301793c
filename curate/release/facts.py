"""The curator-edited inputs of a release: the dataset's facts and prose (`dataset.yaml`,
shared by the card and croissant.json; the project's own file, `[release] facts`, or the
bundled `release/dataset.yaml` of CultureCare), `release/fields.yaml` (descriptions of
columns the taxonomy does not define), and the card template's folder.

Why a module of their own: the card, Croissant and the release row all read them, and
none of those should have to import another to get at them. Why the facts file is the
project's: what is true of the data (real or synthetic, who annotated it, under which
review) differs per project; a card whose provenance prose was fixed text would say
"real Reddit posts" of a synthetic demo.
"""

from __future__ import annotations

import copy
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


DATASET_FACTS = "dataset.yaml"


@cache
def _load_yaml(name: str) -> dict[str, Any]:
    return _read_mapping(templates_dir() / name, f"release/{name}")


def _read_mapping(path: Path, shown: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise CurateError(f"{shown}: file not found") from None
    except UnicodeDecodeError:
        raise CurateError(f"{shown}: not UTF-8 text") from None
    except OSError as exc:  # a folder, no permission, ...
        raise CurateError(f"{shown}: cannot be read ({exc.strerror or exc})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise CurateError(f"{shown} is not valid YAML{where}: {problem}") from None
    if not isinstance(data, dict):
        raise CurateError(f"{shown} must be a mapping")
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
    """The bundled `release/dataset.yaml` (CultureCare's facts): what a release is
    described with when its project names no facts file of its own. A copy: the file is
    read once, and no release may change what the next one is given."""
    return copy.deepcopy(_checked(_load_yaml(DATASET_FACTS), f"release/{DATASET_FACTS}"))


def facts_file(config: Any) -> Path:
    """The facts file a project's releases are described with: `[release] facts`
    (relative to the config file's folder), else the bundled release/dataset.yaml."""
    value = str((config.section("release") or {}).get("facts") or "")
    if not value:
        return templates_dir() / DATASET_FACTS
    path = Path(value)
    return path if path.is_absolute() else config.root / path


def load_facts(config: Any) -> dict[str, Any]:
    """The project's dataset facts (see `facts_file`), checked."""
    path = facts_file(config)
    if path == templates_dir() / DATASET_FACTS:
        return dataset_facts()
    return _checked(_read_mapping(path, f"[release] facts {path}"), str(path))


def _checked(facts: dict[str, Any], shown: str) -> dict[str, Any]:
    """`facts`, once its lists are lists of strings.

    The lists are checked because YAML quietly turns an unquoted `- Small: text` into a
    mapping, which would print as a Python dict in the card."""
    for keys in _FACT_LISTS:
        value: Any = facts
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        if value is not None and not (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        ):
            raise CurateError(
                f"{shown}: {'.'.join(keys)} must be a list of strings "
                "(quote an item that contains ': ')"
            )
    return facts


def field_docs() -> dict[str, Any]:
    """`release/fields.yaml`: descriptions of columns the taxonomy does not define."""
    return _load_yaml("fields.yaml")


def pretty_name(name: str, facts: dict[str, Any]) -> str:
    """The display name of a release called `name`: the facts' `pretty_name`, else the
    name itself."""
    return str(facts.get("pretty_name") or name)
