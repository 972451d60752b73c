"""Rows that are two series (time order), not independent draws.  Pairs of AR(1) series with lag-1
correlation phi (1 + 1 columns, 1,000 rows, 20 pairs per row of the table): independent pairs, and
dependent ones (Y's innovations share a coefficient 0.5 with X's).  For each: how often the 90%
interval of `estimate` excludes 0, how often the estimate carries the serial-dependence note, and
how often `independence_test` (99 reorderings) rejects at 5% with row permutations and with circular
shifts (block_length 100).  Prints markdown (-> measure.md).

    python docs/experiments/serial_rows/measure.py > docs/experiments/serial_rows/measure.md
"""
import numpy as np

from infoatlas import InfoAtlas, independence_test

EST = InfoAtlas.from_pretrained(random_state=0)


def ar1(n: int, phi: float, e: np.ndarray) -> np.ndarray:
    """AR(1) series with unit variance from innovations e (n,)."""
    z = np.empty(n)
    z[0] = e[0]
    for t in range(1, n):
        z[t] = phi * z[t - 1] + np.sqrt(1 - phi**2) * e[t]
    return z


def main(n: int = 1000, reps: int = 20, block: int = 100) -> None:
    print("| phi | pairs | interval excludes 0 | note | permutation test rejects | shift test rejects |")
    print("|---|---|---|---|---|---|")
    for phi in (0.0, 0.5, 0.9, 0.99):
        for dep in (0.0, 0.5):
            excl = note = rej_p = rej_s = 0
            for s in range(reps):
                g = np.random.default_rng([s, int(100 * phi), int(10 * dep)])
                ex, ey = g.standard_normal(n), g.standard_normal(n)
                x = ar1(n, phi, ex)
                y = ar1(n, phi, dep * ex + np.sqrt(1 - dep**2) * ey)
                e = EST.estimate(x, y)
                excl += e.lower > 0
                note += any("serially dependent" in t for t in e.notes)
                rej_p += independence_test(x, y, n_permutations=99, random_state=s, model=EST).p_value < 0.05
                rej_s += independence_test(x, y, n_permutations=99, random_state=s, model=EST,
                                           block_length=block).p_value < 0.05
            kind = "independent" if dep == 0 else "dependent"
            print(f"| {phi} | {kind} | {excl}/{reps} | {note}/{reps} | {rej_p}/{reps} | {rej_s}/{reps} |", flush=True)


if __name__ == "__main__":
    main()
