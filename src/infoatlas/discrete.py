"""Mutual information when a side is discrete, or mixes discrete and continuous columns.

Which columns are discrete is decided by :func:`discrete_mask` (told, or decided from the data).
Then, by the kinds of the two sides:

- both sides discrete: the contingency table of the joint codes, each entropy corrected by the
  jackknife (:func:`table_mi`; chosen by measurement against the plug-in, Miller-Madow and
  Chao-Shen corrections, docs/experiments/discrete_selection.md);
- one side discrete, the other continuous: the nearest-neighbour estimator of Ross (2014), as in
  scikit-learn's ``mutual_info_classif``, but on the joint continuous side (any width), the larger
  of its values on copula scores and on standardised columns (:func:`ross_mi`); with two or more
  continuous columns, raised to a cross-validated classifier's lower bound when that is larger
  (:func:`classifier_bound`: on scikit-learn's wine and breast-cancer data the neighbour estimate
  alone fell below Fano's bound), and where Fano's bound from the same classifier's errors reaches
  the estimate, the interval runs from that bound to log k (:func:`fano_bound`: the label is then
  close to a function of X);
- a side mixing both kinds: the chain rule I([Xd, Xc]; Y) = I(Xd; Y) + I(Xc; Y | Xd), each term by
  the estimators above within the categories of Xd (:func:`point_estimate`); measured better than the
  mixed KSG of Gao et al. (2017) on the mixed family (docs/experiments/discrete_selection.md).

Every estimate is clipped to [0, H(discrete side)] (a side that is entirely discrete bounds the MI by
the entropy of its observed frequencies), and comes with a 90% interval (:func:`discrete_estimate`)
whose upper end stops at log k instead (k observed categories: the observed entropy reads the
population's low).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import special, stats
from scipy.spatial import cKDTree

from .copula import copula_normal

#: "auto": a numeric column is discrete when it has at most this many distinct values and at most
#: one distinct value per AUTO_ROWS_PER_LEVEL rows (a continuous measurement rounded to a few levels
#: is then estimated as what it is observed as: a discrete variable)
AUTO_MAX_LEVELS = 20
AUTO_ROWS_PER_LEVEL = 5


def auto_discrete(col: np.ndarray, max_levels: int = AUTO_MAX_LEVELS, rows_per_level: int = AUTO_ROWS_PER_LEVEL
                  ) -> bool:
    """The automatic rule for one numeric column (n,): 2 to ``max_levels`` (20) distinct values, and
    at least ``rows_per_level`` (5) rows per value (a constant column carries nothing, and stays with
    the continuous path, which ignores it); NaN does not count as a value."""
    if np.unique(col[:1000]).size > max_levels:  # settled by the first rows (no full sort)
        return False
    k = np.unique(col[~np.isnan(col)]).size
    return 2 <= k <= max_levels and k * rows_per_level <= col.shape[0]


def discrete_mask(spec, arr: np.ndarray, name: str, categorical: np.ndarray | None = None,
                  columns: list | None = None) -> np.ndarray:
    """Boolean mask (d,) of the discrete columns of ``arr`` (n, d).

    spec : "auto", True, False, a boolean mask of length d, or column indices (or names, when
        ``columns`` gives the names).  ``categorical`` (d,) marks columns that were not numbers
        (strings, categories, booleans): they are discrete whatever the spec, and an explicit spec
        that calls one continuous is an error.
    """
    d = arr.shape[1]
    cat = np.zeros(d, bool) if categorical is None else np.asarray(categorical, bool)
    if isinstance(spec, str) and spec == "auto":
        mask = np.array([bool(cat[j]) or auto_discrete(arr[:, j]) for j in range(d)], bool)
        return mask
    if spec is True or spec is False or isinstance(spec, (np.bool_,)):
        mask = np.full(d, bool(spec))
    else:
        if isinstance(spec, str):
            raise ValueError(f"discrete_{name} must be 'auto', True, False, a boolean mask or column "
                             f"indices; got {spec!r}")
        items = list(np.atleast_1d(np.asarray(spec, dtype=object)))
        if items and all(isinstance(v, (bool, np.bool_)) for v in items):
            if len(items) != d:
                raise ValueError(f"discrete_{name}: a boolean mask needs {d} entries (one per column of "
                                 f"{name}), got {len(items)}")
            mask = np.array(items, bool)
        else:
            mask = np.zeros(d, bool)
            for v in items:
                if columns is not None and not isinstance(v, (int, np.integer)) and v in columns:
                    v = columns.index(v)
                if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)) or not -d <= v < d:
                    raise ValueError(f"discrete_{name}: {v!r} names no column of {name} (it has {d} "
                                     f"column(s){', named ' + str(columns) if columns else ''})")
                mask[int(v)] = True
    if (cat & ~mask).any():
        bad = np.flatnonzero(cat & ~mask).tolist()
        raise TypeError(f"{name} column(s) {bad} are not numbers (strings, categories or booleans) and "
                        f"can only be discrete; include them in discrete_{name}")
    return mask


def auto_joint(spec, arr: np.ndarray, mask: np.ndarray, categorical: np.ndarray | None,
               name: str) -> tuple[np.ndarray, tuple[str, ...]]:
    """The automatic rule applied to a side's columns together: (mask (d,), notes).

    Under ``spec == "auto"``, numeric columns that :func:`auto_discrete` called discrete are
    discrete together only when their joint values obey the same rule as one column's (2 to 20
    distinct rows, at least 5 rows each); otherwise they are read as numbers with ties, and the
    notes say so.  Joint values of many few-valued columns (pixels, questionnaire items, counts)
    are mostly seen once, and estimators that count categories (the contingency table) then read
    independent sides as several nats.  Columns that are not numbers, or that the user declared
    discrete, stay discrete.  ``arr`` (n, d); ``mask`` from :func:`discrete_mask`."""
    if not (isinstance(spec, str) and spec == "auto"):
        return mask, ()
    cat = np.zeros(arr.shape[1], bool) if categorical is None else np.asarray(categorical, bool)
    numeric = np.flatnonzero(mask & ~cat)
    if numeric.size < 2:
        return mask, ()

    def combos(a):  # distinct rows of a (m, c) among those without NaN
        a = a[~np.isnan(a).any(axis=1)]
        return (codes(a)[1] if a.shape[0] else 0), a.shape[0]

    n = arr.shape[0]
    # the first rows settle most sides of many columns, without a copy or a sort of all rows
    k_first = combos(arr[:1000][:, numeric])[0] if n > 1000 else 0
    if k_first > AUTO_MAX_LEVELS:
        seen = f"at least {k_first} distinct combinations in the first 1,000 of {n:,} rows"
    else:
        k, m = combos(arr[:, numeric])
        if 2 <= k <= AUTO_MAX_LEVELS and k * AUTO_ROWS_PER_LEVEL <= m:
            return mask, ()
        seen = f"{k} distinct combinations in {m:,} rows"
    out = mask.copy()
    out[numeric] = False
    return out, (f"{name}'s few-valued numeric columns {numeric.tolist()} take {seen} "
                 f"(discrete together needs at most {AUTO_MAX_LEVELS}, with at least "
                 f"{AUTO_ROWS_PER_LEVEL} rows each): read as numbers with ties; pass discrete_{name.lower()} "
                 "to treat them as categories",)


def canonical_order(a: np.ndarray) -> np.ndarray:
    """The rows of a (n, d) sorted by their values, first column first (NaN as +inf): (n,) indices,
    the order of ``np.lexsort(a.T[::-1])``.  Sorted by the first 1, 2, 4, ... columns until those
    leave no two adjacent rows equal: the remaining columns cannot change the order then, and
    most data need one column (a lexsort of 128 columns at n = 5,000 took 40 ms)."""
    a = np.nan_to_num(a, nan=np.inf)
    k = 1
    while True:
        k = min(k, a.shape[1])
        order = np.lexsort(a[:, :k].T[::-1])
        s = a[order, :k]
        if k == a.shape[1] or np.any(s[1:] != s[:-1], axis=1).all():
            return order
        k *= 2


def break_ties(ax: np.ndarray, ay: np.ndarray, mask_x: np.ndarray, mask_y: np.ndarray, random_state,
               stream: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Copies of ax (n, dx) and ay (n, dy) whose ``mask_x`` / ``mask_y`` columns (few-valued columns
    read as numbers, see :func:`auto_joint`; columns with atoms; heavily tied columns with more
    values, :func:`tied_columns`) are replaced by their ranks with ties broken at random (ax and ay
    themselves where both masks are empty).

    The MI is unchanged: each such column becomes (its value, an independent uniform key), from
    which the value is recovered, and independent noise added to a side carries no information
    (data processing both ways).  What changes is what the estimators see: tied columns give
    nearest-neighbour distances of zero and a copula of steps, which the network was never trained
    on; on the ``quantised_blocks`` and ``mixed_blocks`` families it read tied columns about
    0.2-0.3 nats high at n = 1,000 and 5,000 (docs/experiments/mixed_sides).  The keys are drawn in
    a canonical order of the rows (sorted by all their values) from a generator seeded by
    ``random_state`` (an int): the result does not depend on the order of the rows.  NaN stays NaN.
    Calls that break ties in the same data one after the other need different ``stream`` numbers:
    with one stream their canonical orders (sorted by the first column first) nearly agree and the
    n-th column of each call would get the same keys, ordering the ties of both alike (independent
    columns with atoms against tie-broken questionnaire items read up to 2 nats)."""
    if not (np.any(mask_x) or np.any(mask_y)):
        return ax, ay  # the common case: nothing to break, no copy
    ax, ay = np.array(ax, float), np.array(ay, float)
    both = np.hstack([ax, ay])
    canon = canonical_order(both)
    keys = np.empty(both.shape[0])
    # random_state: the estimator's int seed; stream 0 keeps the seed it had before streams existed
    rng = np.random.default_rng([random_state, 104729] + ([stream] if stream else []))
    for a, mask in ((ax, mask_x), (ay, mask_y)):
        for j in np.flatnonzero(mask):
            keys[canon] = rng.random(both.shape[0])
            col = a[:, j]
            ok = ~np.isnan(col)
            order = np.lexsort((keys[ok], col[ok]))  # by value, ties by the random key
            ranks = np.empty(order.size)
            ranks[order] = np.arange(1.0, order.size + 1.0)
            col[ok] = ranks
    return ax, ay


#: a numeric column is heavily tied when its distinct values are fewer than this share of its rows
#: (the copula's tie warning uses the same share)
TIED_SHARE = 0.5
#: rows of the systematic sample on which :func:`tied_columns` rules out columns without ties
TIED_SCREEN_ROWS = 2000


def tied_columns(a: np.ndarray) -> np.ndarray:
    """Which columns of a (n, d) are heavily tied numbers that are not few-valued: more than
    ``AUTO_MAX_LEVELS`` distinct finite values and fewer than ``TIED_SHARE`` times as many as
    finite values (counts, test scores, rounded, clipped or saturated measurements); (d,) bool.

    A sort of every ``n // TIED_SCREEN_ROWS``-th row rules out the columns with no repeated value
    there (continuous data) before the exact count on all rows.  The screen can miss a column whose
    values each repeat only a few times in rows sorted by it; such a column keeps its ties."""
    n, d = a.shape
    out = np.zeros(d, bool)
    if n < 2 * AUTO_MAX_LEVELS or not d:
        return out
    s = np.sort(a[:: max(1, n // TIED_SCREEN_ROWS)], axis=0)  # NaN last, and NaN != NaN
    for j in np.flatnonzero(np.any(s[1:] == s[:-1], axis=0)):
        c = a[:, j]
        c = c[np.isfinite(c)]
        k = np.unique(c).size
        out[j] = AUTO_MAX_LEVELS < k < TIED_SHARE * c.size
    return out


def few_valued(a: np.ndarray) -> bool:
    """Whether every column of a (n, d) takes at most ``AUTO_MAX_LEVELS`` distinct values (NaN not
    counted; constant columns count)."""
    return all(np.unique(c[~np.isnan(c)]).size <= AUTO_MAX_LEVELS for c in a.T)


def codes(a: np.ndarray) -> tuple[np.ndarray, int]:
    """Joint category codes of the rows of a (n, d) discrete array: (codes (n,), number of categories).
    Codes are numbered in sorted order of the values, so they do not depend on the order of rows."""
    if a.shape[1] == 1:
        _, inv = np.unique(a[:, 0], return_inverse=True)
    else:
        import pandas as pd

        inv = pd.DataFrame(a).groupby(list(range(a.shape[1])), sort=True).ngroup().to_numpy()
    inv = np.asarray(inv).ravel()
    return inv, int(inv.max()) + 1


def entropy_mm(counts: np.ndarray) -> float:
    """Miller-Madow entropy (nats) of counts: plug-in + (K_observed - 1) / (2 n)."""
    c = counts[counts > 0].astype(float)
    n = c.sum()
    p = c / n
    return float(-np.sum(p * np.log(p)) + (c.size - 1) / (2.0 * n))


def entropy_jackknife(counts: np.ndarray) -> float:
    """Jackknife (leave-one-out) bias-corrected entropy (nats) of counts, in O(cells):
    n H - (n - 1)/n sum_i c_i H_(-i), H_(-i) the plug-in entropy with one count removed from cell i."""
    c = counts[counts > 0].astype(float)
    n = c.sum()
    if n < 2:
        return 0.0
    clogc = c * np.log(c)
    s = clogc.sum()
    cm = c - 1.0
    s_minus = s - clogc + np.where(cm > 0, cm * np.log(np.where(cm > 0, cm, 1.0)), 0.0)  # (cells,)
    h = np.log(n) - s / n
    h_minus = np.log(n - 1) - s_minus / (n - 1)
    return float(n * h - (n - 1) / n * np.sum(c * h_minus))


def table_mi(cx: np.ndarray, cy: np.ndarray, correction: str = "jackknife") -> float:
    """MI (nats) of two code vectors (n,) from their contingency table, H(X) + H(Y) - H(X, Y).

    ``correction`` of each entropy: "plugin" (MI biased up by about (Kx - 1)(Ky - 1) / (2 n) for
    independent data), "miller_madow" (+ (cells - 1) / (2 n)) or "jackknife" (leave-one-out; the
    default: on the discrete families of a selection suite it had the lowest or equal-lowest error,
    see docs/experiments/discrete_selection.md).
    """
    n = cx.shape[0]
    kx, ky = int(cx.max()) + 1, int(cy.max()) + 1
    cell = cx.astype(np.int64) * ky + cy
    # the occupied cells' counts (only those enter the entropies): counted densely where the table
    # is small, else by sorting (a table of kx ky cells can be far larger than the n rows)
    joint = np.bincount(cell, minlength=kx * ky) if kx * ky <= 4 * n + 1024 else np.unique(cell, return_counts=True)[1]
    hx, hy = np.bincount(cx, minlength=kx), np.bincount(cy, minlength=ky)
    if correction == "plugin":
        def h(c):
            p = c[c > 0] / n
            return float(-np.sum(p * np.log(p)))
    elif correction == "miller_madow":
        h = entropy_mm
    elif correction == "jackknife":
        h = entropy_jackknife
    else:
        raise ValueError(f"unknown correction {correction!r}")
    return h(hx) + h(hy) - h(joint)


def _jitter_ties(z: np.ndarray) -> np.ndarray:
    """Tied values (a continuous column with repeated values) get a 1e-9 jitter from a fixed seed,
    as scikit-learn does: the neighbour estimators assume distinct points, and only the order among
    equal values is then arbitrary.  z: (n, d) scores."""
    tied = [j for j in range(z.shape[1]) if np.unique(z[:, j]).size < z.shape[0]]
    if tied:
        z = z.copy()
        z[:, tied] += 1e-9 * np.random.default_rng(0).standard_normal((z.shape[0], len(tied)))
    return z


def _continuous_scores(a: np.ndarray) -> np.ndarray:
    """Copula scores (n, d') of continuous columns a (n, d), constant columns dropped (MI-invariant)."""
    z, const = copula_normal(a, warn=False)
    return _jitter_ties(z[:, ~const] if (~const).any() else z)


def standardise(a: np.ndarray) -> np.ndarray:
    """Columns of a (n, d) centred and scaled to unit standard deviation (constant columns left at
    0); the moments are summed over sorted columns, so that no value depends on the order of the
    rows."""
    # each column first scaled by the power of two that brings its largest magnitude into [0.5, 1):
    # exact in floating point (the result is unchanged), and the squares in std cannot overflow
    # (values near 1e306 made it inf)
    big = np.abs(a).max(axis=0)
    a = np.ldexp(a, -np.frexp(np.where(big > 0, big, 1.0))[1])
    srt = np.sort(a, axis=0)
    s = srt.std(0)
    return (a - srt.mean(0)) / np.where(s > 0, s, 1.0)


def _standard_scores(a: np.ndarray) -> np.ndarray:
    """Standardised columns (n, d') of a (n, d), constant columns dropped: an affine map of each
    column, so MI-invariant, and unlike the copula transform it keeps the gaps between clusters."""
    a = np.asarray(a, dtype=float)
    varies = np.ptp(a, axis=0) > 0
    return _jitter_ties(standardise(a[:, varies] if varies.any() else a))


def _ross_on(z: np.ndarray, labels: np.ndarray, k: int) -> float:
    """Ross (2014) estimate (nats) of I(Z; C) on scores z (n, d) as given (see :func:`ross_mi`)."""
    n = z.shape[0]
    radius = np.empty(n)
    kk = np.empty(n)
    nc = np.empty(n)
    keep = np.ones(n, bool)
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        if idx.size < 2:
            keep[idx] = False
            continue
        kc = min(k, idx.size - 1)
        dist, _ = cKDTree(z[idx]).query(z[idx], k=[kc + 1], p=np.inf)
        radius[idx] = np.nextafter(dist[:, 0], 0)
        kk[idx] = kc
        nc[idx] = idx.size
    if keep.sum() < 2:
        return 0.0
    z, radius, kk, nc = z[keep], radius[keep], kk[keep], nc[keep]
    m = cKDTree(z).query_ball_point(z, radius, p=np.inf, return_length=True)  # includes the point
    n = z.shape[0]
    return float(special.digamma(n) - np.mean(special.digamma(nc)) + np.mean(special.digamma(kk))
                 - np.mean(special.digamma(m)))


def ross_mi(xc: np.ndarray, labels: np.ndarray, k: int = 3) -> float:
    """Ross (2014) estimate (nats) of I(X; C) for continuous X (n, d) and labels C (n,).

    Per point: d_i = max-norm distance to its k-th neighbour among points of its own class (k capped
    at the class size - 1), m_i = points of any class within d_i; I = psi(n) - <psi(n_c)> + psi(k) -
    <psi(m_i)>.  Points alone in their class are left out (as scikit-learn does).

    Computed on two MI-invariant coordinate systems and the larger taken: copula scores (robust to
    heavy tails and monotone distortions) and standardised columns (which keep the gaps between
    clusters: the copula transform closes them, so when the classes sit in separated clusters of one
    column, an irrelevant second column widens every ball across a class boundary and the copula
    estimate falls well below the truth, e.g. 1.33 for log 4 = 1.386).  The neighbour estimate is
    biased low far more often than high, and under independence the larger of the two moved the
    mean by 0.002-0.014 nats in our checks (n 50-2,000, 2-20 columns).
    """
    return max(_ross_on(_continuous_scores(xc), labels, k), _ross_on(_standard_scores(xc), labels, k))


def _plugin_entropy(c: np.ndarray) -> float:
    """Entropy (nats) of the observed frequencies of codes c (n,)."""
    p = np.bincount(c) / c.shape[0]
    p = p[p > 0]
    return float(-np.sum(p * np.log(p)))


def side_entropy(a: np.ndarray) -> float:
    """Entropy (nats) of the observed frequencies of a discrete side's joint codes: the bound on
    I(side; anything) that a user can check on the data (e.g. log 3 for three balanced classes)."""
    return _plugin_entropy(codes(a)[0])


def kind(mask_x: np.ndarray, mask_y: np.ndarray) -> str:
    """Which estimator the column kinds call for: "table" (both sides discrete), "label_y" / "label_x"
    (that side discrete, the other continuous), "continuous" (neither), "chain" (a side mixes kinds)."""
    if mask_x.all() and mask_y.all():
        return "table"
    if mask_y.all() and not mask_x.any():
        return "label_y"
    if mask_x.all() and not mask_y.any():
        return "label_x"
    if not mask_x.any() and not mask_y.any():
        return "continuous"
    return "chain"


METHODS = {"table": "contingency table (jackknife-corrected entropies)",
           "label_x": "nearest neighbours within classes (Ross 2014)",
           "label_y": "nearest neighbours within classes (Ross 2014)",
           "chain": "the chain rule over the discrete columns, nearest neighbours within categories"}


class ClassifierBound(NamedTuple):
    """What a cross-fitted classifier proves about I(X; C): ``bound`` (nats) and its standard error
    ``se``, and ``errors``, the rows whose held-out prediction (the most probable class) was wrong."""
    bound: float
    se: float
    errors: int


def fano_bound(h_c: float, k: int, pe: float) -> float:
    """Fano's lower bound on I(X; C) (nats), H(C) - h(pe) - pe log(k - 1) with h the binary entropy,
    from the error rate pe of any classifier of a class C with k values and entropy h_c (0 when the
    error rate is too high to bound anything)."""
    if pe >= (k - 1) / k:
        return 0.0
    hb = 0.0 if pe <= 0 else -(pe * np.log(pe) + (1 - pe) * np.log(1 - pe))
    return max(h_c - hb - pe * np.log(max(k - 1, 1)), 0.0)


def error_rate_upper(errors: int, n: int, level: float = 0.95) -> float:
    """One-sided Clopper-Pearson upper confidence limit on an error rate from ``errors`` of n."""
    return 1.0 if errors >= n else float(stats.beta.ppf(level, errors + 1, n - errors))


def classifier_bound(xc: np.ndarray, labels: np.ndarray, folds: int = 5, random_state=0,
                     l2: float = 1e-3) -> ClassifierBound:
    """A cross-fitted lower bound (nats) on I(X; C) and its standard error: H(C) - CE, with CE the
    held-out cross-entropy of a multinomial logistic regression of C on X's copula scores (Barber
    and Agakov 2003: E[log q(c | x)] <= E[log p(c | x)] for any classifier q).  Nearest-neighbour
    estimates of I(X; C) fall below what the data prove when X has many columns; this bound does
    not, and a linear classifier on copula scores is the right one for many class-conditional shapes.
    Also the held-out errors of the same fits, for Fano's bound (:func:`fano_bound`)."""
    import torch

    z = _continuous_scores(xc)
    z = (z - z.mean(0)) / np.where(z.std(0) > 0, z.std(0), 1.0)
    c = np.unique(labels, return_inverse=True)[1].ravel()
    n, k = z.shape[0], int(c.max()) + 1
    if k < 2 or n < 2 * folds:
        return ClassifierBound(0.0, 0.0, n)
    fold = np.random.default_rng(random_state).permutation(n) % folds
    logq = np.empty(n)
    wrong = 0
    zt, ct = torch.from_numpy(z), torch.from_numpy(c)
    for f in range(folds):
        tr, te = torch.from_numpy(fold != f), torch.from_numpy(fold == f)
        w = torch.zeros(z.shape[1] + 1, k, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.LBFGS([w], max_iter=100, line_search_fn="strong_wolfe")

        def closure():
            opt.zero_grad()
            logits = zt[tr] @ w[:-1] + w[-1]
            loss = torch.nn.functional.cross_entropy(logits, ct[tr]) + l2 * (w[:-1] ** 2).sum()
            loss.backward()
            return loss

        opt.step(closure)
        with torch.no_grad():
            lp = torch.log_softmax(zt[te] @ w[:-1] + w[-1], dim=1)
            logq[te.numpy()] = lp[torch.arange(int(te.sum())), ct[te]].numpy()
            wrong += int((lp.argmax(dim=1) != ct[te]).sum())
    p = np.bincount(c, minlength=k) / n
    terms = logq - np.log(p[c])      # per-row pointwise lower bound; its mean is the bound
    return ClassifierBound(float(terms.mean()), float(terms.std(ddof=1) / np.sqrt(n)), wrong)


def ksg_continuous(x: np.ndarray, y: np.ndarray, k: int = 3) -> float:
    """KSG (algorithm 1) estimate (nats) between continuous sides, on copula scores
    (:func:`infoatlas.knn.ksg_kdtree`, the KSG baseline's computation)."""
    from .knn import ksg_kdtree

    xs, ys = _continuous_scores(x), _continuous_scores(y)
    return ksg_kdtree(xs, ys, min(k, xs.shape[0] - 1))


def point_estimate(x, y, mask_x, mask_y, k: int = 3) -> float:
    """The estimator chosen by the kinds of the two sides (see the module docstring), unclipped.

    A side that mixes kinds is split by the chain rule, I([Xd, Xc]; Y) = I(Xd; Y) + I(Xc; Y | Xd),
    the conditional term averaged over the categories of Xd (categories with fewer than 2 k + 2 rows
    add nothing: too few to estimate).
    """
    how = kind(mask_x, mask_y)
    if how == "table":
        return table_mi(codes(x)[0], codes(y)[0])
    if how == "label_y":
        return ross_mi(x, codes(y)[0], k)
    if how == "label_x":
        return ross_mi(y, codes(x)[0], k)
    if how == "continuous":
        return ksg_continuous(x, y, k) if x.shape[0] > k + 1 else 0.0
    if not (mask_x.any() and not mask_x.all()):  # X is of one kind: split Y instead (MI is symmetric)
        return point_estimate(y, x, mask_y, mask_x, k)
    xd, xc = x[:, mask_x], x[:, ~mask_x]
    total = point_estimate(xd, y, np.ones(xd.shape[1], bool), mask_y, k)
    cx, kx = codes(xd)
    n = x.shape[0]
    for c in range(kx):
        s = cx == c
        if s.sum() >= 2 * k + 2:
            total += s.sum() / n * point_estimate(xc[s], y[s], np.zeros(xc.shape[1], bool), mask_y, k)
    return total


#: the interval's half-width multiplier on the subsample standard deviation (normal 90%: 1.645),
#: and the G-test level below which the table's interval may exclude 0
Z90 = 1.645
INDEPENDENCE_LEVEL = 0.05
#: the rate a at which the bias of the nearest-neighbour estimates (a label against continuous
#: columns, Ross; the chain rule over a side's discrete columns) is taken to fall with the rows,
#: bias ~ n^-a: the half-samples' change from n / 2 to n rows, d, then leaves a bias of d / (2^a - 1)
#: at n rows.  Nearest-neighbour biases fall more slowly than 1 / n (a = 1, kept for the tables'
#: jackknife): with a = 1 the interval covered the truth in 73% of labels of 10-100 classes against
#: 1-8 columns at n = 1,000 and 5,000 (too narrow where classes are small or the columns many), and
#: a label of 25-100 classes coded as numbers beside two columns in 0-38% at n = 1,000; a = 1/2
#: widens the bias term 2.4 times: 90% and 100% (docs/experiments/label_intervals/compare.md)
NN_BIAS_RATE = 0.5
#: copies of a contingency table with Y's codes permuted (independent data with the same margins):
#: where their mean estimate exceeds TABLE_NULL_TOL nats the table is too sparse for its estimate
#: (fewer than about one row per cell; see :func:`sparse_table_check`)
TABLE_COPIES = 19
TABLE_NULL_TOL = 0.01
#: the chain rule's check computes its copies one by one and stops after this many when their
#: mean is at most TABLE_NULL_TOL (see :func:`chain_check`)
CHAIN_SCREEN = 4


def _table_null(cx: np.ndarray, cy: np.ndarray, random_state) -> np.ndarray:
    """The table estimates (``TABLE_COPIES``,) of codes cx, cy (n,) with cy's rows permuted.  The
    rows are put in the order of their codes first, so the copies do not depend on the rows' order."""
    order = np.lexsort((cy, cx))
    cx, cy = cx[order], cy[order]
    rng = np.random.default_rng(random_state)
    return np.array([table_mi(cx, cy[rng.permutation(cy.shape[0])]) for _ in range(TABLE_COPIES)])


def table_bracket(x: np.ndarray, y: np.ndarray, random_state) -> tuple[float, float, str]:
    """(low, high, note): a bracket on I(X; Y) in nats from the contingency table of the rows of
    two sides x (n, dx), y (n, dy) of few-valued columns, for widening another estimator's interval.

    high: the jackknife table estimate, which reads sparse tables high (fewer than about one row
    per cell: see :func:`sparse_table_check`), at most log k (k the fewer distinct rows of the two
    sides); low: its excess over the largest of
    ``TABLE_COPIES`` copies with Y's rows permuted, which reads dependent data low (the copies'
    reading is the bias of independent data, and dependent data occupy fewer cells).  Neither is
    a bound in the strict sense; together they cover the MI where nearest-neighbour estimators
    and the network, which read such columns as numbers with ties, do not (measured in
    docs/experiments/sparse_tables)."""
    (cx, kx), (cy, ky) = codes(x), codes(y)
    reading = max(table_mi(cx, cy), 0.0)
    # at most log k, k the fewer distinct rows of the two sides, as the discrete path's upper end
    # (the jackknife reads a table of one-row cells above log n)
    high = min(reading, float(np.log(min(kx, ky))))
    low = min(max(reading - float(_table_null(cx, cy, random_state).max()), 0.0), high)
    note = (f"the contingency table of the rows ({kx} x {ky} distinct rows for {x.shape[0]} rows) reads "
            f"{reading:.4g} nats (at most log {min(kx, ky)} = {np.log(min(kx, ky)):.4g} counts), and {low:.4g} "
            "above its largest copy with Y's rows permuted")
    return low, high, note


def sparse_table_check(cx: np.ndarray, cy: np.ndarray, mi: float, lower: float, upper: float, random_state
                       ) -> tuple[float, float, float, list[str]]:
    """(mi, lower, upper, notes) of a contingency-table estimate ``mi`` (nats) with its interval,
    for codes cx, cy (n,), after a check against ``TABLE_COPIES`` copies with cy permuted.

    The jackknife table estimate reads independent data within a few hundredths of a nat of 0 down
    to about one row per cell on average, and high below that (two independent 20-valued labels:
    0.29 nats at n = 200, 0.73 at n = 100; 125-valued: 1.8 at n = 1,000;
    docs/experiments/sparse_tables/probes.md).  Where the copies' mean exceeds
    ``TABLE_NULL_TOL``, the table is sparse: unless the data read above every copy (permutation
    p = 0.05) the estimate is 0 (no evidence of dependence).  Otherwise the estimate is the excess
    over the copies' mean, the bias of independent data: dependent data occupy fewer cells and are
    biased less, so this reads low rather than high; the interval runs from the excess over the
    largest copy (or lower) to the table's own reading (or higher).  Dense tables are returned
    unchanged.  ``mi`` is read as 0 where negative."""
    null = _table_null(cx, cy, random_state)
    if null.mean() <= TABLE_NULL_TOL:
        return mi, lower, upper, []
    cells = (int(cx.max()) + 1) * (int(cy.max()) + 1)
    return _against_copies(null, mi, lower, upper, f"sparse table ({cells} cells for {cx.shape[0]} rows)")


def _against_copies(null: np.ndarray, mi: float, lower: float, upper: float, what: str
                    ) -> tuple[float, float, float, list[str]]:
    """(mi, lower, upper, notes) of an estimate ``mi`` whose readings ``null`` of copies with Y's rows
    permuted are biased (see :func:`sparse_table_check`, :func:`chain_check`): 0 unless the data read
    above every copy, else the excess over the copies' mean, with the interval from the excess over
    the largest copy (or lower) to the estimator's own reading (or higher)."""
    head = (f"{what}: independent copies (Y's rows permuted) read {null.mean():.3g} nats on average, "
            f"up to {null.max():.3g}")
    mi = max(mi, 0.0)
    pval = (1 + int(np.sum(null >= mi))) / (1 + null.size)
    if pval > 1 / (1 + null.size):
        return 0.0, 0.0, max(upper, mi), [f"{head}; the data read {mi:.3g} (permutation p = {pval:.2f}): "
                                          "no evidence of dependence, the estimate is 0"]
    excess = max(mi - float(null.mean()), 0.0)
    return excess, min(lower, max(mi - float(null.max()), 0.0)), max(upper, mi), [
        f"{head}; the data read {mi:.3g}, higher than every copy: the estimate is the excess over the "
        "copies' mean, and the interval runs from the excess over the largest to at least the data's reading"]


def chain_check(x: np.ndarray, y: np.ndarray, mask_x: np.ndarray, mask_y: np.ndarray, mi: float, lower: float,
                upper: float, random_state, k: int = 3) -> tuple[float, float, float, list[str]]:
    """(mi, lower, upper, notes) of a chain-rule estimate ``mi`` (a side mixing discrete and continuous
    columns, :func:`point_estimate`), after a check against ``TABLE_COPIES`` copies with Y's rows
    permuted, as :func:`sparse_table_check` does for tables.

    The chain rule sums nearest-neighbour estimates within the categories of the discrete columns,
    each biased up on independent data by an amount that grows as the categories shrink; with
    both sides mixed, independent data read 0.02-0.10 nats on average and the interval excluded 0
    in up to a quarter of data sets (docs/experiments/mixed_sides/chain.md).  Where the copies' mean exceeds
    ``TABLE_NULL_TOL`` the reading is checked against them.  Each copy costs a chain-rule
    estimate, so the first ``CHAIN_SCREEN`` decide whether the rest are needed: where their mean
    is at most ``TABLE_NULL_TOL`` the estimate is returned unchanged.  The rows are put in a
    canonical order first (sorted by their values), so the copies do not depend on the rows' order."""
    both = np.hstack([x, y])
    order = np.lexsort(both.T[::-1])
    x, y = x[order], y[order]
    rng = np.random.default_rng([random_state, 15485863])
    null = []
    for i in range(TABLE_COPIES):
        null.append(point_estimate(x, y[rng.permutation(y.shape[0])], mask_x, mask_y, k))
        if i + 1 == CHAIN_SCREEN and np.mean(null) <= TABLE_NULL_TOL:
            return mi, lower, upper, []  # categories large enough: the copies read no bias that matters
    null = np.array(null)
    if null.mean() <= TABLE_NULL_TOL:
        return mi, lower, upper, []
    return _against_copies(null, mi, lower, upper, "chain rule over small categories")


def half_sample_spread(stat, mi: float, n: int, random_state, reps: int, rate: float = 1.0) -> float:
    """s of the interval mi +- 1.645 s: s^2 = sd^2 + b^2 over ``reps`` half-samples of n rows drawn
    without replacement (``stat(rows)`` the estimate on them): sd their spread, b = (mi - their
    mean) / (2^rate - 1), the bias left at n rows where it falls as n^-rate (rate 1: b = mi - their
    mean).  NaN when ``reps`` is 0 (no interval asked for: callers that read only the estimate)."""
    if reps == 0:
        return float("nan")
    rng = np.random.default_rng(random_state)
    half = [stat(rng.choice(n, n // 2, replace=False)) for _ in range(reps)]
    return float(np.sqrt(np.var(half, ddof=1) + ((mi - np.mean(half)) / (2.0 ** rate - 1.0)) ** 2))


def discrete_estimate(x: np.ndarray, y: np.ndarray, mask_x: np.ndarray, mask_y: np.ndarray,
                      random_state=0, k: int = 3, reps: int = 8, bias_rate: float | None = None
                      ) -> tuple[float, float, float, list[str]]:
    """(mi, lower, upper, notes) in nats for data with a discrete side or mixed columns.

    The interval is mi +- 1.645 s with s^2 = sd^2 + b^2: sd the spread of the estimator over
    ``reps`` half-samples drawn without replacement (for n / 2 of n rows that spread estimates the
    standard deviation at n rows), b = mi - mean(half-sample estimates), the change from n / 2 to n
    rows, which for a bias of order 1/n equals the remaining bias (for a label against continuous
    columns or a side mixing kinds, the nearest-neighbour estimates, b is that change / (sqrt(2) - 1),
    the bias left where it falls as n^-1/2: ``NN_BIAS_RATE``; ``bias_rate`` overrides the rate); a
    negative estimate is read as 0 before the interval is centred on it.  For two discrete sides the lower
    bound is 0 whenever a G-test does not reject independence at the 5% level.  For a label against
    two or more continuous columns, a cross-validated classifier's lower bound raises the estimate
    where it is larger, and where Fano's bound from its held-out errors reaches the estimate the
    interval is [Fano's bound, log k].  The estimate and the lower end are clipped to [0, H], H the
    entropy of the observed frequencies of a side that is entirely discrete, the upper end to
    [0, log k], k that side's observed categories.  ``reps = 0``: no half-samples and no interval
    (lower and upper are NaN), for callers that read only the estimate.
    """
    n = x.shape[0]
    notes = []
    # (codes (n,), categories k) of each side that is entirely discrete, computed once
    coded = {name: codes(a) for a, m, name in ((x, mask_x, "X"), (y, mask_y, "Y")) if m.all()}
    mi = point_estimate(x, y, mask_x, mask_y, k)
    how = kind(mask_x, mask_y)
    rate = bias_rate if bias_rate is not None else 1.0 if how == "table" else NN_BIAS_RATE
    spread = half_sample_spread(lambda s: point_estimate(x[s], y[s], mask_x, mask_y, k), mi, n, random_state, reps,
                                rate)
    # a negative reading (the nearest-neighbour estimators' bias at weak dependence) is 0 before the
    # interval is formed, as in infoatlas.pooled: the interval keeps its width instead of collapsing
    # to [0, 0] when mi + 1.645 s < 0, which would exclude a small positive MI
    mi = max(mi, 0.0)
    lower, upper = mi - Z90 * spread, mi + Z90 * spread
    cont, lab = {"label_y": (x, "Y"), "label_x": (y, "X")}.get(how, (None, None))
    if cont is not None and cont.shape[1] >= 2:
        # several continuous columns against a label: the nearest-neighbour estimate can fall below
        # what a classifier proves; take the larger of the two (both clipped to H below)
        lab_codes, lab_k = coded[lab]
        clf = classifier_bound(cont, lab_codes, random_state=random_state)
        bound, se = clf.bound, clf.se
        if bound > mi:
            notes.append(f"raised to a cross-validated classifier's lower bound ({bound:.4f} nats; the "
                         f"nearest-neighbour estimate was {mi:.4f})")
            mi = bound
            lower, upper = max(lower, bound - Z90 * se), max(upper, bound + Z90 * se)
        # Fano's inequality with a 95% upper limit on the same fits' error rate: a lower end the data
        # prove whatever the neighbour estimator's bias.  Fano's bound is loose unless errors are
        # rare, so where it reaches the estimate the label is close to a function of X and the
        # estimate is biased low near H(C) by an amount its half-samples do not show (a label given
        # by one column next to ten independent ones read 1.07 [1.06, 1.08] for log 4): the interval
        # is then [Fano's bound, log k], which holds at 95% without the neighbour estimate
        fano = fano_bound(_plugin_entropy(lab_codes), lab_k, error_rate_upper(clf.errors, n))
        if fano > 0 and fano >= mi:
            notes.append(f"a cross-validated classifier errs on {clf.errors} of {n} rows: by Fano's "
                         f"inequality the MI is at least {fano:.4f} nats, and the interval runs from "
                         f"there to the log of the label's number of classes")
            mi, lower, upper = max(mi, fano), fano, np.inf
    bound, top = np.inf, np.inf
    for name, (c, kc) in coded.items():
        h = _plugin_entropy(c)
        # the upper end stops at log k (k observed categories), the largest entropy of k values:
        # the observed entropy reads the population's low by about (k - 1) / (2 n)
        top = min(top, float(np.log(kc)))
        if h < bound:
            bound, which = h, name
    if how == "chain":
        mi, lower, upper, more = chain_check(x, y, mask_x, mask_y, mi, lower, upper, random_state, k)
        notes += more
    if how == "table":
        (cx, kx), (cy, ky) = coded["X"], coded["Y"]
        g = 2.0 * n * table_mi(cx, cy, "plugin")
        p_ind = stats.chi2.sf(g, max((kx - 1) * (ky - 1), 1))
        if p_ind > INDEPENDENCE_LEVEL:
            lower = 0.0
            notes.append(f"independence not rejected (G-test p = {p_ind:.2g}): the interval includes 0")
        mi, lower, upper, more = sparse_table_check(cx, cy, mi, lower, upper, random_state)
        notes += more
    notes.insert(0, f"discrete columns: x {np.flatnonzero(mask_x).tolist()}, y {np.flatnonzero(mask_y).tolist()}; "
                    f"estimated by {METHODS.get(how, 'nearest neighbours (KSG)')}")
    clip = lambda v: float(min(max(v, 0.0), bound))  # noqa: E731
    if np.isfinite(bound) and mi > bound:
        notes.append(f"clipped to the entropy of the discrete side {which} ({bound:.4f} nats)")
    mi, lower, upper = clip(mi), clip(lower), float(min(max(upper, 0.0), top))
    if not reps:
        return mi, float("nan"), float("nan"), notes
    return mi, min(lower, mi), max(upper, mi), notes
