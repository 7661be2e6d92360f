"""Exercise 7: a fused Linear + ReLU that saves a bool mask for backward.

    python -m tinygrad_act.exercises check linear_relu
    python -m tinygrad_act.exercises hint linear_relu

Written as F.relu(F.linear(x, W, b)) this is two graph nodes, and the linear node's output z (4
or 8 bytes per element) stays alive until backward. Fused, one node does both and keeps only
what backward needs: the SIGN of z, as a bool mask (1 byte per element).

Shapes
    x: (*, in_features)   weight: (out_features, in_features)   bias: (out_features,)
    z, y, grad: (*, out_features)        (* = any number of leading batch dims, at least one)

The math
    forward    z    = x @ weight.T + bias
               mask = z > 0                 (relu'(0) = 0: strictly greater, as PyTorch)
               y    = z where mask, else 0
    backward   dL/dx (*, in), dL/dweight (out, in) and dL/dbias (out,) from grad = dL/dy (*, out):
               the chain rule through the ReLU, then through z = x @ weight.T + bias. Every
               leading (batch) dim contributes to dL/dweight and dL/dbias.

What to save: only what backward needs - the bool mask, never z or y; which other inputs
backward needs follows from your formulas.

forward and backward see numpy arrays, not Tensors; backward returns one gradient per input:
(dx, dW, db), each with its input's shape and dtype. Matmul goes to BLAS (np.matmul, @): no
Numba kernel needed here.
"""

import numpy as np  # noqa: F401 - you will need it

from tinygrad_act import Function, nn


class LinearReLUFunction(Function):
    """y = relu(x @ weight.T + bias) as one graph node that saves a bool mask, not z."""

    kinks = (0.0,)

    @staticmethod
    def forward(ctx, x, weight, bias):
        """Return y (*, out); save what backward needs with ctx.save_for_backward(...)."""
        raise NotImplementedError("LinearReLUFunction.forward: compute y and save the mask")

    @staticmethod
    def backward(ctx, grad):
        """Return (dx, dW, db) from grad (*, out) and what forward saved."""
        raise NotImplementedError("LinearReLUFunction.backward: return (dx, dW, db)")


# ---- given: the module (read it; no need to edit) ----
class MyLinearReLU(nn.Module):
    """Linear(in_features, out_features) followed by ReLU, as one fused op (PyTorch's Linear
    init: U(-1/sqrt(in), 1/sqrt(in)) for weight and bias, from the seeded generator)."""

    def __init__(self, in_features: int, out_features: int) -> None:
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        lin = nn.Linear(in_features, out_features)  # borrow its initialisation
        self.weight, self.bias = lin.weight, lin.bias

    def forward(self, input):
        return LinearReLUFunction.apply(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}"
