"""Validation of user data: any array-like in, float64 (n, d) arrays out, or a clear error.

Every public entry point (estimator, baselines, CLI) goes through :func:`validate_xy`, so the rules
live here once.
"""
from __future__ import annotations

import warnings

import numpy as np
import torch

MIN_SAMPLES = 20  #: fewer rows than this are refused: no estimator can say much below it


class InfoAtlasWarning(UserWarning):
    """Data the estimator can handle but the user should know about (ties, constant columns)."""


def warn_data(msg: str) -> None:
    """Issue an :class:`InfoAtlasWarning` attributed to the first caller outside this package (the
    user's line), however deep in the package it is raised."""
    import os
    import sys
    from pathlib import Path

    here = str(Path(__file__).resolve().parent) + os.sep  # this package's directory (not a sibling's prefix)
    frame, level = sys._getframe(1), 2  # stacklevel 2: the caller of this function
    while frame is not None and str(Path(frame.f_code.co_filename).resolve()).startswith(here):
        frame, level = frame.f_back, level + 1
    warnings.warn(msg, InfoAtlasWarning, stacklevel=level)


def as_2d(a, name: str) -> np.ndarray:
    """Convert numpy / pandas / torch / list input to a float64 array of shape (n, d).

    Accepted: real numbers and booleans.  Refused with a TypeError naming ``name``: complex numbers,
    dates and durations, strings and bytes (even numeric-looking ones), objects.  Masked entries of
    a numpy masked array become NaN (missing).  The input is never modified.
    """
    if a is None:
        raise ValueError(f"{name} is None")
    if isinstance(a, torch.Tensor):
        if a.is_complex():
            raise TypeError(f"{name} is complex ({a.dtype}); pass real values")
        # float64 first: numpy has no bfloat16, and every float fits in float64
        a = a.detach().cpu().to(torch.float64 if a.is_floating_point() else a.dtype).numpy()
    if hasattr(a, "to_numpy") and hasattr(a, "dtypes"):  # pandas DataFrame / Series
        from pandas.api.types import is_bool_dtype, is_complex_dtype, is_numeric_dtype

        def numeric(t):
            return (is_numeric_dtype(t) or is_bool_dtype(t)) and not is_complex_dtype(t)

        if hasattr(a, "columns"):
            bad = [str(c) for c, t in a.dtypes.items() if not numeric(t)]
            if bad:
                raise TypeError(f"{name} has non-numeric columns: {', '.join(bad)}")
        elif not numeric(a.dtype):
            raise TypeError(f"{name} is non-numeric (dtype {a.dtype})")
        a = a.to_numpy(dtype=float, na_value=np.nan)
    if isinstance(a, np.ma.MaskedArray):
        a = np.ma.filled(a.astype(float), np.nan)  # masked entries are missing values
    try:
        arr = np.asarray(a)
    except ValueError as e:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array of numbers (rows of equal length): {e}") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers; got dtype {arr.dtype}"
                        + (" (complex)" if arr.dtype.kind == "c" else ""))
    arr = arr.astype(np.float64, copy=False)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"{name} must have shape (n,) or (n, d); got {arr.ndim}-D shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape})")
    return arr


def as_2d_typed(a, name: str) -> tuple[np.ndarray, np.ndarray, list | None]:
    """Like :func:`as_2d`, but label columns are accepted: booleans, strings, bytes, pandas
    categoricals and objects become integer codes (missing labels become NaN).

    Returns (array (n, d) float64, categorical (d,) bool: the columns that were labels, the column
    names of a DataFrame or Series, else None).
    """
    import pandas as pd

    if isinstance(a, pd.Series):
        a = a.to_frame()
    if isinstance(a, pd.DataFrame):
        from pandas.api.types import is_bool_dtype, is_complex_dtype, is_numeric_dtype

        cols, cat = [], []
        for c in a.columns:
            col = a[c]
            if is_numeric_dtype(col.dtype) and not is_bool_dtype(col.dtype):
                if is_complex_dtype(col.dtype):
                    raise TypeError(f"{name} column {c!r} is complex; pass real values")
                cols.append(col.to_numpy(dtype=float, na_value=np.nan))
                cat.append(False)
            elif col.dtype.kind in "mM":
                raise TypeError(f"{name} column {c!r} holds dates or durations ({col.dtype}); convert them to numbers")
            else:  # labels: bool, category, string, object
                codes_, _ = pd.factorize(col, sort=True)
                cols.append(np.where(codes_ < 0, np.nan, codes_).astype(float))
                cat.append(True)
        if not cols:
            raise ValueError(f"{name} is empty (no columns)")
        return as_2d(np.column_stack(cols), name), np.array(cat), [str(c) for c in a.columns]
    if isinstance(a, np.ndarray) and a.dtype.kind in "bUSO" or isinstance(a, (list, tuple)) and _has_labels(a):
        # arrays of labels (or objects): the DataFrame rules above, per column; objects that are all
        # numbers stay numbers
        arr = np.asarray(a, dtype=object) if not isinstance(a, np.ndarray) else a
        if arr.ndim not in (1, 2):
            raise ValueError(f"{name} must have shape (n,) or (n, d); got {arr.ndim}-D shape {arr.shape}")
        out, cat, _ = as_2d_typed(pd.DataFrame(arr.reshape(arr.shape[0], -1)).infer_objects(), name)
        return out, cat, None
    arr = as_2d(a, name)
    return arr, np.zeros(arr.shape[1], bool), None


def _has_labels(a) -> bool:
    flat = np.asarray(a, dtype=object).ravel()
    return any(isinstance(v, (str, bytes)) for v in flat[:1000])


def _pandas_index(a):
    return getattr(a, "index", None) if hasattr(a, "to_numpy") and hasattr(a, "dtypes") else None


def align_pandas(x, y):
    """Two pandas objects are paired by index, not by position: y is reordered to x's index when
    both hold the same unique labels; different labels are an error (positions would pair rows
    that do not belong together)."""
    ix, iy = _pandas_index(x), _pandas_index(y)
    if ix is None or iy is None or ix.equals(iy):
        return x, y
    if ix.is_unique and iy.is_unique and len(ix) == len(iy) and ix.sort_values().equals(iy.sort_values()):
        return x, y.loc[ix]
    raise ValueError("x and y are pandas objects with different indexes; align them first "
                     "(e.g. y = y.reindex(x.index)) or pass arrays to pair rows by position")


def validate_xy(x, y, *, nan_policy: str = "raise", min_samples: int = MIN_SAMPLES):
    """Validate a data set.

    Parameters
    ----------
    x, y : array-like of shape (n,) or (n, d)
        Two pandas objects are paired by their index (see :func:`align_pandas`).
    nan_policy : {"raise", "omit"}
        "omit" drops every row where x or y is NaN or infinite.

    Returns
    -------
    x (n, dx), y (n, dy) float64 arrays and a tuple of notes.
    """
    if nan_policy not in ("raise", "omit"):
        raise ValueError(f"nan_policy must be 'raise' or 'omit', got {nan_policy!r}")
    x, y = align_pandas(x, y)
    x, y = as_2d(x, "x"), as_2d(y, "y")
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"x and y must have the same number of rows; got {x.shape[0]} and {y.shape[0]}")
    notes = []
    ok = finite_rows(x, y)
    if not ok.all():
        bad = int((~ok).sum())
        if nan_policy == "raise":
            raise NonFiniteError(f"{bad} row(s) contain NaN or infinite values; clean them or pass "
                                 "nan_policy='omit' to drop them")
        x, y = x[ok], y[ok]
        notes.append(f"dropped {bad} row(s) with NaN/inf")
    if x.shape[0] < min_samples:
        raise ValueError(f"need at least {min_samples} samples; got {x.shape[0]}")
    if x.shape[0] < x.shape[1] + y.shape[1]:
        notes.append(f"fewer rows ({x.shape[0]}) than columns ({x.shape[1]} + {y.shape[1]}): was the array "
                     "passed transposed?")
    return x, y, tuple(notes)


def finite_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """(n,) bool: the rows of x (n, dx) and y (n, dy) without NaN or inf, those that
    :func:`validate_xy` keeps (``nan_policy="omit"``) or accepts."""
    return np.isfinite(x).all(1) & np.isfinite(y).all(1)


class NonFiniteError(ValueError):
    """Rows with NaN or inf under ``nan_policy='raise'`` (the CLI turns it into its --drop-nan advice)."""


#: the serial-dependence check reads at most this many leading rows and columns per side
SERIAL_ROWS, SERIAL_COLUMNS = 2000, 8
#: rows read as a series when the lag-1 rank autocorrelations of a column of X and of a column of Y
#: are each beyond 4 / sqrt(rows) (about 6e-5 two-sided for independent rows) and their product is
#: above this: the variance of cross-products of two AR(1) series with lag-1 correlations a and b is
#: (1 + ab) / (1 - ab) times that of independent rows, 1.5 at ab = 0.2
SERIAL_PRODUCT = 0.2


def lag1_rank_autocorrelations(a: np.ndarray) -> np.ndarray:
    """The lag-1 autocorrelation (in the order of the rows) of the ranks of each column of a (n, d)
    over its first SERIAL_ROWS rows, (d,); 0 for fewer than 3 rows, constant columns and columns
    with NaN."""
    from scipy.stats import rankdata

    a = np.asarray(a, float)[:SERIAL_ROWS]
    if a.shape[0] < 3:
        return np.zeros(a.shape[1])
    r = rankdata(a, axis=0)  # (m, d) ranks, ties averaged
    r -= r.mean(0)
    den = np.sqrt((r[:-1] ** 2).sum(0) * (r[1:] ** 2).sum(0))
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = np.where(den > 0, (r[:-1] * r[1:]).sum(0) / den, 0.0)
    return np.nan_to_num(rho)  # a column with NaN (ranked as NaN) says nothing


def lag1_rank_autocorrelation(a: np.ndarray) -> float:
    """Of :func:`lag1_rank_autocorrelations` over the first SERIAL_COLUMNS columns of a (n, d),
    the one largest in size; 0 for no columns."""
    rho = lag1_rank_autocorrelations(np.asarray(a, float)[:, :SERIAL_COLUMNS])
    return float(rho[np.argmax(np.abs(rho))]) if rho.size else 0.0


def looks_serial(a: float, b: float, rows: int) -> bool:
    """Whether lag-1 rank autocorrelations a of X and b of Y over ``rows`` rows read as two series:
    each beyond 4 / sqrt(rows) and a b > SERIAL_PRODUCT."""
    m = min(rows, SERIAL_ROWS)
    return m >= 3 and min(abs(a), abs(b)) > 4 / np.sqrt(m) and a * b > SERIAL_PRODUCT


def serial_note(x: np.ndarray, y: np.ndarray, test: bool = False) -> tuple:
    """A note when the rows of x (n, dx) and y (n, dy), in the order given, look like two series:
    rows that are not independent draws, for which intervals and row permutations that assume
    independent rows are too narrow and reject too often (two independent AR(1) series with lag-1
    correlation 0.9, 1,000 rows: 6 of 20 intervals excluded 0, and 15 of 20 permutation tests
    rejected at 5%; docs/experiments/serial_rows).  Data sorted by a column of one side with the
    other side depending on it look the same, hence "if they are a series".  ``test``: the wording
    for the independence test."""
    a, b = lag1_rank_autocorrelation(x), lag1_rank_autocorrelation(y)
    if not looks_serial(a, b, x.shape[0]):
        return ()
    head = (f"the rows look serially dependent in the order given (lag-1 rank autocorrelation {a:.2f} in X, "
            f"{b:.2f} in Y): if they are a series, ")
    if test:
        return (head + "row permutations reject independence too often; pass block_length (about the "
                "series' decorrelation time) to test with circular shifts of Y instead",)
    return (head + "the interval, which assumes independent rows, is too narrow, and "
            "independence_test needs block_length",)


def check_int(value, name: str, minimum: int) -> int:
    """An integer argument >= minimum, or a TypeError/ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_random_state(random_state, name: str = "random_state") -> int:
    """A seed from ``random_state`` (None, a non-negative int, or a numpy Generator / RandomState).

    A generator is not advanced: the seed is drawn from a copy, so the same call with the same
    generator gives the same result.  None means 0 (the estimator is deterministic by design).
    """
    import copy

    if random_state is None:
        return 0
    if isinstance(random_state, np.random.Generator):
        return int(copy.deepcopy(random_state).integers(2**63))
    if isinstance(random_state, np.random.RandomState):
        return int(copy.deepcopy(random_state).randint(2**31))
    if isinstance(random_state, bool) or not isinstance(random_state, (int, np.integer)):
        raise TypeError(f"{name} must be None, a non-negative integer or a numpy Generator, got {random_state!r}")
    if random_state < 0:
        raise ValueError(f"{name} must be non-negative, got {random_state}")
    return int(random_state)
