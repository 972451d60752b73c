import numpy as np
import pytest
import torch

from infoatlas.features import FeatureSettings
from infoatlas.model import SetMI, SetMIConfig
from infoatlas.weights import save_model


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", default=False, help="run slow tests")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="slow: pass --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


TINY = dict(max_dim=8, width=16, n_heads=2, n_layers=1, n_inducing=4, n_seeds=1)
TINY_FEATURES = FeatureSettings(rows_per_pass=64)  # small chunks, so that chunking is exercised


@pytest.fixture(scope="session")
def tiny_weights(tmp_path_factory):
    """A tiny random network saved like shipped weights (its head is randomised so that the
    output depends on the data and the invariance tests are not trivially met)."""
    torch.manual_seed(0)
    model = SetMI(SetMIConfig(**TINY))
    torch.nn.init.normal_(model.head[-1].weight, std=0.5)
    path = tmp_path_factory.mktemp("w") / "tiny.safetensors"
    save_model(model, path, features=TINY_FEATURES)
    return path


@pytest.fixture(scope="session")
def tiny_pairs(tmp_path_factory):
    """A small random pair-screening model saved like shipped weights (pairwise(method="fast"))."""
    from infoatlas.model import PairMLP, PairMLPConfig

    torch.manual_seed(0)
    model = PairMLP(PairMLPConfig(width=16, depth=2))
    path = tmp_path_factory.mktemp("p") / "pairs.safetensors"
    save_model(model, path)
    return path


@pytest.fixture(scope="session")
def tiny_refined_weights(tmp_path_factory):
    """The tiny network with a refinement head reading kNN statistics of 3 pairs and the
    whole-data-set statistics (randomised last layer, so that the output depends on them)."""
    from infoatlas.knn import N_GLOBAL

    torch.manual_seed(1)
    model = SetMI(SetMIConfig(**TINY, n_knn=3, refine_width=8, n_global=N_GLOBAL))
    torch.nn.init.normal_(model.head[-1].weight, std=0.5)
    torch.nn.init.normal_(model.refine[-1].weight, std=0.5)
    path = tmp_path_factory.mktemp("w") / "tiny_refined.safetensors"
    save_model(model, path, features=TINY_FEATURES)
    return path


@pytest.fixture
def tiny(tiny_weights):
    from infoatlas import InfoAtlas

    return InfoAtlas.from_pretrained(tiny_weights)


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
