"""InfoAtlas: zero-shot mutual information estimation with a pretrained set transformer.

>>> import numpy as np, infoatlas
>>> rng = np.random.default_rng(0)
>>> x = rng.standard_normal(1000); y = x + rng.standard_normal(1000)
>>> est = infoatlas.estimate(x, y)          # MIEstimate(mi=..., lower=..., upper=..., ...)
>>> mi = infoatlas.mutual_info(x, y)        # float, nats (base=2 for bits)
"""
from importlib import import_module

__version__ = "0.1.0"

# public name -> defining module; imported on first use (PEP 562) so that the CLI's --help and
# light users do not pay for importing torch
_EXPORTS = {
    "InfoAtlas": "estimator", "estimate": "estimator", "mutual_info": "estimator",
    "mutual_info_score": "estimator", "mutual_info_torch": "estimator",
    "MIEstimate": "interface", "InfoAtlasWarning": "validation", "MIN_SAMPLES": "validation",
    "WeightsError": "weights", "independence_test": "independence", "IndependenceResult": "independence",
}
__all__ = [*_EXPORTS, "__version__"]


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'infoatlas' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
