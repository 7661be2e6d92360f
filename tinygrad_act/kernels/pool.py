"""1-D pooling kernels on (N, C, L) arrays: max, average and adaptive average, forward and backward.

Window j of a pool with kernel K, stride s, padding p, dilation d reads input positions
    i = j*s - p + k*d,   k = 0 .. K-1          (positions outside [0, L) are padding)
Max pooling pads with -inf (a padded position never wins) and saves the winning position of each
window as an int64 index into L, as PyTorch does; its backward routes each gradient to that one
position (ties go to the first maximum; a NaN wins, so NaN propagates like PyTorch's kernel).
Average and adaptive average pooling are one kernel pair over windows [lo[j], hi[j]) with a
divisor 1/inv[j] per window, computed in ops/pool.py: average pooling pads with zeros (the window
is clipped to [0, L), and `count_include_pad` decides whether the padding counts in the divisor);
adaptive pooling picks windows so that O outputs cover L inputs:
    start = floor(j*L/O),  end = ceil((j+1)*L/O)   (PyTorch's formula; windows may overlap)
"""

from __future__ import annotations

import math

from ._parallel import njit


@njit
def max_pool1d_forward(x, out, indices, ksize, stride, padding, dilation):
    """out[n, c, j] = max over the window of x[n, c, :]; indices[n, c, j] = where it was."""
    n_batch, channels, length = x.shape
    l_out = out.shape[2]
    for n in range(n_batch):
        for c in range(channels):
            for j in range(l_out):
                start = j * stride - padding
                best = -math.inf
                arg = -1
                for k in range(ksize):
                    i = start + k * dilation
                    if 0 <= i < length:
                        v = x[n, c, i]
                        if arg < 0:  # the first real position: the answer if all are -inf
                            arg = i
                        if v > best or math.isnan(v):
                            best = v
                            arg = i
                out[n, c, j] = best
                indices[n, c, j] = arg


@njit
def max_pool1d_backward(grad_out, indices, grad_in):
    """grad_in[n, c, indices[n, c, j]] += grad_out[n, c, j]; every other position gets 0."""
    n_batch, channels, length = grad_in.shape
    l_out = grad_out.shape[2]
    for n in range(n_batch):
        for c in range(channels):
            for i in range(length):
                grad_in[n, c, i] = 0.0
            for j in range(l_out):
                grad_in[n, c, indices[n, c, j]] += grad_out[n, c, j]


@njit
def window_mean_forward(x, out, lo, hi, inv):
    """out[n, c, j] = inv[j] * sum of x[n, c, lo[j]:hi[j]] (average and adaptive pooling)."""
    n_batch, channels, _ = x.shape
    for j in range(out.shape[2]):
        for n in range(n_batch):
            for c in range(channels):
                s = 0.0
                for i in range(lo[j], hi[j]):
                    s += x[n, c, i]
                out[n, c, j] = s * inv[j]


@njit
def window_mean_backward(grad_out, grad_in, lo, hi, inv):
    """grad_in[n, c, i] = sum over the windows j containing i of inv[j] * grad_out[n, c, j]."""
    n_batch, channels, length = grad_in.shape
    for n in range(n_batch):
        for c in range(channels):
            for i in range(length):
                grad_in[n, c, i] = 0.0
    for j in range(grad_out.shape[2]):
        for n in range(n_batch):
            for c in range(channels):
                g = grad_out[n, c, j] * inv[j]
                for i in range(lo[j], hi[j]):
                    grad_in[n, c, i] += g
