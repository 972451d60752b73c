"""Seed spread of the multiscale comparison, and a cheaper large scale (1,024 rows).

Reads the features cached by ``multiscale.py`` (same CACHE_DIR and FIT), adds the whole-data-set
statistics of the first min(n, 1024) rows (the same data sets, drawn again), and fits one head per
variant and seed (seeds 100-104, shipped settings otherwise); prints each variant's mean and spread
over the seeds of the early-stopping pinball and of the validation MAE (seed 1 validation draws).

    python docs/experiments/multiscale/seeds.py CACHE_DIR FIT > docs/experiments/multiscale/seeds.md 2> log
"""
from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import multiscale as M  # noqa: E402
from infoatlas.atlas import prior  # noqa: E402
from infoatlas.bench.suite import atlas_suite  # noqa: E402
from infoatlas.features import Featurizer, order_rows  # noqa: E402
from infoatlas.knn import global_features  # noqa: E402
from infoatlas.training import refine as R  # noqa: E402

SEEDS = (100, 101, 102, 103, 104)
ROWS_1024 = 1024


def stats_1024(x, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        zx, zy = Featurizer.scores(x, y)[:2]
    if zx.shape[1] == 0 or zy.shape[1] == 0:
        return None
    order = order_rows(np.hstack([zx, zy]), 0)[:ROWS_1024]
    return global_features(zx[order], zy[order], spread_repeats=True)


def _one_thread():
    M.torch.set_num_threads(1)


def _stream(job):
    x, y = R.draw_case(*job)[:2]
    return stats_1024(x, y)


def _val(c):
    return stats_1024(c.x, c.y)


def add_1024(recs, path, fn, jobs):
    """Append the 1,024-row statistics as a fourth scale block of each record's knn."""
    if not path.exists():
        import multiprocessing as mp

        from tqdm.auto import tqdm
        with mp.get_context("spawn").Pool(2, initializer=_one_thread) as pool:
            extra = [e for e in tqdm(pool.imap(fn, jobs, chunksize=16), total=len(jobs), desc=path.stem)
                     if e is not None]
        np.save(path, np.array(extra))
    extra = np.load(path)
    assert len(extra) == len(recs), (len(extra), len(recs))
    return [{**r, "knn": np.hstack([r["knn"], np.repeat(e[None], len(r["knn"]), 0)])} for r, e in zip(recs, extra)]


def main(cache: str, n_fit: int):
    cache = Path(cache)
    M.torch.set_num_threads(1)
    load = lambda name: list(np.load(cache / name, allow_pickle=True)["recs"])  # noqa: E731
    fit, stop, val = load(f"fit-{n_fit}.npz"), load(f"stop-{M.STOP_SETS}.npz"), load("validation.npz")
    fit = add_1024(fit, cache / f"fit-{n_fit}-1024.npy", _stream, [(100, R.FIT_STREAM, i) for i in range(n_fit)])
    stop = add_1024(stop, cache / f"stop-{M.STOP_SETS}-1024.npy", _stream,
                    [(100, R.STOP_STREAM, i) for i in range(M.STOP_SETS)])
    cases = atlas_suite(M.VAL_NS, M.VAL_DIMS, 25, families=prior.VALIDATION_FAMILIES, mi_max=5.0, seed=1)
    val = add_1024(val, cache / "validation-1024.npy", _val, cases)
    M._init(2)
    est = M._EST["est"]
    variants = {"base": (), "large2048": (2,), "large1024": (3,), "both": (2, 3)}
    truth = np.array([r["truth"] for r in val])
    n = np.array([r["n"] for r in val])
    wide = np.array([r["width"] >= 20 for r in val])
    print("| variant | stop pinball | validation MAE | n = 1000 | n = 5000 | width >= 20 | raw coverage |")
    print("|---|---|---|---|---|---|---|")
    for name, cols in variants.items():
        res = []
        for seed in SEEDS:
            cfg = R.RefineConfig(seed=seed, family_weight="gauss_dense=2,gauss_sparse=2")
            model, rec = M.fit_variant(est, fit, stop, cols, cfg)
            q = M.medians(model, val, cols)
            err = np.abs(q[:, 1] - truth)
            res.append([rec["stop_pinball_after"], err.mean(), err[n == 1000].mean(), err[n == 5000].mean(),
                        err[wide].mean(), np.mean((q[:, 0] <= truth) & (truth <= q[:, 2]))])
            print(name, seed, [round(float(v), 4) for v in res[-1]], file=sys.stderr)
        res = np.array(res)
        cells = [f"{m:.4f} ± {s:.4f}" if j == 0 else (f"{m:.0%}" if j == 5 else f"{m:.3f} ± {s:.3f}")
                 for j, (m, s) in enumerate(zip(res.mean(0), res.std(0, ddof=1)))]
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
