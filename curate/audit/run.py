"""`curate audit`: which labels look wrong, per label family, written to the workspace.

For every span family (its attribute: intensity, cultural-signal type, strategy) and for
the empathy score, the workspace's labelled examples (de-identified records only) get
out-of-fold probabilities from a character + word n-gram model, folds grouped by record,
and go through:
- cleanlab `find_label_issues` (`labelnoise`): probable label errors ("label_issue");
- Datalab (`datalab`): outliers and label-conflicting near duplicates;
- CROWDLAB (`crowd`) where Label Studio annotators overlap: consensus, per-annotator
  quality and doubtful items ("consensus").
Near-duplicate records (by post text) are looked for once per run (family "records").

Every flag goes into the store (`audit_flags`, under the run id), and the summary (what
`summary.json` holds) is the counts of the "audit" run in the run log, where later stages
read it (`curate.audit.store.latest_summary`); the reports in `<workspace>/reports/audit/`
are one CSV and one Parquet file per family, `summary.json` and `index.html`, for people
to read. Texts in the reports are the de-identified ones.
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from curate.audit.store import (
    AUDIT_COMMAND,
    KINDS,
    RECORDS,
    AuditFlag,
    example_flag,
    rank_flags,
    save_flags,
)
from curate.errors import CurateError
from curate.schema import Taxonomy
from curate.store import Store

MIN_EXAMPLES = 10
EMPATHY = "empathy"
# The combining model's extra inputs (`curate.audit.rank`): "wordllama" adds the packaged
# WordLlama embeddings of the phrase and of its record's other phrases (`curate.audit.embed`,
# measured better on the real release); "tfidf" is the n-gram text model alone.
FEATURES = ("wordllama", "tfidf")
DEFAULT_FEATURES = "wordllama"
COLUMNS = (
    "rank",
    "kind",
    "record_id",
    "culture",
    "span_index",
    "annotator",
    "given",
    "suggested",
    "score",
    "detail",
    "text",
)


@dataclass
class AuditReport:
    run_id: str = ""
    out_dir: str = ""
    html: str | None = None
    audited_records: int = 0
    families: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "out_dir": self.out_dir,
            "html": self.html,
            "audited_records": self.audited_records,
            "families": self.families,
        }


def family_names(taxonomy: Taxonomy) -> list[str]:
    """What `--family` accepts: each span family, `empathy` and `records`."""
    return [*taxonomy.families, EMPATHY, RECORDS]


def audit_workspace(
    store: Store,
    taxonomy: Taxonomy,
    families: list[str] | None = None,
    folds: int = 5,
    seed: int = 0,
    html: bool = True,
    features: str = DEFAULT_FEATURES,
) -> AuditReport:
    """Audit, store the flags under a new run and write the reports (see the module).
    `features`: one of `FEATURES` (what the label-issue ranking sees)."""
    from curate.audit.labelnoise import audited_records

    if features not in FEATURES:
        raise CurateError(f"unknown features {features!r}: choose from {', '.join(FEATURES)}")
    valid = family_names(taxonomy)
    unknown = [f for f in families or [] if f not in valid]
    if unknown:
        raise CurateError(f"unknown label family {unknown[0]!r}: choose from {', '.join(valid)}")
    names = list(dict.fromkeys(families)) if families else valid
    counts: dict[str, Any] = {}
    args = {"families": names, "folds": folds, "seed": seed, "features": features}
    with store.run(AUDIT_COMMAND, args, lambda: counts) as run:
        run_id = run.id
        out_dir = _clean_out_dir(store.root / "reports" / "audit")
        records = audited_records(store)
        report = AuditReport(run_id=run_id, out_dir=str(out_dir), audited_records=len(records))
        all_flags: list[AuditFlag] = []
        classes: dict[str, Sequence[str]] = {}
        for name in names:
            start = time.perf_counter()
            if name == RECORDS:
                flags, info = _audit_records(records)
            else:
                classes[name] = _classes(taxonomy, name)
                flags, info = _audit_family(store, taxonomy, records, name, folds, seed, features)
            if flags is not None:
                flags = rank_flags(flags)
                info.update(_write_tables(out_dir, name, flags))
                info["seconds"] = round(time.perf_counter() - start, 2)
                all_flags.extend(flags)
            report.families[name] = info
        save_flags(store, run_id, all_flags)
        if html:
            from curate.audit.html import render

            page = out_dir / "index.html"
            shown = {
                **report.to_dict(),
                "next_steps": next_steps(store, taxonomy, run_id, all_flags, report.families),
                "links": task_links(store),
            }
            page.write_text(render(shown, all_flags, classes), encoding="utf-8")
            report.html = str(page)
        (out_dir / "summary.json").write_text(
            json.dumps(report.to_dict(), indent=2, ensure_ascii=False), encoding="utf-8"
        )
        # the stored result: the summary (counts, labels, ids, paths; never a text)
        counts.update(report.to_dict())
    return report


LOW_QUALITY = 0.5  # CROWDLAB annotator quality below which the report says "talk to them"


def next_steps(
    store: Store,
    taxonomy: Taxonomy,
    run_id: str,
    flags: list[AuditFlag],
    families: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """What the report's "next steps" says: the review queue a send would make now
    (`curate.audit.queue.plan` at the default cap), the commands, the annotators whose
    CROWDLAB quality is low, and the review projects already on a server."""
    from curate.annotate import tables as ls_tables
    from curate.audit.queue import DEFAULT_TOP, plan

    attributes = {name: fam.attribute for name, fam in taxonomy.families.items()}
    queued = plan(store, flags, attributes, DEFAULT_TOP)
    total = len(queued.items)
    commands = [
        {
            "command": f"curate audit --to-label-studio --run {run_id} --top {DEFAULT_TOP}",
            "why": f"queue the {total} best-ranked item(s) in the review projects "
            f"(at most {DEFAULT_TOP} per culture and family; --top 0 for all)",
        },
        {"command": "curate annotate pull", "why": "bring the reviewers' decisions back"},
        {"command": "curate audit", "why": "audit again: decided records are not re-queued"},
        {"command": "curate export", "why": "release with the decisions (counted in the card)"},
    ]
    annotators = [
        {
            "annotator": who,
            "family": name,
            "quality": fig["quality"],
            "agreement": fig["agreement_with_consensus"],
            "labelled": fig["labelled"],
        }
        for name, info in families.items()
        for who, fig in ((info.get("crowdlab") or {}).get("annotators") or {}).items()
        if fig["quality"] < LOW_QUALITY
    ]
    urls = {}
    for key, pid in ls_tables.projects_with_urls(store, ls_tables.REVIEW).items():
        urls[key.removeprefix("review-")] = f"{pid[1].rstrip('/')}/projects/{pid[0]}/data"
    return {
        "queue": {
            "total": total,
            "top": DEFAULT_TOP,
            "per_culture": queued.per_culture(),
            **{k: v for k, v in sorted(queued.skipped.items())},
        },
        "commands": commands,
        "annotators": sorted(annotators, key=lambda a: a["quality"]),
        "review_projects": urls,
    }


def task_links(store: Store) -> dict[str, str]:
    """Record id -> its Label Studio task: the newest review task, else its annotation
    task (only for records pushed to a server)."""
    from curate.annotate import tables as ls_tables
    from curate.audit.review import task_url
    from curate.audit.store import review_rows

    projects = ls_tables.projects_with_urls(store, None)
    links = {}
    for rid, (key, task_id, _) in ls_tables.tasks(store).items():
        if key in projects:
            links[rid] = task_url(projects[key][1], projects[key][0], task_id)
    for row in review_rows(store):
        if row["project_key"] in projects:
            pid, url = projects[row["project_key"]]
            links[row["record_id"]] = task_url(url, pid, row["task_id"])
    return links


def _classes(taxonomy: Taxonomy, name: str) -> list[str]:
    if name == EMPATHY:
        return [str(v) for v in taxonomy.empathy]
    return list(taxonomy.family(name).values)


def _audit_family(
    store: Store,
    taxonomy: Taxonomy,
    records: list,
    name: str,
    folds: int,
    seed: int,
    features: str = DEFAULT_FEATURES,
) -> tuple[list[AuditFlag] | None, dict[str, Any]]:
    """All flags of one label family, and its summary entry (None: skipped)."""
    from curate.audit.crowd import crowd_flags, empathy_items, item_probs, span_items
    from curate.audit.datalab import family_flags, text_features
    from curate.audit.labelnoise import empathy_examples, out_of_fold_probs, span_examples
    from curate.audit.rank import join_signals, rank_label_issues

    classes = _classes(taxonomy, name)
    if name == EMPATHY:
        examples = empathy_examples(store, records)
    else:
        examples = span_examples(store, taxonomy, name, records)
    present = {e.label for e in examples}
    if len(examples) < MIN_EXAMPLES or len(present) < 2:
        return None, {
            "examples": len(examples),
            "skipped": f"needs {MIN_EXAMPLES}+ examples of 2+ labels",
        }
    texts = [e.text for e in examples]
    probs = out_of_fold_probs(
        texts,
        [e.label for e in examples],
        classes,
        folds,
        seed,
        groups=[e.record_id for e in examples],
    )
    extra = None
    if features == "wordllama":
        from curate.audit.embed import embedding_log_probs

        spans = {r.id: [s.text for s in r.spans if s.text] for r in records}
        extra = embedding_log_probs(examples, classes, spans, folds, seed)
    # ranked with the record and culture context, detail filled (curate.audit.rank)
    flags = [
        example_flag(name, "label_issue", examples[r.index], r.score, r.detail, r.suggested)
        for r in rank_label_issues(examples, classes, probs, folds, seed, extra)
    ]
    data_flags, data_counts = family_flags(name, examples, text_features(texts))
    if name == EMPATHY:
        items = empathy_items(examples)
    else:
        items = span_items(store, records, name, taxonomy.family(name).attribute)
    crowd = crowd_flags(name, items, item_probs(items, examples, probs), classes, examples)
    join_signals(flags, data_flags + crowd.flags)
    flags += data_flags + crowd.flags
    per_culture: dict[str, dict[str, int]] = defaultdict(dict)
    for (culture, kind), n in sorted(
        Counter((f.culture or "(none)", f.kind) for f in flags).items()
    ):
        per_culture[culture][kind] = n
    labels_per_culture: dict[str, Counter] = defaultdict(Counter)
    for e in examples:
        labels_per_culture[e.culture or "(none)"][e.label] += 1
    return flags, {
        "examples": len(examples),
        "features": features,
        "labels": dict(Counter(e.label for e in examples).most_common()),
        "labels_per_culture": {c: dict(v) for c, v in sorted(labels_per_culture.items())},
        "flags": {k: sum(f.kind == k for f in flags) for k in KINDS},
        "flags_per_culture": dict(per_culture),
        "near_duplicates_consistent": data_counts.get("near_duplicates_consistent", 0),
        "crowdlab": crowd.summary,
    }


def _audit_records(records: list) -> tuple[list[AuditFlag] | None, dict[str, Any]]:
    from curate.audit.datalab import MIN_ITEMS, duplicate_records, record_text

    with_text = sum(bool(record_text(r).strip()) for r in records)
    if with_text < MIN_ITEMS:
        return None, {"examples": with_text, "skipped": f"needs {MIN_ITEMS}+ records with a post"}
    flags = duplicate_records(records)
    per_culture = Counter(f.culture or "(none)" for f in flags)
    return flags, {
        "examples": with_text,
        "flags": {k: sum(f.kind == k for f in flags) for k in KINDS},
        "flags_per_culture": {c: {"near_duplicate": n} for c, n in sorted(per_culture.items())},
    }


def _clean_out_dir(out_dir: Path) -> Path:
    """The report folder, emptied of an earlier run's reports (only files the audit
    writes), so a family left out this time leaves no stale file behind."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for pattern in ("*.csv", "*.parquet", "summary.json", "index.html"):
        for path in out_dir.glob(pattern):
            path.unlink()
    return out_dir


def _write_tables(out_dir: Path, name: str, flags: list[AuditFlag]) -> dict[str, str]:
    """The family's flags, ranked, as CSV and Parquet (same columns)."""
    import pandas as pd

    frame = pd.DataFrame(
        [
            {
                "rank": f.rank,
                "kind": f.kind,
                "record_id": f.record_id,
                "culture": f.culture or "",
                "span_index": f.span_index,
                "annotator": f.annotator or "",
                "given": f.given or "",
                "suggested": f.suggested or "",
                "score": round(f.score, 4),
                "detail": json.dumps(f.detail, ensure_ascii=False, sort_keys=True),
                "text": f.text,
            }
            for f in flags
        ],
        columns=list(COLUMNS),
    )
    frame["span_index"] = frame["span_index"].astype("Int64")
    csv_path, parquet_path = out_dir / f"{name}.csv", out_dir / f"{name}.parquet"
    frame.to_csv(csv_path, index=False, encoding="utf-8")
    frame.to_parquet(parquet_path, index=False)
    return {"csv": str(csv_path), "parquet": str(parquet_path)}
