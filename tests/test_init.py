"""nn.init (tinygrad_act/nn/init.py): gains derived by hand, statistics with margins, bounds,
determinism, and the randomized asymmetric initialization of Lu et al. 2020."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tinygrad_act as ta
from tinygrad_act import nn
from tinygrad_act.nn import init


def _param(*shape, dtype=np.float32):
    return nn.Parameter(np.zeros(shape, dtype=dtype))


@pytest.mark.parametrize(
    "name, param, gain",
    [
        ("linear", None, 1.0),
        ("conv2d", None, 1.0),
        ("conv_transpose3d", None, 1.0),
        ("sigmoid", None, 1.0),
        ("tanh", None, 5 / 3),
        ("relu", None, math.sqrt(2)),  # ReLU halves E[x^2]: gain^2 = 2
        ("leaky_relu", None, math.sqrt(2 / (1 + 0.01**2))),  # default slope 0.01
        ("leaky_relu", 0.2, math.sqrt(2 / 1.04)),  # E[f(x)^2] = (1 + a^2)/2 E[x^2]
        ("leaky_relu", 1, 1.0),  # slope 1 is the identity
        ("selu", None, 0.75),
    ],
)
def test_calculate_gain(name, param, gain):
    assert init.calculate_gain(name, param) == pytest.approx(gain, rel=1e-15)


def test_calculate_gain_rejects_unknown():
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swish'"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="negative_slope True not a valid number"):
        init.calculate_gain("leaky_relu", True)


def test_fans_follow_torch():
    assert init._calculate_fan_in_and_fan_out(_param(64, 2)) == (2, 64)
    assert init._calculate_fan_in_and_fan_out(_param(8, 3, 5, 5)) == (75, 200)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.kaiming_normal_(_param(5))
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(_param(3, 3), mode="fan_avg")


@pytest.mark.parametrize(
    "fill, shape, expected_std",
    [
        (lambda t: init.kaiming_normal_(t, nonlinearity="relu"), (400, 250), math.sqrt(2 / 250)),
        (
            lambda t: init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu"),
            (400, 250),
            math.sqrt(2 / 400),
        ),  # fmt: skip
        (lambda t: init.kaiming_normal_(t, a=0.3), (300, 200), math.sqrt(2 / 1.09 / 200)),
        (lambda t: init.kaiming_uniform_(t, nonlinearity="relu"), (400, 250), math.sqrt(2 / 250)),
        (lambda t: init.xavier_normal_(t), (300, 100), math.sqrt(2 / 400)),
        (lambda t: init.xavier_uniform_(t, gain=2.0), (300, 100), 2 * math.sqrt(2 / 400)),
        (lambda t: init.lecun_normal_(t), (300, 150), math.sqrt(1 / 150)),
        (lambda t: init.normal_(t, 3.0, 0.5), (200, 200), 0.5),
    ],
)
def test_std_matches_formula(fill, shape, expected_std):
    # 40,000+ samples: the sample std is within ~0.5% of the truth; allow 3%
    t = _param(*shape)
    assert fill(t) is t
    assert t.numpy().std() == pytest.approx(expected_std, rel=0.03)


def test_std_check_would_catch_a_wrong_fan():
    t = init.kaiming_normal_(_param(400, 250), mode="fan_out", nonlinearity="relu")
    assert t.numpy().std() != pytest.approx(math.sqrt(2 / 250), rel=0.03)


def test_uniform_bounds_are_exact():
    t = init.kaiming_uniform_(_param(500, 80), nonlinearity="relu")
    bound = math.sqrt(3) * math.sqrt(2) / math.sqrt(80)
    assert np.abs(t.numpy()).max() <= np.float32(bound)
    assert np.abs(t.numpy()).max() > 0.999 * bound
    t = init.xavier_uniform_(_param(30, 70))
    bound = math.sqrt(6 / 100)
    assert np.abs(t.numpy()).max() <= np.float32(bound) and t.numpy().max() > 0.99 * bound
    t = init.uniform_(_param(1000), -0.25, 0.75)
    assert t.numpy().min() >= -0.25 and t.numpy().max() < 0.75
    assert t.numpy().mean() == pytest.approx(0.25, abs=0.03)


def test_constant_zeros_ones_and_grad_safety():
    t = _param(3, 2)
    assert init.constant_(t, 0.01) is t and np.all(t.numpy() == np.float32(0.01))
    assert not init.zeros_(t).numpy().any()
    assert np.all(init.ones_(t).numpy() == 1)
    assert t.requires_grad and t.grad_fn is None  # written in place, outside the graph


def test_determinism_with_manual_seed():
    ta.manual_seed(42)
    a = init.kaiming_normal_(_param(10, 10)).numpy().copy()
    ta.manual_seed(42)
    b = init.kaiming_normal_(_param(10, 10)).numpy().copy()
    c = init.kaiming_normal_(_param(10, 10)).numpy().copy()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(b, c)
    g = np.random.default_rng(0)
    d = init.normal_(_param(4), generator=g).numpy()
    np.testing.assert_array_equal(d, np.random.default_rng(0).normal(0, 1, 4).astype(np.float32))


def test_non_tensor_and_integer_inputs_are_type_errors():
    with pytest.raises(TypeError, match="expects a Tensor"):
        init.normal_(np.zeros(3))
    with pytest.raises(TypeError, match="floating-point"):
        init.zeros_(ta.tensor([1, 2]))


def test_randomized_asymmetric_init_statistics():
    # moments derived from the recipe: per neuron, N_in normals N(0, sigma^2/N_in) and one
    # Beta(2, 1) draw (mean 2/3, E[x^2] = 1/2), the Beta landing on the bias w.p. 1/(N_in + 1)
    ta.manual_seed(0)
    lin = nn.Linear(20, 3000)
    w, b = init.randomized_asymmetric_(lin.weight, lin.bias)
    assert w is lin.weight and b is lin.bias
    v = np.concatenate([w.numpy(), b.numpy()[:, None]], axis=1).astype(np.float64)
    s2 = 0.6007**2 / 20
    # row sums: mean 2/3 (a symmetric init gives 0), sd ~0.65 -> standard error 0.012
    assert v.sum(axis=1).mean() == pytest.approx(2 / 3, abs=0.05)
    # row second moments: 21 * s2 + 1/2 in expectation
    assert (v**2).sum(axis=1).mean() == pytest.approx(21 * s2 + 0.5, rel=0.03)
    # bias mean: (1/21) * (2/3) ~ 0.032, standard error ~0.004
    assert b.numpy().mean() == pytest.approx(2 / 3 / 21, abs=0.015)
    # every neuron has a positive entry no larger than 1 (the Beta draw lies in (0, 1))
    assert np.all(v.max(axis=1) > 0)


def test_randomized_asymmetric_init_matches_the_recipe_draw_for_draw():
    ta.manual_seed(9)
    w, b = _param(5, 4), _param(5)
    init.randomized_asymmetric_(w, b, generator=np.random.default_rng(1))
    rng = np.random.default_rng(1)  # the paper's recipe, written out
    v = rng.standard_normal((5, 5)) * (0.6007 / math.sqrt(4))
    k = rng.integers(0, 5, size=5)
    v[np.arange(5), k] = rng.beta(2.0, 1.0, size=5)
    np.testing.assert_array_equal(w.numpy(), v[:, :4].astype(np.float32))
    np.testing.assert_array_equal(b.numpy(), v[:, 4].astype(np.float32))
    assert init.rai_ is init.randomized_asymmetric_


def test_randomized_asymmetric_init_rejects_bad_shapes():
    with pytest.raises(ValueError, match=r"bias has shape \(4,\), expected \(5,\)"):
        init.randomized_asymmetric_(_param(5, 3), _param(4))
    with pytest.raises(ValueError, match="Linear weight"):
        init.randomized_asymmetric_(_param(5))
