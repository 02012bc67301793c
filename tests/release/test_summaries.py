"""ReleaseInfo's typed figures: each is read once from the form its producer writes and
given back unchanged (`to_dict`), and a whole ReleaseInfo survives a JSON round trip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from curate.release.info import ReleaseInfo
from curate.release.summaries import (
    Agreement,
    AuditSummary,
    Changes,
    DeidEval,
    DeidSummary,
)
from tests.release.test_card import make_release

AGREEMENT = {  # as curate.annotate.agreement.agreement returns it
    "German": {
        "items": 3,
        "annotators": 2,
        "emotional_distress": {
            "pairs": 3,
            "spans": 10,
            "f1_exact": 0.5,
            "f1_overlap": 0.8,
            "alpha_intensity": 0.61,
            "matched_spans": 4,
        },
        "empathy": {"items": 3, "alpha_empathy": None},
    },
    "all": {
        "items": 3,
        "annotators": 2,
        "emotional_distress": {
            "pairs": 3,
            "spans": 10,
            "f1_exact": 0.5,
            "f1_overlap": 0.8,
            "alpha_intensity": 0.61,
            "matched_spans": 4,
        },
        "empathy": {"items": 3, "alpha_empathy": 0.2},
    },
}
AUDIT = {  # as curate.audit.run writes summary.json
    "run_id": "r7",
    "out_dir": "/ws/reports/audit",
    "html": "/ws/reports/audit/index.html",
    "audited_records": 120,
    "families": {
        "emotional_support": {
            "examples": 300,
            "labels": {"a": 200, "b": 100},
            "flags": {"label_issue": 12, "outlier": 3, "near_duplicate": 0},
            "flags_per_culture": {"German": {"label_issue": 5}, "Arabic": {"outlier": 3}},
            "crowdlab": {"items": 40},
            "csv": "/ws/reports/audit/emotional_support.csv",
            "seconds": 1.5,
        },
        "empathy": {"examples": 4, "skipped": "needs 10+ examples of 2+ labels"},
    },
}
EVAL = {  # eval_results.json, with what export adds
    "overall": {"precision": 0.95, "recall": 0.92, "f2": 0.93},
    "by_language": {"de": {"ALL": {"recall": 0.9, "precision": 0.97, "kept_spans_replaced": 1}}},
    "corpus": {"documents": 200, "seed": 13, "policy": "ab12"},
    "per_type": {"PERSON": {"recall": 0.8}},
    "same_policy": False,
}


def test_each_figure_gives_back_what_its_producer_wrote() -> None:
    assert Agreement.from_dict(AGREEMENT).to_dict() == AGREEMENT
    assert AuditSummary.from_dict(AUDIT).to_dict() == AUDIT
    deid = {
        "policy": "policy.yaml",
        "fingerprint": "ab12",
        "current_fingerprint": "cd34",
        "records_by_policy": {"ab12": 9, "ef56": 1},
        "eval": EVAL,
    }
    assert DeidSummary.from_dict(deid).to_dict() == deid
    entry = {
        "version": "1.1.0",
        "previous": "1.0.0",
        "date": "2026-01-02",
        "added": ["cc-1"],
        "removed": [],
        "relabelled": ["cc-2", "cc-3"],
    }
    changes = Changes.from_dict(entry)
    assert changes.to_dict() == entry and list(changes.to_dict()) == list(entry)
    assert changes.counts() == {**entry, "added": 1, "removed": 0, "relabelled": 2}


def test_typed_fields_read_what_the_card_needs() -> None:
    audit = AuditSummary.from_dict(AUDIT)
    support = audit.families["emotional_support"]
    assert support.flags == 15 and support.flags_by_kind["outlier"] == 3
    assert support.flags_per_culture == {"German": 5, "Arabic": 3}
    assert support.details["crowdlab"] == {"items": 40}  # the rest stays accessible
    skipped = audit.families["empathy"]
    assert skipped.flags is None and skipped.skipped.startswith("needs 10+")
    older = AuditSummary.from_dict({"families": {"x": {"examples": 8, "flags": 2}}})
    assert older.families["x"].flags == 2 and older.families["x"].flags_by_kind is None

    everyone = Agreement.from_dict(AGREEMENT).cultures["all"]
    assert everyone.families["emotional_distress"].alpha_of == "intensity"
    assert everyone.families["emotional_distress"].alpha == 0.61
    assert everyone.empathy.alpha == 0.2

    evaluation = DeidEval.from_dict(EVAL)
    assert evaluation.same_policy is False and evaluation.overall.f2 == 0.93
    assert [lang.language for lang in evaluation.languages] == ["de"]
    assert evaluation.languages[0].kept_replaced == 1
    assert evaluation.planted is None and evaluation.real is None
    assert evaluation.results["per_type"] == {"PERSON": {"recall": 0.8}}

    for empty in (None, {}):
        assert Agreement.from_dict(empty) is None
        assert AuditSummary.from_dict(empty) is None
        assert DeidSummary.from_dict(empty) is None
        assert Changes.from_dict(empty) is None


def test_release_info_round_trips_through_json(tmp_path: Path) -> None:
    info, _ = make_release(tmp_path, "text")
    assert isinstance(info.audit, AuditSummary)  # given as dicts: typed on construction
    assert isinstance(info.deid, DeidSummary) and isinstance(info.agreement, Agreement)
    assert isinstance(info.changes, Changes)
    stored = json.loads(json.dumps(info.to_dict()))
    again = ReleaseInfo.from_dict(stored, info.taxonomy)
    assert again == info
    assert again.to_dict() == stored


def test_a_figure_of_the_wrong_kind_is_refused(tmp_path: Path) -> None:
    info, _ = make_release(tmp_path, "reference")
    fields = {k: getattr(info, k) for k in info.__dataclass_fields__}
    with pytest.raises(TypeError, match=r"ReleaseInfo\.audit"):
        ReleaseInfo(**{**fields, "audit": ["not", "a", "summary"]})
