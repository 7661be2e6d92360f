"""nn activation modules (nn/activations.py): PyTorch's constructor arguments, attributes, reprs,
and that forward is the functional op."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import nn

# numpy or Numba warnings (also while compiling, on a cold cache) fail these tests
pytestmark = pytest.mark.filterwarnings("error")

# Copied from `repr(torch.nn.<Module>(...))` with torch 2.13.
TORCH_REPRS = [
    (lambda: nn.ReLU(), "ReLU()"),
    (lambda: nn.ReLU(inplace=True), "ReLU(inplace=True)"),
    (lambda: nn.LeakyReLU(), "LeakyReLU(negative_slope=0.01)"),
    (lambda: nn.LeakyReLU(0.2, True), "LeakyReLU(negative_slope=0.2, inplace=True)"),
    (lambda: nn.PReLU(), "PReLU(num_parameters=1)"),
    (lambda: nn.PReLU(3), "PReLU(num_parameters=3)"),
    (lambda: nn.RReLU(), "RReLU(lower=0.125, upper=0.3333333333333333)"),
    (lambda: nn.ELU(), "ELU(alpha=1.0)"),
    (lambda: nn.ELU(2.0, True), "ELU(alpha=2.0, inplace=True)"),
    (lambda: nn.CELU(), "CELU(alpha=1.0)"),
    (lambda: nn.SELU(), "SELU()"),
    (lambda: nn.SELU(True), "SELU(inplace=True)"),
    (lambda: nn.GELU(), "GELU(approximate='none')"),
    (lambda: nn.GELU("tanh"), "GELU(approximate='tanh')"),
    (lambda: nn.SiLU(), "SiLU()"),
    (lambda: nn.Mish(), "Mish()"),
    (lambda: nn.Softplus(), "Softplus(beta=1.0, threshold=20.0)"),
    (lambda: nn.ReLU6(), "ReLU6()"),
    (lambda: nn.Hardtanh(), "Hardtanh(min_val=-1.0, max_val=1.0)"),
    (lambda: nn.Hardswish(), "Hardswish()"),
    (lambda: nn.Hardsigmoid(), "Hardsigmoid()"),
    (lambda: nn.Softsign(), "Softsign()"),
    (lambda: nn.Sigmoid(), "Sigmoid()"),
    (lambda: nn.Tanh(), "Tanh()"),
    (lambda: nn.Threshold(0.1, 20.0), "Threshold(threshold=0.1, value=20.0)"),
    (lambda: nn.Threshold(0.1, 20.0, True), "Threshold(threshold=0.1, value=20.0, inplace=True)"),
]


@pytest.mark.parametrize("make, expected", TORCH_REPRS, ids=[r for _, r in TORCH_REPRS])
def test_reprs_match_pytorch(make, expected):
    assert repr(make()) == expected


def test_attributes_and_positional_arguments():
    m = nn.Hardtanh(-2.0, 3.0)
    assert (m.min_val, m.max_val, m.inplace) == (-2.0, 3.0, False)
    assert nn.LeakyReLU(0.3).negative_slope == 0.3
    assert nn.Softplus(2.0, 5.0).threshold == 5.0
    assert nn.GELU().approximate == "none"
    assert list(nn.ReLU().parameters()) == []
    with pytest.raises(TypeError, match="missing required argument 'value'"):
        nn.Threshold(0.1)
    with pytest.raises(TypeError, match="unexpected"):
        nn.ReLU(slope=2)


@pytest.mark.parametrize(
    "module, fn",
    [
        (nn.ReLU(), F.relu),
        (nn.LeakyReLU(0.2), lambda x: F.leaky_relu(x, 0.2)),
        (nn.ELU(1.5), lambda x: F.elu(x, 1.5)),
        (nn.GELU("tanh"), lambda x: F.gelu(x, approximate="tanh")),
        (nn.Softplus(2.0, 10.0), lambda x: F.softplus(x, 2.0, 10.0)),
        (nn.Hardtanh(-0.5, 2.0), lambda x: F.hardtanh(x, -0.5, 2.0)),
        (nn.Threshold(0.5, -2.0), lambda x: F.threshold(x, 0.5, -2.0)),
        (nn.Tanh(), F.tanh),
    ],
)
def test_forward_is_the_functional_op(module, fn):
    x = ta.tensor(np.linspace(-4, 4, 17), requires_grad=True)
    np.testing.assert_array_equal(module(x).numpy(), fn(x).numpy())
    g = np.linspace(-1, 1, 17).astype(np.float32)
    module(x).backward(gradient=g)
    via_module = x.grad.numpy().copy()
    x.grad = None
    fn(x).backward(gradient=g)
    np.testing.assert_array_equal(via_module, x.grad.numpy())
    assert np.abs(via_module).sum() > 0  # the gradient flowed


def test_module_gradients_have_the_derivatives_values():
    x = ta.tensor([-2.0, -0.5, 0.0, 0.5, 7.0], dtype=ta.float64, requires_grad=True)
    nn.LeakyReLU(0.2)(x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.2, 0.2, 0.2, 1.0, 1.0])  # slope at 0
    x.grad = None
    nn.Hardtanh(-1.0, 6.0)(x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1.0, 1.0, 1.0, 0.0])
    x.grad = None
    nn.ELU(1.5)(x).sum().backward()
    want = [1.5 * np.exp(-2.0), 1.5 * np.exp(-0.5), 1.5, 1.0, 1.0]  # alpha at 0
    np.testing.assert_allclose(x.grad.numpy(), want, rtol=1e-15)


def test_inplace_module_in_a_sequence_keeps_gradients_right():
    w = ta.tensor([[1.0, -1.0]], requires_grad=True)
    x = ta.tensor([[2.0], [3.0]])
    h = x @ w
    y = nn.ReLU(inplace=True)(h)  # in place on h: matmul saved x and w, not h, so this is safe
    assert y is h and h.tolist() == [[2.0, 0.0], [3.0, 0.0]]
    y.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [[5.0, 0.0]])
