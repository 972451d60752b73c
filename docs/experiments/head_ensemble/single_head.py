"""One more refinement head on the shipped trunk and the shipped head's cached features (the second
head of ``infoatlas dev refine --heads 4``, seed 101), written alone, to see how much a refit moves
the estimates.  Usage: python docs/experiments/head_ensemble/single_head.py CACHE_DIR OUT.safetensors
(CACHE_DIR: the --cache of a refine run with the shipped settings)."""
import dataclasses
import sys

from infoatlas.training import refine as R
from infoatlas.weights import load_model, save_model

cfg = R.RefineConfig(data_sets=80_000, val_sets=4_000, seed=100, epochs=80, family_weight="gauss_dense=2,gauss_sparse=2")
base, meta = load_model(None)
probe = R.with_head(base, cfg.n_knn, cfg.width, cfg.seed, cfg.n_global)
w = R.family_weights(cfg.family_weight)
fit = R._stack(R.collect(probe, meta, cfg.seed, R.FIT_STREAM, cfg.data_sets, 2, cache_dir=sys.argv[1]), w)
stop = R._stack(R.collect(probe, meta, cfg.seed, R.STOP_STREAM, cfg.val_sets, 2, cache_dir=sys.argv[1]), w)
head = R.with_head(base, cfg.n_knn, cfg.width, cfg.seed + 1, cfg.n_global)
print(R.fit_head(head, fit, stop, dataclasses.replace(cfg, seed=cfg.seed + 1), progress=False))
save_model(head, sys.argv[2], {k: v for k, v in meta.items() if k != "interval_calibration"})
