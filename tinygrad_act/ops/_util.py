"""Helpers every op shares: unbroadcast, dim normalization, argument parsing."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum `grad` back to `shape`, undoing numpy broadcasting.

    Broadcasting copies an input along (a) new leading dims and (b) dims where the input has size 1;
    the chain rule adds up the gradient of every copy, so we sum over exactly those dims.
    """
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(shape) if s == 1 and grad.shape[lead + i] != 1
    )
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


def raw(x: Any) -> Any:
    """The numpy array behind a Tensor; anything else unchanged."""
    return x.data if isinstance(x, Tensor) else x


def shape_of(x: Any) -> tuple:
    return x.shape if isinstance(x, np.ndarray) else ()


def as_tensor_like(x: Any, like: Tensor) -> Tensor:
    """Wrap a non-Tensor operand (for @) in a Tensor of `like`'s dtype if it is a float."""
    if isinstance(x, Tensor):
        return x
    arr = np.asarray(x)
    if arr.dtype.kind == "f" or arr.dtype.kind in "iu":
        arr = arr.astype(like.dtype if like.dtype.kind == "f" else arr.dtype, copy=False)
    return Tensor._wrap(arr)


def shape_arg(args: tuple) -> tuple:
    """Accept both f(2, 3) and f((2, 3)) like PyTorch."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    return tuple(int(a) for a in args)


def normalize_dim(op: str, dim: int, ndim: int, shape: tuple) -> int:
    if not -max(ndim, 1) <= dim < max(ndim, 1):
        lo, hi = -max(ndim, 1), max(ndim, 1) - 1
        raise IndexError(
            f"{op}: dim {dim} is out of range for a tensor of shape {shape} "
            f"({ndim} dims); use a dim in [{lo}, {hi}]"
        )
    return dim % max(ndim, 1)


def normalize_dims(op: str, dim: Any, ndim: int, shape: tuple) -> tuple | None:
    """None (all dims) or a sorted tuple of non-negative dims; rejects repeats and out-of-range."""
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    out = tuple(sorted(normalize_dim(op, int(d), ndim, shape) for d in dims))
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: dim {dim} repeats a dimension")
    if ndim == 0:
        return None
    return out


def binary_error(op: str, a: Any, b: Any, err: Exception) -> ValueError:
    """A broadcasting failure, named after the op with both shapes and the fix."""
    sa, sb = np.shape(a), np.shape(b)
    return ValueError(
        f"{op}: shapes {sa} and {sb} cannot be broadcast together (numpy rule: trailing dims "
        "must be equal or 1); reshape or unsqueeze one operand so the dims line up"
    )
