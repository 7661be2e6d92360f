"""Logits so large that m + log(s) rounds to m (issue 10, item 10).

With logits [1e16, 1e16, 0] the row max m is 1e16 and log(sum(exp(x - m))) = log 2, but
1e16 + log 2 == 1e16 in floating point. Written as x - (m + log s), log_softmax gives 0 for the two
tied classes instead of -log 2 (loss 0, gradient [0, 1, 0]); written as (x - m) - log s it is exact.
Every path that uses logsumexp is checked: log_softmax, nll(log_softmax), cross_entropy (the fused
kernel, with and without label smoothing, serial and split over threads) and Tensor.logsumexp.
Expected values are the math: two equal logits share the probability, the third gets 0.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act.kernels import _parallel

LOGITS = [[1e16, 1e16, 0.0]]
LOG2 = math.log(2.0)
DTYPES = [ta.float32, ta.float64]


def _tol(dtype):
    return dict(rtol=1e-6, atol=1e-7) if dtype == ta.float32 else dict(rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("dtype", DTYPES)
def test_log_softmax_value_and_gradient(dtype):
    x = ta.tensor(LOGITS, dtype=dtype, requires_grad=True)
    y = F.log_softmax(x, dim=1)
    np.testing.assert_allclose(y.numpy()[0, :2], [-LOG2, -LOG2], **_tol(dtype))
    assert y.numpy()[0, 2] == pytest.approx(-1e16, rel=1e-6)
    y[:, 0].sum().backward()  # d log p0 / dx = onehot(0) - p
    np.testing.assert_allclose(x.grad.numpy(), [[0.5, -0.5, 0.0]], **_tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_is_one_half_each(dtype):
    p = F.softmax(ta.tensor(LOGITS, dtype=dtype), dim=1).numpy()
    np.testing.assert_allclose(p, [[0.5, 0.5, 0.0]], **_tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("path", ["cross_entropy", "nll_of_log_softmax"])
def test_cross_entropy_loss_and_gradient(dtype, path):
    x = ta.tensor(LOGITS, dtype=dtype, requires_grad=True)
    target = ta.tensor([0])
    if path == "cross_entropy":
        loss = F.cross_entropy(x, target)
    else:
        loss = F.nll_loss(F.log_softmax(x, dim=1), target)
    assert float(loss.item()) == pytest.approx(LOG2, rel=1e-6)
    loss.backward()
    np.testing.assert_allclose(x.grad.numpy(), [[-0.5, 0.5, 0.0]], **_tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_cross_entropy_label_smoothing_at_large_logits(dtype):
    # eps = 0.3 over C = 3: the target distribution is [0.8, 0.1, 0.1], p = [0.5, 0.5, 0]
    # loss = 0.8 * log 2 + 0.1 * log 2 + 0.1 * (1e16 + log 2);  gradient = p - target
    x = ta.tensor(LOGITS, dtype=dtype, requires_grad=True)
    loss = F.cross_entropy(x, ta.tensor([0]), label_smoothing=0.3)
    big = float(np.asarray(1e16, dtype=dtype))
    assert float(loss.item()) == pytest.approx(0.9 * LOG2 + 0.1 * (big + LOG2), rel=1e-6)
    loss.backward()
    np.testing.assert_allclose(x.grad.numpy(), [[-0.3, 0.4, -0.1]], **_tol(dtype))


def test_cross_entropy_large_logits_on_the_parallel_path(monkeypatch):
    monkeypatch.setattr(_parallel, "PARALLEL_THRESHOLD", 0)
    monkeypatch.setattr(_parallel, "_num_threads", 2)
    x = ta.tensor(np.tile(LOGITS, (8, 1)), dtype=ta.float64, requires_grad=True)
    loss = F.cross_entropy(x, ta.zeros(8, dtype=ta.int64), reduction="sum")
    assert float(loss.item()) == pytest.approx(8 * LOG2, rel=1e-12)
    loss.backward()
    np.testing.assert_allclose(x.grad.numpy(), np.tile([[-0.5, 0.5, 0.0]], (8, 1)), atol=1e-14)


@pytest.mark.parametrize("dtype", DTYPES)
def test_logsumexp_gradient_is_the_softmax(dtype):
    # torch 2.13's logsumexp backward gives [1, 1, 0] here (exp(x - out) with out rounded to
    # 1e16); the gradient of logsumexp is the softmax, [0.5, 0.5, 0]
    x = ta.tensor(LOGITS, dtype=dtype, requires_grad=True)
    out = x.logsumexp(dim=1)
    # 1e16 + log 2 rounds to 1e16 in both dtypes: the value is as exact as it can be
    assert out.numpy()[0] == np.asarray(1e16, dtype=dtype)
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0.5, 0.5, 0.0]], **_tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_negative_large_logits_too(dtype):
    # the same rounding with the shift below zero: [-1e16 + 1, -1e16 + 1] relative to the max
    x = ta.tensor([[-1e16, -1e16, -3e16]], dtype=dtype, requires_grad=True)
    loss = F.cross_entropy(x, ta.tensor([1]))
    assert float(loss.item()) == pytest.approx(LOG2, rel=1e-6)
    loss.backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0.5, -0.5, 0.0]], **_tol(dtype))
