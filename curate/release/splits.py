"""Train / validation / test assignment: grouped, stratified by culture, stable forever.

Why stored and not recomputed: a model evaluated on v1.0.0's test split must never have
trained on any of it in v1.1.0, so an item keeps the split it first got in every later
version, whatever the seed, the ratios or the rest of the workspace become. The table
`splits` holds that assignment; only items never assigned are placed here.

How new items are placed:
- Group: a post and everything derived from it share a key (`platform:thread`); a
  duplicate takes its original's key. A group joins the split it already has.
- New groups of a culture are ordered by a hash of (seed, group key), which depends on
  nothing else in the workspace, and the ordered list is cut where each split reaches
  its target share of the culture (counting what is already assigned). Per-group
  thresholds on that hash would be just as stable but, for a culture of ~100 items, miss
  a 10 % test share by up to a third; cutting the ordered list hits the target to within
  one group and keeps the hash order (low hash -> train, high -> test).
"""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from curate.errors import CurateError
from curate.records import Record

SPLITS = ("train", "validation", "test")
DEFAULT_RATIOS = {"train": 0.8, "validation": 0.1, "test": 0.1}
NO_CULTURE = "(none)"
# What an item is grouped by, so that related items never straddle two splits.
GROUP = "source thread"


@dataclass(frozen=True)
class SplitPolicy:
    seed: int
    ratios: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return {"seed": self.seed, "ratios": dict(self.ratios), "group": GROUP}


def split_policy(section: dict[str, Any]) -> SplitPolicy:
    """The `[release]` config section's seed and ratios, checked."""
    ratios = {k: float(v) for k, v in (section.get("splits") or DEFAULT_RATIOS).items()}
    if set(ratios) != set(SPLITS):
        raise CurateError(
            f"[release] splits must name exactly {', '.join(SPLITS)}, not {', '.join(ratios)}"
        )
    if any(v < 0 for v in ratios.values()) or abs(sum(ratios.values()) - 1) > 1e-6:
        raise CurateError(f"[release] splits must be shares that add up to 1, not {ratios}")
    seed = section.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise CurateError(f"[release] seed must be an integer, not {seed!r}")
    return SplitPolicy(seed=seed, ratios={s: ratios[s] for s in SPLITS})


def group_key(record: Record) -> str:
    """The source thread: records derived from one post share it (a duplicate gets its
    original's key in `assign`)."""
    src = record.source
    return f"{src.platform}:{src.thread_id or src.source_id}"


def group_hash(seed: int, key: str) -> int:
    """Where a group sorts among new groups: a function of (seed, key) only."""
    return int.from_bytes(hashlib.sha256(f"{seed}\x1f{key}".encode()).digest()[:8], "big")


@dataclass
class Assignment:
    """Splits of the records asked about, and the rows to add to `splits`."""

    split: dict[str, str] = field(default_factory=dict)  # record id -> split
    culture: dict[str, str] = field(default_factory=dict)  # record id -> culture
    new_rows: list[tuple[Any, ...]] = field(default_factory=list)

    def sizes(self) -> dict[str, dict[str, int]]:
        """culture -> split -> number of records (every split present, zeros too)."""
        out: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(SPLITS, 0))
        for rid, split in self.split.items():
            out[self.culture[rid]][split] += 1
        return {c: out[c] for c in sorted(out)}


def _stored(store: Any) -> tuple[dict[str, str], dict[str, str]]:
    from curate.release import tables

    by_record: dict[str, str] = {}
    by_group: dict[str, str] = {}
    for rid, group, split in tables.stored_splits(store):
        by_record[rid] = split
        by_group.setdefault(group, split)
    return by_record, by_group


def assigned_splits(store: Any) -> list[tuple[str, str, str]]:
    """(record id, split, group key) of every stored assignment, in the table's order:
    what validation checks the splits against."""
    from curate.release import tables

    return tables.assigned_splits(store)


def _cut(groups: list[tuple[str, int]], have: dict[str, int], ratios: dict[str, float]):
    """Assign ordered (group, size) pairs so that with `have` the totals approach the
    ratios: each split's deficit becomes an interval of the line the groups are laid
    along, and a group goes where its midpoint falls."""
    new = sum(size for _, size in groups)
    total = new + sum(have.values())
    deficits = {s: max(0.0, ratios[s] * total - have.get(s, 0)) for s in SPLITS}
    scale = new / sum(deficits.values()) if sum(deficits.values()) else 0.0
    bounds, acc = [], 0.0
    for s in SPLITS:
        acc += deficits[s] * scale
        bounds.append((acc, s))
    out, pos = {}, 0.0
    for key, size in groups:
        middle = pos + size / 2
        out[key] = next((s for bound, s in bounds if middle < bound), bounds[-1][1])
        pos += size
    return out


def assign(
    store: Any,
    records: Iterable[Record],
    policy: SplitPolicy,
    version: str,
) -> Assignment:
    """Splits of `records` (the release candidates): stored ones kept, new ones placed.
    The store's duplicates (records that duplicate another) get their original's split
    and group, in a row without `first_version`, so that they never straddle splits with
    it should they be released later. Nothing is written: `save` does that together with
    the release."""
    records = list(records)
    by_id = {r.id: r for r in records}
    stored, group_split = _stored(store)
    result = Assignment()
    # culture -> group -> record ids; a group is stratified under its first record's
    # culture, so a thread spanning two cultures still lands in one split
    pending: dict[str, dict[str, list[str]]] = defaultdict(dict)
    pending_culture: dict[str, str] = {}
    now = time.time()
    keys: dict[str, str] = {}
    for record in records:
        culture = record.culture or NO_CULTURE
        result.culture[record.id] = culture
        key = keys[record.id] = group_key(record)
        if record.id in stored:
            result.split[record.id] = stored[record.id]
        elif key in group_split:
            result.split[record.id] = group_split[key]
        else:
            first = pending_culture.setdefault(key, culture)
            pending[first].setdefault(key, []).append(record.id)
    for culture, groups in sorted(pending.items()):
        have: dict[str, int] = defaultdict(int)
        for rid, split in result.split.items():
            if result.culture[rid] == culture:
                have[split] += 1
        ordered = sorted(groups, key=lambda k: (group_hash(policy.seed, k), k))
        placed = _cut([(k, len(groups[k])) for k in ordered], have, policy.ratios)
        for key, rids in groups.items():
            group_split[key] = placed[key]
            for rid in rids:
                result.split[rid] = placed[key]
    for rid, split in result.split.items():
        if rid not in stored:
            row = (rid, keys[rid], split, by_id[rid].culture, policy.seed, version, now)
            result.new_rows.append(row)
    for rid, original, culture in store.duplicates():
        if rid in stored or original not in by_id:
            continue
        split, key = result.split[original], keys[original]
        result.new_rows.append((rid, key, split, culture, policy.seed, None, now))
    return result


def save(conn: Any, assignment: Assignment) -> None:
    """Insert the new rows (inside the caller's transaction, with the release)."""
    from curate.release import tables

    tables.save_splits(conn, assignment.new_rows)
