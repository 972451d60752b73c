"""Accuracy metrics shared by training-time evaluation and the benchmarks."""
from __future__ import annotations

import numpy as np


def within_factor(est, truth, factor: float = 1.5, floor: float = 0.05):
    """True where est is within ``factor`` of truth, or, for small truths (truth < floor), where
    est is less than ``floor`` nats from it.  Arrays (m,) in, boolean (m,) out."""
    est, truth = np.asarray(est, float), np.asarray(truth, float)
    small = truth < floor
    ratio_ok = (np.maximum(est, truth) <= factor * np.minimum(est, truth)) & (np.minimum(est, truth) > 0)
    return np.where(small, np.abs(est - truth) < floor, ratio_ok)
