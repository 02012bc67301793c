#!/usr/bin/env bash
# The main job on the bundled synthetic demo data, end to end: install, ingest and
# de-identify, the curator's review of uncertain de-identification decisions (scripted),
# annotate in a real Label Studio (simulated annotators), audit, validate,
# export a versioned release, rehearse publishing it on a local Hub-compatible server,
# and load it back with `datasets.load_dataset`; then a reference release hydrated from the
# dump, and the same ingest on the Ray engine.
# Writes ./workspace (see demo/curate.toml); safe to run again (the second run adds nothing).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh ray
export PATH="$PWD/.venv/bin:$PATH"
# every tool cache stays in the workspace; nothing is downloaded at run time
export HF_HOME="$PWD/workspace/cache/hf" HF_HUB_OFFLINE=1 HF_HUB_DISABLE_XET=1
export TLDEXTRACT_CACHE="$PWD/workspace/cache/tldextract"
# the demo's own project config: its workspace, and its facts (demo/dataset.yaml: the data
# is synthetic, and the dataset card says so)
export CURATE_CONFIG="$PWD/demo/curate.toml"
echo "== curate ingest demo/reddit (synthetic Reddit dump: submissions + comments, .zst)"
echo "   (files scanned in parallel, culture map, response pairing, quarantine, language id"
echo "   and de-identification in worker processes on every core)"
curate ingest demo/reddit
echo "== curate stats"
curate stats
echo "== careless input: curate ingest demo/careless --strict, into its own workspace"
echo "   (a cut-off dump, half an emoji, a number for a name, an Excel CSV, a label holding an"
echo "   e-mail address, a Parquet file of 4 bytes: demo/README.md; docs/ingest.md#what-happens-to-bad-input)"
rm -rf workspace/careless
OUT=workspace/careless-ingest.out ERR=workspace/careless-ingest.err
status=0
curate -w workspace/careless ingest demo/careless --strict --no-deid --no-progress \
  >"$OUT" 2>"$ERR" || status=$?
cat "$OUT" "$ERR"
echo "exit status: $status (--strict: something was quarantined or a file was not read to its end)"
[ "$status" -eq 1 ] || { echo "expected exit status 1 from --strict"; exit 1; }
python - workspace/careless <<'PY'
import json
import sys
from pathlib import Path

(path,) = Path(sys.argv[1], "quarantine").glob("*.jsonl")
entries = [json.loads(line) for line in path.open(encoding="utf-8")]
print(f"{len(entries)} quarantine entries (the raw lines stay in the workspace; only this is shown):")
for e in entries:
    where = Path(e["file"]).name + (f":{e['line']}" if e["line"] else " (file)")
    print(f"  {where:<26} {e['reason']}")
PY
PLANTED="mara.careless@example.org"  # in the intensity label of demo/careless/German_data.jsonl
if grep -rlF "$PLANTED" "$OUT" "$ERR" workspace/careless/reports; then
  echo "the planted label value was printed or reported"; exit 1
fi
echo "planted label value ($PLANTED) in the printed output and reports: not found"
echo "== curate deid review: the curator reviews what de-identification is unsure of"
echo "   (raw text, inside the workspace only: never in Label Studio). A scripted curator"
echo "   here: the queue is exported, a verdict given per item, imported, and applied"
curate deid review --json
mkdir -p workspace/review
QUEUE=workspace/review/queue.jsonl VERDICTS=workspace/review/verdicts.txt
curate deid review --export "$QUEUE"
python - "$QUEUE" "$VERDICTS" <<'PY'
import json
import sys
from pathlib import Path

from curate.deid import tables as deid_tables
from curate.deid.operators import CURATOR
from curate.deid.review import item_id
from curate.store import Store

queue, verdicts = Path(sys.argv[1]), Path(sys.argv[2])
items = [json.loads(line) for line in queue.read_text(encoding="utf-8").splitlines()]
# the demo's names are planted private data: every uncertain one is confirmed replaced
lines = [f"{item['id']} remove" for item in items]
with Store.open(Path("workspace"), create=False) as store:
    decided = store.conn.execute("SELECT COUNT(*) FROM deid_overrides").fetchone()[0]
    if not lines and not decided:
        # nothing uncertain (the detectors of this policy are sure of everything): a
        # curator confirms one replaced name from `curate deid review --record ID` instead
        rows = (
            row
            for record in store.iter_records()
            for row in deid_tables.review_queue(store, record.id, certain=True)
            if row["entity_type"] == "PERSON" and row["operator"] != "keep"
        )
        row = next(rows, None)
        if row is not None:
            lines.append(f"{item_id(row)} remove")
    ids = {line.split()[0].partition("@")[0] for line in lines}
    before = {
        rid: sum(d["recognizer"] == CURATOR for d in deid_tables.decisions(store, rid)) for rid in ids
    }
verdicts.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
Path(str(verdicts) + ".before").write_text(json.dumps(before), encoding="utf-8")
print(f"{len(lines)} verdict(s) written to {verdicts} (ids and verdicts only, no text)")
PY
rm -f "$QUEUE"  # it holds raw text
curate deid review --import "$VERDICTS"
curate deid --json | python -c "import json, sys; r = json.load(sys.stdin); print('curate deid: re-did', r['records'], 'record(s) with the verdicts applied')"
python - "$VERDICTS.before" <<'PY'
import json
import sys
from pathlib import Path

from curate.deid import tables as deid_tables
from curate.deid.operators import CURATOR
from curate.store import Store

before = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
with Store.open(Path("workspace"), create=False) as store:
    for rid, n in sorted(before.items()):
        now = sum(d["recognizer"] == CURATOR for d in deid_tables.decisions(store, rid))
        print(f"  {rid}: decisions made by the curator's verdicts {n} -> {now}")
    left = len(deid_tables.review_queue(store))
print(f"uncertain decisions left to review: {left}")
PY
echo "== curate deid scan (direct identifiers left in the de-identified texts)"
curate deid scan
echo "== curate deid eval (de-identification quality on a labelled synthetic corpus)"
curate deid eval
echo "== Label Studio: start a local server, push the de-identified records"
curate annotate serve start
curate annotate push
echo "   Annotators sign up only through the invite link (log in as curate@localhost,"
echo "   Organization -> Add People). Each project opens with the annotator guide; Arabic and"
echo "   Hebrew paragraphs read right to left; every span needs its attribute before Submit"
echo "   (docs/annotate.md shows the screen)."
echo "== simulated annotators (SYNTHETIC, demo only) annotate every task; pull them back"
curate demo annotate
curate annotate pull
curate annotate agreement
curate annotate serve status
echo "== curate audit (cleanlab label issues, Datalab outliers/near-duplicates, CROWDLAB;"
echo "   HTML report in workspace/reports/audit/, opening with next steps) and the review"
echo "   queue: one Label Studio review project per culture, each task saying why"
curate audit --to-label-studio
echo "== a reviewer (SIMULATED, demo only) submits one review task as it opens, pre-filled;"
echo "   pull brings the decision back as an adjudication, which wins in the export"
python - <<'PY'
from curate.annotate import tables
from curate.annotate.client import connect
from curate.config import load_config
from curate.store import Store

config = load_config()
with Store.open(config.workspace, create=False) as store:
    ls = connect(config)
    for key, pid in tables.projects(store, ls.url, kind=tables.REVIEW).items():
        task = next(iter(ls.call(ls.sdk.tasks.list, project=pid, fields="all", page_size=1)), None)
        preds = list(ls.call(ls.sdk.predictions.list, task=task.id)) if task else []
        if task is None or not preds or task.total_annotations:
            continue
        ls.call(ls.sdk.annotations.create, task.id, result=preds[0].result)
        print(f"  {key}: task {task.id} decided")
        break
PY
curate annotate pull
echo "== curate validate --release (the workspace's contract, incl. residual-PII scan)"
curate validate --release
VERSION=1.0.0
RELEASE="workspace/releases/culturecare-$VERSION"
echo "== curate export (release gate, stable splits, dataset card, Croissant, changelog)"
if [ -d "$RELEASE" ]; then
  echo "   $RELEASE exists (versions are never overwritten)"
else
  curate export --mode text --version "$VERSION"
fi
echo "== load_dataset on the release folder"
python - "$RELEASE" <<'PY'
import sys

import datasets

datasets.logging.set_verbosity_error()
datasets.disable_progress_bars()
ds = datasets.load_dataset(sys.argv[1], "German")
print(ds)
row = ds["train"][0]
intensity = ds["train"].features["emotional_distress"].feature["intensity"]
print("id:", row["id"], "| empathy:", row["empathy"])
print("post:", (row["post"]["text"] or "")[:160])
for span in row["emotional_distress"][:3]:
    print("  distress:", repr(span["text"]), intensity.int2str(span["intensity"]))
PY
echo "== publish rehearsal: a local Hub-compatible server (the real Hub is not reachable here)"
HUB_DIR="$PWD/workspace/hub-rehearsal"
rm -rf "$HUB_DIR" && mkdir -p "$HUB_DIR"
PORT=$(python -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
python tests/hubserver.py --root "$HUB_DIR" --port "$PORT" --user demo --org demo-org \
  --token hf_demo_local >"$HUB_DIR/server.log" 2>&1 &
HUB_PID=$!
trap 'kill $HUB_PID 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  python -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 0.2)" 2>/dev/null && break
  sleep 0.2
done
export HF_ENDPOINT="http://127.0.0.1:$PORT" HF_TOKEN=hf_demo_local HF_HUB_OFFLINE=0
curate publish "$RELEASE" --repo demo-org/culturecare --gated manual
python - <<'PY'
import datasets

datasets.logging.set_verbosity_error()
datasets.disable_progress_bars()
ds = datasets.load_dataset("demo-org/culturecare", "all", revision="v1.0.0")
print("load_dataset('demo-org/culturecare', 'all', revision='v1.0.0'):")
print({split: d.num_rows for split, d in ds.items()})
PY
kill $HUB_PID 2>/dev/null || true
export HF_HUB_OFFLINE=1
unset HF_ENDPOINT HF_TOKEN
echo "== a reference release (no texts: URLs + spans) and hydrating it from the dump"
REFERENCE="workspace/releases/culturecare-1.1.0"
if [ -d "$REFERENCE" ]; then
  echo "   $REFERENCE exists"
else
  curate export --mode reference --version 1.1.0
fi
rm -rf workspace/hydrated
curate hydrate "$REFERENCE" demo/reddit -w workspace/hydrated
echo "== the same ingest on the Ray engine (a local Ray instance: a Ray task scans each"
echo "   dump file, Ray Data actors run language id + de-identification; identical records)"
rm -rf workspace/ray
curate -w workspace/ray ingest demo/reddit --engine ray --json > workspace/ray-ingest.json
python -c "import json; e = json.load(open('workspace/ray-ingest.json'))['engine']; print('Ray engine:', e['workers'], 'actors, seconds per phase', e['seconds'])"
python - <<'PY'
import json
from pathlib import Path

from curate.store import Store

def records(ws):
    with Store.open(Path(ws), create=False) as store:
        return {
            r.source.source_id: (r.post_text, r.response_text, r.language, r.culture)
            for r in store.iter_records()
        }

local, ray = records("workspace"), records("workspace/ray")
same = sum(local.get(k) == v for k, v in ray.items())
print(f"Ray engine: {len(ray)} records, {same} identical to the local engine's")
PY
