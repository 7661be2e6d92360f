"""softmax and log_softmax along one dim, computed row by row in Numba kernels."""

from __future__ import annotations

import math

import numpy as np

from ..autograd import Function
from ..kernels import softmax as K
from ..kernels._parallel import launch
from ._util import normalize_dim


def to_rows(x: np.ndarray, dim: int) -> np.ndarray:
    """View (or copy) `x` as a C-contiguous (rows, n) array with `dim` last."""
    if x.ndim == 0:
        return x.reshape(1, 1)
    if dim != x.ndim - 1:
        x = np.moveaxis(x, dim, -1)
    # the row count spelled out: reshape(-1, 0) cannot infer it for an empty (3, 0) input
    return np.ascontiguousarray(x).reshape(math.prod(x.shape[:-1]), x.shape[-1])


def from_rows(rows: np.ndarray, shape: tuple, dim: int) -> np.ndarray:
    """Undo `to_rows` for an array of the original `shape`."""
    if len(shape) == 0:
        return rows.reshape(())
    moved = shape[:dim] + shape[dim + 1 :] + (shape[dim],)
    out = rows.reshape(moved)
    return out if dim == len(shape) - 1 else np.moveaxis(out, -1, dim)


def _check(op: str, x: np.ndarray, dim: int) -> int:
    if x.dtype.kind != "f":
        raise TypeError(f"{op}: needs a floating-point tensor, got {x.dtype}; call .float() first")
    return normalize_dim(op, dim, x.ndim, x.shape)


class _RowOp(Function):
    name = ""
    fwd = bwd = None

    @classmethod
    def forward(cls, ctx, x, dim=-1):
        d = _check(cls.name, x, dim)
        rows = to_rows(x, d)
        out = np.empty_like(rows)
        launch(cls.fwd, (rows, out))
        ctx.save_for_backward(out)
        ctx.dim, ctx.shape = d, x.shape
        return from_rows(out, x.shape, d)

    @classmethod
    def backward(cls, ctx, grad):
        (out,) = ctx.saved_tensors
        g = to_rows(grad, ctx.dim)
        grad_in = np.empty_like(out)
        launch(cls.bwd, (g, out, grad_in))
        return from_rows(grad_in, ctx.shape, ctx.dim)


class LogSoftmax(_RowOp):
    """x - logsumexp(x, dim): log-probabilities, stable for any finite logits."""

    name = "log_softmax"
    fwd = staticmethod(K.log_softmax_forward)
    bwd = staticmethod(K.log_softmax_backward)


class Softmax(_RowOp):
    """exp(x) / sum(exp(x), dim), shifted by the row max."""

    name = "softmax"
    fwd = staticmethod(K.softmax_forward)
    bwd = staticmethod(K.softmax_backward)
