"""Calibrate a weight file's 90% intervals on the atlas's validation families (split conformal).

The network's 5% and 95% quantiles cover about 90% of fresh data sets from the training families,
but less on families it has never seen: a distribution shift that no amount of in-distribution
calibration reveals.  The validation families (``prior.VALIDATION_FAMILIES``: rotated Clayton
copula pairs, spiralled Gaussians, Fourier-perturbed manifolds and clusters on shells, pooled) are in neither the training atlas nor the held-out
benchmark, so they stand in for "a family not seen" without using the benchmark's families.  Per tail, the interval's distance from the median (in log1p MI) is
multiplied by the factor that leaves 5% of the validation data sets outside: the conformal
quantile of the scores

    a_i = (mid_i - t_i) / (mid_i - lo_i)   (lower tail),   b_i = (t_i - mid_i) / (hi_i - mid_i),

with t_i = log1p(true MI_i).  The factors go into the weight file's metadata
(``interval_calibration``); the weights themselves are unchanged.
"""
from __future__ import annotations

import math

import numpy as np

DEFAULT_NS = (200, 500, 1000, 2000, 5000, 20000)  # 20,000: wide structured data at large n under-covered with the 5,000 factors
# deliberately not the benchmark's dims grids (1x1, 3x3, 2x6, 8x8; structured: 1x64 ... 64x64); two
# wide cells, so that the validation families are seen with many ambient dimensions (with 16x48 alone,
# 48x48 and 24x72 validation data sets of seed 1 were covered 63% at n = 20,000)
DEFAULT_DIMS = ((1, 1), (2, 2), (4, 4), (1, 5), (3, 8), (10, 10), (16, 48), (48, 48))


def interval_scales(q: np.ndarray, truth: np.ndarray, coverage: float = 0.9) -> tuple[float, float]:
    """Per-tail factors (lower, upper) that make [mid - s_lo (mid - lo), mid + s_hi (hi - mid)]
    cover ``coverage`` of the data sets, half the miss on each side.

    q : (m, 3) quantiles of log1p(MI) (lower, median, upper); truth : (m,) true MI in nats.
    Uses the finite-sample conformal level ceil((m + 1)(1 - alpha)) / m, alpha = (1 - coverage) / 2.
    """
    q, t = np.asarray(q, float), np.log1p(np.asarray(truth, float))
    lo, mid, hi = q[:, 0], q[:, 1], q[:, 2]
    m = t.size
    alpha = (1.0 - coverage) / 2.0
    level = min(1.0, math.ceil((m + 1) * (1.0 - alpha)) / m)
    # the quantile heads keep the outer quantiles strictly away from the median (softplus offsets)
    a = (mid - t) / np.maximum(mid - lo, 1e-12)
    b = (t - mid) / np.maximum(hi - mid, 1e-12)
    return float(np.quantile(a, level, method="higher")), float(np.quantile(b, level, method="higher"))


def coverage_of(q: np.ndarray, truth: np.ndarray, scales=(1.0, 1.0)) -> float:
    """Share of data sets whose true MI lies in the (scaled) interval, with the estimator's rule
    (bounds below 0 in log1p space are 0); ``scales`` = (lower, upper), floats or (m,) arrays."""
    from ..intervals import scale_interval

    q, t = np.asarray(q, float), np.log1p(np.asarray(truth, float))
    lo, hi = np.maximum(scale_interval(q[:, 0], q[:, 1], q[:, 2], *scales), 0.0)
    return float(np.mean((lo <= t) & (t <= hi)))


def validation_quantiles(weights, ns=DEFAULT_NS, dims=DEFAULT_DIMS, per_cell: int = 100, seed: int = 0,
                         mi_max: float = 5.0):
    """The network's raw quantiles on the validation suite: q (m, 3) log1p(MI), truth (m,) nats,
    and each data set's n (m,)."""
    from ..atlas import prior
    from ..bench.suite import atlas_suite
    from ..estimator import InfoAtlas

    est = InfoAtlas.from_pretrained(weights)
    q_idx = list(est.cfg.quantiles)
    cols = [0, q_idx.index(0.5), len(q_idx) - 1]
    cases = atlas_suite(ns, dims, per_cell, families=prior.VALIDATION_FAMILIES, mi_max=mi_max, seed=seed)
    qs, truth, n = [], [], []
    for s in range(0, len(cases), 32):  # in groups, so that the prepared inputs stay small
        part = cases[s: s + 32]
        for c, qq in zip(part, est.quantiles([est.prepare(c.x, c.y, null=False) for c in part])):
            if qq is not None:  # None: a constant side (MI known 0); not drawn by the atlas
                qs.append(qq[cols].numpy())
                truth.append(c.mi)
                n.append(c.n)
    return np.array(qs), np.array(truth), np.array(n)


def calibrate(weights, out_path, *, ns=DEFAULT_NS, dims=DEFAULT_DIMS, per_cell: int = 100, seed: int = 0,
              coverage: float = 0.9, min_scale: float = 1.0) -> dict:
    """Fit the interval factors of ``weights`` on the validation families and write the weight file
    with them to ``out_path``.  Returns the calibration record stored in its metadata.

    One pair of factors per sample size in ``ns`` (the estimator interpolates them in log n and
    holds the end values beyond): on the validation families the upper factor needed at n = 200 was
    about 1.5 and at n >= 500 about 2.3-2.6, so one pooled factor over-covers small n
    and under-covers large n.

    ``min_scale`` (default 1: widen only): the validation families can show that a tail is too
    narrow for families the network has not seen, but a factor below 1 would only say that these
    families are easier than the training families in that tail, which need not hold for others.
    """
    from ..atlas import prior
    from ..weights import load_model, save_model

    q, truth, n = validation_quantiles(weights, ns, dims, per_cell, seed)
    fitted = np.array([interval_scales(q[n == k], truth[n == k], coverage) for k in ns])  # (len(ns), 2)
    kept = np.maximum(fitted, min_scale)
    per_set = kept[np.searchsorted(ns, n)]  # (m, 2): each data set's own factors
    r4 = lambda a: [round(float(v), 4) for v in a]  # noqa: E731
    record = {"ns": list(ns), "lower": r4(kept[:, 0]), "upper": r4(kept[:, 1]),
              "fitted_lower": r4(fitted[:, 0]), "fitted_upper": r4(fitted[:, 1]),
              "pooled_fit": r4(interval_scales(q, truth, coverage)),
              "min_scale": min_scale, "coverage_target": coverage,
              "families": list(prior.VALIDATION_FAMILIES), "atlas_version": prior.ATLAS_VERSION,
              "data_sets": int(truth.size), "seed": seed,
              "dims": [f"{a}x{b}" for a, b in dims], "per_cell": per_cell,
              "coverage_before": round(coverage_of(q, truth), 4),
              "coverage_after": round(coverage_of(q, truth, (per_set[:, 0], per_set[:, 1])), 4)}
    model, meta = load_model(weights)
    save_model(model, out_path, {**meta, "interval_calibration": record})
    return record
