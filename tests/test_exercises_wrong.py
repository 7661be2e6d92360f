"""The checker fails typical wrong solutions of every exercise, with the right diagnosis.

Each wrong solution is the reference solution with one piece swapped for a small variant: a
kernel (plain Python, so that the tests compile nothing new; one variant is @njit to prove the
compiled path is diagnosed the same) or a Function method. Each test asserts the step that
fails and the likely cause the message names.
"""

from __future__ import annotations

import dataclasses
import types

import numpy as np
import pytest

from tinygrad_act.exercises import check_namespace
from tinygrad_act.exercises.loader import load, solution_path
from tinygrad_act.kernels import njit


def with_kernels(name: str, **kernels):
    """The solution of `name` with some kernels replaced (activations: in SPEC; parametric:
    the module globals its Function calls)."""
    mod = load(solution_path(name))
    if hasattr(mod, "SPEC") and not mod.SPEC.custom:
        spec = dataclasses.replace(mod.SPEC, **kernels)
        return types.SimpleNamespace(SPEC=spec)
    for k, v in kernels.items():
        setattr(mod, f"{mod.SPEC.name[3:]}_{k}", v)
    return mod


def with_methods(name: str, cls: str, **methods):
    mod = load(solution_path(name))
    sub = type(cls, (getattr(mod, cls),), {k: staticmethod(v) for k, v in methods.items()})
    return types.SimpleNamespace(**{**vars(mod), cls: sub})


def failure(name: str, ns) -> str:
    report = check_namespace(name, ns)
    assert not report.passed, report.format()
    return report.failure


# ---- 1 softsign ---------------------------------------------------------------------------------
def softsign_backward_sign(grad_out, x, grad_in):
    for i in range(x.shape[0]):
        d = abs(x[i]) + 1
        grad_in[i] = -grad_out[i] / (d * d)


def softsign_backward_twice(grad_out, x, grad_in):
    for i in range(x.shape[0]):
        d = abs(x[i]) + 1
        grad_in[i] = 2 * grad_out[i] / (d * d)


def softsign_forward_no_inf(x, out):
    for i in range(x.shape[0]):
        out[i] = x[i] / (abs(x[i]) + 1)  # inf / inf = nan at +-inf


def softsign_backward_returns(grad_out, x, grad_in):
    return grad_out / (np.abs(x) + 1) ** 2  # computed, but grad_in is never written


def softsign_forward_in_place(x, out):
    for i in range(x.shape[0]):
        x[i] = x[i] / (abs(x[i]) + 1)  # overwrites the input that backward will read
        out[i] = x[i]


def test_softsign_wrong_solutions():
    text = failure("softsign", with_kernels("softsign", backward=softsign_backward_sign))
    assert "sign flipped" in text and "the backward kernel is what is wrong" in text
    text = failure("softsign", with_kernels("softsign", backward=softsign_backward_twice))
    assert "a constant factor off" in text and "(= 2" in text
    text = failure("softsign", with_kernels("softsign", forward=softsign_forward_no_inf))
    assert text.startswith("edge inputs") and "x = inf" in text and "inf / inf" in text
    text = failure("softsign", with_kernels("softsign", backward=softsign_backward_returns))
    assert "did not write grad_in[i] for 24 of 24 elements" in text and "ignored" in text
    text = failure("softsign", with_kernels("softsign", forward=softsign_forward_in_place))
    assert "forward changed its input 0 in place" in text


# ---- 2 elu --------------------------------------------------------------------------------------
@njit
def elu_backward_kink(grad_out, x, grad_in, alpha):  # compiled: the Numba path, same diagnosis
    a = x.dtype.type(alpha)
    for i in range(x.shape[0]):
        v = x[i]
        grad_in[i] = grad_out[i] if v >= 0 else grad_out[i] * a * np.exp(v)


def elu_backward_no_alpha(grad_out, x, grad_in, alpha):
    for i in range(x.shape[0]):
        v = x[i]
        grad_in[i] = grad_out[i] if v > 0 else grad_out[i] * np.exp(v)


def elu_forward_nan_to_zero(x, out, alpha):
    for i in range(x.shape[0]):
        v = x[i]
        out[i] = v if v > 0 else (alpha * np.expm1(v) if v <= 0 else 0.0)


def test_elu_wrong_solutions():
    text = failure("elu", with_kernels("elu", backward=elu_backward_kink))
    assert "wrong branch at the kink" in text and "x = 0" in text
    assert "expected 1.5" in text and "got      1" in text  # the element, both values
    assert "the derivative of the x > 0 side" in text
    text = failure("elu", with_kernels("elu", backward=elu_backward_no_alpha))
    assert "a constant factor off" in text and "1/alpha" in text
    text = failure("elu", with_kernels("elu", forward=elu_forward_nan_to_zero))
    assert "NaN in must give NaN out" in text and "x = nan" in text


# ---- 3 relu_subgradient -------------------------------------------------------------------------
def relu_backward_half(grad_out, x, grad_in, subgradient):
    """What autograd through maximum(x, 0) gives in a library that splits ties: 0.5 at 0."""
    for i in range(x.shape[0]):
        v = x[i]
        grad_in[i] = grad_out[i] * (1.0 if v > 0 else (0.5 if v == 0 else 0.0))


def relu_backward_ignores_parameter(grad_out, x, grad_in, subgradient):
    for i in range(x.shape[0]):
        grad_in[i] = grad_out[i] if x[i] > 0 else 0.0


def relu_backward_no_chain_rule(grad_out, x, grad_in, subgradient):
    for i in range(x.shape[0]):
        v = x[i]
        grad_in[i] = 1.0 if v > 0 else (subgradient if v == 0 else 0.0)


def test_relu_subgradient_wrong_solutions():
    name = "relu_subgradient"
    text = failure(name, with_kernels(name, backward=relu_backward_half))
    assert "wrong branch at the kink" in text and "you gave 0.5" in text
    text = failure(name, with_kernels(name, backward=relu_backward_ignores_parameter))
    assert "wrong branch at the kink" in text and "subgradient" in text
    assert "should be 0.5" in text and "the x < 0 side" in text
    text = failure(name, with_kernels(name, backward=relu_backward_no_chain_rule))
    assert "chain rule" in text


# ---- 4 gelu_tanh --------------------------------------------------------------------------------
C, K = 0.7978845608028654, 0.044715


def gelu_backward_unguarded(grad_out, x, grad_in):
    for i in range(x.shape[0]):
        v = x[i]
        t = np.tanh(C * (v + K * v**3))
        grad_in[i] = grad_out[i] * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * C * (1 + 3 * K * v * v))


def gelu_backward_half_missing(grad_out, x, grad_in):
    for i in range(x.shape[0]):
        v = x[i]
        t = np.tanh(C * (v + K * v**3))
        right = 0.0 if t * t == 1 else 0.5 * v * (1 - t * t) * C * (1 + 3 * K * v * v)
        grad_in[i] = grad_out[i] * ((1 + t) + right)


def gelu_forward_wrong_constant(x, out):
    for i in range(x.shape[0]):
        v = x[i]
        y = 0.5 * v * (1 + np.tanh(C * (v + 0.0447 * v**3)))
        out[i] = 0.0 if v == -np.inf else y


def test_gelu_tanh_wrong_solutions():
    with np.errstate(all="ignore"):
        text = failure("gelu_tanh", with_kernels("gelu_tanh", backward=gelu_backward_unguarded))
    assert "inf * 0" in text and "at huge |x|" in text
    text = failure("gelu_tanh", with_kernels("gelu_tanh", backward=gelu_backward_half_missing))
    assert text.startswith("backward") and "the backward kernel is what is wrong" in text
    text = failure("gelu_tanh", with_kernels("gelu_tanh", forward=gelu_forward_wrong_constant))
    assert text.startswith("forward") and "only the forward is wrong" in text


# ---- 5 swish ------------------------------------------------------------------------------------
def _sigmoid(z):
    e = np.exp(-abs(z))
    return 1 / (1 + e) if z >= 0 else e / (1 + e)


def swish_backward_forgets_beta(grad_out, x, grad_in, grad_beta_terms, beta):
    for i in range(x.shape[0]):
        s = _sigmoid(beta * x[i])
        grad_in[i] = grad_out[i] * (s + beta * x[i] * s * (1 - s)) if abs(x[i]) != np.inf else s


def swish_backward_one_x(grad_out, x, grad_in, grad_beta_terms, beta):
    for i in range(x.shape[0]):
        s = _sigmoid(beta * x[i])
        grad_in[i] = grad_out[i] * (s + beta * x[i] * s * (1 - s))
        grad_beta_terms[i] = grad_out[i] * x[i] * s * (1 - s)


def swish_backward_inf_times_zero(grad_out, x, grad_in, grad_beta_terms, beta):
    for i in range(x.shape[0]):
        v = x[i]
        s = _sigmoid(beta * v)
        grad_in[i] = grad_out[i] * (s + beta * v * s * (1 - s))
        grad_beta_terms[i] = grad_out[i] * v * v * s * (1 - s)


def test_swish_wrong_solutions():
    text = failure("swish", with_kernels("swish", backward=swish_backward_forgets_beta))
    assert "forgot the parameter's gradient" in text and "beta" in text
    text = failure("swish", with_kernels("swish", backward=swish_backward_one_x))
    assert "miss one factor x" in text
    with np.errstate(all="ignore"):
        text = failure("swish", with_kernels("swish", backward=swish_backward_inf_times_zero))
    assert "inf * 0" in text and "x = inf" in text


# ---- 6 prelu ------------------------------------------------------------------------------------
def _prelu_backward(pos_test, accumulate, per_sample=False, weight_grad=True):
    def backward(grad_out, x, weight, grad_in, grad_weight):
        for n in range(x.shape[0]):
            for c in range(x.shape[1]):
                acc = 0.0
                for s in range(x.shape[2]):
                    v, g = x[n, c, s], grad_out[n, c, s]
                    if pos_test(v):
                        grad_in[n, c, s] = g
                    else:
                        grad_in[n, c, s] = weight[c] * g
                        if weight_grad and accumulate:
                            acc += v * g
                        elif weight_grad:
                            grad_weight[c] = v * g
                if weight_grad and accumulate:
                    if per_sample:
                        grad_weight[c] = acc  # forgets the other samples
                    else:
                        grad_weight[c] += acc

    return backward


def test_prelu_wrong_solutions():
    def positive(v):
        return v > 0

    wrong = _prelu_backward(positive, accumulate=False)  # `=` instead of `+=`
    text = failure("prelu", with_kernels("prelu", backward=wrong))
    assert "not reduced over the batch and spatial dims" in text and "use +=" in text
    wrong = _prelu_backward(positive, accumulate=True, per_sample=True)
    text = failure("prelu", with_kernels("prelu", backward=wrong))
    assert "not reduced over the batch dim" in text
    wrong = _prelu_backward(positive, accumulate=True, weight_grad=False)
    text = failure("prelu", with_kernels("prelu", backward=wrong))
    assert "forgot the parameter's gradient" in text and "weight" in text
    wrong = _prelu_backward(lambda v: v >= 0, accumulate=True)
    text = failure("prelu", with_kernels("prelu", backward=wrong))
    assert "wrong branch at the kink" in text and "x = 0" in text


# ---- 7 linear_relu ------------------------------------------------------------------------------
def _fold(gz, x):
    g2 = gz.reshape(-1, gz.shape[-1])
    return g2.T @ x.reshape(-1, x.shape[-1]), g2.sum(axis=0)


def lr_backward_no_mask(ctx, grad):
    x, w, _ = ctx.saved_tensors
    return (grad @ w, *_fold(grad, x))


def lr_forward_saves_z(ctx, x, w, b):
    z = x @ w.T + b
    ctx.save_for_backward(x, w, z)
    return np.maximum(z, 0)


def lr_backward_bias_not_summed(ctx, grad):
    x, w, mask = ctx.saved_tensors
    gz = grad * mask
    return gz @ w, _fold(gz, x)[0], gz


def lr_forward_ge_mask(ctx, x, w, b):
    z = x @ w.T + b
    ctx.save_for_backward(x, w, z >= 0)
    return np.maximum(z, 0)


def lr_backward_no_fold(ctx, grad):
    x, w, mask = ctx.saved_tensors
    gz = grad * mask
    return gz @ w, gz.T @ x, gz.sum(axis=0)


def test_linear_relu_wrong_solutions():
    def bad(**methods):
        return failure("linear_relu", with_methods("linear_relu", "LinearReLUFunction", **methods))

    assert "ignores the ReLU" in bad(backward=lr_backward_no_mask)
    text = bad(forward=lr_forward_saves_z)
    assert "keeps a float64 array of the output's shape" in text and "mask = z > 0" in text
    assert "not reduced over the batch dims" in bad(backward=lr_backward_bias_not_summed)
    text = bad(forward=lr_forward_ge_mask)
    assert "wrong branch at the kink" in text and "z > 0, not z >= 0" in text
    assert "fold them" in bad(backward=lr_backward_no_fold)


# ---- 8 broadcast_add ----------------------------------------------------------------------------
def _reduce(how, keepdims=True, lead_only=False):
    def unbroadcast(g, shape):
        lead = g.ndim - len(shape)
        if lead:
            g = getattr(g, how)(axis=tuple(range(lead)))
        axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
        if axes and not lead_only:
            g = getattr(g, how)(axis=axes, keepdims=keepdims)
        return g

    def backward(ctx, grad):
        return unbroadcast(grad, ctx.a_shape), unbroadcast(grad, ctx.b_shape)

    return backward


def add_backward_not_reduced(ctx, grad):
    return grad, grad


@pytest.mark.parametrize(
    "backward, cause",
    [
        (add_backward_not_reduced, "gradient not reduced over broadcast dims. Broadcasting copied"),
        (_reduce("sum", lead_only=True), "not reduced over broadcast dims. Broadcasting copied a "
         "along dims [1] of the output (2, 3, 4) (no new leading dims, size-1 dims [1])"),
        (_reduce("mean"), "averaged over the broadcast dims instead of summed"),
        (_reduce("sum", keepdims=False), "use keepdims=True"),
    ],
)  # fmt: skip
def test_broadcast_add_wrong_solutions(backward, cause):
    text = failure("broadcast_add", with_methods("broadcast_add", "MyAdd", backward=backward))
    assert cause in text
