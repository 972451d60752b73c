"""Sides on a curve in few columns (an angle as (cos, sin), a column padded with a function of
itself): flagged by the width of their neighbourhoods and read by KSG in the joint space where the
network reads higher (checks.curve_side, checks._curve)."""
import numpy as np
import pytest
from scipy import integrate, stats

import infoatlas
from infoatlas import checks
from infoatlas.copula import copula_normal
from infoatlas.knn import local_width


def _angles(r, n, s):
    """Theta uniform, Phi = Theta + s N, both as (cos, sin), and I = log 2 pi - h(wrapped normal(s))."""
    t = np.linspace(-np.pi, np.pi, 200_001)
    p = sum(stats.norm.pdf(t + 2 * np.pi * j, 0, s) for j in range(-6, 7))
    th = r.uniform(-np.pi, np.pi, n)
    ph = th + s * r.normal(size=n)
    return (np.c_[np.cos(th), np.sin(th)], np.c_[np.cos(ph), np.sin(ph)],
            np.log(2 * np.pi) + integrate.trapezoid(p * np.log(p), t))


@pytest.fixture(scope="module")
def model():
    return infoatlas.InfoAtlas.from_pretrained(random_state=0)


def test_local_width_of_curves_surfaces_and_clouds():
    r = np.random.default_rng(0)
    th, t, u = r.uniform(0, 2 * np.pi, 1000), r.normal(size=1000), r.normal(size=(1000, 2))

    def width(a):
        return local_width(copula_normal(a)[0])
    assert width(np.c_[np.cos(th), np.sin(th)]) < 0.01                       # a circle
    assert width(np.c_[np.cos(2 * t), np.sin(2 * t), t]) < 0.01               # a helix
    for wide in (np.c_[u, np.sin(u[:, 0]) * np.cos(u[:, 1])],                # a surface in 3 columns
                 r.normal(size=(1000, 2)), r.normal(size=(1000, 3)), r.standard_t(1.5, size=(1000, 3))):
        assert width(wide) > 0.1


def test_an_angle_on_both_sides_is_read_by_joint_ksg(model, monkeypatch):
    r = np.random.default_rng(1)
    x, y, truth = _angles(r, 3000, 0.3)
    e = model.estimate(x, y)
    assert any("lies on a curve" in t for t in e.notes)
    assert abs(e.mi - truth) < 0.1 and e.lower <= truth <= e.upper
    # without the check the network reads it about 0.5 nats high (real_shapes/curves.md)
    monkeypatch.setattr(checks, "CURVE_CHECK", False)
    assert model.estimate(x, y).mi > truth + 0.2


def test_independent_circles_read_about_zero(model):
    r = np.random.default_rng(4)
    th, ph = r.uniform(-np.pi, np.pi, (2, 3000))
    e = model.estimate(np.c_[np.cos(th), np.sin(th)], np.c_[np.cos(ph), np.sin(ph)])
    assert e.lower <= 0.0 <= e.upper and e.mi < 0.05


def test_sides_that_fill_their_columns_are_not_flagged(model):
    r = np.random.default_rng(2)
    x = r.normal(size=(3000, 3))
    y = 0.9 * x + np.sqrt(0.19) * r.normal(size=(3000, 3))
    assert not any("lies on a curve" in t for t in model.estimate(x, y).notes)


def test_the_curve_reading_does_not_depend_on_row_order_or_side(model):
    r = np.random.default_rng(3)
    x, y, _ = _angles(r, 2000, 1.0)
    p = r.permutation(2000)
    a, b, c = model.estimate(x, y), model.estimate(x[p], y[p]), model.estimate(y, x)
    assert any("lies on a curve" in t for t in a.notes)
    assert a.mi == pytest.approx(b.mi, abs=1e-6) and a.mi == pytest.approx(c.mi, abs=1e-6)
