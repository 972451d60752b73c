"""Data whose rows repeat on both sides (finite pools, heavy ties): infoatlas.pooled and the route to it."""
import numpy as np
import pytest

from infoatlas.atlas.structured import Clusters, cluster_pmf
from infoatlas.discrete import side_entropy
from infoatlas.pooled import POOLED_SHARE, distinct_share, is_pooled, pooled_estimate, pooled_ksg, repeat_bound


def pooled_clusters(n, mi, dx, dy, seed):
    """Pooled clusters (rows repeat on both sides) with exact MI ``mi`` (I(C; C'), see atlas.structured)."""
    rng = np.random.default_rng(seed)
    task = Clusters(cluster_pmf(6, mi, rng), dx, dy, rng, shape="pool")
    x, y = task.sample(n, rng)
    return x, y, task.mutual_information()


def test_is_pooled_needs_both_sides_to_repeat(rng):
    x, y, _ = pooled_clusters(1000, 1.0, 3, 4, 0)
    assert distinct_share(x) <= POOLED_SHARE and distinct_share(y) <= POOLED_SHARE
    assert is_pooled(x, y)
    z = rng.standard_normal((1000, 4))
    assert not is_pooled(x, z) and not is_pooled(z, x)               # one side continuous
    assert not is_pooled(z[:, :2], z[:, 2:])                          # no repeats at all
    assert not is_pooled(x[:30], y[:30])                              # too few rows
    # half the rows distinct on both sides is the edge: every row twice is pooled
    twice = np.repeat(rng.standard_normal((500, 2)), 2, axis=0)
    assert is_pooled(twice[:, :1], twice[:, 1:])
    assert not is_pooled(twice[:-1, :1], twice[:-1, 1:])              # 500 of 999 distinct


@pytest.mark.parametrize("mi", [0.05, 1.5])
def test_pooled_estimate_is_near_the_truth_with_an_interval_that_covers_it(mi):
    x, y, truth = pooled_clusters(2000, mi, 8, 8, 3)
    est, lo, hi, notes = pooled_estimate(x, y)
    assert abs(est - truth) < 0.1
    assert lo <= truth <= hi and hi - lo < 0.5
    assert "rows repeat on both sides" in notes[0]


def test_pooled_ksg_is_invariant_to_row_order_and_side_swap(rng):
    x, y, _ = pooled_clusters(600, 0.8, 5, 3, 1)
    a = pooled_ksg(x, y)
    p = rng.permutation(600)
    assert pooled_ksg(x[p], y[p]) == a
    assert pooled_ksg(y, x) == a
    assert pooled_estimate(x[p], y[p]) == pooled_estimate(x, y)
    assert pooled_estimate(y, x)[:3] == pooled_estimate(x, y)[:3]
    # the jitter is fixed by the seed: another seed moves the estimate only a little
    assert abs(pooled_ksg(x, y, random_state=5) - a) < 0.05


def test_pooled_estimate_never_exceeds_the_entropy_of_a_side(rng):
    # Y a copy of X: 30 pool points, MI = H(X); KSG of copies reads far above it before clipping
    pool = rng.standard_normal((30, 3))
    x = pool[rng.integers(30, size=900)]
    est, lo, hi, _ = pooled_estimate(x, x.copy())
    bound = side_entropy(x)
    assert pooled_ksg(x, x.copy()) > bound
    assert est <= bound and hi <= np.log(30) and 0 <= lo <= est
    # the truth, log 30 (the pool is drawn uniformly), is above the observed entropy (about 3.386):
    # the upper end stops at log k, not there
    assert bound < np.log(30) and lo <= np.log(30) <= hi


def test_the_estimator_routes_pooled_data_and_pairwise_agrees(tiny):
    import pandas as pd

    x, y, _ = pooled_clusters(800, 1.0, 1, 1, 2)
    e = tiny.estimate(x, y)
    assert any("rows repeat on both sides" in s for s in e.notes)
    assert (e.mi, e.lower, e.upper) == pooled_estimate(x, y, random_state=tiny.random_state)[:3]
    # continuous data still go to the network
    z = np.random.default_rng(0).standard_normal((800, 2))
    assert not any("rows repeat" in s for s in tiny.estimate(z[:, 0], z[:, 1]).notes)
    # pairwise reads each pair as estimate() does (the two pooled columns have > 20 values each, so
    # the automatic discrete rule leaves them continuous)
    df = pd.DataFrame({"a": x[:, 0], "b": y[:, 0], "c": z[:, 0]})
    assert np.unique(x[:, 0]).size > 20
    mat = tiny.pairwise(df, progress=False)
    assert mat.loc["a", "b"] == pytest.approx(e.mi, abs=1e-12)
    # "a" alone (more than 20 tied values) against a continuous column has its ties broken, by keys
    # drawn per column there and per pair in estimate(): equal up to those keys, which moves this
    # random tiny network's reading; test_many_ties checks it with the shipped weights


def test_pooled_estimate_reads_a_row_order_free_subsample_above_max_rows(rng):
    x, y, truth = pooled_clusters(1200, 1.0, 4, 4, 4)
    est, lo, hi, notes = pooled_estimate(x, y, max_rows=600)
    assert notes[0].startswith("KSG read a random 600 of the 1200 rows")
    p = rng.permutation(1200)
    assert pooled_estimate(x[p], y[p], max_rows=600) == (est, lo, hi, notes)
    # a subsample in which each distinct row kept its share read 0.92 [0.86, 0.99] here (its counts
    # vary less than a sample's, and KSG's bias correction then over-corrects); a random one does not
    assert abs(est - truth) < 0.05 and lo <= truth <= hi


def test_subsampled_counts_of_identical_rows_vary_as_in_a_random_sample():
    from infoatlas.features import subsample_rows

    # two values, 500 rows each; 600 rows kept: a simple random sample keeps Hypergeometric(1000,
    # 500, 600) rows of the first (sd about 7.7), a share-keeping subsample always 300
    a = np.repeat([[0.0], [1.0]], 500, axis=0)
    kept = np.array([(a[subsample_rows(a, 600, seed), 0] == 0).sum() for seed in range(40)])
    assert abs(kept.mean() - 300) < 4 and 4 < kept.std() < 12
    # the same rows (as values) in any row order, the same under the same seed
    p = np.random.default_rng(0).permutation(1000)
    assert (a[p][subsample_rows(a[p], 600, 3), 0] == 0).sum() == kept[3]


def test_a_negative_reading_keeps_an_interval_of_positive_width():
    # independent pooled sides: KSG reads about 0, often below; the interval starts at 0 and keeps a width
    # (seed 6 reads -0.04 with an upper end of -0.001 before clipping: [0, 0] without the centring)
    widths = []
    for seed in range(8):
        x, _, _ = pooled_clusters(1000, 1.0, 6, 6, 10 + seed)
        _, y, _ = pooled_clusters(1000, 1.0, 6, 6, 20 + seed)
        est, lo, hi, _ = pooled_estimate(x, y)
        assert lo == 0.0 and est < 0.05
        widths.append(hi - lo)
    assert min(widths) > 0


def test_few_rows_for_the_columns_stay_with_the_network_and_its_permutation_check(tiny):
    r = np.random.default_rng(5)
    i = r.integers(30, size=90)  # 30 pool points a side (> 20 values: not auto-discrete), n = 90 <= 3 (16 + 16)
    x, y = r.standard_normal((30, 16))[i], r.standard_normal((30, 16))[(i + r.integers(2, size=90)) % 30]
    assert is_pooled(x, y)
    notes = tiny.estimate(x, y).notes
    assert not any("rows repeat" in s for s in notes) and any("few rows for the columns" in s for s in notes)


def test_repeat_bound_names_the_side_whose_rows_repeat(rng):
    x, y, _ = pooled_clusters(1000, 1.0, 3, 4, 0)
    z = rng.standard_normal((1000, 4))
    k = np.unique(x, axis=0).shape[0]
    assert repeat_bound(x, z) == (side_entropy(x), np.log(k), "X")
    assert repeat_bound(z, x)[2] == "Y"
    assert repeat_bound(z[:, :2], z[:, 2:]) is None                   # no repeats at all
    both = repeat_bound(x, y)                        # both repeat: the smaller entropy, the fewer rows
    assert both[0] == min(side_entropy(x), side_entropy(y))
    assert both[1] == np.log(min(np.unique(x, axis=0).shape[0], np.unique(y, axis=0).shape[0]))
    # a side repeats when at most half its rows are distinct, as for the pooled route
    twice = np.repeat(rng.standard_normal((500, 2)), 2, axis=0)
    assert repeat_bound(twice, rng.standard_normal((1000, 1))) is not None
    assert repeat_bound(twice[:-1], rng.standard_normal((999, 1))) is None


def test_the_network_route_clips_to_the_entropy_of_a_side_whose_rows_repeat(tiny):
    import pandas as pd

    # X from a pool of 40 points (rows repeat), Y continuous: the network's route, with the bound
    r = np.random.default_rng(3)
    i = r.integers(40, size=600)
    x = r.standard_normal((40, 3))[i]
    y = x @ r.standard_normal((3, 2)) + 0.05 * r.standard_normal((600, 2))
    h, log_k, _ = repeat_bound(x, y)
    e = tiny.estimate(x, y)
    assert not any("rows repeat on both sides" in s for s in e.notes)
    assert 0 <= e.lower <= e.mi <= h and e.upper <= log_k
    assert any("clipped" in s for s in e.notes)  # the tiny network reads above h here (6.75 nats)
    # pairwise reads the pair of groups as estimate() does, clip included
    df = pd.DataFrame(np.hstack([x, y]), columns=["x0", "x1", "x2", "y0", "y1"])
    mat = tiny.pairwise(df, columns={"x": ["x0", "x1", "x2"], "y": ["y0", "y1"]}, progress=False)
    assert mat.loc["x", "y"] == pytest.approx(e.mi, abs=1e-6)


def test_standardise_is_exact_and_does_not_overflow():
    # a power-of-two prescaling: the same values as the plain formula, and finite near 1e306 (the
    # pooled route read such a column as inf and the neighbour search failed)
    from infoatlas.discrete import standardise

    a = np.random.default_rng(0).normal(size=(50, 3))
    srt = np.sort(a, axis=0)
    assert np.array_equal(standardise(a), (a - srt.mean(0)) / srt.std(0))
    big = np.repeat([[0.0], [3.6687615e306]], 100, axis=0)
    assert np.isfinite(standardise(big)).all() and standardise(big).std() == pytest.approx(1.0)

