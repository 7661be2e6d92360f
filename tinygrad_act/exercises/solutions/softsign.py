# ============================================================================================
#  REFERENCE SOLUTION - SPOILER. Doing the exercise? Close this file and edit
#  exercises/softsign.py (python -m tinygrad_act.exercises start copies the stubs there).
# ============================================================================================
"""Exercise 1 (warm-up), solved: softsign, y = x / (1 + |x|)."""

from tinygrad_act.kernels import njit
from tinygrad_act.ops.activations import ActivationSpec


@njit
def softsign_forward(x, out):
    """out = x / (1 + |x|); +-1 at +-inf (where x / (1 + |x|) would be inf / inf = nan)."""
    one, inf = x.dtype.type(1), x.dtype.type(float("inf"))
    for i in range(x.shape[0]):
        v = x[i]
        a = abs(v)
        # inf / (inf + 1) is inf / inf = nan: the limit is the sign of x
        out[i] = v / (a + one) if a != inf else (one if v > 0 else -one)


@njit
def softsign_backward(grad_out, x, grad_in):
    """grad_in = grad_out / (1 + |x|)^2: 1 at x = 0, 0 at +-inf, nan for nan."""
    one = x.dtype.type(1)
    for i in range(x.shape[0]):
        d = abs(x[i]) + one
        grad_in[i] = grad_out[i] / (d * d)


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
