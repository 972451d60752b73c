"""PairMLP: MI quantiles of one pair of continuous columns from its rank statistics.

The input is the fixed-length vector of :func:`infoatlas.fastpairs.pair_features` (symmetric in the
two columns and invariant to monotone maps by construction), so the network is a plain MLP; its
cost per pair does not grow with n.  Used by ``InfoAtlas.pairwise(..., method="fast")``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from ..fastpairs import N_FEATURES
from .common import QuantileConfig, ordered_quantiles


@dataclass
class PairMLPConfig(QuantileConfig):
    n_features: int = N_FEATURES
    width: int = 128
    depth: int = 3            # hidden layers
    quantiles: tuple[float, ...] = field(default=(0.05, 0.5, 0.95))


class PairMLP(nn.Module):
    arch = "pairmlp"

    def __init__(self, cfg: PairMLPConfig):
        super().__init__()
        assert 0.5 in cfg.quantiles, "the median is the point estimate"
        self.cfg = cfg
        self.mid = list(cfg.quantiles).index(0.5)
        # standardisation of the statistics, fitted on the training data and stored with the weights
        self.register_buffer("shift", torch.zeros(cfg.n_features))
        self.register_buffer("scale", torch.ones(cfg.n_features))
        layers, d = [], cfg.n_features
        for _ in range(cfg.depth):
            layers += [nn.Linear(d, cfg.width), nn.GELU()]
            d = cfg.width
        layers.append(nn.Linear(d, len(cfg.quantiles)))
        self.net = nn.Sequential(*layers)

    def forward(self, feats: torch.Tensor) -> torch.Tensor:
        """feats (P, n_features) -> quantiles of log1p(MI) (P, Q), non-decreasing, median >= 0."""
        out = self.net((feats - self.shift) / self.scale)                          # (P, Q)
        return ordered_quantiles(F.softplus(out[:, self.mid]), out, self.mid)  # median log1p(MI) >= 0
