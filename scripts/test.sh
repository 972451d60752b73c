#!/usr/bin/env bash
# Set everything up, then run the test suite (slow checks need --runslow: bash scripts/test.sh --runslow).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"   # the CLI tests call the installed `infoatlas` entry point
.venv/bin/python -m pytest -q "$@"
