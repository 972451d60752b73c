#!/usr/bin/env bash
# Measure a candidate weight file the way the shipped model is measured, and put every figure
# where the model card and README read it from.  Nothing here trains or touches the shipped file.
#
# usage: bash scripts/release_eval.sh CANDIDATE.safetensors [PREVIOUS.safetensors]
#   bench_out/accuracy          held-out families, candidate vs KSG vs Gaussian copula (192 sets)
#   bench_out/gauss             plain Gaussians (sanity; not held out), same three estimators
#   bench_out/accuracy_critics  candidate vs all baselines incl. trained critics (8 sets)
#   bench_out/validation        the validation families (seed 1; the calibration used seed 0)
#   bench_out/speed, speed5000  latency with ratios to KSG/critics in the same run
# Calibrate the candidate first (infoatlas calibrate), so that the coverage figures are the shipped ones.
#   bench_out/prev_*            the previous weights on the same suites (only with PREVIOUS)
set -euo pipefail
cd "$(dirname "$0")/.."
CAND=${1:?candidate weight file}
PREV=${2:-}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
infoatlas bench accuracy --model "$CAND" --per-cell 4 --out bench_out/accuracy
infoatlas bench accuracy --model "$CAND" --families gauss_plain --dims 1x1,2x2,5x5,3x8,10x10 --n 200,1000,5000 \
  --per-cell 4 --no-plots --out bench_out/gauss
infoatlas bench accuracy --model "$CAND" --families clayton_pairs,gauss_spiral --per-cell 4 --seed 1 --no-plots \
  --out bench_out/validation
if [ -n "$PREV" ]; then
  infoatlas bench accuracy --model "$PREV" --estimators infoatlas --per-cell 4 --no-plots --out bench_out/prev_accuracy
  infoatlas bench accuracy --model "$PREV" --estimators infoatlas --families gauss_plain --dims 1x1,2x2,5x5,3x8,10x10 \
    --n 200,1000,5000 --per-cell 4 --no-plots --out bench_out/prev_gauss
fi
infoatlas bench accuracy --model "$CAND" --estimators infoatlas,ksg,gcmi,mine,infonce,nwj,smile --n 1000 --per-cell 1 \
  --dims 1x1,3x3 --no-plots --out bench_out/accuracy_critics
infoatlas bench speed --model "$CAND" --n 5000 --dims 5x5 --repeats 15 --estimators infoatlas,ksg \
  --no-throughput --memory-n 0 --out bench_out/speed5000
infoatlas bench speed --model "$CAND" --critic-max-n 1000 --out bench_out/speed
