# ============================================================================================
#  REFERENCE SOLUTION - SPOILER. Doing the exercise? Close this file and edit
#  exercises/broadcast_add.py (python -m tinygrad_act.exercises start copies the stubs there).
# ============================================================================================
"""Exercise 8, solved: the backward of a broadcasting add (unbroadcast)."""

import numpy as np

from tinygrad_act import Function


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum `grad` (the output's shape) back to `shape` (an input's shape)."""
    lead = grad.ndim - len(shape)
    # (1) dims broadcasting prepended: sum them away
    if lead:
        grad = grad.sum(axis=tuple(range(lead)))
    # (2) dims where the input has size 1 but the output does not: sum, keeping the dim
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad


class MyAdd(Function):
    """out = a + b with numpy broadcasting; a, b Tensors (or b a Python number)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.a_shape, ctx.b_shape = np.shape(a), np.shape(b)
        return np.add(a, b)

    @staticmethod
    def backward(ctx, grad):
        """d(a + b)/da = d(a + b)/db = 1: each input gets the upstream gradient, summed over
        every output element that one of its elements was copied to."""
        return unbroadcast(grad, ctx.a_shape), unbroadcast(grad, ctx.b_shape)
