"""scripts/release_gate.py: the release rule applied to two sets of result files."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("release_gate", ROOT / "scripts" / "release_gate.py")
gate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gate)


def _suite(root: Path, suite: str, families, ns, truth_of, shift=None, rng=None):
    """Write <root>/<suite>/results.json with InfoAtlas and a baseline row per case; errors 0.1 nats + shift."""
    rng = rng or np.random.default_rng(0)
    recs = []
    for fam in families:
        for n in ns:
            for i in range(4):
                t = truth_of(fam, n, i)
                err = 0.1 + (shift(fam, n) if shift else 0.0)
                est = t + err if i % 2 else max(t - err, 0.0)
                for name, e in (("infoatlas", est), ("ksg", t + rng.normal(0, 0.3))):
                    recs.append({"estimator": name, "case": f"{fam}/1x1/n{n}/{i}", "family": fam, "dims": "1x1",
                                 "n": n, "truth": t, "estimate": e, "lower": e - 0.2, "upper": e + 0.2})
    (root / suite).mkdir(parents=True)
    (root / suite / "results.json").write_text(json.dumps({"meta": {}, "records": recs}))


def _results(root: Path, shift=None):
    truth = lambda fam, n, i: 0.0 if fam.startswith("independent") else 0.5 + 0.25 * i  # noqa: E731
    for suite, fams, ns in (("accuracy", ["gauss_block", "student_t_flow"], [200, 5000]),
                            ("gauss", ["gauss_plain"], [200, 5000]),
                            ("structured", ["manifold_image", "independent_structured"], [1000]),
                            ("fewrows", ["independent_structured"], [20]),
                            ("validation", ["clayton_pairs"], [1000])):
        _suite(root, suite, fams, ns, truth, (lambda f, n, s=suite: shift(s, f, n)) if shift else None)
    return root


def test_same_results_fail_only_the_strict_structured_check(tmp_path):
    base = _results(tmp_path / "a")
    checks = gate.verdicts(base, _results(tmp_path / "b"))
    # equal figures are within the tolerance everywhere, but "structured lower" asks for an improvement
    assert [c for c, ok, _ in checks if not ok] == ["structured MAE lower"]


def test_a_better_structured_candidate_passes_and_a_worse_accuracy_cell_fails(tmp_path):
    base = _results(tmp_path / "a")
    good = _results(tmp_path / "b", lambda s, f, n: -0.05 if s == "structured" and f == "manifold_image" else 0.0)
    assert gate.main([str(base), str(good)]) == 0
    bad = _results(tmp_path / "c", lambda s, f, n: (-0.05 if s == "structured" and f == "manifold_image" else
                                                     0.03 if s == "accuracy" and n == 5000 else 0.0))
    checks = gate.verdicts(base, bad)
    assert [c for c, ok, _ in checks if not ok] == ["accuracy MAE at n = 5000 within 0.02 of the base"]
    assert gate.main([str(base), str(bad)]) == 1
    # the tolerance is an argument
    assert gate.main([str(base), str(bad), "--tolerance", "0.05"]) == 0


def test_different_data_sets_or_missing_suites_are_refused(tmp_path, capsys):
    base = _results(tmp_path / "a")
    other = tmp_path / "b"
    _results(other)
    rec = json.loads((other / "gauss" / "results.json").read_text())
    rec["records"][0]["truth"] += 1.0
    (other / "gauss" / "results.json").write_text(json.dumps(rec))
    assert gate.main([str(base), str(other)]) == 2
    assert "not on the same data sets" in capsys.readouterr().err
    with pytest.raises(ValueError):
        gate.verdicts(base, other)
    empty = tmp_path / "c"
    empty.mkdir()
    assert gate.main([str(base), str(empty)]) == 2
