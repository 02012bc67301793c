"""The release gate: validation must pass before `curate export` builds anything.

Why a separate module: the override rules live in one place. A failing expectation may be
let through only by naming it (`--allow-failures NAME`) with a written reason, which goes
into the release notes; the residual-PII expectation can never be let through.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from curate.errors import CurateError
from curate.schema import Taxonomy

# The expectation that no raw personal data is left: no override may ever let it through.
RESIDUAL_PII = "no_residual_pii"
NEVER_ALLOWED = frozenset({RESIDUAL_PII})


class GateError(CurateError):
    """The release is refused: names the failing expectations."""

    def __init__(
        self, message: str, failures: list[dict[str, Any]], html: Path | None = None
    ) -> None:
        super().__init__(message)
        self.failures = failures
        self.html = html  # the validation report, when the gate wrote one


@dataclass
class GateResult:
    evaluated: int
    failures: list[dict[str, Any]] = field(default_factory=list)  # every failure, allowed too
    allowed: list[str] = field(default_factory=list)
    reason: str | None = None
    docs_index: Path | None = None
    html: Path | None = None  # the validation report (a local path: never in to_dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "evaluated": self.evaluated,
            "failures": self.failures,
            "allowed": self.allowed,
            "reason": self.reason,
        }


def check_allowance(allow: list[str], reason: str | None) -> None:
    """Refuse a malformed override before any work is done."""
    if allow and not (reason and reason.strip()):
        raise CurateError("--allow-failures needs --reason (it goes into the release notes)")
    barred = sorted(NEVER_ALLOWED.intersection(allow))
    if barred:
        raise CurateError(
            f"{', '.join(barred)} can never be allowed: a release must not contain personal data"
        )


def run_gate(
    store: Any,
    taxonomy: Taxonomy,
    config: Any,
    allow: list[str] | None = None,
    reason: str | None = None,
    docs_dir: Path | None = None,
    engine: Any = None,
    extra_failures: list[dict[str, Any]] | None = None,
    run_name: str | None = None,
    reports_dir: Path | None = None,
) -> GateResult:
    """Validate the workspace's release candidates; raise GateError unless every failing
    expectation is explicitly allowed. `config` (curate.config.Config) is what the
    residual-PII scan needs. `extra_failures`: failures of checks outside the suites
    (the card's ethics and consent facts), allowed or refused by the same rules.
    `run_name`: the export's run id; `reports_dir`: where the validation report is
    written (`curate.validate.html.write_report`, the allowed failures marked), also
    when the release is refused; its path is in the refusal."""
    from curate.validate.runner import validate

    allow = list(allow or [])
    check_allowance(allow, reason)
    report = validate(
        store,
        taxonomy,
        docs_dir=docs_dir,
        config=config,
        release=True,
        engine=engine,
        run_name=run_name,
    )
    for extra in extra_failures or []:  # shown in the report like an expectation
        report.evaluated += 1
        report.results.append(
            {
                "name": extra["name"],
                "suite": extra.get("suite", "card"),
                "table": "facts",
                "expectation": extra.get("expectation", extra["name"]),
                "kwargs": {"missing": extra.get("column")},
                "success": False,
                "rows": None,
                "count": extra.get("count"),
                "observed": f"{extra.get('count')} fact(s) not provided",
                "todo": extra.get("todo"),
            }
        )
    if reports_dir is not None:
        from curate.validate.html import write_report

        report.html = write_report(
            report, reports_dir, "curate export (release gate)", allow, reason
        )
    see = f"; report: {report.html}" if report.html else ""
    failures = [*report.failures, *(extra_failures or [])]
    names = {f["name"] for f in failures}
    unknown = sorted(set(allow) - names)
    if unknown:
        raise CurateError(
            f"--allow-failures names expectations that did not fail: {', '.join(unknown)}"
        )
    blocking = [f for f in failures if f["name"] not in allow]
    if blocking:
        listing = ", ".join(_failure_text(f) for f in blocking)
        raise GateError(
            f"validation failed, release refused: {listing}{see}", blocking, report.html
        )
    return GateResult(
        evaluated=report.evaluated,
        failures=failures,
        allowed=sorted(names.intersection(allow)),
        reason=reason if allow else None,
        docs_index=report.docs_index,
        html=report.html,
    )


def _failure_text(failure: dict[str, Any]) -> str:
    """'name (rows)', and for the review of uncertain decisions how many, by reason."""
    text = f"{failure['name']} ({failure['count']})"
    if failure.get("suite") == "card":
        text += (
            f" [not provided in the facts file ([release] facts): {failure.get('column')}; "
            "a text release needs them, see docs/card.md]"
        )
    reasons = failure.get("by_reason")
    if reasons:
        parts = "; ".join(f"{reason}: {n}" for reason, n in reasons.items())
        text += f" [{failure.get('decisions', sum(reasons.values()))} uncertain decision(s) "
        text += f"not reviewed, `curate deid review`: {parts}]"
    return text
