"""Lightly tied columns (values rounded to a few significant digits): the estimator with the checks
of the network's reading switched off by a tie (``checks.BREAK_TIES = False``, as before) and with
those checks reading the data with their ties broken at random, next to its reading of the same
data unrounded.  Writes one JSON line per data set; compare.py summarises.

    python docs/experiments/light_ties/collect.py --probe > docs/experiments/light_ties/probe.jsonl
    python docs/experiments/light_ties/collect.py > docs/experiments/light_ties/evaluate.jsonl

Data: the held-out continuous families (gauss_block, additive_uniform, student_t_flow,
mixture_heldout), plain Gaussians, the validation families (clayton_pairs, gauss_spiral), the
held-out functional_noise, a product of two columns plus noise, (a, b) against a b + s N (exact MI,
docs/experiments/real_shapes/functions.py), and independent normal columns.  The truth is the MI of
the unrounded data; rounding to 3-4 significant digits loses a negligible part of it below a few
nats.  Probe (where the idea came from; three digits, 1+1 to 3+3 columns, n = 1,000 and 5,000): seed
311 / stream 51.  Evaluation (three and four digits, six shapes, n = 200 to 5,000): seed 312 /
stream 52.  The benchmarks use seed 0."""
import importlib.util
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from infoatlas import InfoAtlas, checks

# the data sets of docs/experiments/low_dims (its families, the product a b + s N with its exact MI,
# independent columns), with this experiment's seeds and shapes: shared, not copied
_spec = importlib.util.spec_from_file_location(
    "low_dims_collect", Path(__file__).resolve().parents[1] / "low_dims" / "collect.py")
low_dims = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(low_dims)

PROBE = "--probe" in sys.argv
SEED, STREAM = (311, 51) if PROBE else (312, 52)
PER_CELL = 4
NS = (1000, 5000) if PROBE else (200, 1000, 5000)
DIMS = [(1, 1), (2, 1), (2, 2), (3, 3)] if PROBE else [(1, 1), (2, 1), (1, 2), (2, 2), (3, 2), (3, 3)]
DIGITS = (3,) if PROBE else (3, 4)


def cases():
    return low_dims.cases(SEED, STREAM, NS, DIMS, PER_CELL)


def significant(a: np.ndarray, digits: int) -> np.ndarray:
    """a rounded to ``digits`` significant digits, elementwise."""
    with np.errstate(divide="ignore"):
        e = np.floor(np.log10(np.abs(a)))
    e[~np.isfinite(e)] = 0.0
    f = 10.0 ** (digits - 1 - e)
    return np.round(a * f) / f


def reading(model, x, y) -> list:
    t0 = time.perf_counter()
    e = model.estimate(x, y)
    return [e.mi, e.lower, e.upper, len(e.notes), time.perf_counter() - t0]


def main() -> None:
    warnings.simplefilter("ignore")  # the tie warnings of the rounded data
    model = InfoAtlas.from_pretrained(random_state=0)
    for name, family, x, y, mi in cases():
        x = np.asarray(x, float).reshape(len(x), -1)
        y = np.asarray(y, float).reshape(len(y), -1)
        rec = {"case": name, "family": family, "dims": f"{x.shape[1]}x{y.shape[1]}", "n": len(x), "truth": mi,
               "unrounded": reading(model, x, y)}
        for d in DIGITS:
            xs, ys = significant(x, d), significant(y, d)
            # the smallest share of distinct values among the columns (under 1/2: heavily tied, whose
            # ties the estimator broke before this change too)
            rec[f"distinct{d}"] = float(min(np.unique(c).size / c.size for c in (*xs.T, *ys.T)))
            checks.BREAK_TIES = False
            rec[f"before{d}"] = reading(model, xs, ys)
            checks.BREAK_TIES = True
            rec[f"after{d}"] = reading(model, xs, ys)
        print(json.dumps(rec))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
