"""Screening many columns at once: pairwise MI between the 30 measurements of scikit-learn's breast
cancer data set (569 tumours; it loads offline), by the network and by the fast pair model.

usage: python examples/pairwise_screening.py

Prints the time of each method (this machine, this run), how closely the two matrices agree (no
truth is known for real data: agreement is what can be checked), the strongest pairs, and the
p-values of the fast method for them.  The measurements are rounded, so every column has repeated
values: the fast method breaks ties at random (the MI of what is observed is kept).
"""
import time

import numpy as np
import pandas as pd
from scipy.stats import spearmanr
from sklearn.datasets import load_breast_cancer

import infoatlas


def main():
    X = load_breast_cancer(as_frame=True).data          # (569, 30)
    model = infoatlas.InfoAtlas.from_pretrained()
    model.pairwise(X.iloc[:, :3], method="fast", progress=False)   # loads the pair model once

    t0 = time.perf_counter()
    net = model.pairwise(X, progress=False)
    t_net = time.perf_counter() - t0
    t0 = time.perf_counter()
    fast, p = model.pairwise(X, method="fast", p_values=True, n_permutations=199, p_adjust="bh", progress=False)
    t_fast_p = time.perf_counter() - t0
    t0 = time.perf_counter()
    model.pairwise(X, method="fast", progress=False)
    t_fast = time.perf_counter() - t0

    iu = np.triu_indices(X.shape[1], 1)
    a, b = net.to_numpy()[iu], fast.to_numpy()[iu]
    print(f"{len(a)} pairs: network {t_net:.2f} s, fast {t_fast:.3f} s ({t_net / t_fast:.0f}x), "
          f"fast with p-values (199 permutations per pair) {t_fast_p:.2f} s")
    print(f"agreement: Spearman {spearmanr(a, b)[0]:.3f}, median |fast - network| {np.median(np.abs(a - b)):.3f} nats, "
          f"mean signed {np.mean(b - a):+.3f}")
    top_net = set(np.argsort(-a)[:20])
    top_fast = set(np.argsort(-b)[:20])
    print(f"the 20 strongest pairs by each method: {len(top_net & top_fast)} in common")
    rows = np.argsort(-b)[:8]
    table = pd.DataFrame({
        "pair": [f"{X.columns[iu[0][k]]} ~ {X.columns[iu[1][k]]}" for k in rows],
        "fast (nats)": b[rows], "network (nats)": a[rows],
        "p (fast, BH)": p.to_numpy()[iu][rows]})
    print(table.round(3).to_string(index=False))


if __name__ == "__main__":
    main()
