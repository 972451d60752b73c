"""Shipped weights and their loader (TabPFN-style: resolve path, read the stored config, strict load).

A weight file is a safetensors file whose metadata holds ``arch`` and ``config`` (JSON); nothing
else is needed to rebuild the network.  A missing or corrupt file raises :class:`WeightsError`
naming the path: there is never a silent fallback to a random model.
"""
from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

DEFAULT_MODEL = "infoatlas-base"


class WeightsError(RuntimeError):
    """The weight file is missing, unreadable, or does not match its stored architecture."""


def resolve(path_or_name: str | Path | None) -> Path:
    """A shipped model name (``infoatlas-base``) or a path to a ``.safetensors`` file -> a path."""
    if path_or_name is None:
        path_or_name = DEFAULT_MODEL
    p = Path(path_or_name)
    if p.suffix != ".safetensors" and not p.exists():
        p = Path(str(resources.files("infoatlas.weights") / f"{path_or_name}.safetensors"))
    if not p.is_file():
        raise WeightsError(f"weight file not found: {p}")
    return p


def load_model(path_or_name=None):
    """Build the network stored in a weight file and load its weights strictly (eval mode)."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file, safe_open

    from ..model import build_model

    path = resolve(path_or_name)
    try:
        with safe_open(str(path), framework="pt") as fh:
            meta = fh.metadata() or {}
        state = load_file(str(path))
    except (SafetensorError, OSError, ValueError, RuntimeError) as e:
        raise WeightsError(f"corrupt or unreadable weight file {path}: {e}") from e
    if "arch" not in meta or "config" not in meta:
        raise WeightsError(f"weight file {path} lacks 'arch'/'config' metadata")
    try:
        model = build_model(meta["arch"], json.loads(meta["config"]))
        model.load_state_dict(state, strict=True)
    except (ValueError, RuntimeError, TypeError, KeyError) as e:
        raise WeightsError(f"weights in {path} do not match architecture {meta.get('arch')!r}: {e}") from e
    model.eval()
    return model, meta


def save_model(model, path: str | Path, extra_meta: dict | None = None) -> None:
    """Write a network's weights with arch and config metadata (atomically)."""
    import os

    from safetensors.torch import save_file

    meta = {"arch": model.arch, "config": json.dumps(model.cfg.to_dict())}
    meta.update({k: str(v) for k, v in (extra_meta or {}).items()})
    path = Path(path)
    tmp = path.with_suffix(".tmp")
    state = {k: v.detach().contiguous().cpu() for k, v in model.state_dict().items()}
    save_file(state, str(tmp), metadata=meta)
    os.replace(tmp, path)
