"""Validation of user data: any array-like in, float64 (n, d) arrays out, or a clear error.

Every public entry point (estimator, baselines, CLI) goes through :func:`validate_xy`, so the rules
live here once.
"""
from __future__ import annotations

import numpy as np
import torch

MIN_SAMPLES = 20  #: fewer rows than this are refused: no estimator can say much below it


class InfoAtlasWarning(UserWarning):
    """Data the estimator can handle but the user should know about (ties, constant columns)."""


def as_2d(a, name: str) -> np.ndarray:
    """Convert numpy / pandas / torch / list input to a float64 array of shape (n, d)."""
    if a is None:
        raise ValueError(f"{name} is None")
    if isinstance(a, torch.Tensor):
        a = a.detach().cpu().numpy()
    if hasattr(a, "to_numpy") and hasattr(a, "dtypes"):  # pandas DataFrame / Series
        from pandas.api.types import is_bool_dtype, is_numeric_dtype

        def numeric(t):
            return is_numeric_dtype(t) or is_bool_dtype(t)

        if hasattr(a, "columns"):
            bad = [str(c) for c, t in a.dtypes.items() if not numeric(t)]
            if bad:
                raise TypeError(f"{name} has non-numeric columns: {', '.join(bad)}")
        elif not numeric(a.dtype):
            raise TypeError(f"{name} is non-numeric (dtype {a.dtype})")
        a = a.to_numpy(dtype=float, na_value=np.nan)
    arr = np.asarray(a)
    if arr.dtype.kind not in "biuf":
        try:
            arr = arr.astype(float)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be numeric; got dtype {arr.dtype}") from None
    arr = arr.astype(np.float64, copy=False)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"{name} must have shape (n,) or (n, d); got {arr.ndim}-D shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape})")
    return arr


def validate_xy(x, y, *, nan_policy: str = "raise", min_samples: int = MIN_SAMPLES):
    """Validate a data set.

    Parameters
    ----------
    x, y : array-like of shape (n,) or (n, d)
    nan_policy : {"raise", "omit"}
        "omit" drops every row where x or y is NaN or infinite.

    Returns
    -------
    x (n, dx), y (n, dy) float64 arrays and a tuple of notes.
    """
    if nan_policy not in ("raise", "omit"):
        raise ValueError("nan_policy must be 'raise' or 'omit'")
    x, y = as_2d(x, "x"), as_2d(y, "y")
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"x and y must have the same number of rows; got {x.shape[0]} and {y.shape[0]}")
    notes = []
    ok = np.isfinite(x).all(1) & np.isfinite(y).all(1)
    if not ok.all():
        bad = int((~ok).sum())
        if nan_policy == "raise":
            raise ValueError(f"{bad} row(s) contain NaN or infinite values; clean them or pass "
                             "nan_policy='omit' to drop them")
        x, y = x[ok], y[ok]
        notes.append(f"dropped {bad} row(s) with NaN/inf")
    if x.shape[0] < min_samples:
        raise ValueError(f"need at least {min_samples} samples; got {x.shape[0]}")
    return x, y, tuple(notes)

