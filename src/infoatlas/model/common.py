"""Pieces the networks share: config (de)serialisation and ordered quantile outputs."""
from __future__ import annotations

from dataclasses import asdict

import torch
import torch.nn.functional as F


class QuantileConfig:
    """Mixin for config dataclasses with a ``quantiles`` tuple: JSON-ready dicts and back.
    ``LEGACY`` holds defaults for fields that older weight files do not store."""

    LEGACY: dict = {}

    def to_dict(self) -> dict:
        d = asdict(self)
        d["quantiles"] = list(self.quantiles)
        return d

    @classmethod
    def from_dict(cls, d: dict):
        d = {**cls.LEGACY, **d}
        d["quantiles"] = tuple(d["quantiles"])
        return cls(**d)


def ordered_quantiles(base: torch.Tensor, out: torch.Tensor, mid: int) -> torch.Tensor:
    """Quantiles (B, Q), non-decreasing: ``base`` (B,) is the median; the other columns of ``out``
    (B, Q) become softplus offsets summed outwards from it."""
    lower = [-F.softplus(out[:, j]) for j in range(mid)]
    upper = [F.softplus(out[:, j]) for j in range(mid + 1, out.shape[1])]
    lo = torch.stack(lower[::-1], 1).cumsum(1).flip(1) if lower else out[:, :0]
    hi = torch.stack(upper, 1).cumsum(1) if upper else out[:, :0]
    return torch.cat([base[:, None] + lo, base[:, None], base[:, None] + hi], 1)
