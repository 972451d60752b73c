"""Columns with atoms: a continuous variable some of whose values repeat in a share of the rows
(zero-inflated amounts, censored or capped measurements, a default filled in for a missing value).

Such a column is neither discrete (most of its rows are distinct values) nor continuous (a share of
its rows sit on one value), and the network, trained on neither, misreads it: on Gaussian pairs with
one side set to 0 below a threshold (zero-inflated) its 90% intervals covered the truth in 66% of
cases, 28-34% at 10-20% zeros, and the chain rule below in 93% (docs/experiments/atoms).  The chain
rule splits it exactly: with B = which atom a row is on, or none (a function of the column Y),

    I(X; Y) = I(X; B) + sum_b P(B = b) I(X; Y | B = b) = I(X; B) + P(none) I(X; Y | none),

since Y is constant on an atom.  I(X; B) is the MI of a label (:mod:`infoatlas.discrete`), the
second term that of the continuous rows (the network).  Where X is one column with atoms too, each
term is split again at X's (both sides zero-inflated: coverage 67% -> 98%, same experiment).
Where a side has several columns with atoms the split does not apply; those columns' ties at the
atoms are broken at random instead (:func:`atom_columns`, ``InfoAtlas._atoms_broken``), as they
are beside a discrete column in the chain rule (``InfoAtlas._atoms_broken_beside``).
"""
from __future__ import annotations

import numpy as np

#: a value is an atom when it holds at least this share of the rows, and at least ATOM_MIN_ROWS rows
ATOM_MIN_SHARE = 0.01
ATOM_MIN_ROWS = 5
#: the rows off the atoms must be a continuous part: at least REST_MIN_ROWS rows, and distinct values
#: for at least REST_DISTINCT of them (rounded data, whose every value repeats, are not split)
REST_MIN_ROWS = 50
REST_DISTINCT = 0.9


def atom_values(col: np.ndarray, min_rest: int = REST_MIN_ROWS) -> np.ndarray:
    """The atoms of one column (n,) of finite values: values held by at least
    max(ATOM_MIN_ROWS, ATOM_MIN_SHARE n) rows, when the other rows are a continuous part (at least
    ``min_rest`` rows, distinct values for REST_DISTINCT of them); an empty array otherwise.  Sorted."""
    vals, counts = np.unique(col, return_counts=True)
    big = counts >= max(ATOM_MIN_ROWS, ATOM_MIN_SHARE * col.size)
    if not big.any():
        return vals[:0]
    rest = int(counts[~big].sum())
    if rest < max(min_rest, 1) or np.count_nonzero(~big) < REST_DISTINCT * rest:
        return vals[:0]
    return vals[big]


#: rows of the sample on which :func:`atom_columns` rules out columns without atoms
SCREEN_ROWS = 2000


def atom_columns(a: np.ndarray, min_rest: int = REST_MIN_ROWS) -> np.ndarray:
    """Which columns of a (n, d) have atoms (:func:`atom_values` on each column's finite values,
    with ``min_rest``); (d,) bool.  A sort of every ``n // SCREEN_ROWS``-th row rules out the
    columns with no value held by half an atom's share of those rows (most continuous data: at
    n = 5,000 and 128 columns a sort of all rows took 20 ms) before the exact test on all rows.  The
    sample is systematic, so rows sorted by a column keep its values' shares; an atom of 1% is
    expected 20 times in it."""
    n, d = a.shape
    out = np.zeros(d, bool)
    if n < ATOM_MIN_ROWS or not d:
        return out
    s = np.sort(a[:: max(1, n // SCREEN_ROWS)], axis=0)  # NaN last; NaN != NaN, so NaN runs never count
    m = ATOM_MIN_ROWS if s.shape[0] == n else max(2, int(0.5 * ATOM_MIN_SHARE * s.shape[0]))
    m = min(m, s.shape[0])
    cand = np.flatnonzero(np.any(s[m - 1:] == s[: s.shape[0] - m + 1], axis=0))
    for j in cand:
        c = a[:, j]
        out[j] = atom_values(c[np.isfinite(c)], min_rest).size > 0
    return out


def atom_codes(col: np.ndarray, atoms: np.ndarray) -> np.ndarray:
    """B per row of col (n,): the index of its atom in ``atoms`` (sorted), or len(atoms) off the
    atoms; (n,) int."""
    pos = np.clip(np.searchsorted(atoms, col), 0, len(atoms) - 1)
    return np.where(atoms[pos] == col, pos, len(atoms))


def describe(atoms: np.ndarray, codes: np.ndarray) -> str:
    """"0 (62% of rows)" for the largest atoms (at most three), for notes."""
    shares = np.bincount(codes, minlength=len(atoms) + 1)[: len(atoms)] / codes.size
    order = np.argsort(-shares)[:3]
    more = f" and {len(atoms) - 3} more" if len(atoms) > 3 else ""
    return ", ".join(f"{atoms[i]:.6g} ({shares[i]:.0%} of rows)" for i in order) + more
