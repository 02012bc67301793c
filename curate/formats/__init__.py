"""External formats of a release, each with its reader and its writer in one module:
`hub_parquet` (the Hub layout `curate export` writes and `curate hydrate` reads) and
`culturecare_jsonl` (the authors' `{Culture}_data.jsonl`)."""
