"""Conv1d kernels: im2col (unfold the input into columns) and col2im (fold gradients back).

A 1-D convolution is a matmul once every receptive field is laid out as a column:

    x:    (N, C, L)                       input, zero-padded by `padding` on both sides
    cols: (C, K, N, L_out)              cols[c, k, n, j] = x[n, c, j*stride + k*dilation - padding]
                                          (0 where that index falls in the padding)
    W:    (C_out, C*K)                    the weight (C_out, C, K) with its last two dims merged
    y:    (C_out, N*L_out) = W @ cols     then viewed as (N, C_out, L_out)

Columns are (C, K, N, L_out) rather than (N, C*K, L_out) so that the whole batch is ONE BLAS
matmul (N small matmuls would spend their time in call overhead at MNIST-1D sizes), and so that
groups are contiguous slices of the C axis: group g's columns are cols[g*C/G:(g+1)*C/G].

Backward of y = W @ cols is the usual pair of matmuls (done with BLAS in ops/conv.py); the only
conv-specific step is col2im, the adjoint of im2col: every column entry adds its gradient back to
the input position it was copied from. Positions read by several windows (stride < K) get the sum;
positions in the padding are dropped, and positions no window reads get 0.
"""

from __future__ import annotations

from ._parallel import njit


@njit
def im2col(x, cols, stride, padding, dilation):
    """cols[c, k, n, j] = x[n, c, j*stride + k*dilation - padding], or 0 in the padding."""
    n_batch, channels, length = x.shape
    ksize = cols.shape[1]
    l_out = cols.shape[3]
    for c in range(channels):
        for k in range(ksize):
            offset = k * dilation - padding
            for n in range(n_batch):
                for j in range(l_out):
                    i = j * stride + offset
                    if 0 <= i < length:
                        cols[c, k, n, j] = x[n, c, i]
                    else:
                        cols[c, k, n, j] = 0.0


@njit
def col2im(grad_cols, grad_x, stride, padding, dilation):
    """grad_x[n, c, i] = sum of grad_cols[c, k, n, j] over every (k, j) with
    j*stride + k*dilation - padding == i (the adjoint of im2col). grad_x is overwritten."""
    n_batch, channels, length = grad_x.shape
    ksize = grad_cols.shape[1]
    l_out = grad_cols.shape[3]
    for n in range(n_batch):
        for c in range(channels):
            for i in range(length):
                grad_x[n, c, i] = 0.0
    for c in range(channels):
        for k in range(ksize):
            offset = k * dilation - padding
            for n in range(n_batch):
                for j in range(l_out):
                    i = j * stride + offset
                    if 0 <= i < length:
                        grad_x[n, c, i] += grad_cols[c, k, n, j]


@njit
def channels_first_bias(y, bias, out):
    """out[n, o, j] = y[o, n, j] + bias[o]: the matmul's (C_out, N, L_out) as (N, C_out, L_out).

    One pass that both transposes and adds the bias (numpy would make two)."""
    c_out, n_batch, l_out = y.shape
    for n in range(n_batch):
        for o in range(c_out):
            b = bias[o]
            for j in range(l_out):
                out[n, o, j] = y[o, n, j] + b


@njit
def channels_major_sum(grad_out, grad_t, grad_bias):
    """grad_t[o, n, j] = grad_out[n, o, j], and grad_bias[o] = sum over n, j of grad_out[n, o, j].

    The transpose backward's matmuls need, with the bias gradient folded into the same pass."""
    n_batch, c_out, l_out = grad_out.shape
    for o in range(c_out):
        grad_bias[o] = 0.0
    for n in range(n_batch):
        for o in range(c_out):
            s = 0.0
            for j in range(l_out):
                g = grad_out[n, o, j]
                grad_t[o, n, j] = g
                s += g
            grad_bias[o] += s
