"""The pretraining log's held-out and plain-Gaussian evaluation (train.evaluate, evaluate_sanity) for
the shipped trunk and the warm-started ones, on the same batches (the first run's: seed 3).

    python docs/experiments/trunk17/trunk_eval.py [TRUNK ...] > docs/experiments/trunk17/trunk_eval.txt
"""
import dataclasses
import json
import sys
from pathlib import Path

import numpy as np
import torch

from infoatlas.training.train import TrainConfig, make_batch, make_sanity_batches, evaluate, evaluate_sanity, featurizer
from infoatlas.model import SetMIConfig, build_model
from infoatlas.weights import load_model

TRUNKS = sys.argv[1:] or [str(Path(__file__).with_name("trunk17.safetensors"))]
torch.set_num_threads(2)
cfg = TrainConfig(seed=3)
mcfg = SetMIConfig()
erng = np.random.default_rng([cfg.seed, 999_999])
ev = [make_batch(erng, cfg, mcfg, "heldout") for _ in range(cfg.eval_batches)]
sb = make_sanity_batches(np.random.default_rng([cfg.seed, 999_998]), featurizer(cfg, mcfg))
for name in ("infoatlas-base", *TRUNKS):
    m, _ = load_model(name)
    # the trunk and its own head only (the refinement head is not part of pretraining)
    t = build_model(m.arch, dataclasses.replace(m.cfg, n_knn=0, n_global=0).to_dict())
    t.load_state_dict({k: v for k, v in m.state_dict().items() if not k.startswith("refine.")}, strict=True)
    t.eval()
    with torch.no_grad():
        print(Path(name).name, json.dumps({k: round(float(v), 4) for k, v in {**evaluate(t, ev), **evaluate_sanity(t, sb)}.items()}))
