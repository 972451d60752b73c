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


def test_pairwise_block_length_tests_by_shifts(csv_file, tmp_path):
    pv = tmp_path / "p.csv"
    r = run("pairwise", str(csv_file), "--columns", "a,c", "--p-values", str(pv), "--permutations", "19",
            "--block-length", "50")
    assert "circular shifts by 50 or more rows" in r.stdout
    assert pd.read_csv(pv, index_col=0).loc["a", "c"] == pytest.approx(0.05)  # c depends on a: no shift reads higher
    r = run("pairwise", str(csv_file), "--block-length", "50", check=False)
    assert r.returncode != 0 and "--block-length applies to the p-values" in r.stderr


def test_demo_prints_truth_and_baselines():
    out = run("demo").stdout
    assert "true MI" in out and "KSG" in out and "InfoAtlas" in out and "90% interval" in out
    # the weights line counts every fit stream of the head, not the per-stream setting
    from infoatlas.weights import load_model

    ref = load_model("infoatlas-base")[1]["refine"]
    assert f"refinement head fitted on {ref['fit_sets']} more" in out


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


def _misuse_files(tmp_path):
    good = tmp_path / "good.csv"
    pd.DataFrame({"a": np.arange(50.0), "b": np.arange(50.0) ** 2}).to_csv(good, index=False)
    (tmp_path / "ragged.csv").write_text("a,b\n1,2\n3,4,5,6\n7,8\n")
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "header.csv").write_text("a,b\n")
    (tmp_path / "garbage.csv").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "utf16.csv").write_bytes("a,b\n1,2\n3,4\n".encode("utf-16"))
    nan = pd.DataFrame({"a": np.arange(50.0), "b": np.arange(50.0) ** 2})
    nan.loc[3, "a"] = np.nan
    nan.to_csv(tmp_path / "nan.csv", index=False)
    (tmp_path / "npz_empty").mkdir()
    return tmp_path


MISUSE = [  # (arguments, with {d} the folder of files; a word the one-line message must contain)
    ("estimate {d}/ragged.csv --x a --y b", "well-formed"),
    ("estimate {d}/empty.csv --x a --y b", "empty"),
    ("pairwise {d}/empty.csv", "empty"),
    ("estimate {d}/header.csv --x a --y b", "no data rows"),
    ("estimate {d}/garbage.csv --x a --y b", "UTF-8"),
    ("pairwise {d}/utf16.csv", "UTF-8"),
    ("estimate {d}/good.csv --x 1:2:3 --y b", "no column"),
    ("estimate {d}/good.csv --x zz --y b", "no column"),
    ("estimate {d}/nan.csv --x a --y b", "--drop-nan"),
    ("pairwise {d}/nan.csv", "--drop-nan"),
    ("pairwise {d}/good.csv --out {d}/missing/m.csv", "does not exist"),
    ("pairwise {d}/good.csv --out /proc/m.csv", "cannot write"),
    ("pairwise {d}/good.csv --plot {d}/h.txt", "suffixes"),
    ("pairwise {d}/good.csv --plot {d}/missing/h.png", "does not exist"),
    ("estimate {d}/good.csv --x a --y b --model {d}/none.safetensors", "not found"),
    ("estimate {d}/good.csv --x a --y b --model ../../x", "not found"),
    ("bench accuracy --data {d}/npz_empty", "no .npz"),
    ("bench accuracy --n abc", "integers"),
    ("bench accuracy --dims 3", "--dims"),
    ("bench accuracy --estimators nope --n 200 --per-cell 1 --dims 1x1 --out {d}/o", "unknown estimator"),
]


@pytest.mark.parametrize("args, word", MISUSE)
def test_cli_misuse_exits_nonzero_with_one_line_and_no_traceback(tmp_path, args, word):
    from click.testing import CliRunner

    from infoatlas.cli import main

    d = _misuse_files(tmp_path)
    r = CliRunner().invoke(main, args.format(d=d).split())
    assert r.exit_code != 0 and isinstance(r.exception, SystemExit), (r.output, r.exception)
    assert "Traceback" not in r.output
    lines = [ln for ln in r.output.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error:") and word in lines[0], r.output


def test_cli_pairwise_drop_nan_and_heatmap(tmp_path):
    from click.testing import CliRunner

    from infoatlas.cli import main

    d = _misuse_files(tmp_path)
    r = CliRunner().invoke(main, ["pairwise", str(d / "nan.csv"), "--drop-nan", "--plot", str(d / "h.png")])
    assert r.exit_code == 0, r.output
    assert (d / "h.png").stat().st_size > 0
