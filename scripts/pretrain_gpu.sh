#!/usr/bin/env bash
# Ready-made pretraining run for a lent GPU machine (one GPU, or several via torchrun).
#
# Usage on the device machine, from the repo root:  bash scripts/pretrain_gpu.sh
# Settings come from the environment (defaults in brackets):
#   TIME_BUDGET  seconds of training; the cosine lr schedule runs over this time [420]
#   STEPS        step cap [200000]        BATCH   data sets per step and GPU [128]
#   LR / MIN_LR  peak / final lr [5e-4 / 2e-5]    WARMUP  steps [the TrainConfig default]
#   INIT_FROM    warm start from a weight file or shipped name ("" = from scratch) [infoatlas-base]
#   WIDTH LAYERS architecture, when training from scratch [the SetMIConfig defaults]
#   SEED         training stream [1; the shipped weights were trained on seed 0's stream]
#   PREP         1: workers only sample, inputs are prepared on the GPU (--prep-on-device) [1]
#   WORKERS      batch-making processes [CPU cores - 2]    NPROC  GPUs [1]    DEVICE [cuda]
#   RUN_DIR      checkpoints and log [runs/gpu]            OUT    where results are copied [RUN_DIR]
# The atlas is sampled on the CPU, so the CPU cores, not the GPU, set the pace: WORKERS matters
# (scripts/probe_pipeline.py measures where a machine waits).
# The run is resumable: run it again with the same RUN_DIR and it continues from RUN_DIR/ckpt.safetensors.
set -euo pipefail
cd "$(dirname "$0")/.."
TIME_BUDGET=${TIME_BUDGET:-420}
STEPS=${STEPS:-200000}
BATCH=${BATCH:-128}
LR=${LR:-5e-4}
MIN_LR=${MIN_LR:-2e-5}
INIT_FROM=${INIT_FROM-infoatlas-base}
SEED=${SEED:-1}
PREP=${PREP:-1}
NPROC=${NPROC:-1}
DEVICE=${DEVICE:-cuda}
WORKERS=${WORKERS:-$(( $(nproc) > 3 ? $(nproc) - 2 : 1 ))}
RUN_DIR=${RUN_DIR:-runs/gpu}
DEST=${OUT:-$RUN_DIR}
mkdir -p "$RUN_DIR" "$DEST"
# no network on a lent machine: run from the source tree instead of installing
export PYTHONPATH="$PWD/src:${PYTHONPATH:-}" PYTHONUNBUFFERED=1 OMP_NUM_THREADS=1
python3 -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(),
torch.cuda.get_device_name(0) if torch.cuda.is_available() else '')"
# only what differs on a GPU machine is set here; every other default is TrainConfig's
ARGS=(dev train --device "$DEVICE" --out-dir "$RUN_DIR" --steps "$STEPS" --time-budget "$TIME_BUDGET"
      --batch-size "$BATCH" --lr "$LR" --min-lr "$MIN_LR" --seed "$SEED" --eval-every 500 --ckpt-every 250
      --workers "$WORKERS" --no-progress --export "$DEST/infoatlas-gpu.safetensors")
[ -n "${WARMUP:-}" ] && ARGS+=(--warmup "$WARMUP")
[ -n "${WIDTH:-}" ] && ARGS+=(--width "$WIDTH")
[ -n "${LAYERS:-}" ] && ARGS+=(--n-layers "$LAYERS")
[ -n "$INIT_FROM" ] && ARGS+=(--init-from "$INIT_FROM")
[ "$PREP" = 1 ] && ARGS+=(--prep-on-device)
status=0
if [ "$NPROC" -gt 1 ]; then
  python3 -m torch.distributed.run --standalone --nproc_per_node="$NPROC" -m infoatlas.cli "${ARGS[@]}" \
    2>&1 | tee "$DEST/train.log" || status=$?
else  # one GPU: no process group needed
  python3 -m infoatlas.cli "${ARGS[@]}" 2>&1 | tee "$DEST/train.log" || status=$?
fi
if [ "$DEST" != "$RUN_DIR" ]; then
  cp "$RUN_DIR/log.jsonl" "$DEST/" 2>/dev/null || true
  cp "$RUN_DIR/ckpt.safetensors" "$DEST/" 2>/dev/null || true
fi
exit $status
