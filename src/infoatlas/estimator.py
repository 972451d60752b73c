"""The public estimator: InfoAtlas (a pretrained network) and thin functions over it.

Data path: validate -> copula (numpy, scipy ranks) -> canonicalise (torch, float64) -> chunks of at
most ``max_tokens`` rows -> network -> quantiles of log1p(MI) averaged over chunks -> nats.
"""
from __future__ import annotations

import json
import math
import warnings
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
import torch

from .interface import MIEstimate
from .preprocessing import (Canonical, InfoAtlasWarning, as_2d, canonicalise, copula_normal, copula_normal_torch,
                            knn_features, model_inputs, pair_features, validate_xy)
from .weights import WeightsError, load_model

DEFAULT_MAX_ROWS = 100_000  #: rows above this are subsampled (deterministically) before ranking
#: at most this many chunks of ``max_tokens`` rows go through the network.  Averaging more chunks
#: buys nothing measurable: on 256 held-out data sets at n = 5,000 (seed 7, the selection suite, not the
#: benchmark's) the shipped v2 network's MAE was 0.4128 nats with up to 8 chunks (4 used), 0.4110 with
#: 2 and 0.4132 with 1, and 2 chunks take half the network time of 4
DEFAULT_MAX_CHUNKS = 2
PAIR_MAX_ROWS = 16_384      #: rows the non-Gaussianity statistics read (4x the largest pretraining n)


@dataclass
class _Prepared:
    """One data set, ready for the network (or already answered when a side is constant)."""

    inputs: dict | None     # model_inputs of shape (k chunks, T, D) ...; None when MI is known 0
    n: int
    dim_x: int
    dim_y: int
    n_used: int
    notes: tuple


def _order_rows(a: np.ndarray, random_state) -> np.ndarray:
    """Row indices in a pseudo-random order computed from each row's values alone.

    The key of row i is frac(sum_j sin(w a_ij + phase)) with w, phase drawn from ``random_state``:
    a symmetric function of the row's entries, so the rows chosen from it depend neither on the
    order of the rows, nor on the order of the columns, nor on which side (X or Y) a column is.
    """
    rng = np.random.default_rng(random_state)
    w, phase = rng.uniform(50.0, 100.0), rng.uniform(0, 2 * np.pi)
    key = np.modf(np.abs(np.sin(w * np.arctan(a) + phase).sum(1)) * 1e3)[0]
    return np.argsort(key, kind="stable")


def _subsample_rows(a: np.ndarray, max_rows: int, random_state) -> np.ndarray:
    """Sorted indices of ``max_rows`` rows chosen by :func:`_order_rows` on standardised columns
    (standardised so that the keys of huge raw values stay distinct)."""
    sd = a.std(0)
    z = (a - a.mean(0)) / np.where(sd > 0, sd, 1.0)
    return np.sort(_order_rows(z, random_state)[:max_rows])


def _interval_scales(meta: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(log n grid, lower factors, upper factors), each (k,), from a weight file's
    ``interval_calibration`` metadata: one factor per side, or one per sample size in ``ns``."""
    if "interval_calibration" not in meta:
        return np.zeros(1), np.ones(1), np.ones(1)
    try:
        cal = json.loads(meta["interval_calibration"])
        lo = np.atleast_1d(np.asarray(cal["lower"], dtype=float))
        hi = np.atleast_1d(np.asarray(cal["upper"], dtype=float))
        grid = np.log(np.asarray(cal["ns"], dtype=float)) if lo.size > 1 else np.zeros(1)
    except (ValueError, TypeError, KeyError) as e:
        raise WeightsError(f"the weight file's interval_calibration metadata is unreadable: {e!r}") from e
    if not (lo.shape == hi.shape == grid.shape and np.all(np.diff(grid) > 0)):
        raise WeightsError("interval_calibration needs one lower and one upper factor per entry of "
                           "its increasing 'ns'")
    if not (np.all(np.isfinite(lo) & (lo > 0)) and np.all(np.isfinite(hi) & (hi > 0))):
        raise WeightsError(f"interval_calibration factors must be positive and finite, got {lo}, {hi}")
    return grid, lo, hi


def scale_interval(lo, mid, hi, s_lo, s_hi):
    """Outer quantiles of log1p(MI) moved about the median by the calibration factors: the
    distance mid - lo is multiplied by s_lo and hi - mid by s_hi (arrays or tensors alike)."""
    return mid - s_lo * (mid - lo), mid + s_hi * (hi - mid)


class InfoAtlas:
    """Zero-shot mutual-information estimator backed by a pretrained set transformer.

    Parameters
    ----------
    model : torch.nn.Module
        A loaded network (use :meth:`from_pretrained`).
    meta : dict
        Metadata stored with the weights.
    random_state : int or None
        Seeds the deterministic choice of rows when data are subsampled or chunked; ``None`` is
        taken as 0 so that the same input always gives the same output.
    max_rows : int
        Rows above this are subsampled before ranking (the estimate says so in ``notes``).
    max_chunks : int
        The network reads at most ``max_chunks * max_tokens`` rows, in chunks whose outputs are
        averaged; the canonical statistics always use all (up to ``max_rows``) rows.
    nan_policy : {"raise", "omit"}
        What to do with rows containing NaN or inf.

    The 90% interval is the network's 5% and 95% quantiles, widened (or narrowed) about the median
    in log1p(MI) by the factors in the weight file's ``interval_calibration`` metadata (fitted by
    ``infoatlas calibrate`` on the atlas's validation family, per sample size);
    :meth:`interval_scale` gives them for an n, (1, 1) for a file without calibration.

    Examples
    --------
    >>> import numpy as np, infoatlas
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal(2000); y = x + rng.standard_normal(2000)
    >>> est = infoatlas.InfoAtlas.from_pretrained().estimate(x, y)   # truth: 0.5 log 2 = 0.347 nats
    >>> est.lower <= est.mi <= est.upper
    True
    """

    def __init__(self, model, meta: dict | None = None, *, random_state=None,
                 max_rows: int = DEFAULT_MAX_ROWS, max_chunks: int = DEFAULT_MAX_CHUNKS,
                 nan_policy: str = "raise", device: str = "cpu", batch_size: int = 64):
        self.model = model.to(device).eval()
        self.meta = dict(meta or {})
        self.random_state = 0 if random_state is None else random_state
        self._scales = _interval_scales(self.meta)
        self.max_rows, self.max_chunks = int(max_rows), int(max_chunks)
        self.nan_policy, self.device, self.batch_size = nan_policy, device, int(batch_size)
        self.cfg = model.cfg
        if self.max_rows < 2 or self.max_chunks < 1:
            raise ValueError("max_rows must be >= 2 and max_chunks >= 1")

    @classmethod
    def from_pretrained(cls, path_or_name=None, **kwargs) -> "InfoAtlas":
        """Load shipped weights (default ``infoatlas-base``) or a ``.safetensors`` path, offline.

        Raises :class:`infoatlas.weights.WeightsError` if the file is missing or corrupt.
        """
        model, meta = load_model(path_or_name)
        return cls(model, meta, **kwargs)

    def interval_scale(self, n: int) -> tuple[float, float]:
        """(lower, upper) factors applied to the interval of a data set of n rows (interpolated in
        log n between the calibrated sample sizes, constant beyond them)."""
        grid, lo, hi = self._scales
        ln = math.log(max(int(n), 1))
        return float(np.interp(ln, grid, lo)), float(np.interp(ln, grid, hi))

    # ------------------------------------------------------------------ preparation
    def _prepare(self, x, y, nan_policy=None) -> _Prepared:
        x, y, notes = validate_xy(x, y, nan_policy=nan_policy or self.nan_policy)
        n, dim_x, dim_y = x.shape[0], x.shape[1], y.shape[1]
        notes = list(notes)
        if n > self.max_rows:
            keep = _subsample_rows(np.hstack([x, y]), self.max_rows, self.random_state)
            x, y = x[keep], y[keep]
            notes.append(f"subsampled {self.max_rows} of {n} rows")
        zx, cx = copula_normal(x, "x")
        zy, cy = copula_normal(y, "y")
        return self._prepare_scores(zx[:, ~cx], zy[:, ~cy], n, dim_x, dim_y, notes)

    def _prepare_scores(self, zx, zy, n, dim_x, dim_y, notes) -> _Prepared:
        """From copula scores (constant columns removed) to network inputs."""
        m = zx.shape[0]
        if zx.shape[1] == 0 or zy.shape[1] == 0:
            notes.append("a side is constant: MI is 0")
            return _Prepared(None, n, dim_x, dim_y, 0, tuple(notes))
        cap = self.cfg.max_dim
        if zx.shape[1] > cap or zy.shape[1] > cap:
            notes.append(f"kept the leading {cap} canonical directions per side")
        can = canonicalise(torch.from_numpy(zx)[None], torch.from_numpy(zy)[None])
        t = self.cfg.max_tokens
        k = max(1, min(self.max_chunks, m // t))
        used = min(m, k * t)
        # rows in a pseudo-random order fixed by their values (so subsets do not depend on row order)
        order = torch.from_numpy(_order_rows(np.hstack([zx, zy]), self.random_state)) if m > t else None
        # the non-Gaussianity statistics use all rows up to PAIR_MAX_ROWS (more only refines
        # moments whose z-scores are capped at N_STAT_MAX rows anyway), before chunking
        sub = can if m <= PAIR_MAX_ROWS else Canonical(can.u[:, order[:PAIR_MAX_ROWS]],
                                                       can.v[:, order[:PAIR_MAX_ROWS]], can.rho)
        pair = pair_features(sub, cap, m)
        if m > t:
            # chunk j = rows [j t, (j+1) t) of that order
            can.u, can.v = can.u[:, order[:used]], can.v[:, order[:used]]
            can.u = can.u.reshape(k, -1, can.u.shape[-1])
            can.v = can.v.reshape(k, -1, can.v.shape[-1])
            can.rho = can.rho.expand(k, -1)
        # the widths the network is told are the live ones (constant columns carry nothing)
        inputs = model_inputs(can, t, cap, zx.shape[1], zy.shape[1], n_total=m, pair=pair)
        if self.cfg.n_knn:
            # kNN statistics of the first chunk's rows (the rows the head was trained with), shared
            # by every chunk: (k, 2 n_knn + 1)
            knn = knn_features(can.u[0, :t].numpy(), can.v[0, :t].numpy(), self.cfg.n_knn)
            inputs["knn"] = torch.from_numpy(knn)[None].expand(inputs["u"].shape[0], -1)
        if used < m:
            notes.append(f"network read {used} of {m} rows ({k} chunk(s) of {t}); canonical correlations "
                         f"used all rows, non-Gaussianity statistics {min(m, PAIR_MAX_ROWS)}")
        return _Prepared(inputs, n, dim_x, dim_y, used, tuple(notes))

    # ------------------------------------------------------------------ network
    @torch.no_grad()
    def _quantiles(self, prepared: Sequence[_Prepared], progress=False) -> list[torch.Tensor | None]:
        """Batch the chunks of many prepared data sets through the network: per data set the
        network's quantiles of log1p(MI) (Q,), averaged over its chunks; None when MI is known 0."""
        chunks = []  # (dataset index, chunk tensors)
        for i, p in enumerate(prepared):
            if p.inputs is None:
                continue
            k = p.inputs["u"].shape[0]
            for j in range(k):
                chunks.append((i, {key: val[j: j + 1] for key, val in p.inputs.items()}))
        chunks.sort(key=lambda c: c[1]["u"].shape[1])
        sums = {}
        bar = None
        if progress and len(chunks) > self.batch_size:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(chunks), desc="infoatlas", unit="chunk")
        for s in range(0, len(chunks), self.batch_size):
            part = chunks[s: s + self.batch_size]
            lens = [c[1]["u"].shape[1] for c in part]
            tmax = max(lens)
            batch = {}
            for key in part[0][1]:
                vals = [c[1][key] for c in part]
                if key in ("u", "v"):
                    vals = [torch.nn.functional.pad(v_, (0, 0, 0, tmax - v_.shape[1])) for v_ in vals]
                batch[key] = torch.cat(vals).to(self.device)
            pad = None
            if min(lens) < tmax:
                pad = torch.arange(tmax)[None, :] >= torch.tensor(lens)[:, None]
                pad = pad.to(self.device)
            q = self.model(**batch, pad=pad).double().cpu()  # (b, Q) quantiles of log1p(MI)
            for (i, _), row in zip(part, q):
                acc = sums.setdefault(i, [torch.zeros_like(row), 0])
                acc[0] += row
                acc[1] += 1
            if bar is not None:
                bar.update(len(part))
        if bar is not None:
            bar.close()
        return [sums[i][0] / sums[i][1] if i in sums else None for i in range(len(prepared))]

    def _run(self, prepared: Sequence[_Prepared], progress=False) -> list[MIEstimate]:
        """Estimates of many prepared data sets: median and calibrated 90% interval, in nats."""
        q_idx = list(self.cfg.quantiles)
        lo_i, mid_i, hi_i = 0, q_idx.index(0.5), len(q_idx) - 1
        out = []
        for p, qs in zip(prepared, self._quantiles(prepared, progress)):
            if qs is None:
                out.append(MIEstimate(0.0, 0.0, 0.0, p.n, p.dim_x, p.dim_y, 0, p.notes))
                continue
            s_lo, s_hi = self.interval_scale(p.n)
            mid = qs[mid_i]
            lo, hi = scale_interval(qs[lo_i], mid, qs[hi_i], s_lo, s_hi)
            mi, lower, upper = torch.expm1(torch.stack([mid, lo, hi]).clamp_min(0)).tolist()
            out.append(MIEstimate(mi, lower, upper, p.n, p.dim_x, p.dim_y, p.n_used, p.notes))
        return out

    # ------------------------------------------------------------------ public API
    def estimate(self, x, y, *, nan_policy: str | None = None) -> MIEstimate:
        """Estimate I(X; Y) in nats.

        Parameters
        ----------
        x : array-like, shape (n,) or (n, dx)
        y : array-like, shape (n,) or (n, dy)
        nan_policy : {"raise", "omit"}, optional (default: the estimator's)

        Returns
        -------
        MIEstimate with ``mi`` and a 90% interval ``[lower, upper]`` in nats.
        """
        return self._run([self._prepare(x, y, nan_policy)])[0]

    def estimate_batch(self, pairs: Iterable[tuple], *, progress: bool = True,
                       nan_policy: str | None = None) -> list[MIEstimate]:
        """Estimate many data sets (different n and dims allowed), batched through the network.

        ``pairs``: iterable of (x, y).  Returns one :class:`MIEstimate` per pair, in order.
        """
        prepared = [self._prepare(x, y, nan_policy) for x, y in pairs]
        return self._run(prepared, progress=progress)

    def pairwise(self, data, columns=None, *, progress: bool = True):
        """Mutual information between all columns, or between named groups of columns.

        Parameters
        ----------
        data : array-like (n, p) or pandas DataFrame
        columns : None, or a dict {group name: list of column names/indices}
            None: every column is its own variable.

        Returns
        -------
        (g, g) symmetric matrix in nats with NaN on the diagonal (self-information of a continuous
        variable is infinite); a pandas DataFrame when ``data`` is a DataFrame or groups are named.
        """
        is_df = hasattr(data, "columns") and hasattr(data, "iloc")
        names = [str(c) for c in data.columns] if is_df else None
        arr = as_2d(data, "data")
        if names is None:
            names = [str(j) for j in range(arr.shape[1])]
        if columns is None:
            groups = {nm: [j] for j, nm in enumerate(names)}
        else:
            lookup = {nm: j for j, nm in enumerate(names)}
            groups = {}
            for g, cols in dict(columns).items():
                idx = []
                for c in ([cols] if isinstance(cols, (str, int)) else cols):
                    if isinstance(c, (int, np.integer)) and not is_df:
                        idx.append(int(c))
                    elif str(c) in lookup:
                        idx.append(lookup[str(c)])
                    else:
                        raise KeyError(f"column {c!r} of group {g!r} not found in data")
                groups[str(g)] = idx
        x_all, _, notes = validate_xy(arr, arr[:, :1], nan_policy=self.nan_policy)
        n = x_all.shape[0]
        if n > self.max_rows:
            x_all = x_all[_subsample_rows(x_all, self.max_rows, self.random_state)]
            notes = notes + (f"subsampled {self.max_rows} of {n} rows",)
        z, const = copula_normal(x_all, "data")  # rank each column once
        gnames = list(groups)
        prepared, where = [], []
        for a in range(len(gnames)):
            for b in range(a + 1, len(gnames)):
                ia, ib = groups[gnames[a]], groups[gnames[b]]
                za = z[:, [j for j in ia if not const[j]]]
                zb = z[:, [j for j in ib if not const[j]]]
                prepared.append(self._prepare_scores(za, zb, n, len(ia), len(ib), list(notes)))
                where.append((a, b))
        ests = self._run(prepared, progress=progress)
        mat = np.full((len(gnames), len(gnames)), np.nan)
        for (a, b), e in zip(where, ests):
            mat[a, b] = mat[b, a] = e.mi
        if is_df or columns is not None:
            import pandas as pd

            return pd.DataFrame(mat, index=gnames, columns=gnames)
        return mat


# ---------------------------------------------------------------------- module-level functions

_DEFAULT: dict = {}


def _default_estimator(random_state=None) -> InfoAtlas:
    key = 0 if random_state is None else random_state
    if "model" not in _DEFAULT:
        _DEFAULT["model"] = load_model(None)
    model, meta = _DEFAULT["model"]
    return InfoAtlas(model, meta, random_state=key)


def estimate(x, y, *, random_state=None, nan_policy: str = "raise", model=None) -> MIEstimate:
    """Estimate I(X; Y) with the shipped model; returns an :class:`MIEstimate` (nats).

    ``float(estimate(x, y))`` is the point estimate.  ``model``: a path to other weights.
    """
    est = _default_estimator(random_state) if model is None else InfoAtlas.from_pretrained(
        model, random_state=random_state)
    return est.estimate(x, y, nan_policy=nan_policy)


def mutual_info(x, y, *, base: float = math.e, random_state=None) -> float:
    """Mutual information I(X; Y) as a float: nats by default, bits with ``base=2``.

    x : (n,) or (n, dx); y : (n,) or (n, dy); numpy, pandas, torch or lists.

    >>> import numpy as np, infoatlas
    >>> rng = np.random.default_rng(1)
    >>> x = rng.standard_normal((1000, 2)); y = x[:, :1] + 0.5 * rng.standard_normal((1000, 1))
    >>> infoatlas.mutual_info(x, y) > 0.5
    True
    """
    if base <= 0 or base == 1:
        raise ValueError("base must be positive and not 1")
    return float(estimate(x, y, random_state=random_state).mi / math.log(base))


def mutual_info_score(X, y, *, random_state=None) -> np.ndarray:
    """One MI (nats) per column of ``X`` (n, p) against ``y`` (n,): a ``score_func`` for
    scikit-learn's ``SelectKBest`` / ``SelectPercentile``.  Returns an array of shape (p,)."""
    X = as_2d(X, "X")
    est = _default_estimator(random_state)
    with warnings.catch_warnings():
        warnings.simplefilter("once", InfoAtlasWarning)
        res = est.estimate_batch([(X[:, j], y) for j in range(X.shape[1])], progress=False)
    return np.array([r.mi for r in res])


def mutual_info_torch(x: torch.Tensor, y: torch.Tensor, *, tau: float = 0.05,
                      model: InfoAtlas | None = None) -> torch.Tensor:
    """Differentiable MI estimate (nats, 0-dim tensor) that keeps the autograd graph.

    x : (n, dx) or (n,); y : (n, dy) or (n,), float tensors (n up to a few thousand).

    What is differentiable: the copula uses soft ranks (sigmoid comparisons with temperature
    ``tau`` in units of each column's standard deviation; O(n^2 d) memory), then whitening, the
    canonical correlations and the network are differentiated exactly.  What is not: the SVD
    rotations to canonical coordinates are treated as constants (their gradients are unstable at
    repeated correlations), the network reads at most ``max_tokens`` rows (the first ones), and a
    refinement head's kNN statistics (if the model has one) are constants.
    The value is close to, not identical with, :func:`mutual_info` (soft vs hard ranks).
    """
    est = model or _default_estimator()
    if x.ndim == 1:
        x = x[:, None]
    if y.ndim == 1:
        y = y[:, None]
    if x.shape[0] != y.shape[0] or x.shape[0] < 20:
        raise ValueError("x and y need the same number of rows, at least 20")
    zx = copula_normal_torch(x.double(), soft=tau)[None]
    zy = copula_normal_torch(y.double(), soft=tau)[None]
    can = canonicalise(zx, zy, detach_rotation=True)
    inp = model_inputs(can, est.cfg.max_tokens, est.cfg.max_dim, x.shape[1], y.shape[1])
    if est.cfg.n_knn:  # kNN statistics enter as constants (no gradient through them)
        t = est.cfg.max_tokens
        inp["knn"] = torch.from_numpy(knn_features(can.u[0, :t].detach().cpu().numpy(), can.v[0, :t].detach().cpu().numpy(),
                                                   est.cfg.n_knn))[None]
    q = est.model(**{k: v.to(est.device) for k, v in inp.items()})
    mid = q[0, list(est.cfg.quantiles).index(0.5)]
    return torch.expm1(torch.nn.functional.softplus(mid, beta=20.0))
