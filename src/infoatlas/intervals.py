"""The calibrated 90% interval: the network's outer quantiles, widened about the median.

A weight file's ``interval_calibration`` (fitted by ``infoatlas dev calibrate``) holds lower and upper
factors per sample size in ``ns``, and, when it has ``widths``, per width dx + dy as well (then
``lower`` and ``upper`` are lists of one row per n, one entry per width).  Factors are interpolated
linearly in log n and log width and held constant beyond the ends.  The factors multiply the
network's distances from the median to its outer quantiles, each taken at least ``spread_floor``
(log1p nats; 0 when absent): at large n the network's quantiles can nearly meet (distances of
0.001 for errors of 0.2), and a factor fitted to such ratios would be huge for everyone else.  A
file without a calibration has factors (1, 1) and no floor.
"""
from __future__ import annotations

import math

import numpy as np


class Calibration:
    """Interval factors of a weight file, read from its decoded ``interval_calibration`` record."""

    def __init__(self, record: dict | None):
        # lower / upper: (len(ns), len(widths)); one width column when the record has no widths
        if record is None:
            self.grid, self.wgrid = np.zeros(1), None
            self.lower, self.upper = np.ones((1, 1)), np.ones((1, 1))
            self.floor = 0.0
            return
        try:
            floor = float(record.get("spread_floor", 0.0))
            lo = np.asarray(record["lower"], dtype=float)
            hi = np.asarray(record["upper"], dtype=float)
            widths = record.get("widths")
            wgrid = None if widths is None else np.log(np.asarray(widths, dtype=float))
            if wgrid is None:
                lo, hi = lo.reshape(-1, 1), hi.reshape(-1, 1)
            grid = np.log(np.asarray(record["ns"], dtype=float)) if lo.shape[0] > 1 else np.zeros(1)
        except (ValueError, TypeError, KeyError) as e:
            raise ValueError(f"interval_calibration is unreadable: {e!r}") from e
        if not (lo.shape == hi.shape and lo.ndim == 2 and lo.shape[0] == grid.size and np.all(np.diff(grid) > 0)):
            raise ValueError("interval_calibration needs one lower and one upper factor per entry of "
                             "its increasing 'ns'")
        if wgrid is not None and not (wgrid.ndim == 1 and lo.shape[1] == wgrid.size and np.all(np.diff(wgrid) > 0)):
            raise ValueError("interval_calibration with 'widths' needs one factor per width (increasing) in "
                             "each row of 'lower' and 'upper'")
        if not (np.all(np.isfinite(lo) & (lo > 0)) and np.all(np.isfinite(hi) & (hi > 0))):
            raise ValueError(f"interval_calibration factors must be positive and finite, got {lo}, {hi}")
        if not (math.isfinite(floor) and floor >= 0):
            raise ValueError(f"interval_calibration spread_floor must be finite and >= 0, got {floor}")
        self.grid, self.wgrid, self.lower, self.upper, self.floor = grid, wgrid, lo, hi, floor

    @property
    def by_width(self) -> bool:
        """Whether the factors depend on the width dx + dy."""
        return self.wgrid is not None

    def factors(self, n: int, width: int | None = None) -> tuple[float, float]:
        """(lower, upper) factors for a data set of n rows and ``width`` = dx + dy columns (the
        width is needed only when the calibration is per width)."""
        ln = math.log(max(int(n), 1))
        lo = np.array([np.interp(ln, self.grid, c) for c in self.lower.T])  # (len(widths),)
        hi = np.array([np.interp(ln, self.grid, c) for c in self.upper.T])
        if self.wgrid is None:
            return float(lo[0]), float(hi[0])
        if width is None:
            raise ValueError("this interval calibration depends on the width dx + dy; pass width")
        lw = math.log(max(int(width), 1))
        return float(np.interp(lw, self.wgrid, lo)), float(np.interp(lw, self.wgrid, hi))


def scale_interval(lo, mid, hi, s_lo, s_hi, floor: float = 0.0):
    """Outer quantiles of log1p(MI) moved about the median by the calibration factors: the
    distance mid - lo, taken at least ``floor``, is multiplied by s_lo, and hi - mid likewise by
    s_hi (numpy arrays or torch tensors alike)."""
    d_lo, d_hi = mid - lo, hi - mid
    if floor > 0:
        d_lo, d_hi = ((d.clamp_min(floor) if hasattr(d, "clamp_min") else np.maximum(d, floor)) for d in (d_lo, d_hi))
    return mid - s_lo * d_lo, mid + s_hi * d_hi
