"""tinygrad_act.data loaders that read or write files: IDX (MNIST) and MNIST-1D's cache.

The IDX files are written byte by byte here with struct (not with library code), following the
format description on LeCun's MNIST page.
"""

import gzip
import random
import struct
import sys
from pathlib import Path

import numpy as np
import pytest

from tinygrad_act import data
from tinygrad_act.data import mnist1d as mnist1d_module

_CODES = {np.uint8: 0x08, np.int8: 0x09, np.int16: 0x0B, np.int32: 0x0C}
_CODES.update({np.float32: 0x0D, np.float64: 0x0E})


def idx_bytes(arr: np.ndarray) -> bytes:
    header = struct.pack(">BBBB", 0, 0, _CODES[arr.dtype.type], arr.ndim)
    header += struct.pack(f">{arr.ndim}I", *arr.shape)
    return header + arr.astype(arr.dtype.newbyteorder(">")).tobytes()


def write(path: Path, payload: bytes, gz: bool = False) -> Path:
    path.write_bytes(gzip.compress(payload) if gz else payload)
    return path


# ---- read_idx -----------------------------------------------------------------------------------
@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize(
    "arr",
    [
        np.arange(24, dtype=np.uint8).reshape(2, 3, 4),
        np.array([258, -2, 7], dtype=np.int16),  # 258 is bytes 01 02: checks the byte order
        np.array([[1.5, -2.25]], dtype=np.float32),
        np.array([1e300, -0.0], dtype=np.float64),
        np.array([-5, 100000], dtype=np.int32),
        np.zeros((0, 28, 28), dtype=np.uint8),
    ],
)
def test_read_idx_round_trip(tmp_path, arr, gz):
    out = data.read_idx(write(tmp_path / "a", idx_bytes(arr), gz))
    assert out.shape == arr.shape and out.dtype == arr.dtype  # native byte order
    np.testing.assert_array_equal(out, arr)
    out[...] = 0  # writable


def test_read_idx_byte_order_by_hand(tmp_path):
    raw = bytes([0, 0, 0x0B, 1, 0, 0, 0, 2, 0x01, 0x02, 0xFF, 0xFE])  # int16 [258, -2]
    np.testing.assert_array_equal(data.read_idx(write(tmp_path / "h", raw)), [258, -2])


@pytest.mark.parametrize(
    "payload, match",
    [
        (b"\x01\x00\x08\x01\x00\x00\x00\x01\x05", "not an IDX file"),
        (b"\x00\x00", "not an IDX file"),
        (b"\x00\x00\x07\x01\x00\x00\x00\x01\x05", "unknown IDX type byte 0x07"),
        (b"\x00\x00\x08\x03\x00\x00\x00\x01", "truncated"),
        (b"\x00\x00\x08\x01\x00\x00\x00\x03\x05\x06", r"shape \(3,\).*2 bytes"),
        (b"\x00\x00\x08\x01\x00\x00\x00\x01\x05\x06", r"shape \(1,\).*2 bytes"),
        (b"\x1f\x8b\x08\x00garbage", "gzip"),
    ],
)
def test_read_idx_malformed(tmp_path, payload, match):
    path = write(tmp_path / "bad-idx1-ubyte", payload)
    with pytest.raises(ValueError, match=match) as info:
        data.read_idx(path)
    assert "bad-idx1-ubyte" in str(info.value)


# ---- load_mnist -----------------------------------------------------------------------------
def _fake_mnist(directory: Path, n_train=5, n_test=3, names=None, gz=(True, False, False, True)):
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": rng.integers(0, 10, n_train, dtype=np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    for (name, arr), z in zip(arrays.items(), gz):
        name = (names or {}).get(name, name)
        write(directory / (name + (".gz" if z else "")), idx_bytes(arr), z)
    return list(arrays.values())


def test_load_mnist(tmp_path):
    imgs, labels, t_imgs, t_labels = _fake_mnist(tmp_path)
    X_train, y_train, X_test, y_test = data.load_mnist(tmp_path)
    assert X_train.shape == (5, 784) and X_train.dtype == np.float32
    assert y_train.dtype == np.int64 and y_test.shape == (3,)
    np.testing.assert_allclose(X_train, imgs.reshape(5, 784) / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(y_train, labels)
    np.testing.assert_array_equal(y_test, t_labels)
    raw = data.load_mnist(str(tmp_path), flatten=False, normalize=False)
    assert raw.X_test.shape == (3, 28, 28)
    np.testing.assert_array_equal(raw.X_test, t_imgs)


def test_load_mnist_dotted_names(tmp_path):
    # some mirrors spell them "train-images.idx3-ubyte"
    names = {k: k.replace("-idx", ".idx") for k in ["train-images-idx3-ubyte"]}
    _fake_mnist(tmp_path, names=names, gz=(False, False, False, False))
    assert data.load_mnist(tmp_path).X_train.shape == (5, 784)


def test_load_mnist_missing_files_say_what_and_where(tmp_path):
    _fake_mnist(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError) as info:
        data.load_mnist(tmp_path)
    msg = str(info.value)
    assert "missing t10k-labels-idx1-ubyte" in msg and str(tmp_path) in msg
    for name in ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte"]:
        assert name in msg
    assert "https://" in msg
    with pytest.raises(FileNotFoundError, match="missing train-images-idx3-ubyte"):
        data.load_mnist(tmp_path / "nowhere")


def test_load_mnist_inconsistent_files(tmp_path):
    _fake_mnist(tmp_path)
    write(tmp_path / "t10k-labels-idx1-ubyte.gz", idx_bytes(np.zeros(4, np.uint8)), gz=True)
    with pytest.raises(ValueError, match=r"\(3, 28, 28\).*\(4,\)"):
        data.load_mnist(tmp_path)
    with pytest.raises(ValueError, match="directory"):
        data.load_mnist(tmp_path / "train-labels-idx1-ubyte")


# ---- cache directory ------------------------------------------------------------------------
def test_cache_dir_precedence(monkeypatch, tmp_path):
    monkeypatch.delenv("TINYGRAD_ACT_CACHE", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    if sys.platform != "win32":
        assert data.cache_dir() == tmp_path / "home" / ".cache" / "tinygrad_act"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert data.cache_dir() == tmp_path / "xdg" / "tinygrad_act"
    monkeypatch.setenv("TINYGRAD_ACT_CACHE", str(tmp_path / "mine"))
    assert data.cache_dir() == tmp_path / "mine"


# ---- MNIST-1D ------------------------------------------------------------------------------------
def test_mnist1d_real_dataset(mnist1d_cache, monkeypatch):
    monkeypatch.setenv("TINYGRAD_ACT_CACHE", str(mnist1d_cache))
    X_train, y_train, X_test, y_test = data.load_mnist1d()  # from the session's cache
    assert X_train.shape == (4000, 40) and X_test.shape == (1000, 40)
    assert X_train.dtype == np.float32 and y_train.dtype == np.int64
    assert set(np.unique(y_train)) == set(range(10)) == set(np.unique(y_test))
    assert np.bincount(y_train).min() > 350  # 500 per digit before the 80/20 split
    both = np.concatenate([X_train, X_test])
    assert abs(both.mean()) < 1e-3 and abs(both.std() - 1) < 1e-3  # mnist1d normalises


def test_mnist1d_published_args_match_the_package():
    mnist1d_data = pytest.importorskip("mnist1d.data")
    args = mnist1d_data.get_dataset_args(as_dict=True)
    args.pop("url")
    assert mnist1d_module.PUBLISHED_ARGS == args


def _fake_make_dataset(calls):
    """Stands in for mnist1d's make_dataset: tiny, and reseeds the globals as the real one does."""

    def make_dataset(args):
        calls.append(dict(vars(args)))
        np.random.seed(args.seed)
        random.seed(args.seed)
        n = args.num_samples
        x = np.random.randn(n, args.final_seq_length)
        y = np.arange(n) % 10
        k = int(n * args.train_split)
        return {"x": x[:k], "x_test": x[k:], "y": y[:k], "y_test": y[k:], "t": np.zeros(3)}

    return make_dataset


@pytest.fixture
def fake_mnist1d(monkeypatch):
    mnist1d_data = pytest.importorskip("mnist1d.data")
    calls = []
    monkeypatch.setattr(mnist1d_data, "make_dataset", _fake_make_dataset(calls))
    return calls


def test_mnist1d_cache_behaviour(fake_mnist1d, monkeypatch, tmp_path):
    monkeypatch.setenv("TINYGRAD_ACT_CACHE", str(tmp_path / "c"))
    first = data.load_mnist1d(num_samples=50)
    assert len(fake_mnist1d) == 1 and fake_mnist1d[0]["seed"] == 42
    files = list((tmp_path / "c").glob("mnist1d-*.npz"))
    assert len(files) == 1
    second = data.load_mnist1d(num_samples=50)  # read from the cache: no generation
    assert len(fake_mnist1d) == 1
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == b.dtype
    assert first.X_train.dtype == np.float32 and first.y_test.dtype == np.int64
    data.load_mnist1d(num_samples=50, regenerate=True)
    assert len(fake_mnist1d) == 2
    data.load_mnist1d(num_samples=50, seed=0)  # another configuration, another file
    assert len(fake_mnist1d) == 3 and fake_mnist1d[-1]["seed"] == 0
    assert len(list((tmp_path / "c").glob("mnist1d-*.npz"))) == 2
    assert not list((tmp_path / "c").glob("*.tmp*"))  # no temporary leftovers


def test_mnist1d_corrupt_cache_is_rebuilt(fake_mnist1d, tmp_path):
    data.load_mnist1d(cache_dir=tmp_path, num_samples=20)
    (path,) = tmp_path.glob("mnist1d-*.npz")
    path.write_bytes(b"not a zip file")
    again = data.load_mnist1d(cache_dir=tmp_path, num_samples=20)
    assert len(fake_mnist1d) == 2 and again.X_train.shape == (16, 40)


def test_mnist1d_restores_global_random_state(fake_mnist1d, tmp_path):
    np.random.seed(123)
    random.seed(123)
    expected = np.random.random(), random.random()
    np.random.seed(123)
    random.seed(123)
    data.load_mnist1d(cache_dir=tmp_path, num_samples=20)  # the fake reseeds both with 42
    assert (np.random.random(), random.random()) == expected


def test_mnist1d_unknown_argument():
    with pytest.raises(TypeError, match="final_seq_length"):
        data.load_mnist1d(sequence_length=10)


def test_mnist1d_without_the_package(monkeypatch, tmp_path):
    for name in ["mnist1d", "mnist1d.data", "mnist1d.utils"]:
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ImportError, match=r'pip install "tinygrad_act\[lessons\]"'):
        data.load_mnist1d(cache_dir=tmp_path)


def test_mnist1d_numpy_integer_seed_is_the_same_dataset(fake_mnist1d, tmp_path):
    a = data.load_mnist1d(cache_dir=tmp_path, num_samples=20, seed=np.int64(1))
    b = data.load_mnist1d(cache_dir=tmp_path, num_samples=np.int32(20), seed=1)  # from the cache
    assert len(fake_mnist1d) == 1 and fake_mnist1d[0]["seed"] == 1
    assert type(fake_mnist1d[0]["seed"]) is int
    np.testing.assert_array_equal(a.X_train, b.X_train)


@pytest.mark.parametrize("seed, error", [(-1, ValueError), (2**32, ValueError), (1.5, TypeError)])
def test_mnist1d_bad_seed_names_the_argument_and_range(seed, error, tmp_path):
    with pytest.raises(error, match=r"load_mnist1d: seed must .*" + (r"2\*\*32" if error is
                       ValueError else "int")):  # fmt: skip
        data.load_mnist1d(cache_dir=tmp_path, seed=seed)


def test_mnist1d_cache_file_mode_follows_the_umask(fake_mnist1d, tmp_path):
    import os

    for umask, mode in ((0o022, 0o644), (0o002, 0o664)):
        old = os.umask(umask)
        try:
            data.load_mnist1d(cache_dir=tmp_path / oct(umask), num_samples=20)
        finally:
            os.umask(old)
        (path,) = (tmp_path / oct(umask)).iterdir()  # the .npz and no temporary leftover
        assert path.suffix == ".npz" and path.stat().st_mode & 0o777 == mode


_READ_ONLY_SCRIPT = """
import json, os, random, sys, warnings
import numpy as np
import mnist1d.data
from tinygrad_act import data

calls = []
def make_dataset(args):  # tiny stand-in for mnist1d's generator
    calls.append(args.seed)
    x = np.random.default_rng(args.seed).standard_normal((10, args.final_seq_length))
    return {"x": x[:8], "x_test": x[8:], "y": np.arange(8) % 10, "y_test": np.arange(2),
            "t": np.zeros(3)}
mnist1d.data.make_dataset = make_dataset
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    first = data.load_mnist1d(num_samples=10)   # cache dir from TINYGRAD_ACT_CACHE
    kept = first.X_train.copy()
    first.X_train[:] = 0  # the caller changes its copy in place
    second = data.load_mnist1d(num_samples=10)  # same process: no second generation, no warning
print(json.dumps({"calls": calls, "warnings": [str(m.message) for m in w],
                  "shape": first.X_train.shape, "same": bool((kept == second.X_train).all()),
                  "files": os.listdir(os.environ["TINYGRAD_ACT_CACHE"])}))
"""


def _without_root_override():
    """As root, drop the capabilities that ignore file permissions (in the child only), so that
    a read-only directory is read-only for the child as it is for any user."""
    import ctypes
    import os

    if os.geteuid() == 0:
        libc = ctypes.CDLL(None, use_errno=True)
        for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH; 24 = PR_CAPBSET_DROP
            if libc.prctl(24, cap, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


@pytest.mark.skipif(sys.platform != "linux", reason="read-only directories as root: Linux only")
def test_mnist1d_read_only_empty_cache_returns_the_data_and_warns_once(tmp_path):
    import json
    import os
    import subprocess

    pytest.importorskip("mnist1d.data")
    cache = tmp_path / "ro"
    cache.mkdir()
    cache.chmod(0o555)
    env = dict(os.environ, TINYGRAD_ACT_CACHE=str(cache))
    out = subprocess.run([sys.executable, "-c", _READ_ONLY_SCRIPT], env=env, capture_output=True,
                         text=True, timeout=300, preexec_fn=_without_root_override)  # fmt: skip
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["calls"] == [42] and result["shape"] == [8, 40] and result["same"]
    assert result["files"] == []
    (message,) = result["warnings"]
    assert "TINYGRAD_ACT_CACHE" in message and str(cache) in message


def test_mnist1d_cache_path_blocked_by_a_file_still_returns_the_data(fake_mnist1d, tmp_path):
    (tmp_path / "file").write_text("in the way")
    with pytest.warns(RuntimeWarning, match="TINYGRAD_ACT_CACHE"):
        split = data.load_mnist1d(cache_dir=tmp_path / "file" / "cache", num_samples=20)
    assert split.X_train.shape == (16, 40)
