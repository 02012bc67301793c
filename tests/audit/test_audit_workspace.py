"""`audit_workspace` on one synthetic, de-identified workspace with planted problems:
flipped labels, a span in another script (outlier), the same words labelled two ways in
two records (near duplicate), two records with nearly the same post, markup in a text,
and raw names that only the vault holds. One audit run serves every test here."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import make_record

from curate.audit import store as audit_store
from curate.audit.run import audit_workspace
from curate.deid import tables as deid_tables
from curate.errors import CurateError
from curate.records import RawText, Span
from curate.schema import load_taxonomy
from curate.store import Store

CUES = {
    "light": ["a bit tired lately", "slightly annoyed today", "ein bisschen müde", "etwas genervt"],
    "moderate": ["really stressed and anxious", "quite sad most days", "ziemlich gestresst"],
    "high": ["completely hopeless and broken", "cannot go on anymore", "völlig verzweifelt"],
}
FILLER = ["honestly", "these days", "ehrlich gesagt", "irgendwie", "at home", "zuhause", "sadly"]
VOCAB = (
    "work family school money friends city weather train exam doctor sister brother "
    "neighbour garden holiday winter summer kitchen phone letter music football church "
    "market bakery office rent landlord teacher cousin wedding birthday coffee dinner "
    "bicycle library hospital internet computer village border passport language"
).split()
RAW_NAME = "Hans Müller"  # only ever in the vault
OUTLIER = "我每天晚上都睡不着觉感觉非常绝望"
PLANTED = "I feel <script>alert(1)</script> & hopeless about every single thing"


def _distress(text: str, span: str, label: str) -> Span:
    start = text.index(span)
    return Span("post", "emotional_distress", span, start, start + len(span), {"intensity": label})


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    """A workspace of 240 de-identified records (8 % of labels flipped) plus planted
    cases, audited once. Yields (store, report, planted ids, flipped ids)."""
    rng = np.random.default_rng(7)
    ws = tmp_path_factory.mktemp("audit") / "ws"
    store = Store.open(ws)
    labels = list(CUES)
    items, flipped, planted = [], set(), {}

    def add(sid, post, span, label, raw_post=None, culture="German"):
        rec = make_record(store, sid, culture=culture, content_hash=f"{len(items):064x}")
        rec.post_text = post
        rec.spans = [_distress(post, span, label)]
        items.append((rec, RawText(text=raw_post or post)))
        return rec.id

    for i in range(240):
        truth = labels[i % 3]
        span = f"{rng.choice(FILLER)} I feel {rng.choice(CUES[truth])}"
        given = truth
        if rng.random() < 0.08:
            given = str(rng.choice([x for x in labels if x != truth]))
        post = f"{span}. " + " ".join(rng.choice(VOCAB, 14, replace=False))
        rid = add(f"r{i}", post, span, given, culture=("German", "Jewish")[i % 2])
        if given != truth:
            flipped.add(rid)
    # raw names only in the vault: the record's (de-identified) text has a placeholder
    for i in range(3):
        span = "I feel completely hopeless and broken"
        post = f"<PERSON_1> left. {span}. " + " ".join(rng.choice(VOCAB, 14, replace=False))
        raw = post.replace("<PERSON_1>", RAW_NAME)
        add(f"named{i}", post, span, "high", raw_post=raw)
    planted["outlier"] = add("zh", f"{OUTLIER}。", OUTLIER, "high", culture="Jewish")
    twin = " ".join(VOCAB[5:25])
    planted["dup_a"] = add("dup_a", f"{PLANTED}. {twin}", PLANTED, "high")
    planted["dup_b"] = add("dup_b", f"{PLANTED.lower()}. {twin} too", PLANTED.lower(), "light")
    run = store.begin_run("test", {})
    store.put_batch(items, run)
    deid_tables.save_deid(store, [(rec, []) for rec, _ in items], "test")
    # a record still waiting for de-identification: its span phrase is raw text
    pending = make_record(store, "pending", content_hash="f" * 64)
    raw_phrase = f"{RAW_NAME} makes me feel completely hopeless"
    pending.spans = [
        Span("post", "emotional_distress", raw_phrase, 0, len(raw_phrase), {"intensity": "high"})
    ]
    store.put_batch([(pending, RawText(text=raw_phrase))], run)
    report = audit_workspace(store, load_taxonomy())
    yield store, report, planted, flipped
    store.close()


def _report_files(report) -> list[Path]:
    return sorted(Path(report.out_dir).iterdir())


def test_flags_are_stored_and_read_back(audited):
    store, report, _, _ = audited
    assert audit_store.latest_run(store) == report.run_id
    (status,) = [r["status"] for r in store.runs() if r["run_id"] == report.run_id]
    assert status == "completed"
    stored = audit_store.flags(store)
    assert stored == audit_store.flags(store, report.run_id)
    fam = report.families["emotional_distress"]
    for kind, n in fam["flags"].items():
        assert len(audit_store.flags(store, family="emotional_distress", kind=kind)) == n
    assert {f.kind for f in stored} >= {"label_issue", "outlier", "near_duplicate"}
    issues = audit_store.flags(store, family="emotional_distress", kind="label_issue")
    assert [f.rank for f in issues] == list(range(1, len(issues) + 1))
    assert [f.score for f in issues] == sorted(f.score for f in issues)
    # the table holds no text: no such column, and no flagged text in any stored row
    columns = {row[1] for row in store.conn.execute("PRAGMA table_info(audit_flags)")}
    assert "text" not in columns
    rows = [
        " ".join(map(str, row))
        for row in store.conn.execute("SELECT * FROM audit_flags WHERE run_id=?", (report.run_id,))
    ]
    texts = set(pd.read_csv(fam["csv"], keep_default_na=False)["text"])
    texts = {t for t in texts if len(t) >= 8}
    assert texts and not any(t in row for row in rows for t in texts)
    # the flipped labels are found, with their record's culture and span
    found = {f.record_id for f in issues}
    assert len(found & audited[3]) >= 0.7 * len(audited[3])
    assert all(f.span_index == 0 and f.detail["field"] == "post" for f in issues)


def test_datalab_finds_the_planted_outlier_and_near_duplicates(audited):
    store, report, planted, _ = audited
    flags = audit_store.flags(store, family="emotional_distress")
    outliers = [f for f in flags if f.kind == "outlier"]
    assert planted["outlier"] in {f.record_id for f in outliers}
    assert len(outliers) <= 0.05 * report.families["emotional_distress"]["examples"]
    dups = {f.record_id: f for f in flags if f.kind == "near_duplicate"}
    assert dups[planted["dup_a"]].detail["partner"] == planted["dup_b"]
    assert dups[planted["dup_a"]].detail["partner_label"] == "light"
    assert dups[planted["dup_b"]].detail["partner"] == planted["dup_a"]
    # phrases recurring across records with a consistent label are not flagged
    assert report.families["emotional_distress"]["near_duplicates_consistent"] > 0
    records = audit_store.flags(store, family=audit_store.RECORDS)
    pairs = {f.record_id: f.detail["partner"] for f in records}
    assert pairs == {planted["dup_a"]: planted["dup_b"], planted["dup_b"]: planted["dup_a"]}


def test_tables_are_ranked_csv_and_parquet(audited):
    store, report, _, _ = audited
    fam = report.families["emotional_distress"]
    csv = pd.read_csv(fam["csv"])
    parquet = pd.read_parquet(fam["parquet"])
    assert len(csv) == len(parquet) == sum(fam["flags"].values())
    assert list(parquet["record_id"]) == list(csv["record_id"])
    for _, rows in parquet.groupby("kind", sort=False):
        assert list(rows["rank"]) == list(range(1, len(rows) + 1))
        assert list(rows["score"]) == sorted(rows["score"])
    stored = audit_store.flags(store, family="emotional_distress")
    assert [(f.kind, f.rank, f.record_id) for f in stored] == list(
        zip(parquet["kind"], parquet["rank"], parquet["record_id"], strict=True)
    )
    summary = json.loads((Path(report.out_dir) / "summary.json").read_text())
    assert summary["run_id"] == report.run_id
    assert summary["families"]["emotional_support"]["skipped"]
    assert summary["families"]["emotional_distress"]["crowdlab"]["skipped"]
    # the run's stored result is the summary itself, which later stages read
    assert audit_store.latest_summary(store) == summary == report.to_dict()
    assert RAW_NAME not in json.dumps(summary, ensure_ascii=False)


def test_html_report_has_tables_and_charts_and_no_raw_text(audited):
    _, report, planted, _ = audited
    page = Path(report.html).read_text(encoding="utf-8")
    assert page.count("<svg") >= 2  # label distribution and flag rate
    for culture in ("German", "Jewish"):
        assert f"<h3>emotional_distress · {culture}</h3>" in page
    assert planted["outlier"] in page and planted["dup_a"] in page
    assert OUTLIER in page  # de-identified texts are shown...
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; hopeless" in page  # ...escaped
    assert "<script" not in page
    for external in ("src=", "<link", "@import", 'href="http', 'xlink:href="http'):
        assert external not in page  # self-contained: nothing fetched when opened
    assert "<h3>records · German</h3>" in page
    for path in _report_files(report):
        assert RAW_NAME.encode() not in path.read_bytes(), path.name
        assert "Müller".encode() not in path.read_bytes(), path.name


def test_a_new_run_keeps_the_old_flags_and_cleans_the_report_folder(audited):
    store, report, _, _ = audited
    old = audit_store.flags(store, report.run_id)
    again = audit_workspace(store, load_taxonomy(), families=["records"], html=False)
    assert audit_store.latest_run(store) == again.run_id != report.run_id
    assert {f.family for f in audit_store.flags(store)} == {"records"}
    assert audit_store.flags(store, report.run_id) == old
    names = {p.name for p in _report_files(again)}
    assert names == {"records.csv", "records.parquet", "summary.json"}
    with pytest.raises(CurateError, match="unknown label family 'joy'"):
        audit_workspace(store, load_taxonomy(), families=["joy"])
