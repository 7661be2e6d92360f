"""Checkpoint files for Module.save / Module.load: one name rule, and an atomic write.

Name rule: the checkpoint of `path` is `path` itself if it ends in '.npz', else `path + '.npz'`
(numpy's savez appends the suffix; load applies the same rule, so save("m") and load("m") meet
at m.npz).

Atomic write: the arrays go to a hidden temporary file in the same directory ('.m.npz.<random>.tmp',
never ending in .npz, so no load and no *.npz glob takes it for a checkpoint), which is flushed and
fsynced, then renamed over the checkpoint with os.replace (atomic on POSIX and Windows), and the
directory is fsynced so the rename itself survives a power cut. A process killed at any moment
leaves either the old checkpoint or the new one, complete; at worst a stale temporary file stays.
(PyTorch's torch.save writes in place, so a crash mid-write loses the old file.)
"""

from __future__ import annotations

import os
import secrets
import zipfile
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["checkpoint_path", "load_arrays", "save_arrays"]

SUFFIX = ".npz"


def checkpoint_path(path: str | os.PathLike) -> str:
    """The file Module.save(path) writes and Module.load(path) reads."""
    p = os.fspath(path)
    if not isinstance(p, str):
        raise TypeError(f"checkpoint path must be a str or os.PathLike of str, got {p!r}")
    return p if p.endswith(SUFFIX) else p + SUFFIX


def save_arrays(path: str | os.PathLike, arrays: Mapping[str, Any]) -> str:
    """Write `arrays` as an uncompressed .npz at checkpoint_path(path), atomically; return it."""
    final = checkpoint_path(path)
    folder, name = os.path.split(os.path.abspath(final))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"save: the directory of {final!r} does not exist")
    tmp = os.path.join(folder, f".{name}.{secrets.token_hex(6)}.tmp")
    # os.open with mode 0o666 lets the umask decide the permissions, as for any file the user
    # writes (mkstemp would give 0600 and the checkpoint would keep it after the rename)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            _write_npz(f, arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, final)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(folder)
    return final


def load_arrays(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Read every array of the checkpoint at checkpoint_path(path) (no pickles)."""
    final = checkpoint_path(path)
    if not os.path.exists(final):
        raise FileNotFoundError(
            f"load: no checkpoint at {final!r} (Module.save(path) writes path + '.npz' unless "
            "path already ends in .npz, and load looks for the same file)"
        )
    with np.load(final, allow_pickle=False) as f:
        return {k: f[k] for k in f.files}


def _write_npz(f: Any, arrays: Mapping[str, Any]) -> None:
    """What np.savez writes (one .npy per key in an uncompressed zip), for any key: np.savez(f,
    **arrays) fails on a parameter named 'file' or 'allow_pickle' (its own argument names)."""
    with zipfile.ZipFile(f, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for key, value in arrays.items():
            with zf.open(key + ".npy", "w", force_zip64=True) as out:
                np.lib.format.write_array(out, np.asanyarray(value), allow_pickle=False)


def _fsync_dir(folder: str) -> None:
    """Make the rename durable; some platforms (Windows) cannot open a directory: skip there."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
