"""Small protocols and dataclasses shared across the package.

This module imports nothing from the rest of ``infoatlas`` so that every other module (inference,
atlas, baselines, benchmarks) can depend on it without cycles.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np


@dataclass(frozen=True)
class MIEstimate:
    """One mutual-information estimate, in nats.

    Attributes
    ----------
    mi : float
        Point estimate of I(X; Y) in nats (>= 0).
    lower, upper : float
        Bounds of a 90% interval in nats (5% and 95% quantiles predicted by the model).
    n : int
        Number of rows used (after dropping non-finite rows, if asked to).
    dim_x, dim_y : int
        Number of columns of X and Y as given.
    n_used : int
        Rows the network actually read; smaller than ``n`` when the data were subsampled.
    notes : tuple of str
        Anything the user should know (subsampling, constant columns, ties, reduced dims).
    """

    mi: float
    lower: float
    upper: float
    n: int
    dim_x: int
    dim_y: int
    n_used: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)

    def __float__(self) -> float:
        return float(self.mi)

    def to_bits(self) -> "MIEstimate":
        """The same estimate with mi, lower and upper converted from nats to bits."""
        c = 1.0 / np.log(2.0)
        return MIEstimate(self.mi * c, self.lower * c, self.upper * c, self.n, self.dim_x,
                          self.dim_y, self.n_used, self.notes)

    def as_dict(self) -> dict[str, Any]:
        return {"mi": self.mi, "lower": self.lower, "upper": self.upper, "n": self.n,
                "dim_x": self.dim_x, "dim_y": self.dim_y, "n_used": self.n_used,
                "notes": list(self.notes)}


@runtime_checkable
class JointSampler(Protocol):
    """A joint distribution of (X, Y) with known mutual information (bmi-style)."""

    dim_x: int
    dim_y: int

    def mutual_information(self) -> float: ...

    def sample(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]: ...
