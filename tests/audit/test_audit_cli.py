"""`curate audit` as a user runs it: ranked CSV per family, JSON summary, skipped
families, and user errors as exit 2 with a message (no traceback)."""

from __future__ import annotations

import csv
import json
import random

from helpers import make_record, run_cli

from curate.deid import tables as deid_tables
from curate.records import RawText, Span
from curate.store import Store

WORDS = {
    "light": ["a bit", "slightly", "somewhat", "ein bisschen"],
    "high": ["extremely", "unbearably", "completely", "total", "völlig"],
}


def test_audit_cli_writes_ranked_flags(tmp_path):
    rng = random.Random(1)
    ws = tmp_path / "ws"
    with Store.open(ws) as store:
        items, flipped = [], set()
        for i in range(600):
            label = "light" if i % 2 else "high"
            text = f"I feel {rng.choice(WORDS[label])} sad about work {i}"
            given = label
            if rng.random() < 0.1:  # 10 % flipped, both ways
                given = "high" if label == "light" else "light"
                flipped.add(f"r{i}")
            rec = make_record(
                store,
                f"r{i}",
                content_hash=f"{i:064x}",
                spans=[
                    Span("post", "emotional_distress", text, 0, len(text), {"intensity": given})
                ],
            )
            rec.post_text = text
            items.append((rec, RawText(text=text)))
        store.put_batch(items, store.begin_run("test", {}))
        deid_tables.save_deid(store, [(rec, []) for rec, _ in items], "test")
        ids = {rec.id: rec.source.source_id for rec, _ in items}
    out = run_cli("-w", str(ws), "audit", "--json", "--no-html")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    summary = report["families"]
    distress = summary["emotional_distress"]
    assert distress["examples"] == 600
    assert distress["flags"]["label_issue"] >= 0.5 * len(flipped)
    assert "skipped" in summary["cultural_signal"] and "skipped" in summary["empathy"]
    assert report["html"] is None and not (ws / "reports" / "audit" / "index.html").exists()
    with open(distress["csv"], encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["kind"] == "label_issue"]
    found = {ids[r["record_id"]] for r in rows}
    assert len(found & flipped) >= 0.8 * len(flipped)  # recall of the flipped labels
    assert len(found & flipped) >= 0.8 * len(found)  # and few false alarms
    assert [int(r["rank"]) for r in rows] == list(range(1, len(rows) + 1))


def test_audit_cli_user_errors(tmp_path):
    ws = tmp_path / "ws"
    Store.open(ws).close()
    for args, message in [
        (["--family", "joy"], "unknown label family 'joy'"),
        (["--run", "latest"], "--run only goes with --to-label-studio"),
    ]:
        out = run_cli("-w", str(ws), "audit", *args)
        assert out.returncode == 2, out.stderr
        assert message in out.stderr and "Traceback" not in out.stderr
