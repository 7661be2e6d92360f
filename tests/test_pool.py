"""tinygrad_act.ops.pool / F.max_pool1d, avg_pool1d, adaptive_avg_pool1d and their nn. layers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _conv_golden import DTYPES, TOL, cases, config, field

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import nn


def _pool(op, cfg, x):
    if op == "maxpool":
        return F.max_pool1d(x, cfg["k"], cfg["stride"], cfg["padding"], cfg["dilation"])
    if op == "avgpool":
        return F.avg_pool1d(
            x, cfg["k"], cfg["stride"], cfg["padding"], count_include_pad=cfg["count_include_pad"]
        )
    return F.adaptive_avg_pool1d(x, cfg["output_size"])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "op,i", [(op, i) for op in ("maxpool", "avgpool", "adaptive") for i in cases(op)]
)
def test_pooling_matches_pytorch(op, i, dtype):
    cfg, key = config(op, i), f"{op}|{i}|{dtype}"
    x = ta.tensor(field(key, "x", dtype), requires_grad=True)
    y = _pool(op, cfg, x)
    assert y.dtype == np.dtype(dtype)
    np.testing.assert_allclose(y.numpy(), field(key, "y"), **TOL[dtype])
    (y * ta.tensor(field(key, "g", dtype))).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), field(key, "dx"), **TOL[dtype])


def test_max_pool_tie_sends_the_gradient_to_the_first_maximum():
    x = ta.tensor([[[1.0, 3.0, 3.0, 2.0]]], requires_grad=True)
    F.max_pool1d(x, 4).sum().backward()
    assert x.grad.numpy().tolist() == [[[0.0, 1.0, 0.0, 0.0]]]


def test_max_pool_propagates_nan_and_never_picks_padding():
    x = ta.tensor([[[1.0, math.nan, 0.5, -math.inf, -math.inf]]], requires_grad=True)
    y = F.max_pool1d(x, 2, 2, padding=1)  # windows: [pad, 1], [nan, 0.5], [-inf, -inf]
    assert y.numpy()[0, 0, 0] == 1.0 and math.isnan(y.numpy()[0, 0, 1])
    assert y.numpy()[0, 0, 2] == -math.inf
    y.backward(ta.ones(1, 1, 3))
    assert x.grad.numpy().tolist() == [[[1.0, 1.0, 0.0, 1.0, 0.0]]]


def test_avg_pool_count_include_pad():
    x = ta.tensor([[[3.0, 6.0]]])
    assert F.avg_pool1d(x, 2, 1, padding=1).numpy().tolist() == [[[1.5, 4.5, 3.0]]]
    got = F.avg_pool1d(x, 2, 1, padding=1, count_include_pad=False).numpy().tolist()
    assert got == [[[3.0, 4.5, 6.0]]]


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: F.max_pool1d(x, 3, 2, 1, 2),
        lambda x: F.max_pool1d(x, 2),
        lambda x: F.avg_pool1d(x, 3, 2, 1),
        lambda x: F.avg_pool1d(x, 3, 1, 1, count_include_pad=False),
        lambda x: F.adaptive_avg_pool1d(x, 4),
        lambda x: F.adaptive_avg_pool1d(x, 13),
    ],
)
def test_pooling_gradcheck(fn):
    ta.manual_seed(3)
    assert ta.gradcheck(fn, (ta.randn(2, 3, 9, dtype=ta.float64, requires_grad=True),))


def test_modules_defaults_and_reprs():
    assert repr(nn.MaxPool1d(2)) == (
        "MaxPool1d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    )
    assert repr(nn.AvgPool1d(3)) == "AvgPool1d(kernel_size=(3,), stride=(3,), padding=(0,))"
    assert repr(nn.AdaptiveAvgPool1d(5)) == "AdaptiveAvgPool1d(output_size=5)"
    x = ta.randn(2, 3, 10)
    assert nn.MaxPool1d(2)(x).shape == (2, 3, 5)
    assert nn.AvgPool1d(3, 1, 1)(x).shape == (2, 3, 10)
    assert nn.AdaptiveAvgPool1d(1)(x).shape == (2, 3, 1)
    assert nn.MaxPool1d(2)(ta.randn(3, 10)).shape == (3, 5)  # unbatched (C, L)
    assert nn.MaxPool1d(2).state_dict() == {}


@pytest.mark.parametrize(
    "call,err,match",
    [
        (lambda: F.max_pool1d(ta.randn(1, 1, 8), 2, padding=2), ValueError, r"max_pool1d: pad"),
        (lambda: F.max_pool1d(ta.randn(1, 1, 2), 3), ValueError, r"max_pool1d: input \(1, 1, 2\)"),
        (lambda: F.max_pool1d(ta.randn(8), 2), ValueError, r"max_pool1d: expects input of shape"),
        (
            lambda: F.max_pool1d(ta.randn(1, 1, 8), 2, ceil_mode=True),
            NotImplementedError,
            r"ceil_mode=True is not implemented",
        ),  # fmt: skip
        (lambda: F.avg_pool1d(ta.randn(1, 1, 8), 0), ValueError, r"avg_pool1d: kernel_size must"),
        (lambda: F.avg_pool1d(ta.randn(1, 1, 8), 2.5), TypeError, r"avg_pool1d: kernel_size must"),
        (lambda: F.adaptive_avg_pool1d(ta.randn(1, 1, 8), 0), ValueError, r"output_size must"),
        (lambda: F.adaptive_avg_pool1d(ta.randn(1, 1, 0), 2), ValueError, r"has length 0"),
    ],
)
def test_bad_arguments_name_the_op_and_fix(call, err, match):
    with pytest.raises(err, match=match):
        call()
