"""In-place writes as graph nodes: `zero_`, `fill_`, `copy_`, `add_`, `mul_`.

Each forward writes into its first input's array and calls `ctx.mark_dirty(x)`: `Function.apply`
then bumps x's version, and when a graph is recorded makes x itself the output of the node (so
`h.add_(b)` returns `h`, and a later backward through `h` runs this node first). The functions
below refuse a leaf that requires grad, or a view of a graph tensor, *before* anything is written
(autograd.check_in_place): writing into a parameter is an optimizer's job, under `no_grad()`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Function, check_in_place
from ..tensor import Tensor
from ._util import unbroadcast

__all__ = ["Fill", "Copy", "AddInPlace", "MulInPlace", "zero_", "fill_", "copy_", "add_", "mul_"]


def _check_broadcast(op: str, src_shape: tuple, shape: tuple) -> None:
    """`src` must broadcast to the destination's shape: an in-place write cannot grow it."""
    try:
        ok = np.broadcast_shapes(src_shape, shape) == shape
    except ValueError:
        ok = False
    if not ok:
        raise RuntimeError(
            f"{op}: a source of shape {src_shape} does not broadcast to the tensor's shape "
            f"{shape}; an in-place op keeps the tensor's shape (reshape or index the source)"
        )


class Fill(Function):
    """x[...] = value. The old x gets no gradient: nothing of it survives the write."""

    @staticmethod
    def forward(ctx, x, value=0):
        x[...] = value
        ctx.mark_dirty(x)
        return x

    @staticmethod
    def backward(ctx, grad):
        return None


class Copy(Function):
    """x[...] = src (broadcast, cast to x's dtype); the gradient goes to src only."""

    @staticmethod
    def forward(ctx, x, src):
        ctx.src_shape, ctx.src_dtype = np.shape(src), np.asarray(src).dtype
        np.copyto(x, src, casting="unsafe")  # PyTorch's copy_ casts (and truncates) as asked
        ctx.mark_dirty(x)
        return x

    @staticmethod
    def backward(ctx, grad):
        if not ctx.needs_input_grad[1]:
            return None, None
        return None, unbroadcast(grad, ctx.src_shape).astype(ctx.src_dtype, copy=False)


class AddInPlace(Function):
    """x += alpha * other: d/dx = grad, d/dother = alpha * grad (summed over broadcast dims)."""

    @staticmethod
    def forward(ctx, x, other, alpha=1):
        ctx.alpha, ctx.other_shape = alpha, np.shape(other)
        np.add(x, other if alpha == 1 else np.multiply(other, alpha), out=x, casting="same_kind")
        ctx.mark_dirty(x)
        return x

    @staticmethod
    def backward(ctx, grad):
        g_other = None
        if ctx.needs_input_grad[1]:
            g_other = unbroadcast(grad if ctx.alpha == 1 else grad * ctx.alpha, ctx.other_shape)
        return grad, g_other


class MulInPlace(Function):
    """x *= other: d/dx = grad * other, d/dother = grad * (x before the write)."""

    @staticmethod
    def forward(ctx, x, other):
        # the write destroys x, and other's gradient needs it: keep a copy only when asked
        old_x = x.copy() if ctx.needs_input_grad[1] else None
        np.multiply(x, other, out=x, casting="same_kind")
        ctx.save_for_backward(other, old_x)
        ctx.other_shape = np.shape(other)
        ctx.mark_dirty(x)
        return x

    @staticmethod
    def backward(ctx, grad):
        other, old_x = ctx.saved_tensors
        g_x = grad * other if ctx.needs_input_grad[0] else None
        g_other = unbroadcast(grad * old_x, ctx.other_shape) if old_x is not None else None
        return g_x, g_other


def zero_(x: Tensor) -> Tensor:
    check_in_place(x, "zero_")
    return Fill.apply(x, value=0)


def fill_(x: Tensor, value: Any) -> Tensor:
    check_in_place(x, "fill_")
    return Fill.apply(x, value=value)


def copy_(x: Tensor, src: Any) -> Tensor:
    check_in_place(x, "copy_")
    _check_broadcast("copy_", np.shape(src.data if isinstance(src, Tensor) else src), x.shape)
    return Copy.apply(x, src)


def add_(x: Tensor, other: Any, alpha: Any = 1) -> Tensor:
    check_in_place(x, "add_")
    _check_broadcast("add_", np.shape(other.data if isinstance(other, Tensor) else other), x.shape)
    return AddInPlace.apply(x, other, alpha=alpha)


def mul_(x: Tensor, other: Any) -> Tensor:
    check_in_place(x, "mul_")
    _check_broadcast("mul_", np.shape(other.data if isinstance(other, Tensor) else other), x.shape)
    return MulInPlace.apply(x, other)
