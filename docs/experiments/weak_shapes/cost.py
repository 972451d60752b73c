"""Cost of the KSG check for one column a side: the estimate with the check on and off, and the KSG
baseline, same data and run (medians of 9; this machine is shared, compare within a row).

    python docs/experiments/weak_shapes/cost.py > docs/experiments/weak_shapes/cost.txt
"""
import time

import numpy as np

import infoatlas.checks as checks
from infoatlas import InfoAtlas
from infoatlas.baselines import KSG


def median_ms(f, repeats: int = 9) -> float:
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        f()
        out.append(time.perf_counter() - t)
    return 1e3 * float(np.median(out))


def main() -> None:
    model = InfoAtlas.from_pretrained(random_state=0)
    g = np.random.default_rng(0)
    print("| n | check on (ms) | check off (ms) | on / off | KSG baseline (ms) |")
    print("|---|---|---|---|---|")
    for n in (1000, 5000, 50_000):
        x = g.standard_normal(n)
        y = 0.3 * x + g.standard_normal(n)
        model.estimate(x, y)  # warm-up
        t = {}
        for on in (True, False, True, False):  # interleaved against drifting load
            checks.PAIR_CHECK = on
            t.setdefault(on, []).append(median_ms(lambda: model.estimate(x, y)))
        checks.PAIR_CHECK = True
        on, off = min(t[True]), min(t[False])
        k = median_ms(lambda: KSG(k=3).estimate(x, y), 3)
        print(f"| {n:,} | {on:.1f} | {off:.1f} | {on / off:.2f} | {k:.1f} |")


if __name__ == "__main__":
    main()
