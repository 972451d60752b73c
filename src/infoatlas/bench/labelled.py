"""``infoatlas bench labelled``: MI between features and class on scikit-learn's bundled labelled
data sets, checked against what the data prove.

For a class C with K values and features X, I(X; C) <= H(C) (the entropy of the class frequencies),
and Fano's inequality turns a classifier's cross-validated error rate Pe into a lower bound,
I(X; C) >= H(C) - h(Pe) - Pe log(K - 1) (h the binary entropy): a classifier cannot do better than
the information allows.  An estimate outside [Fano bound, H(C)] is wrong.
"""
from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd

from ..discrete import fano_bound
from . import write_report

DATASETS = ("iris", "wine", "breast_cancer", "digits")


def run_labelled(model=None, out_dir="bench_out/labelled", seed: int = 0) -> str:
    from sklearn import datasets
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from ..estimator import InfoAtlas

    est = InfoAtlas.from_pretrained(model, random_state=seed)
    rows = []
    for name in DATASETS:
        x, c = getattr(datasets, f"load_{name}")(return_X_y=True)
        k = int(np.unique(c).size)
        p = np.bincount(c) / c.size
        h_c = float(-np.sum(p[p > 0] * np.log(p[p > 0])))
        clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
        acc = float(cross_val_score(clf, x, c, cv=5).mean())
        low = fano_bound(h_c, k, 1 - acc)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # the features are measurements (digits: pixel intensities 0-16), the class a label
            e = est.estimate(x, c, discrete_x=False, discrete_y=True)
        rows.append({"data set": name, "n": x.shape[0], "features": x.shape[1], "classes": k,
                     "H(class)": h_c, "cv accuracy": acc, "Fano bound": low, "infoatlas": e.mi,
                     "lower": e.lower, "upper": e.upper,
                     "inside": bool(low - 1e-9 <= e.mi <= h_c + 1e-9)})
    df = pd.DataFrame(rows)
    lines = ["# MI(features; class) on scikit-learn's labelled data sets", "",
             "| data set | n | features | classes | H(class) | 5-fold accuracy (logistic) | Fano bound | InfoAtlas | 90% interval | inside the bounds |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['data set']} | {r['n']} | {r['features']} | {r['classes']} | {r['H(class)']:.3f} | "
                     f"{r['cv accuracy']:.1%} | {r['Fano bound']:.3f} | {r['infoatlas']:.3f} | "
                     f"[{r['lower']:.3f}, {r['upper']:.3f}] | {'yes' if r['inside'] else 'no'} |")
    report = "\n".join(lines)
    write_report(out_dir, report, {"rows": json.loads(df.to_json(orient="records")), "seed": seed})
    return report
