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
