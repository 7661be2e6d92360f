"""Exercise 2: ELU with a parameter alpha.

    python -m tinygrad_act.exercises check elu
    python -m tinygrad_act.exercises hint elu

The math
    forward    y     = x                    if x > 0
                     = alpha * (exp(x) - 1) otherwise
    backward   dy/dx = 1                    if x > 0
                     = alpha * exp(x)       otherwise
    grad_in = grad_out * dy/dx

The kink at x = 0: the left derivative is alpha, the right one 1. PyTorch (and the checker)
take the NEGATIVE branch at exactly 0 (and at -0.0): dy/dx(0) = alpha. Write the test for the
positive branch as `x > 0`, so that 0 falls to the other side.

Parameters: alpha arrives as the last argument of both kernels, as a Python float (the table
passes SPEC.params in order). Cast it once: a = x.dtype.type(alpha).

Shapes and dtypes: flat contiguous 1-D float32 or float64 arrays; outputs preallocated.

What to save for backward: the input x (SPEC.saves = "input"). (The output would also do:
for x <= 0, dy/dx = y + alpha. Saving the output is what PyTorch does; either is fine here.)

Edge inputs the checker tries: 0, -0.0, subnormals, +-1e4, +-1e300, +-inf (elu(-inf) = -alpha
with derivative 0), nan. For tiny x, np.expm1(x) is more accurate than np.exp(x) - 1.
"""

import numpy as np  # noqa: F401 - np.exp / np.expm1 work inside @njit kernels

from tinygrad_act.kernels import njit
from tinygrad_act.ops.activations import ActivationSpec


@njit
def elu_forward(x, out, alpha):
    """out[i] = x[i] if x[i] > 0 else alpha * (exp(x[i]) - 1)."""
    raise NotImplementedError("elu_forward: write the loop that fills out")


@njit
def elu_backward(grad_out, x, grad_in, alpha):
    """grad_in[i] = grad_out[i] * (1 if x[i] > 0 else alpha * exp(x[i])); alpha at x = 0."""
    raise NotImplementedError("elu_backward: write the loop that fills grad_in")


SPEC = ActivationSpec(
    name="my_elu",
    cls="MyELU",
    formula="x if x > 0 else alpha * (exp(x) - 1)",
    forward=elu_forward,
    backward=elu_backward,
    saves="input",
    params=(("alpha", 1.0),),
    kink="alpha at x = 0 (the negative branch)",
    kinks=(0.0,),
    at_inf=lambda alpha: ((-alpha, 0.0), (float("inf"), 1.0)),
)
