"""Ground truth of the structured atlas families (atlas/structured.py): each MI argument rests on a
map being injective or on clusters being disjoint, so those are what is checked, by reading the
latent back from the data."""
import numpy as np
import pytest
from scipy import special

from infoatlas.atlas import prior, structured as S
from infoatlas.atlas.discrete import entropy_pmf, mi_from_joint


def _latent(rng, n, k):
    return rng.standard_normal((n, k)).clip(-4, 4)  # |z| <= 4: Phi(z) is not rounded to 1 in float64


@pytest.mark.parametrize("k,d", [(1, 5), (3, 40), (8, 8), (2, 160)])
def test_padded_embedding_gives_the_latent_back(rng, k, d):
    emb = S.PadEmbed(k, d, rng)
    z = _latent(rng, 500, k)
    back = np.linalg.solve(emb.mix, emb(z).T).T[:, :k]
    assert np.allclose(back, z, atol=1e-6)


@pytest.mark.parametrize("k,d,layers", [(1, 4, 1), (3, 30, 1), (2, 12, 2), (5, 64, 2)])
def test_tanh_embedding_gives_the_latent_back(rng, k, d, layers):
    emb = S.TanhEmbed(k, d, rng, layers=layers)
    z = _latent(rng, 300, k) * 0.5  # away from saturation, where float64 still resolves tanh^-1
    h = emb(z)
    if emb.second is not None:
        b, c = emb.second
        h = np.linalg.solve(b.T, (np.arctanh(h) - c).T).T  # the first layer's output
    back = np.linalg.lstsq(emb.a.T, (np.arctanh(h) - emb.b).T, rcond=None)[0].T
    assert np.allclose(back, z, atol=1e-5)


@pytest.mark.parametrize("k,d", [(1, 3), (2, 9), (3, 64), (8, 256)])
def test_strip_rendering_gives_the_latent_back(rng, k, d):
    emb = S.StripRender(k, d, rng)
    z = _latent(rng, 300, k)
    x = emb(z)
    start = 0
    for j, (g, s) in enumerate(zip(emb.grids, emb.width)):
        strip = x[:, start:start + g.size]
        start += g.size
        top = np.argsort(strip, axis=1)[:, -2:]               # the two brightest pixels
        ia, ib = top[:, 1], top[:, 0]
        a, b = strip[np.arange(len(z)), ia], strip[np.arange(len(z)), ib]
        ga, gb = g[ia], g[ib]
        p = (gb ** 2 - ga ** 2 - 2 * s * s * np.log(a / b)) / (2 * (gb - ga))
        assert np.allclose(special.ndtri(p), z[:, j], atol=1e-5)


@pytest.mark.parametrize("k,d", [(1, 16), (2, 64), (3, 144), (2, 256)])
def test_blob_image_gives_the_latent_back(rng, k, d):
    emb = S.BlobImage(k, d, rng)
    z = _latent(rng, 100, k) * 0.75
    x = emb(z)
    for i in range(len(z)):
        ok = x[i] > 1e-12
        # log I = c0 + c1 gx + c2 gy + c3 (gx^2 + gy^2), c3 = -1 / (2 s^2), (c1, c2) = (p1, p2) / s^2
        a = np.column_stack([np.ones(ok.sum()), emb.gx[ok], emb.gy[ok], emb.gx[ok] ** 2 + emb.gy[ok] ** 2])
        c = np.linalg.lstsq(a, np.log(x[i, ok]), rcond=None)[0]
        s2 = -1 / (2 * c[3])
        p1 = c[1] * s2
        assert special.ndtri(p1) == pytest.approx(z[i, 0], abs=1e-5)
        if k >= 2:
            assert special.ndtri(c[2] * s2) == pytest.approx(z[i, 1], abs=1e-5)
        if k == 3:
            p3 = (np.sqrt(s2) / emb.s0 - 0.7) / 0.6
            assert special.ndtri(p3) == pytest.approx(z[i, 2], abs=1e-4)


def test_fourier_embedding_gives_the_latent_back(rng):
    emb = S.FourierEmbed(3, 20, rng)
    z = _latent(rng, 200, 3)
    x = emb(z)
    pinv = np.linalg.pinv(emb.a)
    back = np.zeros_like(z)
    for _ in range(400):  # a contraction: the sine part is Lipschitz below sigma_min(A)
        back = (x - emb.c * np.sin(back @ emb.w + emb.b) @ emb.v) @ pinv
    assert np.allclose(back, z, atol=1e-6)


@pytest.mark.parametrize("family", ["clusters_ball", "clusters_shell", "clusters_pool", "clusters_codebook"])
def test_clusters_are_disjoint_so_the_label_is_read_back(rng, family):
    for d in (1, 3, 50):
        task = S.make(family, d, 7, 1.2, rng)
        flat = rng.choice(task.pmf.size, size=4000, p=task.pmf.ravel())
        c, c2 = np.unravel_index(flat, task.pmf.shape)
        x, y = task.sx(c, rng), task.sy(c2, rng)
        for side, pts, lab in ((task.sx, x, c), (task.sy, y, c2)):
            dist = np.linalg.norm(pts[:, None] - side.centres[None], axis=-1)
            assert np.array_equal(dist.argmin(1), lab)
            # every point within the radius of its own centre, which is below half the smallest gap
            assert dist[np.arange(len(lab)), lab].max() <= side.radius * (1 + 1e-12)
        gaps = np.linalg.norm(task.sx.centres[:, None] - task.sx.centres[None], axis=-1)
        assert 2 * task.sx.radius < gaps[~np.eye(len(gaps), dtype=bool)].min()


def test_codebooks_repeat_rows_on_a_slice_of_each_cluster(rng):
    for _ in range(6):
        task = S.make("clusters_codebook", 12, 12, 1.0, rng)
        x, y = task.sample(3000, rng)
        for side, pts in ((task.sx, x), (task.sy, y)):
            if side.shape != "codebook":
                continue
            k, m, _ = side.pool.shape
            assert np.unique(pts, axis=0).shape[0] <= k * m
            # each cluster's pool (offsets from its centre) spans at most 3 dimensions: a slice of its ball
            assert max(np.linalg.matrix_rank(o, tol=1e-9) for o in side.pool) <= 3
        assert task.mutual_information() == pytest.approx(mi_from_joint(task.pmf))


def test_pools_repeat_rows_and_the_mi_is_the_labels(rng):
    task = S.make("clusters_pool", 4, 4, 1.0, rng)
    x, y = task.sample(3000, rng)
    assert np.unique(x, axis=0).shape[0] <= task.sx.pool.shape[0] * task.sx.pool.shape[1]
    assert task.mutual_information() == pytest.approx(mi_from_joint(task.pmf))


@pytest.mark.parametrize("mi", [0.05, 0.7, 1.8])
def test_cluster_pmf_hits_the_target_mi(rng, mi):
    pmf = S.cluster_pmf(8, mi, rng)
    assert pmf.sum() == pytest.approx(1.0)
    px = pmf.sum(1)
    target = min(mi, 0.95 * entropy_pmf(px))
    assert mi_from_joint(pmf) == pytest.approx(target, abs=1e-6)


def test_plug_in_mi_of_sampled_labels_matches_the_truth(rng):
    task = S.make("clusters_ball", 2, 2, 1.3, rng)
    flat = rng.choice(task.pmf.size, size=200_000, p=task.pmf.ravel())
    counts = np.bincount(flat, minlength=task.pmf.size).reshape(task.pmf.shape)
    assert mi_from_joint(counts) == pytest.approx(task.mutual_information(), abs=0.01)


@pytest.mark.parametrize("family", S.FAMILIES)
def test_structured_families_take_the_widths_asked_for(rng, family):
    for dx, dy in [(1, 1), (1, 64), (3, 2), (17, 40), (160, 5)]:
        t = prior.make_task(family, dx, dy, 1.0, rng, train=family in prior.TRAIN_FAMILIES)
        x, y = t.sample(60, rng)
        assert x.shape == (60, dx) and y.shape == (60, dy)
        assert np.isfinite(x).all() and np.isfinite(y).all()
        assert t.mutual_information() >= 0
        if family.startswith("independent"):
            assert t.mutual_information() == 0


def test_embedded_latents_keep_their_mi(rng):
    for family in ("manifold_tanh", "manifold_pad", "manifold_strip", "manifold_fourier", "manifold_image"):
        t = S.make(family, 4, 64, 1.7, rng)
        assert t.mutual_information() == pytest.approx(1.7)
        assert t.latent.dim_x <= 4 and t.latent.dim_y <= S.LATENT_MAX


def test_wide_mixtures_keep_the_table_rows_mi(rng):
    from infoatlas.atlas import mixtures

    train = {(r.dim_x, r.dim_y, r.mi) for r in mixtures.load_table() if r.split == "train"}
    for dx, dy in [(1, 1), (3, 40), (64, 16), (160, 2)]:
        t = S.make("mixture_wide", dx, dy, 0.0, rng)
        assert (t.latent.dim_x, t.latent.dim_y, t.mutual_information()) in train  # a training row, its MI
        assert t.latent.dim_x <= min(dx, S.LATENT_MAX) and t.latent.dim_y <= min(dy, S.LATENT_MAX)
        assert (t.fx is None) == (t.latent.dim_x == dx) and (t.fy is None) == (t.latent.dim_y == dy)


def test_shape_prior_reaches_few_rows_and_wide_sides():
    rng = np.random.default_rng(3)
    shapes = [S.draw_shape(rng, "independent_wide") for _ in range(300)]
    ratio = np.array([n / (dx + dy) for n, dx, dy in shapes])
    assert min(n for n, _, _ in shapes) >= 20
    assert (ratio <= 3).mean() > 0.2 and ratio.max() <= 20.5
    wide = [max(dx, dy) for _, dx, dy in (S.draw_shape(rng, "gauss_wide") for _ in range(300))]
    assert max(wide) > 100 and np.mean(np.array(wide) > 32) > 0.4


def test_structured_heldout_stays_out_of_training_and_validation():
    assert not set(prior.STRUCTURED_HELDOUT) & (set(prior.TRAIN_FAMILIES) | set(prior.VALIDATION_FAMILIES))
    assert set(S.TRAIN) <= set(prior.TRAIN_FAMILIES)
    assert set(S.VALIDATION) <= set(prior.VALIDATION_FAMILIES)
    assert prior.train_families("1.4") == prior.TRAIN_FAMILIES[:8]


def test_rounded_gaussians_have_ties_and_the_quantised_mi(rng):
    from infoatlas.atlas.discrete import QuantisedGaussian

    for _ in range(5):
        t = S.make("gauss_rounded", 2, 3, 0.8, rng)
        x, y = t.sample(2000, rng)
        assert x.shape == (2000, 2) and y.shape == (2000, 3)
        q = t.base
        assert isinstance(q, QuantisedGaussian)
        levels = [np.unique(x[:, 0]).size, np.unique(y[:, 0]).size]
        assert any(20 < lv <= 150 for lv in levels)
        assert 0 < t.mutual_information() <= 0.8 + 1e-9  # rounding loses information
