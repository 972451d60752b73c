"""Does the refinement head want more training data?  One head (the shipped settings) fitted on
the first 10,000, 20,000, 40,000 and 80,000 data sets of the atlas-1.7 fit stream (seed 100), and
on those 80,000 with the 80,000 of a second fit stream (seed 200; `RefineConfig.more_seeds`), each
scored on the same 4,000 early-stopping data sets (training families, other draws): MAE (nats) of
the median by family, and the pinball loss.  Reads the refinement cache; computes no features.

    python docs/experiments/head_data/learning_curve.py CACHE_DIR > learning_curve.csv
"""
import dataclasses
import sys

import numpy as np
import torch

from infoatlas.training import refine as R
from infoatlas.weights import load_model


def main(cache_dir: str, sizes=(10_000, 20_000, 40_000, 80_000, 160_000)):
    torch.manual_seed(0)
    base, meta = load_model("infoatlas-base")
    cfg = R.RefineConfig(data_sets=80_000, val_sets=4_000, seed=100, family_weight="gauss_dense=2,gauss_sparse=2")
    probe = R.with_head(base, cfg.n_knn, cfg.width, cfg.seed, cfg.n_global)
    paths = [R._cache_path(cache_dir, probe, meta, seed, s, c)
             for seed, s, c in ((cfg.seed, R.FIT_STREAM, cfg.data_sets), (cfg.seed, R.STOP_STREAM, cfg.val_sets),
                                (200, R.FIT_STREAM, cfg.data_sets))]
    for p in paths:
        if not p.exists():
            raise SystemExit(f"no cached features at {p}: run `infoatlas dev refine` with this cache first")
    fit_recs, stop_recs, more = (R._load_records(p) for p in paths)
    fit_recs += more  # the first 80,000 are seed 100's stream, as a plain 80,000-set fit reads it
    weights = R.family_weights(cfg.family_weight)
    stop = R._stack(stop_recs, weights)
    fams = np.array([r["family"] for r in stop_recs])
    truth = np.array([r["truth"] for r in stop_recs])
    mid = list(base.cfg.quantiles).index(0.5)
    print("fit_sets,family,data_sets,mae,stop_pinball,best_epoch")
    for size in sizes:
        model = R.with_head(base, cfg.n_knn, cfg.width, cfg.seed, cfg.n_global)
        rec = R.fit_head(model, R._stack(fit_recs[:size], weights), stop, dataclasses.replace(cfg, data_sets=size),
                         progress=False)
        with torch.no_grad():
            est = np.expm1(R.dataset_quantiles(model, stop)[:, mid].numpy())
        err = np.abs(est - truth)
        for fam in ["all", *sorted(set(fams))]:
            sel = np.ones(len(fams), bool) if fam == "all" else fams == fam
            print(f"{size},{fam},{sel.sum()},{err[sel].mean():.4f},{rec['stop_pinball_after']},{rec['best_epoch']}",
                  flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
