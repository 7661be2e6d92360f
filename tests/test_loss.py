"""Losses (tinygrad_act/ops/loss.py, kernels/loss.py, nn/loss.py) against PyTorch's golden numbers,
float64 gradchecks, and the errors bad input gets."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import nn

GOLDEN = np.load(Path(__file__).parent / "golden" / "losses.npz")
CASES = sorted({k.split("|")[0] for k in GOLDEN.files})
TOL = {np.float32: dict(rtol=2e-5, atol=2e-6), np.float64: dict(rtol=1e-10, atol=1e-12)}


def _case(name: str) -> dict:
    return {k.split("|")[1]: GOLDEN[k] for k in GOLDEN.files if k.split("|")[0] == name}


def _run(case: dict, dtype) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Our loss value, input gradient and target gradient for one golden case."""
    op = str(case["op"])
    params = ast.literal_eval(str(case["params"]))
    x = ta.tensor(case["input"], dtype=dtype, requires_grad=True)
    float_target = op in ("mse_loss", "binary_cross_entropy_with_logits")
    if float_target:
        t = ta.tensor(case["target"], dtype=dtype, requires_grad=True)
    else:
        t = ta.tensor(case["target"])
    kw = dict(params)
    for extra in ("weight", "pos_weight"):
        if extra in case:
            kw[extra] = ta.tensor(case[extra], dtype=dtype)
    loss = getattr(F, op)(x, t, **kw)
    if "cotangent" in case:
        loss.backward(case["cotangent"].astype(dtype))
    else:
        loss.backward()
    gt = t.grad.numpy() if float_target else None
    return loss.numpy(), x.grad.numpy(), gt


def _assert_matches(case: dict, dtype, ours) -> None:
    loss, gx, gt = ours
    tol = TOL[dtype]
    assert loss.dtype == dtype
    np.testing.assert_allclose(loss, case["loss"], **tol, err_msg="loss value")
    np.testing.assert_allclose(gx, case["grad_input"], **tol, err_msg="input gradient")
    if "grad_target" in case:
        np.testing.assert_allclose(gt, case["grad_target"], **tol, err_msg="target gradient")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", CASES)
def test_matches_pytorch(name, dtype):
    case = _case(name)
    _assert_matches(case, dtype, _run(case, dtype))


def test_golden_check_catches_a_wrong_smoothing_convention():
    # smoothing towards eps/(C-1) on the wrong classes (a common variant) must not pass
    case = _case("ce_ls0.1_mean")
    x = case["input"]
    c = x.shape[1]
    logp = x - np.log(np.exp(x).sum(1, keepdims=True))
    eps = 0.1
    q = np.full_like(x, eps / (c - 1))
    q[np.arange(len(x)), case["target"]] = 1 - eps
    wrong = -(q * logp).sum(1).mean()
    ours = _run(case, np.float64)
    with pytest.raises(AssertionError, match="loss value"):
        _assert_matches(case, np.float64, (np.asarray(wrong), ours[1], ours[2]))


def test_large_logits_stay_finite_in_float32():
    x = ta.tensor([[1e4, -1e4, 0.0], [-1e4, 1e4, 0.0]], requires_grad=True)
    loss = F.cross_entropy(x, ta.tensor([1, 1]), label_smoothing=0.1)
    loss.backward()
    assert np.isfinite(loss.item()) and np.all(np.isfinite(x.grad.numpy()))
    z = ta.tensor([1e4, -1e4], requires_grad=True)
    b = F.binary_cross_entropy_with_logits(z, ta.tensor([0.0, 1.0]))
    b.backward()
    assert b.item() == pytest.approx(1e4)  # (1e4 + 1e4) / 2: softplus is linear out there
    np.testing.assert_allclose(z.grad.numpy(), [0.5, -0.5])


def _f64(*shape, seed=0):
    rng = np.random.default_rng(seed)
    return ta.tensor(rng.standard_normal(shape) * 2, dtype=ta.float64, requires_grad=True)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.25])
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_gradcheck(reduction, smoothing, weighted):
    t = ta.tensor([0, 2, 1, 3, 2, -100])
    w = ta.tensor([0.5, 1.0, 2.0, 1.5], dtype=ta.float64) if weighted else None

    def f(x):
        return F.cross_entropy(x, t, w, reduction=reduction, label_smoothing=smoothing)

    assert ta.gradcheck(f, (_f64(6, 4),))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_nll_mse_bce_gradcheck(reduction):
    t = ta.tensor([0, 2, 1, 3])
    w = ta.tensor([0.5, 1.0, 2.0, 1.5], dtype=ta.float64)
    assert ta.gradcheck(lambda x: F.nll_loss(x, t, w, reduction=reduction), (_f64(4, 4),))
    assert ta.gradcheck(lambda a, b: F.mse_loss(a, b, reduction), (_f64(3, 4), _f64(3, 4, seed=1)))
    y = ta.tensor(np.random.default_rng(2).uniform(0, 1, (3, 4)), dtype=ta.float64)
    y.requires_grad_()
    pw = ta.tensor([1.0, 2.0, 0.5, 3.0], dtype=ta.float64)
    ew = ta.tensor(np.linspace(0.5, 2.0, 12).reshape(3, 4), dtype=ta.float64)

    def bce(x, yy):
        return F.binary_cross_entropy_with_logits(
            x, yy, weight=ew, reduction=reduction, pos_weight=pw
        )

    assert ta.gradcheck(bce, (_f64(3, 4), y))


def test_single_sample_cross_entropy():
    x = ta.tensor([1.0, 2.0, 0.5])
    expected = -(2.0 - np.log(np.exp([1.0, 2.0, 0.5]).sum()))  # hand-derived
    assert F.cross_entropy(x, ta.tensor(1)).item() == pytest.approx(expected, rel=1e-6)
    assert F.cross_entropy(x, ta.tensor(1), reduction="none").shape == ()


def test_modules_match_functional_and_repr():
    x = _f64(5, 3)
    t = ta.tensor([0, 1, 2, 1, 0])
    w = ta.tensor([1.0, 2.0, 3.0], dtype=ta.float64)
    crit = nn.CrossEntropyLoss(weight=w, label_smoothing=0.2)
    assert crit(x, t).item() == F.cross_entropy(x, t, w, label_smoothing=0.2).item()
    assert nn.NLLLoss(reduction="sum")(x, t).item() == F.nll_loss(x, t, reduction="sum").item()
    assert nn.MSELoss()(x, x * 2).item() == F.mse_loss(x, x * 2).item()
    y = ta.tensor(np.ones((5, 3)), dtype=ta.float64)
    bce = nn.BCEWithLogitsLoss(pos_weight=w)
    assert bce(x, y).item() == F.binary_cross_entropy_with_logits(x, y, pos_weight=w).item()
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss()"
    assert repr(nn.MSELoss()) == "MSELoss()"
    assert repr(nn.BCEWithLogitsLoss()) == "BCEWithLogitsLoss()"


# ---- bad input ---------------------------------------------------------------------------------


def test_float_targets_are_a_type_error_with_the_fix():
    with pytest.raises(TypeError, match=r"cross_entropy.*float32.*target\.long\(\)"):
        F.cross_entropy(ta.randn(4, 3), ta.tensor([0.0, 1.0, 2.0, 1.0]))
    with pytest.raises(TypeError, match=r"nll_loss.*float64.*target\.long\(\)"):
        F.nll_loss(ta.randn(2, 3), np.array([0.0, 1.0]))


@pytest.mark.parametrize("bad", [3, 7, -1, -5])
def test_targets_out_of_range_name_the_value_and_C(bad):
    with pytest.raises(ValueError, match=rf"target {bad} is out of bounds.*\[0, 3\)"):
        F.cross_entropy(ta.randn(4, 3), ta.tensor([0, 1, bad, 2]))
    with pytest.raises(ValueError, match=rf"target {bad} .*\[0, 3\)"):
        F.nll_loss(ta.randn(4, 3), ta.tensor([0, bad, 1, 2]))


def test_shape_mismatches_name_both_shapes():
    with pytest.raises(ValueError, match=r"\(4,\).*\(4, 3\).*\(5,\)"):
        F.cross_entropy(ta.randn(4, 3), ta.tensor([0, 1, 2, 1, 0]))
    with pytest.raises(ValueError, match=r"target size \(4,\).*input size \(4, 1\)"):
        F.mse_loss(ta.randn(4, 1), ta.randn(4))
    with pytest.raises(ValueError, match=r"\(3,\).*\(3, 2\)"):
        F.binary_cross_entropy_with_logits(ta.randn(3, 2), ta.randn(3))
    with pytest.raises(ValueError, match=r"weight.*\(3,\).*\(2,\)"):
        F.cross_entropy(ta.randn(4, 3), ta.tensor([0, 1, 2, 1]), weight=ta.ones(2))
    with pytest.raises(ValueError, match=r"\(2, 3, 4\)"):
        F.cross_entropy(ta.randn(2, 3, 4), ta.tensor([0, 1]))


def test_bad_reduction_and_smoothing():
    with pytest.raises(ValueError, match="'avg' is not a valid value for reduction"):
        F.cross_entropy(ta.randn(2, 3), ta.tensor([0, 1]), reduction="avg")
    with pytest.raises(ValueError, match="label_smoothing must be between 0.0 and 1.0"):
        F.cross_entropy(ta.randn(2, 3), ta.tensor([0, 1]), label_smoothing=1.5)
    with pytest.raises(ValueError, match="reduction"):
        nn.MSELoss(reduction="mena")


def test_kernels_run_as_plain_python():
    # what NUMBA_DISABLE_JIT=1 runs: the kernels' Python source gives the compiled results
    from tinygrad_act.kernels import loss as K

    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 4))
    t = np.array([0, 3, -100, 1, 2])
    w = np.array([1.0, 2.0, 0.5, 1.5])
    outs = []
    for fn in (K.cross_entropy_forward, K.cross_entropy_forward.py_func):
        losses, roww, m, log_s = np.empty(5), np.empty(5), np.empty(5), np.empty(5)
        fn(x, t, losses, roww, m, log_s, w, -100, 0.1)
        g = np.empty_like(x)
        bwd = K.cross_entropy_backward if fn is K.cross_entropy_forward else None
        (bwd or K.cross_entropy_backward.py_func)(x, t, m, log_s, np.ones(5), g, w, -100, 0.1)
        outs.append((losses, g))
    np.testing.assert_allclose(outs[0][0], outs[1][0], rtol=1e-14)
    np.testing.assert_allclose(outs[0][1], outs[1][1], rtol=1e-14, atol=1e-15)


def test_threaded_losses_equal_serial(monkeypatch):
    from tinygrad_act.kernels import _parallel

    rng = np.random.default_rng(3)
    x = rng.standard_normal((501, 7)).astype(np.float32)
    t = rng.integers(0, 7, 501)

    def run():
        v = ta.tensor(x, requires_grad=True)
        loss = F.cross_entropy(v, ta.tensor(t), label_smoothing=0.1)
        loss = loss + F.nll_loss(v, ta.tensor(t), reduction="sum")
        loss.backward()
        return loss.numpy(), v.grad.numpy()

    serial = run()
    monkeypatch.setattr(_parallel, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(_parallel, "_num_threads", 2)
    threaded = run()
    np.testing.assert_array_equal(serial[0], threaded[0])
    np.testing.assert_array_equal(serial[1], threaded[1])


def test_all_targets_ignored_gives_nan_like_torch():
    x = ta.randn(2, 3, requires_grad=True)
    loss = F.cross_entropy(x, ta.tensor([-100, -100]))
    assert np.isnan(loss.item())
    loss.backward()
    assert x.grad.numpy().shape == (2, 3)
    assert F.cross_entropy(x, ta.tensor([-100, -100]), reduction="sum").item() == 0.0


@pytest.mark.parametrize("op", ["mse", "bce"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_empty_input_gives_nan_or_zero_and_an_empty_gradient(op, reduction):
    # PyTorch: the mean of no elements is NaN, the sum 0, and backward gives an empty gradient
    x = ta.zeros(0, 3, requires_grad=True)
    y = ta.zeros(0, 3)
    fn = F.mse_loss if op == "mse" else F.binary_cross_entropy_with_logits
    loss = fn(x, y, reduction=reduction)
    if reduction == "mean":
        assert np.isnan(loss.item())
    elif reduction == "sum":
        assert loss.item() == 0.0
    else:
        assert loss.shape == (0, 3)
    loss.sum().backward()
    assert x.grad.shape == (0, 3) and x.grad.dtype == ta.float32
