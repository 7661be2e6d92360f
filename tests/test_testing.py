"""gradcheck itself: it passes correct ops and fails each typical wrong backward, with a message
that names the input, the element and both values."""

import numpy as np
import pytest

import tinygrad_act as ta
from tinygrad_act import Function, GradcheckError, gradcheck
from tinygrad_act.ops import unbroadcast
from tinygrad_act.testing import GradcheckKinkWarning


def _x(*shape, seed=0):
    ta.manual_seed(seed)
    return ta.randn(*shape, dtype=ta.float64, requires_grad=True)


class GoodSquare(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 2 * x * grad


class SignFlipped(GoodSquare):
    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return -2 * x * grad


class FactorTwo(GoodSquare):
    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 4 * x * grad


class OneElementWrong(GoodSquare):
    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        g = 2 * x * grad
        g.reshape(-1)[-1] *= 1.5
        return g


class BroadcastMulNoUnbroadcast(Function):
    """a * b with b broadcast, but b's gradient is not summed back to b's shape."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return unbroadcast(grad * b, a.shape), grad * a  # wrong: should unbroadcast to b.shape


class BroadcastMulTakesFirstRow(BroadcastMulNoUnbroadcast):
    """Right shape, wrong reduction: keeps only the first row instead of summing over rows."""

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return unbroadcast(grad * b, a.shape), (grad * a)[:1].reshape(b.shape)


class DropsSecondInput(BroadcastMulNoUnbroadcast):
    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad * b, None


def test_gradcheck_passes_a_correct_op():
    assert gradcheck(GoodSquare.apply, (_x(3, 4),))


def test_gradcheck_passes_core_ops_large_input_by_projection():
    # 3000 elements: too big for the full Jacobian, checked by random projections
    assert gradcheck(lambda t: (t * t.exp()).sum(1), (_x(30, 100),))


@pytest.mark.parametrize(
    "fn, pattern",
    [
        (SignFlipped.apply, "sign flipped"),
        (FactorTwo.apply, "2 x numerical"),
        (OneElementWrong.apply, r"element \(2, 3\)"),
    ],
)
def test_gradcheck_fails_wrong_unary_backward(fn, pattern):
    with pytest.raises(GradcheckError, match=pattern):
        gradcheck(fn, (_x(3, 4),))
    assert gradcheck(fn, (_x(3, 4),), raise_exception=False) is False


@pytest.mark.parametrize("fn", [SignFlipped.apply, FactorTwo.apply, OneElementWrong.apply])
def test_gradcheck_fails_wrong_backward_on_large_inputs(fn):
    with pytest.raises(GradcheckError, match="input 0"):
        gradcheck(fn, (_x(40, 60),))


def test_gradcheck_fails_when_broadcast_dims_not_summed():
    with pytest.raises(GradcheckError, match=r"shape \(3, 4\) for input 1 of shape \(1, 4\)"):
        gradcheck(BroadcastMulNoUnbroadcast.apply, (_x(3, 4), _x(1, 4, seed=1)))


def test_gradcheck_fails_when_broadcast_reduction_is_wrong():
    with pytest.raises(GradcheckError, match="input 1"):
        gradcheck(BroadcastMulTakesFirstRow.apply, (_x(3, 4), _x(1, 4, seed=1)))


def test_gradcheck_fails_when_second_input_gradient_dropped():
    with pytest.raises(GradcheckError, match="input 1.*gradient dropped"):
        gradcheck(DropsSecondInput.apply, (_x(3, 4), _x(3, 4, seed=1)))


def test_gradcheck_failure_names_numbers():
    try:
        gradcheck(FactorTwo.apply, (_x(2, 2),))
    except GradcheckError as e:
        msg = str(e)
    assert "numerical" in msg and "analytical" in msg and "input 0" in msg


def test_gradcheck_requires_float64():
    with pytest.raises(ValueError, match="float64"):
        gradcheck(GoodSquare.apply, (ta.randn(3, requires_grad=True),))


def test_gradcheck_warns_near_a_kink():
    x = ta.tensor([1.0, 2e-7, -1.0], dtype=ta.float64, requires_grad=True)
    with pytest.warns(GradcheckKinkWarning, match=r"Abs.*element \(1,\)"):
        gradcheck(lambda t: t.abs(), (x,), raise_exception=False)


def test_gradcheck_leaves_user_inputs_untouched():
    x = _x(3)
    before = x.data.copy()
    gradcheck(GoodSquare.apply, (x,))
    np.testing.assert_array_equal(x.data, before)
    assert x.grad is None


# ---- gradcheck's tolerance, pinned from both sides --------------------------------------------
# Default tolerance: |analytical - numerical| <= atol + rtol |numerical|, atol 1e-5, rtol 1e-3
# (PyTorch's). A backward whose every element is off by exactly 1e-3 relative sits on that
# boundary, so the smallest uniform error pinned here is 2e-3. Each wrong backward below is a
# realistic bug; gradcheck must reject each on a small input (full Jacobian) and a large one
# (random projections plus sampled coordinates).
class ExpTimesX(Function):
    """f(x) = x exp(x), f' = (1 + x) exp(x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * np.exp(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (1 + x) * np.exp(x)


def _variant(name, backward):
    return type(name, (ExpTimesX,), {"backward": staticmethod(backward)})


def _saved(ctx):
    (x,) = ctx.saved_tensors
    return x, (1 + x) * np.exp(x)


def _relative_2e3(ctx, grad):
    x, d = _saved(ctx)
    return grad * d * (1 + 2e-3)  # e.g. a float32 constant in a float64 formula


def _one_sign_flipped(ctx, grad):
    x, d = _saved(ctx)
    out = grad * d
    out.reshape(-1)[out.size // 2] *= -1  # one element, in the middle
    return out


def _dropped_term(ctx, grad):
    (x,) = ctx.saved_tensors
    return grad * np.exp(x)  # product rule with the x exp(x) term forgotten


WRONG = [
    _variant("RelativeError2e3", _relative_2e3),
    _variant("OneSignFlipped", _one_sign_flipped),
    _variant("DroppedTerm", _dropped_term),
]


class BroadcastMulMeanNotSum(BroadcastMulNoUnbroadcast):
    """b's gradient averaged over the broadcast rows instead of summed (right shape)."""

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return unbroadcast(grad * b, a.shape), (grad * a).mean(axis=0, keepdims=True)


class BroadcastMulWrongAxis(BroadcastMulNoUnbroadcast):
    """b (3, 1) broadcast along the columns, but its gradient summed over the rows."""

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return unbroadcast(grad * b, a.shape), (grad * a).sum(axis=0)[: b.shape[0], None]


@pytest.mark.parametrize("fn", WRONG, ids=lambda f: f.__name__)
@pytest.mark.parametrize("shape", [(3, 4), (40, 60)], ids=["full-jacobian", "projections"])
def test_gradcheck_rejects_each_realistic_wrong_backward(fn, shape):
    x = ta.tensor(np.linspace(-1.5, 1.5, np.prod(shape)).reshape(shape), dtype=ta.float64,
                  requires_grad=True)  # fmt: skip
    with pytest.raises(GradcheckError, match="input 0"):
        gradcheck(fn.apply, (x,))
    assert gradcheck(ExpTimesX.apply, (x,))  # the same inputs with the right backward


@pytest.mark.parametrize("fn", [BroadcastMulMeanNotSum, BroadcastMulWrongAxis],
                         ids=lambda f: f.__name__)  # fmt: skip
@pytest.mark.parametrize("rows", [3, 60], ids=["full-jacobian", "projections"])
def test_gradcheck_rejects_a_wrong_broadcast_reduction(fn, rows):
    a = _x(rows, 3)
    b = _x(1, 3, seed=1) if fn is BroadcastMulMeanNotSum else _x(rows, 1, seed=1)
    with pytest.raises(GradcheckError, match="input 1"):
        gradcheck(fn.apply, (a, b))


def test_gradcheck_accepts_a_right_backward_with_noisy_finite_differences():
    # x^2 + 1e5: the 1e5 costs central differences ~1e-5 of rounding error per element (ulp(1e5)
    # / 2 eps), close to atol. A right backward must still pass: pins the tolerance from below.
    x = ta.tensor(np.linspace(-2.0, 2.0, 12).reshape(3, 4), dtype=ta.float64, requires_grad=True)
    assert gradcheck(lambda t: t * t + 1e5, (x,))


# gradcheck once differentiated the projection u.f itself, whose rounding error (|u.f| ulp / 2 eps,
# ~5e-4 here) exceeded atol: a right backward of an op with outputs ~1e5 was rejected
def test_gradcheck_accepts_a_right_backward_with_noisy_finite_differences_large_input():
    big = ta.tensor(np.linspace(-2.0, 2.0, 2400).reshape(40, 60), dtype=ta.float64,
                    requires_grad=True)  # fmt: skip
    assert gradcheck(lambda t: t * t + 1e5, (big,))
