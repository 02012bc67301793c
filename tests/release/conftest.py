"""Fixtures of the release tests (builders are in `release_helpers`)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from release_helpers import CULTURES, put_deidentified, synthetic_record

from curate.records import Record


@pytest.fixture
def fill(store) -> Callable[..., list[Record]]:
    """fill(n, prefix="r"): n de-identified records per culture, each its own thread."""

    def _fill(n: int, prefix: str = "r") -> list[Record]:
        records = [
            synthetic_record(store, f"{prefix}{culture}{i}", culture)
            for culture in CULTURES
            for i in range(n)
        ]
        return put_deidentified(store, records)

    return _fill
