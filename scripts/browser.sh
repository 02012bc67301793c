#!/usr/bin/env bash
# Debian's Chromium and the fonts for every script of the data (Arabic, Hebrew, CJK,
# colour emoji), for the tests that look at pages as people do (Playwright drives this
# Chromium; no browser is ever downloaded from anywhere else). Installs only what is
# missing; needs root or sudo the first time.
set -euo pipefail
packages=(chromium fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
if ((${#missing[@]})); then
  sudo=()
  [[ $(id -u) -ne 0 ]] && sudo=(sudo)
  "${sudo[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends \
    "${missing[@]}"
fi
