"""linear: y = x @ W^T + b as ONE graph node (the hot path of every training step).

Written as x @ W.T + b it would be three nodes (transpose, matmul, add) and three backward calls;
fused, backward is two BLAS matmuls and a column sum:

    x: (*, in)   W: (out, in)   b: (out,)   y: (*, out)
    dx = dy @ W            (*, out) @ (out, in)  -> (*, in)
    dW = dy^T @ x          summed over every leading (batch) dim -> (out, in)
    db = sum of dy over every leading dim                        -> (out,)
"""

from __future__ import annotations

from functools import partial

import numpy as np

from ..autograd import Function
from ..kernels import bind, launch
from ..kernels.linear import add_bias, sum_rows


class Linear(Function):
    """y = x @ weight^T + bias, with weight of shape (out_features, in_features) as in PyTorch."""

    @staticmethod
    def forward(ctx, x, weight, bias=None):
        out = np.matmul(x, weight.T)
        if bias is not None and out.size:  # the matmul result is fresh: add in place
            launch(add_bias, (out.reshape(-1, out.shape[-1]),), (bias,), out.size)
        nx, nw = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        # backward needs W for dx and x for dW; keep only what will be used (nothing, when only
        # the bias is trained: a frozen layer's weight and a data input)
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
                gb = np.empty(g2.shape[1], dtype=g2.dtype)
                _sum_rows(g2, gb)()
        return gx, gw, gb

    # ta.compile: the same BLAS calls, written into the recorded arrays (out= gives the bits
    # the allocating call gives: numpy runs the same gemm either way)
    @staticmethod
    def capture_forward(ctx, out, x, weight, bias=None):
        matmul = partial(np.matmul, x, weight.T, out)
        if bias is None or not out.size:
            return matmul
        return matmul, bind(add_bias, (out.reshape(-1, out.shape[-1]),), (bias,), out.size)

    @staticmethod
    def capture_backward(ctx, grad, grads):
        x, weight = ctx.saved_tensors
        gx, gw, gb = grads
        g2 = grad.reshape(-1, grad.shape[-1])
        calls = []
        if gx is not None:
            calls.append(partial(np.matmul, grad, weight, gx))
        if gw is not None:
            x2 = x.reshape(-1, x.shape[-1])
            if not np.shares_memory(x2, x):
                return None  # reshape copied x: backward must run again to copy it again
            calls.append(partial(np.matmul, g2.T, x2, gw))
        if gb is not None:
            calls.append(_sum_rows(g2, gb))
        if not np.shares_memory(g2, grad):
            return None
        return calls


def _sum_rows(g2: np.ndarray, out: np.ndarray):
    """The bias gradient g2.sum(axis=0) into `out`, as a function to call: the kernel where it
    gives numpy's bits (C-contiguous, a row at least, several columns), numpy elsewhere."""
    rows, cols = g2.shape
    if rows and cols > 1 and g2.flags.c_contiguous:
        return partial(sum_rows, g2, out)  # one thread: every row adds into the same out
    return partial(np.add.reduce, g2, 0, None, out)
