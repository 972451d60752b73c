"""Permutation tests of independence with the MI estimate as the statistic.

Under H0 (X independent of Y) every pairing of the rows of X with the rows of Y is equally likely,
so the estimates on B random re-pairings (a permutation of Y's rows) are draws from the statistic's
null distribution, and p = (1 + #{null >= observed}) / (1 + B) is a valid p-value at any n, for any
estimator, dims and marginals (Phipson and Smyth 2010: never 0, never below 1 / (1 + B)).

The statistic is the estimate that :meth:`infoatlas.InfoAtlas.estimate` would give (the network for
two continuous sides, :mod:`infoatlas.discrete`'s point estimate otherwise), evaluated on the copula
scores, which a permutation of rows leaves unchanged: only the pairing is redrawn.  Where both
continuous sides repeat their rows, ``estimate`` uses :mod:`infoatlas.pooled` (KSG on all rows) but
the test keeps the network's reading: any statistic gives a valid p-value, and the network is far
cheaper to evaluate on hundreds of permutations.  Two of the estimate's checks are left out of the
statistic (:func:`_network_mi`): the regression bound and KSG as a floor in three or four columns;
and where columns still have ties, the statistic reads the tied scores, on which the checks against
KSG are off (``estimate`` reads them with those ties broken at random).
For one continuous column against another without ties the scores are the same fixed set
{ndtri(i / (n + 1))} for every data set of n rows, so the null depends on n alone: it is computed
once per (n, B, seed) and reused (a pairwise matrix of p-values costs one null, not one per pair).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np


@dataclass(frozen=True)
class IndependenceResult:
    """Outcome of :func:`independence_test`.

    statistic : the MI estimate (nats) on the data as paired.
    p_value : (1 + #{null >= statistic}) / (1 + n_permutations).
    null_mean, null_sd, null_q95 : summary of the permutation null (nats).
    """

    statistic: float
    p_value: float
    n_permutations: int
    null_mean: float
    null_sd: float
    null_q95: float
    method: str
    notes: tuple = field(default_factory=tuple)


def permutation_p_value(observed: float, null: np.ndarray) -> float:
    """(1 + #{null >= observed}) / (1 + B) for B null draws."""
    null = np.asarray(null, float)
    return float((1 + np.sum(null >= observed)) / (1 + null.size))


def _network_mi(est, zx: np.ndarray, zy: np.ndarray, perms: np.ndarray | None, chunk: int = 256) -> np.ndarray:
    """Network MI (nats) of (zx, zy) re-paired by each row of ``perms`` (B, n), or as given (None);
    each reading after the estimator's checks against KSG on all rows
    (:func:`infoatlas.checks.check_reading`), so that the statistic is the same function of the data
    for the data and every re-pairing, and that of ``pairwise``'s matrix for one column a side before
    the regression bound (what ``pairwise``'s p-values of such pairs test).  The estimate's last
    check, the regression bound (:mod:`infoatlas.regression`), is left out: it reads the raw values
    and fits every row's neighbourhood, for each re-pairing again.  So is KSG as a
    floor in few columns (``checks.check_reading(keep_ksg=False)``): on the re-pairings its noise
    lifts about one reading in six, which widens the null (2 + 2 columns with an MI of 0.01 nats, 8 draws, 99 re-pairings: p <=
    0.05 in 8 of 8 without it, 1-2 of 8 with it, at 1.4-2.1x the time;
    docs/experiments/low_dims/null_power.md)."""
    from . import checks
    from .estimator import _few_rows

    n = zx.shape[0]
    check = not _few_rows(n, zx.shape[1], zy.shape[1])  # as the estimate: not with few rows per column
    rows = [None] if perms is None else list(perms)
    out = []
    dims = zx.shape[1] + zy.shape[1]
    for s in range(0, len(rows), chunk):
        items = [(zx, zy if p is None else zy[p], n, zx.shape[1], zy.shape[1], ()) for p in rows[s: s + chunk]]
        prepared = est.featurizer.prepare_many(items, max_chunks=est.max_chunks, random_state=est.random_state)
        for it, p, q in zip(items, prepared, est.quantiles(prepared)):
            if q is None:
                out.append(0.0)
                continue
            v, lower, upper = est._reading(q, n, dims)
            out.append(checks.check_reading((it[0], it[1]), v, lower, upper, (), p.joint_ksg, keep_ksg=False)[0]
                       if check else v)
    return np.array(out)


def rank_null(est, n: int, n_permutations: int, seed: int) -> np.ndarray:
    """Null draws (nats) of ``est``'s estimate for one untied continuous column against another at n
    rows: the estimate on the fixed scores re-paired by random permutations.  Cached per estimator
    settings (weights, row-choice seed, chunks), n, B and seed."""
    key = (id(est.model), est.random_state, est.max_chunks)
    _ESTIMATORS[key] = est
    return _rank_null(key, int(n), int(n_permutations), int(seed))


@lru_cache(maxsize=32)
def _rank_null(est_key, n: int, n_permutations: int, seed: int) -> np.ndarray:
    from .copula import copula_normal

    est = _ESTIMATORS[est_key]
    z = copula_normal(np.arange(n, dtype=float)[:, None], warn=False)[0]   # the scores of any untied column
    rng = np.random.default_rng([seed, n, 271828])
    perms = np.stack([rng.permutation(n) for _ in range(n_permutations)])
    return _network_mi(est, z, z, perms)


_ESTIMATORS: dict = {}


def fast_rank_null(pair_model, n: int, n_permutations: int, seed: int, chunk: int = 256) -> np.ndarray:
    """Null draws (nats) of the pair-screening model (``pairwise(method="fast")``) for one untied
    column against another at n rows: like :func:`rank_null`, its statistics depend on the relative
    order of the two columns alone, so the null is that of random permutations against a fixed order."""
    key = id(pair_model)
    _ESTIMATORS[("pair", key)] = pair_model
    return _fast_rank_null(key, int(n), int(n_permutations), int(seed), chunk)


def fast_pair_null(pair_model, xa: np.ndarray, xb: np.ndarray, n_permutations: int, seed: int,
                   chunk: int = 256) -> np.ndarray:
    """Null draws (nats) of the pair-screening model for one pair of continuous columns with ties
    (n,) each: the model on (xa, xb re-paired by a random permutation), ties broken at random in
    every copy as in ``pairwise``; valid for any ties, at the cost of one model reading per draw."""
    rng = np.random.default_rng([seed, xa.shape[0], 314159])
    return _fast_null(pair_model, xa, xb, n_permutations, rng, chunk, tie_rng=rng)


def _fast_null(pair_model, xa, xb, n_permutations: int, rng, chunk: int, tie_rng=None) -> np.ndarray:
    """The pair model on (xa, xb[permutation]) for ``n_permutations`` permutations drawn from
    ``rng``; (n, 1 + chunk) columns at a time, so memory is bounded by the chunk."""
    from .estimator import fast_pair_mi
    from .fastpairs import prepare_columns

    n = xa.shape[0]
    out = []
    for s in range(0, n_permutations, chunk):
        b = min(chunk, n_permutations - s)
        cols = prepare_columns(np.column_stack([xa] + [xb[rng.permutation(n)] for _ in range(b)]), tie_rng=tie_rng)
        out.append(fast_pair_mi(pair_model, cols, np.zeros(b, int), np.arange(1, b + 1)))
    return np.concatenate(out)


@lru_cache(maxsize=32)
def _fast_rank_null(key, n: int, n_permutations: int, seed: int, chunk: int) -> np.ndarray:
    ranks = np.arange(n, dtype=float)  # any untied column: only the relative order matters
    return _fast_null(_ESTIMATORS[("pair", key)], ranks, ranks, n_permutations,
                      np.random.default_rng([seed, n, 271828]), chunk)


def independence_test(x, y, *, n_permutations: int = 999, random_state=None, discrete_x="auto",
                      discrete_y="auto", nan_policy: str = "raise", model=None,
                      block_length: int | None = None) -> IndependenceResult:
    """Test H0: X and Y are independent, by permuting the rows of Y (or, for series, by shifting them).

    Parameters
    ----------
    x : array-like (n,) or (n, dx); y : array-like (n,) or (n, dy)
        The same inputs and validation as :func:`infoatlas.estimate`; any dims on either side.
    n_permutations : int >= 1
        B; the smallest attainable p-value is 1 / (1 + B).
    random_state : None, int >= 0 or numpy Generator
        The permutations (and the estimator's row choice) are a pure function of it.
    discrete_x, discrete_y : as for :func:`infoatlas.estimate`.
    model : an :class:`~infoatlas.InfoAtlas` (default: the shipped weights).
    block_length : None or int >= 1
        For rows that are a series (in time order): Y's rows are shifted circularly by offsets drawn
        uniformly from [block_length, n - block_length] instead of permuted, which keeps each
        series' own dependence (valid when Y is stationary; the wrap-around joins its two ends).
        Pass about the series' decorrelation time or more.  Row permutations assume independent
        rows: for two independent series they reject too often, and the result's notes say when
        the rows look like series.

    Returns
    -------
    :class:`IndependenceResult`

    Examples
    --------
    >>> import numpy as np, infoatlas
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal(300); y = np.sin(3 * x) + 0.5 * rng.standard_normal(300)
    >>> infoatlas.independence_test(x, y, n_permutations=99, random_state=0).p_value
    0.01
    """
    from . import discrete as _discrete
    from .copula import copula_normal
    from .estimator import _default_estimator, drop_copies
    from .validation import align_pandas, as_2d_typed, check_int, check_random_state, serial_note, validate_xy

    b = check_int(n_permutations, "n_permutations", 1)
    seed = check_random_state(random_state)
    est = model if model is not None else _default_estimator(seed)
    x, y = align_pandas(x, y)
    ax, cat_x, names_x = as_2d_typed(x, "x")
    ay, cat_y, names_y = as_2d_typed(y, "y")
    mx = _discrete.discrete_mask(discrete_x, ax, "x", cat_x, names_x)
    my = _discrete.discrete_mask(discrete_y, ay, "y", cat_y, names_y)
    mx, joint_x = _discrete.auto_joint(discrete_x, ax, mx, cat_x, "X")
    my, joint_y = _discrete.auto_joint(discrete_y, ay, my, cat_y, "Y")
    ax, ay, notes = validate_xy(ax, ay, nan_policy=nan_policy)
    n = ax.shape[0]
    if block_length is not None:
        block_length = check_int(block_length, "block_length", 1)
        if n < 2 * block_length + 1:
            raise ValueError(f"block_length = {block_length} needs at least {2 * block_length + 1} rows; got {n}")
        serial = ()
    else:  # (in the order given, before copies are dropped; a side of labels left out, as in estimate)
        serial = () if (mx.all() or my.all()) else serial_note(ax, ay, test=True)
    # copies of records would read as dependence in the data but not in its permutations (a
    # series keeps its rows: their order is what the shifts need)
    ax, ay, copies = drop_copies(ax, ay, mx, my) if block_length is None else (ax, ay, ())
    notes = joint_x + joint_y + copies + tuple(notes) + serial
    n = ax.shape[0]
    rng = np.random.default_rng([seed, 314159])

    def reorderings() -> np.ndarray:
        """(B, n) row indices of Y: permutations, or circular shifts by at least block_length."""
        if block_length is None:
            return np.stack([rng.permutation(n) for _ in range(b)])
        shift = rng.integers(block_length, n - block_length + 1, size=b)
        return (np.arange(n)[None, :] + shift[:, None]) % n

    how = "permutations of Y's rows" if block_length is None else f"circular shifts of Y's rows by {block_length} or more"
    if mx.any() or my.any():
        stat = max(_discrete.point_estimate(ax, ay, mx, my), 0.0)
        null = np.array([max(_discrete.point_estimate(ax, ay[p], mx, my), 0.0) for p in reorderings()])
        method = f"{how}, discrete estimator"
    else:
        zx, cx = copula_normal(ax, "x")
        zy, cy = copula_normal(ay, "y")
        zx, zy = zx[:, ~cx], zy[:, ~cy]
        if zx.shape[1] == 0 or zy.shape[1] == 0:
            return IndependenceResult(0.0, 1.0, b, 0.0, 0.0, 0.0, "a side is constant", tuple(notes))
        stat = float(_network_mi(est, zx, zy, None)[0])
        untied = (zx.shape[1] == zy.shape[1] == 1 and np.unique(zx).size == n and np.unique(zy).size == n)
        if untied and block_length is None:
            null = rank_null(est, n, b, seed)
            method = "permutations of the ranks (null shared by all untied 1+1 data sets of this n)"
        else:
            null = _network_mi(est, zx, zy, reorderings())
            method = f"{how}, network estimate"
    return IndependenceResult(stat, permutation_p_value(stat, null), b, float(null.mean()), float(null.std()),
                              float(np.quantile(null, 0.95)), method, tuple(notes))


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (step-up, monotone, capped at 1) of a 1-D array."""
    p = np.asarray(p, float)
    m = p.size
    order = np.argsort(p)
    adj = p[order] * m / np.arange(1, m + 1)
    adj = np.minimum.accumulate(adj[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(adj, 1.0)
    return out
