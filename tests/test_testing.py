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
