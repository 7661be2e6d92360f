"""matmul / @ with numpy's semantics (1-D, 2-D, batched, broadcast batch), computed by BLAS."""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ._util import unbroadcast


def _mT(x: np.ndarray) -> np.ndarray:
    return np.swapaxes(x, -1, -2)


class MatMul(Function):
    """out = a @ b. Backward: dA = dOut @ B^T, dB = A^T @ dOut, summed over broadcast batch dims.

    A 1-D `a` is treated as a row (1, k) and a 1-D `b` as a column (k, 1); the added dim is
    dropped from the result and from the gradients, as numpy does.
    """

    @staticmethod
    def forward(ctx, a, b):
        if np.ndim(a) == 0 or np.ndim(b) == 0:
            raise ValueError(
                f"matmul: both operands must be at least 1-D, got shapes {np.shape(a)} and "
                f"{np.shape(b)}; use * to multiply by a scalar"
            )
        if a.shape[-1] != b.shape[-2 if b.ndim > 1 else 0]:
            k_b = b.shape[-2 if b.ndim > 1 else 0]
            raise ValueError(
                f"matmul: shapes {a.shape} and {b.shape} do not align: {a.shape[-1]} != {k_b}; "
                "the last dim of the first must equal the second-to-last dim of the second "
                "(transpose one with .T?)"
            )
        ctx.save_for_backward(a, b)
        try:
            return np.matmul(a, b)
        except ValueError:
            raise ValueError(
                f"matmul: batch dims of shapes {a.shape} and {b.shape} cannot be broadcast together"
            ) from None

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        if a.ndim == 2 and b.ndim == 2:  # the common case, without the reshaping below
            return (grad @ b.T if na else None, a.T @ grad if nb else None)
        if a.ndim == 1 and b.ndim == 1:  # dot product: a scalar output
            return (grad * b if na else None, grad * a if nb else None)
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g = grad
        if a.ndim == 1:
            g = np.expand_dims(g, -2)
        if b.ndim == 1:
            g = np.expand_dims(g, -1)
        ga = unbroadcast(g @ _mT(b2), a2.shape).reshape(a.shape) if na else None
        gb = unbroadcast(_mT(a2) @ g, b2.shape).reshape(b.shape) if nb else None
        return ga, gb
