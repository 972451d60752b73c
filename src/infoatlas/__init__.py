"""InfoAtlas: zero-shot mutual information estimation with a pretrained set transformer.

>>> import numpy as np, infoatlas
>>> rng = np.random.default_rng(0)
>>> x = rng.standard_normal(1000); y = x + rng.standard_normal(1000)
>>> est = infoatlas.estimate(x, y)          # MIEstimate(mi=..., lower=..., upper=..., ...)
>>> mi = infoatlas.mutual_info(x, y)        # float, nats (base=2 for bits)
"""
from .estimator import InfoAtlas, estimate, mutual_info, mutual_info_score, mutual_info_torch
from .interface import MIEstimate
from .preprocessing import MIN_SAMPLES, InfoAtlasWarning
from .weights import WeightsError

__version__ = "0.1.0"
__all__ = ["InfoAtlas", "MIEstimate", "estimate", "mutual_info", "mutual_info_score",
           "mutual_info_torch", "InfoAtlasWarning", "WeightsError", "MIN_SAMPLES", "__version__"]
