"""Gaussian mixtures in the joint (X, Y) space, with MI from a shipped Monte-Carlo table.

A mixture's parameters are a pure function of (seed, dim_x, dim_y, n_components), so the table
stores only those and the MI; ``python -m infoatlas.atlas.mixtures`` rebuilds it.  MI is the
Monte-Carlo mean of log p(x, y) - log p(x) - log p(y) over ``MC_SAMPLES`` draws; the table also
stores the standard error of that mean.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
from scipy.special import logsumexp

MC_SAMPLES = 40_000
TABLE_FILE = "mixtures.csv"


@dataclass(frozen=True)
class MixtureRow:
    seed: int
    dim_x: int
    dim_y: int
    n_components: int
    mi: float
    mc_se: float
    split: str  # "train" or "heldout"


def mixture_params(seed: int, dim_x: int, dim_y: int, n_components: int):
    """Weights (K,), means (K, d), Cholesky factors (K, d, d) with d = dim_x + dim_y."""
    rng = np.random.default_rng([seed, dim_x, dim_y, n_components])
    d = dim_x + dim_y
    weights = rng.dirichlet(np.full(n_components, 2.0))
    spread = rng.uniform(0.5, 3.0)
    means = rng.standard_normal((n_components, d)) * spread
    chol = np.tril(rng.standard_normal((n_components, d, d)) * rng.uniform(0.1, 0.8))
    idx = np.arange(d)
    chol[:, idx, idx] = np.abs(chol[:, idx, idx]) + rng.uniform(0.2, 1.0, size=(n_components, d))
    return weights, means, chol


def _gmm_logpdf(z, weights, means, chol):
    """log density of a Gaussian mixture at z (m, d) -> (m,)."""
    d = z.shape[1]
    comps = []
    for w, mu, L in zip(weights, means, chol):
        sol = np.linalg.solve(L, (z - mu).T)  # (d, m): L^{-1}(z - mu)
        logdet = 2.0 * np.sum(np.log(np.abs(np.diag(L))))
        comps.append(np.log(w) - 0.5 * (np.sum(sol**2, axis=0) + logdet + d * np.log(2 * np.pi)))
    return logsumexp(np.stack(comps), axis=0)


class GaussianMixture:
    """Joint Gaussian mixture (X, Y); MI from the table (or given explicitly)."""

    def __init__(self, seed: int, dim_x: int, dim_y: int, n_components: int, mi: float):
        self.seed, self.dim_x, self.dim_y, self.n_components = seed, dim_x, dim_y, n_components
        self.weights, self.means, self.chol = mixture_params(seed, dim_x, dim_y, n_components)
        self._mi = float(mi)

    @classmethod
    def from_row(cls, row: MixtureRow) -> "GaussianMixture":
        return cls(row.seed, row.dim_x, row.dim_y, row.n_components, row.mi)

    def mutual_information(self) -> float:
        return self._mi

    def sample(self, n, rng):
        comp = rng.choice(self.n_components, size=n, p=self.weights)
        d = self.dim_x + self.dim_y
        eps = rng.standard_normal((n, d))
        z = self.means[comp] + np.einsum("nij,nj->ni", self.chol[comp], eps)
        return z[:, : self.dim_x], z[:, self.dim_x:]

    def monte_carlo_mi(self, n_samples: int, rng) -> tuple[float, float]:
        """Independent MC estimate of the MI (nats) and its standard error."""
        x, y = self.sample(n_samples, rng)
        dx = self.dim_x
        covs = np.einsum("kij,klj->kil", self.chol, self.chol)

        def marginal(sl):
            # marginal of a Gaussian mixture: same weights, sliced means and covariances
            c = np.linalg.cholesky(covs[:, sl, sl])
            return c

        lxy = _gmm_logpdf(np.hstack([x, y]), self.weights, self.means, self.chol)
        lx = _gmm_logpdf(x, self.weights, self.means[:, :dx], marginal(slice(0, dx)))
        ly = _gmm_logpdf(y, self.weights, self.means[:, dx:], marginal(slice(dx, None)))
        pmi = lxy - lx - ly
        return float(pmi.mean()), float(pmi.std(ddof=1) / np.sqrt(n_samples))


@lru_cache(maxsize=1)
def load_table() -> tuple[MixtureRow, ...]:
    """The shipped table of mixtures with Monte-Carlo MI."""
    path = resources.files("infoatlas.atlas") / "data" / TABLE_FILE
    with path.open() as fh:
        return tuple(
            MixtureRow(int(r["seed"]), int(r["dim_x"]), int(r["dim_y"]), int(r["n_components"]),
                       float(r["mi"]), float(r["mc_se"]), r["split"])
            for r in csv.DictReader(fh)
        )


@lru_cache(maxsize=None)
def rows_within(split: str, dx: int, dy: int) -> tuple[MixtureRow, ...]:
    """The table's rows of ``split`` ("train" or "heldout") with dim_x <= dx and dim_y <= dy, in
    table order (cached: samplers draw one of them per data set)."""
    return tuple(r for r in load_table() if r.split == split and r.dim_x <= dx and r.dim_y <= dy)


def build_table(path, max_dim: int = 6, per_dims: int = 30, heldout_share: float = 0.2) -> None:
    """Compute the table: ``per_dims`` mixtures for each (dim_x, dim_y) up to ``max_dim``."""
    rows = []
    seed = 0
    for dx in range(1, max_dim + 1):
        for dy in range(1, max_dim + 1):
            for _ in range(per_dims):
                seed += 1
                k = 2 + seed % 4
                mix = GaussianMixture(seed, dx, dy, k, mi=np.nan)
                mi, se = mix.monte_carlo_mi(MC_SAMPLES, np.random.default_rng([seed, 12345]))
                # the split is a fixed function of the seed, so it never depends on MI
                split = "heldout" if (seed * 2654435761) % 1000 < heldout_share * 1000 else "train"
                rows.append((seed, dx, dy, k, max(mi, 0.0), se, split))
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["seed", "dim_x", "dim_y", "n_components", "mi", "mc_se", "split"])
        for r in rows:
            w.writerow([r[0], r[1], r[2], r[3], f"{r[4]:.6f}", f"{r[5]:.6f}", r[6]])


if __name__ == "__main__":  # pragma: no cover - rebuilds the shipped table
    import pathlib

    out = pathlib.Path(__file__).parent / "data" / TABLE_FILE
    build_table(out)
    print(f"wrote {out}")
