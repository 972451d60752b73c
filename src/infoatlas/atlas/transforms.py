"""MI-preserving transforms that wrap a sampler and keep its known MI (bmi's TransformedSampler idea).

Each wrapper applies an injective map to X and/or Y, so I(f(X); g(Y)) = I(X; Y).  Parameters are
drawn once, at construction, from an explicit ``numpy.random.Generator``.
"""
from __future__ import annotations

import numpy as np


def random_invertible(d: int, rng: np.random.Generator, kind: str = "random") -> np.ndarray:
    """A (d, d) invertible matrix: "identity", "rotation" (orthogonal) or "random" (Gaussian, then
    a floor on singular values so the condition number stays below about 1e3)."""
    if kind == "identity":
        return np.eye(d)
    if kind == "rotation":
        q, r = np.linalg.qr(rng.standard_normal((d, d)))
        return q * np.sign(np.diag(r))  # Haar-distributed orthogonal matrix
    u, s, vt = np.linalg.svd(rng.standard_normal((d, d)))
    s = np.maximum(s, 1e-3 * s.max())
    return (u * s) @ vt


class Transformed:
    """Apply per-side maps f (to X) and g (to Y); each maps (n, d_in) -> (n, d_out) injectively."""

    def __init__(self, base, fx=None, gy=None, dim_x=None, dim_y=None):
        self.base, self.fx, self.gy = base, fx, gy
        self.dim_x = dim_x if dim_x is not None else base.dim_x
        self.dim_y = dim_y if dim_y is not None else base.dim_y

    def mutual_information(self) -> float:
        return self.base.mutual_information()

    def sample(self, n, rng):
        x, y = self.base.sample(n, rng)
        if self.fx is not None:
            x = self.fx(x)
        if self.gy is not None:
            y = self.gy(y)
        return x, y


class LinearMap:
    """z -> z A^T + b with A invertible."""

    def __init__(self, a: np.ndarray, b: np.ndarray | None = None):
        self.a = a
        self.b = np.zeros(a.shape[0]) if b is None else b

    def __call__(self, z):
        return z @ self.a.T + self.b


MONOTONE_SHAPES = ("exp", "cube", "sigmoid", "arcsinh", "sinh", "log_abs_shift", "power_tail")


class Monotone:
    """Strictly increasing map per coordinate; shapes include heavy tails (sinh, exp, power_tail)
    and bounded supports (sigmoid)."""

    def __init__(self, d: int, rng: np.random.Generator, shapes=MONOTONE_SHAPES):
        self.shapes = [shapes[i] for i in rng.integers(len(shapes), size=d)]
        self.scale = rng.uniform(0.5, 2.0, size=d)
        self.shift = rng.normal(0.0, 0.5, size=d)

    def __call__(self, z):
        out = np.empty_like(z, dtype=float)
        for j, shape in enumerate(self.shapes):
            t = z[:, j] * self.scale[j] + self.shift[j]
            out[:, j] = _monotone(shape, t)
        return out


def _monotone(shape: str, t: np.ndarray) -> np.ndarray:
    if shape == "exp":
        return np.exp(np.clip(t, -30, 30))
    if shape == "cube":
        return t**3 + t
    if shape == "sigmoid":
        return 1.0 / (1.0 + np.exp(-np.clip(t, -40, 40)))
    if shape == "arcsinh":
        return np.arcsinh(t)
    if shape == "sinh":
        return np.sinh(np.clip(t, -30, 30))
    if shape == "log_abs_shift":
        return np.sign(t) * np.log1p(np.abs(t))
    if shape == "power_tail":
        return np.sign(t) * np.abs(t) ** 3.5
    raise ValueError(f"unknown monotone shape {shape!r}")


class CouplingFlow:
    """Random invertible flow on R^d (d >= 2): affine coupling layers.

    Each layer splits the coordinates (a random permutation) into a and b and maps
    b -> b * exp(s(a)) + t(a), with s, t small tanh MLPs and |s| bounded, so every layer is a
    smooth bijection.
    """

    def __init__(self, d: int, rng: np.random.Generator, n_layers: int = 3, hidden: int = 16,
                 strength: float = 1.0):
        if d < 2:
            raise ValueError("a coupling flow needs d >= 2")
        self.d = d
        self.layers = []
        for _ in range(n_layers):
            perm = rng.permutation(d)
            k = d // 2
            a_idx, b_idx = perm[:k], perm[k:]
            w1 = rng.standard_normal((k, hidden)) * 1.5 / np.sqrt(k)
            b1 = rng.standard_normal(hidden) * 0.5
            ws = rng.standard_normal((hidden, d - k)) * strength * 0.6 / np.sqrt(hidden)
            wt = rng.standard_normal((hidden, d - k)) * strength * 1.5 / np.sqrt(hidden)
            self.layers.append((a_idx, b_idx, w1, b1, ws, wt))

    def __call__(self, z):
        z = np.array(z, dtype=float)  # copy: layers update coordinates in place
        for a_idx, b_idx, w1, b1, ws, wt in self.layers:
            h = np.tanh(z[:, a_idx] @ w1 + b1)
            s = np.tanh(h @ ws)  # bounded log-scale
            z[:, b_idx] = z[:, b_idx] * np.exp(s) + h @ wt
        return z

    def inverse(self, z):
        """Exact inverse (used by tests to check that the flow is a bijection)."""
        z = np.array(z, dtype=float)
        for a_idx, b_idx, w1, b1, ws, wt in reversed(self.layers):
            h = np.tanh(z[:, a_idx] @ w1 + b1)
            z[:, b_idx] = (z[:, b_idx] - h @ wt) * np.exp(-np.tanh(h @ ws))
        return z


class Spiral:
    """z -> rotation of z, in one random plane, by the angle speed * |z|^2 (bmi's spiral idea).

    The rotation keeps |z|, so the map is inverted by rotating back by the same angle
    (:meth:`inverse`): a global, non-monotone diffeomorphism, unlike the coupling flows (which act
    on one half of the coordinates at a time).  Needs d >= 2.
    """

    def __init__(self, d: int, rng: np.random.Generator, speed: float):
        if d < 2:
            raise ValueError("a spiral needs at least 2 dimensions")
        q, _ = np.linalg.qr(rng.standard_normal((d, 2)))
        self.q1, self.q2, self.speed = q[:, 0], q[:, 1], float(speed)

    def _rotate(self, z, sign):
        theta = sign * self.speed * np.sum(z * z, axis=1)       # (n,)
        p1, p2 = z @ self.q1, z @ self.q2                        # (n,) plane coordinates
        r1 = p1 * np.cos(theta) - p2 * np.sin(theta)
        r2 = p1 * np.sin(theta) + p2 * np.cos(theta)
        return z + np.outer(r1 - p1, self.q1) + np.outer(r2 - p2, self.q2)

    def __call__(self, z):
        return self._rotate(z, 1.0)

    def inverse(self, z):
        return self._rotate(z, -1.0)


class SmoothEmbedding:
    """Injective smooth map R^d -> R^(d + e): z -> [z, tanh(z W + c)] (z is kept, so injective)."""

    def __init__(self, d: int, extra: int, rng: np.random.Generator):
        self.w = rng.standard_normal((d, extra)) * 1.5 / np.sqrt(d)
        self.c = rng.standard_normal(extra) * 0.5
        self.extra = extra

    def __call__(self, z):
        return np.hstack([z, np.tanh(z @ self.w + self.c)])


class PadIndependent:
    """Append independent coordinates to each side: (X, Y) -> ([X, E1], [Y, E2]) keeps the MI."""

    def __init__(self, base, dim_x: int, dim_y: int, noise: str = "normal"):
        if dim_x < base.dim_x or dim_y < base.dim_y:
            raise ValueError("padding cannot shrink dimensions")
        self.base, self.dim_x, self.dim_y, self.noise = base, dim_x, dim_y, noise

    def mutual_information(self) -> float:
        return self.base.mutual_information()

    def sample(self, n, rng):
        x, y = self.base.sample(n, rng)
        draw = rng.standard_normal if self.noise == "normal" else rng.random
        if self.dim_x > x.shape[1]:
            x = np.hstack([x, draw((n, self.dim_x - x.shape[1]))])
        if self.dim_y > y.shape[1]:
            y = np.hstack([y, draw((n, self.dim_y - y.shape[1]))])
        return x, y
