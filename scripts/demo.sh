#!/usr/bin/env bash
# The main job on the bundled synthetic demo data: install, then ingest and summarize.
# Writes ./workspace (see curate.toml); safe to run again (the second run adds nothing).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
echo "== curate ingest demo/reddit (synthetic Reddit dump: submissions + comments, .zst)"
curate ingest demo/reddit
echo "== curate stats"
curate stats
