"""Exercise 3: ReLU, with the derivative at x = 0 chosen by a parameter.

    python -m tinygrad_act.exercises check relu_subgradient
    python -m tinygrad_act.exercises hint relu_subgradient

relu(x) = max(x, 0) has no derivative at x = 0: its left slope is 0, its right slope 1, and
every value in [0, 1] is a valid SUBgradient there. PyTorch picks 0. Writing relu as
maximum(x, 0) in a library that splits ties picks 0.5. Here the caller picks: `subgradient`.

The math
    forward    y     = x if x > 0 else 0      (keep nan as nan: `0 if x < 0 else x` does)
    backward   dy/dx = 1             if x > 0
                     = subgradient   if x == 0   (-0.0 == 0 is True: -0.0 too)
                     = 0             if x < 0
    grad_in = grad_out * dy/dx

Parameters: `subgradient` arrives as the last argument of BOTH kernels (the table passes the
op's parameters to both; the forward ignores it).

What to save for backward: the input x (SPEC.saves = "input"). Built-in relu saves a 1-byte bool
mask, x > 0. Why can't you? (Three cases; a bool has two values.)

Shapes and dtypes: flat contiguous 1-D float32 or float64 arrays; outputs preallocated.
Edge inputs the checker tries: 0, -0.0, the subnormals next to 0, +-1e4, +-1e300, +-inf, nan
(the gradient at a nan input is not checked).
"""

from tinygrad_act.kernels import njit
from tinygrad_act.ops.activations import ActivationSpec


@njit
def relu_forward(x, out, subgradient):
    """out[i] = x[i] if x[i] > 0 else 0 (nan stays nan). `subgradient` is unused here."""
    raise NotImplementedError("relu_forward: write the loop that fills out")


@njit
def relu_backward(grad_out, x, grad_in, subgradient):
    """grad_in[i] = grad_out[i] * (1, subgradient or 0 for x > 0, x == 0, x < 0)."""
    raise NotImplementedError("relu_backward: write the loop that fills grad_in")


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
