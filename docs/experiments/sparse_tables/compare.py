"""Discrete families with and without the two sparse-table rules, on the same data sets.

    python docs/experiments/sparse_tables/compare.py > docs/experiments/sparse_tables/compare.md

The rules (``infoatlas.discrete.auto_joint``: few-valued numeric columns are discrete together only
when their joint values obey the one-column rule; ``infoatlas.discrete.sparse_table_check``: a
contingency table whose permuted copies read above 0.01 nats is checked against them) are switched
off by replacing the two functions with pass-throughs ("before"); "unwidened": the rules on, but the
intervals of few-valued columns read as numbers not widened to the categorical estimators' readings.  Every discrete family of the
atlas at n = 200, 1,000 and 5,000, dims 1x1 and 4x1 (class_gauss: 4 features), 6 data sets per cell,
seed 5 (the release suite uses seed 0 at n = 1,000 and 5,000).  KSG (k = 3, ties broken by the
baseline's jitter) on the same data for reference.  Per-data-set records (times left out) go to records.jsonl beside it.
"""
import contextlib
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import infoatlas
from infoatlas import discrete
from infoatlas.baselines import KSG
from infoatlas.bench.suite import atlas_suite
from infoatlas.estimator import InfoAtlas

HERE = Path(__file__).parent
SEED, NS, DIMS, PER_CELL = 5, (200, 1000, 5000), ((1, 1), (4, 1)), 6


@contextlib.contextmanager
def widening_off():
    """The rules on, but the intervals of few-valued columns read as numbers not widened."""
    saved = InfoAtlas._bracketed
    InfoAtlas._bracketed = lambda self, planned, ax, ay, k=3: planned
    try:
        yield
    finally:
        InfoAtlas._bracketed = saved


@contextlib.contextmanager
def rules_off():
    saved = discrete.auto_joint, discrete.sparse_table_check
    discrete.auto_joint = lambda spec, arr, mask, cat, name: (mask, ())
    discrete.sparse_table_check = lambda cx, cy, mi, lower, upper, random_state: (mi, lower, upper, [])
    try:
        yield
    finally:
        discrete.auto_joint, discrete.sparse_table_check = saved


def markdown(df: pd.DataFrame) -> str:
    fmt = lambda v: f"{v:.3f}" if isinstance(v, float) else str(v)  # noqa: E731
    lines = ["| " + " | ".join(df.columns) + " |", "|" + "---|" * df.shape[1]]
    return "\n".join(lines + ["| " + " | ".join(fmt(v) for v in row) + " |" for row in df.itertuples(index=False)])


def run_infoatlas(model, case):
    kw = {} if case.discrete_x is None else {"discrete_x": case.discrete_x, "discrete_y": case.discrete_y}
    t = time.perf_counter()
    e = model.estimate(case.x, case.y, **kw)
    return e.mi, e.lower, e.upper, time.perf_counter() - t


def main():
    warnings.simplefilter("ignore")
    model = infoatlas.InfoAtlas.from_pretrained(random_state=0)
    ksg = KSG()
    cases = atlas_suite(NS, DIMS, PER_CELL, families=["discrete"], seed=SEED)
    rows = []
    for c in cases:
        new = run_infoatlas(model, c)
        with rules_off():
            old = run_infoatlas(model, c)
        with widening_off():
            bare = run_infoatlas(model, c)
        rows.append(dict(family=c.family, n=c.x.shape[0], dims=c.dims, truth=c.mi, before=old[0],
                         after=new[0], cover_before=old[1] <= c.mi <= old[2], cover_after=new[1] <= c.mi <= new[2],
                         cover_unwidened=bare[1] <= c.mi <= bare[2],
                         width_before=old[2] - old[1], width_after=new[2] - new[1],
                         y_cut=all(np.unique(col).size <= discrete.AUTO_MAX_LEVELS for col in c.y.T),
                         t_before=old[3], t_after=new[3], ksg=ksg.estimate(c.x, c.y)))
    df = pd.DataFrame(rows)
    df.drop(columns=["t_before", "t_after"]).to_json(HERE / "records.jsonl", orient="records", lines=True)
    for col in ("before", "after", "ksg"):
        df[f"err_{col}"] = (df[col] - df.truth).abs()
    print(__doc__.split("\n\n", 2)[2].strip(), "\n")
    old_fams = ~df.family.isin(["labels_many", "quantised_blocks"])
    print(f"{len(df)} data sets; MAE in nats, coverage and median width (nats) of the 90% interval.  Time per "
          f"estimate, after / before (same run): mean {df.t_after.sum() / df.t_before.sum():.2f}x over all data sets "
          f"(the old reading of many few-valued columns as one label ran a classifier over thousands of classes), "
          f"{df.t_after[old_fams].sum() / df.t_before[old_fams].sum():.2f}x on the families other than labels_many "
          "and quantised_blocks\n")
    agg = dict(mae_before=("err_before", "mean"), mae_after=("err_after", "mean"), mae_ksg=("err_ksg", "mean"),
               max_err_before=("err_before", "max"), max_err_after=("err_after", "max"),
               cover_before=("cover_before", "mean"), cover_after=("cover_after", "mean"),
               cover_unwidened=("cover_unwidened", "mean"),
               width_before=("width_before", "median"), width_after=("width_after", "median"), sets=("truth", "size"))
    by = df.groupby(["family", "n"]).agg(**agg).reset_index()
    print(markdown(by), "\n")
    print("Changed data sets (estimate or interval differs):\n")
    changed = df[(df.before - df.after).abs() > 1e-9]
    print(f"{len(changed)} of {len(df)} estimates changed; by family: "
          + ", ".join(f"{k} {v}" for k, v in changed.family.value_counts().sort_index().items()), "\n")
    blocks = df[df.family == "quantised_blocks"].copy()
    print("quantised_blocks by n and by whether Y's columns are cut too (else continuous):\n")
    print(markdown(blocks.groupby(["n", "y_cut"]).agg(**agg).reset_index()))


if __name__ == "__main__":
    main()
