"""Toy 2-D classification datasets: spirals (CS231n), moons, circles, blobs (scikit-learn's).

Every generator is seeded numpy and returns `(X, y)`: X float32 of shape (n_samples, n_features),
y int64 of shape (n_samples,). The geometry follows scikit-learn's `make_moons`, `make_circles` and
`make_blobs` (same arguments and defaults, except `seed` in place of `random_state`); the points
differ from scikit-learn's because the random streams differ. `seed=None` draws from the library's
generator, so `ta.manual_seed` controls it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..random import default_generator


def _rng(seed: int | None) -> np.random.Generator:
    return default_generator() if seed is None else np.random.default_rng(seed)


def _split_counts(op: str, n_samples: Any, n_parts: int) -> list[int]:
    """n_samples spread over n_parts as evenly as possible (the first parts get the remainder)."""
    if isinstance(n_samples, (int, np.integer)) and not isinstance(n_samples, bool):
        n = int(n_samples)
        if n < 0:
            raise ValueError(f"{op}: n_samples must be >= 0, got {n}")
        return [n // n_parts + (1 if i < n % n_parts else 0) for i in range(n_parts)]
    counts = list(n_samples) if isinstance(n_samples, Sequence) else None
    if counts is None or len(counts) != n_parts or any(int(c) != c or c < 0 for c in counts):
        raise ValueError(
            f"{op}: n_samples must be an int or {n_parts} non-negative ints (one per class), "
            f"got {n_samples!r}"
        )
    return [int(c) for c in counts]


def _two_counts(op: str, n_samples: Any) -> list[int]:
    """scikit-learn's split for moons and circles: class 0 gets n // 2, class 1 the rest."""
    counts = _split_counts(op, n_samples, 2)
    if isinstance(n_samples, (int, np.integer)):
        counts = [int(n_samples) // 2, int(n_samples) - int(n_samples) // 2]
    return counts


def _check_noise(op: str, noise: float | None) -> float:
    if noise is None:
        return 0.0
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"{op}: noise must be a finite number >= 0 (or None), got {noise}")
    return float(noise)


def _finish(
    X: np.ndarray, y: np.ndarray, noise: float, shuffle: bool, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    # same order of draws as scikit-learn: shuffle first, then add the noise
    if shuffle:
        perm = rng.permutation(len(y))
        X, y = X[perm], y[perm]
    if noise > 0:
        X = X + rng.normal(scale=noise, size=X.shape)
    return X.astype(np.float32), y.astype(np.int64)


def make_spirals(
    n_samples: int = 300,
    n_classes: int = 3,
    noise: float | None = 0.2,
    shuffle: bool = True,
    seed: int | None = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class: the CS231n "spiral" dataset.

    Class j has points at radius r = linspace(0, 1, n_j) and angle
    t = linspace(4j, 4j + 4, n_j) + noise * N(0, 1), i.e. X = (r sin t, r cos t).
    The noise jitters the angle (as in CS231n), so arms overlap near the centre; with the default
    noise a 2-64-64-3 MLP fits about 99% of the training points, not 100%.

    Returns X float32 (n_samples, 2) and y int64 (n_samples,) with values in [0, n_classes).
    """
    if int(n_classes) != n_classes or n_classes < 1:
        raise ValueError(f"make_spirals: n_classes must be an int >= 1, got {n_classes}")
    n_classes = int(n_classes)
    counts = _split_counts("make_spirals", n_samples, n_classes)
    noise = _check_noise("make_spirals", noise)
    rng = _rng(seed)
    xs, ys = [], []
    for j, n in enumerate(counts):
        r = np.linspace(0.0, 1.0, n)
        t = np.linspace(4.0 * j, 4.0 * (j + 1), n)
        if noise > 0:
            t = t + noise * rng.standard_normal(n)
        xs.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1))
        ys.append(np.full(n, j))
    X = np.concatenate(xs) if xs else np.zeros((0, 2))
    y = np.concatenate(ys)
    return _finish(X, y, 0.0, shuffle, rng)


def make_moons(
    n_samples: int | tuple[int, int] = 100,
    shuffle: bool = True,
    noise: float | None = None,
    seed: int | None = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (scikit-learn's make_moons).

    Class 0: (cos t, sin t), class 1: (1 - cos t, 0.5 - sin t), t = linspace(0, pi); then
    Gaussian noise of standard deviation `noise` on each coordinate. n_samples is the total
    (class 0 gets n // 2) or a pair (n_class0, n_class1).
    """
    n_out, n_in = _two_counts("make_moons", n_samples)
    noise = _check_noise("make_moons", noise)
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    X = np.concatenate(
        [
            np.stack([np.cos(t_out), np.sin(t_out)], axis=1),
            np.stack([1 - np.cos(t_in), 1 - np.sin(t_in) - 0.5], axis=1),
        ]
    )
    y = np.concatenate([np.zeros(n_out), np.ones(n_in)])
    return _finish(X, y, noise, shuffle, _rng(seed))


def make_circles(
    n_samples: int | tuple[int, int] = 100,
    shuffle: bool = True,
    noise: float | None = None,
    seed: int | None = 0,
    factor: float = 0.8,
) -> tuple[np.ndarray, np.ndarray]:
    """A small circle (class 1, radius `factor`) inside a unit circle (class 0).

    Points are evenly spaced in angle (linspace(0, 2 pi) without the endpoint), then get Gaussian
    noise of standard deviation `noise`. As in scikit-learn's make_circles, 0 <= factor < 1.
    """
    if not 0 <= factor < 1:
        raise ValueError(f"make_circles: factor must be in [0, 1), got {factor}")
    n_out, n_in = _two_counts("make_circles", n_samples)
    noise = _check_noise("make_circles", noise)
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.concatenate(
        [
            np.stack([np.cos(t_out), np.sin(t_out)], axis=1),
            factor * np.stack([np.cos(t_in), np.sin(t_in)], axis=1),
        ]
    )
    y = np.concatenate([np.zeros(n_out), np.ones(n_in)])
    return _finish(X, y, noise, shuffle, _rng(seed))


def make_blobs(
    n_samples: int | Sequence[int] = 100,
    n_features: int = 2,
    centers: int | np.ndarray | None = None,
    cluster_std: float | Sequence[float] = 1.0,
    center_box: tuple[float, float] = (-10.0, 10.0),
    shuffle: bool = True,
    seed: int | None = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Isotropic Gaussian blobs (scikit-learn's make_blobs).

    centers: an int (that many centers drawn uniformly in `center_box`), an array of shape
    (n_centers, n_features), or None (3 centers, or one per entry when n_samples is a list).
    Blob i is N(centers[i], cluster_std[i]^2 I) and has label i.
    """
    rng = _rng(seed)
    if centers is None:
        centers = 3 if isinstance(n_samples, (int, np.integer)) else len(n_samples)
    if isinstance(centers, (int, np.integer)):
        if centers < 1:
            raise ValueError(f"make_blobs: centers must be >= 1, got {centers}")
        lo, hi = center_box
        centers = rng.uniform(lo, hi, size=(int(centers), int(n_features)))
    else:
        centers = np.asarray(centers, dtype=np.float64)
        if centers.ndim != 2 or centers.shape[0] < 1:
            raise ValueError(
                f"make_blobs: centers must have shape (n_centers, n_features), got {centers.shape}"
            )
    k = centers.shape[0]
    counts = _split_counts("make_blobs", n_samples, k)
    std = np.broadcast_to(np.asarray(cluster_std, dtype=np.float64), (k,))
    if np.any(std < 0):
        raise ValueError(f"make_blobs: cluster_std must be >= 0, got {cluster_std}")
    X = np.concatenate(
        [rng.normal(centers[i], std[i], size=(n, centers.shape[1])) for i, n in enumerate(counts)]
    )
    y = np.concatenate([np.full(n, i) for i, n in enumerate(counts)])
    return _finish(X, y, 0.0, shuffle, rng)


def standardize(X_train: Any, X_test: Any = None) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Shift and scale each feature to mean 0, std 1, with statistics from X_train only.

    x' = (x - mean_train) / std_train per column (population std, as scikit-learn's
    StandardScaler). A constant column has std 0 and is only centred (divided by 1), as in
    StandardScaler. Using the test set's statistics would leak it into training, so X_test gets
    the *training* mean and std. Returns X_train' or (X_train', X_test'); float inputs keep their
    dtype, integer inputs become float32.
    """
    Xtr = np.asarray(X_train)
    if Xtr.ndim != 2 or Xtr.shape[0] == 0:
        raise ValueError(
            f"standardize: X_train must be 2-D (n_samples, n_features) with n_samples > 0, got "
            f"shape {Xtr.shape}"
        )
    out_dtype = Xtr.dtype if Xtr.dtype.kind == "f" else np.dtype(np.float32)
    # statistics in float64 so a float32 dataset with a large offset loses no digits
    mean = Xtr.mean(axis=0, dtype=np.float64)
    std = Xtr.std(axis=0, dtype=np.float64)
    std[std == 0] = 1.0

    def apply(X: np.ndarray) -> np.ndarray:
        return ((X - mean) / std).astype(out_dtype)

    if X_test is None:
        return apply(Xtr)
    Xte = np.asarray(X_test)
    if Xte.ndim != 2 or Xte.shape[1] != Xtr.shape[1]:
        raise ValueError(
            f"standardize: X_test must be 2-D with the same number of features as X_train; "
            f"got X_train {Xtr.shape} and X_test {Xte.shape}"
        )
    return apply(Xtr), apply(Xte)
