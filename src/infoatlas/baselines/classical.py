"""KSG (Kraskov, Stoegbauer, Grassberger 2004, algorithm 1) and Gaussian-copula MI (Ince et al. 2017)."""
from __future__ import annotations

import numpy as np

from ..copula import copula_normal
from ..knn import ksg_kdtree
from ..validation import validate_xy


class KSG:
    """KSG estimator, algorithm 1, max-norm, k nearest neighbours via scipy's cKDTree.

    I = psi(k) + psi(n) - < psi(n_x + 1) + psi(n_y + 1) >, where eps_i is the max-norm distance
    to the k-th neighbour in the joint space and n_x(i) counts points strictly closer than eps_i
    in X.  Columns are standardised and a 1e-10 jitter (seeded) breaks ties, as scikit-learn does.
    """

    name = "ksg"

    def __init__(self, k: int = 3, random_state=0):
        self.k, self.random_state = int(k), random_state

    def estimate(self, x, y) -> float:
        x, y, _ = validate_xy(x, y)
        rng = np.random.default_rng(self.random_state)

        def prep(a):
            a = (a - a.mean(0)) / np.where(a.std(0) > 0, a.std(0), 1.0)
            return a + 1e-10 * rng.standard_normal(a.shape)

        return max(ksg_kdtree(prep(x), prep(y), self.k), 0.0)


class GaussianCopula:
    """Gaussian-copula MI: rank-normal scores per column, then the Gaussian MI
    1/2 (log det Cxx + log det Cyy - log det C) of their correlation matrix (no bias correction)."""

    name = "gcmi"

    def __init__(self, random_state=0):
        self.random_state = random_state

    def estimate(self, x, y) -> float:
        x, y, _ = validate_xy(x, y)
        zx, cx = copula_normal(x, "x", warn=False)
        zy, cy = copula_normal(y, "y", warn=False)
        zx, zy = zx[:, ~cx], zy[:, ~cy]
        if zx.shape[1] == 0 or zy.shape[1] == 0:
            return 0.0
        c = np.corrcoef(np.hstack([zx, zy]), rowvar=False)
        c = np.atleast_2d(c) + 1e-10 * np.eye(c.shape[0] if c.ndim else 1)
        dx = zx.shape[1]

        def logdet(m):
            return np.linalg.slogdet(m)[1]

        mi = 0.5 * (logdet(c[:dx, :dx]) + logdet(c[dx:, dx:]) - logdet(c))
        return float(max(mi, 0.0))




class SklearnMI:
    """scikit-learn's ``mutual_info_classif`` / ``mutual_info_regression`` (Ross 2014 and KSG, k = 3)
    as a baseline for one feature against a target.  scikit-learn estimates one feature at a time,
    so a side with several columns is refused (the benchmark records it as not applicable)."""

    name = "sklearn"
    reads_types = True

    def __init__(self, k: int = 3, random_state=0):
        self.k, self.random_state = int(k), random_state

    def estimate(self, x, y, discrete_x=None, discrete_y=None) -> float:
        from sklearn.feature_selection import mutual_info_classif, mutual_info_regression

        x, y, _ = validate_xy(x, y)
        if x.shape[1] != 1 or y.shape[1] != 1:
            raise ValueError("scikit-learn's MI estimators take one feature against one target")
        dx = bool(np.any(discrete_x)) if discrete_x is not None else False
        dy = bool(np.any(discrete_y)) if discrete_y is not None else False
        kw = dict(n_neighbors=self.k, random_state=self.random_state)
        if dy:
            return float(mutual_info_classif(x, y.ravel().astype(int), discrete_features=dx, **kw)[0])
        if dx:  # a discrete feature against a continuous target: the target as the feature
            return float(mutual_info_classif(y, x.ravel().astype(int), discrete_features=False, **kw)[0])
        return float(mutual_info_regression(x, y.ravel(), discrete_features=False, **kw)[0])


__all__ = ["KSG", "GaussianCopula", "SklearnMI"]
