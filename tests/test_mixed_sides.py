"""Few-valued columns read as numbers (questionnaire items, pixels, counts next to continuous
columns): their ties broken at random before the network reads them, the interval widened to cover
the reading with the ties kept.  Ground truth of the mixed_blocks family."""
import numpy as np
import pytest

import infoatlas
from infoatlas import discrete as E
from infoatlas.atlas import discrete as D


def _items(r, n, d, k=5):
    return r.integers(1, k + 1, size=(n, d)).astype(float)


# --------------------------------------------------------------------------- ground truth

def test_mixed_blocks_mi_is_the_continuous_pairs_plus_the_quantised_blocks():
    rc, rq, cx = [0.6, -0.8], [0.7, 0.4], [[-0.5, 0.5], [0.0]]
    t = D.MixedBlocks(rc, rq, cx)
    gauss = -0.5 * np.log(1 - 0.36) - 0.5 * np.log(1 - 0.64)
    assert t.mutual_information() == pytest.approx(gauss + D.QuantisedBlocks(rq, cx).mutual_information(), abs=1e-12)
    x, y = t.sample(200_000, np.random.default_rng(0))
    assert x.shape == y.shape == (200_000, 4)
    # the continuous pairs: their sample correlations give their MI; the cut columns have their levels
    for j, rho in enumerate(rc):
        assert np.corrcoef(x[:, j], y[:, j])[0, 1] == pytest.approx(rho, abs=0.01)
    assert [len(np.unique(x[:, j])) for j in range(4)] == [200_000, 200_000, 3, 2]
    assert len(np.unique(y[:, 2])) == 200_000  # Y's columns continuous when cuts_y is None


def test_the_mixed_blocks_family_samples_finite_data_that_the_rule_reads_as_mixed_sides():
    rng = np.random.default_rng(2)
    assert "mixed_blocks" in D.DISCRETE_FAMILIES
    for _ in range(6):
        t = D.make_discrete("mixed_blocks", rng)
        x, y = t.sample(400, rng)
        assert np.isfinite(x).all() and np.isfinite(y).all() and t.mutual_information() >= 0
        assert t.discrete_x is None and 2 <= len(np.unique(x[:, -1])) <= 7 and len(np.unique(x[:, 0])) == 400


# --------------------------------------------------------------------------- breaking the ties

def test_break_ties_keeps_the_order_of_values_and_leaves_other_columns_alone():
    r = np.random.default_rng(3)
    x = np.column_stack([r.normal(size=300), _items(r, 300, 2)])
    y = _items(r, 300, 1)
    tx, ty = E.break_ties(x, y, np.array([False, True, True]), np.array([True]), 0)
    np.testing.assert_array_equal(tx[:, 0], x[:, 0])
    for a, b in ((x[:, 1], tx[:, 1]), (x[:, 2], tx[:, 2]), (y[:, 0], ty[:, 0])):
        assert len(np.unique(b)) == 300                      # no ties left
        lo, hi = np.meshgrid(a, a, indexing="ij")
        blo, bhi = np.meshgrid(b, b, indexing="ij")
        assert np.all(blo[lo < hi] < bhi[lo < hi])           # a strictly increasing map of each level
    np.testing.assert_array_equal(x[:, 1], np.round(x[:, 1]))  # the input is not changed in place


def test_break_ties_does_not_depend_on_the_order_of_the_rows_and_keeps_nan():
    r = np.random.default_rng(4)
    x, y = np.column_stack([r.normal(size=200), _items(r, 200, 3)]), _items(r, 200, 2)
    x[5, 1] = np.nan
    mx, my = np.array([False, True, True, True]), np.array([True, True])
    tx, ty = E.break_ties(x, y, mx, my, 0)
    perm = r.permutation(200)
    px, py = E.break_ties(x[perm], y[perm], mx, my, 0)
    np.testing.assert_array_equal(px, tx[perm])
    np.testing.assert_array_equal(py, ty[perm])
    assert np.isnan(tx[5, 1]) and np.isfinite(np.delete(tx, 5, axis=0)).all()
    other = E.break_ties(x, y, mx, my, 1)[0]
    assert not np.array_equal(other, tx)  # the seed decides the ties, nothing else


# --------------------------------------------------------------------------- the estimate

@pytest.mark.parametrize("n", [500, 2000])
def test_independent_mixed_sides_read_near_zero_with_zero_in_the_interval(n):
    # age next to ten 5-level items, against a continuous Y: with the ties kept the network read
    # about 0.027 nats with a lower end above 0 in 23 of 24 such data sets
    r = np.random.default_rng(5)
    for _ in range(3):
        x = np.column_stack([r.normal(size=n), _items(r, n, 10)])
        e = infoatlas.estimate(x, r.normal(size=n))
        assert e.mi < 0.02 and e.lower == 0.0
        assert any("read as numbers with ties" in s for s in e.notes)


def test_a_dependent_mixed_side_is_covered_and_the_notes_give_both_readings():
    # with its ties kept the network read this data set 1.227 [0.752, 3.165] (truth 0.701)
    r = np.random.default_rng(8)
    t = D.MixedBlocks([0.5], r.uniform(-0.8, 0.8, 5), [np.sort(r.normal(size=3)) for _ in range(5)])
    x, y = t.sample(5000, r)
    e = infoatlas.estimate(x, y)
    truth = t.mutual_information()
    assert e.lower <= truth <= e.upper
    assert abs(e.mi - truth) < 0.2
    assert any("ties broken at random" in s and "ties kept" in s for s in e.notes)


def test_the_estimate_of_tied_columns_does_not_depend_on_the_order_of_the_rows():
    r = np.random.default_rng(8)
    x = np.column_stack([r.normal(size=1500), _items(r, 1500, 6)])
    y = x[:, :3] @ r.normal(size=(3, 2)) + r.normal(size=(1500, 2))
    perm = r.permutation(1500)
    a, b = infoatlas.estimate(x, y), infoatlas.estimate(x[perm], y[perm])
    assert (b.mi, b.lower, b.upper) == pytest.approx((a.mi, a.lower, a.upper), abs=1e-5)


# --------------------------------------------------------------------------- the chain rule's check

def _mixed(r, n, c, b):
    return np.column_stack([r.normal(size=(n, c)), r.integers(0, 2, (n, b))])


def test_independent_mixed_sides_of_few_categories_are_checked_against_copies():
    # two continuous and three binary columns a side (8 x 8 categories): the chain rule read
    # independent data 0.06-0.10 nats at n = 500-1,000 (docs/experiments/mixed_sides/chain.md)
    r = np.random.default_rng(9)
    for _ in range(3):
        e = infoatlas.estimate(_mixed(r, 500, 2, 3), _mixed(r, 500, 2, 3))
        assert e.mi < 0.03 and e.lower == 0.0
        assert any("chain rule over small categories" in s for s in e.notes)


def test_the_chain_check_does_not_depend_on_the_order_of_the_rows():
    r = np.random.default_rng(10)
    x, y = _mixed(r, 400, 2, 3), _mixed(r, 400, 2, 3)
    y[:, 0] += x[:, 0]
    m = np.array([False, False, True, True, True])
    mi = E.point_estimate(x, y, m, m)
    perm = r.permutation(400)
    a = E.chain_check(x, y, m, m, mi, mi - 0.1, mi + 0.1, 0)
    b = E.chain_check(x[perm], y[perm], m, m, mi, mi - 0.1, mi + 0.1, 0)
    assert a[:3] == pytest.approx(b[:3], abs=1e-12) and a[3] == b[3] and a[3]


def test_large_categories_stop_the_chain_check_after_its_first_copies(monkeypatch):
    r = np.random.default_rng(11)
    x = np.column_stack([r.normal(size=5000), r.integers(0, 2, 5000)])
    y = x[:, :1] + 2 * x[:, 1:] + r.normal(size=(5000, 1))
    m = np.array([False, True])
    calls = []
    real = E.point_estimate
    # the copies' top-level calls (the chain rule calls itself on the discrete part and the categories)
    monkeypatch.setattr(E, "point_estimate",
                        lambda *a, **k: (a[0].shape == (5000, 2) and calls.append(1)) or real(*a, **k))
    out = E.chain_check(x, y, m, np.array([False]), 1.0, 0.9, 1.1, 0)
    assert out == (1.0, 0.9, 1.1, []) and len(calls) == E.CHAIN_SCREEN


def test_estimate_batch_reads_tied_columns_as_estimate_does():
    # the tied reading runs in the same network batches as the data (and as other data sets)
    r = np.random.default_rng(12)
    x = np.column_stack([r.normal(size=800), _items(r, 800, 6)])
    y = x[:, :2] @ r.normal(size=(2, 2)) + r.normal(size=(800, 2))
    other = (r.normal(size=(500, 3)), r.normal(size=(500, 2)))
    model = infoatlas.InfoAtlas.from_pretrained()
    one = model.estimate(x, y)
    batch = model.estimate_batch([other, (x, y), other], progress=False)
    assert (batch[1].mi, batch[1].lower, batch[1].upper) == pytest.approx((one.mi, one.lower, one.upper), abs=1e-6)
    assert batch[1].notes == one.notes and batch[0].notes == batch[2].notes
