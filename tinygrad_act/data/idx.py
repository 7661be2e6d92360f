"""MNIST (or Fashion-MNIST) from the IDX files you downloaded; this module never downloads.

IDX format (LeCun): 2 zero bytes, a type byte (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
0x0D float32, 0x0E float64), a byte giving the number of dimensions d, then d big-endian uint32
sizes, then the values, big-endian, row-major. Files may be gzip-compressed (detected from their
first bytes, whatever their name).
"""

from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path

import numpy as np

from ._common import TrainTestSplit, cache_dir

_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
_MIRROR = "https://ossci-datasets.s3.amazonaws.com/mnist/"  # the mirror torchvision uses


def read_idx(file: str | os.PathLike) -> np.ndarray:
    """Read one IDX file (optionally gzipped) into a numpy array of its shape and dtype."""
    file = Path(file)
    raw = file.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as e:
            raise ValueError(f"read_idx: {file} looks gzip-compressed but is corrupt ({e})") from e
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError(
            f"read_idx: {file} is not an IDX file: it must start with two zero bytes, a type byte "
            f"and a dimension count, but starts with {raw[:4]!r}"
        )
    code, ndim = raw[2], raw[3]
    if code not in _IDX_TYPES:
        raise ValueError(
            f"read_idx: {file} has unknown IDX type byte 0x{code:02X}; expected one of "
            f"{', '.join(f'0x{c:02X}' for c in _IDX_TYPES)}"
        )
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(
            f"read_idx: {file} is truncated: its header declares {ndim} dimensions "
            f"({header} bytes) but the file has {len(raw)} bytes"
        )
    shape = tuple(int(s) for s in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    dtype = np.dtype(_IDX_TYPES[code])
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) - header != expected:
        raise ValueError(
            f"read_idx: {file} declares shape {shape} of {dtype.name} ({expected} bytes of data) "
            f"but holds {len(raw) - header} bytes after the header; the file is truncated or "
            "corrupt - download it again"
        )
    arr = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    return arr.astype(dtype.newbyteorder("="))  # native byte order, writable copy


def _find(directory: Path, stem: str) -> Path | None:
    # the official names, gzipped or not, and the "train-images.idx3-ubyte" spelling some
    # mirrors (e.g. Kaggle) use
    dotted = stem.replace("-idx", ".idx")
    for name in (stem, stem + ".gz", dotted, dotted + ".gz"):
        if (directory / name).is_file():
            return directory / name
    return None


def _missing_message(directory: Path, missing: list[str]) -> str:
    names = " ".join(_FILES.values())
    return (
        f"load_mnist: missing {', '.join(missing)} in {directory}.\n"
        f"Expected these 4 files there (each may be gzipped, ending in .gz):\n  "
        + "\n  ".join(_FILES.values())
        + f"\nDownload MNIST from {_MIRROR} (the mirror torchvision uses; the original "
        "http://yann.lecun.com/exdb/mnist/ is often unavailable), for example:\n"
        f'  mkdir -p "{directory}" && cd "{directory}" && for f in {names}; do '
        f"curl -fO {_MIRROR}$f.gz; done\n"
        "Fashion-MNIST uses the same file names: https://github.com/zalandoresearch/fashion-mnist"
    )


def load_mnist(
    path: str | os.PathLike | None = None, flatten: bool = True, normalize: bool = True
) -> TrainTestSplit:
    """Read MNIST's four IDX files from the directory `path`.

    Default `path`: `<cache dir>/mnist` (see `tinygrad_act.data.cache_dir()`). Returns
    `X_train, y_train, X_test, y_test`: X float32 of shape (n, 784) (or (n, 28, 28) with
    flatten=False), scaled to [0, 1] (raw 0..255 with normalize=False); y int64.
    Standard MNIST has 60000 training and 10000 test images.
    """
    directory = Path(path).expanduser() if path is not None else cache_dir() / "mnist"
    if directory.is_file():
        raise ValueError(
            f"load_mnist: path must be the directory holding the IDX files, got the file "
            f"{directory}; pass {directory.parent}"
        )
    found = {key: _find(directory, stem) for key, stem in _FILES.items()}
    missing = [_FILES[k] for k, f in found.items() if f is None]
    if missing:
        raise FileNotFoundError(_missing_message(directory, missing))
    out = []
    for split in ("train", "test"):
        images = read_idx(found[f"{split}_images"])
        labels = read_idx(found[f"{split}_labels"])
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise ValueError(
                f"load_mnist: {split} images must have shape (n, rows, cols) and labels (n,), got "
                f"{images.shape} from {found[f'{split}_images'].name} and {labels.shape} from "
                f"{found[f'{split}_labels'].name}"
            )
        X = images.astype(np.float32)
        if normalize:
            X /= 255.0
        if flatten:
            X = X.reshape(len(X), -1)
        out += [X, labels.astype(np.int64)]
    return TrainTestSplit(*out)
