"""Property: whatever JSON value is in whatever field of a Reddit submission or comment
line (or whatever bytes a line holds), the run completes, every line is counted once
(counts reconcile), each rejected line is in the quarantine with its file, line and
reason, and the good lines of the same file are kept.

Most examples run `ingest()` in this process (fast); a few go through the real CLI."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from helpers import comment, run_cli, submission
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curate.config import load_config
from curate.ingest import ingest
from curate.quarantine import read_quarantine
from curate.store import Store

GOOD = [
    submission("g1", selftext="Ich bin so einsam in Berlin, meine Familie ist weit weg."),
    comment("cg1", "g1", "Du bist nicht allein, schreib mir gerne jederzeit."),
    submission("g2", title="Heimweh", selftext="Ich bin einsam und vermisse meine Familie."),
]
POST = submission("r1", selftext="Ich bin einsam.")
REPLY = comment("rc1", "g1", "Du bist nicht allein, ich verstehe dich gut.")

# Text with lone surrogates too (json.dumps writes them as "\udxxx" escapes, as dumps do).
_chars = st.characters() | st.characters(categories=["Cs"])
_text = st.text(_chars, max_size=12)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | _text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=6,
)


def _mutated(base: dict) -> st.SearchStrategy[bytes]:
    """`base` with random values in some of its fields, some fields dropped and some
    added, as one JSON line."""
    fields = sorted(base)
    return st.builds(
        lambda new, dropped, extra: json.dumps(
            {**{k: v for k, v in base.items() if k not in dropped}, **new, **extra}
        ).encode(),
        st.dictionaries(st.sampled_from(fields), json_values, min_size=1),
        st.sets(st.sampled_from(fields), max_size=2),
        st.dictionaries(_text, json_values, max_size=2),
    )


_bytes_line = st.binary(max_size=120).map(lambda b: b.replace(b"\n", b" "))
hostile_lines = st.lists(
    st.one_of(_mutated(POST), _mutated(REPLY), _bytes_line), min_size=1, max_size=5
)


def _write(folder: Path, hostile: list[bytes]) -> tuple[Path, list[bytes]]:
    good = [json.dumps(g).encode() for g in GOOD]
    lines = [good[0], good[1], *hostile, good[2]]
    path = folder / "RS_prop.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path, lines


def _check(report: dict, ws: Path, path: Path, lines: list[bytes]) -> None:
    """The three things, from the run's report, its quarantine and its store."""
    entries = read_quarantine(Path(report["quarantine"])) if report["quarantine"] else []
    with Store.open(ws, create=False) as store:
        stored = {r.source.source_id for r in store.iter_records()}
    units = sum(1 for line in lines if line.strip())
    assert report["status"] == "completed"
    assert report["reconciles"] is True
    assert report["file_problems"] == {}
    comments = report["comments"]
    assert report["total"]["read"] + comments.get("read", 0) == units
    assert comments.get("read", 0) == sum(
        comments.get(k, 0) for k in ("candidates", "skipped", "quarantined")
    )
    assert {"g1", "g2"} <= stored
    assert len(entries) == report["total"]["quarantined"] + comments.get("quarantined", 0)
    for entry in entries:
        assert entry["file"] == str(path)
        assert 1 <= entry["line"] <= len(lines)
        assert lines[entry["line"] - 1].strip()
        assert isinstance(entry["reason"], str) and entry["reason"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile=hostile_lines)
def test_random_values_in_every_field_lose_only_their_line(hostile):
    with tempfile.TemporaryDirectory() as tmp:
        path, lines = _write(Path(tmp), hostile)
        ws = Path(tmp) / "ws"
        with Store.open(ws) as store:
            report = ingest([path], load_config(None, ws), store)
        _check(report.to_dict(), ws, path, lines)


@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile=hostile_lines)
def test_random_values_through_the_cli(hostile):
    with tempfile.TemporaryDirectory() as tmp:
        path, lines = _write(Path(tmp), hostile)
        ws = Path(tmp) / "ws"
        proc = run_cli("-w", str(ws), "ingest", str(path), "--json", "--no-progress", "--no-deid")
        assert "Traceback" not in proc.stderr
        assert proc.returncode == 0, proc.stderr
        _check(json.loads(proc.stdout), ws, path, lines)
