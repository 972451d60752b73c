"""``infoatlas bench accuracy``: every estimator on the same data sets with known MI.

Metrics (per estimator, and by family / dims / n): mean absolute error in nats; the share of
estimates within a factor 1.5 of the truth (absolute error < 0.05 where the truth is < 0.05);
coverage of InfoAtlas's 90% interval; failures (recorded, never fatal).
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ..metrics import within_factor
from . import write_report
from .suite import atlas_suite, npz_suite


class PairwiseFast:
    """``pairwise(method="fast")`` on one pair of columns, as an estimator of 1+1 data sets (the
    pair-screening model where both columns are continuous, the discrete path otherwise)."""

    def __init__(self, est):
        self.est = est

    def estimate(self, x, y) -> float:
        x, y = np.asarray(x, float).reshape(len(x), -1), np.asarray(y, float).reshape(len(y), -1)
        if x.shape[1] != 1 or y.shape[1] != 1:
            raise ValueError(f"pairfast reads one column per side, got {x.shape[1]}+{y.shape[1]}")
        return float(self.est.pairwise(np.column_stack([x, y]), method="fast", progress=False)[0, 1])


def make_estimator(name: str, model=None, seed: int = 0, pair_model=None):
    """An object with ``estimate(x, y)`` for a name; InfoAtlas returns an MIEstimate.  "pairfast":
    :class:`PairwiseFast` with the pair-screening weights ``pair_model`` (default: shipped)."""
    if name in ("infoatlas", "pairfast"):
        from ..estimator import InfoAtlas

        est = InfoAtlas.from_pretrained(model, random_state=seed, pair_model=pair_model)
        return est if name == "infoatlas" else PairwiseFast(est)
    from ..baselines import ESTIMATORS

    if name not in ESTIMATORS:
        raise ValueError(f"unknown estimator {name!r}; choose from infoatlas, {', '.join(ESTIMATORS)}")
    return ESTIMATORS[name](random_state=seed)


def run_cases(cases, estimators: dict) -> pd.DataFrame:
    """Run each estimator on each case; a failure is a row with ``failed=True`` and the error."""
    import warnings

    rows = []
    for case in cases:
        for name, est in estimators.items():
            rec = {"estimator": name, "case": case.name, "family": case.family, "dims": case.dims,
                   "n": case.n, "truth": case.mi, "estimate": np.nan, "lower": np.nan,
                   "upper": np.nan, "seconds": np.nan, "failed": False, "error": ""}
            kw = {}
            if case.discrete_x is not None and getattr(est, "reads_types", False):
                kw = {"discrete_x": case.discrete_x, "discrete_y": case.discrete_y}  # told the column types
            t0 = time.perf_counter()
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    out = est.estimate(case.x, case.y, **kw)
                rec["seconds"] = time.perf_counter() - t0
                rec["estimate"] = float(out)
                if hasattr(out, "lower"):
                    rec["lower"], rec["upper"] = out.lower, out.upper
                if not np.isfinite(rec["estimate"]):
                    raise FloatingPointError("non-finite estimate")
            except Exception as e:  # noqa: BLE001 - a failing estimator is a result, not a crash
                rec.update(failed=True, error=f"{type(e).__name__}: {e}", estimate=np.nan)
            rows.append(rec)
    return pd.DataFrame(rows)


def summarise(df: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    ok = df[~df["failed"] & df["truth"].notna()].copy()
    ok["abs_err"] = (ok["estimate"] - ok["truth"]).abs()
    ok["within"] = within_factor(ok["estimate"], ok["truth"])
    ok["covered"] = np.where(ok["lower"].notna(), (ok["lower"] <= ok["truth"]) & (ok["truth"] <= ok["upper"]), np.nan)
    g = ok.groupby(by, sort=True)
    out = pd.DataFrame({"mae": g["abs_err"].mean(), "within_1.5": g["within"].mean(),
                        "coverage_90": g["covered"].mean(), "median_ms": g["seconds"].median() * 1e3,
                        "cases": g.size()})
    fails = df.groupby(by)["failed"].sum().rename("failures")
    return out.join(fails, how="outer").reset_index()


def _markdown(summary: pd.DataFrame, index: list[str]) -> str:
    """Side-by-side table: rows = index, column blocks = estimators (MAE / within / coverage)."""
    piv = summary.pivot_table(index=index, columns="estimator", values=["mae", "within_1.5"], aggfunc="first")
    ests = list(dict.fromkeys(summary["estimator"]))
    head = "| " + " | ".join(index) + " | " + " | ".join(f"MAE {e}" for e in ests) + " | " + \
        " | ".join(f"within1.5 {e}" for e in ests) + " |"
    cov = summary[summary["estimator"] == "infoatlas"].set_index(index)["coverage_90"] \
        if "infoatlas" in ests else None
    if cov is not None:
        head = head[:-1] + "| 90% coverage infoatlas |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for key, row in piv.iterrows():
        key = key if isinstance(key, tuple) else (key,)
        cells = [str(k) for k in key]
        cells += [f"{row[('mae', e)]:.3f}" if ('mae', e) in row and pd.notna(row[('mae', e)]) else "-" for e in ests]
        cells += [f"{row[('within_1.5', e)]:.0%}" if ('within_1.5', e) in row and pd.notna(row[('within_1.5', e)])
                  else "-" for e in ests]
        if cov is not None:
            c = cov.get(key if len(key) > 1 else key[0], np.nan)
            cells.append(f"{c:.0%}" if pd.notna(c) else "-")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def run_accuracy(estimators, ns=(200, 1000, 5000), per_cell=4, dims=((1, 1), (3, 3), (2, 6), (8, 8)),
                 families=None, mi_max=5.0, data_dir=None, out_dir="bench_out/accuracy", seed=0,
                 model=None, plots=True, pair_model=None) -> str:
    """Run the benchmark, write ``report.md``, ``results.json`` and plots; return the Markdown."""
    t0 = time.perf_counter()
    cases = npz_suite(data_dir) if data_dir else atlas_suite(ns, dims, per_cell, families, mi_max, seed)
    ests = {name: make_estimator(name, model, seed, pair_model) for name in estimators}
    df = run_cases(cases, ests)
    by_n = summarise(df, ["estimator", "n"])
    by_fam = summarise(df, ["estimator", "family", "n"])
    by_dims = summarise(df, ["estimator", "dims", "n"])
    overall = summarise(df.assign(all="all"), ["estimator", "all"])
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    meta = {"estimators": list(estimators), "ns": list(ns), "per_cell": per_cell, "dims": [list(d) for d in dims],
            "families": families or "heldout", "mi_max": mi_max, "data_dir": str(data_dir) if data_dir else None,
            "seed": seed, "model": model or "infoatlas-base", "cases": len(cases),
            "pair_model": (pair_model or "infoatlas-pairs") if "pairfast" in estimators else None,
            "seconds": round(time.perf_counter() - t0, 1)}
    if "infoatlas" in ests:
        meta["model_meta"] = {k: (v.to_dict() if hasattr(v, "to_dict") else v)
                              for k, v in ests["infoatlas"].meta.items() if k != "config"}
    src = f"`--data {data_dir}`" if data_dir else "atlas held-out families" if not families else f"families {', '.join(families)}"
    md = [f"# Accuracy benchmark ({len(cases)} data sets, {src}, seed {seed})", "",
          "## By n", "", _markdown(by_n, ["n"]), "",
          "## Overall", "", _markdown(overall, ["all"]), "",
          "## By family and n", "", _markdown(by_fam, ["family", "n"]), "",
          "## By dims and n", "", _markdown(by_dims, ["dims", "n"]), ""]
    fails = df[df["failed"]]
    if len(fails):
        md += ["## Failures", ""] + [f"- {r.estimator} on {r.case}: {r.error}" for r in fails.itertuples()] + [""]
    md.append(f"Run time {meta['seconds']} s.")
    report = "\n".join(md)
    write_report(out, report, {"meta": meta, "records": json.loads(df.to_json(orient="records")),
                               "by_n": json.loads(by_n.to_json(orient="records")),
                               "by_family": json.loads(by_fam.to_json(orient="records"))})
    if plots and df["truth"].notna().any():
        from ..plots import error_vs_n, estimate_vs_truth

        estimate_vs_truth(df[~df["failed"]], str(out / "estimate_vs_truth.png"))
        error_vs_n(by_n, str(out / "error_vs_n.png"))
    return report
