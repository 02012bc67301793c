"""The real CultureCare release (../shared/culturecare, skipped when absent) with 10 % of
its distress intensities flipped on purpose: the audit's first k label-issue flags (k =
the number flipped) hold far more flipped labels than the text model alone put there.

The reduced form of `bench/audit_real_noise.py` (one family, one seed, the default
`--features wordllama`). Measured with the bench, seeds 0-2: p@k 0.27 for the text model
alone, 0.37 for the combining model on TF-IDF features, 0.395 with WordLlama embeddings
(seed 0: 0.395); the issue's target for intensity, 0.4, is not reached (docs/audit.md
"Measured"), so this asserts the gain, with room for the folds' randomness.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers import SHARED_CULTURECARE

pytestmark = pytest.mark.skipif(
    not SHARED_CULTURECARE.is_dir(), reason="../shared/culturecare absent"
)

FAMILY = "emotional_distress"
BASELINE = 0.273  # p@k of the text model alone on this family (every seed of the bench)


def test_flipped_intensities_rank_first(tmp_path: Path) -> None:
    from curate.audit.labelnoise import audited_records
    from curate.audit.run import audit_workspace
    from curate.audit.store import flags
    from curate.config import load_config
    from curate.deid import tables as deid_tables
    from curate.ingest import ingest
    from curate.store import Store

    config = load_config(None, tmp_path / "ws")
    taxonomy = config.taxonomy()
    attribute = taxonomy.family(FAMILY).attribute
    values = list(taxonomy.family(FAMILY).values)
    with Store.open(config.workspace) as store:
        ingest(sorted(SHARED_CULTURECARE.glob("*_data.jsonl")), config, store)
        # Marked de-identified without running it: this test is about the ranking, and
        # de-identifying 462 records costs most of its time (the bench runs it all).
        # Nothing here leaves the temporary workspace (no HTML, no log of a phrase).
        rows = list(store.iter_records())
        deid_tables.save_deid(store, [(r, []) for r in rows], "test")
        records = audited_records(store)
        keys = [
            (r.id, i)
            for r in records
            for i, s in enumerate(r.spans)
            if s.label == FAMILY and s.text and s.attributes.get(attribute) is not None
        ]
        rng = np.random.default_rng([0, 0])
        flipped = set()
        by_id = {r.id: r for r in records}
        for j in sorted(rng.choice(len(keys), round(0.1 * len(keys)), replace=False)):
            rid, i = keys[j]
            span = by_id[rid].spans[i]
            old = span.attributes[attribute]
            span.attributes[attribute] = str(rng.choice([v for v in values if v != old]))
            flipped.add((rid, i))
        store.update_records(records)

        report = audit_workspace(store, taxonomy, families=[FAMILY], html=False)
        found = flags(store, report.run_id, family=FAMILY, kind="label_issue")
    k = len(flipped)
    assert k > 150
    precision = sum((f.record_id, f.span_index) in flipped for f in found[:k]) / k
    assert precision >= BASELINE + 0.05, precision
    assert len(found) < 0.35 * len(keys)  # was 0.42 (715 of 1724 in the issue)
    assert {"p_given", "p_suggested", "p_given_text", "record_mates"} <= set(found[0].detail)
