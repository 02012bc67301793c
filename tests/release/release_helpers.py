"""Builders of a synthetic release workspace (imported as `release_helpers`, a name of
its own): de-identified records in every culture, with spans on
their texts, empathy and demographics, and recognizable source ids and URLs (so a test
can grep a release for what must not be in it)."""

from __future__ import annotations

from helpers import make_record

from curate.deid import tables as deid_tables
from curate.records import RawText, Record, Span

CULTURES = ("Arabic", "Chinese", "German", "Jewish")
# Words that occur only in the texts, outside every span: a reference release must not
# contain them, a text release must.
TEXT_MARK = "marmalade"
POST = f"I feel so lonely since I moved here, and I miss my mother's {TEXT_MARK}."
RESPONSE = "That sounds hard. Do you have friends nearby?"
SOURCE_MARK = "srcid"  # every source id contains it; a text release must not


def _span(field: str, label: str, text: str, attr: dict[str, str], annotator=None) -> Span:
    source = POST if field == "post" else RESPONSE
    start = source.index(text)
    return Span(field, label, text, start, start + len(text), attr, annotator)


def synthetic_record(store, source_id: str, culture: str, thread: str | None = None) -> Record:
    record = make_record(
        store,
        f"{SOURCE_MARK}-{source_id}",
        culture=culture,
        post_title="Lonely",
        post_text=POST,
        response_text=RESPONSE,
        spans=[
            _span("post", "emotional_distress", "so lonely", {"intensity": "moderate"}),
            _span("post", "cultural_signal", "mother", {"type": "Values"}),
            _span(
                "response",
                "emotional_support",
                "Do you have friends nearby?",
                {"strategy": "Questions"},
                "annotator@example.org",
            ),
        ],
        empathy=4,
        demographics={"age": 30, "gender": "female"},
    )
    record.source.thread_id = f"{SOURCE_MARK}-{thread or source_id}"
    record.source.url = f"https://www.reddit.com/comments/{SOURCE_MARK}-{source_id}"
    return record


def put_deidentified(store, records: list[Record]) -> list[Record]:
    """Store records as ingested, then mark them de-identified (texts as given)."""
    run = store.begin_run("test", {})
    store.put_batch([(r, RawText()) for r in records], run)
    deid_tables.save_deid(store, [(r, []) for r in records], "test-policy")
    return records
