#!/usr/bin/env bash
# Install everything the tests need and run the whole suite (what .ci/run runs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
bash scripts/browser.sh
export PATH="$PWD/.venv/bin:$PATH"
ruff check curate tests bench
ruff format --check curate tests bench
pytest -q "$@"
