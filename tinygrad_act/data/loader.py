"""DataLoader: mini-batches of (inputs, targets) Tensors from in-memory arrays."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from ..dtypes import as_array
from ..random import default_generator
from ..tensor import Tensor
from ._common import check_seed


def _to_array(name: str, data: Any) -> np.ndarray:
    if isinstance(data, Tensor):
        return data.data
    if isinstance(data, np.ndarray):
        return data  # no copy: a dataset can be large
    try:
        return as_array(data)  # lists follow ta.tensor's rules (floats -> float32)
    except (TypeError, ValueError) as e:
        raise TypeError(
            f"DataLoader: {name} must be a numpy array, a Tensor or nested lists of numbers ({e})"
        ) from None


class DataLoader:
    """Iterate over (X[idx], y[idx]) in batches of `batch_size` rows, as Tensors.

    loader = DataLoader(X, y, batch_size=64, shuffle=True, seed=0)
    for xb, yb in loader: ...          # xb: (batch, *X.shape[1:]), yb: (batch, *y.shape[1:])

    X and y are numpy arrays or Tensors with the same first dimension; dtypes are kept (X float32
    and y int64 for classification). Each batch is a copy, so changing it in place never changes
    the dataset. `len(loader)` is the number of batches: ceil(n / batch_size), or
    floor(n / batch_size) with drop_last=True (which drops the last, smaller batch).

    Shuffling: every pass (epoch) uses a new permutation. With `seed` given, the permutation of
    epoch e is numpy's default_rng([seed, e]).permutation(n), so a run is reproducible whatever
    else draws random numbers; with seed=None it comes from the library's generator
    (`ta.manual_seed`). Without shuffle the seed is unused. `set_epoch(e)` makes the next
    pass use epoch e's permutation.
    """

    def __init__(
        self,
        X: Any,
        y: Any,
        batch_size: int = 1,
        shuffle: bool = False,
        seed: int | None = None,
        drop_last: bool = False,
    ) -> None:
        X, y = _to_array("X", X), _to_array("y", y)
        if X.ndim == 0 or y.ndim == 0:
            raise ValueError(
                f"DataLoader: X and y need a first (sample) dimension, got shapes {X.shape} "
                f"and {y.shape}"
            )
        if len(X) != len(y):
            raise ValueError(
                f"DataLoader: X and y must hold the same number of samples, got X of shape "
                f"{X.shape} and y of shape {y.shape} ({len(X)} != {len(y)})"
            )
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
            raise TypeError(f"DataLoader: batch_size must be an int, got {batch_size!r}")
        if batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be >= 1, got {batch_size}")
        self.X, self.y = X, y
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.seed = check_seed("DataLoader", seed)
        self.drop_last = bool(drop_last)
        self.epoch = 0  # number of passes started so far (the next pass uses this epoch)

    def __len__(self) -> int:
        n, b = len(self.X), self.batch_size
        return n // b if self.drop_last else -(-n // b)

    def set_epoch(self, epoch: int) -> None:
        """Make the next pass use the permutation of `epoch` (only meaningful with a seed)."""
        # the epoch joins the seed in numpy's SeedSequence, which takes only non-negative ints
        checked = check_seed("DataLoader.set_epoch", epoch, name="epoch")
        if checked is None:
            raise TypeError("DataLoader.set_epoch: epoch must be an int >= 0, got None")
        self.epoch = checked

    def _order(self) -> np.ndarray | None:
        if not self.shuffle:
            return None
        n = len(self.X)
        if self.seed is None:
            return default_generator().permutation(n)
        return np.random.default_rng([self.seed, self.epoch]).permutation(n)

    def __iter__(self) -> Iterator[tuple[Tensor, Tensor]]:
        order = self._order()
        self.epoch += 1
        n, b = len(self.X), self.batch_size
        stop = n - n % b if self.drop_last else n
        for start in range(0, stop, b):
            if order is None:
                xb, yb = self.X[start : start + b].copy(), self.y[start : start + b].copy()
            else:
                idx = order[start : start + b]
                xb, yb = np.take(self.X, idx, axis=0), np.take(self.y, idx, axis=0)
            yield Tensor._wrap(xb), Tensor._wrap(yb)

    def __repr__(self) -> str:
        return (
            f"DataLoader(n_samples={len(self.X)}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, seed={self.seed}, drop_last={self.drop_last})"
        )
