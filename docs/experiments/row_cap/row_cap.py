"""Does the shipped network read n > 4,096 better from all rows or from 4,096 of them?

The trunk and the refinement head were trained with n <= 4,096; above that the canonical
correlations and the non-Gaussianity statistics come from more rows than training ever showed (their
sampling bias shrinks, which the network learned to correct). This compares InfoAtlas on all rows
with InfoAtlas on a 4,096-row subsample (``max_rows=4096``), on the validation families only
(seed 1; choices are never made on held-out families).

usage (repository root): python docs/experiments/row_cap/row_cap.py [OUT_DIR]
"""
import sys
from pathlib import Path

from infoatlas import InfoAtlas
from infoatlas.bench.accuracy import run_cases
from infoatlas.bench.suite import atlas_suite

out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/experiments/row_cap")
cases = (atlas_suite([5000, 20000], [(1, 1), (3, 3), (8, 8)], 6, ["clayton_pairs", "gauss_spiral"], seed=1)
         + atlas_suite([5000, 20000], [(4, 16), (40, 40), (64, 64)], 4, ["manifold_fourier", "clusters_shell"], seed=1))
ests = {"all_rows": InfoAtlas.from_pretrained(random_state=0),
        "rows_4096": InfoAtlas.from_pretrained(random_state=0, max_rows=4096)}
df = run_cases(cases, ests)
df["err"] = df.estimate - df.truth
df["abs_err"] = df.err.abs()
df["covered"] = (df.lower <= df.truth) & (df.truth <= df.upper)
df["seconds"] = df.seconds.astype(float)
g = df.groupby(["estimator", "family", "n"]).agg(mae=("abs_err", "mean"), signed=("err", "mean"),
                                                 coverage=("covered", "mean"), sets=("case", "size"))
tot = df.groupby(["estimator", "n"]).agg(mae=("abs_err", "mean"), signed=("err", "mean"),
                                         coverage=("covered", "mean"), seconds=("seconds", "median"),
                                         sets=("case", "size"))
out.mkdir(parents=True, exist_ok=True)
df.drop(columns=["error"]).to_csv(out / "records.csv", index=False)
text = ("# All rows vs 4,096 rows, validation families (seed 1), shipped weights\n\n"
        + tot.round(3).to_string() + "\n\n" + g.round(3).to_string() + "\n")
(out / "report.md").write_text(text)
print(text)
