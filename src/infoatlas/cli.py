"""Command line: ``infoatlas estimate | pairwise | demo | bench`` for users, ``infoatlas dev ...``
(train, refine, calibrate, atlas) for developers of weight files.

Heavy modules (torch, the model, pandas) are imported inside the commands, so ``--help`` is instant.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click


def _read_table(path: str):
    """A CSV, TSV or Parquet file as a DataFrame with at least one data row, or a one-line error."""
    import pandas as pd

    low = path.lower()
    try:
        if low.endswith((".parquet", ".pq")):
            try:
                df = pd.read_parquet(path)
            except ImportError as e:
                raise click.ClickException(f"reading Parquet needs pyarrow: pip install pyarrow ({e})")
        elif low.endswith((".csv", ".txt", ".tsv")):
            with open(path, "rb") as fh:
                if b"\x00" in fh.read(8192):  # binary data, or UTF-16/32 text
                    raise UnicodeDecodeError("utf-8", b"", 0, 1, "NUL byte")
            df = pd.read_csv(path, sep="\t" if low.endswith(".tsv") else ",")
        else:
            raise click.ClickException(f"unsupported file type: {path} (use .csv, .tsv or .parquet)")
    except pd.errors.EmptyDataError:
        raise click.ClickException(f"{path} is empty") from None
    except pd.errors.ParserError as e:
        first = str(e).strip().splitlines()[-1] if str(e).strip() else ""
        raise click.ClickException(f"{path} is not a well-formed table: {first}") from None
    except UnicodeDecodeError:
        raise click.ClickException(f"{path} is not UTF-8 text (binary data, or another encoding such as "
                                   "UTF-16: save it as UTF-8 CSV)") from None
    except (OSError, ValueError) as e:
        raise click.ClickException(f"cannot read {path}: {e}") from None
    if df.shape[0] == 0:
        raise click.ClickException(f"{path} has a header but no data rows")
    return df


def _columns(df, spec: str, what: str) -> list:
    """'a,b,c' (names) or '0,2' (0-based indices) or '0:3' (a range) -> column names."""
    out = []
    for part in [p.strip() for p in spec.split(",") if p.strip()]:
        bounds = [b.strip() for b in part.split(":")]
        if part in df.columns:
            out.append(part)
        elif len(bounds) == 2 and all(b.isdigit() or not b for b in bounds):
            a, b = bounds
            out.extend(df.columns[int(a or 0): int(b) if b else None])
        elif part.isdigit() and int(part) < df.shape[1]:
            out.append(df.columns[int(part)])
        else:
            raise click.ClickException(f"{what}: no column {part!r} (names, 0-based indices or a range a:b); "
                                       f"columns are {list(df.columns)}")
    if not out:
        raise click.ClickException(f"{what}: no columns selected")
    return out


def _data_error(e: Exception) -> click.ClickException:
    """A data error from the library as a one-line CLI message (CLI words, not Python arguments)."""
    from .validation import NonFiniteError

    msg = str(e)
    if isinstance(e, NonFiniteError):
        msg = msg.split(";")[0] + "; pass --drop-nan to drop those rows"
    return click.ClickException(msg)


def _writable(path: str, what: str, suffixes: tuple | None = None) -> None:
    """Fail before the work if ``path`` cannot be written (missing folder, wrong suffix)."""
    from pathlib import Path

    p = Path(path)
    if suffixes and p.suffix.lower() not in suffixes:
        raise click.ClickException(f"{what}: {path} needs one of the suffixes {', '.join(suffixes)}")
    if not p.parent.is_dir():
        raise click.ClickException(f"{what}: folder {p.parent} does not exist")
    existed = p.exists()
    try:  # a trial open: the folder may exist and still refuse files (permissions, /proc)
        with open(p, "a"):
            pass
    except OSError as e:
        raise click.ClickException(f"{what}: cannot write {path}: {e.strerror or e}") from None
    if not existed:
        p.unlink()


def _discrete_spec(df, spec: str, what: str):
    """--discrete-x/-y: 'auto', 'all', 'none', or columns of the selected side (names, indices, a:b)."""
    low = spec.strip().lower()
    if low in ("auto", "all", "none"):
        return {"auto": "auto", "all": True, "none": False}[low]
    return [list(df.columns).index(c) for c in _columns(df, spec, what)]


def _ints(spec: str, what: str) -> list[int]:
    try:
        vals = [int(v) for v in spec.split(",") if v.strip()]
    except ValueError:
        raise click.ClickException(f"{what}: expected comma-separated integers, got {spec!r}") from None
    if not vals or min(vals) < 1:
        raise click.ClickException(f"{what}: expected positive integers, got {spec!r}")
    return vals


def _dims(spec: str) -> list[tuple[int, int]]:
    try:
        out = [tuple(int(a) for a in d.split("x")) for d in spec.split(",") if d.strip()]
    except ValueError:
        out = []
    if not out or any(len(d) != 2 or min(d) < 1 for d in out):
        raise click.ClickException(f"--dims: expected pairs like 1x1,3x3, got {spec!r}")
    return out


def _names(spec: str, what: str) -> list[str]:
    out = [e.strip() for e in spec.split(",") if e.strip()]
    if not out:
        raise click.ClickException(f"{what}: no names given")
    return out


def _bench(run, kwargs: dict) -> str:
    """Run a benchmark; bad choices (unknown estimator or family) and unwritable output folders
    are one-line errors."""
    from .weights import WeightsError

    try:
        return run(**kwargs)
    except (ValueError, WeightsError) as e:
        raise click.ClickException(str(e)) from None
    except OSError as e:
        raise click.ClickException(f"--out: cannot write {kwargs.get('out_dir')}: {e.strerror or e}") from None


def _write(fn, path: str, what: str) -> None:
    try:
        fn()
    except OSError as e:
        raise click.ClickException(f"{what}: cannot write {path}: {e.strerror or e}") from None


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
@click.option("--discrete-x", default="auto", show_default=True,
              help="Which X columns are discrete: auto, all, none, or columns as for --x.")
@click.option("--discrete-y", default="auto", show_default=True, help="Which Y columns are discrete, as --discrete-x.")
@click.option("--model", default=None, help="Weights: a shipped name or a .safetensors path.")
@click.option("--seed", default=0, show_default=True, help="Seed for subsampling very large data.")
def estimate(file, xcols, ycols, as_json, bits, drop_nan, discrete_x, discrete_y, model, seed):
    """Estimate I(X;Y) between two groups of columns of a CSV or Parquet FILE."""
    df = _read_table(file)
    xs, ys = _columns(df, xcols, "--x"), _columns(df, ycols, "--y")
    dx, dy = _discrete_spec(df[xs], discrete_x, "--discrete-x"), _discrete_spec(df[ys], discrete_y, "--discrete-y")
    est = _load_estimator(model, random_state=seed, nan_policy="omit" if drop_nan else "raise")
    t0 = time.perf_counter()
    try:
        res = est.estimate(df[xs], df[ys], discrete_x=dx, discrete_y=dy)
    except (ValueError, TypeError) as e:
        raise _data_error(e)
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
@click.option("--plot", type=click.Path(dir_okay=False), default=None, help="Write a heatmap (.png, .pdf or .svg).")
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Write the matrix as CSV.")
@click.option("--drop-nan", is_flag=True, help="Drop rows with NaN/inf instead of failing.")
@click.option("--discrete", default="auto", show_default=True,
              help="Which columns are discrete: auto, all, none, or columns as for --columns.")
@click.option("--p-values", "p_out", default=None, type=click.Path(dir_okay=False),
              help="Also test every pair for independence and write the p-values (CSV) here.")
@click.option("--permutations", default=999, show_default=True, help="Permutations per test (with --p-values).")
@click.option("--adjust", type=click.Choice(["none", "bh"]), default="bh", show_default=True,
              help="Multiple-testing adjustment of the p-values (Benjamini-Hochberg).")
@click.option("--method", type=click.Choice(["network", "fast"]), default="network", show_default=True,
              help="fast: pairs of continuous columns read by the pair-screening model (tens of times "
                   "faster, for many columns); every other pair by the network.")
@click.option("--block-length", type=int, default=None,
              help="With --p-values, rows are a series in time order: test every pair by circular shifts of at "
                   "least this many rows instead of permutations (slower: the network reads every shift).")
@click.option("--model", default=None, help="Weights: a shipped name or a .safetensors path.")
def pairwise(file, columns, plot, out, drop_nan, discrete, p_out, permutations, adjust, method, block_length, model):
    """MI (nats) between every pair of columns of FILE."""
    import numpy as np

    if out:
        _writable(out, "--out")
    if plot:
        _writable(plot, "--plot", (".png", ".pdf", ".svg"))
    if p_out:
        _writable(p_out, "--p-values")
    if block_length is not None and not p_out:
        raise click.UsageError("--block-length applies to the p-values: pass --p-values FILE")
    df = _read_table(file)
    if columns:
        df = df[_columns(df, columns, "--columns")]
    else:
        df = df.select_dtypes(include=[np.number, "bool", "category", "object"])
    if df.shape[1] < 2:
        raise click.ClickException("pairwise needs at least two columns of numbers or labels")
    disc = _discrete_spec(df, discrete, "--discrete")
    est = _load_estimator(model, nan_policy="omit" if drop_nan else "raise")
    try:
        res = est.pairwise(df, discrete=disc, progress=True, p_values=bool(p_out), n_permutations=permutations,
                           p_adjust=None if adjust == "none" else adjust, method=method, block_length=block_length)
    except (ValueError, TypeError) as e:
        raise _data_error(e)
    mat = res[0] if p_out else res
    click.echo(mat.round(3).to_string())
    if p_out:
        _write(lambda: res[1].to_csv(p_out), p_out, "--p-values")
        how = "permutations" if block_length is None else f"circular shifts by {block_length} or more rows"
        click.echo(f"p-values ({permutations} {how}, adjustment: {adjust}) written to {p_out}")
    if out:
        _write(lambda: mat.to_csv(out), out, "--out")
    if plot:
        from .plots import heatmap

        _write(lambda: heatmap(mat, plot), plot, "--plot")
        click.echo(f"heatmap written to {plot}")


@main.command("test")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--x", "xcols", required=True, help="X columns: names or 0-based indices, comma-separated, or a range 0:3.")
@click.option("--y", "ycols", required=True, help="Y columns, as for --x.")
@click.option("--permutations", default=999, show_default=True, help="Permutations of Y's rows (B).")
@click.option("--seed", default=0, show_default=True, help="Seed of the permutations.")
@click.option("--discrete-x", default="auto", show_default=True, help="Which X columns are discrete (as for estimate).")
@click.option("--discrete-y", default="auto", show_default=True, help="Which Y columns are discrete.")
@click.option("--drop-nan", is_flag=True, help="Drop rows with NaN/inf instead of failing.")
@click.option("--block-length", type=int, default=None,
              help="Rows are a series in time order: shift Y circularly by at least this many rows instead of "
                   "permuting them (about the series' decorrelation time or more).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--model", default=None, help="Weights: a shipped name or a .safetensors path.")
def test_cmd(file, xcols, ycols, permutations, seed, discrete_x, discrete_y, drop_nan, block_length, as_json, model):
    """Permutation test of independence between two groups of columns of FILE (p-value)."""
    from dataclasses import asdict

    from .independence import independence_test

    df = _read_table(file)
    xs, ys = _columns(df, xcols, "--x"), _columns(df, ycols, "--y")
    dx, dy = _discrete_spec(df[xs], discrete_x, "--discrete-x"), _discrete_spec(df[ys], discrete_y, "--discrete-y")
    est = _load_estimator(model, random_state=seed)
    try:
        res = independence_test(df[xs], df[ys], n_permutations=permutations, random_state=seed, discrete_x=dx,
                                discrete_y=dy, nan_policy="omit" if drop_nan else "raise", model=est,
                                block_length=block_length)
    except (ValueError, TypeError) as e:
        raise _data_error(e)
    if as_json:
        click.echo(json.dumps({**asdict(res), "notes": list(res.notes), "x": xs, "y": ys}))
        return
    click.echo(f"I(X;Y) = {res.statistic:.4f} nats, p = {res.p_value:.4g} ({res.n_permutations} permutations)")
    click.echo(f"null: mean {res.null_mean:.4f}, sd {res.null_sd:.4f}, 95% quantile {res.null_q95:.4f} nats; {res.method}")
    for note in res.notes:
        click.echo(f"note: {note}")


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
        line += f", warm-started from a model that had seen {est.meta['init'].get('datasets_seen', '?')}"
    if "refine" in est.meta:  # a refinement head fitted afterwards on a frozen trunk
        ref = est.meta["refine"]
        # fit_sets: every fit stream's data sets (files written before it existed had one stream)
        line += (f"; refinement head fitted on {ref.get('fit_sets', ref['config']['data_sets'])} more (atlas "
                 f"{ref['atlas_version']})")
    click.echo(line + "; see MODEL_CARD.md)")


@main.group()
def bench():
    """Accuracy and speed benchmarks, side by side with baselines."""


@bench.command("accuracy")
@click.option("--estimators", default="infoatlas,ksg,gcmi", show_default=True,
              help="Comma-separated: infoatlas, pairfast (pairwise's fast method, 1x1 only), ksg, gcmi, sklearn, "
                   "mine, infonce, nwj, smile.")
@click.option("--n", "ns", default="200,1000,5000", show_default=True, help="Sample sizes.")
@click.option("--per-cell", default=4, show_default=True, help="Data sets per (family, dims, n) cell.")
@click.option("--dims", default="1x1,3x3,2x6,8x8", show_default=True, help="dim_x x dim_y pairs.")
@click.option("--families", default=None, help="Atlas families (default: the held-out ones; \"discrete\": every discrete family; \"structured\": the structured held-out group; \"functional\": noisy non-monotone functions).")
@click.option("--mi-max", default=5.0, show_default=True, help="Largest true MI drawn (nats).")
@click.option("--data", "data_dir", type=click.Path(exists=True, file_okay=False), default=None,
              help="A folder of .npz files (x, y, optional mi) instead of the atlas suite.")
@click.option("--out", "out_dir", default="bench_out/accuracy", show_default=True)
@click.option("--seed", default=0, show_default=True)
@click.option("--model", default=None, help="Weights: a shipped name or a .safetensors path.")
@click.option("--pair-model", default=None, help="Pair-screening weights of pairfast (default: the shipped infoatlas-pairs).")
@click.option("--no-plots", is_flag=True)
def bench_accuracy(estimators, ns, per_cell, dims, families, mi_max, data_dir, out_dir, seed, model, pair_model,
                   no_plots):
    """Error of each estimator on data sets with known MI (Markdown, JSON and plots)."""
    from .bench.accuracy import run_accuracy

    if data_dir and not any(Path(data_dir).glob("*.npz")):
        raise click.ClickException(f"--data: no .npz files in {data_dir}")
    kw = dict(estimators=_names(estimators, "--estimators"), ns=_ints(ns, "--n"), per_cell=per_cell,
              dims=_dims(dims), families=_names(families, "--families") if families else None, mi_max=mi_max,
              data_dir=data_dir, out_dir=out_dir, seed=seed, model=model, plots=not no_plots, pair_model=pair_model)
    click.echo(_bench(run_accuracy, kw))


@bench.command("labelled")
@click.option("--out", "out_dir", default="bench_out/labelled", show_default=True)
@click.option("--model", default=None, help="Weights: a shipped name or a .safetensors path.")
def bench_labelled(out_dir, model):
    """MI(features; class) on scikit-learn's labelled data sets, against H(class) and the Fano bound
    of a cross-validated classifier (needs scikit-learn)."""
    from .bench.labelled import run_labelled

    click.echo(_bench(run_labelled, dict(model=model, out_dir=out_dir)))


@bench.command("independence")
@click.option("--n", "ns", default="100,500,2000", show_default=True, help="Sample sizes.")
@click.option("--dims", default="1", show_default=True, help="Columns per side, comma-separated (e.g. 1,3).")
@click.option("--reps", default=20, show_default=True, help="Data sets per (shape, dims, n) cell.")
@click.option("--permutations", default=199, show_default=True, help="Permutations per test, for every method.")
@click.option("--methods", default="infoatlas,dcor,hsic", show_default=True,
              help="infoatlas, dcor (distance covariance; needs dcor), hsic (needs hyppo).")
@click.option("--out", "out_dir", default="bench_out/independence", show_default=True)
@click.option("--seed", default=0, show_default=True)
@click.option("--model", default=None, help="Weights: a shipped name or a .safetensors path.")
def bench_independence(ns, dims, reps, permutations, methods, out_dir, seed, model):
    """Size and power of the independence test next to distance covariance and HSIC (same data)."""
    from .bench.independence import run_independence

    try:
        click.echo(_bench(run_independence, dict(ns=_ints(ns, "--n"), dims=_ints(dims, "--dims"), reps=reps,
                                                 n_permutations=permutations, methods=_names(methods, "--methods"),
                                                 out_dir=out_dir, seed=seed, model=model)))
    except ImportError as e:
        raise click.ClickException(f"{e}: pip install 'infoatlas[bench]' (dcor, hyppo)") from None


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
@click.option("--dask-workers", default=0, show_default=True,
              help="Also time pairwise on a local Dask cluster of this many worker processes (0: skip).")
@click.option("--wide-columns", default=0, show_default=True,
              help="Also time pairwise(method='fast') on this many columns x 2,000 rows (0: skip).")
@click.option("--wide-memory-columns", default=0, show_default=True,
              help="Also measure the peak memory of pairwise(method='fast') on this many columns x 1,000 rows "
                   "(a fresh process, stopped after 90 s; 0: skip).")
@click.option("--out", "out_dir", default="bench_out/speed", show_default=True)
@click.option("--seed", default=0, show_default=True)
@click.option("--model", default=None)
def bench_speed(ns, dims, estimators, repeats, critic_max_n, ksg_max_size, memory_n, throughput, dask_workers,
                wide_columns, wide_memory_columns, out_dir, seed, model):
    """Latency per estimate, as medians and ratios to InfoAtlas, plus batch and pairwise throughput."""
    from .bench.speed import run_speed

    click.echo(_bench(run_speed, dict(ns=_ints(ns, "--n"), dims=_dims(dims),
                                      estimators=_names(estimators, "--estimators"), repeats=repeats,
                                      critic_max_n=critic_max_n, out_dir=out_dir, seed=seed, model=model,
                                      memory_n=memory_n, throughput=throughput, ksg_max_size=ksg_max_size,
                                      dask_workers=dask_workers, wide_columns=wide_columns,
                                      wide_memory_columns=wide_memory_columns)))


class _LazyGroup(click.Group):
    """A group whose commands live in another module, imported only when the group is used (the
    developer verbs need torch and the training code to declare their options)."""

    def __init__(self, *args, module: str, **kwargs):
        super().__init__(*args, **kwargs)
        self._module = module

    def _group(self) -> click.Group:
        from importlib import import_module

        return import_module(self._module, __package__).dev

    def list_commands(self, ctx):
        return self._group().list_commands(ctx)

    def get_command(self, ctx, name):
        return self._group().get_command(ctx, name)


@main.group(cls=_LazyGroup, module=".cli_dev")
def dev():
    """Developer verbs: pretrain, refine and calibrate weight files; time the atlas."""


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
