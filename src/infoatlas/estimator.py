"""The public estimator: InfoAtlas (a pretrained network) and thin functions over it.

Data path: :class:`~infoatlas.features.Featurizer` (validate -> copula -> canonical form -> chunks
of at most ``rows_per_pass`` rows, as the weight file's feature settings say) -> network ->
quantiles of log1p(MI) averaged over chunks -> calibrated interval -> nats.  Discrete columns go to
:mod:`infoatlas.discrete`, continuous sides that both repeat their rows to :mod:`infoatlas.pooled`.
"""
from __future__ import annotations

import dataclasses
import itertools
import math
import warnings
from functools import partial
from typing import Iterable, NamedTuple, Sequence

import numpy as np
import torch

from .features import DEFAULT_MAX_ROWS, Featurizer, Prepared, chunk_batches, order_rows, subsample_rows
from .copula import copula_normal
from .interface import MIEstimate
from .model import SetMI
from .intervals import Calibration, scale_interval
from . import atoms as _atoms
from . import checks as _checks
from . import discrete as _discrete
from . import pooled as _pooled
from . import regression as _regress
from .validation import (MIN_SAMPLES, SERIAL_COLUMNS, SERIAL_ROWS, align_pandas, as_2d, as_2d_typed, check_int,
                         check_random_state, finite_rows, lag1_rank_autocorrelations, looks_serial, serial_note,
                         validate_xy, warn_data)
from .weights import load_model, load_pair_model
from . import fastpairs as _fastpairs


PAIR_BLOCK = 512  #: pairs prepared and estimated together in :meth:`InfoAtlas.pairwise`
#: False: :meth:`InfoAtlas.pairwise` reads groups of several columns with a discrete, heavily tied or
#: atom column through its per-column scores and masks, not as estimate() plans them (experiments
#: that measure the former reading; docs/experiments/pairwise_checks/groups.md)
PLAN_GROUPS = True
#: ``pairwise(method="fast")`` reads at most this many rows (the pair model's training range)
FAST_MAX_ROWS = 20_000
#: at most this many rows per column (n <= 3 (dx + dy)) the network's reading is checked against
#: independent data of the same shape (Y's rows permuted): see :meth:`InfoAtlas._run`
FEW_ROWS_PER_COLUMN = 3
#: permuted copies in that check (p-values in steps of 1/20; the smallest is 0.05)
FEW_ROWS_PERMUTATIONS = 19
#: readings from columns with their atoms' ties broken whose lower end is above 0 by less than this
#: (nats) are checked against permuted copies (InfoAtlas._atom_recheck)
ATOM_RECHECK_LOWER = 0.05

#: where a side is (or has) one heavily tied column, its categorical estimate replaces the network's
#: only when its 90% interval's lower end is above LABEL_RATIO x the network's estimate + LABEL_LOWER nats
#: (InfoAtlas._label_estimate): clearly above.  On counts and rounded values, whose dependence
#: follows the order of their values, the two readings differ by a few per cent, and without the
#: margin the categorical estimate, with its narrower interval, was taken on some and covered less
#: (docs/experiments/coded_labels/README.md); the margin also keeps independent data out
LABEL_RATIO = 1.1
LABEL_LOWER = 0.05
#: the categorical reading that decides whether to compute the categorical estimate at all reads at
#: most this many rows (InfoAtlas._label_reading)
LABEL_SCREEN_ROWS = 2_000
#: a heavily tied column alone on its side with at most LEVELS_MAX distinct values and at least
#: LEVELS_ROWS rows per value on average, against at most LEVELS_OTHER_MAX columns, is read as
#: categories whatever the network reads (hour of day, a score of 30 points, age in years): classes
#: that large suit the neighbour estimate, which read such columns with MAE 0.027 nats where the
#: network with the ties broken read 0.157, with an interval about 5 times wider at the median
#: (216 data sets of docs/experiments/label_intervals/levels.md; worse by more than 0.01 nats in 3 of
#: its 36 cells, all at 1,000 rows)
LEVELS_MAX = 50
LEVELS_ROWS = 20
LEVELS_OTHER_MAX = 2

#: the categorical readings that widen the interval of few-valued columns read as numbers with ties
#: (:meth:`InfoAtlas._bracketed`) are taken on at most this many rows: at 100,000 rows of ten
#: 5-level columns, neighbours within 100,000 one-row categories took 100 s
BRACKET_ROWS = 5_000

#: data sets are prepared (canonical form, statistics) in groups of up to this many copula-score
#: values (rows x columns, permuted copies included): about 64 MB of float64 per group
PREPARE_VALUES = 1 << 23


class Scored(NamedTuple):
    """A planned data set: its copula scores, the item ``(zx, zy, n, dim_x, dim_y, notes)`` of
    :meth:`Featurizer.prepare_many`, and those of copies with Y's rows permuted (few rows for the
    columns, see :meth:`InfoAtlas._run`) or None."""

    item: tuple
    nulls: list | None
    bracket: tuple | None = None  # (low, high, note) the interval is widened to cover (see plan)
    tied: tuple | None = None  # the item of the same data with their ties kept (see _tie_broken)
    recheck: tuple | None = None  # tie-broken (x, y) to check against permuted copies (see _atoms_broken)
    bound: tuple | None = None  # repeat_bound of the data before their ties were broken (see _many_ties_broken)
    # (reading, (x, y, mask_x, mask_y, n, notes, k, interval)): read as categories (see _label_reading)
    labels: tuple | None = None
    regression: _regress.RegressionBound | None = None  # the data's regression bound (see _regression)
    checked: tuple | None = None  # (zx, zy) the checks read where they differ from item's (_tie_broken_for_checks)

    @property
    def items(self) -> list:
        """The score items to prepare: the data's, its permuted copies', the tied data's."""
        return [self.item] + list(self.nulls or []) + ([self.tied] if self.tied is not None else [])

    @property
    def values(self) -> int:
        """Copula-score values held (rows x columns, copies included)."""
        return sum(it[0].size + it[1].size for it in self.items)


def _pool_side(a: np.ndarray) -> bool:
    """Whether a (n, d), d > 1, repeats its rows whole (at most ``POOLED_SHARE`` n distinct rows:
    points from a finite pool), the NaN rows aside; a single column never counts (its ties are the
    column's own)."""
    if a.shape[1] < 2:
        return False
    a = a[~np.isnan(a).any(axis=1)]
    return a.shape[0] > 0 and _pooled.distinct_share(a) <= _pooled.POOLED_SHARE


def _few_rows(n: int, dim_x: int, dim_y: int) -> bool:
    """Whether n rows are too few for dim_x + dim_y columns to trust the network alone (see above)."""
    return n <= FEW_ROWS_PER_COLUMN * (dim_x + dim_y)


def _kept_copies(a: np.ndarray, keys) -> tuple:
    """(rows to keep or None, notes) of :func:`infoatlas.pooled.copied_records` on a (n, d) with
    ``keys``; too few distinct records is an error."""
    keep = _pooled.copied_records(a, keys)
    if keep is None:
        return None, ()
    n, k = a.shape[0], keep.size
    if k < MIN_SAMPLES:
        raise ValueError(f"the {n} rows are copies of {k} distinct records (whole rows repeated); "
                         f"need at least {MIN_SAMPLES} distinct records")
    return keep, (f"whole rows repeat: the {n} rows are copies of {k} distinct records ({n / k:.2f} each on "
                  "average; rows appended twice, a bootstrap or oversampled data set), and copies read as "
                  "dependence to every estimator: each distinct row is read once.  If a side's rows are "
                  "categories of a finite set, mark them discrete",)


def drop_copies(ax: np.ndarray, ay: np.ndarray, mask_x: np.ndarray, mask_y: np.ndarray) -> tuple:
    """(x, y, notes): x (n, dx) and y (n, dy) with each distinct row once when the rows are copies of
    records (:func:`infoatlas.pooled.copied_records`; a side with a continuous column identifies the
    record), else unchanged and no notes.  ``mask_x``, ``mask_y``: the discrete columns."""
    dx = ax.shape[1]
    keys = [cols for cols, m in ((range(dx), mask_x), (range(dx, dx + ay.shape[1]), mask_y)) if not m.all()]
    if not keys or ax.shape[0] != ay.shape[0]:  # (the validation that follows says what is wrong)
        return ax, ay, ()
    # copies among the finite rows; rows with NaN or inf stay for the validation to drop or refuse
    ok = finite_rows(ax, ay)
    rows = np.flatnonzero(ok)
    keep, notes = _kept_copies(np.hstack([ax[rows], ay[rows]]), keys)
    if keep is None:
        return ax, ay, ()
    keep = np.concatenate([rows[keep], np.flatnonzero(~ok)])
    return ax[keep], ay[keep], notes


def _with_notes(planned, notes: tuple):
    """A plan (:class:`Scored` or :class:`MIEstimate`) with ``notes`` put before its own."""
    if not notes:
        return planned
    if isinstance(planned, Scored):
        item = planned.item
        return planned._replace(item=item[:5] + (list(notes) + list(item[5]),))
    return dataclasses.replace(planned, notes=tuple(notes) + tuple(planned.notes))


def _widen_to_bracket(lower: float, upper: float, notes: tuple, bracket: tuple) -> tuple:
    """(lower, upper, notes) with the interval widened to cover ``bracket`` = (low, high, note), what
    the categorical estimators read (:meth:`InfoAtlas._bracketed`); a note says so when it moved."""
    low, high, note = bracket
    new = (min(lower, low), max(upper, high))
    if new != (lower, upper):
        notes = notes + (f"few-valued columns read as numbers with ties: {note}; the interval "
                         f"[{lower:.4g}, {upper:.4g}] is widened to cover both",)
    return (*new, notes)


def _clip_to_bound(mi: float, lower: float, upper: float, notes: tuple, bound: tuple) -> tuple:
    """(mi, lower, upper, notes) within what the data prove when the rows of a side repeat: the
    estimate and lower end at most that side's entropy h, the upper end at most log k (k distinct
    rows; see :func:`infoatlas.pooled.repeat_bound`).  A note says so when anything moved."""
    h, log_k, side = bound
    new = (min(mi, h), min(lower, h), min(upper, log_k))
    if new != (mi, lower, upper):
        notes = notes + (f"the rows of {side} repeat ({np.exp(log_k):.0f} distinct rows): I(X; Y) is at most "
                         f"{side}'s entropy, {h:.4f} nats (log {np.exp(log_k):.0f} = {log_k:.4f} for the interval's "
                         f"upper end); the network read {mi:.4g} [{lower:.4g}, {upper:.4g}], clipped there",)
    return (*new, notes)


def _warn_serial_groups(x: np.ndarray, disc: np.ndarray, groups: list) -> None:
    """Warn when two of ``pairwise``'s groups (lists of columns of x (n, p)) look like series in the
    order of the rows (:func:`infoatlas.validation.looks_serial` on each group's continuous column
    whose lag-1 rank autocorrelation is largest in size; columns of labels are left out, as in
    :meth:`InfoAtlas.estimate`): their permutation p-values would be too small."""
    cont = [[j for j in g if not disc[j]][:SERIAL_COLUMNS] for g in groups]
    cols = sorted({j for g in cont for j in g})
    if len(cols) < 2:
        return
    rho = dict(zip(cols, lag1_rank_autocorrelations(x[:, cols])))
    r = np.array([max((rho[j] for j in g), key=abs) for g in cont if g])  # (groups with a continuous column,)
    if r.size < 2:
        return
    top = np.sort(r)
    # the pair of groups with the largest product of the two: the two largest or the two smallest
    a, b = max(((top[-1], top[-2]), (top[0], top[1])), key=lambda ab: ab[0] * ab[1])
    if looks_serial(a, b, x.shape[0]):
        serial = int(np.sum(np.abs(r) > 4 / np.sqrt(min(x.shape[0], SERIAL_ROWS))))
        warn_data(f"{serial} variables look serially dependent in the order of the rows (lag-1 rank "
                  f"autocorrelations up to {max(abs(a), abs(b)):.2f}): if the rows are a series, p-values "
                  "from row permutations are too small; pass block_length (about the series' decorrelation "
                  "time) to test with circular shifts")


def _atoms_note(what: str, mask_x: np.ndarray, mask_y: np.ndarray) -> str:
    """The note that the columns ``mask_x`` (dx,), ``mask_y`` (dy,) with atoms had the ties at their
    atoms broken (:meth:`InfoAtlas._atoms_broken`, :meth:`InfoAtlas._atoms_broken_beside`)."""
    cols = "; ".join(f"{name} {np.flatnonzero(m).tolist()}" for name, m in (("X", mask_x), ("Y", mask_y)) if m.any())
    return (f"{what} (values that repeat next to continuous ones: {cols}) are read with the ties at their "
            "atoms broken at random (the MI is unchanged)")


def _atom_side_of(gx, gy, has) -> str | None:
    """"x" or "y" when that side is one column with atoms and the other side is one column (with or
    without atoms) or has no column with atoms ("y" when both sides are such columns); else None.
    gx, gy: the keys of X's and Y's columns; has(key): whether that column has atoms."""
    found = [name for name, g in (("y", gy), ("x", gx)) if len(g) == 1 and has(g[0])]
    if not found:
        return None
    other = gx if found[0] == "y" else gy
    if len(other) > 1 and any(has(j) for j in other):
        return None
    return found[0]


def _atom_side(ax: np.ndarray, ay: np.ndarray) -> str | None:
    """:func:`_atom_side_of` for the columns of ax (n, dx) and ay (n, dy), atoms by
    :func:`infoatlas.atoms.atom_values` on each column's finite values."""
    cols = list(ax.T) + list(ay.T)

    def has(j):
        return bool(_atoms.atom_values(cols[j][np.isfinite(cols[j])]).size)

    return _atom_side_of(range(ax.shape[1]), range(ax.shape[1], len(cols)), has)


def _regression(x: np.ndarray, y: np.ndarray, zx: np.ndarray, zy: np.ndarray) -> _regress.RegressionBound | None:
    """The regression bound (:func:`infoatlas.regression.regression_bound`) of the values x (m, dx),
    y (m, dy) with copula scores zx, zy, where it applies (a side of at most four columns, enough
    rows, no column with ties, :data:`infoatlas.checks.REGRESSION_CHECK`), else None."""
    if not (_checks.REGRESSION_CHECK and zx.shape[1] and zy.shape[1]
            and _regress.applies(zx.shape[1], zy.shape[1], zx.shape[0])
            and all(_checks._untied(c) for c in (*zx.T, *zy.T))):
        return None
    order = order_rows(np.hstack([zx, zy]), 0) if zx.shape[0] > _regress.ROWS else None
    return _regress.regression_bound(x, y, zx, zy, order)


def _tie_broken_for_checks(x: np.ndarray, y: np.ndarray, zx: np.ndarray, zy: np.ndarray, random_state) -> tuple:
    """(x, y, zx, zy) for the checks of the network's reading against KSG and the regression bound:
    the values x (m, dx), y (m, dy) and their copula scores zx, zy, with the ties of columns that
    still have some broken at random (:func:`infoatlas.discrete.break_ties`; the MI is unchanged),
    the arguments themselves where none has or the checks do not apply.

    Few-valued, heavily tied and atom columns had their ties broken before (:meth:`InfoAtlas.plan`);
    what is left are lightly tied columns (at least half as many distinct values as rows: values
    rounded to a few digits, float32, a few repeated entries), which the network reads with their
    ties, and sides that repeat their rows whole (:func:`_pool_side`), which keep them here too (KSG
    on such sides with their ties broken is unmeasured).  With one tie in any column all the checks
    were off (KSG counts tied rows as infinitely close), and so were their corrections: on 684 data
    sets rounded to three significant digits, the 94 readings this changes covered the MI in 71% of
    them before and 90% after, and (a, b) against a b + 0.1 N at 1,000 rows read with an MAE of 0.705
    nats before and 0.372 after, as unrounded (docs/experiments/light_ties/compare.md).  The network
    keeps the tied scores it reads; the keys come from stream 3 (see break_ties), and differ with
    the side order, so swapping X and Y can move such a reading a little."""
    if not (_checks.BREAK_TIES and _checks.applies(zx.shape[1], zy.shape[1])):
        return x, y, zx, zy
    mask_x = np.array([not _checks._untied(c) for c in zx.T], bool)  # (dx,)
    mask_y = np.array([not _checks._untied(c) for c in zy.T], bool)  # (dy,)
    if not (mask_x.any() or mask_y.any()) or any(a.shape[1] > 1 and _pool_side(a) for a in (x, y)):
        return x, y, zx, zy
    tx, ty = _discrete.break_ties(x, y, mask_x, mask_y, random_state, stream=3)
    # only the broken columns get new scores (untied columns' scores are the same either way)
    bx, by = zx.copy(), zy.copy()
    bx[:, mask_x] = copula_normal(tx[:, mask_x], "x", warn=False)[0]
    by[:, mask_y] = copula_normal(ty[:, mask_y], "y", warn=False)[0]
    return tx, ty, bx, by


def _check_inputs(x: np.ndarray, y: np.ndarray, zx: np.ndarray, zy: np.ndarray, few: bool, random_state) -> tuple:
    """((zx, zy) for the checks against KSG, the regression bound or None) of the values x (m, dx),
    y (m, dy) with copula scores zx, zy: both on a copy with the ties that columns still have broken
    (:func:`_tie_broken_for_checks`; the scores themselves where none has), no bound with few rows for
    the columns (``few``).  :meth:`InfoAtlas._scored` and :meth:`InfoAtlas.pairwise` read a data set
    or a pair through it alike."""
    cx, cy, czx, czy = _tie_broken_for_checks(x, y, zx, zy, random_state)
    return (czx, czy), None if few else _regression(cx, cy, czx, czy)


def _keep_scores(p: Prepared, zx: np.ndarray, zy: np.ndarray) -> None:
    """Keep the copula scores zx (m, dx), zy (m, dy) on ``p`` for the checks of the network's
    reading against KSG on all rows (:func:`infoatlas.checks.check_reading`), where they apply."""
    if _checks.applies(zx.shape[1], zy.shape[1]):
        p.scores = (zx, zy)


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

    Discrete columns (labels, categories, few-valued columns) go through :mod:`infoatlas.discrete`
    instead of the network (see :meth:`estimate`), and so do continuous data whose rows repeat on
    both sides (finite pools, heavy ties) through :mod:`infoatlas.pooled`.

    Parameters
    ----------
    model : torch.nn.Module
        A loaded network (use :meth:`from_pretrained`).
    meta : dict
        The weight file's metadata, decoded by :func:`infoatlas.weights.read_metadata` (its
        ``features`` say how data become the network's inputs; its ``interval_calibration`` how
        wide the interval is).
    random_state : None, int >= 0 or numpy Generator
        Seeds the deterministic choice of rows when data are subsampled or chunked; ``None`` is
        taken as 0 so that the same input always gives the same output.  A Generator is not
        advanced (its seed is read from a copy).
    max_rows : int >= 20
        Rows above this are subsampled before ranking (the estimate says so in ``notes``).
    max_chunks : int or None
        The network reads at most ``max_chunks`` chunks of ``rows_per_pass`` rows, their outputs
        averaged (default: the weight file's setting); the canonical statistics use all (up to
        ``max_rows``) rows.
    nan_policy : {"raise", "omit"}
        What to do with rows containing NaN or inf.

    The 90% interval is the network's 5% and 95% quantiles, widened about the median in log1p(MI)
    by the factors in the weight file's ``interval_calibration`` (fitted by ``infoatlas dev
    calibrate`` on the atlas's validation families, per sample size and width dx + dy);
    :meth:`interval_scale` gives them for an n and width, (1, 1) for a file without calibration.

    Examples
    --------
    >>> import numpy as np, infoatlas
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal(2000); y = x + rng.standard_normal(2000)
    >>> est = infoatlas.InfoAtlas.from_pretrained().estimate(x, y)   # truth: 0.5 log 2 = 0.347 nats
    >>> est.lower <= est.mi <= est.upper
    True
    """

    reads_types = True  #: estimate() takes discrete_x / discrete_y (the benchmark tells it the column types)

    def __init__(self, model, meta: dict | None = None, *, random_state=None,
                 max_rows: int = DEFAULT_MAX_ROWS, max_chunks: int | None = None,
                 nan_policy: str = "raise", device: str = "cpu", batch_size: int = 64, pair_model=None):
        if getattr(model, "arch", None) != SetMI.arch:
            raise TypeError(f"InfoAtlas needs the set-transformer weights (arch 'setmi'), got "
                            f"{getattr(model, 'arch', type(model).__name__)!r}; the pair-screening model is "
                            "used through pairwise(..., method='fast')")
        self.model = model.to(device).eval()
        self._pair_model_spec, self._pair_model = pair_model, None
        self.meta = dict(meta or {})
        self.featurizer = Featurizer.for_model(model, self.meta.get("features"))
        self.calibration = Calibration(self.meta.get("interval_calibration"))
        self.random_state = check_random_state(random_state)
        self.max_rows = check_int(max_rows, "max_rows", MIN_SAMPLES)
        self.max_chunks = (self.featurizer.settings.max_chunks if max_chunks is None
                           else check_int(max_chunks, "max_chunks", 1))
        if nan_policy not in ("raise", "omit"):
            raise ValueError(f"nan_policy must be 'raise' or 'omit', got {nan_policy!r}")
        self.nan_policy, self.device = nan_policy, device
        self.batch_size = check_int(batch_size, "batch_size", 1)
        self.cfg = model.cfg

    @property
    def pair_model(self):
        """The pair-screening network of ``pairwise(method="fast")`` (loaded on first use from the
        ``pair_model`` given to the constructor, default the shipped ``infoatlas-pairs``)."""
        if self._pair_model is None:
            self._pair_model = load_pair_model(self._pair_model_spec)[0]
        return self._pair_model

    @classmethod
    def from_pretrained(cls, path_or_name=None, **kwargs) -> "InfoAtlas":
        """Load shipped weights (default ``infoatlas-base``) or a ``.safetensors`` path, offline.

        Raises :class:`infoatlas.weights.WeightsError` if the file is missing, corrupt or unsafe.
        """
        model, meta = load_model(path_or_name)
        if model.arch != SetMI.arch:
            from .weights import WeightsError

            raise WeightsError(f"{path_or_name} holds the {model.arch} network, not the estimator's set transformer; "
                               "the pair-screening model is used by pairwise(..., method='fast')")
        return cls(model, meta, **kwargs)

    def interval_scale(self, n: int, width: int | None = None) -> tuple[float, float]:
        """(lower, upper) factors applied to the interval of a data set of n rows and ``width`` =
        dx + dy columns (interpolated in log n between the calibrated sample sizes, and in log width
        between the calibrated widths where the file has them; constant beyond them)."""
        return self.calibration.factors(n, width)

    def prepare(self, x, y, nan_policy: str | None = None, null: bool = True) -> Prepared:
        """The network inputs of one data set, with this estimator's settings; with few rows for
        the columns (n <= 3 (dx + dy)) and ``null``, also those of copies with Y's rows permuted."""
        return self._prepare_scored([self._scored(x, y, nan_policy, null)])[0]

    def _scored(self, x, y, nan_policy: str | None = None, null: bool = True, checks: bool = True) -> "Scored":
        """Copula scores of one data set (and of its permuted copies, see :meth:`prepare`).
        ``checks=False``: without what the checks of the network's reading need (the regression
        bound, the scores with ties broken), for callers that read only the network's quantiles."""
        kw = dict(nan_policy=nan_policy or self.nan_policy, max_rows=self.max_rows, random_state=self.random_state)
        item, (vx, vy) = self.featurizer.scores(x, y, values=True, **kw)
        zx, zy, n, dim_x, dim_y, _ = item
        nulls = None
        few = _few_rows(n, dim_x, dim_y)
        if null and zx.shape[1] and zy.shape[1] and few:
            y = np.asarray(y)
            rng = np.random.default_rng([self.random_state, 7919])  # fixed by the estimator's seed
            with warnings.catch_warnings():  # the copies repeat the data's own warnings
                warnings.simplefilter("ignore")
                nulls = [self.featurizer.scores(x, y[rng.permutation(y.shape[0])], **kw)
                         for _ in range(FEW_ROWS_PERMUTATIONS)]
        if not checks:
            return Scored(item, nulls)
        checked, regression = _check_inputs(vx, vy, zx, zy, few, self.random_state)
        return Scored(item, nulls, regression=regression, checked=None if checked[0] is zx else checked)

    def _prepare_scored(self, scored: Sequence["Scored"]) -> list[Prepared]:
        """:class:`Prepared` inputs of scored data sets, prepared together (data sets of the same
        shape share one batched canonical form and statistics: :meth:`Featurizer.prepare_many`)."""
        flat = [it for sc in scored for it in sc.items]
        prepared = self.featurizer.prepare_many(flat, max_chunks=self.max_chunks, random_state=self.random_state)
        out, at = [], 0
        for sc in scored:
            p = prepared[at]
            if p.inputs is not None:
                p.bound = sc.bound if sc.bound is not None else _pooled.repeat_bound(sc.item[0], sc.item[1])
                p.bracket = sc.bracket
                p.labels = sc.labels
                p.regression = sc.regression
                _keep_scores(p, *(sc.checked or sc.item[:2]))
            k = len(sc.nulls or [])
            if sc.nulls is not None:
                p.null = prepared[at + 1: at + 1 + k]
            if sc.tied is not None:
                p.tied = prepared[at + 1 + k]
            out.append(p)
            at += len(sc.items)
        return out

    def quantiles(self, prepared: Sequence[Prepared], progress: bool = False) -> list[torch.Tensor | None]:
        """The network's raw quantiles of log1p(MI) per prepared data set (before calibration)."""
        return network_quantiles(self.model, prepared, batch_size=self.batch_size, device=self.device,
                                 progress=progress)

    def plan(self, x, y, discrete_x="auto", discrete_y="auto", nan_policy: str | None = None,
             n_neighbors: int = 3, interval: bool = True):
        """One data set's way: its copula scores (a :class:`Scored`) for the network when both sides
        are continuous, else the finished :class:`MIEstimate` of :mod:`infoatlas.discrete` (a side
        with discrete columns: labels, categories, few-valued columns under ``"auto"``) or, for
        continuous sides that both repeat their rows, of :mod:`infoatlas.pooled`.
        :meth:`_finish` turns a list of plans into estimates.  ``interval=False``: those two paths
        skip their half-samples (most of their time) and leave lower and upper NaN, for callers that
        read only the estimate (the scikit-learn drop-ins); the network's interval costs nothing."""
        policy = nan_policy or self.nan_policy
        x, y = align_pandas(x, y)
        ax, cat_x, names_x = as_2d_typed(x, "x")
        ay, cat_y, names_y = as_2d_typed(y, "y")
        few_x = _discrete.discrete_mask(discrete_x, ax, "x", cat_x, names_x)
        few_y = _discrete.discrete_mask(discrete_y, ay, "y", cat_y, names_y)
        mx, joint_x = _discrete.auto_joint(discrete_x, ax, few_x, cat_x, "X")
        my, joint_y = _discrete.auto_joint(discrete_y, ay, few_y, cat_y, "Y")
        # rows in an order that looks like two series (in the order given; tables sorted by a label
        # would look so too, hence only where both sides have a continuous column)
        serial = () if (mx.all() or my.all()) else serial_note(ax, ay)
        ax, ay, copies = drop_copies(ax, ay, mx, my)
        copies = joint_x + joint_y + copies
        if not (mx.any() or my.any()):
            # few-valued columns read as numbers: ties broken at random (MI unchanged), see break_ties
            tx, ty = _discrete.break_ties(ax, ay, few_x & ~mx, few_y & ~my, self.random_state)
            planned = (self._atoms_broken(tx, ty, policy, interval, n_neighbors)
                       or self._pooled(tx, ty, policy, interval)
                       or self._atom_split(tx, ty, policy, interval, n_neighbors)
                       or self._many_ties_broken(tx, ty, policy, interval, n_neighbors)
                       or self._scored(tx, ty, policy))
            if (joint_x or joint_y) and interval:
                planned = self._bracketed(self._tie_broken(planned, ax, ay, policy), ax, ay, n_neighbors)
            return _with_notes(planned, copies + serial)
        ax, ay, n, notes = self._validated(ax, ay, policy)
        ax, ay, notes = self._atoms_broken_beside(ax, ay, mx, my, notes)
        mi, lower, upper, more = _discrete.discrete_estimate(ax, ay, mx, my, random_state=self.random_state,
                                                             k=n_neighbors, **({} if interval else {"reps": 0}))
        notes = list(copies) + notes + more + list(serial)
        return MIEstimate(mi, lower, upper, n, ax.shape[1], ay.shape[1], ax.shape[0], tuple(notes))

    def _atoms_broken(self, ax: np.ndarray, ay: np.ndarray, policy: str, interval: bool = True, k: int = 3):
        """Continuous ax (n, dx), ay (n, dy) with the ties at the atoms of the columns that have
        them (:mod:`infoatlas.atoms`; zero-inflated amounts, censored measurements) broken at random
        by :func:`infoatlas.discrete.break_ties` (the MI is unchanged), planned for the network (or
        the pooled estimator, where rows still repeat on both sides); None where no column has atoms
        or where the chain rule at the atoms applies (:func:`_atom_side`: one side a single column
        with atoms).  With their ties kept, rows on the atoms of several columns are one point in
        the copula, which the network reads as strong dependence, and rows on them repeat whole, which
        sent such data to the pooled estimator: independent sides of three censored columns each
        (69% of rows on the atom) read up to 1.6 nats, and with three zero-inflated columns a side
        (80% zeros) the interval's lower end was above 0 in 22 of 24 data sets at n = 2,000; on the
        ``atom_blocks`` family 90% coverage was 54-71% (docs/experiments/atom_sides).  Weak readings
        from such data are checked against permuted copies after the network has read them
        (``recheck``, :meth:`_atom_recheck`)."""
        # any continuous part will do (min_rest=1): breaking ties needs no rows off the atoms to
        # estimate from, unlike the chain rule; with 95% zeros at n = 1,000 some columns have fewer
        # than REST_MIN_ROWS, and leaving those tied kept the rows repeating
        mask_x, mask_y = _atoms.atom_columns(ax, min_rest=1), _atoms.atom_columns(ay, min_rest=1)
        if not (mask_x.any() or mask_y.any()) or _atom_side(ax, ay) is not None:
            return None
        # stream 1: keys independent of those of the few-valued columns broken before (see break_ties)
        tx, ty = _discrete.break_ties(ax, ay, mask_x, mask_y, self.random_state, stream=1)
        planned = (self._pooled(tx, ty, policy, interval) or self._many_ties_broken(tx, ty, policy, interval, k)
                   or self._scored(tx, ty, policy))
        if isinstance(planned, Scored) and planned.nulls is None and interval:
            planned = planned._replace(recheck=(tx, ty))
        return _with_notes(planned, (_atoms_note("columns with atoms", mask_x, mask_y),))

    def _many_ties_broken(self, ax: np.ndarray, ay: np.ndarray, policy: str, interval: bool = True,
                          k: int = 3) -> Scored | None:
        """The network's plan for continuous ax (n, dx), ay (n, dy) with the ties of their heavily
        tied columns that are not few-valued (:func:`infoatlas.discrete.tied_columns`: counts, test
        scores, rounded, clipped or saturated measurements; more than 20 distinct values, fewer
        than half as many as rows) broken at random by :func:`infoatlas.discrete.break_ties` (the MI
        is unchanged); None where there are none.  With their ties kept (average ranks) the network
        read such columns well where the levels' shares change smoothly (rounded Gaussians: it was
        trained on them) but far off where a level holds a pile of rows: a normal pair (rho 0.9)
        rounded to 0.1 and clipped to [-1, 1] on one side read 0.88 nats for 0.73, counts that
        saturate (Binomial(50, sigmoid(3 z)) against z) 1.20 for 1.74, 30% of a rounded column
        set to 0 by default 0.42 for 0.57; the 90% interval covered the truth in 0-42% of data sets
        (docs/experiments/many_ties).  Reached only where the rows of the two sides do not both
        repeat (:mod:`infoatlas.pooled` reads those).  The bound that the tied data prove
        (:func:`infoatlas.pooled.repeat_bound`: a side that repeats its rows shares at most its
        entropy) is taken from the data before the ties are broken, on the rows without NaN or inf.  A side
        of several columns whose rows repeat whole (points from a finite pool, :func:`_pool_side`)
        keeps its ties: the head was trained on such sides as they are (``clusters_codebook``), and
        on fresh draws of that family with several columns a side breaking their ties read higher
        (mean signed error -0.03 -> +0.09 nats at n = 5,000), where a single tied column read better
        broken (-0.18 -> -0.02; docs/experiments/many_ties/pools.md).

        With ``interval``, the network also reads the data with their ties kept and the interval is
        widened to cover that reading as for few-valued columns (:meth:`_tie_broken`): where the
        dependence is a saturating function of a projection of several columns (counts out of 50
        driven by w.x, x in 3 dimensions) the tie-broken reading was the one far off (3.09 nats for
        1.74 at n = 1,000, with the ties kept 2.23; probes.md there)."""
        mask_x, mask_y = _discrete.tied_columns(ax), _discrete.tied_columns(ay)
        # the pool test sorts a side's rows: only where that side has tied columns at all
        mask_x, mask_y = (m & (not _pool_side(a)) if m.any() else m for m, a in ((mask_x, ax), (mask_y, ay)))
        if not (mask_x.any() or mask_y.any()):
            return None
        ok = finite_rows(ax, ay)
        bound = _pooled.repeat_bound(ax[ok], ay[ok])
        # stream 2: keys independent of those of the few-valued columns and the atoms (see break_ties)
        tx, ty = _discrete.break_ties(ax, ay, mask_x, mask_y, self.random_state, stream=2)
        planned = self._scored(tx, ty, policy)
        # a tied column alone on its side or beside untied ones may be a label coded as numbers: read
        # it as categories too (_label_reading), against the other side with its ties broken
        lab = [m.sum() == 1 for m in (mask_x, mask_y)]
        if any(lab):
            lx, ly = (ax, ty) if lab[0] else (tx, ay)
            planned = planned._replace(labels=self._label_reading(lx, ly, lab[0], policy, k, interval,
                                                                  mask_x if lab[0] else mask_y))
        # the reading with the ties kept only widens the network's interval, which a column read as
        # categories in any case (the reading +inf of _label_reading, LEVELS_MAX) replaces: no second pass
        if interval and not (planned.labels is not None and planned.labels[0] == np.inf):
            planned = self._tie_broken(planned, ax, ay, policy)
        note = (f"heavily tied columns with more than {_discrete.AUTO_MAX_LEVELS} distinct values (X "
                f"{np.flatnonzero(mask_x).tolist()}, Y {np.flatnonzero(mask_y).tolist()}) are read with their "
                "ties broken at random (the MI is unchanged)")
        return _with_notes(planned._replace(bound=bound), (note,))

    def _atoms_broken_beside(self, ax: np.ndarray, ay: np.ndarray, mx: np.ndarray, my: np.ndarray,
                             notes: list) -> tuple:
        """(ax, ay, notes) for the estimators of :mod:`infoatlas.discrete` (``mx``, ``my``: the
        discrete columns): the continuous columns with atoms get the ties at their atoms broken at
        random (the MI is unchanged, as in :meth:`_atoms_broken`).  Their nearest neighbours within
        the categories are otherwise at distance 0 on the atoms: a label next to a zero-inflated
        column (60% zeros) against another, rho 0.8, read 0.97 nats for 0.30, the 90% interval
        covering it in 0 of 10 data sets (docs/experiments/atom_sides/beside.md).  Only for the chain
        rule (a side mixing discrete and continuous columns): a label against columns with atoms
        (nearest neighbours within its classes) read them accurately with their ties (mean error
        under 0.005 nats, coverage 90-100%), and with them broken high (coverage 60-80%, same file)."""
        if _discrete.kind(np.asarray(mx, bool), np.asarray(my, bool)) != "chain":
            return ax, ay, notes
        cx = _atoms.atom_columns(ax, min_rest=1) & ~np.asarray(mx, bool)
        cy = _atoms.atom_columns(ay, min_rest=1) & ~np.asarray(my, bool)
        if not (cx.any() or cy.any()):
            return ax, ay, notes
        ax, ay = _discrete.break_ties(ax, ay, cx, cy, self.random_state)
        return ax, ay, list(notes) + [_atoms_note("continuous columns with atoms", cx, cy)]

    def _tie_broken(self, planned, ax: np.ndarray, ay: np.ndarray, policy: str):
        """``planned`` (read from few-valued columns with their ties broken at random,
        :func:`infoatlas.discrete.break_ties`) with, when the network reads it, the same data with
        their ties kept (``ax``, ``ay``) to be read too, and the interval widened to cover that
        reading (:meth:`_run`).  The network was trained on continuous data only: it reads
        tie-broken columns low (it misses the steps at the levels) and tied ones high (zero
        distances between neighbours): on 172 ``mixed_blocks`` data sets of four selection seeds,
        mean signed errors -0.12 to -0.15 and +0.09 to +0.33 nats at n = 200 to 5,000.  The interval
        is widened down to the tied reading's lower end and up to its median (its upper end is
        several times too high); that covered the MI in 91 / 95 / 100% of them at n = 200 / 1,000 /
        5,000 (the tie-broken interval alone: 75 / 63 / 70%), at 1.0-1.4 times the width
        (docs/experiments/mixed_sides).  A second network pass, on such data only.  Heavily tied
        columns with more than 20 values get the same (:meth:`_many_ties_broken`)."""
        if not isinstance(planned, Scored):
            return planned
        with warnings.catch_warnings():  # the tie warning: the notes already say the columns are tied
            warnings.simplefilter("ignore")
            tied = self._scored(ax, ay, policy, null=False, checks=False).item
        return planned._replace(tied=tied)

    def _bracketed(self, planned, ax: np.ndarray, ay: np.ndarray, k: int = 3):
        """``planned`` (a :class:`Scored` or a finished :class:`MIEstimate`) with its interval to be
        widened to cover what the categorical estimators read where a side's few-valued numeric
        columns were read as numbers with ties (:func:`infoatlas.discrete.auto_joint`): the network
        and the nearest-neighbour estimators read such columns outside what they were built for, and
        on them their intervals alone covered the MI in only 64-83% of data sets, in both directions
        (docs/experiments/sparse_tables).  Both sides all few-valued: the contingency table's bracket
        (:func:`infoatlas.discrete.table_bracket`); one side: nearest neighbours of the other side
        within that side's categories (:func:`infoatlas.discrete.ross_mi`, low on many categories);
        neither: unchanged.  On the rows without NaN or inf (those that validation keeps)."""
        ok = finite_rows(ax, ay)
        fx, fy = _discrete.few_valued(ax[ok]), _discrete.few_valued(ay[ok])
        if ok.sum() < 2 * k + 2 or not (fx or fy):
            return planned
        if ok.sum() > BRACKET_ROWS:
            # a simple random sample of the rows (chosen from their values: row order does not
            # matter); on fewer rows the table reads higher, and its excess over the copies and the
            # neighbours within categories read lower (sparser), so the bracket widens, if anything
            keep = subsample_rows(np.hstack([ax, ay])[ok], BRACKET_ROWS, self.random_state)
            ok = np.flatnonzero(ok)[keep]
        if fx and fy:
            bracket = _discrete.table_bracket(ax[ok], ay[ok], self.random_state)
        else:
            lab, other, side = (ax[ok], ay[ok], "X") if fx else (ay[ok], ax[ok], "Y")
            cats, kc = _discrete.codes(lab)
            v = max(_discrete.ross_mi(other, cats, k), 0.0)
            bracket = (v, v, f"nearest neighbours within the {kc} distinct rows of {side} (Ross 2014) read {v:.4g} nats")
        if isinstance(planned, Scored):
            return planned._replace(bracket=bracket)
        lower, upper, notes = _widen_to_bracket(planned.lower, planned.upper, planned.notes, bracket)
        return dataclasses.replace(planned, lower=lower, upper=upper, notes=notes)

    def _pooled(self, ax: np.ndarray, ay: np.ndarray, policy: str, interval: bool = True) -> MIEstimate | None:
        """The estimate of :mod:`infoatlas.pooled` when the rows of both continuous sides repeat
        (finite pools, heavy ties), else None.  A sort of one column per side rules out most data
        before any validation work.  Data with few rows for the columns stay with the network and
        its check against permuted copies (:meth:`_run`)."""
        if not _pooled.is_pooled(ax, ay) or _few_rows(ax.shape[0], ax.shape[1], ay.shape[1]):
            return None
        ax, ay, n, notes = self._validated(ax, ay, policy)
        if not _pooled.is_pooled(ax, ay):  # dropped rows can change the shares
            return None
        mi, lower, upper, more = _pooled.pooled_estimate(ax, ay, random_state=self.random_state,
                                                         **({} if interval else {"reps": 0}))
        return MIEstimate(mi, lower, upper, n, ax.shape[1], ay.shape[1], ax.shape[0], tuple(notes + more))

    def _atom_split(self, ax: np.ndarray, ay: np.ndarray, policy: str, interval: bool = True,
                    k: int = 3) -> MIEstimate | None:
        """The estimate by the chain rule at a side's atoms (:mod:`infoatlas.atoms`) when one side
        is a single column with atoms (:func:`_atom_side`), else None."""
        if _atom_side(ax, ay) is None:  # on the finite values: most data leave here
            return None
        ax, ay, n, notes = self._validated(ax, ay, policy)
        side = _atom_side(ax, ay)
        if side is None:
            return None
        e = self._split_at_atoms(ax, ay, side, 8 if interval else 0, k)
        return dataclasses.replace(e, n=n, notes=tuple(notes) + e.notes)

    def _split_at_atoms(self, ax: np.ndarray, ay: np.ndarray, side: str, reps: int, k: int) -> MIEstimate:
        """I(X; Y) = I(O; B) + P(off) I(X; Y | off) for finite ax (n, dx), ay (n, dy) whose ``side``
        ("x" or "y") is one column with atoms: B the atom a row is on (or none), O the other side,
        "off" the rows off the atoms.  I(O; B) by :meth:`_label_mi` with ``reps`` half-samples, the
        second term as continuous data (pooled or network), split again at O's atoms where O is one
        column with atoms too; the interval is the sum of the parts' intervals."""
        col, other = (ax, ay) if side == "x" else (ay, ax)
        atoms = _atoms.atom_values(col[:, 0])
        b = _atoms.atom_codes(col[:, 0], atoms)
        off = b == len(atoms)
        mi_b, lo_b, hi_b, notes_b = self._label_mi(other, b, reps, k)
        ox, oy = ax[off], ay[off]
        inner = _atom_side(ox, oy)
        part = (self._split_at_atoms(ox, oy, inner, reps, k) if inner is not None else
                self._finish([self._pooled(ox, oy, "raise", reps > 0)
                              or self._many_ties_broken(ox, oy, "raise", reps > 0, k)
                              or self._scored(ox, oy, "raise")])[0])
        p = float(off.mean())
        o = "Y" if side == "x" else "X"
        note = (f"{side.upper()} has atoms, values that repeat next to continuous ones: {_atoms.describe(atoms, b)}; "
                f"by the chain rule I(X; Y) = I({o}; B) + P(off) I(X; Y | off) = {mi_b:.4g} + {p:.3f} x {part.mi:.4g} "
                f"(B: the atom a row is on, or none; the first term by {_discrete.METHODS['label_y']} or, where "
                f"{o} has atoms too, the chain rule at them; the second on the {int(off.sum())} rows off the atoms), "
                "and the interval is the sum of the two")
        return MIEstimate(mi_b + p * part.mi, lo_b + p * part.lower, hi_b + p * part.upper, ax.shape[0],
                          ax.shape[1], ay.shape[1], ax.shape[0],
                          (note,) + tuple(notes_b) + tuple(f"off the atoms: {t}" for t in part.notes))

    def _label_mi(self, other: np.ndarray, b: np.ndarray, reps: int, k: int) -> tuple:
        """(mi, lower, upper, notes) of I(O; B), O (n, d) continuous, B (n,) a label: the
        nearest-neighbour estimator of :mod:`infoatlas.discrete`, or, where O is one column with
        atoms, the chain rule at them, I(B_O; B) (contingency table) + P(off) I(O; B | off)."""
        def label(o, lab):
            mi, lo, hi, notes = _discrete.discrete_estimate(o, lab[:, None].astype(float), np.zeros(o.shape[1], bool),
                                                            np.ones(1, bool), random_state=self.random_state, k=k,
                                                            reps=reps)
            return mi, lo, hi, [t for t in notes if not t.startswith("discrete columns:")]

        atoms = _atoms.atom_values(other[:, 0]) if other.shape[1] == 1 else other[:0, 0]
        if not atoms.size:
            return label(other, b)
        bo = _atoms.atom_codes(other[:, 0], atoms)
        off = bo == len(atoms)
        t = _discrete.discrete_estimate(bo[:, None].astype(float), b[:, None].astype(float), np.ones(1, bool),
                                        np.ones(1, bool), random_state=self.random_state, reps=reps)
        c = label(other[off], b[off]) if np.unique(b[off]).size > 1 else (0.0, 0.0, 0.0, [])
        p = float(off.mean())
        return (t[0] + p * c[0], t[1] + p * c[1], t[2] + p * c[2],
                [f"the other side O has atoms too ({_atoms.describe(atoms, bo)}): I(O; B) = I(B_O; B) + P(off) "
                 f"I(O; B | off) = {t[0]:.4g} + {p:.3f} x {c[0]:.4g}, the first by {_discrete.METHODS['table']}, "
                 f"the second by {_discrete.METHODS['label_y']}"] + list(c[3]))

    def _validated(self, ax: np.ndarray, ay: np.ndarray, policy: str) -> tuple:
        """(x, y, n, notes) for the paths that read the rows themselves (discrete, pooled):
        validated, and subsampled (row-order free) above ``max_rows``; n the rows before that."""
        ax, ay, notes = validate_xy(ax, ay, nan_policy=policy)
        n = ax.shape[0]
        notes = list(notes)
        if n > self.max_rows:
            keep = subsample_rows(np.hstack([ax, ay]), self.max_rows, self.random_state)
            ax, ay = ax[keep], ay[keep]
            notes.append(f"subsampled {self.max_rows} of {n} rows")
        return ax, ay, n, notes

    def _finish(self, planned: list, progress=False, before_bound: list | None = None) -> list[MIEstimate]:
        """Run the network on the planned data sets that need it (:class:`Scored` or
        :class:`Prepared`); the others are already done.  ``before_bound``: a list that receives
        each data set's estimate before the regression bound (see :meth:`_run`)."""
        planned = list(planned)
        recheck = {i: p.recheck for i, p in enumerate(planned) if isinstance(p, Scored) and p.recheck is not None}
        self._prepare_planned(planned, [i for i, p in enumerate(planned) if isinstance(p, Scored)])
        idx = [i for i, p in enumerate(planned) if isinstance(p, Prepared)]
        pre: list = []
        done = self._run([planned[i] for i in idx], progress=progress, before_bound=pre)
        out = list(planned)
        for i, e in zip(idx, done):
            out[i] = e
        if before_bound is not None:
            before_bound[:] = [e.mi for e in out]
            for i, v in zip(idx, pre):
                before_bound[i] = v
        for i, (tx, ty) in recheck.items():
            out[i] = self._atom_recheck(out[i], tx, ty)
        return out

    def _label_reading(self, ax: np.ndarray, ay: np.ndarray, on_x: bool, policy: str, k: int,
                       interval: bool, mask: np.ndarray | None = None) -> tuple:
        """(reading, arguments of :meth:`_label_estimate`) for data where X (``on_x``) or else Y has
        one heavily tied column (:meth:`_many_ties_broken`; ax (n, dx), ay (n, dy), the other side's
        ties broken; ``mask``: that column among its side's, None: the side is that column): that
        column read as categories, in nats, by :func:`infoatlas.discrete.point_estimate` on at most
        ``LABEL_SCREEN_ROWS`` rows: nearest neighbours of the other side within its values (Ross
        2014), and beside other columns the chain rule I([C, Z]; Y) = I(C; Y) + I(Z; Y | C).

        The network reads a tied column through the order of its values, as a number, and misses
        dependence that does not follow that order: a label of 30-200 classes coded 0, 1, 2, ...
        against class means in 2-8 dimensions read 0.02-1.41 nats for 0.25-3.73 (MAE 0.18-2.93),
        where the categorical estimate erred by 0.02-0.14 (0.53 with 200 classes at n = 1,000, 5 rows
        a class; docs/experiments/coded_labels).  Both estimate the same MI, and nearest-neighbour
        estimators read low rather than high where they miss structure: :meth:`_run` takes the
        categorical estimate where its 90% interval lies clearly above the network's estimate
        (:meth:`_label_estimate`).  The network's own interval is no guide: it is wide on such data,
        and with 100 classes it covered the MI while the estimate was 1.6 nats off.  Where the
        column is a count or a rounded measurement the two readings agree and the network's is kept.
        Beside two continuous columns, a label of 50 classes against class means plus a function of
        those columns read 0.45 nats for 1.91, the interval [0.36, 0.65] (coverage 0%), where the
        chain rule read 1.41 / 1.77 at n = 1,000 / 5,000 (docs/experiments/coded_labels/beside.md).

        A side that is the column alone, with at most ``LEVELS_MAX`` values and ``LEVELS_ROWS`` rows
        per value on average, against at most ``LEVELS_OTHER_MAX`` columns, gets the reading +inf and
        the last argument ``direct`` True, without the screen: it is read as categories whatever the
        network reads (docs/experiments/label_intervals/levels.md).
        """
        vx, vy, n, notes = self._validated(ax, ay, policy)
        mask = np.ones((vx if on_x else vy).shape[1], bool) if mask is None else mask
        mx, my = (mask, np.zeros(vy.shape[1], bool)) if on_x else (np.zeros(vx.shape[1], bool), mask)
        col, other = (vx, vy) if on_x else (vy, vx)
        if (mask.size == 1 and other.shape[1] <= LEVELS_OTHER_MAX
                and _discrete.auto_discrete(col[:, 0], LEVELS_MAX, LEVELS_ROWS)):
            # few values, each on many rows (the automatic rule for discrete columns with wider
            # limits): read as categories whatever the network reads (an infinite reading passes the
            # caller's test; _label_estimate then skips its own)
            return np.inf, (vx, vy, mx, my, n, tuple(notes), k, interval, True)
        # a screen (the neighbour estimate alone, on at most LABEL_SCREEN_ROWS rows chosen from their
        # values): most such data keep the network's reading, and on all 5,000 rows with 8 columns
        # beside the label it took 24 times the network's time (with the screen 5 times: compare.md)
        keep = (subsample_rows(np.hstack([vx, vy]), LABEL_SCREEN_ROWS, self.random_state)
                if vx.shape[0] > LABEL_SCREEN_ROWS else slice(None))
        reading = max(_discrete.point_estimate(vx[keep], vy[keep], mx, my, k), 0.0)
        return reading, (vx, vy, mx, my, n, tuple(notes), k, interval, False)

    def _label_estimate(self, e: MIEstimate, reading: float, x: np.ndarray, y: np.ndarray, mask_x: np.ndarray,
                        mask_y: np.ndarray, n: int, notes: tuple, k: int, interval: bool, direct: bool = False
                        ) -> MIEstimate | None:
        """The estimate of :mod:`infoatlas.discrete` for validated x (m, dx), y (m, dy) with the tied
        column marked by ``mask_x``/``mask_y`` (its ``reading`` computed by :meth:`_label_reading`),
        in place of the network's ``e`` where its 90% interval lies clearly above e's estimate
        (lower end above ``LABEL_RATIO`` x e's estimate + ``LABEL_LOWER``), or in any case where
        ``direct`` (a column of few values on many rows: ``LEVELS_MAX``); else None.
        ``interval=False``: lower and upper NaN."""
        if not direct:
            # the choice is made on the interval whose bias term assumes a bias ~ 1/n, on which it was
            # tuned (docs/experiments/coded_labels); where the categorical reading is taken, its interval
            # is formed as the discrete path's (NN_BIAS_RATE: wider), which a choice on it would refuse
            # more often, keeping the network's reading, the one read far off (label(100) beside two
            # columns at n = 1,000: coverage 50% -> 0%; docs/experiments/label_intervals)
            lower = _discrete.discrete_estimate(x, y, mask_x, mask_y, random_state=self.random_state, k=k,
                                                bias_rate=1.0)[1]
            if not lower > LABEL_RATIO * e.mi + LABEL_LOWER:
                return None
        mi, lower, upper, more = _discrete.discrete_estimate(x, y, mask_x, mask_y, random_state=self.random_state,
                                                             k=k)
        side, mask = ("X", mask_x) if mask_x.any() else ("Y", mask_y)
        if direct:
            levels = np.unique((x if side == "X" else y)[:, 0]).size
            note = (f"{side} is one heavily tied column of {levels} values, each on {x.shape[0] / levels:.0f} rows "
                    f"on average: read as categories ({mi:.4g} [{lower:.4g}, {upper:.4g}] nats; the network, "
                    f"reading it as a number with its ties broken, read {e.mi:.4g}); discrete_{side.lower()}=True "
                    "reads it so directly")
        else:
            which = (f"{side} is one heavily tied column" if mask.all() else
                     f"{side}'s column {int(np.flatnonzero(mask)[0])} (0-based) is heavily tied")
            spec = "True" if mask.all() else f"[{int(np.flatnonzero(mask)[0])}]"
            note = (f"{which}: read as categories it gives {mi:.4g} [{lower:.4g}, "
                    f"{upper:.4g}] nats, above the network's reading of it as a number ({e.mi:.4g}): the "
                    "dependence does not follow the order of its values (a label coded as numbers?), and the "
                    f"estimate is the categorical one (discrete_{side.lower()}={spec} reads it so directly)")
        if not interval:
            lower = upper = float("nan")
        return dataclasses.replace(e, mi=mi, lower=lower, upper=upper, n=n, n_used=x.shape[0],
                                   notes=tuple(e.notes) + tuple(t for t in notes if t not in e.notes)
                                   + (note,) + tuple(more))

    def _atom_recheck(self, e: MIEstimate, tx: np.ndarray, ty: np.ndarray) -> MIEstimate:
        """``e``, read from columns with their ties at the atoms broken (:meth:`_atoms_broken`,
        tie-broken data tx (n, dx), ty (n, dy)), with its lower end set to 0 where it is above 0 by
        less than ATOM_RECHECK_LOWER nats and the network does not read the data above every one of
        ``FEW_ROWS_PERMUTATIONS`` copies with Y's rows permuted (permutation p > 0.05).  The
        network never saw such columns, and at a few hundred rows with most of them on the atoms its
        interval excluded 0 for independent data too often: three columns a side, 80-90% zeros,
        n = 300, in 3-5 of 24 data sets (docs/experiments/atom_sides/probes.md).  Weak evidence only:
        the copies cost a network pass each, and clear dependence (a larger lower end) would pass.
        The copies are drawn from the rows in a canonical order (row-order free)."""
        if not (0.0 < e.lower < ATOM_RECHECK_LOWER):
            return e
        canon = _discrete.canonical_order(np.hstack([tx, ty]))
        tx, ty = tx[canon], ty[canon]
        rng = np.random.default_rng([self.random_state, 7919, 1])
        with warnings.catch_warnings():  # the copies repeat the data's own warnings
            warnings.simplefilter("ignore")
            copies = [self._scored(tx, ty[rng.permutation(ty.shape[0])], null=False, checks=False)
                      for _ in range(FEW_ROWS_PERMUTATIONS)]
            prepared = self._prepare_scored(copies)
        reads = [self._reading(q, p.n, p.dim_x + p.dim_y)[0]
                 for p, q in zip(prepared, self.quantiles(prepared)) if q is not None]
        pval = (1 + sum(v >= e.mi for v in reads)) / (1 + len(reads))
        if not reads or pval <= 1 / (1 + len(reads)):
            return e
        note = (f"columns with atoms: the network reads {e.mi:.3g} nats, and up to {max(reads):.3g} on "
                f"{len(reads)} copies with Y's rows permuted (permutation p = {pval:.2f}): the interval's lower "
                f"end ({e.lower:.3g}) is set to 0")
        return dataclasses.replace(e, lower=0.0, notes=tuple(e.notes) + (note,))

    def _prepare_planned(self, planned: list, idx: list) -> None:
        """Replace the :class:`Scored` plans at ``idx`` by their :class:`Prepared` inputs, in place,
        in groups of at most PREPARE_VALUES score values (the batched canonical form stacks a group)."""
        group, size = [], 0
        for pos, i in enumerate(idx):
            group.append(i)
            size += planned[i].values
            if size >= PREPARE_VALUES or pos == len(idx) - 1:
                for j, p in zip(group, self._prepare_scored([planned[j] for j in group])):
                    planned[j] = p
                group, size = [], 0

    def _reading(self, qs: torch.Tensor, n: int, dims: int) -> tuple[float, float, float]:
        """(mi, lower, upper) in nats from the network's quantiles of log1p(MI), shape (Q,), of a data
        set of n rows and dims columns in all: the median and the calibrated 90% interval."""
        q_idx = list(self.cfg.quantiles)
        mid = qs[q_idx.index(0.5)]
        lo, hi = scale_interval(qs[0], mid, qs[len(q_idx) - 1], *self.interval_scale(n, dims), self.calibration.floor)
        return tuple(torch.expm1(torch.stack([mid, lo, hi]).clamp_min(0)).tolist())

    def _run(self, prepared: Sequence[Prepared], progress=False, before_bound: list | None = None) -> list[MIEstimate]:
        """Estimates of many prepared data sets: median and calibrated 90% interval, in nats.
        ``before_bound``: a list that receives each one's estimate before the regression bound
        (:func:`infoatlas.checks.regression_check`), the statistic whose permutation null
        :meth:`pairwise` shares between pairs (the bound reads the raw values, not the scores alone).

        With few rows for the columns (n <= 3 (dx + dy)) sample statistics of many columns look
        dependent even when X and Y are independent (independent 40 + 40 columns at n = 50 read
        about 2.5 nats), and the data cannot rule out MI = 0.  There the network also reads
        ``FEW_ROWS_PERMUTATIONS`` copies with Y's rows permuted (independent data of the same shape
        and margins): the estimate is the excess of the data's reading over the largest copy's, 0
        unless the data read higher than every copy (permutation p = 0.05).  A conservative
        estimate, by design: independent data get 0 in 95% of cases and a small excess otherwise;
        dependent data lose the copies' largest reading.  The interval's lower end is 0; the notes
        say which case applies.
        """
        mid_i = list(self.cfg.quantiles).index(0.5)
        # the permuted copies run in the same batches as the data: (data set, copy) -> median
        # and so do the readings of tied data (see _tie_broken): (data set, its tied data) -> median
        nulls = [(i, c) for i, p in enumerate(prepared) for c in (p.null or [])]
        tied = [(i, p.tied) for i, p in enumerate(prepared) if p.tied is not None]
        qs_all = self.quantiles(list(prepared) + [c for _, c in nulls + tied], progress)
        null_mid: dict[int, list] = {}
        for (i, _), q in zip(nulls, qs_all[len(prepared):]):
            if q is not None:
                null_mid.setdefault(i, []).append(float(torch.expm1(q[mid_i].clamp_min(0))))
        tied_read = {i: self._reading(q, prepared[i].n, prepared[i].dim_x + prepared[i].dim_y)
                     for (i, _), q in zip(tied, qs_all[len(prepared) + len(nulls):]) if q is not None}
        out = []
        for i, (p, qs) in enumerate(zip(prepared, qs_all[: len(prepared)])):
            if qs is None:
                out.append(MIEstimate(0.0, 0.0, 0.0, p.n, p.dim_x, p.dim_y, 0, p.notes))
                if before_bound is not None:
                    before_bound.append(0.0)
                continue
            mi, lower, upper = self._reading(qs, p.n, p.dim_x + p.dim_y)
            notes = p.notes
            if _few_rows(p.n, p.dim_x, p.dim_y):
                lower = 0.0
                head = f"few rows for the columns (n = {p.n} <= {FEW_ROWS_PER_COLUMN} x {p.dim_x + p.dim_y})"
                null = null_mid.get(i)
                if null:
                    pval = (1 + sum(v >= mi for v in null)) / (1 + len(null))
                    top = max(null)
                    if pval > 1 / (1 + len(null)):
                        notes = notes + (f"{head}: the network reads {mi:.3g} nats, and up to {top:.3g} on copies "
                                         f"with Y's rows permuted (permutation p = {pval:.2f}): no evidence of "
                                         "dependence, the estimate is 0 and the interval is widened to include 0",)
                        mi = 0.0
                    else:
                        notes = notes + (f"{head}: the network reads {mi:.3g} nats, above all {len(null)} copies with "
                                         f"Y's rows permuted (largest {top:.3g}); the estimate is the excess over "
                                         "the largest (conservative), and the interval is widened to include 0",)
                        mi = max(mi - top, 0.0)
                    upper = max(upper, mi)
                else:
                    notes = notes + (f"{head}: the estimate is unreliable and the interval is widened to include 0",)
            if p.scores is not None and not _few_rows(p.n, p.dim_x, p.dim_y):
                mi, lower, upper, notes = _checks.check_reading(p.scores, mi, lower, upper, notes, p.joint_ksg)
            if before_bound is not None:
                before_bound.append(mi)
            if p.regression is not None and not p.near_copy:  # None with few rows for the columns (_scored)
                mi, lower, upper, notes = _checks.regression_check(p.regression, mi, lower, upper, notes)
            if p.near_copy:
                # the MI of (nearly) linear copies is at least 5.4 nats (COPY_RHO), infinite for exact
                # copies, and the data bound it from below only: at n = 5,000 Y = X read 7.50 [7.23, 8.26],
                # Y = X + 0.001 N (6.9 nats) 7.16 [6.91, 7.74] and Y = A X (3 columns) 9.77 [8.76, 10.81]
                # (docs/experiments/real_shapes/copies.md)
                upper = np.inf
                notes = notes + ("the interval's upper end is infinite: the data do not bound the MI of (nearly) "
                                 "copies from above",)
            # a label coded as numbers? (see _label_reading)
            if p.labels is not None and p.labels[0] > LABEL_RATIO * mi + LABEL_LOWER:
                cat = self._label_estimate(MIEstimate(mi, lower, upper, p.n, p.dim_x, p.dim_y, p.n_used, notes),
                                           p.labels[0], *p.labels[1])
                if cat is not None:
                    out.append(cat)
                    continue
            if i in tied_read:  # down to the tied reading's lower end, up to its median (see _tie_broken)
                v, v_low, _ = tied_read[i]
                lower, upper, notes = _widen_to_bracket(lower, upper, notes, (
                    v_low, v, f"the network reads {mi:.4g} nats with their ties broken at random (the estimate) "
                              f"and {v:.4g} (lower end {v_low:.4g}) with the ties kept"))
            if p.bracket is not None:
                lower, upper, notes = _widen_to_bracket(lower, upper, notes, p.bracket)
            if p.bound is not None:
                mi, lower, upper, notes = _clip_to_bound(mi, lower, upper, notes, p.bound)
            out.append(MIEstimate(mi, lower, upper, p.n, p.dim_x, p.dim_y, p.n_used, notes))
        return out

    # ------------------------------------------------------------------ public API
    def estimate(self, x, y, *, discrete_x="auto", discrete_y="auto", nan_policy: str | None = None,
                 n_neighbors: int = 3) -> MIEstimate:
        """Estimate I(X; Y) in nats.

        Parameters
        ----------
        x : array-like, shape (n,) or (n, dx)
        y : array-like, shape (n,) or (n, dy)
        discrete_x, discrete_y : "auto", bool, boolean mask or column indices (or names)
            Which columns are discrete (labels, categories, counts), as scikit-learn's
            ``discrete_features``.  "auto": booleans, strings, categoricals, and numeric columns with
            at most 20 distinct values and at least 5 rows per value (the rule is in
            :func:`infoatlas.discrete.auto_discrete`; what it decided is in ``notes``); several such
            numeric columns on a side are discrete together only when their joint values obey the
            same rule, else they are read as numbers with their ties broken at random (the MI is
            unchanged: :func:`infoatlas.discrete.break_ties`) and the interval is widened to cover the
            network's reading with the ties kept and the categorical estimators' readings
            (:func:`infoatlas.discrete.auto_joint`).  A side mixing discrete and continuous columns
            is split by the chain rule, checked against copies with Y's rows permuted where its
            categories are small (:func:`infoatlas.discrete.chain_check`).  Both sides
            continuous: the pretrained network, or, when both sides repeat their rows (each at most
            half as many distinct rows as rows: pools, heavy ties), KSG on the rows with copies
            moved apart (:mod:`infoatlas.pooled`; the notes say so); otherwise :mod:`infoatlas.discrete`.
            Whole rows repeated as copies of records (a bootstrap resample, rows appended twice) are
            read once each (:func:`infoatlas.pooled.copied_records`; the notes say so).  A side that
            is one continuous column with atoms (a value in 1% of the rows or more next to distinct
            values: zero-inflated, censored) is split at its atoms by the chain rule, and the other
            side at its own where it is one such column too (:mod:`infoatlas.atoms`; the notes say so);
            where a side has several such columns, the ties at their atoms are broken at random
            before the network (or the pooled estimator) reads them (the MI is unchanged; the notes
            say so).  A side that is one heavily tied column of more than 20 values is also read as
            categories (:meth:`_label_reading`): that reading replaces the network's where it is
            clearly higher (a label coded as numbers), or in any case where the column has at most
            ``LEVELS_MAX`` values with ``LEVELS_ROWS`` rows each on average and the other side at
            most ``LEVELS_OTHER_MAX`` columns (hour of day, age in years; the notes say so).
        nan_policy : {"raise", "omit"}, optional (default: the estimator's)
        n_neighbors : neighbours of the nearest-neighbour estimators (discrete paths only)

        Returns
        -------
        MIEstimate with ``mi`` and a 90% interval ``[lower, upper]`` in nats.
        """
        return self._finish([self.plan(x, y, discrete_x, discrete_y, nan_policy, n_neighbors)])[0]

    def estimate_batch(self, pairs: Iterable[tuple], *, progress: bool = True, discrete_x="auto",
                       discrete_y="auto", nan_policy: str | None = None) -> list[MIEstimate]:
        """Estimate many data sets (different n and dims allowed); those with two continuous sides
        are batched through the network.

        ``pairs``: iterable of (x, y); ``discrete_x``, ``discrete_y`` apply to every pair (see
        :meth:`estimate`).  Returns one :class:`MIEstimate` per pair, in order.
        """
        planned, waiting, size = [], [], 0
        for i, item in enumerate(pairs):
            if not (isinstance(item, (tuple, list)) and len(item) == 2):
                raise ValueError(f"pairs[{i}] must be an (x, y) pair, got {type(item).__name__}"
                                 + (f" of length {len(item)}" if isinstance(item, (tuple, list)) else ""))
            planned.append(self.plan(item[0], item[1], discrete_x, discrete_y, nan_policy))
            if isinstance(planned[-1], Scored):
                # prepared as groups fill up, so that the scores of at most one group are held at once
                waiting.append(i)
                size += planned[-1].values
                if size >= PREPARE_VALUES:
                    self._prepare_planned(planned, waiting)
                    waiting, size = [], 0
        return self._finish(planned, progress=progress)

    def pairwise(self, data, columns=None, *, discrete="auto", p_values: bool = False, n_permutations: int = 999,
                 p_adjust: str | None = None, client=None, progress: bool = True, method: str = "network",
                 block_length: int | None = None):
        """Mutual information between all columns, or between named groups of columns.

        Parameters
        ----------
        data : array-like (n, p) or pandas DataFrame
        columns : None, or a dict {group name: list of column names/indices}
            None: every column is its own variable.
        discrete : which columns of ``data`` are discrete, as ``discrete_x`` of :meth:`estimate`.
        p_values : also return permutation p-values of independence for every pair
            (:func:`infoatlas.independence_test` with ``n_permutations``; pairs of two untied
            continuous columns share one null, so they cost little more than the MI itself, and are
            tested on their reading without the regression bound, as that test's statistic is).
        p_adjust : None or "bh": Benjamini-Hochberg adjustment over the pairs.
        block_length : None, or int >= 1 (with ``p_values``)
            Rows that are a series (time order): every pair's p-value from
            :func:`infoatlas.independence_test` with ``block_length`` (circular shifts of one
            variable by at least that many rows, the network's statistic, ``n_permutations`` readings
            per pair), and the rows kept in their order (copies of records are not dropped).  Without
            it, a warning says when two variables look like series, for which row permutations give
            p-values that are too small.
        client : None, or a ``dask.distributed.Client``: the blocks of pairs are computed on its
            workers (the network sent once to each, the data once to each; results come back as
            blocks finish).  The matrix is the same as without a client.  Needs ``infoatlas[dask]``.
        method : "network" (default) or "fast"
            "network": every pair as :meth:`estimate` would read it, with its checks against KSG on
            all rows (columns that still have ties read with them broken) and its regression bound
            (docs/experiments/pairwise_checks: about 1.8x the time of the reading without them on 30
            columns); a group of several columns with a discrete, heavily tied or atom column is
            planned pair by pair as :meth:`estimate` plans it (few-valued columns of many joint values
            read as numbers, ties broken; a group with a column of strings keeps ``discrete``'s mask
            instead of the automatic rule).  Copies of records are dropped once for all columns
            and rows subsampled once, not per pair.  "fast": pairs of two single
            continuous, non-constant columns with at least 20 rows are read by the pair-screening
            model (:mod:`infoatlas.fastpairs`: rank statistics -> a small MLP), tens of times
            faster than the network and about as accurate on the atlas's held-out 1+1 families (see
            the README's pairwise table); repeated values are ranked with ties broken at random
            (seeded by ``random_state``).  Pairs with a discrete column or a multi-column group
            take the discrete or network path.  At most 20,000 rows are read (a random subsample
            above that).

        Returns
        -------
        (g, g) symmetric matrix in nats.  The diagonal is the entropy of a group whose columns are
        all discrete (its MI with itself), NaN otherwise (the self-information of a continuous
        variable is infinite).  A pandas DataFrame when ``data`` is a DataFrame or groups are named.
        With ``p_values=True``: (MI matrix, p-value matrix), the p-value diagonal NaN.
        """
        if p_adjust not in (None, "bh"):
            raise ValueError(f"p_adjust must be None or 'bh', got {p_adjust!r}")
        if method not in ("network", "fast"):
            raise ValueError(f"method must be 'network' or 'fast', got {method!r}")
        if block_length is not None:
            block_length = check_int(block_length, "block_length", 1)
            if not p_values:
                raise ValueError("block_length applies to the p-values: pass p_values=True")
        is_df = hasattr(data, "columns") and hasattr(data, "iloc")
        arr, cat, names = as_2d_typed(data, "data")
        disc = _discrete.discrete_mask(discrete, arr, "data", cat, names)
        if names is None:
            names = [str(j) for j in range(arr.shape[1])]
        if columns is None:
            groups = {nm: [j] for j, nm in enumerate(names)}
        else:
            if not hasattr(columns, "items"):
                raise TypeError("columns must be None or a dict {group name: list of columns}")
            lookup = {nm: j for j, nm in enumerate(names)}
            groups = {}
            for g, cols in columns.items():
                idx = []
                for c in ([cols] if isinstance(cols, (str, int, np.integer)) else cols):
                    if isinstance(c, (int, np.integer)) and not isinstance(c, bool) and not is_df:
                        if not 0 <= c < arr.shape[1]:
                            raise ValueError(f"column {c} of group {g!r} is out of range: data has "
                                             f"{arr.shape[1]} columns")
                        idx.append(int(c))
                    elif str(c) in lookup:
                        idx.append(lookup[str(c)])
                    else:
                        raise ValueError(f"column {c!r} of group {g!r} not found in data")
                if not idx:
                    raise ValueError(f"group {g!r} names no column")
                groups[str(g)] = idx
        if len(groups) < 2:
            raise ValueError(f"pairwise needs at least two variables; got {len(groups)}")
        x_all, _, notes = validate_xy(arr, arr[:, :1], nan_policy=self.nan_policy)
        if p_values and block_length is None:
            _warn_serial_groups(x_all, disc, list(groups.values()))
        # copies of records, as estimate() reads them: a continuous column identifies the record (a
        # series keeps its rows and their order, as in independence_test)
        keep, copies = (None, ()) if block_length is not None else \
            _kept_copies(x_all, [[j] for j in np.flatnonzero(~disc)])
        if keep is not None:
            x_all, notes = x_all[keep], copies + tuple(notes)
        n = x_all.shape[0]
        if block_length is not None and n < 2 * block_length + 1:
            raise ValueError(f"block_length = {block_length} needs at least {2 * block_length + 1} rows; got {n}")
        max_rows = min(self.max_rows, FAST_MAX_ROWS) if method == "fast" else self.max_rows
        if n > max_rows:
            rows = subsample_rows(x_all, max_rows, self.random_state)
            x_all = x_all[np.sort(rows) if block_length is not None else rows]  # a series: in its order
            notes = notes + (f"subsampled {max_rows} of {n} rows",)
            n = max_rows
        fast = None
        if method == "fast" and n >= _fastpairs.MIN_ROWS:
            # the columns the pair model reads: continuous and not constant; ties broken at random,
            # by a generator fixed by the estimator's seed (the same input gives the same matrix)
            untied = _fastpairs.untied_columns(x_all)  # their p-values share one null per n
            ok = np.flatnonzero(~disc & (np.ptp(x_all, axis=0) > 0))
            slot = np.full(x_all.shape[1], -1)
            slot[ok] = np.arange(ok.size)
            fast = {"slot": slot, "untied": untied, "model": self.pair_model,
                    "cols": _fastpairs.prepare_columns(x_all, ok, tie_rng=np.random.default_rng([self.random_state, 5381]))}
        constant = np.zeros(x_all.shape[1], bool)
        labelish = np.zeros(x_all.shape[1], bool)  # heavily tied columns that are groups by themselves
        atoms_cache: dict = {}  # column -> whether it has atoms, found at most once per call
        by_plan = np.zeros(x_all.shape[1], bool)  # columns whose groups' pairs are planned as estimate() plans them
        if fast is not None and all(len(c) == 1 for c in groups.values()) and (fast["slot"] >= 0)[~disc].all():
            zfull = vfull = None  # every continuous pair goes to the pair model: no copula scores needed
        else:
            # rank each continuous column once; a column with atoms that is a group by itself is split
            # at them in every pair (_atom_pair, which reads the same per-column cache), so its ties are
            # not the warning's "read as continuous"
            cont = np.flatnonzero(~disc)
            alone = {cols[0] for cols in groups.values() if len(cols) == 1}
            # heavily tied columns with more than 20 values are read with their ties broken, as
            # estimate() reads them (_many_ties_broken); the pooled and atom routes read x itself
            # (columns that are groups by themselves: a group of several may be a pool, see
            # _pool_side, and its columns are shared with the other groups' copula scores)
            xc = x_all[:, ~disc]
            in_many = {j for cols in groups.values() if len(cols) > 1 for j in cols}
            own = np.array([int(j) in alone and int(j) not in in_many for j in cont], bool)
            tied = _discrete.tied_columns(xc)
            tied_own = tied & own
            # a group of several columns with a discrete, heavily tied or atom column is read pair by
            # pair as estimate() reads it (_planned_pair): how such a side is read depends on all its
            # columns together (few-valued columns of many joint values are read as numbers, the ties
            # of heavily tied and atom columns are broken), which one set of scores per column cannot give
            tied_col = np.zeros(x_all.shape[1], bool)
            tied_col[cont] = tied
            for j in in_many if PLAN_GROUPS else ():
                by_plan[j] = disc[j] or tied_col[j] or self._has_atoms(x_all, atoms_cache, int(j))
            labelish[cont[tied_own]] = True  # read as categories too where clearly higher (_label_reading)
            xc = _discrete.break_ties(xc, xc[:, :0], tied_own, np.zeros(0, bool), self.random_state, stream=2)[0]
            z, const = copula_normal(xc, "data", ties_handled=lambda j: by_plan[cont[j]] or (
                int(cont[j]) in alone and self._has_atoms(x_all, atoms_cache, int(cont[j]))))
            zfull = np.full(x_all.shape, np.nan)
            zfull[:, ~disc] = z
            constant[~disc] = const
            # the values the scores rank (the ties above broken), which the regression bound reads
            vfull = x_all
            if tied_own.any():
                vfull = x_all.copy()
                vfull[:, ~disc] = xc
        gnames = list(groups)
        g = len(gnames)
        n_pairs = g * (g - 1) // 2
        # the pairs (a < b) are generated block by block, never listed: 10,000 columns are 5e7 pairs
        where = partial(itertools.combinations, range(g), 2)
        mat = np.full((len(gnames), len(gnames)), np.nan)
        bar = None
        if progress and n_pairs > PAIR_BLOCK:
            from tqdm.auto import tqdm

            bar = tqdm(total=n_pairs, desc="infoatlas pairs", unit="pair")
        # blocks of pairs: the prepared inputs of one block at a time (memory bounded by the block,
        # not by the number of pairs), each block's continuous pairs prepared as batches
        size = PAIR_BLOCK
        if client is not None:  # at least about 4 blocks per worker, so that every worker has work
            size = max(16, min(PAIR_BLOCK, -(-n_pairs // (4 * max(1, len(client.scheduler_info()["workers"]))))))
        blocks = _blocks(where(), size)
        data = {"x": x_all, "z": zfull, "v": vfull, "constant": constant, "disc": disc,
                "groups": [groups[g] for g in gnames], "n": n, "notes": notes, "fast": fast, "atoms": atoms_cache,
                "labelish": labelish, "by_plan": by_plan, "categorical": np.zeros(arr.shape[1], bool) if cat is None
                else np.asarray(cat, bool), "auto": isinstance(discrete, str) and discrete == "auto"}
        if client is not None:
            from .distributed import pairwise_blocks

            done = pairwise_blocks(client, self, data, blocks)
        else:
            done = ((block, self._pair_block(data, block)) for block in blocks)
        statistics = {}  # (a, b) -> the reading before the regression bound, where the bound raised it
        for block, (values, before) in done:
            for (a, b), v in zip(block, values):
                mat[a, b] = mat[b, a] = v
            statistics.update({block[i]: v for i, v in before.items()})
            if bar is not None:
                bar.update(len(block))
        if bar is not None:
            bar.close()
        for a, g in enumerate(gnames):
            if disc[groups[g]].all():
                mat[a, a] = _discrete.side_entropy(x_all[:, groups[g]])
        pmat = self._pair_p_values(x_all, groups, gnames, disc, mat, where, n_permutations, p_adjust,
                                   fast=data["fast"], block_length=block_length,
                                   statistics=statistics) if p_values else None
        if is_df or columns is not None:
            import pandas as pd

            mat = pd.DataFrame(mat, index=gnames, columns=gnames)
            pmat = None if pmat is None else pd.DataFrame(pmat, index=gnames, columns=gnames)
        return (mat, pmat) if p_values else mat

    def _pair_block(self, data: dict, block) -> tuple[list[float], dict]:
        """MI (nats) of the pairs (a, b) of a block of :meth:`pairwise`, and {position in the block:
        the reading before the regression bound} for the pairs whose reading the bound raised (the
        statistic that their p-values test, see :meth:`_pair_p_values`); ``data`` holds the rows
        (x), the continuous columns' copula scores (z) and the values they rank (v), the constant and
        discrete masks and the groups' column indices, all computed once per call."""
        groups, x_all, disc, n = data["groups"], data["x"], data["disc"], data["n"]
        live = [[j for j in g if not data["constant"][j]] for g in groups]
        planned: list = [None] * len(block)
        items, at = [], []
        fast, fast_at = data.get("fast"), []
        for i, (a, b) in enumerate(block):
            ia, ib = groups[a], groups[b]
            if fast is not None and len(ia) == len(ib) == 1 and fast["slot"][ia[0]] >= 0 and fast["slot"][ib[0]] >= 0:
                fast_at.append(i)
            elif (len(ia) > 1 or len(ib) > 1) and data["by_plan"][ia + ib].any():
                planned[i] = self._planned_pair(data, ia, ib)
            elif disc[ia].any() or disc[ib].any():  # reps=0: the matrix holds estimates, not intervals
                mi, lo, hi, more = _discrete.discrete_estimate(x_all[:, ia], x_all[:, ib], disc[ia], disc[ib],
                                                               random_state=self.random_state, reps=0)
                planned[i] = MIEstimate(mi, lo, hi, n, len(ia), len(ib), x_all.shape[0], tuple(more))
            elif self._pooled_pair(data, ia, ib):  # as estimate() reads them
                mi, lo, hi, more = _pooled.pooled_estimate(x_all[:, ia], x_all[:, ib], random_state=self.random_state,
                                                           reps=0)
                planned[i] = MIEstimate(mi, lo, hi, n, len(ia), len(ib), x_all.shape[0], tuple(more))
            elif (side := self._atom_pair(data, ia, ib)) is not None:  # as estimate() reads them
                planned[i] = self._split_at_atoms(x_all[:, ia], x_all[:, ib], side, 0, 3)
            else:
                items.append((data["z"][:, live[a]], data["z"][:, live[b]], n, len(ia), len(ib), data["notes"]))
                at.append(i)
        for i, it, p in zip(at, items, self.featurizer.prepare_many(items, max_chunks=self.max_chunks,
                                                                    random_state=self.random_state)):
            ia, ib = groups[block[i][0]], groups[block[i][1]]
            # as estimate() reads the pair; a group whose first column has many values cannot repeat
            # its rows, and that is known per column, so most pairs skip the sorts
            if p.inputs is not None and (self._few_values(data, ia[0]) or self._few_values(data, ib[0])):
                # on the values themselves: the copula scores of tie-broken columns no longer repeat
                p.bound = _pooled.repeat_bound(x_all[:, live[block[i][0]]], x_all[:, live[block[i][1]]])
            if p.inputs is not None:
                # the checks and the regression bound as estimate() reads them (_scored)
                va, vb = data["v"][:, live[block[i][0]]], data["v"][:, live[block[i][1]]]
                checked, p.regression = _check_inputs(va, vb, it[0], it[1], _few_rows(n, len(ia), len(ib)),
                                                      self.random_state)
                _keep_scores(p, *checked)
                # a heavily tied column alone on a side may be a label coded as numbers, as in estimate()
                lab = [len(g) == 1 and data["labelish"][g[0]] for g in (ia, ib)]
                if any(lab):
                    p.labels = self._label_reading(x_all[:, ia], x_all[:, ib], lab[0], "raise", 3, False)
            planned[i] = p
        out = [None] * len(block)
        if fast_at:
            slot = fast["slot"]
            a = [slot[groups[block[i][0]][0]] for i in fast_at]
            b = [slot[groups[block[i][1]][0]] for i in fast_at]
            for i, v in zip(fast_at, fast_pair_mi(fast["model"], fast["cols"], a, b)):
                out[i] = float(v)
        rest = [i for i in range(len(block)) if out[i] is None]
        pre: list = []
        done = self._finish([planned[i] for i in rest], before_bound=pre)
        before = {}
        for i, e, v in zip(rest, done, pre):
            out[i] = e.mi
            if v != e.mi:
                before[i] = v
        return out, before

    def _planned_pair(self, data: dict, ia: list, ib: list):
        """The plan (:meth:`plan`, a :class:`Scored` or a finished :class:`MIEstimate`) of the groups
        ia and ib of :meth:`pairwise`, as :meth:`estimate` plans them: under ``discrete="auto"``
        the automatic rule reads the groups' columns (a group with a column of strings keeps the
        call's discrete mask, as the values here are its codes); otherwise the call's mask."""
        x = data["x"]
        auto = data["auto"] and not data["categorical"][ia + ib].any()
        kinds = ("auto", "auto") if auto else (data["disc"][ia], data["disc"][ib])
        with warnings.catch_warnings():  # the data's warnings were given once, for all columns
            warnings.simplefilter("ignore")
            return self.plan(x[:, ia], x[:, ib], *kinds, interval=False)

    @staticmethod
    def _has_atoms(x: np.ndarray, cache: dict, j: int) -> bool:
        """Whether column j of :meth:`pairwise`'s finite data x has atoms, kept in ``cache``."""
        if j not in cache:
            cache[j] = bool(_atoms.atom_values(x[:, j]).size)
        return cache[j]

    @staticmethod
    def _atom_pair(data: dict, ia: list, ib: list) -> str | None:
        """:func:`_atom_side_of` for the groups ia and ib of :meth:`pairwise`, from each column's
        atoms, found once per call (``data["atoms"]``; ``data["x"]`` is finite)."""
        return _atom_side_of(ia, ib, lambda j: InfoAtlas._has_atoms(data["x"], data["atoms"], j))

    @staticmethod
    def _pooled_pair(data: dict, ia: list, ib: list) -> bool:
        """Whether the groups ia and ib of :meth:`pairwise` both repeat their rows (see
        :func:`infoatlas.pooled.is_pooled`).  Whether a group's first column has few enough distinct
        values for that is kept in ``data`` (one sort per column per call, not one per pair)."""
        if _few_rows(data["n"], len(ia), len(ib)):
            return False
        if not (InfoAtlas._few_values(data, ia[0]) and InfoAtlas._few_values(data, ib[0])):
            return False
        return _pooled.is_pooled(data["x"][:, ia], data["x"][:, ib])

    @staticmethod
    def _few_values(data: dict, j: int) -> bool:
        """Whether column j of :meth:`pairwise`'s data has at most POOLED_SHARE n distinct values, so
        that a group led by it may repeat its rows (kept in ``data``: one sort per column per call)."""
        few = data.setdefault("few_values", {})
        if j not in few:
            few[j] = np.unique(data["x"][:, j]).size <= _pooled.POOLED_SHARE * data["n"]
        return few[j]

    def _pair_p_values(self, x_all, groups, gnames, disc, mat, where, n_permutations, p_adjust, fast=None,
                       block_length=None, statistics=None):
        """Permutation p-values of the pairs of :meth:`pairwise` (see there); with ``fast`` (the
        fast method's columns) the one-column pairs of continuous columns were read by the pair model,
        so their null is that model's: one null per n for untied pairs, a null of their own for
        pairs with ties.  With ``block_length`` every pair is tested by circular shifts.
        ``statistics``: {(a, b): the reading before the regression bound} where the bound raised it;
        the one null per n shared by untied pairs of single columns is that of the reading without
        the bound (:func:`infoatlas.independence.rank_null`), so such a pair is tested on that."""
        from .independence import (benjamini_hochberg, fast_pair_null, fast_rank_null, independence_test,
                                   permutation_p_value, rank_null)

        n = x_all.shape[0]
        pmat = np.full(mat.shape, np.nan)
        # a single continuous column without repeated values (decided once per column, not per pair)
        untied_col = (~disc & fast["untied"]) if fast is not None else \
            np.array([not disc[j] and np.unique(x_all[:, j]).size == n for j in range(x_all.shape[1])])
        g = mat.shape[0]
        ps = np.empty(g * (g - 1) // 2)  # in the order of where(): 8 bytes a pair (a list of floats took ~4x that)
        for i, (a, b) in enumerate(where()):
            ia, ib = groups[gnames[a]], groups[gnames[b]]
            xa, xb = x_all[:, ia], x_all[:, ib]
            if block_length is not None:
                p = independence_test(xa, xb, n_permutations=n_permutations, random_state=self.random_state,
                                      discrete_x=disc[ia], discrete_y=disc[ib], model=self,
                                      block_length=block_length).p_value
            elif len(ia) == len(ib) == 1 and untied_col[ia[0]] and untied_col[ib[0]]:  # the statistic's null depends on n alone: one null for all such pairs
                null = (fast_rank_null(fast["model"], n, n_permutations, self.random_state) if fast is not None
                        else rank_null(self, n, n_permutations, self.random_state))
                p = permutation_p_value((statistics or {}).get((a, b), mat[a, b]), null)
            elif fast is not None and len(ia) == len(ib) == 1 and fast["slot"][ia[0]] >= 0 and fast["slot"][ib[0]] >= 0:
                p = permutation_p_value(mat[a, b], fast_pair_null(fast["model"], xa[:, 0], xb[:, 0], n_permutations,
                                                                   self.random_state))
            else:
                p = independence_test(xa, xb, n_permutations=n_permutations, random_state=self.random_state,
                                      discrete_x=disc[ia], discrete_y=disc[ib], model=self).p_value
            ps[i] = p
        if p_adjust == "bh" and ps.size:
            ps = benjamini_hochberg(ps)
        for (a, b), p in zip(where(), ps):
            pmat[a, b] = pmat[b, a] = p
        return pmat


# ---------------------------------------------------------------------- module-level functions

def _blocks(pairs, size: int):
    """Consecutive lists of at most ``size`` items of the iterator ``pairs``, drawn as needed."""
    while block := list(itertools.islice(pairs, size)):
        yield block


@torch.no_grad()
def fast_pair_mi(pair_model, cols, a, b) -> np.ndarray:
    """MI (nats, (P,)) of the pairs (a[i], b[i]) of prepared columns
    (:func:`infoatlas.fastpairs.prepare_columns`) read by the pair-screening network: its median."""
    if len(a) == 0:
        return np.zeros(0)
    feats = torch.from_numpy(_fastpairs.pair_features(cols, a, b))          # (P, F)
    q = pair_model(feats)                                                   # (P, Q) log1p(MI)
    return torch.expm1(q[:, pair_model.mid].clamp_min(0)).numpy().astype(np.float64)


_DEFAULT: dict = {}


def _default_estimator(random_state=None) -> InfoAtlas:
    if "model" not in _DEFAULT:
        _DEFAULT["model"] = load_model(None)
    model, meta = _DEFAULT["model"]
    return InfoAtlas(model, meta, random_state=random_state)


def estimate(x, y, *, discrete_x="auto", discrete_y="auto", random_state=None, nan_policy: str = "raise",
             model=None) -> MIEstimate:
    """Estimate I(X; Y) with the shipped model; returns an :class:`MIEstimate` (nats).

    ``float(estimate(x, y))`` is the point estimate.  ``discrete_x``, ``discrete_y``: which columns
    are discrete (see :meth:`InfoAtlas.estimate`).  ``model``: a path to other weights.
    """
    est = _default_estimator(random_state) if model is None else InfoAtlas.from_pretrained(
        model, random_state=random_state)
    return est.estimate(x, y, discrete_x=discrete_x, discrete_y=discrete_y, nan_policy=nan_policy)


def mutual_info(x, y, *, discrete_x="auto", discrete_y="auto", base: float = math.e, random_state=None) -> float:
    """Mutual information I(X; Y) as a float: nats by default, bits with ``base=2``.

    x : (n,) or (n, dx); y : (n,) or (n, dy); numpy, pandas, torch or lists.

    >>> import numpy as np, infoatlas
    >>> rng = np.random.default_rng(1)
    >>> x = rng.standard_normal((1000, 2)); y = x[:, :1] + 0.5 * rng.standard_normal((1000, 1))
    >>> infoatlas.mutual_info(x, y) > 0.5
    True
    """
    if isinstance(base, bool) or not isinstance(base, (int, float, np.integer, np.floating)):
        raise TypeError(f"base must be a number (e.g. 2 for bits, math.e for nats), got {base!r}")
    if not (math.isfinite(base) and base > 0 and base != 1):
        raise ValueError(f"base must be finite, positive and not 1, got {base!r}")
    return float(estimate(x, y, discrete_x=discrete_x, discrete_y=discrete_y,
                          random_state=random_state).mi / math.log(base))


def mutual_info_score(X, y, *, random_state=None) -> np.ndarray:
    """Deprecated: use :func:`infoatlas.sklearn.mutual_info_regression` (or ``mutual_info_classif``
    for a class label), which have scikit-learn's signatures.  The name clashes with
    ``sklearn.metrics.mutual_info_score``, which compares two label vectors."""
    import warnings

    from .sklearn import mutual_info_regression

    warnings.warn("infoatlas.mutual_info_score is deprecated; use infoatlas.sklearn.mutual_info_regression "
                  "(or infoatlas.sklearn.mutual_info_classif for a class label)", DeprecationWarning, stacklevel=2)
    return mutual_info_regression(X, y, random_state=random_state)


def mutual_info_torch(x: torch.Tensor, y: torch.Tensor, *, tau: float = 0.05,
                      model: InfoAtlas | None = None) -> torch.Tensor:
    """Differentiable MI estimate (nats, 0-dim tensor) that keeps the autograd graph.

    x : (n, dx) or (n,); y : (n, dy) or (n,), float tensors (n up to a few thousand).

    What is differentiable: the copula uses soft ranks (sigmoid comparisons with temperature
    ``tau`` in units of each column's standard deviation; O(n^2 d) memory), then whitening, the
    canonical correlations and the network are differentiated exactly.  What is not: the SVD
    rotations to canonical coordinates are treated as constants (their gradients are unstable at
    repeated correlations), the network reads at most ``rows_per_pass`` rows (the first ones), and a
    refinement head's kNN statistics (if the model has one) are constants.  The estimator's checks
    against KSG on all rows (:mod:`infoatlas.checks`) are not applied: the value is the network's own
    reading, which can be far lower on dependence the network misses (a noisy ring).
    The value is close to, not identical with, :func:`mutual_info` (soft vs hard ranks).
    """
    est = model or _default_estimator()
    x, y = _torch_side(x, "x"), _torch_side(y, "y")
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"x and y must have the same number of rows; got {x.shape[0]} and {y.shape[0]}")
    if x.shape[0] < MIN_SAMPLES:
        raise ValueError(f"need at least {MIN_SAMPLES} samples; got {x.shape[0]}")
    if not (isinstance(tau, (int, float)) and math.isfinite(tau) and tau > 0):
        raise ValueError(f"tau must be a positive number, got {tau!r}")
    # constant columns carry no information (and would divide by 0 in the soft ranks): dropped; a
    # constant side gives MI 0, kept in the graph with a zero gradient
    x, y = x[:, x.detach().std(0) > 0], y[:, y.detach().std(0) > 0]
    if x.shape[1] == 0 or y.shape[1] == 0:
        return (x.sum() + y.sum()) * 0.0
    inp = est.featurizer.differentiable(x, y, tau)
    q = est.model(**{k: v.to(est.device) for k, v in inp.items()})
    mid = q[0, list(est.cfg.quantiles).index(0.5)]
    return torch.expm1(torch.nn.functional.softplus(mid, beta=20.0))


def _torch_side(a, name: str) -> torch.Tensor:
    """One side of :func:`mutual_info_torch` as a real (n, d) tensor with finite values; array-likes
    are converted (without a gradient)."""
    if not isinstance(a, torch.Tensor):
        a = torch.as_tensor(as_2d(a, name))
    if a.is_complex():
        raise TypeError(f"{name} must be a real tensor, got {a.dtype}")
    if not a.is_floating_point():
        a = a.double()
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2:
        raise ValueError(f"{name} must have shape (n,) or (n, d); got {a.ndim}-D shape {tuple(a.shape)}")
    if a.numel() == 0:
        raise ValueError(f"{name} is empty (shape {tuple(a.shape)})")
    if not torch.isfinite(a.detach()).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return a
