"""The refinement head: kNN pair statistics, the head's wiring, and ``infoatlas refine`` end to end."""

import dataclasses

import numpy as np
import pytest
import torch

from infoatlas import InfoAtlas
from infoatlas.model import SetMI, SetMIConfig
from infoatlas.knn import knn_features, ksg_pair
from infoatlas.training.refine import RefineConfig, _stack, dataset_quantiles, refine, with_head
from infoatlas.weights import load_model


def test_ksg_pair_recovers_gaussian_mi(rng):
    n, rho = 4000, 0.9
    u = rng.standard_normal(n)
    v = rho * u + np.sqrt(1 - rho ** 2) * rng.standard_normal(n)
    assert ksg_pair(u, v) == pytest.approx(-0.5 * np.log(1 - rho ** 2), abs=0.05)
    assert abs(ksg_pair(u, rng.standard_normal(n))) < 0.05


def test_knn_features_layout_and_symmetry(rng):
    u, v = rng.standard_normal((500, 3)), rng.standard_normal((500, 2))
    v[:, 0] += 2 * u[:, 0]
    f = knn_features(u, v, 4)
    assert f.shape == (9,) and f.dtype == np.float32
    assert list(f[4:8]) == [1, 1, 0, 0]      # two pairs exist
    assert f[2] == f[3] == 0                  # absent pairs are 0
    assert f[0] > 0.5                         # the dependent pair
    assert f[-1] == pytest.approx(np.log1p(np.expm1(f[:4]).sum()), abs=1e-6)
    assert np.array_equal(f, knn_features(v, u, 4))  # swapping X and Y changes nothing


def test_zero_initialised_head_leaves_the_estimate_unchanged(tiny_weights, rng):
    base, meta = load_model(tiny_weights)
    x = rng.standard_normal((300, 3))
    y = x[:, :2] + rng.standard_normal((300, 2))
    a = InfoAtlas(base, meta).estimate(x, y)
    b = InfoAtlas(with_head(base, 3, 8), meta).estimate(x, y)
    assert (b.mi, b.lower, b.upper) == pytest.approx((a.mi, a.lower, a.upper), abs=1e-6)


def test_model_with_a_head_requires_knn_statistics():
    m = SetMI(SetMIConfig(width=8, n_heads=2, n_layers=1, max_dim=4, n_inducing=2, n_seeds=1, n_knn=2,
                          n_pair_feats=0))
    b, n, d = 2, 10, 4
    args = dict(u=torch.zeros(b, n, d), v=torch.zeros(b, n, d), mask_x=torch.ones(b, d),
                mask_y=torch.ones(b, d), rho=torch.zeros(b, d), stats=torch.zeros(b, m.cfg.n_stats))
    with pytest.raises(ValueError, match="knn="):
        m(**args)
    assert m(**args, knn=torch.zeros(b, 5)).shape == (b, 3)


def test_refined_estimate_keeps_the_invariances(tiny_refined_weights, rng):
    est = InfoAtlas.from_pretrained(tiny_refined_weights)
    x = rng.standard_normal((500, 3))  # above rows_per_pass = 64: the kNN rows are the first chunk's
    y = np.column_stack([x[:, 0] + 0.3 * rng.standard_normal(500), np.abs(x[:, 1]) + rng.standard_normal(500)])
    a = est.estimate(x, y).mi
    p = rng.permutation(500)
    assert est.estimate(x[p], y[p]).mi == pytest.approx(a, abs=1e-9)           # sample order
    assert est.estimate(y, x).mi == pytest.approx(a, abs=1e-6)                  # X <-> Y
    assert est.estimate(np.exp(x), y ** 3).mi == pytest.approx(a, abs=1e-9)     # monotone maps
    # and the head does something: the same trunk without it answers differently
    model, meta = load_model(tiny_refined_weights)
    plain = with_head(model, 3, 8, n_global=8)  # a fresh, zero-output head
    assert InfoAtlas(plain, meta).estimate(x, y).mi != pytest.approx(a, abs=1e-4)


def test_refine_end_to_end_fits_only_the_head(tiny_weights, tmp_path):
    out = tmp_path / "refined.safetensors"
    cfg = RefineConfig(data_sets=48, val_sets=16, n_knn=3, width=8, epochs=3, batch_size=16, workers=0)
    rec = refine(tiny_weights, out, cfg, progress=False)
    model, meta = load_model(out)  # strict load of the new architecture
    assert model.cfg.n_knn == 3 and model.cfg.n_global == 8 and "interval_calibration" not in meta
    stored = meta["refine"]
    # the kept epoch improved on the zero head (<= would hold by construction: epoch 0 is the fallback)
    assert stored["config"]["data_sets"] == 48 and stored["best_epoch"] >= 1
    assert stored["features_from_cache"] is False  # so its wall time includes computing the features
    assert stored["stop_pinball_after"] < stored["stop_pinball_before"]
    assert rec["families"] and "additive_noise" in rec["families"]
    base, _ = load_model(tiny_weights)
    trunk = {k: v for k, v in model.state_dict().items() if not k.startswith("refine.")}
    assert all(torch.equal(v, base.state_dict()[k]) for k, v in trunk.items())  # trunk untouched
    assert 0 <= InfoAtlas(model, meta).estimate(np.arange(100.0), np.arange(100.0) ** 2 + 1).mi


def test_feature_cache_is_reused_and_keyed_by_what_features_depend_on(tiny_weights, tmp_path):
    from infoatlas.training import refine as R

    base, meta = load_model(tiny_weights)
    model = R.with_head(base, 3, 8, n_global=8)
    first = R.collect(model, meta, 7, R.FIT_STREAM, 6, workers=0, progress=False, cache_dir=tmp_path)
    files = list(tmp_path.glob("features-*.npz"))
    assert len(files) == 1
    again = R.collect(model, meta, 7, R.FIT_STREAM, 6, workers=0, progress=False, cache_dir=tmp_path)
    assert [r["family"] for r in again] == [r["family"] for r in first]
    for a, b in zip(first, again):
        assert np.array_equal(a["z"], b["z"]) and np.array_equal(a["knn"], b["knn"]) and a["truth"] == b["truth"]
    # another stream, or other head inputs, is another file; a new head on the same trunk is not
    R.collect(model, meta, 7, R.STOP_STREAM, 6, workers=0, progress=False, cache_dir=tmp_path)
    R.collect(R.with_head(base, 2, 8, n_global=8), meta, 7, R.FIT_STREAM, 6, workers=0, progress=False,
              cache_dir=tmp_path)
    R.collect(R.with_head(base, 3, 16, seed=3, n_global=8), meta, 7, R.FIT_STREAM, 6, workers=0, progress=False,
              cache_dir=tmp_path)
    assert len(list(tmp_path.glob("features-*.npz"))) == 3


def test_family_weights_parse_and_weight_the_loss():
    from infoatlas.model import pinball_loss
    from infoatlas.training.refine import _stack, family_weights

    assert family_weights("gauss_dense=2, gauss_sparse=0.5") == {"gauss_dense": 2.0, "gauss_sparse": 0.5}
    assert family_weights("") == {}
    with pytest.raises(ValueError, match="not a training family"):
        family_weights("clusters_pool=2")  # held-out: never in a fit
    with pytest.raises(ValueError, match="> 0"):
        family_weights("gauss_dense=0")
    recs = [{"z": np.zeros((1, 2), np.float32), "stats": np.zeros((1, 1), np.float32),
             "knn": np.zeros((1, 1), np.float32), "truth": 0.5, "family": f} for f in ("gauss_dense", "mixture")]
    d = _stack(recs, {"gauss_dense": 3.0})
    assert d["weight"].tolist() == pytest.approx([1.5, 0.5])
    pred, target = torch.tensor([[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]), torch.tensor([1.0, 0.0])
    # only the first data set has a loss; its weight is 3 of 4
    assert float(pinball_loss(pred, target, (0.05, 0.5, 0.95), d["weight"])) == pytest.approx(0.75 * 0.5)


def test_warm_start_drops_a_refinement_head(tiny_refined_weights):
    import dataclasses

    from infoatlas.training.train import _warm_start

    src, _ = load_model(tiny_refined_weights)
    model = SetMI(dataclasses.replace(src.cfg, n_knn=0))  # a trunk-training model has no head
    rec = _warm_start(model, tiny_refined_weights)
    assert torch.equal(model.head[-1].weight, src.head[-1].weight) and "from" in rec


def test_differentiable_path_works_with_a_head(tiny_refined_weights):
    from infoatlas.estimator import mutual_info_torch

    est = InfoAtlas.from_pretrained(tiny_refined_weights)
    g = torch.Generator().manual_seed(0)
    x = torch.randn(200, 2, generator=g, requires_grad=True)
    y = x[:, :1] + 0.5 * torch.randn(200, 1, generator=g)
    mi = mutual_info_torch(x, y, model=est)
    mi.backward()
    assert torch.isfinite(mi) and x.grad is not None and torch.isfinite(x.grad).all()


def test_dataset_quantiles_average_each_data_sets_own_chunks(rng):
    torch.manual_seed(0)
    m = SetMI(SetMIConfig(width=8, n_heads=2, n_layers=1, max_dim=4, n_inducing=2, n_seeds=1, n_knn=2,
                          n_pair_feats=0))
    torch.nn.init.normal_(m.refine[-1].weight)
    recs = [{"z": rng.standard_normal((k, 16)).astype(np.float32), "knn": rng.standard_normal((k, 5)).astype(np.float32),
             "stats": rng.standard_normal((k, m.cfg.n_stats)).astype(np.float32), "truth": 1.0}
            for k in rng.integers(1, 5, 30)]
    sel = torch.tensor([7, 3, 29, 0])
    got = dataset_quantiles(m, _stack(recs), sel)
    want = torch.stack([m.quantiles_from(*(torch.from_numpy(recs[i][k]) for k in ("z", "stats", "knn"))).mean(0)
                        for i in sel.tolist()])
    assert torch.allclose(got, want, atol=1e-6)


def test_merged_heads_output_the_mean_of_the_heads(tiny_refined_weights, rng):
    from infoatlas.training.refine import merge_heads

    base, _ = load_model(tiny_refined_weights)
    heads = []
    for s in range(3):
        h = with_head(base, base.cfg.n_knn, base.cfg.refine_width, seed=s, n_global=base.cfg.n_global)
        with torch.no_grad():  # a head whose every layer is non-zero (fresh heads end in zeros)
            for m in h.refine:
                if isinstance(m, torch.nn.Linear):
                    m.weight.normal_(0, 0.3, generator=torch.Generator().manual_seed(s))
                    m.bias.normal_(0, 0.3, generator=torch.Generator().manual_seed(10 + s))
        heads.append(h.refine)
    merged = merge_heads(base, heads)
    assert merged.cfg.refine_width == 3 * base.cfg.refine_width
    z = torch.from_numpy(rng.standard_normal((5, merged.refine[0].in_features))).float()
    with torch.no_grad():
        want = torch.stack([h(z) for h in heads]).mean(0)
        assert torch.allclose(merged.refine(z), want, atol=1e-5)
        assert torch.equal(merge_heads(base, heads[:1]).refine(z), heads[0](z))


def test_refine_with_several_heads_stores_their_mean(tiny_weights, tmp_path):
    out = tmp_path / "ens.safetensors"
    cfg = RefineConfig(data_sets=32, val_sets=16, n_knn=3, width=8, epochs=2, batch_size=16, workers=0, heads=2)
    rec = refine(tiny_weights, out, cfg, progress=False, cache_dir=tmp_path / "cache")
    model, meta = load_model(out)
    assert model.cfg.refine_width == 16 and len(rec["best_epoch"]) == 2 and len(rec["heads_stop_pinball"]) == 2
    assert meta["refine"]["config"]["heads"] == 2
    assert 0 <= InfoAtlas(model, meta).estimate(np.arange(100.0), np.arange(100.0) ** 2 + 1).mi


def test_cache_key_ignores_a_setting_added_later_at_its_old_value(tiny_weights):
    import dataclasses

    from infoatlas.training.refine import _features_key, cache_key

    base, meta = load_model(tiny_weights)
    f = meta["features"]
    assert "spread_repeats" not in _features_key(f) and _features_key(f).startswith("FeatureSettings(rows_per_pass=")
    on = dict(meta, features=dataclasses.replace(f, spread_repeats=1))
    assert cache_key(base, meta, 0, 0, 10) != cache_key(base, on, 0, 0, 10)


def test_more_seeds_add_fit_streams_and_reuse_the_cached_one(tiny_weights, tmp_path):
    from infoatlas.training.refine import fit_seeds

    cache = tmp_path / "cache"
    small = RefineConfig(data_sets=16, val_sets=8, n_knn=3, width=8, epochs=1, batch_size=8, workers=0)
    first = refine(tiny_weights, tmp_path / "a.safetensors", small, progress=False, cache_dir=cache)
    assert len(list(cache.glob("features-*.npz"))) == 2  # the fit and stopping streams of seed 100
    more = dataclasses.replace(small, more_seeds="200")
    rec = refine(tiny_weights, tmp_path / "b.safetensors", more, progress=False, cache_dir=cache)
    # one new file (seed 200's fit stream), the two earlier ones read back; the fit saw both streams
    assert len(list(cache.glob("features-*.npz"))) == 3
    assert first["fit_sets"] <= 16 < rec["fit_sets"] <= 32 and rec["features_from_cache"] is False
    again = refine(tiny_weights, tmp_path / "c.safetensors", more, progress=False, cache_dir=cache)
    assert again["features_from_cache"] is True and again["fit_sets"] == rec["fit_sets"]
    assert fit_seeds(more) == [100, 200]
    for bad in ("100", "200,200", "x"):
        with pytest.raises(ValueError, match="more_seeds"):
            fit_seeds(dataclasses.replace(small, more_seeds=bad))
