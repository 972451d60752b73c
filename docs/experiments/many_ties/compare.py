"""Heavily tied columns with more than 20 values next to continuous ones, with their ties kept and
broken at random.

    python docs/experiments/many_ties/compare.py 5 6 7 8 > docs/experiments/many_ties/compare.md

The ``tied_blocks`` family (1, 2, 3 or 5 pairs of a Gaussian latent, seen as itself or exp of it,
and a tied column given it: rounded to 0.05 or 0.1 and perhaps clipped or with a default value
filled in, counts out of 20-100 that saturate, Poisson counts; exact MI), 16 data sets a seed at
each of n = 200, 1,000 and 5,000, on the selection seeds given (the release suite uses seed 0).
Two versions on the same data: "before": ``infoatlas.discrete.tied_columns`` replaced by one that
finds none (the columns reach the network with their ties, as they did); "after": the shipped
estimator (their ties broken at random, ``InfoAtlas._many_ties_broken``).  Only data sets where the
shipped estimator broke ties are counted (the others, Poisson columns with at most 20 values, go
the few-valued way, unchanged).  KSG (k = 3, ties broken by the baseline's jitter) and the Gaussian
copula on the same data.  Per-data-set records go to records.jsonl beside it.
"""
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np

import infoatlas
from infoatlas.baselines import KSG, GaussianCopula
from infoatlas.bench.suite import atlas_suite
from probes import ties_kept  # beside this script

HERE = Path(__file__).parent
NS, PER_CELL, FAMILY = (200, 1000, 5000), 16, "tied_blocks"


def timed(model, case):
    """(the estimate, its seconds)."""
    t0 = time.perf_counter()
    return model.estimate(case.x, case.y), time.perf_counter() - t0


def main(seeds):
    warnings.simplefilter("ignore")
    model = infoatlas.InfoAtlas.from_pretrained(random_state=0)
    ksg, gc = KSG(), GaussianCopula()
    rows = []
    for seed in seeds:
        for case in atlas_suite(NS, [(1, 1)], PER_CELL, families=[FAMILY], seed=seed):
            after, t_after = timed(model, case)
            if not any(s.startswith("heavily tied columns") for s in after.notes):
                continue
            with ties_kept():
                before, t_before = timed(model, case)
            rows.append(dict(seed=seed, case=case.name, n=case.x.shape[0], dims=f"{case.x.shape[1]}x{case.y.shape[1]}",
                             truth=case.mi,
                             **{f"{k}{s}": getattr(e, a) for k, e in (("before", before), ("after", after))
                                for s, a in (("", "mi"), ("_lower", "lower"), ("_upper", "upper"))},
                             ksg=ksg.estimate(case.x, case.y), gcmi=gc.estimate(case.x, case.y),
                             t_before=t_before, t_after=t_after))
    with open(HERE / "records.jsonl", "w") as f:
        for r in rows:
            f.write(json.dumps({k: v for k, v in r.items() if not k.startswith("t_")}) + "\n")
    print(__doc__.split("\n\n", 2)[2].strip(), "\n")
    print(f"Seeds {', '.join(map(str, seeds))}. MAE in nats; signed: mean estimate - truth; coverage of the 90% "
          "interval; independent: data sets with MI 0 whose interval's lower end is above 0. \"One pair\": one "
          "column a side; \"several\": 2, 3 or 5 a side.\n")
    table = []
    for which, sel in (("one pair", lambda r: r["dims"] == "1x1"), ("several", lambda r: r["dims"] != "1x1")):
        for n in NS:
            s = [r for r in rows if r["n"] == n and sel(r)]
            if not s:
                continue
            t = np.array([r["truth"] for r in s])
            col = lambda k: np.array([r[k] for r in s])  # noqa: E731
            cov = lambda w: f"{np.mean([r[f'{w}_lower'] <= r['truth'] <= r[f'{w}_upper'] for r in s]):.0%}"  # noqa: E731
            ind = [r for r in s if r["truth"] < 1e-9]
            table.append([which, f"{n:,}", str(len(s)), *(f"{np.mean(abs(col(k) - t)):.3f}" for k in ("before", "after")),
                          *(f"{np.mean(col(k) - t):+.3f}" for k in ("before", "after")),
                          cov("before"), cov("after"),
                          *(f"{np.mean(abs(col(k) - t)):.3f}" for k in ("ksg", "gcmi")),
                          f"{sum(r['before_lower'] > 0 for r in ind)} / {sum(r['after_lower'] > 0 for r in ind)} of {len(ind)}"])
    header = ["pairs", "n", "data sets", "MAE before", "MAE after", "signed before", "signed after",
              "coverage before", "coverage after", "MAE ksg", "MAE gcmi", "independent: lower > 0 before / after"]
    for line in [header, ["---"] * len(header)] + table:
        print("| " + " | ".join(line) + " |")
    ratio = sum(r["t_after"] for r in rows) / sum(r["t_before"] for r in rows)
    print(f"\nTime of the {len(rows)} estimates, after / before (same run): {ratio:.2f}x.")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [5, 6, 7, 8])
