"""Hooks the diagnostics rely on: Module forward (pre-)hooks, Tensor.register_hook, and the
per-parameter gradient recording built on them (diagnostics/grads.py)."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_act as ta
from tinygrad_act import diagnostics, nn


def _lin(w, b):
    layer = nn.Linear(len(w[0]), len(w), dtype=ta.float64)
    layer.weight.data[...] = w
    layer.bias.data[...] = b
    return layer


def test_forward_hook_sees_inputs_and_output_and_is_removable():
    layer = _lin([[1.0, 2.0]], [0.5])
    seen = []
    h = layer.register_forward_hook(lambda m, inp, out: seen.append((m, inp, out.data.copy())))
    x = ta.tensor([[1.0, 1.0]], dtype=ta.float64)
    layer(x)
    assert len(seen) == 1 and seen[0][0] is layer
    assert isinstance(seen[0][1], tuple) and seen[0][1][0] is x
    np.testing.assert_array_equal(seen[0][2], [[3.5]])
    h.remove()
    layer(x)
    assert len(seen) == 1
    h.remove()  # removing twice is harmless


def test_forward_hook_return_replaces_output_and_hooks_run_in_order():
    layer = _lin([[1.0]], [0.0])
    order = []
    layer.register_forward_hook(lambda m, i, o: order.append("a") or o * 10.0)
    layer.register_forward_hook(lambda m, i, o: order.append(("b", float(o.item()))))
    out = layer(ta.tensor([[2.0]], dtype=ta.float64))
    assert order == ["a", ("b", 20.0)]  # the second hook sees the replaced output
    assert out.item() == 20.0


def test_forward_pre_hook_can_replace_inputs_and_is_removable():
    layer = _lin([[1.0]], [0.0])
    h = layer.register_forward_pre_hook(lambda m, inp: (inp[0] * 3.0,))
    assert layer(ta.tensor([[2.0]], dtype=ta.float64)).item() == 6.0
    h.remove()
    assert layer(ta.tensor([[2.0]], dtype=ta.float64)).item() == 2.0
    h2 = layer.register_forward_pre_hook(lambda m, inp: inp[0] + 1.0)  # a bare Tensor works too
    assert layer(ta.tensor([[2.0]], dtype=ta.float64)).item() == 3.0
    h2.remove()


def test_hook_on_a_submodule_fires_inside_sequential():
    model = nn.Sequential(_lin([[1.0, -1.0]], [0.0]), nn.Identity(), _lin([[2.0]], [1.0]))
    got = []
    model[1].register_forward_hook(lambda m, i, o: got.append(o.data.copy()))
    model(ta.tensor([[3.0, 1.0], [0.0, 1.0]], dtype=ta.float64))
    np.testing.assert_array_equal(got[0], [[2.0], [-1.0]])


def test_tensor_hook_records_the_gradient_of_a_pre_activation():
    """register_hook on a non-leaf receives dL/d(that tensor): here L = sum(3 * pre)."""
    layer = _lin([[1.0, 2.0], [0.0, 1.0]], [0.0, 0.0])
    pre = layer(ta.tensor([[1.0, 1.0]], dtype=ta.float64))
    got = []
    h = pre.register_hook(lambda g: got.append(g.data.copy()))
    (pre * 3.0).sum().backward()
    np.testing.assert_array_equal(got[0], [[3.0, 3.0]])
    h.remove()
    pre2 = layer(ta.tensor([[1.0, 1.0]], dtype=ta.float64))
    (pre2 * 3.0).sum().backward()
    assert len(got) == 1


def test_grad_norms_match_numpy_after_backward():
    ta.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Identity(), nn.Linear(4, 2))
    with pytest.raises(RuntimeError, match="backward"):
        diagnostics.grad_norms(model)
    x = ta.randn(5, 3)
    model(x).sum().backward()
    norms = diagnostics.grad_norms(model)
    for name, p in model.named_parameters():
        assert np.isclose(norms[name][0], np.linalg.norm(p.grad.data.astype(np.float64)))
    # d(sum out)/d(bias of the last layer) = 5 (one per input row) for each of 2 outputs
    assert norms["2.bias"] == (pytest.approx(np.sqrt(2 * 25.0)), 0.0)
    per_layer = diagnostics.layer_grad_norms(model)
    assert list(per_layer) == ["0", "2"]
    assert per_layer["2"] == norms["2.weight"][0]


def test_gradient_recorder_records_each_backward_and_zero_fraction():
    model = nn.Sequential(_lin([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]))
    rec = diagnostics.GradientRecorder(model)
    x = ta.tensor([[2.0, 0.0]], dtype=ta.float64)  # second input coordinate is 0
    for scale in (1.0, 2.0):
        model.zero_grad()
        (model(x) * scale).sum().backward()
    # dL/dW = scale * ones(2,1) @ x = scale * [[2, 0], [2, 0]]: norm scale*sqrt(8), half zeros
    np.testing.assert_allclose(rec.norms["0.weight"], [np.sqrt(8), 2 * np.sqrt(8)])
    assert rec.zero_fractions["0.weight"] == [0.5, 0.5]
    assert rec.zero_fractions["0.bias"] == [0.0, 0.0]
    summary = rec.end_epoch()
    assert summary["0.weight"][0] == pytest.approx(1.5 * np.sqrt(8))
    assert rec.norms["0.weight"] == [] and len(rec.epochs) == 1
    rec.remove()
    model(x).sum().backward()
    assert rec.norms["0.weight"] == []
    with pytest.raises(ValueError, match="no parameters"):
        diagnostics.GradientRecorder(model, names=["nope"])


def test_backward_through_a_shared_node_sums_both_paths():
    """Regression (core fix in autograd._topological_order): a node consumed twice, e.g. the
    pre-activation feeding both branches of a PReLU-style where(x > 0, x, w * x), must receive
    both gradients before its own backward runs. d/dx (a + 3a) with a = 2x is 8, in either order."""
    for build in (lambda a: a + a * 3.0, lambda a: a * 3.0 + a):
        x = ta.tensor([1.0], requires_grad=True)
        build(x * 2.0).sum().backward()
        assert x.grad.item() == 8.0
    x = ta.tensor([[-1.0, 2.0]], dtype=ta.float64, requires_grad=True)
    pre = x * 1.0  # a non-leaf, as a Linear output would be
    ta.where(pre > 0, pre, pre * 0.25).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[0.25, 1.0]])
