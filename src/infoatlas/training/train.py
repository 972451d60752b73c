"""Pretraining loop: stream batches from the atlas, fit quantiles of log1p(MI), checkpoint.

One readable loop (nanoGPT style).  DDP turns on when torchrun sets RANK (gloo on CPU, nccl on
GPU); rank 0 logs, evaluates and writes checkpoints.  Every batch is a pure function of
(seed, rank, step), so a resumed run continues the same stream.
"""
from __future__ import annotations

import dataclasses
import json
import math
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch

from ..atlas import prior
from ..features import FeatureSettings, Featurizer
from ..metrics import within_factor
from ..model import SetMI, SetMIConfig, build_model, pinball_loss

CHECKPOINT = "ckpt.safetensors"  #: a run's checkpoint in its out_dir (no pickle: safetensors + JSON)


@dataclass
class TrainConfig:
    out_dir: str = "runs/base"
    steps: int = 20_000
    batch_size: int = 32
    lr: float = 1e-3
    min_lr: float = 1e-4
    warmup: int = 300
    weight_decay: float = 0.01
    grad_clip: float = 1.0
    n_min: int = 32
    n_max: int = 4096
    max_dim_data: int = 32     # largest dx, dy drawn
    eval_every: int = 250
    eval_batches: int = 8
    ckpt_every: int = 100
    seed: int = 0
    threads: int = 0           # torch threads (0: leave torch's default)
    stop_at: int = 0           # stop this run at this step (0: at ``steps``); resume later
    workers: int = 0           # processes making batches ahead (0: in the training process)
    time_budget: float = 0.0   # seconds of training; > 0: the cosine runs over time, not steps,
                               # and the run ends when the budget is spent (``steps`` is a cap)
    prep_on_device: bool = False  # workers only sample; ranks, canonical form and statistics are
                                  # computed on ``device`` (on a GPU machine they were 70% of a worker's time)
    device: str = "cpu"
    init_from: str = ""        # warm start: a weight file (name or path) whose matching tensors seed the model
    model: dict = field(default_factory=lambda: SetMIConfig().to_dict())
    features: dict = field(default_factory=lambda: FeatureSettings().to_dict())  # stored with the weights


def featurizer(cfg: TrainConfig, mcfg: SetMIConfig) -> Featurizer:
    """The featurizer training batches go through (the one the exported weights will carry)."""
    return Featurizer(mcfg.max_dim, 0, FeatureSettings.from_dict(cfg.features))


def _raw_batch(rng, cfg: TrainConfig, split="train"):
    """The samples of one batch sharing (n, dx, dy): x (B, n, dx), y (B, n, dy), MI (B,), families."""
    n = prior.draw_n(rng, cfg.n_min, cfg.n_max)
    dx, dy = prior.draw_dims(rng, cfg.max_dim_data)
    return prior.sample_batch(rng, cfg.batch_size, n, dx, dy, split)


def make_batch(rng, cfg: TrainConfig, mcfg: SetMIConfig, split="train", device="cpu"):
    """One batch sharing (n, dx, dy): model input tensors and target log1p(MI), plus MI (B,)."""
    x, y, mi, fams = _raw_batch(rng, cfg, split)
    inp = featurizer(cfg, mcfg).batch(x, y, device)
    return inp, torch.tensor(mi, dtype=torch.float32, device=device), fams


# plain-Gaussian sanity check (dims, n): Gaussian-copula MI is exact there, so a model whose
# correction drifts away from 0 on these shows it at once
SANITY_CELLS = ((1, 1, 1000), (2, 2, 1000), (5, 5, 1000), (3, 8, 500), (10, 10, 2000))


def make_sanity_batches(rng, feat: Featurizer, per_cell: int = 16, device="cpu") -> list:
    out = []
    for dx, dy, n in SANITY_CELLS:
        x, y, mi = prior.sample_gaussian_batch(rng, per_cell, n, dx, dy)
        out.append((feat.batch(x, y, device), torch.tensor(mi, dtype=torch.float32, device=device),
                    f"{dx}+{dy}"))
    return out


@torch.no_grad()
def evaluate_sanity(model, batches) -> dict:
    """Mean |error| (nats) on plain Gaussians, of the model and of the Gaussian-copula MI."""
    model.eval()
    err, err_g = [], []
    for inp, mi, _ in batches:
        mid = torch.expm1(model(**inp)[:, model.cfg.quantiles.index(0.5)].clamp_min(0))
        err.append((mid - mi).abs())
        err_g.append((torch.expm1(inp["stats"][:, 0]) - mi).abs())
    model.train()
    return {"gauss_mae": torch.cat(err).mean().item(), "gauss_gcmi_mae": torch.cat(err_g).mean().item()}


def step_batch(args):
    """The training batch of one step as numpy arrays: a pure function of (seed, rank, step).

    A numerically degenerate draw (a failed Cholesky) is replaced by a redraw from a derived seed,
    so every step yields a batch and DDP ranks stay in lockstep.
    """
    cfg, mcfg, rank, step = args
    if cfg.prep_on_device:
        # the raw samples of attempt 0 (the same draws as make_batch's); float32 halves the bytes
        # and keeps the order of the values, which is all the copula step reads
        x, y, mi, _ = _raw_batch(np.random.default_rng([cfg.seed, rank, step]), cfg)
        return {"x": x.astype(np.float32), "y": y.astype(np.float32)}, mi.astype(np.float32)
    for attempt in range(10):
        rng = np.random.default_rng([cfg.seed, rank, step, attempt] if attempt else [cfg.seed, rank, step])
        try:
            inp, mi, _ = make_batch(rng, cfg, mcfg, "train")
            # u, v without their zero padding to max_dim (the batch shares dims): about 4x fewer
            # bytes through the worker pipes (measured); padded restores it on the training device
            inp["u"] = inp["u"][..., : int(inp["mask_x"][0].sum())]
            inp["v"] = inp["v"][..., : int(inp["mask_y"][0].sum())]
            return {k: v.numpy() for k, v in inp.items()}, mi.numpy()
        except (torch.linalg.LinAlgError, np.linalg.LinAlgError):
            continue
    raise RuntimeError(f"could not draw a well-conditioned batch at step {step}")


def _device_inputs(batch: dict, cfg: TrainConfig, mcfg: SetMIConfig, rank: int, step: int):
    """The network's input tensors and MI (B,) on ``cfg.device`` from :func:`step_batch`'s output."""
    inp, mi = batch
    if "x" in inp:  # raw samples (prep_on_device): the preparation runs here, on the device
        try:
            return featurizer(cfg, mcfg).batch(inp["x"], inp["y"], cfg.device), torch.from_numpy(mi).to(cfg.device)
        except torch.linalg.LinAlgError:  # a degenerate draw: the CPU path's redraw, as without the option
            inp, mi = step_batch((dataclasses.replace(cfg, prep_on_device=False), mcfg, rank, step))
    return padded(inp, mcfg.max_dim, cfg.device), torch.from_numpy(mi).to(cfg.device)


def batch_stream(cfg: TrainConfig, mcfg: SetMIConfig, rank: int, start: int, end: int):
    """Yield :func:`step_batch` for steps start, start + 1, ... < end, in order.

    With ``cfg.workers`` > 0 the batches are made ahead in worker processes, at most 2 per worker
    in flight (a slow consumer never piles them up in memory); the order, and so the stream, is the
    same as without workers, and a resumed run picks it up at its step.
    """
    if cfg.workers <= 0:
        for step in range(start, end):
            yield step_batch((cfg, mcfg, rank, step))
        return
    import collections
    import multiprocessing as mp

    pool = mp.get_context("spawn").Pool(cfg.workers, initializer=torch.set_num_threads, initargs=(1,))
    ahead, queued = collections.deque(), start
    try:
        while ahead or queued < end:
            while len(ahead) < 2 * cfg.workers and queued < end:
                ahead.append(pool.apply_async(step_batch, ((cfg, mcfg, rank, queued),)))
                queued += 1
            yield ahead.popleft().get()
    finally:  # also when the consumer stops early (time budget, or an error)
        pool.terminate()


def padded(inp: dict, max_dim: int, device) -> dict:
    """A batch from :func:`step_batch` as the network's input tensors on ``device``."""
    out = {k: torch.from_numpy(v).to(device) for k, v in inp.items()}
    for k in ("u", "v"):
        out[k] = torch.nn.functional.pad(out[k], (0, max_dim - out[k].shape[-1]))
    return out


def _warm_start(model, path_or_name) -> dict:
    """Copy every trunk tensor of a weight file into ``model``; the only tensors allowed to be missing
    are those of branches the file's architecture did not have (they keep their initialisation,
    which is built to leave the output unchanged).  Returns the file's training metadata."""
    from ..weights import load_model

    src, meta = load_model(path_or_name)
    # a refinement head was fitted to the file's trunk as it was; once the trunk trains on, it
    # no longer fits, so it is dropped (``infoatlas dev refine`` fits a new one)
    state = {k: v for k, v in src.state_dict().items() if not k.startswith("refine.")}
    missing, unexpected = model.load_state_dict(state, strict=False)
    bad = [k for k in missing if not k.startswith("pair_")]
    if bad or unexpected:
        raise ValueError(f"cannot warm-start from {path_or_name}: missing {bad}, unexpected {unexpected}")
    keep = ("step", "datasets_seen", "train_seconds", "seed", "atlas_version", "schedule")
    # the file's name only: a machine's paths mean nothing in a shipped file
    rec = {"from": Path(str(path_or_name)).name, **{k: meta[k] for k in keep if k in meta}}
    if "init" in meta:  # the file was itself warm-started: keep the whole chain of runs
        rec["init"] = meta["init"]
    return rec


def lr_at(step: int, cfg: TrainConfig, elapsed: float = 0.0) -> float:
    """Linear warmup over steps, then cosine decay to min_lr: over the steps, or, with a time
    budget, over the training seconds ``elapsed`` (for a machine lent for minutes, where the step
    rate is not known in advance)."""
    if step < cfg.warmup:
        return cfg.lr * (step + 1) / cfg.warmup
    if cfg.time_budget > 0:
        t = min(1.0, elapsed / cfg.time_budget)
    else:
        t = min(1.0, (step - cfg.warmup) / max(1, cfg.steps - cfg.warmup))
    return cfg.min_lr + 0.5 * (cfg.lr - cfg.min_lr) * (1 + math.cos(math.pi * t))


def save_checkpoint(path: Path, model, opt, step: int, cfg: TrainConfig, stats: dict) -> None:
    """Write a resumable checkpoint without pickle: tensors (the model's under ``model.``, the
    optimizer's state under ``opt.<param>.<name>``) in safetensors, everything else as JSON in its
    metadata.  Atomic: a kill mid-write leaves the previous checkpoint intact."""
    from safetensors.torch import save_file

    osd = opt.state_dict()
    tensors = {f"model.{k}": v for k, v in model.state_dict().items()}
    for pid, st in osd["state"].items():
        for k, v in st.items():
            tensors[f"opt.{pid}.{k}"] = v if torch.is_tensor(v) else torch.tensor(v)
    record = {"arch": model.arch, "model_config": model.cfg.to_dict(), "step": step,
              "train_config": asdict(cfg), "stats": stats, "param_groups": osd["param_groups"]}
    tmp = path.with_suffix(".tmp")
    save_file({k: v.detach().contiguous().cpu() for k, v in tensors.items()}, str(tmp),
              metadata={"checkpoint": json.dumps(record)})
    os.replace(tmp, path)


def load_checkpoint(path: Path, device="cpu") -> dict:
    """Read :func:`save_checkpoint`'s file: {"model": network (on ``device``), "optimizer": a state
    dict for ``torch.optim.AdamW.load_state_dict``, "step", "stats", "train_config", ...}.

    Nothing in it can run code; its config is checked against its tensors before the network is
    allocated, as for weight files (:func:`infoatlas.weights.build_checked`).
    """
    from safetensors import SafetensorError, safe_open

    from ..weights import WeightsError, build_checked

    try:
        with safe_open(str(path), framework="pt") as fh:
            record = json.loads((fh.metadata() or {})["checkpoint"])
            model = build_checked(fh, path, record["arch"], record["model_config"], prefix="model.")
            state: dict = {}
            for k in fh.keys():
                if k.startswith("opt."):
                    _, pid, name = k.split(".", 2)
                    state.setdefault(int(pid), {})[name] = fh.get_tensor(k).to(device)
    except (SafetensorError, OSError, ValueError, KeyError, TypeError) as e:
        raise WeightsError(f"corrupt or unreadable checkpoint {path}: {e!r}") from e
    record["model"] = model.to(device)
    record["optimizer"] = {"state": state, "param_groups": record.pop("param_groups")}
    return record


@torch.no_grad()
def evaluate(model, batches) -> dict:
    model.eval()
    errs, within, cover = [], [], []
    for inp, mi, _ in batches:
        q = model(**inp)
        est = torch.expm1(q.clamp_min(0))  # (B, Q) nats
        mid = est[:, model.cfg.quantiles.index(0.5)]
        errs.append((mid - mi).abs())
        within.append(torch.from_numpy(within_factor(mid.cpu().numpy(), mi.cpu().numpy())))
        cover.append((est[:, 0] <= mi) & (mi <= est[:, -1]))
    model.train()
    cat = lambda xs: torch.cat(xs).float().mean().item()  # noqa: E731
    return {"heldout_mae": cat(errs), "heldout_within_1.5": cat(within), "heldout_coverage": cat(cover)}


def train(cfg: TrainConfig, progress: bool = True) -> Path:
    """Run (or resume) pretraining; returns the checkpoint path.  ``cfg`` is not modified."""
    cfg = dataclasses.replace(cfg)  # the device is set per rank below; the caller's config stays
    ddp = "RANK" in os.environ
    rank, world = 0, 1
    if ddp:
        import torch.distributed as dist

        backend = "nccl" if cfg.device.startswith("cuda") else "gloo"
        dist.init_process_group(backend)
        rank, world = dist.get_rank(), dist.get_world_size()
        if cfg.device.startswith("cuda"):
            cfg.device = f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}"
            torch.cuda.set_device(cfg.device)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    out = Path(cfg.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ckpt_path = out / CHECKPOINT
    if (out / "ckpt.pt").exists() and not ckpt_path.exists():
        raise RuntimeError(f"{out / 'ckpt.pt'} is a pickle checkpoint of an older version; it is not "
                           "loaded (unpickling can run code). Start a new --out-dir.")
    ck = load_checkpoint(ckpt_path, cfg.device) if ckpt_path.exists() else None
    step, stats = 0, {"datasets_seen": 0, "train_seconds": 0.0}
    if ck:  # a resumed run keeps the architecture and feature settings it was started with
        model, mcfg = ck["model"], ck["model"].cfg
        cfg.features = ck["train_config"].get("features", cfg.features)
        step, stats = ck["step"], ck["stats"]
    else:
        torch.manual_seed(cfg.seed)
        model = build_model(SetMI.arch, cfg.model).to(cfg.device)
        mcfg = model.cfg
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    if ck:
        opt.load_state_dict(ck["optimizer"])
        if rank == 0:
            print(f"resumed from {ckpt_path} at step {step}")
    elif cfg.init_from:
        stats["init"] = _warm_start(model, cfg.init_from)
        if rank == 0:
            print(f"warm start from {cfg.init_from} (step {stats['init'].get('step')})")
    net = model
    if ddp:
        from torch.nn.parallel import DistributedDataParallel

        net = DistributedDataParallel(model, device_ids=None if cfg.device == "cpu" else [cfg.device])
    eval_batches = sanity_batches = None
    if rank == 0:
        # held-out families only; a fixed seed far from the training streams
        erng = np.random.default_rng([cfg.seed, 999_999])
        eval_batches = [make_batch(erng, cfg, mcfg, "heldout", cfg.device) for _ in range(cfg.eval_batches)]
        sanity_batches = make_sanity_batches(np.random.default_rng([cfg.seed, 999_998]), featurizer(cfg, mcfg),
                                             device=cfg.device)
    bar = None
    if progress and rank == 0:
        from tqdm import tqdm

        bar = tqdm(total=cfg.steps, initial=step, desc="pretrain", dynamic_ncols=True)
    end = min(cfg.steps, cfg.stop_at) if cfg.stop_at else cfg.steps
    stream = batch_stream(cfg, mcfg, rank, step, end)
    log = open(out / "log.jsonl", "a") if rank == 0 else None
    try:
        _loop(cfg, model, net, opt, stream, mcfg, rank, world, ddp, step, end, stats, ckpt_path,
              log, bar, eval_batches, sanity_batches)
    finally:
        if log is not None:
            log.close()
        if bar is not None:
            bar.close()
        stream.close()  # ends the worker processes
    if ddp:
        import torch.distributed as dist

        # every rank past its last collective before any tears gloo down: a rank that destroyed the
        # group while the other still talked to it aborted now and then ("terminate called without
        # an active exception": 2 of 10 runs of the DDP tests here; 0 of 16 with the barrier)
        dist.barrier()
        dist.destroy_process_group()
    return ckpt_path


def _loop(cfg, model, net, opt, stream, mcfg, rank, world, ddp, step, end, stats, ckpt_path, log, bar,
          eval_batches, sanity_batches) -> None:
    """The training steps from ``step`` to ``end`` (or until the time budget is spent)."""
    if ddp:
        import torch.distributed as dist
    t_last = time.perf_counter()
    time_up = False
    while step < end and not time_up:
        batch = next(stream)
        inp, mi = _device_inputs(batch, cfg, mcfg, rank, step)
        lr = lr_at(step, cfg, stats["train_seconds"])
        for g in opt.param_groups:
            g["lr"] = lr
        q = net(**inp)
        loss = pinball_loss(q, torch.log1p(mi), mcfg.quantiles)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
        opt.step()
        step += 1
        now = time.perf_counter()
        stats["datasets_seen"] += cfg.batch_size * world
        stats["train_seconds"] += now - t_last
        t_last = now
        if cfg.time_budget > 0:
            if ddp:  # rank 0's clock drives every rank's lr and stop, so the replicas stay identical
                clock = torch.tensor([stats["train_seconds"]], dtype=torch.float64, device=cfg.device)
                dist.broadcast(clock, 0)
                stats["train_seconds"] = clock.item()
            time_up = stats["train_seconds"] >= cfg.time_budget
        last = step == end or time_up
        if rank == 0:
            rec = {"step": step, "loss": loss.item(), "lr": lr, "time": round(time.time(), 1)}
            if step % cfg.eval_every == 0 or step == cfg.steps or last:
                rec.update(evaluate(model, eval_batches))
                rec.update(evaluate_sanity(model, sanity_batches))
                rec.update(stats)
            if "heldout_mae" in rec or step % 20 == 0:
                log.write(json.dumps(rec) + "\n")
                log.flush()
            if bar is None and "heldout_mae" in rec:  # no bar (a batch job's log): print evaluations
                print(json.dumps(rec), flush=True)
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{rec['loss']:.3f}", **({"mae": f"{rec['heldout_mae']:.3f}"}
                                                             if "heldout_mae" in rec else {}))
            if step % cfg.ckpt_every == 0 or last:
                save_checkpoint(ckpt_path, model, opt, step, cfg, stats)
                t_last = time.perf_counter()


def export_weights(ckpt_path, out_path) -> dict:
    """Turn a training checkpoint into a shipped safetensors file; returns its training record."""
    from ..weights import save_model

    ck = load_checkpoint(Path(ckpt_path))
    tc = ck["train_config"]
    meta = {"step": ck["step"], "datasets_seen": ck["stats"]["datasets_seen"],
            "train_seconds": round(ck["stats"]["train_seconds"]), "seed": tc["seed"],
            "atlas_version": prior.ATLAS_VERSION, "schedule":
                {k: tc.get(k, 0) for k in ("lr", "min_lr", "warmup", "steps", "batch_size", "weight_decay",
                                           "time_budget")}}
    if "init" in ck["stats"]:
        meta["init"] = ck["stats"]["init"]  # the warm start's own training record
    save_model(ck["model"], out_path, meta, features=FeatureSettings.from_dict(tc["features"]))
    return meta
