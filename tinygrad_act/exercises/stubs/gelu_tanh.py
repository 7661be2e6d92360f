"""Exercise 4: GELU, the tanh approximation (F.gelu(x, approximate="tanh") is the reference).

    python -m tinygrad_act.exercises check gelu_tanh
    python -m tinygrad_act.exercises hint gelu_tanh

The math, with c = sqrt(2/pi) = 0.7978845608028654 and k = 0.044715:
    u     = c * (x + k * x^3)
    y     = 0.5 * x * (1 + tanh(u))
    dy/dx = 0.5 * (1 + tanh(u)) + 0.5 * x * (1 - tanh(u)^2) * du/dx,   du/dx = c * (1 + 3 k x^2)
    grad_in = grad_out * dy/dx
GELU is smooth: no kink.

Shapes and dtypes: flat contiguous 1-D float32 or float64 arrays; outputs preallocated. Build
constants in the array's dtype (c = x.dtype.type(0.7978845608028654)).

What to save for backward: the input x (SPEC.saves = "input").

Edge inputs the checker tries: 0, -0.0, subnormals, +-1e4, +-1e300, +-inf, nan. The limits:
y(-inf) = 0 and y(+inf) = inf; dy/dx is 0 at -inf and 1 at +inf. Evaluate your formulas at
x = +-1e300 and +-inf by hand (x^3 overflows) before you run the check.
"""

import numpy as np  # noqa: F401 - np.tanh works inside @njit kernels

from tinygrad_act.kernels import njit
from tinygrad_act.ops.activations import ActivationSpec


@njit
def gelu_tanh_forward(x, out):
    """out[i] = 0.5 * x * (1 + tanh(c * (x + k x^3))); 0 at x = -inf."""
    raise NotImplementedError("gelu_tanh_forward: write the loop that fills out")


@njit
def gelu_tanh_backward(grad_out, x, grad_in):
    """grad_in[i] = grad_out[i] * dy/dx (formula in the module docstring); 1 at +inf, 0 at -inf."""
    raise NotImplementedError("gelu_tanh_backward: write the loop that fills grad_in")


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
