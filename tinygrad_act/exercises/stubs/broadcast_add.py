"""Exercise 8: the backward of a broadcasting add - write `unbroadcast`.

    python -m tinygrad_act.exercises check broadcast_add
    python -m tinygrad_act.exercises hint broadcast_add

out = a + b follows numpy broadcasting: a (3, 1) + b (2, 1, 4) -> out (2, 3, 4). Broadcasting
COPIES an input's elements: a[i, 0] is used by out[n, i, k] for every n and k. The chain rule
adds the gradients of all the copies, so

    dL/da[i, 0] = sum over n, k of grad[n, i, k]

In general, going from the output's shape back to an input's shape:
    (1) broadcasting PREPENDED dims (b (2, 1, 4) vs out: none; a (3, 1): one, dim 0):
        sum them away;
    (2) broadcasting STRETCHED dims where the input has size 1 (a's last dim, b's middle dim):
        sum them, keeping the dim (keepdims=True), so the result has the input's shape.
A 0-d input (shape ()) was copied everywhere: its gradient is the sum of all of grad.

Write unbroadcast(grad, shape) and MyAdd.backward. (The library has its own unbroadcast in
tinygrad_act/ops/_util.py: writing it yourself is the exercise.) Shapes: grad has the output's
shape; return one gradient per input with that input's shape and grad's dtype. The checker
tries shapes (2, 3)+(2, 3), (3, 4)+(4,), (2, 1, 4)+(3, 1), (4, 1)+(1, 5), (1,)+(5,),
()+(2, 3), (5,)+() and a Python number as b.
"""

import numpy as np

from tinygrad_act import Function


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum `grad` (the output's shape) back to `shape` (an input's shape): (1) sum away the dims
    broadcasting prepended, (2) sum the dims where shape has size 1, with keepdims=True."""
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
        """Return (grad_a, grad_b): d(a + b)/da = d(a + b)/db = 1, so each is grad summed back
        to its input's shape."""
        raise NotImplementedError("MyAdd.backward: return (grad_a, grad_b)")
