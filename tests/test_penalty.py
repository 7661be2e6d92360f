"""nn.activation_l1 / nn.ActivationL1: values, gradcheck, the kink at 0, hooks."""

import numpy as np
import pytest

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import gradcheck, nn


def away_from_zero(rng, shape):
    x = rng.standard_normal(shape)
    return x + np.sign(x) * 0.1  # finite differences must not straddle |h|'s kink


def test_values():
    h1 = ta.tensor([[1.0, -2.0], [0.0, 3.0]])
    h2 = ta.tensor([[-4.0]])
    assert nn.activation_l1(h1).item() == pytest.approx(1.5)
    assert nn.activation_l1([h1, h2]).item() == pytest.approx(5.5)
    assert nn.activation_l1([h1, h2], reduction="sum").item() == pytest.approx(10.0)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_gradcheck(reduction):
    rng = np.random.default_rng(0)
    a = ta.tensor(away_from_zero(rng, (4, 5)), dtype=ta.float64, requires_grad=True)
    b = ta.tensor(away_from_zero(rng, (3, 2)), dtype=ta.float64, requires_grad=True)
    assert gradcheck(lambda x, y: nn.activation_l1([x, y], reduction=reduction), (a, b))


def test_gradient_through_a_network_gradchecks():
    rng = np.random.default_rng(1)
    ta.manual_seed(1)
    model = nn.Sequential(nn.Linear(3, 6), nn.LeakyReLU(0.1), nn.Linear(6, 2)).double()
    pen = nn.ActivationL1(model, weight=0.3)
    x = ta.tensor(rng.standard_normal((5, 3)), dtype=ta.float64, requires_grad=True)

    def loss(inp):
        return F.cross_entropy(model(inp), ta.tensor([0, 1, 0, 1, 1])) + pen()

    assert gradcheck(loss, (x,))


def test_zero_activation_gets_zero_gradient():
    # PyTorch's sign(0) = 0: a ReLU unit already at 0 is not pushed anywhere
    h = ta.tensor([0.0, 2.0, -0.0, -3.0], requires_grad=True)
    nn.activation_l1(h, reduction="sum").backward()
    np.testing.assert_array_equal(h.grad.numpy(), [0.0, 1.0, 0.0, -1.0])


def test_hooks_see_the_latest_forward_only():
    ta.manual_seed(2)
    model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 1))
    with nn.ActivationL1(model, weight=2.0) as pen:
        x = ta.randn(7, 2)
        model(ta.randn(100, 2))  # an earlier forward: must not count
        model(x)
        h1 = model[1](model[0](x))
        h2 = model[3](model[2](h1))
        expected = 2.0 * (np.abs(h1.numpy()).mean() + np.abs(h2.numpy()).mean())
        assert pen().item() == pytest.approx(expected, rel=1e-6)
        assert len(pen.outputs) == 2
    assert not model[1]._forward_hooks  # removed on exit


def test_penalty_gradient_reaches_the_weights():
    ta.manual_seed(3)
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    model[0].bias.data[...] = 5.0  # every unit on: the penalty pulls the bias down
    pen = nn.ActivationL1(model, weight=1.0, reduction="sum")
    model(ta.zeros(1, 2))
    pen().backward()
    np.testing.assert_array_equal(model[0].bias.grad.numpy(), [1.0, 1.0, 1.0])


def test_errors():
    with pytest.raises(ValueError, match="reduction must be 'mean' or 'sum'"):
        nn.activation_l1(ta.zeros(2), reduction="max")
    with pytest.raises(ValueError, match="no activation outputs"):
        nn.activation_l1([])
    with pytest.raises(ValueError, match="has no activation module"):
        nn.ActivationL1(nn.Sequential(nn.Linear(2, 2)), weight=0.1)
    with pytest.raises(ValueError, match="weight must be >= 0"):
        nn.ActivationL1(nn.Sequential(nn.Linear(2, 2), nn.ReLU()), weight=-1.0)
