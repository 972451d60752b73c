"""The calibrated 90% interval: the network's outer quantiles, widened about the median.

A weight file's ``interval_calibration`` (fitted by ``infoatlas dev calibrate``) holds one lower and
one upper factor per sample size in ``ns``; they are interpolated in log n and held constant beyond
the ends.  A file without one has factors (1, 1).
"""
from __future__ import annotations

import math

import numpy as np


class Calibration:
    """Interval factors of a weight file, read from its decoded ``interval_calibration`` record."""

    def __init__(self, record: dict | None):
        if record is None:
            self.grid, self.lower, self.upper = np.zeros(1), np.ones(1), np.ones(1)
            return
        try:
            lo = np.atleast_1d(np.asarray(record["lower"], dtype=float))
            hi = np.atleast_1d(np.asarray(record["upper"], dtype=float))
            grid = np.log(np.asarray(record["ns"], dtype=float)) if lo.size > 1 else np.zeros(1)
        except (ValueError, TypeError, KeyError) as e:
            raise ValueError(f"interval_calibration is unreadable: {e!r}") from e
        if not (lo.shape == hi.shape == grid.shape and np.all(np.diff(grid) > 0)):
            raise ValueError("interval_calibration needs one lower and one upper factor per entry of "
                             "its increasing 'ns'")
        if not (np.all(np.isfinite(lo) & (lo > 0)) and np.all(np.isfinite(hi) & (hi > 0))):
            raise ValueError(f"interval_calibration factors must be positive and finite, got {lo}, {hi}")
        self.grid, self.lower, self.upper = grid, lo, hi

    def factors(self, n: int) -> tuple[float, float]:
        """(lower, upper) factors for a data set of n rows."""
        ln = math.log(max(int(n), 1))
        return float(np.interp(ln, self.grid, self.lower)), float(np.interp(ln, self.grid, self.upper))


def scale_interval(lo, mid, hi, s_lo, s_hi):
    """Outer quantiles of log1p(MI) moved about the median by the calibration factors: the
    distance mid - lo is multiplied by s_lo and hi - mid by s_hi (arrays or tensors alike)."""
    return mid - s_lo * (mid - lo), mid + s_hi * (hi - mid)
