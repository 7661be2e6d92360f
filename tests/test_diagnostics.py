"""ActivationMonitor acceptance tests on networks whose answers are known exactly (issue 5)."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_act as ta
from tinygrad_act import diagnostics, nn, optim

F64 = ta.float64


def lin(W, b) -> nn.Linear:
    W = np.asarray(W, dtype=np.float64)
    layer = nn.Linear(W.shape[1], W.shape[0], dtype=F64)
    layer.weight.data[...] = W
    layer.bias.data[...] = b
    return layer


def uniform_inputs(n=64, d=3, seed=0):
    return np.random.default_rng(seed).uniform(-1.0, 1.0, (n, d))


def biased_net(bias: float, act: nn.Module, units: int = 5, dtype=F64) -> nn.Sequential:
    ta.manual_seed(0)
    layer = nn.Linear(3, units, dtype=dtype)  # |w| <= 1/sqrt(3), |x| <= 1: |w.x| < 1.8
    layer.bias.data[...] = bias
    return nn.Sequential(layer, act)


def test_bias_minus_100_relu_is_all_dead_and_all_sparse():
    st = diagnostics.watch(biased_net(-100.0, nn.ReLU())).measure(uniform_inputs())["1"]
    assert st.rows == 64 and st.n_units == 5
    assert st.dead_fraction == 1.0 and st.never_positive.all()
    assert st.sparsity == 1.0
    np.testing.assert_array_equal(st.activity, np.zeros(5))
    assert st.no_gradient.all()  # ReLU'(pre) = 0 on every input


def test_bias_plus_100_relu_has_no_dead_units_and_no_zeros():
    st = diagnostics.watch(biased_net(100.0, nn.ReLU())).measure(uniform_inputs())["1"]
    assert st.dead_fraction == 0.0 and not st.never_positive.any()
    assert st.sparsity == 0.0
    np.testing.assert_array_equal(st.activity, np.ones(5))
    assert not st.no_gradient.any()


@pytest.mark.parametrize("act", [nn.LeakyReLU(0.01), nn.PReLU()], ids=["leaky", "prelu"])
def test_leaky_never_positive_yet_gradients_reach_the_weights(act):
    model = biased_net(-100.0, act, dtype=ta.float32)  # PReLU's weight is float32
    X = uniform_inputs().astype(np.float32)
    mon = diagnostics.watch(model)
    st = mon.measure(X)["1"]
    assert st.never_positive.all() and st.dead_fraction == 1.0
    assert st.sparsity == 0.0  # leaky outputs are negative, not zero
    assert not st.blocks_gradient.any()  # the local derivative is the slope, never 0
    # train-mode pass: L = sum(out); dL/dpre = slope everywhere, so dL/dW[u] = slope * sum_n x_n
    model(ta.tensor(X)).sum().backward()
    slope = 0.01 if isinstance(act, nn.LeakyReLU) else 0.25
    expected = np.tile(slope * X.astype(np.float64).sum(axis=0), (5, 1))
    np.testing.assert_allclose(model[0].weight.grad.data, expected, rtol=1e-5)
    live = mon.stats["1"]
    assert live.grad_zero_fraction == 0.0 and not live.no_gradient.any()
    assert live.grad_norm == pytest.approx(slope * np.sqrt(64 * 5), rel=1e-6)


# 4 inputs; unit activities worked out by hand (pre = 0 is NOT positive):
#   unit 0: pre = x0              = [1, -1, 0, 2]            -> 2/4
#   unit 1: pre = x1 - 0.5        = [-.5, .5, -.5, -3.5]     -> 1/4
#   unit 2: pre = x0 + x1 + 0.25  = [1.25, .25, .25, -.75]   -> 3/4
#   unit 3: pre = 0               = [0, 0, 0, 0]             -> 0 (dead: pre <= 0 everywhere)
X4 = np.array([[1.0, 0.0], [-1.0, 1.0], [0.0, 0.0], [2.0, -3.0]])
W4 = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]]
B4 = [0.0, -0.5, 0.25, 0.0]


@pytest.mark.parametrize("batch_size", [1, 3, 4])
def test_hand_computed_activity_on_four_inputs(batch_size):
    mon = diagnostics.watch(nn.Sequential(lin(W4, B4), nn.ReLU()))
    st = mon.measure(X4, batch_size=batch_size)["1"]
    np.testing.assert_array_equal(st.activity, [0.5, 0.25, 0.75, 0.0])
    np.testing.assert_array_equal(st.never_positive, [False, False, False, True])
    np.testing.assert_array_equal(st.unit_sparsity, [0.5, 0.75, 0.25, 1.0])
    assert st.sparsity == 10 / 16


def test_live_counts_during_training_match_numpy():
    """Forward counts and dL/dpre counts from training steps equal a direct numpy computation."""
    ta.manual_seed(1)
    model = nn.Sequential(nn.Linear(3, 6, dtype=F64), nn.ReLU(), nn.Linear(6, 2, dtype=F64))
    mon = diagnostics.watch(model)
    pres = []
    model[0].register_forward_hook(lambda m, i, o: pres.append(o.data.copy()))
    rng = np.random.default_rng(0)
    for _ in range(3):
        out = model(ta.tensor(rng.standard_normal((10, 3)), dtype=F64))
        (out * out).sum().backward()
        with ta.no_grad():  # an evaluation pass: not counted in the live stats
            model(ta.tensor(rng.standard_normal((10, 3)), dtype=F64))
    pre = np.concatenate(pres[0::2])
    st = mon.stats["1"]
    assert st.rows == 30
    np.testing.assert_array_equal(st.positive, (pre > 0).sum(axis=0))
    np.testing.assert_array_equal(st.zero, (np.maximum(pre, 0) == 0).sum(axis=0))
    # dL/dpre = dL/dy * (pre > 0): zero exactly where pre <= 0 (dL/dy is never exactly 0 here)
    np.testing.assert_array_equal(st.grad_nonzero, (pre > 0).sum(axis=0))
    assert st.grad_steps == 3


def test_count_no_grad_includes_evaluation_passes():
    model = nn.Sequential(lin(W4, B4), nn.ReLU())
    mon = diagnostics.watch(model, count_no_grad=True)
    with ta.no_grad():
        model(ta.tensor(X4, dtype=F64))
    assert mon.stats["1"].rows == 4
    mon2 = diagnostics.watch(model)
    with ta.no_grad():
        model(ta.tensor(X4, dtype=F64))
    assert mon2.stats["1"].rows == 0


def _dead_unit_training(act: nn.Module):
    ta.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), act, nn.Linear(8, 3))
    model[0].bias.data[0] = -100.0
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (64, 2)).astype(np.float32)
    y = rng.integers(0, 3, 64)
    W0, b0 = model[0].weight.data.copy(), model[0].bias.data.copy()
    mon = diagnostics.watch(model)
    opt = optim.SGD(model.parameters(), lr=0.1)
    for s in range(0, 64 * 5, 16):
        i = np.arange(s, s + 16) % 64
        loss = ta.functional.cross_entropy(model(ta.tensor(X[i])), ta.tensor(y[i]))
        opt.zero_grad()
        loss.backward()
        opt.step()
    rec = mon.end_epoch(X)
    return model, W0, b0, rec.layers["1"]


def test_dead_relu_unit_weights_stay_bit_identical_under_sgd():
    model, W0, b0, st = _dead_unit_training(nn.ReLU())
    W, b = model[0].weight.data, model[0].bias.data
    assert np.array_equal(W[0], W0[0]) and b[0] == b0[0]
    assert not np.array_equal(W[1:], W0[1:])  # the live units did learn
    assert st.never_positive[0] and st.no_gradient[0]  # measured: dL/dpre == 0 on every step


def test_never_positive_leaky_unit_still_learns_under_sgd():
    model, W0, b0, st = _dead_unit_training(nn.LeakyReLU(0.01))
    assert st.never_positive[0] and not st.no_gradient[0]
    assert not np.array_equal(model[0].weight.data[0], W0[0])


def deep_narrow(depth: int, dead_at: int | None = None, zero_at: int | None = None):
    """width 2, identity weights, bias +1: on inputs in [0, 1]^2 every pre-activation is >= 1,
    so the network is affine and not constant - unless one layer gets bias -100 (dead_at: that
    ReLU outputs 0 for all inputs) or zero weights (zero_at: constant, yet alive)."""
    layers = []
    for i in range(depth):
        W = np.zeros((2, 2)) if i == zero_at else np.eye(2)
        layers += [lin(W, -100.0 if i == dead_at else 1.0), nn.ReLU()]
    return nn.Sequential(*layers, lin(np.eye(2), 0.0))


def test_deep_narrow_network_built_to_be_constant_is_born_dead():
    X = np.random.default_rng(0).uniform(0, 1, (50, 2))
    alive = diagnostics.born_dead(deep_narrow(10), X)
    assert not alive.constant and alive.dead_layers == [] and alive.spread > 0.5
    dead = diagnostics.born_dead(deep_narrow(10, dead_at=4), X)
    assert dead.constant and dead.spread == 0.0
    assert dead.dead_layers == ["9"]  # the ReLU after the 5th Linear (module index 2*4 + 1)
    assert not dead.last_hidden_dead  # later layers see a constant 0 -> pre = bias 1 > 0
    last = diagnostics.born_dead(deep_narrow(10, dead_at=9), X)
    assert last.constant and last.last_hidden_dead
    assert dead.has_dead_layer and not alive.has_dead_layer
    flat = diagnostics.born_dead(deep_narrow(10, zero_at=3), X)
    assert flat.constant and flat.dead_layers == []  # constant without a dead layer
    assert not flat.has_dead_layer


def test_died_and_revived_units_across_epochs():
    model = nn.Sequential(lin([[1, 0], [0, 1], [1, 1], [-1, 0]], 0.0), nn.ReLU())
    X = np.random.default_rng(0).uniform(0.1, 1, (20, 2))  # positive inputs
    mon = diagnostics.watch(model)
    plan = [  # biases per epoch -> dead units
        ([0.5, -100, 0.5, -100], {1, 3}),
        ([-100, 0.5, 0.5, -100], {0, 3}),  # unit 0 died, unit 1 revived
        ([-100, 0.5, -100, 2.0], {0, 2}),  # unit 2 died, unit 3 revived (-x0 + 2 > 0)
    ]
    for bias, dead in plan:
        model[0].bias.data[...] = bias
        rec = mon.end_epoch(X)
        assert set(np.flatnonzero(rec.layers["1"].never_positive)) == dead
    h = mon.history
    assert h[0].died == {} and h[0].revived == {}
    assert list(h[1].died["1"]) == [0] and list(h[1].revived["1"]) == [1]
    assert list(h[2].died["1"]) == [2] and list(h[2].revived["1"]) == [3]
    np.testing.assert_array_equal(mon.dead_fractions()["1"], [0.5, 0.5, 0.5])
    A = mon.activity_matrix("1")
    assert A.shape == (4, 3) and A[0, 0] == 1.0 and A[0, 1] == 0.0
    assert "died since last epoch" in mon.report() and "[2]" in mon.report()


def test_end_epoch_from_live_training_counts():
    model = nn.Sequential(lin(W4, B4), nn.ReLU())
    mon = diagnostics.watch(model)
    with pytest.raises(RuntimeError, match="no training batch"):
        mon.end_epoch()
    model(ta.tensor(X4, dtype=F64)).sum().backward()
    rec = mon.end_epoch()
    np.testing.assert_array_equal(rec.layers["1"].activity, [0.5, 0.25, 0.75, 0.0])
    assert mon.stats["1"].rows == 0  # live counts reset


def test_tanh_and_sigmoid_saturation_by_hand():
    X = np.array([[-5.0], [-1.0], [0.0], [0.5], [3.0]])
    # tanh: [-0.99991, -0.762, 0, 0.462, 0.99505]; sigmoid: [0.0067, 0.269, 0.5, 0.622, 0.9526]
    model = nn.Sequential(lin([[1.0]], 0.0), nn.Tanh(), lin([[1.0]], 0.0), nn.Sigmoid())
    st = diagnostics.watch(model).measure(X)
    assert st["1"].saturated_fraction == 2 / 5  # |tanh| > 0.97 at -5 and 3
    assert st["1"].sparsity == 1 / 5 and st["1"].near_zero_fraction == 1 / 5  # tanh(0) = 0
    # sigmoid sees tanh's outputs: sigmoid(-0.9999) = 0.269 ... none within 0.03 of 0 or 1
    assert st["3"].saturated_fraction == 0.0
    st2 = diagnostics.watch(nn.Sequential(lin([[1.0]], 0.0), nn.Sigmoid())).measure(X)
    assert st2["1"].saturated_fraction == 1 / 5  # only sigmoid(-5) = 0.0067 < 0.03
    st3 = diagnostics.watch(nn.Sequential(lin([[1.0]], 0.0), nn.Tanh()), tanh_threshold=0.7)
    assert st3.measure(X)["1"].saturated_fraction == 3 / 5  # now -1 counts too


class Square(nn.Module):
    """Not an activation class: needs layers=[...]; its derivative 2x is 0 only at x = 0."""

    def forward(self, x):
        return x * x


def test_explicit_layers_and_generic_gradient_check():
    sq = Square()
    model = nn.Sequential(lin(W4, B4), sq)
    with pytest.raises(ValueError, match=r"Sequential.*layers="):
        diagnostics.watch(model)
    for layers in ([sq], ["1"], {"square": sq}):
        st = list(diagnostics.watch(model, layers=layers).measure(X4).values())[0]
        # f'(pre) = 2 pre is 0 where pre == 0: unit 0 once, unit 3 always
        np.testing.assert_array_equal(st.passing, [3, 4, 4, 0])
        np.testing.assert_array_equal(st.blocks_gradient, [False, False, False, True])
        assert st.near_zero_fraction == 5 / 16  # y = pre^2: zeros at 1 + 4 places, no tiny y


def test_bad_input_errors_name_shapes_and_fixes():
    model = nn.Sequential(lin(W4, B4), nn.ReLU())
    mon = diagnostics.watch(model)
    with pytest.raises(ValueError, match=r"\(4, 3\)"):
        mon.measure(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"X of shape \(4, 2\) and y of shape \(3,\)"):
        mon.measure((X4, np.zeros(3)))
    with pytest.raises(ValueError, match="N >= 1"):
        mon.measure(np.zeros((0, 2)))
    with pytest.raises(ValueError, match="no submodule '7'"):
        diagnostics.watch(model, layers=["7"])
    with pytest.raises(ValueError, match="elementwise"):
        diagnostics.watch(model, layers=["0"]).measure(X4)
    unused = nn.ReLU()
    with pytest.raises(RuntimeError, match="never ran"):
        diagnostics.watch(model, layers=[model[1], unused]).measure(X4)
    with pytest.raises(ValueError, match="seen no inputs"):
        _ = diagnostics.watch(model).stats["1"].activity
    with pytest.raises(TypeError, match="nn.Module"):
        diagnostics.watch(lambda x: x)


def test_measure_restores_modes_and_remove_detaches():
    model = nn.Sequential(lin(W4, B4), nn.ReLU(), nn.Dropout(0.5))
    model.train()
    mon = diagnostics.watch(model)
    mon.measure(X4)
    assert all(m.training for m in model.modules())
    assert all(p.grad is None for p in model.parameters())
    mon.remove()
    model(ta.tensor(X4, dtype=F64)).sum().backward()
    assert mon.stats["1"].rows == 0


def test_report_tables_show_the_numbers():
    mon = diagnostics.watch(biased_net(-100.0, nn.ReLU()))
    text = diagnostics.format_report(mon.measure(uniform_inputs()), per_unit=True)
    assert "layer 1: relu, 5 units, 64 inputs" in text
    assert "5/5 [0, 1, 2, 3, 4]" in text and "100.0%" in text
    assert "| unit |" in text


def test_inplace_relu_is_measured_on_its_input_not_its_overwritten_output():
    mon = diagnostics.watch(nn.Sequential(lin(W4, B4), nn.ReLU(inplace=True)))
    st = mon.measure(X4)["1"]  # under no_grad the in-place ReLU overwrites its input
    np.testing.assert_array_equal(st.activity, [0.5, 0.25, 0.75, 0.0])
    assert st.sparsity == 10 / 16


X1 = np.array([[-4.0], [0.0], [-1.0], [2.0]])  # through an identity Linear(1, 1)


def test_smooth_activation_near_zero_and_generic_derivative():
    # gelu(x) = x Phi(x): gelu(-4) = -4 * 3.2e-5 = -1.3e-4 (near 0), gelu(0) = 0 exactly,
    # gelu(-1) = -0.159, gelu(2) = 1.95; gelu'(x) = Phi(x) + x phi(x) is nonzero at all four
    st = diagnostics.watch(nn.Sequential(lin([[1.0]], 0.0), nn.GELU())).measure(X1)["1"]
    assert st.sparsity == 1 / 4 and st.near_zero_fraction == 2 / 4
    assert st.never_positive.sum() == 0 and not st.blocks_gradient.any()
    np.testing.assert_array_equal(st.passing, [4])
    # hardtanh: derivative 1 strictly inside (-1, 1), 0 at the boundaries and outside
    st = diagnostics.watch(nn.Sequential(lin([[1.0]], 0.0), nn.Hardtanh())).measure(X1)["1"]
    np.testing.assert_array_equal(st.passing, [1])


def test_epoch_callback_records_each_epoch_of_fit():
    from tinygrad_act import data, train

    ta.manual_seed(0)
    X = np.random.default_rng(0).standard_normal((64, 2)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64)
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
    mon = diagnostics.watch(model)
    mon.end_epoch(X)  # the state at initialization
    loader = data.DataLoader(X, y, batch_size=16)
    train.fit(
        model,
        loader,
        optim.SGD(model.parameters(), lr=0.1),
        epochs=2,
        progress=False,
        on_epoch_end=mon.epoch_callback(X),
    )
    assert len(mon.history) == 3
    assert mon.history[0].layers["1"].grad_norm is None  # nothing trained before epoch 1
    assert mon.history[2].layers["1"].grad_steps == 4  # 64 / 16 steps, evaluation not counted
    assert mon.history[2].layers["1"].rows == 64


def test_measuring_draws_no_random_numbers():
    """Lessons are deterministic for a seed: a diagnostic pass must not consume the generator
    (RReLU samples slopes in train mode; measure() runs in eval mode)."""
    model = nn.Sequential(lin(W4, B4), nn.RReLU(), nn.Dropout(0.5))
    ta.manual_seed(3)
    expected = ta.randn(4).data
    ta.manual_seed(3)
    st = diagnostics.watch(model).measure(X4)["1"]
    np.testing.assert_array_equal(ta.randn(4).data, expected)
    assert not st.blocks_gradient.any()  # eval slope (1/8 + 1/3) / 2 != 0


def test_prelu_with_channel_slopes_on_3d_inputs():
    """PReLU's slopes follow dim 1 (channels), and on (N, C, L) the units are the channels too.
    Channel 1 has slope 0, so there only x > 0 passes gradient."""
    act = nn.PReLU(num_parameters=3)
    act.weight.data[1] = 0.0
    X = np.random.default_rng(0).standard_normal((5, 3, 4)).astype(np.float32)
    st = diagnostics.watch(nn.Sequential(act)).measure(X)["0"]
    assert (st.n_units, st.rows) == (3, 20)
    channel = np.arange(3)[None, :, None]
    passing = ((X > 0) | (channel != 1)).sum(axis=(0, 2))
    np.testing.assert_array_equal(st.passing, passing)
    np.testing.assert_array_equal(st.positive, (X > 0).sum(axis=(0, 2)))


def test_a_channel_of_a_conv_activation_is_one_unit():
    """(N, C, L) after Conv1d: dead = never positive at any position for any input; sparsity
    per channel and per layer; live gradient counts per channel too."""
    ta.manual_seed(0)
    conv = nn.Conv1d(1, 4, 3, padding=1)
    conv.bias.data[2] = -100.0  # channel 2 can never be positive on these inputs
    conv.weight.data[3] = 0.0
    conv.bias.data[3] = 0.5  # channel 3 is positive everywhere
    model = nn.Sequential(conv, nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6, 2))
    X = np.random.default_rng(1).standard_normal((7, 1, 6)).astype(np.float32)
    mon = diagnostics.watch(model, track_grads=True)
    ta.functional.cross_entropy(model(ta.tensor(X)), ta.tensor(np.arange(7) % 2)).backward()
    live = mon._live["1"]
    st = mon.measure(X)["1"]
    pre = conv(ta.tensor(X)).numpy()
    assert (st.n_units, st.rows) == (4, 7 * 6)
    np.testing.assert_array_equal(st.never_positive, ~(pre > 0).any(axis=(0, 2)))
    assert st.never_positive.tolist()[2:] == [True, False]
    np.testing.assert_allclose(st.unit_sparsity, (pre <= 0).mean(axis=(0, 2)))
    np.testing.assert_allclose(st.sparsity, (pre <= 0).mean())
    assert live.n_units == 4 and live.no_gradient is not None and live.no_gradient[2]
