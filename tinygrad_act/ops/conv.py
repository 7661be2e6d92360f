"""conv1d as ONE graph node: im2col + one BLAS matmul forward, two matmuls + col2im backward.

    x: (N, C_in, L)   W: (C_out, C_in/G, K)   b: (C_out,)   y: (N, C_out, L_out)
    L_out = (L + 2*padding - dilation*(K-1) - 1) // stride + 1

Per group g (G = groups; G = 1 is the common case), with cols the unfolded input (kernels/conv.py):
    y_g  = W_g @ cols_g              (C_out/G, C_in/G*K) @ (C_in/G*K, N*L_out)
    dW_g = dy_g @ cols_g^T           -> (C_out/G, C_in/G*K)
    dcols_g = W_g^T @ dy_g           -> folded back onto x by col2im
    db   = sum of dy over N and L_out

Saved for backward: the columns (only if W needs a gradient) and W (only if x does). The columns
are K times the size of x; recomputing them in backward would save that memory at the cost of a
second im2col, which at MNIST-1D sizes is the cheaper side of the trade to keep.
Argument checks live in functional/conv.py; this class trusts its inputs.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..kernels import conv as K


def conv1d_out_length(
    length: int, ksize: int, stride: int, padding: int, dilation: int, padding_right=None
) -> int:
    """PyTorch's output length. padding_right (None: the same as padding) differs only for
    padding='same' with an odd dilation*(K-1): one more zero on the right, as PyTorch pads."""
    right = padding if padding_right is None else padding_right
    return (length + padding + right - dilation * (ksize - 1) - 1) // stride + 1


class Conv1d(Function):
    """y[n, o, j] = b[o] + sum_{c,k} W[o, c, k] * x[n, g*C/G + c, j*stride + k*dilation - padding]

    (g = the group of output channel o)."""

    @staticmethod
    def forward(
        ctx, x, weight, bias=None, *, stride=1, padding=0, dilation=1, groups=1, padding_right=None
    ):
        x = np.ascontiguousarray(x)
        n, c_in, length = x.shape
        c_out, c_group, ksize = weight.shape
        # the kernels read the left padding; the right one only decides how many outputs exist
        l_out = conv1d_out_length(length, ksize, stride, padding, dilation, padding_right)
        cols = np.empty((c_in, ksize, n, l_out), dtype=x.dtype)
        K.im2col(x, cols, stride, padding, dilation)
        w2 = weight.reshape(groups, c_out // groups, c_group * ksize)
        c2 = cols.reshape(groups, c_group * ksize, n * l_out)
        y = np.matmul(w2[0], c2[0]) if groups == 1 else np.matmul(w2, c2)
        out = np.empty((n, c_out, l_out), dtype=x.dtype)
        b = bias if bias is not None else np.zeros(c_out, dtype=x.dtype)
        K.channels_first_bias(y.reshape(c_out, n, l_out), b, out)
        nx, nw = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        if nx or nw:
            ctx.save_for_backward(c2 if nw else None, w2 if nx else None)
            ctx.geometry = (x.shape, weight.shape, stride, padding, dilation, groups)
        return out

    @staticmethod
    def backward(ctx, grad):
        c2, w2 = ctx.saved_tensors
        x_shape, w_shape, stride, padding, dilation, groups = ctx.geometry
        nx, nw, nb = ctx.needs_input_grad[:3]
        grad = np.ascontiguousarray(grad)
        n, c_out, l_out = grad.shape
        grad_t = np.empty((c_out, n, l_out), dtype=grad.dtype)
        gb = np.empty(c_out, dtype=grad.dtype)
        K.channels_major_sum(grad, grad_t, gb)
        g2 = grad_t.reshape(groups, c_out // groups, n * l_out)
        gx = gw = None
        if nw:
            if groups == 1:
                gw = np.matmul(g2[0], c2[0].T).reshape(w_shape)
            else:
                gw = np.matmul(g2, c2.transpose(0, 2, 1)).reshape(w_shape)
        if nx:
            if groups == 1:
                gcols = np.matmul(w2[0].T, g2[0])
            else:
                gcols = np.matmul(w2.transpose(0, 2, 1), g2)
            c_in, ksize = x_shape[1], w_shape[2]
            gx = np.empty(x_shape, dtype=grad.dtype)
            K.col2im(gcols.reshape(c_in, ksize, n, l_out), gx, stride, padding, dilation)
        return gx, gw, (gb if nb else None)
