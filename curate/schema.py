"""The taxonomy and record schema, loaded from `schemas/` (the one source of truth).

Nothing else in the code base lists a label by hand: stages ask a `Taxonomy` for value
sets, and the JSON Schema of the record gets its enums injected from it here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml


def schemas_dir() -> Path:
    """Where `schemas/` is: the repo's top-level folder, or the copy inside a wheel."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "schemas", here / "_schemas"):
        if (candidate / "taxonomy.yaml").is_file():
            return candidate
    raise FileNotFoundError("schemas/taxonomy.yaml not found next to the curate package")


@dataclass(frozen=True)
class Family:
    """A span family (e.g. emotional_distress) with its per-span attribute and values."""

    name: str
    title: str
    fields: tuple[str, ...]
    attribute: str
    description: str
    values: tuple[str, ...]
    definitions: dict[str, str] = field(hash=False, compare=False)


@dataclass(frozen=True)
class Taxonomy:
    cultures: tuple[str, ...]
    fields: tuple[str, ...]
    families: dict[str, Family] = field(hash=False)
    empathy: dict[int, str] = field(hash=False)
    demographic_fields: tuple[str, ...]
    demographic_kinds: dict[str, str] = field(hash=False)
    raw: dict[str, Any] = field(hash=False, compare=False, repr=False)

    def family(self, name: str) -> Family:
        return self.families[name]

    def empathy_value(self, label: str) -> int | None:
        """Map a release label (e.g. '4 quite ...' as in taxonomy.yaml) or a bare number to 1-5."""
        text = str(label).strip()
        for value, name in self.empathy.items():
            if text == name or text == str(value):
                return value
        return None


def _build_taxonomy(doc: dict[str, Any], extra_cultures: tuple[str, ...]) -> Taxonomy:
    families = {
        name: Family(
            name=name,
            title=spec["title"],
            fields=tuple(spec["fields"]),
            attribute=spec["attribute"],
            description=" ".join(spec["description"].split()),
            values=tuple(v["name"] for v in spec["values"]),
            definitions={v["name"]: v["description"] for v in spec["values"]},
        )
        for name, spec in doc["span_families"].items()
    }
    cultures = tuple(c["name"] for c in doc["cultures"])
    cultures += tuple(c for c in extra_cultures if c not in cultures)
    demo = doc["demographics"]["fields"]
    return Taxonomy(
        cultures=cultures,
        fields=tuple(doc["fields"]),
        families=families,
        empathy={s["value"]: s["label"] for s in doc["empathy"]["scale"]},
        demographic_fields=tuple(f["name"] for f in demo),
        demographic_kinds={f["name"]: f.get("kind", "text") for f in demo},
        raw=doc,
    )


@cache
def load_taxonomy(extra_cultures: tuple[str, ...] = ()) -> Taxonomy:
    doc = yaml.safe_load((schemas_dir() / "taxonomy.yaml").read_text(encoding="utf-8"))
    return _build_taxonomy(doc, extra_cultures)


@cache
def load_normalization() -> dict[str, Any]:
    return yaml.safe_load((schemas_dir() / "normalization.yaml").read_text(encoding="utf-8"))


FREE_TEXT = "x-free-text"


@dataclass(frozen=True)
class FreeTextPath:
    """A place in the record that holds free text, as marked in the record schema.

    `parts` are property names, "*" for any key of an object and "[]" for any item of
    an array. `vocabulary` names the closed value set whose values there are labels, not
    free text (None: every string there is free text)."""

    parts: tuple[str, ...]
    vocabulary: str | None = None


@cache
def _record_schema_text() -> str:
    return (schemas_dir() / "record.schema.json").read_text(encoding="utf-8")


def free_text_paths(schema: dict[str, Any] | None = None) -> tuple[FreeTextPath, ...]:
    """Every place the record schema (default: schemas/record.schema.json) marks with
    `x-free-text`. Why from the schema: a free-text property added to the record later is
    de-identified and scanned by being marked, with no list in the code to forget."""
    doc = schema if schema is not None else json.loads(_record_schema_text())
    found: list[FreeTextPath] = []

    def walk(node: Any, parts: tuple[str, ...]) -> None:
        if not isinstance(node, dict):
            return
        mark = node.get(FREE_TEXT)
        if mark:
            found.append(FreeTextPath(parts, None if mark is True else str(mark)))
        for name, sub in (node.get("properties") or {}).items():
            walk(sub, (*parts, name))
        walk(node.get("additionalProperties"), (*parts, "*"))
        walk(node.get("items"), (*parts, "[]"))

    walk(doc, ())
    return tuple(found)


def record_json_schema(taxonomy: Taxonomy) -> dict[str, Any]:
    """The record JSON Schema with the taxonomy's value sets filled in."""
    text = _record_schema_text()
    fills = {
        "__CULTURES__": [*taxonomy.cultures, None],
        "__FIELDS__": list(taxonomy.fields),
        "__FAMILIES__": list(taxonomy.families),
        "__EMPATHY__": [*taxonomy.empathy, None],
        "__DEMOGRAPHICS__": list(taxonomy.demographic_fields),
    }
    for marker, values in fills.items():
        text = text.replace(json.dumps(marker), json.dumps(values))
    return json.loads(text)


def record_validator(taxonomy: Taxonomy):  # -> jsonschema.Validator
    import jsonschema

    schema = record_json_schema(taxonomy)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)
