"""The dtypes tinygrad_act uses (numpy dtypes under PyTorch's names) and PyTorch's rules for them.

Supported: bool, uint8, int8, int16, int32, int64, float32, float64. Floats default to float32
(as in PyTorch); Python ints become int64 and bools bool. float16 and the other numpy dtypes are
refused where a tensor is made (`check_supported`): the kernels exist for float32/float64 only.

Type promotion is PyTorch's (`result_type`), not numpy's: a Python or numpy scalar never widens a
tensor of its own category (`float32_tensor * np.sqrt(8.0)` stays float32), a 0-d tensor never
widens a dimensioned tensor of its category, and an integer tensor meeting a float scalar, or going
through true division or exp/log/sqrt, becomes the default float dtype (float32, not numpy's
float64).
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
float16 = np.dtype(np.float16)  # named so that it can be refused with a clear message
int8 = np.dtype(np.int8)
int16 = np.dtype(np.int16)
int32 = np.dtype(np.int32)
int64 = np.dtype(np.int64)
uint8 = np.dtype(np.uint8)
bool_ = np.dtype(np.bool_)

float = float32  # noqa: A001 - PyTorch's alias
double = float64
long = int64
int = int32  # noqa: A001

default_float = float32

SUPPORTED = (bool_, uint8, int8, int16, int32, int64, float32, float64)
FLOATING = (float32, float64)
_SUPPORTED_NAMES = ", ".join(str(d) for d in SUPPORTED)


def check_supported(dtype: Any, where: str) -> np.dtype:
    """`dtype` as a numpy dtype if tinygrad_act supports it; else a TypeError naming `where`.

    `where` is the caller as the user wrote it ("tensor", "zeros", "Module.to"): the error says
    which call refused the dtype and lists the supported ones.
    """
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(
            f"{where}: unknown dtype {dtype!r}; use one of {_SUPPORTED_NAMES} (ta.float32, ...)"
        ) from None
    if dt not in SUPPORTED:
        hint = " (float16 kernels are not implemented: use float32)" if dt.kind == "f" else ""
        raise TypeError(
            f"{where}: dtype {dt} is not supported{hint}; use one of {_SUPPORTED_NAMES}"
        )
    return dt


def to_dtype(dtype: Any, where: str = "dtype") -> np.dtype:
    """Accept a numpy dtype, a PyTorch-style name ('float32') or a Python type; refuse the rest."""
    return check_supported(dtype, where)


def is_floating(dtype: np.dtype) -> bool:
    return dtype.kind == "f"


# ---- creation: refuse values that do not fit (PyTorch: "cannot be converted ... without overflow")
def _int_range(dt: np.dtype) -> tuple[builtins.int, builtins.int]:
    info = np.iinfo(dt)
    return builtins.int(info.min), builtins.int(info.max)


def _check_fits(arr: np.ndarray, dt: np.dtype, where: str) -> None:
    """Raise unless every value of `arr` is exactly representable in the integer dtype `dt`."""
    if arr.size == 0 or arr.dtype.kind == "b":
        return
    lo, hi = _int_range(dt)
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)):
            raise OverflowError(
                f"{where}: NaN or inf cannot be converted to {dt} without overflow; replace them "
                "first (np.nan_to_num) or keep a float dtype"
            )
        if not np.all(arr == np.trunc(arr)):
            raise ValueError(
                f"{where}: casting {arr.dtype} values that are not whole numbers to {dt} would "
                "lose information; round them first (np.round), or cast explicitly with "
                "ta.tensor(x).long() / .to(dtype), which truncates toward zero like PyTorch"
            )
        # lo and hi + 1 are powers of two, exact in floating point (hi itself is not for int64)
        bad = (arr < lo) | (arr >= builtins.float(hi + 1))
    else:
        bad = (arr < lo) | (arr > hi)
    if np.any(bad):
        value = arr[bad].flat[0]
        raise OverflowError(
            f"{where}: value {value} cannot be converted to {dt} without overflow ({dt} holds "
            f"{lo}..{hi}); pick a wider dtype or clip the data first"
        )


def as_array(data: Any, dtype: Any = None) -> np.ndarray:
    """Convert like torch.tensor: Python floats -> float32, ints -> int64, numpy keeps its dtype.

    With an integer `dtype`, values that would not survive the conversion (fractions, NaN, inf,
    out of range) are refused instead of wrapping (`[300.]` to uint8 would give 44).
    """
    from_numpy = isinstance(data, (np.ndarray, np.generic))
    arr = np.array(data, copy=True)
    if arr.dtype == object or arr.dtype.kind not in "fiub":
        if arr.dtype == object and _has_big_int(data):
            raise OverflowError(_BIG_INT)
        raise TypeError(
            f"tensor: cannot make a tensor from data of dtype {arr.dtype}; pass numbers, "
            "nested lists of numbers or a numeric numpy array"
        )
    if not arr.dtype.isnative:  # big-endian data (idx files, other machines): native order
        arr = arr.astype(arr.dtype.newbyteorder("="))
    if not from_numpy and arr.dtype == np.uint64:  # numpy's choice for ints in [2**63, 2**64)
        raise OverflowError(_BIG_INT)
    if dtype is not None:
        dt = check_supported(dtype, "tensor")
        if dt.kind in "iu" and arr.dtype != dt:
            _check_fits(arr, dt, "tensor")
        return arr.astype(dt, copy=False)
    if not from_numpy:
        if arr.dtype.kind == "f":
            arr = arr.astype(default_float, copy=False)
        elif arr.dtype.kind in "iu":
            arr = arr.astype(np.int64, copy=False)
    check_supported(arr.dtype, "tensor")
    return arr


_BIG_INT = "tensor: a Python int does not fit in int64 (-2**63..2**63-1); PyTorch refuses it too"


def _has_big_int(data: Any) -> bool:
    if isinstance(data, (list, tuple)):
        return any(_has_big_int(d) for d in data)
    return isinstance(data, builtins.int) and not -(2**63) <= data < 2**63


def cast(arr: np.ndarray, dtype: np.dtype, where: str) -> np.ndarray:
    """An explicit cast (`.long()`, `.to(dtype)`): floats truncate toward zero, like PyTorch.

    Integers wrap modulo 2**bits (as in PyTorch and numpy: the result is defined). A float that is
    NaN, inf or outside the integer range has no defined result (C leaves it undefined; PyTorch
    returns whatever the CPU gives), so it is refused.
    """
    if dtype.kind in "iu" and arr.dtype.kind == "f" and arr.size:
        lo, hi = _int_range(dtype)
        t = np.trunc(arr)
        if not np.all((t >= lo) & (t < builtins.float(hi + 1))):  # NaN fails both tests
            raise OverflowError(
                f"{where}: {arr.dtype} values that are NaN, inf or outside {lo}..{hi} have no "
                f"{dtype} value; clamp them first (x.clamp({lo}, {hi})) or replace NaN"
            )
    return arr.astype(dtype)


# ---- promotion (PyTorch's c10::promoteTypes and at::native::result_type) -------------------
def promote_types(a: np.dtype, b: np.dtype) -> np.dtype:
    """torch.promote_types: a float wins over any integer (int64 + float32 -> float32)."""
    if a == b:
        return a
    fa, fb = a.kind == "f", b.kind == "f"
    if fa or fb:
        if fa and fb:
            return a if a.itemsize >= b.itemsize else b
        return a if fa else b
    return np.promote_types(a, b)  # bool and integers: numpy and PyTorch agree (uint8+int8: int16)


def _scalar_dtype(x: Any) -> np.dtype | None:
    """The dtype a Python or numpy scalar stands for: bool, int64 or the default float."""
    if isinstance(x, (builtins.bool, np.bool_)):
        return bool_
    if isinstance(x, (builtins.int, np.integer)):
        return int64
    if isinstance(x, (builtins.float, np.floating)):
        return default_float
    return None


def _combine(higher: np.dtype | None, lower: np.dtype | None) -> np.dtype | None:
    """A higher-priority participant keeps its dtype unless `lower` is of a higher category."""
    if higher is None:
        return lower
    if lower is None or higher.kind == "f":
        return higher
    if higher.kind == "b" or lower.kind == "f":
        return promote_types(higher, lower)
    return higher


def result_type(*operands: Any) -> np.dtype:
    """torch.result_type over arrays (or Tensors) and Python/numpy scalars.

    Three tiers, highest first: dimensioned arrays, 0-d arrays, scalars. A lower tier changes
    the result only when its category (bool < integer < float) is higher, and then a scalar
    float gives the default float dtype: int64_tensor + 0.5 -> float32, float32_tensor +
    float64 0-d tensor -> float32, int32_tensor + float64 0-d tensor -> float64.
    """
    dim = zero = wrapped = None
    for x in operands:
        dt = getattr(x, "dtype", None)
        if dt is None or isinstance(x, np.generic):
            dt = _scalar_dtype(x)
            if dt is None:
                raise TypeError(f"result_type: {type(x).__name__} is not a tensor or a number")
            wrapped = dt if wrapped is None else promote_types(wrapped, dt)
        elif x.ndim:
            dim = dt if dim is None else promote_types(dim, dt)
        else:
            zero = dt if zero is None else promote_types(zero, dt)
    out = _combine(dim, _combine(zero, wrapped))
    if out is None:
        raise TypeError("result_type: needs at least one operand")
    return out
