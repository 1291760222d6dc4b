#!/usr/bin/env bash
# The main job on the embedded default: train the default model if it is missing, score the
# bundled example articles, print the outlet comparison and write the HTML report.
#   bash scripts/demo.sh            (after bash scripts/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_WAIT_POLICY=PASSIVE
framing=.venv/bin/framing
if [ ! -f models/default/model.safetensors ]; then
  echo "== models/default is missing: training it (about 13 minutes on 2 CPU cores)"
  $framing train configs/default.yaml --overwrite
fi
echo "== scoring framing/resources/examples/articles.jsonl"
$framing score framing/resources/examples/articles.jsonl --model models/default --out runs/examples \
  --overwrite  # the demo's own folder: a run left by an older framing is replaced
echo "== outlet comparison"
$framing compare runs/examples --model models/default
$framing report runs/examples --model models/default --out runs/examples/report.html
echo "== open runs/examples/report.html in a browser"
