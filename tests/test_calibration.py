"""Interval calibration: the conformal factors, the estimator applying them, the written file."""
import json

import numpy as np
import pytest
import torch

from infoatlas import InfoAtlas
from infoatlas.intervals import Calibration
from infoatlas.training.calibrate import calibrate, coverage_of, fit_record, interval_scales, width_classes
from infoatlas.weights import load_model


def test_interval_scales_recover_the_noise_quantile():
    rng = np.random.default_rng(0)
    m = 20_000
    q = np.tile([1.0, 2.0, 3.0], (m, 1))          # log1p quantiles: median 2, offsets 1 either side
    t = 2.0 + 0.5 * rng.standard_normal(m)         # true log1p(MI): the offsets should shrink to 0.82
    s_lo, s_hi = interval_scales(q, np.expm1(t), 0.9)
    assert abs(s_lo - 0.8224) < 0.03 and abs(s_hi - 0.8224) < 0.03
    assert abs(coverage_of(q, np.expm1(t)) - 0.9545) < 0.01  # P(|Z| < 2)
    assert abs(coverage_of(q, np.expm1(t), (s_lo, s_hi)) - 0.90) < 0.01


def test_estimator_scales_the_interval_about_the_median(rng):
    model, meta = load_model()
    x = rng.standard_normal((800, 2))
    y = x @ rng.standard_normal((2, 3)) + rng.standard_normal((800, 3))
    plain = {k: v for k, v in meta.items() if k != "interval_calibration"}
    a = InfoAtlas(model, plain).estimate(x, y)
    b = InfoAtlas(model, {**plain, "interval_calibration": {"lower": 2.0, "upper": 3.0}}).estimate(x, y)
    assert b.mi == a.mi and a.lower > 0
    mid = np.log1p(a.mi)
    # the lower bound moves twice as far below the median, and is 0 where that is below 0
    assert np.isclose(np.log1p(b.lower), max(mid - 2 * (mid - np.log1p(a.lower)), 0.0), atol=1e-9)
    assert np.isclose(np.log1p(b.upper) - mid, 3 * (np.log1p(a.upper) - mid), atol=1e-9)


def test_unreadable_calibration_metadata_is_a_weights_error_at_load(tmp_path, tiny_weights):
    from safetensors import safe_open
    from safetensors.torch import load_file, save_file

    from infoatlas.weights import WeightsError

    with safe_open(str(tiny_weights), framework="pt") as fh:
        raw = fh.metadata()
    state = load_file(str(tiny_weights))
    for i, bad in enumerate(("{not json", json.dumps({"lower": 1.0}), json.dumps({"lower": -1.0, "upper": 2.0}),
                             json.dumps({"lower": [1.0, 1.0], "upper": [2.0, 2.0], "ns": [1000]}),
                             json.dumps({"lower": [1.0, 1.0], "upper": [2.0, 2.0], "ns": [1000, 200]}),
                             # widths: one factor per width in every row, widths increasing
                             json.dumps({"lower": [[1.0], [1.0]], "upper": [[2.0], [2.0]], "ns": [200, 1000],
                                         "widths": [2, 64]}),
                             json.dumps({"lower": [[1.0, 1.0]], "upper": [[2.0, 2.0]], "ns": [200],
                                         "widths": [64, 2]}))):
        path = tmp_path / f"bad{i}.safetensors"
        save_file(state, str(path), metadata={**raw, "interval_calibration": bad})
        with pytest.raises(WeightsError, match="interval_calibration|unreadable metadata"):
            InfoAtlas.from_pretrained(path)


def test_factors_per_sample_size_are_interpolated_in_log_n():
    model, meta = load_model()
    cal = {"ns": [200, 5000], "lower": [1.0, 1.5], "upper": [1.5, 2.5]}
    est = InfoAtlas(model, {**meta, "interval_calibration": cal})
    assert est.interval_scale(100) == (1.0, 1.5) and est.interval_scale(10**6) == (1.5, 2.5)
    mid = est.interval_scale(1000)  # log 1000 is exactly halfway between log 200 and log 5000
    assert np.allclose(mid, (1.25, 2.0))


def test_calibrate_writes_the_factors_and_keeps_the_weights(tmp_path):
    out = tmp_path / "cal.safetensors"
    rec = calibrate("infoatlas-base", out, ns=(300, 900), dims=((1, 1), (2, 3)), per_cell=3, seed=5)
    assert "widths" not in rec  # widths 2 and 5 are one class under the default edges
    from infoatlas.atlas import prior

    assert rec["data_sets"] == 12 * len(prior.VALIDATION_FAMILIES)
    # widen only: a fitted factor below 1 is kept at 1, one above 1 as fitted
    assert rec["lower"] == [max(f, 1.0) for f in rec["fitted_lower"]]
    assert rec["upper"] == [max(f, 1.0) for f in rec["fitted_upper"]]
    est = InfoAtlas.from_pretrained(out)
    assert est.interval_scale(300) == (rec["lower"][0], rec["upper"][0])
    assert est.interval_scale(900) == (rec["lower"][1], rec["upper"][1])
    src, _ = load_model()
    assert all(np.array_equal(p.detach(), q.detach()) for p, q in zip(src.parameters(), est.model.parameters()))


def test_factors_per_width_are_interpolated_in_log_width_and_need_the_width():
    cal = Calibration({"ns": [200, 5000], "widths": [4, 64],
                       "lower": [[1.0, 2.0], [1.5, 3.0]], "upper": [[1.5, 2.5], [2.5, 4.5]]})
    assert cal.by_width
    assert cal.factors(200, 4) == (1.0, 1.5) and cal.factors(200, 2) == (1.0, 1.5)  # constant below 4
    assert cal.factors(5000, 64) == (3.0, 4.5) and cal.factors(10**6, 500) == (3.0, 4.5)
    # width 16 is halfway between 4 and 64 in log width; n = 1000 halfway between 200 and 5000 in log n
    assert np.allclose(cal.factors(200, 16), (1.5, 2.0))
    assert np.allclose(cal.factors(1000, 16), ((1.25 + 2.5) / 2, (2.0 + 3.5) / 2))
    with pytest.raises(ValueError, match="width"):
        cal.factors(1000)
    assert Calibration({"ns": [200], "lower": [1.2], "upper": [1.4]}).factors(500) == (1.2, 1.4)


def test_width_classes_anchor_at_the_edges_of_the_gap():
    cls, anchors = width_classes(np.array([2, 4, 20, 64, 96, 11]), (20,))
    assert cls.tolist() == [0, 0, 0, 1, 1, 0] and anchors == [20, 64]
    cls, anchors = width_classes(np.array([2, 4]), (20,))  # only one class present: its widest width
    assert cls.tolist() == [0, 0] and anchors == [4]


def test_fit_record_gives_wide_data_their_own_factors():
    rng = np.random.default_rng(1)
    m = 4000
    width = np.where(np.arange(m) % 2 == 0, 4, 96)
    n = np.where(np.arange(m) % 4 < 2, 500, 5000)
    q = np.tile([1.0, 2.0, 3.0], (m, 1))
    # narrow data scatter about the median with sd 0.5 (factor ~0.82), wide ones with sd 1.5 (~2.47)
    t = 2.0 + np.where(width == 4, 0.5, 1.5) * rng.standard_normal(m)
    rec = fit_record(q, np.expm1(t), n, width, ns=(500, 5000), min_scale=0.0, floor=0.0, at_least_pooled=False)
    assert rec["widths"] == [4, 96] and np.array(rec["upper"]).shape == (2, 2)
    up = np.array(rec["fitted_upper"])
    assert np.all(np.abs(up[:, 0] - 0.82) < 0.1) and np.all(np.abs(up[:, 1] - 2.47) < 0.3)
    assert rec["upper"] == rec["fitted_upper"] and abs(rec["coverage_after"] - 0.9) < 0.02
    # by default no class is kept below the factors fitted on all widths at that n
    kept = fit_record(q, np.expm1(t), n, width, ns=(500, 5000), min_scale=0.0, floor=0.0)
    pool = np.array(kept["fitted_pooled_upper"])
    assert np.allclose(np.array(kept["upper"]), np.maximum(up, pool[:, None]))
    assert np.all(pool > 1.0) and np.allclose(np.array(kept["upper"])[:, 1], up[:, 1])  # wide: its own, larger
    pooled = fit_record(q, np.expm1(t), n, width, ns=(500, 5000), min_scale=0.0, width_edges=(), floor=0.0)
    assert "widths" not in pooled and len(pooled["upper"]) == 2
    # the estimator reads both records
    assert Calibration(rec).factors(5000, 96) == (rec["lower"][1][1], rec["upper"][1][1])
    assert Calibration(pooled).factors(5000, 96) == (pooled["lower"][1], pooled["upper"][1])


def test_calibrate_by_width_stores_a_factor_per_n_and_width(tmp_path):
    out = tmp_path / "calw.safetensors"
    rec = calibrate("infoatlas-base", out, ns=(300, 900), dims=((1, 1), (2, 3)), per_cell=3, seed=5,
                    width_edges=(3,))
    assert rec["widths"] == [2, 5] and np.array(rec["lower"]).shape == (2, 2)
    est = InfoAtlas.from_pretrained(out)
    assert est.interval_scale(900, 5) == (rec["lower"][1][1], rec["upper"][1][1])
    assert est.interval_scale(300, 2) == (rec["lower"][0][0], rec["upper"][0][0])


def test_spread_floor_widens_near_meeting_quantiles_only():
    from infoatlas.intervals import scale_interval

    lo, mid, hi = np.array([1.999, 1.0]), np.array([2.0, 2.0]), np.array([2.001, 3.0])
    a, b = scale_interval(lo, mid, hi, 2.0, 3.0, floor=0.05)
    assert np.allclose(a, [2.0 - 2 * 0.05, 0.0]) and np.allclose(b, [2.0 + 3 * 0.05, 5.0])
    ta, tb = scale_interval(*(torch.tensor(v) for v in (lo, mid, hi)), 2.0, 3.0, floor=0.05)
    assert np.allclose(ta.numpy(), a) and np.allclose(tb.numpy(), b)
    # the fitted factors refer to the floored spreads: near-meeting quantiles with misses of 0.2
    rng = np.random.default_rng(2)
    m = 4000
    q = np.column_stack([np.full(m, 1.999), np.full(m, 2.0), np.full(m, 2.001)])
    t = 2.0 + 0.1 * rng.standard_normal(m)
    s_lo, s_hi = interval_scales(q, np.expm1(t), 0.9, floor=0.05)
    assert abs(s_lo - 0.1 * 1.645 / 0.05) < 0.3 and abs(s_hi - 0.1 * 1.645 / 0.05) < 0.3
    assert abs(coverage_of(q, np.expm1(t), (s_lo, s_hi), floor=0.05) - 0.9) < 0.02
    assert interval_scales(q, np.expm1(t), 0.9)[1] > 100  # without the floor: factor ~ 0.16 / 0.001
    bad = {"ns": [200], "lower": [1.0], "upper": [1.0], "spread_floor": -0.1}
    with pytest.raises(ValueError, match="spread_floor"):
        Calibration(bad)
