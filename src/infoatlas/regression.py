"""A lower bound of the MI that the data prove by regression: I(X; Y) >= h(T) - h(T - g(S)).

For a column T of one side, the other side S, and any function g, h(T | S) = h(T - g(S) | S) <=
h(T - g(S)), so I(S; T) >= h(T) - h(T - g(S)), and I(X; Y) >= I(S; T) by data processing.  Here g
is a local quadratic fit at each row from its nearest other rows in S (leave one out: the residual
of a row is that of a fit that did not see it, an out-of-sample residual), and both entropies are
1-D spacing estimates (:func:`scipy.stats.differential_entropy`).  The better g fits, the closer
the bound comes to I(S; T); where T is a function of S (a derived column: BMI of height and weight,
a sum or a product of columns, |x|, a polar angle) the residuals are rounding noise and the MI of
continuous columns is infinite.

This is what the network cannot see: it reads the sides through a canonical form fitted for
Gaussian-like dependence, and strongly non-linear dependence over several columns reads far too
low there (a column that is a + b c of three others: 1.5 nats for an infinite MI; the
held-out ``functional_noise`` family read at about half its MI from 2 nats;
docs/experiments/real_shapes/functions.md).  :func:`infoatlas.checks.regression_check` applies it.

Each column of each side is a target, read both as it is and as its normal scores (an invertible
map of T: the same MI, and a heavy-tailed column regresses better that way); the predictors are
read as they are, robustly scaled (normal scores of the predictors add the ranks' noise to the
neighbourhoods, which hides functions; they gained on 1 of the 60 functional_noise data sets
the rule was chosen on, at twice the cost).  The bound is the largest of these, less a margin for
its sampling spread (:data:`MARGIN`).  A side of two to four target columns is also read along the
combination of its columns that the fit predicts best (:func:`combination`), which finds a function
of the other side that a linear map has spread over several columns.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import linalg, stats
from scipy.spatial import cKDTree

#: predictor sides of at most this many columns (a quadratic in 4 columns has 15 terms, fitted on
#: 30 neighbours; wider sides need more rows than the data sets we see have)
DIMS_MAX = 4
#: target sides of at most this many columns (one solve reads them all; the cost is in the fits)
TARGETS_MAX = 64
#: target sides of 2 to this many columns are also read along the combination of their columns
#: that the fit predicts best (a function that a linear map has spread over several columns);
#: choosing the combination on the same rows raises the bound by about sqrt(columns / rows) nats (the
#: smallest eigenvalue of a sample variance ratio), below MARGIN / sqrt(rows) for these widths
COMBINE_MAX = 4
#: rows read: a value-ordered subset above ROWS (row-order free), none below MIN_ROWS
ROWS = 1_000
MIN_ROWS = 200
#: the bound less MARGIN / sqrt(rows): over 30 draws of one noisy pair its standard deviation was
#: 1.2-2.7 / sqrt(rows), its mean 0.1-0.5 nats below the MI, its largest at most 0.04 above
#: (docs/experiments/real_shapes/functions.md, last table; 0.11 above on an earlier set of draws)
MARGIN = 3.0
#: a target whose median absolute residual is below this share of its median absolute deviation is a
#: function of the other side (noise below 0.45% of its spread: the residual of a normal pair at the
#: copies' canonical correlation 1 - 1e-5, :data:`infoatlas.features.COPY_RHO`)
FUNCTION_RATIO = math.sqrt(2e-5)
#: bounds are capped here (nats): the residuals of an exact function are rounding noise, whose
#: entropy says nothing more
BOUND_MAX = 20.0


@dataclass(frozen=True)
class RegressionBound:
    """The largest bound found, ``value`` (nats), and ``lower`` = value - MARGIN / sqrt(rows); its
    target's ``side`` ("X" or "Y") and ``column`` (0-based among the side's non-constant columns;
    None: the combination of the side's columns of :func:`combination`); ``function``: (side,
    column, ratio) of the column (or combination) that is most nearly a function of the other side,
    where its median absolute residual over its median absolute deviation (raw values), ``ratio``,
    is below FUNCTION_RATIO, else None; ``rows`` read."""

    value: float
    lower: float
    side: str
    column: int | None
    function: tuple | None
    rows: int


def robust_scale(a: np.ndarray) -> np.ndarray:
    """Columns of a (m, d) centred at their medians and divided by their interquartile ranges
    (their standard deviations where that is 0): a distance for neighbours that tails do not set."""
    q1, q3 = np.percentile(a, [25, 75], axis=0)
    s = np.where(q3 > q1, q3 - q1, a.std(axis=0))
    return (a - np.median(a, axis=0)) / np.where(s > 0, s, 1.0)


def _quadratic(d: np.ndarray) -> np.ndarray:
    """Offsets d (m, k, p) -> the design (m, k, q) of a full quadratic: 1, d_i, d_i d_j (i <= j),
    q = 1 + p + p (p + 1) / 2."""
    m, k, p = d.shape
    iu, ju = np.triu_indices(p)
    return np.concatenate([np.ones((m, k, 1)), d, d[:, :, iu] * d[:, :, ju]], axis=2)


def loo_residuals(s: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Residuals (m, c) of targets t (m, c) at each row of predictors s (m, p), from a local
    quadratic fit on the row's 2 q nearest other rows (Euclidean in s; at least 12).

    The offsets are divided by the neighbourhood's radius (terms of order 1) and the normal equations
    get a ridge of 1e-8 of their mean diagonal (collinear predictors stay solvable); the fit's value
    at offset 0, its intercept, is the prediction."""
    m, p = s.shape
    q = 1 + p + p * (p + 1) // 2
    k = max(2 * q, 12)
    _, idx = cKDTree(s).query(s, k=k + 1)
    idx = idx[:, 1:]                                                  # (m, k): the row itself left out
    d = s[idx] - s[:, None, :]                                        # (m, k, p)
    radius = np.sqrt((d ** 2).sum(2)).max(1)                          # (m,)
    a = _quadratic(d / np.where(radius > 0, radius, 1.0)[:, None, None])   # (m, k, q)
    at = a.transpose(0, 2, 1)                                         # (m, q, k)
    ata = at @ a                                                      # (m, q, q)
    ata += (1e-8 * np.trace(ata, axis1=1, axis2=2) / q)[:, None, None] * np.eye(q)
    coef = np.linalg.solve(ata, at @ t[idx])                          # (m, q, c)
    return t - coef[:, 0, :]


def combination(t: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Targets t (m, c) and their residuals r (m, c) -> (t a, r a), both (m,), for the combination a
    of the standardised columns that minimises var(r a) / var(t a) (the generalized eigenvector of
    the smallest eigenvalue; the fits are linear in the targets, so r a is the residual of t a);
    None where the columns' covariance is singular."""
    sd = t.std(axis=0)
    ts, rs = t / sd, r / sd
    try:
        _, v = linalg.eigh(np.cov(rs.T), np.cov(ts.T), subset_by_index=[0, 0])
    except (linalg.LinAlgError, ValueError):
        return None
    return ts @ v[:, 0], rs @ v[:, 0]


def column_bounds(t: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per column of targets t (m, c) with residuals r (m, c) (:func:`loo_residuals`): the bound
    h(t) - h(residual) (nats, capped at BOUND_MAX) and the median absolute residual over the median
    absolute deviation, both (c,)."""
    c = t.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        h = stats.differential_entropy(np.hstack([t, r]), axis=0)     # (2 c,): one call for all columns
        b = h[:c] - h[c:]
        mad = np.median(np.abs(t - np.median(t, axis=0)), axis=0)
        ratio = np.median(np.abs(r), axis=0) / mad
    # residuals that repeat exactly (an exact function on a grid) give an entropy of -inf: capped
    return np.where(np.isnan(b), -np.inf, np.minimum(b, BOUND_MAX)), np.where(np.isnan(ratio), np.inf, ratio)


def applies(dim_x: int, dim_y: int, m: int) -> bool:
    """Whether a side can be a predictor here (at most DIMS_MAX columns, the other at most
    TARGETS_MAX) on m >= MIN_ROWS rows."""
    return m >= MIN_ROWS and any(a <= DIMS_MAX and b <= TARGETS_MAX for a, b in ((dim_x, dim_y), (dim_y, dim_x)))


def regression_bound(x: np.ndarray, y: np.ndarray, zx: np.ndarray, zy: np.ndarray,
                     order: np.ndarray | None = None) -> RegressionBound | None:
    """The largest regression bound of I(X; Y) over the columns of both sides (module docstring).

    x (m, dx), y (m, dy): the raw values, float64, non-constant and untied columns; zx, zy their
    normal scores, same shapes.  ``order``: a row order fixed by the values
    (:func:`infoatlas.features.order_rows`), whose first ROWS rows are read where m > ROWS (needed
    then).  None where no side can be a predictor (:func:`applies`)."""
    m = x.shape[0]
    if not applies(x.shape[1], y.shape[1], m):
        return None
    if m > ROWS:
        keep = np.sort(order[:ROWS])
        x, y, zx, zy, m = x[keep], y[keep], zx[keep], zy[keep], ROWS
    found, function = [], None
    for side, (s, t, zt) in (("Y", (x, y, zy)), ("X", (y, x, zx))):
        if s.shape[1] > DIMS_MAX or t.shape[1] > TARGETS_MAX:
            continue
        c = t.shape[1]
        targets = np.hstack([t, zt])                                    # (m, 2 c): raw targets, then scores
        res = loo_residuals(robust_scale(s), targets)
        names = list(range(c)) * 2                                      # the column each target reads
        raw = list(range(c))                                            # the raw ones (function test)
        if 2 <= c <= COMBINE_MAX:
            for part in (slice(0, c), slice(c, 2 * c)):
                comb = combination(targets[:, part], res[:, part])
                if comb is not None:
                    if part.start == 0:
                        raw.append(len(names))
                    targets, res = np.column_stack([targets, comb[0]]), np.column_stack([res, comb[1]])
                    names.append(None)
        b, ratio = column_bounds(targets, res)
        j = int(np.argmax(b))
        found.append((float(b[j]), side, names[j]))
        # the function test reads raw targets only (the ranks' own noise, about 1e-2 of a column's
        # spread at 1,000 rows, would hide a function)
        r = raw[int(np.argmin(ratio[raw]))]
        if ratio[r] < FUNCTION_RATIO and (function is None or ratio[r] < function[2]):
            function = (side, names[r], float(ratio[r]))
    value, side, column = max(found, key=lambda f: f[0])
    return RegressionBound(value, value - MARGIN / math.sqrt(m), side, column, function, m)
