"""sparse_linear: y = x @ W^T + b for an input x that is mostly exact zeros (a ReLU's output).

Same math and gradients as `ops/linear.py`'s Linear; the difference is what is computed and saved:

    forward   x -> CSR (nonzeros only), y = b + CSR @ W^T       kernels/sparse.py, skips zeros
    saves     the CSR of x (indices + values of the nonzeros), not the dense x
    dW        = dy^T @ x from the CSR                          kernels/sparse.py, skips zeros
    dx        = dy @ W                                         dense BLAS (dy has no zeros)
    db        = sum of dy over the batch

It pays only when x is sparse enough: benchmarks/bench_sparse.py measures where it overtakes
BLAS. Values agree with `F.linear` to rounding (see kernels/sparse.py for the exact statement).
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..kernels import sparse as K

# Output columns per cache slab: the slab Wt[:, block] (in_features * block numbers) should stay
# in a core's L2 (1 MiB here). Measured at 256 x 4096 x 4096: 1 MiB slabs (64 columns) were the
# fastest at 50% sparsity, 4 MiB at 90% (by 10%), 256 KiB was 2.7x slower at 99%.
SLAB_BYTES = 1 << 20
# numpy's transpose copy is faster while both arrays sit in cache (128 x 128: 6 us vs 8 us), the
# tiled kernel beyond (4096 x 4096: 24 ms vs 245 ms); kernels/sparse.py says why.
TILED_TRANSPOSE_FROM = 1 << 16


def slab_columns(in_features: int, out_features: int, itemsize: int) -> int:
    """How many output columns the kernels process per pass (at least 16: a few vector widths)."""
    cols = SLAB_BYTES // max(1, in_features * itemsize)
    return int(min(max(out_features, 1), max(16, cols)))


def to_csr(x2: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(indptr, indices, values) of a C-contiguous (N, K) array: the sparse code of x."""
    nnz = int(np.count_nonzero(x2))
    indptr = np.empty(x2.shape[0] + 1, dtype=np.int64)
    indices = np.empty(nnz, dtype=np.int32 if x2.shape[1] < 2**31 else np.int64)
    values = np.empty(nnz, dtype=x2.dtype)
    K.dense_to_csr(x2, indptr, indices, values)
    return indptr, indices, values


def transposed(a: np.ndarray) -> np.ndarray:
    """a^T as a new C-contiguous array (tiled copy: fast for large power-of-two shapes too)."""
    if a.size < TILED_TRANSPOSE_FROM:
        return np.ascontiguousarray(a.T)
    out = np.empty((a.shape[1], a.shape[0]), dtype=a.dtype)
    K.transpose_into(a, out)
    return out


def csr_linear(x2: np.ndarray, weight: np.ndarray, bias: np.ndarray | None):
    """Forward on a C-contiguous (N, in) x2: returns (y (N, out), csr of x2, column block)."""
    csr = to_csr(x2)
    block = slab_columns(x2.shape[1], weight.shape[0], x2.dtype.itemsize)
    out = np.zeros((x2.shape[0], weight.shape[0]), dtype=x2.dtype)
    if bias is not None:
        out += bias
    K.csr_linear_forward(*csr, transposed(weight), out, block)
    return out, csr, block


def csr_weight_grad(csr: tuple, grad2: np.ndarray, in_features: int, block: int) -> np.ndarray:
    """dL/dW (out, in) = grad2^T @ x from the CSR of x; grad2: C-contiguous (N, out)."""
    gwt = np.zeros((in_features, grad2.shape[1]), dtype=grad2.dtype)
    K.csr_linear_weight_grad(*csr, grad2, gwt, block)
    return transposed(gwt)


class SparseLinear(Function):
    """y = x @ weight^T + bias, skipping the zero entries of x (forward and weight gradient)."""

    @staticmethod
    def forward(ctx, x, weight, bias=None):
        lead, k_in = x.shape[:-1], x.shape[-1]
        out, csr, block = csr_linear(np.ascontiguousarray(x.reshape(-1, k_in)), weight, bias)
        nx, nw = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        if nx or nw:
            ctx.save_for_backward(csr if nw else None, weight if nx else None)
            ctx.in_features, ctx.block = k_in, block
        return out.reshape(*lead, weight.shape[0])

    @staticmethod
    def backward(ctx, grad):
        csr, weight = ctx.saved_tensors
        nx, nw, nb = ctx.needs_input_grad
        gx = np.matmul(grad, weight) if nx else None
        gw = gb = None
        if nw or nb:
            g2 = np.ascontiguousarray(grad.reshape(-1, grad.shape[-1]))
            if nw:
                gw = csr_weight_grad(csr, g2, ctx.in_features, ctx.block)
            if nb:
                gb = g2.sum(axis=0)
        return gx, gw, gb


def sparse_linear(input, weight, bias=None):  # noqa: A002 - PyTorch's name
    """F.linear for a sparse input: input (*, in), weight (out, in), bias (out,) or None.

    Use it where the input is a ReLU's output (many exact zeros); same values as F.linear to
    rounding, same gradients, less work and a smaller saved code when the input is sparse enough.
    """
    from ..tensor import Tensor

    op = "sparse_linear"
    for name, t in (("input", input), ("weight", weight), ("bias", bias)):
        if t is not None and not isinstance(t, Tensor):
            raise TypeError(f"{op}: {name} must be a Tensor, got {type(t).__name__}")
    if input.ndim == 0 or weight.ndim != 2:
        raise ValueError(
            f"{op}: needs input of shape (*, in_features) and weight (out_features, in_features), "
            f"got input {input.shape} and weight {weight.shape}"
        )
    if input.shape[-1] != weight.shape[1]:
        raise ValueError(
            f"{op}: input has {input.shape[-1]} features (shape {input.shape}) but weight "
            f"{weight.shape} expects {weight.shape[1]}"
        )
    if input.dtype.char not in "fd" or input.dtype != weight.dtype:
        raise TypeError(
            f"{op}: input ({input.dtype}) and weight ({weight.dtype}) must both be float32 or "
            "both float64; convert one (x.float(), or build the layer with that dtype)"
        )
    if bias is not None and (bias.shape != (weight.shape[0],) or bias.dtype != weight.dtype):
        raise ValueError(
            f"{op}: bias has shape {bias.shape} and dtype {bias.dtype}, expected "
            f"({weight.shape[0]},) {weight.dtype} to match weight {weight.shape}"
        )
    return SparseLinear.apply(input, weight, bias)
