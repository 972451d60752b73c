"""Mutual information when the rows of both sides repeat: finite pools of points, heavy ties.

Data whose X and Y each take few distinct rows for the sample size (a finite pool of points per
cluster, values rounded to many levels on every column) are far from what the network was trained
on: on fresh draws of training families with both sides repeating (n = 500 to 5,000), where each
distinct row occurred ten times or more, the network erred by 0.12 nats on average and its 90%
intervals covered the truth in 80% of data sets, while KSG with a tiny jitter that breaks the ties
erred by 0.02 (docs/experiments/pool_route/summary.md).  On such data the jitter makes KSG
a plug-in estimate at the scale of the copies of a row and a nearest-neighbour estimate at the
scale of the pool's geometry, and both are right there.

:func:`is_pooled` decides (both sides at most ``POOLED_SHARE`` distinct rows per row);
:func:`pooled_estimate` gives the estimate and its 90% interval.  Columns that are discrete
(labels, categories, few-valued columns) never come here: :mod:`infoatlas.discrete` takes them first.
"""
from __future__ import annotations

import zlib

import numpy as np
from scipy.spatial import cKDTree

from .atoms import atom_values
from .discrete import AUTO_ROWS_PER_LEVEL, Z90, half_sample_spread, side_entropy
from .discrete import standardise as _standardise
from .knn import knn_radius, ksg_value
from .validation import check_random_state

#: a side is pooled when its distinct rows are at most this share of the rows (each distinct row
#: occurs twice on average or more); both sides must be
POOLED_SHARE = 0.5
#: fewer rows than this are left to the network (and so are data with at most three rows per column:
#: the estimator's few-rows rule checks them against permuted copies)
POOLED_MIN_ROWS = 40
POOLED_K = 3       #: neighbours of the KSG estimate
POOLED_REPS = 8    #: half-samples of the interval
#: at most this many rows are read (a simple random subsample above it):
#: KSG's neighbour search grows about as n^2 at many columns (64+64 columns: 3.9 s for one KSG at
#: 5,000 rows on 2 cores, and the interval runs it eight times more on halves), and on the selection
#: data the route erred by 0.02 nats at 5,000 rows already
POOLED_MAX_ROWS = 5_000
#: the jitter is at most this fraction of the smallest gap between distinct values of any column
#: (standardised), so that copies of a row stay closer to each other than to any other row
JITTER_OF_GAP = 1e-3
JITTER_MIN = 1e-12  #: and at least this (standardised units): smaller offsets vanish in float64


def distinct_share(a: np.ndarray) -> float:
    """Distinct rows of a (n, d) over n."""
    if a.shape[0] == 0:
        return 1.0
    return _distinct_rows(a) / a.shape[0]


def is_pooled(x: np.ndarray, y: np.ndarray) -> bool:
    """Whether x (n, dx) and y (n, dy) both repeat their rows: at most POOLED_SHARE distinct rows
    per row on each side, and at least POOLED_MIN_ROWS rows.  One sort of one column decides most
    continuous data (a column with more distinct values than that rules its side out)."""
    n = x.shape[0]
    if n < POOLED_MIN_ROWS or x.shape[1] == 0 or y.shape[1] == 0:
        return False
    cap = POOLED_SHARE * n
    for a in (x, y):
        if np.unique(a[:, 0]).size > cap:
            return False
    return distinct_share(x) <= POOLED_SHARE and distinct_share(y) <= POOLED_SHARE


def repeat_bound(x: np.ndarray, y: np.ndarray) -> tuple[float, float, str] | None:
    """What the data prove about I(X; Y) when the rows of a side repeat (at most POOLED_SHARE
    distinct rows per row), for the routes that do not read the rows themselves (the network):
    (h, log k, side) with h the entropy of that side's observed row frequencies and k its number of
    distinct rows; when both sides repeat, the smaller h (and its side) and the smaller log k.  None
    when neither side repeats.

    A variable that takes finitely many values shares at most its entropy with anything.  ``h`` is
    the bound the estimates of :mod:`infoatlas.discrete` and :func:`pooled_estimate` are clipped to
    (a user can check it on the data); it reads the population's entropy low by about
    (k - 1) / (2 n) nats when many rows are rare, so the upper end of an interval is clipped at
    log k, the largest entropy of k values, instead.  x (n, dx) and y (n, dy) may be raw values or
    copula scores (equal rows stay equal, distinct rows distinct); one sort of one column rules out
    most continuous sides."""
    found = []
    for side, a in (("X", x), ("Y", y)):
        n = a.shape[0]
        if n == 0 or a.shape[1] == 0 or np.unique(a[:, 0]).size > POOLED_SHARE * n:
            continue
        k = _distinct_rows(a)
        if k <= POOLED_SHARE * n:
            found.append((side_entropy(a), float(np.log(k)), side))
    if not found:
        return None
    h, _, side = min(found)
    return h, min(f[1] for f in found), side


#: rows are read as copies of records only when the copies are at least this share of the rows:
#: fewer copies moved the estimate little (Gaussians, 1 + 1 to 5 + 5 dims, 1,000 records: at most
#: +0.016 nats with 1-3% of the rows copied, up to +0.06 with 10%, +0.03 to +0.42 with 30%;
#: docs/experiments/copied_records), and measurements rounded to a grid tie now and then (iris: one
#: of 150 rows), which are observations, not copies
COPIES_MIN_SHARE = 0.05


def copied_records(a: np.ndarray, keys) -> np.ndarray | None:
    """Rows of a (n, d) (X's and Y's columns side by side) to keep when its rows are copies of
    records, else None: the index of one copy of each distinct row, the distinct rows in
    lexicographic order (so the kept data do not depend on the order of the rows).

    The rows are read as copies of records (rows appended twice, a bootstrap or oversampled data
    set) when whole rows repeat (copies at least COPIES_MIN_SHARE of the rows), fewer than
    AUTO_ROWS_PER_LEVEL times per distinct row on average (the automatic discrete rule's least rows
    per category), and the columns of one of ``keys`` (lists of column indices of a: a side with a
    continuous column, or one continuous column) take as many distinct values as there are distinct
    rows: that side identifies the record, and its values repeat only where a whole row does (and
    none of its columns has atoms, :func:`infoatlas.atoms.atom_values`, which repeat by design).  A
    continuous measurement sampled from a population has no repeated values, so there the copies
    are an artefact, and every estimator reads them as dependence: independent 3 + 3 dimensional
    Gaussians (1,000 records) read 0.74 nats with each row appended twice and 1.26 (intervals
    excluding 0) as a bootstrap resample, against 0.011 on the records
    (docs/experiments/copied_records).  Categories of a finite set (at least AUTO_ROWS_PER_LEVEL
    rows each on average) stay as they are: there the copies are the data (:mod:`infoatlas.pooled`,
    :mod:`infoatlas.discrete`).  a must be finite."""
    n = a.shape[0]
    # one sort of one column rules out most data: its distinct values bound the distinct rows
    if n == 0 or a.shape[1] == 0 or np.unique(a[:, 0]).size > (1 - COPIES_MIN_SHARE) * n:
        return None
    _, first = np.unique(a, axis=0, return_index=True)
    k = first.size
    if n - k < COPIES_MIN_SHARE * n or n >= AUTO_ROWS_PER_LEVEL * k:
        return None
    # a key side whose column has atoms (a value in a share of the rows next to distinct ones:
    # zero-inflated, censored) repeats by design, and rows on two atoms repeat whole: not copies
    if any(len(cols) and _distinct_rows(a[:, list(cols)]) == k
           and not any(atom_values(a[:, j]).size for j in cols) for cols in keys):
        return first
    return None


def _distinct_rows(a: np.ndarray) -> int:
    """Number of distinct rows of a (n, d)."""
    return np.unique(a[:, 0]).size if a.shape[1] == 1 else np.unique(a, axis=0).shape[0]


def _jitter_scale(*sides: np.ndarray) -> float:
    """JITTER_OF_GAP times the smallest gap between distinct values of any column of the sides."""
    gap = np.inf
    for a in sides:
        for j in range(a.shape[1]):
            u = np.unique(a[:, j])
            if u.size > 1:
                gap = min(gap, float(np.diff(u).min()))
    return max(JITTER_OF_GAP * gap, JITTER_MIN) if np.isfinite(gap) else JITTER_MIN


def _content_key(a: np.ndarray) -> int:
    """A 32-bit number computed from the values of a (n, d) as a set of rows (column-wise sorted
    values): the same for the rows in any order."""
    return zlib.crc32(np.ascontiguousarray(np.sort(a, axis=0)).tobytes())


def _spread(a: np.ndarray, order: np.ndarray, seed, scale: float) -> np.ndarray:
    """a (n, d) with each row that repeats moved by scale * N(0, I) (drawn by a generator seeded by
    ``seed``, the draws assigned to the rows in ``order``); rows that occur once are unchanged."""
    inv = np.unique(a, axis=0, return_inverse=True)[1].ravel()
    repeats = np.bincount(inv)[inv] > 1
    offsets = np.empty_like(a)
    offsets[order] = np.random.default_rng(seed).standard_normal(a.shape)
    return np.where(repeats[:, None], a + scale * offsets, a)


def pooled_ksg(x: np.ndarray, y: np.ndarray, k: int = POOLED_K, random_state=0) -> float:
    """KSG (algorithm 1, max-norm over the standardised columns of both sides; nats, not clipped) of
    x (n, dx) and y (n, dy) after repeated rows are moved apart by a Gaussian jitter far below the
    gaps between distinct values.

    The jitter of X must not depend on Y (a jitter that orders the copies of an X row by their Y
    values, as :func:`~infoatlas.knn.spread_repeated_rows` does, made pooled clusters with MI 0.05
    read 0.7 nats): each side's offsets are independent Gaussian draws, assigned to the rows in an
    order computed from the rows' values (:func:`~infoatlas.features.order_rows` of both sides), by
    a generator seeded by ``random_state`` and the side's values.  So the estimate depends neither on
    the order of the rows nor on which side is X."""
    from .features import order_rows

    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    kx, ky = _content_key(x), _content_key(y)
    x, y = _standardise(x), _standardise(y)
    scale = _jitter_scale(x, y)
    order = order_rows(np.hstack([x, y]), random_state)
    seed = check_random_state(random_state)
    x, y = _spread(x, order, [seed, kx, ky], scale), _spread(y, order, [seed, ky, kx], scale)
    eps = knn_radius(np.hstack([x, y]), k)  # (n,) just below the k-th joint distance
    nx = cKDTree(x).query_ball_point(x, eps, p=np.inf, return_length=True) - 1
    ny = cKDTree(y).query_ball_point(y, eps, p=np.inf, return_length=True) - 1
    return ksg_value(k, x.shape[0], nx, ny)


def pooled_estimate(x: np.ndarray, y: np.ndarray, random_state=0, k: int = POOLED_K,
                    reps: int = POOLED_REPS, max_rows: int = POOLED_MAX_ROWS) -> tuple[float, float, float, list[str]]:
    """(mi, lower, upper, notes) in nats for x (n, dx), y (n, dy) that :func:`is_pooled` accepts.

    The point estimate is :func:`pooled_ksg` (a negative value read as 0) on at most ``max_rows``
    rows (a simple random subsample by :func:`~infoatlas.features.subsample_rows`, which does not
    depend on the order of the rows).  The 90% interval is mi +- 1.645 s,
    s^2 = sd^2 + b^2, from ``reps`` half-samples drawn without replacement, as in
    :func:`infoatlas.discrete.discrete_estimate` (sd their spread, b the change from n / 2 to n rows).
    The rows are first put in an order computed from their values
    (:func:`~infoatlas.features.order_rows`), so the estimate and the interval depend neither on the
    order of the rows nor on which side is X.  The estimate and the lower end are clipped to
    [0, min(H(X), H(Y))], the entropies of the observed frequencies of the sides' distinct rows (a
    variable that takes finitely many values shares at most its entropy with anything), the upper
    end to [0, min(log k_X, log k_Y)] with k the distinct rows of a side (the observed entropy reads
    the population's low when many rows are rare: see :func:`repeat_bound`).  ``reps = 0``: no
    half-samples and no interval (lower and upper are NaN), for callers that read only the estimate."""
    from .features import order_rows, subsample_rows

    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    notes = []
    if x.shape[0] > max_rows:
        keep = subsample_rows(np.hstack([x, y]), max_rows, random_state)
        notes.append(f"KSG read a random {max_rows} of the {x.shape[0]} rows")
        x, y = x[keep], y[keep]
    n = x.shape[0]
    # the rows in an order of their values, so that the estimate's sums (exactly, not only up to
    # rounding) and the half-samples depend neither on the order of the rows nor on which side is X
    order = order_rows(np.hstack([_standardise(x), _standardise(y)]), random_state)
    x, y = x[order], y[order]
    mi = pooled_ksg(x, y, k, random_state)
    spread = half_sample_spread(lambda s: pooled_ksg(x[s], y[s], k, random_state), mi, n, random_state, reps)
    h = min(side_entropy(x), side_entropy(y))
    log_k = float(np.log(min(_distinct_rows(x), _distinct_rows(y))))
    # a negative reading (KSG's bias at weak dependence) is 0: the interval is centred there, so that
    # it keeps its width rather than collapsing to [0, 0] when mi + 1.645 s < 0
    mi = float(np.clip(mi, 0.0, h))
    lower = float(np.clip(mi - Z90 * spread, 0.0, h))
    upper = float(np.clip(mi + Z90 * spread, 0.0, log_k))
    note = (f"rows repeat on both sides ({distinct_share(x):.0%} of X's rows and {distinct_share(y):.0%} of "
            f"Y's are distinct): estimated by KSG (k = {k}) on the rows with the copies of a row moved "
            "apart by a tiny offset, " + (f"the interval from {reps} half-samples" if reps else "no interval")
            + "; the network does not read "
            "such data well (see the README's limits)")
    return mi, lower, upper, notes + [note]


__all__ = ["POOLED_SHARE", "copied_records", "distinct_share", "is_pooled", "pooled_ksg", "pooled_estimate", "repeat_bound"]
