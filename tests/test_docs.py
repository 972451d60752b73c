"""The docs run and are current: every Python block of the README runs as written in a fresh
interpreter, and the README's tables and the model card match the result files they are generated from."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _python_blocks(path: Path) -> list[str]:
    # a block preceded by <!-- fragment --> is an excerpt, not meant to run on its own
    text = path.read_text()
    return [m.group(2) for m in re.finditer(r"(<!-- fragment -->\n)?```python\n(.*?)```", text, re.S)
            if not m.group(1)]


@pytest.mark.parametrize("i", range(len(_python_blocks(ROOT / "README.md"))))
def test_readme_python_block_runs_as_written(i, tmp_path):
    code = _python_blocks(ROOT / "README.md")[i]
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert r.returncode == 0, f"README block {i} failed:\n{code}\n{r.stderr[-3000:]}"


def test_readme_and_model_card_are_generated_from_the_result_files():
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "make_docs.py"), "--check"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr


def test_public_docstring_examples_run():
    import doctest

    import infoatlas
    import infoatlas.estimator
    import infoatlas.interface

    for mod in (infoatlas, infoatlas.estimator, infoatlas.interface):
        res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
        assert res.failed == 0, f"{mod.__name__}: {res.failed} failing docstring example(s)"


def test_example_scripts_run(tmp_path):
    ex = ROOT / "examples"
    r = subprocess.run([sys.executable, str(ex / "quickstart_diabetes.py"), "--plot", str(tmp_path / "p.png")],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "bmi" in r.stdout and (tmp_path / "p.png").stat().st_size > 0
    # the bundled example data are rebuilt exactly by their script
    r = subprocess.run([sys.executable, str(ex / "make_example.py"), "--out", str(tmp_path)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    shipped = ROOT / "src" / "infoatlas" / "data" / "example.csv"
    assert (tmp_path / "example.csv").read_text() == shipped.read_text()
    r = subprocess.run([sys.executable, str(ex / "pairwise_screening.py")], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "435 pairs" in r.stdout and "mean radius" in r.stdout
    assert set(p.name for p in ex.glob("*.py")) == {"quickstart_diabetes.py", "make_example.py",
                                                    "pairwise_screening.py"}  # all run here
