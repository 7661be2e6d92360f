"""Kernels of a Linear layer whose input is mostly exact zeros (the output of a ReLU).

A dense matmul multiplies every x[n, k] by a column of W, zero or not. When x comes from a ReLU,
typically half or more of its entries are exactly 0 and those products contribute nothing. These
kernels store x as CSR (per row n: the positions k and values of its nonzeros) and do the work of
the nonzeros only:

    forward        y[n, :]   = b + sum over nonzero x[n, k] of x[n, k] * Wt[k, :]
    weight grad    dWt[k, :] = sum over rows n with x[n, k] != 0 of x[n, k] * g[n, :]

with Wt = W^T, shape (in, out), so each update is a contiguous row (an axpy that LLVM vectorizes).
Work is nnz * out multiply-adds instead of N * in * out. The loops over output columns run in
blocks of `block` columns so that the slab Wt[:, block] (in * block numbers) stays in cache while
every row n streams through it; without blocking a 4096 x 4096 layer reads all of W from memory
once per input row. The gradient for x itself (g @ W) is dense in general and stays a BLAS matmul.

Rounding: each output sums its terms in increasing k, skipping exact zeros. Adding 0 never changes
a float sum, so the result equals a dense k-ordered sum bit for bit; BLAS orders its sums
differently (blocking, SIMD lanes), so against np.matmul it agrees to rounding (<= 2 gamma_K
sum_k |x_k w_k|, gamma_K = K u / (1 - K u)). One difference from the dense product: a zero
x[n, k] times an inf or NaN weight is skipped (the dense product gives NaN there).

Serial on purpose: the benchmark (benchmarks/bench_sparse.py) compares it with single-threaded
BLAS, kernel against kernel.
"""

from __future__ import annotations

from ._parallel import njit

# 'contract' lets LLVM fuse a*b+c into one FMA (as BLAS does); it keeps inf/NaN semantics.
kernel = njit(fastmath={"contract"})


@kernel
def dense_to_csr(x, indptr, indices, values):
    """CSR of the (N, K) array x: indptr (N + 1,), indices/values (nnz,) preallocated.

    nnz must equal the number of entries with x != 0 (np.count_nonzero); NaN counts as nonzero.
    """
    zero = x.dtype.type(0)
    p = 0
    indptr[0] = 0
    for n in range(x.shape[0]):
        for k in range(x.shape[1]):
            v = x[n, k]
            if v != zero:
                indices[p] = k
                values[p] = v
                p += 1
        indptr[n + 1] = p


@kernel
def csr_linear_forward(indptr, indices, values, wt, out, block):
    """out[n, :] += sum_p values[p] * wt[indices[p], :] over row n's nonzeros p.

    wt: (K, M) = W^T, C-contiguous. out: (N, M), preset by the caller (to the bias, or 0).
    block: output columns per slab (>= 1), chosen by the caller from the cache size.
    """
    n_rows = out.shape[0]
    m = out.shape[1]
    for j0 in range(0, m, block):
        j1 = min(j0 + block, m)
        for n in range(n_rows):
            # 1-D views: LLVM vectorizes the axpy on them (2-D indexing was 4-12x slower)
            orow = out[n, j0:j1]
            for p in range(indptr[n], indptr[n + 1]):
                v = values[p]
                wrow = wt[indices[p], j0:j1]
                for j in range(orow.shape[0]):
                    orow[j] += v * wrow[j]


@kernel
def csr_linear_weight_grad(indptr, indices, values, grad, gwt, block):
    """gwt[k, :] += sum over rows n with x[n, k] != 0 of x[n, k] * grad[n, :].

    grad: (N, M) = dL/dy, C-contiguous. gwt: (K, M) = (dL/dW)^T, preset by the caller (to 0).
    """
    n_rows = grad.shape[0]
    m = grad.shape[1]
    for j0 in range(0, m, block):
        j1 = min(j0 + block, m)
        for n in range(n_rows):
            grow = grad[n, j0:j1]
            for p in range(indptr[n], indptr[n + 1]):
                v = values[p]
                grow_k = gwt[indices[p], j0:j1]
                for j in range(grow.shape[0]):
                    grow_k[j] += v * grow[j]


@kernel
def transpose_into(a, out):
    """out = a^T for a 2-D a (M, K) and a C-contiguous out (K, M), in 8 x 8 tiles.

    numpy's strided copy (np.ascontiguousarray(a.T)) walks one side with a stride of a whole
    row; at 4096 x 4096 float32 that stride is 16 KiB, every access maps to the same cache sets,
    and the copy took 245 ms here. Tiles keep both sides in cache: 24 ms. (Below ~64K elements
    everything is in cache anyway and numpy's copy is faster: ops/sparse_linear.py picks.)
    """
    n, m = a.shape
    tile = 8
    for i0 in range(0, n, tile):
        i1 = min(i0 + tile, n)
        for j0 in range(0, m, tile):
            for j in range(j0, min(j0 + tile, m)):
                for i in range(i0, i1):
                    out[j, i] = a[i, j]
