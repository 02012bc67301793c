"""`curate --help` start-up time against a bare Python start, side by side.

Why a benchmark and not a test: wall time depends on the machine's load, so a timed test
fails on a busy CI runner while nothing regressed. The test suite checks what keeps help
fast (no heavy library imported, tests/test_cli.py); this measures how fast it is.

    .venv/bin/python bench/cli_help.py            # best of 5 runs per command
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _measure import measure, print_rows

COMMANDS = [[], ["ingest"], ["deid", "scan"], ["export"], ["publish"], ["audit"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    py = sys.executable
    baseline = min(measure([py, "-c", "pass"])[0] for _ in range(args.runs))
    rows = []
    for sub in COMMANDS:
        cmd = [py, "-m", "curate.cli", *sub, "--help"]
        best = min(measure(cmd)[0] for _ in range(args.runs))
        rows.append(
            {
                "command": "curate " + " ".join([*sub, "--help"]),
                "seconds": round(best, 3),
                "python_start_s": round(baseline, 3),
                "ratio": round(best / baseline, 1),
                "target_s": 0.5,
                "ok": best < 0.5,
            }
        )
    print_rows(rows)


if __name__ == "__main__":
    main()
