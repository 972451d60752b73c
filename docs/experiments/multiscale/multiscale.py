"""Would the refinement head read data better with its whole-data-set statistics at several scales?

The head reads KSG, intrinsic-dimension and repeated-row statistics of 512 rows
(``knn.global_features``).  KSG's bias depends on the number of rows and on the data's geometry;
the same statistics on 128 and 256 of those rows, and on up to 2,048 rows where the data have
them, show the head how the estimates move with the sample size.  This script measures whether
that helps, with the shipped trunk frozen and one head per variant:

    base   the shipped inputs (8 canonical pairs' KSG, 8 statistics of 512 rows)
    small  + the 8 statistics on the first 128 and 256 of those rows
    large  + the 8 statistics on the first min(n, 2048) rows
    all    + both

Every head: shipped settings (width 128, 80 epochs, loss weights gauss_dense=2,gauss_sparse=2,
seed 100), fitted on the same FIT data sets of atlas 1.7's training families (fit stream, seed 100),
early stopping on 4,000 others (stop stream).  Scored on the early-stopping draws (optimistic for
every variant alike) and on the validation families (seed 1, never used in fitting; held-out
families are not read).

    python docs/experiments/multiscale/multiscale.py CACHE_DIR FIT > docs/experiments/multiscale/report.md
"""
from __future__ import annotations

import dataclasses
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch

from infoatlas.atlas import prior
from infoatlas.bench.suite import atlas_suite
from infoatlas.features import Featurizer, order_rows
from infoatlas.knn import N_GLOBAL, global_features
from infoatlas.model import build_model
from infoatlas.training import refine as R

SCALES = (128, 256, 2048)
VARIANTS = {"base": (), "small": (0, 1), "large": (2,), "all": (0, 1, 2)}
VAL_NS = (1000, 5000)
VAL_DIMS = ((1, 1), (3, 3), (4, 16), (1, 64), (16, 48), (48, 48))
STOP_SETS = 4000
_EST = {}


def _init(threads=1):
    from infoatlas.estimator import InfoAtlas

    torch.set_num_threads(threads)
    _EST["est"] = InfoAtlas.from_pretrained("infoatlas-base", random_state=0)


def extra_stats(x, y, est) -> np.ndarray:
    """global_features on the first 128, 256 and min(m, 2048) rows in the estimator's row order:
    (3 * N_GLOBAL,) float32."""
    zx, zy = Featurizer.scores(x, y)[:2]
    order = order_rows(np.hstack([zx, zy]), 0)
    spread = bool(est.featurizer.settings.spread_repeats)
    return np.concatenate([global_features(zx[order[:t]], zy[order[:t]], spread_repeats=spread) for t in SCALES])


@torch.no_grad()
def trunk_record(est, x, y, mi, fam, n) -> dict | None:
    """What the head reads of one data set, as refine computes it: the trunk's features z (k, Z),
    stats (k, n_stats) and knn (k, 25) per chunk, with the truth and the data set's family, n and
    width (None when a side is constant)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ties in discrete-looking draws: expected here
        p = est.prepare(x, y, null=False)
    if p.inputs is None:
        return None
    inp = {k: v for k, v in p.inputs.items() if k != "knn"}
    return {"z": est.model.features(**inp).numpy(), "stats": inp["stats"].numpy(), "knn": p.inputs["knn"].numpy(),
            "truth": float(mi), "family": fam, "n": n, "width": x.shape[1] + y.shape[1]}


def _record(case):
    """trunk_record with the extra scales appended to each chunk's knn: (k, 25 + 3 N_GLOBAL)."""
    est = _EST["est"]
    rec = trunk_record(est, *case)
    if rec is None:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        extra = extra_stats(case[0], case[1], est)
    rec["knn"] = np.hstack([rec["knn"], np.repeat(extra[None], len(rec["knn"]), 0)])
    return rec


def _stream_case(job):
    seed, stream, i = job
    x, y, mi, fam = R.draw_case(seed, stream, i)
    return _record((x, y, mi, fam, x.shape[0]))


def _val_case(c):
    return _record((c.x, c.y, c.mi, c.family, c.n))


def collect(path: Path, fn, jobs, initializer=None, initargs=()):
    """fn over jobs in two worker processes (each set up by ``initializer``, default the shipped
    model's :func:`_init`), the records that are not None kept in ``path`` and read from there
    when it exists."""
    if path.exists():
        with np.load(path, allow_pickle=True) as f:
            return list(f["recs"])
    import multiprocessing as mp
    from tqdm.auto import tqdm

    with mp.get_context("spawn").Pool(2, initializer=initializer or _init, initargs=initargs) as pool:
        recs = [r for r in tqdm(pool.imap(fn, jobs, chunksize=8), total=len(jobs), desc=path.stem) if r is not None]
    np.savez(path, recs=np.array(recs, dtype=object))
    return recs


def with_inputs(recs, cols):
    """Records whose knn keeps the shipped 25 columns and the extra scales ``cols``."""
    base = 2 * 8 + 1 + N_GLOBAL
    keep = list(range(base)) + [base + N_GLOBAL * s + j for s in cols for j in range(N_GLOBAL)]
    return [{**r, "knn": r["knn"][:, keep]} for r in recs]


def fit_variant(est, fit, stop, cols, cfg):
    mcfg = dataclasses.replace(est.model.cfg, refine_width=cfg.width, n_global=N_GLOBAL * (1 + len(cols)))
    with torch.random.fork_rng():
        torch.manual_seed(cfg.seed)
        model = build_model(est.model.arch, mcfg.to_dict())
    state = {k: v for k, v in est.model.state_dict().items() if not k.startswith("refine.")}
    model.load_state_dict(state, strict=False)
    w = R.family_weights(cfg.family_weight)
    rec = R.fit_head(model, R._stack(with_inputs(fit, cols), w), R._stack(with_inputs(stop, cols), w), cfg,
                     progress=False)
    return model, rec


def medians(model, recs, cols):
    d = R._stack(with_inputs(recs, cols))
    with torch.no_grad():
        q = R.dataset_quantiles(model, d).numpy()
    return np.expm1(q)  # (m, 3) nats


def table(rows, keys, names):
    out = ["| " + " | ".join(keys + [f"MAE {v}" for v in names]) + " |", "|" + "---|" * (len(keys) + len(names))]
    groups = {}
    for r in rows:
        groups.setdefault(tuple(r[k] for k in keys), []).append(r)
    for g in sorted(groups):
        rs = groups[g]
        out.append("| " + " | ".join(str(v) for v in g) + " | "
                   + " | ".join(f"{np.mean([abs(r[v] - r['truth']) for r in rs]):.3f}" for v in names) + " |")
    return "\n".join(out)


def main(cache: str, n_fit: int):
    cache = Path(cache)
    cache.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)
    t0 = time.time()
    fit = collect(cache / f"fit-{n_fit}.npz", _stream_case, [(100, R.FIT_STREAM, i) for i in range(n_fit)])
    stop = collect(cache / f"stop-{STOP_SETS}.npz", _stream_case, [(100, R.STOP_STREAM, i) for i in range(STOP_SETS)])
    cases = atlas_suite(VAL_NS, VAL_DIMS, 25, families=prior.VALIDATION_FAMILIES, mi_max=5.0, seed=1)
    val = collect(cache / "validation.npz", _val_case, cases)
    t_feat = time.time() - t0
    _init(2)
    est = _EST["est"]
    cfg = R.RefineConfig(seed=100, family_weight="gauss_dense=2,gauss_sparse=2")
    stop_rows = [{"family": r["family"], "truth": r["truth"]} for r in stop]
    val_rows = [{"family": r["family"], "n": r["n"], "width": r["width"], "truth": r["truth"]} for r in val]
    fits = {}
    for name, cols in VARIANTS.items():
        t1 = time.time()
        model, rec = fit_variant(est, fit, stop, cols, cfg)
        fits[name] = {**rec, "minutes": round((time.time() - t1) / 60, 1)}
        for rows, recs in ((stop_rows, stop), (val_rows, val)):
            for r, q in zip(rows, medians(model, recs, cols)):
                r[name] = float(q[1])
                r[name + "_in"] = bool(q[0] <= r["truth"] <= q[2])
        print(f"{name}: {fits[name]}", file=sys.stderr)
    names = list(VARIANTS)
    print(f"# Whole-data-set statistics at several scales\n\nFit {len(fit)} data sets, early stopping "
          f"{len(stop)}, validation {len(val)} (seed 1); features {t_feat / 60:.0f} min.\n")
    print("## Fits\n\n| variant | extra inputs | stop pinball before | after | best epoch | minutes |\n|---|---|---|---|---|---|")
    for name, cols in VARIANTS.items():
        f = fits[name]
        print(f"| {name} | {N_GLOBAL * len(cols)} | {f['stop_pinball_before']} | {f['stop_pinball_after']} | "
              f"{f['best_epoch']} | {f['minutes']} |")
    for r in val_rows:
        r["all_rows"] = "all"
    print("\n## Validation families (seed 1), MAE of the median (nats), uncalibrated\n")
    print(table(val_rows, ["all_rows"], names) + "\n")
    print(table(val_rows, ["n"], names) + "\n")
    print(table(val_rows, ["family", "n"], names) + "\n")
    print(table(val_rows, ["width", "n"], names) + "\n")
    print("Raw (uncalibrated) 90% coverage on the validation families: "
          + ", ".join(f"{v} {np.mean([r[v + '_in'] for r in val_rows]):.0%}" for v in names) + "\n")
    print("## Early-stopping draws (training families), MAE of the median (nats)\n")
    for r in stop_rows:
        r["all_rows"] = "all"
    print(table(stop_rows, ["all_rows"], names) + "\n")
    print(table(stop_rows, ["family"], names))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
