"""Write src/infoatlas/weights/MODEL_CARD.md from measured artefacts (nothing typed by hand):
the weight file's metadata, the training log (runs/<run>/log.jsonl) and the accuracy and speed
benchmark results (bench_out/*/results.json).

usage: python scripts/model_card.py [--run runs/base] [--hardware "..."] [--notes FILE]
"""
import argparse
import json
from pathlib import Path

import pandas as pd

from infoatlas.atlas import prior
from infoatlas.weights import load_model

ap = argparse.ArgumentParser()
ap.add_argument("--run", default="runs/base")
ap.add_argument("--weights", default=None)
ap.add_argument("--accuracy", default="bench_out/accuracy/results.json")
ap.add_argument("--speed", default="bench_out/speed/results.json")
ap.add_argument("--gauss", default="bench_out/gauss/results.json",
                help="`bench accuracy --families gauss_plain` results (optional sanity table)")
ap.add_argument("--hardware", default="2-core x86-64 CPU (shared), 1 torch thread, no GPU")
ap.add_argument("--notes", default=None, help="Markdown file appended as 'Limitations and next steps'.")
args = ap.parse_args()

model, meta = load_model(args.weights)
cfg = json.loads(meta["config"])
n_params = sum(p.numel() for p in model.parameters())
log = [json.loads(line) for line in open(Path(args.run) / "log.jsonl")]
evals = [r for r in log if "heldout_mae" in r]
last = evals[-1] if evals else {}
acc = json.loads(Path(args.accuracy).read_text())
by_n = pd.DataFrame(acc["by_n"]).rename(columns={"within_1.5": "within"})
fam = pd.DataFrame(acc["by_family"])

init = json.loads(meta["init"]) if "init" in meta else None
# files exported before the schedule was stored were trained with these (session 1 defaults)
sched = json.loads(meta["schedule"]) if "schedule" in meta else \
    {"lr": 1e-3, "min_lr": 1e-4, "warmup": 300, "steps": int(meta["step"]), "weight_decay": 0.01}
steps_line = f"| steps | {meta['step']} (batch 32) |"
seen_line = f"| data sets seen | {int(meta['datasets_seen']):,} (n log-uniform 32-4,096, dims 1-32 per side) |"
hours_line = f"| training time | {int(meta['train_seconds']) / 3600:.2f} h wall clock |"
if init:
    chain, r = [], init
    while r:  # a warm start of a warm start: every earlier run counts
        chain.append(r)
        r = r.get("init")
    total_seen = int(meta["datasets_seen"]) + sum(int(r["datasets_seen"]) for r in chain)
    total_h = (int(meta["train_seconds"]) + sum(int(r["train_seconds"]) for r in chain)) / 3600
    steps_line = (f"| steps | {meta['step']} (batch 32) in this run, warm-started from `{Path(init['from']).name}` "
                  f"({init['step']} steps, atlas {init['atlas_version']}, seed {init['seed']}) |")
    seen_line = (f"| data sets seen | {int(meta['datasets_seen']):,} in this run, {total_seen:,} in all "
                 "(n log-uniform 32-4,096, dims 1-32 per side) |")
    hours_line = (f"| training time | {int(meta['train_seconds']) / 3600:.2f} h in this run, {total_h:.2f} h in all "
                  "(wall clock) |")
lines = [
    "# Model card: infoatlas-base", "",
    "| | |", "|---|---|",
    f"| architecture | `{meta['arch']}` (set transformer, induced-set attention), {n_params:,} parameters |",
    f"| config | width {cfg['width']}, {cfg['n_layers']} ISAB blocks, {cfg['n_inducing']} inducing points, "
    f"{cfg['n_heads']} heads, {cfg['max_dim']} dims per side, {cfg['max_tokens']} rows per pass, quantiles {cfg['quantiles']}"
    + (f"; refinement head reading KSG of {cfg['n_knn']} pairs, width {cfg['refine_width']}" if cfg.get("n_knn") else "")
    + " |",
    f"| atlas | {'trunk: ' if 'refine' in meta else ''}version {meta['atlas_version']}; train families {', '.join(prior.train_families(meta['atlas_version']))}; "
    f"held out {', '.join(prior.HELDOUT_FAMILIES)} (see docs/atlas.md) |",
    steps_line, seen_line, hours_line,
    f"| hardware | {args.hardware} |",
    f"| seed | {meta['seed']} |",
    f"| loss | pinball loss on log1p(MI) at quantiles 0.05, 0.5, 0.95; AdamW, lr {sched['lr']:g}, warmup "
    f"{sched['warmup']}, cosine to {sched['min_lr']:g} over {sched['steps']} steps, weight decay {sched['weight_decay']:g} |",
    "",
    "## Held-out figures",
    "",
    f"From `infoatlas bench accuracy` (seed {acc['meta']['seed']}, {acc['meta']['cases']} data sets: the held-out "
    f"families only, dims {acc['meta']['dims']}, true MI up to {acc['meta']['mi_max']} nats, "
    f"{acc['meta']['per_cell']} per family x dims x n cell), all estimators on the same data in the same run.",
    "",
    "| n | estimator | MAE (nats) | within x1.5 | 90% coverage | median ms |",
    "|---|---|---|---|---|---|",
]
for r in by_n.sort_values(["n", "estimator"]).itertuples():
    cov = f"{r.coverage_90:.0%}" if pd.notna(r.coverage_90) else "-"
    lines.append(f"| {r.n} | {r.estimator} | {r.mae:.3f} | {r.within:.0%} | {cov} | {r.median_ms:.1f} |")
lines += ["", "By family (MAE in nats, InfoAtlas / KSG / Gaussian copula):", "",
          "| family | n | infoatlas | ksg | gcmi |", "|---|---|---|---|---|"]
piv = fam.pivot_table(index=["family", "n"], columns="estimator", values="mae")
for (f, n), row in piv.iterrows():
    lines.append(f"| {f} | {n} | " + " | ".join(f"{row.get(e, float('nan')):.3f}" for e in ("infoatlas", "ksg", "gcmi")) + " |")
if Path(args.gauss).exists():
    g = json.loads(Path(args.gauss).read_text())
    gd = pd.DataFrame(g["records"])
    gd = gd[~gd["failed"]]
    gd["err"] = (gd["estimate"] - gd["truth"]).abs()
    piv = gd.pivot_table(index=["dims", "n"], columns="estimator", values="err", aggfunc="mean")
    ratio = gd.assign(r=gd["estimate"] / gd["truth"]).pivot_table(index=["dims", "n"], columns="estimator",
                                                                  values="r", aggfunc="median")
    lines += ["", "## Plain Gaussians (sanity check, not held out)", "",
              f"`infoatlas bench accuracy --families gauss_plain` ({g['meta']['cases']} data sets, seed "
              f"{g['meta']['seed']}, true MI up to {g['meta']['mi_max']} nats; Gaussian with linear and monotone "
              "maps only, where Gaussian-copula MI is exact up to sampling error). MAE in nats, and the median "
              "ratio estimate / truth:", "",
              "| dims | n | MAE infoatlas | MAE gcmi | MAE ksg | median ratio infoatlas |", "|---|---|---|---|---|---|"]
    for (d, n), row in piv.iterrows():
        lines.append(f"| {d} | {n} | " + " | ".join(f"{row.get(e, float('nan')):.3f}" for e in ("infoatlas", "gcmi", "ksg"))
                     + f" | {ratio.loc[(d, n)].get('infoatlas', float('nan')):.2f} |")
if "interval_calibration" in meta:
    c = json.loads(meta["interval_calibration"])
    lines += ["", "## Interval calibration", "",
              "The 90% interval is the network's 5% / 95% quantiles with their distance from the median (in "
              "log1p MI) multiplied by per-n factors (interpolated in log n, constant beyond the ends): "
              f"split-conformal factors fitted by `infoatlas calibrate` on {c['data_sets']:,} data sets of the "
              f"validation {'families' if len(c['families']) > 1 else 'family'} {', '.join(c['families'])} (atlas {c['atlas_version']}; in neither training nor "
              f"the held-out benchmark; seed {c['seed']}, dims {', '.join(c['dims'])}, {c['per_cell']} per family x dims x n "
              f"cell), kept at least {c['min_scale']:g} (widen only). Coverage on those data sets "
              f"{c['coverage_before']:.1%} before and {c['coverage_after']:.1%} after (in-sample). The coverage "
              "column above is measured after calibration.", "",
              "| n | fitted lower | fitted upper | applied lower | applied upper |", "|---|---|---|---|---|"]
    lines += [f"| {k} | {a:g} | {b:g} | {cc:g} | {d:g} |" for k, a, b, cc, d in
              zip(c["ns"], c["fitted_lower"], c["fitted_upper"], c["lower"], c["upper"])]
if "refine" in meta:
    r = json.loads(meta["refine"])
    c = r["config"]
    n_ref = sum(p.numel() for p in model.refine.parameters())
    lines += ["", "## Refinement head", "",
              f"A second head ({n_ref:,} of the {n_params:,} parameters: two hidden layers of {c['width']}) reads the "
              f"trunk's representation of a data set and KSG statistics (k = 3) of its {c['n_knn']} leading canonical "
              "pairs, on the rows the network reads (the first chunk's, at most 1,024), and adds to the head's output. "
              f"Fitted by `infoatlas refine` with the trunk frozen, on atlas {r['atlas_version']}'s training families "
              f"({', '.join(r['families'])}): {c['data_sets']:,} data sets, and {c['val_sets']:,} more for early "
              f"stopping, seed {c['seed']}; AdamW, lr {c['lr']:g}, weight decay {c['weight_decay']:g}, batch "
              f"{c['batch_size']}, {c['epochs']} epochs (best {r['best_epoch']}); {r['seconds'] / 60:.1f} min on "
              f"{args.hardware.replace(', 1 torch thread', '')}. Early-stopping pinball loss {r['stop_pinball_before']:.4f}"
              f" (trunk and head alone) -> {r['stop_pinball_after']:.4f}. The interval calibration below was "
              "fitted after the head."]
if last:
    lines += ["", f"Training-time held-out check at step {last['step']} (held-out families, n 32-4,096, MI 0-8 nats, "
              f"256 data sets): MAE {last['heldout_mae']:.3f}, within x1.5 {last['heldout_within_1.5']:.0%}, "
              f"coverage {last['heldout_coverage']:.0%}."]
    if "gauss_mae" in last:
        lines[-1] += (f" Plain-Gaussian sanity check (80 data sets, dims 1+1 to 10+10): MAE {last['gauss_mae']:.3f}"
                      f" (Gaussian-copula MI {last['gauss_gcmi_mae']:.3f}).")
if Path(args.speed).exists():
    sp = json.loads(Path(args.speed).read_text())
    rows = pd.DataFrame(sp["rows"])
    ia = rows[rows["estimator"] == "infoatlas"]
    lines += ["", "## Latency (this 2-core machine, `infoatlas bench speed`)", "",
              "| n | dims | InfoAtlas median ms |", "|---|---|---|"]
    lines += [f"| {r.n} | {r.dims} | {r.seconds * 1e3:.1f} |" for r in ia.itertuples()]
    if "memory" in sp.get("throughput", {}):
        m = sp["throughput"]["memory"]
        lines += ["", f"Memory at n = {m['n']:,} (5+5 dims): peak RSS {m['peak_mib']:.0f} MiB in a fresh process."]
if args.notes:
    lines += ["", "## Limitations and next steps", "", Path(args.notes).read_text().strip()]
out = Path("src/infoatlas/weights/MODEL_CARD.md")
out.write_text("\n".join(lines) + "\n")
print(f"wrote {out}")
