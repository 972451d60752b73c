#!/usr/bin/env bash
# Ready-made pretraining run for a lent GPU machine (one H200 or several GPUs via torchrun).
# Usage on the device (repo root): bash scripts/pretrain_gpu.sh [steps] [nproc]
# Wider model and larger batches than the CPU run; resumable from runs/gpu/ckpt.pt; writes the
# shipped-format weights to $OUT (or runs/gpu) when done.
set -euo pipefail
cd "$(dirname "$0")/.."
STEPS=${1:-20000}
NPROC=${2:-1}
OUTDIR=${OUT:-runs/gpu}
python3 -m pip install -q -e . 2>/dev/null || export PYTHONPATH="$PWD/src:${PYTHONPATH:-}"
export PYTHONUNBUFFERED=1
python3 -m torch.distributed.run --standalone --nproc_per_node="$NPROC" -m infoatlas.cli train \
  --device cuda --out-dir runs/gpu --steps "$STEPS" --batch-size 128 --width 128 --layers 3 \
  --lr 5e-4 --eval-every 500 --ckpt-every 250 --workers 12 --no-progress \
  --export "$OUTDIR/infoatlas-gpu.safetensors" 2>&1 | tee "$OUTDIR/train.log"
