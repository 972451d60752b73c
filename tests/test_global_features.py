"""Whole-data-set statistics read by the refinement head (knn.global_features, Featurizer.global_stats)."""
import numpy as np
import pytest

from infoatlas.baselines import KSG
from infoatlas.features import Featurizer
from infoatlas.knn import N_GLOBAL, global_features


def test_global_features_are_symmetric_in_x_and_y(rng):
    x = rng.normal(size=(300, 3))
    y = np.hstack([x[:, :1] + rng.normal(size=(300, 1)), rng.normal(size=(300, 4))])
    a, b = global_features(x, y), global_features(y, x)
    assert a.shape == (N_GLOBAL,) and a.dtype == np.float32
    assert np.array_equal(a, b)


def test_joint_ksg_statistic_follows_the_dependence(rng):
    x = rng.normal(size=(512, 2))
    indep = global_features(x, rng.normal(size=(512, 2)))
    dep = global_features(x, x + 0.3 * rng.normal(size=(512, 2)))
    assert abs(indep[0] * 4) < 0.1            # KSG (k = 3) of independent data: about 0
    assert dep[0] * 4 > 1.5 and dep[2] > indep[2]
    # the same radius rule as the KSG baseline in Euclidean/max form: close to the baseline's max-norm value
    assert dep[0] * 4 == pytest.approx(KSG(k=3).estimate(x, x + 0.3 * rng.normal(size=(512, 2))), abs=0.3)


def test_intrinsic_dimension_sees_a_curve_in_many_dimensions(rng):
    t = rng.uniform(0, 1, size=(512, 1))
    curve = np.hstack([np.sin(2 * np.pi * t * (j + 1) / 7 + j) for j in range(40)])
    cloud = rng.normal(size=(512, 40))
    f_curve, f_cloud = global_features(curve, t), global_features(cloud, t)
    id_curve = np.expm1(4 * (f_curve[3] + f_curve[4]) / 2)  # both sides are 1-dim: l_x = l_y
    assert id_curve < 2.0
    assert f_cloud[3] > f_curve[3] + 0.3


def test_repeated_rows_are_counted(rng):
    pool = rng.normal(size=(10, 3))
    x = pool[rng.integers(10, size=400)]
    f = global_features(x, rng.normal(size=(400, 2)))
    assert f[6] == pytest.approx(10 / 400) and f[7] == 1.0
    assert np.isfinite(f).all()


def test_global_stats_do_not_depend_on_row_order(rng):
    fz = Featurizer(32, 8, n_global=N_GLOBAL)
    x, y = rng.normal(size=(2000, 4)), rng.normal(size=(2000, 6))
    perm = rng.permutation(2000)
    assert np.array_equal(fz.global_stats(x, y), fz.global_stats(x[perm], y[perm]))


@pytest.mark.parametrize("ties", ["none", "x", "both"])
def test_one_column_path_matches_the_dense_path(rng, ties):
    """One column per side (the pairwise case) takes kd-trees and sorted margins instead of dense
    distance matrices: the same statistics up to float rounding, with and without tied values."""
    from infoatlas import knn

    for t in (12, 150, 512):
        u = rng.normal(size=t)
        v = 0.8 * u + rng.normal(size=t)
        if ties in ("x", "both"):
            u = np.round(u, 1)
        if ties == "both":
            v = np.round(v * 3) / 3
        dense = knn._assemble(*knn._neighbours_dense(u[:, None], v[:, None]))
        fast = global_features(u[:, None], v[:, None])
        assert fast == pytest.approx(dense, abs=1e-5)


def test_count_within_uses_the_float_difference(rng):
    """The margin counts of the one-column path: #{l : |s_l - a| <= r} with the difference as the
    kd-tree computes it, also for radii set by another row (on the boundary) and tied values."""
    from infoatlas.knn import _count_within

    for _ in range(100):
        t = int(rng.integers(2, 200))
        s = np.sort(np.round(rng.normal(size=t) * 10 ** rng.uniform(-3, 3), int(rng.integers(0, 4))))
        a = rng.choice(s, t)
        r = np.abs(rng.choice(s, t) - a) * rng.choice([1.0, 1 - 1e-16, 1 + 1e-16], t)
        exact = (np.abs(s[None, :] - a[:, None]) <= r[:, None]).sum(1)
        assert np.array_equal(_count_within(s, a, r), exact)


def test_knn_features_of_many_data_sets_equal_each_alone():
    from infoatlas.knn import knn_features, knn_features_many, ksg_pair

    rng = np.random.default_rng(3)
    sets = [(rng.standard_normal((200, dx)), rng.standard_normal((200, dy))) for dx, dy in ((1, 1), (3, 2), (9, 9), (2, 4))]
    sets[1] = (sets[1][0], sets[1][1] + sets[1][0][:, :2])
    many = knn_features_many(sets, n_pairs=8)
    for (u, v), got in zip(sets, many):
        assert np.array_equal(got, knn_features(u, v, 8))
        # the definition: clipped KSG of each pair of float32-rounded columns, live flags, log1p of the sum
        m = min(u.shape[1], v.shape[1], 8)
        r32 = lambda a: a.astype(np.float32).astype(np.float64)
        mi = np.clip([ksg_pair(r32(u[:, j]), r32(v[:, j])) for j in range(m)] + [0.0] * (8 - m), 0, 10)
        want = np.concatenate([np.log1p(mi), np.arange(8) < m, [np.log1p(mi.sum())]]).astype(np.float32)
        assert np.array_equal(got, want)
    assert many[1][8:10].tolist() == [1.0, 1.0] and many[1][10] == 0.0  # live flags: 2 pairs


def test_spread_repeats_leaves_untied_data_alone_and_keeps_exact_invariances():
    from infoatlas.knn import SPREAD, spread_repeated_rows

    rng = np.random.default_rng(11)
    u, v = rng.standard_normal((300, 3)), rng.standard_normal((300, 2))
    assert np.array_equal(global_features(u, v, spread_repeats=True), global_features(u, v))
    # pooled rows: 12 distinct X rows, Y a noisy function of them
    pool = rng.standard_normal((12, 3))
    x = pool[rng.integers(12, size=300)]
    y = np.round(x[:, :2] + 0.3 * rng.standard_normal((300, 2)), 1)
    sx = spread_repeated_rows(x, y)
    assert np.abs(sx - x).max() <= SPREAD and np.unique(sx, axis=0).shape[0] == 300
    a = global_features(x, y, spread_repeats=True)
    p = rng.permutation(300)
    assert np.array_equal(a, global_features(x[p], y[p], spread_repeats=True))   # row order
    assert np.array_equal(a, global_features(y, x, spread_repeats=True))         # X <-> Y
    b = global_features(x, y)
    # only the two KSG statistics read the spread rows; dimensions and distinct shares do not
    assert np.array_equal(a[3:], b[3:]) and not np.array_equal(a[:3], b[:3])


def test_spread_repeats_reads_pooled_clusters_as_a_jittered_ksg_does():
    from infoatlas.atlas import prior
    from infoatlas.copula import copula_normal

    errs = {False: [], True: []}
    for s in range(6):
        x, y, mi = prior.sample_one(np.random.default_rng([77, s]), "clusters_codebook", 512, 4, 4, "train")
        zx, _ = copula_normal(x, warn=False)
        zy, _ = copula_normal(y, warn=False)
        for spread in errs:
            errs[spread].append(abs(4 * global_features(zx, zy, spread_repeats=spread)[0] - mi))
    assert np.mean(errs[True]) < 0.15 < np.mean(errs[False])


def test_feature_setting_spread_repeats_is_0_or_1():
    from infoatlas.features import FeatureSettings

    assert FeatureSettings().spread_repeats == 0
    assert FeatureSettings(spread_repeats=1).spread_repeats == 1
    for bad in (2, -1, True):
        with pytest.raises(ValueError, match="spread_repeats"):
            FeatureSettings(spread_repeats=bad)
