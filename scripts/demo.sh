#!/usr/bin/env bash
# Set everything up, then run the demo: bundled example data with known MI, shipped model, next to KSG.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/infoatlas demo
