"""Rank statistics of many one-column pairs at once, the inputs of the pair-screening model.

``InfoAtlas.pairwise(..., method="fast")`` reads each pair of continuous columns through a
small network (:class:`~infoatlas.model.pairmlp.PairMLP`) that sees a fixed-length vector of rank
statistics instead of the rows themselves, so its cost per pair is a few passes over n ranks and
not a set-transformer over n tokens.  Every statistic is a function of the two columns' ranks only,
hence exactly invariant to strictly monotone maps of either column (increasing or decreasing) and
symmetric in the two columns (each one-directional statistic enters as the mean and the absolute
difference of its two directions).

The statistics (for a pair a, b of n rows, u = (rank + 1/2) / n in (0, 1)):

* the normal-score correlation rho and the Gaussian-copula MI -log(1 - rho^2) / 2;
* plug-in MI of the empirical copula on B x B equal-frequency bins, B = 4, 8, 16, 32;
* spacings: rows sorted by a, the mean log |u_b(i + k) - u_b(i)| at lags k = 1, n/64, n/16, n/4
  (for independent columns its expectation is -3/2 at every lag; for Y = f(X) + noise it measures
  the conditional spread of b near each a, i.e. -H(U_b | U_a) at the finest lag), and the mean
  |u_b(i + 1) - u_b(i)| (Chatterjee's rank correlation up to an affine map); both directions.

Tied columns are ranked with ties broken at random (:func:`prepare_columns`); discrete and constant
columns are routed elsewhere by the caller.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

HIST_BINS = (4, 8, 16, 32)  #: copula histogram resolutions; the finest is binned, coarser ones summed
LAG_FRACTIONS = (0.0, 1 / 64, 1 / 16, 1 / 4)  #: spacing lags as fractions of n (0: lag 1)
#: length of the vector :func:`pair_features` returns
N_FEATURES = 3 + len(HIST_BINS) + 2 * (len(LAG_FRACTIONS) + 1)
MIN_ROWS = 20  #: the pair model was trained from this many rows up


@dataclass
class PairColumns:
    """Per-column arrays computed once per call and shared by every pair.

    order (n, p) int32: the rows sorted by each column; u (n, p) float32: (rank + 1/2) / n;
    z (n, p) float32: normal scores ndtri(u); bins (n, p) uint8: the rank's bin among
    ``HIST_BINS[-1]`` equal-frequency bins.
    """

    order: np.ndarray
    u: np.ndarray
    z: np.ndarray
    bins: np.ndarray

    @property
    def n(self) -> int:
        return self.order.shape[0]


def prepare_columns(x: np.ndarray, columns=None, chunk: int = 1024, tie_rng: np.random.Generator | None = None
                    ) -> PairColumns:
    """Ranks of the columns ``columns`` (default all) of ``x`` (n, p); one argsort per column,
    ``chunk`` columns at a time (temporaries bounded by the chunk, not by p).

    Tied values are ranked in an order drawn from ``tie_rng``, independently per column (without it,
    in row order).  Random tie-breaking keeps the MI of what is observed: a tied column's ranks are
    its values plus an order within each tie group that is independent of everything else, and the
    values can be read back from the ranks.  Untied columns get the same ranks either way.
    """
    x = np.asarray(x)
    columns = np.arange(x.shape[1]) if columns is None else np.asarray(columns)
    n, p = x.shape[0], columns.size
    cols = PairColumns(order=np.empty((n, p), np.int32), u=np.empty((n, p), np.float32),
                       z=np.empty((n, p), np.float32), bins=np.empty((n, p), np.uint8))
    fine = HIST_BINS[-1]
    for s in range(0, p, chunk):
        sl = slice(s, s + chunk)
        block = x[:, columns[sl]].astype(np.float64)  # (n, c)
        if tie_rng is None:
            order = np.argsort(block, axis=0, kind="stable")
        else:  # a stable sort of the rows in a random order per column: ties in that order
            shuffle = tie_rng.permuted(np.broadcast_to(np.arange(n), (block.shape[1], n)), axis=1).T  # (n, c)
            order = np.take_along_axis(shuffle, np.argsort(np.take_along_axis(block, shuffle, 0), axis=0,
                                                           kind="stable"), 0)
        rank = np.empty_like(order)
        np.put_along_axis(rank, order, np.arange(n)[:, None], axis=0)  # inverse permutation
        cols.order[:, sl] = order
        cols.u[:, sl] = (rank + 0.5) / n
        cols.z[:, sl] = ndtri(cols.u[:, sl])
        # equal-frequency bins, mirrored about the middle rank so that reversing a column mirrors
        # its bins exactly (a decreasing map leaves the plug-in MI unchanged; only the middle row of
        # an odd n can differ)
        cols.bins[:, sl] = np.where(2 * rank < n, rank * fine // n, fine - 1 - (n - 1 - rank) * fine // n)
    return cols


def _lags(n: int) -> list[int]:
    return [max(1, min(n - 1, int(round(f * n)))) for f in LAG_FRACTIONS]


def _plugin_mi(counts: np.ndarray, n: int) -> np.ndarray:
    """Plug-in MI (nats) of contingency tables (P, B, B) of n rows each -> (P,)."""
    pxy = counts / n
    px = pxy.sum(2, keepdims=True)
    py = pxy.sum(1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(pxy > 0, pxy * np.log(pxy / (px * py)), 0.0)
    return terms.sum((1, 2))


def _spacings(cols: PairColumns, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """One direction: rows sorted by column a, the spacing statistics of column b -> (P, L + 1)."""
    n = cols.n
    w = np.take_along_axis(cols.u[:, b], cols.order[:, a], axis=0)  # (n, P): u_b in a's order
    out = []
    for k in _lags(n):
        d = np.abs(w[k:] - w[:-k])  # (n - k, P); > 0: ranks are distinct (ties are broken)
        out.append(np.log(d).mean(0))
    out.append(np.abs(w[1:] - w[:-1]).mean(0))
    return np.stack(out, 1).astype(np.float64)


def pair_features(cols: PairColumns, a, b) -> np.ndarray:
    """The statistics of the pairs (a[i], b[i]) as a (P, N_FEATURES) float32 array.

    Layout: log n, |rho|, Gaussian-copula MI, plug-in MI at each of ``HIST_BINS``, then for each
    spacing statistic the mean of its two directions, then their absolute differences.
    """
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    n, p_pairs = cols.n, a.size
    za, zb = cols.z[:, a], cols.z[:, b]  # (n, P)
    rho = np.einsum("ij,ij->j", za, zb, dtype=np.float64) / np.sqrt(
        np.einsum("ij,ij->j", za, za, dtype=np.float64) * np.einsum("ij,ij->j", zb, zb, dtype=np.float64))
    rho = np.clip(np.abs(rho), 0.0, 1.0 - 1e-12)
    fine = HIST_BINS[-1]
    code = cols.bins[:, a].astype(np.int64) * fine + cols.bins[:, b]  # (n, P) cell index
    code += np.arange(p_pairs, dtype=np.int64)[None, :] * fine * fine
    counts = np.bincount(code.ravel(), minlength=p_pairs * fine * fine).reshape(p_pairs, fine, fine)
    hist = []
    for bins in HIST_BINS:
        f = fine // bins  # sum f x f blocks of the finest table
        hist.append(_plugin_mi(counts.reshape(p_pairs, bins, f, bins, f).sum((2, 4)), n))
    ab, ba = _spacings(cols, a, b), _spacings(cols, b, a)  # (P, L + 1) each
    head = np.stack([np.full(p_pairs, np.log(n)), rho, -0.5 * np.log1p(-rho ** 2)] + hist, 1)
    return np.concatenate([head, (ab + ba) / 2, np.abs(ab - ba)], 1).astype(np.float32)


def untied_columns(x: np.ndarray, chunk: int = 1024) -> np.ndarray:
    """(p,) bool: columns of ``x`` (n, p) with n distinct finite values (``chunk`` columns at a time)."""
    x = np.asarray(x)
    out = np.empty(x.shape[1], bool)
    for s in range(0, x.shape[1], chunk):
        srt = np.sort(x[:, s: s + chunk].astype(np.float64), axis=0)
        out[s: s + chunk] = (srt[1:] != srt[:-1]).all(0) & np.isfinite(srt).all(0)
    return out
