"""Rows that are two series (time order): the serial-dependence note and the independence test's
circular shifts (block_length)."""
import numpy as np
import pytest

from infoatlas import InfoAtlas, independence_test
from infoatlas.validation import lag1_rank_autocorrelation, serial_note


def ar1(n, phi, seed):
    e = np.random.default_rng(seed).standard_normal(n)
    z = np.empty(n)
    z[0] = e[0]
    for t in range(1, n):
        z[t] = phi * z[t - 1] + np.sqrt(1 - phi**2) * e[t]
    return z


def test_lag1_rank_autocorrelation_reads_series_and_not_shuffled_rows():
    z = ar1(3000, 0.9, 0)
    assert lag1_rank_autocorrelation(z[:, None]) > 0.8
    assert abs(lag1_rank_autocorrelation(np.random.default_rng(0).permutation(z)[:, None])) < 0.1
    # the column where it is largest in size, with its sign
    assert lag1_rank_autocorrelation(np.column_stack([np.random.default_rng(1).standard_normal(3000), z])) > 0.8


def test_two_series_get_the_note_and_independent_rows_do_not(tiny):
    x, y = ar1(1000, 0.9, 1), ar1(1000, 0.9, 2)
    assert any("serially dependent" in s for s in tiny.estimate(x, y).notes)
    g = np.random.default_rng(3)
    assert not any("serially dependent" in s for s in tiny.estimate(g.standard_normal(1000), g.standard_normal(1000)).notes)
    # one series against independent rows: permutations of Y stay valid, no note
    assert serial_note(x[:, None], g.standard_normal((1000, 1))) == ()
    # a table sorted by its label looks serial in both columns; labels are left out of the check
    label = np.sort(g.integers(3, size=1000))
    feature = label + g.standard_normal(1000)
    assert not any("serially dependent" in s for s in tiny.estimate(feature, label).notes)
    assert not any("serially dependent" in s
                   for s in independence_test(feature, label, n_permutations=9, model=tiny).notes)


def test_circular_shifts_keep_the_size_of_the_test_for_two_independent_series():
    # independent series with lag-1 correlation 0.99: row permutations reject (20 of 20 such pairs
    # at 5% in docs/experiments/serial_rows), circular shifts by 100 or more rows do not
    x, y = ar1(1000, 0.99, 4), ar1(1000, 0.99, 5)
    est = InfoAtlas.from_pretrained()
    perm = independence_test(x, y, n_permutations=99, random_state=0, model=est)
    shift = independence_test(x, y, n_permutations=99, random_state=0, model=est, block_length=100)
    assert perm.p_value < 0.05 and any("block_length" in s for s in perm.notes)
    assert shift.p_value > 0.05 and "circular shifts" in shift.method and not shift.notes


def test_block_length_is_checked(tiny):
    x, y = ar1(100, 0.5, 6), ar1(100, 0.5, 7)
    with pytest.raises(ValueError, match="needs at least 101 rows"):
        independence_test(x, y, n_permutations=9, model=tiny, block_length=50)
    with pytest.raises(ValueError, match="block_length"):
        independence_test(x, y, n_permutations=9, model=tiny, block_length=0)


def test_cli_test_takes_block_length_and_prints_the_notes(tmp_path, tiny_weights):
    import pandas as pd
    from click.testing import CliRunner

    from infoatlas.cli import main

    pd.DataFrame({"a": ar1(400, 0.9, 8), "b": ar1(400, 0.9, 9)}).to_csv(tmp_path / "s.csv", index=False)
    args = ["test", str(tmp_path / "s.csv"), "--x", "a", "--y", "b", "--permutations", "19", "--model", str(tiny_weights)]
    plain = CliRunner().invoke(main, args)
    assert plain.exit_code == 0, plain.output
    assert "note: the rows look serially dependent" in plain.output
    shifted = CliRunner().invoke(main, args + ["--block-length", "40"])
    assert shifted.exit_code == 0, shifted.output
    assert "circular shifts of Y's rows by 40 or more" in shifted.output and "note:" not in shifted.output


def test_a_column_with_nan_says_nothing_about_serial_dependence():
    x, y = ar1(500, 0.9, 10)[:, None], ar1(500, 0.9, 11)[:, None]
    assert len(serial_note(x, y)) == 1
    x[5] = np.nan
    assert lag1_rank_autocorrelation(x) == 0.0 and serial_note(x, y) == ()


def _series_table(seed, n=400, phi=0.95, cols=3):
    return np.column_stack([ar1(n, phi, 10 * seed + j) for j in range(cols)])


def test_pairwise_p_values_warn_on_series_and_block_length_shifts(tiny):
    import warnings

    from infoatlas.validation import InfoAtlasWarning

    x = _series_table(0)
    with pytest.warns(InfoAtlasWarning, match="3 variables look serially dependent"):
        tiny.pairwise(x, p_values=True, n_permutations=19, progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", InfoAtlasWarning)  # no warning with block_length, nor for shuffled rows
        mat, p = tiny.pairwise(x, p_values=True, n_permutations=19, progress=False, block_length=40)
        tiny.pairwise(np.random.default_rng(1).permutation(x), p_values=True, n_permutations=19, progress=False)
    # every pair's p-value is that of independence_test with the same shifts
    assert p[0, 1] == independence_test(x[:, 0], x[:, 1], n_permutations=19, model=tiny, block_length=40).p_value
    assert mat[0, 1] == pytest.approx(tiny.pairwise(x, progress=False)[0, 1])


def test_pairwise_block_length_is_checked(tiny):
    x = _series_table(1, n=50)
    with pytest.raises(ValueError, match="pass p_values=True"):
        tiny.pairwise(x, block_length=5, progress=False)
    with pytest.raises(ValueError, match="needs at least 61 rows"):
        tiny.pairwise(x, p_values=True, block_length=30, progress=False)


@pytest.mark.filterwarnings("ignore:3 variables look serially dependent")
def test_pairwise_shifts_keep_their_size_on_independent_series():
    # independent AR(1) series with phi = 0.95: row permutations reject at 5% in most pairs
    # (26 of 30 with the shipped model), circular shifts in few
    est = InfoAtlas.from_pretrained(random_state=0)
    rej_perm = rej_shift = 0
    for s in range(3):
        x = _series_table(s, n=500, cols=3)
        rej_perm += (est.pairwise(x, p_values=True, n_permutations=99, progress=False)[1][np.triu_indices(3, 1)] < 0.05).sum()
        rej_shift += (est.pairwise(x, p_values=True, n_permutations=99, progress=False,
                                   block_length=50)[1][np.triu_indices(3, 1)] < 0.05).sum()
    assert rej_perm >= 6 and rej_shift <= 2
