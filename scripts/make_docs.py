"""Regenerate the README's result blocks and the model card from result files kept in the repo.

Reads: docs/results/<suite>/results.json (written by `bash scripts/release_eval.sh`), the shipped
weight file's metadata, and its training log docs/training/infoatlas-base-v2.log.jsonl.
Writes: src/infoatlas/weights/MODEL_CARD.md, the pair-screening model's card
src/infoatlas/weights/MODEL_CARD_pairs.md, and in README.md every block between
``<!-- results:NAME -->`` and ``<!-- /results:NAME -->``.  No figure in either is typed by hand.

usage: python scripts/make_docs.py [--check]   (--check: exit 1 if a file would change; run in the tests)
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "docs" / "results"
CARD = ROOT / "src" / "infoatlas" / "weights" / "MODEL_CARD.md"
PAIR_CARD = ROOT / "src" / "infoatlas" / "weights" / "MODEL_CARD_pairs.md"
README = ROOT / "README.md"
TRAIN_LOG = ROOT / "docs" / "training" / "infoatlas-base-v2.log.jsonl"
HARDWARE = "the shared 2-core x86-64 CPU of the development machine, 1 torch thread, no GPU"


def load(suite: str) -> dict | None:
    p = RESULTS / suite / "results.json"
    return json.loads(p.read_text()) if p.exists() else None


def pct(v) -> str:
    return "-" if v is None or pd.isna(v) else f"{v:.0%}"


def num(v, d=3) -> str:
    return "-" if v is None or pd.isna(v) else f"{v:.{d}f}"


def records(res: dict) -> pd.DataFrame:
    df = pd.DataFrame(res["records"])
    df = df[~df["failed"] & df["truth"].notna()].copy()
    df["err"] = df["estimate"] - df["truth"]
    return df


def by_n_table(res: dict, estimators=None) -> str:
    """Rows n; per estimator MAE and within x1.5; InfoAtlas's coverage."""
    d = pd.DataFrame(res["by_n"])
    ests = estimators or list(dict.fromkeys(res["meta"]["estimators"]))
    head = ["n"] + [f"MAE {e}" for e in ests] + [f"within x1.5 {e}" for e in ests] + ["90% coverage infoatlas"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for n, g in d.groupby("n"):
        g = g.set_index("estimator")
        cells = [str(n)] + [num(g.loc[e, "mae"]) for e in ests] + [pct(g.loc[e, "within_1.5"]) for e in ests]
        cells.append(pct(g.loc["infoatlas", "coverage_90"]) if "infoatlas" in g.index else "-")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def overall_row(res: dict) -> str:
    df = records(res)
    ests = list(dict.fromkeys(res["meta"]["estimators"]))
    from infoatlas.metrics import within_factor

    head = ["data sets"] + [f"MAE {e}" for e in ests] + [f"within x1.5 {e}" for e in ests]
    cells = [str(res["meta"]["cases"])]
    cells += [num(df[df.estimator == e]["err"].abs().mean()) for e in ests]
    cells += [pct(within_factor(df[df.estimator == e]["estimate"], df[df.estimator == e]["truth"]).mean()) for e in ests]
    return "\n".join(["| " + " | ".join(head) + " |", "|" + "---|" * len(head), "| " + " | ".join(cells) + " |"])


def family_table(res: dict) -> str:
    d = pd.DataFrame(res["by_family"])
    piv = d.pivot_table(index=["family", "n"], columns="estimator", values="mae")
    cov = d[d.estimator == "infoatlas"].set_index(["family", "n"])["coverage_90"]
    ests = [e for e in ("infoatlas", "ksg", "gcmi") if e in piv.columns]
    lines = ["| family | n | " + " | ".join(f"MAE {e}" for e in ests) + " | coverage infoatlas |",
             "|---|---|" + "---|" * (len(ests) + 1)]
    for (f, n), row in piv.iterrows():
        lines.append(f"| {f} | {n} | " + " | ".join(num(row[e]) for e in ests) + f" | {pct(cov.get((f, n)))} |")
    return "\n".join(lines)


def dims_table(res: dict) -> str:
    """Rows (dims, n): per estimator MAE, InfoAtlas's coverage, from the records."""
    df = records(res)
    ests = [e for e in ("infoatlas", "ksg", "gcmi") if e in set(df.estimator)]
    lines = ["| dims | n | " + " | ".join(f"MAE {e}" for e in ests) + " | coverage infoatlas |",
             "|---|---|" + "---|" * (len(ests) + 1)]
    for (dims, n), g in df.groupby(["dims", "n"]):
        ia = g[g.estimator == "infoatlas"]
        cov = ((ia["lower"] <= ia["truth"]) & (ia["truth"] <= ia["upper"])).mean()
        lines.append(f"| {dims.replace('x', '+')} | {n:,} | "
                     + " | ".join(num(g[g.estimator == e]["err"].abs().mean()) for e in ests) + f" | {pct(cov)} |")
    return "\n".join(lines)


def worse_cells(res: dict) -> list[str]:
    """(family, n) cells where a baseline's MAE is below InfoAtlas's."""
    d = pd.DataFrame(res["by_family"])
    piv = d.pivot_table(index=["family", "n"], columns="estimator", values="mae")
    out = []
    for (f, n), row in piv.iterrows():
        better = [e for e in ("ksg", "gcmi") if e in row and row[e] < row["infoatlas"]]
        if better:
            # a 4th decimal where 3 would print the two MAEs alike (a narrow loss reads as a tie otherwise)
            digits = 4 if any(f"{row[e]:.3f}" == f"{row['infoatlas']:.3f}" for e in better) else 3
            out.append(f"{f} at n = {n:,} ({', '.join(f'{e} {row[e]:.{digits}f}' for e in better)} "
                       f"vs {row['infoatlas']:.{digits}f})")
    return out


def error_bands(res: dict) -> str:
    df = records(res)
    ia = df[df.estimator == "infoatlas"]
    bands = [(0, 1), (1, 2.5), (2.5, np.inf)]
    parts = []
    for lo, hi in bands:
        s = ia[(ia.truth >= lo) & (ia.truth < hi)]
        name = f"{lo:g}-{hi:g} nats" if np.isfinite(hi) else f"above {lo:g} nats"
        parts.append(f"{name}: MAE {s['err'].abs().mean():.3f}, mean signed error {s['err'].mean():+.3f} "
                     f"({len(s)} data sets)")
    return "; ".join(parts)


def paired_family_table(res: dict, left_out: bool = False) -> str:
    """MAE per family and n on the data sets where every estimator gave a value (a baseline that
    cannot take a case, e.g. scikit-learn with several features, leaves it out for all), with the
    number of such data sets and InfoAtlas's coverage on them.  ``left_out``: the other data sets
    instead, with the estimators that gave a value on every one of them."""
    df = pd.DataFrame(res["records"])
    ok = df[~df["failed"]].groupby("case")["estimator"].nunique()
    ests = list(dict.fromkeys(res["meta"]["estimators"]))
    common = ok[ok == len(ests)].index
    d = df[df["case"].isin(common) != left_out].copy()
    if left_out:
        done = d[~d["failed"]].groupby("estimator")["case"].nunique()
        ests = [e for e in ests if done.get(e, 0) == d["case"].nunique()]
        d = d[d["estimator"].isin(ests)]
    d["err"] = (d["estimate"] - d["truth"]).abs()
    d["covered"] = (d["lower"] <= d["truth"]) & (d["truth"] <= d["upper"])
    lines = ["| family | n | data sets | " + " | ".join(f"MAE {e}" for e in ests) + " | 90% coverage infoatlas |",
             "|---|---|---|" + "---|" * (len(ests) + 1)]
    for (f, n), g in d.groupby(["family", "n"]):
        mae = g.groupby("estimator")["err"].mean()
        cov = g[g.estimator == "infoatlas"]["covered"].mean()
        lines.append(f"| {f} | {n} | {g['case'].nunique()} | " + " | ".join(num(mae.get(e)) for e in ests)
                     + f" | {pct(cov)} |")
    return "\n".join(lines)


def fewrows_table(res: dict) -> str:
    """Independent data at few rows: per (dims, n), each estimator's mean and largest estimate, and
    the share of InfoAtlas's intervals that contain 0; rows with n <= 3 (dx + dy) (the estimator's
    few-rows rule) marked."""
    df = pd.DataFrame(res["records"])
    df = df[~df["failed"]]
    ests = list(dict.fromkeys(res["meta"]["estimators"]))
    head = ["dims", "n", "n <= 3 (dx+dy)"] + [f"mean {e}" for e in ests] + [f"max {e}" for e in ests] + \
        ["interval contains 0 (infoatlas)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for (dims, n), g in sorted(df.groupby(["dims", "n"]), key=lambda kv: (int(kv[0][0].split("x")[0]), kv[0][1])):
        dx, dy = (int(v) for v in dims.split("x"))
        ia = g[g.estimator == "infoatlas"]
        cells = [dims.replace("x", "+"), str(n), "yes" if n <= 3 * (dx + dy) else "no"]
        cells += [num(g[g.estimator == e]["estimate"].mean()) for e in ests]
        cells += [num(g[g.estimator == e]["estimate"].max()) for e in ests]
        cells.append(pct((ia["lower"] <= 0).mean()))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def fewrows_summary(res: dict) -> dict:
    df = pd.DataFrame(res["records"])
    ia = df[(df.estimator == "infoatlas") & ~df["failed"]].copy()
    dxy = ia["dims"].str.split("x", expand=True).astype(int).sum(axis=1)
    few = ia[ia["n"] <= 3 * dxy]
    return {"sets": len(few), "max": few["estimate"].max(), "share_le_01": (few["estimate"] <= 0.1).mean(),
            "zero_in": (few["lower"] <= 0).mean()}


def coverage_by(res: dict, key: str) -> str:
    d = records(res)
    ia = d[d.estimator == "infoatlas"]
    cov = ((ia["lower"] <= ia["truth"]) & (ia["truth"] <= ia["upper"])).groupby(ia[key]).mean()
    return ", ".join(f"{k} {v:.0%}" for k, v in cov.items())


def labelled_table(res: dict) -> str:
    lines = ["| data set | n | features | classes | H(class) | Fano bound (5-fold logistic regression) | InfoAtlas | "
             "90% interval | inside [Fano, H] |", "|---|---|---|---|---|---|---|---|---|"]
    for r in res["rows"]:
        lines.append(f"| {r['data set']} | {r['n']} | {r['features']} | {r['classes']} | {r['H(class)']:.3f} | "
                     f"{r['Fano bound']:.3f} ({r['cv accuracy']:.1%} accuracy) | {r['infoatlas']:.3f} | "
                     f"[{r['lower']:.3f}, {r['upper']:.3f}] | {'yes' if r['inside'] else '**no**'} |")
    return "\n".join(lines)


def independence_tables(res: dict) -> str:
    df = pd.DataFrame(res["records"])
    ms = res["meta"]["methods"]
    out = []
    for title, null in (("Size: rejection rate on independent data (should be near alpha)", True),
                        ("Power: rejection rate on dependent data", False)):
        d = df[df["null"] == null]
        if d.empty:
            continue
        rate = d.groupby(["shape", "dims", "n", "method"])["reject"].mean().unstack("method")
        out += [f"{title}:", "", "| shape | dims | n | " + " | ".join(ms) + " |", "|---|---|---|" + "---|" * len(ms)]
        for (shape, dd, n), row in rate.iterrows():
            out.append(f"| {shape} | {dd} | {n} | " + " | ".join(f"{row[m]:.2f}" for m in ms) + " |")
        mean = rate.groupby(level=["dims", "n"]).mean()
        for (dd, n), row in mean.iterrows():
            out.append(f"| **mean** | {dd} | {n} | " + " | ".join(f"**{row[m]:.3f}**" for m in ms) + " |")
        out.append("")
    secs = df.groupby(["n", "dims", "method"])["seconds"].median().unstack("method")
    out += ["Median seconds per test (same machine, same run): " + "; ".join(
        f"n = {n}, dims {dd}: " + ", ".join(f"{m} {row[m]:.3f}" for m in ms) for (n, dd), row in secs.iterrows()) + "."]
    return "\n".join(out)


def speed_table(res: dict) -> str:
    rows = pd.DataFrame(res["rows"])
    ests = list(dict.fromkeys(rows["estimator"]))
    piv = rows.pivot_table(index=["n", "dims"], columns="estimator", values="seconds", sort=False)
    head = ["n", "dims"] + [f"{e} (ms)" for e in ests] + [f"{e} / infoatlas" for e in ests if e != "infoatlas"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for (n, d), row in piv.iterrows():
        base = row.get("infoatlas", np.nan)
        cells = [f"{n:,}", d] + [f"{row[e] * 1e3:.1f}" if e in row and pd.notna(row[e]) else "skipped" for e in ests]
        cells += [f"{row[e] / base:.1f}x" if e in row and pd.notna(row[e]) and pd.notna(base) else "-"
                  for e in ests if e != "infoatlas"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def throughput_lines(res: dict) -> list[str]:
    t = res.get("throughput", {})
    out = []
    if "estimate_batch_64_sets_per_s" in t:
        out.append(f"- `estimate_batch`: {t['estimate_batch_64_sets_per_s']:.1f} data sets/s (64 data sets, n 200-3,000, "
                   f"dims 1-8); a loop of `estimate` on the same data: {t['loop_64_sets_per_s']:.1f}/s")
        out.append(f"- `pairwise`, 50 columns x 2,000 rows (1,225 pairs): {t['pairwise_50cols_2000rows_s']:.2f} s "
                   f"({t['pairwise_pairs_per_s']:.0f} pairs/s"
                   + (f"; a single-threaded KSG loop over the same pairs: {t['ksg_loop_pairs_per_s']:.0f} pairs/s, "
                      f"InfoAtlas's rate {t['pairwise_pairs_per_s'] / t['ksg_loop_pairs_per_s']:.1f}x the KSG loop's)"
                      if "ksg_loop_pairs_per_s" in t else ")"))
        if "pairwise_p_values_s" in t:
            out.append(f"- `pairwise(p_values=True)` (999 permutations, Benjamini-Hochberg off): "
                       f"{t['pairwise_p_values_s']:.2f} s, {t['pairwise_p_values_s'] / t['pairwise_50cols_2000rows_s']:.1f}x "
                       "the matrix alone")
        if "dask_pairwise_s" in t:
            out.append(f"- `pairwise` on a local Dask cluster of 2 worker processes (same matrix, this 2-core machine): "
                       f"{t['dask_pairwise_s']:.2f} s")
    if "memory" in t:
        m = t["memory"]
        out.append(f"- memory at n = {m['n']:,} (5+5 dims, fresh process): peak RSS {m['peak_mib']:.0f} MiB for the whole "
                   f"process, {m['before_estimate_mib']:.0f} MiB before the estimate began; estimate {m['seconds']:.2f} s")
    return out


def gauss_table_summary(res: dict) -> str:
    rows = res["rows"]
    name = res["weights"][0]
    rel = [(r["estimates"][name] / r["truth"] - 1, r) for r in rows]
    relg = [(r["gcmi"] / r["truth"] - 1, r) for r in rows]
    worst = max(rel, key=lambda t: abs(t[0]))
    worst_g = max(relg, key=lambda t: abs(t[0]))
    within10 = sum(abs(v) <= 0.10 for v, _ in rel)
    return (f"on {len(rows)} fixed well-conditioned Gaussians (n = {res['n']:,}, 1+1 to 10+10 dims) InfoAtlas is within "
            f"10% of the truth on {within10} rows; its largest relative error is {worst[0]:+.1%} ({worst[1]['dims']}, "
            f"rho {', '.join(f'{v:g}' for v in worst[1]['rho'])}: {worst[1]['estimates'][name]:.3f} for {worst[1]['truth']:.3f}), "
            f"the Gaussian copula's {worst_g[0]:+.1%}")


def pairs_family_table(res: dict) -> str:
    """MAE per family and n for every estimator of the pairs suite (pairfast first)."""
    d = pd.DataFrame(res["by_family"])
    ests = list(dict.fromkeys(res["meta"]["estimators"]))
    piv = d.pivot_table(index=["family", "n"], columns="estimator", values="mae")
    lines = ["| family | n | " + " | ".join(f"MAE {e}" for e in ests) + " |", "|---|---|" + "---|" * len(ests)]
    for (f, n), row in piv.iterrows():
        lines.append(f"| {f} | {n:,} | " + " | ".join(num(row.get(e)) for e in ests) + " |")
    return "\n".join(lines)


def pairs_worse(res: dict) -> list[str]:
    """(family, n) cells of the pairs suite where the network or KSG beats pairfast by > 0.02 nats."""
    d = pd.DataFrame(res["by_family"]).pivot_table(index=["family", "n"], columns="estimator", values="mae")
    return [f"{f} at n = {n:,} ({e} {row[e]:.3f} vs {row['pairfast']:.3f})" for (f, n), row in d.iterrows()
            for e in ("infoatlas", "ksg") if row[e] < row["pairfast"] - 0.02]


def pairs_speed_lines(speed: dict | None) -> list[str]:
    t = (speed or {}).get("throughput", {})
    out = []
    if "pairwise_fast_s" in t:
        out.append(f"- 50 columns x 2,000 rows (1,225 pairs): `method=\"fast\"` {t['pairwise_fast_s']:.3f} s "
                   f"({t['pairwise_fast_pairs_per_s']:,.0f} pairs/s), {t['pairwise_fast_pairs_per_s'] / t['ksg_loop_pairs_per_s']:.1f}x "
                   f"a single-threaded KSG loop over the same pairs and {t['pairwise_50cols_2000rows_s'] / t['pairwise_fast_s']:.1f}x "
                   "the network method, in the same run; with p-values (999 permutations) "
                   f"{t['pairwise_fast_p_values_s']:.2f} s")
    if "pairwise_fast_wide_s" in t:
        c = t["wide_columns"]
        out.append(f"- {c:,} columns x 2,000 rows ({c * (c - 1) // 2:,} pairs): {t['pairwise_fast_wide_s']:.1f} s "
                   f"({c * (c - 1) // 2 / t['pairwise_fast_wide_s']:,.0f} pairs/s)")
    if "wide_memory" in t:
        w = t["wide_memory"]
        out.append(f"- memory, {w['columns']:,} columns x {w['rows']:,} rows ({w['pairs_total']:,} pairs; a fresh process "
                   f"stopped after {w['seconds']:.0f} s and {w['pairs_done']:,} pairs, since blocks stream and the peak "
                   f"comes with the first ones): peak RSS {w['peak_mib']:,.0f} MiB, of which {w['before_pairwise_mib']:,.0f} "
                   f"MiB before the call (interpreter, torch, the data) and {w['columns'] ** 2 * 8 / 2 ** 20:,.0f} MiB "
                   "the float64 result matrix")
    return out


# --------------------------------------------------------------------------- README blocks

def pair_tied() -> bool:
    """Whether the shipped pair model was trained on tied data (ties broken at random)."""
    from infoatlas.weights import load_pair_model, shipped_names

    if "infoatlas-pairs" not in shipped_names():
        return False
    return bool(load_pair_model()[1]["pair_training"].get("tied"))


def readme_blocks() -> dict[str, str]:
    acc, gauss, val, crit = load("accuracy"), load("gauss"), load("validation"), load("accuracy_critics")
    speed, s5k, gt = load("speed"), load("speed5000"), load("gaussian_table")
    disc, lab, ind, inv = load("discrete"), load("labelled"), load("independence"), load("invariance")
    st, stl, few = load("structured"), load("structured_large"), load("fewrows")
    pairs, prd = load("pairs"), load("pairs_rounded")
    b = {}
    if pairs:
        m = pairs["meta"]
        fams = sorted(set(pd.DataFrame(pairs["records"])["family"]))
        b["pairs"] = "\n".join([
            f"Accuracy on one-column pairs of the held-out families ({', '.join(fams)}; {m['cases']} data sets, "
            f"n {', '.join(f'{n:,}' for n in m['ns'])}, seed {m['seed']}; "
            "[docs/results/pairs/report.md](docs/results/pairs/report.md)); `pairfast` is `pairwise(method=\"fast\")`, "
            "`infoatlas` the network (the default method), all on the same data:", "",
            by_n_table(pairs), "", "By family:", "", pairs_family_table(pairs), ""]
            + ([f"Rounded data (`gauss_rounded`: a normal pair rounded to 21-150 levels on one side or 21-30 on both, "
                f"MI of what is observed; {prd['meta']['cases']} data sets, seed {prd['meta']['seed']}; the network's head "
                "was trained on this family with the ties kept, and reads a side of more than 20 tied values with its "
                "ties broken (see the discrete section), " + ("the pair model too (other draws; ties broken at random), so these are in-distribution figures; "
                                                  if pair_tied() else "the pair model on no tied data; ") +
                "[docs/results/pairs_rounded/report.md](docs/results/pairs_rounded/report.md)):", "",
                by_n_table(prd), ""] if prd else [])
            + pairs_speed_lines(speed))
    if st:
        m = st["meta"]
        lines = [f"Structured held-out families (never trained on: {', '.join(sorted(set(pd.DataFrame(st['records'])['family'])))}; "
                 f"{m['cases']} data sets, dims {', '.join(f'{a}+{c}' for a, c in m['dims'])}, seed {m['seed']}; "
                 "[docs/results/structured/report.md](docs/results/structured/report.md)), all estimators on the same data:",
                 "", by_n_table(st), "", "By family:", "", family_table(st)]
        if stl:
            lines += ["", f"At n = 20,000 (`structured_large`, {stl['meta']['cases']} data sets, 40+40 and 64+64 dims, "
                      "KSG left out for its cost): 90% coverage by family: " + coverage_by(stl, "family")
                      + "; MAE InfoAtlas " + num(records(stl).query("estimator == 'infoatlas'")["err"].abs().mean())
                      + ", Gaussian copula " + num(records(stl).query("estimator == 'gcmi'")["err"].abs().mean()) + "."]
        b["structured"] = "\n".join(lines)
    fn = load("functional")
    if fn:
        m = fn["meta"]
        b["functional"] = "\n".join([
            f"Noisy non-monotone functions (`functional_noise`, never trained on: Y = f(X) + s N with f one of x^2, |x|, "
            f"sin 2x, x^3 - 3x, exp(-x^2 / 2), then random maps per side; {m['cases']} data sets, seed {m['seed']}; "
            "[docs/results/functional/report.md](docs/results/functional/report.md)); strong dependence up to "
            "near-deterministic, all estimators on the same data:", "", dims_table(fn)])
    if few:
        s_ = fewrows_summary(few)
        b["fewrows"] = "\n".join([
            f"Independent data with few rows (`fewrows`: {few['meta']['cases']} data sets of the held-out "
            "`independent_structured` family; the true MI is 0). On the "
            f"{s_['sets']} data sets with n <= 3 (dx + dy): largest InfoAtlas estimate {s_['max']:.3f} nats, "
            f"{s_['share_le_01']:.0%} of estimates <= 0.1, interval contains 0 in {s_['zero_in']:.0%}.", "",
            fewrows_table(few)])
    if inv:
        b["invariance"] = "\n".join([
            f"Measured by `python scripts/invariance_check.py` on {inv['sets']} random data sets (n 300-5,000, "
            "1-4 columns per side): the largest change of the estimate or either bound, in nats.", "",
            "| invariance | largest change | median change | data sets unchanged exactly |", "|---|---|---|---|"]
            + [f"| {r['check']} | {r['max']:.2g} | {r['median']:.2g} | {r['exact_share']:.0%} |" for r in inv["rows"]])
    if ind:
        m = ind["meta"]
        b["independence"] = "\n".join([
            f"`bash scripts/release_eval.sh infoatlas-base independence`: {m['reps']} data sets per cell, "
            f"{m['n_permutations']} permutations for every method, alpha = {m['alpha']}, the same data for all "
            "([docs/results/independence/report.md](docs/results/independence/report.md)).", "",
            independence_tables(ind)])
    if disc:
        m = disc["meta"]
        b["discrete"] = "\n".join([
            f"Discrete, tied and mixed families of the atlas ({m['cases']} data sets, n = "
            f"{' and '.join(f'{v:,}' for v in m['ns'])}, seed {m['seed']}; exact or tabulated MI; the estimators are told "
            "which columns are discrete, except on `quantised_blocks` and `mixed_blocks`, tables of few-valued numeric "
            "columns (and, in the latter, continuous ones beside them), `atom_blocks`, sides of several zero-inflated "
            "or censored columns, and `tied_blocks`, heavily tied columns with more than 20 values (counts, rounded, "
            "clipped or defaulted values) next to continuous ones, left to the automatic rule; "
            "[docs/results/discrete/report.md](docs/results/discrete/report.md)). "
            "Overall, on all data sets:", "", by_n_table(disc), "",
            "By family, on the data sets every estimator could take (scikit-learn's functions take one feature at a "
            "time, so the multi-column data sets are left out of this table for all three):", "",
            paired_family_table(disc), "", "The multi-column data sets, with the estimators that take them:", "",
            paired_family_table(disc, left_out=True)])
    if lab:
        b["labelled"] = "\n".join([
            "scikit-learn's labelled data sets: the MI between all features and the class must lie between Fano's "
            "bound from a cross-validated classifier's accuracy and the entropy of the class "
            "([docs/results/labelled/report.md](docs/results/labelled/report.md)):", "", labelled_table(lab)])
    if acc:
        m = acc["meta"]
        b["accuracy"] = "\n".join([
            f"Held-out families (never trained on: {', '.join(sorted(set(pd.DataFrame(acc['records'])['family'])))}), "
            f"{m['cases']} data sets, dims {', '.join(f'{a}+{c}' for a, c in m['dims'])}, true MI up to {m['mi_max']:g} nats, "
            f"seed {m['seed']}; every estimator on the same data in one run "
            "([docs/results/accuracy/report.md](docs/results/accuracy/report.md)):", "",
            by_n_table(acc), "",
            f"Error by true MI (InfoAtlas): {error_bands(acc)}."])
        worse = worse_cells(acc)
        b["limits"] = "\n".join([
            "- Cells of the held-out benchmark where a baseline is more accurate than InfoAtlas: "
            + ("; ".join(worse) if worse else "none") + ".",
            f"- Error grows with the MI: {error_bands(acc)}."])
    if st and "limits" in b:
        worse = worse_cells(st)
        b["limits"] += "\n" + "\n".join([
            "- Cells of the structured benchmark where a baseline is more accurate than InfoAtlas: "
            + ("; ".join(worse) if worse else "none") + ".",
            "- 90% coverage on the structured families by family: " + coverage_by(st, "family") + "."])
    indep = [r for res in (st, stl) if res for r in res["records"]
             if r["estimator"] == "infoatlas" and r["family"] == "independent_structured" and not r["failed"]]
    if indep and "limits" in b:
        out = [r for r in indep if r["lower"] > 0]
        b["limits"] += (f"\n- Independent data with many rows (`independent_structured` in `structured` and "
                        f"`structured_large`, n = {', '.join(f'{k:,}' for k in sorted({r['n'] for r in indep}))}; "
                        f"{len(indep)} data sets): the interval excludes 0 for {len(out)}"
                        + (f" (at n = {', '.join(f'{k:,}' for k in sorted({r['n'] for r in out}))}; lower bounds up to "
                           f"{max(r['lower'] for r in out):.3f} nats, estimates up to {max(r['estimate'] for r in out):.3f})"
                           if out else "") + "; use `infoatlas.independence_test` to test independence.")
    if fn and "limits" in b:
        df = records(fn)
        ia = df[df.estimator == "infoatlas"]
        cov = ((ia["lower"] <= ia["truth"]) & (ia["truth"] <= ia["upper"])).groupby(ia["dims"]).mean()
        strong = ia[ia["truth"] >= 2]
        b["limits"] += ("\n- Strong non-monotone dependence (`functional`: Y = f(X) + small noise, f non-monotone) is "
                        "underestimated, most with two or more columns a side, where every estimator here reads it low "
                        "(one column a side is checked against KSG on all rows, sides of up to four columns against "
                        "a regression bound): 90% coverage by dims "
                        + ", ".join(f"{d.replace('x', '+')} {v:.0%}" for d, v in cov.items())
                        + f"; at a true MI of 2 nats or more ({len(strong)} data sets) the estimate averages "
                        f"{(strong['estimate'] / strong['truth']).mean():.0%} of the truth.")
    if pairs and "limits" in b and pairs_worse(pairs):
        b["limits"] += ("\n- `pairwise(method=\"fast\")` (the pair model) on held-out one-column pairs, cells where the "
                        "network or KSG is more accurate by more than 0.02 nats: " + "; ".join(pairs_worse(pairs)) + ".")
    if few and "limits" in b:
        s_ = fewrows_summary(few)
        b["limits"] += (f"\n- Independent data with n <= 3 (dx + dy) (`fewrows`, {s_['sets']} data sets): largest estimate "
                        f"{s_['max']:.3f} nats, {s_['share_le_01']:.0%} of estimates <= 0.1 nats, interval contains 0 in "
                        f"{s_['zero_in']:.0%}.")
    if gauss or gt:
        lines = []
        if gauss:
            lines += [f"Plain Gaussians (Gaussian-copula MI is exact there; {gauss['meta']['cases']} data sets, random linear "
                      "and monotone maps per side; [docs/results/gauss/report.md](docs/results/gauss/report.md)):", "",
                      by_n_table(gauss)]
        if gt:
            lines += ["", f"Fixed table ([docs/results/gaussian_table/report.md](docs/results/gaussian_table/report.md)): "
                      f"{gauss_table_summary(gt)}."]
        b["gauss"] = "\n".join(lines)
    if val:
        b["validation"] = "\n".join([
            f"The calibration families themselves (clayton_pairs, gauss_spiral; seed {val['meta']['seed']}, not the "
            f"calibration's seed; {val['meta']['cases']} data sets):", "", by_n_table(val)])
    if crit:
        b["critics"] = "\n".join([
            f"With the trained critics at their default budget ({crit['meta']['cases']} data sets, n = 1,000, dims 1+1 and 3+3; "
            "few data sets because each critic trains for seconds per data set):", "", overall_row(crit)])
    if speed or s5k:
        lines = []
        if speed:
            lines += [speed_table(speed), ""] + throughput_lines(speed)
        if s5k:
            r = pd.DataFrame(s5k["rows"]).set_index("estimator")["seconds"]
            lines += [f"- n = 5,000 at 5+5 dims, 15 repeats: InfoAtlas {r['infoatlas'] * 1e3:.1f} ms median, KSG "
                      f"{r['ksg'] * 1e3:.1f} ms in the same run ({r['ksg'] / r['infoatlas']:.1f}x)"]
        b["speed"] = "\n".join(lines)
    return b


def update_readme(text: str, blocks: dict[str, str]) -> str:
    for name, body in blocks.items():
        pat = re.compile(rf"(<!-- results:{name} -->\n).*?(<!-- /results:{name} -->)", re.S)
        if not pat.search(text):
            raise SystemExit(f"README.md has no block <!-- results:{name} --> ... <!-- /results:{name} -->")
        text = pat.sub(lambda m: m.group(1) + body + "\n" + m.group(2), text)
    return text


# --------------------------------------------------------------------------- model card

def model_card() -> str:
    from infoatlas.atlas import prior, structured
    from infoatlas.training.refine import fit_seeds
    from infoatlas.training.train import TrainConfig
    from infoatlas.weights import load_model

    tc = TrainConfig()

    model, meta = load_model(None)
    cfg, feats = meta["config"], meta["features"]
    n_params = sum(p.numel() for p in model.parameters())
    chain, r = [], meta.get("init")
    while r:
        chain.append(r)
        r = r.get("init")
    # atlas versions the trunk was trained on, oldest first (consecutive repeats merged)
    vs = [c["atlas_version"] for c in chain[::-1]] + [meta["atlas_version"]]
    versions = [v for i, v in enumerate(vs) if i == 0 or vs[i - 1] != v]
    structured_trunk = bool(set(structured.TRAIN) & set(prior.train_families(meta["atlas_version"])))
    seen = int(meta["datasets_seen"]) + sum(int(c["datasets_seen"]) for c in chain)
    hours = (int(meta["train_seconds"]) + sum(int(c["train_seconds"]) for c in chain)) / 3600
    sched = meta.get("schedule", {})
    ref = meta.get("refine")
    cal = meta.get("interval_calibration")
    log = [json.loads(line) for line in TRAIN_LOG.read_text().splitlines()] if TRAIN_LOG.exists() else []
    last = [x for x in log if "heldout_mae" in x][-1:] or [None]
    last = last[0]
    acc, gauss, val, crit = load("accuracy"), load("gauss"), load("validation"), load("accuracy_critics")
    speed, s5k, gt = load("speed"), load("speed5000"), load("gaussian_table")

    L = ["# Model card: infoatlas-base", "",
         "Generated by `python scripts/make_docs.py` from the weight file's metadata and the result files in "
         "`docs/results/`; do not edit by hand.", "",
         "## Model", "", "| | |", "|---|---|",
         f"| architecture | `{meta['arch']}`: set transformer with induced-set attention, {n_params:,} parameters |",
         f"| network config | width {cfg['width']}, {cfg['n_layers']} ISAB blocks, {cfg['n_inducing']} inducing points, "
         f"{cfg['n_heads']} heads, {cfg['max_dim']} dims per side, quantiles {cfg['quantiles']}"
         + (f"; refinement head reading KSG statistics of {cfg['n_knn']} canonical pairs"
            + (f" and {cfg['n_global']} whole-data-set statistics (joint KSG, intrinsic dimensions, repeated rows)"
               if cfg.get("n_global") else "") + f", width {cfg['refine_width']}" if cfg.get("n_knn") else "") + " |",
         f"| feature settings (stored in the file) | {feats.rows_per_pass} rows per pass, at most {feats.max_chunks} chunks, "
         f"statistics from at most {feats.stats_rows:,} rows, n capped at {feats.stat_n_cap:,} in the statistics, "
         f"KSG k = {feats.knn_k}, whole-data-set statistics from {feats.global_rows} rows"
         + (", repeated rows moved apart by at most 1e-6 in the joint KSG statistics (`spread_repeats`)"
            if feats.spread_repeats else "") + " |",
         f"| trunk training | atlas {meta['atlas_version']}; {meta['step']} steps, {int(meta['datasets_seen']):,} data sets, "
         f"{int(meta['train_seconds']) / 3600:.2f} h, seed {meta['seed']}"
         # every warm start back to the first run, newest first; the totals cover the whole lineage
         + ("; warm-started from " + ", itself warm-started from ".join(
             f"`{c['from']}` ({c['step']} steps, {int(c['datasets_seen']):,} data sets, atlas {c['atlas_version']}, "
             f"seed {c['seed']})" for c in chain) + f": {seen:,} data sets and {hours:.2f} h in all" if chain else "")
         + " |",
         f"| schedule (last stage) | pinball loss on log1p(MI) at the quantiles; AdamW, lr {sched.get('lr', '?')}, warmup "
         f"{sched.get('warmup', '?')}, cosine to {sched.get('min_lr', '?')} over "
         + (f"{sched['time_budget']:,.0f} s of training (a time budget)" if sched.get("time_budget")
            else f"{sched.get('steps', '?')} steps")
         + f", batch {sched.get('batch_size', '?')}, weight decay {sched.get('weight_decay', '?')} |",
         f"| hardware | {HARDWARE} |"]
    if ref:
        c = ref["config"]
        heads = c.get("heads", 1)
        L.append(f"| refinement head | fitted with the trunk frozen on atlas {ref['atlas_version']}'s training families: "
                 + (f"{c['data_sets']:,} data sets (+{c['val_sets']:,} for early stopping), seed {c['seed']}, "
                    if not c.get("more_seeds") else
                    f"{ref.get('fit_sets', 0):,} data sets from fit streams of seeds "
                    f"{', '.join(map(str, fit_seeds(stored_refine_config(ref))))} "
                    f"(+{c['val_sets']:,} of seed {c['seed']} for early stopping), ")
                 + (f"loss weights {c['family_weight']}, " if c.get("family_weight") else "")
                 + (f"the mean of {heads} heads (seeds {c['seed']}-{c['seed'] + heads - 1}; best epochs "
                    f"{', '.join(map(str, ref['best_epoch']))} of {c['epochs']})" if heads > 1
                    else f"{c['epochs']} epochs (best {ref['best_epoch']})")
                 + f", {ref['seconds'] / 60:.1f} min"
                 + (" (features read from a cache computed earlier, `infoatlas dev refine --cache`; see "
                    "docs/experiments/refine_selection.md" + (" and docs/experiments/head_ensemble"
                                                              if heads > 1 else "") + ")"
                    if ref.get("features_from_cache") else
                    # several fit streams: some may have come from the cache, whose time is not in `seconds`
                    " (the fitting call's wall clock; trunk features of fit streams already in its cache are read, "
                    "not recomputed, and not counted: docs/experiments/head_data)" if c.get("more_seeds") else "")
                 + f"; early-stopping pinball {ref['stop_pinball_before']} -> {ref['stop_pinball_after']} |")
    if cal:
        ws = cal.get("widths")
        by = (f" and width class (dx + dy up to {', '.join(map(str, cal['width_edges']))} and above; factors at widths "
              f"{', '.join(map(str, ws))}, interpolated in log width between"
              + ("; no class below the factors fitted on all widths" if cal.get("at_least_pooled") else "") + ")"
              if ws else "")
        fac = (f"lower {cal['lower']}, upper {cal['upper']}" if not ws else
               "; ".join(f"width {w}: lower {[r[j] for r in cal['lower']]}, upper {[r[j] for r in cal['upper']]}"
                         for j, w in enumerate(ws)))
        L.append(f"| interval calibration | split-conformal factors per n ({', '.join(map(str, cal['ns']))}){by} fitted "
                 f"on {cal['data_sets']:,} data sets of the validation families {', '.join(cal['families'])} (atlas "
                 f"{cal['atlas_version']}, seed {cal['seed']}; dims {', '.join(cal['dims'])}); {fac} (widen only)"
                 + (f"; the factors multiply the network's distances from the median to its 5% and 95% quantiles, "
                    f"each taken at least {cal['spread_floor']} in log1p nats" if cal.get("spread_floor") else "") + " |")
    L += ["", "## Intended use", "",
          "Zero-shot estimates of the mutual information I(X; Y), in nats, between two continuous multi-dimensional "
          "variables (any dx, dy; n >= 20), with a 90% interval, in one forward pass: screening and ranking "
          "dependences, comparing representations, many estimates where training a critic per data set is too slow. "
          f"The trunk reads at most {cfg['max_dim']} dims per side (wider sides keep their leading canonical "
          "directions)" + ("; its last stage and the refinement head were trained on structured data too"
                           if structured_trunk else "; it was trained on continuous data, the refinement head "
                           "also on structured data")
          + " (low-dimensional manifolds in up to 160 ambient dims, clusters, repeated rows, rounded values, "
          f"independence at few rows; atlas {ref['atlas_version'] if ref else '?'}), and the head reads statistics of "
          "all columns. Measured figures for each kind of data are below.", "",
          "## Out of scope (known to be wrong, or unmeasured)", "",
          "- The network itself on discrete variables: declared or detected discrete columns (labels, categories, "
          "few-valued columns) are routed to `infoatlas.discrete`, and continuous data whose rows repeat on both "
          "sides (at most half as many distinct rows as rows on each) to `infoatlas.pooled` (KSG on jittered "
          "rows); continuous columns with ties but more than 20 distinct values on one side only reach the "
          "network with their ties broken at random (the MI is unchanged; its head saw rounded Gaussians with "
          "21-150 levels, ties kept, which it reads about as well either way, but it misread piles of rows on "
          "one level with the ties kept: the `tied_blocks` rows below), the interval widened to cover its "
          "reading with the ties kept.  Several few-valued numeric columns "
          "whose joint values are too many for a label (questionnaire items, pixels) also reach it, read as "
          "numbers: the network was not trained on them; with their ties kept it reads them high, so their ties "
          "are broken at random (the MI is unchanged), where it reads them low, and the interval is widened to "
          "cover its reading with the ties kept and what the categorical estimators read (see the "
          "`quantised_blocks` and `mixed_blocks` rows below).  Sides of several columns with atoms (zero-inflated, "
          "censored) reach it too, with the ties at their atoms broken at random (the MI is unchanged; the "
          "`atom_blocks` rows below); a single such column is split at its atoms by the chain rule.",
          "- Structured data unlike the training families (see the structured figures and limitations below).",
          "- Few rows for many columns (n up to 3 (dx + dy)): the interval is widened to include 0 and a "
          "note says so; read the point estimate there with the few-rows figures below.",
          "- Significance claims from the interval: it is a calibrated prediction interval for the MI, not a test; "
          "use `infoatlas.independence_test` (permutation p-values) for that.",
          "- MI near or above the atlas's largest values: the errors grow with the MI (below).", "",
          "## Training data", "",
          f"The atlas (`infoatlas.atlas`, [docs/atlas.md](../../../docs/atlas.md)): synthetic joint distributions with "
          f"exact or tabulated MI. Trunk: atlas {' -> '.join(versions)}, last stage's train families "
          f"{', '.join(prior.train_families(meta['atlas_version']))}"
          + (f"; refinement head: atlas {ref['atlas_version']}, families {', '.join(ref['families'])}" if ref else "")
          + f". Held out from all training: {', '.join(prior.HELDOUT_FAMILIES)}; the structured group "
          f"{', '.join(prior.STRUCTURED_HELDOUT)}. Validation (interval calibration "
          f"only): {', '.join(prior.VALIDATION_FAMILIES)}. Priors: MI 0-{prior.MI_MAX:g} nats, n {tc.n_min}-{tc.n_max:,}, "
          f"dims 1-{tc.max_dim_data} per side.", ""]
    L += ["## Evaluation", ""]
    if acc:
        m = acc["meta"]
        L += [f"Held-out families, `bash scripts/release_eval.sh` suite `accuracy` ({m['cases']} data sets, seed "
              f"{m['seed']}, dims {', '.join(f'{a}+{c}' for a, c in m['dims'])}, MI up to {m['mi_max']:g} nats), all "
              "estimators on the same data in the same run:", "", by_n_table(acc), "", "By family:", "",
              family_table(acc), ""]
    if val:
        L += ["The validation families (seed 1; the calibration used seed 0):", "", by_n_table(val), ""]
    if gauss:
        L += ["Plain Gaussians (not held out; Gaussian-copula MI is exact up to sampling):", "", by_n_table(gauss), ""]
    if gt:
        L += [f"Fixed Gaussian table: {gauss_table_summary(gt)} (docs/results/gaussian_table).", ""]
    if crit:
        L += ["Against the trained critics (default budgets):", "", overall_row(crit), ""]
    disc, lab = load("discrete"), load("labelled")
    if disc:
        L += ["Discrete, tied and mixed data (estimated by `infoatlas.discrete`, not by the network; the "
              "weights are not involved, except for few-valued numeric columns read as numbers with ties):", "",
              by_n_table(disc), "", paired_family_table(disc), "", paired_family_table(disc, left_out=True), ""]
    if lab:
        L += [labelled_table(lab), ""]
    st, stl, few = load("structured"), load("structured_large"), load("fewrows")
    if st:
        L += [f"Structured held-out families (`release_eval.sh` suite `structured`, {st['meta']['cases']} data sets, "
              f"dims {', '.join(f'{a}+{c}' for a, c in st['meta']['dims'])}; pooled clusters, whose rows repeat on "
              "both sides, are estimated by `infoatlas.pooled`, not by the weights):", "", by_n_table(st), "",
              family_table(st), ""]
    if stl:
        L += [f"At n = 20,000 with 40+40 and 64+64 dims ({stl['meta']['cases']} data sets): 90% coverage by family "
              + coverage_by(stl, "family") + ".", ""]
    fn = load("functional")
    if fn:
        L += [f"Noisy non-monotone functions (held-out `functional_noise`, {fn['meta']['cases']} data sets; strong "
              "dependence up to near-deterministic):", "", dims_table(fn), ""]
    if few:
        L += ["Independent data with few rows (`fewrows`; true MI 0):", "", fewrows_table(few), ""]
    if last:
        L += [f"Training-time check at step {last['step']} (held-out families, {tc.eval_batches * tc.batch_size} data "
              f"sets drawn with the training priors; trunk only): MAE {last['heldout_mae']:.3f}, within x1.5 {last['heldout_within_1.5']:.0%}, coverage "
              f"{last['heldout_coverage']:.0%}.", ""]
    if speed or s5k:
        L += ["## Latency and memory", "", "`infoatlas bench speed` on the development machine (shared; ratios are "
              "more stable than times):", ""]
        if speed:
            L += [speed_table(speed), ""] + throughput_lines(speed)
        if s5k:
            r = pd.DataFrame(s5k["rows"]).set_index("estimator")["seconds"]
            L += [f"- n = 5,000 at 5+5: {r['infoatlas'] * 1e3:.1f} ms median (KSG {r['ksg'] * 1e3:.1f} ms in the same run)"]
        L.append("")
    lim_struct = []
    if st:
        lim_struct.append("- Structured held-out cells where a classical baseline is more accurate: "
                          + ("; ".join(worse_cells(st)) or "none") + ".")
    if acc:
        L += ["## Limitations", ""] + lim_struct + [
              f"- Error grows with the MI: {error_bands(acc)}.",
              "- Held-out cells where a classical baseline is more accurate: "
              + ("; ".join(worse_cells(acc)) or "none") + ".",
              "- The interval is calibrated on the validation families; a family unlike all training and validation "
              "families can be covered less often.",
              "- `additive_noise` (a training family of the refinement head) is the nearest training family to the "
              "held-out `additive_uniform`; read that family's held-out rows with this in mind.", ""]
    L += ["## How to reproduce", "",
          "```bash",
          "infoatlas dev train --out-dir runs/base --export w.safetensors   # trunk (hours on a CPU; scripts/pretrain_gpu.sh on a GPU)",
          refine_command(meta.get("refine")) + "  # refinement head",
          "infoatlas dev calibrate --model w.safetensors --out w.safetensors  # interval factors",
          "bash scripts/release_eval.sh w.safetensors                          # every figure above -> docs/results/",
          "python scripts/make_docs.py                                         # this card and the README's tables",
          "```", "",
          "History of the shipped files (v1, v2, the refinement head, experiments not shipped): CHANGELOG.md."]
    return "\n".join(L) + "\n"


def stored_refine_config(ref: dict):
    """The RefineConfig a weight file's refine record was fitted with (fields added since: defaults)."""
    import dataclasses

    from infoatlas.training.refine import RefineConfig

    names = {f.name for f in dataclasses.fields(RefineConfig)}
    return RefineConfig(**{k: v for k, v in ref.get("config", {}).items() if k in names})


def refine_command(ref: dict | None) -> str:
    """The `infoatlas dev refine` call that refits the stored head: the options (cli_dev.options_from
    names them --field-name) whose stored value differs from RefineConfig's default (workers left out:
    it changes speed, not the head)."""
    import dataclasses

    from infoatlas.training.refine import RefineConfig

    cmd = "infoatlas dev refine --model w.safetensors --out w.safetensors"
    if not ref:
        return cmd
    cfg, default = stored_refine_config(ref), RefineConfig()
    for f in dataclasses.fields(RefineConfig):
        if f.name != "workers" and getattr(cfg, f.name) != getattr(default, f.name):
            cmd += f" --{f.name.replace('_', '-')} {getattr(cfg, f.name)}"
    return cmd


def pair_model_card() -> str | None:
    """The pair-screening model's card, from its weight file's training record and the pairs results."""
    from infoatlas.weights import load_pair_model, shipped_names

    if "infoatlas-pairs" not in shipped_names():
        return None
    model, meta = load_pair_model()
    rec, cfg = meta["pair_training"], meta["config"]
    n_params = sum(p.numel() for p in model.parameters())
    threads = rec["hardware"].split(", ")[-1].replace("1 torch threads", "1 torch thread")
    pairs, speed = load("pairs"), load("speed")
    L = ["# Model card: infoatlas-pairs", "",
         "Generated by `python scripts/make_docs.py` from the weight file's metadata and the result files in "
         "`docs/results/`; do not edit by hand.", "",
         "The pair-screening network of `InfoAtlas.pairwise(..., method=\"fast\")`: it reads one pair of "
         "continuous columns through a fixed-length vector of rank statistics (`infoatlas.fastpairs`: normal-score "
         "correlation, plug-in MI of the empirical copula on 4-32 equal-frequency bins, spacing statistics at four "
         "lags in both directions) and returns quantiles of log1p(MI); the median is the estimate. Every statistic "
         "depends on ranks only (invariant to monotone maps) and is symmetric in the two columns.", "",
         "## Model", "", "| | |", "|---|---|",
         f"| architecture | `{meta['arch']}`: MLP, {cfg['depth']} hidden layers of {cfg['width']}, "
         f"{cfg['n_features']} statistics in, quantiles {cfg['quantiles']} of log1p(MI) out; {n_params:,} parameters |",
         f"| training data | {rec['data_sets']:,} 1+1 data sets (early stopping on {rec['val_sets']:,} more) of atlas "
         f"{rec['atlas_version']}'s training families ({', '.join(rec['families'])}), n log-uniform on "
         f"[{rec['n_min']:,}, {rec['n_max']:,}], MI from the atlas prior; "
         + ("data sets with tied values (rounded values, pools of repeated rows) kept, their ties broken at random as "
            "`pairwise` breaks them |" if rec.get("tied") else "data sets with tied values drawn again |"),
         f"| fit | pinball loss on log1p(MI), AdamW (lr {rec['lr']:g}, weight decay {rec['weight_decay']:g}), one-cycle "
         f"schedule, {rec['epochs']} epochs of batches of {rec['batch_size']}, kept epoch {rec['best_epoch']} "
         f"(early-stopping pinball {rec['stop_pinball']:.4f}); seed {rec['seed']} |",
         "| time and hardware | drawing the data "
         + (f"{rec['draw_seconds'] / 60:.0f} min" if rec.get("draw_seconds") else "(read from a cache, not timed here)")
         + f" ({rec['workers']} processes), "
         f"fitting {rec['fit_seconds'] / 60:.1f} min; {HARDWARE.replace('1 torch thread', threads)}; "
         f"torch {rec['torch']}, {rec['date']} |",
         "| inputs it was not trained on | " + ("" if rec.get("tied") else "tied columns (read with ties broken at random, see below); ")
         + "discrete "
         f"columns, multi-column groups, n < {rec['n_min']} (pairwise sends those pairs to the network or the "
         "discrete path); more than 20,000 rows (pairwise subsamples) |", ""]
    if pairs:
        m = pairs["meta"]
        L += ["## Held-out accuracy", "",
              f"`bash scripts/release_eval.sh infoatlas-base pairs`: {m['cases']} one-column pairs of the held-out families "
              f"(seed {m['seed']}), next to the network, KSG and Gaussian-copula MI on the same data. With one column "
              "per side every map of the atlas is monotone, so what a family contributes is its copula: gauss_block "
              "(Gaussian) and student_t_flow (Student t) have the copulas of the training families gauss_* and "
              "student_t; additive_uniform and mixture_heldout are new to the model.", "",
              by_n_table(pairs), "", pairs_family_table(pairs), ""]
    prd = load("pairs_rounded")
    if prd:
        L += [f"Rounded data (`pairs_rounded`: {prd['meta']['cases']} data sets of the atlas family gauss_rounded, a normal "
              "pair rounded to 21-150 levels on one side or 21-30 on both, MI of what is observed; seed "
              f"{prd['meta']['seed']}). " + ("This model was trained on this family's training draws (other seeds), "
                                             "with ties broken at random as `pairwise` breaks them (which keeps the MI "
                                             "of what is observed)" if rec.get("tied") else
                                             "This model saw no tied data in training and reads tied columns with their "
                                             "ties broken at random (which keeps the MI of what is observed)")
              + "; the network's refinement head was trained on this family too.", "", by_n_table(prd), ""]
    sp = pairs_speed_lines(speed)
    if sp:
        L += ["## Speed", "", "`infoatlas bench speed` (ratios in the same run on the shared development machine):", ""] + sp + [""]
    L += ["## Limits", "",
          "- Point estimates only: `pairwise` returns no interval; its p-values (`p_values=True`) use this model's own "
          "permutation null, so they are valid whatever its accuracy.",
          "- The statistics summarise the copula at a resolution of about 1/32 of the ranks and by spacings; "
          "a copula unlike the training families' can be read less well than by the network."]
    worse = pairs_worse(pairs) if pairs else []
    if worse:
        L += ["- Held-out cells where the network or KSG is more accurate by more than 0.02 nats: " + "; ".join(worse) + "."]
    L += ["",
          "## How to reproduce", "", "```bash",
          f"infoatlas dev train-pairs --out src/infoatlas/weights/infoatlas-pairs.safetensors --seed {rec['seed']}",
          "bash scripts/release_eval.sh infoatlas-base pairs speed", "python scripts/make_docs.py", "```"]
    return "\n".join(L) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true", help="exit 1 if a generated file is out of date")
    args = ap.parse_args()
    outputs = {CARD: model_card(), README: update_readme(README.read_text(), readme_blocks())}
    pair_card = pair_model_card()
    if pair_card is not None:
        outputs[PAIR_CARD] = pair_card
    stale = [p for p, text in outputs.items() if not p.exists() or p.read_text() != text]
    if args.check:
        for p in stale:
            print(f"out of date: {p.relative_to(ROOT)} (run python scripts/make_docs.py)")
        sys.exit(1 if stale else 0)
    for p in stale:
        p.write_text(outputs[p])
        print(f"wrote {p.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
