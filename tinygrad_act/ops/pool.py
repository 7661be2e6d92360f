"""1-D pooling Functions on (N, C, L): max (saves int64 argmax indices), average, adaptive average.

    max_pool1d:          y[n, c, j] = max_k x[n, c, j*s - p + k*d]       (padding is -inf)
                         dx: each dy[n, c, j] goes to the saved winning position
    avg_pool1d:          y[n, c, j] = sum_k x[n, c, j*s - p + k] / divisor (padding is 0)
                         dx: each dy[n, c, j] / divisor is spread over its window
    adaptive_avg_pool1d: windows [floor(j*L/O), ceil((j+1)*L/O)), then as avg_pool1d

Average pooling saves nothing but the input's shape; max pooling saves the indices (8 bytes per
output), never the input. Argument checks live in functional/conv.py.
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


class AvgPool1d(Function):
    """Mean over each window (padded zeros counted in the divisor when count_include_pad)."""

    @staticmethod
    def forward(ctx, x, *, kernel_size, stride, padding=0, count_include_pad=True):
        x = np.ascontiguousarray(x)
        n, c, length = x.shape
        l_out = pool1d_out_length(length, kernel_size, stride, padding, 1)
        out = np.empty((n, c, l_out), dtype=x.dtype)
        K.avg_pool1d_forward(x, out, kernel_size, stride, padding, count_include_pad)
        ctx.geometry = (x.shape, kernel_size, stride, padding, count_include_pad)
        return out

    @staticmethod
    def backward(ctx, grad):
        shape, kernel_size, stride, padding, count_include_pad = ctx.geometry
        gx = np.empty(shape, dtype=grad.dtype)
        K.avg_pool1d_backward(
            np.ascontiguousarray(grad), gx, kernel_size, stride, padding, count_include_pad
        )
        return gx


class AdaptiveAvgPool1d(Function):
    """Mean over output_size windows that together cover the whole length."""

    @staticmethod
    def forward(ctx, x, *, output_size):
        x = np.ascontiguousarray(x)
        n, c, _ = x.shape
        out = np.empty((n, c, output_size), dtype=x.dtype)
        K.adaptive_avg_pool1d_forward(x, out)
        ctx.shape = x.shape
        return out

    @staticmethod
    def backward(ctx, grad):
        gx = np.empty(ctx.shape, dtype=grad.dtype)
        K.adaptive_avg_pool1d_backward(np.ascontiguousarray(grad), gx)
        return gx
