"""pairwise(method="fast"): the rank statistics, the pair model's file, the routing of pairs, p-values."""
import numpy as np
import pytest
import torch

from infoatlas import InfoAtlas, fastpairs
from infoatlas.weights import WeightsError, load_pair_model


def _table(n=400, seed=0):
    r = np.random.default_rng(seed)
    d = r.standard_normal((n, 6))
    d[:, 1] = d[:, 0] + 0.5 * r.standard_normal(n)
    d[:, 2] = np.sin(3 * d[:, 0]) + 0.1 * r.standard_normal(n)
    d[:, 4] = np.round(d[:, 4], 1)            # tied: not for the pair model
    d[:, 5] = r.integers(0, 3, n)             # discrete
    return d


def test_statistics_are_symmetric_rank_invariant_and_batched_like_single_pairs():
    d = _table(n=500)
    cols = fastpairs.prepare_columns(d[:, :4])
    a, b = np.array([0, 0, 1, 2, 3]), np.array([1, 2, 3, 3, 0])
    f = fastpairs.pair_features(cols, a, b)
    assert f.shape == (5, fastpairs.N_FEATURES) and np.isfinite(f).all()
    assert np.array_equal(f, fastpairs.pair_features(cols, b, a))                       # X/Y swap: exact
    single = np.concatenate([fastpairs.pair_features(cols, [i], [j]) for i, j in zip(a, b)])
    assert np.allclose(f, single, atol=1e-6)                                             # blocks = one at a time
    m = d[:, :4].copy()
    m[:, 0] = -np.exp(m[:, 0])                  # decreasing
    m[:, 2] = np.arctan(m[:, 2]) * 7 + 3        # increasing
    g = fastpairs.pair_features(fastpairs.prepare_columns(m), a, b)
    # ranks only: equal up to float rounding (at an odd n the middle row's bin may differ)
    assert np.allclose(f, g, atol=1e-5)


def test_spacing_statistics_of_independent_columns_sit_at_minus_three_halves():
    # E log|U1 - U2| = -3/2 for independent uniforms: the statistics' zero point at every lag
    r = np.random.default_rng(1)
    cols = fastpairs.prepare_columns(r.standard_normal((20_000, 2)))
    f = fastpairs.pair_features(cols, [0], [1])[0]
    lags = f[3 + len(fastpairs.HIST_BINS): 3 + len(fastpairs.HIST_BINS) + len(fastpairs.LAG_FRACTIONS)]
    assert np.allclose(lags, -1.5, atol=0.03), lags
    assert f[1] < 0.03 and f[2] < 1e-3                                                   # |rho|, Gaussian MI


def test_untied_columns():
    d = _table()
    assert fastpairs.untied_columns(d).tolist() == [True, True, True, True, False, False]


def test_fast_method_routes_continuous_pairs_to_the_pair_model_and_the_rest_to_the_network(tiny, tiny_pairs):
    est = InfoAtlas(tiny.model, tiny.meta, pair_model=tiny_pairs)
    d = _table()
    net = est.pairwise(d, progress=False)
    fast = est.pairwise(d, method="fast", progress=False)
    assert np.allclose(fast, fast.T, equal_nan=True)
    assert np.array_equal(fast, est.pairwise(d, method="fast", progress=False), equal_nan=True)  # ties: seeded
    for j in range(5):        # the discrete column: the discrete path's value
        assert fast[j, 5] == pytest.approx(net[j, 5], abs=1e-6)   # float rounding: batched with other pairs
    from infoatlas.estimator import fast_pair_mi

    cols = fastpairs.prepare_columns(d[:, :5])
    want = fast_pair_mi(est.pair_model, cols, [0, 0, 1], [1, 2, 3])
    assert np.allclose([fast[0, 1], fast[0, 2], fast[1, 3]], want)   # untied: ranks need no tie-breaking
    with pytest.raises(ValueError, match="method"):
        est.pairwise(d, method="quick", progress=False)


def test_random_tie_breaking_keeps_values_and_draws_orders_per_column():
    r = np.random.default_rng(4)
    x = np.round(r.standard_normal((500, 2)), 1)
    x[:, 1] = x[:, 0]                                         # two equal tied columns
    cols = fastpairs.prepare_columns(x, tie_rng=np.random.default_rng(0))
    for j in range(2):
        assert np.all(np.diff(x[cols.order[:, j], j]) >= 0)  # sorted by value; ties in some order
    assert not np.array_equal(cols.order[:, 0], cols.order[:, 1])   # ... drawn independently per column


def test_fast_p_values_use_the_pair_models_null(tiny, tiny_pairs):
    from infoatlas.independence import fast_rank_null, permutation_p_value

    est = InfoAtlas(tiny.model, tiny.meta, pair_model=tiny_pairs)
    d = _table()[:, :4]
    mi, p = est.pairwise(d, method="fast", p_values=True, n_permutations=49, progress=False)
    null = fast_rank_null(est.pair_model, d.shape[0], 49, est.random_state)
    assert null.shape == (49,) and np.isfinite(null).all()
    assert p[0, 2] == pytest.approx(permutation_p_value(mi[0, 2], null))
    assert np.all((p[~np.eye(4, dtype=bool)] >= 1 / 50) & (p[~np.eye(4, dtype=bool)] <= 1))


def test_fast_p_values_of_tied_pairs_use_a_null_of_their_own(tiny, tiny_pairs):
    from infoatlas.independence import fast_pair_null, permutation_p_value

    est = InfoAtlas(tiny.model, tiny.meta, pair_model=tiny_pairs)
    d = _table()[:, [0, 4]]                   # column 4 is rounded: ties
    mi, p = est.pairwise(d, method="fast", p_values=True, n_permutations=49, progress=False)
    null = fast_pair_null(est.pair_model, d[:, 0], d[:, 1], 49, est.random_state)
    assert p[0, 1] == pytest.approx(permutation_p_value(mi[0, 1], null))


def test_shipped_pair_model_reads_dependence_and_independence():
    est = InfoAtlas.from_pretrained()
    r = np.random.default_rng(3)
    n = 2000
    x = r.standard_normal(n)
    d = np.column_stack([x, x + 0.5 * r.standard_normal(n), r.standard_normal(n), np.cos(2 * x) + 0.2 * r.standard_normal(n)])
    mi, p = est.pairwise(d, method="fast", p_values=True, n_permutations=99, progress=False)
    truth = 0.5 * np.log(1 + 1 / 0.25)            # Gaussian pair: 0.80 nats
    assert abs(mi[0, 1] - truth) < 0.15
    assert mi[0, 2] < 0.05 and mi[1, 2] < 0.05    # independent column
    assert mi[0, 3] > 0.5 and p[0, 3] == pytest.approx(0.01)   # non-monotone dependence is seen


def test_pair_model_files_are_kept_apart_from_the_estimators(tiny_weights, tiny_pairs):
    with pytest.raises(WeightsError, match="pair-screening"):
        load_pair_model(tiny_weights)
    with pytest.raises(WeightsError, match="pairmlp"):
        InfoAtlas.from_pretrained(tiny_pairs)
    with pytest.raises(WeightsError, match="pairmlp"):
        InfoAtlas.from_pretrained("infoatlas-pairs")
    model, meta = load_pair_model()
    assert model.arch == "pairmlp" and meta["pair_training"]["data_sets"] > 0


def test_train_pairs_writes_a_loadable_file(tmp_path):
    from infoatlas.training.pairs import PairTrainConfig, train_pairs

    cfg = PairTrainConfig(data_sets=120, val_sets=40, n_max=300, epochs=2, width=8, depth=1, workers=0)
    rec = train_pairs(cfg, tmp_path / "p.safetensors", progress=False, log=lambda *_: None, cache_dir=tmp_path / "c")
    model, meta = load_pair_model(tmp_path / "p.safetensors")
    assert meta["pair_training"]["best_epoch"] == rec["best_epoch"] and model.cfg.width == 8
    assert torch.all(model.scale > 0) and rec["draw_seconds"] is not None
    again = train_pairs(cfg, tmp_path / "q.safetensors", progress=False, log=lambda *_: None, cache_dir=tmp_path / "c")
    assert again["draw_seconds"] is None and again["stop_pinball"] == rec["stop_pinball"]   # same draws, same fit


def test_tied_training_draws_are_read_as_pairwise_reads_them():
    from infoatlas.atlas import prior
    from infoatlas.training.pairs import draw_pair

    # a rounded family always ties: with tied=False it is drawn again, with tied=True it is kept and
    # its statistics are those of the ties broken at random (the generator's next draws)
    seen = {draw_pair(np.random.default_rng(s), 200, 400, tied=False)[2] for s in range(40)}
    assert "gauss_rounded" not in seen
    found = False
    for s in range(200):
        r = np.random.default_rng(s)
        feats, mi, fam, n = draw_pair(r, 200, 400, tied=True)
        if fam == "gauss_rounded":
            found = True
            r = np.random.default_rng(s)  # replay the draw and break the ties with the same generator
            fam2 = prior.draw_family(r, "train")
            size = prior.draw_n(r, 200, 400)
            x, y, mi2 = prior.sample_one(r, fam2, size, 1, 1, "train")
            xy = np.hstack([x, y])
            assert not fastpairs.untied_columns(xy).all()
            want = fastpairs.pair_features(fastpairs.prepare_columns(xy, tie_rng=r), [0], [1])[0]
            assert np.array_equal(feats, want) and mi == mi2 and n == size
            break
    assert found
