"""linear: y = x @ W^T + b as ONE graph node (the hot path of every training step).

Written as x @ W.T + b it would be three nodes (transpose, matmul, add) and three backward calls;
fused, backward is two BLAS matmuls and a column sum:

    x: (*, in)   W: (out, in)   b: (out,)   y: (*, out)
    dx = dy @ W            (*, out) @ (out, in)  -> (*, in)
    dW = dy^T @ x          summed over every leading (batch) dim -> (out, in)
    db = sum of dy over every leading dim                        -> (out,)
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function


class Linear(Function):
    """y = x @ weight^T + bias, with weight of shape (out_features, in_features) as in PyTorch."""

    @staticmethod
    def forward(ctx, x, weight, bias=None):
        out = np.matmul(x, weight.T)
        if bias is not None:
            out += bias  # the matmul result is fresh, so adding in place is safe
        nx, nw = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        # backward needs W for dx and x for dW; keep only what will be used
        if nx or nw:
            ctx.save_for_backward(x if nw else None, weight if nx else None)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        nx, nw, nb = ctx.needs_input_grad
        gx = np.matmul(grad, weight) if nx else None
        gw = gb = None
        if nw or nb:
            g2 = grad.reshape(-1, grad.shape[-1])  # fold leading dims into one batch dim
            if nw:
                gw = np.matmul(g2.T, x.reshape(-1, x.shape[-1]))
            if nb:
                gb = g2.sum(axis=0)
        return gx, gw, gb


def linear(input, weight, bias=None):  # noqa: A002 - PyTorch's name
    """F.linear: input @ weight^T + bias. input (*, in), weight (out, in), bias (out,) or None."""
    from ..tensor import Tensor

    for name, t in (("input", input), ("weight", weight), ("bias", bias)):
        if t is not None and not isinstance(t, Tensor):
            raise TypeError(f"linear: {name} must be a Tensor, got {type(t).__name__}")
    if input.ndim == 0 or weight.ndim != 2:
        raise ValueError(
            f"linear: needs input of shape (*, in_features) and weight (out_features, "
            f"in_features), got input {input.shape} and weight {weight.shape}"
        )
    if input.shape[-1] != weight.shape[1]:
        raise ValueError(
            f"linear: input has {input.shape[-1]} features (shape {input.shape}) but weight "
            f"{weight.shape} expects {weight.shape[1]}"
        )
    if input.dtype != weight.dtype:
        raise TypeError(
            f"linear: input is {input.dtype} but weight is {weight.dtype}; convert one "
            f"(x.float(), or build the layer with dtype={input.dtype})"
        )
    if bias is not None and bias.shape != (weight.shape[0],):
        raise ValueError(
            f"linear: bias has shape {bias.shape}, expected ({weight.shape[0]},) to match weight "
            f"{weight.shape}"
        )
    return Linear.apply(input, weight, bias)
