"""Discrete, tied and mixed variables: ground truth of the atlas's discrete families, the estimators
of infoatlas.discrete, the typed API (masks, "auto", labels), hard bounds and the scikit-learn drop-ins."""
import math

import numpy as np
import pandas as pd
import pytest

import infoatlas
from infoatlas import discrete as E
from infoatlas.atlas import discrete as D


# --------------------------------------------------------------------------- ground truth

def test_quantised_gaussian_mi_lies_below_the_gaussian_mi_and_matches_monte_carlo():
    rho = 0.8
    g = -0.5 * math.log(1 - rho ** 2)
    both = D.QuantisedGaussian(rho, [-0.5, 0.4], [0.0, 1.0]).mutual_information()
    one = D.QuantisedGaussian(rho, None, [0.0, 1.0]).mutual_information()
    fine = D.QuantisedGaussian(rho, None, np.linspace(-3, 3, 60)).mutual_information()
    assert both < one < fine < g and fine == pytest.approx(g, abs=0.02)  # data processing; fine cuts -> Gaussian
    x, y = D.QuantisedGaussian(rho, [-0.5, 0.4], [0.0, 1.0]).sample(400_000, np.random.default_rng(0))
    plug = E.table_mi(E.codes(x)[0], E.codes(y)[0], "plugin")
    assert plug == pytest.approx(both, abs=0.005)


def test_mixed_side_mi_matches_monte_carlo_with_exact_densities():
    from scipy import stats

    s = D.MixedSide([0.3, 0.7], [-1.0, 2.0], b=0.8, s=0.5)
    x, y = s.sample(200_000, np.random.default_rng(1))
    z, c = x[:, 0], x[:, 1].astype(int)
    log_cond = stats.norm.logpdf(y[:, 0], s.mus[c] + s.b * z, s.s)
    sd = math.hypot(s.b, s.s)
    log_marg = np.log(sum(p * stats.norm.pdf(y[:, 0], m, sd) for p, m in zip(s.p, s.mus)))
    assert s.mutual_information() == pytest.approx(float(np.mean(log_cond - log_marg)), abs=0.01)


def test_class_conditional_mi_is_reproducible_and_below_the_class_entropy():
    s = D.ClassConditional([0.5, 0.5], [[0.0, 0.0], [3.0, 0.0]])
    m = s.mutual_information()
    assert 0 < m < math.log(2) and s.mc_se < 0.005
    assert D.ClassConditional([0.5, 0.5], [[0.0, 0.0], [3.0, 0.0]]).mutual_information() == m


def test_a_noiseless_copy_has_the_entropy_of_its_classes():
    p = np.array([0.5, 0.3, 0.2])
    assert D.DiscreteChannel.noisy_copy(p, 0.0).mutual_information() == pytest.approx(-(p * np.log(p)).sum())


# --------------------------------------------------------------------------- estimators

def test_jackknife_entropy_matches_its_leave_one_out_definition():
    c = np.array([5, 1, 3, 0, 8])
    n = c.sum()
    h = lambda cc: -sum(v / cc.sum() * math.log(v / cc.sum()) for v in cc if v)  # noqa: E731
    loo = sum(c[i] * h(np.where(np.arange(5) == i, c - 1, c)) for i in range(5) if c[i])
    assert E.entropy_jackknife(c) == pytest.approx(n * h(c) - (n - 1) / n * loo)


@pytest.mark.parametrize("k", [2, 3, 6])
def test_copies_of_balanced_classes_read_log_k(k):
    x = np.random.default_rng(k).integers(0, k, 3000)
    e = infoatlas.estimate(x, x)
    assert e.mi == pytest.approx(math.log(k), abs=0.01) and e.upper <= math.log(k) + 0.01
    assert "contingency table" in e.notes[0]


def test_a_rare_binary_copy_is_right_at_every_n_including_above_max_rows():
    r = np.random.default_rng(0)
    x = (r.random(250_000) < 0.05).astype(int)
    truth = -(0.05 * math.log(0.05) + 0.95 * math.log(0.95))
    big = infoatlas.estimate(x, x)
    assert big.mi == pytest.approx(truth, abs=0.01) and any("subsampled" in n for n in big.notes)
    assert infoatlas.estimate(x[:1000], x[:1000]).mi == pytest.approx(truth, abs=0.03)


def test_independent_discrete_intervals_contain_zero():
    hits = 0
    for seed in range(10):
        r = np.random.default_rng(seed)
        e = infoatlas.estimate(r.integers(0, 2, 1000), r.integers(0, 3, 1000))
        hits += e.lower == 0.0
        assert e.mi < 0.02
    assert hits >= 9


def test_a_negative_reading_is_zero_before_the_interval_is_formed(monkeypatch):
    # KSG-type readings fall below 0 at weak dependence; centring the interval on the negative value
    # and clipping afterwards gave [0, 0] (excluding any positive MI); it is centred on 0 instead
    readings = iter([-0.05] + [-0.05 + 0.01 * i for i in range(-4, 4)])
    monkeypatch.setattr(E, "point_estimate", lambda *a, **k: next(readings))
    r = np.random.default_rng(0)
    x, y = r.normal(size=(200, 1)), r.integers(0, 2, (200, 1)).astype(float)
    mi, lower, upper, _ = E.discrete_estimate(x, y, np.array([False]), np.array([True]), reps=8)
    # a label against a continuous column: the bias term is the change from n / 2 to n rows (0.005)
    # over sqrt(2) - 1, a bias falling as n^-1/2 (NN_BIAS_RATE)
    s = math.sqrt(np.var([-0.05 + 0.01 * i for i in range(-4, 4)], ddof=1) + (0.005 / (math.sqrt(2) - 1)) ** 2)
    assert mi == 0.0 and lower == 0.0
    assert upper == pytest.approx(E.Z90 * s)


def test_half_sample_bias_term_follows_the_rate():
    # half-samples read 1.1 and 1.3 (mean 1.2) where the estimate at n rows is 1.0: the change
    # 0.2 is the whole remaining bias for a bias ~ 1/n, 0.2 / (sqrt(2) - 1) for one ~ n^-1/2
    halves = iter([1.1, 1.3] * 2)
    stat = lambda rows: next(halves)  # noqa: E731
    sd2 = np.var([1.1, 1.3], ddof=1)
    assert E.half_sample_spread(stat, 1.0, 100, 0, 2) == pytest.approx(math.sqrt(sd2 + 0.2 ** 2))
    assert E.half_sample_spread(stat, 1.0, 100, 0, 2, rate=0.5) == pytest.approx(
        math.sqrt(sd2 + (0.2 / (math.sqrt(2) - 1)) ** 2))
    assert E.half_sample_spread(stat, 1.0, 100, 0, 0) != E.half_sample_spread(stat, 1.0, 100, 0, 0)  # NaN


def test_labels_of_many_classes_get_the_slower_bias_rate_and_tables_do_not(monkeypatch):
    # 100 classes against 2 columns: Ross reads small classes high and the 1/n bias term missed it
    # (docs/experiments/label_intervals); the interval with rate 1/2 contains the one with rate 1
    r = np.random.default_rng(5)
    c = r.integers(100, size=2000)
    y = r.normal(size=(100, 2))[c] + 0.3 * r.normal(size=(2000, 2))
    after = infoatlas.estimate(c, y, discrete_x=True)
    monkeypatch.setattr(E, "NN_BIAS_RATE", 1.0)
    before = infoatlas.estimate(c, y, discrete_x=True)
    assert after.mi == before.mi
    assert after.lower < before.lower and after.upper > before.upper
    # two discrete sides (the jackknife table, bias ~ 1/n) are not affected by the rate
    t = (c + r.integers(0, 2, 2000)) % 100
    monkeypatch.setattr(E, "NN_BIAS_RATE", 0.25)
    tab = infoatlas.estimate(c, t, discrete_x=True, discrete_y=True)
    monkeypatch.setattr(E, "NN_BIAS_RATE", 1.0)
    assert infoatlas.estimate(c, t, discrete_x=True, discrete_y=True) == tab


def test_class_label_against_continuous_features_is_near_the_truth():
    s = D.ClassConditional([0.2, 0.3, 0.5], np.array([[0, 0], [2, 0], [0, 2.5]]))
    x, c = s.sample(4000, np.random.default_rng(3))
    e = infoatlas.estimate(x, c)
    assert e.mi == pytest.approx(s.mutual_information(), abs=0.05)
    assert e.lower <= s.mutual_information() <= e.upper and "Ross" in e.notes[0]


def test_ross_keeps_the_gaps_between_clusters_and_stays_near_zero_under_independence():
    # four classes in separated clusters of one column next to an independent column (truth log 4):
    # the copula transform closes the gaps, so the copula-score estimate alone reads well below
    rng = np.random.default_rng(6)
    label = rng.integers(0, 4, size=2000)
    x = np.column_stack([label + 0.05 * rng.normal(size=2000), rng.normal(size=2000)])
    on_copula = E._ross_on(E._continuous_scores(x), label, 3)
    assert on_copula < np.log(4) - 0.04
    assert E.ross_mi(x, label) == pytest.approx(np.log(4), abs=0.005)
    # a monotone distortion with heavy tails: the copula scores carry the estimate
    lab = rng.integers(0, 3, size=2000)
    xt = np.column_stack([np.exp(2 * (lab + rng.normal(size=2000))), rng.standard_cauchy(2000)])
    assert E.ross_mi(xt, lab) == pytest.approx(E._ross_on(E._continuous_scores(xt), lab, 3))
    # the standardised scores do not overflow on huge values (the estimate is scale-free)
    assert E.ross_mi(x * 1e200, label) == pytest.approx(E.ross_mi(x, label))
    # independence: taking the larger of the two does not lift the mean beyond sampling noise
    vals = [E.ross_mi(rng.normal(size=(200, 5)), rng.integers(0, 3, size=200)) for _ in range(20)]
    assert abs(np.mean(vals)) < 0.03


def test_fanos_bound_and_the_error_rate_limit():
    # no errors: the bound is the entropy; an error rate at chance level bounds nothing
    assert E.fano_bound(np.log(4), 4, 0.0) == pytest.approx(np.log(4))
    assert E.fano_bound(np.log(4), 4, 0.75) == 0.0
    pe = 0.05
    assert E.fano_bound(np.log(4), 4, pe) == pytest.approx(
        np.log(4) + pe * np.log(pe) + (1 - pe) * np.log(1 - pe) - pe * np.log(3))
    # zero errors in n rows: the one-sided 95% limit solves (1 - p)^n = 0.05
    assert E.error_rate_upper(0, 200) == pytest.approx(1 - 0.05 ** (1 / 200))
    assert E.error_rate_upper(10, 200) > 10 / 200 and E.error_rate_upper(200, 200) == 1.0


def test_a_mixed_side_uses_the_chain_rule_and_is_near_the_truth():
    s = D.MixedSide([0.5, 0.5], [-1.0, 1.5], b=1.0, s=0.7)
    x, y = s.sample(4000, np.random.default_rng(4))
    e = infoatlas.estimate(x, y, discrete_x=[1])
    assert e.mi == pytest.approx(s.mutual_information(), abs=0.06) and "chain rule" in e.notes[0]


def test_no_estimate_exceeds_the_entropy_of_a_discrete_side():
    r = np.random.default_rng(5)
    for _ in range(5):
        c = r.integers(0, 3, 150)
        x = c[:, None] * 3.0 + 0.1 * r.standard_normal((150, 4))   # nearly deterministic features
        e = infoatlas.estimate(x, c, discrete_y=True)
        p = np.bincount(c) / 150
        assert e.mi <= -(p * np.log(p)).sum() + 1e-12 and e.upper <= np.log(3) + 1e-12
        # the truth is log 3 (c uniform, a function of x), above the observed entropy: the upper end
        # stops at log 3, not below the truth (it stopped at the observed entropy before)
        assert e.lower <= np.log(3) <= e.upper


def test_estimates_with_discrete_sides_are_invariant_to_row_order_and_relabelling():
    r = np.random.default_rng(6)
    x = r.standard_normal((800, 2))
    c = (x[:, 0] > 0).astype(int) + (x[:, 1] > 1)
    a = infoatlas.estimate(x, c)
    p = r.permutation(800)
    assert infoatlas.estimate(x[p], c[p]).mi == pytest.approx(a.mi, abs=1e-9)
    assert infoatlas.estimate(x, np.array(["lo", "mid", "hi"])[c]).mi == pytest.approx(a.mi, abs=1e-9)


# --------------------------------------------------------------------------- the typed API

def test_auto_detects_labels_and_few_valued_columns_and_says_so():
    r = np.random.default_rng(7)
    df = pd.DataFrame({"cont": r.standard_normal(500), "count": r.integers(0, 4, 500),
                       "cat": pd.Categorical(r.choice(["a", "b"], 500)), "flag": r.random(500) < 0.3})
    y = r.standard_normal(500)
    e = infoatlas.estimate(df, y)
    assert "x [1, 2, 3]" in e.notes[0]                     # count, cat and flag; not cont
    assert E.discrete_mask("auto", np.c_[r.standard_normal(500)], "x").tolist() == [False]


@pytest.mark.parametrize("spec, err, match", [
    ([0, 5], ValueError, "names no column"), (["nope"], ValueError, "names no column"),
    ([True, False, True], ValueError, "boolean mask needs 2"), ("yes", ValueError, "discrete_x must be"),
])
def test_a_discrete_mask_that_names_no_column_is_a_clear_error(spec, err, match):
    r = np.random.default_rng(8)
    with pytest.raises(err, match=match):
        infoatlas.estimate(r.standard_normal((100, 2)), r.standard_normal(100), discrete_x=spec)


def test_labels_cannot_be_declared_continuous():
    with pytest.raises(TypeError, match="can only be discrete"):
        infoatlas.estimate(np.array(["a", "b"] * 50), np.arange(100.0), discrete_x=False)


def test_masks_by_name_for_dataframes():
    r = np.random.default_rng(9)
    df = pd.DataFrame({"a": r.standard_normal(300), "b": r.integers(0, 30, 300)})
    e = infoatlas.estimate(df, r.standard_normal(300), discrete_x=["b"])
    assert "x [1]" in e.notes[0]


def test_pairwise_mixes_kinds_and_puts_entropies_on_the_discrete_diagonal():
    r = np.random.default_rng(10)
    c = r.integers(0, 3, 600)
    df = pd.DataFrame({"c": c, "x": c + r.standard_normal(600), "z": r.standard_normal(600)})
    est = infoatlas.InfoAtlas.from_pretrained()
    m = est.pairwise(df, progress=False)
    p = np.bincount(c) / 600
    assert m.loc["c", "c"] == pytest.approx(-(p * np.log(p)).sum()) and np.isnan(m.loc["x", "x"])
    assert m.loc["c", "x"] > 0.1 and m.loc["c", "z"] < 0.05
    # the matrix skips the discrete path's intervals, not its estimates
    assert m.loc["c", "x"] == pytest.approx(est.estimate(df["c"], df["x"]).mi)


def test_sklearn_drop_ins_have_sklearns_shape_and_work_in_select_k_best():
    from sklearn.feature_selection import SelectKBest

    from infoatlas.sklearn import mutual_info_classif, mutual_info_regression

    r = np.random.default_rng(11)
    c = r.integers(0, 2, 400)
    X = np.column_stack([c + 0.3 * r.standard_normal(400), r.standard_normal(400), r.integers(0, 3, 400)])
    s = mutual_info_classif(X, c, random_state=0)
    assert s.shape == (3,) and s.argmax() == 0 and s[1] < 0.05 and s[2] < 0.05
    assert SelectKBest(mutual_info_classif, k=1).fit(X, c).get_support().tolist() == [True, False, False]
    y = X[:, 0] * 2 + 0.1 * r.standard_normal(400)
    assert mutual_info_regression(X, y, discrete_features=[2]).argmax() == 0


def test_drop_ins_skip_the_intervals_but_not_the_estimates():
    # the drop-ins return estimates only, so the discrete and pooled paths skip their half-samples:
    # the values equal estimate()'s, and a plan without an interval says so with NaN bounds
    from infoatlas.sklearn import mutual_info_classif, mutual_info_regression

    r = np.random.default_rng(13)
    c = r.integers(0, 3, 300)
    X = np.column_stack([c + r.standard_normal(300), r.integers(0, 4, 300), r.standard_normal(300)])
    est = infoatlas.InfoAtlas.from_pretrained(random_state=0)
    full = [est.estimate(X[:, j], c, discrete_x=j == 1, discrete_y=True).mi for j in range(3)]
    assert mutual_info_classif(X, c, discrete_features=[1], random_state=0) == pytest.approx(full)
    pool = r.standard_normal(40)[r.integers(0, 40, 300)]  # rows repeat on both sides: the pooled path
    yp = pool + 0.01 * r.integers(0, 3, 300)
    assert mutual_info_regression(pool[:, None], yp, discrete_features=False, random_state=0) == \
        pytest.approx([est.estimate(pool, yp, discrete_x=False, discrete_y=False).mi])
    e = est.plan(X[:, 0], c, False, True, interval=False)
    assert e.mi == pytest.approx(full[0]) and np.isnan(e.lower) and np.isnan(e.upper)


def test_mutual_info_score_is_a_deprecated_alias():
    r = np.random.default_rng(12)
    X = r.standard_normal((200, 2))
    with pytest.warns(DeprecationWarning, match="infoatlas.sklearn.mutual_info_regression"):
        s = infoatlas.mutual_info_score(X, X[:, 0] + r.standard_normal(200))
    assert s.shape == (2,)


def test_cli_takes_discrete_columns(tmp_path):
    from click.testing import CliRunner

    from infoatlas.cli import main

    r = np.random.default_rng(13)
    c = r.integers(0, 3, 300)
    pd.DataFrame({"c": c, "x": c + r.standard_normal(300)}).to_csv(tmp_path / "d.csv", index=False)
    res = CliRunner().invoke(main, ["estimate", str(tmp_path / "d.csv"), "--x", "x", "--y", "c",
                                    "--discrete-y", "all", "--json"])
    assert res.exit_code == 0, res.output
    import json

    out = json.loads(res.output)
    assert "Ross" in out["notes"][0] and 0 < out["mi"] <= math.log(3)


def test_classifier_bound_is_a_lower_bound_and_lifts_many_column_estimates():
    # 3 classes, 12 features each carrying a little of the class: kNN in 12 dims falls short
    s = D.ClassConditional([1 / 3] * 3, np.repeat(np.eye(3), 4, axis=1) * 1.2)
    x, c = s.sample(600, np.random.default_rng(14))
    bound, se, _ = E.classifier_bound(x, c)
    truth = s.mutual_information()
    assert bound - 2 * se <= truth and bound > 0.5 * truth
    e = infoatlas.estimate(x, c)
    assert e.mi >= bound - 1e-12 and abs(e.mi - truth) < 0.1
