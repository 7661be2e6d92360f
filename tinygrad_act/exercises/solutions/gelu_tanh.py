# ============================================================================================
#  REFERENCE SOLUTION - SPOILER. Doing the exercise? Close this file and edit
#  exercises/gelu_tanh.py (python -m tinygrad_act.exercises start copies the stubs there).
# ============================================================================================
"""Exercise 4, solved: GELU, tanh approximation.

y = 0.5 x (1 + tanh(u)),  u = sqrt(2/pi) (x + 0.044715 x^3)
"""

import numpy as np

from tinygrad_act.kernels import njit
from tinygrad_act.ops.activations import ActivationSpec


@njit
def gelu_tanh_forward(x, out):
    """out = 0.5 x (1 + tanh(u)); -0 at -inf (where -inf * 0 would be nan)."""
    T = x.dtype.type
    half, one, ninf = T(0.5), T(1), T(-float("inf"))
    c = T(0.7978845608028654)  # sqrt(2 / pi)
    k = T(0.044715)
    for i in range(x.shape[0]):
        v = x[i]
        t = np.tanh(c * (v + k * v * v * v))  # x^3 may overflow to +-inf: tanh(+-inf) = +-1
        y = half * v * (one + t)
        out[i] = T(0) if v == ninf else y


@njit
def gelu_tanh_backward(grad_out, x, grad_in):
    """dy/dx = 0.5 (1 + t) + 0.5 x (1 - t^2) u',  u' = sqrt(2/pi) (1 + 3 * 0.044715 x^2).

    For large |x|, 1 - t^2 is exactly 0 while x u' overflows to inf: 0 * inf would be nan, so the
    second term is taken as 0 there (its limit). 1 at +inf, 0 at -inf.
    """
    T = x.dtype.type
    zero, half, one, three = T(0), T(0.5), T(1), T(3)
    c = T(0.7978845608028654)
    k = T(0.044715)
    for i in range(x.shape[0]):
        v = x[i]
        v2 = v * v
        t = np.tanh(c * (v + k * v2 * v))
        sech2 = one - t * t
        right = zero if sech2 == zero else half * v * sech2 * c * (one + three * k * v2)
        grad_in[i] = grad_out[i] * (half * (one + t) + right)


SPEC = ActivationSpec(
    name="my_gelu_tanh",
    cls="MyGELUTanh",
    formula="0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))",
    forward=gelu_tanh_forward,
    backward=gelu_tanh_backward,
    saves="input",
    at_inf=lambda: ((0.0, 0.0), (float("inf"), 1.0)),
    inplace=False,
)
