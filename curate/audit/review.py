"""`curate audit --to-label-studio`: flagged items go back to the annotators' Label
Studio projects as a review queue, so the loop closes where annotators work.

Each flagged record that has a task gets one prediction (model version
`curate-audit-<run id>`): its flagged regions carrying the *suggested* label, in the
labeling config's control names, offsets in Label Studio's unit (`offsets.ls_index`);
the prediction score is the task's worst flag score (lower = more doubtful), so sorting
the Data Manager by prediction score puts the worst first, and filtering by the model
version lists the queue. Only flags with a suggestion are sent: label issues and
consensus flags (span attribute or empathy). Outliers and near duplicates ask a curator
to keep or drop an item, not an annotator to relabel it, so they stay in the report.

Idempotent, with the server as the source of truth: a task that already has this run's
prediction is skipped, so re-sending the same run sends nothing new. Predictions of an
other audit run (`curate-audit-*`, another run id) are deleted from every project, so
the queue is always the sent run's alone (send an older run with `--run` and it replaces
the newer one). Records without a Label Studio task are counted, not an error.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from curate.annotate import tables as ls_tables
from curate.annotate.client import LabelStudio
from curate.annotate.offsets import ls_index
from curate.audit.store import AuditFlag, flags, latest_run, run_exists
from curate.config import Config
from curate.errors import CurateError
from curate.store import Store

PREFIX = "curate-audit-"
SENDABLE = ("label_issue", "consensus")
BATCH = 1000


@dataclass
class ReviewReport:
    run_id: str
    model_version: str
    counts: Counter = field(default_factory=Counter)
    projects: dict[str, int] = field(default_factory=dict)  # key -> tasks sent

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "model_version": self.model_version,
            "counts": dict(sorted(self.counts.items())),
            "projects": dict(sorted(self.projects.items())),
        }


def model_version(run_id: str) -> str:
    return PREFIX + run_id


def region_results(
    flag: AuditFlag, texts: dict[str, str], names: dict[str, Any]
) -> list[dict[str, Any]] | None:
    """Label Studio result items for one flag: the flagged span with the suggested
    attribute (labels + choices sharing the region id), or the empathy choice. None when
    the flag cannot be placed (a span without offsets, or off the current text)."""
    if flag.family == "empathy":
        return [
            {
                "from_name": names["empathy"],
                "to_name": "response",
                "type": "choices",
                "value": {"choices": [flag.suggested]},
            }
        ]
    fld, start, end = (flag.detail.get(k) for k in ("field", "start", "end"))
    text = texts.get(fld or "") or ""
    control = names["attributes"].get((fld, flag.family))
    if start is None or end is None or control is None or not 0 <= start < end <= len(text):
        return None
    index = ls_index(text)
    value = {"start": index.to_ls(start), "end": index.to_ls(end), "text": text[start:end]}
    rid = f"audit-{flag.family}-{fld}-{start}-{end}"[:60]
    return [
        {
            "id": rid,
            "from_name": names["spans"][fld],
            "to_name": fld,
            "type": "labels",
            "value": {**value, "labels": [names["labels"][flag.family]]},
        },
        {
            "id": rid,
            "from_name": control,
            "to_name": fld,
            "type": "choices",
            "value": {**value, "choices": [flag.suggested]},
        },
    ]


def send_review(
    store: Store,
    config: Config,
    ls: LabelStudio,
    run_id: str | None = None,
    top: int | None = None,
) -> ReviewReport:
    """Send the flags of `run_id` (default: the newest audit run) as review predictions.

    `top`: only the `top` worst sendable flags per family and kind.
    """
    from curate.annotate.labeling import control_names

    run_id = run_id or latest_run(store)
    if run_id is None:
        raise CurateError("no audit run yet: run `curate audit` first")
    if not run_exists(store, run_id):
        raise CurateError(f"no audit run {run_id!r} in this workspace")
    taxonomy = config.taxonomy()
    names = control_names(taxonomy)
    version = model_version(run_id)
    report = ReviewReport(run_id, version)
    args = {"audit_run": run_id, "url": ls.url, "top": top}
    with store.run("audit review", args, report.to_dict):
        _send(store, ls, names, version, run_id, top, report)
    return report


def _send(
    store: Store,
    ls: LabelStudio,
    names: dict[str, Any],
    version: str,
    run_id: str,
    top: int | None,
    report: ReviewReport,
) -> None:
    """Choose the sendable flags, build one prediction per task, replace other runs'
    predictions and import the new ones; the counts go into `report`."""
    chosen: list[AuditFlag] = []
    seen: Counter = Counter()
    for f in flags(store, run_id):
        if f.kind not in SENDABLE or not f.suggested:
            report.counts["not_sendable"] += 1
            continue
        seen[(f.family, f.kind)] += 1
        if top is not None and seen[(f.family, f.kind)] > top:
            report.counts["beyond_top"] += 1
            continue
        chosen.append(f)
    tasks = {rid: (key, tid) for rid, (key, tid, _) in ls_tables.tasks(store).items()}
    projects = ls_tables.projects(store, ls.url)
    by_task: dict[tuple[str, int], list[AuditFlag]] = defaultdict(list)
    for f in chosen:
        where = tasks.get(f.record_id)
        if where is None or where[0] not in projects:
            report.counts["no_task"] += 1
            continue
        by_task[where].append(f)

    payload: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (key, task_id), task_flags in sorted(by_task.items()):
        record = store.get(task_flags[0].record_id)
        texts = {"post": record.post_text or "", "response": record.response_text or ""}
        result, score, placed = [], 1.0, set()
        for f in sorted(task_flags, key=lambda f: f.score):
            items = region_results(f, texts, names)
            if items is None:
                report.counts["no_region"] += 1
                continue
            where = (items[0].get("id"), items[0]["from_name"])
            if where in placed:  # the same region flagged twice: the worst flag wins
                report.counts["same_region"] += 1
                continue
            placed.add(where)
            result += items
            score = min(score, f.score)
            report.counts["regions"] += 1
        if result:
            payload[key].append(
                {
                    "task": task_id,
                    "result": result,
                    "score": round(score, 4),
                    "model_version": version,
                }
            )

    for key, project_id in sorted(projects.items()):
        existing = ls.call(lambda pid=project_id: list(ls.sdk.predictions.list(project=pid)))
        done: set[int] = set()
        for pred in existing:
            mv = pred.model_version or ""
            if not mv.startswith(PREFIX):
                continue
            if mv == version:
                done.add(pred.task)
            else:  # another audit run's: the queue is the sent run's alone
                ls.call(ls.sdk.predictions.delete, pred.id)
                report.counts["replaced"] += 1
        new = [p for p in payload.get(key, []) if p["task"] not in done]
        report.counts["already_sent"] += len(payload.get(key, [])) - len(new)
        for start in range(0, len(new), BATCH):
            ls.call(
                ls.sdk.projects.import_predictions, project_id, request=new[start : start + BATCH]
            )
        if new:
            report.projects[key] = len(new)
            report.counts["tasks_sent"] += len(new)
    report.counts["flags"] = len(chosen)
