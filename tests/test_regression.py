"""The regression bound I(X; Y) >= h(T) - h(T - g(S)) (infoatlas.regression) and its check of the
network's reading (checks.regression_check): a column that is a function of the other side gets an
infinite upper end, and a bound above the network's interval replaces the reading."""
import math

import numpy as np
import pytest

import infoatlas
from infoatlas import checks, regression
from infoatlas.copula import copula_normal


@pytest.fixture(scope="module")
def model():
    return infoatlas.InfoAtlas.from_pretrained(random_state=0)


def _bound(x, y):
    zx, zy = copula_normal(x)[0], copula_normal(y)[0]
    from infoatlas.features import order_rows
    return regression.regression_bound(x, y, zx, zy, order_rows(np.hstack([zx, zy]), 0))


def test_local_fit_residuals_of_a_quadratic_and_of_noise():
    r = np.random.default_rng(0)
    s = r.normal(size=(800, 2))
    exact = regression.loo_residuals(s, (s[:, :1] * s[:, 1:] + s[:, :1] ** 2))
    assert np.median(np.abs(exact)) < 1e-6
    noise = r.normal(size=(800, 1))
    res = regression.loo_residuals(s, noise)
    # leave one out: a fit of 12 terms on 24 rows adds to the noise, never removes it
    assert 0.9 < np.median(np.abs(res)) / np.median(np.abs(noise)) < 1.6


def test_bound_of_functions_noise_and_a_noisy_product():
    r = np.random.default_rng(1)
    x = r.normal(size=(1000, 3))
    f = _bound(x, (x[:, 0] + x[:, 1] * x[:, 2])[:, None])
    assert f.function is not None and f.function[:2] == ("Y", 0) and f.value > 8
    ind = _bound(x, r.normal(size=(1000, 2)))
    assert ind.function is None and ind.value < 0.1
    # a b + 0.1 N: MI 2.122 nats by quadrature (docs/experiments/real_shapes/functions.py)
    y = (x[:, 0] * x[:, 1] + 0.1 * r.normal(size=1000))[:, None]
    b = _bound(x[:, :2], y)
    assert b.function is None and b.side == "Y" and 1.5 < b.lower < 2.122


def test_a_function_spread_over_columns_is_read_along_their_combination(monkeypatch):
    # Y = A (a b, c): neither column of Y is a function of X = (a, b), their combination A^-1 is
    r = np.random.default_rng(5)
    x, c = r.normal(size=(1000, 2)), r.normal(size=1000)
    mix = np.array([[1.0, 0.7], [0.4, -1.2]])
    f = _bound(x, np.c_[x[:, 0] * x[:, 1], c] @ mix.T)
    assert f.function is not None and f.function[:2] == ("Y", None) and f.column is None
    # sin 2a + 0.1 N (1.70 nats) mixed with a noise column: the combination reads it, the columns
    # alone far less (each mixes in the noise)
    y = np.c_[np.sin(2 * x[:, 0]) + 0.1 * r.normal(size=1000), c] @ mix.T
    both = _bound(x, y)
    monkeypatch.setattr(regression, "COMBINE_MAX", 1)
    alone = _bound(x, y)
    assert both.column is None and 1.0 < both.lower < 1.70 and alone.value < both.value - 0.5


def test_bound_is_free_of_row_order_and_side():
    r = np.random.default_rng(2)
    x = r.normal(size=(1500, 2))
    y = np.c_[np.sin(2 * x[:, 0]) + 0.1 * r.normal(size=1500), r.normal(size=1500)]
    p = r.permutation(1500)
    a, b, c = _bound(x, y), _bound(x[p], y[p]), _bound(y, x)
    assert a.value == b.value and a.rows == 1000
    assert c.value == a.value and c.side == "X"


def test_not_applied_to_wide_sides_or_few_rows():
    assert regression.applies(4, 64, 200) and regression.applies(64, 4, 200)
    assert not regression.applies(5, 5, 5000) and not regression.applies(2, 2, 199)


def test_a_derived_column_gets_an_open_upper_end(model, monkeypatch):
    r = np.random.default_rng(3)
    h, w = r.normal(1.7, 0.1, 1000), r.lognormal(np.log(70), 0.2, 1000)
    x, y = np.c_[h, w], w / h ** 2                       # BMI of (height, weight): infinite MI
    e = model.estimate(x, y)
    assert math.isinf(e.upper) and e.lower > 8 and e.mi >= e.lower
    assert any("is a function of the other side" in t for t in e.notes)
    monkeypatch.setattr(checks, "REGRESSION_CHECK", False)
    off = model.estimate(x, y)
    assert math.isfinite(off.upper) and off.mi < 7    # the network alone: a confident finite number


def test_a_bound_above_the_reading_replaces_it(model, monkeypatch):
    # Y = a b + 0.01 N, a product of X's two columns plus noise: MI 4.392 nats (h(a b + s N) - h(s N)
    # by quadrature of the density K0(|z|) / pi of a b: product_mi in
    # docs/experiments/real_shapes/functions.py, checked there against Monte Carlo)
    mi = 4.392
    r = np.random.default_rng(4)
    x = r.normal(size=(1000, 2))
    y = x[:, 0] * x[:, 1] + 0.01 * r.normal(size=1000)
    monkeypatch.setattr(checks, "REGRESSION_CHECK", False)
    off = model.estimate(x, y)
    assert off.upper < mi - 1                            # the network alone: far too low
    monkeypatch.setattr(checks, "REGRESSION_CHECK", True)
    on = model.estimate(x, y)
    assert any("proves at least" in t for t in on.notes) and math.isfinite(on.upper)
    assert abs(on.mi - mi) < 0.6 and on.lower < mi and on.upper > off.upper
