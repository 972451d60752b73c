"""Coverage of the 90% interval on wide validation data (48+48 and 24+72 dims), n 1,000-20,000.

The validation families (seed 1; the calibration uses seed 0) at widths the calibration grid had
only one cell of (16+48); run for each weight file given, same data sets.

usage (repository root): python docs/experiments/wide_calibration/wide_coverage.py WEIGHTS ... > report.txt
"""
import sys
import warnings

import pandas as pd

from infoatlas import InfoAtlas
from infoatlas.atlas import prior
from infoatlas.bench.accuracy import run_cases
from infoatlas.bench.suite import atlas_suite

warnings.simplefilter("ignore")
cases = atlas_suite([1000, 5000, 20000], [(48, 48), (24, 72)], 8, list(prior.VALIDATION_FAMILIES), seed=1)
ests = {w: InfoAtlas.from_pretrained(w, random_state=0) for w in sys.argv[1:]}
df = run_cases(cases, ests)
df["covered"] = (df.lower <= df.truth) & (df.truth <= df.upper)
df["truth_below"] = df.truth < df.lower
df["truth_above"] = df.truth > df.upper
df["abs_err"] = (df.estimate - df.truth).abs()
cols = ["covered", "truth_below", "truth_above", "abs_err"]
pd.set_option("display.width", 200)
print(f"{len(cases)} data sets per weight file; failures: {int(df.failed.sum())}\n")
print(df.groupby(["estimator", "n"])[cols].mean().round(3).to_string(), "\n")
print(df.groupby(["estimator", "family", "n"])[cols].mean().round(3).to_string())
