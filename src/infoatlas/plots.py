"""Matplotlib figures for the CLI and the benchmarks (Agg backend: no display needed)."""
from __future__ import annotations

import numpy as np


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def heatmap(mat, path: str, title: str = "mutual information (nats)") -> None:
    """Heatmap of a square pandas DataFrame of MI values; NaN cells (the diagonal: a variable with
    itself) are drawn grey, not in the colour of independence."""
    plt = _plt()
    k = mat.shape[0]
    fig, ax = plt.subplots(figsize=(1.0 + 0.45 * k, 0.8 + 0.4 * k))
    cmap = plt.get_cmap("viridis").copy()
    cmap.set_bad("lightgrey")
    im = ax.imshow(np.ma.masked_invalid(mat.to_numpy(dtype=float)), cmap=cmap)
    ax.set_xticks(range(k), mat.columns, rotation=90)
    ax.set_yticks(range(k), mat.index)
    fig.colorbar(im, ax=ax, label="nats")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def estimate_vs_truth(df, path: str) -> None:
    """One panel per estimator: estimate against true MI, colour by n."""
    plt = _plt()
    names = list(dict.fromkeys(df["estimator"]))
    fig, axes = plt.subplots(1, len(names), figsize=(4 * len(names), 4), squeeze=False)
    hi = float(np.nanmax([df["truth"].max(), 1.0]))
    for ax, name in zip(axes[0], names):
        d = df[df["estimator"] == name]
        sc = ax.scatter(d["truth"], d["estimate"], c=np.log10(d["n"]), s=10, cmap="plasma")
        ax.plot([0, hi], [0, hi], "k--", lw=1)
        ax.set_title(name)
        ax.set_xlabel("true MI (nats)")
        ax.set_ylabel("estimate (nats)")
    fig.colorbar(sc, ax=axes[0].tolist(), label="log10 n")
    fig.savefig(path, dpi=110)
    plt.close(fig)


def error_vs_n(summary, path: str) -> None:
    """Mean absolute error against n, one line per estimator."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5, 4))
    for name, d in summary.groupby("estimator"):
        ax.plot(d["n"], d["mae"], "o-", label=name)
    ax.set_xscale("log")
    ax.set_xlabel("n")
    ax.set_ylabel("mean absolute error (nats)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
