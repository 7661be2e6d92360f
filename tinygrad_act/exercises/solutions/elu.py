# ============================================================================================
#  REFERENCE SOLUTION - SPOILER. Doing the exercise? Close this file and edit
#  exercises/elu.py (python -m tinygrad_act.exercises start copies the stubs there).
# ============================================================================================
"""Exercise 2, solved: ELU with alpha, y = x if x > 0 else alpha * (exp(x) - 1)."""

import numpy as np

from tinygrad_act.kernels import njit
from tinygrad_act.ops.activations import ActivationSpec


@njit
def elu_forward(x, out, alpha):
    """out = x if x > 0 else alpha * expm1(x) (expm1 keeps tiny x accurate; -alpha at -inf)."""
    T = x.dtype.type
    a = T(alpha)
    for i in range(x.shape[0]):
        v = x[i]
        out[i] = v if v > 0 else a * np.expm1(v)


@njit
def elu_backward(grad_out, x, grad_in, alpha):
    """grad_in = grad_out * (1 if x > 0 else alpha * exp(x)); alpha at x = 0 (the negative
    branch, as PyTorch), 0 at -inf."""
    T = x.dtype.type
    a = T(alpha)
    for i in range(x.shape[0]):
        v = x[i]
        g = grad_out[i]
        grad_in[i] = g if v > 0 else g * a * np.exp(v)


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
