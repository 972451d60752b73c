"""``infoatlas bench speed``: latency per estimate next to KSG and trained critics, as ratios.

The machine is shared and noisy, so every estimator is timed in the same run on the same data and
reported as a ratio to InfoAtlas.  Fast estimators: median of ``repeats`` runs after one warm-up (a single run above 2 s);
trained critics: one run at their default budget (their cost does not shrink with repeats).
"""
from __future__ import annotations

import json
import time

import numpy as np
import pandas as pd

from . import write_report

CRITICS = ("mine", "infonce", "nwj", "smile")


def _gaussian_data(n: int, dx: int, dy: int, rng):
    x = rng.standard_normal((n, dx))
    y = x[:, : min(dx, dy)] if dy <= dx else np.hstack([x, rng.standard_normal((n, dy - dx))])
    y = 0.7 * y[:, :dy] + rng.standard_normal((n, dy))
    return x, y


def _time(fn, repeats: int, slow: float = 2.0) -> float:
    """Median of ``repeats`` timed runs after a timed warm-up; a run slower than ``slow`` seconds
    is not repeated (its one time is reported: repeats would not change the order of magnitude)."""
    t0 = time.perf_counter()
    fn()
    first = time.perf_counter() - t0
    if first > slow:
        return first
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts))


#: peak resident memory (MiB) of this process: VmHWM belongs to the address space, which exec
#: replaces, while ru_maxrss survives exec and would report the parent's peak at fork
_PEAK_MIB = """
def peak_mib():
    try:
        with open("/proc/self/status") as f:
            return next(int(l.split()[1]) for l in f if l.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""

_MEMORY_PROBE = _PEAK_MIB + """
import sys, time, numpy as np
from infoatlas import InfoAtlas
est = InfoAtlas.from_pretrained(sys.argv[2] if len(sys.argv) > 2 and sys.argv[2] else None)
n = int(sys.argv[1])
rng = np.random.default_rng(0)
x = rng.standard_normal((n, 5)); y = 0.7 * x + rng.standard_normal((n, 5))
base = peak_mib()
t0 = time.perf_counter(); est.estimate(x, y); dt = time.perf_counter() - t0
print(base, peak_mib(), dt)
"""


def memory_probe(n: int = 1_000_000, model=None) -> dict:
    """Peak resident memory (MiB) of a fresh process estimating MI at n rows, dims 5+5; ``data_mib``
    is the peak before the estimate (interpreter, torch, model and the data themselves)."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _MEMORY_PROBE, str(n), str(model or "")],
                         capture_output=True, text=True, check=True).stdout.split()
    base, peak, dt = (float(v) for v in out)
    return {"n": n, "peak_mib": peak, "before_estimate_mib": base, "added_by_estimate_mib": peak - base,
            "seconds": dt}


_WIDE_PROBE = _PEAK_MIB + """
import os, sys, threading, time, numpy as np
from infoatlas import InfoAtlas
cols, rows, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
est = InfoAtlas.from_pretrained()
data = np.random.default_rng(0).standard_normal((rows, cols))
base = peak_mib()
done, block = [0], est._pair_block
def counted(d, b):
    out = block(d, b)
    done[0] += len(b)
    return out
est._pair_block = counted
t0 = time.perf_counter()
def stop():
    print(base, peak_mib(), done[0], time.perf_counter() - t0, flush=True)
    os._exit(0)
threading.Timer(seconds, stop).start()
est.pairwise(data, method="fast", progress=False)
stop()
"""


def wide_memory_probe(columns: int = 10_000, rows: int = 1_000, seconds: float = 90.0) -> dict:
    """Peak resident memory (MiB) of a fresh process running ``pairwise(method="fast")`` on
    ``columns`` x ``rows`` for ``seconds`` (then stopped): the result matrix and the ranked columns
    are allocated first and the blocks of pairs stream, so the peak is reached in the first blocks."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _WIDE_PROBE, str(columns), str(rows), str(seconds)],
                         capture_output=True, text=True, check=True).stdout.split()
    base, peak, done, dt = (float(v) for v in out)
    return {"columns": columns, "rows": rows, "peak_mib": peak, "before_pairwise_mib": base,
            "pairs_done": int(done), "seconds": dt, "pairs_total": columns * (columns - 1) // 2}


def run_speed(ns=(1000, 10000, 100000), dims=((1, 1), (5, 5), (20, 20)),
              estimators=("infoatlas", "ksg", "mine", "infonce"), repeats=5, critic_max_n=10000,
              out_dir="bench_out/speed", seed=0, model=None, memory_n: int = 0,
              throughput: bool = True, ksg_max_size: int = 1_000_000, dask_workers: int = 0,
              wide_columns: int = 0, wide_memory_columns: int = 0) -> str:
    from .accuracy import make_estimator

    rng = np.random.default_rng(seed)
    ests = {name: make_estimator(name, model, seed) for name in estimators}
    rows = []
    for n in ns:
        for dx, dy in dims:
            x, y = _gaussian_data(n, dx, dy, rng)
            for name, est in ests.items():
                if name == "ksg" and n * (dx + dy) > ksg_max_size:
                    rows.append({"n": n, "dims": f"{dx}+{dy}", "estimator": name, "seconds": np.nan,
                                 "note": f"skipped (n * d > {ksg_max_size:,})"})
                    continue
                if name in CRITICS and n > critic_max_n:
                    rows.append({"n": n, "dims": f"{dx}+{dy}", "estimator": name, "seconds": np.nan,
                                 "note": f"skipped (n > {critic_max_n})"})
                    continue
                if name in CRITICS:
                    t0 = time.perf_counter()
                    est.estimate(x, y)
                    sec = time.perf_counter() - t0
                else:
                    sec = _time(lambda: est.estimate(x, y), repeats)
                rows.append({"n": n, "dims": f"{dx}+{dy}", "estimator": name, "seconds": sec, "note": ""})
    df = pd.DataFrame(rows)
    piv = df.pivot_table(index=["n", "dims"], columns="estimator", values="seconds", sort=False)
    lines = ["# Speed benchmark (median seconds per estimate; ratio = estimator / InfoAtlas)", "",
             "| n | dims | " + " | ".join(f"{e} (ms)" for e in ests) + " | " +
             " | ".join(f"{e}/infoatlas" for e in ests if e != "infoatlas") + " |"]
    lines.append("|" + "---|" * (2 + len(ests) + len(ests) - 1))
    for (n, d), row in piv.iterrows():
        cells = [str(n), d] + [f"{row[e] * 1e3:.1f}" if e in row and pd.notna(row[e]) else "skipped" for e in ests]
        base = row.get("infoatlas", np.nan)
        cells += [f"{row[e] / base:.1f}x" if e in row and pd.notna(row[e]) and pd.notna(base) else "-"
                  for e in ests if e != "infoatlas"]
        lines.append("| " + " | ".join(cells) + " |")
    extra = {}
    if throughput and "infoatlas" in ests:
        ia = ests["infoatlas"]
        pairs = []
        for i in range(64):
            n = int(rng.integers(200, 3000))
            dx, dy = int(rng.integers(1, 9)), int(rng.integers(1, 9))
            pairs.append(_gaussian_data(n, dx, dy, rng))
        t_batch = _time(lambda: ia.estimate_batch(pairs, progress=False), 1)
        t_loop = _time(lambda: [ia.estimate(a, b) for a, b in pairs], 1)
        data = rng.standard_normal((2000, 50))
        data[:, 1::2] += data[:, ::2]
        t_pair = _time(lambda: ia.pairwise(data, progress=False), 1)
        t_pval = _time(lambda: ia.pairwise(data, p_values=True, progress=False), 1)
        ia.pairwise(data[:, :4], method="fast", progress=False)  # loads the pair model once
        t_fast = _time(lambda: ia.pairwise(data, method="fast", progress=False), 3)
        t_fast_p = _time(lambda: ia.pairwise(data, method="fast", p_values=True, progress=False), 1)
        ksg = make_estimator("ksg", None, seed)
        t_ksg = _time(lambda: [ksg.estimate(data[:, a], data[:, b]) for a in range(50) for b in range(a + 1, 50)], 1)
        extra = {"estimate_batch_64_sets_per_s": 64 / t_batch, "loop_64_sets_per_s": 64 / t_loop,
                 "pairwise_50cols_2000rows_s": t_pair, "pairwise_pairs_per_s": 1225 / t_pair,
                 "pairwise_p_values_s": t_pval, "ksg_loop_pairs_per_s": 1225 / t_ksg,
                 "pairwise_fast_s": t_fast, "pairwise_fast_pairs_per_s": 1225 / t_fast,
                 "pairwise_fast_p_values_s": t_fast_p}
        lines += ["", f"estimate_batch: {extra['estimate_batch_64_sets_per_s']:.1f} data sets/s "
                  f"(64 sets, n 200-3000, dims 1-8; a plain loop of estimate: {extra['loop_64_sets_per_s']:.1f}/s)",
                  f"pairwise, 50 columns x 2,000 rows (1,225 pairs): {t_pair:.2f} s "
                  f"({extra['pairwise_pairs_per_s']:.0f} pairs/s; a single-threaded KSG loop over the same pairs: "
                  f"{extra['ksg_loop_pairs_per_s']:.0f} pairs/s); with p-values (999 permutations): {t_pval:.2f} s",
                  f"pairwise, method=\"fast\", same table: {t_fast:.3f} s ({extra['pairwise_fast_pairs_per_s']:.0f} "
                  f"pairs/s, {t_ksg / t_fast:.1f}x the KSG loop, {t_pair / t_fast:.1f}x the network method); "
                  f"with p-values (999 permutations): {t_fast_p:.2f} s"]
        if wide_columns:
            wide = rng.standard_normal((2000, wide_columns))
            wide[:, 1::2] += wide[:, ::2]
            n_pairs = wide_columns * (wide_columns - 1) // 2
            t_wide = _time(lambda: ia.pairwise(wide, method="fast", progress=False), 1)
            extra.update(wide_columns=wide_columns, pairwise_fast_wide_s=t_wide)
            lines.append(f"pairwise, method=\"fast\", {wide_columns:,} columns x 2,000 rows ({n_pairs:,} pairs): "
                         f"{t_wide:.1f} s ({n_pairs / t_wide:.0f} pairs/s)")
        if dask_workers:
            from distributed import Client, LocalCluster

            with LocalCluster(n_workers=dask_workers, threads_per_worker=1, processes=True,
                              dashboard_address=None) as cluster, Client(cluster) as client:
                ia.pairwise(data[:, :4], client=client, progress=False)  # start-up: each worker builds the network
                t_dask = _time(lambda: ia.pairwise(data, client=client, progress=False), 1)
            extra["dask_pairwise_s"] = t_dask
            lines.append(f"pairwise on a local Dask cluster of {dask_workers} worker processes (same matrix): "
                         f"{t_dask:.2f} s ({1225 / t_dask:.0f} pairs/s)")
    if wide_memory_columns and "infoatlas" in ests:
        wm = wide_memory_probe(wide_memory_columns)
        extra["wide_memory"] = wm
        lines.append(f"memory of pairwise(method=\"fast\") on {wm['columns']:,} columns x {wm['rows']:,} rows (fresh "
                     f"process, stopped after {wm['seconds']:.0f} s and {wm['pairs_done']:,} of {wm['pairs_total']:,} "
                     f"pairs): peak RSS {wm['peak_mib']:.0f} MiB, {wm['before_pairwise_mib']:.0f} MiB before the call")
    if memory_n and "infoatlas" in ests:
        mem = memory_probe(memory_n, model)
        extra["memory"] = mem
        lines.append(f"memory at n={memory_n:,} (5+5 dims, fresh process): peak RSS {mem['peak_mib']:.0f} MiB "
                     f"for the whole process; peak before the estimate began (interpreter, torch, model, "
                     f"data) {mem['before_estimate_mib']:.0f} MiB; estimate {mem['seconds']:.2f} s")
    report = "\n".join(lines)
    write_report(out_dir, report, {"rows": json.loads(df.to_json(orient="records")), "throughput": extra, "seed": seed})
    return report
