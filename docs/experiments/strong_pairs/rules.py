"""Candidate rules for combining the network's reading with KSG on one column a side, scored on
collect.py's output: MAE, coverage of the 90% interval and share within a factor 1.5, by family
and n.  Prints markdown (-> rules.md).

    python docs/experiments/strong_pairs/rules.py /tmp/strong_pairs.jsonl > docs/experiments/strong_pairs/rules.md
"""
import json
import sys
from collections import defaultdict


def none(r):
    return r["mi"], r["lower"], r["upper"]


def make_rule(trigger: str, floor: float):
    """KSG replaces the network when it reads above ``floor`` and above the network's estimate
    (trigger "mi") or upper end (trigger "upper"); the upper end moves up by the difference."""
    def rule(r):
        m, lo, hi = none(r)
        k = r["ksg"]
        if r["tied"] or m < 0.5 or k <= max(floor, m if trigger == "mi" else hi):
            return m, lo, hi
        return k, lo, hi + (k - m)
    return rule


RULES = {"network": none}
for trig in ("upper", "mi"):
    for floor in (1.0, 2.0, 3.0):
        RULES[f"KSG > {trig}, > {floor:g}"] = make_rule(trig, floor)


def score(rows, rule):
    err = cov = w15 = changed = 0
    for r in rows:
        m, lo, hi = rule(r)
        t = r["truth"]
        err += abs(m - t)
        cov += lo <= t <= hi
        w15 += (t < 0.05 and m < 0.1) or (t >= 0.05 and t / 1.5 <= m <= 1.5 * t)
        changed += (m, lo, hi) != none(r)
    k = len(rows)
    return f"{err / k:.3f} / {100 * cov / k:.0f}% / {100 * w15 / k:.0f}% ({changed})"


def main(path: str) -> None:
    rows = [json.loads(line) for line in open(path)]
    groups = defaultdict(list)
    for r in rows:
        groups[(r["family"], r["n"])].append(r)
        groups[("all", r["n"])].append(r)
        groups[("strong: truth >= 2", 0)].append(r) if r["truth"] >= 2 else None
    names = list(RULES)
    print("MAE / 90% coverage / within x1.5 (data sets changed), one column a side, seed 11\n")
    print("| family | n | " + " | ".join(names) + " |")
    print("|---|---|" + "---|" * len(names))
    for (fam, n), rs in sorted(groups.items(), key=lambda kv: (kv[0][0] == "all", kv[0])):
        print(f"| {fam} | {n or 'all'} | " + " | ".join(score(rs, RULES[k]) for k in names) + " |")


if __name__ == "__main__":
    main(sys.argv[1])
