"""Loss kernels: fused log-softmax + NLL (cross entropy), NLL, and BCE-with-logits.

All sums run in float64. Rows are independent, so `launch` may split the leading axis; per-class
arrays (weight) come after the row arrays and are passed to `launch` as scalars (not split).

Cross entropy over C classes, for row i with target y, class weights w (ones when unweighted),
label smoothing eps, the row max m_i and log_s_i = log(sum_c exp(x[i, c] - m_i)) (so that
logsumexp(x_i) = m_i + log_s_i and no exp overflows):

    loss_i = (1 - eps) * w[y] * (lse_i - x[i, y])  +  (eps / C) * sum_c w[c] * (lse_i - x[i, c])
    dloss_i/dx[i, j] = (1 - eps) * w[y] * (p_ij - [j == y])  +  (eps / C) * (p_ij * sum(w) - w[j])

with p_i = softmax(x_i) = exp((x_i - m_i) - log_s_i). Every lse_i - x[i, c] is evaluated as
(m_i - x[i, c]) + log_s_i, and m_i and log_s_i are kept apart for backward: at logits of 1e16 the
sum m_i + log_s_i rounds to m_i, which would turn a loss of log 2 into 0.
A row whose target equals `ignore_index` contributes 0 with weight 0. A target outside [0, C) gets
loss NaN, which the op turns into a clear error.

`pairwise_sum` adds the per-sample losses the way numpy's `a.sum()` does (same bits), in one
call instead of numpy's ~1 us of set-up: a loss's forward sums twice every step.
"""

from __future__ import annotations

import math

import numpy as np

from ._parallel import njit


@njit
def cross_entropy_forward(
    x, target, losses, row_weight, row_max, log_sum, weight, ignore_index, smoothing
):
    """losses[i], row_weight[i] = w[y_i] (0 if ignored), row_max[i] = m_i, log_sum[i] = log_s_i."""
    n_cls = x.shape[1]
    for i in range(x.shape[0]):
        t = target[i]
        m = -math.inf
        for c in range(n_cls):
            if x[i, c] > m:
                m = x[i, c]
        s = 0.0
        for c in range(n_cls):
            s += math.exp(x[i, c] - m)
        ls = math.log(s)
        row_max[i] = m
        log_sum[i] = ls
        if t == ignore_index:
            losses[i] = 0.0
            row_weight[i] = 0.0
            continue
        if t < 0 or t >= n_cls:
            losses[i] = math.nan
            row_weight[i] = math.nan
            continue
        loss = (1.0 - smoothing) * weight[t] * ((m - x[i, t]) + ls)
        if smoothing != 0.0:
            acc = 0.0
            for c in range(n_cls):
                acc += weight[c] * ((m - x[i, c]) + ls)
            loss += smoothing / n_cls * acc
        losses[i] = loss
        row_weight[i] = weight[t]


@njit
def cross_entropy_backward(
    x, target, row_max, log_sum, scale, grad_in, weight, ignore_index, smoothing
):
    """grad_in[i, j] = scale[i] * dloss_i/dx[i, j] (formula in the module docstring)."""
    n_cls = x.shape[1]
    w_sum = 0.0
    for c in range(n_cls):
        w_sum += weight[c]
    k = smoothing / n_cls
    for i in range(x.shape[0]):
        t = target[i]
        if t == ignore_index:
            for c in range(n_cls):
                grad_in[i, c] = 0.0
            continue
        g = scale[i]
        a = g * (1.0 - smoothing) * weight[t]
        m = row_max[i]
        ls = log_sum[i]
        for c in range(n_cls):
            p = math.exp((x[i, c] - m) - ls)
            grad_in[i, c] = a * p + g * k * (p * w_sum - weight[c])
        grad_in[i, t] -= a


@njit
def nll_forward(x, target, losses, row_weight, weight, ignore_index):
    """losses[i] = -w[y_i] * x[i, y_i]; row_weight[i] = w[y_i]; NaN marks an invalid target."""
    n_cls = x.shape[1]
    for i in range(x.shape[0]):
        t = target[i]
        if t == ignore_index:
            losses[i] = 0.0
            row_weight[i] = 0.0
        elif t < 0 or t >= n_cls:
            losses[i] = math.nan
            row_weight[i] = math.nan
        else:
            losses[i] = -weight[t] * x[i, t]
            row_weight[i] = weight[t]


@njit
def nll_backward(target, scale, grad_in, weight, ignore_index):
    """grad_in[i, y_i] = -scale[i] * w[y_i]; every other entry 0."""
    for i in range(grad_in.shape[0]):
        for c in range(grad_in.shape[1]):
            grad_in[i, c] = 0.0
        t = target[i]
        if t != ignore_index:
            grad_in[i, t] = -scale[i] * weight[t]


@njit
def bce_with_logits_forward(x, y, pos_weight, out):
    """out = (1 - y) * x + (1 + (pw - 1) * y) * softplus(-x), flat arrays.

    softplus(-x) = log1p(exp(-|x|)) + max(-x, 0) never overflows. pos_weight has the size of x,
    or size 1 (broadcast).
    """
    one_pw = pos_weight.shape[0] == 1
    for i in range(x.shape[0]):
        pw = pos_weight[0] if one_pw else pos_weight[i]
        xi = x[i]
        sp = math.log1p(math.exp(-abs(xi))) + max(-xi, 0.0)
        out[i] = (1.0 - y[i]) * xi + (1.0 + (pw - 1.0) * y[i]) * sp


@njit
def bce_with_logits_backward(x, y, pos_weight, grad_out, grad_x, grad_y):
    """d/dx = sigmoid(x) * (1 + (pw - 1) * y) - pw * y;  d/dy = -x + (pw - 1) * softplus(-x)."""
    one_pw = pos_weight.shape[0] == 1
    one_g = grad_out.shape[0] == 1
    for i in range(x.shape[0]):
        pw = pos_weight[0] if one_pw else pos_weight[i]
        g = grad_out[0] if one_g else grad_out[i]
        xi = x[i]
        if xi >= 0:
            sig = 1.0 / (1.0 + math.exp(-xi))
        else:
            e = math.exp(xi)
            sig = e / (1.0 + e)
        grad_x[i] = g * (sig * (1.0 + (pw - 1.0) * y[i]) - pw * y[i])
        sp = math.log1p(math.exp(-abs(xi))) + max(-xi, 0.0)
        grad_y[i] = g * (-xi + (pw - 1.0) * sp)


@njit
def pairwise_sum(a):
    """a.sum() of a contiguous 1-D float64 array, bit for bit as numpy computes it
    (umath/loops_utils.h): blocks of up to 128 values (`_block`); a longer range is split in
    two at a multiple of 8 and the halves' sums are added. The recursion runs on an explicit
    stack (Numba's cache does not hold recursive functions)."""
    n = a.shape[0]
    if n <= 128:
        return _block(a, 0, n)
    los = np.empty(128, np.int64)  # ranges still to sum: start, length, how far along
    lens = np.empty(128, np.int64)
    phase = np.empty(128, np.int64)
    sums = np.empty(128)  # sums of finished ranges, innermost last
    los[0], lens[0], phase[0] = 0, n, 0
    top, done = 1, 0
    while top:
        lo, m = los[top - 1], lens[top - 1]
        if m <= 128:
            sums[done] = _block(a, lo, m)
            done += 1
            top -= 1
            continue
        half = m // 2 - (m // 2) % 8
        if phase[top - 1] == 2:  # both halves summed: add them
            sums[done - 2] = sums[done - 2] + sums[done - 1]
            done -= 1
            top -= 1
            continue
        first = phase[top - 1] == 0
        phase[top - 1] += 1
        los[top] = lo if first else lo + half
        lens[top] = half if first else m - half
        phase[top] = 0
        top += 1
    return sums[0]


@njit
def _block(a, lo, n):
    """Below 8 values a plain loop; up to 128, eight running sums combined as
    ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)), then the remainder."""
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    r = a[lo : lo + 8].copy()
    i = 8
    while i < n - n % 8:
        for k in range(8):
            r[k] += a[lo + i + k]
        i += 8
    res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    while i < n:
        res += a[lo + i]
        i += 1
    return res
