"""SetMI: a set transformer that reads a canonicalised data set and returns MI quantiles.

One token per sample; induced-set attention (Lee et al. 2019) makes the cost O(n m) in the number
of samples n; pooling by attention makes it invariant to sample order; the token embedding is
phi(u, v) + phi(v, u), so swapping X and Y leaves the output unchanged exactly.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn

from ..features import N_PAIR_FEATS, N_STATS
from .common import QuantileConfig, ordered_quantiles


@dataclass
class SetMIConfig(QuantileConfig):
    max_dim: int = 32          # native width per side; wider data keep the leading canonical dims
    width: int = 64            # token width
    n_heads: int = 4
    n_layers: int = 2          # induced-set attention blocks
    n_inducing: int = 16       # m: inducing points per block
    n_seeds: int = 2           # pooling seeds
    ff_mult: int = 2
    n_stats: int = N_STATS
    n_pair_feats: int = N_PAIR_FEATS  # per-direction non-Gaussianity statistics (0: not read)
    quantiles: tuple[float, ...] = field(default=(0.05, 0.5, 0.95))
    n_knn: int = 0             # leading canonical pairs whose KSG statistics a refinement head reads (0: none)
    refine_width: int = 128    # hidden width of that head
    n_global: int = 0          # whole-data-set statistics the refinement head also reads (knn.global_features)

    # weight files written before the statistics existed, and before the head read whole-data-set statistics
    LEGACY = {"n_pair_feats": 0, "n_global": 0}

    # rows per pass shape no tensor: they are a feature setting (``infoatlas.features``), stored
    # in the weight file beside this config


class MLP(nn.Sequential):
    def __init__(self, d_in: int, d_hidden: int, d_out: int):
        super().__init__(nn.Linear(d_in, d_hidden), nn.GELU(), nn.Linear(d_hidden, d_out))


class MAB(nn.Module):
    """Multihead attention block, pre-LayerNorm: q + Attn(q, kv), then + FF."""

    def __init__(self, cfg: SetMIConfig):
        super().__init__()
        w = cfg.width
        self.ln_q, self.ln_kv, self.ln_ff = nn.LayerNorm(w), nn.LayerNorm(w), nn.LayerNorm(w)
        self.attn = nn.MultiheadAttention(w, cfg.n_heads, batch_first=True)
        self.ff = MLP(w, cfg.ff_mult * w, w)

    def forward(self, q, kv, key_padding_mask=None):
        kvn = self.ln_kv(kv)
        h = q + self.attn(self.ln_q(q), kvn, kvn, key_padding_mask=key_padding_mask,
                          need_weights=False)[0]
        return h + self.ff(self.ln_ff(h))


class ISAB(nn.Module):
    """Induced set attention: m inducing points summarise the n tokens, tokens read them back."""

    def __init__(self, cfg: SetMIConfig):
        super().__init__()
        self.inducing = nn.Parameter(torch.randn(cfg.n_inducing, cfg.width) * 0.1)
        self.mab_in, self.mab_out = MAB(cfg), MAB(cfg)

    def forward(self, x, pad=None):  # x: (B, n, w); pad: (B, n) True where padded
        h = self.mab_in(self.inducing.expand(x.shape[0], -1, -1), x, pad)  # (B, m, w)
        return self.mab_out(x, h)                                          # (B, n, w)


class SetMI(nn.Module):
    arch = "setmi"

    def __init__(self, cfg: SetMIConfig):
        super().__init__()
        self.cfg = cfg
        d, w = cfg.max_dim, cfg.width
        self.phi = MLP(5 * d, 2 * w, w)                       # token embedding, one side order
        self.ctx = MLP(cfg.n_stats + 3 * d, 2 * w, w)        # data-set statistics -> context
        if cfg.n_pair_feats:
            # one encoder shared by all canonical directions, summed over them (MI of independent
            # pairs adds up); the projection starts at 0, so a model warm-started from weights
            # without this branch computes exactly what it computed before
            self.pair_enc = MLP(cfg.n_pair_feats + 3, 2 * w, w)
            self.pair_proj = nn.Linear(2 * w, w)
            nn.init.zeros_(self.pair_proj.weight)
            nn.init.zeros_(self.pair_proj.bias)
        self.blocks = nn.ModuleList(ISAB(cfg) for _ in range(cfg.n_layers))
        self.seeds = nn.Parameter(torch.randn(cfg.n_seeds, w) * 0.1)
        self.pool = MAB(cfg)
        self.ln_out = nn.LayerNorm(cfg.n_seeds * w + w)
        self.head = MLP(cfg.n_seeds * w + w, 2 * w, len(cfg.quantiles))
        nn.init.zeros_(self.head[-1].weight)  # start from the Gaussian-copula estimate
        nn.init.zeros_(self.head[-1].bias)
        if cfg.n_knn:
            # a second head trained after the trunk (``infoatlas dev refine``): reads the trunk's
            # features and kNN statistics of the leading canonical pairs, adds to the head's output;
            # zero last layer, so an untrained one leaves the model's answer unchanged
            self.refine = nn.Sequential(nn.Linear(cfg.n_seeds * w + w + 2 * cfg.n_knn + 1 + cfg.n_global,
                                                  cfg.refine_width),
                                        nn.GELU(), nn.Linear(cfg.refine_width, cfg.refine_width), nn.GELU(),
                                        nn.Linear(cfg.refine_width, len(cfg.quantiles)))
            nn.init.zeros_(self.refine[-1].weight)
            nn.init.zeros_(self.refine[-1].bias)
        self.mid = cfg.quantiles.index(0.5)

    def forward(self, u, v, mask_x, mask_y, rho, stats, pair=None, pad=None, knn=None):
        """u, v: (B, n, D); mask_x, mask_y, rho: (B, D); stats: (B, n_stats);
        pair: (B, D, n_pair_feats) (required when the config has n_pair_feats > 0); pad: (B, n);
        knn: (B, 2 n_knn + 1 + n_global): :func:`~infoatlas.knn.knn_features`, then
        :func:`~infoatlas.knn.global_features` when n_global > 0 (required when the config has n_knn > 0).

        Returns quantiles of log1p(MI) (nats), shape (B, len(quantiles)), non-decreasing.
        """
        z = self.features(u, v, mask_x, mask_y, rho, stats, pair, pad)
        return self.quantiles_from(z, stats, knn)

    def features(self, u, v, mask_x, mask_y, rho, stats, pair=None, pad=None):
        """The trunk: a data set's representation, (B, n_seeds * width + width), read by the heads."""
        b = u.shape[0]
        tok = self.embed(u, v, mask_x, mask_y)                                      # (B, n, w)
        c = self.ctx(torch.cat([stats, rho, mask_x + mask_y, mask_x * mask_y], -1))  # (B, w)
        if self.cfg.n_pair_feats:
            if pair is None:
                raise ValueError("this model reads per-direction statistics: pass pair=")
            live = ((mask_x + mask_y) > 0).float()                                   # (B, D)
            e = self.pair_enc(torch.cat([pair, rho[..., None], (mask_x + mask_y)[..., None],
                                         (mask_x * mask_y)[..., None]], -1))         # (B, D, w)
            total = (e * live[..., None]).sum(1)                                      # (B, w)
            pooled_dims = torch.cat([total / live.sum(1, keepdim=True), total / 8.0], -1)
            c = c + self.pair_proj(pooled_dims)                                      # (B, w)
        h = tok + c[:, None]
        for blk in self.blocks:
            h = blk(h, pad)
        pooled = self.pool(self.seeds.expand(b, -1, -1), h, pad).reshape(b, -1)  # (B, seeds*w)
        return self.ln_out(torch.cat([pooled, c], -1))

    def embed(self, u, v, mask_x, mask_y):
        """Token embeddings phi(u, v) + phi(v, u), (B, n, width): exact X <-> Y symmetry; u * v
        carries the pair interaction; phi's input per token is [u, v, u v, mask_x, mask_y] (5 D).

        Computed as that sum, in fewer operations (the same function up to float rounding, tested
        against the plain form): u and v are zero beyond the batch's widest live direction L (the
        inputs are zero-padded to D), so phi's first layer reads only the first L columns of u, v
        and u v; the masks are the same for every row of a data set, so their part is computed once
        per data set; and phi's last layer is linear, so it is applied once to the sum of the two
        orders' hidden units (at 3 + 3 dims the embedding was about 40% of the network's work).
        """
        d = self.cfg.max_dim
        lin1, act, lin2 = self.phi
        w1 = lin1.weight                                                            # (2w, 5D)
        live = torch.maximum(mask_x, mask_y).amax(0)                                # (D,)
        wide = int(live.nonzero().max()) + 1 if bool(live.any()) else 1
        if wide < d and (bool(u[..., wide:].any()) or bool(v[..., wide:].any())):
            wide = d  # not zero-padded beyond the masks (never so from model_inputs): read every column

        def cols(k):  # phi's first-layer weights on input block k (u, v, u v), live columns: (2w, L)
            return w1[:, k * d: k * d + wide]

        # the two side orders' inputs [u, v, u v] and [v, u, u v] times the same weights, in two
        # products of the same shape (B, n, 3L) @ (3L, 2w): swapping X and Y swaps the two
        # products' inputs exactly, so the symmetry is exact, not only up to float rounding
        w_in = torch.cat([cols(0), cols(1), cols(2)], 1).T                          # (3L, 2w)
        a, b, ab = u[..., :wide], v[..., :wide], (u * v)[..., :wide]                 # (B, n, L) each
        w_mx, w_my = w1[:, 3 * d: 4 * d], w1[:, 4 * d:]                             # (2w, D) each
        h1 = torch.cat([a, b, ab], -1) @ w_in + (mask_x @ w_mx.T + mask_y @ w_my.T + lin1.bias)[:, None]  # (u, v)
        h2 = torch.cat([b, a, ab], -1) @ w_in + (mask_y @ w_mx.T + mask_x @ w_my.T + lin1.bias)[:, None]  # (v, u)
        return torch.nn.functional.linear(act(h1) + act(h2), lin2.weight, 2 * lin2.bias)

    def quantiles_from(self, z, stats, knn=None):
        """The heads: trunk features z (B, Z), stats (B, n_stats), knn (B, 2 n_knn + 1 + n_global) or None
        -> quantiles of log1p(MI), (B, Q), non-decreasing."""
        out = self.head(z)                                                        # (B, Q)
        if self.cfg.n_knn:
            if knn is None:
                raise ValueError("this model has a refinement head that reads kNN statistics: pass knn=")
            out = out + self.refine(torch.cat([z, knn], -1))
        base = stats[:, 0] + out[:, self.mid]  # log1p(Gaussian-copula MI) + learned correction
        return ordered_quantiles(base, out, self.mid)


def pinball_loss(pred: torch.Tensor, target: torch.Tensor, quantiles, weight: torch.Tensor | None = None) -> torch.Tensor:
    """Mean quantile (pinball) loss; pred (B, Q), target (B,); ``weight`` (B,): a weighted mean over
    the data sets instead."""
    q = torch.as_tensor(quantiles, dtype=pred.dtype, device=pred.device)
    err = target[:, None] - pred
    loss = torch.maximum(q * err, (q - 1) * err)  # (B, Q)
    if weight is None:
        return loss.mean()
    return (loss.mean(1) * weight).sum() / weight.sum()
