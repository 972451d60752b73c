"""Developer verbs (``infoatlas dev train | refine | calibrate | atlas``): options derived from the
config dataclasses, so that each default is declared once.  Imported only when ``dev`` is used."""
from __future__ import annotations

import time

import click

from .features import FeatureSettings
from .model import SetMIConfig
from .training.pairs import PairTrainConfig
from .training.refine import RefineConfig
from .training.train import TrainConfig


def options_from(cls, help: dict[str, str]):
    """click options for fields of the dataclass ``cls`` (``--field-name``), with the dataclass's
    defaults: the config is the one source of defaults, the CLI only exposes it."""
    import dataclasses

    fields = {f.name: f for f in dataclasses.fields(cls)}

    def deco(fn):
        for name, text in reversed(list(help.items())):
            fld = fields[name]
            default = fld.default if fld.default is not dataclasses.MISSING else fld.default_factory()
            opt = "--" + name.replace("_", "-")
            if isinstance(default, bool):
                fn = click.option(f"{opt}/--no-{opt[2:]}", name, default=default, show_default=True, help=text)(fn)
            else:
                fn = click.option(opt, name, default=default, type=type(default), show_default=True, help=text)(fn)
        return fn

    return deco


def _split(kwargs: dict, cls) -> dict:
    """The entries of ``kwargs`` that are fields of ``cls`` (removed from kwargs)."""
    import dataclasses

    return {f.name: kwargs.pop(f.name) for f in dataclasses.fields(cls) if f.name in kwargs}


@click.group()
def dev():
    """Developer verbs: pretrain, refine and calibrate weight files; time the atlas."""


def _train_options(fn):
    fn = options_from(FeatureSettings, {"rows_per_pass": "Rows the network reads per pass (stored with the weights)."})(fn)
    fn = options_from(SetMIConfig, {"width": "Token width (from scratch only).",
                                    "n_layers": "Induced-set attention blocks (from scratch only)."})(fn)
    return options_from(TrainConfig, {
        "out_dir": "Checkpoints and logs.", "steps": "Steps (a cap with --time-budget).",
        "batch_size": "Data sets per step (and rank).", "lr": "Peak learning rate.",
        "min_lr": "End of the cosine schedule.", "warmup": "Linear warmup steps.",
        "init_from": "Warm start: a weight file (name or path) with matching tensors.",
        "n_max": "Largest sample size drawn.", "eval_every": "Steps between held-out evaluations.",
        "ckpt_every": "Steps between checkpoints.", "threads": "torch threads (0: default).",
        "device": "cpu, cuda, cuda:1, ...", "seed": "Training stream (and initialisation).",
        "stop_at": "End this run at this step (resume later).",
        "workers": "Processes generating batches ahead.",
        "prep_on_device": "Workers only sample; ranks, canonical form and statistics run on --device.",
        "time_budget": "Seconds of training (0: off); the lr schedule then runs over time."})(fn)


@dev.command()
@_train_options
@click.option("--export", "export_path", default=None, type=click.Path(dir_okay=False),
              help="After training, write shipped weights (.safetensors) here.")
@click.option("--no-progress", is_flag=True)
def train(export_path, no_progress, **kw):
    """Pretrain (or resume) the network on the atlas; runs under torchrun for DDP."""
    import os

    from .training.train import export_weights, train as run_train

    feats = FeatureSettings(**_split(kw, FeatureSettings))
    mcfg = SetMIConfig(**_split(kw, SetMIConfig))
    cfg = TrainConfig(**_split(kw, TrainConfig), model=mcfg.to_dict(), features=feats.to_dict())
    ckpt = run_train(cfg, progress=not no_progress)
    if export_path and int(os.environ.get("RANK", 0)) == 0:
        meta = export_weights(ckpt, export_path)
        click.echo(f"exported {export_path}: {meta}")


def _refine_options(fn):
    return options_from(RefineConfig, {
        "data_sets": "Training-family data sets to fit on.", "val_sets": "Further ones for early stopping.",
        "seed": "Fit and stopping streams.", "n_knn": "Leading canonical pairs whose KSG the head reads.",
        "n_global": "Whole-data-set statistics the head reads (0 or 8).",
        "width": "Hidden width of the head.", "epochs": "Epochs.", "lr": "Learning rate.",
        "weight_decay": "AdamW weight decay.", "batch_size": "Data sets per step.",
        "workers": "Processes computing the trunk's features.",
        "family_weight": "Loss weights by family, e.g. 'gauss_dense=2,gauss_sparse=2' (others 1).",
        "heads": "Heads fitted with seeds seed, seed+1, ... on the same features; the stored head is their mean.",
        "more_seeds": "Further fit streams, e.g. '200,300': data-sets more data sets drawn with each seed "
                      "(adds data to a cached fit without recomputing it)."})(fn)


@dev.command("train-pairs")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False),
              help="Where to write the pair-screening weights.")
@click.option("--no-progress", is_flag=True, help="No progress bars.")
@click.option("--cache", "cache_dir", default=None, type=click.Path(file_okay=False),
              help="Keep the drawn statistics here and reuse them (variants of the fit in seconds).")
@options_from(PairTrainConfig, {
    "data_sets": "1+1 atlas data sets in the fit stream.", "val_sets": "Data sets in the early-stopping stream.",
    "seed": "Seed of both streams and of the initialisation.", "n_min": "Smallest n drawn.",
    "n_max": "Largest n drawn.", "width": "Hidden width.", "depth": "Hidden layers.", "epochs": "Epochs.",
    "lr": "Peak learning rate (one-cycle schedule).", "weight_decay": "AdamW weight decay.",
    "batch_size": "Data sets per step.", "workers": "Processes drawing data sets (0: this one).",
    "tied": "Keep data sets with tied values, ties broken at random as pairwise reads them (else draw again)."})
def train_pairs(out_path, no_progress, cache_dir, **kw):
    """Train the pair-screening model (``pairwise(method="fast")``) on 1+1 data sets of the atlas's
    training families; minutes on a CPU."""
    from .training.pairs import train_pairs as run

    rec = run(PairTrainConfig(**kw), out_path, progress=not no_progress, cache_dir=cache_dir)
    click.echo(f"early-stopping pinball {rec['stop_pinball']:.4f} (epoch {rec['best_epoch']}); wrote {out_path}")


@dev.command()
@click.option("--model", required=True, help="Weights whose trunk is kept: a shipped name or a .safetensors path.")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False),
              help="Where to write the weights with the new head (calibrate them next).")
@click.option("--cache", "cache_dir", default=None, type=click.Path(file_okay=False),
              help="Keep the computed features here and reuse them when nothing they depend on changed.")
@_refine_options
def refine(model, out_path, cache_dir, **kw):
    """Fit a refinement head (trunk frozen) that reads kNN statistics of the leading canonical
    pairs, on the atlas training families; minutes on a CPU.  Drops the old interval calibration."""
    from .training.refine import refine as run_refine

    rec = run_refine(model, out_path, RefineConfig(**kw), cache_dir=cache_dir)
    click.echo(f"early-stopping pinball loss {rec['stop_pinball_before']:.4f} -> {rec['stop_pinball_after']:.4f} "
               f"(epoch {rec['best_epoch']}), {rec['seconds']:.0f} s; wrote {out_path}")
    click.echo(f"next: infoatlas dev calibrate --model {out_path} --out {out_path}")


@dev.command()
@click.option("--model", required=True, help="Weights to calibrate: a shipped name or a .safetensors path.")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False),
              help="Where to write the weight file with the calibration (may be the input path).")
@click.option("--per-cell", default=100, show_default=True,
              help="Data sets per (family, dims, n) cell of the calibration grid (the tail quantile needs thousands).")
@click.option("--seed", default=0, show_default=True)
@click.option("--coverage", default=0.9, show_default=True, help="Target coverage of the interval.")
@click.option("--min-scale", default=1.0, show_default=True,
              help="Smallest factor kept (1: the interval is only ever widened).")
@click.option("--width-edges", default=None,
              help="Comma-separated upper edges of the width classes (dx + dy); \"\": factors by n only "
                   "[default: calibrate.DEFAULT_WIDTH_EDGES, 20].")
@click.option("--spread-floor", default=None, type=float,
              help="Smallest distance (log1p nats) from the median to an outer quantile that the factors multiply "
                   "[default: calibrate.DEFAULT_SPREAD_FLOOR, 0.02].")
def calibrate(model, out_path, per_cell, seed, coverage, min_scale, width_edges, spread_floor):
    """Fit the 90% interval's widening on the atlas's validation families (neither training nor
    held-out families) and store it in the weight file's metadata; the weights are unchanged."""
    from .training.calibrate import DEFAULT_SPREAD_FLOOR, DEFAULT_WIDTH_EDGES
    from .training.calibrate import calibrate as run_calibrate

    try:
        edges = DEFAULT_WIDTH_EDGES if width_edges is None else tuple(int(e) for e in width_edges.split(",") if e.strip())
    except ValueError:
        raise click.BadParameter(f"expected comma-separated integers, got {width_edges!r}", param_hint="--width-edges")
    rec = run_calibrate(model, out_path, per_cell=per_cell, seed=seed, coverage=coverage, min_scale=min_scale,
                        width_edges=edges, floor=DEFAULT_SPREAD_FLOOR if spread_floor is None else spread_floor)
    widths = rec.get("widths")
    click.echo(f"{rec['data_sets']} validation data sets ({', '.join(rec['families'])}); factors (lower, upper)"
               " by n" + (f" and width ({', '.join(map(str, widths))} columns)" if widths else "")
               + f", spreads taken at least {rec['spread_floor']}; fitted -> kept:")
    for i, k in enumerate(rec["ns"]):
        for j, w in enumerate(widths or [None]):
            a, b, c, d = (rec[f][i] if widths is None else rec[f][i][j]
                          for f in ("fitted_lower", "fitted_upper", "lower", "upper"))
            click.echo(f"  n={k:>6}" + ("" if w is None else f", width {w:>3}") + f": {a:.3f}, {b:.3f} -> {c:.3f}, {d:.3f}")
    click.echo(f"coverage {rec['coverage_before']:.1%} -> {rec['coverage_after']:.1%} (in-sample); wrote {out_path}")


@dev.command("atlas")
@click.option("--n", default=1024, show_default=True)
@click.option("--max-dim", default=10, show_default=True, help="dx, dy drawn up to this.")
@click.option("--batches", default=30, show_default=True)
@click.option("--batch-size", default=32, show_default=True)
@click.option("--split", default="train", show_default=True, type=click.Choice(["train", "heldout"]))
@click.option("--seed", default=0, show_default=True)
def dev_atlas(n, max_dim, batches, batch_size, split, seed):
    """Data sets per second that the atlas generates (single process; set OMP/MKL threads to 1
    for a one-core figure)."""
    import numpy as np

    from .atlas import prior

    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    for _ in range(batches):
        dx, dy = prior.draw_dims(rng, max_dim)
        prior.sample_batch(rng, batch_size, n, dx, dy, split)
    dt = time.perf_counter() - t0
    click.echo(f"atlas {split}: {batches * batch_size / dt:.0f} data sets/s at n={n}, dims up to "
               f"{max_dim}+{max_dim} ({batches} batches of {batch_size}, {dt:.1f} s)")


