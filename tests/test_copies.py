"""Copies of records (whole rows repeated: rows appended twice, bootstrap resamples):
infoatlas.pooled.copied_records and the estimator, the independence test and pairwise reading
each distinct row once."""
import numpy as np
import pandas as pd
import pytest

import infoatlas
from infoatlas import InfoAtlas, independence_test
from infoatlas.pooled import copied_records


def _gauss(seed, n=400, d=2, r=0.6):
    g = np.random.default_rng(seed)
    x = g.standard_normal((n, d))
    return x, r * x + np.sqrt(1 - r * r) * g.standard_normal((n, d))


def _records(x, y):
    """The distinct rows of (x, y) in the order copied_records keeps them (lexicographic)."""
    a = np.unique(np.hstack([x, y]), axis=0)
    return a[:, : x.shape[1]], a[:, x.shape[1]:]


def test_rows_appended_twice_read_as_the_records(tiny):
    x, y = _gauss(0)
    e = tiny.estimate(x, y)
    twice = tiny.estimate(np.vstack([x, x]), np.vstack([y, y]))
    assert (twice.mi, twice.lower, twice.upper) == pytest.approx((e.mi, e.lower, e.upper), abs=1e-9)
    assert twice.n == 400 and "whole rows repeat: the 800 rows are copies of 400 distinct records" in twice.notes[0]


def test_a_bootstrap_resample_of_independent_data_is_not_read_as_dependent():
    # independent 3 + 3 Gaussians: a bootstrap resample (rows drawn with replacement) read 1.26 nats
    # with an interval excluding 0 when its copies were kept (docs/experiments/copied_records)
    g = np.random.default_rng(1)
    x, y = g.standard_normal((1000, 3)), g.standard_normal((1000, 3))
    rows = g.integers(1000, size=1000)
    e = InfoAtlas.from_pretrained().estimate(x[rows], y[rows])
    assert e.mi < 0.05 and e.lower == 0.0 and e.n < 700


def test_a_label_against_copied_records_reads_the_records(tiny):
    x, _ = _gauss(2, n=300)
    label = (x[:, 0] + 0.5 * np.random.default_rng(2).standard_normal(300) > 0).astype(int)[:, None]
    xr, lr = _records(x, label)
    e = tiny.estimate(xr, lr)
    twice = tiny.estimate(np.vstack([x, x]), np.vstack([label, label]))
    assert (twice.mi, twice.lower, twice.upper) == (e.mi, e.lower, e.upper)
    assert twice.notes[0].startswith("whole rows repeat")


def test_copies_that_are_categories_few_or_not_whole_rows_are_left_alone(tiny):
    g = np.random.default_rng(3)
    # a finite pool of 30 points read 33 times each, Y a function of X: categories, the pooled route
    pool = g.standard_normal((30, 2))
    i = g.integers(30, size=1000)
    x, y = pool[i], np.tanh(pool[i] @ g.standard_normal((2, 2)))
    assert copied_records(np.hstack([x, y]), [[0, 1], [2, 3]]) is None
    assert not any("whole rows" in s for s in tiny.estimate(x, y).notes)
    # 2% of the rows copied (below COPIES_MIN_SHARE): rounding ties are observations
    x, y = _gauss(4, n=500)
    extra = np.arange(10)
    assert not any("whole rows" in s for s in tiny.estimate(np.vstack([x, x[extra]]), np.vstack([y, y[extra]])).notes)
    # rounded values: ties within a side that pair with different rows of the other are not copies
    x, y = np.round(_gauss(5, n=2000, d=1), 1)
    assert copied_records(np.hstack([x, y]), [[0], [1]]) is None


def test_the_independence_test_reads_copies_as_the_records(tiny):
    x, y = _gauss(6, n=200, r=0.0)
    xr, yr = _records(x, y)
    a = independence_test(xr, yr, n_permutations=49, random_state=0, model=tiny)
    b = independence_test(np.vstack([x, x]), np.vstack([y, y]), n_permutations=49, random_state=0, model=tiny)
    assert (b.statistic, b.p_value) == (a.statistic, a.p_value)
    assert b.notes[0].startswith("whole rows repeat")


def test_pairwise_reads_a_copied_table_as_its_records(tiny):
    x, y = _gauss(7, n=300)
    xr, yr = _records(x, y)
    frame = pd.DataFrame(np.hstack([xr, yr]), columns=list("abcd"))
    twice = pd.concat([frame, frame], ignore_index=True)
    pd.testing.assert_frame_equal(tiny.pairwise(twice, progress=False), tiny.pairwise(frame, progress=False))


def test_too_few_distinct_records_is_a_clear_error():
    x, y = _gauss(8, n=10)
    with pytest.raises(ValueError, match="copies of 10 distinct records"):
        infoatlas.estimate(np.vstack([x, x, x]), np.vstack([y, y, y]))


def test_copies_are_counted_among_finite_rows_and_nan_rows_left_to_the_validation(tiny):
    x, y = _gauss(9, n=30)
    x[3] = np.nan
    twice_x, twice_y = np.vstack([x, x]), np.vstack([y, y])
    e = tiny.estimate(twice_x, twice_y, nan_policy="omit")
    assert e.n == 29 and "the 58 rows are copies of 29 distinct records" in e.notes[0]
    assert any("dropped 2 row(s)" in s for s in e.notes)
    with pytest.raises(ValueError, match="NaN"):
        tiny.estimate(twice_x, twice_y)


def test_rows_on_two_atoms_are_not_copies():
    # zero-inflated sides whose zeros co-occur: the rows (0, 0) repeat whole, and X's zeros pair only
    # with Y's, so X "identifies" them; but a column with atoms repeats by design (infoatlas.atoms)
    g = np.random.default_rng(5)
    z1 = g.standard_normal(2000)
    z2 = 0.9 * z1 + np.sqrt(1 - 0.81) * g.standard_normal(2000)
    x = np.where(z1 > -1, np.exp(z1), 0.0)
    y = np.where((z2 > 0) & (x != 0), np.exp(z2), 0.0)  # X's zeros only where Y's are
    assert ((x == 0) & (y == 0)).sum() > 100 and np.unique(x).size == np.unique(np.column_stack([x, y]), axis=0).shape[0]
    assert copied_records(np.column_stack([x, y]), [[0], [1]]) is None
