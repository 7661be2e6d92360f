"""scikit-learn's 8x8 handwritten digits (1797 images, bundled with scikit-learn: no download)."""

from __future__ import annotations

import numpy as np

from ._common import TrainTestSplit

_INSTALL_HINT = (
    "load_digits needs scikit-learn (it ships the digits data); install the lesson extras with "
    '`pip install "tinygrad_act[lessons]"` (or just `pip install scikit-learn`)'
)


def load_digits(test_size: float = 0.25, seed: int = 0) -> TrainTestSplit:
    """The UCI optical digits as `X_train, y_train, X_test, y_test`.

    X: float32 (n, 64), the 8x8 images flattened row by row, pixel values 0..16 as in
    scikit-learn (scale them with `standardize` or X / 16 before training); y: int64 in 0..9.
    The split is stratified (each digit keeps its share) and reproducible: scikit-learn's
    train_test_split with random_state=seed. The default gives 1347 train and 450 test images.
    """
    try:
        from sklearn.datasets import load_digits as _sk_load_digits
        from sklearn.model_selection import train_test_split
    except ImportError as e:
        raise ImportError(_INSTALL_HINT) from e
    if not 0 < test_size < 1:
        raise ValueError(f"load_digits: test_size must be a fraction in (0, 1), got {test_size}")
    bunch = _sk_load_digits()
    X = np.asarray(bunch.data, dtype=np.float32)
    y = np.asarray(bunch.target, dtype=np.int64)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, random_state=seed, stratify=y
    )
    return TrainTestSplit(X_train, y_train, X_test, y_test)
