"""1-D pooling kernels on (N, C, L) arrays: max, average and adaptive average, forward and backward.

Window j of a pool with kernel K, stride s, padding p, dilation d reads input positions
    i = j*s - p + k*d,   k = 0 .. K-1          (positions outside [0, L) are padding)
Max pooling pads with -inf (a padded position never wins) and saves the winning position of each
window as an int64 index into L, as PyTorch does; its backward routes each gradient to that one
position (ties go to the first maximum; a NaN wins, so NaN propagates like PyTorch's kernel).
Average pooling pads with zeros; `count_include_pad` decides whether the padded positions count
in the divisor.
Adaptive average pooling picks windows so that O outputs cover L inputs:
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
def avg_pool1d_forward(x, out, ksize, stride, padding, count_include_pad):
    """out[n, c, j] = (sum of the window's real positions) / divisor (module docstring)."""
    n_batch, channels, length = x.shape
    l_out = out.shape[2]
    for j in range(l_out):
        start = j * stride - padding
        lo = max(start, 0)
        hi = min(start + ksize, length)
        inv = 1.0 / (ksize if count_include_pad else hi - lo)
        for n in range(n_batch):
            for c in range(channels):
                s = 0.0
                for i in range(lo, hi):
                    s += x[n, c, i]
                out[n, c, j] = s * inv


@njit
def avg_pool1d_backward(grad_out, grad_in, ksize, stride, padding, count_include_pad):
    """grad_in[n, c, i] = sum over the windows j that read i of grad_out[n, c, j] / divisor_j."""
    n_batch, channels, length = grad_in.shape
    l_out = grad_out.shape[2]
    for n in range(n_batch):
        for c in range(channels):
            for i in range(length):
                grad_in[n, c, i] = 0.0
    for j in range(l_out):
        start = j * stride - padding
        lo = max(start, 0)
        hi = min(start + ksize, length)
        inv = 1.0 / (ksize if count_include_pad else hi - lo)
        for n in range(n_batch):
            for c in range(channels):
                g = grad_out[n, c, j] * inv
                for i in range(lo, hi):
                    grad_in[n, c, i] += g


@njit
def adaptive_avg_pool1d_forward(x, out):
    """out[n, c, j] = mean of x[n, c, floor(j*L/O) : ceil((j+1)*L/O)]."""
    n_batch, channels, length = x.shape
    l_out = out.shape[2]
    for j in range(l_out):
        lo = (j * length) // l_out
        hi = -((-(j + 1) * length) // l_out)  # ceil division in integers: no float rounding
        inv = 1.0 / (hi - lo)
        for n in range(n_batch):
            for c in range(channels):
                s = 0.0
                for i in range(lo, hi):
                    s += x[n, c, i]
                out[n, c, j] = s * inv


@njit
def adaptive_avg_pool1d_backward(grad_out, grad_in):
    """grad_in[n, c, i] = sum over the windows j containing i of grad_out[n, c, j] / len_j."""
    n_batch, channels, length = grad_in.shape
    l_out = grad_out.shape[2]
    for n in range(n_batch):
        for c in range(channels):
            for i in range(length):
                grad_in[n, c, i] = 0.0
    for j in range(l_out):
        lo = (j * length) // l_out
        hi = -((-(j + 1) * length) // l_out)
        inv = 1.0 / (hi - lo)
        for n in range(n_batch):
            for c in range(channels):
                g = grad_out[n, c, j] * inv
                for i in range(lo, hi):
                    grad_in[n, c, i] += g
