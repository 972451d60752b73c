"""Interval calibration: the conformal factors, the estimator applying them, the written file."""
import json

import numpy as np

from infoatlas import InfoAtlas
from infoatlas.training.calibrate import calibrate, coverage_of, interval_scales
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
    import pytest
    from safetensors import safe_open
    from safetensors.torch import load_file, save_file

    from infoatlas.weights import WeightsError

    with safe_open(str(tiny_weights), framework="pt") as fh:
        raw = fh.metadata()
    state = load_file(str(tiny_weights))
    for i, bad in enumerate(("{not json", json.dumps({"lower": 1.0}), json.dumps({"lower": -1.0, "upper": 2.0}),
                             json.dumps({"lower": [1.0, 1.0], "upper": [2.0, 2.0], "ns": [1000]}),
                             json.dumps({"lower": [1.0, 1.0], "upper": [2.0, 2.0], "ns": [1000, 200]}))):
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
