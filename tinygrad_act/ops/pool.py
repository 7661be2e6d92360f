"""1-D pooling Functions on (N, C, L): max (saves int64 argmax indices), average, adaptive average.

    max_pool1d:          y[n, c, j] = max_k x[n, c, j*s - p + k*d]       (padding is -inf)
                         dx: each dy[n, c, j] goes to the saved winning position
    avg_pool1d:          y[n, c, j] = sum_k x[n, c, j*s - p + k] / divisor (padding is 0)
                         dx: each dy[n, c, j] / divisor is spread over its window
    adaptive_avg_pool1d: windows [floor(j*L/O), ceil((j+1)*L/O)), then as avg_pool1d

Both averages are one Function over explicit windows (lo, hi, 1/divisor), built by avg_windows
and adaptive_windows; they save nothing but the input's shape and the windows. Max pooling saves
the indices (8 bytes per output), never the input. Argument checks live in functional/conv.py.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..kernels import pool as K


def pool1d_out_length(length: int, ksize: int, stride: int, padding: int, dilation: int) -> int:
    """PyTorch's output length with ceil_mode=False."""
    return (length + 2 * padding - dilation * (ksize - 1) - 1) // stride + 1


class MaxPool1d(Function):
    """Max over each window; the gradient flows only to the window's (first) maximum."""

    @staticmethod
    def forward(ctx, x, *, kernel_size, stride, padding=0, dilation=1):
        x = np.ascontiguousarray(x)
        n, c, length = x.shape
        l_out = pool1d_out_length(length, kernel_size, stride, padding, dilation)
        out = np.empty((n, c, l_out), dtype=x.dtype)
        indices = np.empty((n, c, l_out), dtype=np.int64)
        K.max_pool1d_forward(x, out, indices, kernel_size, stride, padding, dilation)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(indices)
            ctx.length = length
        return out

    @staticmethod
    def backward(ctx, grad):
        (indices,) = ctx.saved_tensors
        n, c, _ = indices.shape
        gx = np.empty((n, c, ctx.length), dtype=grad.dtype)
        K.max_pool1d_backward(np.ascontiguousarray(grad), indices, gx)
        return gx


def avg_windows(length, kernel_size, stride, padding, count_include_pad):
    """(lo, hi, inv) of avg_pool1d's windows, clipped to [0, length) (see kernels/pool.py)."""
    l_out = pool1d_out_length(length, kernel_size, stride, padding, 1)
    start = np.arange(l_out, dtype=np.int64) * stride - padding
    lo, hi = np.maximum(start, 0), np.minimum(start + kernel_size, length)
    divisor = np.full(l_out, kernel_size) if count_include_pad else hi - lo
    return lo, hi, 1.0 / divisor


def adaptive_windows(length, output_size):
    """(lo, hi, inv) of adaptive_avg_pool1d: floor(j*L/O) to ceil((j+1)*L/O), in integers."""
    j = np.arange(output_size, dtype=np.int64)
    lo, hi = (j * length) // output_size, -((-(j + 1) * length) // output_size)
    return lo, hi, 1.0 / (hi - lo)


class _WindowMean(Function):
    """Mean over windows [lo[j], hi[j]) of L, with per-window divisors; saves only the windows."""

    @staticmethod
    def forward(ctx, x, *, windows):
        x = np.ascontiguousarray(x)
        lo, hi, inv = windows
        out = np.empty(x.shape[:2] + (lo.size,), dtype=x.dtype)
        K.window_mean_forward(x, out, lo, hi, inv)
        ctx.shape, ctx.windows = x.shape, windows
        return out

    @staticmethod
    def backward(ctx, grad):
        gx = np.empty(ctx.shape, dtype=grad.dtype)
        K.window_mean_backward(np.ascontiguousarray(grad), gx, *ctx.windows)
        return gx


class AvgPool1d(_WindowMean):
    """Mean over sliding windows (padded zeros counted in the divisor when count_include_pad)."""


class AdaptiveAvgPool1d(_WindowMean):
    """Mean over output_size windows that together cover the whole length."""
