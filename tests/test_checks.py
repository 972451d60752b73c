"""The checks of the network's reading against KSG on all rows (infoatlas.checks) on sides of several
columns: the G-test screen of the column pairs, the check itself, its invariances, and the estimator
and independence test reading dependence in one column pair among several; the joint-space check of
small sides (dependence a rotation spreads over the columns); KSG kept inside the reading in few
columns (a floor of the estimate, a cap of the lower end); lightly tied columns read by the checks with
their ties broken."""
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


def _rotated_sine(n, seed, s=0.5):
    """_sine_pair at 2 + 2 columns with each side turned by 45 degrees: no column pair carries the
    dependence alone."""
    x, y = _sine_pair(n, 2, 2, seed, s)
    r = np.array([[1.0, 1.0], [-1.0, 1.0]]) / np.sqrt(2.0)
    return x @ r, y @ r


def test_ksg_joint_is_ksg_in_the_joint_space():
    from infoatlas.baselines import KSG
    from infoatlas.knn import ksg_joint

    x, y = _rotated_sine(1500, 4)
    # the baseline on the same (already standard normal) scores: the same radius and counts
    zx, zy = _scores(x), _scores(y)
    assert ksg_joint(zx, zy) == pytest.approx(KSG(k=3).estimate(zx, zy), abs=1e-3)
    assert ksg_joint(zx[:, :1], zy[:, :1]) == ksg_pair(zx[:, 0], zy[:, 0], exact_sum=True)
    g = np.random.default_rng(5)
    assert abs(ksg_joint(_scores(g.standard_normal((2000, 2))), _scores(g.standard_normal((2000, 3))))) < 0.06


def test_joint_check_reads_dependence_no_column_pair_shows():
    x, y = _rotated_sine(4000, 5)
    zx, zy = _scores(x), _scores(y)
    from infoatlas.knn import ksg_joint

    k = ksg_joint(zx, zy)
    assert k > 0.25
    # the column-pair check alone finds nothing here; with the head's statistic above the upper end
    # the joint space replaces the reading
    assert checks.check_reading((zx, zy), 0.01, 0.0, 0.05, ()) == (0.01, 0.0, 0.05, ())
    mi, lower, upper, notes = checks.check_reading((zx, zy), 0.01, 0.0, 0.05, (), 0.2)
    assert (mi, lower) == (k, 0.0)
    assert upper == pytest.approx(max(0.05 + k - 0.01, k + 2 * checks.JOINT_MARGIN / np.sqrt(4000)))
    assert "joint space of all 2 + 2 columns" in notes[0]
    # a head statistic within the interval (the trigger), or more columns than JOINT_DIMS_MAX: unchanged
    # (2 + 2 columns are also read by the floor in few columns, switched off here: with it, joint KSG is
    # computed whatever the head's statistic, and KSG above the interval is the case above)
    old = checks.FLOOR_DIMS_MAX
    try:
        checks.FLOOR_DIMS_MAX = 0
        assert checks.check_reading((zx, zy), 0.01, 0.0, 0.05, (), 0.04) == (0.01, 0.0, 0.05, ())
    finally:
        checks.FLOOR_DIMS_MAX = old
    assert checks.check_reading((zx, zy), 0.01, 0.0, 0.05, (), 0.04) == (mi, lower, upper, notes)
    wide = (np.hstack([zx, zx[::-1]]), np.hstack([zy, zy[::-1]]))
    assert checks.check_reading(wide, 0.01, 0.0, 0.05, (), 0.2)[:3] == (0.01, 0.0, 0.05)
    # row order and the X/Y swap are free, also on a value-ordered subset of the rows
    p = np.random.default_rng(1).permutation(4000)
    a = checks.check_reading((zx, zy), 0.01, 0.0, 0.05, (), 0.2)
    assert checks.check_reading((zx[p], zy[p]), 0.01, 0.0, 0.05, (), 0.2)[:3] == a[:3]
    assert checks.check_reading((zy, zx), 0.01, 0.0, 0.05, (), 0.2)[:3] == a[:3]
    old = checks.JOINT_ROWS_MAX
    try:
        checks.JOINT_ROWS_MAX = 3000
        b = checks.check_reading((zx, zy), 0.01, 0.0, 0.05, (), 0.2)
        assert checks.check_reading((zx[p], zy[p]), 0.01, 0.0, 0.05, (), 0.2)[:3] == b[:3]
        assert "ranks of 3000 rows" in b[3][0]
    finally:
        checks.JOINT_ROWS_MAX = old


def test_estimator_reads_a_rotated_noisy_ring_through_the_joint_check():
    # a noisy ring (MI 0.288 nats) with an independent column a side, each side rotated: the network
    # alone reads about a third of it, with an upper end below the truth
    g = np.random.default_rng(7)
    t = g.uniform(0, 2 * np.pi, 5000)
    r = np.array([[1.0, 1.0], [-1.0, 1.0]]) / np.sqrt(2.0)
    x = np.column_stack([np.cos(t) + 0.2 * g.standard_normal(5000), g.standard_normal(5000)]) @ r
    y = np.column_stack([np.sin(t) + 0.2 * g.standard_normal(5000), g.standard_normal(5000)]) @ r
    model = InfoAtlas.from_pretrained(random_state=0)
    checks.PAIR_CHECK = False
    try:
        alone = model.estimate(x, y)
    finally:
        checks.PAIR_CHECK = True
    e = model.estimate(x, y)
    assert alone.upper < 0.288
    assert any("joint space" in t for t in e.notes)
    assert e.lower <= 0.288 <= e.upper
    # the independence test's statistic is the same function of the data
    from infoatlas import independence_test

    r = independence_test(x, y, n_permutations=9, random_state=0, model=model)
    assert r.statistic == pytest.approx(e.mi, abs=1e-9) and r.p_value == pytest.approx(0.1)


def _product(n, seed, s=0.3):
    """(a, b) against a b + s N, a, b, N independent standard normals: no correlation between the
    sides (MI 1.126 nats at s = 0.3: docs/experiments/real_shapes/functions.py)."""
    g = np.random.default_rng(seed)
    x = g.standard_normal((n, 2))
    return x, x[:, 0] * x[:, 1] + s * g.standard_normal(n)


def test_ksg_in_few_columns_is_kept_inside_the_reading():
    from infoatlas.knn import ksg_joint

    x, y = _product(3000, 11)
    zx, zy = _scores(x), _scores(y)
    k = ksg_joint(zx, zy)
    assert 0.9 < k < 1.3
    # the head's statistic (0.5) within the interval: only the floor reads KSG here
    mi, lower, upper, notes = checks.check_reading((zx, zy), 0.8, 0.5, 1.3, (), 0.5)
    assert (mi, lower) == (k, 0.5) and upper == pytest.approx(1.3 + k - 0.8)
    assert len(notes) == 1 and "2 + 1 columns" in notes[0] and "more than the network's 0.8" in notes[0]
    # row order and the X/Y swap are free
    p = np.random.default_rng(2).permutation(3000)
    assert checks.check_reading((zx[p], zy[p]), 0.8, 0.5, 1.3, (), 0.5)[:3] == (mi, lower, upper)
    assert checks.check_reading((zy, zx), 0.8, 0.5, 1.3, (), 0.5)[:3] == (mi, lower, upper)
    # a lower end above KSG less its spread s moves down to that, also within s above KSG; the
    # estimate stays
    s = checks.FLOOR_MARGIN / np.sqrt(3000)
    for lo in (1.45, k + 0.5 * s, k - 0.5 * s):
        mi, lower, upper, notes = checks.check_reading((zx, zy), 1.6, lo, 2.0, (), 0.5)
        assert (mi, upper) == (1.6, 2.0) and lower == pytest.approx(k - s)
        assert len(notes) == 1 and f"below the network's lower end {lo:.3g}" in notes[0]
    # a lower end below KSG less s: unchanged
    assert checks.check_reading((zx, zy), k, k - 1.5 * s, 2.0, (), 0.5) == (k, k - 1.5 * s, 2.0, ())
    # an estimate within FLOOR_MARGIN / sqrt(rows) of KSG, fewer rows than FLOOR_MIN_ROWS, more columns
    # than FLOOR_DIMS_MAX, or no head statistic (no joint-space checks at all): unchanged
    near = k - 0.5 * checks.FLOOR_MARGIN / np.sqrt(3000)
    assert checks.check_reading((zx, zy), near, 0.5, 1.3, (), 0.5) == (near, 0.5, 1.3, ())
    few = (zx[:checks.FLOOR_MIN_ROWS - 1], zy[:checks.FLOOR_MIN_ROWS - 1])
    assert checks.check_reading(few, 0.8, 0.5, 1.3, (), 0.5) == (0.8, 0.5, 1.3, ())
    g = np.random.default_rng(3)
    wide = (np.hstack([zx, _scores(g.standard_normal((3000, 3)))]), zy)
    assert checks.check_reading(wide, 0.8, 0.5, 1.3, (), 0.5) == (0.8, 0.5, 1.3, ())
    assert checks.check_reading((zx, zy), 0.8, 0.5, 1.3, ()) == (0.8, 0.5, 1.3, ())


def test_floor_leaves_one_column_a_side_to_its_own_rules():
    # rho = 0.6 (MI 0.223 nats): KSG of the pair reads above the estimate, below STRONG_PAIR_MIN and
    # within the interval; pairwise tests such pairs against one null per n, read without a floor
    g = np.random.default_rng(12)
    u = g.standard_normal(2000)
    v = 0.6 * u + 0.8 * g.standard_normal(2000)
    zu, zv = _scores(u), _scores(v)
    k = ksg_pair(zu[:, 0], zv[:, 0], exact_sum=True)
    assert 0.1 + checks.FLOOR_MARGIN / np.sqrt(2000) < k < 0.35
    assert checks.check_reading((zu, zv), 0.1, 0.05, 0.35, (), 0.3) == (0.1, 0.05, 0.35, ())


def test_independence_statistic_leaves_the_floor_out():
    x, y = _product(2000, 14)
    zx, zy = _scores(x), _scores(y)
    on = checks.check_reading((zx, zy), 0.5, 0.3, 1.5, (), 0.5)
    assert on[0] > 0.9
    assert checks.check_reading((zx, zy), 0.5, 0.3, 1.5, (), 0.5, keep_ksg=False) == (0.5, 0.3, 1.5, ())
    # the test itself: its statistic is the same with the rule switched off, below the floored estimate
    from infoatlas import independence_test

    model = InfoAtlas.from_pretrained(random_state=0)
    e = model.estimate(x, y)
    assert any("in so few columns KSG reads low" in t for t in e.notes)
    r = independence_test(x, y, n_permutations=9, random_state=0, model=model)
    old = checks.FLOOR_MIN_ROWS
    try:
        checks.FLOOR_MIN_ROWS = np.inf
        off = independence_test(x, y, n_permutations=9, random_state=0, model=model)
    finally:
        checks.FLOOR_MIN_ROWS = old
    assert r.statistic == off.statistic < e.mi and r.p_value == off.p_value == pytest.approx(0.1)


def test_estimator_reads_a_product_of_two_columns_through_the_floor():
    x, y = _product(3000, 13)
    model = InfoAtlas.from_pretrained(random_state=0)
    old = checks.FLOOR_MIN_ROWS
    try:
        checks.FLOOR_MIN_ROWS = np.inf
        alone = model.estimate(x, y)
    finally:
        checks.FLOOR_MIN_ROWS = old
    e = model.estimate(x, y)
    assert any("in so few columns KSG reads low" in t for t in e.notes)
    assert abs(e.mi - 1.126) < 0.1 and e.lower <= 1.126 <= e.upper
    assert e.mi > alone.mi + 0.1 and e.lower == alone.lower


def test_checks_read_lightly_tied_columns_with_their_ties_broken():
    # three decimals on 3,000 rows: each column keeps more than half as many distinct values as rows
    # (lightly tied: the network reads the ties), but a single tie used to switch every check off
    x, y = _product(3000, 17)
    x, y = np.round(x, 3), np.round(y, 3)
    assert all(len(x) / 2 < np.unique(c).size < len(x) for c in (*x.T, y))
    model = InfoAtlas.from_pretrained(random_state=0)
    old = checks.BREAK_TIES
    try:
        checks.BREAK_TIES = False
        off = model.estimate(x, y)
    finally:
        checks.BREAK_TIES = old
    e = model.estimate(x, y)
    assert not any("KSG" in t for t in off.notes)
    assert any("in so few columns KSG reads low" in t for t in e.notes)
    assert abs(e.mi - 1.126) < 0.1 and e.lower <= 1.126 <= e.upper
    assert e.mi > off.mi + 0.1
    # the keys that break the ties follow the rows' values, not their order
    perm = np.random.default_rng(0).permutation(len(x))
    assert model.estimate(x[perm], y[perm]).mi == e.mi


def test_tie_breaking_for_the_checks_keeps_values_order_and_leaves_untied_data():
    from infoatlas.estimator import _tie_broken_for_checks

    g = np.random.default_rng(5)
    x, y = g.standard_normal((500, 2)), g.standard_normal((500, 1))
    zx, zy = _scores(x), _scores(y)
    out = _tie_broken_for_checks(x, y, zx, zy, 0)
    assert all(a is b for a, b in zip(out, (x, y, zx, zy)))  # untied: the arguments themselves
    xt = x.copy()
    xt[:, 1] = np.round(xt[:, 1], 2)  # ties in one column
    zt = _scores(xt)
    tx, ty, bx, by = _tie_broken_for_checks(xt, y, zt, zy, 0)
    assert all(np.unique(c).size == c.size for c in (*bx.T, *by.T))
    np.testing.assert_array_equal(bx[:, 0], zt[:, 0])  # the untied columns keep their scores
    np.testing.assert_array_equal(by, zy)
    lo, hi = np.nonzero(xt[:, 1][:, None] < xt[:, 1][None, :])
    assert np.all(bx[lo, 1] < bx[hi, 1])  # distinct values keep their order; only ties are broken
    # a side whose rows repeat whole (points of a finite pool) keeps its ties
    pool = g.standard_normal((20, 2))[g.integers(0, 20, 500)]
    zp = _scores(pool)
    assert all(a is b for a, b in zip(_tie_broken_for_checks(pool, y, zp, zy, 0), (pool, y, zp, zy)))
    old = checks.BREAK_TIES
    try:
        checks.BREAK_TIES = False
        assert _tie_broken_for_checks(xt, y, zt, zy, 0)[2] is zt
    finally:
        checks.BREAK_TIES = old


def test_pairwise_reads_pairs_as_estimate_does_and_tests_the_reading_without_the_bound():
    # a near-function of one column, which the regression bound lifts, and a product of two columns
    # plus noise rounded to three decimals (light ties), which the checks against KSG lift: pairwise's
    # default method read both without those checks before
    g = np.random.default_rng(3)
    a = g.standard_normal(1000)
    f = np.sin(4 * a) + 0.01 * g.standard_normal(1000)
    x, y = _product(3000, 17)
    x, y = np.round(x, 3), np.round(y, 3)
    model = InfoAtlas.from_pretrained(random_state=0)
    old = checks.REGRESSION_CHECK, checks.BREAK_TIES
    try:
        checks.REGRESSION_CHECK = checks.BREAK_TIES = False
        off_pair, off_p = model.pairwise(np.column_stack([a, f]), p_values=True, n_permutations=49, progress=False)
        off_group = model.pairwise(np.column_stack([x, y]), {"x": [0, 1], "y": [2]}, progress=False)
    finally:
        checks.REGRESSION_CHECK, checks.BREAK_TIES = old
    pair, p = model.pairwise(np.column_stack([a, f]), p_values=True, n_permutations=49, progress=False)
    group = model.pairwise(np.column_stack([x, y]), {"x": [0, 1], "y": [2]}, progress=False)
    e_pair, e_group = model.estimate(a, f), model.estimate(x, y)
    assert any("local quadratic regression" in t for t in e_pair.notes)
    # equal up to float rounding (pairwise prepares its pairs in batches)
    assert pair[0, 1] == pytest.approx(e_pair.mi, abs=1e-6) and pair[0, 1] > off_pair[0, 1] + 0.3
    assert group.iloc[0, 1] == pytest.approx(e_group.mi, abs=1e-6) and group.iloc[0, 1] > off_group.iloc[0, 1] + 0.1
    # the pair's p-value tests the reading without the bound, whose null all untied pairs share
    assert p[0, 1] == off_p[0, 1]
