# ============================================================================================
#  REFERENCE SOLUTION - SPOILER. Doing the exercise? Close this file and edit
#  exercises/linear_relu.py (python -m tinygrad_act.exercises start copies the stubs there).
# ============================================================================================
"""Exercise 7, solved: a fused Linear + ReLU that saves a bool mask for backward."""

import numpy as np

from tinygrad_act import Function, nn


class LinearReLUFunction(Function):
    """y = relu(x @ weight.T + bias) as one graph node; saves x, weight and the mask z > 0."""

    kinks = (0.0,)

    @staticmethod
    def forward(ctx, x, weight, bias):
        z = x @ weight.T
        z += bias  # z is a fresh array: adding in place is safe
        mask = z > 0  # relu'(0) = 0: strictly greater
        if any(ctx.needs_input_grad):
            ctx.save_for_backward(x, weight, mask)
        np.multiply(z, mask, out=z)  # relu in place: z is ours, so y costs no second array
        return z

    @staticmethod
    def backward(ctx, grad):
        x, weight, mask = ctx.saved_tensors
        gz = grad * mask  # dL/dz: the upstream gradient where z > 0, else 0
        gx = gz @ weight  # (*, out) @ (out, in) -> (*, in)
        g2 = gz.reshape(-1, gz.shape[-1])  # fold every leading (batch) dim into one
        gw = g2.T @ x.reshape(-1, x.shape[-1])  # (out, N) @ (N, in) -> (out, in)
        gb = g2.sum(axis=0)  # (out,)
        return gx, gw, gb


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
