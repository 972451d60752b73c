"""``infoatlas bench independence``: size and power of the permutation test, next to distance
covariance (``dcor``) and HSIC (``hyppo``) on the same data sets in the same run.

Shapes (Y from X with noise; the independent ones have MI 0): linear, quadratic, cubic, sine, circle,
step, two parabolas, and independent clouds with normal, heavy-tailed (t, 2 degrees of freedom),
skewed (log-normal) and discrete marginals.  Multi-dimensional cases (dims d > 1) use d columns per
side: the shape links the sums of the columns.  Size = rejection rate at alpha on the independent
shapes; power = rejection rate on the others.  Every test uses the same number of permutations.
"""
from __future__ import annotations

import json
import time

import numpy as np
import pandas as pd

from . import write_report

DEPENDENT = ("linear", "quadratic", "cubic", "sine", "circle", "step", "two_parabolas")
INDEPENDENT = ("indep_normal", "indep_t2", "indep_skewed", "indep_discrete")


def sample_shape(shape: str, n: int, d: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """x (n, d), y (n, d) of a named shape (noise levels chosen so that n = 100 is not trivial)."""
    if shape.startswith("indep"):
        draw = {"indep_normal": lambda s: rng.standard_normal(s), "indep_t2": lambda s: rng.standard_t(2, s),
                "indep_skewed": lambda s: np.exp(rng.standard_normal(s)),
                "indep_discrete": lambda s: rng.integers(0, 4, s).astype(float)}[shape]
        return draw((n, d)), draw((n, d))
    x = rng.uniform(-1, 1, (n, d))
    u = x.sum(1) / np.sqrt(d)
    e = rng.standard_normal(n)
    if shape == "linear":
        v = u + 1.0 * e
    elif shape == "quadratic":
        v = u ** 2 + 0.3 * e
    elif shape == "cubic":
        v = 4 * u ** 3 - 3 * u + 1.2 * e
    elif shape == "sine":
        v = np.sin(4 * np.pi * u) + 1.5 * e
    elif shape == "circle":
        t = rng.uniform(0, 2 * np.pi, n)
        u = np.cos(t) + 0.15 * rng.standard_normal(n)
        x = np.column_stack([u * np.sqrt(d) / d] * d) + 0.01 * rng.standard_normal((n, d))
        v = np.sin(t) + 0.15 * e
    elif shape == "step":
        v = (u > 0).astype(float) + 1.0 * e
    elif shape == "two_parabolas":
        v = (u ** 2 + 0.3 * e) * np.where(rng.random(n) < 0.5, 1.0, -1.0)
    else:
        raise ValueError(f"unknown shape {shape!r}")
    y = np.column_stack([v] + [rng.standard_normal(n) for _ in range(d - 1)]) if d > 1 else v[:, None]
    return x, y


def _tests(names, b: int, seed: int, model=None):
    out = {}
    if "infoatlas" in names:
        from ..estimator import InfoAtlas
        from ..independence import independence_test

        est = InfoAtlas.from_pretrained(model, random_state=seed)
        # one permutation seed for every data set (each p-value stays valid; 1+1 untied data then share
        # one null per n, as in pairwise)
        out["infoatlas"] = lambda x, y, s: independence_test(x, y, n_permutations=b, random_state=seed,
                                                             model=est).p_value
    if "dcor" in names:
        import dcor

        out["dcor"] = lambda x, y, s: dcor.independence.distance_covariance_test(
            x, y, num_resamples=b, random_state=s).pvalue
    if "hsic" in names:
        from hyppo.independence import Hsic

        out["hsic"] = lambda x, y, s: Hsic().test(x, y, reps=b, workers=1, random_state=s)[1]
    return out


def run_independence(ns=(100, 500, 2000), dims=(1,), reps: int = 20, n_permutations: int = 199,
                     alpha: float = 0.05, methods=("infoatlas", "dcor", "hsic"), shapes=DEPENDENT + INDEPENDENT,
                     out_dir="bench_out/independence", seed: int = 0, model=None) -> str:
    t0 = time.perf_counter()
    tests = _tests(methods, n_permutations, seed, model)
    rows = []
    for si, shape in enumerate(shapes):
        for d in dims:
            for n in ns:
                for r in range(reps):
                    rng = np.random.default_rng([seed, si, d, n, r])
                    x, y = sample_shape(shape, n, d, rng)
                    for name, test in tests.items():
                        t1 = time.perf_counter()
                        p = float(test(x, y, r))
                        rows.append({"shape": shape, "dims": d, "n": n, "rep": r, "method": name, "p": p,
                                     "reject": p <= alpha, "seconds": time.perf_counter() - t1,
                                     "null": shape.startswith("indep")})
    df = pd.DataFrame(rows)
    rate = df.groupby(["null", "shape", "dims", "n", "method"])["reject"].mean().unstack("method")
    secs = df.groupby(["n", "dims", "method"])["seconds"].median().unstack("method")
    ms = list(tests)
    lines = [f"# Independence tests: rejection rate at alpha = {alpha} ({reps} data sets per cell, "
             f"{n_permutations} permutations each, seed {seed})", ""]
    for title, null in (("Size (independent data; the rate should be near alpha)", True),
                        ("Power (dependent data)", False)):
        if null not in rate.index.get_level_values(0):
            continue
        part = rate.loc[null]
        lines += [f"## {title}", "", "| shape | dims | n | " + " | ".join(ms) + " |", "|---|---|---|" + "---|" * len(ms)]
        for (shape, d, n), row in part.iterrows():
            lines.append(f"| {shape} | {d} | {n} | " + " | ".join(f"{row[m]:.2f}" for m in ms) + " |")
        mean = part.groupby(level=["dims", "n"]).mean()
        lines += ["", "| mean over shapes: dims | n | " + " | ".join(ms) + " |", "|---|---|" + "---|" * len(ms)]
        for (d, n), row in mean.iterrows():
            lines.append(f"| {d} | {n} | " + " | ".join(f"{row[m]:.3f}" for m in ms) + " |")
        lines.append("")
    lines += ["## Median seconds per test", "", "| n | dims | " + " | ".join(ms) + " |", "|---|---|" + "---|" * len(ms)]
    for (n, d), row in secs.iterrows():
        lines.append(f"| {n} | {d} | " + " | ".join(f"{row[m]:.3f}" for m in ms) + " |")
    lines += ["", f"Run time {time.perf_counter() - t0:.0f} s."]
    report = "\n".join(lines)
    write_report(out_dir, report, {
        "meta": {"ns": list(ns), "dims": list(dims), "reps": reps, "n_permutations": n_permutations, "alpha": alpha,
                 "methods": ms, "seed": seed},
        "records": json.loads(df.to_json(orient="records"))})
    return report
