"""Benchmark suites: data sets with known MI from the atlas (held-out families by default), or
from a folder of ``.npz`` files with arrays ``x``, ``y`` and optional scalar ``mi``."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass
class Case:
    name: str
    family: str
    x: np.ndarray   # (n, dx)
    y: np.ndarray   # (n, dy)
    mi: float       # true MI in nats (NaN when unknown)
    discrete_x: np.ndarray | None = None   # (dx,) bool: which columns are discrete (None: not told; estimators decide)
    discrete_y: np.ndarray | None = None

    @property
    def n(self) -> int:
        return self.x.shape[0]

    @property
    def dims(self) -> str:
        return f"{self.x.shape[1]}x{self.y.shape[1]}"


def draw_eval_mi(rng: np.random.Generator, mi_max: float) -> float:
    """Evaluation prior: half log-uniform on [0.02, mi_max], half uniform on [0, mi_max]."""
    if rng.random() < 0.5:
        return float(np.exp(rng.uniform(np.log(0.02), np.log(mi_max))))
    return float(rng.uniform(0.0, mi_max))


def atlas_suite(ns, dims, per_cell: int, families=None, mi_max: float = 5.0, seed: int = 0) -> list[Case]:
    """``per_cell`` data sets for each (family, dims, n); every one a pure function of the seed."""
    from ..atlas import discrete, prior

    families = expand_families(families or prior.HELDOUT_FAMILIES)
    cases = []
    for fi, fam in enumerate(families):
        for di, (dx, dy) in enumerate(dims):
            for n in ns:
                for r in range(per_cell):
                    rng = np.random.default_rng([seed, fi, di, n, r, 7])
                    if fam in discrete.DISCRETE_FAMILIES:
                        # their own sizes (class_gauss: dx features); the MI follows the parameters
                        task = discrete.make_discrete(fam, rng, dim=dx)
                        x, y = task.sample(n, rng)
                        cases.append(Case(f"{fam}/{dx}x{dy}/n{n}/{r}", fam, x, y, task.mutual_information(),
                                          task.discrete_x, task.discrete_y))
                        continue
                    task = prior.make_task(fam, dx, dy, draw_eval_mi(rng, mi_max), rng, train=False)
                    x, y = task.sample(n, rng)
                    cases.append(Case(f"{fam}/{dx}x{dy}/n{n}/{r}", fam, x, y, task.mutual_information()))
    return cases


def expand_families(families) -> list[str]:
    """Family names, with "discrete" standing for every discrete family of the atlas and
    "structured" for the structured held-out group (``prior.STRUCTURED_HELDOUT``) and "functional"
    for the noisy non-monotone functions (``prior.FUNCTIONAL_HELDOUT``)."""
    from ..atlas import discrete, prior

    groups = {"discrete": discrete.DISCRETE_FAMILIES, "structured": prior.STRUCTURED_HELDOUT,
              "functional": prior.FUNCTIONAL_HELDOUT}
    out = []
    for f in families:
        out.extend(groups.get(f, [f]))
    return out


def npz_suite(folder) -> list[Case]:
    """Every ``*.npz`` in ``folder``: arrays x (n,) or (n, dx), y, and optional scalar mi."""
    cases = []
    for p in sorted(Path(folder).glob("*.npz")):
        with np.load(p) as f:
            if "x" not in f or "y" not in f:
                raise ValueError(f"{p} lacks arrays 'x' and 'y'")
            x, y = np.asarray(f["x"], float), np.asarray(f["y"], float)
            mi = float(f["mi"]) if "mi" in f else float("nan")
        x = x[:, None] if x.ndim == 1 else x
        y = y[:, None] if y.ndim == 1 else y
        cases.append(Case(p.stem, "external", x, y, mi))
    if not cases:
        raise ValueError(f"no .npz files in {folder}")
    return cases
