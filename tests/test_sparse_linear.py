"""sparse_linear (ops/sparse_linear.py, kernels/sparse.py) against the dense product.

Random sparsity patterns from 0% to 100% zeros, float32 and float64, with and without bias,
batched inputs; exact (integer-valued) cases compared bit for bit; gradients against the dense
Linear and gradcheck; clear errors.
"""

import numpy as np
import pytest

import tinygrad_act as ta
from tinygrad_act import gradcheck
from tinygrad_act.kernels import sparse as K
from tinygrad_act.ops.linear import linear
from tinygrad_act.ops.sparse_linear import slab_columns, sparse_linear, to_csr, transposed

SPARSITIES = [0.0, 0.3, 0.9, 0.99, 1.0]


def relu_like(shape, sparsity, rng, dtype):
    x = rng.standard_normal(shape)
    x = np.abs(x) + 0.01
    x[rng.random(shape) < sparsity] = 0.0
    return x.astype(dtype)


def rounding_bound(x, w, b, dtype):
    """2 gamma_K sum_k |x_k w_jk| (+|b|): any two summation orders differ by at most this."""
    k = x.shape[-1] + 1
    u = np.finfo(dtype).eps / 2
    gamma = k * u / (1 - k * u)
    mag = np.abs(x.astype(np.float64)) @ np.abs(w.astype(np.float64)).T
    if b is not None:
        mag = mag + np.abs(b)
    return 2 * gamma * mag + np.finfo(dtype).tiny


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("sparsity", SPARSITIES)
@pytest.mark.parametrize("shape", [(7, 5, 3), (64, 130, 33), (2, 3, 9, 4)])
@pytest.mark.parametrize("with_bias", [True, False])
def test_forward_matches_dense(dtype, sparsity, shape, with_bias):
    *lead, k, m = shape
    rng = np.random.default_rng(hash((sparsity, shape, with_bias)) % 2**32)
    x = relu_like((*lead, k), sparsity, rng, dtype)
    w = rng.standard_normal((m, k)).astype(dtype)
    b = rng.standard_normal(m).astype(dtype) if with_bias else None
    bt = None if b is None else ta.tensor(b)
    y = sparse_linear(ta.tensor(x), ta.tensor(w), bt).numpy()
    assert y.dtype == dtype and y.shape == (*lead, m)
    ref = x.astype(np.float64) @ w.astype(np.float64).T + (0 if b is None else b)
    assert np.all(np.abs(y - ref) <= rounding_bound(x, w, b, dtype))
    if sparsity == 1.0:  # all zeros: exactly the bias (or zero), whatever the weights
        expected = np.broadcast_to(b if b is not None else np.zeros(m, dtype), y.shape)
        np.testing.assert_array_equal(y, expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("sparsity", SPARSITIES)
def test_integer_values_are_bit_exact(dtype, sparsity):
    # small integers: every product and partial sum is exact, so any summation order gives the
    # same bits; a missing or extra term (a wrong skip) would show as a whole-number difference
    rng = np.random.default_rng(int(sparsity * 100))
    x = rng.integers(1, 5, (40, 70)).astype(dtype)
    x[rng.random(x.shape) < sparsity] = 0
    w = rng.integers(-4, 5, (20, 70)).astype(dtype)
    b = rng.integers(-3, 4, 20).astype(dtype)
    g = rng.integers(-3, 4, (40, 20)).astype(dtype)
    xs, ws, bs = (ta.tensor(a, requires_grad=True) for a in (x, w, b))
    sparse_linear(xs, ws, bs).backward(gradient=ta.tensor(g))
    np.testing.assert_array_equal(
        sparse_linear(ta.tensor(x), ta.tensor(w), ta.tensor(b)).numpy(), x @ w.T + b
    )
    np.testing.assert_array_equal(ws.grad.numpy(), g.T @ x)
    np.testing.assert_array_equal(xs.grad.numpy(), g @ w)
    np.testing.assert_array_equal(bs.grad.numpy(), g.sum(0))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("sparsity", SPARSITIES)
def test_gradients_match_dense_linear(dtype, sparsity):
    rng = np.random.default_rng(3)
    x = relu_like((6, 4, 50), sparsity, rng, dtype)
    w = rng.standard_normal((30, 50)).astype(dtype)
    b = rng.standard_normal(30).astype(dtype)
    g = rng.standard_normal((6, 4, 30)).astype(dtype)
    grads = []
    for fn in (sparse_linear, linear):
        ts = [ta.tensor(a, requires_grad=True) for a in (x, w, b)]
        fn(*ts).backward(gradient=ta.tensor(g))
        grads.append([t.grad.numpy() for t in ts])
    tol = 1e-5 if dtype == np.float32 else 1e-12
    for got, want in zip(*grads):
        assert got.dtype == dtype
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol * np.abs(want).max())
    if sparsity == 1.0:  # no nonzero input: the weight gradient is exactly zero
        assert not grads[0][1].any()


def test_gradcheck():
    rng = np.random.default_rng(4)
    x = ta.tensor(relu_like((5, 7), 0.6, rng, np.float64), requires_grad=True)
    w = ta.tensor(rng.standard_normal((3, 7)), requires_grad=True)
    b = ta.tensor(rng.standard_normal(3), requires_grad=True)
    assert gradcheck(sparse_linear, (x, w, b))
    assert gradcheck(lambda a, c: sparse_linear(a, c), (x, w))


def test_only_needed_gradients_are_saved():
    rng = np.random.default_rng(5)
    x = ta.tensor(relu_like((4, 6), 0.5, rng, np.float32))
    w = ta.tensor(rng.standard_normal((3, 6)).astype(np.float32), requires_grad=True)
    y = sparse_linear(x, w)
    csr, weight = y.grad_fn.saved_tensors
    assert weight is None  # x needs no gradient: W is not kept
    indptr, indices, values = csr
    assert values.size == np.count_nonzero(x.numpy())  # the nonzeros only, not the dense x


def test_csr_of_dense_rows():
    x = np.array([[0, 1.5, 0, -2], [0, 0, 0, 0], [3, 0, 0, np.nan]], dtype=np.float32)
    indptr, indices, values = to_csr(x)
    np.testing.assert_array_equal(indptr, [0, 2, 2, 4])
    np.testing.assert_array_equal(indices, [1, 3, 0, 3])
    np.testing.assert_array_equal(values[:3], [1.5, -2, 3])
    assert np.isnan(values[3])  # NaN is not zero: it propagates like in the dense product


def test_slab_columns_and_kernel_blocks_agree():
    # the blocked loops must give the same bits whatever the block (each sum keeps its k order)
    rng = np.random.default_rng(6)
    x = relu_like((9, 33), 0.5, rng, np.float32)
    wt = rng.standard_normal((33, 47)).astype(np.float32)
    outs = []
    for block in (1, 16, 47, 1000):
        out = np.zeros((9, 47), np.float32)
        K.csr_linear_forward(*to_csr(x), wt, out, block)
        outs.append(out)
    for o in outs[1:]:
        np.testing.assert_array_equal(o, outs[0])
    assert slab_columns(4096, 4096, 4) == 64 and slab_columns(128, 128, 4) == 128


def test_errors_name_the_op_and_fix():
    x = ta.zeros(2, 3)
    with pytest.raises(ValueError, match=r"sparse_linear: input has 3 features.*expects 4"):
        sparse_linear(x, ta.zeros(5, 4))
    with pytest.raises(TypeError, match=r"sparse_linear: input \(float32\) and weight \(float64"):
        sparse_linear(x, ta.zeros(5, 3, dtype=ta.float64))
    with pytest.raises(ValueError, match=r"bias has shape \(4,\).*expected \(5,\)"):
        sparse_linear(x, ta.zeros(5, 3), ta.zeros(4))
    with pytest.raises(TypeError, match="input must be a Tensor"):
        sparse_linear(np.zeros((2, 3)), ta.zeros(5, 3))


@pytest.mark.parametrize("shape", [(1, 1), (3, 17), (130, 9), (300, 257)])
def test_transposed_both_paths(shape):
    rng = np.random.default_rng(8)
    a = rng.standard_normal(shape).astype(np.float32)
    out = np.empty(shape[::-1], np.float32)
    K.transpose_into(a, out)  # the tiled kernel, at every size (ragged tiles included)
    np.testing.assert_array_equal(out, a.T)
    t = transposed(a)  # numpy below the threshold, the kernel above (300 x 257 > 64K)
    assert t.flags.c_contiguous
    np.testing.assert_array_equal(t, a.T)
