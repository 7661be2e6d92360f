"""Parameter-update kernels for SGD and Adam/AdamW, on flat (contiguous 1-D) arrays, in place.

They reproduce PyTorch's CPU arithmetic: every hyperparameter is rounded to the parameter's dtype
first (as torch casts a Python scalar to float32), each op rounds to that dtype, and where torch's
vectorized kernels use a fused multiply-add (add with alpha, lerp, addcmul) we compute
a*b + c in float64 and round once, which is what an FMA does for float32 inputs. With this, SGD
matches torch bit for bit; Adam differs only where torch's MKL sqrt is 1 ulp off.

`any_non_finite8` is the check train.fit runs on the gradients before an update (NaN or inf).
"""

from __future__ import annotations

import math

import numpy as np

from ._parallel import njit


@njit
def _fma(a, b, c):
    """a * b + c rounded once to float32 (exact product in float64), like a hardware FMA."""
    return np.float64(a) * np.float64(b) + np.float64(c)


@njit
def sgd_step(param, grad, buf, lr, momentum, dampening, weight_decay, nesterov, sign, first_step):
    """One SGD update (torch.optim.SGD), elementwise, with g = sign * grad (sign -1: maximize):

    g = g + weight_decay * p
    buf = g on the first step, else momentum * buf + (1 - dampening) * g
    g = g + momentum * buf (nesterov) or buf;  p = p - lr * g
    `buf` is ignored when momentum == 0. The common settings get loops of their own; in the
    general loop the options become coefficients (weight_decay 0 adds exactly 0; a first step
    uses momentum 0 and dampening 0 on a zero buffer), so that no loop branches and LLVM
    vectorizes each one.
    """
    T = param.dtype.type
    neg_lr, wd, sg = T(-lr), T(weight_decay), T(sign)
    plain = weight_decay == 0.0 and sign == 1.0
    if momentum == 0.0:
        if plain:
            for i in range(param.shape[0]):
                param[i] = T(_fma(grad[i], neg_lr, param[i]))
            return
        for i in range(param.shape[0]):
            p = param[i]
            g = T(_fma(p, wd, grad[i] * sg))
            param[i] = T(_fma(g, neg_lr, p))
        return
    mom = T(momentum)
    keep = T(0.0) if first_step else mom  # torch's rule: the first buffer is the gradient itself
    if plain and dampening == 0.0 and not nesterov:
        for i in range(param.shape[0]):
            b = grad[i] + buf[i] * keep  # fma(g, 1, x) is the correctly rounded g + x
            buf[i] = b
            param[i] = T(_fma(b, neg_lr, param[i]))
        return
    damp1 = T(1.0) if first_step else T(1.0 - dampening)
    for i in range(param.shape[0]):
        p = param[i]
        g = T(_fma(p, wd, grad[i] * sg))
        b = T(_fma(g, damp1, buf[i] * keep))
        buf[i] = b
        gn = T(_fma(b, mom, g))
        g = gn if nesterov else b
        param[i] = T(_fma(g, neg_lr, p))


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
    sign,
    step_size,
    bias_correction2_sqrt,
):
    """One Adam / AdamW update (torch.optim.Adam), elementwise, with g = sign * grad:

    AdamW: p = p * (1 - lr * weight_decay);   Adam: g = g + weight_decay * p
    m = lerp(m, g, 1 - beta1);  v = beta2 * v + (1 - beta2) * g^2   (v_max = max(v_max, v))
    p = p - step_size * m / (sqrt(v) / sqrt(1 - beta2^t) + eps),  step_size = lr / (1 - beta1^t)
    The bias corrections are computed by the caller in float64, as torch does. As in sgd_step,
    the options become coefficients (multiplying by exactly 1, adding exactly 0) so the loop
    vectorizes.
    """
    T = param.dtype.type
    sg = T(sign)
    decay = T(1.0 - lr * weight_decay) if decoupled else T(1.0)
    wd = T(0.0) if decoupled else T(weight_decay)
    w1 = T(1.0 - beta1)
    # torch's lerp: start + w (end - start) for w < 0.5, else end - (end - start)(1 - w)
    small = abs(1.0 - beta1) < 0.5
    coef = w1 if small else w1 - T(1.0)
    b2, c2 = T(beta2), T(1.0 - beta2)
    bc2, e, neg_step = T(bias_correction2_sqrt), T(eps), T(-step_size)
    if small and weight_decay == 0.0 and sign == 1.0 and not amsgrad:  # the usual case
        for i in range(param.shape[0]):
            g = grad[i]
            m = exp_avg[i]
            m = T(_fma(w1, g - m, m))
            exp_avg[i] = m
            v = T(_fma(c2 * g, g, exp_avg_sq[i] * b2))
            exp_avg_sq[i] = v
            param[i] = param[i] + (neg_step * m) / (math.sqrt(v) / bc2 + e)
        return
    for i in range(param.shape[0]):
        p = param[i] * decay
        g = T(_fma(p, wd, grad[i] * sg))
        m = exp_avg[i]
        m = T(_fma(coef, g - m, m if small else g))
        exp_avg[i] = m
        v = T(_fma(c2 * g, g, exp_avg_sq[i] * b2))
        exp_avg_sq[i] = v
        if amsgrad:
            v = max(max_exp_avg_sq[i], v)
            max_exp_avg_sq[i] = v
        param[i] = p + (neg_step * m) / (math.sqrt(v) / bc2 + e)


@njit(fastmath={"reassoc"})
def _has_non_finite(a):
    """True if the flat array holds a NaN or an inf: x * 0 is 0 for every finite x and NaN
    otherwise, and NaN survives any sum. 'reassoc' (and no other fast-math flag: NaN and inf keep
    their meaning) lets LLVM vectorize the sum, so this runs at memory speed."""
    acc = a.dtype.type(0)
    for i in range(a.shape[0]):
        acc += a[i] * a.dtype.type(0)
    return acc != 0


@njit
def any_non_finite8(a0, a1, a2, a3, a4, a5, a6, a7):
    """True if any of 8 flat float arrays holds a NaN or an inf (pad with empty arrays).

    One call checks 8 gradients: a training step pays one dispatch instead of one per parameter.
    """
    return (
        _has_non_finite(a0)
        or _has_non_finite(a1)
        or _has_non_finite(a2)
        or _has_non_finite(a3)
        or _has_non_finite(a4)
        or _has_non_finite(a5)
        or _has_non_finite(a6)
        or _has_non_finite(a7)
    )
