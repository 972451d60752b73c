"""Additive-noise pairs Y_k = X_k + s_k N_k with non-Gaussian laws for X and N (atlas 1.4, train).

The MI of one pair is I(s) = h(X + s N) - h(N) - log s (nats).  h(N) is known in closed form
(scipy); h(X + s N) is computed once per (law of X, law of N) on a grid of s by convolving the two
densities numerically (FFT on a fine grid), then interpolated, the way the Clayton table is.

The laws are standardised (mean 0, variance 1) and include bounded (Beta(2, 2), triangular),
one-sided (exponential), heavy-tailed (Laplace, logistic) and bimodal ones.  The uniform law is
deliberately absent: X and N both uniform is the held-out family ``additive_uniform``.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import signal, stats

_SQ3 = np.sqrt(3.0)
_BIMODAL_MU, _BIMODAL_SD = 0.9, np.sqrt(1.0 - 0.81)  # 1/2 N(-0.9, 0.19) + 1/2 N(0.9, 0.19): variance 1

#: standardised laws; bounded ones carry their true support, the others a +-9 sd window that holds
#: all but ~1e-10 of their mass (the Laplace tail beyond it)
LAWS = {
    "normal": stats.norm(),
    "laplace": stats.laplace(scale=1.0 / np.sqrt(2.0)),
    "logistic": stats.logistic(scale=_SQ3 / np.pi),
    "beta22": stats.beta(2, 2, loc=-0.5 * np.sqrt(20.0), scale=np.sqrt(20.0)),
    "triangular": stats.triang(0.5, loc=-np.sqrt(6.0), scale=2.0 * np.sqrt(6.0)),
    "exponential": stats.expon(loc=-1.0),
    "bimodal": None,  # a two-component Gaussian mixture, below
}
LAW_NAMES = tuple(LAWS)
PAIR_MI_MAX = 4.0  #: the table's top: larger targets are split over more pairs or clipped


def _support(law: str) -> tuple[float, float]:
    if law == "bimodal":
        return -_BIMODAL_MU - 9 * _BIMODAL_SD, _BIMODAL_MU + 9 * _BIMODAL_SD
    lo, hi = LAWS[law].support()
    return max(lo, -9.0), min(hi, 12.0 if law == "exponential" else 9.0)


def law_pdf(law: str, t: np.ndarray) -> np.ndarray:
    if law == "bimodal":
        return 0.5 * (stats.norm.pdf(t, -_BIMODAL_MU, _BIMODAL_SD) + stats.norm.pdf(t, _BIMODAL_MU, _BIMODAL_SD))
    return LAWS[law].pdf(t)


def law_entropy(law: str) -> float:
    """Differential entropy (nats) of a standardised law; the bimodal one by quadrature."""
    if law != "bimodal":
        return float(LAWS[law].entropy())
    t = np.linspace(*_support(law), 200_001)
    p = law_pdf(law, t)
    return float(-np.sum(np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)) * (t[1] - t[0]))


def law_sample(law: str, size, rng: np.random.Generator) -> np.ndarray:
    if law == "bimodal":
        sign = np.where(rng.random(size) < 0.5, -1.0, 1.0)
        return sign * _BIMODAL_MU + _BIMODAL_SD * rng.standard_normal(size)
    return LAWS[law].rvs(size=size, random_state=rng)


def _entropy_of_sum(law_x: str, law_n: str, s: float, step: float) -> float:
    """h(X + s N) by convolving the densities on a grid of spacing ``step``."""
    ax, bx = _support(law_x)
    an, bn = _support(law_n)
    gx = np.arange(ax, bx + step, step)
    gn = np.arange(s * an, s * bn + step, step)
    px = law_pdf(law_x, gx)
    pn = law_pdf(law_n, gn / s) / s
    # renormalise the discretised densities, so that discretisation error does not leak into h
    px, pn = px / (px.sum() * step), pn / (pn.sum() * step)
    p = np.clip(signal.fftconvolve(px, pn) * step, 0.0, None)
    p /= p.sum() * step
    nz = p > 1e-300
    return float(-np.sum(p[nz] * np.log(p[nz])) * step)


@lru_cache(maxsize=None)
def additive_mi_table(law_x: str, law_n: str) -> tuple[np.ndarray, np.ndarray]:
    """(log s grid (40,), MI grid (40,), nats, decreasing in s) of Y = X + s N for two laws.

    The grid spacing is s / 20 (at most 0.004), so narrow noise is resolved (halving it moves the
    MI by under 1e-4 nats).  Computed once per pair of laws and process (about 0.1 s).
    """
    log_s = np.linspace(np.log(0.004), np.log(30.0), 40)
    h_n = law_entropy(law_n)
    mi = np.array([_entropy_of_sum(law_x, law_n, np.exp(ls), min(0.004, np.exp(ls) / 20.0)) - h_n - ls
                   for ls in log_s])
    # MI falls as s grows; numerical noise must not make the table non-monotone, nor negative
    return log_s, np.minimum.accumulate(np.maximum(mi, 0.0))


def additive_mi(law_x: str, law_n: str, s) -> np.ndarray:
    """MI (nats) of Y = X + s N, interpolated in the table (log s)."""
    log_s, mi = additive_mi_table(law_x, law_n)
    return np.interp(np.log(s), log_s, mi)


def additive_scale(law_x: str, law_n: str, mi) -> np.ndarray:
    """Inverse of :func:`additive_mi`: the noise scale s giving MI ``mi`` (clipped to the table)."""
    log_s, m = additive_mi_table(law_x, law_n)
    # np.interp needs increasing x: the table is decreasing in s, so read it backwards
    return np.exp(np.interp(np.clip(mi, m[-1], m[0]), m[::-1], log_s[::-1]))


class AdditiveNoise:
    """Pairs (x_k, y_k = x_k + s_k n_k), k < len(scales), X_k and N_k from the named standardised
    laws; every other coordinate is independent, drawn from the first pair's X law (X side) or
    noise law (Y side).  MI = sum_k I_k(s_k) from :func:`additive_mi`."""

    def __init__(self, laws_x, laws_n, scales, dim_x: int, dim_y: int):
        self.laws_x, self.laws_n = tuple(laws_x), tuple(laws_n)
        self.scales = np.asarray(scales, dtype=float)
        k = self.scales.size
        if not (len(self.laws_x) == len(self.laws_n) == k) or k > min(dim_x, dim_y) or k < 1:
            raise ValueError("need 1 <= pairs <= min(dim_x, dim_y), with one X law and one noise law each")
        bad = set(self.laws_x + self.laws_n) - set(LAW_NAMES)
        if bad:
            raise ValueError(f"unknown law(s) {sorted(bad)}; known: {LAW_NAMES}")
        self.dim_x, self.dim_y = int(dim_x), int(dim_y)

    def mutual_information(self) -> float:
        return float(sum(additive_mi(a, b, s) for a, b, s in zip(self.laws_x, self.laws_n, self.scales)))

    def sample(self, n, rng):
        x = law_sample(self.laws_x[0], (n, self.dim_x), rng)
        y = law_sample(self.laws_n[0], (n, self.dim_y), rng)
        for j, (a, b, s) in enumerate(zip(self.laws_x, self.laws_n, self.scales)):
            x[:, j] = law_sample(a, n, rng)
            y[:, j] = x[:, j] + s * law_sample(b, n, rng)
        return x, y
