import numpy as np
import pandas as pd
import pytest
import torch

from infoatlas.canonical import canonicalise, gaussian_mi
from infoatlas.copula import copula_normal, copula_normal_torch
from infoatlas.validation import MIN_SAMPLES, InfoAtlasWarning, validate_xy


def test_validate_rejects_nan_and_inf_and_omit_drops_rows(rng):
    x, y = rng.standard_normal((50, 2)), rng.standard_normal(50)
    x[3, 1] = np.nan
    y[7] = np.inf
    with pytest.raises(ValueError, match="2 row\\(s\\) contain NaN or infinite"):
        validate_xy(x, y)
    xo, yo, notes = validate_xy(x, y, nan_policy="omit")
    assert xo.shape == (48, 2) and yo.shape == (48, 1) and "dropped 2" in notes[0]


@pytest.mark.parametrize("x,y,msg", [
    (np.zeros((30, 1)), np.zeros((31, 1)), "same number of rows"),
    (np.arange(10.0), np.arange(10.0), f"at least {MIN_SAMPLES} samples"),
    (np.zeros((0, 2)), np.zeros((0, 1)), "empty"),
    (np.zeros((30, 2, 2)), np.zeros(30), "3-D"),
])
def test_validate_rejects_bad_shapes(x, y, msg):
    with pytest.raises(ValueError, match=msg):
        validate_xy(x, y)


def test_validate_names_non_numeric_columns():
    df = pd.DataFrame({"a": np.arange(30.0), "b": ["u"] * 30})
    with pytest.raises(TypeError, match="non-numeric columns: b"):
        validate_xy(df, np.arange(30.0))
    with pytest.raises(TypeError, match="real numbers"):
        validate_xy(np.array(["a"] * 30, dtype=object), np.arange(30.0))


def test_validate_accepts_lists_series_tensors_and_integers():
    x, y, _ = validate_xy(list(range(30)), pd.Series(np.arange(30)))
    assert x.shape == (30, 1) and y.dtype == np.float64
    x, _, _ = validate_xy(torch.arange(60.0).reshape(30, 2), np.arange(30))
    assert x.shape == (30, 2)


def test_copula_is_invariant_to_monotone_maps(rng):
    a = rng.standard_normal((500, 3))
    z1, _ = copula_normal(a)
    z2, _ = copula_normal(np.column_stack([np.exp(a[:, 0]), a[:, 1] ** 3, 1e9 * a[:, 2] + 5]))
    assert np.allclose(z1, z2)


def test_copula_scores_are_those_of_average_ranks_with_and_without_ties(rng):
    from scipy import special, stats

    for case in range(60):
        n, d = int(rng.integers(2, 300)), int(rng.integers(1, 6))
        a = rng.standard_normal((n, d))
        if case % 3 == 0:
            a = np.round(a, 1)  # ties in every column
        if case % 4 == 0:
            a[:, -1] = np.where(rng.random(n) < 0.5, -0.0, 0.0) + rng.integers(0, 3, n)  # -0.0 ties 0.0
        z, _ = copula_normal(a, warn=False)
        r = stats.rankdata(a, axis=0, method="average")
        ref = np.where(r <= (n + 1) / 2, special.ndtri(r / (n + 1)), -special.ndtri((n + 1 - r) / (n + 1)))
        assert np.array_equal(z, ref)
        assert np.array_equal(copula_normal(-a, warn=False)[0], -z)  # a decreasing map negates the scores


def test_copula_warns_on_constant_and_tied_columns(rng):
    a = np.column_stack([np.ones(100), rng.integers(0, 3, 100), rng.standard_normal(100)])
    with pytest.warns(InfoAtlasWarning) as rec:
        _, const = copula_normal(a)
    assert const.tolist() == [True, False, False]
    msgs = " ".join(str(w.message) for w in rec)
    assert "constant" in msgs and "tied" in msgs


def test_canonicalise_recovers_rho_and_ignores_linear_maps(rng):
    n = 20_000
    u = rng.standard_normal((n, 3))
    v = rng.standard_normal((n, 2))
    v[:, 0] = 0.9 * u[:, 0] + np.sqrt(1 - 0.81) * v[:, 0]
    v[:, 1] = 0.4 * u[:, 1] + np.sqrt(1 - 0.16) * v[:, 1]
    a, b = rng.standard_normal((3, 3)), rng.standard_normal((2, 2))
    c1 = canonicalise(torch.from_numpy(u)[None], torch.from_numpy(v)[None])
    c2 = canonicalise(torch.from_numpy(u @ a.T)[None], torch.from_numpy(v @ b.T)[None])
    assert c1.rho[0].numpy() == pytest.approx([0.9, 0.4], abs=0.02)
    # equal up to the small shrinkage (weight d / 4n) of the within-side covariances
    assert torch.allclose(c1.rho, c2.rho, atol=1e-3)
    # canonical coordinates agree too, signs included (the sign convention is deterministic)
    assert torch.allclose(c1.u[..., :2], c2.u[..., :2], atol=5e-3)
    assert gaussian_mi(c1.rho).item() == pytest.approx(-0.5 * np.log((1 - 0.81) * (1 - 0.16)), abs=0.05)


def test_soft_ranks_approach_hard_ranks(rng):
    a = torch.from_numpy(rng.standard_normal((300, 2)))
    hard = copula_normal_torch(a)
    soft = copula_normal_torch(a, soft=0.005)
    assert torch.allclose(hard, soft, atol=0.1)


def _canon(x, y):
    import torch


    return canonicalise(copula_normal_torch(torch.from_numpy(x)[None]), copula_normal_torch(torch.from_numpy(y)[None]))


def test_pair_features_are_near_zero_for_gaussians_and_not_for_heavy_tails():
    from infoatlas.features import N_PAIR_FEATS, N_PAIR_RAW, pair_features

    rng = np.random.default_rng(0)
    n, dx = 4000, 3
    x = rng.standard_normal((n, dx))
    y = np.column_stack([0.8 * x[:, 0] + 0.6 * rng.standard_normal(n), rng.standard_normal(n)])
    f = pair_features(_canon(x, y), 8)
    assert f.shape == (1, 8, N_PAIR_FEATS)
    raw, z = f[0, :, :N_PAIR_RAW], f[0, :, N_PAIR_RAW:]
    assert raw.abs().max() < 0.2            # sampling noise only: sd ~ 1/sqrt(n) per moment
    assert (z.abs() > 0.9).sum() <= 1       # z-like scores rarely saturate under Gaussianity
    assert (f[0, 3:] == 0).all()            # beyond max(dx, dy) everything is padding
    # same linear structure, Student-t copula (nu = 3, a shared scale): tail dependence lights up
    w = np.sqrt(3 / rng.chisquare(3, n))[:, None]
    ft = pair_features(_canon(x * w, y * w), 8)[0]
    assert ft[:, :N_PAIR_RAW].abs().max() > 0.25
    assert (ft[:, N_PAIR_RAW:].abs() > 0.9).sum() >= 6


def test_pair_features_are_symmetric_in_x_and_y(rng):
    from infoatlas.features import pair_features

    x = rng.standard_normal((500, 4))
    y = np.column_stack([np.sin(x[:, 0]) + 0.3 * rng.standard_normal(500), x[:, 1] ** 2])
    a = pair_features(_canon(x, y), 6)
    b = pair_features(_canon(y, x), 6)
    assert np.allclose(a.numpy(), b.numpy(), atol=1e-5)


def test_prepare_many_gives_what_prepare_scores_gives_alone(tiny):
    from infoatlas.copula import copula_normal

    r = np.random.default_rng(3)
    items = []
    for m, dx, dy in ((300, 1, 1), (300, 1, 1), (150, 2, 3), (300, 1, 1)):
        zx = copula_normal(r.standard_normal((m, dx)), warn=False)[0]
        zy = copula_normal(r.standard_normal((m, dy)) + zx[:, :1], warn=False)[0]
        items.append((zx, zy, m, dx, dy, ()))
    many = tiny.featurizer.prepare_many(items, random_state=0)
    for it, p in zip(items, many):
        one = tiny.featurizer.prepare_scores(*it[:5], random_state=0)
        assert p.n_used == one.n_used and set(p.inputs) == set(one.inputs)
        assert all(torch.allclose(p.inputs[k], one.inputs[k], atol=1e-6) for k in one.inputs)


def test_pairwise_entries_equal_estimates_of_each_pair(tiny):
    r = np.random.default_rng(4)
    d = r.standard_normal((400, 5))
    d[:, 1] += d[:, 0]
    m = tiny.pairwise(d, progress=False)
    for a in range(5):
        for b in range(a + 1, 5):
            assert m[a, b] == pytest.approx(tiny.estimate(d[:, a], d[:, b]).mi, abs=1e-5)


def test_network_batches_are_capped_in_rows_and_results_do_not_depend_on_them(tiny, rng):
    from infoatlas.estimator import network_quantiles
    from infoatlas.features import chunk_batches

    prepared = [tiny.prepare(rng.standard_normal((n, 2)), rng.standard_normal((n, 1))) for n in (60, 90, 200, 200, 300)]
    sizes = [(len(owners), batch["u"].shape[1]) for owners, batch, _ in chunk_batches(prepared, 64, max_tokens=400)]
    assert all(k == 1 or k * t <= 400 for k, t in sizes)
    assert sum(k for k, _ in sizes) == sum(p.inputs["u"].shape[0] for p in prepared) and len(sizes) > 1
    one = network_quantiles(tiny.model, prepared, batch_size=1)
    capped = [q for q in network_quantiles(tiny.model, prepared, batch_size=64)]
    assert all(torch.allclose(a, b, atol=1e-5) for a, b in zip(one, capped))
