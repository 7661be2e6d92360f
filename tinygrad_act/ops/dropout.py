"""dropout: zero each element with probability p while training, scale survivors by 1/(1-p).

"Inverted" dropout: the 1/(1-p) scale is applied at training time so that E[y] = x and evaluation
needs no rescaling (y = x). The keep-mask is drawn from the library's seeded generator inside the
op's forward (so a step replayed by ta.compile draws a fresh one) and saved (1 byte per element):
backward is dx = dy * mask / (1-p).
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..random import default_generator
from ..tensor import Tensor


class Dropout(Function):
    """y = x * mask * scale; mask is a bool array of x's shape, scale = 1/(1-p)."""

    @staticmethod
    def forward(ctx, x, p):
        if p == 1.0:  # every element dropped; 1/(1-p) would be inf, and 0*inf is NaN
            mask, scale = np.zeros(x.shape, dtype=bool), 0.0
        else:
            mask, scale = default_generator().random(x.shape) >= p, 1.0 / (1.0 - p)  # P(keep) = 1-p
        ctx.save_for_backward(mask)
        ctx.scale = scale
        out = np.multiply(x, mask)
        out *= x.dtype.type(scale)
        return out

    @staticmethod
    def backward(ctx, grad):
        (mask,) = ctx.saved_tensors
        g = np.multiply(grad, mask)
        g *= grad.dtype.type(ctx.scale)
        return g, None


def dropout(input: Tensor, p: float = 0.5, training: bool = True) -> Tensor:  # noqa: A002
    """F.dropout: during training keep each element with probability 1-p and divide by 1-p."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    if input.dtype.kind != "f":
        raise TypeError(f"dropout: needs a floating-point tensor, got {input.dtype}")
    return Dropout.apply(input, float(p))
