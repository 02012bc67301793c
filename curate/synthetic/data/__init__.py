"""The template prose of the synthetic generators, as YAML, read once per process."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

_DIR = Path(__file__).resolve().parent


@cache
def load(name: str) -> Any:
    """The parsed `<name>.yaml` of this folder. Cached: generators read it on every call
    and must see the same objects; callers must not mutate what they get."""
    with (_DIR / f"{name}.yaml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)
