#!/usr/bin/env bash
# Create (or update) the project's venv in .venv and install curate into it.
# Usage: scripts/setup.sh [EXTRAS]   e.g. scripts/setup.sh dev
# Everything comes from PyPI; nothing is downloaded at run time afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
py="${PYTHON:-$(command -v python3.11 || command -v python3)}"
if [ ! -x .venv/bin/python ]; then
  "$py" -m venv .venv
fi
if [ ! -x .venv/bin/uv ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check uv
fi
spec="."
[ -n "$extras" ] && spec=".[$extras]"
.venv/bin/uv pip install -q --python .venv/bin/python -e "$spec"
