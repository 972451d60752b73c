"""Columns with atoms (values that repeat next to continuous ones: zero-inflated amounts, censored
values): infoatlas.atoms and the estimator's split by the chain rule."""
import numpy as np
import pytest

from infoatlas import InfoAtlas
from infoatlas.atoms import atom_codes, atom_values


def _zero_inflated(seed, n=1500, rho=0.9, share=0.6):
    g = np.random.default_rng(seed)
    x = g.standard_normal(n)
    z = rho * x + np.sqrt(1 - rho**2) * g.standard_normal(n)
    from scipy import stats

    return x, np.where(z > stats.norm.ppf(share), np.exp(z), 0.0)


def test_atoms_are_frequent_values_next_to_a_continuous_part():
    g = np.random.default_rng(0)
    col = np.concatenate([np.zeros(300), np.full(100, 7.0), g.standard_normal(600)])
    assert atom_values(col).tolist() == [0.0, 7.0]
    b = atom_codes(col, atom_values(col))
    assert (b[:300] == 0).all() and (b[300:400] == 1).all() and (b[400:] == 2).all()
    # a value in 0.5% of the rows, continuous data, rounded data (every value repeats), too few rows off
    assert atom_values(np.concatenate([np.zeros(5), g.standard_normal(995)])).size == 0
    assert atom_values(g.standard_normal(1000)).size == 0
    assert atom_values(np.round(g.standard_normal(1000), 1)).size == 0
    assert atom_values(np.concatenate([np.zeros(960), g.standard_normal(40)])).size == 0


def test_zero_inflated_side_is_split_at_its_atom(tiny):
    x, y = _zero_inflated(1)
    e = tiny.estimate(x, y)
    assert e.notes[0].startswith("Y has atoms, values that repeat next to continuous ones: 0 (")
    # the parts: I(X; B) by the label estimator, the continuous rows by the network
    b = (y != 0).astype(float)
    off = y != 0
    parts = tiny.estimate(x, b, discrete_y=True).mi + off.mean() * tiny.estimate(x[off], y[off]).mi
    assert e.mi == pytest.approx(parts, abs=1e-9)
    # symmetric in X and Y, and pairwise reads the pair the same way
    s = tiny.estimate(y, x)
    assert (s.mi, s.lower, s.upper) == pytest.approx((e.mi, e.lower, e.upper), abs=1e-12)
    assert tiny.pairwise(np.column_stack([x, y]), progress=False)[0, 1] == pytest.approx(e.mi, abs=1e-12)


def _both_zero_inflated(seed, n=2000, rho=0.9, t1=-1.0, t2=0.0):
    g = np.random.default_rng(seed)
    z1 = g.standard_normal(n)
    z2 = rho * z1 + np.sqrt(1 - rho**2) * g.standard_normal(n)
    return np.where(z1 > t1, np.exp(z1), 0.0), np.where(z2 > t2, np.exp(z2), 0.0)


def test_both_sides_with_atoms_are_split_at_both(tiny):
    x, y = _both_zero_inflated(3)
    e = tiny.estimate(x, y)
    # rows on both atoms repeat whole; they are the data, not copies of records
    assert not any("copies" in t for t in e.notes)
    assert e.notes[0].startswith("Y has atoms") and e.notes[1].startswith("the other side O has atoms too")
    # the four terms of the chain rule, each by its own estimator
    bx, by = (x != 0).astype(float), (y != 0).astype(float)
    offx, offy = x != 0, y != 0
    term1 = (tiny.estimate(bx, by, discrete_x=True, discrete_y=True).mi
             + offx.mean() * tiny.estimate(x[offx], by[offx], discrete_y=True).mi)
    assert e.mi == pytest.approx(term1 + offy.mean() * tiny.estimate(x[offy], y[offy]).mi, abs=1e-9)
    s = tiny.estimate(y, x)
    assert s.mi == pytest.approx(e.mi, abs=1e-12)
    assert tiny.pairwise(np.column_stack([x, y]), progress=False)[0, 1] == pytest.approx(e.mi, abs=1e-12)


def test_split_is_left_alone_without_atoms_or_with_atoms_in_a_wider_side(tiny):
    x, y = _zero_inflated(2)
    g = np.random.default_rng(3)
    w = g.standard_normal((1500, 2))
    assert not any("has atoms" in t for t in tiny.estimate(w[:, 0], w[:, 1]).notes)
    # a two-column side with atoms in one column: not split (the split needs one column), whether or
    # not the other side has atoms
    assert not any("has atoms" in t for t in tiny.estimate(x, np.column_stack([y, w[:, 0]])).notes)
    x2 = np.where(x > 0.5, x, 0.0)
    assert not any("has atoms" in t for t in tiny.estimate(np.column_stack([x2, w[:, 1]]), y).notes)


def test_zero_inflated_strong_dependence_is_covered():
    # the network alone read 0.34-0.36 [.., 0.39-0.40] for 0.455 nats (70% zeros, rho 0.9;
    # docs/experiments/atoms)
    model = InfoAtlas.from_pretrained(random_state=0)
    x, y = _zero_inflated(4, n=2000, rho=0.9, share=0.69)
    e = model.estimate(x, y)
    assert e.lower <= 0.455 <= e.upper and abs(e.mi - 0.455) < 0.05


def test_pairwise_does_not_call_a_column_it_splits_at_its_atoms_tied(tiny):
    import warnings

    import pandas as pd

    from infoatlas.validation import InfoAtlasWarning

    x, y = _zero_inflated(4)  # 60% zeros: fewer distinct values than half the rows
    # a few-valued column declared continuous keeps its ties, and is warned about (with more than
    # 20 values, alone in its group, its ties would be broken: test_many_ties)
    rounded = np.round(2 * np.random.default_rng(4).standard_normal(x.size))
    df = pd.DataFrame({"x": x, "y": y, "r": rounded})
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        tiny.pairwise(df, discrete=False, progress=False)
    tied = [str(w.message) for w in rec if issubclass(w.category, InfoAtlasWarning) and "heavily tied" in str(w.message)]
    assert tied == ["data has heavily tied column(s) [2] (fewer distinct values than half the rows); ties get "
                    "average ranks and the estimate treats the data as continuous"]
    # in a group of two columns its atoms are broken as estimate() breaks them (the pair is planned
    # as estimate() plans it), so the warning names only the tied column that keeps its ties
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        m = tiny.pairwise(df, columns={"g": ["x", "y"], "h": ["r"]}, discrete=False, progress=False)
    tied = [str(w.message) for w in rec if issubclass(w.category, InfoAtlasWarning) and "heavily tied" in str(w.message)]
    assert tied == ["data has heavily tied column(s) [2] (fewer distinct values than half the rows); ties get "
                    "average ranks and the estimate treats the data as continuous"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        e = tiny.estimate(df[["x", "y"]].to_numpy(), rounded, discrete_x=False, discrete_y=False)
    assert m.loc["g", "h"] == pytest.approx(e.mi, abs=1e-6)
