"""The CultureCare release as an ingest source: the format itself (reader and writer) is
`curate.formats.culturecare_jsonl`; this is its place among the sources that
`curate.sources.detect_format` and ingest name.
"""

from __future__ import annotations

from curate.formats.culturecare_jsonl import FORMAT, RELEASE_LISTS, looks_like, parse, read

__all__ = ["FORMAT", "RELEASE_LISTS", "looks_like", "parse", "read"]
