"""The dtypes tinygrad_act uses: numpy dtypes under PyTorch's names.

Floats default to float32 (as in PyTorch); Python ints become int64 and bools bool. Mixed
float32/float64 arithmetic follows numpy's promotion (float64 wins), as PyTorch's does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
float16 = np.dtype(np.float16)
int32 = np.dtype(np.int32)
int64 = np.dtype(np.int64)
uint8 = np.dtype(np.uint8)
bool_ = np.dtype(np.bool_)

float = float32  # noqa: A001 - PyTorch's alias
double = float64
long = int64
int = int32  # noqa: A001

default_float = float32

FLOATING = (float16, float32, float64)


def to_dtype(dtype: Any) -> np.dtype:
    """Accept a numpy dtype, a PyTorch-style name ('float32') or a Python type."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(
            f"unknown dtype {dtype!r}; use ta.float32, ta.float64, ta.int64 or ta.bool_"
        ) from None
    if dt.kind not in "fiub":
        raise TypeError(f"dtype {dt} is not supported; use a float, int or bool dtype")
    return dt


def is_floating(dtype: np.dtype) -> bool:
    return dtype.kind == "f"


def as_array(data: Any, dtype: Any = None) -> np.ndarray:
    """Convert like torch.tensor: Python floats -> float32, ints -> int64, numpy keeps its dtype."""
    from_numpy = isinstance(data, (np.ndarray, np.generic))
    arr = np.array(data, copy=True)
    if arr.dtype == object or arr.dtype.kind not in "fiub":
        raise TypeError(
            f"tensor: cannot make a tensor from data of dtype {arr.dtype}; pass numbers, "
            "nested lists of numbers or a numeric numpy array"
        )
    if dtype is not None:
        dt = to_dtype(dtype)
        if dt.kind in "iub" and arr.dtype.kind == "f":
            if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
                raise ValueError(
                    f"tensor: casting {arr.dtype} values that are not whole numbers to {dt} would "
                    "lose information; round them first (np.round) or keep a float dtype"
                )
        return arr.astype(dt, copy=False)
    if not from_numpy:
        if arr.dtype.kind == "f":
            arr = arr.astype(default_float, copy=False)
        elif arr.dtype.kind in "iu":
            arr = arr.astype(np.int64, copy=False)
    return arr
