"""Exercise 2: ELU with a parameter alpha.

    python -m tinygrad_act.exercises check elu
    python -m tinygrad_act.exercises hint elu

The math
    forward    y     = x                    if x > 0
                     = alpha * (exp(x) - 1) otherwise
    backward   dy/dx = 1                    if x > 0
                     = alpha * exp(x)       otherwise
    grad_in = grad_out * dy/dx

The kink at x = 0: the left derivative is alpha, the right one 1, so x = 0 has no derivative.
PyTorch picks one of the two sides there, and the checker compares with PyTorch: find out which
(its documentation, or the checker's message, tells you).

Parameters: alpha arrives as the last argument of both kernels, as a Python float (the table
passes SPEC.params in order); keep the arithmetic in the array's dtype.

Shapes and dtypes: flat contiguous 1-D float32 or float64 arrays; outputs preallocated.

What to save for backward: the input x (SPEC.saves = "input"). (The output would also do:
for x <= 0, dy/dx = y + alpha. Saving the output is what PyTorch does; either is fine here.)

Edge inputs the checker tries: 0, -0.0, subnormals, +-1e4, +-1e300, +-inf (elu(-inf) = -alpha
with derivative 0), nan. For tiny x, exp(x) - 1 loses digits: numpy has a function for it.
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
    """grad_in[i] = grad_out[i] * dy/dx at x[i] (PyTorch's choice at x = 0)."""
    raise NotImplementedError("elu_backward: write the loop that fills grad_in")


SPEC = ActivationSpec(
    name="my_elu",
    cls="MyELU",
    formula="x if x > 0 else alpha * (exp(x) - 1)",
    forward=elu_forward,
    backward=elu_backward,
    saves="input",
    params=(("alpha", 1.0),),
    kink="PyTorch's choice at x = 0",
    kinks=(0.0,),
    at_inf=lambda alpha: ((-alpha, 0.0), (float("inf"), 1.0)),
)
