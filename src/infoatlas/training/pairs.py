"""Train the pair-screening model (``infoatlas dev train-pairs``).

The model (:class:`~infoatlas.model.pairmlp.PairMLP`) maps the rank statistics of one pair of
continuous columns (:func:`~infoatlas.fastpairs.pair_features`) to quantiles of log1p(MI).
Its data are 1+1 data sets of the atlas's training families at the current atlas version (with one
column per side, every MI-preserving transform of the atlas is a monotone map, so what varies is the
families' copulas), n log-uniform on [n_min, n_max].  Data sets with tied values (rounded values,
pools of repeated rows) are kept with their ties broken at random, as ``pairwise`` reads them
(``tied=True``), or drawn again (``tied=False``: untied data only).  A fit
stream and a separate early-stopping stream are pure functions of the seed; the validation and
held-out families are never read here.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass

import numpy as np
import torch

from ..atlas import prior
from ..fastpairs import MIN_ROWS, N_FEATURES, pair_features, prepare_columns, untied_columns
from ..model import PairMLP, PairMLPConfig, pinball_loss

FIT_STREAM, STOP_STREAM = 0, 1
CHUNK = 500  #: data sets per work unit (a unit's draws depend on the seed, stream and unit index only)


@dataclass
class PairTrainConfig:
    data_sets: int = 200_000   # fit stream
    val_sets: int = 10_000     # early-stopping stream (training families, other draws)
    seed: int = 300
    n_min: int = MIN_ROWS
    n_max: int = 20_000        # the screening path reads at most this many rows
    width: int = 128
    depth: int = 3
    epochs: int = 60
    lr: float = 2e-3
    weight_decay: float = 1e-4
    batch_size: int = 512
    workers: int = 2           # processes drawing data sets (0: in this process)
    tied: bool = False         # keep data sets with ties (broken at random, as at inference); else draw again


def draw_pair(rng: np.random.Generator, n_min: int, n_max: int, split: str = "train", tied: bool = False):
    """One 1+1 data set: (features (N_FEATURES,), MI nats, family, n).  With ``tied``, tied values
    are ranked in a random order (drawn from ``rng``, as :func:`prepare_columns` does for
    ``pairwise``: the MI of what is observed is kept); without, a data set with ties is drawn again."""
    while True:  # family and n drawn again with the data: a family that always ties cannot stall this
        fam = prior.draw_family(rng, split)
        size = prior.draw_n(rng, n_min, n_max)
        x, y, mi = prior.sample_one(rng, fam, size, 1, 1, split)
        xy = np.hstack([x, y])
        if tied or untied_columns(xy).all():
            if np.ptp(xy, axis=0).min() == 0:  # a constant side: pairwise does not read it with the pair model
                continue
            cols = prepare_columns(xy, tie_rng=rng if tied else None)
            return pair_features(cols, [0], [1])[0], float(mi), fam, size


def _unit(args):
    seed, stream, unit, count, n_min, n_max, tied = args
    rng = np.random.default_rng([seed, stream, unit])
    rows = [draw_pair(rng, n_min, n_max, tied=tied) for _ in range(count)]
    return (np.stack([r[0] for r in rows]), np.array([r[1] for r in rows]),
            [r[2] for r in rows], np.array([r[3] for r in rows]))


def draw_stream(cfg: PairTrainConfig, stream: int, count: int, progress: bool = True):
    """``count`` data sets of one stream: features (count, F) float32, MI (count,), families, n."""
    units = [(cfg.seed, stream, i, min(CHUNK, count - i * CHUNK), cfg.n_min, cfg.n_max, cfg.tied)
             for i in range(-(-count // CHUNK))]
    if cfg.workers > 0:
        import multiprocessing as mp

        with mp.get_context("spawn").Pool(cfg.workers) as pool:
            parts = pool.imap(_unit, units)
            parts = list(_progress(parts, len(units), progress))
    else:
        parts = [_unit(u) for u in _progress(units, len(units), progress)]
    return (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]),
            [f for p in parts for f in p[2]], np.concatenate([p[3] for p in parts]))


def _progress(it, total, on):
    if not on:
        return it
    from tqdm.auto import tqdm

    return tqdm(it, total=total, desc="pair data sets", unit="unit")


def fit(cfg: PairTrainConfig, fit_data, stop_data, log=print) -> tuple[PairMLP, dict]:
    """Fit a PairMLP by the pinball loss on log1p(MI); the epoch with the lowest early-stopping loss
    is kept.  Returns (model in eval mode, record)."""
    torch.manual_seed(cfg.seed)
    feats, mi = (torch.as_tensor(fit_data[0]), torch.as_tensor(np.log1p(fit_data[1]), dtype=torch.float32))
    vfeats, vmi = (torch.as_tensor(stop_data[0]), torch.as_tensor(np.log1p(stop_data[1]), dtype=torch.float32))
    model = PairMLP(PairMLPConfig(n_features=feats.shape[1], width=cfg.width, depth=cfg.depth))
    with torch.no_grad():
        model.shift.copy_(feats.mean(0))
        model.scale.copy_(feats.std(0).clamp_min(1e-6))
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    steps_per_epoch = -(-feats.shape[0] // cfg.batch_size)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.lr, total_steps=cfg.epochs * steps_per_epoch,
                                                pct_start=0.05)
    gen = torch.Generator().manual_seed(cfg.seed)
    best, best_state, best_epoch, t0 = float("inf"), None, -1, time.time()
    q = model.cfg.quantiles
    for epoch in range(cfg.epochs):
        model.train()
        perm = torch.randperm(feats.shape[0], generator=gen)
        for s in range(0, perm.numel(), cfg.batch_size):
            idx = perm[s: s + cfg.batch_size]
            loss = pinball_loss(model(feats[idx]), mi[idx], q)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
        model.eval()
        with torch.no_grad():
            val = float(pinball_loss(model(vfeats), vmi, q))
            mae = float((torch.expm1(model(vfeats)[:, model.mid]) - torch.expm1(vmi)).abs().mean())
        if val < best:
            best, best_epoch = val, epoch
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
        log(f"epoch {epoch:3d}  stop pinball {val:.4f}  stop MAE {mae:.3f} nats  ({time.time() - t0:.0f} s)")
    model.load_state_dict(best_state)
    model.eval()
    record = {**asdict(cfg), "atlas_version": prior.ATLAS_VERSION, "families": list(prior.TRAIN_FAMILIES),
              "best_epoch": best_epoch, "stop_pinball": round(best, 5), "fit_seconds": round(time.time() - t0, 1),
              "torch": torch.__version__}
    return model, record


def cached_stream(cfg: PairTrainConfig, stream: int, count: int, cache_dir=None, progress: bool = True):
    """:func:`draw_stream`, kept in ``cache_dir`` (if given) under a name made of everything the draws
    depend on except the code (empty the cache after changing the statistics or the families); a
    fifth item says whether the draws were read from the cache."""
    if cache_dir is None:
        return (*draw_stream(cfg, stream, count, progress), False)
    from pathlib import Path

    path = Path(cache_dir) / (f"pairs-a{prior.ATLAS_VERSION}-s{cfg.seed}-st{stream}-c{count}-n{cfg.n_min}_{cfg.n_max}"
                              f"-f{N_FEATURES}{'-tied' if cfg.tied else ''}.npz")
    if path.exists():
        with np.load(path) as f:
            return f["feats"], f["mi"], list(f["family"]), f["n"], True
    out = draw_stream(cfg, stream, count, progress)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, feats=out[0], mi=out[1], family=np.array(out[2]), n=out[3])
    return (*out, False)


def train_pairs(cfg: PairTrainConfig, out_path, progress: bool = True, log=print, cache_dir=None) -> dict:
    """Draw both streams (or read them from ``cache_dir``), fit, and write the weight file at
    ``out_path``.  Returns the record."""
    import platform

    from ..weights import save_model

    t0 = time.time()
    fit_data = cached_stream(cfg, FIT_STREAM, cfg.data_sets, cache_dir, progress)
    stop_data = cached_stream(cfg, STOP_STREAM, cfg.val_sets, cache_dir, progress)
    draw_s = time.time() - t0
    cached = fit_data[4] or stop_data[4]
    log(f"{'read' if cached else 'drew'} {cfg.data_sets} + {cfg.val_sets} data sets in {draw_s:.0f} s")
    model, record = fit(cfg, fit_data, stop_data, log=log)
    # seconds of drawing: None when (some of) the draws came from the cache and were timed elsewhere
    record.update(draw_seconds=None if cached else round(draw_s, 1), hardware=f"{platform.machine()}, {torch.get_num_threads()} torch threads",
                  date=time.strftime("%Y-%m-%d"))
    save_model(model, out_path, meta={"pair_training": record})
    return record
