"""KSG (Kraskov et al. 2004, algorithm 1) pieces: the joint-space radius, the digamma formula, and
the per-pair statistics a refinement head reads.  The KSG baseline uses the same radius and formula."""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy import special

KNN_K = 3  #: neighbours in the KSG statistics of :func:`knn_features`


@lru_cache(maxsize=1)
def _knn_pool():
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="infoatlas-knn")


def knn_radius(xy: np.ndarray, k: int = KNN_K, workers: int = 1) -> np.ndarray:
    """KSG (algorithm 1) radii: per point of xy (n, d), the largest max-norm distance strictly
    below that of its k-th neighbour in the joint space, (n,).  Shared by :func:`ksg_pair` and the
    :class:`~infoatlas.baselines.KSG` baseline, which differ only in how they count marginal points.
    ``workers``: threads of the kd-tree query (scipy's; -1 all cores), for callers not already
    running in a pool."""
    from scipy.spatial import cKDTree

    # only the (k+1)-th distance (the point itself is the first); small leaves suit low
    # dimensions (measured 1.25 vs 1.53 ms at n = 1,024 in 2-D; exact either way)
    dist, _ = cKDTree(xy, leafsize=8).query(xy, k=[k + 1], p=np.inf, workers=workers)
    return np.nextafter(dist[:, 0], 0)


def ksg_value(k: int, n: int, n_x: np.ndarray, n_y: np.ndarray, exact_sum: bool = False) -> float:
    """psi(k) + psi(n) - < psi(n_x + 1) + psi(n_y + 1) > (nats), from marginal counts (n,).
    ``exact_sum``: the mean by math.fsum (correctly rounded), so that the value does not depend on
    the order of the points at all (the estimator's exact row-order and X/Y-swap invariance)."""
    terms = special.digamma(n_x + 1) + special.digamma(n_y + 1)
    mean = math.fsum(terms.tolist()) / terms.size if exact_sum else np.mean(terms)
    return float(special.digamma(k) + special.digamma(n) - mean)


def ksg_pair(u: np.ndarray, v: np.ndarray, k: int = KNN_K, exact_sum: bool = False, workers: int = 1) -> float:
    """KSG estimate (algorithm 1, max-norm; nats, not clipped) of I(u; v) for two 1-D arrays (n,).

    Marginal counts from sorted copies (two binary searches per point) rather than kd-trees: in
    1-D that is exact up to float rounding at the radius and about twice as fast.  ``workers``: as
    :func:`knn_radius`.
    """
    eps = knn_radius(np.column_stack([u, v]), k, workers)
    su, sv = np.sort(u), np.sort(v)
    nu = np.searchsorted(su, u + eps, "right") - np.searchsorted(su, u - eps, "left") - 1
    nv = np.searchsorted(sv, v + eps, "right") - np.searchsorted(sv, v - eps, "left") - 1
    return ksg_value(k, u.shape[0], nu, nv, exact_sum)


def ksg_kdtree(x: np.ndarray, y: np.ndarray, k: int = KNN_K, exact_sum: bool = False, workers: int = 1) -> float:
    """KSG estimate (algorithm 1, max-norm over all columns; nats, not clipped) of I(X; Y) from
    x (n, dx) and y (n, dy), marginal counts by a kd-tree on each side: the
    :class:`~infoatlas.baselines.KSG` baseline's computation (on its standardised columns) and that
    of :func:`ksg_joint`.  ``exact_sum`` and ``workers``: as :func:`ksg_value` and :func:`knn_radius`."""
    from scipy.spatial import cKDTree

    eps = knn_radius(np.hstack([x, y]), k, workers)  # strictly closer than the k-th neighbour
    nx = cKDTree(x).query_ball_point(x, eps, p=np.inf, return_length=True, workers=workers) - 1
    ny = cKDTree(y).query_ball_point(y, eps, p=np.inf, return_length=True, workers=workers) - 1
    return ksg_value(k, x.shape[0], nx, ny, exact_sum)


def ksg_joint(zx: np.ndarray, zy: np.ndarray, k: int = KNN_K, workers: int = 1) -> float:
    """KSG estimate (algorithm 1, max-norm over all columns; nats, not clipped) of I(X; Y) from
    zx (n, dx) and zy (n, dy), with exact sums (independent of the order of the rows and of the
    X/Y swap): :func:`ksg_kdtree` (one column a side: :func:`ksg_pair`, the same value by sorted
    margins)."""
    if zx.shape[1] == zy.shape[1] == 1:
        return ksg_pair(zx[:, 0], zy[:, 0], k, exact_sum=True, workers=workers)
    return ksg_kdtree(zx, zy, k, exact_sum=True, workers=workers)


def local_width(z: np.ndarray, k: int = 10) -> float:
    """The median over the rows of z (m, c), c >= 2, of the second largest over the largest
    eigenvalue of the covariance of each row and its k nearest neighbours: how wide a neighbourhood
    is across its main direction, about 0 where the rows lie on a curve, of order 0.5 where they
    fill a surface or the c columns.  On whitened copula scores of 1,000 rows a circle, a helix and
    a column padded with sin 2y read at most 0.003; a surface in 3 columns, Gaussian, uniform,
    heavy-tailed and clustered sides and those of the held-out continuous families at least 0.45
    (docs/experiments/real_shapes/curves.md).  Unlike a TwoNN dimension it does not depend on how
    regularly the points are spaced (ranks space a curve's points evenly: a circle's copula scores
    read a TwoNN dimension of about 2), nor much on how the density varies."""
    from scipy.spatial import cKDTree

    idx = cKDTree(z).query(z, k + 1)[1]                                   # (m, k + 1), the row itself first
    nb = z[idx] - z[idx].mean(1, keepdims=True)                           # (m, k + 1, c)
    w = np.linalg.eigvalsh(np.einsum("mki,mkj->mij", nb, nb))             # (m, c) ascending
    return float(np.median(w[:, -2] / np.maximum(w[:, -1], np.finfo(float).tiny)))


def knn_features(u: np.ndarray, v: np.ndarray, n_pairs: int, k: int = KNN_K) -> np.ndarray:
    """Nonparametric statistics of the leading canonical pairs, for the refinement head.

    u : (T, dx), v : (T, dy) canonical coordinates of one data set (the rows the network reads).
    For k < n_pairs: log1p of the KSG estimate of I(u_k; v_k) (clipped to [0, 10] nats) and 1 where
    the pair exists (k < min(dx, dy)); then log1p of their sum.  Returns (2 n_pairs + 1,) float32.

    KSG of a 2-D pair sees dependence the moments miss (bounded supports, bimodality, tails) and
    grows with the data where the network's chunks do not; summing over pairs ignores dependence
    across pairs, which the network's own reading covers.  Symmetric in X and Y (KSG is).
    """
    return knn_features_many([(u, v)], n_pairs, k)[0]


def knn_features_many(sets, n_pairs: int, k: int = KNN_K) -> list[np.ndarray]:
    """:func:`knn_features` of many data sets, sets = [(u (T, dx), v (T, dy)), ...]: the KSG
    estimates of all their pairs share one pool of two threads (the kd-tree work releases the GIL),
    which keeps both cores busy better than one data set's few pairs at a time.  Each result is
    the same as :func:`knn_features` alone (no value depends on the threads)."""
    cols, owner = [], []
    for i, (u, v) in enumerate(sets):
        # neighbour counts are discrete: a 1e-16 change (float sums in another row order) can move a
        # point across the k-th distance; rounding to float32 first removes such changes, so the
        # statistics (and the estimate) stay exactly invariant to the order of the rows (tested)
        u = np.asarray(u, dtype=np.float32).astype(np.float64)
        v = np.asarray(v, dtype=np.float32).astype(np.float64)
        for j in range(min(u.shape[1], v.shape[1], n_pairs)):
            cols.append((np.ascontiguousarray(u[:, j]), np.ascontiguousarray(v[:, j])))
            owner.append(i)
    # measured 7.7 vs 10.2 ms for 5 pairs of 1,024 rows on the 2-core development machine
    vals = list(_knn_pool().map(lambda c: ksg_pair(*c, k), cols)) if len(cols) > 1 else \
        [ksg_pair(*c, k) for c in cols]
    mi = np.zeros((len(sets), n_pairs))
    live = np.zeros((len(sets), n_pairs))
    for i, val in zip(owner, vals):
        j = int(live[i].sum())
        mi[i, j], live[i, j] = val, 1.0
    mi = np.clip(mi, 0.0, 10.0)
    return [np.concatenate([np.log1p(mi[i]), live[i], [np.log1p(mi[i].sum())]]).astype(np.float32)
            for i in range(len(sets))]


GLOBAL_KS = (3, 8)  #: neighbours of the two joint-space KSG statistics in :func:`global_features`
#: distances within this relative gap are equal in :func:`global_features` (tied and rounded data
#: have many equal distances; float rounding, which differs between distance algorithms, must not
#: decide which of them counts as closer)
TIE_RTOL = 1e-6
N_GLOBAL = 8        #: length of the vector :func:`global_features` returns


#: with ``spread_repeats``, each coordinate of a repeated row moves by up to this much (copula
#: scores: far below the gap between distinct values, at least ~2.5 / n for n <= 100,000 rows)
SPREAD = 1e-6


def _no_repeated_rows(a: np.ndarray) -> bool:
    """Whether one of the first four columns of a (T, d) has no repeated value, which rules out
    repeated rows without the row-wise unique (a lexicographic sort of the rows): one 1-D sort on
    continuous data."""
    t = a.shape[0]
    return any(np.unique(a[:, j]).size == t for j in range(min(a.shape[1], 4)))


def spread_repeated_rows(a: np.ndarray, other: np.ndarray) -> np.ndarray:
    """Rows of a (T, d) that repeat, moved apart by a deterministic offset of at most SPREAD per
    coordinate, (T, d); rows that occur once are returned unchanged (``a`` itself if none repeats).

    The jitter that the KSG baseline and scikit-learn add to break ties, made a function of the data
    alone: the offset of a row depends on its group of identical rows (numbered in the sorted order
    of the distinct rows), its place in that group, and the column; places are given in the order of
    the rows' values on the other side ``other`` (T, d'), so the offsets depend neither on the order
    of the rows nor on which side is which (rows identical on both sides are interchangeable).
    """
    t = a.shape[0]
    if _no_repeated_rows(a):
        return a
    inv = np.unique(a, axis=0, return_inverse=True)[1].ravel()
    counts = np.bincount(inv)
    if counts.max() == 1:
        return a
    # rows by group, then by the other side's values (lexsort: the last key is the primary one)
    order = np.lexsort([other[:, j] for j in reversed(range(other.shape[1]))] + [inv])
    place = np.empty(t, dtype=np.int64)
    place[order] = np.arange(t) - np.r_[0, np.cumsum(counts)[:-1]][inv[order]]
    # a pseudo-random value in [-1, 1] per (group, place, column): sin of distinct large integers
    key = (inv * 7919 + place * 104_729)[:, None] + np.arange(a.shape[1])[None] * 15_485_863 + 1
    return np.where((counts[inv] > 1)[:, None], a + SPREAD * np.sin(key.astype(np.float64)), a)


def global_features(zx: np.ndarray, zy: np.ndarray, spread_repeats: bool = False) -> np.ndarray:
    """Statistics of the whole data set, not of canonical pairs, for the refinement head.

    zx : (T, dx), zy : (T, dy) copula scores of T rows (all columns; T of a few hundred).  The cost is
    O(T^2 (dx + dy)), by dense float64 distance matrices, which beat kd-trees above a few dimensions;
    with one column per side (every pair of ``pairwise``) O(T log T) by a kd-tree and sorted margins,
    the same statistics up to float rounding (:func:`_neighbours_1d`).  Distances within a relative
    TIE_RTOL count as equal in both.

    Canonical correlations see only the linear part of the dependence, and their sample values are
    biased up when dx + dy is large against n; data on a low-dimensional manifold in many ambient
    dimensions, or in clusters, look nothing like their canonical form.  These statistics read the
    joint geometry directly:

    - KSG (algorithm 1) in the joint space with Euclidean norms within each side and the max of the
      two across (a valid KSG norm), for k = 3 and 8: two estimates with different biases,
      each clipped to [-1, 12] nats and divided by 4;
    - log1p of the k = 3 estimate (clipped at 0);
    - TwoNN intrinsic dimensions (Facco et al. 2017: d = m / sum log(r2 / r1)) of X, Y and the
      joint, each as l = log1p(d) / 4, given as l_x + l_y, |l_x - l_y| and l_xy: a manifold in many
      dimensions has a small one, and d_x + d_y - d_xy grows with the dependence;
    - the smaller and the larger share of distinct rows of X and of Y (rows that repeat: pools, ties).

    Exactly symmetric in X and Y (sums, absolute differences, min and max).  Returns (N_GLOBAL,)
    float32.

    ``spread_repeats`` (a weight file's feature setting): rows that repeat (pools, ties) are first
    moved apart by :func:`spread_repeated_rows`.  Without it a repeated row is at distance 0 from
    its copies and, with k or more copies, its KSG radius and marginal counts are 0: on pooled
    clusters (atlas family clusters_codebook, n = 1,000) the k = 3 statistic erred by 0.40 nats on
    average where the jittered KSG of the same 512 rows erred by 0.04.  Only the two KSG
    statistics read the spread rows (their distances from coordinate differences, so that those
    between copies, about 1e-6, are exact); the intrinsic dimensions and the shares of distinct rows
    read the rows as they are (the jitter has no dimension worth measuring).
    """
    zx = np.ascontiguousarray(zx, dtype=np.float64)
    zy = np.ascontiguousarray(zy, dtype=np.float64)

    def neighbours(a, b, direct=False):
        if a.shape[1] == 1 and b.shape[1] == 1:
            return _neighbours_1d(a[:, 0], b[:, 0])
        return _neighbours_dense(a, b, direct)

    found = neighbours(zx, zy)
    if spread_repeats:
        sx, sy = spread_repeated_rows(zx, zy), spread_repeated_rows(zy, zx)
        if sx is not zx or sy is not zy:
            t, near, counts = neighbours(sx, sy, direct=True)[:3]
            return _assemble(t, near, counts, *found[3:], near_id=found[1])
    return _assemble(*found)


def _neighbours_dense(zx: np.ndarray, zy: np.ndarray, direct: bool = False):
    """The neighbour quantities :func:`_assemble` reads, from dense (T, T) distance matrices
    (``direct``: from coordinate differences rather than products: exact for tiny distances,
    slower above a few columns)."""
    import torch
    from scipy.spatial.distance import cdist

    x, y = torch.from_numpy(zx), torch.from_numpy(zy)
    t = x.shape[0]

    def dist(a):  # (T, T) Euclidean distances within a side, exactly 0 between identical rows
        # float64 products (|a|^2 + |b|^2 - 2 a.b: one BLAS call, fast at any width) leave ~1e-8 between
        # identical rows; repeated rows (pools, ties) must be at distance 0 for the neighbour counts
        arr = a.numpy()
        d = torch.from_numpy(cdist(arr, arr)) if direct else torch.cdist(a, a)
        if _no_repeated_rows(arr):
            return d.fill_diagonal_(0.0), t  # only the diagonal (each row and itself) is set to 0
        inv = (np.unique(arr[:, 0], return_inverse=True)[1] if arr.shape[1] == 1
               else np.unique(arr, axis=0, return_inverse=True)[1].ravel())
        distinct = int(inv.max()) + 1
        if distinct == t:
            return d.fill_diagonal_(0.0), distinct
        inv = torch.from_numpy(inv)
        return d.masked_fill(inv[:, None] == inv[None, :], 0.0), distinct

    (dxm, nx_distinct), (dym, ny_distinct) = dist(x), dist(y)
    joint = torch.maximum(dxm, dym)
    joint.fill_diagonal_(float("inf"))
    kmax = min(max(GLOBAL_KS), t - 1)
    near = torch.topk(joint, kmax, dim=1, largest=False).values  # (T, kmax) ascending
    counts = []
    for k in GLOBAL_KS:
        eps = near[:, min(k, kmax) - 1: min(k, kmax)] * (1.0 - TIE_RTOL)  # (T, 1) k-th joint distance
        # points strictly closer than eps (and not equal to it) in each margin, less the point itself
        counts.append((((dxm < eps).sum(1) - 1).clamp(min=0).numpy(), ((dym < eps).sum(1) - 1).clamp(min=0).numpy()))
    # the two nearest other rows within a side: the three smallest distances less the first, a 0
    # (the row itself, or a repeat of it: the same value either way; no copy with an infinite diagonal)
    two = [torch.topk(d, min(3, t), dim=1, largest=False).values[:, 1:].numpy() for d in (dxm, dym)]
    return t, near.numpy(), counts, two[0], two[1], nx_distinct, ny_distinct


def _neighbours_1d(u: np.ndarray, v: np.ndarray):
    """:func:`_neighbours_dense` for one column per side (u, v (T,)) in O(T log T): a max-norm
    kd-tree in the joint plane (Euclidean in one dimension is the absolute difference, and the max of
    the two is the max-norm) and binary searches in the sorted margins.  The same quantities up to
    float rounding at the k-th distance (dense distances come from products; tested)."""
    from scipy.spatial import cKDTree

    t = u.shape[0]
    kmax = min(max(GLOBAL_KS), t - 1)
    # k + 1 nearest, the first at distance 0 (the point itself, or an identical row: either way one
    # zero is dropped, as the dense path drops the diagonal)
    pts = np.column_stack([u, v])  # (T, 2)
    near = cKDTree(pts, leafsize=8).query(pts, k=kmax + 1, p=np.inf)[0]
    near = near.reshape(t, kmax + 1)[:, 1:]
    # one sort per margin: the order serves the counts (sorted values) and the two nearest (positions)
    pu, pv = np.argsort(u, kind="stable"), np.argsort(v, kind="stable")
    su, sv = u[pu], v[pv]
    eps = near[:, [min(k, kmax) - 1 for k in GLOBAL_KS]].T.ravel() * (1.0 - TIE_RTOL)  # (len(GLOBAL_KS) T,)
    r = np.nextafter(eps, 0.0)
    # rows strictly closer than eps, less the point itself (none when eps = 0, as in the dense path)
    cu = np.where(eps > 0, _count_within(su, np.tile(u, len(GLOBAL_KS)), r) - 1, 0).clip(min=0)
    cv = np.where(eps > 0, _count_within(sv, np.tile(v, len(GLOBAL_KS)), r) - 1, 0).clip(min=0)
    counts = list(zip(cu.reshape(len(GLOBAL_KS), t), cv.reshape(len(GLOBAL_KS), t)))

    def two_nearest(s, pos):  # (T, 2): in one dimension the two nearest lie within two places either side
        pad = np.concatenate([[-np.inf, -np.inf], s, [np.inf, np.inf]])
        gaps = np.stack([s - pad[1:-3], s - pad[:-4], pad[3:-1] - s, pad[4:] - s], axis=1)  # (T, 4) sorted order
        out = np.empty((t, 2))
        out[pos] = np.sort(gaps, axis=1)[:, :2]
        return out

    return (t, near, counts, two_nearest(su, pu), two_nearest(sv, pv),
            np.unique(u).size, np.unique(v).size)


def _count_within(s: np.ndarray, a: np.ndarray, r: np.ndarray) -> np.ndarray:
    """#{l : |s_l - a_i| <= r_i} for sorted s (T,), a (M,), r (M,), with the distance computed as the
    float difference, as a kd-tree or the joint radius computes it.  Bounds a +- r in the sorted array
    round, so a row on the boundary (the row that set the radius always is one) can land on either
    side; fl(s_l - a) is monotone in s_l, so each end found by a binary search of a +- r is then
    moved, one group of equal values at a time, to where the difference itself crosses r."""
    t = s.shape[0]
    hi = np.searchsorted(s, a + r, "right")  # first l with s_l - a > r
    lo = np.searchsorted(s, a - r, "left")   # first l with a - s_l <= r
    for _ in range(t):  # at most a step or two: rounding errs by an ulp
        moved = False
        for end, outside in ((hi, lambda l, i: s[l] - a[i] > r[i]), (lo, lambda l, i: a[i] - s[l] > r[i])):
            # the end is right when the row before it is inside the window and the row at it is not
            # (for hi "inside" is the left part, for lo the right part: swap the test)
            before_in = np.flatnonzero(end > 0)
            bad_back = before_in[outside(end[before_in] - 1, before_in) == (end is hi)]
            at = np.flatnonzero(end < t)
            bad_fwd = at[outside(end[at], at) != (end is hi)]
            if bad_back.size:
                end[bad_back] = np.searchsorted(s, s[end[bad_back] - 1], "left")
            if bad_fwd.size:
                end[bad_fwd] = np.searchsorted(s, s[end[bad_fwd]], "right")
            moved = moved or bool(bad_back.size or bad_fwd.size)
        if not moved:
            break
    return np.maximum(hi - lo, 0)


def _assemble(t, near, counts, two_x, two_y, nx_distinct, ny_distinct, near_id=None) -> np.ndarray:
    """The N_GLOBAL statistics of :func:`global_features` from T, the joint distances to the
    nearest rows near (T, kmax) ascending, the margin counts per k in GLOBAL_KS, the distances to
    the two nearest rows within X and within Y (T, 2) and the numbers of distinct rows; ``near_id``:
    the joint distances the intrinsic dimension reads, if not ``near``."""
    kmax = near.shape[1]
    ksg = [ksg_value(min(k, kmax), t, nx, ny) for k, (nx, ny) in zip(GLOBAL_KS, counts)]
    feats = [np.clip(v, -1.0, 12.0) / 4.0 for v in ksg]
    feats.append(np.log1p(np.clip(ksg[0], 0.0, 12.0)))

    def twonn(r):  # r (T, 2): distances to the first and second neighbour
        ok = (r[:, 0] > 0) & (r[:, 1] > r[:, 0] * (1.0 + TIE_RTOL))
        if int(ok.sum()) < 3:
            return 0.0
        return float(ok.sum()) / float(np.log(r[ok, 1] / r[ok, 0]).sum())

    ids = [np.log1p(twonn(r)) / 4.0 for r in (two_x, two_y)]
    near_id = near if near_id is None else near_id
    feats += [ids[0] + ids[1], abs(ids[0] - ids[1]), np.log1p(twonn(near_id[:, :2])) / 4.0]
    distinct = [nx_distinct / t, ny_distinct / t]
    feats += [min(distinct), max(distinct)]
    return np.asarray(feats, dtype=np.float32)
