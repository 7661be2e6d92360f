"""Layers (tinygrad_act/nn/layers.py, ops/linear.py, ops/dropout.py)."""

from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np
import pytest

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import nn


def test_linear_shapes_repr_and_default_init_bounds():
    ta.manual_seed(0)
    lin = nn.Linear(100, 300)
    assert lin.weight.shape == (300, 100) and lin.bias.shape == (300,)
    assert lin.weight.dtype == np.float32 and lin.weight.requires_grad
    assert repr(lin) == "Linear(in_features=100, out_features=300, bias=True)"
    bound = np.float32(1 / math.sqrt(100))  # kaiming_uniform_(a=sqrt(5)) -> 1/sqrt(in)
    for p in (lin.weight, lin.bias):
        assert np.abs(p.numpy()).max() <= bound
        assert np.abs(p.numpy()).max() > 0.97 * bound  # uses the whole interval
    assert abs(lin.weight.numpy().mean()) < 0.02 * bound  # 6 standard errors
    # U(-b, b) has std b/sqrt(3)
    assert lin.weight.numpy().std() == pytest.approx(bound / math.sqrt(3), rel=0.03)


def test_linear_init_is_seeded():
    ta.manual_seed(3)
    a = nn.Linear(5, 4)
    ta.manual_seed(3)
    b = nn.Linear(5, 4)
    c = nn.Linear(5, 4)
    np.testing.assert_array_equal(a.weight.numpy(), b.weight.numpy())
    assert not np.array_equal(b.weight.numpy(), c.weight.numpy())


def test_linear_matches_numpy_and_gradchecks():
    lin = nn.Linear(4, 3, dtype=ta.float64)
    x = ta.randn(5, 4, dtype=ta.float64, requires_grad=True)
    W, b = lin.weight.numpy(), lin.bias.numpy()
    np.testing.assert_allclose(lin(x).numpy(), x.numpy() @ W.T + b, rtol=1e-12)
    assert ta.gradcheck(lambda v, w, bb: F.linear(v, w, bb), (x, lin.weight, lin.bias))
    x3 = ta.randn(2, 3, 4, dtype=ta.float64, requires_grad=True)  # leading batch dims
    assert ta.gradcheck(lambda v, w, bb: F.linear(v, w, bb), (x3, lin.weight, lin.bias))
    assert ta.gradcheck(lambda v, w: F.linear(v, w), (x, lin.weight))
    x1 = ta.randn(4, dtype=ta.float64, requires_grad=True)  # one sample, no batch dim
    assert ta.gradcheck(lambda v, w, bb: F.linear(v, w, bb), (x1, lin.weight, lin.bias))


def test_linear_is_one_graph_node():
    lin = nn.Linear(3, 2)
    out = lin(ta.randn(4, 3))
    assert out.grad_fn.name == "Linear"
    assert all(p is None or p._ctx is None for p in out.grad_fn.parents)


def test_linear_without_bias():
    lin = nn.Linear(3, 2, bias=False)
    assert lin.bias is None and [n for n, _ in lin.named_parameters()] == ["weight"]
    x = ta.randn(4, 3)
    np.testing.assert_allclose(lin(x).numpy(), x.numpy() @ lin.weight.numpy().T, rtol=1e-6)


def test_feature_mismatch_names_layer_and_both_shapes():
    model = nn.Sequential(nn.Linear(2, 4), nn.Linear(4, 2))
    with pytest.raises(ValueError) as err:
        model(ta.randn(8, 3))
    msg = str(err.value)
    assert "Linear(in_features=2, out_features=4" in msg
    assert "input has 3 features (shape (8, 3))" in msg and "expects 2" in msg
    with pytest.raises(TypeError, match=r"float64.*float32"):
        nn.Linear(2, 2)(ta.randn(1, 2, dtype=ta.float64))
    with pytest.raises(ValueError, match="0-d"):
        nn.Linear(2, 2)(ta.tensor(1.0))


def test_sequential_indexing_len_iteration_append():
    a, b, c = nn.Linear(1, 2), nn.Identity(), nn.Linear(2, 1)
    seq = nn.Sequential(a, b)
    assert len(seq) == 2 and seq[0] is a and seq[-1] is b and list(seq) == [a, b]
    assert seq.append(c) is seq and seq[2] is c and len(seq) == 3
    sub = seq[1:]
    assert isinstance(sub, nn.Sequential) and list(sub) == [b, c]
    with pytest.raises(IndexError, match="index 3 is out of range for 3"):
        seq[3]
    with pytest.raises(TypeError, match="not a Module"):
        nn.Sequential(nn.Linear(1, 1), F.relu if hasattr(F, "relu") else len)
    named = nn.Sequential(OrderedDict([("fc", nn.Linear(1, 1)), ("out", nn.Linear(1, 1))]))
    assert list(named.state_dict()) == ["fc.weight", "fc.bias", "out.weight", "out.bias"]
    del seq[0]
    assert list(seq) == [b, c] and list(seq._modules) == ["0", "1"]  # renumbered, as torch


def test_flatten():
    x = ta.randn(2, 3, 4, 5, requires_grad=True)
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, 2)(x).shape == (24, 5)
    assert repr(nn.Flatten(0, 2)) == "Flatten(start_dim=0, end_dim=2)"
    nn.Flatten()(x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.ones((2, 3, 4, 5)))


def test_dropout_train_eval_and_mask_in_backward():
    ta.manual_seed(0)
    x = ta.ones(200, 50, requires_grad=True)
    drop = nn.Dropout(p=0.3)
    y = drop(x)
    vals = np.unique(y.numpy())
    np.testing.assert_allclose(vals, [0.0, 1 / 0.7], rtol=1e-6)  # inverted dropout scale
    kept = y.numpy() != 0
    assert kept.mean() == pytest.approx(0.7, abs=0.02)  # 10,000 draws: sd 0.005
    (y * 3).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), kept * (3 / 0.7), rtol=1e-6)  # same mask
    drop.eval()
    assert drop(x) is x
    assert repr(drop) == "Dropout(p=0.3, inplace=False)"


def test_dropout_is_seeded_and_edge_probabilities():
    x = ta.ones(10, 10)
    ta.manual_seed(5)
    a = nn.Dropout()(x).numpy()
    ta.manual_seed(5)
    b = nn.Dropout()(x).numpy()
    np.testing.assert_array_equal(a, b)
    assert nn.Dropout(0.0)(x) is x
    assert not nn.Dropout(1.0)(x).numpy().any()
    with pytest.raises(ValueError, match="between 0 and 1, but got 1.5"):
        nn.Dropout(1.5)


def test_dropout_gradcheck_with_a_fixed_mask():
    x = ta.randn(4, 5, dtype=ta.float64, requires_grad=True)

    def f(v):
        ta.manual_seed(11)  # the same mask on every evaluation
        return F.dropout(v, 0.4)

    assert ta.gradcheck(f, (x,))


def test_identity_passes_through():
    x = ta.randn(3)
    assert nn.Identity(54, unused="x")(x) is x
    assert repr(nn.Identity()) == "Identity()"


@pytest.mark.parametrize("sizes", [(2.5, 3), (3, 2.0), ("3", 2), (None, 2)])
def test_linear_refuses_non_integer_sizes_like_pytorch(sizes):
    # torch.nn.Linear(2.5, 3) raises TypeError ("must be tuple of ints, but got float");
    # truncating to Linear(2, 3) would build a different model without a word
    with pytest.raises(TypeError, match="Linear: (in|out)_features must be an int"):
        nn.Linear(*sizes)


def test_linear_accepts_numpy_integer_sizes():
    lin = nn.Linear(np.int64(3), np.int32(2))
    assert (lin.in_features, lin.out_features) == (3, 2)
    assert type(lin.in_features) is int and lin.weight.shape == (2, 3)
