"""Structured joint distributions with exact MI: low-dimensional latents carried injectively into
many ambient dimensions, clusters, wide Gaussians, and independence at few rows per column.

Real data are rarely Gaussian-like clouds: embeddings and images lie near low-dimensional manifolds
in many ambient dimensions, rows fall into clusters or repeat.  Every family here keeps its MI
exact by one argument:

- **Injective maps** (manifold families): the latent pair (Z_x, Z_y) has known MI; X = f(Z_x) and
  Y = g(Z_y) with f, g injective, so I(X; Y) = I(Z_x; Z_y) (f, g are invertible onto their images).
- **Disjoint clusters** (cluster families): labels (C, C') have a joint pmf; X = a_C + E_x with the
  noise E_x independent of everything and bounded by a radius below half the smallest distance
  between centres.  Then C is a function of X (the nearest centre), so I(X; Y) = I(C; C')
  (the chain C -> X is an injective "channel" up to independent noise: I(X; Y) = I(C, E_x; C', E_y)
  = I(C; C')).  Finite pools (rows repeat) are the same argument with E_x uniform over a pool
  (held-out: pool points anywhere in the cluster's ball; training, "codebook": pool points on a
  random 1-3 dimensional slice of it, on one or both sides).
- **Gaussians and independence**: the Gaussian formula; 0.
- **Rounded Gaussians** (ties with more levels than the discrete estimators take): a correlated
  normal pair with one or both sides rounded to 21-150 levels, MI of what is observed by quadrature
  or rectangle probabilities (:class:`~infoatlas.atlas.discrete.QuantisedGaussian`), padded with
  independent normal columns.

Each family takes the ambient widths (dx, dy) it is asked for; :func:`draw_shape` is the family's
own prior over (n, dx, dy) for the refinement head's training stream and for the benchmark.  Every
sampler draws its parameters once, at construction, from an explicit ``numpy.random.Generator``.
"""
from __future__ import annotations

import numpy as np
from scipy import special

from . import base, mixtures, transforms
from .discrete import QuantisedGaussian, entropy_pmf, mi_from_joint

TRAIN = ("manifold_tanh", "manifold_pad", "manifold_strip", "clusters_ball", "gauss_wide", "independent_wide",
         "gauss_rounded", "clusters_codebook", "mixture_wide")
VALIDATION = ("manifold_fourier", "clusters_shell")
HELDOUT = ("manifold_image", "clusters_pool", "mixture_embedded", "independent_structured")
FAMILIES = TRAIN + VALIDATION + HELDOUT

LATENT_MAX = 8      #: largest intrinsic dimension per side
AMBIENT_MAX = 160   #: largest ambient width per side in the shape prior (the benchmark goes to 256)


# --------------------------------------------------------------------------- injective embeddings
class TanhEmbed:
    """z (n, k) -> tanh(z A + b) (n, D), optionally twice (the second with an invertible D x D map).

    Injective: A (k, D) has rank k (Gaussian entries, D >= k), tanh is strictly increasing, an
    invertible matrix is injective, and compositions of injective maps are injective."""

    def __init__(self, k: int, d: int, rng, layers: int | None = None):
        if d < k:
            raise ValueError("an injective embedding needs D >= k")
        self.a = rng.standard_normal((k, d)) * rng.uniform(0.5, 2.0) / np.sqrt(k)
        self.b = rng.standard_normal(d) * 0.5
        layers = int(rng.integers(1, 3)) if layers is None else layers
        self.second = None
        if layers > 1:
            self.second = (transforms.random_invertible(d, rng, "rotation") * rng.uniform(1.0, 2.5),
                           rng.standard_normal(d) * 0.3)

    def __call__(self, z):
        h = np.tanh(z @ self.a + self.b)
        if self.second is not None:
            h = np.tanh(h @ self.second[0] + self.second[1])
        return h


class PadEmbed:
    """z (n, k) -> [z, f_1(z), ..., f_{D-k}(z)] M (n, D): the latent padded with deterministic
    functions of itself (sines, products, squares, tanh units), then mixed by an invertible D x D
    matrix M.  Injective: z is read back from the first k coordinates of x M^-1."""

    def __init__(self, k: int, d: int, rng):
        if d < k:
            raise ValueError("an injective embedding needs D >= k")
        self.k, self.extra = k, d - k
        self.kind = rng.integers(0, 4, size=self.extra)          # which function per padded column
        self.w = rng.standard_normal((k, self.extra)) * rng.uniform(0.5, 2.0)
        self.c = rng.uniform(-np.pi, np.pi, size=self.extra)
        self.i = rng.integers(0, k, size=(2, self.extra))        # coordinates of products/squares
        self.mix = transforms.random_invertible(d, rng, ("identity", "rotation", "random")[int(rng.integers(3))])

    def __call__(self, z):
        lin = z @ self.w + self.c                                # (n, extra)
        cols = np.where(self.kind == 0, np.sin(lin), 0.0)
        cols = np.where(self.kind == 1, np.tanh(lin), cols)
        cols = np.where(self.kind == 2, z[:, self.i[0]] * z[:, self.i[1]], cols)
        cols = np.where(self.kind == 3, z[:, self.i[0]] ** 2, cols)
        return np.hstack([z, cols]) @ self.mix.T


class FourierEmbed:
    """z (n, k) -> z A + c sin(z W + b) V (n, D) with c ||W|| ||V|| < sigma_min(A): a linear map
    plus a smaller Lipschitz perturbation, hence injective (|f(z) - f(z')| >= (sigma_min(A) - L) |z - z'|)."""

    def __init__(self, k: int, d: int, rng):
        if d < k:
            raise ValueError("an injective embedding needs D >= k")
        self.a = rng.standard_normal((k, d)) / np.sqrt(k)
        m = int(rng.integers(4, 17))
        self.w = rng.standard_normal((k, m)) * rng.uniform(1.0, 3.0)
        self.b = rng.uniform(-np.pi, np.pi, size=m)
        self.v = rng.standard_normal((m, d))
        smin = np.linalg.svd(self.a, compute_uv=False).min()
        lip = np.linalg.norm(self.w, 2) * np.linalg.norm(self.v, 2)
        self.c = rng.uniform(0.3, 0.9) * smin / lip

    def __call__(self, z):
        return z @ self.a + self.c * np.sin(z @ self.w + self.b) @ self.v


class StripRender:
    """Each latent coordinate drawn as a bump on its own strip of pixels: z (n, k) -> (n, D).

    Coordinate j sits at p_j = Phi(z_j) in (0, 1); strip j has P_j >= 3 pixels on a grid g over
    [-0.1, 1.1] with values exp(-(g - p_j)^2 / (2 s^2)).  Injective: the log-ratio of two pixels
    of a strip is linear in p_j with a nonzero slope, so p_j (and z_j) is read back."""

    def __init__(self, k: int, d: int, rng):
        if d < 3 * k:
            raise ValueError("a strip needs at least 3 pixels per latent coordinate")
        sizes = np.full(k, d // k)
        sizes[-1] += d - sizes.sum()
        self.grids = [np.linspace(-0.1, 1.1, int(p)) for p in sizes]
        self.width = [rng.uniform(1.0, 3.0) * (g[1] - g[0]) for g in self.grids]

    def __call__(self, z):
        p = special.ndtr(z)
        return np.hstack([np.exp(-(g[None] - p[:, j:j + 1]) ** 2 / (2 * s * s))
                          for j, (g, s) in enumerate(zip(self.grids, self.width))])


def image_shape(d: int) -> tuple[int, int]:
    """(H, W) with H W = d and H the largest divisor of d not above sqrt(d)."""
    h = max(i for i in range(1, int(np.sqrt(d)) + 1) if d % i == 0)
    return h, d // h


class BlobImage:
    """A latent of 1-3 coordinates drawn as a Gaussian blob on an H x W image: z (n, k) -> (n, H W).

    Position (Phi(z_1), Phi(z_2)) (k = 1: the blob moves along the curve (p, 1/2 + sin(2 pi p) / 4));
    k = 3: the blob's width grows with Phi(z_3).  Injective: the log of the image is the quadratic
    -((gx - p1)^2 + (gy - p2)^2) / (2 s^2) over pixel centres (gx, gy); three pixels not on a line
    (H, W >= 2) fix p1, p2 and s."""

    def __init__(self, k: int, d: int, rng):
        self.h, self.w = image_shape(d)
        if k > 3 or (k >= 2 and min(self.h, self.w) < 2) or d < 4:
            raise ValueError(f"cannot draw a {k}-dim latent on a {self.h} x {self.w} image")
        self.k = k
        gy, gx = np.meshgrid(np.linspace(-0.1, 1.1, self.h), np.linspace(-0.1, 1.1, self.w), indexing="ij")
        self.gx, self.gy = gx.ravel(), gy.ravel()
        self.s0 = rng.uniform(0.08, 0.2)

    def __call__(self, z):
        p = special.ndtr(z)
        p1 = p[:, :1]
        p2 = p[:, 1:2] if self.k >= 2 else 0.5 + 0.25 * np.sin(2 * np.pi * p1)
        s = self.s0 * (0.7 + 0.6 * p[:, 2:3]) if self.k == 3 else self.s0
        return np.exp(-((self.gx[None] - p1) ** 2 + (self.gy[None] - p2) ** 2) / (2 * s * s))


EMBEDDINGS = {"manifold_tanh": TanhEmbed, "manifold_pad": PadEmbed, "manifold_strip": StripRender,
              "manifold_fourier": FourierEmbed, "manifold_image": BlobImage, "mixture_embedded": TanhEmbed}


def latent_dim(family: str, d: int, rng) -> int:
    """Intrinsic dimension for an ambient width d: 1-8, log-uniform, within what the embedding of
    ``family`` can carry injectively (strips need 3 pixels per coordinate, images at most 3
    coordinates and 4 pixels).  A side too narrow for the family's embedding is the latent itself
    (k = d)."""
    if (family == "manifold_strip" and d < 3) or (family == "manifold_image" and d < 4):
        return d
    cap = {"manifold_strip": d // 3, "manifold_image": 3 if min(image_shape(d)) >= 2 else 1}.get(family, d)
    cap = max(1, min(LATENT_MAX, cap))
    return int(min(cap, np.floor(np.exp(rng.uniform(0, np.log(cap + 1))))))


def _embedding(family: str, k: int, d: int, rng):
    """The family's injective map R^k -> R^d, or None when the side is the latent (k == d)."""
    if d == k:
        return None
    return EMBEDDINGS[family](k, d, rng)


class Embedded:
    """A latent pair sampler (Z_x, Z_y) with per-side injective maps into (dx, dy); the side's
    latent is first turned by a random rotation (MI-preserving) so that embeddings see mixtures."""

    def __init__(self, latent, fx, fy, dim_x: int, dim_y: int, rng):
        self.latent, self.fx, self.fy = latent, fx, fy
        self.dim_x, self.dim_y = dim_x, dim_y
        self.rx = transforms.random_invertible(latent.dim_x, rng, "rotation")
        self.ry = transforms.random_invertible(latent.dim_y, rng, "rotation")

    def mutual_information(self) -> float:
        return self.latent.mutual_information()

    def sample(self, n, rng):
        zx, zy = self.latent.sample(n, rng)
        zx, zy = zx @ self.rx.T, zy @ self.ry.T
        return (zx if self.fx is None else self.fx(zx)), (zy if self.fy is None else self.fy(zy))


def _gaussian_latent(kx: int, ky: int, mi: float, rng):
    k = min(kx, ky)
    pair_mi = base.split_mi(mi, k, rng)
    return base.CanonicalGaussian(np.minimum(base.rho_from_pair_mi(pair_mi), 1 - 1e-9), kx, ky)


def manifold(family: str, dx: int, dy: int, mi: float, rng):
    """A Gaussian latent pair (or, for ``mixture_embedded``, a held-out Gaussian-mixture pair) of
    intrinsic dims (kx, ky) carried into (dx, dy) by the family's embedding."""
    if family == "mixture_embedded":
        rows = mixtures.rows_within("heldout", min(dx, LATENT_MAX), min(dy, LATENT_MAX))
        row = rows[int(rng.integers(len(rows)))]
        latent = mixtures.GaussianMixture.from_row(row)
    else:
        latent = _gaussian_latent(latent_dim(family, dx, rng), latent_dim(family, dy, rng), mi, rng)
    fx = _embedding(family, latent.dim_x, dx, rng)
    fy = _embedding(family, latent.dim_y, dy, rng)
    return Embedded(latent, fx, fy, dx, dy, rng)


def mixture_wide(dx: int, dy: int, rng):
    """A train-split row of the Gaussian-mixture table (1-6 dims per side, tabulated MI) carried into
    the ambient widths by the training manifolds' tanh or padded maps (each side its own; a side as
    wide as its latent stays the latent).  MI = the row's: both maps are injective.  Training saw
    mixtures only up to 32 columns, padded with independent ones; in 16+64 and 40+40 columns they
    read about a nat low, padded or embedded (docs/experiments/mixture_latent)."""
    rows = mixtures.rows_within("train", min(dx, LATENT_MAX), min(dy, LATENT_MAX))
    latent = mixtures.GaussianMixture.from_row(rows[int(rng.integers(len(rows)))])

    def side(k, d):
        return None if d == k else (TanhEmbed, PadEmbed)[int(rng.integers(2))](k, d, rng)

    return Embedded(latent, side(latent.dim_x, dx), side(latent.dim_y, dy), dx, dy, rng)


# --------------------------------------------------------------------------- clusters
def cluster_pmf(k: int, mi: float, rng) -> np.ndarray:
    """A joint pmf (k, k) of labels with MI equal to min(mi, 0.95 H(C)): C ~ Dirichlet(2) weights,
    C' | C = the label under a random permutation with probability 1 - e, else drawn from one
    Dirichlet(1) law q whatever C is; e found by bisection (MI falls from H(C) at e = 0 to 0 at e = 1)."""
    px = rng.dirichlet(np.full(k, 2.0))
    perm = np.eye(k)[rng.permutation(k)]
    rows = rng.dirichlet(np.ones(k))[None]

    def joint(e):
        return px[:, None] * ((1 - e) * perm + e * rows)

    target = min(mi, 0.95 * entropy_pmf(px))
    lo, hi = 0.0, 1.0
    for _ in range(40):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if mi_from_joint(joint(mid)) > target else (lo, mid)
    return joint((lo + hi) / 2)


class ClusterSide:
    """Label c -> a_c + r S_c e with centres a (K, D), a shape matrix S_c (D, D) of spectral norm
    <= 1 per cluster and e in the unit ball ("ball"), on a thin shell ("shell"), or one of a fixed
    pool of such points per cluster (rows repeat): 3-40 points of the ball ("pool") or 2-60 points
    of the unit ball of a random 1-3 dimensional subspace ("codebook").  r < (smallest centre
    distance) / 2, so clusters have disjoint supports and the label is a function of the point."""

    def __init__(self, k: int, d: int, rng, shape: str = "ball"):
        self.d, self.shape = d, shape
        self.centres = rng.standard_normal((k, d)) * rng.uniform(1.0, 5.0)
        gaps = np.linalg.norm(self.centres[:, None] - self.centres[None], axis=-1)
        dmin = gaps[~np.eye(k, dtype=bool)].min()
        self.radius = rng.uniform(0.05, 0.45) * dmin  # tight (0.05) to nearly touching (0.45)
        self.shapes = []
        for _ in range(k):
            s = rng.standard_normal((d, d))
            s /= np.linalg.norm(s, 2)
            self.shapes.append(s)
        self.pool = None
        if shape == "pool":
            m = int(rng.integers(3, 41))
            self.pool = np.stack([self._noise(c, m, rng) for c in range(k)])  # (K, m, D)
        elif shape == "codebook":
            m, q = int(rng.integers(2, 61)), min(d, int(rng.integers(1, 4)))
            basis = np.linalg.qr(rng.standard_normal((d, q)))[0].T  # (q, D) orthonormal rows
            self.pool = np.stack([self._noise(c, m, rng, basis) for c in range(k)])  # (K, m, D)

    def _noise(self, c: int, n: int, rng, basis: np.ndarray | None = None) -> np.ndarray:
        """n points r S_c e, e in the unit ball (of the rows of ``basis`` (q, D) when given)."""
        q = self.d if basis is None else basis.shape[0]
        e = rng.standard_normal((n, q))
        e /= np.linalg.norm(e, axis=1, keepdims=True)
        r = 1.0 - 0.1 * rng.random((n, 1)) if self.shape == "shell" else rng.random((n, 1)) ** (1.0 / q)
        e = e * r if basis is None else (e * r) @ basis  # orthonormal rows keep |e| <= 1
        return self.radius * e @ self.shapes[c].T

    def __call__(self, labels: np.ndarray, rng) -> np.ndarray:
        out = self.centres[labels].copy()
        for c in np.unique(labels):
            idx = np.flatnonzero(labels == c)
            if self.pool is not None:
                out[idx] += self.pool[c][rng.integers(self.pool.shape[1], size=idx.size)]
            else:
                out[idx] += self._noise(c, idx.size, rng)
        return out


class Clusters:
    """Labels (C, C') ~ pmf (K, K); X = ClusterSide_x(C), Y = ClusterSide_y(C').  MI = I(C; C')."""

    def __init__(self, pmf: np.ndarray, dim_x: int, dim_y: int, rng, shape: str = "ball", shape_y: str | None = None):
        self.pmf = pmf / pmf.sum()
        k = pmf.shape[0]
        self.dim_x, self.dim_y = dim_x, dim_y
        self.sx = ClusterSide(k, dim_x, rng, shape)
        self.sy = ClusterSide(k, dim_y, rng, shape if shape_y is None else shape_y)

    def mutual_information(self) -> float:
        return mi_from_joint(self.pmf)

    def sample(self, n, rng):
        flat = rng.choice(self.pmf.size, size=n, p=self.pmf.ravel())
        c, c2 = np.unravel_index(flat, self.pmf.shape)
        return self.sx(c, rng), self.sy(c2, rng)


def clusters(family: str, dx: int, dy: int, mi: float, rng):
    shape = {"clusters_ball": "ball", "clusters_shell": "shell", "clusters_pool": "pool",
             "clusters_codebook": "codebook"}[family]
    shape_y = shape
    if shape == "codebook" and rng.random() < 0.4:  # rows repeat on one side only
        shape, shape_y = (("ball", "codebook") if rng.random() < 0.5 else ("codebook", "ball"))
    # enough clusters to carry the MI (H(C) <= log K), 2-12
    k = int(np.clip(np.ceil(np.exp(mi * rng.uniform(1.05, 1.6))), 2, 12))
    return Clusters(cluster_pmf(k, mi, rng), dx, dy, rng, shape, shape_y)


# --------------------------------------------------------------------------- wide Gaussians, independence
def gauss_wide(dx: int, dy: int, mi: float, rng):
    """Gaussian with the MI spread over all pairs (Dirichlet(1)), 1-2 pairs, or r <= 4 equal pairs,
    then a random invertible linear map per side."""
    k = min(dx, dy)
    how = int(rng.integers(3))
    r = k if how == 0 else min(k, int(rng.integers(1, 3)) if how == 1 else int(rng.integers(1, 5)))
    pair_mi = base.split_mi(mi, r, rng) if how < 2 else np.full(r, mi / r)
    g = base.CanonicalGaussian(np.minimum(base.rho_from_pair_mi(pair_mi), 1 - 1e-9), dx, dy)
    fx = transforms.LinearMap(transforms.random_invertible(dx, rng, "random"))
    fy = transforms.LinearMap(transforms.random_invertible(dy, rng, "random"))
    return transforms.Transformed(g, fx, fy)


class OneSide:
    """The X side of a joint sampler, as a d-dim distribution of its own."""

    def __init__(self, joint):
        self.joint, self.d = joint, joint.dim_x

    def sample(self, n, rng):
        return self.joint.sample(n, rng)[0]


def structured_side(d: int, rng, heldout: bool):
    """One side of an independent pair: a manifold, clusters or a correlated Gaussian in d dims
    (train: tanh/pad/strip manifolds, balls, codebooks; held-out: images, pools, Fourier manifolds)."""
    kind = int(rng.integers(3))
    if kind == 0:
        fams = ("manifold_image", "manifold_fourier") if heldout else ("manifold_tanh", "manifold_pad", "manifold_strip")
        fam = fams[int(rng.integers(len(fams)))]
        return OneSide(manifold(fam, d, 1, 0.0, rng))
    if kind == 1:
        fam = "clusters_pool" if heldout else ("clusters_ball", "clusters_codebook")[int(rng.integers(2))]
        return OneSide(clusters(fam, d, 1, rng.uniform(0.5, 2.5), rng))
    return OneSide(gauss_wide(d, 1, 0.0, rng))


class IndependentSides:
    """X and Y drawn independently: MI = 0."""

    def __init__(self, sx, sy):
        self.sx, self.sy, self.dim_x, self.dim_y = sx, sy, sx.d, sy.d

    def mutual_information(self) -> float:
        return 0.0

    def sample(self, n, rng):
        return self.sx.sample(n, rng), self.sy.sample(n, rng)


def gauss_rounded(dx: int, dy: int, mi: float, rng):
    """A pair (U, V) with correlation for ``mi`` (at most 3 nats before rounding), U and/or V rounded
    to equally spaced levels (21-150 on one side; 21-30 when both, where the MI takes L^2
    bivariate-normal probabilities), then independent normal columns up to (dx, dy)."""
    rho = float(np.sqrt(-np.expm1(-2 * min(mi, 3.0))))

    def cuts(lmax):
        lv = int(rng.integers(21, lmax + 1))
        a = rng.uniform(2.0, 4.0)
        return np.linspace(-a, a, lv - 1) + rng.uniform(-0.5, 0.5) * 2 * a / lv

    both = rng.random() < 0.3
    side = int(rng.integers(2))
    cx = cuts(30 if both else 150) if both or side == 0 else None
    cy = cuts(30 if both else 150) if both or side == 1 else None
    return transforms.PadIndependent(QuantisedGaussian(rho, cx, cy), dx, dy)


def make(family: str, dx: int, dy: int, mi: float, rng):
    """A sampler of ``family`` with ambient widths (dx, dy) and, where the family allows, MI ``mi``
    (clusters: at most 0.95 log 12; mixture_embedded, mixture_wide: the table row's MI; independence: 0)."""
    if family in EMBEDDINGS:
        return manifold(family, dx, dy, mi, rng)
    if family == "mixture_wide":
        return mixture_wide(dx, dy, rng)
    if family.startswith("clusters_"):
        return clusters(family, dx, dy, mi, rng)
    if family == "gauss_wide":
        return gauss_wide(dx, dy, mi, rng)
    if family == "gauss_rounded":
        return gauss_rounded(dx, dy, mi, rng)
    if family in ("independent_wide", "independent_structured"):
        held = family == "independent_structured"
        return IndependentSides(structured_side(dx, rng, held), structured_side(dy, rng, held))
    raise ValueError(f"unknown structured family {family!r}")


def draw_shape(rng, family: str, n_max: int = 4096) -> tuple[int, int, int]:
    """The family's prior over (n, dx, dy): widths log-uniform on [1, 160] per side (gauss_wide:
    [8, 160]; gauss_rounded: [1, 6]; manifolds: at least 2 on one side), n log-uniform on [20, n_max]; for the independent
    families n = r (dx + dy) with r log-uniform on [0.5, 20] (few rows per column), at least 20."""
    lo = 8 if family == "gauss_wide" else 1
    hi = 6 if family == "gauss_rounded" else AMBIENT_MAX
    dx, dy = (int(np.floor(np.exp(rng.uniform(np.log(lo), np.log(hi + 1))))) for _ in range(2))
    if family in EMBEDDINGS and max(dx, dy) < 4:
        dx = max(dx, int(rng.integers(4, 65)))
    if family.startswith("independent"):
        n = int(np.clip(np.exp(rng.uniform(np.log(0.5), np.log(20.0))) * (dx + dy), 20, n_max))
    else:
        n = int(np.exp(rng.uniform(np.log(20), np.log(n_max))))
    return n, dx, dy
