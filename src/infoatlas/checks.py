"""Checks of the network's reading against KSG on all rows, for dependence the network misses.

The network reads at most a few chunks of ``rows_per_pass`` rows through a canonical form (whitening,
canonical correlation pairs), and some dependence shows better in all rows and in the columns as
given, where KSG (Kraskov et al. 2004, k = 3) on the copula scores of a pair of columns reads it:

* strong non-monotone dependence with one column a side (Y = f(X) + small noise; the held-out
  family functional_noise; docs/experiments/strong_pairs);
* weak dependence of shapes the atlas lacks (a noisy ring, y = sin 5x + N: no correlation, no
  monotone trend), which the network reads as nearly independent with an interval below the truth
  (docs/experiments/weak_shapes), with one column a side and, more so, in one pair of columns among
  several: the canonical form mixes the dependent column with independent ones, and the network read
  y = sin 5x + 0.5 N (0.54 nats) next to one independent column a side as 0.01 [0, 0.07].

By data processing, I(X; Y) >= I(X_i; Y_j) for any column X_i of X and Y_j of Y, so KSG of one
column pair is (up to its noise and its own low bias) a lower bound of the MI. Where it lies above
the network's upper end by more than KSG's spread on independent data, the network is the one that
is low: KSG's reading becomes the estimate and the upper end moves up by the difference, to at
least 2 MISSED_MARGIN / sqrt(n) above KSG (KSG reads such shapes somewhat low at a few thousand rows:
on the selection draws of docs/experiments/weak_shapes this took the coverage of the changed
one-column data sets from 92% to 98%, on the evaluation draws from 96% to 100%); the lower end stays (the less certain of the two where the
network errs low by chance).

Sides of several columns: every column pair is screened first by a G-test of independence on
B x B equal-frequency bins of the ranks (B = 4-10 by n; 2 n times the binned plug-in MI is about
chi-squared with (B - 1)^2 degrees of freedom under independence); KSG reads only the pairs the test
rejects at SCREEN_ALPHA / (dx dy) (Bonferroni over the pairs) and whose binned MI reaches
BINNED_SHARE of the network's upper end, which keeps the check to a few milliseconds where nothing
is found and rules out triggers on independent columns.

Dependence spread over the columns of small sides (a side turned by a rotation: no column pair shows
it) is checked in the joint space: where dx + dy <= JOINT_DIMS_MAX (not one column a side, which the
pair check covers) and the head's own joint-space KSG statistic on 512 rows already reads above the
network's upper end, KSG in the joint space (max-norm, k = 3) on the copula scores of up to
JOINT_ROWS_MAX rows replaces the reading where it exceeds the upper end by more than
JOINT_MARGIN / sqrt(m), as above.  Joint-space KSG is not a bound, but on independent copula scores
its spread is known (docs/experiments/joint_check/null.md) and at strong dependence it reads low, not
high.  The trigger keeps the cost (tens to hundreds of milliseconds at 5,000 rows) to the few data
sets where the cheap statistic already disagrees with the network
(docs/experiments/joint_check: rotated weak shapes at n = 5,000, 90% coverage 35% -> 43% on the
evaluation draws, no change on held-out families or independent data).

In few columns (three or four in all: FLOOR_DIMS_MAX; FLOOR_MIN_ROWS rows or more) joint KSG is
also kept inside the reading.  KSG is nearly unbiased at weak dependence in so few columns and reads
strong dependence low, so neither the estimate nor the lower end should lie above it: where it reads
above the network's estimate by more than about its own standard deviation, it becomes the estimate
(the interval's upper end moves up by the difference; the network's low readings of a product of
two columns plus noise and of the validation family gauss_spiral), and the lower end is at most KSG
less that deviation (the network's high readings at a few nats, with intervals that excluded the
truth; docs/experiments/low_dims).

Last, the regression bound of :mod:`infoatlas.regression` (a column of one side fitted from the other
side proves I(X; Y) >= h(column) - h(residual)) replaces a reading below it, and opens the upper end
where a column is a function of the other side (:func:`regression_check`).
"""
from __future__ import annotations

import math

import numpy as np
from scipy import special, stats

from .features import order_rows, whitened
from .knn import KNN_K, ksg_joint, ksg_pair, local_width

#: False gives the network's own reading (experiments that measure it)
PAIR_CHECK = True
#: False: no check of sides on a curve (experiments that measure the network without it)
CURVE_CHECK = True
#: False: no regression bound (:mod:`infoatlas.regression`; experiments that measure without it)
REGRESSION_CHECK = True
#: False: columns with ties switch the checks off instead of being read with their ties broken
#: (:func:`infoatlas.estimator._tie_broken_for_checks`; experiments that measure without it)
BREAK_TIES = True
#: a side of several columns whose local_width (whitened copula scores) is below this lies on a
#: curve: the curves of docs/experiments/real_shapes/curves.md read at most 0.003, a surface and
#: sides that fill their columns (the held-out continuous families' among them) at least 0.45 ...
CURVE_WIDTH = 0.02
#: ... read on this many rows (a value-ordered subset above it), and not below CURVE_MIN_ROWS
CURVE_ROWS = 1_000
CURVE_MIN_ROWS = 500
#: one column a side: KSG replaces a reading below it once it reads above STRONG_PAIR_MIN nats
#: (strong dependence; KSG is biased low there, the network is the more accurate below) ...
STRONG_PAIR_MIN = 1.0
#: ... or above the network's upper end by more than MISSED_MARGIN / sqrt(n) nats, about KSG's 99.9%
#: quantile on n independent rows of copula scores (1.5-1.75 / sqrt(n) at n = 20-20,000; its
#: standard deviation there is about 0.75 / sqrt(n)): docs/experiments/weak_shapes
MISSED_MARGIN = 1.6
#: sides of several columns: checked up to this many column pairs (dx dy), beyond left to the network
COLUMN_PAIRS_MAX = 64
#: family-wise level of the screen of the column pairs (G-test, Bonferroni over the pairs)
SCREEN_ALPHA = 1e-3
#: KSG reads a rejected pair only where its binned MI exceeds this share of the network's upper end
#: (binning at 4-10 bins loses up to about 60% of these shapes' MI: docs/experiments/weak_shapes)
BINNED_SHARE = 0.3
#: joint-space check: sides of at most this many columns in all (KSG's bias grows with the dims)
JOINT_DIMS_MAX = 6
#: ... on at most this many rows (a value-ordered subset above it: row-order free)
JOINT_ROWS_MAX = 5_000
#: ... replacing readings it exceeds by this / sqrt(rows) nats: about the 99.9% quantile of joint KSG
#: on independent copula scores at 3-8 columns (2.0-2.7 / sqrt(n), sd 0.64-0.85 / sqrt(n);
#: docs/experiments/joint_check/null.md), chosen on the selection draws (rules_select.md)
JOINT_MARGIN = 2.4
#: KSG kept inside the reading in few columns: where the sides have at most FLOOR_DIMS_MAX columns in
#: all (none tied; not one column a side) and at least FLOOR_MIN_ROWS rows, KSG in the joint space
#: (on up to JOINT_ROWS_MAX rows) replaces an estimate it exceeds by more than FLOOR_MARGIN /
#: sqrt(rows) nats (about one standard deviation of KSG on independent copula scores), and the lower
#: end is at most KSG less that.  KSG is nearly unbiased at weak dependence and biased low at strong
#: dependence in so few columns, so where it reads higher the network is the one that is low (a b +
#: 0.3 N of normal a, b, which has no correlation between the sides: MAE 0.289 -> 0.020 nats at 5,000
#: rows, compare.md).  The floor was chosen on the selection
#: draws of docs/experiments/low_dims (rules_select.md: 2-6 columns, margins 0-1.6, 200 or 1,000
#: rows; no cell worse by more than 0.01 nats for any of them; 5 and 6 columns gained little for 2-4
#: times the cost of KSG in 4), the lower end on the same draws (lower_select.md).  One column a side
#: keeps its own rules above: there the floor gained nothing on the selection draws, and
#: ``pairwise`` tests such pairs against one null per n without it
FLOOR_DIMS_MAX = 4
FLOOR_MIN_ROWS = 1_000
FLOOR_MARGIN = 0.75


def applies(dim_x: int, dim_y: int) -> bool:
    """Whether a reading of dim_x + dim_y columns is checked (one column a side, or at most
    COLUMN_PAIRS_MAX column pairs)."""
    return dim_x * dim_y <= COLUMN_PAIRS_MAX


def _untied(a: np.ndarray) -> bool:
    return np.unique(a).size == a.size


def _ksg(u: np.ndarray, v: np.ndarray) -> float:
    # exact sum: row-order and X/Y-swap free; the kd-tree query on both cores above 20,000 rows
    # (n = 50,000: 77 -> about 55 ms; below that the threads cost about what they save)
    return ksg_pair(u, v, KNN_K, exact_sum=True, workers=-1 if u.size >= 20_000 else 1)


def screen_bins(n: int) -> int:
    """Bins per column of the screen: about n / 5 rows per bin of a column's margin and at least
    5 expected rows per cell of a pair's table at n >= 80, between 4 and 10."""
    return int(np.clip(math.isqrt(max(n // 5, 1)), 4, 10))


def screen(zx: np.ndarray, zy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """G-test p-values of independence for every column pair, and the binned MI: both (dx, dy).

    zx (n, dx), zy (n, dy): copula scores (normal scores of the ranks, so ndtr gives rank / (n + 1)).
    Each column is cut into B equal-frequency bins of its ranks; G = 2 sum c log(c n / (r s)) over
    the B x B table of a pair (2 n times the plug-in MI of the bins), against chi-squared with
    (B - 1)^2 degrees of freedom.  The binned MI is G / (2 n) less its mean under independence,
    (B - 1)^2 / (2 n) (nats): up to noise, a lower bound of the pair's MI, which binning can only lose.
    """
    n, dx = zx.shape
    dy = zy.shape[1]
    b = screen_bins(n)
    bx = np.minimum((special.ndtr(zx) * b).astype(np.int32), b - 1)  # (n, dx) bin of each value
    by = np.minimum((special.ndtr(zy) * b).astype(np.int32), b - 1)  # (n, dy)
    # one bincount over all pairs: code = (pair index) * b^2 + bin_x * b + bin_y, (n, dx, dy)
    pair = np.arange(dx * dy, dtype=np.int32).reshape(dx, dy) * (b * b)  # int32: codes < 6,400
    code = pair[None] + bx[:, :, None] * b + by[:, None, :]
    table = np.bincount(code.ravel(), minlength=dx * dy * b * b).reshape(dx, dy, b, b).astype(float)
    rows = table.sum(3, keepdims=True)  # (dx, dy, b, 1) margins of X_i's bins
    cols = table.sum(2, keepdims=True)  # (dx, dy, 1, b) margins of Y_j's bins
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(table > 0, table * np.log(table * n / (rows * cols)), 0.0)
    g = 2.0 * terms.sum((2, 3))
    return stats.chi2.sf(g, (b - 1) ** 2), (g - (b - 1) ** 2) / (2.0 * n)


def curve_side(zx: np.ndarray, zy: np.ndarray, order: np.ndarray | None = None) -> str | None:
    """A note where a side of several columns lies on a curve in its columns, else None:
    :func:`~infoatlas.knn.local_width` of its whitened copula scores (zx (m, dx) or zy (m, dy), on up
    to CURVE_ROWS value-ordered rows, at least CURVE_MIN_ROWS) below CURVE_WIDTH.  An angle as
    (cos, sin), a column padded with functions of itself, a helix; the whitening
    (:func:`~infoatlas.features.whitened`) leaves out sides that are thin only because their
    columns are nearly collinear.  ``order``: :func:`~infoatlas.features.order_rows` of the rows,
    where the caller has it."""
    if zx.shape[0] < CURVE_MIN_ROWS:
        return None
    if zx.shape[0] > CURVE_ROWS:
        order = order_rows(np.hstack([zx, zy]), 0) if order is None else order
        keep = np.sort(order[:CURVE_ROWS])
    else:
        keep = slice(None)
    for name, z in (("X", zx), ("Y", zy)):
        if z.shape[1] >= 2:
            w = whitened(z[keep])
            width = local_width(w) if w.shape[1] >= 2 else 1.0
            if width < CURVE_WIDTH:
                return (f"{name} lies on a curve in its {z.shape[1]} columns (local width {width:.2g}), which "
                        "the network reads too high in few columns")
    return None


def check_reading(scores: tuple, mi: float, lower: float, upper: float, notes: tuple,
                  joint_ksg: float | None = None, keep_ksg: bool = True) -> tuple:
    """(mi, lower, upper, notes) of the network's reading after the checks against KSG on all rows.

    scores : copula scores zx (m, dx), zy (m, dy) of the rows the network's statistics read (all
    rows up to ``max_rows``).  One column a side: KSG of the pair, compared as in the module
    docstring (strong and missed dependence).  Several columns (dx dy <= COLUMN_PAIRS_MAX): the
    untied column pairs the screen rejects, the largest KSG among them against the upper end; then,
    for dx + dy <= JOINT_DIMS_MAX, the joint space, where ``joint_ksg`` (the head's 512-row
    statistic, :attr:`infoatlas.features.Prepared.joint_ksg`; None: no joint check) exceeds the
    upper end, or where a side lies on a curve (:func:`curve_side`); there a joint KSG below the
    network's estimate becomes the estimate (:func:`_curve`).  In at most FLOOR_DIMS_MAX columns on
    FLOOR_MIN_ROWS rows or more (not one column a side; ``joint_ksg`` given), joint KSG replaces an
    estimate it exceeds by FLOOR_MARGIN / sqrt(rows) and caps the lower end at itself less that
    (:func:`_keep_ksg`); ``keep_ksg=False`` leaves that out (the independence test's statistic: on its
    permuted copies KSG's noise would lift about one reading in six and cost the test power).
    Columns with ties are skipped (KSG counts tied rows as infinitely close; the estimator passes
    lightly tied columns with their ties broken at random, ``BREAK_TIES``); math.fsum, a screen
    that is a function of the set of rows and a value-ordered subset keep row order and the X/Y swap
    exactly free.
    """
    zx, zy = scores
    m, dx = zx.shape
    dy = zy.shape[1]
    if not PAIR_CHECK or m <= 2 * KNN_K or not applies(dx, dy):
        return mi, lower, upper, notes
    if dx == dy == 1:
        u, v = zx[:, 0], zy[:, 0]
        if not (_untied(u) and _untied(v)):
            return mi, lower, upper, notes
        k = _ksg(u, v)
        if k > max(mi, STRONG_PAIR_MIN):
            note = (f"strong dependence: KSG on the ranks of all {m} rows reads {k:.3g} nats, more than the "
                    f"network's {mi:.3g}; the estimate is KSG's (itself biased low at strong dependence) and the "
                    "interval's upper end moves up by the difference")
            return k, lower, upper + (k - mi), notes + (note,)
        return _missed(k, f"KSG on the ranks of all {m} rows reads {k:.3g} nats", m, MISSED_MARGIN,
                       mi, lower, upper, notes)
    p, binned = screen(zx, zy)
    # KSG (about 6 ms a pair at n = 5,000) only where the bins alone already read a good part of
    # the network's upper end: dependent data the network reads right (a Gaussian 5 + 5) have
    # many rejected pairs, each carrying less than the whole
    found = [(i, j) for i, j in zip(*np.nonzero((p < SCREEN_ALPHA / (dx * dy)) & (binned > BINNED_SHARE * upper)))]
    tied_x = {i: not _untied(zx[:, i]) for i in {i for i, _ in found}}
    tied_y = {j: not _untied(zy[:, j]) for j in {j for _, j in found}}
    found = [(i, j) for i, j in found if not (tied_x[i] or tied_y[j])]
    if found:
        k, i, j = max((_ksg(zx[:, i], zy[:, j]), i, j) for i, j in found)
        where = (f"KSG on the ranks of all {m} rows of X's column {i} and Y's column {j} (0-based, counting the "
                 f"non-constant columns of each side) reads {k:.3g} nats (a lower bound of the MI of the sides, "
                 "by data processing)")
        mi, lower, upper, notes = _missed(k, where, m, MISSED_MARGIN, mi, lower, upper, notes)
    if (joint_ksg is None or dx + dy > JOINT_DIMS_MAX or not all(_untied(c) for c in (*zx.T, *zy.T))):
        return mi, lower, upper, notes
    # sides on a curve: the network was trained on such sides only in many columns, and in a
    # few it reads too high (an angle as (cos, sin) on both sides 2.1 nats for 1.62) where joint KSG
    # erred by a few hundredths (docs/experiments/real_shapes/curves.md)
    # one value-ordered row order (row-order free) for both subsets, where either needs one
    order = order_rows(np.hstack([zx, zy]), 0) if m > min(CURVE_ROWS, JOINT_ROWS_MAX) else None
    curve = curve_side(zx, zy, order) if CURVE_CHECK and max(dx, dy) >= 2 else None
    inside = keep_ksg and dx + dy <= FLOOR_DIMS_MAX and m >= FLOOR_MIN_ROWS
    if joint_ksg <= upper and curve is None and not inside:
        return mi, lower, upper, notes
    if m > JOINT_ROWS_MAX:  # a subset fixed by the rows' values: row-order free
        keep = np.sort(order[:JOINT_ROWS_MAX])
        zx, zy, m = zx[keep], zy[keep], JOINT_ROWS_MAX
    # the kd-tree queries on both cores from 2,000 rows (unlike one column pair, where the threads pay
    # only above 20,000): at 5,000 rows 2+2 about 110 -> 75 ms, 3+3 270 -> 170 ms; the counts are exact
    k = ksg_joint(np.ascontiguousarray(zx), np.ascontiguousarray(zy), KNN_K, workers=-1 if m >= 2_000 else 1)
    if curve is not None and k < mi:
        return _curve(k, curve, m, mi, lower, upper, notes)
    where = f"KSG in the joint space of all {dx} + {dy} columns (the ranks of {m} rows) reads {k:.3g} nats"
    out = _missed(k, where + ", where no single column pair shows it", m, JOINT_MARGIN, mi, lower, upper, notes)
    return _keep_ksg(k, where, m, mi, lower, upper, notes) if inside and len(out[3]) == len(notes) else out


def _curve(k: float, curve: str, m: int, mi: float, lower: float, upper: float, notes: tuple) -> tuple:
    """A side on a curve (``curve``, the note saying so): joint KSG's reading k below the network's
    mi becomes the estimate (at least 0); the interval runs from the lower of the network's lower
    end and k - JOINT_MARGIN / sqrt(m) (KSG's spread under independence) up to the network's upper
    end, so it keeps both readings (KSG reads strong dependence low: on a surface in 3 columns, which is not
    flagged, it read 4.0 for 4.6 nats at 1,000 rows; docs/experiments/real_shapes/curves.md)."""
    note = (f"{curve}: KSG in the joint space (the ranks of {m} rows) reads {k:.3g} nats, below the network's "
            f"{mi:.3g}; the estimate is KSG's, and the interval keeps both readings")
    # KSG reads independent data a little below 0 as often as above: the estimate is at least 0
    return max(k, 0.0), min(lower, max(k - JOINT_MARGIN / math.sqrt(m), 0.0)), upper, notes + (note,)


def _missed(k: float, where: str, m: int, margin: float, mi: float, lower: float, upper: float,
            notes: tuple) -> tuple:
    """KSG's reading k replaces (mi, lower, upper) where it lies above the upper end by more than
    margin / sqrt(m) (its spread under independence): the upper end moves up by the difference, to
    at least twice that spread above k; the lower end stays."""
    if k - margin / math.sqrt(m) <= upper:
        return mi, lower, upper, notes
    note = (f"dependence the network misses: {where}, above the network's interval [{lower:.3g}, {upper:.3g}] "
            "by more than its own spread under independence; the estimate is KSG's and the interval's upper "
            "end moves up by the difference, to at least twice that spread above KSG")
    return k, lower, max(upper + (k - mi), k + 2 * margin / math.sqrt(m)), notes + (note,)


def _keep_ksg(k: float, where: str, m: int, mi: float, lower: float, upper: float, notes: tuple) -> tuple:
    """KSG's reading k on m rows kept inside the reading (the caller checks the domain: at most
    FLOOR_DIMS_MAX columns, at least FLOOR_MIN_ROWS rows), s = FLOOR_MARGIN / sqrt(m) its spread:
    above the estimate mi by more than s, k becomes the estimate and the upper end moves up by the
    difference (the lower end stays: the network's, in case KSG is the one that errs); else a lower
    end above k - s moves down to it (to at least 0).  KSG reads low, not high, in so few columns,
    so neither the estimate nor the lower end should lie above it."""
    s = FLOOR_MARGIN / math.sqrt(m)
    if k > mi + s:
        note = (f"{where}, more than the network's {mi:.3g}: in so few columns KSG reads low, not high, so the "
                "estimate is KSG's and the interval's upper end moves up by the difference")
        return k, lower, upper + (k - mi), notes + (note,)
    if max(k - s, 0.0) < lower:
        note = (f"{where}, near or below the network's lower end {lower:.3g}: in so few columns KSG reads "
                f"strong dependence low, not high, so the lower end moves down to KSG less {FLOOR_MARGIN:g} / "
                "sqrt(rows)")
        return mi, max(k - s, 0.0), upper, notes + (note,)
    return mi, lower, upper, notes


def regression_check(rb, mi: float, lower: float, upper: float, notes: tuple) -> tuple:
    """(mi, lower, upper, notes) after the regression bound ``rb``
    (:class:`infoatlas.regression.RegressionBound`): I(X; Y) >= h(T) - h(T - g(S)) for a column T of
    one side fitted from the other side S (leave one out).

    Where a column is a function of the other side (``rb.function``) the MI of continuous columns is
    infinite: the upper end is infinite, and the estimate and the lower end are at least the bound's
    (the network read a + b c of normal a, b, c 1.37-1.75 nats with upper ends 3.95-6.50:
    docs/experiments/real_shapes/functions.md).  Otherwise, where the bound less its spread
    (``rb.lower``) lies above the network's estimate, the network is proved low: the bound becomes
    the estimate and ``rb.lower`` the lower end, and the upper end lies at least the width of the
    network's interval above the bound (at least twice the spread): the bound reads one column (or
    one combination) through a fit, and lay 0.1-0.5 nats below the MI on average.  On the selection
    draws of docs/experiments/real_shapes/functions.py (a product of two columns plus noise) this
    covered the MI in 90% of data sets, where taking the bound only above the network's upper end
    covered 73%, and moving the upper end up by the difference, as for KSG in :func:`_missed`, fewer
    (scratch runs, summarised in the experiment's README)."""
    spread = rb.value - rb.lower

    def what(side, column):
        return (f"{side}'s column {column} (0-based, counting the non-constant columns)" if column is not None
                else f"a linear combination of {side}'s columns")
    where = (f"a local quadratic regression of {what(rb.side, rb.column)} on the other side, on {rb.rows} rows, "
             f"proves at least {rb.lower:.3g} nats (h(column) - h(residual), less its spread)")
    if rb.function is not None:
        side, column, ratio = rb.function
        note = (f"{what(side, column)} is a function of the other side (median residual {ratio:.2g} of its "
                f"spread by local regression): the MI of continuous columns is infinite, the interval's upper "
                f"end is infinite, and {where}")
        return max(mi, rb.value), max(lower, rb.lower), math.inf, notes + (note,)
    if rb.lower <= mi:
        return mi, lower, upper, notes
    note = (f"dependence the network misses: {where}, above the network's estimate {mi:.3g} (interval "
            f"[{lower:.3g}, {upper:.3g}]); the estimate is the bound (itself below the MI), and the interval runs "
            "from the bound less its spread to at least the width of the network's interval above the bound")
    return rb.value, rb.lower, max(upper, rb.value + max(upper - lower, 2 * spread)), notes + (note,)
