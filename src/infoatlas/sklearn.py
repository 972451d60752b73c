"""scikit-learn drop-ins: ``mutual_info_regression`` and ``mutual_info_classif`` with scikit-learn's
signatures and return shape, so that swapping the import is the only change::

    from infoatlas.sklearn import mutual_info_classif          # was: from sklearn.feature_selection ...
    SelectKBest(mutual_info_classif, k=10).fit(X, y)

Each feature's MI with the target (nats) comes from :meth:`infoatlas.InfoAtlas.estimate`: the
pretrained network when the feature and the target are continuous, :mod:`infoatlas.discrete`
otherwise.  ``n_neighbors`` is used by the nearest-neighbour estimators of the discrete paths;
``copy`` and ``n_jobs`` are accepted for compatibility and have no effect.
"""
from __future__ import annotations

import numpy as np


def _per_feature(X, y, discrete_features, discrete_target: bool, n_neighbors: int, random_state):
    from . import discrete as _discrete
    from .estimator import _default_estimator
    from .validation import as_2d_typed

    if hasattr(X, "toarray"):  # scipy sparse
        X = X.toarray()
    arr, cat, names = as_2d_typed(X, "X")
    mask = _discrete.discrete_mask(discrete_features, arr, "features", cat, names)
    est = _default_estimator(random_state)
    # only the estimates are returned: the discrete and pooled paths skip their half-sample intervals
    planned = [est.plan(arr[:, j], y, bool(mask[j]), discrete_target, n_neighbors=n_neighbors, interval=False)
               for j in range(arr.shape[1])]
    return np.array([e.mi for e in est._finish(planned)])


def mutual_info_regression(X, y, *, discrete_features="auto", n_neighbors=3, copy=True, random_state=None,
                           n_jobs=None):
    """MI (nats) between each feature of X (n_samples, n_features) and a continuous target y
    (n_samples,).  Returns an array of shape (n_features,).  ``discrete_features``: "auto", bool, a
    boolean mask or feature indices (see :meth:`infoatlas.InfoAtlas.estimate` for the "auto" rule)."""
    return _per_feature(X, y, discrete_features, False, n_neighbors, random_state)


def mutual_info_classif(X, y, *, discrete_features="auto", n_neighbors=3, copy=True, random_state=None,
                        n_jobs=None):
    """MI (nats) between each feature of X (n_samples, n_features) and a class label y (n_samples,):
    the target is discrete.  Returns an array of shape (n_features,)."""
    return _per_feature(X, y, discrete_features, True, n_neighbors, random_state)
