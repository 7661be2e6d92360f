"""What the dataset loaders share: the cache directory and the train/test tuple they return."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

CACHE_ENV = "TINYGRAD_ACT_CACHE"


class TrainTestSplit(NamedTuple):
    """`X_train, y_train, X_test, y_test = load_...()`; also readable by attribute name."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def cache_dir() -> Path:
    """Where generated datasets are cached (the directory is not created here).

    `$TINYGRAD_ACT_CACHE` if set; else `$XDG_CACHE_HOME/tinygrad_act`; else
    `%LOCALAPPDATA%/tinygrad_act` on Windows; else `~/.cache/tinygrad_act`.
    """
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg).expanduser() / "tinygrad_act"
    if os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "tinygrad_act"
    return Path.home() / ".cache" / "tinygrad_act"


def check_seed(op: str, seed: Any, *, upper: int | None = None, name: str = "seed") -> int | None:
    """`seed` as a Python int (numpy integers accepted), or None; a clear error otherwise.

    numpy's own messages ("expected non-negative integer") name neither the caller nor the
    argument, so every seeded loader checks here first. `upper` is an exclusive bound for
    generators that need one (mnist1d seeds numpy's legacy RandomState: below 2**32).
    """
    if seed is None:
        return None
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"{op}: {name} must be an int or None, got {seed!r}")
    seed = int(seed)
    if seed < 0 or (upper is not None and seed >= upper):
        allowed = f"0 <= {name} < 2**{upper.bit_length() - 1}" if upper else f"{name} >= 0"
        raise ValueError(f"{op}: {name} must satisfy {allowed} (or be None), got {seed}")
    return seed
