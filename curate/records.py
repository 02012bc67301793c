"""The one record type that flows through every stage, and its span type.

Raw (not yet de-identified) text never sits on a `Record`: sources hand it over beside
the record as `RawText`, the store puts it in the vault, and the record's text fields stay
null until de-identification fills them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from curate.schema import FreeTextPath, Taxonomy


class _NoValue:
    """The 'no value given' marker of `Record.add_defect` (None is a value: a null)."""

    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE: Any = _NoValue()


def describe_value(value: Any, salt: bytes) -> dict[str, Any]:
    """What a defect report says about a bad value instead of the value itself.

    Defect reports are printed, aggregated and shared (a curator pastes them into an
    issue), so they hold no input value: a label value can be anything a careless file
    holds, an e-mail address included. They say the value's type, its length in
    characters and `value_hmac`, an HMAC-SHA256 keyed by the workspace salt: equal values
    get equal hashes (a curator can group the records with the same bad label, or check a
    guess inside the workspace), while a plain hash of a short value could be reversed by
    hashing guesses, and a hash without the salt proves nothing outside the workspace.
    """
    text = (
        value
        if isinstance(value, str)
        else json.dumps(value, sort_keys=True, ensure_ascii=False, default=repr)
    )
    kind = type(value).__name__
    blob = f"defect-value\x1f{kind}\x1f{text}".encode("utf-8", "surrogatepass")
    return {
        "value_type": kind,
        "value_chars": len(text),
        "value_hmac": hmac.new(salt, blob, hashlib.sha256).hexdigest()[:16],
    }


# The annotator of an adjudicated span (on a record and in exports): a reviewer's
# decision, named as such rather than by the reviewer (who stays in the store's
# `annotations` table, kind "adjudication").
ADJUDICATED = "adjudicated"


@dataclass(slots=True)
class Span:
    """An annotated span. Offsets are Python code points into the field's text; null
    offsets mean a phrase that is not aligned to a text yet (e.g. a reference release)."""

    field: str
    label: str
    text: str
    start: int | None = None
    end: int | None = None
    attributes: dict[str, str | None] = field(default_factory=dict)
    annotator: str | None = None


@dataclass(slots=True)
class Source:
    """Where an item came from. Internal: never exported in text releases."""

    platform: str
    source_id: str
    community: str | None = None
    created_utc: int | None = None
    url: str | None = None
    response_id: str | None = None
    thread_id: str | None = None


@dataclass(slots=True)
class Provenance:
    input_file: str
    line: int | None
    format: str
    content_hash: str = ""
    run_id: str = ""


@dataclass(slots=True)
class RawText:
    """The original texts of one item: goes to the vault, never onto the record."""

    title: str | None = None
    text: str | None = None
    response: str | None = None

    def is_empty(self) -> bool:
        return not (self.title or self.text or self.response)


@dataclass(slots=True)
class Record:
    id: str
    culture: str | None
    source: Source
    provenance: Provenance
    language: str = "und"
    language_confidence: float = 0.0
    post_title: str | None = None
    post_text: str | None = None
    response_text: str | None = None
    spans: list[Span] = field(default_factory=list)
    empathy: int | None = None
    demographics: dict[str, Any] = field(default_factory=dict)
    demographics_raw: dict[str, Any] = field(default_factory=dict)
    duplicate_of: str | None = None
    defects: list[dict[str, Any]] = field(default_factory=list)

    def add_defect(
        self, where: str, problem: str, value: Any = NO_VALUE, *, salt: bytes | None = None
    ) -> None:
        """Record a defect of field `where`. `problem` is a fixed description that never
        holds the bad value: the value, when given, is kept only as `describe_value` (its
        type, length and a hash keyed by the workspace salt)."""
        defect: dict[str, Any] = {"field": where, "problem": problem}
        if value is not NO_VALUE:
            if salt is None:
                raise TypeError("a defect's value is only kept as a keyed hash: pass `salt`")
            defect.update(describe_value(value, salt))
        self.defects.append(defect)

    def to_dict(self) -> dict[str, Any]:
        """The canonical JSON shape (schemas/record.schema.json). Lossless:
        `Record.from_dict(to_dict())` equals the record (language id rounds its
        confidence where it sets it, `curate.ingest.normalize_item`)."""
        return {
            "id": self.id,
            "culture": self.culture,
            "language": self.language,
            "language_confidence": self.language_confidence,
            "source": asdict(self.source),
            "post": {"title": self.post_title, "text": self.post_text},
            "response": {"text": self.response_text},
            "spans": [asdict(s) for s in self.spans],
            "empathy": self.empathy,
            "demographics": self.demographics,
            "demographics_raw": self.demographics_raw,
            "duplicate_of": self.duplicate_of,
            "defects": self.defects,
            "provenance": asdict(self.provenance),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Record:
        return cls(
            id=d["id"],
            culture=d["culture"],
            language=d["language"],
            language_confidence=d["language_confidence"],
            source=Source(**d["source"]),
            provenance=Provenance(**d["provenance"]),
            post_title=d["post"]["title"],
            post_text=d["post"]["text"],
            response_text=d["response"]["text"],
            spans=[Span(**s) for s in d["spans"]],
            empathy=d["empathy"],
            demographics=d["demographics"],
            demographics_raw=d["demographics_raw"],
            duplicate_of=d.get("duplicate_of"),
            defects=d.get("defects", []),
        )


def pseudonymous_id(salt: bytes, platform: str, source_id: str) -> str:
    """Stable id that does not reveal the source id: HMAC keyed by the workspace salt."""
    digest = hmac.new(salt, f"{platform}\x1f{source_id}".encode(), hashlib.sha256)
    return "cc-" + digest.hexdigest()[:16]


def normalize_for_dedup(text: str) -> str:
    """NFKC, case-folded, whitespace collapsed: what 'the same text' means for dedup."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def content_hash(record: Record, raw: RawText) -> str:
    """Hash of an item's content (not of where or when it was read): equal hashes mean
    re-ingesting it changes nothing; a different hash for the same source id is a new
    revision."""
    payload = {
        "culture": record.culture,
        "source": asdict(record.source),
        "raw": asdict(raw),
        "spans": [asdict(s) for s in record.spans],
        "empathy": record.empathy,
        "demographics_raw": record.demographics_raw,
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


# -- free text ------------------------------------------------------------------------
# Every value the record schema marks with `x-free-text` (curate.schema.free_text_paths)
# goes through de-identification and the residual scan: one walk over the record's
# canonical dict serves the stage, the scan, the gate and the purge.

Keys = tuple[str | int, ...]


def _walk(node: Any, parts: tuple[str, ...], keys: Keys) -> Iterator[tuple[Keys, Any]]:
    """The values at `parts` below `node`, with the keys that lead to each."""
    if not parts:
        yield keys, node
        return
    head, rest = parts[0], parts[1:]
    if head == "[]":
        for i, item in enumerate(node if isinstance(node, list) else []):
            yield from _walk(item, rest, (*keys, i))
    elif isinstance(node, dict):
        names = list(node) if head == "*" else [head] if head in node else []
        for name in names:
            yield from _walk(node[name], rest, (*keys, name))


def path_name(keys: Keys) -> str:
    """`spans[3].text`, `demographics.profession`: how a free-text value is named in
    decisions, scan findings and errors (never with its value)."""
    out = ""
    for key in keys:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else key)
    return out


def _is_label(vocabulary: str, keys: Keys, value: str, doc: dict, taxonomy: Taxonomy) -> bool:
    """Whether `value` belongs to the closed vocabulary named in the schema (then it is
    a label, not free text)."""
    from curate.demographics import is_missing_label, is_table_value

    if vocabulary == "demographic":
        return is_table_value(str(keys[-1]), value, taxonomy)
    if vocabulary == "span-attribute":
        span = doc[keys[0]][keys[1]]
        family = taxonomy.families.get(span.get("label"))
        return is_missing_label(value) or (family is not None and value in family.values)
    raise ValueError(f"record schema: unknown x-free-text vocabulary {vocabulary!r}")


def free_text_items(
    doc: dict[str, Any],
    taxonomy: Taxonomy | None = None,
    paths: tuple[FreeTextPath, ...] | None = None,
) -> Iterator[tuple[Keys, str]]:
    """(keys, text) for every non-empty free-text string of a record's canonical dict
    (`Record.to_dict()`), in schema order. Labels of a closed vocabulary, numbers and
    nulls are not free text."""
    from curate.schema import free_text_paths, load_taxonomy

    taxonomy = taxonomy or load_taxonomy()
    for path in paths if paths is not None else free_text_paths():
        for keys, value in _walk(doc, path.parts, ()):
            if not isinstance(value, str) or not value.strip():
                continue
            if path.vocabulary and _is_label(path.vocabulary, keys, value, doc, taxonomy):
                continue
            yield keys, value


def free_texts(record: Record, taxonomy: Taxonomy | None = None) -> Iterator[tuple[str, str]]:
    """(path, text) for every free-text value of a record (see `free_text_items`)."""
    for keys, text in free_text_items(record.to_dict(), taxonomy):
        yield path_name(keys), text


def replace_free_texts(record: Record, new: dict[str, str | None]) -> None:
    """Write values back by path (as `free_texts` names them), in place: how the
    de-identified values replace the ones as ingested. Unknown paths are an error."""
    if not new:
        return
    doc = record.to_dict()
    left = dict(new)
    for keys, _ in list(free_text_items(doc)):
        name = path_name(keys)
        if name in left:
            _set(doc, keys, left.pop(name))
    if left:
        raise KeyError(f"no free-text value at {sorted(left)}")
    fresh = Record.from_dict(doc)
    for slot in Record.__slots__:
        setattr(record, slot, getattr(fresh, slot))


def blank_free_texts(doc: dict[str, Any]) -> None:
    """Set every free-text value of a record's canonical dict to "" (the vault purge:
    what was ingested as it was given is gone, the record's shape stays)."""
    for keys, _ in list(free_text_items(doc)):
        _set(doc, keys, "")


def _set(doc: dict[str, Any], keys: Keys, value: Any) -> None:
    parent: Any = doc
    for key in keys[:-1]:
        parent = parent[key]
    parent[keys[-1]] = value
