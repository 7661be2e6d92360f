# ============================================================================================
#  REFERENCE SOLUTION - SPOILER. Doing the exercise? Close this file and edit
#  exercises/swish.py (python -m tinygrad_act.exercises start copies the stubs there).
# ============================================================================================
"""Exercise 5, solved: Swish with a learnable beta, y = x * sigmoid(beta * x)."""

import numpy as np

from tinygrad_act import Function, nn
from tinygrad_act.kernels import launch, njit
from tinygrad_act.ops.activations import ActivationSpec, as_kernel_grad, as_kernel_input


@njit
def swish_forward(x, out, beta):
    """out = x * sigmoid(beta x), sigmoid(z) = 1 / (1 + exp(-z)) built from exp(-|z|) <= 1 so it
    never overflows. At x = +-inf the product inf * 0 would be nan: the limit is 0 there."""
    T = x.dtype.type
    zero, one, inf = T(0), T(1), T(float("inf"))
    b = T(beta)
    for i in range(x.shape[0]):
        v = x[i]
        z = b * v
        e = np.exp(-abs(z))
        s = one / (one + e) if z >= zero else e / (one + e)
        out[i] = zero if abs(v) == inf and s == zero else v * s


@njit
def swish_backward(grad_out, x, grad_in, grad_beta_terms, beta):
    """With s = sigmoid(beta x) and s' = s (1 - s):
        dy/dx    = s + beta x s (1 - s)    -> grad_in[i]         = grad_out[i] * dy/dx
        dy/dbeta = x^2 s (1 - s)           -> grad_beta_terms[i] = grad_out[i] * dy/dbeta
    (the Function sums the terms: beta is shared by every element). At x = +-inf: dy/dx is s
    (1 or 0) and dy/dbeta is 0; x * (x * s') keeps x^2 from overflowing where s' is 0 anyway.
    """
    T = x.dtype.type
    zero, one, inf = T(0), T(1), T(float("inf"))
    b = T(beta)
    for i in range(x.shape[0]):
        v = x[i]
        g = grad_out[i]
        z = b * v
        e = np.exp(-abs(z))
        s = one / (one + e) if z >= zero else e / (one + e)
        ds = s * (one - s)
        if abs(v) == inf:
            grad_in[i] = g * s
            grad_beta_terms[i] = zero
        else:
            grad_in[i] = g * (s + z * ds)
            grad_beta_terms[i] = g * (v * (v * ds))


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
