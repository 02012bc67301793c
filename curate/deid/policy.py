"""The de-identification policy (curate/deid/policy.yaml or the project's own copy)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from curate.config import Config
from curate.errors import CurateError

DEFAULT_POLICY = Path(__file__).parent / "policy.yaml"
OPERATORS = ("pseudonym", "tag", "redact", "surrogate", "generalize", "keep")


@dataclass(frozen=True)
class Policy:
    data: dict[str, Any]
    path: Path
    # the curator's allowlist (workspace file `curate deid review` adds to), if any
    curator_allowlist: Path | None = None

    @property
    def allowlist_files(self) -> tuple[Path, ...]:
        """Built-in allowlist, the policy's own files, then the curator's (data, not
        code: docs/deid.md)."""
        from curate.deid.allowlist import BUILTIN

        section = self.data.get("allowlist", {}) or {}
        files = [] if section.get("builtin") is False else [BUILTIN]
        files += [(self.path.parent / f).resolve() for f in section.get("files", ())]
        if self.curator_allowlist is not None:
            files.append(self.curator_allowlist)
        return tuple(files)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.data["nlp"]["models"])

    @property
    def fallback_language(self) -> str:
        return self.data["nlp"].get("fallback_language", "en")

    def language_for(self, language: str | None) -> str:
        """The pipeline language to use for text detected as `language`."""
        return language if language in self.languages else self.fallback_language

    def operator(self, entity_type: str) -> str:
        ops = self.data["operators"]
        return ops.get(entity_type, ops.get("default", "pseudonym"))

    def threshold(self, entity_type: str, language: str) -> float:
        table = self.data.get("thresholds", {})
        default = float(table.get("default", 0.0))
        spec = table.get(entity_type)
        if isinstance(spec, dict):
            return float(spec.get(language, spec.get("default", default)))
        return float(spec) if spec is not None else default

    @property
    def direct_identifiers(self) -> tuple[str, ...]:
        return tuple(self.data.get("direct_identifiers", []))

    @property
    def registry_path(self) -> Path:
        return (self.path.parent / self.data["registry"]).resolve()

    @property
    def fingerprint(self) -> str:
        """Changes when the policy, its registry file or an allowlist file changes, or
        the set of free-text places the record schema marks (`x-free-text`): records
        de-identified under another fingerprint are re-done by `curate deid`, so a newly
        marked field is de-identified in a workspace made before it was marked."""
        from curate.schema import free_text_paths

        scope = [[list(p.parts), p.vocabulary] for p in free_text_paths()]
        lists = [p.read_text("utf-8") if p.is_file() else "" for p in self.allowlist_files]
        blob = (
            json.dumps(self.data, sort_keys=True)
            + self.registry_path.read_text("utf-8")
            + json.dumps(scope)
            + json.dumps(lists)
        )
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def load_policy(config: Config | None = None, path: Path | None = None) -> Policy:
    if path is None and config is not None:
        configured = config.section("deid").get("policy")
        if configured:
            path = Path(configured)
            path = path if path.is_absolute() else config.root / path
    path = path or DEFAULT_POLICY
    if not path.is_file():
        raise CurateError(f"de-identification policy not found: {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CurateError(f"{path}: invalid YAML: {exc}") from None
    for key in ("nlp", "operators", "registry"):
        if key not in (data or {}):
            raise CurateError(f"{path}: missing section {key!r}")
    bad = {k: v for k, v in data["operators"].items() if v not in OPERATORS}
    if bad:
        raise CurateError(f"{path}: unknown operator(s) {bad}; use one of {OPERATORS}")
    curator = None
    if config is not None:
        configured = config.section("deid").get("allowlist")
        curator = Path(configured) if configured else config.workspace / "deid" / "allowlist.yaml"
        curator = curator if curator.is_absolute() else config.root / curator
    policy = Policy(data=data, path=path.resolve(), curator_allowlist=curator)
    if not policy.registry_path.is_file():
        raise CurateError(f"{path}: registry file not found: {policy.registry_path}")
    return policy
