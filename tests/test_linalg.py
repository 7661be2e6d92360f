"""matmul: numpy's shape cases, gradients vs hand formulas and gradcheck, alignment errors."""

import numpy as np
import pytest

import tinygrad_act as ta
from tinygrad_act import gradcheck

CASES = [
    ((3, 4), (4, 2)),  # 2-D
    ((4,), (4, 2)),  # vector @ matrix
    ((3, 4), (4,)),  # matrix @ vector
    ((4,), (4,)),  # dot product
    ((5, 3, 4), (5, 4, 2)),  # batched
    ((5, 3, 4), (4, 2)),  # broadcast batch (one side)
    ((2, 1, 3, 4), (5, 4, 2)),  # broadcast batch (both sides)
    ((4,), (5, 4, 2)),  # 1-D against batch
]


@pytest.mark.parametrize("sa, sb", CASES)
def test_matmul_values_and_gradients(sa, sb):
    rng = np.random.default_rng(0)
    a_np, b_np = rng.standard_normal(sa), rng.standard_normal(sb)
    a = ta.tensor(a_np, requires_grad=True)
    b = ta.tensor(b_np, requires_grad=True)
    out = a @ b
    np.testing.assert_allclose(out.numpy(), a_np @ b_np, rtol=1e-12)
    assert gradcheck(lambda x, y: x @ y, (a, b))


def test_matmul_2d_gradient_formula():
    rng = np.random.default_rng(1)
    a_np, b_np = rng.standard_normal((3, 4)), rng.standard_normal((4, 2))
    g = rng.standard_normal((3, 2))
    a = ta.tensor(a_np, requires_grad=True)
    b = ta.tensor(b_np, requires_grad=True)
    (a @ b).backward(gradient=g)
    np.testing.assert_allclose(a.grad.numpy(), g @ b_np.T, rtol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), a_np.T @ g, rtol=1e-12)


def test_matmul_alignment_error_names_shapes():
    with pytest.raises(
        ValueError, match=r"matmul: shapes \(3, 4\) and \(5, 2\) do not align: 4 != 5"
    ):
        ta.ones(3, 4) @ ta.ones(5, 2)
    with pytest.raises(ValueError, match="at least 1-D"):
        ta.ones(3) @ ta.tensor(2.0)


def test_matmul_with_numpy_operand():
    x = ta.ones(2, 3, requires_grad=True)
    y = x @ np.ones((3, 1))
    assert y.dtype == ta.float32 and y.shape == (2, 1)


# ---- hand-derived gradients for every batched / broadcast case (loops, not the engine's code) --
def _grads(sa, sb, seed=2):
    rng = np.random.default_rng(seed)
    a_np, b_np = rng.standard_normal(sa), rng.standard_normal(sb)
    a = ta.tensor(a_np, dtype=ta.float64, requires_grad=True)
    b = ta.tensor(b_np, dtype=ta.float64, requires_grad=True)
    out = a @ b
    g = rng.standard_normal(out.shape)
    out.backward(gradient=g)
    return a_np, b_np, g, a.grad.numpy(), b.grad.numpy()


def test_batched_matmul_gradient_is_per_batch_g_bt_and_at_g():
    a, b, g, ga, gb = _grads((5, 3, 4), (5, 4, 2))
    for i in range(5):  # each batch element is its own 2-D matmul
        np.testing.assert_allclose(ga[i], g[i] @ b[i].T, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(gb[i], a[i].T @ g[i], rtol=1e-12, atol=1e-14)


def test_broadcast_matmul_gradient_sums_over_the_batch_the_matrix_was_shared_with():
    a, b, g, ga, gb = _grads((5, 3, 4), (4, 2))  # B is used by all 5 batch elements
    np.testing.assert_allclose(ga, np.stack([g[i] @ b.T for i in range(5)]), rtol=1e-12)
    np.testing.assert_allclose(gb, sum(a[i].T @ g[i] for i in range(5)), rtol=1e-12)
    a, b, g, ga, gb = _grads((3, 4), (5, 4, 2))  # A shared: dA = sum over batch of g @ B^T
    np.testing.assert_allclose(ga, sum(g[i] @ b[i].T for i in range(5)), rtol=1e-12)
    np.testing.assert_allclose(gb, np.stack([a.T @ g[i] for i in range(5)]), rtol=1e-12)


def test_matmul_broadcast_on_both_sides_sums_each_over_its_own_copies():
    a, b, g, ga, gb = _grads((2, 1, 3, 4), (5, 4, 2))  # out (2, 5, 3, 2)
    assert g.shape == (2, 5, 3, 2) and ga.shape == (2, 1, 3, 4) and gb.shape == (5, 4, 2)
    for i in range(2):  # a[i, 0] meets b[j] for every j
        expect = sum(g[i, j] @ b[j].T for j in range(5))
        np.testing.assert_allclose(ga[i, 0], expect, rtol=1e-12, atol=1e-14)
    for j in range(5):  # b[j] meets a[i, 0] for every i
        expect = sum(a[i, 0].T @ g[i, j] for i in range(2))
        np.testing.assert_allclose(gb[j], expect, rtol=1e-12, atol=1e-14)


def test_matmul_with_vectors_gradients_are_outer_products():
    a, b, g, ga, gb = _grads((3, 4), (4,))  # out (3,): out_i = sum_k A_ik b_k
    np.testing.assert_allclose(ga, np.outer(g, b), rtol=1e-12)
    np.testing.assert_allclose(gb, a.T @ g, rtol=1e-12)
    a, b, g, ga, gb = _grads((4,), (5, 4, 2))  # out (5, 2): out_jn = sum_k a_k B_jkn
    np.testing.assert_allclose(ga, sum(b[j] @ g[j] for j in range(5)), rtol=1e-12)
    np.testing.assert_allclose(gb, np.stack([np.outer(a, g[j]) for j in range(5)]), rtol=1e-12)
    a, b, g, ga, gb = _grads((4,), (4,))  # a dot product: out is 0-d
    np.testing.assert_allclose(ga, g * b, rtol=1e-12)
    np.testing.assert_allclose(gb, g * a, rtol=1e-12)
