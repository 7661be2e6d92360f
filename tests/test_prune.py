"""nn.prune: removing dead ReLU units leaves the outputs unchanged; leaky units do not.

Exactness is tested two ways: (1) integer-valued weights and inputs, where every product and
partial sum is exact in float32, so any summation order gives the same bits and the pruned
model must equal the original bit for bit; (2) random float weights, where BLAS may add the
remaining terms in another order: the difference must stay within the reordering bound
2 gamma_K sum_k |h_k w_jk| (nn/prune.py's docstring says why).
"""

import numpy as np
import pytest

import tinygrad_act as ta
from tinygrad_act import nn
from tinygrad_act.nn import prune


def integer_mlp(rng, sizes, act=nn.ReLU):
    layers = []
    for a, b in zip(sizes, sizes[1:]):
        lin = nn.Linear(a, b)
        # |values| stay below 2^24 through 4 layers: float32 sums of them are exact
        lin.weight.data[...] = rng.integers(-1, 2, (b, a))
        lin.bias.data[...] = rng.integers(-3, 3, b)
        lin.bias.data[rng.random(b) < 0.3] = -(10**6)  # dead on any input this test uses
        layers += [lin, act()]
    return nn.Sequential(*layers[:-1])


def run(model, X):
    with ta.no_grad():
        return model(ta.tensor(X)).numpy()


@pytest.mark.parametrize("seed", range(5))
def test_dead_relu_units_removed_bit_for_bit(seed):
    rng = np.random.default_rng(seed)
    model = integer_mlp(rng, [6, 40, 30, 20, 4])
    X = rng.integers(-2, 3, (200, 6)).astype(np.float32)
    dead = prune.dead_units(model, X)
    assert sum(int(d.sum()) for d in dead.values()) > 5  # the biases make plenty of dead units
    small = prune.prune_dead_units(model, X)
    assert small.num_parameters() < model.num_parameters()
    np.testing.assert_array_equal(run(small, X), run(model, X))
    # the original is untouched
    assert model[0].weight.shape == (40, 6)


def test_float_weights_within_reordering_bound():
    rng = np.random.default_rng(7)
    ta.manual_seed(7)
    model = nn.Sequential(nn.Linear(10, 300), nn.ReLU(), nn.Linear(300, 5))
    model[0].bias.data[:150] = -50.0  # half the units dead on this data
    X = rng.standard_normal((500, 10)).astype(np.float32)
    small = prune.prune_dead_units(model, X)
    assert small[0].out_features == 150 and small[2].in_features == 150
    with ta.no_grad():
        h = model[1](model[0](ta.tensor(X))).numpy().astype(np.float64)
    w = model[2].weight.data.astype(np.float64)
    k = 301  # terms per output sum (300 products + the bias)
    u = np.finfo(np.float32).eps / 2
    bound = 2 * k * u / (1 - k * u) * (np.abs(h) @ np.abs(w).T + np.abs(model[2].bias.data))
    diff = np.abs(run(small, X).astype(np.float64) - run(model, X))
    assert np.all(diff <= bound)


def test_leaky_units_removed_change_the_outputs():
    rng = np.random.default_rng(1)
    model = integer_mlp(rng, [6, 40, 30, 4], act=lambda: nn.LeakyReLU(0.01))
    X = rng.integers(-2, 3, (200, 6)).astype(np.float32)
    assert any(d.any() for d in prune.dead_units(model, X).values())
    with pytest.raises(ValueError, match=r"LeakyReLU.*not 0 for inputs <= 0.*strict=False"):
        prune.prune_dead_units(model, X)
    small = prune.prune_dead_units(model, X, strict=False)
    assert np.abs(run(small, X) - run(model, X)).max() > 1e-3


def test_certified_dead_units_are_exact_on_any_input():
    rng = np.random.default_rng(2)
    ta.manual_seed(2)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 6), nn.ReLU(), nn.Linear(6, 2))
    model[0].weight.data[1] = 0.0  # zero row, negative bias: dead for every input
    model[0].bias.data[1] = -0.5
    model[2].weight.data[3] = -np.abs(model[2].weight.data[3])  # <= 0 weights on ReLU outputs
    model[2].bias.data[3] = -0.1
    model[2].weight.data[4] = np.abs(model[2].weight.data[4])  # not certified: can be positive
    model[2].bias.data[4] = -0.1
    dead = prune.dead_units(model)
    np.testing.assert_array_equal(dead["0"], np.eye(8, dtype=bool)[1])
    np.testing.assert_array_equal(dead["2"], np.eye(6, dtype=bool)[3])
    small = prune.prune_dead_units(model)
    X = rng.standard_normal((1000, 4)).astype(np.float32) * 10  # never seen while pruning
    assert small.num_parameters() == model.num_parameters() - (4 + 1 + 6) - (7 + 1 + 2)
    np.testing.assert_allclose(run(small, X), run(model, X), rtol=1e-6, atol=1e-5)


def test_unit_activity_and_inactive_pruning():
    ta.manual_seed(3)
    model = nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 2))
    X = np.random.default_rng(3).standard_normal((400, 3)).astype(np.float32)
    with ta.no_grad():
        pre = model[0](ta.tensor(X)).numpy()
    act = prune.unit_activity(model, X)
    np.testing.assert_array_equal(act["0"], (pre > 0).mean(axis=0))
    amount = float(np.sort(act["0"])[2]) + 1e-9  # removes exactly the 3 least active units
    small = prune.prune_inactive_units(model, X, amount)
    assert small[0].out_features == 2
    kept = act["0"] >= amount
    np.testing.assert_array_equal(small[0].weight.data, model[0].weight.data[kept])
    np.testing.assert_array_equal(small[2].weight.data, model[2].weight.data[:, kept])
    assert prune.prune_inactive_units(model, X, 0.0).num_parameters() == model.num_parameters()
    with pytest.raises(ValueError, match="amount must be a fraction"):
        prune.prune_inactive_units(model, X, 5)


def test_prelu_per_unit_slopes_are_sliced():
    ta.manual_seed(4)
    model = nn.Sequential(nn.Linear(3, 4), nn.PReLU(4), nn.Linear(4, 2))
    model[1].weight.data[...] = [0.1, 0.2, 0.3, 0.4]
    small = prune.prune_units(model, {"0": np.array([False, True, False, True])})
    np.testing.assert_array_equal(small[1].weight.data, np.float32([0.1, 0.3]))
    X = np.random.default_rng(4).standard_normal((5, 3)).astype(np.float32)
    assert run(small, X).shape == (5, 2)


def test_errors():
    with pytest.raises(TypeError, match="needs an nn.Sequential"):
        prune.unit_activity(nn.Linear(2, 2), np.zeros((1, 2), np.float32))
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    with pytest.raises(ValueError, match=r"mask for Linear 0 has shape \(2,\), expected \(3,\)"):
        prune.prune_units(model, {"0": np.array([True, False])})
    with pytest.raises(
        ValueError, match=r"\['2'\] name no hidden Linear.*hidden layers are \['0'\]"
    ):
        prune.prune_units(model, {"2": np.array([True])})


def test_strict_refuses_layers_whose_dead_units_still_contribute():
    ta.manual_seed(5)
    # no activation between the Linears: a never-positive unit passes its negative value on
    model = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
    model[0].bias.data[0] = -100.0
    X = np.random.default_rng(5).standard_normal((50, 3)).astype(np.float32)
    with pytest.raises(ValueError, match=r"no activation after Linear 0 is not 0"):
        prune.prune_dead_units(model, X)


def test_non_elementwise_module_between_linears_is_refused():
    model = nn.Sequential(nn.Linear(3, 4), nn.Flatten(), nn.ReLU(), nn.Linear(4, 2))
    with pytest.raises(ValueError, match=r"module 1 \(Flatten.*is not elementwise"):
        prune.hidden_units(model)
