"""KSG in the joint space (max-norm, k = 3) on the copula scores of independent sides: its spread
times sqrt(n) by dims and n, the margin of the joint-space check (infoatlas.checks).  Normal
scores of the ranks of independent columns are what the check reads on independent data whatever
the marginals, so independent standard normals ranked per column are the null for every data set
without ties.

    python docs/experiments/joint_check/null.py > docs/experiments/joint_check/null.md
"""
import numpy as np
from scipy import special, stats

from infoatlas.knn import ksg_joint

DIMS = [(1, 2), (2, 2), (2, 3), (3, 3), (2, 4), (3, 4), (4, 4)]
SIZES = {200: 1000, 512: 1000, 1000: 600, 5000: 200, 20000: 60}


def scores(a):  # (n, d) -> normal scores of the ranks per column
    return special.ndtri(stats.rankdata(a, axis=0) / (a.shape[0] + 1))


def main(seed: int = 31) -> None:
    rng = np.random.default_rng(seed)
    print("KSG (k = 3, max-norm, joint space) on copula scores of independent sides, times sqrt(n): "
          "mean, standard deviation and the 99.9% quantile (a normal tail beyond the draws: "
          "mean + 3.09 sd, and the largest draw).\n")
    print("| dims | n | draws | mean | sd | mean + 3.09 sd | largest |")
    print("|---|---|---|---|---|---|---|")
    for dx, dy in DIMS:
        for n, reps in SIZES.items():
            v = np.array([ksg_joint(scores(rng.standard_normal((n, dx))), scores(rng.standard_normal((n, dy))))
                          for _ in range(reps)]) * np.sqrt(n)
            print(f"| {dx}x{dy} | {n} | {reps} | {v.mean():.3f} | {v.std():.3f} | "
                  f"{v.mean() + 3.09 * v.std():.3f} | {v.max():.3f} |", flush=True)


if __name__ == "__main__":
    main()
