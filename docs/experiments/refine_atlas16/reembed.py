# Re-embedding check between head variants: Y (2 dims) of a Gaussian pair re-embedded by a two-layer tanh map
# into 16 dims (MI unchanged); estimate(x, emb(y)) - estimate(x, y) on 12 seeds (100-111) that the tests do not use.
# usage (repository root): python docs/experiments/refine_atlas16/reembed.py WEIGHTS ...
import sys, numpy as np, warnings
warnings.simplefilter("ignore")
from infoatlas import InfoAtlas
from infoatlas.atlas import structured
sys.path.insert(0, "tests")
from test_consistency import _gauss
res = {}
for w in sys.argv[1:]:
    est = InfoAtlas.from_pretrained(w, random_state=0)
    d, cover = [], []
    for seed in range(100, 112):
        rng = np.random.default_rng([seed, 1])
        mi = [0.3, 0.8, 1.5, 2.0][seed % 4]; n = [1000, 5000][seed % 2]
        x, y = _gauss(rng, n, 2, mi)
        emb = structured.TanhEmbed(2, 16, rng, layers=2)
        p, e = est.estimate(x, y), est.estimate(x, emb(y))
        d.append(e.mi - p.mi)
    print(w, "mean diff %.3f  max |diff| %.3f" % (np.mean(d), np.max(np.abs(d))), np.round(d, 2))
