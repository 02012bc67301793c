"""What the demo dump (`dump.py`) and the careless input files (`careless.py`) share: how
they compress, when their posts happen, and the dump's data (templates, English cues)."""

from __future__ import annotations

from curate.synthetic.data import load

ZSTD_LEVEL = 19
EPOCH_START = 1640995200  # 2022-01-01T00:00:00Z; posts fall within the following year
DUMP_DATA = load("dump")
# Sentence templates per language and part (title, open, cue, detail, pii, close; r_*
# for peer responses, reply, op); English cues per culture.
T: dict[str, dict[str, list[str]]] = DUMP_DATA["templates"]
CUES_EN: dict[str, list[str]] = DUMP_DATA["cues_en"]
