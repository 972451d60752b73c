"""pairwise on a local Dask cluster of two worker processes returns the local matrix."""
import numpy as np
import pytest

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def test_dask_pairwise_equals_the_local_matrix_and_builds_the_network_once_per_worker(client, tiny):
    r = np.random.default_rng(0)
    d = r.standard_normal((200, 9))
    d[:, 1] += d[:, 0]
    d[:, 8] = r.integers(0, 3, 200)          # a discrete column: the other path, on the workers too
    local = tiny.pairwise(d, progress=False)
    remote = tiny.pairwise(d, client=client, progress=False)
    # the same up to float rounding (blocks of other sizes are batched differently)
    assert np.allclose(local, remote, atol=1e-6, equal_nan=True)
    tiny.pairwise(d[:, :4], client=client, progress=False)
    built = client.run(lambda: len(__import__("infoatlas.distributed").distributed._WORKER_MODELS))
    assert set(built.values()) <= {0, 1} and sum(built.values()) >= 1


def test_dask_pairwise_fast_method_equals_the_local_matrix(client, tiny, tiny_pairs):
    from infoatlas import InfoAtlas

    est = InfoAtlas(tiny.model, tiny.meta, pair_model=tiny_pairs)
    r = np.random.default_rng(1)
    d = r.standard_normal((300, 7))
    d[:, 1] += d[:, 0]
    d[:, 6] = np.round(d[:, 6])               # tied: the network path, on the workers too
    local = est.pairwise(d, method="fast", progress=False)
    remote = est.pairwise(d, method="fast", client=client, progress=False)
    assert np.allclose(local, remote, atol=1e-6, equal_nan=True)


def test_dask_pairwise_streams_blocks_through_a_bounded_window(client, tiny, tiny_pairs, monkeypatch):
    from infoatlas import InfoAtlas, distributed as dist

    monkeypatch.setattr(dist, "IN_FLIGHT_PER_WORKER", 1)   # 2 blocks in flight, 8 blocks in all
    est = InfoAtlas(tiny.model, tiny.meta, pair_model=tiny_pairs)
    d = np.random.default_rng(2).standard_normal((100, 40))
    d[:, 1] += d[:, 0]
    local = est.pairwise(d, method="fast", progress=False)
    remote = est.pairwise(d, method="fast", client=client, progress=False)
    assert np.isfinite(remote[~np.eye(40, dtype=bool)]).all()
    assert np.allclose(local, remote, atol=1e-6, equal_nan=True)
