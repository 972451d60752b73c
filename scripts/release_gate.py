"""Compare a candidate weight file's release-suite results with the shipped ones, and apply the release rule.

The rule (fixed before a candidate's held-out suites run; the shipped heads since atlas 1.6 were held to it):
  - held-out continuous families (`accuracy`): InfoAtlas MAE at each n at most the shipped MAE + TOLERANCE;
  - plain Gaussians (`gauss`): the same, at each n;
  - structured held-out group (`structured`): overall MAE lower than the shipped;
  - independence at few rows (`fewrows`): overall MAE (the mean estimate; the truth is 0) no higher.
The validation suite, coverage and the other suites are printed for the record, not gated.

Both directories hold <suite>/results.json as `bash scripts/release_eval.sh` writes them, on the same data
sets (the same seed and settings; checked case by case).

usage: python scripts/release_gate.py BASE_DIR CANDIDATE_DIR [--tolerance 0.02] [--markdown]
  exit status 0: the candidate passes; 1: it fails; 2: a suite is missing or the data sets differ.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

GATED = ("accuracy", "gauss", "structured", "fewrows")
SHOWN = GATED + ("validation",)


def infoatlas_records(suite_dir: Path) -> pd.DataFrame:
    """InfoAtlas's rows of one suite, indexed by case, with absolute error (nats) and interval coverage."""
    d = pd.DataFrame(json.loads((suite_dir / "results.json").read_text())["records"])
    d = d[d.estimator == "infoatlas"].set_index("case")
    d["ae"] = (d.estimate - d.truth).abs()
    d["covered"] = (d.lower <= d.truth) & (d.truth <= d.upper)
    return d


def paired(base: Path, cand: Path, suite: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The two runs' records of `suite`, aligned by case; raises ValueError if they are not the same data sets."""
    a, b = infoatlas_records(base / suite), infoatlas_records(cand / suite)
    if set(a.index) != set(b.index) or not np.allclose(a.truth, b.truth.loc[a.index]):
        raise ValueError(f"{suite}: the two result files are not on the same data sets")
    return a, b.loc[a.index]


def side_by_side(a: pd.DataFrame, b: pd.DataFrame, keys: list[str]) -> str:
    """A markdown table of MAE and coverage by `keys`, base next to candidate."""
    ga, gb = a.groupby(keys), b.groupby(keys)
    t = pd.DataFrame({"cases": ga.size(), "MAE base": ga.ae.mean(), "MAE candidate": gb.ae.mean(),
                      "coverage base": ga.covered.mean(), "coverage candidate": gb.covered.mean()})
    rows = ["| " + " | ".join(keys + list(t.columns)) + " |", "|" + "---|" * (len(keys) + len(t.columns))]
    for idx, r in t.iterrows():
        idx = idx if isinstance(idx, tuple) else (idx,)
        rows.append("| " + " | ".join(map(str, idx)) + f" | {r['cases']:.0f} | {r['MAE base']:.3f} | "
                    f"{r['MAE candidate']:.3f} | {r['coverage base']:.0%} | {r['coverage candidate']:.0%} |")
    return "\n".join(rows)


def verdicts(base: Path, cand: Path, tolerance: float = 0.02, pairs: dict | None = None) -> list[tuple[str, bool, str]]:
    """(check, passed, what was measured) for each item of the rule; ``pairs``: suites already read by
    :func:`paired`, by name (the others are read here)."""
    pairs = pairs or {}
    get = lambda suite: pairs[suite] if suite in pairs else paired(base, cand, suite)  # noqa: E731
    out = []
    for suite in ("accuracy", "gauss"):
        a, b = get(suite)
        ma, mb = a.groupby("n").ae.mean(), b.groupby("n").ae.mean()
        for n in ma.index:
            out.append((f"{suite} MAE at n = {n} within {tolerance} of the base", bool(mb[n] <= ma[n] + tolerance),
                        f"{ma[n]:.3f} -> {mb[n]:.3f}"))
    a, b = get("structured")
    out.append(("structured MAE lower", bool(b.ae.mean() < a.ae.mean()), f"{a.ae.mean():.3f} -> {b.ae.mean():.3f}"))
    a, b = get("fewrows")
    out.append(("fewrows MAE no higher", bool(b.ae.mean() <= a.ae.mean()), f"{a.ae.mean():.3f} -> {b.ae.mean():.3f}"))
    return out


def report(base: Path, cand: Path, tolerance: float = 0.02) -> tuple[str, bool]:
    """The markdown report (rule first, then every shown suite by n and by family) and whether the rule passed."""
    # each suite is read once, for the checks and the tables alike
    pairs = {s: paired(base, cand, s) for s in SHOWN
             if (base / s / "results.json").exists() and (cand / s / "results.json").exists()}
    checks = verdicts(base, cand, tolerance, pairs)
    passed = all(ok for _, ok, _ in checks)
    L = [f"Release rule: **{'pass' if passed else 'fail'}**", "", "| check | measured (base -> candidate) | |",
         "|---|---|---|"] + [f"| {c} | {m} | {'ok' if ok else 'FAIL'} |" for c, ok, m in checks] + [""]
    for suite, (a, b) in pairs.items():
        L += [f"## {suite}: MAE {a.ae.mean():.3f} -> {b.ae.mean():.3f}, coverage {a.covered.mean():.0%} -> "
              f"{b.covered.mean():.0%}", "", side_by_side(a, b, ["n"]), ""]
        if a.family.nunique() > 1:
            L += [side_by_side(a, b, ["family", "n"]), ""]
    return "\n".join(L) + "\n", passed


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("base", type=Path, help="results of the shipped weights (e.g. docs/results)")
    p.add_argument("candidate", type=Path, help="results of the candidate, same suites and seeds")
    p.add_argument("--tolerance", type=float, default=0.02, help="nats allowed above the base (accuracy, gauss)")
    args = p.parse_args(argv)
    missing = [s for s in GATED for d in (args.base, args.candidate) if not (d / s / "results.json").exists()]
    if missing:
        print(f"missing results for: {', '.join(sorted(set(missing)))}", file=sys.stderr)
        return 2
    try:
        text, passed = report(args.base, args.candidate, args.tolerance)
    except ValueError as e:
        print(e, file=sys.stderr)
        return 2
    print(text, end="")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
