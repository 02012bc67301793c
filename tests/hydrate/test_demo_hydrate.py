"""`curate hydrate` end to end on the demo: a publisher annotates and de-identifies the
demo dump and exports a reference release (URLs + phrases, no texts); a user hydrates
it from the demo dump itself, then from a synthetic dump changed by construction
(deleted, missing and edited posts, re-spaced phrases, ...). Every text the dump holds
comes back, every phrase that is in it is aligned by the method the change calls for,
the rest is reported, the counts reconcile, and the result is de-identified."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from helpers import REPO, review_all, run_cli
from hydrate_helpers import (
    PII_SPAN_LABEL,
    pii_truth,
    published_items,
    publisher_workspace,
    synthetic_dump,
)

from curate.config import load_config
from curate.errors import CurateError
from curate.hydrate.run import hydrate
from curate.release.export import export
from curate.store import Store

DEMO_DUMP = REPO / "demo" / "reddit"
TAG = "<"  # every de-identification placeholder starts with it


@pytest.fixture(scope="module")
def published(tmp_path_factory, deid_engine):
    """(reference release folder, publisher's items by post id, pii source id)."""
    folder = tmp_path_factory.mktemp("publisher")
    config, store, pii_source = publisher_workspace(folder / "ws", deid_engine)
    try:
        release = export(store, config, mode="reference", engine=deid_engine).folder
        items = published_items(store)
    finally:
        store.close()
    return release, items, pii_source


def _hydrate(folder: Path, inputs: list[Path], deid_engine, **kwargs):
    config = load_config(None, folder)
    store = Store.open(config.workspace)
    report = hydrate(inputs, config, store, engine=deid_engine, workers=1, **kwargs)
    return config, store, report


def _items_file(report) -> dict[str, dict]:
    lines = Path(report.items_path).read_text(encoding="utf-8").splitlines()
    return {d["post_id"]: d for d in map(json.loads, lines)}


def _key(field, label, attributes, start, end, method):
    return (field, label, json.dumps(attributes), -1 if start is None else start,
            -1 if end is None else end, method)  # fmt: skip


def _hydrated_spans(store, record_id: str, item: dict) -> list[tuple]:
    """(field, label, attributes, start, end, method) of the hydrated spans on the raw
    text (the record as stored, before de-identification moved them)."""
    original, _ = store.vault.original(record_id)
    return sorted(
        _key(s.field, s.label, s.attributes, s.start, s.end, d["method"])
        for s, d in zip(original.spans, item["spans"], strict=True)
    )


def _expected_spans(pub, shift=lambda x: x, changes=None) -> list[tuple]:
    """The publisher's spans as hydration must give them back: exact at the same
    offsets, unless the release's phrase lost its text at de-identification (then
    unaligned) or holds a placeholder (then placeholder; a name at the start of the
    phrase is left out of the span). `changes`: span index -> (start, end, method)."""
    out = []
    for i, (span, released) in enumerate(zip(pub.spans, pub.released, strict=True)):
        start, end = span.start, span.end
        if span.field == "post":  # `shift`: a change of length in the post text
            start, end = shift(start), shift(end)
        if changes and i in changes:
            start, end, method = changes[i]
        elif not released.text:
            start = end = None
            method = "unaligned"
        elif TAG in released.text:
            method = "placeholder"
            if released.text.startswith(TAG):
                start = end - len(released.text.split(">", 1)[1].lstrip())
        else:
            method = "exact"
        out.append(_key(span.field, span.label, span.attributes, start, end, method))
    return sorted(out)


def _reference_phrases(release: Path) -> int:
    rows = [
        r
        for f in (release / "data" / "all").glob("*.parquet")
        for r in pq.read_table(f).to_pylist()
    ]
    families = ("emotional_distress", "cultural_signal", "emotional_support")
    return sum(len(r[f]) for r in rows for f in families)


def test_the_demo_release_hydrated_from_its_own_dump_is_restored(
    published, tmp_path, deid_engine
) -> None:
    """Done when: every text and span that the dump contains comes back."""
    release, items, pii_source = published
    _, store, report = _hydrate(tmp_path / "ws", [release, DEMO_DUMP], deid_engine)
    try:
        data = report.to_dict()
        assert data["reconciles"] and data["status"] == "completed"
        assert data["items"]["total"] == {
            "wanted": 54, "hydrated": 54, "edited": 0, "deleted": 0, "missing": 0,
        }  # fmt: skip
        spans = data["spans"]["total"]
        assert spans["spans"] == _reference_phrases(release) > 500
        assert spans["no_text"] == spans["fuzzy"] == spans["normalized"] == 0
        assert data["responses"]["total"]["matched"] == 54
        by_post = _items_file(report)
        assert set(by_post) == set(items)
        placeholders = 0
        for sid, pub in items.items():
            item = by_post[sid]
            assert item["status"] == "hydrated" and item["record_id"]
            _, raw = store.vault.original(item["record_id"])
            # the raw texts are those the publisher had, response included
            assert (raw.title, raw.text, raw.response) == (
                pub.raw.title, pub.raw.text, pub.raw.response,
            )  # fmt: skip
            assert _hydrated_spans(store, item["record_id"], item) == _expected_spans(pub)
            placeholders += sum(d["method"] == "placeholder" for d in item["spans"])
            assert store.get(item["record_id"]).source.response_id == pub.response_id
        assert placeholders >= 1  # the planted span around a name came back
        pii_item = by_post[pii_source]
        assert any(
            d["method"] == "placeholder" and d["label"] == PII_SPAN_LABEL for d in pii_item["spans"]
        )
    finally:
        store.close()


def test_hydrated_records_are_deidentified_like_the_publishers(
    published, tmp_path, deid_engine
) -> None:
    release, items, _ = published
    _, store, report = _hydrate(tmp_path / "ws", [release, DEMO_DUMP], deid_engine)
    try:
        records = {r.source.source_id: r for r in store.iter_records(deidentified=True)}
        assert len(records) == 54
        assert report.deid["records"] == 54
        checked = 0
        for truth in pii_truth():
            record = records.get(truth["source_id"])
            if truth["kind"] == "comment":
                record = next(
                    (r for r in records.values() if r.source.response_id == truth["source_id"]),
                    None,
                )
            if record is None:
                continue
            text = {"title": record.post_title, "selftext": record.post_text,
                    "body": record.response_text}[truth["field"]]  # fmt: skip
            assert truth["text"] not in (text or ""), f"{truth['type']} left"
            checked += 1
        assert checked >= 60
        for record in records.values():
            texts = {"post": record.post_text, "response": record.response_text}
            for span in record.spans:
                if span.start is not None:
                    assert texts[span.field][span.start : span.end] == span.text
        # Same raw text, same policy: the same de-identified texts as the publisher's.
        config_pub = load_config(None, release.parent.parent)
        with Store.open(config_pub.workspace, create=False) as pub_store:
            for sid, record in records.items():
                theirs = pub_store.get(items[sid].record_id)
                assert (record.post_title, record.post_text, record.response_text) == (
                    theirs.post_title, theirs.post_text, theirs.response_text,
                )  # fmt: skip
    finally:
        store.close()


def test_a_changed_dump_restores_what_it_holds_and_reports_the_rest(
    published, tmp_path, deid_engine
) -> None:
    release, items, _ = published
    syn = synthetic_dump(tmp_path / "dumps", items)
    _, store, report = _hydrate(tmp_path / "ws", [tmp_path / "dumps", release], deid_engine)
    try:
        data = report.to_dict()
        roles = syn.roles
        assert data["reconciles"]
        total = data["items"]["total"]
        assert total["wanted"] == 54
        assert total["deleted"] == 3 and total["missing"] == 2 and total["hydrated"] == 49
        # the edited posts (fuzzy, unaligned) and the edited response; not re-spacing
        assert total["edited"] == 4
        assert data["dumps"]["quarantined"] == 1
        entries = [json.loads(x) for x in Path(report.quarantine_path).read_text().splitlines()]
        assert [(Path(e["file"]).name, e["line"]) for e in entries] == [syn.malformed_line]
        assert "malformed JSON" in entries[0]["reason"]

        by_post = _items_file(report)
        for sid in roles["deleted"]:
            assert by_post[sid]["status"] == "deleted" and by_post[sid]["record_id"] is None
            assert {d["method"] for d in by_post[sid]["spans"]} == {"no_text"}
        for sid in roles["missing"]:
            assert by_post[sid]["status"] == "missing"
        stored = {r.source.source_id for r in store.iter_records()}
        assert stored == set(items) - set(roles["deleted"]) - set(roles["missing"])

        for sid, pub in items.items():
            item = by_post[sid]
            if item["status"] != "hydrated":
                continue
            _, raw = store.vault.original(item["record_id"])
            # every text the dump holds is restored: the current version of each post
            assert raw.text == syn.post[sid]
            assert raw.title == pub.raw.title
            expected_response = None if sid in roles["response_deleted"] else syn.response[sid]
            assert raw.response == expected_response
            changes, shift = {}, lambda x: x
            target = syn.target.get(sid)
            if target is not None:
                span = pub.spans[target]
                if sid in roles["fuzzy"] or sid in roles["response_fuzzy"]:
                    changes[target] = (span.start, span.end, "fuzzy")
                elif sid in roles["unaligned"]:
                    changes[target] = (None, None, "unaligned")
                elif sid in roles["whitespace"]:
                    at = syn.insert_at[sid]
                    shift = lambda x, at=at: None if x is None else x + (x >= at)  # noqa: E731
                    changes[target] = (span.start, span.end + 1, "normalized")
                elif sid in roles["case"]:
                    changes[target] = (span.start, span.end, "normalized")
            if sid in roles["response_deleted"]:
                for i, span in enumerate(pub.spans):
                    if span.field == "response":
                        changes[i] = (None, None, "no_text")
                assert item["response"] == "not_found"
            got = _hydrated_spans(store, item["record_id"], item)
            assert got == _expected_spans(pub, shift, changes), sid
        fuzzy = [d["score"] for d in by_post.values() for d in d["spans"] if d["method"] == "fuzzy"]
        assert len(fuzzy) == 3 and all(0.85 <= s < 1 for s in fuzzy)

        # nothing of the texts in the report files: counts, methods and scores only
        blob = Path(report.report_path).read_text() + Path(report.items_path).read_text()
        for sid in items:
            if syn.post[sid] and len(syn.post[sid]) > 40:
                assert syn.post[sid][:40] not in blob
        for pub in items.values():
            for span in pub.spans:
                if span.start is not None and span.end - span.start > 12:
                    assert pub.raw.text is None or pub.raw.text[span.start : span.end] not in blob
    finally:
        store.close()


def test_the_hydrated_workspace_exports_a_text_release(published, tmp_path, deid_engine) -> None:
    release, _, _ = published
    config, store, _ = _hydrate(tmp_path / "ws", [release, DEMO_DUMP], deid_engine)
    try:
        review_all(store, config, deid_engine)  # names inside the hydrated cultural spans
        result = export(store, config, mode="text", engine=deid_engine)
    finally:
        store.close()
    rows = [
        r
        for f in (result.folder / "data" / "all").glob("*.parquet")
        for r in pq.read_table(f).to_pylist()
    ]
    assert len(rows) == 54
    aligned = 0
    for row in rows:
        assert row["post"]["text"] and row["url"] is None
        for family in ("emotional_distress", "cultural_signal", "emotional_support"):
            for span in row[family]:
                if span["start"] is not None:
                    text = row[span["field"]]["text"]
                    assert text[span["start"] : span["end"]] == span["text"]
                    aligned += 1
    assert aligned >= 600


def test_rerun_changes_nothing(published, tmp_path, deid_engine) -> None:
    release, _, _ = published
    _, store, first = _hydrate(tmp_path / "ws", [release, DEMO_DUMP], deid_engine)
    store.close()
    _, store, again = _hydrate(tmp_path / "ws", [release, DEMO_DUMP], deid_engine)
    try:
        assert again.to_dict()["stored"]["total"]["unchanged"] == 54
        assert again.deid["records"] == 0
        assert store.count() == 54
    finally:
        store.close()
    assert first.to_dict()["stored"]["total"]["new"] == 54


def test_cli_hydrate_json_and_user_errors(published, tmp_path) -> None:
    release, _, _ = published
    ws = tmp_path / "ws"
    proc = run_cli("hydrate", str(release), str(DEMO_DUMP), "-w", str(ws), "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["reconciles"] and data["items"]["total"]["hydrated"] == 54
    assert Path(data["report"]).parent == ws / "reports" / "hydrate"
    stats = json.loads(run_cli("-w", str(ws), "stats", "--json", check=True).stdout)
    assert stats["records"] == 54 and stats["deid_status"] == {"done": 54}

    for args, message in [
        ((str(DEMO_DUMP),), "no reference release"),
        ((str(release),), "no Reddit dump"),
        ((str(release), str(DEMO_DUMP), "--fuzzy-threshold", "1.5"), "fuzzy-threshold"),
        ((str(release), str(REPO / "demo" / "pii_truth.jsonl")), "neither a reference"),
        ((str(tmp_path / "nowhere"), str(DEMO_DUMP)), "no such file"),
    ]:
        proc = run_cli("hydrate", *args, "-w", str(tmp_path / "err"), "--no-progress")
        assert proc.returncode == 2, (args, proc.stderr)
        assert message in proc.stderr and "Traceback" not in proc.stderr


def test_a_text_release_is_refused(tmp_path) -> None:
    from curate.hydrate.run import classify

    folder = tmp_path / "culturecare-1.0.0"
    (folder / "data" / "all").mkdir(parents=True)
    (folder / "MANIFEST.json").write_text(json.dumps({"mode": "text", "files": {}}))
    with pytest.raises(CurateError, match="text-mode release"):
        classify([folder, DEMO_DUMP])
