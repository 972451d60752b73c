"""pairwise's p-values on tables of independent series: tables of four independent AR(1) series
(lag-1 correlation 0.95, 500 rows; 6 pairs each), p-values from row permutations and from circular
shifts of 50 or more rows (99 each), and whether pairwise warned.  Prints markdown (-> pairwise.md).

    python docs/experiments/serial_rows/pairwise.py > docs/experiments/serial_rows/pairwise.md
"""
import warnings

import numpy as np

from infoatlas import InfoAtlas

EST = InfoAtlas.from_pretrained(random_state=0)


def ar1(n: int, phi: float, g: np.random.Generator) -> np.ndarray:
    e = g.standard_normal(n)
    z = np.empty(n)
    z[0] = e[0]
    for t in range(1, n):
        z[t] = phi * z[t - 1] + np.sqrt(1 - phi**2) * e[t]
    return z


def main(tables: int = 5, n: int = 500, phi: float = 0.95, block: int = 50) -> None:
    iu = np.triu_indices(4, 1)
    print("| table | warned | permutations: pairs rejected at 5% | shifts: pairs rejected at 5% |")
    print("|---|---|---|---|")
    tot_p = tot_s = 0
    for s in range(tables):
        g = np.random.default_rng(s)
        x = np.column_stack([ar1(n, phi, g) for _ in range(4)])
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            p = EST.pairwise(x, p_values=True, n_permutations=99, progress=False)[1][iu]
        ps = EST.pairwise(x, p_values=True, n_permutations=99, progress=False, block_length=block)[1][iu]
        warned = any("serially dependent" in str(m.message) for m in w)
        tot_p, tot_s = tot_p + int((p < 0.05).sum()), tot_s + int((ps < 0.05).sum())
        print(f"| {s} | {'yes' if warned else 'no'} | {(p < 0.05).sum()} of 6 | {(ps < 0.05).sum()} of 6 |")
    print(f"| all | | {tot_p} of {6 * tables} | {tot_s} of {6 * tables} |")


if __name__ == "__main__":
    main()
