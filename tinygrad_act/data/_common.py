"""What the dataset loaders share: the cache directory and the train/test tuple they return."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

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
