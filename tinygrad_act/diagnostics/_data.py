"""Turn what a user calls "the dataset" into input batches for a diagnostic pass."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from ..tensor import Tensor


def _array(x: Any) -> np.ndarray:
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _as_input(x: Any, dtype: np.dtype | None) -> Tensor:
    if isinstance(x, Tensor):
        return x
    a = np.asarray(x)
    # numpy float64 data (sklearn, np.linspace) meets float32 models: cast floats to the model's
    # dtype; Tensors are passed as given so a dtype mistake there still surfaces
    if dtype is not None and a.dtype.kind == "f" and a.dtype != dtype:
        a = a.astype(dtype)
    return Tensor._wrap(np.ascontiguousarray(a))


def iter_batches(data: Any, batch_size: int, dtype: np.dtype | None, who: str) -> Iterator[Tensor]:
    """Yield input Tensors from `data`:

    - an array or Tensor X of shape (N, *): slices of `batch_size` rows;
    - a tuple (X, y) or (X,): X as above (len(X) must equal len(y));
    - any other iterable (a DataLoader, a list of batches): each item, or its first element when
      the item is a tuple/list (inputs, targets).
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
        raise TypeError(f"{who}: batch_size must be an int, got {batch_size!r}")
    if batch_size < 1:
        raise ValueError(f"{who}: batch_size must be >= 1, got {batch_size}")
    if isinstance(data, tuple) and 1 <= len(data) <= 2:
        X = _array(data[0])
        if len(data) == 2:
            y = _array(data[1])
            if X.ndim == 0 or y.ndim == 0 or len(X) != len(y):
                raise ValueError(
                    f"{who}: inputs and targets must have the same number of samples, got X of "
                    f"shape {X.shape} and y of shape {y.shape}"
                )
        data = data[0]
    if isinstance(data, (Tensor, np.ndarray)):
        X = _array(data)
        if X.ndim == 0 or len(X) == 0:
            raise ValueError(
                f"{who}: need inputs of shape (N, features) with N >= 1, got shape {X.shape}"
            )
        for start in range(0, len(X), int(batch_size)):
            yield _as_input(X[start : start + batch_size], dtype)
        return
    try:
        it = iter(data)
    except TypeError:
        raise TypeError(
            f"{who}: data must be an array/Tensor of inputs (N, features), a tuple (X, y), or an "
            f"iterable of batches such as a DataLoader; got {type(data).__name__}"
        ) from None
    n = 0
    for item in it:
        if isinstance(item, (tuple, list)):
            item = item[0]
        yield _as_input(item, dtype)
        n += 1
    if n == 0:
        raise ValueError(f"{who}: the data yielded no batches")


def model_dtype(model: Any) -> np.dtype | None:
    """The dtype of the model's first floating parameter (None for a parameter-free model)."""
    for p in model.parameters():
        return p.data.dtype
    return None
