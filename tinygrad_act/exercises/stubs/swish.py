"""Exercise 5: Swish with a learnable beta, y = x * sigmoid(beta * x) - an op with TWO gradients.

    python -m tinygrad_act.exercises check swish
    python -m tinygrad_act.exercises hint swish

beta is a tensor the network learns (like PReLU's slope), so backward returns a gradient for
the input AND one for beta. You write the two kernels; SwishFunction below (read it) runs them
and sums the per-element beta terms, and MySwish is the nn module holding beta.

The math, with z = beta * x, s = sigmoid(z) = 1 / (1 + exp(-z)) and s' = s (1 - s):
    forward    y        = x * s
    backward   dy/dx    = s + beta * x * s (1 - s)      grad_in[i]         = grad_out[i] * dy/dx
               dy/dbeta = x^2 * s (1 - s)               grad_beta_terms[i] = grad_out[i] * dy/dbeta
    dL/dbeta is the SUM of grad_beta_terms over every element (beta is shared by all of them):
    SwishFunction.backward does that sum.
Swish is smooth: no kink.

Shapes and dtypes
    x, out, grad_out, grad_in, grad_beta_terms: flat contiguous 1-D arrays, float32 or float64
    (grad_beta_terms arrives filled with zeros); beta: a Python float (the value of the (1,)
    tensor). Outputs are preallocated.

What is saved for backward: the input x and beta (SwishFunction does it).

Edge inputs the checker tries, one element at a time, for beta = 1, 1.7 and -0.6: 0, -0.0,
subnormals, +-1e4, +-1e300, +-inf, nan (nan in gives nan out). At x = +-inf the checker expects
the limits of y, dy/dx and dy/dbeta. Evaluate your formulas at large |z| and at x = +-1e300 and
+-inf by hand (what overflows? where is inf * 0?) before you run the check.
"""

import numpy as np

from tinygrad_act import Function, nn
from tinygrad_act.kernels import launch, njit
from tinygrad_act.ops.activations import ActivationSpec, as_kernel_grad, as_kernel_input


@njit
def swish_forward(x, out, beta):
    """out[i] = x[i] * sigmoid(beta * x[i]); the limits at x = +-inf."""
    raise NotImplementedError("swish_forward: write the loop that fills out")


@njit
def swish_backward(grad_out, x, grad_in, grad_beta_terms, beta):
    """grad_in[i] = grad_out[i] * (s + beta x s (1 - s));
    grad_beta_terms[i] = grad_out[i] * x^2 s (1 - s); with s = sigmoid(beta * x[i])."""
    raise NotImplementedError(
        "swish_backward: write the loop that fills grad_in and grad_beta_terms"
    )


# ---- given: the Function that runs your kernels, and the module (read them; no need to edit) ----
class SwishFunction(Function):
    """swish(x, beta) = x * sigmoid(beta * x); x any shape, beta shape (1,). Two gradients."""

    @staticmethod
    def forward(ctx, x, beta):
        x, beta = np.asarray(x), np.asarray(beta)
        if beta.size != 1 or beta.ndim > 1:
            raise ValueError(f"my_swish: beta must have shape (1,), got {beta.shape}")
        if beta.dtype != x.dtype:
            raise TypeError(
                f"my_swish: beta is {beta.dtype} but input is {x.dtype}; convert one to match"
            )
        flat = as_kernel_input("my_swish", x)
        out = np.empty_like(flat)
        b = float(beta.reshape(-1)[0])
        launch(swish_forward, (flat, out), (b,))
        if any(ctx.needs_input_grad):
            ctx.save_for_backward(flat, beta)
            ctx.shape = x.shape
        return out.reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        flat, beta = ctx.saved_tensors
        g = as_kernel_grad(grad, flat.dtype)
        grad_x = np.empty_like(flat)
        terms = np.zeros_like(flat)  # zeros: a kernel that forgets them gives 0, not garbage
        launch(swish_backward, (g, flat, grad_x, terms), (float(beta.reshape(-1)[0]),))
        # beta is shared by every element: its gradient is the sum of the terms (in float64)
        grad_beta = np.full(beta.shape, terms.sum(dtype=np.float64), dtype=beta.dtype)
        return grad_x.reshape(ctx.shape), grad_beta


class MySwish(nn.SiLU):
    """Swish with a learnable beta (a Parameter of shape (1,), float32, starting at `init`).
    A subclass of nn.SiLU (swish with beta = 1), so tinygrad_act.diagnostics watches it."""

    def __init__(self, init: float = 1.0) -> None:
        super().__init__()
        self.init = init
        self.beta = nn.Parameter(np.full(1, init, dtype=np.float32))

    def forward(self, input):
        return SwishFunction.apply(input, self.beta)

    def extra_repr(self) -> str:
        return f"init={self.init}"


SPEC = ActivationSpec(
    name="my_swish",
    cls="MySwish",
    formula="x * sigmoid(beta * x), beta learnable",
    forward=swish_forward,
    backward=swish_backward,
    saves="input x and beta",
    inputs=("input", "beta"),
    at_inf=lambda: ((0.0, 0.0), (float("inf"), 1.0)),
    inplace=False,
)
