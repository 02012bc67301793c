"""`curate audit --to-label-studio`: the review queue. Flagged items become tasks in a
review project per culture, where a reviewer adjudicates them.

Why projects of their own, not predictions on the annotators' tasks: an annotation
project's tasks already have their annotations (the queue would say "no more tasks"),
a prediction there cannot be submitted as a decision, and nothing on it says why it was
flagged. A review task here is one record with every queued item of it
(`curate.audit.queue`), and
- says why, in words, in a view of its own (`why`): per item the span and family, the
  label given and by whom, the annotators' votes and CROWDLAB's consensus, what the model
  suggests and how sure it is, and a near duplicate labelled differently;
- opens pre-filled with the record's current labels (a prediction of model version
  `REVIEW_MODEL`, which the project uses for pre-labelling): the reviewer's earlier
  decision if there is one, else the annotators' consensus (the majority of them marked
  the span; the value most of them gave) plus the record's own placed spans, and the
  record's empathy score;
- is submitted as the decision; `curate annotate pull` brings it back as an
  adjudication (`curate.annotate.tables.ADJUDICATION`), which wins over the annotators'
  labels from then on.

Idempotent: each task sent is kept (`review_tasks`) with the labels basis it was queued
on (`queue.labels_basis`). A record already queued on the same basis is not sent again
(`already_queued`), and once decided it is not queued again (`adjudicated`) until its
labels change; an unanswered task queued on an older basis is replaced by a new one.
"""

from __future__ import annotations

import html
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from curate.annotate import tables as ls_tables
from curate.annotate.client import LabelStudio, NotFound
from curate.annotate.labeling import REVIEW_OBJECT
from curate.audit import queue
from curate.audit.store import (
    AuditFlag,
    add_review_task,
    drop_review_task,
    flags,
    latest_run,
    review_rows,
    run_exists,
)
from curate.config import Config
from curate.errors import CurateError
from curate.records import Record, Span
from curate.schema import Taxonomy
from curate.store import Store

REVIEW_MODEL = "curate-review"
PREFIX = "curate-audit-"  # predictions of curate < 0.x's queue on annotation projects
BATCH = 500


@dataclass
class ReviewReport:
    run_id: str
    counts: Counter = field(default_factory=Counter)
    projects: dict[str, int] = field(default_factory=dict)  # review key -> tasks sent
    urls: dict[str, str] = field(default_factory=dict)  # culture -> review project URL

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "model_version": REVIEW_MODEL,
            "counts": dict(sorted(self.counts.items())),
            "projects": dict(sorted(self.projects.items())),
            "urls": dict(sorted(self.urls.items())),
        }


def review_key(culture: str | None, config: Config) -> str:
    mode = config.section("annotate").get("projects", "per-culture")
    return "review-" + ("all" if mode == "single" else (culture or "unknown"))


def project_settings(taxonomy: Taxonomy) -> dict[str, Any]:
    """A review project: the review config, the reviewer guide, pre-labelling from this
    queue's predictions, one decision per task."""
    from curate.annotate.labeling import labeling_config, reviewer_guide_html

    return {
        "label_config": labeling_config(taxonomy, review=True),
        "expert_instruction": reviewer_guide_html(taxonomy),
        "show_instruction": True,
        "model_version": REVIEW_MODEL,
        "show_collab_predictions": True,
        "maximum_annotations": 1,
    }


def task_url(ls_url: str, project_id: int, task_id: int) -> str:
    """Where Label Studio opens one task of a project's Data Manager."""
    return f"{ls_url.rstrip('/')}/projects/{project_id}/data?task={task_id}"


# -- what a reviewer sees ---------------------------------------------------------------
def consensus_spans(store: Store, record: Record, taxonomy: Taxonomy) -> list[Span]:
    """The annotators' consensus spans of a record: per field and family, each run of
    overlapping spans that at least half of the record's annotators marked, at the
    offsets most of them chose (the longest on a tie), with the value most of them gave
    (on a tie, the first in the taxonomy's order)."""
    from curate.audit.crowd import overlap_runs

    anns = ls_tables.latest_annotations(store, record.id)
    if not anns:
        return []
    grouped: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for annotator, ann in anns.items():
        for s in ann["spans"]:
            if s["start"] is not None and s["label"] in taxonomy.families:
                grouped[(s["field"], s["label"])].append({**s, "annotator": annotator})
    out: list[Span] = []
    for (fld, family), spans in sorted(grouped.items()):
        attribute = taxonomy.family(family).attribute
        values = taxonomy.family(family).values
        for run in overlap_runs(spans):
            voters = {s["annotator"] for s in run}
            if 2 * len(voters) < len(anns):
                continue
            where = Counter((s["start"], s["end"]) for s in run)
            start, end = max(where, key=lambda se: (where[se], se[1] - se[0], -se[0]))
            votes = Counter(
                (s.get("attributes") or {}).get(attribute) for s in run if s.get("attributes")
            )
            votes.pop(None, None)
            value = (
                max(votes, key=lambda v: (votes[v], -values.index(v) if v in values else -99))
                if votes
                else None
            )
            text = next(s["text"] for s in run if (s["start"], s["end"]) == (start, end))
            out.append(Span(fld, family, text, start, end, {attribute: value}))
    return out


def current_labels(
    store: Store, record: Record, taxonomy: Taxonomy
) -> tuple[list[Span], int | None, str]:
    """(spans, empathy, whose) a review task opens with: the newest decision, else the
    consensus with the record's own placed spans (see the module docstring)."""
    decided = ls_tables.latest_adjudication(store, record.id)
    if decided is not None:
        spans = [Span(**{**s, "annotator": None}) for s in decided["spans"]]
        when = str(decided.get("updated_at") or "")[:10]
        return spans, decided.get("empathy", record.empathy), f"the decision of {when}"
    own = [s for s in record.spans if s.annotator is None and s.start is not None]
    agreed = consensus_spans(store, record, taxonomy)
    whose = "the record's current labels" + (" (the annotators' consensus)" if agreed else "")
    return own + agreed, record.empathy, whose


def prefill(
    record: Record, spans: list[Span], empathy: int | None, names: dict[str, Any], score: float
) -> dict[str, Any] | None:
    """The prediction a review task opens with (Label Studio offsets, control names)."""
    from curate.annotate.push import predictions

    shown = replace(record, spans=spans)
    preds = predictions(shown, names, REVIEW_MODEL)
    result = preds[0]["result"] if preds else []
    if empathy is not None:
        result.append(
            {
                "from_name": names["empathy"],
                "to_name": "response",
                "type": "choices",
                "value": {"choices": [str(empathy)]},
            }
        )
    if not result:
        return None
    return {"model_version": REVIEW_MODEL, "score": round(score, 4), "result": result}


def _b(value: Any) -> str:
    return f"<bdi>{html.escape(str(value))}</bdi>"


def _pct(x: Any) -> str:
    return f"{float(x):.0%}"


def _reason(f: AuditFlag) -> str:
    """One flag in words (HTML, every value escaped)."""
    d = f.detail
    who = _b(f.annotator) if f.annotator else "the release (ingested labels)"
    if f.kind == "label_issue":
        sure = []
        if d.get("p_suggested") is not None:
            sure.append(f"{_pct(d['p_suggested'])} for {_b(f.suggested)}")
        if d.get("p_given") is not None:
            sure.append(f"{_pct(d['p_given'])} for {_b(f.given)}")
        text = (
            f"<b>Model:</b> the label {_b(f.given)}, given by {who}, looks wrong to the "
            f"text model, which suggests {_b(f.suggested)}"
        )
        text += f" ({', '.join(sure)})" if sure else f" (label quality {f.score:.2f})"
        if d.get("wrong_prob") is not None:
            text += (
                f"; on this family, labels scored like this were wrong about "
                f"{_pct(d['wrong_prob'])} of the time"
            )
        mates = d.get("record_mates")
        if isinstance(mates, dict) and mates:
            listed = ", ".join(f"{_b(k)} ×{v}" for k, v in sorted(mates.items()))
            text += f"; the record's other labels of this family: {listed}"
        return text + "."
    if f.kind == "consensus":
        votes = ", ".join(f"{_b(a)}: {_b(v)}" for a, v in sorted(d.get("votes", {}).items()))
        text = f"<b>Annotators:</b> {votes}. Consensus (CROWDLAB): {_b(f.suggested)}"
        if d.get("agreement") is not None:
            text += f", agreement {_pct(d['agreement'])}"
        return text + f", consensus quality {f.score:.2f}."
    if f.kind == "near_duplicate":
        partner = d.get("partner")
        return (
            f"<b>Near duplicate:</b> an almost identical phrase in record {_b(partner)} is "
            f"labelled {_b(d.get('partner_label'))}; here it is {_b(f.given)}"
            + (f" (distance {float(d['distance']):.2f})" if d.get("distance") is not None else "")
            + "."
        )
    return html.escape(f.kind)


def why_html(items: list[queue.Item], record: Record, taxonomy: Taxonomy, whose: str) -> str:
    """What the review task's explanation view shows (HTML, texts de-identified and
    escaped)."""
    texts = {"post": record.post_text or "", "response": record.response_text or ""}
    parts = ["<ol>"]
    for item in items:
        if item.region is None:
            head = f"<b>Empathy score</b> of the response (now {_b(record.empathy)})"
        else:
            fld, start, end = item.region
            title = taxonomy.family(item.family).title
            phrase = texts.get(fld, "")[start:end]
            head = f"<b>{html.escape(title)}</b> span in the {fld}: «{_b(phrase)}»"
        reasons = "".join(f"<li>{_reason(f)}</li>" for f in item.flags)
        parts.append(f"<li>{head}<ul>{reasons}</ul></li>")
    parts.append("</ol>")
    parts.append(
        f"<p>The labels below are {html.escape(whose)}. Correct what is wrong, keep what "
        "is right, then <b>Submit</b>: your decision replaces the annotators' labels of "
        "this record.</p>"
    )
    return "".join(parts)


# -- sending ----------------------------------------------------------------------------
def send_review(
    store: Store,
    config: Config,
    ls: LabelStudio,
    run_id: str | None = None,
    top: int | None = queue.DEFAULT_TOP,
) -> ReviewReport:
    """Queue the items of audit run `run_id` (default: the newest) for review: at most
    `top` per culture and family (None: all)."""
    run_id = run_id or latest_run(store)
    if run_id is None:
        raise CurateError("no audit run yet: run `curate audit` first")
    if not run_exists(store, run_id):
        raise CurateError(f"no audit run {run_id!r} in this workspace")
    report = ReviewReport(run_id)
    args = {"audit_run": run_id, "url": ls.url, "top": top}
    with store.run("audit review", args, report.to_dict) as run:
        _send(store, config, ls, run_id, top, run.id, report)
    return report


def _send(
    store: Store,
    config: Config,
    ls: LabelStudio,
    run_id: str,
    top: int | None,
    sent_run: str,
    report: ReviewReport,
) -> None:
    from curate.annotate.labeling import control_names
    from curate.annotate.push import ensure_project, import_tasks, task_data

    taxonomy = config.taxonomy()
    names = control_names(taxonomy)
    attributes = {name: fam.attribute for name, fam in taxonomy.families.items()}
    chosen = queue.plan(store, flags(store, run_id), attributes, top)
    report.counts.update(chosen.skipped)
    report.counts["items"] = len(chosen.items)
    settings = project_settings(taxonomy)
    title_fmt = config.section("annotate").get("review_title", "CultureCare review {culture}")
    pending: dict[str, list[tuple[dict, str, int]]] = defaultdict(list)
    for rid, items in chosen.by_record().items():
        record = store.get(rid)
        if record is None:
            report.counts["no_record"] += len(items)
            continue
        basis = queue.labels_basis(store, rid)
        rows = review_rows(store, rid)
        if any(r["basis"] == basis for r in rows):
            report.counts["already_queued"] += 1
            continue
        for old in rows:  # queued on older labels: replace it unless it was answered
            if _unanswered(ls, store, old):
                report.counts["replaced"] += 1
        spans, empathy, whose = current_labels(store, record, taxonomy)
        data = {
            **task_data(record),
            REVIEW_OBJECT: why_html(items, record, taxonomy, whose),
            "items": len(items),
            "families": ", ".join(sorted({i.family for i in items})),
            "audit_run": run_id,
        }
        task: dict[str, Any] = {"data": data}
        pred = prefill(record, spans, empathy, names, min(i.score for i in items))
        if pred is not None:
            task["predictions"] = [pred]
        pending[review_key(record.culture, config)].append((task, basis, len(items)))
    for key, tasks in sorted(pending.items()):
        culture = key.removeprefix("review-")
        before = ls_tables.project(store, key, ls.url)
        pid = ensure_project(
            ls, store, key, settings, title_fmt.format(culture=culture), ls_tables.REVIEW
        )
        if before is not None and before[0] != pid:  # made anew: its old tasks are gone
            for row in review_rows(store):
                if row["project_key"] == key:
                    drop_review_task(store, key, row["task_id"])
        _ensure_view(ls, pid)
        report.urls[culture] = f"{ls.url.rstrip('/')}/projects/{pid}/data"
        for start in range(0, len(tasks), BATCH):
            batch = tasks[start : start + BATCH]
            rids = [t["data"]["record_id"] for t, _, _ in batch]
            ids = import_tasks(ls, pid, [t for t, _, _ in batch], rids)
            for (_, basis, n), rid in zip(batch, rids, strict=True):
                add_review_task(store, key, ids[rid], rid, run_id, basis, n, sent_run)
        report.projects[key] = len(tasks)
        report.counts["tasks_sent"] += len(tasks)
    _retire_old_predictions(store, ls, report)


VIEW_TITLE = "Review queue"


def _ensure_view(ls: LabelStudio, project_id: int) -> None:
    """The project's Data Manager tab, in rank order, without the `why` column (HTML
    that reads as markup in a table cell; the labeling view renders it). Tabs are shared
    by the organization, so every reviewer gets it. The SDK's view model has no
    `hiddenColumns`, hence the plain request."""
    views = ls.call(ls.sdk.views.list, project=project_id)
    if any((v.data or {}).get("title") == VIEW_TITLE for v in views):
        return
    hidden = [f"tasks:data.{REVIEW_OBJECT}"]
    body = {
        "project": project_id,
        "data": {
            "title": VIEW_TITLE,
            "hiddenColumns": {"explore": hidden, "labeling": hidden},
            "ordering": ["tasks:id"],
        },
    }
    client = ls.sdk._client_wrapper.httpx_client
    response = ls.call(client.request, "api/dm/views/", method="POST", json=body)
    if response.status_code >= 400:
        raise CurateError(
            f"Label Studio at {ls.url} refused the review tab (HTTP {response.status_code})"
        )


def _unanswered(ls: LabelStudio, store: Store, row: dict[str, Any]) -> bool:
    """Delete an old review task nobody answered (True); keep an answered one."""
    key, tid = row["project_key"], row["task_id"]
    if ls_tables.adjudicated_task(store, key, tid):
        return False
    try:
        task = ls.call(ls.sdk.tasks.get, str(tid))
    except NotFound:
        drop_review_task(store, key, tid)
        return False
    if (getattr(task, "total_annotations", 0) or 0) > 0:
        return False  # answered, not pulled yet: the decision is kept
    ls.call(ls.sdk.tasks.delete, str(tid))
    drop_review_task(store, key, tid)
    return True


def _retire_old_predictions(store: Store, ls: LabelStudio, report: ReviewReport) -> None:
    """Earlier curate versions put the queue on the annotators' tasks as predictions
    (`curate-audit-*`): removed, so annotators are not shown stale suggestions."""
    for project_id in ls_tables.projects(store, ls.url).values():
        existing = ls.call(lambda pid=project_id: list(ls.sdk.predictions.list(project=pid)))
        for pred in existing:
            if (pred.model_version or "").startswith(PREFIX):
                ls.call(ls.sdk.predictions.delete, pred.id)
                report.counts["retired_predictions"] += 1
