"""Fit a refinement head on a pretrained, frozen trunk (``infoatlas dev refine``).

The head reads the trunk's representation of a data set and kNN (KSG) statistics of its leading
canonical pairs (:func:`~infoatlas.knn.knn_features`), and adds a correction to the
network's quantiles.  Only the head trains, so the trunk's features are computed once per data set
(no backward pass through the set transformer): tens of thousands of atlas data sets fit in
minutes on a CPU, where training the trunk takes hours.

Data: the atlas training families only (``prior.TRAIN_FAMILIES`` of the current atlas version), a
fit stream and a separate early-stopping stream, both pure functions of the seed.  The held-out and
validation families are never read here.

Computing the features is the slow part (about 30 ms a data set per worker); ``cache_dir`` keeps
them on disk, keyed by everything they depend on (trunk tensors, feature settings, head inputs,
atlas version, seed, stream and count), so that head variants are compared on the same data sets
in minutes.  The key does not cover the code: empty the cache after changing how features or atlas
families are computed.
"""
from __future__ import annotations

import dataclasses
import time
from dataclasses import asdict, dataclass

import numpy as np
import torch

from ..atlas import prior
from ..knn import N_GLOBAL
from ..model import SetMI, build_model, pinball_loss

FIT_STREAM, STOP_STREAM = 0, 1


@dataclass
class RefineConfig:
    data_sets: int = 100_000   # fit stream (the shipped head's; 16,000 / 40,000 gave worse fits)
    val_sets: int = 4_000      # early-stopping stream (also training families, other draws)
    seed: int = 100
    n_knn: int = 8             # leading canonical pairs whose KSG the head reads
    n_global: int = 8          # whole-data-set statistics the head reads (0: none; 8: knn.N_GLOBAL)
    width: int = 128           # hidden width of the head
    epochs: int = 80
    lr: float = 1e-3
    weight_decay: float = 1e-2
    batch_size: int = 256      # data sets per step
    workers: int = 2           # processes computing features (0: in this process)
    family_weight: str = ""    # loss weights by family, "name=factor,..." (others 1), e.g. to protect plain Gaussians
    heads: int = 1             # heads fitted (seeds seed, seed + 1, ...) on the same features; the stored head is their mean
    more_seeds: str = ""       # further fit streams, "200,300": data_sets more data sets drawn with each seed, so that
                               # data can be added to a fit whose features are cached without recomputing them


def fit_seeds(cfg: RefineConfig) -> list[int]:
    """The seeds of the fit streams: ``cfg.seed`` and those of ``cfg.more_seeds`` (distinct)."""
    seeds = [cfg.seed]
    for part in filter(None, (p.strip() for p in cfg.more_seeds.split(","))):
        try:
            s = int(part)
        except ValueError:
            raise ValueError(f"more_seeds must be comma-separated integers, got {cfg.more_seeds!r}") from None
        if s in seeds:
            raise ValueError(f"more_seeds repeats seed {s} (the fit streams must differ)")
        seeds.append(s)
    return seeds


def family_weights(spec: str) -> dict[str, float]:
    """Parse ``RefineConfig.family_weight`` ("gauss_dense=2,gauss_sparse=1.5") into {family: factor}."""
    out = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, _, val = part.partition("=")
        if name not in prior.TRAIN_FAMILIES:
            raise ValueError(f"family_weight names {name!r}, not a training family ({', '.join(prior.TRAIN_FAMILIES)})")
        factor = float(val)
        if not factor > 0:
            raise ValueError(f"family_weight factor of {name} must be > 0, got {val!r}")
        out[name] = factor
    return out


def draw_case(seed: int, stream: int, i: int):
    """Data set ``i`` of a stream: (x (n, dx), y (n, dy), MI in nats, family), drawn as in
    pretraining (train families and their transforms, the MI, dims and n priors)."""
    return prior.draw_case(np.random.default_rng([seed, stream, i, 31]), "train")


def with_head(base_model: SetMI, n_knn: int, width: int, seed: int = 0, n_global: int = 0) -> SetMI:
    """A copy of ``base_model`` (its trunk and head) with a new, zero-output refinement head."""
    if n_global not in (0, N_GLOBAL):
        raise ValueError(f"n_global must be 0 or {N_GLOBAL}")
    cfg = dataclasses.replace(base_model.cfg, n_knn=n_knn, refine_width=width, n_global=n_global)
    with torch.random.fork_rng():  # seeds the new head's hidden layers without touching the caller's RNG
        torch.manual_seed(seed)
        model = build_model(base_model.arch, cfg.to_dict())
    state = {k: v for k, v in base_model.state_dict().items() if not k.startswith("refine.")}
    missing, unexpected = model.load_state_dict(state, strict=False)
    if unexpected or any(not k.startswith("refine.") for k in missing):
        raise ValueError(f"trunk does not fit: missing {missing}, unexpected {unexpected}")
    return model.eval()


def merge_heads(base_model: SetMI, heads: list[torch.nn.Module]) -> SetMI:
    """A copy of ``base_model`` whose refinement head outputs the mean of ``heads`` (refinement
    heads of the same shape, fitted on its trunk), stored as one head K times wider: the first
    layers side by side, the middle layers block-diagonal, the last layers concatenated and divided
    by K.  The same function as the mean up to float rounding (tested), read by the existing
    architecture (only ``refine_width`` grows)."""
    k = len(heads)
    lin = [[m for m in h if isinstance(m, torch.nn.Linear)] for h in heads]  # K x [first, middle, last]
    width = lin[0][0].out_features
    model = with_head(base_model, base_model.cfg.n_knn, width * k, 0, base_model.cfg.n_global)
    first, middle, last = (m for m in model.refine if isinstance(m, torch.nn.Linear))
    with torch.no_grad():
        first.weight.copy_(torch.cat([h[0].weight for h in lin]))                 # (K w, in)
        first.bias.copy_(torch.cat([h[0].bias for h in lin]))
        middle.weight.copy_(torch.block_diag(*[h[1].weight for h in lin]))        # (K w, K w)
        middle.bias.copy_(torch.cat([h[1].bias for h in lin]))
        last.weight.copy_(torch.cat([h[2].weight for h in lin], 1) / k)           # (Q, K w)
        last.bias.copy_(sum(h[2].bias for h in lin) / k)
    return model.eval()


_WORKER = {}


def _init_worker(state: dict, cfg_dict: dict, meta: dict, threads: int | None = None):
    from ..estimator import InfoAtlas

    if threads:  # worker processes only: the calling process keeps its own setting
        torch.set_num_threads(threads)
    model = build_model(SetMI.arch, cfg_dict)
    model.load_state_dict(state, strict=True)
    _WORKER["est"] = InfoAtlas(model.eval(), meta, random_state=0)


@torch.no_grad()
def _features(job) -> dict | None:
    """Trunk features of one data set: z (k chunks, Z), stats (k, n_stats), knn (k, K), truth."""
    import warnings

    seed, stream, i = job
    est = _WORKER["est"]
    x, y, mi, fam = draw_case(seed, stream, i)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ties in discrete-looking draws: expected, not news here
        p = est.prepare(x, y, null=False)  # the network's own reading: what the head corrects
    if p.inputs is None:
        return None
    inp = {k: v for k, v in p.inputs.items() if k != "knn"}
    z = est.model.features(**inp)
    return {"z": z.numpy(), "stats": inp["stats"].numpy(), "knn": p.inputs["knn"].numpy(), "truth": float(mi),
            "family": fam}


def cache_key(model: SetMI, meta: dict, seed: int, stream: int, count: int) -> str:
    """SHA-256 of what a stream's features depend on: the trunk's tensors (not the head's), the
    feature settings, the head's inputs (n_knn, n_global), the atlas version and the stream."""
    import hashlib
    import json

    h = hashlib.sha256()
    for k, v in sorted(model.state_dict().items()):
        if not k.startswith("refine."):
            h.update(k.encode())
            h.update(v.detach().cpu().numpy().tobytes())
    h.update(json.dumps({"features": _features_key(meta.get("features")), "n_knn": model.cfg.n_knn,
                         "n_global": model.cfg.n_global, "atlas": prior.ATLAS_VERSION, "families": list(prior.TRAIN_FAMILIES), "seed": seed,
                         "stream": stream, "count": count}, sort_keys=True, default=str).encode())
    return h.hexdigest()


def _features_key(feats):
    """The feature settings as the cache key reads them: their repr, without settings added later
    while they hold the value that reproduces the earlier features (spread_repeats = 0), so that
    caches written before such a setting existed stay valid."""
    from ..features import FeatureSettings

    if not isinstance(feats, FeatureSettings):
        return feats
    d = feats.to_dict()
    if d.get("spread_repeats") == 0:
        del d["spread_repeats"]
    return "FeatureSettings(" + ", ".join(f"{k}={v!r}" for k, v in d.items()) + ")"


def _save_records(path, recs: list[dict]) -> None:
    np.savez(path, z=np.concatenate([r["z"] for r in recs]), stats=np.concatenate([r["stats"] for r in recs]),
             knn=np.concatenate([r["knn"] for r in recs]), sizes=np.array([len(r["z"]) for r in recs]),
             truth=np.array([r["truth"] for r in recs]), family=np.array([r["family"] for r in recs]))


def _load_records(path) -> list[dict]:
    with np.load(path) as f:
        ends = np.cumsum(f["sizes"])
        parts = {k: np.split(f[k], ends[:-1]) for k in ("z", "stats", "knn")}
        return [{"z": parts["z"][i], "stats": parts["stats"][i], "knn": parts["knn"][i], "truth": float(t),
                 "family": str(fam)} for i, (t, fam) in enumerate(zip(f["truth"], f["family"]))]


def _cache_path(cache_dir, model: SetMI, meta: dict, seed: int, stream: int, count: int):
    """Where the features of a stream live in ``cache_dir`` (None without a cache)."""
    from pathlib import Path

    if cache_dir is None:
        return None
    return Path(cache_dir) / f"features-{cache_key(model, meta, seed, stream, count)[:20]}.npz"


def collect(model: SetMI, meta: dict, seed: int, stream: int, count: int, workers: int, progress=True,
            cache_dir=None) -> list[dict]:
    """Features of ``count`` data sets of a stream, computed in ``workers`` processes (or read
    from ``cache_dir`` when an earlier call with the same key wrote them there)."""
    path = _cache_path(cache_dir, model, meta, seed, stream, count)
    if path is not None and path.exists():
        return _load_records(path)
    jobs = [(seed, stream, i) for i in range(count)]
    state = {k: v.clone() for k, v in model.state_dict().items()}
    args = (state, model.cfg.to_dict(), {k: v for k, v in meta.items() if k != "interval_calibration"})
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=count, desc=f"features (stream {stream})", unit="set")
    out = []
    if workers <= 0:
        _init_worker(*args)
        it = map(_features, jobs)
    else:
        import multiprocessing as mp

        pool = mp.get_context("spawn").Pool(workers, initializer=_init_worker, initargs=(*args, 1))
        it = pool.imap(_features, jobs, chunksize=16)
    try:
        for rec in it:
            if rec is not None:
                out.append(rec)
            if bar is not None:
                bar.update(1)
    finally:
        if workers > 0:
            pool.terminate()
        if bar is not None:
            bar.close()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part.npz")
        _save_records(tmp, out)
        tmp.replace(path)  # whole files only: an interrupted run leaves no half-written cache
    return out


def _stack(recs: list[dict], weights: dict[str, float] | None = None) -> dict:
    """Concatenate the chunks of many data sets (those of data set i are rows start[i]:start[i+1]);
    ``weight`` (per data set) from the family factors, normalised to mean 1."""
    sizes = torch.tensor([len(r["z"]) for r in recs])
    w = torch.tensor([(weights or {}).get(r.get("family"), 1.0) for r in recs], dtype=torch.float32)
    return {"z": torch.from_numpy(np.concatenate([r["z"] for r in recs])),
            "stats": torch.from_numpy(np.concatenate([r["stats"] for r in recs])),
            "knn": torch.from_numpy(np.concatenate([r["knn"] for r in recs])),
            "start": torch.cat([torch.zeros(1, dtype=torch.long), sizes.cumsum(0)]),
            "target": torch.tensor([np.log1p(r["truth"]) for r in recs], dtype=torch.float32),
            "weight": w / w.mean()}


def dataset_quantiles(model: SetMI, d: dict, sel: torch.Tensor | None = None) -> torch.Tensor:
    """Quantiles of log1p(MI) per data set (averaged over its chunks, as the estimator does), for
    the data sets ``sel`` (default all) of a stacked feature dict.  Returns (len(sel), Q)."""
    if sel is None:
        sel = torch.arange(len(d["target"]))
    first, count = d["start"][sel], d["start"][sel + 1] - d["start"][sel]    # (len(sel),)
    slot = torch.repeat_interleave(torch.arange(len(sel)), count)             # (chunks,) -> its data set
    # row of each chunk: its data set's first row + its position among that data set's chunks
    rows = first[slot] + torch.arange(len(slot)) - (count.cumsum(0) - count)[slot]
    q = model.quantiles_from(d["z"][rows], d["stats"][rows], d["knn"][rows])  # (chunks, Q)
    sums = torch.zeros(len(sel), q.shape[1]).index_add(0, slot, q)
    return sums / count[:, None]


def fit_head(model: SetMI, fit: dict, stop: dict, cfg: RefineConfig, progress=True) -> dict:
    """Train ``model.refine`` only (AdamW, pinball loss), keep the epoch with the lowest
    early-stopping loss.  Returns a record of the fit."""
    for p in model.parameters():
        p.requires_grad_(False)
    for p in model.refine.parameters():
        p.requires_grad_(True)
    qs = model.cfg.quantiles
    opt = torch.optim.AdamW(model.refine.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    gen = torch.Generator().manual_seed(cfg.seed)

    def stop_loss():
        with torch.no_grad():
            return float(pinball_loss(dataset_quantiles(model, stop), stop["target"], qs, stop["weight"]))

    before = stop_loss()
    best = (before, {k: v.clone() for k, v in model.refine.state_dict().items()}, 0)
    n_sets = len(fit["target"])
    epochs = range(1, cfg.epochs + 1)
    if progress:
        from tqdm.auto import tqdm

        epochs = tqdm(epochs, desc="fit head", unit="epoch")
    model.train()
    for ep in epochs:
        perm = torch.randperm(n_sets, generator=gen)
        for s in range(0, n_sets, cfg.batch_size):
            sel = perm[s: s + cfg.batch_size]
            loss = pinball_loss(dataset_quantiles(model, fit, sel), fit["target"][sel], qs, fit["weight"][sel])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        cur = stop_loss()
        if cur < best[0]:
            best = (cur, {k: v.clone() for k, v in model.refine.state_dict().items()}, ep)
        if progress:
            epochs.set_postfix(stop_loss=f"{cur:.4f}", best=f"{best[0]:.4f}")
    model.refine.load_state_dict(best[1])
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return {"stop_pinball_before": round(before, 5), "stop_pinball_after": round(best[0], 5), "best_epoch": best[2]}


def refine(weights, out_path, cfg: RefineConfig = RefineConfig(), progress: bool = True, cache_dir=None) -> dict:
    """Fit a refinement head on the trunk of ``weights`` and write the result to ``out_path``
    (``cache_dir``: keep or reuse the computed features there).

    The interval calibration of ``weights`` is dropped (it described the old head): calibrate the
    new file (``infoatlas dev calibrate``) before using or measuring it.  Returns the stored record.
    """
    from ..weights import load_model, save_model

    t0 = time.time()
    base, meta = load_model(weights)
    model = with_head(base, cfg.n_knn, cfg.width, cfg.seed, cfg.n_global)
    weights_by_family = family_weights(cfg.family_weight)
    # the stored wall time then says whether it includes computing the features
    streams = [(s, FIT_STREAM, cfg.data_sets) for s in fit_seeds(cfg)] + [(cfg.seed, STOP_STREAM, cfg.val_sets)]
    from_cache = all(p is not None and p.exists() for p in (
        _cache_path(cache_dir, model, meta, seed, s, c) for seed, s, c in streams))
    fit_recs = []
    for seed, s, c in streams[:-1]:
        fit_recs += collect(model, meta, seed, s, c, cfg.workers, progress, cache_dir)
    fit = _stack(fit_recs, weights_by_family)
    del fit_recs
    stop = _stack(collect(model, meta, cfg.seed, STOP_STREAM, cfg.val_sets, cfg.workers, progress, cache_dir),
                  weights_by_family)
    record = fit_head(model, fit, stop, cfg, progress)
    if cfg.heads > 1:
        # more heads on the same features, each with its own initialisation and order of batches;
        # their mean varies less from one fit to the next than a single head (whose fits differed by
        # up to 0.2 nats in cells of 12 data sets: docs/experiments/head_ensemble)
        fitted, records = [model.refine], [record]
        for i in range(1, cfg.heads):
            extra_head = with_head(base, cfg.n_knn, cfg.width, cfg.seed + i, cfg.n_global)
            records.append(fit_head(extra_head, fit, stop, dataclasses.replace(cfg, seed=cfg.seed + i), progress))
            fitted.append(extra_head.refine)
        model = merge_heads(model, fitted)
        with torch.no_grad():
            after = float(pinball_loss(dataset_quantiles(model, stop), stop["target"], model.cfg.quantiles,
                                       stop["weight"]))
        record = {"stop_pinball_before": records[0]["stop_pinball_before"], "stop_pinball_after": round(after, 5),
                  "best_epoch": [r["best_epoch"] for r in records],
                  "heads_stop_pinball": [r["stop_pinball_after"] for r in records]}
    record.update({"config": asdict(cfg), "fit_sets": len(fit["target"]), "atlas_version": prior.ATLAS_VERSION,
                   "families": list(prior.TRAIN_FAMILIES), "seconds": round(time.time() - t0, 1),
                   "features_from_cache": from_cache})
    extra = {k: v for k, v in meta.items() if k != "interval_calibration"}
    extra["refine"] = record
    save_model(model, out_path, extra)
    return record
