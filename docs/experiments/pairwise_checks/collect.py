"""``pairwise`` (its default method, the network) against ``estimate`` on the same pairs: before,
``pairwise`` read its pairs without the regression bound, with the checks against KSG switched off
by any tie, and groups of several columns through its per-column scores (``checks.REGRESSION_CHECK
= False``, ``checks.BREAK_TIES = False`` and ``estimator.PLAN_GROUPS = False`` give that reading
again); after, as ``estimate`` reads them.  Writes one JSON line per data set; compare.py summarises.

    python docs/experiments/pairwise_checks/collect.py > docs/experiments/pairwise_checks/evaluate.jsonl
    python docs/experiments/pairwise_checks/collect.py --table > docs/experiments/pairwise_checks/table.jsonl

Data: those of docs/experiments/low_dims (the held-out continuous families, plain Gaussians, the
validation families, the held-out functional_noise, a b + s N with its exact MI, independent
columns) in 1+1, 2+1 and 2+2 columns at n = 200, 1,000 and 5,000, read as two groups of one table,
unrounded and rounded to three significant digits (light ties; the truth is the unrounded MI), seed
314 / stream 54 (the benchmarks use seed 0).  Pairs of two untied single columns also get their
permutation p-value (99 re-pairings) before and after: they share one null of the reading without
the bound, so it must not change.  ``--table``: the time of ``pairwise`` on a table of 30 columns
(435 pairs) at 2,000 rows, before and after, and of ``method="fast"``, three times each, in one run."""
import importlib.util
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from infoatlas import InfoAtlas, checks, estimator

HERE = Path(__file__).resolve().parent


def _module(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# the data sets of docs/experiments/low_dims and the rounding of docs/experiments/light_ties: shared
low_dims = _module("low_dims_collect", HERE.parent / "low_dims" / "collect.py")
light_ties = _module("light_ties_collect", HERE.parent / "light_ties" / "collect.py")

SEED, STREAM = 314, 54
PER_CELL = 4
NS = (200, 1000, 5000)
DIMS = [(1, 1), (2, 1), (2, 2)]
DIGITS = 3
PERMUTATIONS = 99


def set_checks(on: bool) -> None:
    checks.REGRESSION_CHECK = checks.BREAK_TIES = estimator.PLAN_GROUPS = on


def pairwise(model, x, y, p_values: bool):
    """(MI, p-value or None, seconds) of ``pairwise`` on the table [x, y] read as groups x and y."""
    data = np.column_stack([x, y])
    groups = {"x": list(range(x.shape[1])), "y": list(range(x.shape[1], data.shape[1]))}
    t0 = time.perf_counter()
    out = model.pairwise(data, groups, p_values=p_values, n_permutations=PERMUTATIONS, progress=False)
    dt = time.perf_counter() - t0
    mat, pmat = out if p_values else (out, None)
    return float(mat.iloc[0, 1]), None if pmat is None else float(pmat.iloc[0, 1]), dt


def reading(model, x, y, p_values: bool) -> dict:
    set_checks(True)
    t0 = time.perf_counter()
    e = model.estimate(x, y)
    t_est = time.perf_counter() - t0
    after, p_after, t_after = pairwise(model, x, y, p_values)
    set_checks(False)
    before, p_before, t_before = pairwise(model, x, y, p_values)
    set_checks(True)
    return {"estimate": [e.mi, e.lower, e.upper], "estimate_seconds": t_est, "after": after, "before": before,
            "after_seconds": t_after, "before_seconds": t_before, "p_after": p_after, "p_before": p_before}


def main() -> None:
    warnings.simplefilter("ignore")  # the tie warnings of the rounded data
    model = InfoAtlas.from_pretrained(random_state=0)
    for name, family, x, y, mi in low_dims.cases(SEED, STREAM, NS, DIMS, PER_CELL):
        x = np.asarray(x, float).reshape(len(x), -1)
        y = np.asarray(y, float).reshape(len(y), -1)
        rec = {"case": name, "family": family, "dims": f"{x.shape[1]}x{y.shape[1]}", "n": len(x), "truth": mi}
        one = x.shape[1] == y.shape[1] == 1
        rec["unrounded"] = reading(model, x, y, p_values=one)
        rec["rounded"] = reading(model, light_ties.significant(x, DIGITS), light_ties.significant(y, DIGITS),
                                 p_values=False)
        print(json.dumps(rec))
        sys.stdout.flush()


def table() -> None:
    """Seconds of pairwise on 30 columns at 2,000 rows: five blocks of six columns, each block a
    normal column, a noisy function of it, a product of two of them plus noise, and three
    independent columns."""
    model = InfoAtlas.from_pretrained(random_state=0)
    rng = np.random.default_rng([SEED, STREAM, 30])
    cols = []
    for _ in range(5):
        a, b = rng.standard_normal(2000), rng.standard_normal(2000)
        cols += [a, np.sin(3 * a) + 0.3 * rng.standard_normal(2000), b, a * b + 0.3 * rng.standard_normal(2000),
                 rng.standard_normal(2000), rng.standard_normal(2000)]
    data = np.column_stack(cols)
    model.pairwise(data[:, :3], progress=False)  # warm up
    model.pairwise(data[:, :3], method="fast", progress=False)  # loads the pair model
    for rep in range(3):
        for label, on, method in (("before", False, "network"), ("after", True, "network"), ("fast", True, "fast")):
            set_checks(on)
            t0 = time.perf_counter()
            model.pairwise(data, method=method, progress=False)
            print(json.dumps({"repeat": rep, "method": label, "columns": data.shape[1], "rows": data.shape[0],
                              "seconds": time.perf_counter() - t0}))
            sys.stdout.flush()
    set_checks(True)


if __name__ == "__main__":
    table() if "--table" in sys.argv else main()
