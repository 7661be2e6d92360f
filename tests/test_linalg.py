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
