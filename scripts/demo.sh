#!/usr/bin/env bash
# The main job on the bundled synthetic demo data: install, then ingest and summarize.
# Writes ./workspace (see curate.toml); safe to run again (the second run adds nothing).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
echo "== curate ingest demo/reddit (synthetic Reddit dump: submissions + comments, .zst)"
echo "   (parse, language id, culture map, response pairing, quarantine, de-identification)"
curate ingest demo/reddit
echo "== curate stats"
curate stats
echo "== curate deid scan (direct identifiers left in the de-identified texts)"
curate deid scan
echo "== curate deid eval (de-identification quality on a labelled synthetic corpus)"
curate deid eval
echo "== curate audit (label-noise audit; the demo dump carries no labels yet, so it says so)"
curate audit
echo "== curate validate (the workspace's contract; Data Docs in workspace/reports/data-docs)"
curate validate
echo "== Label Studio: start a local server, push the de-identified records, pull them back"
curate annotate serve start
curate annotate push
curate annotate pull
curate annotate serve status
