"""Project configuration: `curate/defaults.toml` overlaid with the project's curate.toml."""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from curate.errors import CurateError

CONFIG_NAME = "curate.toml"


class ConfigError(CurateError):
    """A user error in curate.toml: reported without a stack trace."""


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


@dataclass(frozen=True)
class Config:
    data: dict[str, Any]
    root: Path  # folder that relative paths are resolved against
    source: Path | None  # the curate.toml read, if any

    def section(self, name: str) -> dict[str, Any]:
        return self.data.get(name, {})

    @property
    def workspace(self) -> Path:
        path = Path(self.data["workspace"]["path"])
        return path if path.is_absolute() else (self.root / path)

    @property
    def extra_cultures(self) -> tuple[str, ...]:
        return tuple(self.data.get("taxonomy", {}).get("extra_cultures", []))

    def taxonomy(self):  # -> curate.schema.Taxonomy
        from curate.schema import load_taxonomy

        return load_taxonomy(self.extra_cultures)


def load_config(path: Path | None = None, workspace: Path | None = None) -> Config:
    """Read defaults, then `path` (or ./curate.toml when present)."""
    defaults = tomllib.loads((Path(__file__).parent / "defaults.toml").read_text("utf-8"))
    candidate = path or (Path.cwd() / CONFIG_NAME)
    data, source = defaults, None
    if path is not None and not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    if candidate.is_file():
        try:
            data = _merge(defaults, tomllib.loads(candidate.read_text("utf-8")))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{candidate}: invalid TOML: {exc}") from None
        source = candidate.resolve()
    root = source.parent if source else Path.cwd()
    if workspace is not None:
        data = _merge(data, {"workspace": {"path": str(workspace.resolve())}})
    return Config(data=data, root=root, source=source)
