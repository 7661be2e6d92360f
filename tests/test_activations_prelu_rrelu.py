"""prelu (a weight input with its own gradient) and rrelu (random slopes): the two activations
with hand-written Function classes in ops/activations.py."""

from __future__ import annotations

import numpy as np
import pytest
from activation_golden import RTOL, check_close, golden

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import gradcheck

# numpy or Numba warnings (also while compiling, on a cold cache) fail these tests
pytestmark = pytest.mark.filterwarnings("error")


def _prelu_numpy(x: np.ndarray, w: np.ndarray, g: np.ndarray):
    """Independent reference: slope w[c] along dim 1 (or one slope), dweight summed elsewhere."""
    shape = [1] * x.ndim
    if w.size > 1:
        shape[1] = w.size
    wb = w.reshape(shape) if x.ndim else w.reshape(())
    y = np.where(x > 0, x, wb * x)
    gx = np.where(x > 0, g, wb * g)
    contrib = np.where(x > 0, 0.0, x * g)
    if w.size > 1:
        gw = contrib.sum(axis=tuple(i for i in range(x.ndim) if i != 1))
    else:
        gw = np.array([contrib.sum()])
    return y, gx, gw.reshape(w.shape)


@pytest.mark.parametrize("dt", ["float32", "float64"])
def test_prelu_per_channel_matches_pytorch(dt):
    G = golden()
    key = f"prelu_channels|{dt}"
    x, w, g = G[key + "|x"], G[key + "|w"], G[key + "|g"]
    tx, tw = ta.tensor(x, dtype=x.dtype, requires_grad=True), ta.tensor(w, requires_grad=True)
    F.prelu(tx, tw).backward(gradient=g)
    check_close("prelu value", F.prelu(tx, tw).numpy(), G[key + "|y"], RTOL[dt])
    check_close("prelu grad x", tx.grad.numpy(), G[key + "|gx"], RTOL[dt])
    check_close("prelu grad weight", tw.grad.numpy(), G[key + "|gw"], RTOL[dt])


@pytest.mark.parametrize(
    "shape, wsize",
    [
        ((7,), 1),
        ((), 1),
        ((5, 3), 3),
        ((5, 3), 1),
        ((2, 3, 4), 3),
        ((2, 4, 3, 3), 4),
        ((2, 4, 3, 3), 1),
    ],
)
def test_prelu_shapes_against_numpy(shape, wsize):
    rng = np.random.default_rng(sum(shape) + wsize)
    x = rng.standard_normal(shape)
    x.flat[0] = 0.0  # the kink: the slope applies
    w = rng.uniform(-0.5, 0.5, wsize)
    g = rng.standard_normal(shape)
    tx = ta.tensor(x, dtype=ta.float64, requires_grad=True)
    tw = ta.tensor(w, dtype=ta.float64, requires_grad=True)
    y = F.prelu(tx, tw)
    y.backward(gradient=g)
    ry, rgx, rgw = _prelu_numpy(x, w, g)
    np.testing.assert_allclose(y.numpy(), ry, rtol=1e-12)
    np.testing.assert_allclose(tx.grad.numpy(), rgx, rtol=1e-12)
    np.testing.assert_allclose(tw.grad.numpy(), rgw, rtol=1e-10, atol=1e-12)
    assert tw.grad.shape == (wsize,)


def test_prelu_gradcheck_input_and_weight():
    rng = np.random.default_rng(0)
    x = rng.uniform(-3, 3, (3, 2, 4))
    x = np.where(np.abs(x) < 0.05, 0.5, x)
    tx = ta.tensor(x, dtype=ta.float64, requires_grad=True)
    tw = ta.tensor([0.2, -0.3], dtype=ta.float64, requires_grad=True)
    assert gradcheck(F.prelu, (tx, tw))


def test_prelu_bad_weights_name_shapes_and_fix():
    x = ta.randn(4, 3, 5)
    with pytest.raises(
        ValueError, match=r"\(4,\).*\(4, 3, 5\).*3 channel.*\(1,\) or \(3,\).*num_parameters=3"
    ):
        F.prelu(x, ta.tensor([0.1, 0.2, 0.3, 0.4]))
    with pytest.raises(ValueError, match=r"1 channel"):
        F.prelu(ta.randn(6), ta.tensor([0.1, 0.2]))
    with pytest.raises(ValueError, match="scalar or 1-D"):
        F.prelu(x, ta.tensor([[0.1, 0.2, 0.3]]))
    with pytest.raises(TypeError, match="weight is float32 but input is float64"):
        F.prelu(ta.randn(2, 3, dtype=ta.float64), ta.tensor([0.25]))
    with pytest.raises(TypeError, match="int64"):
        F.prelu(ta.tensor([1, 2]), ta.tensor([0.25]))


def test_prelu_module_learns_its_weight():
    m = ta.nn.PReLU(num_parameters=3)
    assert isinstance(m.weight, ta.nn.Parameter) and m.weight.shape == (3,)
    np.testing.assert_array_equal(m.weight.numpy(), [0.25, 0.25, 0.25])
    assert [n for n, _ in m.named_parameters()] == ["weight"]
    x = ta.tensor(-np.ones((2, 3, 4), dtype=np.float32))
    m(x).sum().backward()
    np.testing.assert_array_equal(m.weight.grad.numpy(), [-8.0, -8.0, -8.0])


def test_rrelu_training_draws_seeded_slopes_and_saves_them():
    x = ta.tensor(np.linspace(-3, 3, 2001), dtype=ta.float64, requires_grad=True)
    ta.manual_seed(123)
    y = F.rrelu(x, lower=0.1, upper=0.3, training=True)
    (noise,) = y.grad_fn.saved_tensors
    assert noise.dtype == np.float64 and noise.shape == (2001,)
    xs = x.numpy()
    neg = xs <= 0
    assert ((noise[neg] >= 0.1) & (noise[neg] < 0.3)).all()
    assert noise[neg].std() > 0.04  # spread over the interval, not a constant
    np.testing.assert_array_equal(noise[~neg], 1.0)
    np.testing.assert_array_equal(y.numpy(), np.where(neg, xs * noise, xs))
    y.backward(gradient=np.ones(2001))
    np.testing.assert_array_equal(x.grad.numpy(), noise)  # x = 0 takes its slope too
    ta.manual_seed(123)
    again = F.rrelu(x, lower=0.1, upper=0.3, training=True).numpy()
    np.testing.assert_array_equal(again, y.numpy())
    ta.manual_seed(124)
    assert not np.array_equal(F.rrelu(x, lower=0.1, upper=0.3, training=True).numpy(), y.numpy())


def test_rrelu_eval_uses_the_mean_slope():
    x = ta.tensor([-2.0, 0.0, 3.0], requires_grad=True)
    y = F.rrelu(x, lower=0.1, upper=0.3)
    np.testing.assert_allclose(y.numpy(), [-0.4, 0.0, 3.0], rtol=1e-6)
    (mask,) = y.grad_fn.saved_tensors
    assert mask.dtype == np.bool_
    y.backward(gradient=np.ones(3, dtype=np.float32))
    np.testing.assert_allclose(x.grad.numpy(), [0.2, 0.2, 1.0], rtol=1e-6)


def test_rrelu_module_follows_train_and_eval():
    m = ta.nn.RReLU(0.1, 0.3)
    x = ta.tensor(-np.ones(1000, dtype=np.float32))
    ta.manual_seed(0)
    train = m(x).numpy()
    assert train.std() > 0.01
    m.eval()
    np.testing.assert_allclose(m(x).numpy(), -0.2, rtol=1e-6)
