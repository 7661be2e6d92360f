"""softmax / log_softmax kernels: values vs numpy, gradients, stability, dims, parallel path."""

import numpy as np
import pytest

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import gradcheck
from tinygrad_act.kernels import _parallel


def _np_log_softmax(x, axis):
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("dtype", [ta.float32, ta.float64])
def test_values_match_numpy(dim, dtype):
    x = np.random.default_rng(0).standard_normal((4, 5, 3)) * 5
    t = ta.tensor(x, dtype=dtype)
    tol = 1e-6 if dtype == ta.float32 else 1e-13
    np.testing.assert_allclose(F.log_softmax(t, dim).numpy(), _np_log_softmax(x, dim), atol=tol)
    np.testing.assert_allclose(
        F.softmax(t, dim).numpy(), np.exp(_np_log_softmax(x, dim)), atol=tol, rtol=tol
    )


@pytest.mark.parametrize("dim", [0, 2])
def test_gradcheck(dim):
    ta.manual_seed(0)
    x = ta.randn(3, 4, 2, dtype=ta.float64, requires_grad=True)
    w = ta.randn(3, 4, 2, dtype=ta.float64)
    assert gradcheck(lambda v: F.log_softmax(v, dim) * w, (x,))
    assert gradcheck(lambda v: F.softmax(v, dim) * w, (x,))


def test_backward_formula():
    x = np.random.default_rng(1).standard_normal((2, 3))
    g = np.random.default_rng(2).standard_normal((2, 3))
    t = ta.tensor(x, dtype=ta.float64, requires_grad=True)
    F.softmax(t, 1).backward(gradient=g)
    y = np.exp(_np_log_softmax(x, 1))
    np.testing.assert_allclose(t.grad.numpy(), y * (g - (g * y).sum(1, keepdims=True)), rtol=1e-12)


def test_large_logits_do_not_overflow():
    x = ta.tensor([[1e4, 0.0, -1e4]])
    out = F.log_softmax(x, 1).numpy()
    np.testing.assert_array_equal(out, [[0.0, -1e4, -2e4]])
    assert np.isfinite(F.softmax(x, 1).numpy()).all()


def test_parallel_path_matches_serial(monkeypatch):
    x = np.random.default_rng(0).standard_normal((4096, 64)).astype(np.float32)
    serial = F.log_softmax(ta.tensor(x), 1).numpy()
    monkeypatch.setattr(_parallel, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(_parallel, "_num_threads", 2)
    parallel = F.log_softmax(ta.tensor(x), 1).numpy()
    np.testing.assert_array_equal(serial, parallel)


def test_integer_input_is_a_type_error():
    with pytest.raises(TypeError, match="log_softmax.*int64"):
        F.log_softmax(ta.tensor([1, 2]), 0)


def test_runs_with_numba_jit_disabled():
    # a student stepping through a kernel in a debugger runs it as plain Python
    import os
    import subprocess
    import sys

    code = (
        "import tinygrad_act as ta, tinygrad_act.functional as F\n"
        "x = ta.randn(3, 4, dtype=ta.float64, requires_grad=True)\n"
        "assert ta.gradcheck(lambda v: F.log_softmax(v, 1), (x,))\n"
        "assert ta.gradcheck(lambda v: F.softmax(v, 0), (x,))\n"
    )
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=120)


@pytest.mark.parametrize(
    "shape,dim", [((3, 0), -1), ((3, 0), 0), ((0, 4), 1), ((0, 4), 0), ((2, 0, 3), 1)]
)
@pytest.mark.parametrize("fn", [F.softmax, F.log_softmax])
def test_empty_input_gives_an_empty_result_like_pytorch(fn, shape, dim):
    x = ta.zeros(*shape, requires_grad=True)
    y = fn(x, dim)
    assert y.shape == shape and y.dtype == ta.float32
    y.sum().backward()
    assert x.grad.shape == shape


# ---- hand-derived gradients: log_softmax and logsumexp --------------------------------------
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_log_softmax_backward_formula(dim):
    # y = x - logsumexp(x): dy_i/dx_j = delta_ij - softmax_j, so dL/dx = g - softmax * sum(g)
    rng = np.random.default_rng(3)
    x, g = rng.standard_normal((3, 4, 5)) * 3, rng.standard_normal((3, 4, 5))
    t = ta.tensor(x, dtype=ta.float64, requires_grad=True)
    F.log_softmax(t, dim).backward(gradient=g)
    s = np.exp(x) / np.exp(x).sum(axis=dim, keepdims=True)
    np.testing.assert_allclose(t.grad.numpy(), g - s * g.sum(axis=dim, keepdims=True), rtol=1e-11,
                               atol=1e-13)  # fmt: skip


@pytest.mark.parametrize("dim, keepdim", [(0, False), (1, True), (-1, False)])
def test_logsumexp_backward_formula(dim, keepdim):
    # d/dx_j log sum_i exp(x_i) = softmax_j: every x along dim gets g times its softmax weight
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, 4, 5)) * 3
    t = ta.tensor(x, dtype=ta.float64, requires_grad=True)
    out = t.logsumexp(dim, keepdim=keepdim)
    np.testing.assert_allclose(out.numpy(), np.log(np.exp(x).sum(axis=dim, keepdims=keepdim)),
                               rtol=1e-13)  # fmt: skip
    g = rng.standard_normal(out.shape)
    out.backward(gradient=g)
    s = np.exp(x) / np.exp(x).sum(axis=dim, keepdims=True)
    g_b = g if keepdim else np.expand_dims(g, dim)
    np.testing.assert_allclose(t.grad.numpy(), g_b * s, rtol=1e-11, atol=1e-13)


def test_log_softmax_gradient_of_a_one_hot_pick_is_onehot_minus_softmax():
    # the cross-entropy identity: d(-log_softmax(x)[k])/dx = softmax(x) - onehot(k)
    x = np.array([[2.0, -1.0, 0.5, 3.0]])
    t = ta.tensor(x, dtype=ta.float64, requires_grad=True)
    (-F.log_softmax(t, 1)[0, 3]).backward()
    s = np.exp(x) / np.exp(x).sum()
    np.testing.assert_allclose(t.grad.numpy(), s - np.eye(4)[3], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_backward_formula(dim):
    # independent of gradcheck: d softmax . g = y * (g - sum(g * y)) along dim
    rng = np.random.default_rng(5)
    x = rng.standard_normal((3, 4, 5)) * 3
    g = rng.standard_normal((3, 4, 5))
    m = x.max(axis=dim, keepdims=True)
    p = np.exp(x - m) / np.exp(x - m).sum(axis=dim, keepdims=True)
    t = ta.tensor(x, dtype=ta.float64, requires_grad=True)
    F.softmax(t, dim).backward(ta.tensor(g, dtype=ta.float64))
    want = p * (g - (g * p).sum(axis=dim, keepdims=True))
    np.testing.assert_allclose(t.grad.numpy(), want, rtol=1e-12, atol=1e-14)
