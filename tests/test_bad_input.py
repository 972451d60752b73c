"""Bad or unusual input: a clear error naming the argument, or a finite value with lower <= mi <= upper,
never a NaN, a negative or infinite number, a library-internal message, or a touched input array."""
import math

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import infoatlas
from infoatlas import InfoAtlas


@pytest.fixture(scope="module")
def xy():
    r = np.random.default_rng(0)
    x = r.standard_normal(500)
    return x, x + r.standard_normal(500)


@pytest.fixture(scope="module")
def est(tiny_weights):
    return InfoAtlas.from_pretrained(tiny_weights)


@pytest.mark.parametrize("base, err, match", [
    (0.5, None, None), (2, None, None),
    (1, ValueError, "base"), (0, ValueError, "base"), (-2, ValueError, "base"),
    (float("nan"), ValueError, "base"), (float("inf"), ValueError, "base"), ("bits", TypeError, "base"),
])
def test_mutual_info_base_is_checked(xy, base, err, match):
    if err is None:
        v = infoatlas.mutual_info(*xy, base=base)
        assert math.isfinite(v) and v == pytest.approx(infoatlas.mutual_info(*xy) / math.log(base))
        return
    with pytest.raises(err, match=match):
        infoatlas.mutual_info(*xy, base=base)


@pytest.mark.parametrize("make, err, match", [
    (lambda x: x + 1j * x, TypeError, "real"),
    (lambda x: np.arange(len(x)).astype("datetime64[D]"), TypeError, "real numbers"),
    (lambda x: np.arange(len(x)).astype("timedelta64[s]"), TypeError, "real numbers"),

    (lambda x: torch.tensor(x) + 1j, TypeError, "real"),
    (lambda x: [[1.0, 2.0]] * 10 + [[1.0]], ValueError, "rectangular"),
    (lambda x: np.zeros((len(x), 2, 2)), ValueError, "shape"),
])
def test_non_real_input_is_refused_by_name(xy, make, err, match):
    with pytest.raises(err, match=match):
        infoatlas.estimate(make(xy[0]), xy[1][: len(make(xy[0]))])


@pytest.mark.parametrize("make", [lambda x: x.astype(str), lambda x: x.astype(bytes)])
def test_string_and_bytes_arrays_are_labels_not_numbers(xy, make):
    # numeric-looking strings are not parsed as numbers: they are labels, and only discrete
    with pytest.raises(TypeError, match="can only be discrete"):
        infoatlas.estimate(make(xy[0]), xy[1], discrete_x=False)
    e = infoatlas.estimate(make(np.round(xy[0])), xy[1])
    assert "x [0]" in e.notes[0]


def test_bfloat16_tensors_are_read_as_floats(xy):
    v = infoatlas.mutual_info(torch.tensor(xy[0]).bfloat16(), torch.tensor(xy[1]).bfloat16())
    assert math.isfinite(v) and v > 0.1


def test_masked_entries_are_missing_values(xy):
    x = np.ma.masked_array(xy[0], mask=np.arange(500) % 10 == 0)
    with pytest.raises(ValueError, match="NaN"):
        infoatlas.estimate(x, xy[1])
    e = infoatlas.estimate(x, xy[1], nan_policy="omit")
    assert e.n == 450


@pytest.mark.parametrize("kw, err, match", [
    (dict(batch_size=-1), ValueError, "batch_size"), (dict(batch_size=0), ValueError, "batch_size"),
    (dict(batch_size=2.5), TypeError, "batch_size"), (dict(max_rows=2), ValueError, "max_rows"),
    (dict(max_chunks=0), ValueError, "max_chunks"), (dict(random_state=-1), ValueError, "random_state"),
    (dict(random_state=1.5), TypeError, "random_state"), (dict(random_state="abc"), TypeError, "random_state"),
    (dict(nan_policy="drop"), ValueError, "nan_policy"),
])
def test_estimator_options_are_checked_by_name(tiny_weights, kw, err, match):
    with pytest.raises(err, match=match):
        InfoAtlas.from_pretrained(tiny_weights, **kw)


def test_a_generator_random_state_is_not_advanced(xy):
    r = np.random.default_rng(5)
    x = np.random.default_rng(1).standard_normal((3000, 2))
    y = x + np.random.default_rng(2).standard_normal((3000, 2))
    a = infoatlas.estimate(x, y, random_state=r).mi
    assert infoatlas.estimate(x, y, random_state=r).mi == a


def test_pandas_inputs_are_paired_by_index(xy):
    s, t = pd.Series(xy[0]), pd.Series(xy[1])
    shuffled = t.sample(frac=1, random_state=0)
    assert infoatlas.estimate(s, shuffled).mi == pytest.approx(infoatlas.estimate(s, t).mi, abs=1e-9)
    with pytest.raises(ValueError, match="different indexes"):
        infoatlas.estimate(s, pd.Series(xy[1], index=np.arange(500) + 1000))


def test_pairwise_groups_are_checked(est, xy):
    data = np.c_[xy[0], xy[1]]
    with pytest.raises(ValueError, match="names no column"):
        est.pairwise(data, columns={"a": [0], "b": []}, progress=False)
    with pytest.raises(ValueError, match="out of range"):
        est.pairwise(data, columns={"a": [0], "b": [7]}, progress=False)
    with pytest.raises(ValueError, match="at least two"):
        est.pairwise(data, columns={"a": [0, 1]}, progress=False)


def test_estimate_batch_items_must_be_pairs(est, xy):
    with pytest.raises(ValueError, match=r"pairs\[1\] must be an \(x, y\) pair"):
        est.estimate_batch([xy, (*xy, xy[0])], progress=False)


def test_a_copy_is_reported_not_silently_estimated(xy):
    with pytest.warns(infoatlas.InfoAtlasWarning, match="copies"):
        e = infoatlas.estimate(xy[0], xy[0])
    assert any("copies" in note for note in e.notes)


def test_tie_warnings_name_the_columns():
    # a few-valued column declared continuous keeps its ties (more than 20 values would be broken)
    x = np.column_stack([np.random.default_rng(0).standard_normal(200), np.arange(200) % 10])
    with pytest.warns(infoatlas.InfoAtlasWarning, match=r"tied column\(s\) \[1\]"):
        infoatlas.estimate(x, np.random.default_rng(1).standard_normal(200), discrete_x=False)


def test_users_warning_filters_are_respected(xy):
    import warnings

    X = np.column_stack([xy[0], np.arange(500) % 2])
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("ignore", infoatlas.InfoAtlasWarning)
        infoatlas.mutual_info_score(X, xy[1])
    assert not [w for w in rec if issubclass(w.category, infoatlas.InfoAtlasWarning)]


@pytest.mark.parametrize("make, err, match", [
    (lambda x, y: (torch.tensor(x).reshape(500, 1)[:, :0], torch.tensor(y)), ValueError, "empty"),
    (lambda x, y: (torch.full((500,), np.nan, dtype=torch.float64), torch.tensor(y)), ValueError, "NaN"),
    (lambda x, y: (torch.zeros(10, 5, 2), torch.zeros(10, 5, 2)), ValueError, "shape"),
    (lambda x, y: (torch.tensor(x[:10]), torch.tensor(y[:10])), ValueError, "at least 20"),
])
def test_mutual_info_torch_errors_name_the_problem(est, xy, make, err, match):
    with pytest.raises(err, match=match):
        infoatlas.mutual_info_torch(*make(*xy), model=est)


def test_mutual_info_torch_takes_arrays_and_a_constant_side_gives_zero_with_zero_gradient(est, xy):
    v = infoatlas.mutual_info_torch(*xy, model=est)  # numpy in: converted
    assert math.isfinite(float(v))
    x = torch.ones(500, dtype=torch.float64, requires_grad=True)
    out = infoatlas.mutual_info_torch(x, torch.tensor(xy[1]), model=est)
    out.backward()
    assert float(out) == 0.0 and torch.all(x.grad == 0)


@st.composite
def _data(draw):
    n = draw(st.integers(0, 60))
    dx, dy = draw(st.integers(0, 4)), draw(st.integers(0, 4))
    elements = st.one_of(st.floats(allow_nan=True, allow_infinity=True, width=64),
                         st.sampled_from([0.0, 1.0, -1.0, 1e300, -1e-300]))
    kind = draw(st.sampled_from(["numpy", "list", "pandas", "torch", "int"]))
    x = draw(hnp.arrays(np.float64, (n, dx) if dx else (n,), elements=elements))
    y = draw(hnp.arrays(np.float64, (n, dy) if dy else (n,), elements=elements))
    if kind == "list":
        return x.tolist(), y.tolist()
    if kind == "pandas":
        return pd.DataFrame(x.reshape(n, max(dx, 1))), pd.DataFrame(y.reshape(n, max(dy, 1)))
    if kind == "torch":
        return torch.tensor(x), torch.tensor(y)
    if kind == "int":
        return np.nan_to_num(x).clip(-1e6, 1e6).astype(np.int64), y
    return x, y


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=_data(), policy=st.sampled_from(["raise", "omit"]))
def test_fuzz_every_outcome_is_a_clear_error_or_a_valid_estimate(est, data, policy):
    x, y = data
    before = [repr(a) if isinstance(a, list) else (a.copy() if hasattr(a, "copy") else a.clone()) for a in (x, y)]
    try:
        e = est.estimate(x, y, nan_policy=policy)
    except (ValueError, TypeError) as err:
        msg = str(err)
        assert any(w in msg for w in ("x ", "y ", "x and y", "samples", "rows", "NaN", "shape", "empty", "real")), msg
    else:
        assert all(math.isfinite(v) for v in (e.mi, e.lower, e.upper))
        assert 0 <= e.lower <= e.mi <= e.upper
    for a, b in zip((x, y), before):  # the caller's data are untouched
        if isinstance(a, list):
            assert repr(a) == b
        elif isinstance(a, torch.Tensor):
            assert torch.equal(a.nan_to_num(0.5), b.nan_to_num(0.5))
        else:
            assert np.array_equal(np.asarray(a, dtype=float), np.asarray(b, dtype=float), equal_nan=True)


def test_an_infinite_value_is_a_missing_row_on_every_route(est):
    # few-valued X columns read as numbers (their interval is bracketed by the categorical reading,
    # which read the rows with an inf: the kd-tree refused them) and an inf in Y, dropped under omit
    x = np.array([[4, 2], [1, 2], [3, 2], [2, 1], [0, 2], [2, 0]] + [[2, 2]] * 28, float)
    y = np.array([16, 15, 2, 0, 12, 4, np.inf, 6, 3, 8, 5, 5.5e16, 7, 2e69, 10, 1.5, 13, 14, 11] + [1] * 14 + [9.0])
    e = est.estimate(x, y, nan_policy="omit")
    assert any("dropped 1 row(s) with NaN/inf" in t for t in e.notes)
    assert all(math.isfinite(v) for v in (e.mi, e.lower, e.upper)) and 0 <= e.lower <= e.mi <= e.upper
    with pytest.raises(ValueError, match="NaN or infinite"):
        est.estimate(x, y)


def test_few_rows_for_many_columns_widen_the_interval_to_zero():
    r = np.random.default_rng(0)
    e = infoatlas.estimate(r.standard_normal((50, 40)), r.standard_normal((50, 40)))
    assert e.lower == 0.0 and any("few rows" in n for n in e.notes)
    assert any("transposed" in n for n in infoatlas.estimate(r.standard_normal((30, 500)),
                                                              r.standard_normal((30, 2))).notes)


def test_data_warnings_point_at_the_callers_line():
    import warnings

    import infoatlas

    rng = np.random.default_rng(0)
    x = rng.standard_normal((300, 2))
    x[:, 1] = 1.0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        infoatlas.estimate(x, x[:, :1] + rng.standard_normal((300, 1)))
    mine = [w for w in caught if issubclass(w.category, infoatlas.InfoAtlasWarning)]
    assert mine and all(w.filename == __file__ for w in mine)
