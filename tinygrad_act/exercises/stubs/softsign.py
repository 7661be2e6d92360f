"""Exercise 1 (warm-up): softsign, y = x / (1 + |x|).

You write two Numba kernels. SPEC at the bottom turns them into an op exactly the way the
built-in activations are made (read one first: softsign_forward in
tinygrad_act/kernels/activations.py is this very op - try without peeking, then compare).

    python -m tinygrad_act.exercises check softsign     # tells you what is wrong, and why
    python -m tinygrad_act.exercises hint softsign      # when stuck

The math
    forward    y     = x / (1 + |x|)
    backward   dy/dx = 1 / (1 + |x|)^2    (|x| has a kink at 0, but the derivative does not:
                                           it is 1 from both sides)
    chain rule: the backward kernel gets grad_out = dL/dy and writes grad_in = grad_out * dy/dx

Shapes and dtypes
    The table hands your kernels flat, contiguous 1-D arrays (any input shape is flattened for
    you and reshaped back), float32 or float64. Outputs are preallocated: write every element.
    Build constants in the array's dtype (one = x.dtype.type(1)) so float32 stays float32.

What to save for backward: the input x (SPEC.saves = "input"); it arrives as backward's
second argument.

Edge inputs the checker tries: 0 and -0.0, subnormals, +-1e4, +-1e300, +-inf (the limits are
+-1 with derivative 0: inf / (inf + 1) would be nan), and nan (nan in gives nan out).
"""

from tinygrad_act.kernels import njit
from tinygrad_act.ops.activations import ActivationSpec


@njit
def softsign_forward(x, out):
    """out[i] = x[i] / (1 + |x[i]|) for every i; +-1 at x = +-inf."""
    raise NotImplementedError("softsign_forward: write the loop that fills out")


@njit
def softsign_backward(grad_out, x, grad_in):
    """grad_in[i] = grad_out[i] / (1 + |x[i]|)^2 for every i."""
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
