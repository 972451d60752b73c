"""Where does pretraining wait: on the atlas workers or on the device?

Measures on the machine it runs on, each part alone and then together:
  1. workers: data sets/s that ``--workers`` processes deliver to the trainer (no training step);
  2. step: training steps/s on ``--device`` with batches made in advance, for each architecture;
  3. train: the real loop (``train`` with a time budget), data sets/s.
Prints one JSON line per measurement.

usage: PYTHONPATH=src python scripts/probe_pipeline.py --device cuda --workers 14 [--seconds 40] [--prep-on-device]

Measured on a lent H200 machine (16 cores, 14 workers, batch 128, workers preparing the inputs):
workers alone 1,653 data sets/s; step alone 8,241/s (width 64, 2 blocks) and 4,945/s (128, 3);
the real loop 1,538/s.  The workers set the pace; --prep-on-device moves 70% of their work to the GPU.
"""
import argparse
import dataclasses
import json
import multiprocessing as mp
import tempfile
import time

import torch

from infoatlas.model import SetMI, SetMIConfig, pinball_loss
from infoatlas.training.train import TrainConfig, batch_stream, load_checkpoint, padded, step_batch, train


def sync(device):
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def main():
    # arguments are parsed here, not at import: spawned workers re-import this file
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--workers", type=int, default=max(1, mp.cpu_count() - 2))
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--seconds", type=float, default=40.0)
    ap.add_argument("--archs", default="64x2,128x3", help="width x layers, comma-separated")
    ap.add_argument("--prep-on-device", action="store_true", help="workers only sample (parts 1 and 3)")
    args = ap.parse_args()
    cfg = TrainConfig(batch_size=args.batch_size, seed=123, prep_on_device=args.prep_on_device)
    mcfg = SetMIConfig()

    # 1. the workers alone: the trainer only receives (and unpickles) batches
    stream = batch_stream(dataclasses.replace(cfg, workers=args.workers), mcfg, 0, 0, 10**9)
    t0 = time.perf_counter()
    got, warm = 0, False
    while time.perf_counter() - t0 < args.seconds:
        inp, _ = next(stream)
        got += 1
        if not warm and got == args.workers:  # the pool's start-up is not throughput
            t0, got, warm = time.perf_counter(), 0, True
    dt = time.perf_counter() - t0
    stream.close()
    nbytes = sum(v.nbytes for v in inp.values())
    print(json.dumps({"part": "workers", "prep_on_device": args.prep_on_device, "workers": args.workers,
                      "sets_per_s": round(got * args.batch_size / dt, 1),
                      "last_batch_mb": round(nbytes / 1e6, 2)}), flush=True)

    # 2. the training step alone, on batches made in advance
    prepped = dataclasses.replace(cfg, prep_on_device=False)
    batches = [step_batch((prepped, mcfg, 0, s)) for s in range(6)]
    for arch in args.archs.split(","):
        w, nl = (int(a) for a in arch.split("x"))
        m = SetMIConfig(width=w, n_layers=nl)
        model = SetMI(m).to(args.device)
        opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
        dev = [(padded(i, m.max_dim, args.device), torch.from_numpy(y).to(args.device)) for i, y in batches]
        n_steps, t0 = 0, None
        while True:
            inp, mi = dev[n_steps % len(dev)]
            loss = pinball_loss(model(**inp), torch.log1p(mi), m.quantiles)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            n_steps += 1
            if t0 is None and n_steps == 3:  # warm-up steps are not throughput
                sync(args.device)
                t0, n_steps = time.perf_counter(), 0
            elif t0 is not None and n_steps % 10 == 0:
                sync(args.device)
                if time.perf_counter() - t0 > args.seconds / 4:
                    break
        dt = time.perf_counter() - t0
        print(json.dumps({"part": "step", "arch": arch, "params": sum(p.numel() for p in model.parameters()),
                          "steps_per_s": round(n_steps / dt, 1),
                          "sets_per_s": round(n_steps * args.batch_size / dt, 1)}), flush=True)

    # 3. the real loop
    with tempfile.TemporaryDirectory() as d:
        run = TrainConfig(out_dir=d, steps=10**6, batch_size=args.batch_size, time_budget=args.seconds,
                          workers=args.workers, device=args.device, seed=123, eval_every=10**6,
                          prep_on_device=args.prep_on_device,
                          ckpt_every=10**6, eval_batches=1)
        ck = load_checkpoint(train(run, progress=False))
        print(json.dumps({"part": "train", "prep_on_device": args.prep_on_device, "arch": "64x2", "steps": ck["step"],
                          "sets_per_s": round(ck["stats"]["datasets_seen"] / ck["stats"]["train_seconds"], 1)}),
              flush=True)


if __name__ == "__main__":
    main()
