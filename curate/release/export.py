"""`curate export`: the workspace -> a versioned release folder in the Hub dataset layout
(or the paper-compatible CultureCare JSONL files).

Order matters and is the point of this module:
1. refuse a version that exists (in the store or on disk) before doing any work;
2. run the validation gate (a failure stops everything unless named and explained);
3. read only what may leave the workspace (`iter_records(deidentified=True)`: texts
   de-identified, no duplicates; never the vault);
4. write everything into a hidden staging folder, the manifest last;
5. record the release (its items, label hashes and new split assignments) and move the
   staging folder into place in one transaction. A failed or interrupted export leaves
   neither a half-written release folder nor a stored split or release row.

Each export is an "export" run in the run log (`Store.run`): completed with its version,
mode, format, rows per config and split, gate outcome and change counts; failed (a
refusal, the gate, an error) otherwise. The card's audit summary and de-identification
evaluation are the stored results of those stages' runs, read through their modules.
"""

from __future__ import annotations

import json
import shutil
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from curate.audit.store import latest_summary
from curate.config import Config
from curate.errors import CurateError
from curate.formats import hub_parquet
from curate.records import Record
from curate.release import changelog, completeness, splits, tables
from curate.release.changelog import CHANGELOG
from curate.release.facts import load_facts
from curate.release.info import (
    DEFAULT_CONFIG,
    MODES,
    SPLITS,
    ReleaseInfo,
    check_hub_name,
    parse_version,
)
from curate.release.manifest import MANIFEST
from curate.release.row import build_features, encode, label_hash
from curate.release.summaries import Agreement, Changes, DeidSummary
from curate.schema import Taxonomy
from curate.store import Store
from curate.validate.gate import GateResult

EXPORT_COMMAND = "export"
FORMATS = ("hub", "culturecare-jsonl")
MAX_SHARD_BYTES = 500 * 1024 * 1024  # Arrow bytes per Parquet shard before splitting
MISSING = "(missing)"


@dataclass
class ExportResult:
    folder: Path
    version: str
    mode: str
    fmt: str
    sizes: dict[str, Any]  # hub: config -> split -> rows; jsonl: culture -> lines
    validation: dict[str, Any]
    changes: Changes | None = None  # hub format only
    seconds: float = 0.0
    info: ReleaseInfo | None = None
    # facts the card lacks (curate.release.completeness.check), as dicts; hub format only
    card_missing: list[dict[str, Any]] = field(default_factory=list)
    validation_report: Path | None = None  # the gate's HTML report

    def to_dict(self) -> dict[str, Any]:
        return {
            "folder": str(self.folder),
            "validation_report": str(self.validation_report) if self.validation_report else None,
            "version": self.version,
            "mode": self.mode,
            "format": self.fmt,
            "sizes": self.sizes,
            "validation": self.validation,
            "changes": self.changes.counts() if self.changes else {},
            "seconds": round(self.seconds, 2),
            "card_missing": self.card_missing,
        }

    def run_counts(self) -> dict[str, Any]:
        """The counts of the export's run: `to_dict` with the gate's failures as counts
        per expectation (no record ids) and without the reason (the run's args hold it)."""
        out = self.to_dict()
        validation = out.pop("validation")
        out["validation"] = {
            "evaluated": validation.get("evaluated"),
            "failed": {f["name"]: f.get("count") for f in validation.get("failures") or []},
            "allowed": validation.get("allowed") or [],
        }
        return out


# -- versions ---------------------------------------------------------------------------
def released_versions(store: Store) -> list[str]:
    """Versions recorded in the store, oldest first (by number, not by date)."""
    return sorted(
        tables.versions(store), key=lambda v: parse_version(v, "a version in the store's releases")
    )


def next_version(store: Store) -> str:
    """The next minor version after the last release; 1.0.0 for the first."""
    versions = released_versions(store)
    if not versions:
        return "1.0.0"
    major, minor, _ = parse_version(versions[-1])
    return f"{major}.{minor + 1}.0"


def default_folder(store: Store, name: str, version: str, fmt: str) -> Path:
    suffix = "" if fmt == "hub" else f"-{fmt}"
    return store.root / "releases" / f"{name}-{version}{suffix}"


def _refuse_existing(store: Store, folder: Path, version: str, fmt: str) -> None:
    if fmt == "hub":
        path = tables.release_path(store, version)
        if path:
            raise CurateError(
                f"version {version} was already released (at {path}); a version is never "
                "overwritten: choose another --version"
            )
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise CurateError(f"{folder} already exists and is not empty: it is never overwritten")
    _refuse_inside_release(store, folder)


def _refuse_inside_release(store: Store, folder: Path) -> None:
    """A release folder is sealed by its manifest: another release (or its staging
    folder) written into one would add files its manifest does not list, and it could no
    longer be published. Any folder holding a manifest counts, and every folder the store
    recorded a release at (even if its manifest is gone)."""
    recorded = {Path(p).resolve() for p in tables.release_paths(store)}
    for parent in (folder, *folder.parents):
        if parent in recorded or (parent / MANIFEST).is_file():
            where = "is" if parent == folder else f"is inside {parent}, which is"
            raise CurateError(
                f"the release folder {folder} {where} the folder of an existing release: "
                "a release is never changed; give --out a folder outside every release"
            )


# -- the export -------------------------------------------------------------------------
def export(
    store: Store,
    config: Config,
    out_dir: Path | None = None,
    version: str | None = None,
    mode: str = "reference",
    allow: list[str] | None = None,
    reason: str | None = None,
    org: str | None = None,
    name: str | None = None,
    fmt: str = "hub",
    engine: Any = None,
    max_shard_bytes: int = MAX_SHARD_BYTES,
) -> ExportResult:
    """Build release `version` of the workspace in `out_dir` (default:
    `<workspace>/releases/<name>-<version>`), as an "export" run of the run log.
    `engine`: a de-identification engine for the gate's residual-PII scan (built from the
    config when not given)."""
    args = {
        "version": version, "mode": mode, "format": fmt, "out": out_dir, "allow": allow,
        "reason": reason, "org": org, "name": name,
    }  # fmt: skip
    counts: dict[str, Any] = {}
    with store.run(EXPORT_COMMAND, args, lambda: counts) as run:
        result = _export(
            store, config, out_dir, version, mode, allow, reason, org, name, fmt, engine,
            max_shard_bytes, run.id,
        )  # fmt: skip
        counts.update(result.run_counts())
    return result


def _export(
    store: Store,
    config: Config,
    out_dir: Path | None,
    version: str | None,
    mode: str,
    allow: list[str] | None,
    reason: str | None,
    org: str | None,
    name: str | None,
    fmt: str,
    engine: Any,
    max_shard_bytes: int,
    run_id: str | None = None,
) -> ExportResult:
    from curate.validate.gate import check_allowance, run_gate

    started = time.perf_counter()
    if mode not in MODES:
        raise CurateError(f"--mode must be one of {', '.join(MODES)}, not {mode!r}")
    if fmt not in FORMATS:
        raise CurateError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if fmt == "culturecare-jsonl" and mode != "reference":
        raise CurateError(
            "the culturecare-jsonl layout is a reference format (post.text holds the URL); "
            "use --mode reference"
        )
    check_allowance(list(allow or []), reason)
    section = config.section("release")
    # the name is a folder name too: a Hub name can never climb out of releases/
    what = "--name" if name else "[release] name"
    name = check_hub_name(name or section.get("name") or "culturecare", what)
    if org is not None:
        check_hub_name(org, "--org")
    if version is None:
        # a paper-compatible export is the companion of the last release by default
        released = released_versions(store)
        version = released[-1] if fmt != "hub" and released else next_version(store)
    parse_version(version)
    policy = splits.split_policy(section)  # a bad [release] config fails before the gate
    folder = (out_dir or default_folder(store, name, version, fmt)).resolve()
    _refuse_existing(store, folder, version, fmt)

    taxonomy = config.taxonomy()
    # the card's facts (hub format only: the paper's layout has no card), and the card's
    # own gate: a text release must declare its ethics review and consent
    facts = load_facts(config) if fmt == "hub" else {}
    card_gate = (
        completeness.gate_failure(completeness.check(facts, mode, ()), mode)
        if fmt == "hub"
        else None
    )
    gate = run_gate(
        store,
        taxonomy,
        config,
        allow=allow,
        reason=reason,
        engine=engine,
        extra_failures=[card_gate] if card_gate else None,
        run_name=run_id,
        reports_dir=store.root / "reports",
    )
    records = list(store.iter_records(deidentified=True))
    if not records:
        raise CurateError("nothing to release: no de-identified record in the workspace")

    staging = folder.parent / f".{folder.name}.partial"
    if staging.exists():
        shutil.rmtree(staging)  # left by an interrupted export of this same folder
    staging.mkdir(parents=True)
    try:
        if fmt == "culturecare-jsonl":
            result = _export_jsonl(records, taxonomy, staging, name, version, gate.to_dict())
            _move_into_place(staging, folder)
        else:
            result = _export_hub(
                store,
                config,
                records,
                policy,
                staging,
                folder,
                name=name,
                version=version,
                mode=mode,
                org=org,
                gate=gate,
                max_shard_bytes=max_shard_bytes,
                facts=facts,
            )
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    result.folder = folder
    result.validation_report = gate.html
    result.seconds = time.perf_counter() - started
    return result


def _export_jsonl(
    records: list[Record],
    taxonomy: Taxonomy,
    staging: Path,
    name: str,
    version: str,
    validation: dict[str, Any],
) -> ExportResult:
    from curate.formats.culturecare_jsonl import write_culturecare_jsonl
    from curate.release.manifest import write_manifest

    counts = write_culturecare_jsonl(records, taxonomy, staging)
    write_manifest(staging, name, version, "reference")
    return ExportResult(staging, version, "reference", "culturecare-jsonl", counts, validation)


def _export_hub(
    store: Store,
    config: Config,
    records: list[Record],
    policy: splits.SplitPolicy,
    staging: Path,
    folder: Path,
    *,
    name: str,
    version: str,
    mode: str,
    org: str | None,
    gate: GateResult,
    max_shard_bytes: int,
    facts: dict[str, Any],
) -> ExportResult:
    from curate.release.card import write_card
    from curate.release.croissant import write_croissant
    from curate.release.manifest import write_manifest

    taxonomy = config.taxonomy()
    assignment = splits.assign(store, records, policy, version)
    features = build_features(taxonomy)
    salt = store.id_salt
    by_config: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(
        lambda: {s: [] for s in SPLITS}
    )
    for record in sorted(records, key=lambda r: r.id):
        row = encode(record, taxonomy, mode, salt)
        split = assignment.split[record.id]
        by_config[DEFAULT_CONFIG][split].append(row)
        if row["culture"] is not None:
            by_config[record.culture][split].append(row)
    order = [DEFAULT_CONFIG, *(c for c in taxonomy.cultures if c in by_config)]
    configs, split_bytes = hub_parquet.write_configs(
        {c: by_config[c] for c in order}, features, staging, max_shard_bytes
    )
    created = datetime.now(UTC)
    items = {r.id: (assignment.split[r.id], label_hash(r)) for r in records}
    changes = _changes(store, version, items, created)
    info = ReleaseInfo(
        name=name,
        version=version,
        mode=mode,
        created=created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        taxonomy=taxonomy,
        features=features,
        configs=configs,
        split_sizes={c: {s: len(by_config[c][s]) for s in SPLITS} for c in order},
        label_counts={c: _label_counts(by_config[c], taxonomy) for c in order},
        languages=sorted({r.language for r in records if r.language and r.language != "und"}),
        org=org,
        agreement=_agreement(store, taxonomy),
        deid=_deid_summary(store, config),
        audit=latest_summary(store),
        validation=gate,
        changes=changes,
        split_bytes=split_bytes,
        split_policy=policy,
        adjudicated=_adjudicated(store, records),
        facts=facts,
    )
    validation = gate.to_dict()
    entry = {
        **changes.to_dict(),
        "mode": mode,
        "validation": validation,
        "sizes": info.split_sizes,
        "adjudicated": info.adjudicated,
    }
    previous = tables.release_notes(store)
    (staging / CHANGELOG).write_text(changelog.render(name, [entry, *previous]), encoding="utf-8")
    write_card(staging, info)
    write_croissant(staging, info)
    manifest = write_manifest(staging, name, version, mode, created=info.created)
    with store.transaction() as conn:
        tables.record_release(
            conn,
            (
                version,
                mode,
                created.timestamp(),
                str(folder),
                manifest.read_text(encoding="utf-8"),
                json.dumps(entry, ensure_ascii=False),
            ),
            [(version, rid, split, lh) for rid, (split, lh) in sorted(items.items())],
        )
        splits.save(conn, assignment)
        # inside the transaction: a failed move rolls the release rows back
        _move_into_place(staging, folder)
    sizes = info.split_sizes
    cultures = [c for c in order if c != DEFAULT_CONFIG]
    missing = [p.to_dict() for p in completeness.check(facts, mode, cultures)]
    return ExportResult(
        staging, version, mode, "hub", sizes, validation, changes, info=info, card_missing=missing
    )


def _move_into_place(staging: Path, folder: Path) -> None:
    if folder.exists():
        folder.rmdir()  # an empty folder (anything else was refused up front)
    staging.rename(folder)


def _label_counts(
    split_rows: dict[str, list[dict[str, Any]]], taxonomy: Taxonomy
) -> dict[str, dict[str, dict[str, int]]]:
    """split -> family (and "empathy") -> label -> count, for the splits that have rows;
    every label of the taxonomy appears (zeros too), a missing value as "(missing)"."""
    out: dict[str, dict[str, dict[str, int]]] = {}
    for split in SPLITS:
        rows = split_rows[split]
        if not rows:
            continue  # a split with no rows is not in the release
        per: dict[str, dict[str, int]] = {}
        for family in taxonomy.families.values():
            counter = Counter(s[family.attribute] for row in rows for s in row[family.name])
            per[family.name] = _ordered(counter, family.values)
        empathy = Counter(row["empathy"] for row in rows)
        per["empathy"] = _ordered(
            Counter({str(k) if k is not None else None: v for k, v in empathy.items()}),
            tuple(str(v) for v in taxonomy.empathy),
        )
        out[split] = per
    return out


def _ordered(counter: Counter, labels: tuple[str, ...]) -> dict[str, int]:
    out = {label: counter.get(label, 0) for label in labels}
    if counter.get(None):
        out[MISSING] = counter[None]
    return out


def _changes(
    store: Store, version: str, items: dict[str, tuple[str, str]], created: datetime
) -> Changes:
    """Added, removed and relabelled record ids since the previous version (the highest
    released version below this one)."""
    below = [v for v in released_versions(store) if parse_version(v) < parse_version(version)]
    previous = below[-1] if below else None
    before: dict[str, str] = {}
    if previous is not None:
        before = tables.label_hashes(store, previous)
    return Changes(
        version=version,
        previous=previous,
        date=created.strftime("%Y-%m-%d"),
        added=tuple(sorted(set(items) - set(before))),
        removed=tuple(sorted(set(before) - set(items))),
        relabelled=tuple(
            sorted(rid for rid, (_, lh) in items.items() if rid in before and before[rid] != lh)
        ),
    )


def _adjudicated(store: Store, records: list) -> dict[str, int]:
    """Released items with a reviewer's decision, in all and per culture (none: {})."""
    from curate.annotate.tables import adjudicated_records

    decided = adjudicated_records(store)
    if not decided:
        return {}
    per = Counter(r.culture for r in records if r.id in decided)
    return {"all": sum(per.values()), **{c: n for c, n in sorted(per.items()) if c}}


def _agreement(store: Store, taxonomy: Taxonomy) -> Agreement | None:
    """Inter-annotator agreement, when some record has more than one annotator."""
    from curate.annotate.tables import multi_annotated

    if not multi_annotated(store):
        return None
    from curate.annotate.agreement import agreement

    return Agreement.from_dict(agreement(store, taxonomy))


def _deid_summary(store: Store, config: Config) -> DeidSummary | None:
    """Which de-identification policy the released texts went through, and the results
    of the workspace's newest completed `curate deid eval` when there are any (with
    whether they were measured under that same policy)."""
    from curate.deid.evaluate import latest_result
    from curate.deid.policy import load_policy

    current = load_policy(config)
    policies = store.deid_policies()
    fingerprint = max(policies, key=policies.get) if policies else None
    evaluation = latest_result(store)
    summary: dict[str, Any] = {
        "policy": current.path.name,
        "fingerprint": fingerprint,
        "current_fingerprint": current.fingerprint,
        "records_by_policy": policies,
        "eval": None,
    }
    if evaluation is not None:
        corpus = evaluation.get("corpus") or {}
        summary["eval"] = {**evaluation, "same_policy": corpus.get("policy") == fingerprint}
    return DeidSummary.from_dict(summary)
