"""Pretraining: a few steps, resume after a kill, DDP with 2 CPU processes (tiny models)."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import math

import pytest
import torch

from infoatlas.features import FeatureSettings
from infoatlas.training.train import CHECKPOINT, TrainConfig, export_weights, load_checkpoint, lr_at, train

TINY = ["--width", "16", "--n-layers", "1", "--rows-per-pass", "32", "--batch-size", "4", "--n-max", "96",
        "--eval-every", "3", "--no-progress"]
FEATS = FeatureSettings(rows_per_pass=32).to_dict()


def _weights(path):
    """The network weights of a run's checkpoint."""
    return load_checkpoint(path / CHECKPOINT)["model"].state_dict()


def _cfg(tmp_path, steps, stop_at=0):
    from infoatlas.model import SetMIConfig

    return TrainConfig(out_dir=str(tmp_path), steps=steps, batch_size=4, n_max=96, max_dim_data=6,
                       eval_every=2, eval_batches=1, ckpt_every=2, warmup=2, threads=1, stop_at=stop_at,
                       model=SetMIConfig(width=16, n_layers=1, n_heads=2).to_dict(), features=FEATS)


def test_training_runs_logs_and_exports(tmp_path):
    cfg = _cfg(tmp_path, 4)
    ckpt = train(cfg, progress=False)
    assert cfg.device == "cpu" and cfg.out_dir == str(tmp_path)  # the caller's config is not modified
    ck = load_checkpoint(ckpt)
    assert ck["step"] == 4 and ck["stats"]["datasets_seen"] == 16
    log = [json.loads(line) for line in (tmp_path / "log.jsonl").read_text().splitlines()]
    assert any("heldout_mae" in r for r in log) and all(math.isfinite(r["loss"]) for r in log)
    meta = export_weights(ckpt, tmp_path / "w.safetensors")
    from infoatlas import InfoAtlas

    est = InfoAtlas.from_pretrained(tmp_path / "w.safetensors")
    assert meta["step"] == 4 and est.meta["atlas_version"] == meta["atlas_version"]
    assert est.featurizer.settings.rows_per_pass == 32  # the feature settings travel with the weights


def test_a_pickle_checkpoint_is_never_loaded(tmp_path):
    # an older version's ckpt.pt (a pickle: loading it could run code) is refused, not read
    (tmp_path / "ckpt.pt").write_bytes(b"not read")
    with pytest.raises(RuntimeError, match="pickle"):
        train(_cfg(tmp_path, 2), progress=False)


def test_a_checkpoint_whose_config_asks_for_a_huge_network_is_refused_before_allocating(tmp_path):
    from safetensors import safe_open
    from safetensors.torch import load_file, save_file

    from infoatlas.weights import WeightsError

    ckpt = train(_cfg(tmp_path, 2), progress=False)
    with safe_open(str(ckpt), framework="pt") as fh:
        rec = json.loads(fh.metadata()["checkpoint"])
    rec["model_config"]["width"] = 20_000
    save_file(load_file(str(ckpt)), str(ckpt), metadata={"checkpoint": json.dumps(rec)})
    with pytest.raises(WeightsError, match="do not match their config"):
        load_checkpoint(ckpt)


def test_resume_continues_from_the_checkpoint_with_identical_weights(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    train(_cfg(a, 6), progress=False)
    train(_cfg(b, 6, stop_at=3), progress=False)  # stops at 3 (as if killed after its checkpoint)
    train(_cfg(b, 6), progress=False)             # resumes 3 -> 6
    wa, wb = _weights(a), _weights(b)
    assert all(torch.allclose(wa[k], wb[k], atol=1e-6) for k in wa)


def test_worker_processes_give_the_same_stream_as_in_process(tmp_path):
    import dataclasses

    train(_cfg(tmp_path / "a", 3), progress=False)
    train(dataclasses.replace(_cfg(tmp_path / "b", 3), workers=2), progress=False)
    wa, wb = _weights(tmp_path / "a"), _weights(tmp_path / "b")
    assert all(torch.allclose(wa[k], wb[k], atol=1e-6) for k in wa)


def test_resume_after_sigkill(tmp_path):
    cmd = [sys.executable, "-m", "infoatlas.cli", "dev", "train", "--out-dir", str(tmp_path), "--steps", "100000",
           "--ckpt-every", "2", "--threads", "1", *TINY]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ckpt = tmp_path / CHECKPOINT
    deadline = time.time() + 120
    while time.time() < deadline and not ckpt.exists():
        time.sleep(0.2)
    time.sleep(1.0)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    step = load_checkpoint(ckpt)["step"]  # the checkpoint survived the kill intact
    assert step >= 2
    r = subprocess.run([*cmd, "--stop-at", str(step + 2)], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    assert f"resumed from {ckpt} at step {step}" in r.stdout
    assert load_checkpoint(ckpt)["step"] == step + 2


def test_worker_batches_travel_unpadded_and_arepadded_back_exactly():
    import numpy as np

    from infoatlas.model import SetMIConfig
    from infoatlas.training.train import padded, step_batch, make_batch

    cfg = TrainConfig(batch_size=3, n_max=96, max_dim_data=6, features=FEATS)
    mcfg = SetMIConfig(width=16, n_layers=1, n_heads=2)
    small, mi = step_batch((cfg, mcfg, 0, 5))
    full, mi2, _ = make_batch(np.random.default_rng([cfg.seed, 0, 5]), cfg, mcfg)
    assert small["u"].shape[-1] <= 6 < mcfg.max_dim  # sent without the padding
    back = padded(small, mcfg.max_dim, "cpu")
    assert all(torch.equal(back[k], full[k]) for k in full) and np.array_equal(mi, mi2.numpy())


def test_preparation_on_the_device_gives_the_batch_the_workers_would_make(tmp_path):
    import dataclasses

    import numpy as np

    from infoatlas.model import SetMIConfig
    from infoatlas.training.train import _device_inputs, step_batch

    cfg = TrainConfig(batch_size=3, n_max=96, max_dim_data=6, features=FEATS)
    raw_cfg = dataclasses.replace(cfg, prep_on_device=True)
    mcfg = SetMIConfig(width=16, n_layers=1, n_heads=2)
    for step in range(4):
        raw = step_batch((raw_cfg, mcfg, 0, step))
        assert set(raw[0]) == {"x", "y"} and raw[0]["x"].dtype == np.float32  # workers only sample
        a, mi_a = _device_inputs(raw, raw_cfg, mcfg, 0, step)
        b, mi_b = _device_inputs(step_batch((cfg, mcfg, 0, step)), cfg, mcfg, 0, step)
        assert torch.equal(mi_a, mi_b) and set(a) == set(b)
        # float32 samples keep the order of the values, so the copula scores are the same
        assert all(torch.allclose(a[k], b[k], atol=1e-5) for k in a)
    run = dataclasses.replace(_cfg(tmp_path, 3), prep_on_device=True, workers=1)
    assert load_checkpoint(train(run, progress=False))["step"] == 3


def test_lr_schedule_warms_up_then_decays():
    cfg = TrainConfig(steps=100, warmup=10, lr=1e-3, min_lr=1e-4)
    assert lr_at(0, cfg) < lr_at(9, cfg) == 1e-3
    assert lr_at(100, cfg) == 1e-4 and lr_at(50, cfg) < 1e-3


def test_time_budget_runs_the_schedule_over_seconds_and_stops(tmp_path):
    import dataclasses

    cfg = TrainConfig(steps=100, warmup=10, lr=1e-3, min_lr=1e-4, time_budget=60.0)
    assert lr_at(20, cfg, 0.0) == 1e-3 and lr_at(20, cfg, 60.0) == 1e-4
    assert lr_at(90, cfg, 30.0) == lr_at(20, cfg, 30.0) > 1e-4  # the clock, not the step, decides
    run = dataclasses.replace(_cfg(tmp_path, 10**6), time_budget=1.0, warmup=1)
    ck = load_checkpoint(train(run, progress=False))
    assert 0 < ck["step"] < 10**6 and ck["stats"]["train_seconds"] >= 1.0
    last = json.loads((tmp_path / "log.jsonl").read_text().splitlines()[-1])
    assert last["step"] == ck["step"] and "heldout_mae" in last  # evaluated and saved where it stopped


def test_ddp_smoke_two_cpu_processes(tmp_path):
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2", "--master_port=29517",
           "-m", "infoatlas.cli", "dev", "train", "--out-dir", str(tmp_path), "--steps", "3", "--ckpt-every", "3",
           "--threads", "1", "--export", str(tmp_path / "w.safetensors"), *TINY]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600,
                       env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert r.returncode == 0, r.stderr[-3000:]
    ck = load_checkpoint(Path(tmp_path) / CHECKPOINT)
    assert ck["step"] == 3 and ck["stats"]["datasets_seen"] == 3 * 4 * 2  # both ranks counted
    assert (tmp_path / "w.safetensors").exists()


def test_ddp_ranks_stop_together_on_a_time_budget(tmp_path):
    # rank 0's clock is broadcast: a rank that stopped alone would leave the other hanging in DDP
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2", "--master_port=29518",
           "-m", "infoatlas.cli", "dev", "train", "--out-dir", str(tmp_path), "--steps", "100000",
           "--time-budget", "3", "--ckpt-every", "100000", "--threads", "1", *TINY]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                       env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert r.returncode == 0, r.stderr[-3000:]
    ck = load_checkpoint(Path(tmp_path) / CHECKPOINT)
    assert 0 < ck["step"] < 100000 and ck["stats"]["train_seconds"] >= 3


def test_warm_start_copies_weights_and_leaves_the_output_unchanged(tmp_path):
    import numpy as np

    from infoatlas.model import SetMI, SetMIConfig
    from infoatlas.features import Featurizer
    from infoatlas.training.train import _warm_start
    from infoatlas.weights import save_model

    small = dict(width=16, n_layers=1, n_heads=2, max_dim=6)
    torch.manual_seed(0)
    old = SetMI(SetMIConfig(**small, n_pair_feats=0))
    for p in old.head.parameters():  # a non-zero head, so the output depends on the weights
        torch.nn.init.normal_(p, std=0.3)
    save_model(old, tmp_path / "old.safetensors", {"step": 7, "datasets_seen": 28})
    new = SetMI(SetMIConfig(**small))
    info = _warm_start(new, tmp_path / "old.safetensors")
    assert info["step"] == "7" and info["datasets_seen"] == "28"
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 100, 3))
    inp = Featurizer.for_model(new).batch(x, x[..., :2] ** 3 + rng.standard_normal((2, 100, 2)))
    with torch.no_grad():
        assert torch.allclose(old.eval()(**inp), new.eval()(**inp), atol=1e-6)
    wrong = SetMI(SetMIConfig(**{**small, "width": 8, "n_heads": 2}))
    with pytest.raises((ValueError, RuntimeError)):
        _warm_start(wrong, tmp_path / "old.safetensors")


def test_training_logs_the_plain_gaussian_sanity_check(tmp_path):
    train(_cfg(tmp_path, 2), progress=False)
    log = [json.loads(line) for line in (tmp_path / "log.jsonl").read_text().splitlines()]
    rec = [r for r in log if "gauss_mae" in r][-1]
    assert math.isfinite(rec["gauss_mae"]) and rec["gauss_gcmi_mae"] < 0.5  # gcmi is exact on Gaussians
