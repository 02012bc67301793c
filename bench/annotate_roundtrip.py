"""Benchmark: push and pull of 10k tasks against the local Label Studio server.

Usage:  .venv/bin/python bench/annotate_roundtrip.py [--tasks 10000] [--sample 200]

Starts (or reuses) the workspace's Label Studio server (`curate annotate serve`), fills
a fresh workspace with N de-identified synthetic records, then measures, side by side:
  push      `curate.annotate.push.push` (bulk import, 2000 tasks a request)
  push/1    the same tasks sent one task per request (on `--sample` tasks, per-task
            rate extrapolated to N)
  pull      `curate.annotate.pull.pull` of N tasks that each carry one annotation
            (export API, conversion, validation, storage)
  pull/1    one GET /api/tasks/<id> per task (on `--sample` tasks, extrapolated)
Targets (issue 4): push 10k tasks <= 15 s, pull 10k annotated tasks <= 30 s.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from _synthetic import fill_deidentified  # noqa: E402

from curate.annotate.client import connect  # noqa: E402
from curate.annotate.server import ensure_running  # noqa: E402
from curate.config import load_config  # noqa: E402
from curate.store import Store  # noqa: E402

WORDS = "I feel alone 😔 my family expects more and work is hard every day".split()


def fill(store: Store, n: int) -> None:
    rng = random.Random(3)

    def make(i: int) -> tuple[str, str, dict]:
        text = " ".join(rng.choice(WORDS) for _ in range(60)) + f" #{i}"
        return text, "Hang in there, " + text[:80], {}

    fill_deidentified(store, n, make)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--data-dir", type=Path, default=HERE / ".data" / "label-studio")
    args = parser.parse_args()
    server = ensure_running(args.data_dir)
    from curate.annotate.pull import pull
    from curate.annotate.push import push, task_data

    with tempfile.TemporaryDirectory() as tmp:
        toml = Path(tmp) / "curate.toml"
        toml.write_text(
            f'[workspace]\npath = "{Path(tmp) / "ws"}"\n[annotate]\nprojects = "single"\n'
        )
        config = load_config(toml)
        ls = connect(config, url=server.url, token=server.token)
        with Store.open(config.workspace) as store:
            fill(store, args.tasks)
            t = time.perf_counter()
            report = push(store, config, ls)
            push_s = time.perf_counter() - t
            pid = report.projects["all"]

            # one task per request, on a sample
            recs = list(store.iter_records(deidentified=True))[: args.sample]
            t = time.perf_counter()
            for rec in recs:
                ls.call(ls.sdk.tasks.create, project=pid, data=task_data(rec))
            one_push_s = (time.perf_counter() - t) / len(recs) * args.tasks
            ls.call(ls.sdk.projects.update, pid, title="bench (sample tasks added)")

            # Every task annotated once (Community edition has no bulk annotation API:
            # the project's tasks are re-imported with one annotation each).
            me = ls.call(ls.sdk.users.whoami)
            result = [
                {
                    "id": "r1",
                    "from_name": "post_spans",
                    "to_name": "post",
                    "type": "labels",
                    "value": {"start": 0, "end": 1, "text": "I", "labels": ["emotional_distress"]},
                }
            ]
            ls.call(ls.sdk.tasks.delete_all_tasks, pid)
            records = list(store.iter_records(deidentified=True))
            for i in range(0, len(records), 2000):
                tasks = [
                    {
                        "data": task_data(r),
                        "annotations": [{"result": result, "completed_by": me.id}],
                    }
                    for r in records[i : i + 2000]
                ]
                ls.call(ls.sdk.projects.import_tasks, pid, request=tasks)
            task_ids = [t.id for t in ls.call(ls.sdk.tasks.list, project=pid, page_size=1000)]
            t = time.perf_counter()
            pulled = pull(store, config, ls)
            pull_s = time.perf_counter() - t
            t = time.perf_counter()
            for tid in task_ids[: args.sample]:
                ls.call(ls.sdk.tasks.get, str(tid))
            one_pull_s = (time.perf_counter() - t) / args.sample * args.tasks
            counts = pulled.counts["all"]
    row = {
        "tasks": args.tasks,
        "push_s": round(push_s, 1),
        "push_one_per_request_s": round(one_push_s, 1),
        "push_ratio": round(one_push_s / push_s, 1),
        "pull_s": round(pull_s, 1),
        "pull_one_per_request_s": round(one_pull_s, 1),
        "pull_ratio": round(one_pull_s / pull_s, 1),
        "annotations_pulled": counts["submitted"],
    }
    print(" | ".join(row))
    print(" | ".join(str(v) for v in row.values()))
    print(json.dumps(row))


if __name__ == "__main__":
    main()
