"""Does a trunk that has seen atlas 1.7's structured families give the head better features?

The shipped trunk was pretrained on atlas 1.2 (continuous families, up to 32 dims per side); only
its refinement head saw the structured families (manifolds, clusters, pools, wide Gaussians).
More head data did not help the manifold families (docs/experiments/head_data), so the trunk's
features are the suspect.  This script compares fresh refinement heads (shipped settings: width
128, 80 epochs, loss weights gauss_dense=2,gauss_sparse=2; one head per seed) fitted on the features of

    shipped   the shipped trunk (cached by docs/experiments/multiscale/multiscale.py)
    NAME      each trunk given as NAME=WEIGHTS:CACHE (a weight file, and the folder that keeps its
              features), e.g. trunks warm-started from the shipped one on atlas 1.7's training families

on the same data sets: the first FIT of the atlas-1.7 fit stream (seed 100), 4,000 early-stopping
draws (stop stream), and the validation families at n = 1,000 and 5,000 (seed 1; never fitted on).
Held-out families are not read.

    python docs/experiments/trunk17/compare.py MULTISCALE_CACHE FIT NAME=WEIGHTS:CACHE [...] \
        [--seeds 100,101,102,103,104] > docs/experiments/trunk17/compare.md
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "multiscale"))
import multiscale as M  # noqa: E402

from infoatlas.atlas import prior  # noqa: E402
from infoatlas.bench.suite import atlas_suite  # noqa: E402
from infoatlas.knn import N_GLOBAL  # noqa: E402
from infoatlas.training import refine as R  # noqa: E402

_EST = {}


def _init(trunk: str):
    from infoatlas.estimator import InfoAtlas
    from infoatlas.weights import load_model

    torch.set_num_threads(1)
    model, meta = load_model(trunk)
    _, shipped = load_model("infoatlas-base")
    # the shipped feature settings (the trunk's pretraining does not read the head's settings)
    meta = {**meta, "features": shipped["features"]}
    _EST["est"] = InfoAtlas(R.with_head(model, 8, 128, n_global=N_GLOBAL), meta, random_state=0)


def _record(case):
    return M.trunk_record(_EST["est"], *case)


def _stream_case(job):
    x, y, mi, fam = R.draw_case(*job)
    return _record((x, y, mi, fam, x.shape[0]))


def _val_case(c):
    return _record((c.x, c.y, c.mi, c.family, c.n))


def fit_and_score(est, fit, stop, val, seeds):
    """One head per seed: per seed (stop pinball, validation medians (m,), stop medians (m,))."""
    out = []
    for seed in seeds:
        cfg = R.RefineConfig(seed=seed, family_weight="gauss_dense=2,gauss_sparse=2")
        model, rec = M.fit_variant(est, fit, stop, (), cfg)
        out.append((rec["stop_pinball_after"], M.medians(model, val, ())[:, 1], M.medians(model, stop, ())[:, 1]))
    return out


def trunk_features(trunk: str, cache: Path, n_fit: int, cases) -> dict:
    """The records of the fit, early-stopping and validation data sets with ``trunk``'s features,
    computed in two worker processes and kept in ``cache`` (read from there when present)."""
    cache.mkdir(parents=True, exist_ok=True)
    jobs_fit = [(100, R.FIT_STREAM, i) for i in range(n_fit)]
    jobs_stop = [(100, R.STOP_STREAM, i) for i in range(M.STOP_SETS)]
    return {"fit": M.collect(cache / f"fit-{n_fit}.npz", _stream_case, jobs_fit, _init, (trunk,)),
            "stop": M.collect(cache / f"stop-{M.STOP_SETS}.npz", _stream_case, jobs_stop, _init, (trunk,)),
            "val": M.collect(cache / "validation.npz", _val_case, cases, _init, (trunk,))}


def main(ms_cache: str, n_fit: int, trunks: list[tuple[str, str, Path]], seeds: list[int]):
    t0 = time.time()
    cases = atlas_suite(M.VAL_NS, M.VAL_DIMS, 25, families=prior.VALIDATION_FAMILIES, mi_max=5.0, seed=1)
    feats = {name: trunk_features(w, c, n_fit, cases) for name, w, c in trunks}
    minutes = (time.time() - t0) / 60
    ms = Path(ms_cache)
    old_fit = list(np.load(next(ms.glob("fit-*[0-9].npz")), allow_pickle=True)["recs"])[:n_fit]
    # the shipped head's 25 knn columns only (multiscale's records carry its extra scales too)
    old = {"fit": M.with_inputs(old_fit, ()),
           "stop": M.with_inputs(list(np.load(ms / f"stop-{M.STOP_SETS}.npz", allow_pickle=True)["recs"]), ()),
           "val": M.with_inputs(list(np.load(ms / "validation.npz", allow_pickle=True)["recs"]), ())}
    for new in feats.values():
        for k in old:  # the same data sets in the same order, read the same way up to the trunk
            assert [r["truth"] for r in old[k]] == [r["truth"] for r in new[k]], k
            assert all(np.array_equal(a["knn"], b["knn"]) and np.array_equal(a["stats"], b["stats"])
                       for a, b in zip(old[k], new[k])), k
    torch.set_num_threads(2)
    from infoatlas.estimator import InfoAtlas
    from infoatlas.weights import load_model

    res = {}
    for name, trunk_path, d in [("shipped", "infoatlas-base", old)] + [(nm, w, feats[nm]) for nm, w, _ in trunks]:
        model, meta = load_model(trunk_path)
        est = InfoAtlas(R.with_head(model, 8, 128, n_global=N_GLOBAL) if not model.cfg.n_knn else model, meta)
        res[name] = fit_and_score(est, d["fit"], d["stop"], d["val"], seeds)
        print(name, [round(r[0], 5) for r in res[name]], file=sys.stderr)
    truth_v = np.array([r["truth"] for r in old["val"]])
    truth_s = np.array([r["truth"] for r in old["stop"]])
    fam_v = np.array([r["family"] for r in old["val"]])
    n_v = np.array([r["n"] for r in old["val"]])
    fam_s = np.array([r["family"] for r in old["stop"]])
    names = list(res)
    print(f"# Fresh heads on the shipped trunk and on trunks warm-started on atlas 1.7\n\n"
          f"Fit {len(old['fit'])} data sets, early stopping {len(old['stop'])}, validation {len(old['val'])}; "
          f"heads of seeds {', '.join(map(str, seeds))} on each; features of {', '.join(feats)} computed or read "
          f"in {minutes:.0f} min.\n")
    print(f"| trunk | stop pinball (mean ± sd over seeds) | validation MAE | validation MAE, mean of the {len(seeds)} heads |")
    print("|---|---|---|---|")
    for name in names:
        p = np.array([r[0] for r in res[name]])
        v = np.array([np.abs(r[1] - truth_v).mean() for r in res[name]])
        ens = np.abs(np.mean([r[1] for r in res[name]], 0) - truth_v).mean()
        print(f"| {name} | {p.mean():.4f} ± {p.std(ddof=1):.4f} | {v.mean():.3f} ± {v.std(ddof=1):.3f} | {ens:.3f} |")

    def by(keys, truth, idx, j):  # j: 1 validation medians, 2 early-stopping medians
        print("\n| " + " | ".join(keys) + " | " + " | ".join(f"MAE {n}" for n in names) + " |")
        print("|" + "---|" * (len(keys) + len(names)))
        for key in sorted(set(zip(*[k for k in idx]))):
            sel = np.all([np.asarray(a) == v for a, v in zip(idx, key)], axis=0)
            cells = [np.mean([np.abs(r[j][sel] - truth[sel]).mean() for r in res[n]]) for n in names]
            print("| " + " | ".join(map(str, key)) + " | " + " | ".join(f"{c:.3f}" for c in cells) + " |")

    print("\n## Validation families (MAE of the median, nats; mean over the heads)")
    by(["family", "n"], truth_v, [fam_v, n_v], 1)
    print("\n## Early-stopping draws, training families (optimistic for both alike)")
    by(["family"], truth_s, [fam_s], 2)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("ms_cache")
    ap.add_argument("n_fit", type=int)
    ap.add_argument("trunks", nargs="+", help="NAME=WEIGHTS:CACHE")
    ap.add_argument("--seeds", default="100,101,102,103,104")
    a = ap.parse_args()
    parsed = [(t.split("=", 1)[0], *t.split("=", 1)[1].rsplit(":", 1)) for t in a.trunks]
    names = [p[0] for p in parsed]
    if len(set(names)) < len(names) or "shipped" in names:
        ap.error(f"trunk names must differ from each other and from 'shipped', got {names}")
    main(a.ms_cache, a.n_fit, [(nm, w, Path(c)) for nm, w, c in parsed], [int(v) for v in a.seeds.split(",")])
