"""Exercise 3: ReLU, with the derivative at x = 0 chosen by a parameter.

    python -m tinygrad_act.exercises check relu_subgradient
    python -m tinygrad_act.exercises hint relu_subgradient

relu(x) = max(x, 0) has no derivative at x = 0: its left slope is 0, its right slope 1, and
every value in [0, 1] is a valid SUBgradient there. PyTorch picks 0. Writing relu as
maximum(x, 0) in a library that splits ties picks 0.5. Here the caller picks: `subgradient`.

The math
    forward    y = max(x, 0); nan in gives nan out
    backward   dy/dx = 1 where x is positive, 0 where x is negative; where the derivative does
               not exist, the op uses the caller's `subgradient`
    grad_in = grad_out * dy/dx
Floating point has more than one number that sits at the kink, and nan compares False with
everything: which inputs take which branch is yours to work out (the checker tells you when
an input lands on the wrong side).

Parameters: `subgradient` arrives as the last argument of BOTH kernels (the table passes the
op's parameters to both; the forward does not need it).

What to save for backward: the input x (SPEC.saves = "input"). Built-in relu saves a 1-byte bool
mask instead. Think about why that would not work here.

Shapes and dtypes: flat contiguous 1-D float32 or float64 arrays; outputs preallocated.
Edge inputs the checker tries: 0, -0.0, the subnormals next to 0, +-1e4, +-1e300, +-inf, nan
(the gradient at a nan input is not checked).
"""

from tinygrad_act.kernels import njit
from tinygrad_act.ops.activations import ActivationSpec


@njit
def relu_forward(x, out, subgradient):
    """out[i] = max(x[i], 0), nan stays nan. `subgradient` is not needed here."""
    raise NotImplementedError("relu_forward: write the loop that fills out")


@njit
def relu_backward(grad_out, x, grad_in, subgradient):
    """grad_in[i] = grad_out[i] * dy/dx at x[i], with `subgradient` where relu has no
    derivative."""
    raise NotImplementedError("relu_backward: write the loop that fills grad_in")


SPEC = ActivationSpec(
    name="my_relu",
    cls="MyReLU",
    formula="x if x > 0 else 0",
    forward=relu_forward,
    backward=relu_backward,
    saves="input",
    params=(("subgradient", 0.0),),
    kink="the chosen subgradient where relu has no derivative",
    kinks=(0.0,),
    at_inf=lambda subgradient: ((0.0, 0.0), (float("inf"), 1.0)),
)
