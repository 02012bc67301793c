"""`curate hydrate`: a reference release (URLs + phrases) and the user's own Reddit dumps
-> a local workspace with the texts filled in, every phrase aligned to offsets, and
everything de-identified as `curate ingest` would have done.

Modules: `align` (phrase -> offsets), `reference` (reading reference releases),
`dumps` (one streaming pass over the dumps), `run` (the stage), `report` (coverage).
"""
