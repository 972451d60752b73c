"""Networks, their config dataclasses, and a registry by architecture name."""
from .pairmlp import PairMLP, PairMLPConfig
from .setformer import SetMI, SetMIConfig, pinball_loss

REGISTRY = {SetMI.arch: (SetMI, SetMIConfig), PairMLP.arch: (PairMLP, PairMLPConfig)}


def build_model(arch: str, config: dict):
    """Instantiate a registered network from its name and config dict."""
    if arch not in REGISTRY:
        raise ValueError(f"unknown architecture {arch!r}; known: {sorted(REGISTRY)}")
    cls, cfg_cls = REGISTRY[arch]
    return cls(cfg_cls.from_dict(config))


__all__ = ["SetMI", "SetMIConfig", "PairMLP", "PairMLPConfig", "pinball_loss", "build_model", "REGISTRY"]
