"""The atlas prior: which distributions, MI values, dims and sample sizes pretraining sees.

Families (see docs/atlas.md for formulas):

======================  ========  =====================================================
family                  split     what
======================  ========  =====================================================
gauss_dense             train     Gaussian, MI spread over all canonical pairs (Dirichlet)
gauss_sparse            train     Gaussian, MI in 1-2 canonical pairs
gauss_lowrank           train     Gaussian from r <= 4 shared latent factors (r equal pairs)
gauss_neardet           train     Gaussian, one near-deterministic pair (2-8 nats)
student_t               train     multivariate t, nu in [1, 30]; MI = I_gauss + t-correction
mixture                 train     joint Gaussian mixtures (table rows with split=train)
independent             train     MI = 0: X, Y from independent non-Gaussian marginals
additive_noise          train     Y_k = X_k + s_k N_k, non-Gaussian laws (no uniform), tabulated MI
gauss_block             heldout   Gaussian, MI shared equally inside 2-3 blocks of pairs
additive_uniform        heldout   Y = X + a U, uniform X and U (closed-form MI)
student_t_flow          heldout   multivariate t, then random coupling flows on each side
mixture_heldout         heldout   joint Gaussian mixtures (table rows with split=heldout)
functional_noise        heldout*  Y = f(X) + s N, non-monotone f (x^2, |x|, sin 2x, ...): strong
                                  dependence up to near-deterministic (``atlas/functional.py``;
                                  *its own benchmark group, not in the default held-out suite)
functional_train        train     the same with other functions (sin 4x, cos 3x, a W shape, a chirp,
                                  ...; 1-3 pairs): non-monotone dependence for training (atlas 1.8)
clayton_pairs           valid.    pairs with rotated Clayton copulas, normal margins (MI tabulated)
gauss_spiral            valid.    Gaussian, then a spiral (rotation by an angle growing with |z|^2) per side
structured.TRAIN        train     manifolds (tanh, padded, strip-rendered), clusters, wide Gaussians,
                                  independence at few rows, rounded Gaussians (ties) (atlas 1.5;
                                  ``atlas/structured.py``), training mixtures in many columns (1.7)
structured.VALIDATION   valid.    Fourier-perturbed manifolds, clusters on shells
structured.HELDOUT      heldout*  blob images, pooled clusters (rows repeat), embedded held-out
                                  mixtures, independent structured sides (*benchmark group "structured")
======================  ========  =====================================================

Structured families take their widths and n from their own prior (:func:`structured.draw_shape`:
up to 160 dims per side, n from 20) and bring their own injective maps; no further transforms.

Every data set is then composed with MI-preserving transforms: random invertible linear maps per
side; in training, coupling flows (p=0.25 per side, not on student_t: that combination is held out) and
smooth injective embeddings (p=0.15).  Monotone per-coordinate maps are applied in evaluation
(p=0.5); the model is exactly blind to them (copula), so training skips them for speed.
"""
from __future__ import annotations

import numpy as np

from . import additive, base, functional, mixtures, structured, transforms

# 1.1: more small-dimensional batches (draw_dims); 1.2: flows p 0.35 -> 0.25; 1.3: a validation
# split (clayton_pairs) for interval calibration, training and held-out streams unchanged;
# 1.4: a train family additive_noise (non-Gaussian additive noise; the training stream changes) and
# a second validation family gauss_spiral; 1.5: structured families (manifolds, clusters, wide
# Gaussians, independence at few rows) in training and validation, a structured held-out group;
# 1.6: a train family clusters_codebook (rows repeat: finite pools on slices of the clusters), also
# as sides of independent_wide; 1.7: a train family mixture_wide (training mixture rows carried into
# up to 160 columns by the manifolds' maps); 1.8: a train family functional_train (noisy non-monotone
# functions, disjoint from the held-out functional_noise's)
ATLAS_VERSION = "1.8"
P_FLOW_TRAIN = 0.25
TRAIN_FAMILIES = ("gauss_dense", "gauss_sparse", "gauss_lowrank", "gauss_neardet", "student_t",
                  "mixture", "independent", "additive_noise") + structured.TRAIN + ("functional_train",)
HELDOUT_FAMILIES = ("gauss_block", "additive_uniform", "student_t_flow", "mixture_heldout")
#: plain Gaussians (gauss_dense or gauss_sparse with linear and, in evaluation, monotone maps only):
#: not a held-out family, a sanity check of the case where Gaussian-copula MI is exact
SANITY_FAMILIES = ("gauss_plain",)
#: the calibration split: in neither training nor the held-out benchmark; the 90% intervals of a
#: weight file are calibrated on it (``infoatlas dev calibrate``), so held-out coverage stays honest
VALIDATION_FAMILIES = ("clayton_pairs", "gauss_spiral") + structured.VALIDATION
#: the structured held-out group (benchmark group "structured"), with widths up to 256 per side
STRUCTURED_HELDOUT = structured.HELDOUT
#: noisy non-monotone functions (benchmark group "functional"); outside HELDOUT_FAMILIES so that the
#: default held-out suite stays comparable across versions
FUNCTIONAL_HELDOUT = ("functional_noise",)
#: atlas version in which a train family joined (the others were there from the start), so that a
#: weight file can say which families its training saw
FAMILY_SINCE = {"additive_noise": "1.4", **{f: "1.5" for f in structured.TRAIN}, "clusters_codebook": "1.6",
                "mixture_wide": "1.7", "functional_train": "1.8"}


def train_families(version: str) -> tuple[str, ...]:
    """The train families of atlas ``version`` (e.g. "1.2")."""
    v = tuple(int(p) for p in version.split("."))
    return tuple(f for f in TRAIN_FAMILIES if tuple(int(p) for p in FAMILY_SINCE.get(f, "0").split(".")) <= v)


# relative; the structured nine are about two fifths of the stream (the eight of atlas 1.6: 38%);
# functional_train (1.8) about one in twenty
TRAIN_WEIGHTS = np.array([0.18, 0.12, 0.1, 0.08, 0.16, 0.26, 0.10, 0.12, 0.12, 0.08, 0.08, 0.10, 0.08, 0.08, 0.06, 0.08,
                          0.08, 0.10])
_TRAIN_CDF = np.cumsum(TRAIN_WEIGHTS)
MI_MAX = 8.0


def draw_mi(rng: np.random.Generator, mi_max: float = MI_MAX) -> float:
    """The MI prior (nats): half log-uniform on [0.01, mi_max], half uniform on [0, mi_max]."""
    if rng.random() < 0.5:
        return float(np.exp(rng.uniform(np.log(0.01), np.log(mi_max))))
    return float(rng.uniform(0.0, mi_max))


def draw_dims(rng: np.random.Generator, max_dim: int = 32) -> tuple[int, int]:
    """dx, dy: 1 + 1 with p = 0.12 (pairwise and feature-selection use), each in {1, 2, 3} with
    p = 0.18, otherwise independent and log-uniform on [1, max_dim]."""
    u = rng.random()
    if u < 0.12:
        d = np.ones(2, dtype=int)
    elif u < 0.30:
        d = rng.integers(1, 4, size=2)
    else:
        d = np.floor(np.exp(rng.uniform(0, np.log(max_dim + 1), size=2))).astype(int)
    return int(min(d[0], max_dim)), int(min(d[1], max_dim))


def draw_n(rng: np.random.Generator, lo: int = 32, hi: int = 4096) -> int:
    """Sample size, log-uniform on [lo, hi]."""
    return int(np.exp(rng.uniform(np.log(lo), np.log(hi))))


def _gaussian(family: str, dx: int, dy: int, mi: float, rng):
    k = min(dx, dy)
    if family == "gauss_dense":
        pair_mi = base.split_mi(mi, k, rng)
    elif family == "gauss_sparse":
        pair_mi = base.split_mi(mi, min(k, int(rng.integers(1, 3))), rng)
    elif family == "gauss_lowrank":
        r = min(k, int(rng.integers(1, 5)))
        pair_mi = np.full(r, mi / r)
    elif family == "gauss_neardet":
        main = max(mi, rng.uniform(2.0, MI_MAX))
        rest = base.split_mi(0.1 * main * rng.random(), k - 1, rng) if k > 1 else np.zeros(0)
        pair_mi = np.concatenate([[main], rest])
    elif family == "gauss_block":
        nb = min(k, int(rng.integers(2, 4)))
        sizes = np.diff(np.sort(np.r_[0, rng.choice(np.arange(1, k), nb - 1, replace=False), k])) \
            if nb > 1 else np.array([k])
        block_mi = base.split_mi(mi, nb, rng)
        pair_mi = np.concatenate([np.full(s, m / s) for s, m in zip(sizes, block_mi)])
    else:
        raise ValueError(family)
    rho = np.minimum(base.rho_from_pair_mi(pair_mi), 1 - 1e-9)
    return base.CanonicalGaussian(rho, dx, dy)


def _student_t(dx, dy, mi, rng):
    dof = float(np.exp(rng.uniform(0.0, np.log(30.0))))
    corr = base.student_t_mi_correction(dof, dx, dy)
    rest = max(mi - corr, 0.0)
    k = min(dx, dy)
    rho = np.minimum(base.rho_from_pair_mi(base.split_mi(rest, k, rng)), 1 - 1e-9) if rest > 0 else np.zeros(0)
    return base.StudentT(rho, dx, dy, dof)


def _mixture(dx, dy, rng, split: str):
    cand = mixtures.rows_within(split, dx, dy)  # padded up to (dx, dy) with independent coordinates
    row = cand[int(rng.integers(len(cand)))]
    return transforms.PadIndependent(mixtures.GaussianMixture.from_row(row), dx, dy)


def _marginal_sampler(d: int, rng):
    """A non-Gaussian d-dim distribution (only its X side is used)."""
    if rng.random() < 0.5:
        rows = mixtures.rows_within("train", d, 6)  # any Y width: the table's widest is 6
        row = rows[int(rng.integers(len(rows)))]
        return transforms.PadIndependent(mixtures.GaussianMixture.from_row(row), d, row.dim_y)
    dof = float(np.exp(rng.uniform(0.0, np.log(30.0))))
    return base.StudentT(np.zeros(0), d, 1, dof)


def make_base(family: str, dx: int, dy: int, mi: float, rng):
    """An untransformed sampler of the family with (approximately, by family) the target MI."""
    if family == "gauss_plain":
        return _gaussian(("gauss_dense", "gauss_sparse")[int(rng.integers(2))], dx, dy, mi, rng)
    if family == "gauss_spiral":
        g = _gaussian("gauss_dense", dx, dy, mi, rng)
        # speed ~ 1/d: the angle speed * |z|^2 turns by 0.1-1 radian at a typical |z|^2 = d; from
        # nearly Gaussian (0.1) to hard (1: at 2+2 dims and n = 5,000, 1 nat reads 0.14 as
        # Gaussian-copula MI, 0.79 as KSG)
        fx = transforms.Spiral(dx, rng, rng.uniform(0.1, 1.0) / dx) if dx >= 2 else None
        fy = transforms.Spiral(dy, rng, rng.uniform(0.1, 1.0) / dy) if dy >= 2 else None
        return transforms.Transformed(g, fx, fy)
    if family.startswith("gauss_"):
        return _gaussian(family, dx, dy, mi, rng)
    if family in ("student_t", "student_t_flow"):
        return _student_t(dx, dy, mi, rng)
    if family == "mixture":
        return _mixture(dx, dy, rng, "train")
    if family == "mixture_heldout":
        return _mixture(dx, dy, rng, "heldout")
    if family == "additive_uniform":
        k = min(dx, dy)
        k = int(rng.integers(1, k + 1))
        return base.AdditiveUniform(base.additive_uniform_scale(base.split_mi(max(mi, 1e-4), k, rng)), dx, dy)
    if family in ("functional_noise", "functional_train"):
        return functional.make(dx, dy, mi, rng, train=family == "functional_train")
    if family == "additive_noise":
        k = int(rng.integers(1, min(dx, dy, 4) + 1))
        pair_mi = np.minimum(base.split_mi(max(mi, 1e-4), k, rng), additive.PAIR_MI_MAX)
        laws_x = [additive.LAW_NAMES[i] for i in rng.integers(len(additive.LAW_NAMES), size=k)]
        laws_n = [additive.LAW_NAMES[i] for i in rng.integers(len(additive.LAW_NAMES), size=k)]
        scales = [float(additive.additive_scale(a, b, m)) for a, b, m in zip(laws_x, laws_n, pair_mi)]
        return additive.AdditiveNoise(laws_x, laws_n, scales, dx, dy)
    if family == "clayton_pairs":
        k = int(rng.integers(1, min(dx, dy) + 1))
        # a pair's MI is capped below the Clayton table's top (about 2.7 nats)
        pair_mi = np.minimum(base.split_mi(max(mi, 1e-4), k, rng), 2.6)
        return base.ClaytonPairs(base.clayton_theta(pair_mi), rng.integers(0, 4, size=k), dx, dy)
    if family == "independent":
        sx, sy = _marginal_sampler(dx, rng), _marginal_sampler(dy, rng)
        return base.Independent(sx, _swap(sy))
    raise ValueError(f"unknown family {family!r}")


class _swap:
    """Expose the X side of a sampler as its Y side."""

    def __init__(self, s):
        self.s, self.dim_x, self.dim_y = s, s.dim_y, s.dim_x

    def mutual_information(self):
        return self.s.mutual_information()

    def sample(self, n, rng):
        x, y = self.s.sample(n, rng)
        return y, x


def _side_map(d_base: int, d_out: int, rng, allow_flow: bool, p_flow: float, p_monotone: float):
    """A random injective map R^d_base -> R^d_out (d_out >= d_base), composed of an optional flow,
    an embedding when d_out > d_base, a random invertible linear map and optional monotone maps."""
    steps = []
    if allow_flow and d_base >= 2 and rng.random() < p_flow:
        steps.append(transforms.CouplingFlow(d_base, rng, n_layers=int(rng.integers(1, 4)),
                                             strength=float(rng.uniform(0.5, 1.5))))
    if d_out > d_base:
        steps.append(transforms.SmoothEmbedding(d_base, d_out - d_base, rng))
    kind = ("identity", "rotation", "random")[int(rng.integers(3))]
    steps.append(transforms.LinearMap(transforms.random_invertible(d_out, rng, kind)))
    if rng.random() < p_monotone:
        steps.append(transforms.Monotone(d_out, rng))

    def f(z):
        for s in steps:
            z = s(z)
        return z

    return f


def make_task(family: str, dx: int, dy: int, mi: float, rng, train: bool = True):
    """A composed sampler: base family + MI-preserving transforms.  Returns a JointSampler.
    Structured families bring their own injective maps and are returned as they are."""
    if family in structured.FAMILIES:
        return structured.make(family, dx, dy, mi, rng)
    # student_t + flow is held out; gauss_spiral keeps its one nonlinear map (the spiral) on its own
    flow_ok = family not in ("student_t", "gauss_plain", "gauss_spiral")
    p_flow = P_FLOW_TRAIN if train else (1.0 if family == "student_t_flow" else 0.3)
    embed = train and family != "gauss_plain" and rng.random() < 0.15
    bx = max(1, dx - int(rng.integers(1, 3))) if embed and dx >= 2 else dx
    by = max(1, dy - int(rng.integers(1, 3))) if embed and dy >= 2 and rng.random() < 0.5 else dy
    s = make_base(family, bx, by, mi, rng)
    p_mono = 0.0 if train else 0.5
    fx = _side_map(bx, dx, rng, flow_ok, p_flow, p_mono)
    fy = _side_map(by, dy, rng, flow_ok, p_flow, p_mono)
    return transforms.Transformed(s, fx, fy, dx, dy)


def sample_gaussian_batch(rng: np.random.Generator, batch_size: int, n: int, dx: int, dy: int):
    """Plain Gaussians (gauss_dense or gauss_sparse, a random linear map per side, nothing else):
    the case where Gaussian-copula MI is exact, used as a sanity check of a model's correction.
    Returns x (B, n, dx), y (B, n, dy), mi (B,)."""
    xs, ys, mis = [], [], []
    for _ in range(batch_size):
        task = make_task("gauss_plain", dx, dy, draw_mi(rng, 4.0), rng, train=True)
        x, y = task.sample(n, rng)
        xs.append(x), ys.append(y), mis.append(task.mutual_information())
    return np.stack(xs), np.stack(ys), np.array(mis)


def draw_family(rng, split: str = "train") -> str:
    if split == "train":
        return TRAIN_FAMILIES[int(np.searchsorted(_TRAIN_CDF, rng.random() * _TRAIN_CDF[-1], side="right"))]
    if split == "heldout":
        return HELDOUT_FAMILIES[int(rng.integers(len(HELDOUT_FAMILIES)))]
    if split == "validation":
        return VALIDATION_FAMILIES[int(rng.integers(len(VALIDATION_FAMILIES)))]
    raise ValueError("split must be 'train', 'heldout' or 'validation'")


def sample_one(rng: np.random.Generator, family: str, n: int, dx: int, dy: int, split: str = "train"):
    """One data set of ``family``: x (n, dx), y (n, dy) float64 and its MI (nats), the MI drawn from
    the prior and the family composed with its split's transforms."""
    task = make_task(family, dx, dy, draw_mi(rng), rng, train=(split == "train"))
    x, y = task.sample(n, rng)
    return x, y, task.mutual_information()


def draw_case(rng: np.random.Generator, split: str = "train"):
    """One data set with its own family, dims and n from the priors: (x, y, MI, family)."""
    fam = draw_family(rng, split)
    if fam in structured.FAMILIES:
        n, dx, dy = structured.draw_shape(rng, fam)
    else:
        dx, dy = draw_dims(rng)
        n = draw_n(rng)
    return (*sample_one(rng, fam, n, dx, dy, split), fam)


def sample_batch(rng: np.random.Generator, batch_size: int, n: int, dx: int, dy: int,
                 split: str = "train"):
    """A batch of data sets sharing (n, dx, dy).

    Returns x (B, n, dx), y (B, n, dy) float64 arrays, mi (B,) nats, and the family names.
    """
    xs, ys, mis, fams = [], [], [], []
    for _ in range(batch_size):
        fam = draw_family(rng, split)
        x, y, mi = sample_one(rng, fam, n, dx, dy, split)
        xs.append(x), ys.append(y), mis.append(mi), fams.append(fam)
    return np.stack(xs), np.stack(ys), np.array(mis), fams
