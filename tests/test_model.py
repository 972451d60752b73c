import json

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file

from infoatlas import InfoAtlas, WeightsError
from infoatlas.model import SetMI, SetMIConfig, build_model, pinball_loss
from infoatlas.weights import load_model, save_model


def _data(rng, n=300, dx=3, dy=2):
    x = rng.standard_normal((n, dx))
    y = np.column_stack([x[:, 0] + 0.5 * rng.standard_normal(n), np.sin(x[:, 1]) + rng.standard_normal(n)])[:, :dy]
    return x, y


def test_quantiles_are_ordered_with_a_nondegenerate_interval(tiny, rng):
    for _ in range(5):
        e = tiny.estimate(*_data(rng))
        assert e.lower <= e.mi <= e.upper and e.lower < e.upper


def test_sample_order_invariance_is_exact(tiny, rng):
    x, y = _data(rng, n=500)  # above rows_per_pass=64: chunking must not depend on row order
    p = rng.permutation(len(x))
    assert tiny.estimate(x, y).mi == pytest.approx(tiny.estimate(x[p], y[p]).mi, abs=1e-9)


def test_xy_swap_symmetry_is_exact(tiny, rng):
    x, y = _data(rng)
    assert tiny.estimate(x, y).mi == tiny.estimate(y, x).mi


@pytest.mark.parametrize("dx,dy,n", [(1, 1, 700), (3, 2, 1500), (2, 4, 300)])
def test_shipped_model_is_exactly_symmetric_in_x_and_y(dx, dy, n):
    # bit for bit, not only up to float rounding: the token embedding's two side orders are two
    # products of the same shape whose inputs a swap exchanges, and every statistic is symmetric
    r = np.random.default_rng([dx, dy, n])
    x = r.standard_normal((n, dx))
    y = np.column_stack([np.tanh(x[:, 0]) + 0.5 * r.standard_normal(n), r.standard_normal((n, dy - 1))])
    est = InfoAtlas.from_pretrained()
    a, b = est.estimate(x, y), est.estimate(y, x)
    assert (a.mi, a.lower, a.upper) == (b.mi, b.lower, b.upper)


def test_column_order_invariance_within_tolerance(tiny, rng):
    x, y = _data(rng, n=400, dx=4, dy=2)
    a = tiny.estimate(x, y).mi
    b = tiny.estimate(x[:, [2, 0, 3, 1]], y[:, ::-1]).mi
    assert b == pytest.approx(a, rel=0.02, abs=0.01)


def test_monotone_marginal_maps_do_not_change_the_estimate(tiny, rng):
    x, y = _data(rng)
    xt = np.column_stack([np.exp(x[:, 0]), x[:, 1] ** 3, 7 * x[:, 2] - 2])
    assert tiny.estimate(x, y).mi == pytest.approx(tiny.estimate(xt, np.arctan(y)).mi, abs=1e-9)


def test_config_round_trips_and_registry_builds_it():
    cfg = SetMIConfig(width=8, n_layers=1)
    assert SetMIConfig.from_dict(json.loads(json.dumps(cfg.to_dict()))) == cfg
    assert isinstance(build_model("setmi", cfg.to_dict()), SetMI)
    with pytest.raises(ValueError, match="unknown architecture"):
        build_model("nope", cfg.to_dict())


def test_missing_weight_file_is_a_clear_error(tmp_path):
    with pytest.raises(WeightsError, match="not found: .*missing.safetensors"):
        InfoAtlas.from_pretrained(tmp_path / "missing.safetensors")


def test_corrupt_weight_file_is_a_clear_error(tmp_path):
    p = tmp_path / "bad.safetensors"
    p.write_bytes(b"\x00\x01garbage" * 10)
    with pytest.raises(WeightsError, match="bad.safetensors"):
        load_model(p)


def test_strict_load_rejects_missing_or_misshaped_tensors(tiny_weights, tmp_path):
    from safetensors import safe_open

    with safe_open(str(tiny_weights), framework="pt") as fh:
        meta = fh.metadata()
    state = load_file(str(tiny_weights))
    name = sorted(state)[0]
    dropped = {k: v for k, v in state.items() if k != name}
    save_file(dropped, str(tmp_path / "drop.safetensors"), metadata=meta)
    with pytest.raises(WeightsError, match="do not match"):
        load_model(tmp_path / "drop.safetensors")
    bad = dict(state)
    bad[name] = torch.zeros(3, 3)
    save_file(bad, str(tmp_path / "shape.safetensors"), metadata=meta)
    with pytest.raises(WeightsError, match="do not match"):
        load_model(tmp_path / "shape.safetensors")
    save_file(state, str(tmp_path / "nometa.safetensors"))
    with pytest.raises(WeightsError, match="metadata"):
        load_model(tmp_path / "nometa.safetensors")


def test_saved_model_reloads_to_identical_outputs(tmp_path, rng):
    torch.manual_seed(1)
    m = SetMI(SetMIConfig(width=8, n_heads=2, n_layers=1, max_dim=4, n_inducing=2, n_seeds=1))
    save_model(m, tmp_path / "m.safetensors")
    m2, meta = load_model(tmp_path / "m.safetensors")
    assert meta["arch"] == "setmi"
    for a, b in zip(m.state_dict().values(), m2.state_dict().values()):
        assert torch.equal(a, b)


def test_pinball_loss_is_minimised_at_the_quantile():
    target = torch.linspace(0, 1, 1001)
    losses = [pinball_loss(torch.full((1001, 1), q), target, (0.9,)).item() for q in (0.5, 0.9, 0.99)]
    assert losses[1] < losses[0] and losses[1] < losses[2]


def test_weight_files_without_pair_statistics_still_load(tmp_path, rng):
    # files written before the per-direction statistics existed have no n_pair_feats in their config
    torch.manual_seed(2)
    m = SetMI(SetMIConfig(width=8, n_heads=2, n_layers=1, max_dim=4, n_inducing=2, n_seeds=1, n_pair_feats=0))
    cfg = m.cfg.to_dict()
    del cfg["n_pair_feats"]
    save_file({k: v.contiguous() for k, v in m.state_dict().items()}, str(tmp_path / "old.safetensors"),
              metadata={"arch": "setmi", "config": json.dumps(cfg)})
    m2, _ = load_model(tmp_path / "old.safetensors")
    assert m2.cfg.n_pair_feats == 0
    assert np.isfinite(InfoAtlas(m2).estimate(*_data(rng)).mi)


def test_model_with_pair_statistics_requires_them():
    m = SetMI(SetMIConfig(width=8, n_heads=2, n_layers=1, max_dim=4, n_inducing=2, n_seeds=1))
    b, n, d = 2, 10, 4
    args = dict(u=torch.zeros(b, n, d), v=torch.zeros(b, n, d), mask_x=torch.ones(b, d),
                mask_y=torch.ones(b, d), rho=torch.zeros(b, d), stats=torch.zeros(b, m.cfg.n_stats))
    with pytest.raises(ValueError, match="pair="):
        m(**args)
    assert m(**args, pair=torch.zeros(b, d, m.cfg.n_pair_feats)).shape == (b, 3)


def test_token_embedding_equals_the_plain_sum_of_both_side_orders(rng):
    # SetMI.embed skips the zero padding, computes the masks' part once per data set and applies
    # phi's last layer once: the same function as phi(u, v) + phi(v, u) on the full inputs
    torch.manual_seed(0)
    model = SetMI(SetMIConfig(max_dim=6, width=16, n_heads=2, n_layers=1, n_inducing=4)).eval()
    b, n, d = 3, 50, 6
    for dx, dy in ((1, 1), (2, 5), (6, 6), (4, 1)):
        u = torch.zeros(b, n, d); v = torch.zeros(b, n, d)
        u[..., :dx] = torch.from_numpy(rng.standard_normal((b, n, dx))).float()
        v[..., :dy] = torch.from_numpy(rng.standard_normal((b, n, dy))).float()
        mx = torch.zeros(b, d); mx[:, :dx] = 1
        my = torch.zeros(b, d); my[:, :dy] = 1
        full = lambda a, c, ma, mc: torch.cat([a, c, a * c, ma[:, None].expand(b, n, d), mc[:, None].expand(b, n, d)], -1)
        with torch.no_grad():
            want = model.phi(full(u, v, mx, my)) + model.phi(full(v, u, my, mx))
            got = model.embed(u, v, mx, my)
        assert torch.allclose(got, want, atol=1e-5), (dx, dy)
    # inputs not zero-padded beyond the masks are read in full (never from model_inputs, but exact)
    u[..., 5] = 1.0
    with torch.no_grad():
        assert torch.allclose(model.embed(u, v, mx, my),
                              model.phi(full(u, v, mx, my)) + model.phi(full(v, u, my, mx)), atol=1e-5)
