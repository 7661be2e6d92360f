"""tinygrad_act.data: offline datasets and a DataLoader.

    from tinygrad_act import data
    X, y = data.make_spirals(300, n_classes=3)                     # toy 2-D sets, seeded
    X_train, y_train, X_test, y_test = data.load_mnist1d()         # generated once, then cached
    X_train, y_train, X_test, y_test = data.load_digits()          # bundled with scikit-learn
    X_train, y_train, X_test, y_test = data.load_mnist("~/mnist")  # IDX files you downloaded
    X_train, X_test = data.standardize(X_train, X_test)
    for xb, yb in data.DataLoader(X_train, y_train, batch_size=64, shuffle=True, seed=0): ...

Nothing here downloads: every loader works offline.
"""

from ._common import TrainTestSplit, cache_dir
from .digits import load_digits
from .idx import load_mnist, read_idx
from .loader import DataLoader
from .mnist1d import load_mnist1d
from .toy import make_blobs, make_circles, make_moons, make_spirals, standardize

__all__ = [
    "DataLoader",
    "TrainTestSplit",
    "cache_dir",
    "load_digits",
    "load_mnist",
    "load_mnist1d",
    "make_blobs",
    "make_circles",
    "make_moons",
    "make_spirals",
    "read_idx",
    "standardize",
]
