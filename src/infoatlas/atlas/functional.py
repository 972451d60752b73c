"""Noisy non-monotone functions: Y_k = f_k(X_k) + s_k N_k with X_k, N_k ~ N(0, 1).

Two disjoint sets of functions: ``FUNCTIONS`` for the held-out family ``functional_noise`` (its own
benchmark group) and ``TRAIN_FUNCTIONS`` for the training family ``functional_train`` (atlas 1.8),
so that training sees non-monotone dependence without seeing the benchmark's functions.

The textbook case for MI over correlation (y = x^2 has correlation 0), and one no training family
covers: ``additive_noise`` adds noise to X itself (monotone), the mixtures and spirals bend only
mildly.  As s -> 0 the MI grows without bound (Y becomes a function of X), so the family reaches
the strong, near-deterministic dependence where an estimator read from too few rows saturates.

MI of one pair: I(s) = h(f(X) + s N) - h(s N), h(s N) = log(s sqrt(2 pi e)).  h(f(X) + s N) comes
from the density of f(X) on a fine grid (the mass of a fine grid of x, binned by f(x)) convolved
with the noise density by FFT, as :mod:`infoatlas.atlas.additive` does; once per function on a grid
of log s, then interpolated (I is decreasing in s: more noise is a further channel).  The test
checks it against a Monte Carlo average of log p(y | x) - log p(y) with p(y) by quadrature over x.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import signal, special

from .base import split_mi

#: the functions; all non-monotone on the bulk of N(0, 1) (turning points within +-2)
FUNCTIONS = {
    "square": np.square,
    "abs": np.abs,
    "sine": lambda x: np.sin(2.0 * x),
    "cubic": lambda x: x ** 3 - 3.0 * x,
    "bump": lambda x: np.exp(-0.5 * x ** 2),
}
FUNCTION_NAMES = tuple(FUNCTIONS)
#: the training family's functions, none of them a held-out one (nor a rescaling of one): faster
#: oscillations, a W shape, a wave on a trend and a chirp, all non-monotone on the bulk of N(0, 1)
TRAIN_FUNCTIONS = {
    "sine4": lambda x: np.sin(4.0 * x),
    "sine6": lambda x: np.sin(6.0 * x + 1.0),
    "cosine3": lambda x: np.cos(3.0 * x),
    "quartic": lambda x: 0.5 * x ** 4 - 2.0 * x ** 2,
    "wave": lambda x: x + 2.5 * np.sin(2.0 * x),
    "chirp": lambda x: np.sin(x ** 2 + 0.5),
}
TRAIN_FUNCTION_NAMES = tuple(TRAIN_FUNCTIONS)
_ALL = {**FUNCTIONS, **TRAIN_FUNCTIONS}
X_MAX = 8.5              #: X's support in the quadrature (mass outside: 2e-17)
LOG_S = np.linspace(np.log(1e-3), np.log(1e2), 61)  #: the table's noise scales
PAIR_MI_MAX = 5.0        #: larger targets are split over more pairs or clipped


def _x_grid(m: int = 2_000_001):
    """(x, w): a fine grid of X's support and the N(0, 1) mass of each point (sums to 1)."""
    x = np.linspace(-X_MAX, X_MAX, m)
    w = np.exp(-0.5 * x ** 2)
    return x, w / w.sum()


def output_entropy(name: str, s: float) -> float:
    """h(f(X) + s N) in nats, X, N ~ N(0, 1) independent, f = FUNCTIONS[name] or TRAIN_FUNCTIONS[name]."""
    x, w = _x_grid()
    fx = _ALL[name](x)
    lo, hi = fx.min() - 9.0 * s, fx.max() + 9.0 * s
    # 1/16 of the noise's sd resolves the convolved density; 2^20 bins bound the cost at large s
    step = max(s / 16.0, (hi - lo) / 2 ** 20)
    edges = np.arange(lo, hi + step, step)
    mass, _ = np.histogram(fx, bins=edges, weights=w)        # (bins,) the law of f(X)
    t = np.arange(-9.0 * s, 9.0 * s + step, step)
    kern = np.exp(-0.5 * (t / s) ** 2)
    kern /= kern.sum()
    p = np.clip(signal.fftconvolve(mass, kern), 0.0, None)   # (bins + len(t) - 1,) masses of Y
    p /= p.sum()
    nz = p > 1e-300
    # mass per bin -> density: h = -sum p log(p / step)
    return float(-np.sum(p[nz] * np.log(p[nz] / step)))


def pair_mi(name: str, s: float) -> float:
    """I(X; f(X) + s N) in nats, by quadrature (:func:`output_entropy`)."""
    return output_entropy(name, s) - float(np.log(s) + 0.5 * np.log(2.0 * np.pi * np.e))


@lru_cache(maxsize=None)
def _table(name: str) -> np.ndarray:
    """MI (nats) at each noise scale exp(LOG_S), (len(LOG_S),), decreasing."""
    mi = np.array([pair_mi(name, float(np.exp(ls))) for ls in LOG_S])
    return np.maximum.accumulate(mi[::-1])[::-1]  # quadrature noise must not break monotonicity


def noise_scale(name: str, mi: float) -> float:
    """The s at which I(X; f(X) + s N) = mi (interpolated in log s), for 0 < mi <= the table's top."""
    tab = _table(name)
    if not 0.0 < mi <= tab[0]:
        raise ValueError(f"MI {mi} outside (0, {tab[0]:.3g}] for {name!r}")
    # np.interp needs increasing abscissae: read the table from large s (small MI) to small s
    return float(np.exp(np.interp(mi, tab[::-1], LOG_S[::-1])))


class FunctionalNoise:
    """Y_k = f_k(X_k) + s_k N_k on the first k coordinates, all other coordinates independent N(0, 1).

    MI = sum_k I_k (independent pairs add), each from the quadrature table at s_k.
    """

    def __init__(self, names, scales, dim_x: int, dim_y: int):
        self.names, self.scales = tuple(names), np.asarray(scales, dtype=float)
        if len(self.names) != self.scales.size or self.scales.size > min(dim_x, dim_y):
            raise ValueError("one noise scale per function, at most min(dim_x, dim_y) pairs")
        self.dim_x, self.dim_y = dim_x, dim_y

    def mutual_information(self) -> float:
        return float(sum(np.interp(np.log(s), LOG_S, _table(f)) for f, s in zip(self.names, self.scales)))

    def sample(self, n, rng):
        x = rng.standard_normal((n, self.dim_x))
        y = rng.standard_normal((n, self.dim_y))
        for k, (f, s) in enumerate(zip(self.names, self.scales)):
            y[:, k] = _ALL[f](x[:, k]) + s * y[:, k]
        return x, y


def make(dx: int, dy: int, mi: float, rng: np.random.Generator, train: bool = False) -> FunctionalNoise:
    """Noisy function pairs carrying ``mi`` nats in all (each pair at most PAIR_MI_MAX): 1-2 pairs
    of the held-out functions (``functional_noise``), or with ``train`` 1-3 pairs of the training
    functions (``functional_train``)."""
    pool = TRAIN_FUNCTION_NAMES if train else FUNCTION_NAMES
    k = int(rng.integers(1, min(dx, dy, 3 if train else 2) + 1))
    names = [pool[i] for i in rng.integers(len(pool), size=k)]
    pair = np.clip(split_mi(max(mi, 1e-3), k, rng), 1e-3, PAIR_MI_MAX)
    return FunctionalNoise(names, [noise_scale(f, float(m)) for f, m in zip(names, pair)], dx, dy)


def conditional_log_ratio(name: str, s: float, x: np.ndarray, y: np.ndarray, m: int = 20_001) -> np.ndarray:
    """log p(y | x) - log p(y) per sample (n,), p(y) by quadrature over a grid of x: the
    independent check of the table (its mean over samples is the MI)."""
    g = np.linspace(-X_MAX, X_MAX, m)
    lw = -0.5 * g ** 2
    lw -= special.logsumexp(lw)
    f = _ALL[name]
    norm = -np.log(s) - 0.5 * np.log(2.0 * np.pi)
    cond = norm - 0.5 * ((y - f(x)) / s) ** 2
    out = np.empty_like(y, dtype=float)
    for i in range(0, y.size, 256):  # (256, m) at a time
        r = (y[i:i + 256, None] - f(g)[None, :]) / s
        out[i:i + 256] = cond[i:i + 256] - (norm + special.logsumexp(lw[None, :] - 0.5 * r ** 2, axis=1))
    return out
