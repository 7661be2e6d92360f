"""Exercise 1 (warm-up): softsign, y = x / (1 + |x|).

You write two Numba kernels. SPEC at the bottom turns them into an op exactly the way the
built-in activations are made (read one first for the pattern: relu_forward and relu_backward
in tinygrad_act/kernels/activations.py).

    python -m tinygrad_act.exercises check softsign     # tells you what is wrong, and why
    python -m tinygrad_act.exercises hint softsign      # when stuck

The math
    forward    y     = x / (1 + |x|)
    backward   dy/dx: derive it (the quotient rule, on each side of 0, with d|x|/dx = sign(x));
               |x| has a kink at 0, but you will find that the derivative does not
    chain rule: the backward kernel gets grad_out = dL/dy and writes grad_in = grad_out * dy/dx

Shapes and dtypes
    The table hands your kernels flat, contiguous 1-D arrays (any input shape is flattened for
    you and reshaped back), float32 or float64. Outputs are preallocated: write every element.
    Build constants in the array's dtype (x.dtype.type(1) is a 1 of x's dtype), so that float32
    stays float32.

What to save for backward: the input x (SPEC.saves = "input"); it arrives as backward's
second argument.

Edge inputs the checker tries: 0 and -0.0, subnormals, +-1e4, +-1e300, +-inf (where the
checker expects the limits: y -> +-1 and dy/dx -> 0), and nan (nan in gives nan out).
"""

from tinygrad_act.kernels import njit
from tinygrad_act.ops.activations import ActivationSpec


@njit
def softsign_forward(x, out):
    """out[i] = x[i] / (1 + |x[i]|) for every i (the limits at x = +-inf)."""
    raise NotImplementedError("softsign_forward: write the loop that fills out")


@njit
def softsign_backward(grad_out, x, grad_in):
    """grad_in[i] = grad_out[i] * dy/dx at x[i], for every i."""
    raise NotImplementedError("softsign_backward: write the loop that fills grad_in")


# How the op joins the activation table (the same fields as the rows of
# tinygrad_act/ops/activations.py). Once the check passes,
# tinygrad_act.exercises.use("softsign") registers it: F.my_softsign and nn.MySoftsign.
SPEC = ActivationSpec(
    name="my_softsign",
    cls="MySoftsign",
    formula="x / (1 + |x|)",
    forward=softsign_forward,
    backward=softsign_backward,
    saves="input",
    kink="smooth (the |x| kink at 0 is invisible in the derivative: 1 from both sides)",
    at_inf=lambda: ((-1.0, 0.0), (1.0, 0.0)),
    inplace=False,
)
