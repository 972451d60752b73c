#!/usr/bin/env bash
# Create .venv with the CPU build of torch 2.13.0 and install infoatlas (with test extras).
# Idempotent: a second run only checks that everything is in place.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
# pin torch explicitly: an open range could pull a multi-GB CUDA build on a CPU machine
.venv/bin/python -m pip install -q "torch==2.13.0"
.venv/bin/python -m pip install -q -e ".[test]"
