"""Few-valued columns read as numbers, with and without their ties broken at random.

    python docs/experiments/mixed_sides/compare.py 5 6 7 8 > docs/experiments/mixed_sides/compare.md

The families whose few-valued columns the automatic rule reads as numbers: ``mixed_blocks``
(continuous and few-valued columns on the same side) and ``quantised_blocks`` (few-valued columns
only, against each other or continuous ones), 16 data sets a seed at each of n = 200, 1,000 and
5,000, on the selection seeds given (the release suite uses seed 0).  Three versions on the same
data: "before": ``infoatlas.discrete.break_ties`` replaced by a pass-through (tied columns reach the
network as they are); "unwidened": ties broken, but the interval not widened by the tied reading
(``InfoAtlas._tie_broken`` a pass-through); "after": both.  Only data sets whose columns are read as
numbers are counted (the others go to the categorical estimators, identical in all three).  KSG
(k = 3, ties broken by the baseline's jitter) and the Gaussian copula on the same data; both
families have Gaussian latents, which the Gaussian copula reads nearly exactly after ranking, so its
figures here say little about real tables.  Per-data-set records go to records.jsonl beside it.
"""
import contextlib
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np

import infoatlas
from infoatlas import discrete
from infoatlas.baselines import KSG, GaussianCopula
from infoatlas.bench.suite import atlas_suite
from infoatlas.estimator import InfoAtlas

HERE = Path(__file__).parent
NS, DIMS, PER_CELL, FAMILIES = (200, 1000, 5000), ((1, 1), (4, 1)), 8, ("mixed_blocks", "quantised_blocks")


@contextlib.contextmanager
def patched(obj, name, value):
    saved = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, saved)


def run(model, case):
    t = time.perf_counter()
    e = model.estimate(case.x, case.y)
    return e, time.perf_counter() - t


def markdown(header, rows):
    return "\n".join(["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
                     + ["| " + " | ".join(r) + " |" for r in rows])


def main(seeds):
    warnings.simplefilter("ignore")
    model = infoatlas.InfoAtlas.from_pretrained(random_state=0)
    ksg, gc = KSG(), GaussianCopula()
    rows = []
    for seed in seeds:
        for case in atlas_suite(NS, DIMS, PER_CELL, families=list(FAMILIES), seed=seed):
            after, t_after = run(model, case)
            if not any("read as numbers with ties" in s for s in after.notes):
                continue
            with patched(discrete, "break_ties", lambda ax, ay, mx, my, random_state: (ax, ay)):
                before, t_before = run(model, case)
            with patched(InfoAtlas, "_tie_broken", lambda self, planned, ax, ay, policy: planned):
                bare, _ = run(model, case)
            rows.append(dict(seed=seed, case=case.name, family=case.family, n=case.x.shape[0],
                             dims=f"{case.x.shape[1]}x{case.y.shape[1]}", truth=case.mi,
                             **{f"{k}{s}": getattr(e, a) for k, e in (("before", before), ("unwidened", bare),
                                                                      ("after", after))
                                for s, a in (("", "mi"), ("_lower", "lower"), ("_upper", "upper"))},
                             ksg=ksg.estimate(case.x, case.y), gcmi=gc.estimate(case.x, case.y),
                             t_before=t_before, t_after=t_after))
    with open(HERE / "records.jsonl", "w") as f:
        for r in rows:
            f.write(json.dumps({k: v for k, v in r.items() if not k.startswith("t_")}) + "\n")
    print(__doc__.split("\n\n", 2)[2].strip(), "\n")
    print(f"Seeds {', '.join(map(str, seeds))}. MAE in nats; signed: mean estimate - truth; coverage of the 90% "
          "interval; independent: data sets with MI 0 whose interval's lower end is above 0.\n")
    table = []
    for fam in FAMILIES:
        for n in NS:
            s = [r for r in rows if r["family"] == fam and r["n"] == n]
            t = np.array([r["truth"] for r in s])
            col = lambda k: np.array([r[k] for r in s])  # noqa: E731
            cov = lambda w: f"{np.mean([r[f'{w}_lower'] <= r['truth'] <= r[f'{w}_upper'] for r in s]):.0%}"  # noqa: E731
            ind = [r for r in s if r["truth"] < 1e-9]
            table.append([fam, f"{n:,}", str(len(s)), *(f"{np.mean(abs(col(k) - t)):.3f}" for k in ("before", "after")),
                          *(f"{np.mean(col(k) - t):+.3f}" for k in ("before", "after")),
                          cov("before"), cov("unwidened"), cov("after"),
                          *(f"{np.mean(abs(col(k) - t)):.3f}" for k in ("ksg", "gcmi")),
                          f"{sum(r['before_lower'] > 0 for r in ind)} / {sum(r['after_lower'] > 0 for r in ind)} of {len(ind)}"])
    print(markdown(["family", "n", "data sets", "MAE before", "MAE after", "signed before", "signed after",
                    "coverage before", "coverage unwidened", "coverage after", "MAE ksg", "MAE gcmi",
                    "independent: lower > 0 before / after"], table))
    ratio = sum(r["t_after"] for r in rows) / sum(r["t_before"] for r in rows)
    print(f"\nTime of the {len(rows)} estimates, after / before (same run): {ratio:.2f}x.\n")
    # the widening rules considered, on mixed_blocks (no categorical bracket there: neither side is
    # all few-valued, so "before" is the network's reading with the ties kept)
    print("Widening rules considered (`mixed_blocks`; a = the tie-broken reading with its interval [la, ha], "
          "b = the tied reading with [lb, hb]); coverage and the median width relative to [la, ha]:\n")
    rules = {"[la, ha]": lambda r: (r["unwidened_lower"], r["unwidened_upper"]),
             "[la, max(ha, b)]": lambda r: (r["unwidened_lower"], max(r["unwidened_upper"], r["before"])),
             "[min(la, lb), max(ha, b)] (taken)": lambda r: (min(r["unwidened_lower"], r["before_lower"]),
                                                              max(r["unwidened_upper"], r["before"])),
             "[la, max(ha, hb)]": lambda r: (r["unwidened_lower"], max(r["unwidened_upper"], r["before_upper"])),
             "[la, max(ha, b) + (ha - a)]": lambda r: (r["unwidened_lower"], max(r["unwidened_upper"], r["before"])
                                                        + r["unwidened_upper"] - r["unwidened"])}
    out = []
    for name, f in rules.items():
        cells = []
        for n in NS:
            s = [r for r in rows if r["family"] == "mixed_blocks" and r["n"] == n]
            iv = [f(r) for r in s]
            cov = np.mean([lo <= r["truth"] <= hi for r, (lo, hi) in zip(s, iv)])
            w = np.median([(hi - lo) / max(r["unwidened_upper"] - r["unwidened_lower"], 1e-9) for r, (lo, hi) in zip(s, iv)])
            cells.append(f"{cov:.0%}, x{w:.2f}")
        out.append([name] + cells)
    print(markdown(["interval"] + [f"n = {n:,}" for n in NS], out))


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [5, 6, 7, 8])
