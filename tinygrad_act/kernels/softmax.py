"""Row-wise softmax and log-softmax kernels on (rows, n) C-contiguous arrays.

Each row is shifted by its max before exp, so exp never overflows; sums accumulate in float64.
A row of all -inf gives NaN, as in PyTorch (there is no distribution to normalize).
log_softmax is (x - m) - log(s), never x - (m + log(s)): at logits of 1e16, m + log(2) rounds to
m and the second form loses log(2) entirely (two tied classes would get log-probability 0).
"""

from __future__ import annotations

import math

from ._parallel import njit


@njit
def _row_max(x, r):
    """max of row r, ignoring NaN (a NaN then spreads through the sum of exps)."""
    m = -math.inf
    for j in range(x.shape[1]):
        if x[r, j] > m:
            m = x[r, j]
    return m


@njit
def log_softmax_forward(x, out):
    """out[r] = (x[r] - m) - log(sum(exp(x[r] - m))), m = max(x[r]) (see the module docstring)."""
    for r in range(x.shape[0]):
        m = _row_max(x, r)
        s = 0.0
        for j in range(x.shape[1]):
            s += math.exp(x[r, j] - m)
        log_s = math.log(s)
        for j in range(x.shape[1]):
            out[r, j] = (x[r, j] - m) - log_s


@njit
def log_softmax_backward(grad_out, out, grad_in):
    """grad_in[r] = g[r] - softmax[r] * sum(g[r]), with softmax = exp(out)."""
    for r in range(out.shape[0]):
        s = 0.0
        for j in range(out.shape[1]):
            s += grad_out[r, j]
        for j in range(out.shape[1]):
            grad_in[r, j] = grad_out[r, j] - math.exp(out[r, j]) * s


@njit
def softmax_forward(x, out):
    """out[r] = exp(x[r] - m) / sum(exp(x[r] - m))."""
    for r in range(x.shape[0]):
        m = _row_max(x, r)
        s = 0.0
        for j in range(x.shape[1]):
            e = math.exp(x[r, j] - m)
            out[r, j] = e
            s += e
        inv = 1.0 / s
        for j in range(x.shape[1]):
            out[r, j] = out[r, j] * inv


@njit
def softmax_backward(grad_out, out, grad_in):
    """grad_in[r] = y[r] * (g[r] - sum(g[r] * y[r])), y = softmax output."""
    for r in range(out.shape[0]):
        s = 0.0
        for j in range(out.shape[1]):
            s += grad_out[r, j] * out[r, j]
        for j in range(out.shape[1]):
            grad_in[r, j] = out[r, j] * (grad_out[r, j] - s)
