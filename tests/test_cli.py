"""The CLI through its installed entry point, as a user runs it."""
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest


def run(*args, check=True):
    r = subprocess.run(["infoatlas", *args], capture_output=True, text=True, timeout=300)
    if check and r.returncode != 0:
        raise AssertionError(f"exit {r.returncode}\n{r.stdout}\n{r.stderr}")
    return r


@pytest.fixture
def csv_file(tmp_path, rng):
    x = rng.standard_normal((600, 2))
    df = pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "c": x[:, 0] + 0.5 * rng.standard_normal(600),
                       "d": rng.standard_normal(600)})
    p = tmp_path / "data.csv"
    df.to_csv(p, index=False)
    return p


def test_help_lists_the_commands():
    out = run("--help").stdout
    for cmd in ("estimate", "pairwise", "demo", "bench", "dev"):
        assert cmd in out


def test_estimate_csv_json(csv_file):
    res = json.loads(run("estimate", str(csv_file), "--x", "a,b", "--y", "c", "--json").stdout)
    assert res["unit"] == "nats" and res["dim_x"] == 2 and res["n"] == 600
    assert res["lower"] <= res["mi"] <= res["upper"] and res["mi"] > 0.5


def test_estimate_parquet_by_index_and_bits(tmp_path, csv_file):
    pq = tmp_path / "data.parquet"
    pd.read_csv(csv_file).to_parquet(pq)
    out = run("estimate", str(pq), "--x", "0:2", "--y", "2", "--bits").stdout
    assert "bits" in out and "I(X;Y)" in out


def test_estimate_bad_input_fails_with_a_message(tmp_path, csv_file):
    r = run("estimate", str(csv_file), "--x", "a", "--y", "nope", check=False)
    assert r.returncode != 0 and "no column 'nope'" in r.stderr
    df = pd.read_csv(csv_file)
    df.loc[3, "a"] = np.nan
    df.to_csv(tmp_path / "nan.csv", index=False)
    r = run("estimate", str(tmp_path / "nan.csv"), "--x", "a", "--y", "c", check=False)
    assert r.returncode != 0 and "NaN" in r.stderr and "Traceback" not in r.stderr
    ok = run("estimate", str(tmp_path / "nan.csv"), "--x", "a", "--y", "c", "--drop-nan", "--json").stdout
    assert json.loads(ok)["n"] == 599


def test_estimate_missing_weights_names_the_path(csv_file, tmp_path):
    r = run("estimate", str(csv_file), "--x", "a", "--y", "c", "--model", str(tmp_path / "w.safetensors"),
            check=False)
    assert r.returncode != 0 and "w.safetensors" in r.stderr


def test_pairwise_writes_matrix_and_heatmap(csv_file, tmp_path):
    png, out = tmp_path / "h.png", tmp_path / "m.csv"
    run("pairwise", str(csv_file), "--plot", str(png), "--out", str(out))
    assert png.stat().st_size > 1000
    m = pd.read_csv(out, index_col=0)
    assert m.shape == (4, 4) and m.loc["a", "c"] > m.loc["b", "d"]


def test_demo_prints_truth_and_baselines():
    out = run("demo").stdout
    assert "true MI" in out and "KSG" in out and "InfoAtlas" in out and "90% interval" in out


def test_bench_accuracy_tiny_run_writes_reports(tmp_path):
    out = tmp_path / "acc"
    r = run("bench", "accuracy", "--estimators", "infoatlas,ksg,gcmi", "--n", "200", "--per-cell", "1",
            "--dims", "1x1,2x3", "--out", str(out))
    assert "MAE infoatlas" in r.stdout and "MAE ksg" in r.stdout
    res = json.loads((out / "results.json").read_text())
    assert res["meta"]["cases"] == 8 and len(res["records"]) == 24
    assert (out / "report.md").exists() and (out / "estimate_vs_truth.png").exists()


def test_bench_accuracy_on_external_npz_folder(tmp_path, rng):
    d = tmp_path / "suite"
    d.mkdir()
    x = rng.standard_normal(300)
    np.savez(d / "a.npz", x=x, y=x + rng.standard_normal(300), mi=0.5 * np.log(2))
    np.savez(d / "b.npz", x=x, y=rng.standard_normal(300))
    r = run("bench", "accuracy", "--data", str(d), "--estimators", "infoatlas,gcmi", "--out", str(tmp_path / "o"))
    assert "2 data sets" in r.stdout


def test_bench_speed_tiny_run(tmp_path):
    r = run("bench", "speed", "--n", "1000", "--dims", "1x1", "--estimators", "infoatlas,ksg",
            "--repeats", "1", "--memory-n", "5000", "--no-throughput", "--out", str(tmp_path / "s"))
    assert "ksg/infoatlas" in r.stdout and "peak RSS" in r.stdout
    assert json.loads((tmp_path / "s" / "results.json").read_text())["rows"][0]["n"] == 1000


def test_module_entry_point_matches_console_script():
    r = subprocess.run([sys.executable, "-m", "infoatlas.cli", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "estimate" in r.stdout


def test_bench_atlas_reports_throughput():
    r = run("dev", "atlas", "--batches", "2", "--batch-size", "4", "--n", "256")
    assert "data sets/s at n=256" in r.stdout
