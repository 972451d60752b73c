"""Weight files that could hurt or mislead are refused fast with WeightsError (hostile-file checks)."""
import json
import time

import pytest
from safetensors import safe_open
from safetensors.torch import load_file, save_file

from infoatlas import InfoAtlas, WeightsError
from infoatlas.weights import load_model, read_metadata, resolve, shipped_names


def _parts(path):
    with safe_open(str(path), framework="pt") as fh:
        return load_file(str(path)), fh.metadata()


def test_a_config_asking_for_a_huge_network_is_refused_before_allocating(tiny_weights, tmp_path):
    state, meta = _parts(tiny_weights)
    cfg = json.loads(meta["config"])
    cfg["width"] = 20_000  # would need tens of GB if the network were built before checking
    save_file(state, str(tmp_path / "huge.safetensors"), metadata={**meta, "config": json.dumps(cfg)})
    t0 = time.perf_counter()
    with pytest.raises(WeightsError, match="do not match their config"):
        load_model(tmp_path / "huge.safetensors")
    assert time.perf_counter() - t0 < 5.0  # refused from the header, not after allocating


@pytest.mark.parametrize("name", ["../../../tmp/x", "..", "infoatlas-bas", "/etc/passwd"])
def test_names_resolve_only_to_shipped_files_and_paths_only_as_paths(name):
    # a bare name is looked up among the shipped files only; anything with a separator is a path,
    # used as given, and a path to something that is not a weight file does not load
    with pytest.raises(WeightsError):
        load_model(name)
    if "/" not in name:
        with pytest.raises(WeightsError, match="no shipped model named"):
            resolve(name)


def test_shipped_names_resolve_inside_the_package():
    assert "infoatlas-base" in shipped_names()
    assert resolve("infoatlas-base").parent == resolve(None).parent


@pytest.mark.parametrize("bad", [123, 1.5, ["infoatlas-base"]])
def test_a_weights_argument_of_the_wrong_type_is_a_weights_error(bad):
    with pytest.raises(WeightsError, match="shipped model name or a path"):
        InfoAtlas.from_pretrained(bad)


@pytest.mark.parametrize("kind", ["nan", "inf", "float16", "int32", "float64"])
def test_non_finite_or_non_float32_tensors_are_refused(tiny_weights, tmp_path, kind):
    state, meta = _parts(tiny_weights)
    name = sorted(state)[0]
    t = state[name]
    state[name] = {"nan": t.clone().fill_(float("nan")), "inf": t.clone().fill_(float("inf")),
                   "float16": t.half(), "int32": t.int(), "float64": t.double()}[kind]
    path = tmp_path / f"{kind}.safetensors"
    save_file(state, str(path), metadata=meta)
    with pytest.raises(WeightsError, match="NaN or infinite" if kind in ("nan", "inf") else "float32"):
        load_model(path)


def test_unknown_feature_settings_are_refused():
    with pytest.raises(WeightsError, match="unknown feature settings"):
        read_metadata({"arch": "setmi", "config": "{}", "features": json.dumps({"rows_per_pas": 8})})
    with pytest.raises(WeightsError, match="positive integer"):
        read_metadata({"arch": "setmi", "config": "{}", "features": json.dumps({"rows_per_pass": 0})})


def test_the_shipped_file_carries_its_feature_settings_and_no_machine_paths():
    _, meta = load_model()
    assert meta["features"].rows_per_pass == 1024 and meta["features"].max_chunks == 2
    with safe_open(str(resolve(None)), framework="pt") as fh:
        raw = fh.metadata()
    assert "features" in raw and "max_tokens" not in raw["config"]
    assert not any("/work/" in v or "/home/" in v or "/tmp/" in v for v in raw.values())


def test_settings_in_the_file_change_how_data_are_read(tiny_weights, tmp_path, rng):
    from infoatlas.features import FeatureSettings
    from infoatlas.weights import save_model

    model, meta = load_model(tiny_weights)
    save_model(model, tmp_path / "one.safetensors", meta, features=FeatureSettings(rows_per_pass=64, max_chunks=1))
    x = rng.standard_normal((500, 2))
    y = x + rng.standard_normal((500, 2))
    assert InfoAtlas.from_pretrained(tiny_weights).estimate(x, y).n_used == 128   # 2 chunks of 64
    assert InfoAtlas.from_pretrained(tmp_path / "one.safetensors").estimate(x, y).n_used == 64
