"""tinygrad_act.data: toy datasets, standardize, DataLoader, load_digits (sklearn's copy).

IDX files and MNIST-1D (files and caches) are tested in test_data_files.py.
"""

import numpy as np
import pytest

import tinygrad_act as ta
from tinygrad_act import data

GENERATORS = {
    "spirals": lambda **kw: data.make_spirals(**kw),
    "moons": lambda **kw: data.make_moons(noise=0.1, **kw),
    "circles": lambda **kw: data.make_circles(noise=0.05, **kw),
    "blobs": lambda **kw: data.make_blobs(**kw),
}


# ---- toy datasets -------------------------------------------------------------------------------
@pytest.mark.parametrize("name", GENERATORS)
def test_shapes_dtypes_and_seeding(name):
    make = GENERATORS[name]
    X, y = make(n_samples=90, seed=3)
    assert X.shape == (90, 2) and X.dtype == np.float32
    assert y.shape == (90,) and y.dtype == np.int64
    assert np.all(np.isfinite(X))
    X2, y2 = make(n_samples=90, seed=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    X3, _ = make(n_samples=90, seed=4)
    assert not np.array_equal(X, X3)
    # seed=None follows the library's generator, so ta.manual_seed makes it reproducible
    ta.manual_seed(7)
    A, _ = make(n_samples=90, seed=None)
    ta.manual_seed(7)
    B, _ = make(n_samples=90, seed=None)
    np.testing.assert_array_equal(A, B)


@pytest.mark.parametrize(
    "make, n, expected",
    [
        (lambda n: data.make_spirals(n, n_classes=3), 300, [100, 100, 100]),
        (lambda n: data.make_spirals(n, n_classes=3), 301, [101, 100, 100]),
        (lambda n: data.make_spirals(n, n_classes=5), 12, [3, 3, 2, 2, 2]),
        (lambda n: data.make_moons(n), 101, [50, 51]),  # scikit-learn: class 0 gets n // 2
        (lambda n: data.make_circles(n), 7, [3, 4]),
        (lambda n: data.make_blobs(n), 100, [34, 33, 33]),
        (lambda n: data.make_moons(n), (10, 30), [10, 30]),
    ],
)
def test_class_counts(make, n, expected):
    _, y = make(n)
    assert np.bincount(y, minlength=len(expected)).tolist() == expected


def test_spirals_geometry_without_noise():
    # CS231n: class j has r = linspace(0, 1, N), t = linspace(4j, 4j + 4, N), x = (r sin t, r cos t)
    X, y = data.make_spirals(30, n_classes=3, noise=0.0, shuffle=False)
    for j in range(3):
        pts = X[y == j].astype(np.float64)
        r = np.linspace(0, 1, 10)
        t = np.linspace(4 * j, 4 * j + 4, 10)
        np.testing.assert_allclose(np.hypot(pts[:, 0], pts[:, 1]), r, atol=1e-6)
        np.testing.assert_allclose(pts[-1], [np.sin(4 * j + 4), np.cos(4 * j + 4)], atol=1e-6)
        np.testing.assert_allclose(pts, np.c_[r * np.sin(t), r * np.cos(t)], atol=1e-6)


def test_spirals_noise_jitters_the_angle_only():
    X0, y0 = data.make_spirals(300, noise=0.0, shuffle=False)
    X1, y1 = data.make_spirals(300, noise=0.2, shuffle=False)
    np.testing.assert_array_equal(y0, y1)
    np.testing.assert_allclose(np.hypot(*X1.T), np.hypot(*X0.T), atol=1e-6)  # same radii
    angle_change = np.angle(np.exp(1j * (np.arctan2(*X1.T) - np.arctan2(*X0.T))))
    keep = np.hypot(*X0.T) > 0  # the angle of the origin is undefined
    assert 0.15 < angle_change[keep].std() < 0.25


@pytest.mark.parametrize("name", ["moons", "circles"])
def test_noise_free_geometry_matches_scikit_learn(name):
    sk = pytest.importorskip("sklearn.datasets")
    ours = getattr(data, f"make_{name}")(n_samples=(13, 17), shuffle=False)
    ref = getattr(sk, f"make_{name}")(n_samples=(13, 17), shuffle=False)
    np.testing.assert_allclose(ours[0], ref[0], atol=1e-6)
    np.testing.assert_array_equal(ours[1], ref[1])


def test_moons_noise_has_the_requested_std():
    X0, _ = data.make_moons(4000, shuffle=False)
    X1, _ = data.make_moons(4000, shuffle=False, noise=0.3, seed=1)
    assert abs((X1 - X0).std() - 0.3) < 0.01


def test_blobs_centers_and_std():
    centers = np.array([[0.0, 0.0, 0.0], [10.0, -10.0, 5.0]])
    X, y = data.make_blobs([2000, 1000], centers=centers, cluster_std=[0.5, 2.0], seed=1)
    assert X.shape == (3000, 3)
    assert np.bincount(y).tolist() == [2000, 1000]
    for i, sd in enumerate([0.5, 2.0]):
        np.testing.assert_allclose(X[y == i].mean(0), centers[i], atol=0.15)
        np.testing.assert_allclose(X[y == i].std(0), sd, rtol=0.08)
    X, _ = data.make_blobs(50, centers=4, center_box=(2.0, 3.0), cluster_std=0.0)
    assert X.min() >= 2.0 and X.max() <= 3.0


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: data.make_spirals(-1), "n_samples"),
        (lambda: data.make_spirals(10, n_classes=0), "n_classes"),
        (lambda: data.make_spirals(10, noise=-0.1), "noise"),
        (lambda: data.make_moons((1, 2, 3)), "n_samples"),
        (lambda: data.make_circles(10, factor=1.0), "factor"),
        (lambda: data.make_blobs(10, centers=np.zeros(3)), "centers"),
        (lambda: data.make_blobs(10, cluster_std=-1.0), "cluster_std"),
    ],
)
def test_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ---- standardize ------------------------------------------------------------------------------
def test_standardize_uses_training_statistics_only():
    X_train = np.array([[0.0, 10.0], [2.0, 10.0]])  # mean (1, 10), std (1, 0 -> 1)
    X_test = np.array([[4.0, 12.0], [1.0, 10.0]])
    a, b = data.standardize(X_train, X_test)
    np.testing.assert_allclose(a, [[-1.0, 0.0], [1.0, 0.0]])
    np.testing.assert_allclose(b, [[3.0, 2.0], [0.0, 0.0]])
    assert a.dtype == np.float64


def test_standardize_matches_numpy_and_keeps_float32():
    X = np.random.default_rng(0).normal(5.0, 3.0, size=(200, 4)).astype(np.float32) + 1000
    Z = data.standardize(X)
    assert Z.dtype == np.float32
    ref = (X.astype(np.float64) - X.mean(0, dtype=np.float64)) / X.std(0, dtype=np.float64)
    np.testing.assert_allclose(Z, ref, atol=1e-5)
    np.testing.assert_allclose(Z.mean(0), 0.0, atol=1e-5)
    np.testing.assert_allclose(Z.std(0), 1.0, atol=1e-5)
    assert data.standardize(np.arange(6).reshape(3, 2)).dtype == np.float32


def test_standardize_errors():
    with pytest.raises(ValueError, match=r"\(3, 2\).*\(4, 3\)"):
        data.standardize(np.zeros((3, 2)), np.zeros((4, 3)))
    with pytest.raises(ValueError, match="2-D"):
        data.standardize(np.zeros(5))


# ---- DataLoader -------------------------------------------------------------------------------
def _dataset(n=10):
    X = np.arange(n * 3, dtype=np.float32).reshape(n, 3)
    return X, np.arange(n, dtype=np.int64)  # y[i] == X[i, 0] / 3 keeps track of the pairing


def test_batches_in_order_and_len():
    X, y = _dataset(10)
    loader = data.DataLoader(X, y, batch_size=3)
    batches = list(loader)
    assert len(loader) == 4 == len(batches)
    assert [len(xb) for xb, _ in batches] == [3, 3, 3, 1]
    assert all(isinstance(xb, ta.Tensor) and isinstance(yb, ta.Tensor) for xb, yb in batches)
    assert batches[0][0].dtype == np.float32 and batches[0][1].dtype == np.int64
    np.testing.assert_array_equal(np.concatenate([xb.numpy() for xb, _ in batches]), X)
    np.testing.assert_array_equal(np.concatenate([yb.numpy() for _, yb in batches]), y)
    assert not batches[0][0].requires_grad


def test_drop_last():
    X, y = _dataset(10)
    loader = data.DataLoader(X, y, batch_size=3, drop_last=True)
    assert len(loader) == 3
    assert [len(xb) for xb, _ in loader] == [3, 3, 3]
    assert len(data.DataLoader(X, y, batch_size=5, drop_last=True)) == 2
    assert len(data.DataLoader(X, y, batch_size=11, drop_last=True)) == 0
    assert len(data.DataLoader(X, y, batch_size=11)) == 1


def test_batches_are_copies():
    X, y = _dataset(4)
    for xb, _ in data.DataLoader(X, y, batch_size=2):
        xb.data[...] = -1
    for xb, _ in data.DataLoader(X, y, batch_size=2, shuffle=True, seed=0):
        xb.data[...] = -1
    np.testing.assert_array_equal(X, _dataset(4)[0])


def _epochs(loader, n_epochs):
    return [np.concatenate([yb.numpy() for _, yb in loader]) for _ in range(n_epochs)]


def test_shuffle_is_a_permutation_that_keeps_pairs():
    X, y = _dataset(23)
    loader = data.DataLoader(X, y, batch_size=5, shuffle=True, seed=1)
    for xb, yb in loader:
        np.testing.assert_array_equal(xb.numpy()[:, 0] / 3, yb.numpy())
    order = _epochs(loader, 1)[0]
    np.testing.assert_array_equal(np.sort(order), y)
    assert not np.array_equal(order, y)


def test_shuffle_is_deterministic_per_epoch():
    X, y = _dataset(50)
    a = _epochs(data.DataLoader(X, y, batch_size=8, shuffle=True, seed=3), 3)
    b = _epochs(data.DataLoader(X, y, batch_size=8, shuffle=True, seed=3), 3)
    c = _epochs(data.DataLoader(X, y, batch_size=8, shuffle=True, seed=4), 3)
    for e in range(3):
        np.testing.assert_array_equal(a[e], b[e])
        # the documented rule, computed independently
        np.testing.assert_array_equal(a[e], np.random.default_rng([3, e]).permutation(50))
        assert not np.array_equal(a[e], c[e])
    assert not np.array_equal(a[0], a[1])  # a new order every epoch
    loader = data.DataLoader(X, y, batch_size=8, shuffle=True, seed=3)
    loader.set_epoch(2)
    np.testing.assert_array_equal(_epochs(loader, 1)[0], a[2])


def test_shuffle_without_seed_follows_manual_seed():
    X, y = _dataset(30)
    ta.manual_seed(5)
    a = _epochs(data.DataLoader(X, y, batch_size=4, shuffle=True), 2)
    ta.manual_seed(5)
    b = _epochs(data.DataLoader(X, y, batch_size=4, shuffle=True), 2)
    for e in range(2):
        np.testing.assert_array_equal(a[e], b[e])
    assert not np.array_equal(a[0], a[1])


def test_accepts_tensors_and_lists():
    X, y = _dataset(6)
    loader = data.DataLoader(ta.tensor(X), ta.tensor(y), batch_size=4)
    np.testing.assert_array_equal(next(iter(loader))[0].numpy(), X[:4])
    xb, yb = next(iter(data.DataLoader([[1.0, 2.0], [3.0, 4.0]], [0, 1], batch_size=2)))
    assert xb.dtype == np.float32 and yb.dtype == np.int64  # ta.tensor's rules


def test_loader_errors():
    X, y = _dataset(10)
    with pytest.raises(ValueError, match=r"\(10, 3\).*\(9,\)"):
        data.DataLoader(X, y[:9], batch_size=2)
    with pytest.raises(ValueError, match="batch_size"):
        data.DataLoader(X, y, batch_size=0)
    with pytest.raises(TypeError, match="batch_size"):
        data.DataLoader(X, y, batch_size=2.5)
    with pytest.raises(ValueError, match="first"):
        data.DataLoader(np.float32(1.0), y)
    with pytest.raises(TypeError, match="X"):
        data.DataLoader(["a", "b"], [0, 1])


@pytest.mark.parametrize("seed", [-1, -(2**70)])
def test_loader_negative_seed_names_the_argument_value_and_range(seed):
    X, y = _dataset(10)
    with pytest.raises(ValueError, match=rf"DataLoader: seed must satisfy seed >= 0.*got {seed}"):
        data.DataLoader(X, y, batch_size=2, shuffle=True, seed=seed)
    with pytest.raises(TypeError, match=r"DataLoader: seed must be an int or None, got 1\.5"):
        data.DataLoader(X, y, batch_size=2, shuffle=True, seed=1.5)
    loader = data.DataLoader(X, y, batch_size=2, shuffle=True, seed=np.int64(3))
    assert loader.seed == 3 and type(loader.seed) is int
    with pytest.raises(ValueError, match=r"DataLoader.set_epoch: epoch must satisfy epoch >= 0"):
        loader.set_epoch(-1)


# ---- digits (scikit-learn's bundled copy) -------------------------------------------------------
def test_load_digits_split():
    pytest.importorskip("sklearn")
    from sklearn.datasets import load_digits as sk_digits

    X_train, y_train, X_test, y_test = data.load_digits()
    assert X_train.shape == (1347, 64) and X_test.shape == (450, 64)
    assert X_train.dtype == np.float32 and y_train.dtype == np.int64
    assert X_train.min() == 0 and X_train.max() == 16
    # the split partitions the full dataset
    full = sk_digits()
    both = np.concatenate([X_train, X_test])
    order = np.lexsort(both.T)
    ref_order = np.lexsort(full.data.T)
    np.testing.assert_array_equal(both[order], full.data[ref_order])
    # stratified: every digit keeps its share in the test set (within one sample)
    share = np.bincount(full.target) * 0.25
    assert np.all(np.abs(np.bincount(y_test) - share) <= 1)
    again = data.load_digits()
    np.testing.assert_array_equal(again.X_test, X_test)
    assert not np.array_equal(data.load_digits(seed=1).y_test, y_test)


def test_load_digits_without_sklearn(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match=r"pip install .*tinygrad_act\[lessons\]"):
        data.load_digits()
