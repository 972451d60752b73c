"""Golden test: the shipped weights' outputs on fixed data sets must not change unless the weights do.

The expected values live in tests/data/golden.json with the weight file's SHA-256; when a new weight
file is shipped, regenerate them with ``python tests/test_golden.py --write`` (and say so in the
changelog).  Refactors of the data path must leave them unchanged.
"""
import hashlib
import json
import sys
import warnings
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

GOLDEN = Path(__file__).parent / "data" / "golden.json"


def golden_cases() -> dict:
    """Fixed data sets covering the data path's branches: one pass, chunks, wide sides, statistics rows,
    rows repeated on one side (the network) and on both (infoatlas.pooled)."""
    r = np.random.default_rng(20261130)
    out = {}
    x = r.standard_normal(300)
    out["1x1_n300"] = (x, x + r.standard_normal(300))
    x = r.standard_normal((1500, 3))
    out["3x2_n1500_chunked"] = (x, np.column_stack([np.sin(x[:, 0]) + 0.3 * r.standard_normal(1500), x[:, 1] * x[:, 2]]))
    x = r.standard_normal((5000, 2))
    out["2x2_n5000_two_chunks"] = (x, x ** 3 + r.standard_normal((5000, 2)))
    x = r.standard_normal((400, 40))
    out["40x5_n400_wider_than_native"] = (x, x[:, :5] + r.standard_normal((400, 5)))
    x = r.standard_normal((200, 4))
    out["4x3_n200_independent"] = (x, r.standard_normal((200, 3)))
    x = r.standard_normal(20000)
    out["1x1_n20000_statistics_rows"] = (x, np.tanh(x) + 0.2 * r.standard_normal(20000))
    # rows drawn from pools of 60 points per side, so whole rows repeat on both sides (infoatlas.pooled)
    px, py = r.standard_normal((60, 3)), r.standard_normal((60, 3))
    i = r.integers(60, size=1000)
    j = np.where(r.random(1000) < 0.7, i, r.integers(60, size=1000))
    out["3x3_n1000_repeated_rows"] = (px[i], py[j])
    # rows of X repeat, Y continuous: the network with spread_repeats' branch
    out["3x3_n1000_repeated_rows_one_side"] = (px[i], py[j] + 0.3 * r.standard_normal((1000, 3)))
    return out


def weights_digest(name: str = "infoatlas-base") -> str:
    """SHA-256 of the shipped file's tensors, feature settings and interval calibration (what the
    outputs depend on; other metadata, such as the training record, may be rewritten without
    touching them)."""
    from safetensors import safe_open

    h = hashlib.sha256()
    with safe_open(str(resources.files("infoatlas.weights") / f"{name}.safetensors"), framework="np") as fh:
        for key in sorted(fh.keys()):
            h.update(key.encode())
            h.update(fh.get_tensor(key).tobytes())
        meta = fh.metadata() or {}
        h.update((meta.get("features", "") + meta.get("interval_calibration", "")).encode())
    return h.hexdigest()


def compute() -> dict:
    from infoatlas import InfoAtlas

    est = InfoAtlas.from_pretrained()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {k: [e.mi, e.lower, e.upper, e.n_used] for k, e in
                ((k, est.estimate(x, y)) for k, (x, y) in golden_cases().items())}


def test_shipped_weights_give_the_golden_outputs():
    want = json.loads(GOLDEN.read_text())
    if want["weights_sha256"] != weights_digest():
        pytest.fail("the shipped weight file changed: regenerate tests/data/golden.json "
                    "(python tests/test_golden.py --write) and record the change in CHANGELOG.md")
    got = compute()
    assert set(got) == set(want["outputs"])
    for k, (mi, lo, hi, used) in want["outputs"].items():
        assert got[k][:3] == pytest.approx([mi, lo, hi], rel=1e-5, abs=1e-6), k
        assert got[k][3] == used, k


if __name__ == "__main__" and "--write" in sys.argv:
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text(json.dumps({"weights_sha256": weights_digest(), "outputs": compute()}, indent=1) + "\n")
    print(f"wrote {GOLDEN}")
