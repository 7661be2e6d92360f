"""Parameter-update kernels for SGD and Adam/AdamW, on flat (contiguous 1-D) arrays, in place.

They reproduce PyTorch's CPU arithmetic: every hyperparameter is rounded to the parameter's dtype
first (as torch casts a Python scalar to float32), each op rounds to that dtype, and where torch's
vectorized kernels use a fused multiply-add (add with alpha, lerp, addcmul) we compute
a*b + c in float64 and round once, which is what an FMA does for float32 inputs. With this, SGD
matches torch bit for bit; Adam differs only where torch's MKL sqrt is 1 ulp off.
"""

from __future__ import annotations

import math

import numpy as np

from ._parallel import njit


@njit
def sgd_step(
    param, grad, buf, lr, momentum, dampening, weight_decay, nesterov, maximize, first_step
):
    """One SGD update (torch.optim.SGD), elementwise:

    g = -grad if maximize else grad;  g = g + weight_decay * p
    buf = g on the first step, else momentum * buf + (1 - dampening) * g
    g = g + momentum * buf (nesterov) or buf;  p = p - lr * g
    `buf` is ignored when momentum == 0.
    """
    T = param.dtype.type
    neg_lr, mom, damp1, wd = T(-lr), T(momentum), T(1.0 - dampening), T(weight_decay)
    for i in range(param.shape[0]):
        g = -grad[i] if maximize else grad[i]
        p = param[i]
        if weight_decay != 0.0:
            g = T(np.float64(p) * np.float64(wd) + np.float64(g))
        if momentum != 0.0:
            if first_step:
                b = g  # torch's rule: the first buffer is the gradient itself, no dampening
            else:
                b = T(np.float64(g) * np.float64(damp1) + np.float64(buf[i] * mom))
            buf[i] = b
            if nesterov:
                g = T(np.float64(b) * np.float64(mom) + np.float64(g))
            else:
                g = b
        param[i] = T(np.float64(g) * np.float64(neg_lr) + np.float64(p))


@njit
def adam_step(
    param,
    grad,
    exp_avg,
    exp_avg_sq,
    max_exp_avg_sq,
    lr,
    beta1,
    beta2,
    eps,
    weight_decay,
    decoupled,
    amsgrad,
    maximize,
    step_size,
    bias_correction2_sqrt,
):
    """One Adam / AdamW update (torch.optim.Adam), elementwise:

    AdamW: p = p * (1 - lr * weight_decay);   Adam: g = g + weight_decay * p
    m = lerp(m, g, 1 - beta1);  v = beta2 * v + (1 - beta2) * g^2   (v_max = max(v_max, v))
    p = p - step_size * m / (sqrt(v) / sqrt(1 - beta2^t) + eps),  step_size = lr / (1 - beta1^t)
    The bias corrections are computed by the caller in float64, as torch does.
    """
    T = param.dtype.type
    w1 = T(1.0 - beta1)
    b2 = T(beta2)
    c2 = T(1.0 - beta2)
    decay = T(1.0 - lr * weight_decay)
    wd = T(weight_decay)
    bc2 = T(bias_correction2_sqrt)
    e = T(eps)
    neg_step = T(-step_size)
    small = abs(1.0 - beta1) < 0.5
    for i in range(param.shape[0]):
        g = -grad[i] if maximize else grad[i]
        p = param[i]
        if weight_decay != 0.0:
            if decoupled:
                p = p * decay
            else:
                g = T(np.float64(p) * np.float64(wd) + np.float64(g))
        m = exp_avg[i]
        # torch's lerp: start + w (end - start) for w < 0.5, else end - (end - start)(1 - w)
        if small:
            m = T(np.float64(w1) * np.float64(g - m) + np.float64(m))
        else:
            m = T(np.float64(w1 - T(1.0)) * np.float64(g - m) + np.float64(g))
        exp_avg[i] = m
        v = exp_avg_sq[i] * b2
        v = T(np.float64(c2 * g) * np.float64(g) + np.float64(v))
        exp_avg_sq[i] = v
        if amsgrad:
            if v > max_exp_avg_sq[i]:
                max_exp_avg_sq[i] = v
            v = max_exp_avg_sq[i]
        denom = math.sqrt(v) / bc2 + e
        param[i] = p + (neg_step * m) / denom
