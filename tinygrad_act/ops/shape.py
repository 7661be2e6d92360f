"""Shape ops: reshape/view, permute/transpose, squeeze/unsqueeze, expand, cat, stack.

None of these computes anything: forward rearranges (numpy views where possible) and backward
rearranges the gradient back, except expand, whose backward sums the copies (unbroadcast).
Indexing, whose backward scatter-adds, is in indexing.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..autograd import Function
from ..tensor import Tensor
from ._util import normalize_dim, unbroadcast


class Reshape(Function):
    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        try:
            return x.reshape(shape)
        except ValueError:
            raise ValueError(
                f"reshape: cannot reshape a tensor of shape {x.shape} ({x.size} elements) into "
                f"{tuple(shape)}; the sizes must multiply to {x.size} (one dim may be -1)"
            ) from None

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.in_shape)


class Permute(Function):
    @staticmethod
    def forward(ctx, x, dims):
        n = x.ndim
        inverse = [-1] * n
        for i, d in enumerate(dims):
            if -n <= d < n and len(dims) == n:
                inverse[d % n] = i
        if -1 in inverse or len(dims) != n:
            raise ValueError(
                f"permute: dims {tuple(dims)} are not a permutation of the {n} dims of a "
                f"tensor of shape {x.shape}; list each dim in 0..{n - 1} exactly once"
            )
        ctx.inverse = inverse
        return x.transpose(dims)

    @staticmethod
    def backward(ctx, grad):
        return grad.transpose(ctx.inverse)


def transpose(x: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two dims."""
    d0 = normalize_dim("transpose", dim0, x.ndim, x.shape)
    d1 = normalize_dim("transpose", dim1, x.ndim, x.shape)
    dims = list(range(x.ndim))
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return Permute.apply(x, dims=tuple(dims))


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims start_dim..end_dim into one."""
    if x.ndim == 0:
        return x.reshape(1)
    s = normalize_dim("flatten", start_dim, x.ndim, x.shape)
    e = normalize_dim("flatten", end_dim, x.ndim, x.shape)
    if s > e:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    shape = x.shape[:s] + (int(np.prod(x.shape[s : e + 1])),) + x.shape[e + 1 :]
    return x.reshape(shape)


def squeeze(x: Tensor, dim: Any = None) -> Tensor:
    """Drop size-1 dims (all of them, or only `dim` if it has size 1, as PyTorch)."""
    if dim is None:
        return x.reshape(tuple(s for s in x.shape if s != 1))
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    dims = {normalize_dim("squeeze", d, x.ndim, x.shape) for d in dims}
    return x.reshape(tuple(s for i, s in enumerate(x.shape) if not (i in dims and s == 1)))


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    """Insert a size-1 dim at `dim` (negative counts from the end of the result)."""
    d = normalize_dim("unsqueeze", dim, x.ndim + 1, x.shape)
    return x.reshape(x.shape[:d] + (1,) + x.shape[d:])


class Expand(Function):
    """Broadcast to a larger shape without copying (-1 keeps a dim); backward sums the copies."""

    @staticmethod
    def forward(ctx, x, shape):
        lead = len(shape) - x.ndim
        if lead < 0:
            raise ValueError(
                f"expand: shape {tuple(shape)} has fewer dims than the tensor {x.shape}"
            )
        target = tuple(
            x.shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(shape)
        )
        ctx.in_shape = x.shape
        try:
            return np.broadcast_to(x, target)
        except ValueError:
            raise ValueError(
                f"expand: cannot expand shape {x.shape} to {tuple(shape)}; only size-1 dims "
                "can grow (use repeat-like cat for others)"
            ) from None

    @staticmethod
    def backward(ctx, grad):
        return unbroadcast(grad, ctx.in_shape)


class Cat(Function):
    @staticmethod
    def forward(ctx, *arrays, dim=0):
        ref = arrays[0]
        d = normalize_dim("cat", dim, ref.ndim, ref.shape)
        for a in arrays[1:]:
            if a.ndim != ref.ndim or any(
                s != t for i, (s, t) in enumerate(zip(a.shape, ref.shape)) if i != d
            ):
                raise ValueError(
                    f"cat: tensors must have the same shape except in dim {d}: got {ref.shape} "
                    f"and {a.shape}"
                )
        ctx.sizes, ctx.dim = [a.shape[d] for a in arrays], d
        return np.concatenate(arrays, axis=d)

    @staticmethod
    def backward(ctx, grad):
        return tuple(np.split(grad, np.cumsum(ctx.sizes)[:-1], axis=ctx.dim))


class Stack(Function):
    @staticmethod
    def forward(ctx, *arrays, dim=0):
        ref = arrays[0]
        for a in arrays[1:]:
            if a.shape != ref.shape:
                raise ValueError(
                    f"stack: all tensors must have the same shape: got {ref.shape} and {a.shape}"
                )
        d = normalize_dim("stack", dim, ref.ndim + 1, ref.shape)
        ctx.dim, ctx.n = d, len(arrays)
        return np.stack(arrays, axis=d)

    @staticmethod
    def backward(ctx, grad):
        return tuple(np.take(grad, i, axis=ctx.dim) for i in range(ctx.n))


def _tensors(op: str, tensors: Sequence) -> list:
    ts = list(tensors)
    if not ts:
        raise ValueError(f"{op}: expected a non-empty sequence of tensors")
    return [t if isinstance(t, Tensor) else Tensor(t) for t in ts]


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing dim."""
    return Cat.apply(*_tensors("cat", tensors), dim=dim)


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join same-shape tensors along a new dim."""
    return Stack.apply(*_tensors("stack", tensors), dim=dim)
