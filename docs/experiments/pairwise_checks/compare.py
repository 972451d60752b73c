"""Summarise evaluate.jsonl (and table.jsonl) of collect.py into compare.md.

    python docs/experiments/pairwise_checks/compare.py > docs/experiments/pairwise_checks/compare.md"""
import json
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
#: pairwise prepares its pairs in batches, estimate one at a time: equal up to float rounding
SAME = 1e-6


def rows() -> pd.DataFrame:
    out = []
    for line in (HERE / "evaluate.jsonl").read_text().splitlines():
        r = json.loads(line)
        for version in ("unrounded", "rounded"):
            v = r[version]
            out.append({"family": r["family"], "dims": r["dims"], "n": r["n"], "truth": r["truth"], "version": version,
                        "estimate": v["estimate"][0], "before": v["before"], "after": v["after"],
                        "t_before": v["before_seconds"], "t_after": v["after_seconds"],
                        "p_before": v["p_before"], "p_after": v["p_after"]})
    return pd.DataFrame(out)


def table_md(df: pd.DataFrame, index: list) -> str:
    lines = ["| " + " | ".join(index) + " | data sets | MAE estimate | MAE pairwise before | MAE pairwise after "
             "| after = estimate | after != before |",
             "|" + "---|" * (len(index) + 6)]
    for key, g in df.groupby(index, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        mae = [np.mean(np.abs(g[c] - g["truth"])) for c in ("estimate", "before", "after")]
        same = int((np.abs(g["after"] - g["estimate"]) < SAME).sum())
        moved = int((g["after"] != g["before"]).sum())
        lines.append("| " + " | ".join(str(k) for k in key) + f" | {len(g)} | {mae[0]:.3f} | {mae[1]:.3f} | "
                     f"{mae[2]:.3f} | {same} | {moved} |")
    return "\n".join(lines)


def main() -> None:
    df = rows()
    print("# `pairwise` (the network) against `estimate` on the same pairs\n")
    print(f"{len(df) // 2} data sets (seed 314 / stream 54), each unrounded and rounded to three significant "
          "digits; MAE in nats against the unrounded MI. `before`: pairwise without the regression bound, with "
          "the checks against KSG off wherever a column had a tie, and groups of several columns read through its "
          "per-column scores; `after`: as estimate reads the pair. "
          "`after = estimate`: the matrix entry equals estimate's MI (within 1e-6 nats; pairwise prepares its pairs in "
          "batches).\n")
    print("## By version and n\n")
    print(table_md(df, ["version", "n"]))
    print("\n## By version, columns and n\n")
    print(table_md(df, ["version", "dims", "n"]))
    print("\n## By version and family\n")
    print(table_md(df, ["version", "family"]))
    moved = df[df["after"] != df["before"]]
    err_b, err_a = np.abs(moved["before"] - moved["truth"]), np.abs(moved["after"] - moved["truth"])
    print(f"\n## Readings that changed\n\n{len(moved)} of {len(df)}: {int((err_a < err_b - 0.01).sum())} closer to "
          f"the MI by more than 0.01 nats, {int((err_a > err_b + 0.01).sum())} farther; MAE of those "
          f"{err_b.mean():.3f} -> {err_a.mean():.3f}.\n")
    big = moved.assign(gain=err_b - err_a).sort_values("gain", ascending=False).head(8)
    print("| family | columns | n | version | MI | before | after | estimate |\n|---|---|---|---|---|---|---|---|")
    for _, r in big.iterrows():
        print(f"| {r.family} | {r.dims} | {r.n} | {r.version} | {r.truth:.3f} | {r.before:.3f} | {r.after:.3f} | "
              f"{r.estimate:.3f} |")
    pv = df[df["p_before"].notna()]
    print(f"\n## p-values\n\nPairs of two untied single columns (unrounded 1+1): {len(pv)}; p-value changed in "
          f"{int((pv['p_before'] != pv['p_after']).sum())} (99 re-pairings; the shared null is that of the reading "
          "without the bound, which these pairs are tested on).\n")
    print("## Time\n\nMedian of (pairwise after / pairwise before), one pair per call, by n and version:\n")
    print("| version | n | median ratio | median seconds before | median seconds after |\n|---|---|---|---|---|")
    for (ver, n), g in df.groupby(["version", "n"]):
        print(f"| {ver} | {n} | {np.median(g['t_after'] / g['t_before']):.2f} | {g['t_before'].median():.4f} | "
              f"{g['t_after'].median():.4f} |")
    path = HERE / "table.jsonl"
    if path.exists():
        t = pd.DataFrame([json.loads(v) for v in path.read_text().splitlines()])
        med = t.groupby("method")["seconds"].median()
        c, n = int(t["columns"].iloc[0]), int(t["rows"].iloc[0])
        pairs = c * (c - 1) // 2
        print(f"\nA table of {c} columns ({pairs} pairs) at {n} rows, median of {t['repeat'].nunique()} runs in one "
              f"process: before {med['before']:.2f} s ({1e3 * med['before'] / pairs:.1f} ms a pair), after "
              f"{med['after']:.2f} s ({1e3 * med['after'] / pairs:.1f} ms a pair), ratio after / before "
              f"{med['after'] / med['before']:.2f}; `method=\"fast\"` {med['fast']:.2f} s.")


if __name__ == "__main__":
    main()
