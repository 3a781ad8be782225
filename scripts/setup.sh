#!/usr/bin/env bash
# Create .venv at the repo root and install the package with its test extra.
# torch is pinned to the CPU build through constraints.txt so pip never pulls CUDA.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -c constraints.txt "torch==2.13.0"
.venv/bin/python -m pip install --quiet -c constraints.txt -e ".[test]"
echo "environment ready: .venv ($(.venv/bin/python --version))"
