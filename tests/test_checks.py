"""The checks of the network's reading against KSG on all rows (infoatlas.checks) on sides of several
columns: the G-test screen of the column pairs, the check itself, its invariances, and the estimator
and independence test reading dependence in one column pair among several."""
import numpy as np
import pytest
from scipy import stats

from infoatlas import InfoAtlas, checks
from infoatlas.copula import copula_normal
from infoatlas.knn import ksg_pair


def _scores(a):
    return copula_normal(np.asarray(a, float).reshape(len(a), -1), warn=False)[0]


def _sine_pair(n, dx, dy, seed, s=0.5):
    """y_0 = sin(5 x_0) + s N in the first columns (MI 0.536 nats at s = 0.5), the rest independent."""
    g = np.random.default_rng(seed)
    x = g.standard_normal((n, dx))
    y = g.standard_normal((n, dy))
    y[:, 0] = np.sin(5 * x[:, 0]) + s * g.standard_normal(n)
    return x, y


def test_screen_bins_grow_with_n_between_4_and_10():
    assert [checks.screen_bins(n) for n in (20, 80, 200, 500, 5000, 10 ** 6)] == [4, 4, 6, 10, 10, 10]


def test_screen_is_a_g_test_per_column_pair():
    x, y = _sine_pair(2000, 3, 2, 0)
    zx, zy = _scores(x), _scores(y)
    p = checks.screen(zx, zy)[0]
    assert p.shape == (3, 2)
    assert p[0, 0] < 1e-12 and (np.delete(p.ravel(), 0) > 1e-3).all()
    # one pair by hand: 10 x 10 equal-frequency bins of the ranks, G against chi2(81)
    b = checks.screen_bins(2000)
    bx = np.minimum((stats.norm.cdf(zx[:, 1]) * b).astype(int), b - 1)
    by = np.minimum((stats.norm.cdf(zy[:, 1]) * b).astype(int), b - 1)
    table = np.zeros((b, b))
    np.add.at(table, (bx, by), 1)
    g, *_ = stats.chi2_contingency(table, correction=False, lambda_="log-likelihood")
    assert p[1, 1] == pytest.approx(stats.chi2.sf(g, (b - 1) ** 2), rel=1e-9)


def test_screen_keeps_independent_columns_below_its_bonferroni_level():
    # 8 x 8 independent columns, 30 data sets: the family-wise level is 1e-3, so no rejection
    hits = 0
    for seed in range(30):
        g = np.random.default_rng(100 + seed)
        p = checks.screen(_scores(g.standard_normal((1000, 8))), _scores(g.standard_normal((1000, 8))))[0]
        hits += int((p < checks.SCREEN_ALPHA / 64).any())
    assert hits == 0


def test_column_pair_check_replaces_a_reading_below_ksg_of_one_pair():
    x, y = _sine_pair(3000, 3, 2, 1)
    zx, zy = _scores(x), _scores(y)
    k = ksg_pair(zx[:, 0], zy[:, 0], exact_sum=True)
    mi, lower, upper, notes = checks.check_reading((zx, zy), 0.01, 0.0, 0.05, ())
    assert (mi, lower) == (k, 0.0)
    assert upper == pytest.approx(max(0.05 + k - 0.01, k + 2 * checks.MISSED_MARGIN / np.sqrt(3000)))
    assert "X's column 0 and Y's column 0" in notes[0] and notes[0].startswith("dependence the network misses")
    # a network interval that already reaches KSG: unchanged
    assert checks.check_reading((zx, zy), 0.5, 0.3, k, ()) == (0.5, 0.3, k, ())
    # more column pairs than COLUMN_PAIRS_MAX: not checked
    wide = (np.repeat(zx, 6, axis=1)[:, :16], np.repeat(zy, 3, axis=1)[:, :5])
    assert not checks.applies(16, 5)
    assert checks.check_reading(wide, 0.01, 0.0, 0.05, ()) == (0.01, 0.0, 0.05, ())


def test_column_pair_check_is_order_and_swap_free_and_skips_ties():
    x, y = _sine_pair(2000, 2, 3, 2)
    zx, zy = _scores(x), _scores(y)
    a = checks.check_reading((zx, zy), 0.01, 0.0, 0.05, ())
    assert a[0] > 0.3
    p = np.random.default_rng(0).permutation(2000)
    assert checks.check_reading((zx[p], zy[p]), 0.01, 0.0, 0.05, ())[:3] == a[:3]
    assert checks.check_reading((zy, zx), 0.01, 0.0, 0.05, ())[:3] == a[:3]
    xt = x.copy()
    xt[:, 0] = np.round(xt[:, 0], 1)  # ties in the dependent column: KSG cannot read it
    assert checks.check_reading((_scores(xt), zy), 0.01, 0.0, 0.05, ()) == (0.01, 0.0, 0.05, ())


def test_estimator_and_independence_test_read_dependence_in_one_column_pair():
    # the network alone read such data as about 0.01 [0, 0.07] (docs/experiments/weak_shapes/columns.md)
    x, y = _sine_pair(3000, 3, 2, 3)
    model = InfoAtlas.from_pretrained(random_state=0)
    e = model.estimate(x, y)
    assert any(t.startswith("dependence the network misses") for t in e.notes)
    assert e.lower <= 0.536 <= e.upper and abs(e.mi - 0.536) < 0.08
    from infoatlas import independence_test

    r = independence_test(x, y, n_permutations=19, random_state=0, model=model)
    assert r.statistic == pytest.approx(e.mi, abs=1e-9) and r.p_value == pytest.approx(0.05)
