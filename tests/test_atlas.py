import numpy as np
import pytest
from scipy import stats

from infoatlas.atlas import base, mixtures, prior, transforms
from infoatlas.baselines import KSG


def test_canonical_gaussian_mi_matches_large_sample_covariance(rng):
    s = base.CanonicalGaussian([0.9, 0.3], 3, 2)
    x, y = s.sample(400_000, rng)
    c = np.cov(np.hstack([x, y]), rowvar=False)
    emp = 0.5 * (np.linalg.slogdet(c[:3, :3])[1] + np.linalg.slogdet(c[3:, 3:])[1] - np.linalg.slogdet(c)[1])
    assert s.mutual_information() == pytest.approx(emp, abs=0.01)


@pytest.mark.parametrize("dof,rho,dx,dy", [(3.0, [0.6], 1, 1), (1.5, [], 2, 1), (8.0, [0.5, 0.2], 2, 3)])
def test_student_t_closed_form_matches_monte_carlo_with_exact_densities(dof, rho, dx, dy, rng):
    s = base.StudentT(np.array(rho), dx, dy, dof)
    x, y = s.sample(200_000, rng)
    cov = np.eye(dx + dy)
    for k, r in enumerate(rho):
        cov[k, dx + k] = cov[dx + k, k] = r
    joint = stats.multivariate_t(np.zeros(dx + dy), cov, df=dof).logpdf(np.hstack([x, y]))
    px = stats.multivariate_t(np.zeros(dx), cov[:dx, :dx], df=dof).logpdf(x)
    py = stats.multivariate_t(np.zeros(dy), cov[dx:, dx:], df=dof).logpdf(y)
    pmi = joint - px - py
    se = pmi.std() / np.sqrt(len(pmi))
    assert s.mutual_information() == pytest.approx(pmi.mean(), abs=5 * se + 0.005)


@pytest.mark.parametrize("a", [0.1, 0.6, 1.0, 2.5])
def test_additive_uniform_closed_form_matches_monte_carlo(a, rng):
    s = base.AdditiveUniform([a], 1, 1)
    x, y = s.sample(400_000, rng)
    y = y[:, 0]
    lo, hi = min(a, 1.0), max(a, 1.0)
    # density of the sum of U(0, 1) and U(0, a): a trapezoid with ramps of width lo, plateau 1/hi
    py = np.where(y < lo, y / (lo * hi), np.where(y > hi, (1 + a - y) / (lo * hi), 1.0 / hi))
    pmi = -np.log(a) - np.log(py)
    assert s.mutual_information() == pytest.approx(pmi.mean(), abs=5 * pmi.std() / np.sqrt(len(pmi)) + 0.003)


def test_additive_uniform_scale_inverts_mi():
    mi = np.array([0.01, 0.3, 0.5, 0.9, 3.0, 7.5])
    assert base.additive_uniform_mi(base.additive_uniform_scale(mi)) == pytest.approx(mi, rel=1e-6)


def test_mixture_table_rechecked_with_independent_monte_carlo():
    rows = mixtures.load_table()
    assert len(rows) > 500 and {r.split for r in rows} == {"train", "heldout"}
    for row in rows[::250]:
        m = mixtures.GaussianMixture.from_row(row)
        mi, se = m.monte_carlo_mi(40_000, np.random.default_rng([row.seed, 777]))
        assert row.mi == pytest.approx(mi, abs=5 * np.hypot(se, row.mc_se) + 0.01)


def test_coupling_flow_is_a_bijection(rng):
    f = transforms.CouplingFlow(5, rng, n_layers=3)
    z = rng.standard_normal((1000, 5)) * 3
    assert np.allclose(f.inverse(f(z)), z, atol=1e-8)


def test_monotone_maps_are_strictly_increasing(rng):
    t = np.linspace(-4, 4, 2001)[:, None].repeat(len(transforms.MONOTONE_SHAPES), 1)
    m = transforms.Monotone(t.shape[1], rng)
    m.shapes = list(transforms.MONOTONE_SHAPES)
    out = m(t)
    assert np.all(np.diff(out, axis=0) > 0)


def test_embedding_keeps_the_input_coordinates(rng):
    z = rng.standard_normal((50, 3))
    e = transforms.SmoothEmbedding(3, 2, rng)(z)
    assert e.shape == (50, 5) and np.array_equal(e[:, :3], z)


def test_transformed_sampler_keeps_mi_and_ksg_agrees(rng):
    s = base.CanonicalGaussian([0.8], 1, 1)
    t = transforms.Transformed(s, transforms.Monotone(1, rng), transforms.Monotone(1, rng))
    assert t.mutual_information() == s.mutual_information()
    x, y = t.sample(5000, rng)
    assert KSG().estimate(x, y) == pytest.approx(s.mutual_information(), abs=0.06)


def test_batches_are_reproducible_from_the_seed():
    a = prior.sample_batch(np.random.default_rng([1, 2]), 4, 64, 3, 2)
    b = prior.sample_batch(np.random.default_rng([1, 2]), 4, 64, 3, 2)
    c = prior.sample_batch(np.random.default_rng([1, 3]), 4, 64, 3, 2)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[2], b[2])
    assert not np.array_equal(a[0], c[0])


def test_split_keeps_heldout_families_out_of_training():
    assert not set(prior.TRAIN_FAMILIES) & set(prior.HELDOUT_FAMILIES)
    # the calibration family is in neither training nor the held-out benchmark
    assert not set(prior.VALIDATION_FAMILIES) & (set(prior.TRAIN_FAMILIES) | set(prior.HELDOUT_FAMILIES))
    assert {prior.draw_family(np.random.default_rng(s), "validation") for s in range(20)} == \
        set(prior.VALIDATION_FAMILIES)
    rng = np.random.default_rng(0)
    fams = {prior.draw_family(rng, "train") for _ in range(500)}
    assert fams == set(prior.TRAIN_FAMILIES)
    x, y, mi, fams = prior.sample_batch(rng, 16, 100, 4, 5, "heldout")
    assert set(fams) <= set(prior.HELDOUT_FAMILIES)
    assert x.shape == (16, 100, 4) and y.shape == (16, 100, 5) and np.all(mi >= 0)


@pytest.mark.parametrize("family", prior.TRAIN_FAMILIES + prior.HELDOUT_FAMILIES + prior.SANITY_FAMILIES
                         + prior.VALIDATION_FAMILIES)
def test_every_family_samples_finite_data_with_nonnegative_mi(family, rng):
    for dx, dy in [(1, 1), (2, 7), (12, 3)]:
        t = prior.make_task(family, dx, dy, 1.5, rng, train=family in prior.TRAIN_FAMILIES)
        x, y = t.sample(200, rng)
        assert x.shape == (200, dx) and y.shape == (200, dy)
        assert np.isfinite(x).all() and np.isfinite(y).all()
        assert t.mutual_information() >= 0


def test_plain_gaussians_are_gaussian_up_to_monotone_maps(rng):
    # the sanity family: after ranks -> normal scores the Gaussian-copula MI must match the truth
    from infoatlas.baselines import GaussianCopula

    errs = []
    for _ in range(6):
        t = prior.make_task("gauss_plain", 3, 4, float(rng.uniform(0.2, 2.0)), rng, train=False)
        x, y = t.sample(20_000, rng)
        errs.append(abs(GaussianCopula().estimate(x, y) - t.mutual_information()))
    assert max(errs) < 0.05
    x, y, mi = prior.sample_gaussian_batch(rng, 3, 50, 2, 2)
    assert x.shape == (3, 50, 2) and mi.shape == (3,)


def test_clayton_table_is_monotone_and_ksg_agrees_on_a_large_sample(rng):
    theta, mi = base.clayton_mi_table()
    assert np.all(np.diff(mi) >= 0) and mi[0] < 1e-3 and 2.5 < mi[-1] < 3.0
    assert np.allclose(base.clayton_mi(base.clayton_theta([0.1, 1.0, 2.0])), [0.1, 1.0, 2.0], atol=1e-3)
    for th, rot in ((2.0, 0), (8.0, 1)):  # rotation 1 (90 degrees): negative dependence
        s = base.ClaytonPairs([th], [rot], 1, 1)
        x, y = s.sample(20_000, rng)
        assert np.sign(stats.spearmanr(x[:, 0], y[:, 0])[0]) == (1 if rot == 0 else -1)
        assert abs(KSG().estimate(x, y) - s.mutual_information()) < 0.05


def test_clayton_log_density_integrates_to_one():
    # E_uniform[c(U, V)] = 1 on a fine midpoint grid (the density's corner singularity is mild at theta 1)
    g = (np.arange(2000) + 0.5) / 2000
    lu, lv = np.meshgrid(np.log(g), np.log(g))
    assert abs(np.exp(base.clayton_log_density(lu, lv, 1.0)).mean() - 1.0) < 0.01


def test_additive_noise_table_matches_the_gaussian_closed_form_and_inverts():
    from infoatlas.atlas import additive

    log_s, mi = additive.additive_mi_table("normal", "normal")
    s = np.exp(log_s)
    assert np.allclose(mi, 0.5 * np.log1p(1 / s ** 2), atol=1e-6)  # on the grid: the convolution
    assert np.all(np.diff(mi) <= 0)
    for a, b in (("exponential", "laplace"), ("beta22", "bimodal")):
        m = np.array([0.05, 0.7, 2.5])
        assert np.allclose(additive.additive_mi(a, b, additive.additive_scale(a, b, m)), m, atol=1e-3)
    assert "uniform" not in additive.LAW_NAMES  # X and noise both uniform is the held-out family


@pytest.mark.parametrize("laws", [("exponential", "laplace"), ("beta22", "bimodal"), ("triangular", "logistic")])
def test_additive_noise_mi_agrees_with_ksg_on_a_large_sample(laws):
    from infoatlas.atlas import additive
    from infoatlas.knn import ksg_pair

    rng = np.random.default_rng(3)
    a, b = laws
    s = float(additive.additive_scale(a, b, 1.2))
    x = additive.law_sample(a, 20_000, rng)
    y = x + s * additive.law_sample(b, 20_000, rng)
    assert ksg_pair(x, y) == pytest.approx(1.2, abs=0.05)


def test_spiral_is_inverted_exactly_and_keeps_the_norm(rng):
    from infoatlas.atlas.transforms import Spiral

    z = rng.standard_normal((500, 4)) * 2
    s = Spiral(4, rng, speed=0.7)
    w = s(z)
    assert np.allclose(np.linalg.norm(w, axis=1), np.linalg.norm(z, axis=1))
    assert np.allclose(s.inverse(w), z, atol=1e-10)
    assert np.abs(w - z).max() > 0.5  # it does move points
    with pytest.raises(ValueError):
        Spiral(1, rng, 1.0)
