"""The permutation test of independence: the p-value formula, determinism, size on a null grid,
power on a dependent case, pairwise p-values with Benjamini-Hochberg, and the CLI verb."""
import json

import numpy as np
import pytest

import infoatlas
from infoatlas.independence import benjamini_hochberg, independence_test, permutation_p_value


def test_p_value_is_one_plus_exceedances_over_one_plus_b():
    assert permutation_p_value(0.5, [0.1, 0.6, 0.5]) == pytest.approx(3 / 4)
    assert permutation_p_value(9.0, np.zeros(99)) == pytest.approx(1 / 100)   # never 0


def test_same_random_state_same_p_value(tiny):
    r = np.random.default_rng(0)
    x, y = r.standard_normal((120, 2)), r.standard_normal(120)
    a = independence_test(x, y, n_permutations=30, random_state=4, model=tiny)
    b = independence_test(x, y, n_permutations=30, random_state=4, model=tiny)
    assert a == b and a.n_permutations == 30 and 1 / 31 <= a.p_value <= 1


@pytest.mark.parametrize("dims", [(1, 1), (2, 3)])
def test_size_on_independent_data_is_near_the_level(tiny, dims):
    # 60 independent data sets, heavy-tailed and skewed marginals: p-values roughly uniform
    ps = []
    for s in range(60):
        r = np.random.default_rng([s, *dims])
        x = r.standard_t(2, size=(80, dims[0]))
        y = np.exp(r.standard_normal((80, dims[1])))
        ps.append(independence_test(x, y, n_permutations=19, random_state=s, model=tiny).p_value)
    ps = np.array(ps)
    assert np.mean(ps <= 0.05) <= 0.15 and 0.35 <= ps.mean() <= 0.65


def test_discrete_sides_use_the_discrete_statistic_and_stay_valid():
    ps = []
    for s in range(30):
        r = np.random.default_rng(s)
        ps.append(independence_test(r.integers(0, 3, 200), r.integers(0, 2, 200), n_permutations=19,
                                    random_state=s).p_value)
    assert np.mean(np.array(ps) <= 0.05) <= 0.2
    r = np.random.default_rng(99)
    c = r.integers(0, 3, 300)
    res = independence_test(c, (c + r.integers(0, 2, 300)) % 3, n_permutations=49, random_state=0)
    assert res.p_value == pytest.approx(1 / 50) and "discrete" in res.method


def test_shipped_model_detects_a_nonmonotone_dependence():
    r = np.random.default_rng(1)
    x = r.standard_normal(300)
    res = infoatlas.independence_test(x, np.cos(2 * x) + 0.3 * r.standard_normal(300), n_permutations=49,
                                      random_state=0)
    assert res.p_value == pytest.approx(1 / 50) and res.statistic > res.null_q95


def test_benjamini_hochberg_matches_the_step_up_rule():
    p = np.array([0.01, 0.04, 0.03, 0.5])
    # sorted 0.01, 0.03, 0.04, 0.5 -> p m / rank 0.04, 0.06, 0.0533, 0.5 -> running minimum from the top
    assert benjamini_hochberg(p) == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.5])
    assert np.all(benjamini_hochberg(p) >= p)


def test_pairwise_returns_p_values_next_to_the_matrix(tiny):
    r = np.random.default_rng(2)
    d = r.standard_normal((150, 4))
    d[:, 1] += 2 * d[:, 0]
    mi, p = tiny.pairwise(d, p_values=True, n_permutations=19, progress=False)
    assert mi.shape == p.shape == (4, 4) and np.isnan(np.diag(p)).all() and np.allclose(p, p.T, equal_nan=True)
    assert ((p[~np.isnan(p)] >= 1 / 20) & (p[~np.isnan(p)] <= 1)).all()
    _, q = tiny.pairwise(d, p_values=True, n_permutations=19, p_adjust="bh", progress=False)
    assert (q[~np.isnan(q)] >= p[~np.isnan(p)] - 1e-12).all()
    with pytest.raises(ValueError, match="p_adjust"):
        tiny.pairwise(d, p_values=True, p_adjust="holm", progress=False)


def test_cli_test_verb(tmp_path):
    import pandas as pd
    from click.testing import CliRunner

    from infoatlas.cli import main

    r = np.random.default_rng(3)
    x = r.standard_normal(200)
    pd.DataFrame({"a": x, "b": x ** 2 + r.standard_normal(200)}).to_csv(tmp_path / "d.csv", index=False)
    res = CliRunner().invoke(main, ["test", str(tmp_path / "d.csv"), "--x", "a", "--y", "b", "--permutations", "19",
                                    "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["p_value"] == pytest.approx(0.05) and out["n_permutations"] == 19


def test_bench_shapes_and_report(tmp_path, tiny_weights):
    from infoatlas.bench.independence import DEPENDENT, INDEPENDENT, run_independence, sample_shape

    r = np.random.default_rng(4)
    for shape in DEPENDENT + INDEPENDENT:
        x, y = sample_shape(shape, 50, 2, r)
        assert x.shape == (50, 2) and y.shape == (50, 2) and np.isfinite(x).all() and np.isfinite(y).all()
    rep = run_independence(ns=(60,), reps=2, n_permutations=9, methods=("infoatlas",), shapes=("linear", "indep_t2"),
                           out_dir=tmp_path, model=tiny_weights)
    assert "Size" in rep and "Power" in rep and (tmp_path / "results.json").exists()
