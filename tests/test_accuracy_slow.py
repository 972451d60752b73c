"""Opt-in accuracy check of the shipped weights (``bash scripts/test.sh --runslow``): on a small
suite of held-out families, the shipped model is more accurate than both classical baselines run on
the same data.  The full benchmark is ``infoatlas bench accuracy``; this guards against a shipped
file that is worse than the baselines it claims to beat."""
import pytest

from infoatlas.bench.accuracy import make_estimator, run_cases, summarise
from infoatlas.bench.suite import atlas_suite


@pytest.mark.slow
def test_shipped_model_beats_ksg_and_gaussian_copula_on_held_out_families():
    cases = atlas_suite((1000,), ((1, 1), (3, 3), (2, 6)), per_cell=3, seed=11)
    df = run_cases(cases, {name: make_estimator(name) for name in ("infoatlas", "ksg", "gcmi")})
    mae = summarise(df, ["estimator"]).set_index("estimator")["mae"]
    assert mae["infoatlas"] < mae["ksg"] and mae["infoatlas"] < mae["gcmi"], mae.to_dict()
