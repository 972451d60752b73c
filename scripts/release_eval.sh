#!/usr/bin/env bash
# Measure a weight file the way the shipped model is measured, and write every figure to
# docs/results/<suite>/ (results.json + report.md), where `python scripts/make_docs.py` reads them
# to regenerate the README's tables and the model card.  Nothing here trains or touches the weights.
#
# usage: bash scripts/release_eval.sh [WEIGHTS (default: the shipped infoatlas-base)] [SUITE ...]
#   accuracy          held-out families, InfoAtlas vs KSG vs Gaussian copula (192 data sets, seed 0)
#   gauss             plain Gaussians (sanity; not held out), same three estimators
#   validation        the validation families (seed 1; the calibration used seed 0)
#   accuracy_critics  InfoAtlas vs all baselines incl. trained critics (8 data sets)
#   gaussian_table    fixed well-conditioned Gaussians, InfoAtlas vs Gaussian copula
#   discrete          discrete, tied and mixed families (atlas.discrete), vs scikit-learn and KSG (seed 0)
#   structured        structured held-out group (images, pooled clusters, embedded mixtures, independence),
#                     1-64 ambient dims per side, n 1,000 and 5,000, vs KSG and Gaussian copula (seed 0)
#   structured_large  the same group at n = 20,000 with 40+40 and 64+64 dims, vs Gaussian copula
#   functional        noisy non-monotone functions Y = f(X) + s N (strong dependence up to near-deterministic),
#                     1+1 to 3+3 dims, n 200-5,000, vs KSG and Gaussian copula (seed 0)
#   fewrows           independent structured data with n = 20-60 rows and 5-40 columns per side
#   labelled          scikit-learn's labelled data sets: MI(features; class) against H(class) and Fano
#   invariance        how exactly the invariances hold (row order, monotone maps, X/Y swap, column order, float32)
#   independence      size and power of the independence test vs distance covariance and HSIC (n 100 and 500)
#   speed5000         latency at n = 5,000, 5+5 dims, next to KSG (15 repeats)
#   speed             latency grid with ratios to KSG and critics, throughput (incl. pairwise's fast method on
#                     1,000 columns), memory
#   pairs             pairwise's fast method (the pair-screening model) on 1+1 held-out families, next to the
#                     network, KSG and Gaussian copula (seed 0)
#   pairs_rounded     the same on rounded Gaussians (ties: 21-150 levels a side; MI of what is observed)
# Calibrate a new weight file first (infoatlas dev calibrate), so that coverage figures are the shipped ones.
# A candidate: RESULTS=DIR bash scripts/release_eval.sh CAND.safetensors accuracy gauss validation structured fewrows,
# then python scripts/release_gate.py docs/results DIR (the release rule, candidate vs shipped).
set -euo pipefail
cd "$(dirname "$0")/.."
W=${1:-infoatlas-base}
shift || true
SUITES=${*:-accuracy gauss validation accuracy_critics gaussian_table discrete structured structured_large functional fewrows labelled invariance independence speed5000 speed pairs pairs_rounded}
R=${RESULTS:-docs/results}   # RESULTS=DIR: write elsewhere (a candidate, for scripts/release_gate.py)
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
for s in $SUITES; do
  case $s in
    accuracy) infoatlas bench accuracy --model "$W" --per-cell 4 --out $R/accuracy ;;
    gauss) infoatlas bench accuracy --model "$W" --families gauss_plain --dims 1x1,2x2,5x5,3x8,10x10 \
             --n 200,1000,5000 --per-cell 4 --no-plots --out $R/gauss ;;
    validation) infoatlas bench accuracy --model "$W" --families clayton_pairs,gauss_spiral --per-cell 4 \
                  --seed 1 --no-plots --out $R/validation ;;
    accuracy_critics) infoatlas bench accuracy --model "$W" --estimators infoatlas,ksg,gcmi,mine,infonce,nwj,smile \
                        --n 1000 --per-cell 1 --dims 1x1,3x3 --no-plots --out $R/accuracy_critics ;;
    gaussian_table) python scripts/gaussian_table.py "$W" --out $R/gaussian_table ;;
    discrete) infoatlas bench accuracy --model "$W" --families discrete --estimators infoatlas,sklearn,ksg \
                --dims 1x1,4x1 --n 1000,5000 --per-cell 8 --no-plots --out $R/discrete ;;
    structured) infoatlas bench accuracy --model "$W" --families structured --estimators infoatlas,ksg,gcmi \
                  --dims 1x64,4x16,8x8,16x64,40x40,64x64 --n 1000,5000 --per-cell 4 --no-plots --out $R/structured ;;
    structured_large) infoatlas bench accuracy --model "$W" --families structured --estimators infoatlas,gcmi \
                        --dims 40x40,64x64 --n 20000 --per-cell 3 --no-plots --out $R/structured_large ;;
    functional) infoatlas bench accuracy --model "$W" --families functional --estimators infoatlas,ksg,gcmi \
                  --dims 1x1,2x2,3x3 --n 200,1000,5000 --per-cell 8 --no-plots --out $R/functional ;;
    fewrows) infoatlas bench accuracy --model "$W" --families independent_structured --estimators infoatlas,ksg,gcmi \
               --dims 5x5,10x10,20x20,40x40 --n 20,30,60 --per-cell 8 --no-plots --out $R/fewrows ;;
    labelled) infoatlas bench labelled --model "$W" --out $R/labelled ;;
    invariance) python scripts/invariance_check.py --model "$W" --out $R/invariance ;;
    independence) infoatlas bench independence --model "$W" --n 100,500 --dims 1,3 --reps 40 --permutations 199 \
                    --out $R/independence ;;
    speed5000) infoatlas bench speed --model "$W" --n 5000 --dims 5x5 --repeats 15 --estimators infoatlas,ksg \
                 --no-throughput --memory-n 0 --out $R/speed5000 ;;
    speed) infoatlas bench speed --model "$W" --critic-max-n 1000 --dask-workers 2 --wide-columns 1000 \
             --wide-memory-columns 10000 --out $R/speed ;;
    pairs) infoatlas bench accuracy --model "$W" --estimators pairfast,infoatlas,ksg,gcmi --dims 1x1 \
             --n 200,1000,2000,5000 --per-cell 25 --no-plots --out $R/pairs ;;
    pairs_rounded) infoatlas bench accuracy --model "$W" --estimators pairfast,infoatlas,ksg,gcmi --dims 1x1 \
                     --families gauss_rounded --n 200,1000,2000,5000 --per-cell 25 --no-plots --out $R/pairs_rounded ;;
    *) echo "unknown suite $s" >&2; exit 2 ;;
  esac
done
