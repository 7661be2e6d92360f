"""Ways to make tensors: tensor, zeros, ones, full, arange, randn, rand (PyTorch names)."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes as _dt
from .random import default_generator
from .tensor import Tensor


def _shape(size: tuple) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    try:
        shape = tuple(int(s) for s in size)
    except TypeError:
        raise TypeError(f"size must be ints or one tuple of ints, got {size!r}") from None
    if any(s < 0 for s in shape):
        raise ValueError(f"size {shape} has a negative dimension")
    return shape


def _float_dtype(dtype: Any, op: str) -> np.dtype:
    dt = _dt.default_float if dtype is None else _dt.to_dtype(dtype)
    if op in ("randn", "rand") and dt.kind != "f":
        raise TypeError(f"{op}: needs a floating-point dtype, got {dt}")
    return dt


def _make(arr: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._wrap(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of `data` (floats become float32 unless `dtype` says)."""
    return Tensor(data, dtype=dtype, requires_grad=requires_grad)


def zeros(*size, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.zeros(_shape(size), dtype=_float_dtype(dtype, "zeros")), requires_grad)


def ones(*size, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.ones(_shape(size), dtype=_float_dtype(dtype, "ones")), requires_grad)


def full(size, fill_value: float, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    if dtype is None:
        kind = np.asarray(fill_value).dtype.kind
        dtype = {"b": _dt.bool_, "i": _dt.int64}.get(kind, _dt.default_float)
    return _make(np.full(_shape((size,)), fill_value, dtype=_dt.to_dtype(dtype)), requires_grad)


def zeros_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.zeros(t.shape, dtype=t.dtype if dtype is None else dtype), requires_grad)


def ones_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.ones(t.shape, dtype=t.dtype if dtype is None else dtype), requires_grad)


def arange(start, end=None, step=1, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Values start, start+step, ... below end; int64 for int arguments, float32 otherwise."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        ints = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = _dt.int64 if ints else _dt.default_float
    return _make(np.arange(start, end, step).astype(_dt.to_dtype(dtype)), requires_grad)


def randn(*size, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples from the seeded global generator (see manual_seed)."""
    dt = _float_dtype(dtype, "randn")
    arr = default_generator().standard_normal(_shape(size), dtype=dt if dt != _dt.float16 else None)
    return _make(arr.astype(dt, copy=False), requires_grad)


def rand(*size, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1) from the seeded global generator."""
    dt = _float_dtype(dtype, "rand")
    arr = default_generator().random(_shape(size), dtype=dt if dt != _dt.float16 else None)
    return _make(arr.astype(dt, copy=False), requires_grad)


def randn_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return randn(t.shape, dtype=t.dtype if dtype is None else dtype, requires_grad=requires_grad)
