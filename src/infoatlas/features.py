"""The one seam from data to network: (x, y) and a weight file's feature settings -> input tensors.

Used alike by the estimator (numpy arrays: :meth:`Featurizer.prepare`), pretraining (batches of raw
samples: :meth:`Featurizer.batch`), the refinement head, the calibration and the differentiable API
(:meth:`Featurizer.differentiable`).  The settings that shape the inputs (rows per pass, chunks,
statistics rows) are stored in every weight file (:class:`FeatureSettings`), so a network always
reads its data the way it was trained and measured.

Path: validate -> copula (ranks -> normal scores) -> canonicalise (float64) -> per-direction
statistics on up to ``stats_rows`` rows -> chunks of ``rows_per_pass`` rows in an order fixed by
the row values -> :func:`model_inputs` (+ kNN statistics when the network has a refinement head).
"""
from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass

import numpy as np
import torch

from .canonical import Canonical, canonicalise, gaussian_mi
from .copula import copula_normal, copula_normal_torch
from .knn import global_features, knn_features, knn_features_many
from .regression import RegressionBound
from .validation import check_random_state, validate_xy, warn_data

DEFAULT_MAX_ROWS = 100_000  #: rows above this are subsampled (deterministically) before ranking
COPY_RHO = 1.0 - 1e-5  #: a canonical correlation above this: a side is (nearly) a linear copy of the other
RAW_COPY_ROWS = 32_768  #: rows read by the raw values' copies check (two halves)
_COPIES = "X and Y are (nearly) copies of each other"  # the head of the copies note (see raw_copies)


@dataclass(frozen=True)
class FeatureSettings:
    """How a data set becomes network inputs; stored in every weight file as ``features``.

    rows_per_pass : rows the network reads per pass (T); more rows -> chunks of T.
    max_chunks : at most this many chunks per data set, their outputs averaged.  On 256 held-out
        data sets at n = 5,000 (the selection suite) the v2 network's MAE was 0.4128 nats with up to
        8 chunks, 0.4110 with 2 and 0.4132 with 1; 2 chunks take half the time of 4.
    stats_rows : rows the non-Gaussianity statistics read (4x the largest pretraining n).
    stat_n_cap : n at which the statistics' z-like scores and the stated n stop growing (the
        largest n of pretraining: larger n are presented as this rather than extrapolated to).
    knn_k : neighbours in the refinement head's KSG statistics.
    global_rows : rows the whole-data-set statistics read (:func:`~infoatlas.knn.global_features`,
        O(rows^2); 512 rows took 6, 8, 11 and 21 ms at 1, 5, 64 and 256 columns per side on the
        2-core development machine, idle).
    spread_repeats : 1: those statistics read repeated rows moved apart by a tiny deterministic
        jitter (:func:`~infoatlas.knn.spread_repeated_rows`; the shipped weights); 0 (the default,
        and weight files written before the setting existed): as they are.
    """

    rows_per_pass: int = 1024
    max_chunks: int = 2
    stats_rows: int = 16_384
    stat_n_cap: int = 4096
    knn_k: int = 3
    global_rows: int = 512
    spread_repeats: int = 0

    def __post_init__(self):
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if f.name == "spread_repeats":
                if isinstance(v, bool) or v not in (0, 1):
                    raise ValueError(f"feature setting spread_repeats must be 0 or 1, got {v!r}")
            elif isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"feature setting {f.name} must be a positive integer, got {v!r}")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "FeatureSettings":
        """Strict: an unknown key is an error (a file written by a newer version, or a typo)."""
        unknown = set(d) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise ValueError(f"unknown feature settings {sorted(unknown)}")
        return cls(**d)


@dataclass
class Prepared:
    """One data set ready for the network, or already answered (a constant side: MI is 0).

    inputs : dict of tensors with a leading chunk axis (k, ...), see :func:`model_inputs`; None
        when the MI is known to be 0.
    null : the same data with the rows of Y permuted (a few copies), when the estimator checks the
        estimate against independent data of the same shape (few rows for the columns); else None.
    bound : what the data prove about the MI when the rows of a side repeat, (entropy, log of the
        distinct rows, side) of :func:`infoatlas.pooled.repeat_bound`; set by the estimator, else None.
    scores : the copula scores (m, dx), (m, dy) of the sides, kept by the estimator for its checks
        against KSG on all rows (:func:`infoatlas.checks.check_reading`); else None.
    joint_ksg : the head's joint-space KSG statistic (k = 3, on up to ``global_rows`` rows, clipped
        to [-1, 12] nats), which decides whether the joint-space check computes KSG on all rows;
        None for a network without whole-data-set statistics.
    bracket : (low, high, note), what the categorical estimators read where few-valued columns are
        read as numbers with ties; the interval is widened to cover it (set by the estimator,
        :meth:`infoatlas.estimator.InfoAtlas._bracketed`), else None.
    tied : the same data with the ties of its few-valued columns kept, where the estimator read
        them broken (:meth:`infoatlas.estimator.InfoAtlas._tie_broken`); the interval is widened to
        cover the network's reading of it; else None.
    labels : (categorical reading in nats, arguments of
        :meth:`infoatlas.estimator.InfoAtlas._label_estimate`) where a side is one heavily tied
        column or has one beside untied columns: the categorical estimate replaces the network's
        where its interval lies clearly above the network's estimate; else None.
    near_copy : whether a canonical correlation of the copula scores, or of the raw values in each
        half of the rows (:func:`raw_copies`), is above ``COPY_RHO`` (X and Y nearly copies of each
        other): the estimator leaves the interval open above.
    regression : the largest regression bound of the MI over the columns
        (:class:`infoatlas.regression.RegressionBound`), set by the estimator (``estimate`` and
        ``pairwise`` alike) where a side has at most four columns, on the values with the ties that
        columns still have broken at random (:func:`infoatlas.estimator._tie_broken_for_checks`);
        :func:`infoatlas.checks.regression_check` reads it; else None.
    """

    inputs: dict | None
    n: int
    dim_x: int
    dim_y: int
    n_used: int
    notes: tuple
    null: list | None = None
    bound: tuple | None = None
    scores: tuple | None = None
    joint_ksg: float | None = None
    bracket: tuple | None = None
    tied: "Prepared | None" = None
    labels: tuple | None = None
    near_copy: bool = False
    regression: RegressionBound | None = None


def order_rows(a: np.ndarray, random_state) -> np.ndarray:
    """Row indices of a (n, d) in a pseudo-random order computed from each row's values alone.

    The key of row i is frac(1e3 |sum_j cos(w arctan(a_ij))|) with w drawn from ``random_state``:
    a symmetric function of the row's entries and an even function of each, so the rows chosen
    from it depend neither on the order of the rows, nor on the order of the columns, nor on which
    side (X or Y) a column is, nor on the sign of a column (copula scores of a decreasing map of a
    column are the negated scores).
    """
    rng = np.random.default_rng(random_state)
    w = rng.uniform(50.0, 100.0)
    key = np.modf(np.abs(np.cos(w * np.arctan(a)).sum(1)) * 1e3)[0]
    return np.argsort(key, kind="stable")


def whitened(a: np.ndarray) -> np.ndarray:
    """a (m, d) float64 -> (m, r), r <= d: the centred, standardised columns in an orthonormal basis
    of their span (O(m d^2), from their covariance), directions with variance below 1e-10 of the
    largest dropped, so that linearly dependent columns (a column repeated, nearly collinear ones)
    add no direction of their own.  Constant columns add none either (no column varies: (m, 0)).
    The columns are standardised by :func:`infoatlas.discrete.standardise`, whose squares cannot
    overflow (values near 1e154 did here)."""
    from .discrete import standardise

    a = standardise(a[:, np.ptp(a, axis=0) > 0])
    if a.shape[1] == 0:
        return a
    w, v = np.linalg.eigh(a.T @ a / a.shape[0])
    keep = w > 1e-10 * w[-1]
    return np.ascontiguousarray(a @ (v[:, keep] / np.sqrt(w[keep])))


def _top_canonical(x: np.ndarray, y: np.ndarray) -> float:
    """The largest sample canonical correlation of x (m, dx) and y (m, dy), float64, from their
    :func:`whitened` bases (a column repeated within a side adds no spurious direction); 0 where a
    side has no direction left (constant on these rows)."""
    bx, by = whitened(x), whitened(y)
    if bx.shape[1] == 0 or by.shape[1] == 0:
        return 0.0
    return float(np.linalg.svd(bx.T @ by, compute_uv=False)[0] / x.shape[0])


def raw_copies(x: np.ndarray, y: np.ndarray, random_state=0) -> float | None:
    """The smaller of the largest canonical correlations of the raw values x (m, dx), y (m, dy)
    (non-constant columns) in the two halves of the rows (:func:`order_rows`), where both are above
    ``COPY_RHO``, else None.  Y = A X for a rotation A of several columns is an exact copy (infinite
    MI) that the copula scores' check misses, because ranks taken column by column bend the linear
    map (3 columns a side read 9.1-9.8 nats with a finite interval,
    docs/experiments/real_shapes/copies.md).  Both halves must show it, so one extreme row shared
    by the two sides (which alone makes a raw correlation near 1) is not taken for copies; with few
    rows for the columns (a half of at most 3 (dx + dy) rows) sample canonical correlations reach 1
    whatever the data, and nothing is said."""
    m, dx, dy = x.shape[0], x.shape[1], y.shape[1]
    if dx == 0 or dy == 0 or m // 2 <= 3 * (dx + dy):
        return None
    # copies hold on every subset of rows: up to RAW_COPY_ROWS of them suffice, in an order fixed
    # by the values of a column a side (all columns: 0.8 s at 100,000 rows and 64 + 64 columns)
    order = order_rows(np.hstack([x[:, :1], y[:, :1]]), random_state)[:RAW_COPY_ROWS]
    m = order.shape[0]
    top = min(_top_canonical(x[h], y[h]) for h in (order[: m // 2], order[m // 2:]))
    return top if top > COPY_RHO else None


def subsample_rows(a: np.ndarray, max_rows: int, random_state) -> np.ndarray:
    """Sorted indices of ``max_rows`` of the rows of a (n, d), chosen without regard to row order.

    Identical rows (discrete or tied data) are interchangeable, so only how many rows of each group
    of identical rows are kept matters: those counts are drawn as in a simple random sample of
    ``max_rows`` of the n rows (multivariate hypergeometric), the groups taken in the order of
    :func:`order_rows` on ranks mapped to [-1, 1] per column (so the choice is the same under any
    strictly monotone map of a column, increasing or decreasing), by a generator seeded by
    ``random_state``.  For data without repeated rows this keeps the ``max_rows`` rows first in that
    order.

    Not a subsample in which each group keeps its share (floor(max_rows * count / n) rows and the
    largest remainders): its counts vary less than a sample's, and estimators whose bias corrections
    assume sampled counts over-correct on it.  KSG on finite pools of points (the pooled route)
    erred by 0.083 nats on average (reading low) on such a subsample of 5,000 of 20,000 rows, against
    0.008 on a simple random one and 0.006 on all rows (18 data sets of the clusters_pool family,
    8-64 columns a side; docs/experiments/pool_subsample).
    """
    import pandas as pd
    from scipy.stats import rankdata

    def signed_ranks(b):  # ranks per column mapped to [-1, 1]: the same under any monotone map
        r = rankdata(b, axis=0, method="average")
        return (2.0 * r - (b.shape[0] + 1)) / max(b.shape[0] - 1, 1)

    n, d = a.shape
    if any(np.unique(a[:, j]).size == n for j in range(d)):
        # a column without repeated values: no two rows are identical (the usual continuous case,
        # decided in one sort of one column): the max_rows rows first in the order
        return np.sort(order_rows(signed_ranks(a), random_state)[:max_rows])
    # groups of identical rows (hashing, O(n)); the numbering does not matter, only the values
    inverse = pd.DataFrame(a).groupby(list(range(d)), sort=False).ngroup().to_numpy()
    counts = np.bincount(inverse)
    first = np.unique(inverse, return_index=True)[1]
    # the distinct rows in the order of their values, and their counts in a sample of max_rows rows
    in_order = order_rows(signed_ranks(a[first]), random_state)
    quota = np.empty_like(counts)
    rng = np.random.default_rng([check_random_state(random_state), 0x5B5])
    quota[in_order] = rng.multivariate_hypergeometric(counts[in_order], max_rows)
    # within a group of identical rows any rows will do: the lowest indices
    by_group = np.argsort(inverse, kind="stable")
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    keep = np.concatenate([by_group[st: st + q] for st, q in zip(starts, quota) if q])
    return np.sort(keep)


N_PAIR_RAW = 14  #: non-Gaussianity statistics per canonical direction (see :func:`pair_features`)
N_PAIR_FEATS = 2 * N_PAIR_RAW  #: each as a raw moment and as a clipped sqrt(n)-scaled z-like score


def _hermite(a: torch.Tensor) -> list[torch.Tensor]:
    """Normalised probabilists' Hermite polynomials He_1..He_4 / sqrt(k!) of a tensor: for a
    standard normal a they are uncorrelated with unit variance, and for a bivariate normal pair
    with correlation rho, E[He_j(u) He_k(v)] / sqrt(j! k!) = rho^j if j == k else 0."""
    a2 = a * a
    return [a, (a2 - 1) / 2 ** 0.5, (a2 * a - 3 * a) / 6 ** 0.5, (a2 * a2 - 6 * a2 + 3) / 24 ** 0.5]


def pair_features(can: Canonical, max_dim: int, n_total: int | None = None,
                  stat_n_cap: int = FeatureSettings.stat_n_cap) -> torch.Tensor:
    """Per canonical direction, statistics that are 0 (up to O(1/sqrt(n)) noise) when the copula
    is Gaussian, and move away from 0 when the dependence or the margins are not Gaussian.

    The Gaussian-copula MI is exact for Gaussian copulas; these statistics tell the network how far
    a data set is from that case, so that its learned correction can stay near 0 there.  For the
    pair (u_k, v_k), with h_j the normalised Hermite polynomials of :func:`_hermite`:

    - E[h2(u)h2(v)] - rho^2 and E[h3(u)h3(v)] - rho^3 (higher-order dependence),
    - E[h_i(u)h_j(v)] for (i, j) in (1,2), (1,3), (2,3), as the sum and |difference| of the two
      orders (so swapping X and Y leaves them unchanged),
    - E[h3] (skewness) and E[h4] (excess kurtosis) of u_k and v_k, as sum and |difference|,
    - the energy of E[h2(u_k)h2(v_j)] and E[h1(u_k)h2(v_j)], E[h2(u_k)h1(v_j)] over other
      directions j != k (dependence between different canonical directions).

    can : canonical coordinates (B, n, dx), (B, n, dy);  returns (B, max_dim, N_PAIR_FEATS),
    zero beyond each side's width.  Each raw statistic r (clipped to [-4, 4]) comes with
    tanh(sqrt(n') r / 4), n' = min(n_total or n, stat_n_cap): about a z-score under Gaussianity.
    """
    u, v = can.u, can.v
    b, n, dx = u.shape
    dy = v.shape[-1]
    m = min(dx, dy)
    d = max(dx, dy)
    hu, hv = _hermite(u), _hermite(v)  # 4 x (B, n, dx) and 4 x (B, n, dy)
    # every cross-moment at once: one (4 dx, n) @ (n, 4 dy) product reads the data once (measured
    # 0.25 s vs 0.31 s for one product per (i, j) at n = 1e5, 20+20); float64 keeps the sums, and
    # so the estimate, unchanged by the order of the rows
    big = torch.cat(hu, -1).transpose(-1, -2) @ torch.cat(hv, -1) / n  # (B, 4 dx, 4 dy)

    def cross(i, j):  # (B, dx, dy): E[h_i(u_a) h_j(v_b)]
        return big[:, i * dx:(i + 1) * dx, j * dy:(j + 1) * dy]

    def diag(c):  # (B, m)
        return torch.diagonal(c, dim1=-2, dim2=-1)[:, :m]

    def padto(a, k=d):  # (B, j) -> (B, k)
        return torch.nn.functional.pad(a, (0, k - a.shape[-1]))

    rho = can.rho[:, :m]
    c22, c33 = cross(1, 1), cross(2, 2)
    feats = [padto(diag(c22) - rho ** 2), padto(diag(c33) - rho ** 3)]
    for i, j in ((0, 1), (0, 2), (1, 2)):
        a, bb = diag(cross(i, j)), diag(cross(j, i))
        feats += [padto(a + bb), padto((a - bb).abs())]
    for j in (2, 3):
        mu, mv = padto(hu[j].mean(-2)), padto(hv[j].mean(-2))
        feats += [mu + mv, (mu - mv).abs()]
    # off-diagonal energies: row k of a (dx, dy) matrix involves u_k, column k involves v_k
    off = torch.ones(dx, dy, dtype=u.dtype, device=u.device)
    off[torch.arange(m), torch.arange(m)] = 0
    for mats in ((c22,), (cross(0, 1), cross(1, 0))):
        e_u = sum(padto((mm * off).pow(2).sum(-1)) for mm in mats)      # (B, d) by u index
        e_v = sum(padto((mm * off).pow(2).sum(-2)) for mm in mats)      # (B, d) by v index
        feats.append(e_u + e_v)
    raw = torch.stack(feats, -1).clamp(-4.0, 4.0)  # (B, d, N_PAIR_RAW)
    n_eff = min(n if n_total is None else n_total, stat_n_cap)
    out = torch.cat([raw, torch.tanh(raw * (n_eff ** 0.5 / 4.0))], -1).float()
    out = out[:, :max_dim]
    return torch.nn.functional.pad(out, (0, 0, 0, max_dim - out.shape[1]))


N_STATS = 7  #: size of the per-data-set statistics vector built by :func:`model_inputs`


def model_inputs(can: Canonical, n_tokens: int, max_dim: int, dim_x: int | None = None,
                 dim_y: int | None = None, n_total: int | None = None,
                 pair: torch.Tensor | None = None,
                 stat_n_cap: int = FeatureSettings.stat_n_cap) -> dict[str, torch.Tensor]:
    """Tensors the network reads, from canonical coordinates of a batch sharing n and dims.

    Keeps the leading ``max_dim`` canonical directions per side (the ones that carry the linear
    dependence) and the first ``n_tokens`` rows (rows are exchangeable, so any subset is a random
    subset).  ``dim_x``/``dim_y`` are the data's original widths (default: the canonical widths);
    ``n_total`` the rows the canonical statistics came from (default: the rows of ``can``).

    Returns
    -------
    dict with u, v : (B, n_tokens, max_dim) float32, zero-padded; mask_x, mask_y : (B, max_dim);
    rho : (B, max_dim) atanh-free canonical correlations, zero-padded; stats : (B, N_STATS);
    pair : (B, max_dim, N_PAIR_FEATS) from :func:`pair_features` (pass it when ``can`` holds
    chunks of a larger data set, so that the statistics use all rows).
    """
    if pair is None:
        pair = pair_features(can, max_dim, n_total, stat_n_cap)
    b, n, dx = can.u.shape
    dy = can.v.shape[-1]
    n_rows = n
    # the network was pretrained with n <= stat_n_cap; larger n only make the statistics more
    # precise, so they are presented as stat_n_cap rather than extrapolated to
    n = min(n if n_total is None else n_total, stat_n_cap)
    dim_x = dx if dim_x is None else dim_x
    dim_y = dy if dim_y is None else dim_y
    t = min(n_rows, n_tokens)

    def pad(a, d):
        a = a[:, :t, : min(d, max_dim)].float()
        return torch.nn.functional.pad(a, (0, max_dim - a.shape[-1]))

    u, v = pad(can.u, dx), pad(can.v, dy)
    mask_x = torch.zeros(b, max_dim, device=can.u.device)
    mask_x[:, : min(dx, max_dim)] = 1
    mask_y = torch.zeros(b, max_dim, device=can.u.device)
    mask_y[:, : min(dy, max_dim)] = 1
    rho = torch.nn.functional.pad(can.rho[:, :max_dim].float(), (0, max(0, max_dim - can.rho.shape[-1])))
    g = gaussian_mi(can.rho).float()
    lo, hi = min(dim_x, dim_y), max(dim_x, dim_y)
    # symmetric in X and Y by construction: only min/max of the widths enter
    feats = torch.tensor([np.log(n) / 8.0, np.log(t) / 8.0, np.log(lo) / 4.0, np.log(hi) / 4.0,
                          np.log1p(lo * hi / (2.0 * n))], dtype=torch.float32, device=can.u.device)
    stats_ = torch.cat([torch.log1p(g)[:, None], g[:, None] / 8.0, feats.expand(b, -1)], dim=1)
    return {"u": u, "v": v, "mask_x": mask_x, "mask_y": mask_y, "rho": rho, "stats": stats_,
            "pair": pair.expand(b, -1, -1)}



class Featurizer:
    """Turns data into the inputs of one network.

    Parameters
    ----------
    max_dim : the network's native width per side (wider sides keep the leading canonical directions).
    n_knn : leading canonical pairs whose KSG statistics a refinement head reads (0: none).
    settings : :class:`FeatureSettings`, normally the weight file's.
    n_global : whole-data-set statistics the head reads after them (0 or ``knn.N_GLOBAL``).
    """

    def __init__(self, max_dim: int, n_knn: int = 0, settings: FeatureSettings | None = None, n_global: int = 0):
        self.max_dim, self.n_knn, self.n_global = int(max_dim), int(n_knn), int(n_global)
        self.settings = settings or FeatureSettings()

    @classmethod
    def for_model(cls, model, settings: FeatureSettings | None = None) -> "Featurizer":
        """The featurizer of a network (its config gives the widths)."""
        return cls(model.cfg.max_dim, model.cfg.n_knn, settings, getattr(model.cfg, "n_global", 0))

    def global_stats(self, zx: np.ndarray, zy: np.ndarray, random_state=0, order=None) -> np.ndarray:
        """:func:`~infoatlas.knn.global_features` of copula scores zx (m, dx), zy (m, dy) on up to
        ``global_rows`` rows, taken (and ordered) by :func:`order_rows` (pass ``order`` when it is
        already known), so that the result does not depend on the order of the rows.  Returns
        (n_global,) float32."""
        if order is None:
            order = order_rows(np.hstack([zx, zy]), random_state)
        keep = np.asarray(order)[: self.settings.global_rows]
        return global_features(zx[keep], zy[keep], spread_repeats=bool(self.settings.spread_repeats))

    # ------------------------------------------------------------------ numpy path (inference)
    def prepare(self, x, y, *, nan_policy: str = "raise", max_rows: int = DEFAULT_MAX_ROWS,
                max_chunks: int | None = None, random_state=0) -> Prepared:
        """One data set, x (n, dx) and y (n, dy) array-likes, -> :class:`Prepared`."""
        item = self.scores(x, y, nan_policy=nan_policy, max_rows=max_rows, random_state=random_state)
        return self.prepare_many([item], max_chunks=max_chunks, random_state=random_state)[0]

    @staticmethod
    def scores(x, y, *, nan_policy: str = "raise", max_rows: int = DEFAULT_MAX_ROWS, random_state=0,
               values: bool = False) -> tuple:
        """The first steps of :meth:`prepare` (validate, subsample above ``max_rows``, copula): the
        item (zx (m, dx'), zy (m, dy'), n, dim_x, dim_y, notes) that :meth:`prepare_many` reads,
        constant columns removed (dx', dy' <= dim_x, dim_y; m <= n rows).  ``values``: (item,
        (x (m, dx'), y (m, dy'))), the validated values of the same rows and columns besides."""
        x, y, notes = validate_xy(x, y, nan_policy=nan_policy)
        n, dim_x, dim_y = x.shape[0], x.shape[1], y.shape[1]
        notes = list(notes)
        if n > max_rows:
            keep = subsample_rows(np.hstack([x, y]), max_rows, random_state)
            x, y = x[keep], y[keep]
            notes.append(f"subsampled {max_rows} of {n} rows")
        zx, cx = copula_normal(x, "x")
        zy, cy = copula_normal(y, "y")
        top = raw_copies(x[:, ~cx], y[:, ~cy], random_state)
        if top is not None:
            msg = (f"{_COPIES} (canonical correlation of the values {top:.6f} in each half of the rows): the MI "
                   "of continuous copies is infinite, and the estimate only says that it is large")
            notes.append(msg)
            warn_data(msg)
        item = (zx[:, ~cx], zy[:, ~cy], n, dim_x, dim_y, notes)
        return (item, (x[:, ~cx], y[:, ~cy])) if values else item

    def prepare_scores(self, zx: np.ndarray, zy: np.ndarray, n: int, dim_x: int, dim_y: int, notes=(),
                       *, max_chunks: int | None = None, random_state=0) -> Prepared:
        """From copula scores zx (m, dx'), zy (m, dy') with constant columns removed; ``n``,
        ``dim_x``, ``dim_y`` are the data's original sizes (reported, and n before subsampling)."""
        return self.prepare_many([(zx, zy, n, dim_x, dim_y, notes)], max_chunks=max_chunks,
                                 random_state=random_state)[0]

    def prepare_many(self, items, *, max_chunks: int | None = None, random_state=0) -> list[Prepared]:
        """:meth:`prepare_scores` for many data sets at once: items are (zx, zy, n, dim_x, dim_y,
        notes).  Data sets that share (rows, dx', dy') are canonicalised and summarised as one batch
        (B, m, d) tensor: one call instead of B (pairwise MI over many columns is mostly such data sets);
        the result for each is that of :meth:`prepare_scores` alone (tested)."""
        out: list = [None] * len(items)
        groups: dict = {}
        for i, (zx, zy, n, dim_x, dim_y, notes) in enumerate(items):
            if zx.shape[1] == 0 or zy.shape[1] == 0:
                out[i] = Prepared(None, n, dim_x, dim_y, 0, tuple(notes) + ("a side is constant: MI is 0",))
            else:
                groups.setdefault((zx.shape[0], zx.shape[1], zy.shape[1]), []).append(i)
        for (m, dx, dy), idx in groups.items():
            for i, p in zip(idx, self._prepare_group([items[i] for i in idx], m, dx, dy, max_chunks, random_state)):
                out[i] = p
        return out

    def _prepare_group(self, items, m: int, dx: int, dy: int, max_chunks, random_state) -> list[Prepared]:
        """Items sharing m rows and widths dx, dy: canonical form, statistics and chunks in batch."""
        s = self.settings
        cap, t = self.max_dim, s.rows_per_pass
        bsz = len(items)
        zx = torch.from_numpy(np.stack([it[0] for it in items]))             # (B, m, dx)
        zy = torch.from_numpy(np.stack([it[1] for it in items]))             # (B, m, dy)
        can = canonicalise(zx, zy)
        k = max(1, min(max_chunks or s.max_chunks, m // t))
        used = min(m, k * t)
        # per data set, rows in a pseudo-random order fixed by their values (so subsets do not
        # depend on row order), for the chunks and the whole-data-set statistics: (B, m)
        need = m > t or bool(self.n_knn and self.n_global)
        order = torch.from_numpy(np.stack([order_rows(np.hstack([it[0], it[1]]), random_state)
                                           for it in items])) if need else None

        def rows(a, r):  # a (B, m, d) -> the rows r (B, R) of each data set, (B, R, d)
            return torch.take_along_dim(a, r[..., None], dim=1)

        # the non-Gaussianity statistics use all rows up to stats_rows (more only refines moments
        # whose z-scores are capped at stat_n_cap rows anyway), before chunking
        sub = can if m <= s.stats_rows else Canonical(rows(can.u, order[:, :s.stats_rows]),
                                                     rows(can.v, order[:, :s.stats_rows]), can.rho)
        pair = pair_features(sub, cap, m, s.stat_n_cap)                       # (B, cap, F)
        if m > t:
            # chunk j of data set b = rows [j t, (j+1) t) of its order: (B k, t, d)
            u = rows(can.u, order[:, :used]).reshape(bsz * k, t, dx)
            v = rows(can.v, order[:, :used]).reshape(bsz * k, t, dy)
            can = Canonical(u, v, can.rho.repeat_interleave(k, 0))
            pair = pair.repeat_interleave(k, 0)
        # the widths the network is told are the live ones (constant columns carry nothing)
        inputs = model_inputs(can, t, cap, dx, dy, n_total=m, pair=pair, stat_n_cap=s.stat_n_cap)
        kk = inputs["u"].shape[0] // bsz                                       # chunks per data set
        if self.n_knn:
            # kNN statistics of each data set's first chunk (the rows the head was trained with),
            # shared by its chunks; all data sets' pairs at once, (B, 2 n_knn + 1)
            knn_all = knn_features_many([(can.u[b * kk, :t].numpy(), can.v[b * kk, :t].numpy())
                                         for b in range(bsz)], self.n_knn, s.knn_k)
        out = []
        for b, (_, _, n, dim_x, dim_y, notes) in enumerate(items):
            notes = list(notes)
            sl = slice(b * kk, (b + 1) * kk)
            one = {key: val[sl] for key, val in inputs.items()}
            if dx > cap or dy > cap:
                notes.append(f"kept the leading {cap} canonical directions per side")
            top = float(can.rho[b * kk].max()) if can.rho.numel() else 0.0
            # flagged already by the raw values' check (Featurizer.scores)?
            near_copy = any(str(note).startswith(_COPIES) for note in notes)
            # with few rows for the columns sample canonical correlations reach 1 whatever the data
            # (m <= dx + dy + 1 makes them exactly 1): no evidence of copies there
            if top > COPY_RHO and m > 3 * (dx + dy) and not near_copy:
                msg = (f"{_COPIES} (canonical correlation {top:.6f}): the MI of "
                       "continuous copies is infinite, and the estimate only says that it is large")
                notes.append(msg)
                warn_data(msg)
                near_copy = True
            joint = None
            if self.n_knn:
                # then the whole-data-set statistics
                knn = knn_all[b]
                if self.n_global:
                    glob = self.global_stats(items[b][0], items[b][1], order=order[b].numpy())
                    joint = 4.0 * float(glob[0])  # global_features' first entry: KSG (k = 3) / 4
                    knn = np.concatenate([knn, glob])
                one["knn"] = torch.from_numpy(knn)[None].expand(kk, -1)
            if used < m:
                notes.append(f"network read {used} of {m} rows ({k} chunk(s) of {t}); canonical correlations "
                             f"used all rows, non-Gaussianity statistics {min(m, s.stats_rows)}")
            out.append(Prepared(one, n, dim_x, dim_y, used, tuple(notes), joint_ksg=joint, near_copy=near_copy))
        return out

    # ------------------------------------------------------------------ torch paths
    def batch(self, x, y, device="cpu") -> dict[str, torch.Tensor]:
        """Pretraining: raw samples x (B, n, dx), y (B, n, dy) sharing (n, dx, dy) -> input tensors
        on ``device`` (computed there: the samples are moved first).  Continuous data assumed
        (hard ranks); the network reads the first ``rows_per_pass`` rows (rows are exchangeable)."""
        xt = copula_normal_torch(torch.as_tensor(x, dtype=torch.float64, device=device))
        yt = copula_normal_torch(torch.as_tensor(y, dtype=torch.float64, device=device))
        inp = model_inputs(canonicalise(xt, yt), self.settings.rows_per_pass, self.max_dim, x.shape[-1],
                           y.shape[-1], stat_n_cap=self.settings.stat_n_cap)
        return {k: v.to(device) for k, v in inp.items()}

    def differentiable(self, x: torch.Tensor, y: torch.Tensor, tau: float) -> dict[str, torch.Tensor]:
        """One data set x (n, dx), y (n, dy) as input tensors (batch of 1) that keep the autograd
        graph: soft ranks (temperature ``tau``), whitening and canonical correlations are
        differentiated, the SVD rotations are constants; kNN statistics (if read) are constants."""
        zx = copula_normal_torch(x.double(), soft=tau)[None]
        zy = copula_normal_torch(y.double(), soft=tau)[None]
        can = canonicalise(zx, zy, detach_rotation=True)
        t = self.settings.rows_per_pass
        inp = model_inputs(can, t, self.max_dim, x.shape[1], y.shape[1], stat_n_cap=self.settings.stat_n_cap)
        if self.n_knn:
            knn = knn_features(can.u[0, :t].detach().cpu().numpy(), can.v[0, :t].detach().cpu().numpy(),
                               self.n_knn, self.settings.knn_k)
            if self.n_global:
                knn = np.concatenate([knn, self.global_stats(zx[0].detach().cpu().numpy(),
                                                             zy[0].detach().cpu().numpy())])
            inp["knn"] = torch.from_numpy(knn)[None]
        return inp


#: rows (tokens, padding included) per network batch: on the 2-core development machine the
#: network's time per row was least at about 8-16 chunks of 1,024 rows (4.7 ms per 1,000-row data
#: set) and grew for larger batches (5.3 ms at 64: the activations leave the cache)
MAX_BATCH_TOKENS = 16_384


def chunk_batches(prepared, batch_size: int, max_tokens: int = MAX_BATCH_TOKENS):
    """Batches of chunks of many prepared data sets, for the network.

    Yields (owners, batch, pad): owners is a list of data-set indices, one per row of the batch;
    batch the stacked input tensors (rows padded to the batch's longest chunk); pad (b, T) True
    where a row is padding, or None.  Chunks are sorted by length so that little is padded.  A
    batch holds at most ``batch_size`` chunks and, unless it is a single chunk, at most
    ``max_tokens`` rows counting padding (the results depend on the batching only through float rounding).
    """
    chunks = []  # (data-set index, {key: (1, ...) tensor})
    for i, p in enumerate(prepared):
        if p.inputs is None:
            continue
        for j in range(p.inputs["u"].shape[0]):
            chunks.append((i, {key: val[j: j + 1] for key, val in p.inputs.items()}))
    chunks.sort(key=lambda c: c[1]["u"].shape[1])
    s = 0
    while s < len(chunks):
        # sorted by length: the last chunk of a batch sets its padded length
        e = s + 1
        while e < min(len(chunks), s + batch_size) and (e + 1 - s) * chunks[e][1]["u"].shape[1] <= max_tokens:
            e += 1
        part, s = chunks[s: e], e
        lens = [c[1]["u"].shape[1] for c in part]
        tmax = max(lens)
        batch = {}
        for key in part[0][1]:
            vals = [c[1][key] for c in part]
            if key in ("u", "v"):
                vals = [torch.nn.functional.pad(v_, (0, 0, 0, tmax - v_.shape[1])) for v_ in vals]
            batch[key] = torch.cat(vals)
        pad = torch.arange(tmax)[None, :] >= torch.tensor(lens)[:, None] if min(lens) < tmax else None
        yield [c[0] for c in part], batch, pad
