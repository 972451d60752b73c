"""Weak dependence of shapes no atlas family has, one column a side, with MI by Monte Carlo.

Each shape is Y | X with a closed-form density (or, for the ring, X and Y given an angle), so that
I(X; Y) = E[log p(x, y) - log p(x) - log p(y)] is a Monte Carlo mean over draws, with the
marginal densities by quadrature over the latent (X ~ N(0, 1) on a fine grid, or the angle):

- ring:   an angle t ~ U(0, 2 pi), X = cos t + s N, Y = sin t + s N (no correlation, no trend);
- sin_k:  X ~ N(0, 1), Y = sin(k X) + s N, k = 3, 5, 8 (many turns of a non-monotone function);
- cross:  X ~ N(0, 1), Y = +-X + s N, a random sign per row (an X-shaped cloud);
- scale:  X ~ N(0, 1), Y = X N' + s N (dependence in the spread only).

Used by collect.py; nothing here is part of the package (the atlas families are in infoatlas.atlas).
"""
from __future__ import annotations

import numpy as np
from scipy import stats

#: shape -> noise scales s (three levels each: MI from a few hundredths to about half a nat)
LEVELS = {"ring": (0.2, 0.3, 0.45), "sin_3": (0.5, 1.0, 1.5), "sin_5": (0.5, 1.0, 1.5),
          "sin_8": (0.5, 1.0, 1.5), "cross": (0.5, 1.0, 2.0), "scale": (0.1, 0.5, 1.0)}

_XG = np.linspace(-7.0, 7.0, 2801)          # quadrature grid for X ~ N(0, 1)
_WX = stats.norm.pdf(_XG) / stats.norm.pdf(_XG).sum()
_TG = np.linspace(0.0, 2 * np.pi, 1440, endpoint=False)  # grid for the ring's angle


def sample(shape: str, s: float, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """n draws (x (n,), y (n,)) of ``shape`` at noise scale s."""
    if shape == "ring":
        t = rng.uniform(0, 2 * np.pi, n)
        return np.cos(t) + s * rng.standard_normal(n), np.sin(t) + s * rng.standard_normal(n)
    x = rng.standard_normal(n)
    if shape.startswith("sin_"):
        return x, np.sin(int(shape[4:]) * x) + s * rng.standard_normal(n)
    if shape == "cross":
        return x, rng.choice([-1.0, 1.0], n) * x + s * rng.standard_normal(n)
    if shape == "scale":
        return x, x * rng.standard_normal(n) + s * rng.standard_normal(n)
    raise ValueError(shape)


def _cond(shape: str, s: float, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """p(y | x), broadcast over x and y."""
    if shape.startswith("sin_"):
        return stats.norm.pdf(y, np.sin(int(shape[4:]) * x), s)
    if shape == "cross":
        return 0.5 * (stats.norm.pdf(y, x, s) + stats.norm.pdf(y, -x, s))
    if shape == "scale":
        return stats.norm.pdf(y, 0.0, np.sqrt(x ** 2 + s ** 2))
    raise ValueError(shape)


def true_mi(shape: str, s: float, m: int = 40_000, seed: int = 0) -> tuple[float, float]:
    """(MI in nats, its Monte Carlo standard error) from m draws."""
    rng = np.random.default_rng(seed)
    x, y = sample(shape, s, m, rng)
    terms = []
    for a in range(0, m, 2000):
        xb, yb = x[a:a + 2000], y[a:a + 2000]
        if shape == "ring":
            px = stats.norm.pdf(xb[:, None], np.cos(_TG), s)
            py = stats.norm.pdf(yb[:, None], np.sin(_TG), s)
            terms.append(np.log((px * py).mean(1)) - np.log(px.mean(1)) - np.log(py.mean(1)))
        else:
            py = (_cond(shape, s, _XG[None, :], yb[:, None]) * _WX).sum(1)
            terms.append(np.log(_cond(shape, s, xb, yb)) - np.log(py))
    t = np.concatenate(terms)
    return float(t.mean()), float(t.std() / np.sqrt(m))
