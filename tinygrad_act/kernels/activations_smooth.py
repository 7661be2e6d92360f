"""Forward and backward kernels of the smooth activations: elu/celu/selu, softplus, sigmoid, tanh,
silu, mish, gelu.

Same rules as kernels/activations.py: top-level cached kernels over 1-D contiguous float32/float64
arrays, outputs passed in, parameters cast to the array's dtype. Transcendentals come from
`_fastmath` (vectorizable float32 versions, libm for float64).

Infinities give the limits with finite gradients, even where PyTorch's formula evaluates inf*0
and returns NaN (silu(-inf) = -0, gelu(-inf) = -0, mish(-inf) = -0; their gradients are 1 at
+inf and 0 at -inf). Nothing overflows: sigmoid is built from exp(-|x|) <= 1, softplus as
max(z, 0) + log1p(exp(-|z|)), and mish's exp is clamped where tanh(softplus) is already 1.
"""

from __future__ import annotations

from . import _fastmath as fm
from .activations import kernel


@kernel
def elu_forward(x, out, alpha, scale, input_scale):
    """out = scale*x if x > 0 else scale*alpha*expm1(input_scale*x).

    elu: (alpha, 1, 1); celu: (alpha, 1, 1/alpha); selu: (1.6733, 1.0507, 1), as in PyTorch.
    """
    T = x.dtype.type
    zero = T(0)
    neg = T(alpha) * T(scale)  # PyTorch rounds each factor to the dtype first
    pos = T(scale)
    inp = T(input_scale)
    for i in range(x.shape[0]):
        v = x[i]
        out[i] = v * pos if v > zero else fm.expm1(v * inp) * neg


@kernel
def elu_backward(grad_out, x, grad_in, alpha, scale, input_scale):
    """d/dx = input_scale*scale*alpha*exp(input_scale*x) if x <= 0 else scale.

    At x = 0 the negative branch: elu -> alpha, celu -> 1, selu -> scale*alpha. NaN fails
    x <= 0 and gets `scale`, as in PyTorch's scalar kernel (its vector loop gives NaN).
    """
    T = x.dtype.type
    zero = T(0)
    neg = T(alpha) * T(scale)
    pos = T(scale)
    inp = T(input_scale)
    for i in range(x.shape[0]):
        v = x[i]
        g = grad_out[i]
        grad_in[i] = g * inp * neg * fm.exp(v * inp) if v <= zero else g * pos


@kernel
def softplus_forward(x, out, beta, threshold):
    """out = log(1 + exp(beta*x)) / beta, or x where beta*x > threshold (PyTorch's switch to
    linear). log(1 + exp(z)) is computed as max(z, 0) + log1p(exp(-|z|)), which never overflows.
    """
    T = x.dtype.type
    b = T(beta)
    th = T(threshold)
    for i in range(x.shape[0]):
        v = x[i]
        z = v * b
        out[i] = v if z > th else fm.log1p_exp(z) / b


@kernel
def softplus_backward(grad_out, x, grad_in, beta, threshold):
    """d/dx = sigmoid(beta*x) = e / (e + 1), e = exp(beta*x); 1 where beta*x > threshold."""
    T = x.dtype.type
    one, cap = T(1), T(80)
    b = T(beta)
    th = T(threshold)
    for i in range(x.shape[0]):
        z = x[i] * b
        g = grad_out[i]
        e = fm.exp(cap if z > cap else z)  # PyTorch's e/(e+1); the cap only avoids inf/inf
        grad_in[i] = g if z > th else g * e / (e + one)


@kernel
def sigmoid_forward(x, out):
    """out = 1 / (1 + exp(-x)), from exp(-|x|) so it never overflows."""
    for i in range(x.shape[0]):
        out[i] = fm.sigmoid(x[i])


@kernel
def sigmoid_backward(grad_out, out, grad_in):
    """d/dx = y * (1 - y), from the saved output y (PyTorch's order: g * (1 - y) * y)."""
    one = out.dtype.type(1)
    for i in range(out.shape[0]):
        y = out[i]
        grad_in[i] = grad_out[i] * (one - y) * y


@kernel
def tanh_forward(x, out):
    """out = tanh(x)."""
    for i in range(x.shape[0]):
        out[i] = fm.tanh(x[i])


@kernel
def tanh_backward(grad_out, out, grad_in):
    """d/dx = 1 - y^2, from the saved output y."""
    one = out.dtype.type(1)
    for i in range(out.shape[0]):
        y = out[i]
        grad_in[i] = grad_out[i] * (one - y * y)


@kernel
def silu_forward(x, out):
    """out = x * sigmoid(x); -0 at -inf."""
    T = x.dtype.type
    zero, ninf = T(0), T(-float("inf"))
    for i in range(x.shape[0]):
        v = x[i]
        y = v * fm.sigmoid(v)
        out[i] = -zero if v == ninf else y


@kernel
def silu_backward(grad_out, x, grad_in):
    """d/dx = s * (1 + x * (1 - s)), s = sigmoid(x); 1 at +inf, 0 at -inf."""
    T = x.dtype.type
    zero, one, inf = T(0), T(1), T(float("inf"))
    for i in range(x.shape[0]):
        v = x[i]
        g = grad_out[i]
        s = fm.sigmoid(v)
        d = g * s * (one + v * (one - s))
        d = g if v == inf else d
        grad_in[i] = g * zero if v == -inf else d


@kernel
def mish_forward(x, out):
    """out = x * tanh(softplus(x)). With e = exp(x), tanh(log(1 + e)) = n / (n + 2), n = e*(e+2):
    one exp instead of exp, log1p and tanh. Above x = 20 the factor is 1 in float64 already, so
    the exp is clamped there and never overflows. -0 at -inf.
    """
    T = x.dtype.type
    zero, two, cap, ninf = T(0), T(2), T(20), T(-float("inf"))
    for i in range(x.shape[0]):
        v = x[i]
        e = fm.exp(cap if v > cap else v)
        n = e * (e + two)
        y = v * (n / (n + two))
        out[i] = -zero if v == ninf else y


@kernel
def mish_backward(grad_out, x, grad_in):
    """d/dx = t + x * sigmoid(x) * (1 - t^2), t = tanh(softplus(x)) = n/(n+2), n = e*(e+2).
    1 - t^2 is computed as 4(n+1)/(n+2)^2, which does not cancel for large x. 1 at +inf, 0 at -inf.
    """
    T = x.dtype.type
    zero, one, two, four = T(0), T(1), T(2), T(4)
    cap, inf = T(20), T(float("inf"))
    for i in range(x.shape[0]):
        v = x[i]
        g = grad_out[i]
        e = fm.exp(cap if v > cap else v)
        n = e * (e + two)
        d = n + two
        t = n / d
        sig = e / (one + e)
        sech2 = zero if v > cap else four * (n + one) / (d * d)  # e^(-2x): 0 beyond the cap
        r = g * (t + v * sig * sech2)
        r = g if v == inf else r
        grad_in[i] = g * zero if v == -inf else r


@kernel
def gelu_forward(x, out, tanh_approx):
    """tanh_approx = False: out = x * Phi(x), Phi the normal CDF = (1 + erf(x / sqrt 2)) / 2;
    tanh_approx = True:  out = x/2 * (1 + tanh(z)), z = sqrt(2/pi) * (x + 0.044715 x^3).
    Both are evaluated without the cancellation of 1 + erf or 1 + tanh for x << 0: Phi(x) for
    x < 0 comes directly from erfc (see _fastmath.ndtr_gauss), and (1 + tanh z)/2 = sigmoid(2z).
    +inf -> inf, -inf -> -0 (x * 0 would be NaN).
    """
    T = x.dtype.type
    zero, two, ninf = T(0), T(2), T(-float("inf"))
    beta = T(0.7978845608028654)  # sqrt(2/pi)
    kappa = T(0.044715)
    if tanh_approx:
        for i in range(x.shape[0]):
            v = x[i]
            z = beta * (v + kappa * (v * v * v))
            y = v * fm.sigmoid(two * z)
            out[i] = -zero if v == ninf else y
    else:
        for i in range(x.shape[0]):
            v = x[i]
            y = v * fm.ndtr_gauss(v)[0]
            out[i] = -zero if v == ninf else y


@kernel
def gelu_backward(grad_out, x, grad_in, tanh_approx):
    """exact: d/dx = Phi(x) + x * phi(x), phi(x) = exp(-x^2/2) / sqrt(2 pi) (one shared exp);
    tanh: d/dx = s + 2 x s (1 - s) z', s = sigmoid(2z) = (1 + tanh z)/2, z' = sqrt(2/pi) *
    (1 + 3 * 0.044715 x^2) (using 1 - tanh^2 z = 4 s (1 - s)). 1 at +inf, 0 at -inf.
    """
    T = x.dtype.type
    zero, one, two, three = T(0), T(1), T(2), T(3)
    inf = T(float("inf"))
    rsqrt2pi = T(0.3989422804014327)  # 1 / sqrt(2 pi)
    beta = T(0.7978845608028654)
    kappa = T(0.044715)
    if tanh_approx:
        for i in range(x.shape[0]):
            v = x[i]
            g = grad_out[i]
            v2 = v * v
            s = fm.sigmoid(two * (beta * (v + kappa * (v2 * v))))
            dz = beta * (one + three * kappa * v2)
            right = two * v * (s * (one - s)) * dz
            right = zero if s * (one - s) == zero else right  # never 0 * inf for huge |x|
            r = g * (s + right)
            r = g if v == inf else r
            grad_in[i] = g * zero if v == -inf else r
    else:
        for i in range(x.shape[0]):
            v = x[i]
            g = grad_out[i]
            cdf, gauss = fm.ndtr_gauss(v)  # Phi(x) and exp(-x^2 / 2), from one exp
            r = g * (cdf + v * (rsqrt2pi * gauss))
            r = g if v == inf else r
            grad_in[i] = g * zero if v == -inf else r
