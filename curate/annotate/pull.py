"""`curate annotate pull`: Label Studio annotations -> canonical spans in the store.

Every project is exported whole (every annotator, skipped and cancelled included) and
the raw export is snapshotted in the workspace, named by time and content hash. Each
annotation is converted: Label Studio offsets (code points, `offsets.ls_index`) are
checked, and every region is checked against the task text and the taxonomy, because
the server accepts anything. Invalid regions are reported per task and annotator and kept
out of the records; the annotation itself is always stored, so nothing is lost.
Pulling twice changes nothing; a newer annotation by the same annotator on the same
record supersedes the older one in the record.
"""

from __future__ import annotations

import hashlib
import json
import statistics
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from curate.annotate import tables
from curate.annotate.client import LabelStudio
from curate.annotate.labeling import demographic_value, family_of
from curate.annotate.offsets import ls_index
from curate.config import Config
from curate.demographics import normalize_demographics
from curate.records import ADJUDICATED, Span
from curate.schema import Taxonomy
from curate.store import Store


@dataclass
class PullReport:
    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    issues: list[dict[str, Any]] = field(default_factory=list)
    snapshots: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "counts": {k: dict(v) for k, v in sorted(self.counts.items())},
            "issues": self.issues,
            "snapshots": self.snapshots,
        }


@dataclass
class Converted:
    spans: list[Span]
    empathy: int | None
    demographics: dict[str, str]
    issues: list[tuple[str, str]]  # (problem, detail)


def convert(
    result: list[dict], data: dict[str, Any], taxonomy: Taxonomy, names: dict, annotator: str
) -> Converted:
    """One Label Studio annotation result -> canonical spans and document fields."""
    field_of = {v: k for k, v in names["spans"].items()}  # control name -> field
    attr_of = {v: k for k, v in names["attributes"].items()}  # control -> (field, family)
    # demographic control -> (field, role): the answer, and a category's "other" text
    demographic_of = {v: (k, "main") for k, v in names["demographics"].items()}
    demographic_of |= {v: (k, "other") for k, v in names["demographics_other"].items()}
    answers: dict[str, dict[str, dict]] = {}
    texts = {"post": data.get("post") or "", "response": data.get("response") or ""}
    indexes = {k: ls_index(v) for k, v in texts.items()}
    regions: dict[str, dict[str, Any]] = {}
    empathy, issues = None, []
    for item in result:
        name, value = item.get("from_name"), item.get("value") or {}
        if name in field_of:
            regions.setdefault(item.get("id") or str(id(item)), {})["labels"] = item
        elif name in attr_of:
            regions.setdefault(item.get("id") or str(id(item)), {}).setdefault(
                "choices", []
            ).append(item)
        elif name == names["empathy"]:
            choice = (value.get("choices") or [None])[0]
            score = None if choice is None else taxonomy.empathy_value(str(choice))
            if score is not None:
                empathy = score
            else:
                issues.append(("invalid empathy", repr(choice)))
        elif name in demographic_of:
            field_, role = demographic_of[name]
            answers.setdefault(field_, {})[role] = value
        else:
            issues.append(("unknown control", str(name)))
    demographics = {name: demographic_value(items) for name, items in answers.items()}
    spans: list[Span] = []
    seen: set[tuple] = set()
    for rid, region in regions.items():
        labels_item = region.get("labels")
        if labels_item is None:
            issues.append(("choice without a span", rid))
            continue
        fld = field_of[labels_item["from_name"]]
        value = labels_item.get("value") or {}
        labels = value.get("labels") or []
        if len(labels) != 1:
            issues.append(("span must have exactly one label", f"{rid}: {labels}"))
            continue
        family = family_of(taxonomy, labels[0])
        if family is None or fld not in family.fields:
            issues.append(("unknown label", f"{rid}: {labels[0]!r} on {fld}"))
            continue
        start, end = value.get("start"), value.get("end")
        if not isinstance(start, int) or not isinstance(end, int):
            issues.append(("span without offsets", rid))
            continue
        cp_start, cp_end = indexes[fld].to_codepoint(start), indexes[fld].to_codepoint(end)
        if cp_start is None or cp_end is None:
            issues.append(("offsets off the text", f"{rid}: {start}-{end}"))
            continue
        if cp_end <= cp_start:
            issues.append(("empty span", f"{rid}: {start}-{end}"))
            continue
        text = texts[fld][cp_start:cp_end]
        if value.get("text") is not None and value.get("text") != text:
            issues.append(("span text differs from the task text", rid))
            continue
        attribute = None
        for choice_item in region.get("choices", []):
            cfield, cfamily = attr_of[choice_item["from_name"]]
            chosen = (choice_item.get("value") or {}).get("choices") or []
            if (cfield, cfamily) != (fld, family.name):
                issues.append(("choice for another label", rid))
            elif len(chosen) != 1 or chosen[0] not in family.values:
                issues.append((f"invalid {family.attribute}", f"{rid}: {chosen}"))
            else:
                attribute = chosen[0]
        key = (fld, cp_start, cp_end, family.name)
        if key in seen:
            issues.append(("duplicate span", rid))
            continue
        seen.add(key)
        spans.append(
            Span(
                field=fld,
                label=family.name,
                text=text,
                start=cp_start,
                end=cp_end,
                attributes={family.attribute: attribute},
                annotator=annotator,
            )
        )
    spans.sort(key=lambda s: (s.field, s.start, s.end, s.label))
    return Converted(spans, empathy, demographics, issues)


def _snapshot(ls_dir: Path, key: str, blob: bytes) -> Path:
    """Keep the raw export, named by time and content hash; the same content is kept
    once."""
    digest = hashlib.sha256(blob).hexdigest()[:16]
    folder = ls_dir / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    existing = sorted(folder.glob(f"{key}-*-{digest}.json"))
    if existing:
        return existing[-1]
    path = folder / f"{key}-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{digest}.json"
    path.write_bytes(blob)
    return path


def _annotators(ls: LabelStudio) -> dict[int, str]:
    users = ls.call(ls.sdk.users.list)
    return {u.id: (u.email or u.username or f"user:{u.id}") for u in users}


def pull(store: Store, config: Config, ls: LabelStudio) -> PullReport:
    from curate.annotate.labeling import control_names

    taxonomy = config.taxonomy()
    names = control_names(taxonomy)
    report = PullReport()

    def counts() -> dict[str, Any]:
        return {"counts": report.to_dict()["counts"], "issues": len(report.issues)}

    with store.run("annotate pull", {"url": ls.url}, counts) as run:
        _pull(store, ls, taxonomy, names, run.id, report)
    return report


def _pull(
    store: Store,
    ls: LabelStudio,
    taxonomy: Taxonomy,
    names: dict[str, Any],
    run_id: str,
    report: PullReport,
) -> None:
    users = _annotators(ls)
    touched: set[str] = set()
    for key, pid in tables.projects(store, ls.url, kind=None).items():
        kind = (
            tables.ADJUDICATION
            if tables.project_kind(store, key) == tables.REVIEW
            else tables.ANNOTATION
        )
        blob = b"".join(
            ls.call(
                lambda pid=pid: list(
                    ls.sdk.projects.exports.download_sync(
                        pid, download_all_tasks=True, export_type="JSON"
                    )
                )
            )
        )
        report.snapshots.append(str(_snapshot(store.root / "label-studio", key, blob)))
        tasks = json.loads(blob)
        counts = report.counts[key]
        rows = []
        for task in tasks:
            data = task.get("data") or {}
            record_id = data.get("record_id")
            counts["tasks"] += 1
            for ann in task.get("annotations") or []:
                who = ann.get("completed_by")
                who_id = who.get("id") if isinstance(who, dict) else who
                annotator = users.get(who_id, f"user:{who_id}")
                status = (
                    "cancelled"
                    if ann.get("was_cancelled")
                    else ("submitted" if ann.get("result") else "empty")
                )
                counts[status] += 1
                conv = convert(ann.get("result") or [], data, taxonomy, names, annotator)
                for problem, detail in conv.issues:
                    report.issues.append(
                        {
                            "project": key,
                            "task": task.get("id"),
                            "record_id": record_id,
                            "annotator": annotator,
                            "problem": problem,
                            "detail": detail,
                        }
                    )
                counts["invalid_regions"] += len(conv.issues)
                doc = {
                    "spans": [asdict(s) for s in conv.spans],
                    "empathy": conv.empathy,
                    "demographics": conv.demographics,
                    "status": status,
                    "result": ann.get("result") or [],
                }
                digest = hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()
                rows.append(
                    (
                        ann["id"],
                        key,
                        record_id,
                        task.get("id"),
                        annotator,
                        ann.get("updated_at") or ann.get("created_at"),
                        status,
                        digest,
                        json.dumps(doc, ensure_ascii=False),
                        run_id,
                        conv.issues,
                    )
                )
        with store.transaction() as conn:
            for *row, issues in rows:
                outcome = tables.save_annotation(conn, tuple(row), issues, kind)
                counts[outcome] += 1
                if outcome != "unchanged" and row[2]:
                    touched.add(row[2])
    _merge_into_records(store, touched, taxonomy)


def _merge_into_records(store: Store, record_ids: set[str], taxonomy: Taxonomy) -> None:
    """Record spans = its own (release) spans + each annotator's newest valid spans.

    Record-level labels: the record's own empathy score and demographics (as ingested)
    win; where it has none, the annotators' consensus fills them in: the lower median of
    the empathy scores (an ordinal scale), and per demographic field the value most
    annotators gave (none on a tie). Every annotator's own values stay in the store.
    An annotator's value is free text that was not de-identified: the residual scan and
    the release gate cover it like every demographic value.

    An adjudication (a reviewer's submitted annotation in a review project) wins over all
    of that: the record's spans become its own phrases that no screen could show (no
    offsets) + the adjudicated spans (annotator `ADJUDICATED`), and its empathy the
    adjudicated score when the reviewer gave one. Demographics are not adjudicated."""
    changed = []
    for rid in sorted(record_ids):
        record = store.get(rid)
        if record is None:
            continue
        latest = tables.latest_annotations(store, rid)
        adjudication = tables.latest_adjudication(store, rid)
        own = [s for s in record.spans if s.annotator is None]
        ingested = ingested_labels(store, rid)
        scores = [a["empathy"] for a in latest.values() if a.get("empathy") is not None]
        if adjudication is not None:
            unplaced = [s for s in own if s.start is None or s.end is None]
            decided = [{**s, "annotator": ADJUDICATED} for s in adjudication["spans"]]
            record.spans = unplaced + [Span(**s) for s in decided]
        else:
            annotated = [Span(**s) for a in latest.values() for s in a["spans"]]
            record.spans = own + annotated
        record.empathy = ingested["empathy"]
        if record.empathy is None and scores:
            record.empathy = statistics.median_low(scores)
        if adjudication is not None and adjudication.get("empathy") is not None:
            record.empathy = adjudication["empathy"]
        consensus: dict[str, Any] = {}
        for name in {k for a in latest.values() for k in (a.get("demographics") or {})}:
            votes = Counter(
                str(a["demographics"][name]).strip()
                for a in latest.values()
                if str((a.get("demographics") or {}).get(name) or "").strip()
            ).most_common(2)
            if votes and (len(votes) == 1 or votes[0][1] > votes[1][1]):
                consensus[name] = votes[0][0]
        normalized, _ = normalize_demographics(consensus, taxonomy)
        # a value the record had as ingested stays as the record holds it now, i.e.
        # de-identified (the revision has it as ingested, raw)
        demographics = {
            name: record.demographics.get(name) if value is not None else None
            for name, value in ingested["demographics"].items()
        }
        for name, value in normalized.items():
            if demographics.get(name) is None and value is not None:
                demographics[name] = value
        record.demographics = demographics
        changed.append(record)
    if changed:
        store.update_records(changed)


def ingested_labels(store: Store, record_id: str) -> dict[str, Any]:
    """Empathy and demographics of the record as ingested (its current revision): its
    own labels, as opposed to the annotators' consensus that pull may add."""
    doc = store.ingested_doc(record_id) or {}
    return {"empathy": doc.get("empathy"), "demographics": doc.get("demographics") or {}}
