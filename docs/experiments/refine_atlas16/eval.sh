#!/usr/bin/env bash
# Choice between refinement-head variants (bash eval.sh WEIGHTS OUT): the validation families (never in a
# fit, and not the benchmark) and plain Gaussians (a sanity family); point estimates only, before calibration.
set -e
W=$1; O=$2
I=infoatlas
$I bench accuracy --model "$W" --families clayton_pairs,gauss_spiral --estimators infoatlas --per-cell 4 --seed 1 --no-plots --out $O/validation > /dev/null
$I bench accuracy --model "$W" --families manifold_fourier,clusters_shell --estimators infoatlas --dims 1x64,4x16,8x8,16x64,40x40 --n 1000,5000 --per-cell 4 --seed 1 --no-plots --out $O/svalidation > /dev/null
$I bench accuracy --model "$W" --families gauss_plain --estimators infoatlas --dims 1x1,2x2,5x5,3x8,10x10 --n 200,1000,5000 --per-cell 4 --seed 1 --no-plots --out $O/gauss > /dev/null
for s in validation svalidation gauss; do echo "== $s"; sed -n "/## By n/,/## By family/p" $O/$s/report.md | grep "^| [0-9a]"; done
