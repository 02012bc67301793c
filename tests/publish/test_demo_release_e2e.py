"""The whole release path on the demo data: ingest and de-identify the demo dump, export
v1.0.0 (text mode), publish it to a gated repository on the test Hub, relabel one item and
add one, export and publish v1.1.0; then `load_dataset` at each tag gives exactly what was
exported, and v1.0.0 still loads as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import REPO
from releasefolder import load_all

from curate.config import load_config
from curate.deid.stage import deidentify_workspace
from curate.ingest import ingest
from curate.publish import publish
from curate.release.export import export
from curate.store import Store

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")

NEW_POST = {
    "id": "extra-1",
    "title": "Heimweh",
    "text": "Seit ich in Hamburg wohne, fühle ich mich einsam und traurig, jeden Abend.",
    "response": "Das klingt schwer. Hast du jemanden, mit dem du reden kannst?",
    "culture": "German",
    "language": "de",
}


def test_demo_v1_then_v11_on_the_test_hub(hub_server, tmp_path: Path, deid_engine) -> None:
    config = load_config(None, tmp_path / "ws")
    with Store.open(config.workspace) as store:
        ingest([REPO / "demo" / "reddit"], config, store)
        deidentify_workspace(store, config, engine=deid_engine, workers=1)
        v1 = export(store, config, version="1.0.0", mode="text", engine=deid_engine)

        relabelled = next(r for r in store.iter_records(deidentified=True) if r.response_text)
        relabelled.empathy = 4 if relabelled.empathy != 4 else 5
        store.update_records([relabelled])
        extra = tmp_path / "extra.jsonl"
        extra.write_text(json.dumps(NEW_POST, ensure_ascii=False) + "\n", encoding="utf-8")
        ingest([extra], config, store)
        deidentify_workspace(store, config, engine=deid_engine, workers=1)
        v2 = export(store, config, version="1.1.0", mode="text", engine=deid_engine)
        split_of = dict(store.conn.execute("SELECT record_id, split FROM splits"))

    assert len(v2.changes.added) == 1 and v2.changes.relabelled == (relabelled.id,)
    assert v2.changes.removed == ()
    repo = "curate-test/culturecare-demo"
    kwargs = {"endpoint": hub_server.endpoint, "token": hub_server.token}
    first = publish(v1.folder, repo, gated="manual", **kwargs)
    second = publish(v2.folder, repo, **kwargs)
    assert first.tagged and second.tagged and first.commit != second.commit

    loaded = load_all(
        [
            (repo, "all", "v1.0.0"),
            (str(v1.folder), "all", None),
            (repo, "all", "v1.1.0"),
            (str(v2.folder), "all", None),
            (repo, "German", "v1.1.0"),
            (str(v2.folder), "German", None),
        ],
        tmp_path / "hf-cache",
        env={"HF_TOKEN": hub_server.token},
    )
    hub_v1, folder_v1, hub_v2, folder_v2, hub_de, folder_de = loaded
    for hub, folder in ((hub_v1, folder_v1), (hub_v2, folder_v2), (hub_de, folder_de)):
        assert "error" not in hub, hub
        assert hub == folder  # features, split sizes and every row
    sizes = {s: len(d["rows"]) for s, d in hub_v1.items()}
    assert sizes == {s: n for s, n in v1.sizes["all"].items() if n}
    assert sum(sizes.values()) == 54
    assert sum(len(d["rows"]) for d in hub_v2.values()) == 55
    # every v1.0.0 item keeps its split in v1.1.0
    where_v1 = {r["id"]: s for s, d in hub_v1.items() for r in d["rows"]}
    where_v2 = {r["id"]: s for s, d in hub_v2.items() for r in d["rows"]}
    assert all(where_v2[i] == s for i, s in where_v1.items())
    assert set(where_v2.values()) <= set(split_of.values())
    # the relabelled item differs between the tags; nothing else does
    rows_v1 = {r["id"]: r for d in hub_v1.values() for r in d["rows"]}
    rows_v2 = {r["id"]: r for d in hub_v2.values() for r in d["rows"]}
    changed = [i for i in rows_v1 if rows_v1[i] != rows_v2[i]]
    assert changed == [relabelled.id]
    # gated: nobody reads it without a token
    anonymous = load_all([(repo, "all", "v1.0.0")], tmp_path / "anon-cache", env={"HF_TOKEN": ""})
    assert "error" in anonymous[0]
