"""`curate demo annotate`: simulated annotators label every pushed demo task in Label
Studio, through the same API a human's browser uses.

For each task of the pushed projects (`ls_tasks` of this Label Studio server) and each
simulated annotator (`sim-annotator-N@example.org`, created once), one annotation is
submitted as that user, built by `simulate.plan` from the record's de-identified texts
(exactly what Label Studio shows). Re-running adds nothing: a task that already has an
annotation by that user is skipped. A task whose text in Label Studio differs from the
record (pushed before a de-identification re-run) is skipped too, as `stale`.

Label Studio Community has no bulk annotation endpoint (tasks can be imported with
annotations, but these tasks exist already), so every annotation is one POST to
/api/tasks/<id>/annotations/; they are sent from a few threads at once, which the
server handles faster than one after another (`WORKERS`).
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from curate.annotate import tables as ls_tables
from curate.annotate.client import LabelStudio
from curate.config import Config
from curate.errors import CurateError
from curate.store import Store
from curate.synthetic.annotators.simulate import Planned, controls, plan

EMAIL = "sim-annotator-{n}@example.org"
USERNAME = "sim-annotator-{n}"
GOOD_NOISE, POOR_NOISE = (0.05, 0.1), 0.4
# Requests at the same time. The server (Django runserver on SQLite) is bound to one
# interpreter: on the 2-core reference machine 2 was fastest (1: ~40 s for the 162 demo
# annotations, 2: ~10-17 s, 4 and 8: ~15-30 s; see docs/annotate.md).
WORKERS = 2


def default_noise(annotators: int) -> list[float]:
    """Good annotators (5 %, then 10 % noise), the last one deliberately poor (40 %)."""
    if annotators == 1:
        return [GOOD_NOISE[0]]
    good = [GOOD_NOISE[min(i, len(GOOD_NOISE) - 1)] for i in range(annotators - 1)]
    return [*good, POOR_NOISE]


def parse_noise(text: str | None, annotators: int) -> list[float]:
    """`0.05,0.1,0.4` -> one level per annotator (one value: the same for all)."""
    if annotators < 1:
        raise CurateError("--annotators must be at least 1")
    if not text:
        return default_noise(annotators)
    try:
        levels = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise CurateError(f"--noise {text!r}: comma-separated numbers, e.g. 0.05,0.1,0.4") from None
    if len(levels) == 1:
        levels = levels * annotators
    if len(levels) != annotators:
        raise CurateError(f"--noise has {len(levels)} levels for {annotators} annotators")
    if any(not 0 <= q <= 1 for q in levels):
        raise CurateError("--noise levels must be between 0 and 1")
    return levels


@dataclass
class SimReport:
    annotators: dict[str, dict[str, Any]] = field(default_factory=dict)  # email -> counts
    spans: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    tasks: int = 0
    stale: list[str] = field(default_factory=list)  # record ids
    missing: list[str] = field(default_factory=list)  # tasks gone from the server
    requests: int = 0
    seconds: float = 0.0
    workers: int = 1

    def to_dict(self) -> dict[str, Any]:
        created = sum(a["created"] for a in self.annotators.values())
        return {
            "synthetic": True,
            "tasks": self.tasks,
            "annotators": self.annotators,
            "spans": {k: dict(sorted(v.items())) for k, v in sorted(self.spans.items())},
            "stale": self.stale,
            "missing": self.missing,
            "requests": self.requests,
            "workers": self.workers,
            "seconds": round(self.seconds, 2),
            "seconds_per_annotation": round(self.seconds / created, 3) if created else None,
        }


def ensure_users(ls: LabelStudio, count: int) -> list[tuple[str, int]]:
    """(email, user id) of sim-annotator-1..count, created on first use."""
    known = {u.email: u.id for u in ls.call(ls.sdk.users.list)}
    out = []
    for n in range(1, count + 1):
        email = EMAIL.format(n=n)
        if email not in known:
            user = ls.call(
                ls.sdk.users.create,
                email=email,
                username=USERNAME.format(n=n),
                first_name="Simulated",
                last_name=f"annotator {n} (synthetic)",
            )
            known[email] = user.id
        out.append((email, known[email]))
    return out


def _server_tasks(ls: LabelStudio, project_id: int) -> dict[int, tuple[set[int], dict]]:
    """task id -> (ids of users with an annotation on it, task data), one listing."""
    out: dict[int, tuple[set[int], dict]] = {}
    for task in ls.call(
        lambda: list(ls.sdk.tasks.list(project=project_id, fields="all", page_size=1000))
    ):
        users = set()
        for ann in task.annotations or []:
            who = ann.get("completed_by") if isinstance(ann, dict) else ann.completed_by
            users.add(who.get("id") if isinstance(who, dict) else who)
        for who in task.annotators or []:
            users.add(who.get("id") if isinstance(who, dict) else who)
        out[task.id] = (users, dict(task.data or {}))
    return out


def planned_annotations(
    store: Store,
    config: Config,
    url: str,
    *,
    annotators: int = 3,
    noise: list[float] | None = None,
    seed: int = 0,
    limit: int | None = None,
) -> list[tuple[str, int, str, dict[str, Any], list[Planned]]]:
    """(record id, task id, project key, task data, one plan per annotator) for the
    pushed tasks, without touching the server: what a run would send."""
    from curate.annotate.push import task_data

    taxonomy = config.taxonomy()
    ctl = controls(taxonomy)
    levels = noise or default_noise(annotators)
    rows = ls_tables.tasks_on(store, url)
    if limit is not None:
        rows = rows[:limit]
    out = []
    for record_id, task_id, key in rows:
        record = store.get(record_id)
        if record is None:
            continue
        data = task_data(record)
        plans = [
            plan(taxonomy, ctl, data, record_id, n, levels[n - 1], seed)
            for n in range(1, annotators + 1)
        ]
        out.append((record_id, task_id, key, data, plans))
    return out


def simulate_annotators(
    store: Store,
    config: Config,
    ls: LabelStudio,
    *,
    annotators: int = 3,
    noise: list[float] | None = None,
    seed: int = 0,
    limit: int | None = None,
    workers: int = WORKERS,
) -> SimReport:
    levels = noise or default_noise(annotators)
    if len(levels) != annotators:
        raise CurateError(f"{len(levels)} noise levels for {annotators} annotators")
    started = time.perf_counter()
    report = SimReport(workers=max(1, workers))
    work = planned_annotations(
        store, config, ls.url, annotators=annotators, noise=levels, seed=seed, limit=limit
    )
    if not work:
        raise CurateError(
            f"no tasks pushed to {ls.url} in this workspace: run `curate annotate push` first"
        )
    args = {"annotators": annotators, "noise": levels, "seed": seed, "limit": limit}

    def counts() -> dict[str, Any]:
        report.seconds = time.perf_counter() - started
        return report.to_dict()

    with store.run("demo annotate", {"url": ls.url, **args}, counts):
        _run(store, ls, work, levels, report)
    return report


def _run(
    store: Store,
    ls: LabelStudio,
    work: list[tuple[str, int, str, dict[str, Any], list[Planned]]],
    levels: list[float],
    report: SimReport,
) -> None:
    users = ensure_users(ls, len(levels))
    for (email, _), q in zip(users, levels, strict=True):
        report.annotators[email] = {
            "noise": q,
            "created": 0,
            "already_there": 0,
            "empathy": 0,
            "demographics": 0,
        }
    projects = ls_tables.projects(store, ls.url)
    on_server: dict[int, tuple[set[int], dict]] = {}
    for key in sorted({key for _, _, key, _, _ in work}):
        on_server.update(_server_tasks(ls, projects[key]))
    jobs: list[tuple[int, int, str, Planned]] = []
    for record_id, task_id, _, data, plans in work:
        if task_id not in on_server:
            report.missing.append(record_id)
            continue
        done, shown = on_server[task_id]
        # the texts Label Studio shows (what `text_hash` covers) must be the record's now
        if any(shown.get(k) != data[k] for k in ("title", "post", "response")):
            report.stale.append(record_id)
            continue
        report.tasks += 1
        for (email, uid), planned in zip(users, plans, strict=True):
            if uid in done:
                report.annotators[email]["already_there"] += 1
                continue
            jobs.append((task_id, uid, email, planned))

    def send(job: tuple[int, int, str, Planned]) -> str:
        task_id, uid, email, planned = job
        ls.call(ls.sdk.annotations.create, task_id, result=planned.result, completed_by=uid)
        return email

    pool = ThreadPoolExecutor(max_workers=report.workers)
    try:
        for email, job in zip(pool.map(send, jobs), jobs, strict=True):
            report.requests += 1
            report.annotators[email]["created"] += 1
            for span in job[3].spans:
                report.spans[email][span.family] += 1
            report.annotators[email]["empathy"] += job[3].empathy is not None
            report.annotators[email]["demographics"] += len(job[3].demographics)
    finally:  # on an error, what has not been sent yet is not sent
        pool.shutdown(wait=True, cancel_futures=True)
