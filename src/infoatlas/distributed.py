"""Pairwise MI on a Dask cluster (``InfoAtlas.pairwise(..., client=...)``).

The network (its config, weights and feature settings) and the call's data (rows, copula scores,
masks) are scattered to every worker once; each task computes one block of pairs with
:meth:`InfoAtlas._pair_block`, the same code as the local call, so the matrix is the same.  A
worker keeps the network it built, keyed by a digest of the weights, for later calls.  Dask is
imported only here, so it is needed only when a client is passed.
"""
from __future__ import annotations

import hashlib

_WORKER_MODELS: dict = {}


def _network_payload(est) -> dict:
    state = {k: v.detach().cpu() for k, v in est.model.state_dict().items()}
    h = hashlib.sha256()
    for k in sorted(state):
        h.update(k.encode())
        h.update(state[k].numpy().tobytes())
    return {"key": h.hexdigest(), "arch": est.model.arch, "config": est.model.cfg.to_dict(), "state": state,
            "meta": est.meta, "options": {"random_state": est.random_state, "max_rows": est.max_rows,
                                          "max_chunks": est.max_chunks}}


def _estimator(net: dict):
    """The worker's estimator for a network payload (built once per worker and network)."""
    from .estimator import InfoAtlas
    from .model import build_model

    key = (net["key"], tuple(sorted(net["options"].items())))
    if key not in _WORKER_MODELS:
        model = build_model(net["arch"], net["config"])
        model.load_state_dict(net["state"], strict=True)
        _WORKER_MODELS[key] = InfoAtlas(model, net["meta"], **net["options"])
    return _WORKER_MODELS[key]


def _block_task(net: dict, data: dict, block) -> tuple[list[float], dict]:
    return _estimator(net)._pair_block(data, block)


IN_FLIGHT_PER_WORKER = 8  #: blocks submitted ahead per worker (the rest are drawn as blocks finish)


def pairwise_blocks(client, est, data: dict, blocks):
    """Yield (block, (MI values, readings before the regression bound)) as the workers finish them
    (see :meth:`InfoAtlas._pair_block`).  ``blocks`` is consumed lazily: at most
    ``IN_FLIGHT_PER_WORKER`` blocks per worker are submitted at a time, so the client holds a bounded
    number of tasks however many pairs there are."""
    import itertools

    from distributed import as_completed

    # hash=False: fresh keys per call (a key shared with a released earlier call can vanish mid-use)
    [net] = client.scatter([_network_payload(est)], broadcast=True, hash=False)
    [payload] = client.scatter([data], broadcast=True, hash=False)
    blocks = iter(blocks)
    pending, done = {}, as_completed()

    def submit(block):
        fut = client.submit(_block_task, net, payload, block, pure=False)
        pending[fut] = block
        done.add(fut)

    workers = max(1, len(client.scheduler_info()["workers"]))
    for block in itertools.islice(blocks, IN_FLIGHT_PER_WORKER * workers):
        submit(block)
    for fut in done:
        block = pending.pop(fut)
        yield block, fut.result()
        nxt = next(blocks, None)
        if nxt is not None:
            submit(nxt)
