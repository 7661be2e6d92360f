"""Ways to make tensors: tensor, zeros, ones, empty, full, arange, randn, rand (PyTorch names).

Sizes are ints as in PyTorch (`zeros(2.5)` raises instead of truncating), dtypes must be supported
(`dtypes.check_supported`), and values must fit their dtype."""

from __future__ import annotations

import builtins
import math
import operator
from typing import Any

import numpy as np

from . import dtypes as _dt
from . import recording
from .random import default_generator
from .tensor import Tensor


def _shape(op: str, size: tuple) -> tuple:
    """PyTorch's size argument: ints, or one tuple/list of ints; floats and bools are refused."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    shape = []
    for i, s in enumerate(size):
        # operator.index accepts ints, numpy ints and integer 0-d tensors, and never truncates
        if isinstance(s, bool):
            s = 0.5  # bool is an int subclass; PyTorch refuses it, so take the error branch
        try:
            shape.append(operator.index(s))
        except TypeError:
            raise TypeError(
                f"{op}: size must be ints or one tuple of ints, but found element of type "
                f"{type(s).__name__} at pos {i} in {size!r}; PyTorch refuses it too (write "
                "int(n) if you mean to truncate)"
            ) from None
    if any(s < 0 for s in shape):
        raise ValueError(f"{op}: size {tuple(shape)} has a negative dimension")
    return tuple(shape)


def _float_dtype(dtype: Any, op: str) -> np.dtype:
    dt = _dt.default_float if dtype is None else _dt.to_dtype(dtype, op)
    if op in ("randn", "rand") and dt.kind != "f":
        raise TypeError(f"{op}: needs a floating-point dtype, got {dt}")
    return dt


def _make(arr: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._wrap(arr)
    if recording.ACTIVE[0] is not None:  # ta.compile: made inside a step (see Recorder.created)
        recording.ACTIVE[0].created(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of `data` (floats become float32 unless `dtype` says)."""
    return Tensor(data, dtype=dtype, requires_grad=requires_grad)


def zeros(*size, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.zeros(_shape("zeros", size), dtype=_float_dtype(dtype, "zeros")), requires_grad)


def ones(*size, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.ones(_shape("ones", size), dtype=_float_dtype(dtype, "ones")), requires_grad)


def empty(*size, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor to be written into. PyTorch leaves it uninitialized; here it is zeros, so a
    forgotten write reads as 0 rather than as leftover memory."""
    return _make(np.zeros(_shape("empty", size), dtype=_float_dtype(dtype, "empty")), requires_grad)


def full(size, fill_value: float, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of `size` filled with `fill_value`; its dtype follows the value (bool, int64,
    float32) unless `dtype` says. A value that does not fit the dtype is refused, as in
    `tensor`."""
    if dtype is None:
        kind = np.asarray(fill_value).dtype.kind
        dtype = {"b": _dt.bool_, "i": _dt.int64}.get(kind, _dt.default_float)
    value = _dt.as_array(fill_value, _dt.to_dtype(dtype, "full"))
    return _make(np.full(_shape("full", (size,)), value), requires_grad)


def zeros_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    dt = t.dtype if dtype is None else _dt.to_dtype(dtype, "zeros_like")
    return _make(np.zeros(t.shape, dtype=dt), requires_grad)


def ones_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    dt = t.dtype if dtype is None else _dt.to_dtype(dtype, "ones_like")
    return _make(np.ones(t.shape, dtype=dt), requires_grad)


def arange(start, end=None, step=1, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Values start, start+step, ... below end; int64 for int arguments, float32 otherwise.

    As in PyTorch, a zero step, a non-finite bound, or a step pointing away from `end` raise
    (numpy would return an empty array or divide by zero)."""
    if end is None:
        start, end = 0, start
    start, end, step = (_number("arange", n, v) for n, v in zip(_ARANGE, (start, end, step)))
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise ValueError(
            f"arange: the bounds {start} -> {end} are inconsistent with the sign of step {step}; "
            "use a negative step to count down"
        )
    if dtype is None:
        ints = all(isinstance(v, int) for v in (start, end, step))
        dt = _dt.int64 if ints else _dt.default_float
    else:
        dt = _dt.to_dtype(dtype, "arange")
        if dt.kind != "f" and any(v != int(v) for v in (start, end, step)):
            raise ValueError(
                f"arange: start {start}, end {end}, step {step} are not whole numbers, so they "
                f"have no {dt} values; use a float dtype or whole numbers"
            )
    return _make(np.arange(start, end, step).astype(dt), requires_grad)


_ARANGE = ("start", "end", "step")


def _number(op: str, name: str, v: Any) -> builtins.int | builtins.float:
    """A finite Python int or float from a number, numpy scalar or 0-d tensor."""
    if isinstance(v, Tensor):
        v = v.item()
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise TypeError(f"{op}: {name} must be a number, got {type(v).__name__} {v!r}")
    v = v.item() if isinstance(v, np.generic) else v
    if not math.isfinite(v):
        raise ValueError(f"{op}: {name} = {v} is not finite; the range would be endless")
    return v


def randn(*size, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples from the seeded global generator (see manual_seed)."""
    dt = _float_dtype(dtype, "randn")
    arr = default_generator().standard_normal(_shape("randn", size), dtype=dt)
    return _make(arr, requires_grad)


def rand(*size, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1) from the seeded global generator."""
    dt = _float_dtype(dtype, "rand")
    return _make(default_generator().random(_shape("rand", size), dtype=dt), requires_grad)


def randn_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return randn(t.shape, dtype=t.dtype if dtype is None else dtype, requires_grad=requires_grad)
