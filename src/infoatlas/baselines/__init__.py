"""Classical and trained-critic MI estimators behind one protocol: ``estimate(x, y) -> float`` (nats).

x : (n,) or (n, dx); y : (n,) or (n, dy).  All are deterministic given ``random_state``.
"""
from .classical import KSG, GaussianCopula, SklearnMI
from .critics import MINE, NWJ, SMILE, InfoNCE

ESTIMATORS = {"ksg": KSG, "gcmi": GaussianCopula, "sklearn": SklearnMI, "mine": MINE, "infonce": InfoNCE,
              "nwj": NWJ, "smile": SMILE}

__all__ = ["KSG", "GaussianCopula", "SklearnMI", "MINE", "InfoNCE", "NWJ", "SMILE", "ESTIMATORS"]
