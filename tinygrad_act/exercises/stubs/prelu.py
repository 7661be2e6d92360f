"""Exercise 6: PReLU with one learnable slope per channel - a gradient that is a reduction.

    python -m tinygrad_act.exercises check prelu
    python -m tinygrad_act.exercises hint prelu

prelu(x, weight) = x if x > 0 else weight[c] * x, where c is the element's channel (dim 1 of x,
as in PyTorch). Every element of channel c shares the slope weight[c], so dL/dweight[c] adds up
a term from every one of them: over the batch AND over every spatial position.

You write the two kernels; PReLUFunction below (read it) views x as (N, C, S) for them and
MyPReLU is the nn module holding the weight.

The math, for an element x = x[n, c, s] whose upstream gradient grad_out[n, c, s] we call g:
    forward    y = x if x > 0 else weight[c] * x
    backward   dL/dx of this element, and this element's contribution to dL/dweight[c]: work
               them out from y (the chain rule: each is g times a partial derivative of y).
               dL/dweight[c] gathers the contributions of every element that uses weight[c].
The kink at x = 0 has no derivative; PyTorch picks one side and the checker compares with it.

Shapes and dtypes
    x, out, grad_out, grad_in: (N, C, S), float32 or float64 (N = batch, C = channels, S = every
    other position flattened; one shared slope makes C = 1). weight: (C,), same dtype.
    grad_weight: (C,) float64, arriving filled with zeros.
The backward kernel runs on one thread (see PReLUFunction.backward: why not launch()).

What is saved for backward: the input x and the weight (PReLUFunction does it).

Edge inputs the checker tries, one element at a time, for weight 0.25 and -0.1: 0, -0.0,
subnormals, +-1e4, +-1e300, +-inf, nan (nan in gives nan out; gradients at nan not compared).
"""

import numpy as np

from tinygrad_act import Function, nn
from tinygrad_act.kernels import njit
from tinygrad_act.ops.activations import ActivationSpec, as_kernel_grad, as_kernel_input


@njit
def prelu_forward(x, out, weight):
    """x, out: (N, C, S); weight: (C,). out[n, c, s] = x if x > 0 else weight[c] * x."""
    raise NotImplementedError("prelu_forward: write the loops that fill out")


@njit
def prelu_backward(grad_out, x, weight, grad_in, grad_weight):
    """Fill grad_in (N, C, S) with dL/dx and grad_weight (C,) with dL/dweight; g = grad_out."""
    raise NotImplementedError("prelu_backward: write the loops that fill grad_in and grad_weight")


# ---- given: the Function that runs your kernels, and the module (read them; no need to edit) ----
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
    kink="PyTorch's choice at x = 0",
    kinks=(0.0,),
    at_inf=lambda: ((-float("inf"), 0.25), (float("inf"), 1.0)),
    inplace=False,
)
