"""`curate export` on a synthetic workspace: the Hub layout loads with `datasets`, each
mode carries exactly what it may, versions are never overwritten, splits never move,
the changelog names what changed, and the validation gate decides."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml
from helpers import run_cli
from release_helpers import CULTURES, POST, RESPONSE, SOURCE_MARK, TEXT_MARK, synthetic_record

from curate.deid import tables as deid_tables
from curate.errors import CurateError
from curate.release.export import export
from curate.release.info import SPLITS
from curate.release.manifest import verify_manifest
from curate.validate.gate import GateError


def _load(folder: Path, config: str, cache: Path):
    import datasets

    return datasets.load_dataset(str(folder), config, cache_dir=str(cache))


def _all_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def _card(folder: Path) -> dict:
    text = (folder / "README.md").read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n")[1])


def test_text_release_loads_per_culture_with_typed_features(
    store, config, fill, deid_engine, tmp_path: Path
) -> None:
    records = fill(10)
    result = export(store, config, mode="text", engine=deid_engine)
    folder = result.folder
    assert folder == store.root / "releases" / "culturecare-1.0.0"
    assert result.info is not None and result.info.mode == "text"

    # the Hub layout, one shard per split, declared in the card's YAML
    names = sorted(p.relative_to(folder).as_posix() for p in (folder / "data").rglob("*"))
    expected = sorted(
        [f"data/{c}" for c in ("all", *CULTURES)]
        + [f"data/{c}/{s}-00000-of-00001.parquet" for c in ("all", *CULTURES) for s in SPLITS]
    )
    assert names == expected
    card = _card(folder)
    assert [c["config_name"] for c in card["configs"]] == ["all", *CULTURES]
    assert card["curate"]["mode"] == "text"
    for name in ("CHANGELOG.md", "croissant.json", "MANIFEST.json"):
        assert (folder / name).is_file()
    manifest = verify_manifest(folder)
    assert "data/German/test-00000-of-00001.parquet" in manifest["files"]

    # the typed features travel inside the Parquet files themselves
    schema = pq.read_schema(folder / "data/all/train-00000-of-00001.parquet")
    features = json.loads(schema.metadata[b"huggingface"])["info"]["features"]
    assert features["culture"]["_type"] == "ClassLabel"
    assert features["emotional_distress"]["_type"] == "List"
    assert features["emotional_distress"]["feature"]["intensity"]["_type"] == "ClassLabel"

    cache = tmp_path / "hf-cache"
    per_culture = {}
    for culture in CULTURES:
        ds = _load(folder, culture, cache)
        per_culture[culture] = {s: ds[s].num_rows for s in SPLITS}
        assert per_culture[culture] == {"train": 8, "validation": 1, "test": 1}
        culture_feature = ds["train"].features["culture"]
        assert {culture_feature.int2str(c) for s in SPLITS for c in ds[s]["culture"]} == {culture}
    everything = _load(folder, "all", cache)
    assert {s: everything[s].num_rows for s in SPLITS} == {"train": 32, "validation": 4, "test": 4}
    assert result.sizes["all"] == {"train": 32, "validation": 4, "test": 4}

    # rows as the records are, labels as names through the ClassLabels
    row = everything["train"][0]
    by_id = {r.id: r for r in records}
    assert row["id"] in by_id
    assert row["post"] == {"title": "Lonely", "text": POST}
    assert row["response"] == {"text": RESPONSE}
    spans = everything["train"].features["emotional_distress"].feature
    span = row["emotional_distress"][0]
    assert spans["intensity"].int2str(span["intensity"]) == "moderate"
    assert POST[span["start"] : span["end"]] == span["text"]
    assert row["empathy"] == 4 and row["demographics"]["age"] == 30

    # a text release has the texts and never a source id, URL or annotator account
    blob = _all_bytes(folder)
    assert TEXT_MARK.encode() in blob
    assert SOURCE_MARK.encode() not in blob
    assert b"reddit.com/comments" not in blob
    assert b"example.org" not in blob


def test_reference_release_has_urls_and_no_texts(
    store, config, fill, deid_engine, tmp_path: Path
) -> None:
    fill(5)
    result = export(store, config, mode="reference", version="2.0.0", engine=deid_engine)
    blob = _all_bytes(result.folder)
    assert TEXT_MARK.encode() not in blob  # outside every span: only texts have it
    assert POST.encode() not in blob and b"That sounds hard" not in blob
    ds = _load(result.folder, "all", tmp_path / "hf-cache")
    # five items a culture: 4 train, 1 test, and a split with no rows is left out (a
    # declared split without data would make load_dataset fail)
    assert {s: ds[s].num_rows for s in ds} == {"train": 16, "test": 4}
    assert "validation" not in result.info.configs["German"]
    rows = [r for split in ds.values() for r in split]
    assert all(r["url"].startswith(f"https://www.reddit.com/comments/{SOURCE_MARK}-") for r in rows)
    assert all(r["post"]["text"] is None and r["response"]["text"] is None for r in rows)
    phrases = {s["text"] for r in rows for s in r["cultural_signal"]}
    assert phrases == {"mother"}  # the annotated phrases are the content of a reference release
    assert all(s["start"] is None for r in rows for s in r["emotional_distress"])
    assert _card(result.folder)["curate"]["mode"] == "reference"
    assert "reference" in (result.folder / "CHANGELOG.md").read_text(encoding="utf-8")


def test_versions_keep_splits_and_the_changelog_names_changes(
    store, config, fill, deid_engine
) -> None:
    first = fill(10)
    v1 = export(store, config, engine=deid_engine)
    assert v1.version == "1.0.0"
    splits_v1 = dict(
        store.conn.execute(
            "SELECT record_id, split FROM release_items WHERE version='1.0.0'"
        ).fetchall()
    )
    assert len(splits_v1) == 40

    # relabel one, withdraw one (held for review), add ten, and change the seed
    relabelled, removed = first[0], first[1]
    relabelled.spans[0].attributes = {"intensity": "high"}
    deid_tables.save_deid(store, [(relabelled, [])], "test-policy")
    deid_tables.save_deid(store, [(removed, [])], "test-policy", status="review")
    added = fill(3, prefix="late")
    config.data["release"]["seed"] = 12345

    v2 = export(store, config, engine=deid_engine)
    assert v2.version == "1.1.0"  # the next minor by default
    assert v2.changes.previous == "1.0.0"
    assert list(v2.changes.added) == sorted(r.id for r in added)
    assert v2.changes.removed == (removed.id,)
    assert v2.changes.relabelled == (relabelled.id,)
    splits_v2 = dict(
        store.conn.execute(
            "SELECT record_id, split FROM release_items WHERE version='1.1.0'"
        ).fetchall()
    )
    assert all(splits_v2[rid] == split for rid, split in splits_v1.items() if rid != removed.id)

    changelog = (v2.folder / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.index("## 1.1.0") < changelog.index("## 1.0.0")  # newest first
    assert "Since 1.0.0: 12 added, 1 removed, 1 relabelled." in changelog
    assert removed.id in changelog and relabelled.id in changelog
    assert "First release: 40 added" in changelog
    rows = store.conn.execute("SELECT version, mode FROM releases ORDER BY version").fetchall()
    assert rows == [("1.0.0", "reference"), ("1.1.0", "reference")]


def test_a_version_is_never_overwritten(store, config, fill, deid_engine, tmp_path) -> None:
    fill(2)
    export(store, config, version="1.0.0", engine=deid_engine)
    with pytest.raises(CurateError, match="already released"):
        export(store, config, version="1.0.0", out_dir=tmp_path / "elsewhere")
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "notes.txt").write_text("mine")
    with pytest.raises(CurateError, match="not empty"):
        export(store, config, version="1.0.1", out_dir=taken)
    assert (taken / "notes.txt").read_text() == "mine"
    with pytest.raises(CurateError, match=r"major\.minor\.patch"):
        export(store, config, version="v2")
    versions = [v for (v,) in store.conn.execute("SELECT version FROM releases")]
    assert versions == ["1.0.0"]


def test_gate_refuses_a_defect_unless_allowed_with_a_reason(
    store, config, deid_engine, tmp_path
) -> None:
    from release_helpers import put_deidentified

    records = [synthetic_record(store, f"g{i}", "German") for i in range(4)]
    records[2].empathy = None  # an annotated response without its score
    put_deidentified(store, records)
    name = "empathy.present_when_response_annotated"
    with pytest.raises(GateError, match=name):
        export(store, config, engine=deid_engine)
    assert not (store.root / "releases").exists()
    assert store.conn.execute("SELECT COUNT(*) FROM splits").fetchone()[0] == 0
    with pytest.raises(CurateError, match="needs --reason"):
        export(store, config, allow=[name], engine=deid_engine)

    reason = "score lost in the source; the annotators were asked"
    result = export(store, config, allow=[name], reason=reason, engine=deid_engine)
    assert result.validation["allowed"] == [name]
    assert reason in (result.folder / "CHANGELOG.md").read_text(encoding="utf-8")
    assert reason in (result.folder / "README.md").read_text(encoding="utf-8")
    notes = json.loads(store.conn.execute("SELECT notes FROM releases").fetchone()[0])
    assert notes["validation"]["reason"] == reason
    row = _load(result.folder, "German", tmp_path / "hf-cache")
    assert None in [r["empathy"] for split in row.values() for r in split]  # null, no class


def test_residual_personal_data_is_never_released(store, config, deid_engine) -> None:
    from release_helpers import put_deidentified

    records = [synthetic_record(store, f"p{i}", "German") for i in range(3)]
    records[1].response_text = RESPONSE + " Mail me: jonas.weber@example.com"
    put_deidentified(store, records)
    with pytest.raises(GateError, match="no_residual_pii"):
        export(store, config, mode="text", engine=deid_engine)
    with pytest.raises(CurateError, match="never be allowed"):
        export(store, config, allow=["no_residual_pii"], reason="please", engine=deid_engine)
    assert not (store.root / "releases").exists()


def test_big_splits_are_sharded(store, config, fill, deid_engine, tmp_path) -> None:
    fill(10)
    result = export(store, config, engine=deid_engine, max_shard_bytes=2_000)
    train = result.info.configs["all"]["train"]
    assert len(train) > 1
    assert train[0].endswith(f"train-00000-of-{len(train):05d}.parquet")
    ds = _load(result.folder, "all", tmp_path / "hf-cache")
    assert ds["train"].num_rows == 32 and len(set(ds["train"]["id"])) == 32


def test_cli_export(store, config, fill, workspace: Path, deid_engine) -> None:
    """The real command in a subprocess (`deid_engine` only warms the shared cache)."""
    fill(3)
    store.close()
    env = {"CURATE_WORKSPACE": str(workspace)}
    proc = run_cli("export", "--version", "0.1.0", "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["version"] == "0.1.0" and summary["mode"] == "reference"
    assert summary["sizes"]["German"] == {"train": 2, "validation": 1, "test": 0}
    proc = run_cli("export", env=env)  # next minor, human output
    assert proc.returncode == 0, proc.stderr
    assert "0.2.0" in proc.stdout and "load_dataset(" in proc.stdout
    proc = run_cli("export", "--version", "0.2.0", env=env)
    assert proc.returncode == 2
    assert "already released" in proc.stderr and "Traceback" not in proc.stderr
    proc = run_cli("export", "--mode", "text", "--format", "culturecare-jsonl", env=env)
    assert proc.returncode == 2 and "reference format" in proc.stderr
    # the paper-compatible companion of the last release, as the authors' code reads it
    proc = run_cli("export", "--format", "culturecare-jsonl", env=env)
    assert proc.returncode == 0, proc.stderr
    folder = workspace / "releases" / "culturecare-0.2.0-culturecare-jsonl"
    frame = pd.read_json(folder / "German_data.jsonl", lines=True)
    assert list(frame.columns) == ["culture", "post_id", "post", "response"]
    assert sorted(frame["post_id"]) == [f"{SOURCE_MARK}-rGerman{i}" for i in range(3)]
    assert frame["response"][0]["empathy_score"] == "4 quite empathetic"
    assert frame["post"][0]["emotional_distress"] == [
        {"phrase": "so lonely", "intensity": "moderate"}
    ]


@pytest.mark.parametrize(
    ("module", "step"),
    [
        # half-way: before the transaction
        ("curate.release.card", "write_card"),
        # last: the move into place, inside the transaction that writes the release rows
        ("curate.release.export", "_move_into_place"),
    ],
)
def test_a_failed_export_leaves_nothing_behind(
    store, config, fill, deid_engine, monkeypatch, module, step
):
    """Files are staged and the release rows, split rows and folder land together: a
    failure at any step leaves no folder, no staging, no rows."""
    import importlib

    fill(3)

    def broken(*args):
        raise OSError("step failed")

    monkeypatch.setattr(importlib.import_module(module), step, broken)
    with pytest.raises(OSError, match="step failed"):
        export(store, config, engine=deid_engine)
    assert list((store.root / "releases").iterdir()) == []
    for table in ("releases", "release_items", "splits"):
        assert store.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0
    monkeypatch.undo()
    assert export(store, config, engine=deid_engine).version == "1.0.0"
