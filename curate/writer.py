"""The one store writer: where every record a run produces is written, once.

Ingest, hydrate and `curate deid` hand their records here after the steps (language id,
de-identification) have run on them, whichever executor ran those. A batch is one
transaction. A record read by an ingest or a hydrate is written with everything at once:
its revision as read, its raw texts into the vault, its de-identified form into the
records table and its decisions (`Store.put`, `curate.deid.tables`). A stored record
de-identified again (`curate deid`) replaces its records-table form and decisions. No
record is read back to be written again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from curate.deid import tables as deid_tables
from curate.store import PutResult, Store
from curate.work import Work


@dataclass
class StoreWriter:
    store: Store
    run_id: str
    fingerprint: str | None = None  # the policy the results were made under
    owner: str | None = None  # `curate deid`: whose claims the records are under

    def write(self, batch: list[Work]) -> list[PutResult | None]:
        """Write a batch in one transaction. Returns, for each record read, what `put`
        did; None for a stored record de-identified again."""
        now = time.time()
        out: list[PutResult | None] = []
        again = []
        with self.store.transaction() as conn:
            for work in batch:
                result = work.result
                if work.stored:  # de-identified again
                    assert result is not None and self.fingerprint is not None
                    again.append((result.record, result.decisions))
                    out.append(None)
                    continue
                put = self.store.put(
                    conn,
                    work.record,
                    work.item.raw,
                    self.run_id,
                    now,
                    deidentified=result.record if result else None,
                    fingerprint=self.fingerprint,
                )
                if put.supersedes_own:
                    # read twice in this run: only the last revision is de-identified
                    deid_tables.drop_decisions(conn, work.record.id, put.revision - 1)
                if result is not None and put.outcome != "unchanged":
                    decisions = result.decisions
                    deid_tables.write_decisions(conn, work.record.id, put.revision, decisions)
                out.append(put)
            if again:
                assert self.fingerprint is not None
                deid_tables.save_in(conn, self.store, again, self.fingerprint, owner=self.owner)
        return out
