"""tinygrad_act.ops.norm / F.batch_norm / nn.BatchNorm1d: values, gradients, buffers vs PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
from _conv_golden import DTYPES, TOL, cases, config, field

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import nn


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("i", cases("bn"))
def test_batchnorm1d_three_steps_match_pytorch(i, dtype):
    """train, train, eval from random weight and bias: outputs, gradients and running buffers."""
    cfg, key = config("bn", i), f"bn|{i}|{dtype}"
    m = nn.BatchNorm1d(cfg["shape"][1], cfg["eps"], cfg["momentum"], cfg["affine"], dtype=dtype)
    if cfg["affine"]:
        m.weight.data[...] = field(key, "w")
        m.bias.data[...] = field(key, "b")
    for step in range(3):
        k = f"{key}|{step}"
        m.train(step < 2)
        m.zero_grad()
        x = ta.tensor(field(k, "x", dtype), requires_grad=True)
        y = m(x)
        np.testing.assert_allclose(y.numpy(), field(k, "y"), **TOL[dtype])
        (y * ta.tensor(field(k, "g", dtype))).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), field(k, "dx"), **TOL[dtype])
        if cfg["affine"]:
            np.testing.assert_allclose(m.weight.grad.numpy(), field(k, "dw"), **TOL[dtype])
            np.testing.assert_allclose(m.bias.grad.numpy(), field(k, "db"), **TOL[dtype])
        for buf in ("running_mean", "running_var"):
            got = getattr(m, buf)
            assert got.dtype == np.dtype(dtype)
            np.testing.assert_allclose(got.numpy(), field(k, buf), **TOL[dtype])
        assert m.num_batches_tracked.numpy() == field(k, "num_batches_tracked")


def test_state_dict_keys_dtypes_and_repr_like_pytorch():
    m = nn.BatchNorm1d(3)
    sd = m.state_dict()
    assert list(sd) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    assert sd["num_batches_tracked"].dtype == np.int64 and sd["num_batches_tracked"].shape == ()
    assert repr(m) == (
        "BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)"
    )
    assert list(nn.BatchNorm1d(3, affine=False).state_dict()) == [
        "running_mean", "running_var", "num_batches_tracked"]  # fmt: skip
    assert list(nn.BatchNorm1d(3, track_running_stats=False).state_dict()) == ["weight", "bias"]
    assert [n for n, _ in m.named_parameters()] == ["weight", "bias"]


def test_running_var_is_unbiased_and_normalisation_biased():
    x = ta.tensor([[0.0], [2.0]])  # mean 1, biased var 1, unbiased var 2
    m = nn.BatchNorm1d(1, eps=0.0, momentum=1.0)
    np.testing.assert_allclose(m(x).numpy(), [[-1.0], [1.0]])
    assert m.running_mean.numpy().tolist() == [1.0] and m.running_var.numpy().tolist() == [2.0]


def test_momentum_none_is_the_cumulative_average():
    m = nn.BatchNorm1d(1, momentum=None)
    for v in (1.0, 3.0, 8.0):
        m(ta.tensor([[v - 1.0], [v + 1.0]]))
    np.testing.assert_allclose(m.running_mean.numpy(), [4.0], rtol=1e-6)  # (1 + 3 + 8) / 3
    np.testing.assert_allclose(m.running_var.numpy(), [2.0], rtol=1e-6)
    assert int(m.num_batches_tracked.numpy()) == 3


def test_eval_uses_running_stats_and_leaves_them_alone():
    m = nn.BatchNorm1d(2)
    m.running_mean.data[...] = [1.0, -1.0]
    m.running_var.data[...] = [4.0, 0.25]
    m.eval()
    y = m(ta.tensor([[3.0, 0.0]]))  # a batch of one is fine in eval
    np.testing.assert_allclose(
        y.numpy(), [[2 / np.sqrt(4 + 1e-5), 1 / np.sqrt(0.25 + 1e-5)]], rtol=1e-6
    )
    assert m.running_mean.numpy().tolist() == [1.0, -1.0]
    assert int(m.num_batches_tracked.numpy()) == 0


def test_without_running_stats_eval_uses_the_batch():
    m = nn.BatchNorm1d(1, affine=False, track_running_stats=False).eval()
    np.testing.assert_allclose(m(ta.tensor([[0.0], [2.0]])).numpy(), [[-1.0], [1.0]], rtol=1e-4)


def test_train_mode_needs_more_than_one_value_per_channel():
    with pytest.raises(ValueError, match=r"batch_norm: Expected more than 1 value per channel"):
        nn.BatchNorm1d(3)(ta.randn(1, 3))
    assert nn.BatchNorm1d(3)(ta.randn(1, 3, 2)).shape == (1, 3, 2)  # N*L = 2 values: fine


def test_variance_is_stable_for_a_large_mean():
    """E[x^2] - E[x]^2 would cancel to garbage at mean 1e4, std 1e-2 in float32."""
    rng = np.random.default_rng(0)
    x = (1e4 + 1e-2 * rng.standard_normal((256, 1))).astype(np.float32)
    y = nn.BatchNorm1d(1, eps=0.0)(ta.tensor(x)).numpy()
    assert abs(y.std() - 1.0) < 1e-2


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", [(5, 3), (4, 3, 6)])
def test_batch_norm_gradcheck(training, shape):
    ta.manual_seed(2)
    x = ta.randn(*shape, dtype=ta.float64, requires_grad=True)
    w = ta.randn(3, dtype=ta.float64, requires_grad=True)
    b = ta.randn(3, dtype=ta.float64, requires_grad=True)
    rm, rv = ta.randn(3, dtype=ta.float64), ta.ones(3, dtype=ta.float64) * 2
    assert ta.gradcheck(lambda x, w, b: F.batch_norm(x, rm, rv, w, b, training, 0.1), (x, w, b))


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: nn.BatchNorm1d(3)(ta.randn(2, 3, 4, 5)), r"BatchNorm1d: expected 2D or 3D input"),
        (
            lambda: nn.BatchNorm1d(3)(ta.randn(2, 4)),
            r"has 4 channels \(dim 1\), the layer expects 3",
        ),
        (
            lambda: F.batch_norm(ta.randn(2, 3), ta.zeros(4), ta.ones(4)),
            r"batch_norm: running_mean has shape \(4,\) but input \(2, 3\) has 3 channels",
        ),  # fmt: skip
        (lambda: F.batch_norm(ta.randn(2, 3), None, None), r"eval mode \(training=False\) needs"),
        (lambda: F.batch_norm(ta.randn(2, 3), ta.zeros(3), None, training=True), r"give both"),
    ],
)
def test_bad_input_names_the_op_shapes_and_fix(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_state_dict_round_trip_and_to_float64_keep_the_statistics():
    ta.manual_seed(0)
    a = nn.BatchNorm1d(3, momentum=None)
    for _ in range(3):
        a(ta.randn(6, 3, 4) * 2 + 1)
    b = nn.BatchNorm1d(3, momentum=None)
    b.load_state_dict(a.state_dict())
    a.eval()
    b.eval()
    x = ta.randn(2, 3, 4)
    np.testing.assert_array_equal(a(x).numpy(), b(x).numpy())
    assert int(b.num_batches_tracked.numpy()) == 3
    b.train()
    b(ta.randn(6, 3, 4))  # the cumulative average goes on from the loaded count
    assert int(b.num_batches_tracked.numpy()) == 4
    a.double()
    assert a.running_mean.dtype == np.float64 and a.num_batches_tracked.dtype == np.int64
    assert a(x.double()).dtype == np.float64
