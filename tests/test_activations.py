"""The activations (ops/activations.py) against PyTorch's golden numbers, parametrized from the
activation table: random inputs within rtol, special points and kinks exactly, gradcheck, saved
state, no warnings, shapes, errors, inplace, threads, and a run with NUMBA_DISABLE_JIT=1.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from activation_golden import (
    INEXACT_POINTS,
    RTOL,
    case_id,
    cases,
    check_close,
    check_exact,
    check_random,
    check_zero_signs,
    golden,
    golden_cases,
    run_op,
)

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import gradcheck, nn
from tinygrad_act.kernels import _parallel
from tinygrad_act.ops.activation_spec import STANDARD_SAVES
from tinygrad_act.ops.activations import TABLE

# numpy or Numba warnings (also while compiling, on a cold cache) fail these tests
pytestmark = pytest.mark.filterwarnings("error")

CASES = golden_cases()


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_random_inputs_match_pytorch(case):
    name, ci, params, dt = case
    x, g = golden()[f"rand|x|{dt}"], golden()[f"rand|g|{dt}"]
    y, gx = run_op(name, params, x, g)
    check_random(name, ci, dt, y, gx)
    assert y.dtype == x.dtype and gx.dtype == x.dtype


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_special_points_and_kinks_match_pytorch_exactly(case):
    """NaN, +-inf (the table's limits where PyTorch says NaN), +-1e4, +-0, subnormals, each kink
    and its two float neighbours: value and derivative equal PyTorch's bit for bit."""
    name, ci, params, dt = case
    G = golden()
    key = f"{name}|{ci}|{dt}"
    pts = G[key + "|pts"]
    y, gx = run_op(name, params, pts, np.ones_like(pts))
    for what, ours, field in (("value", y, "y"), ("grad", gx, "g")):
        if what in INEXACT_POINTS.get(name, ()):  # PyTorch's own number is off there
            ref = G[f"{key}|{field}_ref64"]
            check_close(f"{key} {what}", ours, ref, RTOL[dt], x=pts)
        else:
            check_exact(
                f"{key} {what}", ours, (G[f"{key}|{field}_vec"], G[f"{key}|{field}_sca"]), pts
            )
    check_zero_signs(f"{key} value", y, G[key + "|y_vec"], pts)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_nan_rule_is_pytorchs_scalar_kernel_at_every_length(case):
    """One NaN rule for the table (docs/activations.md, "NaN"): the value is NaN and the gradient
    is what PyTorch's scalar CPU kernel gives (every comparison with NaN is false), for a tensor
    of one element and of many alike. relu6, hardtanh, elu, celu, selu and hardswish used to give
    PyTorch's vector-loop answer (0 or NaN) instead."""
    name, ci, params, dt = case
    G = golden()
    key = f"{name}|{ci}|{dt}"
    (i,) = np.flatnonzero(np.isnan(G[key + "|pts"]))
    want = G[key + "|g_sca"][i] * 0.5  # the golden gradient is for upstream 1; 0.5 is exact
    for n in (1, 1027):
        x = np.full(n, np.nan, dtype=dt)
        y, gx = run_op(name, params, x, np.full(n, 0.5, dtype=dt))
        assert np.isnan(y).all(), (name, y)
        np.testing.assert_array_equal(gx, np.full(n, want, dtype=dt), err_msg=f"{key} n={n}")


def test_nan_rule_in_training_mode_rrelu():
    """rrelu(training=True) at NaN: PyTorch's `x <= 0 ? slope : 1` gives slope 1 (checked with
    torch 2.13: gradient 0.5 for upstream 0.5)."""
    x = np.array([np.nan, -1.0, np.nan], dtype=np.float32)
    y, gx = run_op("rrelu", {"training": True}, x, np.full(3, 0.5, dtype=np.float32))
    assert np.isnan(y[[0, 2]]).all() and gx[0] == gx[2] == 0.5 and 0.0 < gx[1] < 0.5


def _away_from_kinks(x: np.ndarray, kinks: tuple, gap: float = 1e-2) -> np.ndarray:
    for k in kinks:
        near = np.abs(x - k) < gap
        x = np.where(near, k + np.where(x >= k, gap, -gap) * 2, x)
    return x


@pytest.mark.parametrize("name", list(TABLE), ids=str)
def test_gradcheck_float64_away_from_kinks(name):
    spec = TABLE[name]
    rng = np.random.default_rng(0)
    for params in cases(name):
        bound = spec.bind(params)
        x = rng.uniform(-5, 5, 14)
        x = _away_from_kinks(x, spec.kink_points(params))
        t = ta.tensor(x, dtype=ta.float64, requires_grad=True)
        if name == "prelu":
            w = ta.tensor([0.25], dtype=ta.float64, requires_grad=True)
            assert gradcheck(F.prelu, (t, w))
        elif name == "rrelu" and not bound["training"]:
            assert gradcheck(lambda v, p=params: F.rrelu(v, **p), (t,))
            assert gradcheck(lambda v, p=params: _seeded_rrelu_train(v, p), (t,))
        else:
            fn = getattr(F, name)
            assert gradcheck(lambda v, fn=fn, p=params: fn(v, **p), (t,))


def _seeded_rrelu_train(v, params):
    ta.manual_seed(7)  # the same slopes on every call, so finite differences see one function
    return F.rrelu(v, training=True, **params)


@pytest.mark.parametrize("name", [n for n, s in TABLE.items() if s.saves in STANDARD_SAVES])
@pytest.mark.parametrize("dtype", [ta.float32, ta.float64])
def test_saves_exactly_what_the_table_says(name, dtype):
    spec = TABLE[name]
    x = ta.tensor(np.linspace(-4, 4, 9).reshape(3, 3), dtype=dtype, requires_grad=True)
    y = getattr(F, name)(x, **cases(name)[0])
    saved = y.grad_fn.saved_tensors
    assert len(saved) == 1
    (s,) = saved
    assert s.size == x.numel()
    assert s.itemsize == spec.saved_bytes(x.dtype.itemsize)
    if spec.saves == "mask":
        assert s.dtype == np.bool_
    elif spec.saves == "input":
        assert s.dtype == dtype and np.shares_memory(s, x.data)  # a view, not a copy
    else:
        assert s.dtype == dtype and np.shares_memory(s, y.data)


@pytest.mark.parametrize("name", ["relu", "leaky_relu"])
def test_relu_and_leaky_relu_backward_use_a_bool_mask(name):
    x = ta.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    y = getattr(F, name)(x)
    (mask,) = y.grad_fn.saved_tensors
    assert mask.dtype == np.bool_ and mask.tolist() == [False, False, True]
    assert not any(np.issubdtype(a.dtype, np.floating) for a in y.grad_fn.saved_tensors)


def test_nothing_saved_without_grad():
    x = ta.tensor([-1.0, 2.0], requires_grad=True)
    with ta.no_grad():
        y = F.relu(x)
    assert y.grad_fn is None
    assert F.gelu(ta.tensor([1.0])).grad_fn is None


SPECIAL_INPUTS = [np.nan, np.inf, -np.inf, 1e30, -1e30, 3e38, -3e38, 1e4, -1e4, 0.0, -0.0, 1e-40]


@pytest.mark.parametrize("name", list(TABLE), ids=str)
def test_no_numpy_or_numba_warnings_and_no_nan_from_numbers(name):
    for dtype in (np.float32, np.float64):
        x = np.array(SPECIAL_INPUTS, dtype=dtype)
        params = dict(cases(name)[0])
        if name == "rrelu":
            params["training"] = True
        with warnings.catch_warnings(), np.errstate(all="raise"):
            warnings.simplefilter("error")
            y, gx = run_op(name, params, x, np.ones_like(x))
        finite_in = ~np.isnan(x)
        assert not np.isnan(y[finite_in]).any(), (name, dtype, y)
        assert not np.isnan(gx[finite_in]).any(), (name, dtype, gx)
        assert np.isfinite(gx[finite_in]).all(), (name, dtype, gx)  # finite gradients, also at inf


@pytest.mark.parametrize("name", ["relu", "gelu", "hardtanh", "softplus"])
def test_shapes_views_and_read_only_gradients(name):
    rng = np.random.default_rng(1)
    base = rng.standard_normal((4, 6)).astype(np.float32)
    fn = getattr(F, name)
    ref = fn(ta.tensor(np.ascontiguousarray(base.T))).numpy()
    t = ta.tensor(base, requires_grad=True)
    y = fn(t.T)  # a non-contiguous view
    np.testing.assert_array_equal(y.numpy(), ref)
    y.sum().backward()  # sum's backward hands over a read-only broadcast view
    assert t.grad.shape == (4, 6)
    assert fn(ta.tensor(2.0)).shape == ()
    empty = ta.zeros(0, 3, requires_grad=True)
    fn(empty).sum().backward()
    assert empty.grad.shape == (0, 3)


def test_integer_and_float16_inputs_name_the_dtype():
    with pytest.raises(TypeError, match=r"relu: .*int64.*\.float\(\)"):
        F.relu(ta.tensor([1, 2]))
    with pytest.raises(TypeError, match="tensor: dtype float16 is not supported"):
        ta.tensor([1.0], dtype=ta.float16)  # refused where it enters (issue 10 item 19)


def test_bad_parameters_raise_clear_errors():
    x = ta.tensor([1.0, -1.0])
    with pytest.raises(ValueError, match="gelu: approximate must be 'none' or 'tanh'"):
        F.gelu(x, approximate="erf")
    with pytest.raises(ValueError, match="hardtanh: min_val"):
        F.hardtanh(x, min_val=2.0, max_val=1.0)
    with pytest.raises(ValueError, match="rrelu: lower"):
        F.rrelu(x, lower=0.5, upper=0.1, training=True)
    with pytest.raises(ValueError, match="softplus: beta"):
        F.softplus(x, beta=0.0)
    with pytest.raises(TypeError, match="threshold: missing"):
        ta.ops.activations.Threshold.apply(x, threshold=0.5)
    with pytest.raises(TypeError, match="leaky_relu: unexpected"):
        ta.ops.activations.LeakyReLU.apply(x, slope=0.1)


def test_tensor_parameters_are_read_at_every_call():
    """Issue 10 item 9: a tensor parameter edited in place takes effect on the next call (it used
    to be cached by object identity, so the old value stuck)."""
    x = ta.tensor([-2.0, 1.0], dtype=ta.float64)
    s = ta.tensor(0.1, dtype=ta.float64)
    np.testing.assert_array_equal(F.leaky_relu(x, negative_slope=s).numpy(), [-0.2, 1.0])
    s.data[...] = 0.5
    np.testing.assert_array_equal(F.leaky_relu(x, negative_slope=s).numpy(), [-1.0, 1.0])
    alpha = ta.tensor([1.0], dtype=ta.float64)
    m = nn.ELU(alpha=alpha)
    first = m(x).numpy()[0]
    alpha.data[...] = 2.0
    assert m(x).numpy()[0] == 2 * first == 2 * np.expm1(-2.0)
    x.requires_grad = True
    m(x).sum().backward()  # the backward kernel gets the same value as the forward
    np.testing.assert_allclose(x.grad.numpy(), [2 * np.exp(-2.0), 1.0], rtol=1e-15)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda x: F.leaky_relu(x, negative_slope=[0.1]), "leaky_relu: negative_slope.*got list"),
        (lambda x: F.leaky_relu(x, negative_slope="0.1"), "leaky_relu: negative_slope.*got str"),
        (lambda x: F.elu(x, alpha=None), "elu: alpha must be a number.*got NoneType"),
        (lambda x: F.hardtanh(x, -1.0, "1"), "hardtanh: max_val must be a number.*got str"),
        (lambda x: F.threshold(x, 0.5, ta.tensor([1, 2])), "threshold: value .*Tensor"),
        (lambda x: F.gelu(x, approximate=1), "gelu: approximate must be str, got int"),
        (lambda x: F.rrelu(x, training="yes"), "rrelu: training must be bool, got str"),
        (lambda x: nn.LeakyReLU("0.1")(x), "leaky_relu: negative_slope.*got str"),
    ],
)
def test_parameters_of_the_wrong_type_name_the_op_parameter_and_type(call, match):
    """Issue 10 item 20: a list gave "unhashable type", a str was accepted."""
    with pytest.raises(TypeError, match=match):
        call(ta.tensor([1.0, -1.0]))


def test_inplace_writes_into_the_input_when_autograd_does_not_need_it():
    x = ta.tensor([-1.0, 2.0])
    out = F.relu(x, inplace=True)
    assert out is x and x.tolist() == [0.0, 2.0]
    leaf = ta.tensor([-1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        F.leaky_relu(leaf, inplace=True)
    assert leaf.tolist() == [-1.0, 2.0]  # refused before anything was written


INPLACE_OPS = [name for name, spec in TABLE.items() if spec.inplace]


@pytest.mark.parametrize("name", INPLACE_OPS)
@pytest.mark.parametrize("layout", ["contiguous", "transposed"])
def test_inplace_on_a_graph_tensor_modifies_it_as_pytorch_does(name, layout):
    """Issue 10 item 8: F.<op>(h, inplace=True) on a non-leaf writes into h and returns h (it used
    to return a new tensor and leave h alone); values and gradients equal the out-of-place op."""
    rng = np.random.default_rng(5)
    base = rng.uniform(-5, 5, (3, 4))
    base[0, :2] = 0.0  # the kink
    g = rng.standard_normal((4, 3) if layout == "transposed" else (3, 4))
    params = dict(cases(name)[0])
    params.pop("training", None)
    fn = getattr(F, name)

    def run(inplace: bool):
        leaf = ta.tensor(base, dtype=ta.float64, requires_grad=True)
        # transposed: a non-contiguous (Fortran-order) result of an op, not a view of one (an
        # in-place write into a view of a graph tensor is refused: see the test below)
        h = leaf.T * 1.0 if layout == "transposed" else leaf * 1.0
        assert h.data.flags.c_contiguous == (layout == "contiguous")
        ta.manual_seed(0)  # rrelu: the same slopes in both runs
        y = fn(h, **params, inplace=inplace) if params else fn(h, inplace=inplace)
        y.backward(gradient=g)
        return h, y, leaf.grad.numpy()

    h_ref, y_ref, g_ref = run(False)
    h, y, gx = run(True)
    assert y is h and y_ref is not h_ref
    np.testing.assert_array_equal(h.numpy(), y_ref.numpy())  # h itself now holds the result
    np.testing.assert_array_equal(gx, g_ref)


def test_inplace_into_a_view_of_a_graph_tensor_is_refused():
    """The viewed tensor's node would not see the write (no view tracking): refuse, never guess."""
    h = ta.tensor(np.ones((2, 3)), requires_grad=True) * 1.0
    with pytest.raises(RuntimeError, match=r"ReLU: an in-place write into a view \(Permute"):
        F.relu(h.T, inplace=True)


def test_inplace_after_another_op_saved_the_tensor_raises_at_backward():
    """The issue's case: y = (x*w).sum(); relu_(x); y.backward() gave a wrong w.grad silently."""
    leaf = ta.tensor([-1.0, 2.0], requires_grad=True)
    w = ta.tensor([3.0, 4.0], requires_grad=True)
    x = leaf * 1.0
    y = (x * w).sum()
    F.relu(x, inplace=True)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_rrelu_training_inplace_saves_its_slopes():
    leaf = ta.tensor(np.linspace(-2, 2, 9), dtype=ta.float64, requires_grad=True)
    h = leaf * 1.0
    ta.manual_seed(3)
    y = F.rrelu(h, training=True, inplace=True)
    (noise,) = y.grad_fn.saved_tensors
    y.backward(gradient=np.ones(9))
    assert y is h and np.array_equal(leaf.grad.numpy(), noise)
    np.testing.assert_array_equal(h.numpy(), np.linspace(-2, 2, 9) * noise)


def test_tensor_methods():
    x = ta.tensor([-1.0, 0.5], requires_grad=True)
    np.testing.assert_array_equal(x.relu().numpy(), F.relu(x).numpy())
    np.testing.assert_array_equal(x.sigmoid().numpy(), F.sigmoid(x).numpy())
    np.testing.assert_array_equal(x.tanh().numpy(), F.tanh(x).numpy())
    x.tanh().sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 1 - np.tanh([-1.0, 0.5]) ** 2, rtol=1e-6)


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "gelu", "mish", "prelu", "rrelu"])
def test_threads_give_the_serial_answer(name, monkeypatch):
    x = np.random.default_rng(3).standard_normal((7, 3, 11)).astype(np.float32)
    g = np.random.default_rng(4).standard_normal((7, 3, 11)).astype(np.float32)
    params = {"training": True} if name == "rrelu" else {}
    ta.manual_seed(0)
    serial = run_op(name, params, x, g)
    monkeypatch.setattr(_parallel, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(_parallel, "_num_threads", 3)
    ta.manual_seed(0)
    threaded = run_op(name, params, x, g)
    for a, b in zip(serial, threaded):
        np.testing.assert_array_equal(a, b)


_NO_JIT_SCRIPT = """
import sys
sys.path.insert(0, {tests!r})
from activation_golden import check_random, golden, run_op
G = golden()
for name in ("relu", "leaky_relu", "elu", "gelu", "softplus", "tanh", "prelu"):
    for dt in ("float32", "float64"):
        y, gx = run_op(name, {{}}, G["rand|x|" + dt][:40], G["rand|g|" + dt][:40])
        check_random(name, 0, dt, y, gx, n=40, rtol_factor=4)
import numba
assert numba.config.DISABLE_JIT
print("ok")
"""


def test_kernels_run_with_numba_jit_disabled():
    """A student can step through a kernel in a debugger: NUMBA_DISABLE_JIT=1 runs plain Python
    (numpy fallbacks for exp & co., so compared with 4x rtol)."""
    tests = str(Path(__file__).parent)
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    root = str(Path(__file__).parents[1])
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    script = _NO_JIT_SCRIPT.format(tests=tests)
    res = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300
    )
    assert res.returncode == 0 and res.stdout.strip().endswith("ok"), res.stderr[-3000:]
