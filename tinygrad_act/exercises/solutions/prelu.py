# ============================================================================================
#  REFERENCE SOLUTION - SPOILER. Doing the exercise? Close this file and edit
#  exercises/prelu.py (python -m tinygrad_act.exercises start copies the stubs there).
# ============================================================================================
"""Exercise 6, solved: PReLU with one learnable slope per channel."""

import numpy as np

from tinygrad_act import Function, nn
from tinygrad_act.kernels import njit
from tinygrad_act.ops.activations import ActivationSpec, as_kernel_grad, as_kernel_input


@njit
def prelu_forward(x, out, weight):
    """x, out: (N, C, S); weight: (C,). out[n, c, s] = x if x > 0 else weight[c] * x."""
    zero = x.dtype.type(0)
    for n in range(x.shape[0]):
        for c in range(x.shape[1]):
            w = weight[c]
            for s in range(x.shape[2]):
                v = x[n, c, s]
                out[n, c, s] = v if v > zero else w * v


@njit
def prelu_backward(grad_out, x, weight, grad_in, grad_weight):
    """grad_in[n, c, s] = g if x > 0 else weight[c] * g   (the slope at x = 0);
    grad_weight[c] += x * g wherever x <= 0, summed over the batch n AND the positions s
    (grad_weight is float64 and starts at zero)."""
    zero = x.dtype.type(0)
    for n in range(x.shape[0]):
        for c in range(x.shape[1]):
            w = weight[c]
            for s in range(x.shape[2]):
                v = x[n, c, s]
                g = grad_out[n, c, s]
                if v > zero:
                    grad_in[n, c, s] = g
                else:
                    grad_in[n, c, s] = w * g
                    grad_weight[c] += v * g


class PReLUFunction(Function):
    """prelu(x, weight): x (N, C, *) with weight (C,), or any x with a shared slope (1,)."""

    kinks = (0.0,)

    @staticmethod
    def forward(ctx, x, weight):
        x, w = np.asarray(x), np.asarray(weight)
        if w.dtype != x.dtype:
            raise TypeError(f"my_prelu: weight is {w.dtype} but input is {x.dtype}; match them")
        channels = x.shape[1] if x.ndim >= 2 else 1
        if w.ndim != 1 or w.size not in (1, channels):
            raise ValueError(
                f"my_prelu: weight of shape {w.shape} does not fit input {x.shape}: pass shape "
                f"(1,) or ({channels},) (one slope per channel along dim 1)"
            )
        # view x as (N, C, S): batch, channel, every other position; one shared slope: C = 1
        n = x.shape[0] if x.ndim else 1
        c = w.size
        flat = as_kernel_input("my_prelu", x)
        x3 = flat.reshape(n, c, flat.size // (n * c) if n * c else 0)
        wk = np.ascontiguousarray(w)
        out = np.empty_like(x3)
        prelu_forward(x3, out, wk)
        if any(ctx.needs_input_grad):
            ctx.save_for_backward(x3, wk)
            ctx.shape = x.shape
        return out.reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        x3, wk = ctx.saved_tensors
        g = as_kernel_grad(grad, x3.dtype).reshape(x3.shape)
        grad_in = np.empty_like(x3)
        grad_weight = np.zeros(wk.shape, dtype=np.float64)  # summed into: start at zero
        # One thread: launch() would split the batch over threads, and two threads adding into
        # the same grad_weight[c] would race (the built-in PReLU writes per-row partial sums).
        prelu_backward(g, x3, wk, grad_in, grad_weight)
        return grad_in.reshape(ctx.shape), grad_weight.astype(wk.dtype)


class MyPReLU(nn.PReLU):
    """nn.PReLU (num_parameters=1, init=0.25: the same weight Parameter) running your kernels.
    Being an nn.PReLU also lets tinygrad_act.diagnostics read its slopes."""

    def forward(self, input):
        return PReLUFunction.apply(input, self.weight)


SPEC = ActivationSpec(
    name="my_prelu",
    cls="MyPReLU",
    formula="x if x > 0 else weight[c] * x, c the index along dim 1",
    forward=prelu_forward,
    backward=prelu_backward,
    saves="input x and weight",
    inputs=("input", "weight"),
    kink="weight at x = 0",
    kinks=(0.0,),
    at_inf=lambda: ((-float("inf"), 0.25), (float("inf"), 1.0)),
    inplace=False,
)
