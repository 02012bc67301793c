"""The Hub Parquet format: what `curate export` writes, `read_rows` reads back, with the
labels decoded to names by the release row (`curate.release.row.decode`)."""

from __future__ import annotations

from pathlib import Path

from helpers import make_record

from curate.formats import hub_parquet
from curate.records import Span
from curate.release.row import build_features, encode
from curate.schema import load_taxonomy

POST = "I feel so lonely here."


def test_written_rows_read_back_with_label_names(store, tmp_path: Path) -> None:
    taxonomy = load_taxonomy()
    record = make_record(store, "abc123", culture="German", post_text=POST)
    record.source.url = "https://www.reddit.com/comments/abc123/x"
    record.spans = [Span("post", "emotional_distress", "so lonely", 7, 16, {"intensity": "high"})]
    row = encode(record, taxonomy, "reference", store.id_salt)
    configs, _sizes = hub_parquet.write_configs(
        {"all": {"train": [row], "validation": [], "test": []}},
        build_features(taxonomy),
        tmp_path,
        max_shard_bytes=1 << 30,
    )
    assert configs == {"all": {"train": ["data/all/train-00000-of-00001.parquet"]}}
    path = tmp_path / configs["all"]["train"][0]
    assert hub_parquet.split_of(path) == "train"
    (stored,) = hub_parquet.read_rows(path, taxonomy)
    assert stored.number == 1
    assert isinstance(stored.raw["culture"], int)  # a ClassLabel id, as stored
    assert stored.values["culture"] == "German"
    (span,) = stored.values["emotional_distress"]
    assert span["intensity"] == "high" and span["text"] == "so lonely"
    assert span["start"] is None  # reference mode: no offsets
    assert stored.values["url"] == record.source.url
