#!/usr/bin/env bash
# The candidate of README.md: the shipped trunk, feature setting spread_repeats = 1, a head refitted
# with the shipped head's settings (about 23 min on the 2-core development machine, 2 workers).
set -euo pipefail
OUT=${1:-/tmp/spread}
mkdir -p "$OUT"
python - "$OUT" <<'PY'
import dataclasses, sys
from infoatlas.weights import load_model, save_model
model, meta = load_model(None)
meta = {k: v for k, v in meta.items() if k != "interval_calibration"}
save_model(model, f"{sys.argv[1]}/base-spread.safetensors", meta,
           features=dataclasses.replace(meta["features"], spread_repeats=1))
PY
infoatlas dev refine --model "$OUT/base-spread.safetensors" --out "$OUT/head-spread.safetensors" --cache "$OUT/cache" \
  --data-sets 80000 --val-sets 4000 --seed 100 --epochs 80 --family-weight gauss_dense=2,gauss_sparse=2
python docs/experiments/spread_repeats/compare.py "$OUT/head-spread.safetensors"
