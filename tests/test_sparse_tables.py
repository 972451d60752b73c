"""Tables with more cells than rows: several few-valued numeric columns on a side (the automatic
rule on the side's joint values), contingency tables sparser than one row per cell (the check
against permuted copies), and the intervals of few-valued columns read as numbers with ties (the
table's bracket).  Ground truth of the quantised_blocks and labels_many families."""
import numpy as np
import pytest

import infoatlas
from infoatlas import discrete as E
from infoatlas.atlas import discrete as D
from infoatlas.estimator import _widen_to_bracket


def _levels(r, n, d, k):
    return r.integers(0, k, size=(n, d)).astype(float)


def _blocks(seed, d, cuts, y_cut, n):
    """The estimate of n rows of d quantised Gaussian pairs (``cuts`` cut points a column; Y's
    columns cut too, or continuous), and the truth."""
    r = np.random.default_rng(seed)
    cut = lambda: np.sort(r.normal(size=cuts))  # noqa: E731
    t = D.QuantisedBlocks(r.uniform(-0.9, 0.9, d), [cut() for _ in range(d)],
                          [cut() for _ in range(d)] if y_cut else None)
    x, y = t.sample(n, r)
    return infoatlas.estimate(x, y), t.mutual_information()


# --------------------------------------------------------------------------- ground truth

def test_quantised_blocks_mi_is_the_sum_of_its_blocks_and_matches_the_plugin_table():
    rhos, cx, cy = [0.8, -0.6], [[-0.3, 0.5], [0.0]], [[0.2], [-0.7, 0.1]]
    t = D.QuantisedBlocks(rhos, cx, cy)
    parts = [D.QuantisedGaussian(r, a, b).mutual_information() for r, a, b in zip(rhos, cx, cy)]
    assert t.mutual_information() == pytest.approx(sum(parts), abs=1e-12)
    x, y = t.sample(400_000, np.random.default_rng(0))
    assert x.shape == y.shape == (400_000, 2)
    plug = E.table_mi(E.codes(x)[0], E.codes(y)[0], "plugin")   # 6 x 6 cells: plug-in is exact here
    assert plug == pytest.approx(t.mutual_information(), abs=0.005)


def test_quantised_blocks_with_continuous_y_sum_the_one_side_mi():
    t = D.QuantisedBlocks([0.7, 0.5], [[0.0], [-0.5, 0.5]])
    x, y = t.sample(100, np.random.default_rng(1))
    assert len(np.unique(x[:, 0])) == 2 and len(np.unique(y[:, 0])) == 100
    assert t.mutual_information() == pytest.approx(
        D.QuantisedGaussian(0.7, [0.0], None).mutual_information()
        + D.QuantisedGaussian(0.5, [-0.5, 0.5], None).mutual_information())


@pytest.mark.parametrize("family", ["quantised_blocks", "labels_many"])
def test_the_new_families_sample_finite_data_with_nonnegative_mi(family):
    rng = np.random.default_rng(2)
    for _ in range(4):
        t = D.make_discrete(family, rng)
        x, y = t.sample(300, rng)
        assert np.isfinite(x).all() and np.isfinite(y).all() and t.mutual_information() >= 0
    assert family in D.DISCRETE_FAMILIES


# --------------------------------------------------------------------------- the side's joint values

def test_many_few_valued_numeric_columns_are_read_as_numbers_and_the_notes_say_so():
    r = np.random.default_rng(3)
    a = _levels(r, 500, 10, 5)
    mask, notes = E.auto_joint("auto", a, E.discrete_mask("auto", a, "x"), None, "X")
    assert not mask.any() and "read as numbers with ties" in notes[0]
    # on many rows the first 1,000 settle it (the same decision as on all rows)
    big = _levels(r, 3000, 3, 5)
    mask, notes = E.auto_joint("auto", big, E.discrete_mask("auto", big, "x"), None, "X")
    assert not mask.any() and "in the first 1,000 of 3,000 rows" in notes[0]
    # two binary columns take 4 joint values: still a label
    b = _levels(r, 500, 2, 2)
    mask, notes = E.auto_joint("auto", b, E.discrete_mask("auto", b, "x"), None, "X")
    assert mask.all() and notes == ()
    # what the user declares, and columns that are not numbers, stay discrete
    assert E.auto_joint(True, a, np.ones(10, bool), None, "X")[0].all()
    cat = np.ones(10, bool)
    assert E.auto_joint("auto", a, np.ones(10, bool), cat, "X")[0].all()


def test_independent_tables_of_few_valued_columns_read_near_zero():
    # ten 5-level columns a side were read as one 5^10-valued label: 7.6 nats at n = 2,000
    r = np.random.default_rng(4)
    for n in (500, 2000):
        e = infoatlas.estimate(_levels(r, n, 10, 5), _levels(r, n, 10, 5))
        assert e.mi < 0.1 and e.lower == 0.0
        assert any("read as numbers with ties" in s for s in e.notes)


def test_dependent_few_valued_tables_are_covered_by_the_widened_interval():
    e, truth = _blocks(5, 5, 4, True, 1000)
    assert e.lower <= truth <= e.upper
    assert any("contingency table of the rows" in s for s in e.notes)


def test_few_valued_columns_against_continuous_ones_get_the_neighbour_bracket():
    e, truth = _blocks(6, 10, 2, False, 1000)
    assert e.lower <= truth <= e.upper
    assert any("Ross 2014" in s and "widened" in s for s in e.notes)


def test_the_independence_test_reads_the_columns_as_the_estimate_does():
    r = np.random.default_rng(7)
    res = infoatlas.independence_test(_levels(r, 300, 8, 4), _levels(r, 300, 8, 4), n_permutations=19,
                                      random_state=0)
    assert any("read as numbers with ties" in s for s in res.notes)
    assert res.p_value > 0.05


def test_widening_only_widens():
    notes = ("a",)
    assert _widen_to_bracket(0.2, 0.5, notes, (0.3, 0.4, "b")) == (0.2, 0.5, notes)
    lo, hi, out = _widen_to_bracket(0.2, 0.5, notes, (0.1, 0.9, "b"))
    assert (lo, hi) == (0.1, 0.9) and "b" in out[-1]


# --------------------------------------------------------------------------- sparse tables

def test_independent_sparse_labels_read_zero_and_say_why():
    r = np.random.default_rng(8)
    e = infoatlas.estimate(r.integers(0, 100, 1000), r.integers(0, 100, 1000), discrete_x=True, discrete_y=True)
    assert e.mi == 0.0 and e.lower == 0.0
    assert any("no evidence of dependence" in s for s in e.notes)
    assert E.table_mi(*(E.codes(a[:, None])[0] for a in (r.integers(0, 100, 1000), r.integers(0, 100, 1000)))) > 0.5


def test_a_sparse_noisy_copy_is_bracketed_by_the_copies_and_the_table():
    r = np.random.default_rng(9)
    ch = D.DiscreteChannel.noisy_copy(np.full(100, 0.01), 0.3)
    x, y = ch.sample(1000, r)
    e = infoatlas.estimate(x, y, discrete_x=True, discrete_y=True)
    raw = E.table_mi(E.codes(x)[0], E.codes(y)[0])
    assert e.lower <= ch.mutual_information() <= e.upper
    assert e.mi < raw <= e.upper and any("excess over the copies' mean" in s for s in e.notes)


def test_dense_tables_are_left_alone():
    r = np.random.default_rng(10)
    cx, cy = r.integers(0, 3, 2000), r.integers(0, 3, 2000)
    cy[:1000] = cx[:1000]
    mi = E.table_mi(cx, cy)
    assert E.sparse_table_check(cx, cy, mi, 0.1, 0.9, 0) == (mi, 0.1, 0.9, [])


def test_the_sparse_check_does_not_depend_on_the_rows_order():
    r = np.random.default_rng(11)
    cx = r.integers(0, 60, 400)
    cy = np.where(r.random(400) < 0.5, cx, r.integers(0, 60, 400))
    p = r.permutation(400)
    assert np.array_equal(E._table_null(cx, cy, 0), E._table_null(cx[p], cy[p], 0))


def test_a_table_larger_than_the_rows_is_counted_by_its_occupied_cells():
    r = np.random.default_rng(12)
    cx, cy = r.integers(0, 3000, 2000), r.integers(0, 3000, 2000)   # 9e6 cells for 2,000 rows
    dense = (E.entropy_jackknife(np.bincount(cx)) + E.entropy_jackknife(np.bincount(cy))
             - E.entropy_jackknife(np.bincount(cx * 3000 + cy)))
    assert E.table_mi(cx, cy) == pytest.approx(dense, abs=1e-12)


def test_many_rows_of_few_valued_columns_are_bracketed_on_a_sample():
    # 20,000 rows of ten 5-level columns a side: a dense table would hold 1e13 cells
    e, truth = _blocks(13, 10, 4, True, 20_000)
    assert e.lower <= truth <= e.upper
    assert any("for 5000 rows" in s for s in e.notes)
