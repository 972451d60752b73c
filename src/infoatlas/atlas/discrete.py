"""Joint distributions with a discrete side, ties or mixed columns, and exact (or tightly computed) MI.

Each sampler follows :class:`infoatlas.interface.JointSampler` and also says which of its columns
are discrete (``discrete_x``, ``discrete_y``: boolean masks), so estimators can be told, and an
estimator's automatic type detection can be checked against them.

- :class:`DiscreteChannel`: X ~ Categorical(p) with K classes, Y | X from a random channel (rows of
  a K x L matrix), or a noisy copy (Y = X with probability 1 - e, else uniform); MI from the joint pmf.
- :class:`QuantisedGaussian`: a bivariate Gaussian pair with correlation rho, one or both sides cut
  into levels (ties); MI of what is observed: rectangle probabilities (both cut) or Gauss-Hermite
  quadrature of H(Q) - E_x H(Q | x) (one side cut).
- :class:`ClassConditional`: a label C ~ Categorical(p) with K classes, X | C ~ N(mu_C, I_d) then a
  strictly monotone map per coordinate (MI unchanged); MI = H(C) - E[H(C | X)] by Monte Carlo with a
  fixed seed (standard error reported).
- :class:`MixedSide`: X = [Z, C] with Z ~ N(0, 1) continuous and C a label; Y = mu_C + b Z + s N;
  I(X; Y) = h(Y) - log(s sqrt(2 pi e)), h(Y) of a Gaussian mixture by quadrature.
- :class:`QuantisedBlocks` and :class:`MixedBlocks`: independent quantised (and, for the latter,
  continuous) Gaussian pairs side by side; MI the sum of the pairs'.
- :class:`AtomBlocks`: Gaussian pairs side by side whose columns are set to 0 below a threshold
  (zero-inflated amounts, censored measurements: columns with atoms); MI the sum of the pairs',
  each by one-dimensional quadrature of its exact mixed densities (:func:`censored_pair_mi`).
- :class:`TiedBlocks`: continuous columns next to heavily tied ones with more than a few values
  (counts that saturate, rounded and clipped values, a default filled in); MI the sum of the
  pairs', each by one-dimensional quadrature (:func:`tied_channel_mi`).
"""
from __future__ import annotations

import numpy as np
from scipy import special, stats


def entropy_pmf(p: np.ndarray) -> float:
    """Shannon entropy (nats) of a probability vector or array (zeros allowed)."""
    p = np.asarray(p, float).ravel()
    p = p[p > 0]
    return float(-np.sum(p * np.log(p)))


def mi_from_joint(pxy: np.ndarray) -> float:
    """MI (nats) of a joint pmf table (K, L)."""
    pxy = np.asarray(pxy, float)
    pxy = pxy / pxy.sum()
    return max(entropy_pmf(pxy.sum(1)) + entropy_pmf(pxy.sum(0)) - entropy_pmf(pxy), 0.0)


def _draw_labels(p: np.ndarray, n: int, rng) -> np.ndarray:
    return rng.choice(len(p), size=n, p=p)


class DiscreteChannel:
    """X ~ Categorical(px) over K values; Y | X = i ~ Categorical(channel[i]) over L values.

    Both sides are 1-D integer labels (discrete).  MI = H(X) + H(Y) - H(X, Y) of the joint pmf.
    """

    def __init__(self, px, channel):
        self.px = np.asarray(px, float) / np.sum(px)
        self.channel = np.asarray(channel, float)
        self.channel = self.channel / self.channel.sum(1, keepdims=True)
        self.dim_x = self.dim_y = 1
        self.discrete_x, self.discrete_y = np.array([True]), np.array([True])

    @classmethod
    def noisy_copy(cls, px, eps: float):
        k = len(px)
        return cls(px, (1 - eps) * np.eye(k) + eps / k)

    def mutual_information(self) -> float:
        return mi_from_joint(self.px[:, None] * self.channel)

    def sample(self, n, rng):
        x = _draw_labels(self.px, n, rng)
        u = rng.random(n)
        cum = np.cumsum(self.channel[x], axis=1)
        y = np.minimum((u[:, None] > cum).sum(1), self.channel.shape[1] - 1)
        return x[:, None].astype(float), y[:, None].astype(float)


class QuantisedGaussian:
    """(U, V) bivariate normal with correlation rho; X = U cut at ``cuts_x`` (or U itself when None),
    Y = V cut at ``cuts_y`` (or V).  Levels are reported as integers 0..L-1, so tied columns look like
    counts; a cut side is discrete."""

    def __init__(self, rho: float, cuts_x=None, cuts_y=None):
        if cuts_x is None and cuts_y is None:
            raise ValueError("cut at least one side")
        self.rho = float(rho)
        self.cuts_x = None if cuts_x is None else np.sort(np.asarray(cuts_x, float))
        self.cuts_y = None if cuts_y is None else np.sort(np.asarray(cuts_y, float))
        self.dim_x = self.dim_y = 1
        self.discrete_x = np.array([self.cuts_x is not None])
        self.discrete_y = np.array([self.cuts_y is not None])

    def mutual_information(self) -> float:
        if self.cuts_x is not None and self.cuts_y is not None:
            return mi_from_joint(self._rectangles())
        cuts = self.cuts_y if self.cuts_y is not None else self.cuts_x
        return self._one_side(cuts)

    def _rectangles(self) -> np.ndarray:
        """P(level i, level j) of the two cut sides, from the bivariate normal cdf, (Kx, Ky)."""
        bx = np.r_[-np.inf, self.cuts_x, np.inf]
        by = np.r_[-np.inf, self.cuts_y, np.inf]
        mvn = stats.multivariate_normal(mean=[0, 0], cov=[[1, self.rho], [self.rho, 1]])

        def cdf(a, b):
            if a == -np.inf or b == -np.inf:
                return 0.0
            if a == np.inf:
                return special.ndtr(b)
            if b == np.inf:
                return special.ndtr(a)
            return float(mvn.cdf([a, b]))

        c = np.array([[cdf(a, b) for b in by] for a in bx])       # (Kx + 1, Ky + 1) cdf grid
        return np.clip(c[1:, 1:] - c[:-1, 1:] - c[1:, :-1] + c[:-1, :-1], 0.0, None)

    def _one_side(self, cuts) -> float:
        """I(U; Q(V)) = H(Q) - E_U H(Q | U), Q(V) | U = u has cell probabilities from N(rho u, 1 - rho^2)."""
        b = np.r_[-np.inf, cuts, np.inf]
        h_q = entropy_pmf(np.diff(special.ndtr(b)))
        t, w = np.polynomial.hermite_e.hermegauss(200)          # E over U ~ N(0, 1)
        w = w / w.sum()
        s = np.sqrt(1 - self.rho ** 2)
        p = np.diff(special.ndtr((b[None, :] - self.rho * t[:, None]) / s), axis=1)   # (200, K)
        h_cond = -np.sum(np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0), axis=1)
        return max(h_q - float(np.sum(w * h_cond)), 0.0)

    def sample(self, n, rng):
        u = rng.standard_normal(n)
        v = self.rho * u + np.sqrt(1 - self.rho ** 2) * rng.standard_normal(n)
        x = u if self.cuts_x is None else np.searchsorted(self.cuts_x, u).astype(float)
        y = v if self.cuts_y is None else np.searchsorted(self.cuts_y, v).astype(float)
        return x[:, None], y[:, None]


class ClassConditional:
    """C ~ Categorical(p) over K classes; X | C = c ~ N(mu_c, I_d), then a strictly monotone map per
    coordinate (``warp``: None, "exp" or "cube"; MI unchanged).  X is continuous (d columns), Y = C is
    a label.  MI = H(C) - E[H(C | X)], by Monte Carlo with ``draws`` samples and a fixed seed."""

    def __init__(self, p, means, warp: str | None = None, draws: int = 40_000):
        self.p = np.asarray(p, float) / np.sum(p)
        self.means = np.asarray(means, float)        # (K, d)
        self.warp, self.draws = warp, draws
        self.dim_x, self.dim_y = self.means.shape[1], 1
        self.discrete_x, self.discrete_y = np.zeros(self.dim_x, bool), np.array([True])
        self._mi = None

    def _posterior_entropy(self, x: np.ndarray) -> np.ndarray:
        # log p(c) + log N(x; mu_c, I) up to a constant, then H of the normalised posterior (n,)
        logits = np.log(self.p)[None] - 0.5 * ((x[:, None, :] - self.means[None]) ** 2).sum(-1)
        logp = logits - special.logsumexp(logits, axis=1, keepdims=True)
        return -np.sum(np.exp(logp) * logp, axis=1)

    def mutual_information(self) -> float:
        if self._mi is None:
            rng = np.random.default_rng(20261130)
            c = _draw_labels(self.p, self.draws, rng)
            x = self.means[c] + rng.standard_normal((self.draws, self.dim_x))
            h = self._posterior_entropy(x)
            self._mi = max(entropy_pmf(self.p) - float(h.mean()), 0.0)
            self.mc_se = float(h.std() / np.sqrt(self.draws))
        return self._mi

    def sample(self, n, rng):
        c = _draw_labels(self.p, n, rng)
        x = self.means[c] + rng.standard_normal((n, self.dim_x))
        if self.warp == "exp":
            x = np.exp(x / 2)
        elif self.warp == "cube":
            x = x ** 3 + x
        return x, c[:, None].astype(float)


class MixedSide:
    """X = [Z, C]: Z ~ N(0, 1) (continuous column) and C ~ Categorical(p) (discrete column, K
    classes); Y = mu_C + b Z + s N (continuous).  I(X; Y) = h(Y) - log(s sqrt(2 pi e)), with h(Y) of
    the Gaussian mixture sum_c p_c N(mu_c, b^2 + s^2) by quadrature on a fine grid."""

    def __init__(self, p, mus, b: float, s: float):
        self.p = np.asarray(p, float) / np.sum(p)
        self.mus, self.b, self.s = np.asarray(mus, float), float(b), float(s)
        self.dim_x, self.dim_y = 2, 1
        self.discrete_x, self.discrete_y = np.array([False, True]), np.array([False])

    def mutual_information(self) -> float:
        sd = np.sqrt(self.b ** 2 + self.s ** 2)
        t = np.linspace(self.mus.min() - 12 * sd, self.mus.max() + 12 * sd, 200_001)
        dens = np.sum(self.p[:, None] * stats.norm.pdf(t[None], self.mus[:, None], sd), axis=0)
        h = -np.sum(np.where(dens > 0, dens * np.log(np.where(dens > 0, dens, 1.0)), 0.0)) * (t[1] - t[0])
        return max(float(h) - np.log(self.s * np.sqrt(2 * np.pi * np.e)), 0.0)

    def sample(self, n, rng):
        c = _draw_labels(self.p, n, rng)
        z = rng.standard_normal(n)
        y = self.mus[c] + self.b * z + self.s * rng.standard_normal(n)
        return np.column_stack([z, c.astype(float)]), y[:, None]


class QuantisedBlocks:
    """d independent quantised Gaussian pairs side by side: X = [Q(U_1), ..., Q(U_d)], Y = [Q'(V_1),
    ..., Q'(V_d)] with (U_j, V_j) bivariate normal (correlation rho_j) and every column of X cut into
    levels, and those of Y too unless ``cuts_y`` is None: a table of few-valued numeric columns
    (questionnaire items, pixels, counts) whose joint values are mostly seen once, against another
    such table or continuous columns.  MI = the sum of the blocks' MI (independent blocks add), each
    that of the observed levels (:class:`QuantisedGaussian`: rectangle probabilities, or quadrature
    when Y is not cut).

    ``discrete_x`` / ``discrete_y`` are None: the columns' kinds are left to the estimator's
    automatic rule, as a user with such a table would leave them."""

    def __init__(self, rhos, cuts_x, cuts_y=None):
        cuts_y = [None] * len(rhos) if cuts_y is None else cuts_y
        self.blocks = [QuantisedGaussian(r, cx, cy) for r, cx, cy in zip(rhos, cuts_x, cuts_y)]
        self.dim_x = self.dim_y = len(self.blocks)
        self.discrete_x = self.discrete_y = None

    def mutual_information(self) -> float:
        return float(sum(b.mutual_information() for b in self.blocks))

    def sample(self, n, rng):
        pairs = [b.sample(n, rng) for b in self.blocks]
        return np.hstack([p[0] for p in pairs]), np.hstack([p[1] for p in pairs])


class MixedBlocks:
    """Few-valued and continuous columns on the same side: X = [Z_1..Z_c, Q(U_1)..Q(U_d)] and
    Y = [W_1..W_c, V_1 or Q'(V_1), ..., V_d or Q'(V_d)], with (Z_i, W_i) and (U_j, V_j) independent
    bivariate normal pairs (correlations ``rhos_c`` and ``rhos_q``), U_j cut into levels and V_j cut too
    where ``cuts_y[j]`` is given: a table such as age and income next to questionnaire items.
    MI = the sum of the pairs' MI (independent blocks add): -log(1 - rho^2) / 2 for a continuous pair,
    :class:`QuantisedGaussian`'s for a cut one.  Like :class:`QuantisedBlocks`, the sampler leaves
    the columns' kinds to the estimator's automatic rule."""

    def __init__(self, rhos_c, rhos_q, cuts_x, cuts_y=None):
        self.rhos_c = np.asarray(rhos_c, float)
        self.quantised = QuantisedBlocks(rhos_q, cuts_x, cuts_y)
        self.dim_x = self.dim_y = len(self.rhos_c) + self.quantised.dim_x
        self.discrete_x = self.discrete_y = None

    def mutual_information(self) -> float:
        cont = float(-0.5 * np.sum(np.log1p(-self.rhos_c ** 2)))
        return cont + self.quantised.mutual_information()

    def sample(self, n, rng):
        z = rng.standard_normal((n, len(self.rhos_c)))
        w = self.rhos_c * z + np.sqrt(1 - self.rhos_c ** 2) * rng.standard_normal(z.shape)
        qx, qy = self.quantised.sample(n, rng)
        return np.hstack([z, qx]), np.hstack([w, qy])


def censored_pair_mi(rho: float, a: float = -np.inf, b: float = -np.inf) -> float:
    """I(X; Y) in nats for (U, V) bivariate normal with correlation rho, X = U where U > a and an
    atom (one value) elsewhere, Y likewise at b (-inf: no atom).  Any strictly monotone map of the
    values above the threshold leaves it unchanged (a zero-inflated amount exp(U) is the same).

    The joint law has four parts: the mass P(U < a, V < b) on the pair of atoms, the densities
    phi(v) Phi((a - rho v) / s) and phi(u) Phi((b - rho u) / s) on one atom and the other side's
    continuous part (s = sqrt(1 - rho^2)), and the bivariate normal density where both are above.
    Each part's term of E log p(x, y) / (p(x) p(y)) is an integral over at most one variable: the
    last one's inner integral over v > b is closed-form (moments of a truncated normal)."""
    from scipy import integrate

    rho = float(rho)
    if rho == 0.0:
        return 0.0
    s = np.sqrt(1.0 - rho ** 2)
    la, lb = special.log_ndtr(a), special.log_ndtr(b)
    total = 0.0
    if np.isfinite(a) and np.isfinite(b):  # both on their atoms: P(U < a, V < b)
        p11 = integrate.quad(lambda u: stats.norm.pdf(u) * special.ndtr((b - rho * u) / s), -np.inf, a)[0]
        total += p11 * (np.log(p11) - la - lb) if p11 > 0 else 0.0
    for t, lt, lo in ((a, la, b), (b, lb, a)):  # one side on its atom at t, the other above lo
        if np.isfinite(t):
            def f(v, t=t, lt=lt):
                lc = special.log_ndtr((t - rho * v) / s)  # log P(on the atom | the other = v)
                return stats.norm.pdf(v) * np.exp(lc) * (lc - lt)
            total += integrate.quad(f, lo, np.inf, limit=200)[0]

    def both(u):  # phi(u) E[log phi(v | u) / phi(v); v > b], v | u ~ N(rho u, s^2)
        m = rho * u
        beta = (b - m) / s
        tail = special.ndtr(-beta)
        phib = stats.norm.pdf(beta) if np.isfinite(beta) else 0.0
        e1 = s * phib                                            # E[(v - m); v > b]
        e2 = s ** 2 * (tail + (beta * phib if np.isfinite(beta) else 0.0))   # E[(v - m)^2; v > b]
        ev2 = e2 + 2 * m * e1 + m ** 2 * tail                    # E[v^2; v > b]
        return stats.norm.pdf(u) * (-np.log(s) * tail - e2 / (2 * s ** 2) + ev2 / 2)

    total += integrate.quad(both, a, np.inf, limit=200)[0]
    return max(float(total), 0.0)


class AtomBlocks:
    """Columns with atoms on both sides: X_i = U_i where U_i > a_i, else 0; Y_i = V_i where
    V_i > b_i, else 0 (a threshold of -inf: no atom, a continuous column), for independent
    bivariate normal pairs (U_i, V_i) with correlations ``rhos``; the values above the thresholds
    are sent through exp when ``amounts`` (zero-inflated amounts, such as spending or rainfall;
    the MI is unchanged).  MI = the sum of the pairs' :func:`censored_pair_mi` (independent blocks
    add).  No column is discrete: the sampler leaves the columns' kinds to the estimator."""

    def __init__(self, rhos, a, b, amounts: bool = False):
        self.rhos = np.asarray(rhos, float)
        self.a, self.b = np.asarray(a, float), np.asarray(b, float)
        if not (self.rhos.shape == self.a.shape == self.b.shape):
            raise ValueError("rhos, a and b need one entry per pair")
        self.amounts = bool(amounts)
        self.dim_x = self.dim_y = self.rhos.size
        self.discrete_x = self.discrete_y = None

    def mutual_information(self) -> float:
        return float(sum(censored_pair_mi(r, a, b) for r, a, b in zip(self.rhos, self.a, self.b)))

    def sample(self, n, rng):
        u = rng.standard_normal((n, self.rhos.size))
        v = self.rhos * u + np.sqrt(1 - self.rhos ** 2) * rng.standard_normal(u.shape)
        f = np.exp if self.amounts else (lambda t: t)
        return np.where(u > self.a, f(u), 0.0), np.where(v > self.b, f(v), 0.0)


#: the latent grid of :func:`tied_channel_mi`: U ~ N(0, 1) on [-6.5, 6.5] (mass outside 8e-11)
_TIED_GRID = np.linspace(-6.5, 6.5, 2601)


def tied_channel(kind: str, params: dict, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The law of a many-valued tied column T given a latent U = u, for u (m,): (values (K,),
    probabilities (m, K)).  ``kind``:

    - "rounded": T = clip(round(V / h) h, lo, hi) with V = rho U + sqrt(1 - rho^2) E (E ~ N(0, 1)),
      then set to ``default`` (a level) with probability ``p0``, independently (a value filled in
      for a missing one); params rho, h, lo, hi, p0, default;
    - "binomial": T ~ Binomial(K, sigmoid(a + b U)) (counts out of K that saturate); params K, a, b;
    - "poisson": T ~ Poisson(exp(a + b U)); params a, b (support cut where its mass is below 1e-13
      for |U| up to 6.5)."""
    u = np.asarray(u, float)[:, None]
    if kind == "rounded":
        rho, h, p0 = params["rho"], params["h"], params.get("p0", 0.0)
        s = np.sqrt(1.0 - rho ** 2)
        k_lo = np.round(params["lo"] / h) if np.isfinite(params["lo"]) else np.floor(-9.0 / h)
        k_hi = np.round(params["hi"] / h) if np.isfinite(params["hi"]) else np.ceil(9.0 / h)
        ks = np.arange(k_lo, k_hi + 1.0)
        # P(round(V / h) = k | u), the end levels taking the clipped tails
        up = np.where(ks == k_hi, 1.0, special.ndtr(((ks + 0.5) * h - rho * u) / s))
        dn = np.where(ks == k_lo, 0.0, special.ndtr(((ks - 0.5) * h - rho * u) / s))
        prob, vals = (1.0 - p0) * np.clip(up - dn, 0.0, None), ks * h
        if p0 > 0:
            prob[:, int(np.argmin(np.abs(vals - params.get("default", 0.0))))] += p0
        return vals, prob
    if kind == "binomial":
        vals = np.arange(params["K"] + 1.0)
        return vals, stats.binom.pmf(vals[None, :], params["K"], special.expit(params["a"] + params["b"] * u))
    if kind == "poisson":
        log_lam = params["a"] + params["b"] * u
        top = int(stats.poisson.ppf(1 - 1e-13, np.exp(params["a"] + -_TIED_GRID[0] * abs(params["b"])))) + 5
        vals = np.arange(top + 1.0)
        # the pmf from its logarithm: scipy's pmf took 10 s on the grid at 10^4 values
        return vals, np.exp(vals * log_lam - np.exp(log_lam) - special.gammaln(vals + 1.0))
    raise ValueError(f"unknown tied channel {kind!r}")


def tied_channel_mi(kind: str, params: dict) -> float:
    """I(U; T) in nats, U ~ N(0, 1) and T | U from :func:`tied_channel`: H(T) - E_u H(T | U = u),
    the expectation over U by the trapezoid rule on 2,601 points of [-6.5, 6.5] (normal weights),
    in chunks of the grid (a Poisson column's support can hold 10^4 values)."""
    w = stats.norm.pdf(_TIED_GRID)
    w = w / w.sum()
    pt, cond = 0.0, 0.0
    for chunk in np.array_split(np.arange(_TIED_GRID.size), 16):
        _, p = tied_channel(kind, params, _TIED_GRID[chunk])
        p = p / p.sum(axis=1, keepdims=True)  # the support cut of "poisson" leaves at most 1e-13 out
        pt = pt + w[chunk] @ p
        cond += float(w[chunk] @ np.sum(special.xlogy(p, p), axis=1))
    return max(float(-np.sum(special.xlogy(pt, pt)) + cond), 0.0)


def _sample_tied(kind: str, params: dict, u: np.ndarray, rng) -> np.ndarray:
    """One draw of T | U = u per row, u (n,) -> (n,) float."""
    if kind == "rounded":
        v = params["rho"] * u + np.sqrt(1.0 - params["rho"] ** 2) * rng.standard_normal(u.shape)
        t = np.clip(np.round(v / params["h"]) * params["h"], params["lo"], params["hi"])
        vals, _ = tied_channel(kind, params, u[:1])  # the levels, to snap the clip ends onto them
        t = vals[np.clip(np.searchsorted(vals, t - 0.5 * params["h"]), 0, vals.size - 1)]
        if params.get("p0", 0.0) > 0:
            default = vals[int(np.argmin(np.abs(vals - params.get("default", 0.0))))]
            t = np.where(rng.random(u.shape) < params["p0"], default, t)
        return t
    if kind == "binomial":
        return rng.binomial(params["K"], special.expit(params["a"] + params["b"] * u)).astype(float)
    return rng.poisson(np.exp(params["a"] + params["b"] * u)).astype(float)


class TiedBlocks:
    """Heavily tied columns with more than a few values (counts, test scores, rounded, clipped or
    saturated measurements, a default value filled in) next to continuous ones: independent pairs,
    each of a latent U_i ~ N(0, 1), seen as U_i or exp(U_i) (``exp_u``; the MI is unchanged), and a
    tied column T_i | U_i from :func:`tied_channel`; the tied column sits on Y's side or (``on_x``)
    on X's, its partner on the other.  MI = the sum of the pairs' :func:`tied_channel_mi`
    (independent blocks add).  No column is declared discrete: the estimator decides."""

    def __init__(self, channels, on_x=None, exp_u=None):
        self.channels = [(str(k), dict(p)) for k, p in channels]
        d = len(self.channels)
        self.on_x = np.zeros(d, bool) if on_x is None else np.asarray(on_x, bool)
        self.exp_u = np.zeros(d, bool) if exp_u is None else np.asarray(exp_u, bool)
        if not (self.on_x.shape == self.exp_u.shape == (d,)):
            raise ValueError("on_x and exp_u need one entry per pair")
        self.dim_x = self.dim_y = d
        self.discrete_x = self.discrete_y = None

    def mutual_information(self) -> float:
        return float(sum(tied_channel_mi(k, p) for k, p in self.channels))

    def sample(self, n, rng):
        d = len(self.channels)
        u = rng.standard_normal((n, d))
        t = np.column_stack([_sample_tied(k, p, u[:, i], rng) for i, (k, p) in enumerate(self.channels)])
        c = np.where(self.exp_u, np.exp(u), u)
        return np.where(self.on_x, t, c), np.where(self.on_x, c, t)


# --------------------------------------------------------------------------- the families

DISCRETE_FAMILIES = ("discrete_channel", "discrete_copy", "quantised_gauss", "quantised_one_side",
                     "class_gauss", "mixed_side", "discrete_independent", "labels_many", "quantised_blocks",
                     "mixed_blocks", "atom_blocks", "tied_blocks")


def _probs(k: int, rng, balanced: bool | None = None) -> np.ndarray:
    balanced = rng.random() < 0.5 if balanced is None else balanced
    return np.full(k, 1.0 / k) if balanced else rng.dirichlet(np.full(k, 1.0))


def make_discrete(family: str, rng: np.random.Generator, dim: int = 1):
    """A sampler of a discrete family with random parameters (``dim``: features of class_gauss)."""
    if family == "discrete_channel":
        k, m = int(rng.integers(2, 11)), int(rng.integers(2, 11))
        conc = float(np.exp(rng.uniform(np.log(0.05), np.log(2.0))))  # small: near-deterministic rows
        return DiscreteChannel(_probs(k, rng), rng.dirichlet(np.full(m, conc), size=k))
    if family == "discrete_copy":
        k = int(rng.choice([2, 3, 5, 10, 20, 50]))
        return DiscreteChannel.noisy_copy(_probs(k, rng), float(rng.uniform(0.0, 0.9)))
    if family == "labels_many":  # more cells than rows at n = 1,000: the sparse-table regime
        k = int(rng.choice([50, 100, 200]))
        eps = 1.0 if rng.random() < 1 / 3 else float(rng.uniform(0.0, 0.9))  # 1: independent labels
        return DiscreteChannel.noisy_copy(_probs(k, rng), eps)
    if family == "quantised_blocks":
        d, levels = int(rng.choice([2, 3, 5, 10])), int(rng.choice([2, 3, 5, 10]))
        rhos = np.zeros(d) if rng.random() < 0.25 else rng.uniform(-0.9, 0.9, d)
        cut = lambda: np.sort(rng.normal(0, 1, levels - 1))  # noqa: E731
        cuts_y = None if rng.random() < 0.5 else [cut() for _ in range(d)]  # None: Y's columns continuous
        return QuantisedBlocks(rhos, [cut() for _ in range(d)], cuts_y)
    if family == "mixed_blocks":  # age and income next to questionnaire items
        c, d, levels = int(rng.integers(1, 4)), int(rng.choice([3, 5, 10])), int(rng.choice([2, 3, 5, 7]))
        indep = rng.random() < 0.25
        rhos_c, rhos_q = (np.zeros(c), np.zeros(d)) if indep else (rng.uniform(-0.9, 0.9, c), rng.uniform(-0.9, 0.9, d))
        cut = lambda: np.sort(rng.normal(0, 1, levels - 1))  # noqa: E731
        cuts_y = None if rng.random() < 0.5 else [cut() for _ in range(d)]  # None: Y's columns all continuous
        return MixedBlocks(rhos_c, rhos_q, [cut() for _ in range(d)], cuts_y)
    if family == "atom_blocks":  # zero-inflated or censored columns, several a side
        d = int(rng.choice([2, 3, 5, 8]))
        rhos = np.zeros(d) if rng.random() < 0.25 else rng.uniform(-0.9, 0.9, d)

        def thresholds(none):  # each column: an atom of 5-90% of the rows, or (share ``none``) none
            t = stats.norm.ppf(rng.uniform(0.05, 0.9, d))
            return np.where(rng.random(d) < none, -np.inf, t)

        a = thresholds(0.25)
        b = thresholds(1.0 if rng.random() < 0.3 else 0.25)  # 1.0: Y's columns all continuous
        if np.isinf(a).all():
            a[0] = stats.norm.ppf(0.3)
        return AtomBlocks(rhos, a, b, amounts=bool(rng.random() < 0.5))
    if family == "tied_blocks":  # counts, scores, rounded-and-clipped values with more than 20 levels
        d = int(rng.choice([1, 2, 3, 5]))
        indep = rng.random() < 0.25
        channels = []
        for _ in range(d):
            kind = str(rng.choice(["rounded", "binomial", "poisson"]))
            if kind == "rounded":  # at least 21 levels: h <= 0.1 and a range of at least 2
                p0 = 0.0 if rng.random() < 0.6 else float(rng.uniform(0.05, 0.4))
                params = dict(rho=0.0 if indep else float(rng.uniform(-0.95, 0.95)), h=float(rng.choice([0.05, 0.1])),
                              lo=-np.inf if rng.random() < 0.5 else float(rng.uniform(-2.0, -1.0)),
                              hi=np.inf if rng.random() < 0.5 else float(rng.uniform(1.0, 2.0)), p0=p0, default=0.0)
            elif kind == "binomial":
                params = dict(K=int(rng.choice([20, 50, 100])), a=float(rng.uniform(-1.0, 1.0)),
                              b=0.0 if indep else float(rng.choice([-1, 1]) * rng.uniform(0.3, 3.0)))
            else:
                params = dict(a=float(rng.uniform(1.5, 3.0)), b=0.0 if indep else float(rng.uniform(-0.8, 0.8)))
            channels.append((kind, params))
        return TiedBlocks(channels, on_x=rng.random(d) < 0.3, exp_u=rng.random(d) < 0.5)
    if family == "discrete_independent":
        k, m = int(rng.integers(2, 11)), int(rng.integers(2, 11))
        return DiscreteChannel(_probs(k, rng), np.tile(_probs(m, rng), (k, 1)))
    if family in ("quantised_gauss", "quantised_one_side"):
        rho = float(rng.uniform(-0.95, 0.95))
        levels = lambda: np.sort(rng.normal(0, 1, int(rng.integers(1, 6))))  # noqa: E731  1-5 cuts
        if family == "quantised_gauss":
            return QuantisedGaussian(rho, levels(), levels())
        return QuantisedGaussian(rho, None, levels())
    if family == "class_gauss":
        k = int(rng.choice([2, 3, 5, 10, 20, 50]))
        sep = float(np.exp(rng.uniform(np.log(0.3), np.log(4.0))))
        means = rng.standard_normal((k, dim)) * sep / np.sqrt(dim) * np.sqrt(2.0)
        return ClassConditional(_probs(k, rng), means, warp=[None, "exp", "cube"][int(rng.integers(3))])
    if family == "mixed_side":
        k = int(rng.integers(2, 6))
        return MixedSide(_probs(k, rng), rng.normal(0, 2.0, k), float(rng.uniform(0.2, 2.0)),
                         float(np.exp(rng.uniform(np.log(0.1), np.log(2.0)))))
    raise ValueError(f"unknown discrete family {family!r}; known: {DISCRETE_FAMILIES}")
