"""Exercise 8: the backward of a broadcasting add - write `unbroadcast`.

    python -m tinygrad_act.exercises check broadcast_add
    python -m tinygrad_act.exercises hint broadcast_add

out = a + b follows numpy broadcasting: a (3, 1) + b (2, 1, 4) -> out (2, 3, 4). Broadcasting
COPIES an input's elements: a[i, 0] is used by out[n, i, k] for every n and k. The chain rule
adds the gradients of all the copies, so

    dL/da[i, 0] = sum over n, k of grad[n, i, k]

Your job: that rule for any pair of shapes. Work out, from numpy's broadcasting rules, which
dims of the output an input's element was copied along, and sum grad over exactly those, so
that the result has the input's shape.

Write unbroadcast(grad, shape) and MyAdd.backward. (The library has its own unbroadcast in
tinygrad_act/ops/_util.py: writing it yourself is the exercise.) Shapes: grad has the output's
shape; return one gradient per input with that input's shape and grad's dtype. The checker
tries shapes (2, 3)+(2, 3), (3, 4)+(4,), (2, 1, 4)+(3, 1), (4, 1)+(1, 5), (1,)+(5,),
()+(2, 3), (5,)+() and a Python number as b.
"""

import numpy as np

from tinygrad_act import Function


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum `grad` (the output's shape) back to `shape` (an input's shape): over every output
    element each input element was copied to."""
    raise NotImplementedError("unbroadcast: sum grad back to shape")


class MyAdd(Function):
    """out = a + b with numpy broadcasting; a, b arrays (b may also be a Python number)."""

    @staticmethod
    def forward(ctx, a, b):
        """Given: remember the input shapes (np.shape(2.0) is ()), return a + b."""
        ctx.a_shape, ctx.b_shape = np.shape(a), np.shape(b)
        return np.add(a, b)

    @staticmethod
    def backward(ctx, grad):
        """Return (grad_a, grad_b), each with its input's shape."""
        raise NotImplementedError("MyAdd.backward: return (grad_a, grad_b)")
