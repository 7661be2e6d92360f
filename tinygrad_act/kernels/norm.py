"""BatchNorm kernels on (N, C, L) arrays (an (N, C) input is viewed as L = 1), per channel c.

Training, with M = N*L values per channel:
    mean = sum(x) / M,   var = sum((x - mean)^2) / M     (biased: what normalises the batch)
    xhat = (x - mean) * invstd,   invstd = 1 / sqrt(var + eps),   y = w * xhat + b
Eval uses the running mean and variance in place of the batch's.

The backward is ONE fused pass per channel (two reductions, then one elementwise sweep):
    db = sum(dy),   dw = sum(dy * xhat)
    training: dx = w * invstd * (dy - db/M - xhat * dw/M)   (mean and var depend on x too)
    eval:     dx = w * invstd * dy                           (running stats are constants)
Sums accumulate in float64 and the variance is two-pass (sum of squared deviations, never
E[x^2] - E[x]^2, which cancels catastrophically when |mean| >> std).
"""

from __future__ import annotations

import math

from ._parallel import njit


@njit
def batch_norm_stats(x, mean, var):
    """mean[c], var[c] = the batch mean and biased variance of x[:, c, :]."""
    n_batch, channels, length = x.shape
    m = n_batch * length
    for c in range(channels):
        s = 0.0
        for n in range(n_batch):
            for i in range(length):
                s += x[n, c, i]
        mu = s / m
        q = 0.0
        for n in range(n_batch):
            for i in range(length):
                d = x[n, c, i] - mu
                q += d * d
        mean[c] = mu
        var[c] = q / m


@njit
def batch_norm_forward(x, mean, invstd, weight, bias, out):
    """out[n, c, i] = (x[n, c, i] - mean[c]) * invstd[c] * weight[c] + bias[c]."""
    n_batch, channels, length = x.shape
    for n in range(n_batch):
        for c in range(channels):
            scale = invstd[c] * weight[c]
            shift = bias[c] - mean[c] * scale
            for i in range(length):
                out[n, c, i] = x[n, c, i] * scale + shift


@njit
def batch_norm_backward(
    grad_out, x, mean, invstd, weight, training, grad_in, grad_weight, grad_bias
):
    """The fused backward of the module docstring; writes grad_in, grad_weight, grad_bias."""
    n_batch, channels, length = x.shape
    m = n_batch * length
    for c in range(channels):
        mu = mean[c]
        inv = invstd[c]
        sum_dy = 0.0
        sum_dy_xhat = 0.0
        for n in range(n_batch):
            for i in range(length):
                g = grad_out[n, c, i]
                sum_dy += g
                sum_dy_xhat += g * (x[n, c, i] - mu)
        sum_dy_xhat *= inv
        grad_bias[c] = sum_dy
        grad_weight[c] = sum_dy_xhat
        scale = weight[c] * inv
        if training:
            mean_dy = sum_dy / m
            mean_dy_xhat = sum_dy_xhat / m
            for n in range(n_batch):
                for i in range(length):
                    xhat = (x[n, c, i] - mu) * inv
                    grad_in[n, c, i] = scale * (grad_out[n, c, i] - mean_dy - xhat * mean_dy_xhat)
        else:
            for n in range(n_batch):
                for i in range(length):
                    grad_in[n, c, i] = scale * grad_out[n, c, i]


@njit
def inverse_std(var, eps, invstd):
    """invstd[c] = 1 / sqrt(var[c] + eps)."""
    for c in range(var.shape[0]):
        invstd[c] = 1.0 / math.sqrt(var[c] + eps)
