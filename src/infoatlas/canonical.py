"""Canonical form of a data set: whiten each side, rotate to canonical correlation pairs.

An invertible linear map per side, so MI is unchanged; the network then sees one canonical form of
every data set instead of all its rotations, with directions ordered by linear dependence.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

RHO_MAX = 1.0 - 1e-6


@dataclass
class Canonical:
    """Canonical coordinates of a batch.

    u : (B, n, dx) and v : (B, n, dy), whitened and rotated so that (u_k, v_k) has sample
    correlation rho_k for k < min(dx, dy), ordered by rho descending; rho : (B, min(dx, dy)).
    """

    u: torch.Tensor
    v: torch.Tensor
    rho: torch.Tensor


def shrinkage(d: int, n: int) -> float:
    """Ridge weight on the within-side covariances: grows with d / n, so whitening stays stable
    when n is small relative to d; about 0 for n >> d."""
    return float(min(0.5, max(1e-6, d / (4.0 * n))))


def canonicalise(x: torch.Tensor, y: torch.Tensor, detach_rotation: bool = False) -> Canonical:
    """Whiten each side, then rotate to canonical correlation pairs (an invertible map per side).

    x : (B, n, dx), y : (B, n, dy), float64 recommended.  ``detach_rotation`` treats the SVD
    rotations as constants for autograd (SVD gradients blow up at repeated singular values); rho is
    then recomputed as diag(U^T K V), whose gradient matches d(sigma) = u^T dK v exactly.
    """
    n, dx, dy = x.shape[-2], x.shape[-1], y.shape[-1]
    x = x - x.mean(-2, keepdim=True)
    y = y - y.mean(-2, keepdim=True)
    cxx = x.transpose(-1, -2) @ x / n
    cyy = y.transpose(-1, -2) @ y / n
    cxy = x.transpose(-1, -2) @ y / n

    def chol(c, d):
        lam = shrinkage(d, n)
        diag = torch.diagonal(c, dim1=-2, dim2=-1)
        c = (1 - lam) * c + torch.diag_embed(lam * diag + 1e-10)
        return torch.linalg.cholesky(c)

    lx, ly = chol(cxx, dx), chol(cyy, dy)
    # K = Lx^{-1} Cxy Ly^{-T}: cross-covariance of the whitened sides, (B, dx, dy)
    k = torch.linalg.solve_triangular(lx, cxy, upper=False)
    k = torch.linalg.solve_triangular(ly, k.transpose(-1, -2), upper=False).transpose(-1, -2)
    xw = torch.linalg.solve_triangular(lx, x.transpose(-1, -2), upper=False).transpose(-1, -2)
    yw = torch.linalg.solve_triangular(ly, y.transpose(-1, -2), upper=False).transpose(-1, -2)
    with torch.set_grad_enabled(torch.is_grad_enabled() and not detach_rotation):
        uu, s, vh = torch.linalg.svd(k.detach() if detach_rotation else k, full_matrices=True)
    vv = vh.transpose(-1, -2)
    m = min(dx, dy)
    if detach_rotation:
        s = torch.diagonal(uu[..., :m].transpose(-1, -2) @ k @ vv[..., :m], dim1=-2, dim2=-1)
    u = xw @ uu
    v = yw @ vv
    # sign convention: flip each pair (u_k, v_k) together so that mean((u_k + v_k)^3) >= 0, and
    # each unpaired direction so that its third moment is >= 0; canonical form is then unique
    # for distinct rho (up to numerical ties)
    with torch.no_grad():
        su = torch.sign((u[..., :m] + v[..., :m]).pow(3).mean(-2)) if m else u.new_zeros(u.shape[0], 0)
        su = torch.where(su == 0, torch.ones_like(su), su)
        sxu = torch.sign(u[..., m:].pow(3).mean(-2))
        syv = torch.sign(v[..., m:].pow(3).mean(-2))
        sx = torch.cat([su, torch.where(sxu == 0, torch.ones_like(sxu), sxu)], -1)
        sy = torch.cat([su, torch.where(syv == 0, torch.ones_like(syv), syv)], -1)
    u = u * sx.unsqueeze(-2)
    v = v * sy.unsqueeze(-2)
    return Canonical(u, v, s[..., :m].clamp(0.0, RHO_MAX))


def gaussian_mi(rho: torch.Tensor) -> torch.Tensor:
    """Gaussian(-copula) MI in nats from canonical correlations (..., k) -> (...)."""
    return -0.5 * torch.log1p(-rho.clamp(0, RHO_MAX) ** 2).sum(-1)
