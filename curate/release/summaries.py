"""The figures a release carries besides its rows, typed: inter-annotator agreement, the
de-identification policy and its measured quality, the label-noise audit, and this
version's changes.

Why typed here: the card, croissant.json, the changelog and `curate export`'s output all
read these figures. Before, each re-parsed the same untyped dicts with its own
`.get(...) or {}` chains; now each figure is parsed once, where it enters the release
(`from_dict`), and the readers use fields.

Each class takes the stored form its producer writes (`from_dict`: the agreement stage's
dict, `curate deid eval`'s `eval_results.json`, `curate audit`'s `summary.json`, the
changelog entry) and gives it back (`to_dict`), so nothing the producer wrote is lost:
what the card does not read stays in `details` / `results`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


# -- inter-annotator agreement (curate.annotate.agreement) -----------------------------
@dataclass(frozen=True)
class SpanAgreement:
    """One span family's agreement over annotator pairs: span F1 and Krippendorff's
    alpha of the family's attribute (`alpha_of`) over overlap-matched spans."""

    pairs: int | None
    spans: int | None
    f1_exact: float | None
    f1_overlap: float | None
    alpha_of: str  # the attribute the alpha is of ("intensity", ...); "" when none given
    alpha: float | None
    matched_spans: int | None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SpanAgreement:
        key = next((k for k in data if k.startswith("alpha_")), None)
        return cls(
            pairs=data.get("pairs"),
            spans=data.get("spans"),
            f1_exact=data.get("f1_exact"),
            f1_overlap=data.get("f1_overlap"),
            alpha_of=key[len("alpha_") :] if key else "",
            alpha=data.get(key) if key else None,
            matched_spans=data.get("matched_spans"),
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "pairs": self.pairs,
            "spans": self.spans,
            "f1_exact": self.f1_exact,
            "f1_overlap": self.f1_overlap,
        }
        if self.alpha_of:
            out[f"alpha_{self.alpha_of}"] = self.alpha
        out["matched_spans"] = self.matched_spans
        return out


@dataclass(frozen=True)
class EmpathyAgreement:
    items: int | None
    alpha: float | None  # ordinal Krippendorff's alpha of the score over items

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EmpathyAgreement:
        return cls(items=data.get("items"), alpha=data.get("alpha_empathy"))

    def to_dict(self) -> dict[str, Any]:
        return {"items": self.items, "alpha_empathy": self.alpha}


@dataclass(frozen=True)
class CultureAgreement:
    """Agreement over one culture's multiply annotated items (or every culture's: "all")."""

    items: int | None
    annotators: int | None
    families: dict[str, SpanAgreement]  # span family name -> figures
    empathy: EmpathyAgreement | None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CultureAgreement:
        families = {
            name: SpanAgreement.from_dict(fig)
            for name, fig in data.items()
            if name not in ("items", "annotators", "empathy") and isinstance(fig, Mapping)
        }
        empathy = data.get("empathy")
        return cls(
            items=data.get("items"),
            annotators=data.get("annotators"),
            families=families,
            empathy=EmpathyAgreement.from_dict(empathy) if isinstance(empathy, Mapping) else None,
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"items": self.items, "annotators": self.annotators}
        out.update({name: fig.to_dict() for name, fig in self.families.items()})
        if self.empathy is not None:
            out["empathy"] = self.empathy.to_dict()
        return out


@dataclass(frozen=True)
class Agreement:
    """`curate annotate agreement` output: culture (and "all") -> figures."""

    cultures: dict[str, CultureAgreement]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Agreement | None:
        if not data:
            return None
        return cls(
            {c: CultureAgreement.from_dict(r) for c, r in data.items() if isinstance(r, Mapping)}
        )

    def to_dict(self) -> dict[str, Any]:
        return {culture: result.to_dict() for culture, result in self.cultures.items()}


# -- de-identification (curate.deid: the policy, `curate deid eval`) -------------------
@dataclass(frozen=True)
class Scores:
    precision: float | None = None
    recall: float | None = None
    f2: float | None = None


@dataclass(frozen=True)
class LanguageScores:
    """One language of the synthetic evaluation (its "ALL" and "PERSON" rows)."""

    language: str
    recall: float | None
    precision: float | None
    person_recall: float | None
    kept_replaced: int | None  # kept cultural spans that were replaced anyway


@dataclass(frozen=True)
class PlantedLanguage:
    language: str
    person: float | None  # person-name recall
    direct: float | None  # recall of the other direct identifiers
    carriers: int | None  # real phrases identifiers were planted into


@dataclass(frozen=True)
class PlantedScores:
    """`curate deid eval --planted`: identifiers planted into real released phrases."""

    carriers: int | None
    unchanged: float | None  # share of carrier phrases left unchanged around them
    languages: tuple[PlantedLanguage, ...]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlantedScores | None:
        by_language = _mapping(data.get("by_language"))
        if not by_language:
            return None
        return cls(
            carriers=_mapping(data.get("corpus")).get("carriers"),
            unchanged=_mapping(data.get("overall")).get("carrier_unchanged_rate"),
            languages=tuple(
                PlantedLanguage(
                    language=lang,
                    person=_mapping(row.get("PERSON")).get("recall"),
                    direct=_mapping(row.get("DIRECT")).get("recall"),
                    carriers=row.get("carriers"),
                )
                for lang, row in sorted(by_language.items())
            ),
        )


@dataclass(frozen=True)
class RealTextScores:
    """`curate deid eval --real`: hand-labelled phrases of real text (counts and rates)."""

    file: str | None
    phrases: int | None = None
    replaced: int | None = None
    replaced_right: int | None = None
    precision: float | None = None
    private: int | None = None
    private_removed: int | None = None
    recall: float | None = None
    public: int | None = None
    public_kept: int | None = None
    public_kept_rate: float | None = None
    plain_phrases: int | None = None
    plain_changed: int | None = None
    plain_changed_rate: float | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RealTextScores | None:
        overall = _mapping(data.get("overall"))
        if not overall:
            return None
        known = {k: v for k, v in overall.items() if k in cls.__dataclass_fields__}
        return cls(file=_mapping(data.get("corpus")).get("file"), **known)


@dataclass(frozen=True)
class DeidEval:
    """The latest `curate deid eval` results; `results` is the whole file as written."""

    overall: Scores | None  # None: the file gives no overall figures
    corpus: dict[str, Any]  # the synthetic corpus: documents, seed, policy, ...
    languages: tuple[LanguageScores, ...]
    same_policy: bool  # measured under the policy the released texts went through
    planted: PlantedScores | None
    real: RealTextScores | None
    results: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], same_policy: bool | None = None) -> DeidEval:
        """`data`: eval_results.json; `same_policy` as measured by export (else the
        file's own "same_policy", else True)."""
        overall = _mapping(data.get("overall"))
        languages = []
        for lang, table in sorted(_mapping(data.get("by_language")).items()):
            total = _mapping(table.get("ALL"))
            person = _mapping(table.get("PERSON"))
            languages.append(
                LanguageScores(
                    language=lang,
                    recall=total.get("recall"),
                    precision=total.get("precision"),
                    person_recall=person.get("recall"),
                    kept_replaced=total.get("kept_spans_replaced"),
                )
            )
        results = {k: v for k, v in data.items() if k != "same_policy"}
        if same_policy is None:
            same_policy = data.get("same_policy", True)
        return cls(
            overall=Scores(overall.get("precision"), overall.get("recall"), overall.get("f2"))
            if overall
            else None,
            corpus=dict(_mapping(data.get("corpus"))),
            languages=tuple(languages),
            same_policy=bool(same_policy),
            planted=PlantedScores.from_dict(_mapping(data.get("planted"))),
            real=RealTextScores.from_dict(_mapping(data.get("real"))),
            results=results,
        )

    def to_dict(self) -> dict[str, Any]:
        return {**self.results, "same_policy": self.same_policy}


@dataclass(frozen=True)
class DeidSummary:
    """Which policy the released texts went through, and how well it was measured to do."""

    policy: str | None  # the policy file's name
    fingerprint: str | None  # the policy most released records went through
    current_fingerprint: str | None = None  # the workspace's policy at export
    records_by_policy: dict[str, int] = field(default_factory=dict)  # fingerprint -> records
    eval: DeidEval | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> DeidSummary | None:
        if not data:
            return None
        evaluation = data.get("eval")
        return cls(
            policy=data.get("policy"),
            fingerprint=data.get("fingerprint"),
            current_fingerprint=data.get("current_fingerprint"),
            records_by_policy=dict(_mapping(data.get("records_by_policy"))),
            eval=DeidEval.from_dict(evaluation)
            if isinstance(evaluation, Mapping) and evaluation
            else None,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "fingerprint": self.fingerprint,
            "current_fingerprint": self.current_fingerprint,
            "records_by_policy": dict(self.records_by_policy),
            "eval": self.eval.to_dict() if self.eval is not None else None,
        }

    @property
    def other_policies(self) -> dict[str, int]:
        """Fingerprint -> records, of the policies other than the main one."""
        return {fp: n for fp, n in sorted(self.records_by_policy.items()) if fp != self.fingerprint}


# -- the label-noise audit (curate.audit.run: summary.json) ----------------------------
def _total(value: Any) -> int | None:
    """A count, or the sum of a {kind: count} breakdown."""
    if isinstance(value, Mapping):
        return sum(_total(v) or 0 for v in value.values())
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class AuditFamily:
    """One audited family (or "records"): how many examples, how many flagged (by kind and
    per culture), or why it was skipped. `details`: the whole entry as `curate audit`
    wrote it (labels, CROWDLAB figures, table paths, seconds)."""

    examples: int | None
    flags: int | None  # flags in all (None: the summary gives none, e.g. skipped)
    flags_by_kind: dict[str, int] | None  # kind -> flags, when the summary breaks them down
    flags_per_culture: dict[str, int]  # culture -> flags in all
    skipped: str | None  # why the family was not audited
    details: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AuditFamily:
        flags = data.get("flags")
        return cls(
            examples=data.get("examples"),
            flags=_total(flags) if "flags" in data else None,
            flags_by_kind=dict(flags) if isinstance(flags, Mapping) else None,
            flags_per_culture={
                c: _total(n) for c, n in _mapping(data.get("flags_per_culture")).items()
            },
            skipped=data.get("skipped"),
            details=dict(data),
        )

    def to_dict(self) -> dict[str, Any]:
        return dict(self.details)


@dataclass(frozen=True)
class AuditSummary:
    """`curate audit`'s summary: its run's counts (`audit.store.latest_summary`), also
    written to reports/audit/summary.json."""

    run_id: str | None
    families: dict[str, AuditFamily]  # family (or "records") -> figures, in audit order
    audited_records: int | None = None
    out_dir: str | None = None  # the curator's workspace: never shown to readers
    html: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> AuditSummary | None:
        if not data:
            return None
        return cls(
            run_id=data.get("run_id"),
            families={
                name: AuditFamily.from_dict(fig)
                for name, fig in _mapping(data.get("families")).items()
                if isinstance(fig, Mapping)
            },
            audited_records=data.get("audited_records"),
            out_dir=data.get("out_dir"),
            html=data.get("html"),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "out_dir": self.out_dir,
            "html": self.html,
            "audited_records": self.audited_records,
            "families": {name: fig.to_dict() for name, fig in self.families.items()},
        }


# -- this version's changes (the changelog entry) --------------------------------------
@dataclass(frozen=True)
class Changes:
    """Record ids added, removed and relabelled since `previous` (None: first release)."""

    version: str
    previous: str | None
    date: str | None
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    relabelled: tuple[str, ...] = ()
    notes: str | None = None  # a curator's note on the version, when there is one

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Changes | None:
        if not data:
            return None
        return cls(
            version=data["version"],
            previous=data.get("previous"),
            date=data.get("date"),
            added=tuple(data.get("added") or ()),
            removed=tuple(data.get("removed") or ()),
            relabelled=tuple(data.get("relabelled") or ()),
            notes=data.get("notes"),
        )

    def to_dict(self) -> dict[str, Any]:
        """The changelog entry's fields (as stored with the release), in that order."""
        out: dict[str, Any] = {
            "version": self.version,
            "previous": self.previous,
            "date": self.date,
            "added": list(self.added),
            "removed": list(self.removed),
            "relabelled": list(self.relabelled),
        }
        if self.notes is not None:
            out["notes"] = self.notes
        return out

    def counts(self) -> dict[str, Any]:
        """As `curate export --json` prints them: the id lists counted."""
        return {k: len(v) if isinstance(v, list) else v for k, v in self.to_dict().items()}
