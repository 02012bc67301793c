"""Which audit flags go to the reviewers, grouped into items, ranked and capped.

Why a plan apart from sending: the report's "next steps" says how many items a send
would queue, and `curate.audit.review` sends exactly that plan; both read it here.

An *item* is one thing a reviewer decides: a span region of one label family in one
record (every flag on overlapping regions of that family and field merged: three
annotators' copies of a flagged span are one item, and a label issue, a consensus flag
and an inconsistent near duplicate on the same span are one item with three reasons),
or a record's empathy score. Kinds that ask for a label decision are queued
(`QUEUED_KINDS`); outliers and near-duplicate records ask a curator to keep or drop an
item and stay in the report.

Left out, each counted under its reason:
- `no_region`: a span flag without offsets (a release phrase not aligned to a text
  cannot be shown on a labeling screen);
- `unanimous`: a model-only flag (label issue) on a label that 2+ annotators gave alike
  and nobody contradicted: people agreeing outweigh a text model;
- `adjudicated`: the record has a reviewer's decision and its labels did not change
  since it was queued (`curate.annotate.tables.labels_basis`);
- `beyond_top`: past the `top` best items of its culture and family.

Ranking: items flagged by more kinds first (independent signals agreeing), then by the
worst (lowest) score of their flags, which for label issues is the audit's combined
ranking score.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from curate.annotate import tables as ls_tables
from curate.audit.store import AuditFlag
from curate.store import Store

QUEUED_KINDS = ("label_issue", "consensus", "near_duplicate")
EMPATHY = "empathy"
DEFAULT_TOP = 50


@dataclass
class Item:
    """One decision for a reviewer: its flags, worst first."""

    record_id: str
    culture: str | None
    family: str
    region: tuple[str, int, int] | None  # (field, start, end); None for empathy
    flags: list[AuditFlag] = field(default_factory=list)

    @property
    def kinds(self) -> list[str]:
        return sorted({f.kind for f in self.flags}, key=QUEUED_KINDS.index)

    @property
    def score(self) -> float:
        return min(f.score for f in self.flags)

    def sort_key(self) -> tuple:
        return (-len(self.kinds), self.score, self.record_id, self.region or ())


@dataclass
class Plan:
    """The items to queue (by record, records in rank order) and what was left out."""

    items: list[Item]
    skipped: Counter = field(default_factory=Counter)

    def by_record(self) -> dict[str, list[Item]]:
        out: dict[str, list[Item]] = {}
        for item in self.items:
            out.setdefault(item.record_id, []).append(item)
        return out

    def per_culture(self) -> dict[str, dict[str, int]]:
        out: dict[str, Counter] = defaultdict(Counter)
        for item in self.items:
            out[item.culture or "(none)"][item.family] += 1
        return {c: dict(sorted(v.items())) for c, v in sorted(out.items())}


def _region(f: AuditFlag) -> tuple[str, int, int] | None:
    d = f.detail
    if d.get("field") is None or d.get("start") is None or d.get("end") is None:
        return None
    return (str(d["field"]), int(d["start"]), int(d["end"]))


def group_items(flags: Iterable[AuditFlag]) -> tuple[list[Item], Counter]:
    """Queued-kind flags merged into items (see the module docstring)."""
    skipped: Counter = Counter()
    spans: dict[tuple, list[tuple[tuple[str, int, int], AuditFlag]]] = defaultdict(list)
    items: list[Item] = []
    empathy: dict[str, Item] = {}
    for f in flags:
        if f.kind not in QUEUED_KINDS or f.family == "records":
            continue
        if f.family == EMPATHY:
            item = empathy.setdefault(f.record_id, Item(f.record_id, f.culture, EMPATHY, None))
            item.flags.append(f)
            continue
        region = _region(f)
        if region is None:
            skipped["no_region"] += 1
            continue
        spans[(f.record_id, f.family, region[0])].append((region, f))
    for (rid, family, fld), found in spans.items():
        found.sort(key=lambda rf: (rf[0][1], -rf[0][2]))
        end = -1
        for (_, start, stop), f in found:
            if items and start < end and (items[-1].record_id, items[-1].family) == (rid, family):
                item = items[-1]
                end = max(end, stop)
                _, s0, e0 = item.region  # type: ignore[misc]
                item.region = (fld, min(s0, start), max(e0, stop))
            else:
                item = Item(rid, f.culture, family, (fld, start, stop))
                items.append(item)
                end = stop
            item.flags.append(f)
    items += empathy.values()
    for item in items:
        item.flags.sort(key=lambda f: (QUEUED_KINDS.index(f.kind), f.score))
    return items, skipped


def _unanimous(store: Store, item: Item, attribute: str | None) -> bool:
    """2+ annotators gave the item's region (or empathy) one and the same label."""
    anns = ls_tables.latest_annotations(store, item.record_id)
    votes: list[str] = []
    for ann in anns.values():
        if item.region is None:
            if ann.get("empathy") is not None:
                votes.append(str(ann["empathy"]))
            continue
        fld, start, end = item.region
        given = {
            str((s.get("attributes") or {}).get(attribute))
            for s in ann["spans"]
            if s["label"] == item.family
            and s["field"] == fld
            and s["start"] is not None
            and s["start"] < end
            and start < s["end"]
        }
        if len(given) > 1:
            return False
        votes.extend(given)
    return len(votes) >= 2 and len(set(votes)) == 1


def settled(store: Store, record_id: str) -> bool:
    """The record has a reviewer's decision and its labels did not change since it was
    queued for that decision."""
    from curate.audit.store import review_rows

    basis = labels_basis(store, record_id)
    return any(
        row["basis"] == basis
        and ls_tables.adjudicated_task(store, row["project_key"], row["task_id"])
        for row in review_rows(store, record_id)
    )


def labels_basis(store: Store, record_id: str) -> str:
    """What a decision was made on: the annotators' labels (`tables.labels_basis`), the
    record's own labels as ingested (a new revision changes them; a pull, which merges
    annotators' spans and decisions into the record, does not) and its texts (a new
    de-identification changes them)."""
    import hashlib
    import json

    record = store.get(record_id)
    ingested = store.ingested_doc(record_id) or {}
    # the record's own labels as ingested: an adjudication replaces them on the record
    own = [ingested.get("spans"), ingested.get("empathy")]
    if record is not None:
        own += [record.post_text, record.response_text]
    blob = json.dumps(own, ensure_ascii=False, sort_keys=True).encode()
    return f"{hashlib.sha256(blob).hexdigest()[:12]}:{ls_tables.labels_basis(store, record_id)}"


def plan(
    store: Store,
    flags: Iterable[AuditFlag],
    attributes: dict[str, str],
    top: int | None = DEFAULT_TOP,
) -> Plan:
    """The review queue of an audit run's `flags`: items ranked, capped at `top` per
    culture and family (None: no cap). `attributes`: family -> its attribute name."""
    items, skipped = group_items(flags)
    kept: list[Item] = []
    decided: dict[str, bool] = {}
    for item in sorted(items, key=Item.sort_key):
        if item.record_id not in decided:
            decided[item.record_id] = settled(store, item.record_id)
        if decided[item.record_id]:
            skipped["adjudicated"] += 1
            continue
        if item.kinds == ["label_issue"] and _unanimous(store, item, attributes.get(item.family)):
            skipped["unanimous"] += 1
            continue
        kept.append(item)
    taken: Counter = Counter()
    out: list[Item] = []
    for item in kept:
        key = (item.culture, item.family)
        if top is not None and taken[key] >= top:
            skipped["beyond_top"] += 1
            continue
        taken[key] += 1
        out.append(item)
    return Plan(out, skipped)
