"""Command line: ``infoatlas estimate | pairwise | demo | bench | train | refine | calibrate``.

Heavy modules (torch, the model, pandas) are imported inside the commands, so ``--help`` is instant.
"""
from __future__ import annotations

import json
import sys
import time

import click


def _read_table(path: str):
    import pandas as pd

    low = path.lower()
    if low.endswith((".parquet", ".pq")):
        try:
            return pd.read_parquet(path)
        except ImportError as e:
            raise click.ClickException(f"reading Parquet needs pyarrow: pip install pyarrow ({e})")
    if low.endswith((".csv", ".txt", ".tsv")):
        return pd.read_csv(path, sep="\t" if low.endswith(".tsv") else ",")
    raise click.ClickException(f"unsupported file type: {path} (use .csv, .tsv or .parquet)")


def _columns(df, spec: str, what: str) -> list:
    """'a,b,c' (names) or '0,2' (0-based indices) or '0:3' (a range) -> column names."""
    out = []
    for part in [p.strip() for p in spec.split(",") if p.strip()]:
        if part in df.columns:
            out.append(part)
        elif ":" in part and all(s.strip().isdigit() or not s.strip() for s in part.split(":")):
            a, b = part.split(":")
            out.extend(df.columns[int(a or 0): int(b) if b else None])
        elif part.isdigit() and int(part) < df.shape[1]:
            out.append(df.columns[int(part)])
        else:
            raise click.ClickException(f"{what}: no column {part!r}; columns are {list(df.columns)}")
    if not out:
        raise click.ClickException(f"{what}: no columns selected")
    return out


def _load_estimator(model, **kw):
    from .estimator import InfoAtlas
    from .weights import WeightsError

    try:
        return InfoAtlas.from_pretrained(model, **kw)
    except WeightsError as e:
        raise click.ClickException(str(e))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="infoatlas")
def main():
    """InfoAtlas: zero-shot mutual information (nats) between multi-dimensional variables."""


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--x", "xcols", required=True, help="X columns: names or 0-based indices, comma-separated, or a range 0:3.")
@click.option("--y", "ycols", required=True, help="Y columns, as for --x.")
@click.option("--json", "as_json", is_flag=True, help="Print the estimate as JSON.")
@click.option("--bits", is_flag=True, help="Report bits instead of nats.")
@click.option("--drop-nan", is_flag=True, help="Drop rows with NaN/inf instead of failing.")
@click.option("--model", default=None, help="Weights: a shipped name or a .safetensors path.")
@click.option("--seed", default=0, show_default=True, help="Seed for subsampling very large data.")
def estimate(file, xcols, ycols, as_json, bits, drop_nan, model, seed):
    """Estimate I(X;Y) between two groups of columns of a CSV or Parquet FILE."""
    df = _read_table(file)
    xs, ys = _columns(df, xcols, "--x"), _columns(df, ycols, "--y")
    est = _load_estimator(model, random_state=seed, nan_policy="omit" if drop_nan else "raise")
    t0 = time.perf_counter()
    try:
        res = est.estimate(df[xs], df[ys])
    except (ValueError, TypeError) as e:
        raise click.ClickException(str(e))
    dt = time.perf_counter() - t0
    if bits:
        res = res.to_bits()
    unit = "bits" if bits else "nats"
    if as_json:
        click.echo(json.dumps({**res.as_dict(), "unit": unit, "x": xs, "y": ys, "seconds": dt}))
    else:
        click.echo(f"I(X;Y) = {res.mi:.4f} {unit}  (90% interval {res.lower:.4f} - {res.upper:.4f})")
        click.echo(f"n = {res.n}, dim_x = {res.dim_x}, dim_y = {res.dim_y}, {dt * 1e3:.1f} ms")
        for note in res.notes:
            click.echo(f"note: {note}")


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--columns", default=None, help="Columns to use (as for estimate --x); default all numeric.")
@click.option("--plot", type=click.Path(dir_okay=False), default=None, help="Write a heatmap PNG.")
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Write the matrix as CSV.")
@click.option("--model", default=None, help="Weights: a shipped name or a .safetensors path.")
def pairwise(file, columns, plot, out, model):
    """MI (nats) between every pair of columns of FILE."""
    import numpy as np

    df = _read_table(file)
    if columns:
        df = df[_columns(df, columns, "--columns")]
    else:
        df = df.select_dtypes(include=[np.number, "bool"])
    if df.shape[1] < 2:
        raise click.ClickException("pairwise needs at least two numeric columns")
    est = _load_estimator(model)
    try:
        mat = est.pairwise(df, progress=True)
    except (ValueError, TypeError) as e:
        raise click.ClickException(str(e))
    click.echo(mat.round(3).to_string())
    if out:
        mat.to_csv(out)
    if plot:
        from .bench.plots import heatmap

        heatmap(mat, plot)
        click.echo(f"heatmap written to {plot}")


@main.command()
@click.option("--model", default=None, help="Weights: a shipped name or a .safetensors path.")
def demo(model):
    """Estimate MI on the bundled example data (known MI), next to KSG and Gaussian-copula MI."""
    from importlib import resources

    import pandas as pd

    from .baselines import KSG, GaussianCopula

    root = resources.files("infoatlas") / "data"
    info = json.loads((root / "example.json").read_text())
    with (root / info["file"]).open() as fh:
        df = pd.read_csv(fh)
    x, y = df[info["x"]].to_numpy(), df[info["y"]].to_numpy()
    click.echo(f"example data: n = {len(df)}, X = {info['x']}, Y = {info['y']}")
    click.echo(f"  {info['description']}")
    est = _load_estimator(model)
    est.estimate(x[:100], y[:100])  # warm-up so the timing below is one steady pass
    rows = []
    t0 = time.perf_counter()
    r = est.estimate(x, y)
    rows.append(("InfoAtlas", r.mi, f"[{r.lower:.3f}, {r.upper:.3f}]", time.perf_counter() - t0))
    for name, b in (("KSG (k=3)", KSG()), ("Gaussian copula", GaussianCopula())):
        t0 = time.perf_counter()
        v = b.estimate(x, y)
        rows.append((name, v, "", time.perf_counter() - t0))
    truth = info["mi_nats"]
    click.echo(f"\ntrue MI: {truth:.4f} nats\n")
    click.echo(f"{'estimator':<17}{'MI (nats)':>10}{'error':>9}  {'90% interval':<18}{'time (ms)':>10}")
    for name, v, iv, dt in rows:
        click.echo(f"{name:<17}{v:>10.4f}{v - truth:>+9.4f}  {iv:<18}{dt * 1e3:>10.1f}")
    line = (f"\nweights: {est.meta.get('name', 'infoatlas-base')} (step {est.meta.get('step', '?')}, "
            f"{est.meta.get('datasets_seen', '?')} data sets seen")
    if "init" in est.meta:  # warm-started: say so, with the starting point's own count
        init = json.loads(est.meta["init"])
        line += f", warm-started from a model that had seen {init.get('datasets_seen', '?')}"
    if "refine" in est.meta:  # a refinement head fitted afterwards on a frozen trunk
        ref = json.loads(est.meta["refine"])
        line += (f"; refinement head fitted on {ref['config']['data_sets']} more (atlas "
                 f"{ref['atlas_version']})")
    click.echo(line + "; see MODEL_CARD.md)")


@main.group()
def bench():
    """Accuracy and speed benchmarks, side by side with baselines."""


@bench.command("accuracy")
@click.option("--estimators", default="infoatlas,ksg,gcmi", show_default=True,
              help="Comma-separated: infoatlas, ksg, gcmi, mine, infonce, nwj, smile.")
@click.option("--n", "ns", default="200,1000,5000", show_default=True, help="Sample sizes.")
@click.option("--per-cell", default=4, show_default=True, help="Data sets per (family, dims, n) cell.")
@click.option("--dims", default="1x1,3x3,2x6,8x8", show_default=True, help="dim_x x dim_y pairs.")
@click.option("--families", default=None, help="Atlas families (default: the held-out ones).")
@click.option("--mi-max", default=5.0, show_default=True, help="Largest true MI drawn (nats).")
@click.option("--data", "data_dir", type=click.Path(exists=True, file_okay=False), default=None,
              help="A folder of .npz files (x, y, optional mi) instead of the atlas suite.")
@click.option("--out", "out_dir", default="bench_out/accuracy", show_default=True)
@click.option("--seed", default=0, show_default=True)
@click.option("--model", default=None, help="Weights: a shipped name or a .safetensors path.")
@click.option("--no-plots", is_flag=True)
def bench_accuracy(estimators, ns, per_cell, dims, families, mi_max, data_dir, out_dir, seed, model, no_plots):
    """Error of each estimator on data sets with known MI (Markdown, JSON and plots)."""
    from .bench.accuracy import run_accuracy

    report = run_accuracy(
        estimators=[e.strip() for e in estimators.split(",") if e.strip()],
        ns=[int(v) for v in ns.split(",")], per_cell=per_cell,
        dims=[tuple(int(a) for a in d.split("x")) for d in dims.split(",")],
        families=families.split(",") if families else None, mi_max=mi_max, data_dir=data_dir,
        out_dir=out_dir, seed=seed, model=model, plots=not no_plots)
    click.echo(report)


@bench.command("speed")
@click.option("--n", "ns", default="1000,10000,100000", show_default=True)
@click.option("--dims", default="1x1,5x5,20x20", show_default=True)
@click.option("--estimators", default="infoatlas,ksg,mine,infonce", show_default=True)
@click.option("--repeats", default=5, show_default=True, help="Repeats for the fast estimators.")
@click.option("--critic-max-n", default=10000, show_default=True,
              help="Skip trained critics above this n (their cost is per training step, not per row).")
@click.option("--memory-n", default=1_000_000, show_default=True,
              help="Also measure peak memory of one estimate at this n in a fresh process (0: skip).")
@click.option("--ksg-max-size", default=1_000_000, show_default=True,
              help="Skip KSG where n * (dx + dy) exceeds this (kd-trees degrade in high dims).")
@click.option("--throughput/--no-throughput", default=True, show_default=True,
              help="Also time estimate_batch (64 sets) and pairwise (50 columns x 2,000 rows).")
@click.option("--out", "out_dir", default="bench_out/speed", show_default=True)
@click.option("--seed", default=0, show_default=True)
@click.option("--model", default=None)
def bench_speed(ns, dims, estimators, repeats, critic_max_n, ksg_max_size, memory_n, throughput, out_dir,
                seed, model):
    """Latency per estimate, as medians and ratios to InfoAtlas, plus batch and pairwise throughput."""
    from .bench.speed import run_speed

    click.echo(run_speed(ns=[int(v) for v in ns.split(",")],
                         dims=[tuple(int(a) for a in d.split("x")) for d in dims.split(",")],
                         estimators=[e.strip() for e in estimators.split(",")], repeats=repeats,
                         critic_max_n=critic_max_n, out_dir=out_dir, seed=seed, model=model,
                         memory_n=memory_n, throughput=throughput, ksg_max_size=ksg_max_size))


@bench.command("atlas")
@click.option("--n", default=1024, show_default=True)
@click.option("--max-dim", default=10, show_default=True, help="dx, dy drawn up to this.")
@click.option("--batches", default=30, show_default=True)
@click.option("--batch-size", default=32, show_default=True)
@click.option("--split", default="train", show_default=True, type=click.Choice(["train", "heldout"]))
@click.option("--seed", default=0, show_default=True)
def bench_atlas(n, max_dim, batches, batch_size, split, seed):
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


@main.command()
@click.option("--out-dir", default="runs/base", show_default=True, help="Checkpoints and logs.")
@click.option("--steps", default=9000, show_default=True)
@click.option("--batch-size", default=32, show_default=True)
@click.option("--lr", default=1e-3, show_default=True)
@click.option("--min-lr", default=1e-4, show_default=True, help="End of the cosine schedule.")
@click.option("--warmup", default=300, show_default=True, help="Linear warmup steps.")
@click.option("--init-from", default="", help="Warm start: a weight file (name or path) with matching tensors.")
@click.option("--n-max", default=4096, show_default=True, help="Largest sample size drawn.")
@click.option("--width", default=64, show_default=True)
@click.option("--layers", default=2, show_default=True)
@click.option("--max-tokens", default=1024, show_default=True, help="Rows the network reads per pass.")
@click.option("--eval-every", default=250, show_default=True)
@click.option("--ckpt-every", default=50, show_default=True)
@click.option("--threads", default=0, show_default=True, help="torch threads (0: default).")
@click.option("--device", default="cpu", show_default=True)
@click.option("--seed", default=0, show_default=True)
@click.option("--stop-at", default=0, show_default=True, help="End this run at this step (resume later).")
@click.option("--workers", default=0, show_default=True, help="Processes generating batches ahead.")
@click.option("--prep-on-device", is_flag=True,
              help="Workers only sample; ranks, canonical form and statistics run on --device (for GPUs).")
@click.option("--time-budget", default=0.0, show_default=True,
              help="Seconds of training (0: off); the lr schedule then runs over time and --steps is a cap.")
@click.option("--export", "export_path", default=None, type=click.Path(dir_okay=False),
              help="After training, write shipped weights (.safetensors) here.")
@click.option("--no-progress", is_flag=True)
def train(out_dir, steps, batch_size, lr, min_lr, warmup, init_from, n_max, width, layers, max_tokens, eval_every, ckpt_every,
          threads, device, seed, stop_at, workers, prep_on_device, time_budget, export_path, no_progress):
    """Pretrain (or resume) the network on the atlas; runs under torchrun for DDP."""
    from .model import SetMIConfig
    from .training.train import TrainConfig, export_weights, train as run_train

    mcfg = SetMIConfig(width=width, n_layers=layers, max_tokens=max_tokens).to_dict()
    cfg = TrainConfig(out_dir=out_dir, steps=steps, batch_size=batch_size, lr=lr, min_lr=min_lr,
                      warmup=warmup, init_from=init_from, n_max=n_max,
                      eval_every=eval_every, ckpt_every=ckpt_every, threads=threads, device=device,
                      seed=seed, stop_at=stop_at, workers=workers, time_budget=time_budget,
                      prep_on_device=prep_on_device,
                      model=mcfg)
    ckpt = run_train(cfg, progress=not no_progress)
    import os

    if export_path and int(os.environ.get("RANK", 0)) == 0:
        meta = export_weights(ckpt, export_path)
        click.echo(f"exported {export_path}: {meta}")


@main.command()
@click.option("--model", required=True, help="Weights whose trunk is kept: a shipped name or a .safetensors path.")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False),
              help="Where to write the weights with the new head (calibrate them next).")
@click.option("--data-sets", default=100_000, show_default=True, help="Training-family data sets to fit on.")
@click.option("--val-sets", default=4_000, show_default=True, help="Further ones for early stopping.")
@click.option("--seed", default=100, show_default=True)
@click.option("--n-knn", default=8, show_default=True, help="Leading canonical pairs whose KSG the head reads.")
@click.option("--width", default=128, show_default=True, help="Hidden width of the head.")
@click.option("--epochs", default=80, show_default=True)
@click.option("--workers", default=2, show_default=True, help="Processes computing the trunk's features.")
def refine(model, out_path, data_sets, val_sets, seed, n_knn, width, epochs, workers):
    """Fit a refinement head (trunk frozen) that reads kNN statistics of the leading canonical
    pairs, on the atlas training families; minutes on a CPU.  Drops the old interval calibration."""
    from .training.refine import RefineConfig
    from .training.refine import refine as run_refine

    cfg = RefineConfig(data_sets=data_sets, val_sets=val_sets, seed=seed, n_knn=n_knn, width=width,
                       epochs=epochs, workers=workers)
    rec = run_refine(model, out_path, cfg)
    click.echo(f"early-stopping pinball loss {rec['stop_pinball_before']:.4f} -> {rec['stop_pinball_after']:.4f} "
               f"(epoch {rec['best_epoch']}), {rec['seconds']:.0f} s; wrote {out_path}")
    click.echo(f"next: infoatlas calibrate --model {out_path} --out {out_path}")


@main.command()
@click.option("--model", required=True, help="Weights to calibrate: a shipped name or a .safetensors path.")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False),
              help="Where to write the weight file with the calibration (may be the input path).")
@click.option("--per-cell", default=100, show_default=True,
              help="Data sets per (family, dims, n) cell (30 cells per validation family; the tail quantile needs thousands).")
@click.option("--seed", default=0, show_default=True)
@click.option("--coverage", default=0.9, show_default=True, help="Target coverage of the interval.")
@click.option("--min-scale", default=1.0, show_default=True,
              help="Smallest factor kept (1: the interval is only ever widened).")
def calibrate(model, out_path, per_cell, seed, coverage, min_scale):
    """Fit the 90% interval's widening on the atlas's validation families (neither training nor
    held-out families) and store it in the weight file's metadata; the weights are unchanged."""
    from .training.calibrate import calibrate as run_calibrate

    rec = run_calibrate(model, out_path, per_cell=per_cell, seed=seed, coverage=coverage, min_scale=min_scale)
    click.echo(f"{rec['data_sets']} validation data sets ({', '.join(rec['families'])}); factors (lower, upper)"
               " by n, fitted -> kept:")
    for k, a, b, c, d in zip(rec["ns"], rec["fitted_lower"], rec["fitted_upper"], rec["lower"], rec["upper"]):
        click.echo(f"  n={k:>6}: {a:.3f}, {b:.3f} -> {c:.3f}, {d:.3f}")
    click.echo(f"coverage {rec['coverage_before']:.1%} -> {rec['coverage_after']:.1%} (in-sample); wrote {out_path}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
