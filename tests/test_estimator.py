"""The public API with the shipped weights (accuracy is the benchmark's job; here: behaviour)."""
import math

import numpy as np
import pandas as pd
import pytest
import torch

import infoatlas
from infoatlas import InfoAtlas, MIEstimate, features
from infoatlas.copula import copula_normal


@pytest.fixture(scope="module")
def shipped():
    return InfoAtlas.from_pretrained()


def _gauss(rng, n, rho=0.8):
    x = rng.standard_normal(n)
    return x, rho * x + math.sqrt(1 - rho**2) * rng.standard_normal(n)


def test_shipped_weights_load_offline_with_their_card():
    from importlib import resources

    est = InfoAtlas.from_pretrained()
    assert est.meta["arch"] == "setmi" and int(est.meta["datasets_seen"]) > 0
    card = (resources.files("infoatlas.weights") / "MODEL_CARD.md").read_text()
    assert "held-out" in card.lower()


def test_estimate_returns_a_full_result(rng):
    x, y = _gauss(rng, 1000)
    e = infoatlas.estimate(x, y)
    assert isinstance(e, MIEstimate)
    assert (e.n, e.dim_x, e.dim_y) == (1000, 1, 1)
    assert 0 <= e.lower <= e.mi <= e.upper and float(e) == e.mi


def test_shipped_model_separates_dependence_from_independence(rng):
    x, y = _gauss(rng, 2000, rho=0.9)  # truth 0.83 nats
    dep = infoatlas.mutual_info(x, y)
    ind = infoatlas.mutual_info(x, rng.standard_normal(2000))
    assert dep > 0.4 and ind < 0.15 and dep > 4 * ind


def test_mutual_info_in_bits_is_nats_over_log2(rng):
    x, y = _gauss(rng, 500)
    assert infoatlas.mutual_info(x, y, base=2) == pytest.approx(infoatlas.mutual_info(x, y) / math.log(2))
    with pytest.raises(ValueError, match="base"):
        infoatlas.mutual_info(x, y, base=1)


def test_same_input_same_output(rng):
    x, y = rng.standard_normal((3000, 3)), rng.standard_normal((3000, 2))
    y[:, 0] += x[:, 0]
    assert infoatlas.estimate(x, y) == infoatlas.estimate(x.copy(), y.copy())


def test_invariances_with_shipped_model(shipped, rng):
    x = rng.standard_normal((2500, 3))
    y = np.column_stack([x[:, 0] ** 2 + rng.standard_normal(2500), x[:, 1] + rng.standard_normal(2500)])
    a = shipped.estimate(x, y).mi
    p = rng.permutation(2500)
    assert shipped.estimate(x[p], y[p]).mi == pytest.approx(a, abs=1e-9)   # sample order
    assert shipped.estimate(y, x).mi == pytest.approx(a, abs=1e-6)          # X <-> Y
    assert shipped.estimate(x[:, [2, 0, 1]], y[:, ::-1]).mi == pytest.approx(a, rel=0.02, abs=0.01)


def test_inputs_of_every_kind_agree(rng):
    x, y = _gauss(rng, 300)
    ref = infoatlas.mutual_info(x, y)
    assert infoatlas.mutual_info(pd.Series(x), pd.DataFrame({"y": y})) == pytest.approx(ref)
    assert infoatlas.mutual_info(torch.tensor(x), torch.tensor(y)) == pytest.approx(ref)
    assert infoatlas.mutual_info(x.tolist(), y.tolist()) == pytest.approx(ref)


def test_dx_and_dy_may_differ_and_exceed_native_width(shipped, rng):
    x = rng.standard_normal((400, 40))
    y = x[:, :3] + rng.standard_normal((400, 3))
    e = shipped.estimate(x, y)
    assert (e.dim_x, e.dim_y) == (40, 3)
    assert any("leading 32 canonical" in n for n in e.notes)


def test_constant_side_gives_zero_with_a_warning(shipped, rng):
    with pytest.warns(infoatlas.InfoAtlasWarning, match="constant"):
        e = shipped.estimate(rng.standard_normal(100), np.full(100, 3.0))
    assert e.mi == 0.0 and e.upper == 0.0


def test_constant_column_is_ignored(shipped, rng):
    x, y = _gauss(rng, 500)
    with pytest.warns(infoatlas.InfoAtlasWarning):
        e = shipped.estimate(np.column_stack([x, np.zeros(500)]), y)
    assert e.mi == pytest.approx(shipped.estimate(x, y).mi, abs=1e-9)


def test_integer_huge_and_mixed_scale_data_work(shipped, rng):
    x = rng.integers(0, 10**6, size=(800, 2))
    y = np.column_stack([x[:, 0] * 1e12 + rng.integers(0, 10**15, 800), rng.standard_normal(800) * 1e-9])
    e = shipped.estimate(x, y)
    assert np.isfinite(e.mi) and e.mi > 0.1


def test_bad_inputs_raise_clear_errors(shipped):
    with pytest.raises(ValueError, match="NaN"):
        shipped.estimate([1.0, np.nan] * 20, list(range(40)))
    with pytest.raises(ValueError, match="same number of rows"):
        shipped.estimate(np.zeros(30), np.zeros(40))
    with pytest.raises(ValueError, match="at least 20"):
        shipped.estimate(np.arange(5.0), np.arange(5.0))
    with pytest.raises(ValueError, match="3-D"):
        shipped.estimate(np.zeros((30, 2, 2)), np.zeros(30))
    with pytest.raises(TypeError, match="can only be discrete"):
        shipped.estimate(pd.DataFrame({"a": ["x"] * 30}), np.zeros(30), discrete_x=False)


def test_nan_rows_can_be_dropped(shipped, rng):
    x, y = _gauss(rng, 300)
    x[:10] = np.nan
    e = shipped.estimate(x, y, nan_policy="omit")
    assert e.n == 290 and "dropped 10" in e.notes[0]


def test_million_rows_are_subsampled_and_say_so(shipped, rng):
    x, y = _gauss(rng, 1_000_000)
    e = shipped.estimate(x, y)
    assert e.n == 1_000_000 and any("subsampled" in n for n in e.notes)
    assert 0.2 < e.mi < 1.0  # truth 0.51


def test_estimate_batch_matches_one_by_one(shipped, rng):
    pairs = [(rng.standard_normal((n, dx)), rng.standard_normal((n, dy)))
             for n, dx, dy in [(50, 1, 1), (700, 3, 2), (2100, 2, 5), (300, 1, 4)]]
    batch = shipped.estimate_batch(pairs, progress=False)
    for (x, y), b in zip(pairs, batch):
        assert b.mi == pytest.approx(shipped.estimate(x, y).mi, rel=1e-4, abs=1e-5)


def test_pairwise_matrix_and_groups(shipped, rng):
    data = rng.standard_normal((500, 4))
    data[:, 1] += data[:, 0]
    m = shipped.pairwise(data, progress=False)
    assert m.shape == (4, 4) and np.allclose(m, m.T, equal_nan=True) and np.isnan(np.diag(m)).all()
    assert m[0, 1] > m[2, 3]
    df = pd.DataFrame(data, columns=list("abcd"))
    g = shipped.pairwise(df, columns={"ab": ["a", "b"], "c": ["c"], "d": "d"}, progress=False)
    assert list(g.columns) == ["ab", "c", "d"]
    # pairwise estimates the groups in batches: equal up to float rounding (abs for values near 0)
    assert g.loc["ab", "c"] == pytest.approx(shipped.estimate(df[["a", "b"]], df["c"]).mi, rel=1e-4, abs=1e-6)
    with pytest.raises(ValueError, match="zz"):
        shipped.pairwise(df, columns={"a": ["zz"], "b": ["b"]})


def test_mutual_info_score_works_with_selectkbest(rng):
    from sklearn.feature_selection import SelectKBest

    X = rng.standard_normal((400, 5))
    y = X[:, 3] + 0.3 * rng.standard_normal(400)
    scores = infoatlas.mutual_info_score(X, y)
    assert scores.shape == (5,) and scores.argmax() == 3
    sel = SelectKBest(infoatlas.mutual_info_score, k=1).fit(X, y)
    assert sel.get_support().tolist() == [False, False, False, True, False]


def test_mutual_info_torch_is_differentiable_and_close_to_the_hard_estimate(rng):
    x = torch.tensor(rng.standard_normal((400, 2)), requires_grad=True)
    y = torch.tensor(rng.standard_normal((400, 1)))
    y = y + x[:, :1].detach()
    mi = infoatlas.mutual_info_torch(x, y)
    mi.backward()
    assert x.grad is not None and torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0
    hard = infoatlas.mutual_info(x.detach().numpy(), y.numpy())
    assert mi.item() == pytest.approx(hard, abs=0.1)


def test_inference_path_imports_neither_training_nor_atlas():
    import subprocess
    import sys

    code = ("import sys, numpy as np, infoatlas\n"
            "x = np.random.default_rng(0).standard_normal(100)\n"
            "infoatlas.mutual_info(x, x + np.random.default_rng(1).standard_normal(100))\n"
            "bad = [m for m in sys.modules if m.startswith(('infoatlas.training', 'infoatlas.atlas'))]\n"
            "assert not bad, bad\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_nearly_copies_leave_the_interval_open_above(tiny):
    # Y = X: the MI is infinite; the interval read [7.2, 8.3] at n = 5,000 with the shipped weights
    # (docs/experiments/real_shapes/copies.md).  Y = X + 0.01 N (canonical correlation 0.99995) is
    # not flagged: its MI, 4.6 nats, is within what the network reads
    r = np.random.default_rng(40)
    x = r.standard_normal(2000)
    with pytest.warns(infoatlas.InfoAtlasWarning, match="copies of each other"):
        e = tiny.estimate(x, x)
    assert e.upper == np.inf and np.isfinite(e.lower) and any("upper end is infinite" in t for t in e.notes)
    e = tiny.estimate(x, x + 0.01 * r.standard_normal(2000))
    assert np.isfinite(e.upper) and not any("upper end is infinite" in t for t in e.notes)


def test_copies_through_a_rotation_are_flagged(tiny):
    # Y = A X for a rotation A of 3 columns: per-column ranks bend the map, so only the raw values'
    # check (features.raw_copies) sees the copy; one extreme row shared by independent sides makes a
    # raw correlation near 1 in its half of the rows only, and is not taken for copies
    r = np.random.default_rng(41)
    a = np.linalg.qr(r.standard_normal((3, 3)))[0]
    x = np.exp(r.standard_normal((2000, 3)))
    # the copula scores' canonical correlation alone stays below the threshold
    assert features._top_canonical(copula_normal(x)[0], copula_normal(x @ a.T)[0]) < features.COPY_RHO
    with pytest.warns(infoatlas.InfoAtlasWarning, match="copies of each other"):
        e = tiny.estimate(x, x @ a.T)
    assert e.upper == np.inf and any("canonical correlation of the values" in t for t in e.notes)
    x, y = r.standard_normal((2000, 3)), r.standard_normal((2000, 3))
    x[0], y[0] = 1e6, 1e6
    assert features._top_canonical(x, y) > features.COPY_RHO       # one row alone: near 1 on all rows
    e = tiny.estimate(x, y)
    assert np.isfinite(e.upper) and not any("copies of each other" in t for t in e.notes)
