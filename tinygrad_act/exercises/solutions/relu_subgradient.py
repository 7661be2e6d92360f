# ============================================================================================
#  REFERENCE SOLUTION - SPOILER. Doing the exercise? Close this file and edit
#  exercises/relu_subgradient.py (python -m tinygrad_act.exercises start copies the stubs there).
# ============================================================================================
"""Exercise 3, solved: ReLU whose derivative at x = 0 is a subgradient you choose."""

from tinygrad_act.kernels import njit
from tinygrad_act.ops.activations import ActivationSpec


@njit
def relu_forward(x, out, subgradient):
    """out = 0 if x < 0 else x (keeps -0.0 and nan as they are). `subgradient` is unused here:
    the table passes the op's parameters to both kernels."""
    zero = x.dtype.type(0)
    for i in range(x.shape[0]):
        v = x[i]
        out[i] = zero if v < zero else v


@njit
def relu_backward(grad_out, x, grad_in, subgradient):
    """grad_in = grad_out * (1 if x > 0, subgradient if x == 0, 0 if x < 0).

    -0.0 == 0 is True, so -0.0 takes the subgradient too. The gradient at a nan input is left
    to nan comparisons (all False): 0.
    """
    T = x.dtype.type
    zero, s = T(0), T(subgradient)
    for i in range(x.shape[0]):
        v = x[i]
        g = grad_out[i]
        grad_in[i] = g if v > zero else (g * s if v == zero else zero)


SPEC = ActivationSpec(
    name="my_relu",
    cls="MyReLU",
    formula="x if x > 0 else 0",
    forward=relu_forward,
    backward=relu_backward,
    saves="input",  # three cases (x < 0, x == 0, x > 0): one bool per element cannot hold them
    params=(("subgradient", 0.0),),
    kink="the chosen subgradient at x = 0 (any value in [0, 1] is a valid subgradient)",
    kinks=(0.0,),
    at_inf=lambda subgradient: ((0.0, 0.0), (float("inf"), 1.0)),
)
