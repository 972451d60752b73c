"""Base joint distributions of (X, Y) with exact (or tabulated) mutual information, in nats.

Every sampler follows :class:`infoatlas.interface.JointSampler`: ``dim_x``, ``dim_y``,
``mutual_information()`` and ``sample(n, rng) -> (x (n, dim_x), y (n, dim_y))``.
Randomness only comes from the ``rng`` argument.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import special


def gaussian_mi_from_rho(rho: np.ndarray) -> float:
    """MI (nats) of a Gaussian with canonical correlations ``rho``: -1/2 sum log(1 - rho_k^2)."""
    rho = np.asarray(rho, dtype=float)
    return float(-0.5 * np.sum(np.log1p(-rho**2)))


def rho_from_pair_mi(mi: np.ndarray) -> np.ndarray:
    """Inverse of :func:`gaussian_mi_from_rho` for one pair: rho = sqrt(1 - exp(-2 I))."""
    return np.sqrt(-np.expm1(-2.0 * np.asarray(mi, dtype=float)))


def split_mi(total: float, k: int, rng: np.random.Generator, concentration: float = 1.0) -> np.ndarray:
    """``total`` nats split over ``k`` parts with Dirichlet(``concentration``) shares, shape (k,)
    (MI adds over independent pairs, so any split keeps the total)."""
    return total * rng.dirichlet(np.full(k, concentration)) if k > 1 else np.array([total])


class CanonicalGaussian:
    """Gaussian (X, Y) in canonical form: pairs (x_k, y_k) with correlation rho_k, k < len(rho);
    every other coordinate is independent N(0, 1).  MI = -1/2 sum_k log(1 - rho_k^2).

    Any Gaussian (X, Y) is an invertible linear map per side of this form, so composing with
    :class:`~infoatlas.atlas.transforms.LinearMix` covers every Gaussian.
    """

    def __init__(self, rho, dim_x: int, dim_y: int):
        self.rho = np.asarray(rho, dtype=float)
        if self.rho.size > min(dim_x, dim_y):
            raise ValueError("more canonical pairs than min(dim_x, dim_y)")
        if np.any((self.rho < 0) | (self.rho >= 1)):
            raise ValueError("canonical correlations must lie in [0, 1)")
        self.dim_x, self.dim_y = int(dim_x), int(dim_y)

    def mutual_information(self) -> float:
        return gaussian_mi_from_rho(self.rho)

    def sample(self, n, rng):
        k = self.rho.size
        x = rng.standard_normal((n, self.dim_x))
        y = rng.standard_normal((n, self.dim_y))
        # y_k = rho_k x_k + sqrt(1 - rho_k^2) e_k keeps unit variance and correlation rho_k
        y[:, :k] = self.rho * x[:, :k] + np.sqrt(1.0 - self.rho**2) * y[:, :k]
        return x, y


def student_t_mi_correction(dof: float, dim_x: int, dim_y: int) -> float:
    """Non-Gaussian part of the MI of a multivariate Student-t (nats), >= 0.

    With h0(d) = lnG(nu/2) - lnG((nu+d)/2) + (nu+d)/2 [psi((nu+d)/2) - psi(nu/2)], the entropy of a
    d-dim t is 1/2 log det S + d/2 log(nu pi) + h0(d); marginals of a t are t with the same nu, so
    I = I_gauss(S) + h0(dx) + h0(dy) - h0(dx + dy).
    """
    nu = float(dof)

    def h0(d):
        a = (nu + d) / 2.0
        return special.gammaln(nu / 2) - special.gammaln(a) + a * (special.digamma(a) - special.digamma(nu / 2))

    return float(h0(dim_x) + h0(dim_y) - h0(dim_x + dim_y))


class StudentT:
    """Multivariate Student-t with ``dof`` degrees of freedom and canonical scale correlations.

    (X, Y) = G / sqrt(W / nu) with G ~ CanonicalGaussian(rho) and one shared W ~ chi2(nu).  X and Y
    are dependent even when rho = 0 (shared W).  MI = I_gauss(rho) + student_t_mi_correction.
    """

    def __init__(self, rho, dim_x: int, dim_y: int, dof: float):
        self.gauss = CanonicalGaussian(rho, dim_x, dim_y)
        self.dim_x, self.dim_y, self.dof = dim_x, dim_y, float(dof)

    def mutual_information(self) -> float:
        return self.gauss.mutual_information() + student_t_mi_correction(self.dof, self.dim_x, self.dim_y)

    def sample(self, n, rng):
        x, y = self.gauss.sample(n, rng)
        s = np.sqrt(self.dof / rng.chisquare(self.dof, size=(n, 1)))
        return x * s, y * s


def additive_uniform_mi(a) -> np.ndarray:
    """MI (nats) of Y = X + a U with X, U ~ U(0, 1) independent (per coordinate).

    h(Y) of the trapezoid density is a/2 for a <= 1 (and log a + 1/(2a) for a > 1), h(Y|X) = log a,
    so I = a/2 - log a for a <= 1 and I = 1/(2a) for a > 1.
    """
    a = np.asarray(a, dtype=float)
    return np.where(a <= 1.0, a / 2.0 - np.log(np.minimum(a, 1.0)), 1.0 / (2.0 * a))


def additive_uniform_scale(mi) -> np.ndarray:
    """Inverse of :func:`additive_uniform_mi` (the function is strictly decreasing in a)."""
    mi = np.atleast_1d(np.asarray(mi, dtype=float))
    out = np.empty_like(mi)
    for i, m in enumerate(mi):
        if m <= 0.5:
            out[i] = 1.0 / (2.0 * max(m, 1e-9))
        else:  # solve a/2 - log a = m on (0, 1] by Newton from a = exp(-m)
            a = np.exp(-m)
            for _ in range(30):
                a = np.clip(a - (a / 2 - np.log(a) - m) / (0.5 - 1.0 / a), 1e-300, 1.0)
            out[i] = a
    return out


class AdditiveUniform:
    """Y_k = X_k + a_k U_k on the first k coordinates, X, U uniform on (0, 1); MI = sum_k I(a_k)."""

    def __init__(self, scales, dim_x: int, dim_y: int):
        self.scales = np.asarray(scales, dtype=float)
        if self.scales.size > min(dim_x, dim_y):
            raise ValueError("more noisy pairs than min(dim_x, dim_y)")
        self.dim_x, self.dim_y = dim_x, dim_y

    def mutual_information(self) -> float:
        return float(np.sum(additive_uniform_mi(self.scales)))

    def sample(self, n, rng):
        k = self.scales.size
        x = rng.random((n, self.dim_x))
        y = rng.random((n, self.dim_y))
        y[:, :k] = x[:, :k] + self.scales * y[:, :k]
        return x, y


class Independent:
    """X and Y drawn independently from two samplers' marginals; MI = 0 exactly."""

    def __init__(self, sampler_x, sampler_y):
        self.sx, self.sy = sampler_x, sampler_y
        self.dim_x, self.dim_y = sampler_x.dim_x, sampler_y.dim_y

    def mutual_information(self) -> float:
        return 0.0

    def sample(self, n, rng):
        x, _ = self.sx.sample(n, rng)
        _, y = self.sy.sample(n, rng)
        return x, y


# --------------------------------------------------------------------------- Clayton copula pairs

def _log_expm1(c):
    """log(e^c - 1) for c > 0, without overflow for large c or cancellation for small c."""
    return c + np.log(-np.expm1(-c))


def clayton_sample_log(n: int, theta: float, rng) -> tuple[np.ndarray, np.ndarray]:
    """(log U, log V) of n draws from the Clayton copula with parameter theta > 0.

    Conditional inversion, V | U = u: v = (u^-theta (w^(-theta/(1+theta)) - 1) + 1)^(-1/theta) with
    W uniform; done in logs, because u^-theta overflows for small u and large theta.
    """
    lu, lw = np.log(rng.random(n)), np.log(rng.random(n))
    lv = -np.logaddexp(0.0, -theta * lu + _log_expm1(-theta / (1.0 + theta) * lw)) / theta
    return lu, lv


def clayton_log_density(lu, lv, theta: float):
    """log c(u, v) = log(1 + theta) - (1 + theta)(log u + log v) - (2 + 1/theta) log(u^-theta + v^-theta - 1)."""
    s = np.logaddexp(-theta * lu, _log_expm1(-theta * lv))
    return np.log1p(theta) - (1.0 + theta) * (lu + lv) - (2.0 + 1.0 / theta) * s


CLAYTON_THETA_MAX = 40.0  #: largest parameter tabulated (Kendall tau 0.95, MI about 2.7 nats)


@lru_cache(maxsize=1)
def clayton_mi_table(draws: int = 200_000) -> tuple[np.ndarray, np.ndarray]:
    """(theta grid (64,), MI grid (64,) in nats) of the Clayton copula.

    MI = E[log c(U, V)] under the copula, by Monte Carlo with a fixed seed (standard error below
    0.003 nats on this grid); computed once per process (a few seconds).
    """
    theta = np.geomspace(0.02, CLAYTON_THETA_MAX, 64)
    rng = np.random.default_rng(20261129)
    mi = np.array([clayton_log_density(*clayton_sample_log(draws, t, rng), t).mean() for t in theta])
    # MI rises with theta; Monte Carlo noise must not make the table non-monotone
    return theta, np.maximum.accumulate(np.maximum(mi, 0.0))


def clayton_mi(theta) -> np.ndarray:
    """MI (nats) of the Clayton copula with parameter theta, interpolated in the table."""
    t, m = clayton_mi_table()
    return np.interp(np.log(theta), np.log(t), m)


def clayton_theta(mi) -> np.ndarray:
    """Inverse of :func:`clayton_mi` on the table's range (MI clipped to it)."""
    t, m = clayton_mi_table()
    return np.exp(np.interp(np.clip(mi, m[0], m[-1]), m, np.log(t)))


class ClaytonPairs:
    """Pairs (x_k, y_k), k < len(thetas), each with a Clayton copula rotated by 0, 90, 180 or 270
    degrees (lower-tail, upper-tail or negative dependence) and standard normal margins; every other
    coordinate independent N(0, 1).  MI = sum_k MI_Clayton(theta_k) (rotations preserve MI).

    Not Gaussian in its dependence: a Gaussian-copula estimate misses the tail dependence.
    """

    def __init__(self, thetas, rotations, dim_x: int, dim_y: int):
        self.thetas = np.asarray(thetas, dtype=float)
        self.rotations = np.asarray(rotations, dtype=int)
        if self.thetas.size > min(dim_x, dim_y) or self.rotations.shape != self.thetas.shape:
            raise ValueError("need one rotation per pair and at most min(dim_x, dim_y) pairs")
        self.dim_x, self.dim_y = int(dim_x), int(dim_y)

    def mutual_information(self) -> float:
        return float(np.sum(clayton_mi(self.thetas))) if self.thetas.size else 0.0

    def sample(self, n, rng):
        x = rng.standard_normal((n, self.dim_x))
        y = rng.standard_normal((n, self.dim_y))
        for k, (theta, rot) in enumerate(zip(self.thetas, self.rotations)):
            lu, lv = clayton_sample_log(n, theta, rng)
            # rotation: replace U by 1 - U and/or V by 1 - V (log(1 - u) = log1p(-u))
            if rot in (1, 2):
                lv = np.log1p(-np.exp(lv))
            if rot in (2, 3):
                lu = np.log1p(-np.exp(lu))
            x[:, k], y[:, k] = special.ndtri_exp(lu), special.ndtri_exp(lv)
        return x, y
