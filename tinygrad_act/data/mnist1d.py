"""MNIST-1D (Greydanus & Kobak, 2020), generated offline and cached as .npz.

The `mnist1d` package procedurally builds the dataset from ten 1-D digit templates (padding,
scaling, translation, correlated and iid noise, shear, then resampling to 40 points). With its
default arguments (`get_dataset_args()`: 5000 samples, 80/20 split, seed 42) `make_dataset`
rebuilds the dataset of the paper, whose published baselines are 32% (logistic regression),
68% (MLP) and 94% (CNN) test accuracy. We call `make_dataset` directly: it never touches the
network (the package's `get_dataset` would try to download a pickle first).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import secrets
import warnings
import zipfile
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from ._common import CACHE_ENV, TrainTestSplit, check_seed
from ._common import cache_dir as _default_cache_dir

_INSTALL_HINT = (
    "load_mnist1d needs the `mnist1d` package; install the lesson extras with "
    '`pip install "tinygrad_act[lessons]"` (or just `pip install mnist1d`)'
)
# bump when the cached file's layout changes, so old caches are rebuilt rather than misread
_FORMAT = 1


# The published configuration, copied so that a warm cache loads without importing mnist1d
# (whose import pulls in scipy and matplotlib: about 2 s). A test checks it against the package.
PUBLISHED_ARGS: dict[str, Any] = {
    "num_samples": 5000,
    "train_split": 0.8,
    "template_len": 12,
    "padding": [36, 60],
    "scale_coeff": 0.4,
    "max_translation": 48,
    "corr_noise_scale": 0.25,
    "iid_noise_scale": 2e-2,
    "shear_scale": 0.75,
    "shuffle_seq": False,
    "final_seq_length": 40,
    "seed": 42,
}


def _cache_file(directory: Path, args: dict[str, Any]) -> Path:
    key = json.dumps({"format": _FORMAT, **args}, sort_keys=True)
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return directory / f"mnist1d-{digest}.npz"


def _generate(args: dict[str, Any]) -> dict[str, np.ndarray]:
    try:
        from mnist1d.data import make_dataset
        from mnist1d.utils import ObjectView
    except ImportError as e:
        raise ImportError(_INSTALL_HINT) from e
    # make_dataset reseeds the *global* numpy and random generators; put the caller's back
    np_state, py_state = np.random.get_state(), random.getstate()
    try:
        d = make_dataset(ObjectView(dict(args)))
    finally:
        np.random.set_state(np_state)
        random.setstate(py_state)
    try:
        version = metadata.version("mnist1d")
    except metadata.PackageNotFoundError:
        version = "unknown"
    return {
        "X_train": np.asarray(d["x"], dtype=np.float32),
        "y_train": np.asarray(d["y"], dtype=np.int64),
        "X_test": np.asarray(d["x_test"], dtype=np.float32),
        "y_test": np.asarray(d["y_test"], dtype=np.int64),
        "t": np.asarray(d["t"], dtype=np.float32),
        "args_json": np.array(json.dumps(args, sort_keys=True)),
        "mnist1d_version": np.array(version),
    }


def _read(path: Path) -> TrainTestSplit | None:
    """The cached split, or None if the file is missing or unreadable (it is then rebuilt)."""
    try:
        with np.load(path) as f:
            return TrainTestSplit(f["X_train"], f["y_train"], f["X_test"], f["y_test"])
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None


def _write(path: Path, arrays: dict[str, np.ndarray]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write a temporary file and rename it: a reader (or a second process) never sees half a
    # file. os.open with 0o666 lets the umask decide the mode, as for any file the user creates
    # (tempfile.mkstemp would force 0600 and hide a shared cache from the rest of a group).
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# Directories we could not write to, and what we generated for them: warn once per directory,
# and let a later call in the same process reuse the data instead of generating it again.
_UNWRITABLE: dict[Path, dict[str, TrainTestSplit]] = {}


def _keep_uncached(path: Path, split: TrainTestSplit, error: OSError) -> None:
    directory = path.parent
    if directory not in _UNWRITABLE:
        warnings.warn(
            f"load_mnist1d: cannot write the cache in {directory} ({error.strerror or error}); "
            f"the data is generated but not cached, so the next process generates it again. "
            f"Point {CACHE_ENV} (or cache_dir=) at a writable directory.",
            RuntimeWarning,
            stacklevel=3,
        )
    # copies, in and out: a caller that standardizes X_train in place must not change the next
    # call's data (a cache file on disk could not be changed that way either)
    _UNWRITABLE.setdefault(directory, {})[path.name] = _copy(split)


def _copy(split: TrainTestSplit) -> TrainTestSplit:
    return TrainTestSplit(*(a.copy() for a in split))


def _normalized(args: dict[str, Any]) -> dict[str, Any]:
    """numpy scalars (np.int64(1), np.float32(0.8)) as Python numbers: the cache key is JSON,
    and seed=1 and seed=np.int64(1) are the same dataset."""

    def plain(v: Any) -> Any:
        if isinstance(v, np.generic):
            return v.item()
        if isinstance(v, (list, tuple, np.ndarray)):
            return [plain(e) for e in v]
        return v

    out = {k: plain(v) for k, v in args.items()}
    out["seed"] = check_seed("load_mnist1d", out["seed"], upper=2**32)
    if out["seed"] is None:
        raise TypeError("load_mnist1d: seed must be an int (mnist1d seeds numpy with it), got None")
    return out


def load_mnist1d(
    cache_dir: str | os.PathLike | None = None,
    regenerate: bool = False,
    **dataset_args: Any,
) -> TrainTestSplit:
    """Load MNIST-1D: `X_train, y_train, X_test, y_test = load_mnist1d()`.

    Default shapes: X_train (4000, 40) float32, y_train (4000,) int64, X_test (1000, 40),
    y_test (1000,), labels 0-9; X is centred and scaled to std 1 over the whole dataset (by
    mnist1d itself). The first call generates it with `mnist1d.data.make_dataset` (about 2 s, plus
    about 2 s to import mnist1d) and caches it as `mnist1d-<hash>.npz` in `cache_dir`
    (default: `$TINYGRAD_ACT_CACHE`, else `$XDG_CACHE_HOME/tinygrad_act`, else
    `~/.cache/tinygrad_act`); later calls read the cache in milliseconds.

    dataset_args override mnist1d's defaults (e.g. `shuffle_seq=True`, `num_samples=10000`,
    `seed=0`); each distinct configuration gets its own cache file. `regenerate=True` rebuilds it.
    No network access is made. Raises ImportError naming the pip command when mnist1d is missing
    and nothing is cached. When the cache cannot be written (a read-only directory), the data is
    returned anyway with one RuntimeWarning per directory naming TINYGRAD_ACT_CACHE.
    """
    unknown = sorted(set(dataset_args) - set(PUBLISHED_ARGS))
    if unknown:
        raise TypeError(
            f"load_mnist1d: unknown dataset argument(s) {unknown}; mnist1d accepts "
            f"{sorted(PUBLISHED_ARGS)}"
        )
    args = _normalized({**PUBLISHED_ARGS, **dataset_args})
    directory = Path(cache_dir).expanduser() if cache_dir is not None else _default_cache_dir()
    path = _cache_file(directory, args)
    if not regenerate:
        cached = _read(path)
        if cached is None and path.name in _UNWRITABLE.get(path.parent, {}):
            cached = _copy(_UNWRITABLE[path.parent][path.name])
        if cached is not None:
            return cached
    arrays = _generate(args)
    split = TrainTestSplit(arrays["X_train"], arrays["y_train"], arrays["X_test"], arrays["y_test"])
    try:
        _write(path, arrays)
    except OSError as e:  # read-only or full disk, a file in the way: the data is still good
        _keep_uncached(path, split, e)
    return split
