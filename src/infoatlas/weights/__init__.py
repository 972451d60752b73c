"""Shipped weights and their loader (TabPFN-style: resolve path, read the stored config, strict load).

A weight file is a safetensors file whose metadata holds ``arch``, ``config`` (the network) and
``features`` (how data become its inputs, :class:`~infoatlas.features.FeatureSettings`), plus its
training record and interval calibration.  :func:`read_metadata` is the one reader of that
metadata.  Loading refuses, with :class:`WeightsError` naming the path, anything that could hurt or
silently mislead: a missing or corrupt file, a name that is not a shipped file, a config whose
shapes differ from the stored tensors (checked before anything is allocated), tensors that are not
float32 or not finite.  There is never a silent fallback to a random model.
"""
from __future__ import annotations

import json
import os
from importlib import resources
from pathlib import Path

DEFAULT_MODEL = "infoatlas-base"
DEFAULT_PAIR_MODEL = "infoatlas-pairs"  #: the pair-screening network of ``pairwise(method="fast")``
#: metadata entries stored as JSON text; every other entry is a plain string
JSON_FIELDS = ("config", "features", "interval_calibration", "init", "refine", "schedule", "pair_training")


class WeightsError(RuntimeError):
    """The weight file is missing, unreadable, unsafe, or does not match its stored architecture."""


def _shipped_dir() -> Path:
    return Path(str(resources.files("infoatlas.weights")))


def shipped_names() -> list[str]:
    """Names of the weight files shipped with the package (``from_pretrained(name)``)."""
    return sorted(p.stem for p in _shipped_dir().glob("*.safetensors"))


def resolve(path_or_name: str | os.PathLike | None) -> Path:
    """A shipped model name (``infoatlas-base``) or a path to a ``.safetensors`` file -> a path.

    A string with no path separator and no ``.safetensors`` suffix is a shipped name and resolves
    only to a shipped file; anything else is a path and is used as given.
    """
    if path_or_name is None:
        path_or_name = DEFAULT_MODEL
    if isinstance(path_or_name, os.PathLike):
        p = Path(path_or_name)
    elif isinstance(path_or_name, str):
        name = path_or_name
        if name.endswith(".safetensors") or "/" in name or os.sep in name:
            p = Path(name)
        else:
            if name not in shipped_names():
                raise WeightsError(f"no shipped model named {name!r} (shipped: {', '.join(shipped_names())}); "
                                   "pass a path to a .safetensors file for other weights")
            p = _shipped_dir() / f"{name}.safetensors"
    else:
        raise WeightsError(f"weights must be a shipped model name or a path to a .safetensors file, "
                           f"got {type(path_or_name).__name__}")
    if not p.is_file():
        raise WeightsError(f"weight file not found: {p}")
    return p


def read_metadata(raw: dict, path="weights") -> dict:
    """Decode a weight file's raw string metadata: JSON entries become dicts, ``features`` a
    :class:`~infoatlas.features.FeatureSettings`, and the calibration is checked.

    Files written before the feature settings were stored get the settings they were used with
    (rows per pass from their config's ``max_tokens``, the rest the defaults of that time).
    """
    from ..features import FeatureSettings
    from ..intervals import Calibration

    if "arch" not in raw or "config" not in raw:
        raise WeightsError(f"weight file {path} lacks 'arch'/'config' metadata")
    meta = dict(raw)
    try:
        for key in JSON_FIELDS:
            if key in meta:
                meta[key] = json.loads(meta[key])
        if not isinstance(meta["config"], dict):
            raise ValueError("config is not a JSON object")
        legacy_tokens = meta["config"].pop("max_tokens", None)
        feats = meta.get("features") or ({} if legacy_tokens is None else {"rows_per_pass": legacy_tokens})
        meta["features"] = FeatureSettings.from_dict(feats)
        Calibration(meta.get("interval_calibration"))
    except (ValueError, TypeError) as e:
        raise WeightsError(f"unreadable metadata in weight file {path}: {e}") from e
    return meta


def encode_metadata(meta: dict) -> dict[str, str]:
    """The inverse of :func:`read_metadata`: every entry as the string safetensors stores."""
    out = {}
    for k, v in meta.items():
        if hasattr(v, "to_dict"):
            v = v.to_dict()
        out[k] = json.dumps(v) if isinstance(v, (dict, list)) else str(v)
    return out


def _check_tensors(path, fh, expected: dict, prefix: str = "") -> None:
    """Names, shapes and dtypes of the stored tensors whose names start with ``prefix`` against
    those a config implies, read from the file's header only (nothing is allocated)."""
    stored = {k[len(prefix):]: fh.get_slice(k) for k in fh.keys() if k.startswith(prefix)}
    missing, unexpected = sorted(set(expected) - set(stored)), sorted(set(stored) - set(expected))
    if missing or unexpected:
        raise WeightsError(f"weights in {path} do not match their config: missing {missing[:5]}, "
                           f"unexpected {unexpected[:5]}")
    for k, sl in stored.items():
        if tuple(sl.get_shape()) != expected[k]:
            raise WeightsError(f"weights in {path} do not match their config: {k} has shape "
                               f"{tuple(sl.get_shape())}, the config implies {expected[k]}")
        if sl.get_dtype() != "F32":
            raise WeightsError(f"weights in {path}: tensor {k} is {sl.get_dtype()}, expected float32 (F32)")


def build_checked(fh, path, arch: str, config: dict, prefix: str = ""):
    """The network that ``arch`` and ``config`` describe, with the tensors of an open safetensors
    file ``fh`` (names under ``prefix``) loaded strictly, in eval mode.

    The config's shapes are compared with the file's header before anything is allocated (a config
    that asks for a huge network fails here, cheaply), and tensors must be finite float32.
    """
    import torch

    from ..model import build_model

    try:  # the config's tensors on the meta device: shapes without memory
        with torch.device("meta"):
            shell = build_model(arch, config)
    except (ValueError, TypeError, KeyError, AssertionError, RuntimeError) as e:
        raise WeightsError(f"weight file {path} has an unusable config: {e}") from e
    _check_tensors(path, fh, {k: tuple(v.shape) for k, v in shell.state_dict().items()}, prefix)
    state = {k[len(prefix):]: fh.get_tensor(k) for k in fh.keys() if k.startswith(prefix)}
    bad = [k for k, v in state.items() if not torch.isfinite(v).all()]
    if bad:
        raise WeightsError(f"weights in {path} contain NaN or infinite values (in {bad[:5]})")
    model = build_model(arch, config)
    model.load_state_dict(state, strict=True)
    return model.eval()


def load_model(path_or_name=None):
    """Build the network stored in a weight file and load its weights strictly (eval mode).

    Returns (model, meta) with meta decoded by :func:`read_metadata`.
    """
    from safetensors import SafetensorError
    from safetensors.torch import safe_open

    path = resolve(path_or_name)
    try:
        with safe_open(str(path), framework="pt") as fh:
            meta = read_metadata(fh.metadata() or {}, path)
            model = build_checked(fh, path, meta["arch"], meta["config"])
    except (SafetensorError, OSError, ValueError) as e:
        raise WeightsError(f"corrupt or unreadable weight file {path}: {e}") from e
    return model, meta


def load_pair_model(path_or_name=None):
    """The pair-screening network (arch ``pairmlp``; default the shipped ``infoatlas-pairs``),
    loaded strictly like :func:`load_model`.  Returns (model, meta)."""
    model, meta = load_model(DEFAULT_PAIR_MODEL if path_or_name is None else path_or_name)
    if model.arch != "pairmlp":
        raise WeightsError(f"{path_or_name or DEFAULT_PAIR_MODEL} holds a {model.arch} network, not the "
                           "pair-screening model (pairmlp)")
    return model, meta


def save_model(model, path: str | Path, meta: dict | None = None, features=None) -> None:
    """Write a network's weights with arch, config and feature settings (atomically).

    ``meta``: further entries (a training record, a calibration), decoded form; ``features``: the
    :class:`~infoatlas.features.FeatureSettings` (default: those in ``meta``, else the defaults).
    """
    from safetensors.torch import save_file

    from ..features import FeatureSettings

    extra = {k: v for k, v in (meta or {}).items() if k not in ("arch", "config", "features")}
    feats = features or (meta or {}).get("features") or FeatureSettings()
    full = encode_metadata({"arch": model.arch, "config": model.cfg.to_dict(), "features": feats, **extra})
    path = Path(path)
    tmp = path.with_suffix(".tmp")
    state = {k: v.detach().contiguous().cpu() for k, v in model.state_dict().items()}
    save_file(state, str(tmp), metadata=full)
    os.replace(tmp, path)
