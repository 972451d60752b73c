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
# width classes of the factors (dx + dy): the grid's six narrow cells (2-20 columns) and its two wide
# ones (64, 96); 200 data sets per n in the wide class leave 10 in each tail's 5%
DEFAULT_WIDTH_EDGES = (20,)
# the smallest distance (log1p nats) from the median to an outer quantile that the factors multiply;
# 0.02 on the seed-0 calibration data: mean interval width in log1p 0.71 -> 0.57 at the same
# coverage, coverage by true-MI band within 1 point of no floor (docs/experiments/width_calibration)
DEFAULT_SPREAD_FLOOR = 0.02


def interval_scales(q: np.ndarray, truth: np.ndarray, coverage: float = 0.9,
                    floor: float = 0.0) -> tuple[float, float]:
    """Per-tail factors (lower, upper) that make [mid - s_lo d_lo, mid + s_hi d_hi] cover
    ``coverage`` of the data sets, half the miss on each side; d_lo = max(mid - lo, floor) and
    d_hi = max(hi - mid, floor).

    q : (m, 3) quantiles of log1p(MI) (lower, median, upper); truth : (m,) true MI in nats.
    Uses the finite-sample conformal level ceil((m + 1)(1 - alpha)) / m, alpha = (1 - coverage) / 2.
    """
    q, t = np.asarray(q, float), np.log1p(np.asarray(truth, float))
    lo, mid, hi = q[:, 0], q[:, 1], q[:, 2]
    m = t.size
    alpha = (1.0 - coverage) / 2.0
    level = min(1.0, math.ceil((m + 1) * (1.0 - alpha)) / m)
    # the quantile heads keep the outer quantiles strictly away from the median (softplus offsets)
    a = (mid - t) / np.maximum(mid - lo, max(floor, 1e-12))
    b = (t - mid) / np.maximum(hi - mid, max(floor, 1e-12))
    return float(np.quantile(a, level, method="higher")), float(np.quantile(b, level, method="higher"))


def coverage_of(q: np.ndarray, truth: np.ndarray, scales=(1.0, 1.0), floor: float = 0.0) -> float:
    """Share of data sets whose true MI lies in the (scaled) interval, with the estimator's rule
    (bounds below 0 in log1p space are 0); ``scales`` = (lower, upper), floats or (m,) arrays;
    ``floor`` as in :func:`interval_scales`."""
    from ..intervals import scale_interval

    q, t = np.asarray(q, float), np.log1p(np.asarray(truth, float))
    lo, hi = np.maximum(scale_interval(q[:, 0], q[:, 1], q[:, 2], *scales, floor), 0.0)
    return float(np.mean((lo <= t) & (t <= hi)))


def validation_quantiles(weights, ns=DEFAULT_NS, dims=DEFAULT_DIMS, per_cell: int = 100, seed: int = 0,
                         mi_max: float = 5.0):
    """The network's raw quantiles on the validation suite: q (m, 3) log1p(MI), truth (m,) nats,
    and each data set's n (m,) and width dx + dy (m,)."""
    from ..atlas import prior
    from ..bench.suite import atlas_suite
    from ..estimator import InfoAtlas

    est = InfoAtlas.from_pretrained(weights)
    q_idx = list(est.cfg.quantiles)
    cols = [0, q_idx.index(0.5), len(q_idx) - 1]
    cases = atlas_suite(ns, dims, per_cell, families=prior.VALIDATION_FAMILIES, mi_max=mi_max, seed=seed)
    qs, truth, n, width = [], [], [], []
    for s in range(0, len(cases), 32):  # in groups, so that the prepared inputs stay small
        part = cases[s: s + 32]
        for c, qq in zip(part, est.quantiles([est.prepare(c.x, c.y, null=False) for c in part])):
            if qq is not None:  # None: a constant side (MI known 0); not drawn by the atlas
                qs.append(qq[cols].numpy())
                truth.append(c.mi)
                n.append(c.n)
                width.append(c.x.shape[1] + c.y.shape[1])
    return np.array(qs), np.array(truth), np.array(n), np.array(width)


def width_classes(width: np.ndarray, edges=DEFAULT_WIDTH_EDGES) -> tuple[np.ndarray, list[int]]:
    """Each data set's width class (m,) and the classes' anchor widths, increasing.

    Class j holds the widths dx + dy in (edges[j-1], edges[j]]; the last class everything above the
    last edge.  A class's anchor is its widest width, the last class's its narrowest: factors are
    as fitted up to the widest width of a class and interpolated in log width across the gap to the
    next class, so that no width between two classes gets factors beyond both.
    """
    width = np.asarray(width)
    cls = np.searchsorted(np.asarray(edges), width, side="left")  # (m,): 0 .. len(edges)
    present = np.unique(cls)
    anchors = [int(width[cls == c].min() if c == present[-1] and len(present) > 1 else width[cls == c].max())
               for c in present]
    return np.searchsorted(present, cls), anchors


def calibrate(weights, out_path, *, ns=DEFAULT_NS, dims=DEFAULT_DIMS, per_cell: int = 100, seed: int = 0,
              coverage: float = 0.9, min_scale: float = 1.0, width_edges=DEFAULT_WIDTH_EDGES,
              floor: float = DEFAULT_SPREAD_FLOOR, at_least_pooled: bool = True) -> dict:
    """Fit the interval factors of ``weights`` on the validation families and write the weight file
    with them to ``out_path``.  Returns the calibration record stored in its metadata.

    One pair of factors per sample size in ``ns`` and width class (``width_classes``; the estimator
    interpolates them in log n and log width and holds the end values beyond).  Per n: on the
    validation families the upper factor needed at n = 200 was about 1.5 and at n >= 500 about
    2.3-2.6, so one pooled factor over-covers small n and under-covers large n.  Per width: wide
    data (64 and 96 columns) need wider factors than narrow data at the same n, and factors pooled
    over widths under-covered wide data at n = 20,000 (see docs/experiments/width_calibration);
    with ``at_least_pooled`` a class's factors are never below those fitted on all widths together
    (see :func:`fit_record`).  ``width_edges=()`` fits one class (factors by n only).

    ``floor`` (log1p nats): the network's distances from the median to its outer quantiles are
    taken at least this large before the factors multiply them (the estimator reads it from the
    record); at n = 20,000 the network's quantiles on wide data nearly meet (median distance 0.02,
    misses of 0.2), which without a floor asked for an upper factor of 31 on all wide data.

    ``min_scale`` (default 1: widen only): the validation families can show that a tail is too
    narrow for families the network has not seen, but a factor below 1 would only say that these
    families are easier than the training families in that tail, which need not hold for others.
    """
    from ..weights import load_model, save_model

    q, truth, n, width = validation_quantiles(weights, ns, dims, per_cell, seed)
    record = calibration_record(q, truth, n, width, ns=ns, dims=dims, per_cell=per_cell, seed=seed,
                                coverage=coverage, min_scale=min_scale, width_edges=width_edges, floor=floor,
                                at_least_pooled=at_least_pooled)
    model, meta = load_model(weights)
    save_model(model, out_path, {**meta, "interval_calibration": record})
    return record


def calibration_record(q, truth, n, width, *, ns=DEFAULT_NS, dims=DEFAULT_DIMS, per_cell: int = 100, seed: int = 0,
                       coverage: float = 0.9, min_scale: float = 1.0, width_edges=DEFAULT_WIDTH_EDGES,
                       floor: float = DEFAULT_SPREAD_FLOOR, at_least_pooled: bool = True) -> dict:
    """The weight file's ``interval_calibration`` record from :func:`validation_quantiles`'s output
    (q, truth, n, width) drawn with ``ns``, ``dims``, ``per_cell`` and ``seed``: the fitted factors
    (:func:`fit_record`) and what they were fitted on."""
    from ..atlas import prior

    record = fit_record(q, truth, n, width, ns=ns, coverage=coverage, min_scale=min_scale, width_edges=width_edges,
                        floor=floor, at_least_pooled=at_least_pooled)
    record.update({"families": list(prior.VALIDATION_FAMILIES), "atlas_version": prior.ATLAS_VERSION, "seed": seed,
                   "dims": [f"{a}x{b}" for a, b in dims], "per_cell": per_cell})
    return record


def fit_record(q, truth, n, width, *, ns=DEFAULT_NS, coverage: float = 0.9, min_scale: float = 1.0,
               width_edges=DEFAULT_WIDTH_EDGES, floor: float = DEFAULT_SPREAD_FLOOR,
               at_least_pooled: bool = True) -> dict:
    """The calibration record fitted on the network's quantiles q (m, 3), the truths (m,) in nats and
    each data set's n (m,) and width dx + dy (m,): conformal factors per (n in ``ns``, width class),
    applied to the network's spreads taken at least ``floor``.

    ``at_least_pooled``: a class's factors are kept no smaller than those fitted on all widths at
    that n, as ``min_scale`` keeps them no smaller than 1: a class that needs less than the pool
    shows only that the validation families are easier at those widths, which need not hold for
    other families.  Left out one validation family at a time, factors by class alone covered
    the left-out family's narrow data 87% (pooled: 90%), with this rule 90% (wide data 85% -> 88%).
    """
    cls, anchors = width_classes(width, width_edges)
    fitted = np.array([[interval_scales(q[(n == k) & (cls == c)], truth[(n == k) & (cls == c)], coverage, floor)
                        for c in range(len(anchors))] for k in ns])  # (len(ns), len(anchors), 2)
    pooled = np.array([interval_scales(q[n == k], truth[n == k], coverage, floor) for k in ns])  # (len(ns), 2)
    kept = np.maximum(fitted, min_scale)
    if at_least_pooled:
        kept = np.maximum(kept, pooled[:, None, :])
    per_set = kept[np.searchsorted(ns, n), cls]  # (m, 2): each data set's own factors
    r4 = lambda a: np.round(np.asarray(a, float), 4).tolist()  # noqa: E731
    one = len(anchors) == 1  # one class: flat lists per n (the record without widths)
    pick = (lambda a: r4(a[:, 0])) if one else r4
    record = {"ns": list(ns)} | ({} if one else {"widths": anchors, "width_edges": list(width_edges),
                                                 "at_least_pooled": at_least_pooled,
                                                 "fitted_pooled_lower": r4(pooled[:, 0]),
                                                 "fitted_pooled_upper": r4(pooled[:, 1])})
    record |= {"spread_floor": floor, "lower": pick(kept[..., 0]), "upper": pick(kept[..., 1]),
               "fitted_lower": pick(fitted[..., 0]), "fitted_upper": pick(fitted[..., 1]),
               "pooled_fit": r4(interval_scales(q, truth, coverage, floor)),
               "min_scale": min_scale, "coverage_target": coverage, "data_sets": int(truth.size),
               "coverage_before": round(coverage_of(q, truth), 4),
               "coverage_after": round(coverage_of(q, truth, (per_set[:, 0], per_set[:, 1]), floor), 4)}
    return record
