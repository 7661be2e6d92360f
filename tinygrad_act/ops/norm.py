"""batch_norm as ONE graph node over (N, C) or (N, C, L): statistics, normalisation, affine.

Forward (training): per-channel batch mean and biased variance normalise x; when running buffers
are given they are updated in place, with the UNBIASED variance as PyTorch does:
    running_mean = (1 - momentum) * running_mean + momentum * mean
    running_var  = (1 - momentum) * running_var  + momentum * var * M / (M - 1),   M = N*L
Forward (eval): the running buffers normalise x and are left alone.
Backward: one fused kernel (kernels/norm.py) gives dx, dweight and dbias together.
Saved: x itself (no copy), the per-channel mean and 1/std in float64, and the weight.
Argument checks and the momentum policy live in functional/conv.py and nn/norm.py.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..kernels import norm as K


def _as3d(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a if a.ndim == 3 else a.reshape(a.shape[0], a.shape[1], 1))


class BatchNorm(Function):
    """y = weight * (x - mean) / sqrt(var + eps) + bias, per channel (dim 1)."""

    @staticmethod
    def forward(
        ctx, x, weight=None, bias=None, *, running_mean, running_var, training, momentum, eps
    ):
        x3 = _as3d(x)
        n, c, length = x3.shape
        if training:
            mean = np.empty(c)
            var = np.empty(c)
            K.batch_norm_stats(x3, mean, var)
            if running_mean is not None:
                m = n * length
                running_mean *= 1 - momentum
                running_mean += momentum * mean
                running_var *= 1 - momentum
                running_var += momentum * var * (m / (m - 1))
        else:
            mean = running_mean.astype(np.float64)
            var = running_var.astype(np.float64)
        invstd = np.empty(c)
        K.inverse_std(var, eps, invstd)
        w = weight if weight is not None else np.ones(c, dtype=x.dtype)
        b = bias if bias is not None else np.zeros(c, dtype=x.dtype)
        out = np.empty_like(x3)
        K.batch_norm_forward(x3, mean, invstd, w, b, out)
        if any(ctx.needs_input_grad):
            ctx.save_for_backward(x3, mean, invstd, w)
            ctx.training = bool(training)
        return out.reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        x3, mean, invstd, w = ctx.saved_tensors
        nx, nw, nb = ctx.needs_input_grad[:3]
        g3 = _as3d(grad)
        gx = np.empty_like(x3)
        gw = np.empty_like(w)
        gb = np.empty_like(w)
        K.batch_norm_backward(g3, x3, mean, invstd, w, ctx.training, gx, gw, gb)
        return (gx.reshape(grad.shape) if nx else None, gw if nw else None, gb if nb else None)
