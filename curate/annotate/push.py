"""`curate annotate push`: de-identified records -> Label Studio tasks.

One project per culture (or one for all, `[annotate] projects = "single"`). The task key
is the record id; the store keeps record -> task and the hash of the text sent, so a
re-run sends only new records in bulk and updates the tasks whose text changed (their
existing annotations are kept and flagged for review, never dropped). Only
de-identified, non-duplicate records are ever sent.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from curate.annotate import tables
from curate.annotate.client import LabelStudio, NotFound
from curate.annotate.offsets import ls_index
from curate.config import Config
from curate.records import Record
from curate.schema import Taxonomy
from curate.store import Store

BATCH = 2000


@dataclass
class PushReport:
    projects: dict[str, int] = field(default_factory=dict)  # key -> project id
    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    requests: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "projects": self.projects,
            "requests": self.requests,
            "counts": {k: dict(v) for k, v in sorted(self.counts.items())},
        }


def project_key(config: Config, record: Record) -> str:
    mode = config.section("annotate").get("projects", "per-culture")
    return "all" if mode == "single" else (record.culture or "unknown")


def task_data(record: Record) -> dict[str, Any]:
    return {
        "record_id": record.id,
        "culture": record.culture or "",
        "language": record.language,
        "title": record.post_title or "",
        "post": record.post_text or "",
        "response": record.response_text or "",
    }


def text_hash(data: dict[str, Any]) -> str:
    blob = json.dumps([data["title"], data["post"], data["response"]], ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def predictions(record: Record, names: dict[str, Any], model_version: str) -> list[dict]:
    """Spans on the de-identified text that are not an annotator's (e.g. the CultureCare
    release phrases aligned to the text) as a Label Studio prediction."""
    result = []
    texts = {"post": record.post_text or "", "response": record.response_text or ""}
    for i, span in enumerate(record.spans):
        label = names["labels"].get(span.label)  # None: a label the taxonomy lacks
        if span.annotator is not None or span.start is None or span.end is None or not label:
            continue
        index = ls_index(texts[span.field])
        value = {
            "start": index.to_ls(span.start),
            "end": index.to_ls(span.end),
            "text": span.text,
        }
        rid = f"p{i}"
        result.append(
            {
                "id": rid,
                "from_name": names["spans"][span.field],
                "to_name": span.field,
                "type": "labels",
                "value": {**value, "labels": [label]},
            }
        )
        for choice in span.attributes.values():
            control = names["attributes"].get((span.field, span.label))
            if control and choice:
                result.append(
                    {
                        "id": rid,
                        "from_name": control,
                        "to_name": span.field,
                        "type": "choices",
                        "value": {**value, "choices": [choice]},
                    }
                )
    if not result:
        return []
    return [{"model_version": model_version, "score": 1.0, "result": result}]


def project_settings(taxonomy: Taxonomy) -> dict[str, Any]:
    """What every project is set to: the labeling config, and the annotator guide as the
    instructions Label Studio shows before labeling (both generated from `schemas/`)."""
    from curate.annotate.labeling import guide_html, labeling_config

    return {
        "label_config": labeling_config(taxonomy),
        "expert_instruction": guide_html(taxonomy),
        "show_instruction": True,
    }


def ensure_project(
    ls: LabelStudio,
    store: Store,
    key: str,
    settings: dict[str, Any],
    title: str,
    kind: str = tables.ANNOTATE,
) -> int:
    """The project for `key` (of `kind`: an annotators' or a review project): created
    once, its settings kept current."""
    config_hash = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()
    row = tables.project(store, key, ls.url)
    if row is not None:
        try:
            ls.call(ls.sdk.projects.get, row[0])
            if row[1] != config_hash:
                ls.call(ls.sdk.projects.update, row[0], **settings)
                tables.set_config_hash(store, key, config_hash)
            return row[0]
        except NotFound:  # the project was deleted on the server: make a new one
            pass
    project = ls.call(ls.sdk.projects.create, title=title, **settings)
    tables.new_project(store, key, project.id, ls.url, config_hash, kind)
    return project.id


def push(
    store: Store,
    config: Config,
    ls: LabelStudio,
    *,
    cultures: list[str] | None = None,
    with_predictions: bool = False,
    model_version: str = "culturecare-release",
) -> PushReport:
    report = PushReport()
    with store.run("annotate push", {"url": ls.url, "cultures": cultures}, report.to_dict) as run:
        _push(store, config, ls, cultures, with_predictions, model_version, run.id, report)
    return report


def _push(
    store: Store,
    config: Config,
    ls: LabelStudio,
    cultures: list[str] | None,
    with_predictions: bool,
    model_version: str,
    run_id: str,
    report: PushReport,
) -> None:
    from curate.annotate.labeling import control_names

    taxonomy = config.taxonomy()
    settings = project_settings(taxonomy)
    names = control_names(taxonomy)
    title_fmt = config.section("annotate").get("project_title", "CultureCare {key}")
    pending: dict[str, list[tuple[Record, dict]]] = defaultdict(list)
    # Projects pushed before are checked first: one deleted on the server is made anew
    # and its records count as never pushed, so they are all sent again.
    for key in tables.projects(store, ls.url):
        if not cultures or key in cultures:
            ensure_project(ls, store, key, settings, title_fmt.format(key=key))
    known = tables.tasks(store)
    changed: list[tuple[str, int, dict, str, str]] = []
    for record in store.iter_records(deidentified=True):
        if cultures and record.culture not in cultures:
            continue
        key = project_key(config, record)
        data = task_data(record)
        digest = text_hash(data)
        if record.id not in known:
            pending[key].append((record, data))
        elif known[record.id][2] != digest:
            changed.append((record.id, known[record.id][1], data, digest, key))
        else:
            report.counts[key]["unchanged"] += 1
    keys = set(pending) | {c[4] for c in changed}
    for key in sorted(keys):
        pid = ensure_project(ls, store, key, settings, title_fmt.format(key=key))
        report.projects[key] = pid
        items = pending.get(key, [])
        for start in range(0, len(items), BATCH):
            batch = items[start : start + BATCH]
            tasks = []
            for record, data in batch:
                task: dict[str, Any] = {"data": data}
                if with_predictions:
                    task["predictions"] = predictions(record, names, model_version)
                tasks.append(task)
            ids = import_tasks(ls, pid, tasks, [d["record_id"] for _, d in batch])
            report.requests += 1
            tables.add_tasks(
                store,
                [
                    (d["record_id"], key, ids[d["record_id"]], text_hash(d), run_id)
                    for _, d in batch
                ],
            )
            report.counts[key]["new"] += len(batch)
    for record_id, task_id, data, digest, key in changed:
        meta = {"text_changed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        ls.call(ls.sdk.tasks.update, str(task_id), data=data, meta=meta)
        report.requests += 1
        flagged = tables.text_updated(store, record_id, digest, run_id)
        report.counts[key]["updated"] += 1
        report.counts[key]["annotations_flagged_for_review"] += flagged


def import_tasks(
    ls: LabelStudio, project_id: int, tasks: list[dict], record_ids: list[str]
) -> dict[str, int]:
    """Bulk import; map record id -> task id (from the response, else by listing)."""
    response = ls.call(
        ls.sdk.projects.import_tasks, project_id, request=tasks, return_task_ids=True
    )
    task_ids = getattr(response, "task_ids", None) or []
    if len(task_ids) == len(record_ids):
        return dict(zip(record_ids, task_ids, strict=True))
    wanted = set(record_ids)
    found: dict[str, int] = {}
    for task in ls.call(ls.sdk.tasks.list, project=project_id, fields="all", page_size=1000):
        rid = (task.data or {}).get("record_id")
        if rid in wanted:
            found[rid] = task.id
    return found
