"""A side that is one heavily tied column (more than 20 values) read as categories too: a label of
many classes coded as numbers, against continuous data (InfoAtlas._label_reading)."""
import numpy as np
import pytest
from scipy import special

import infoatlas
from infoatlas import estimator
from infoatlas.atlas.discrete import ClassConditional
from infoatlas.estimator import LABEL_LOWER, InfoAtlas


def _label(r, n, k=50, s=0.3, d=2):
    """C uniform over k classes coded 0..k-1 and Y = mu_C + s N(0, I_d), as the label (n, 1) and Y
    (n, d), and I(C; Y) by Monte Carlo (``ClassConditional`` with means mu / s: the same MI)."""
    cc = ClassConditional(np.ones(k), np.random.default_rng(k + d).normal(size=(k, d)) / s)
    y, c = cc.sample(n, r)
    return c, s * y, cc.mutual_information()


@pytest.fixture(scope="module")
def model():
    return infoatlas.InfoAtlas.from_pretrained(random_state=0)


def _read_as_number(monkeypatch):
    monkeypatch.setattr(InfoAtlas, "_label_reading", lambda self, *a: (-np.inf, ()))


def test_a_label_coded_as_numbers_is_read_as_categories(model, monkeypatch):
    r = np.random.default_rng(0)
    x, y, truth = _label(r, 3000)
    e = model.estimate(x, y)
    assert any("read as categories" in t for t in e.notes)
    assert abs(e.mi - truth) < 0.15 and e.lower > 1.0
    # and with the same arguments as discrete_x=True (same data, same estimator)
    assert e.mi == pytest.approx(model.estimate(x, y, discrete_x=True).mi)
    # read as a number the network misses most of it (docs/experiments/coded_labels: 1.24 for 2.52
    # at n = 5,000)
    _read_as_number(monkeypatch)
    assert model.estimate(x, y).mi < truth - 0.5


def test_the_label_may_be_either_side(model):
    r = np.random.default_rng(1)
    x, y, _ = _label(r, 2000)
    a, b = model.estimate(x, y), model.estimate(y, x)
    assert a.mi == pytest.approx(b.mi) and (a.lower, a.upper) == pytest.approx((b.lower, b.upper))


def test_counts_and_independent_labels_keep_the_network_reading(model):
    # a count whose dependence follows its values' order: the categorical reading is not clearly
    # higher; independent data: it never clears LABEL_LOWER
    r = np.random.default_rng(2)
    z = r.normal(size=2000)
    e = model.estimate(r.binomial(100, special.expit(z / 2)).astype(float), z)
    assert not any("read as categories" in t for t in e.notes)
    # (60 values at 1,000 rows: more than LEVELS_MAX, so the clearly-higher test decides)
    for s in range(3):
        r = np.random.default_rng([s, 3])
        e = model.estimate(r.integers(60, size=1000).astype(float), r.normal(size=(1000, 2)))
        assert not any("read as categories" in t for t in e.notes) and e.mi < LABEL_LOWER


def test_a_column_of_few_values_on_many_rows_is_read_as_categories(model, monkeypatch):
    # hour of day (24 values, about 80 rows each) against sin(2 pi h / 24) + 0.1 N: the network with
    # the ties broken read 0.10 nats off at 1,000 rows where the categorical estimate erred by 0.02
    # (docs/experiments/label_intervals/levels.md); it is now read as categories whatever the
    # network reads, as discrete_x=True reads it
    h = np.arange(24)
    mus = np.sin(2 * np.pi * h / 24)[:, None]
    truth = ClassConditional(np.ones(24), mus / 0.1).mutual_information()
    r = np.random.default_rng(6)
    c = r.integers(24, size=2000)
    x, y = h[c].astype(float), mus[c, 0] + 0.1 * r.normal(size=2000)
    e = model.estimate(x, y)
    assert any("one heavily tied column of 24 values" in t for t in e.notes)
    assert e.mi == pytest.approx(model.estimate(x, y, discrete_x=True).mi)
    assert abs(e.mi - truth) < 0.05 and e.lower <= truth <= e.upper
    # either side, and in pairwise (estimate only) as in estimate
    assert model.estimate(y, x).mi == pytest.approx(e.mi)
    m = model.pairwise(np.c_[x, y], progress=False)
    assert m[0, 1] == pytest.approx(e.mi, abs=1e-9)
    # without the rule the clearly-higher test keeps the network's reading here
    monkeypatch.setattr(estimator, "LEVELS_MAX", 0)
    assert not any("read as categories" in t for t in model.estimate(x, y).notes)
    # too few rows per value (24 values need 480 rows): the rule does not apply
    monkeypatch.setattr(estimator, "LEVELS_MAX", 50)
    few = model.estimate(x[:400], y[:400])
    assert not any("one heavily tied column of" in t for t in few.notes)


def test_estimate_only_callers_get_the_categorical_estimate_without_interval(model):
    r = np.random.default_rng(4)
    x, y, truth = _label(r, 2000, k=40)
    (planned,) = model._finish([model.plan(y, x, interval=False)])
    assert np.isnan(planned.lower) and np.isnan(planned.upper)
    assert abs(planned.mi - truth) < 0.15


def test_pairwise_reads_a_coded_label_as_estimate_does(model):
    r = np.random.default_rng(5)
    x, y, _ = _label(r, 2000, k=40)
    d = np.c_[x, y, r.normal(size=2000)]
    m = model.pairwise(d, columns={"label": [0], "y": [1, 2], "noise": [3]}, progress=False)
    assert m.loc["label", "y"] == pytest.approx(model.estimate(x, y).mi, abs=1e-9)
    assert m.loc["label", "noise"] < LABEL_LOWER


def test_a_coded_label_beside_continuous_columns_is_read_by_the_chain_rule(model, monkeypatch):
    # X = [C, Z], Y = mu_C + 0.2 Z + 0.5 N: I(X; Y) = I(C; mu_C + sqrt(0.29) N) + log(1 + 0.04 / 0.25)
    # (docs/experiments/coded_labels/beside.md: read as a number 0.32-0.60 for 1.55)
    k, d, n = 50, 2, 3000
    mu = np.random.default_rng(7).normal(size=(k, d))
    truth = ClassConditional(np.ones(k), mu / np.sqrt(0.29)).mutual_information() + np.log(1 + 0.04 / 0.25)
    r = np.random.default_rng(8)
    c, z = r.permutation(k)[r.integers(k, size=n)], r.normal(size=(n, d))
    x, y = np.c_[c, z], mu[c] + 0.2 * z + 0.5 * r.normal(size=(n, d))
    e = model.estimate(x, y)
    assert any("column 0 (0-based) is heavily tied" in t for t in e.notes)
    assert abs(e.mi - truth) < 0.15
    assert e.mi == pytest.approx(model.estimate(y, x).mi)
    _read_as_number(monkeypatch)
    assert model.estimate(x, y).mi < truth - 0.5
