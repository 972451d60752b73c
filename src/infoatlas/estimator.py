"""The public estimator: InfoAtlas (a pretrained network) and thin functions over it.

Data path: :class:`~infoatlas.features.Featurizer` (validate -> copula -> canonical form -> chunks
of at most ``rows_per_pass`` rows, as the weight file's feature settings say) -> network ->
quantiles of log1p(MI) averaged over chunks -> calibrated interval -> nats.
"""
from __future__ import annotations

import math
import warnings
from typing import Iterable, Sequence

import numpy as np
import torch

from .features import DEFAULT_MAX_ROWS, Featurizer, Prepared, chunk_batches, subsample_rows
from .copula import copula_normal
from .interface import MIEstimate
from .intervals import Calibration, scale_interval
from .validation import InfoAtlasWarning, as_2d, validate_xy
from .weights import load_model


@torch.no_grad()
def network_quantiles(model, prepared: Sequence[Prepared], *, batch_size: int = 64, device="cpu",
                      progress: bool = False) -> list[torch.Tensor | None]:
    """Batch the chunks of many prepared data sets through ``model``: per data set the network's
    quantiles of log1p(MI), shape (Q,), averaged over its chunks; None where MI is known to be 0."""
    sums: dict[int, list] = {}
    total = sum(p.inputs["u"].shape[0] for p in prepared if p.inputs is not None)
    bar = None
    if progress and total > batch_size:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, desc="infoatlas", unit="chunk")
    for owners, batch, pad in chunk_batches(prepared, batch_size):
        batch = {k: v.to(device) for k, v in batch.items()}
        q = model(**batch, pad=None if pad is None else pad.to(device)).double().cpu()  # (b, Q)
        for i, row in zip(owners, q):
            acc = sums.setdefault(i, [torch.zeros_like(row), 0])
            acc[0] += row
            acc[1] += 1
        if bar is not None:
            bar.update(len(owners))
    if bar is not None:
        bar.close()
    return [sums[i][0] / sums[i][1] if i in sums else None for i in range(len(prepared))]


class InfoAtlas:
    """Zero-shot mutual-information estimator backed by a pretrained set transformer.

    Parameters
    ----------
    model : torch.nn.Module
        A loaded network (use :meth:`from_pretrained`).
    meta : dict
        The weight file's metadata, decoded by :func:`infoatlas.weights.read_metadata` (its
        ``features`` say how data become the network's inputs; its ``interval_calibration`` how
        wide the interval is).
    random_state : int or None
        Seeds the deterministic choice of rows when data are subsampled or chunked; ``None`` is
        taken as 0 so that the same input always gives the same output.
    max_rows : int
        Rows above this are subsampled before ranking (the estimate says so in ``notes``).
    max_chunks : int or None
        The network reads at most ``max_chunks`` chunks of ``rows_per_pass`` rows, their outputs
        averaged (default: the weight file's setting); the canonical statistics use all (up to
        ``max_rows``) rows.
    nan_policy : {"raise", "omit"}
        What to do with rows containing NaN or inf.

    The 90% interval is the network's 5% and 95% quantiles, widened about the median in log1p(MI)
    by the factors in the weight file's ``interval_calibration`` (fitted by ``infoatlas dev
    calibrate`` on the atlas's validation families, per sample size); :meth:`interval_scale` gives
    them for an n, (1, 1) for a file without calibration.

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
                 max_rows: int = DEFAULT_MAX_ROWS, max_chunks: int | None = None,
                 nan_policy: str = "raise", device: str = "cpu", batch_size: int = 64):
        self.model = model.to(device).eval()
        self.meta = dict(meta or {})
        self.featurizer = Featurizer.for_model(model, self.meta.get("features"))
        self.calibration = Calibration(self.meta.get("interval_calibration"))
        self.random_state = 0 if random_state is None else random_state
        self.max_rows = int(max_rows)
        self.max_chunks = int(max_chunks) if max_chunks is not None else self.featurizer.settings.max_chunks
        self.nan_policy, self.device, self.batch_size = nan_policy, device, int(batch_size)
        self.cfg = model.cfg
        if self.max_rows < 2 or self.max_chunks < 1:
            raise ValueError("max_rows must be >= 2 and max_chunks >= 1")

    @classmethod
    def from_pretrained(cls, path_or_name=None, **kwargs) -> "InfoAtlas":
        """Load shipped weights (default ``infoatlas-base``) or a ``.safetensors`` path, offline.

        Raises :class:`infoatlas.weights.WeightsError` if the file is missing, corrupt or unsafe.
        """
        model, meta = load_model(path_or_name)
        return cls(model, meta, **kwargs)

    def interval_scale(self, n: int) -> tuple[float, float]:
        """(lower, upper) factors applied to the interval of a data set of n rows (interpolated in
        log n between the calibrated sample sizes, constant beyond them)."""
        return self.calibration.factors(n)

    def prepare(self, x, y, nan_policy: str | None = None) -> Prepared:
        """The network inputs of one data set, with this estimator's settings."""
        return self.featurizer.prepare(x, y, nan_policy=nan_policy or self.nan_policy, max_rows=self.max_rows,
                                       max_chunks=self.max_chunks, random_state=self.random_state)

    def quantiles(self, prepared: Sequence[Prepared], progress: bool = False) -> list[torch.Tensor | None]:
        """The network's raw quantiles of log1p(MI) per prepared data set (before calibration)."""
        return network_quantiles(self.model, prepared, batch_size=self.batch_size, device=self.device,
                                 progress=progress)

    def _run(self, prepared: Sequence[Prepared], progress=False) -> list[MIEstimate]:
        """Estimates of many prepared data sets: median and calibrated 90% interval, in nats."""
        q_idx = list(self.cfg.quantiles)
        lo_i, mid_i, hi_i = 0, q_idx.index(0.5), len(q_idx) - 1
        out = []
        for p, qs in zip(prepared, self.quantiles(prepared, progress)):
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
        return self._run([self.prepare(x, y, nan_policy)])[0]

    def estimate_batch(self, pairs: Iterable[tuple], *, progress: bool = True,
                       nan_policy: str | None = None) -> list[MIEstimate]:
        """Estimate many data sets (different n and dims allowed), batched through the network.

        ``pairs``: iterable of (x, y).  Returns one :class:`MIEstimate` per pair, in order.
        """
        prepared = [self.prepare(x, y, nan_policy) for x, y in pairs]
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
            x_all = x_all[subsample_rows(x_all, self.max_rows, self.random_state)]
            notes = notes + (f"subsampled {self.max_rows} of {n} rows",)
        z, const = copula_normal(x_all, "data")  # rank each column once
        gnames = list(groups)
        prepared, where = [], []
        for a in range(len(gnames)):
            for b in range(a + 1, len(gnames)):
                ia, ib = groups[gnames[a]], groups[gnames[b]]
                za = z[:, [j for j in ia if not const[j]]]
                zb = z[:, [j for j in ib if not const[j]]]
                prepared.append(self.featurizer.prepare_scores(za, zb, n, len(ia), len(ib), notes, max_chunks=self.max_chunks,
                                                               random_state=self.random_state))
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
    repeated correlations), the network reads at most ``rows_per_pass`` rows (the first ones), and a
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
    inp = est.featurizer.differentiable(x, y, tau)
    q = est.model(**{k: v.to(est.device) for k, v in inp.items()})
    mid = q[0, list(est.cfg.quantiles).index(0.5)]
    return torch.expm1(torch.nn.functional.softplus(mid, beta=20.0))
