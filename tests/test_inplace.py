"""Version counters, in-place methods and ctx.mark_dirty (PyTorch's in-place contract)."""

import numpy as np
import pytest

import tinygrad_act as ta
from tinygrad_act import Function

MODIFIED = "modified by an inplace operation"
LEAF = "a leaf Variable that requires grad is being used in an in-place operation"


class ReLUInPlace(Function):
    """What a user writes for relu_: clamp the input's own array, save only the sign."""

    @staticmethod
    def forward(ctx, x):
        mask = x > 0
        x *= mask
        ctx.save_for_backward(mask)
        ctx.mark_dirty(x)
        return x

    @staticmethod
    def backward(ctx, grad):
        (mask,) = ctx.saved_tensors
        return grad * mask


class SavesItsOutput(Function):
    """exp, saving the output (as PyTorch's exp does): an in-place write to y breaks backward."""

    @staticmethod
    def forward(ctx, x):
        y = np.exp(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * y


def test_version_starts_at_zero_and_every_in_place_method_bumps_it():
    t = ta.tensor([1.0, -2.0, 3.0])
    assert t._version == 0
    t.zero_()
    t.fill_(2.0)
    t.copy_(ta.tensor([4.0, 5.0, 6.0]))
    t.add_(1.0)
    t.mul_(ta.tensor([2.0, 2.0, 2.0]))
    assert t._version == 5
    np.testing.assert_array_equal(t.numpy(), [10.0, 12.0, 14.0])
    assert (t * 2)._version == 0  # a new tensor, new memory


def test_detach_and_views_share_the_version_counter():
    x = ta.tensor([[1.0, 2.0], [3.0, 4.0]])
    d = x.detach()
    v = x.reshape(4)
    d.zero_()
    assert (x._version, d._version, v._version) == (1, 1, 1)
    v.fill_(3.0)
    assert x._version == 2
    np.testing.assert_array_equal(x.numpy(), [[3.0, 3.0], [3.0, 3.0]])


def test_writing_into_a_saved_input_raises_pytorchs_error():
    # the case: y = (x*w).sum(); relu_(x); y.backward() gave a wrong w.grad silently
    w = ta.tensor([1.0, 1.0, 1.0], requires_grad=True)
    h = ta.tensor([1.0, -2.0, 3.0], requires_grad=True) * 1.0
    y = (h * w).sum()
    out = ReLUInPlace.apply(h)
    assert out is h and h._version == 1
    expected = MODIFIED + r".*\(3,\).*at version 1; expected version 0"
    with pytest.raises(RuntimeError, match=expected):
        y.backward()


def test_zero_after_use_raises_instead_of_zeroing_gradients():
    w = ta.tensor([2.0, 3.0], requires_grad=True)
    h = ta.tensor([1.0, 1.0], requires_grad=True) * 1.0
    y = (h * w).sum()
    h.zero_()
    with pytest.raises(RuntimeError, match=MODIFIED):
        y.backward()


def test_writing_into_a_saved_output_or_through_a_view_raises():
    x = ta.tensor([0.0, 1.0], dtype=ta.float64, requires_grad=True)
    y = SavesItsOutput.apply(x)
    loss = y.sum()
    with ta.no_grad():
        y.reshape(2, 1).mul_(2.0)  # a view of y: the same memory, the same counter
    with pytest.raises(RuntimeError, match=MODIFIED + ".*saved by SavesItsOutput"):
        loss.backward()


def test_in_place_before_use_is_fine_and_gradients_are_right():
    x = ta.tensor([1.0, -2.0, 3.0], dtype=ta.float64, requires_grad=True)
    w = ta.tensor([5.0, 7.0, 11.0], dtype=ta.float64, requires_grad=True)
    h = x * 2.0
    ReLUInPlace.apply(h)
    (h * w).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [10.0, 0.0, 22.0])  # 2 * w * (x > 0)
    np.testing.assert_array_equal(w.grad.numpy(), [2.0, 0.0, 6.0])


def test_add_mul_copy_in_place_rebase_the_graph_with_the_right_gradients():
    x = ta.tensor([1.0, 2.0], dtype=ta.float64, requires_grad=True)
    b = ta.tensor([3.0], dtype=ta.float64, requires_grad=True)
    s = ta.tensor([4.0, 5.0], dtype=ta.float64, requires_grad=True)
    h = x * 1.0
    assert h.add_(b, alpha=2.0) is h  # h = x + 2b
    h.mul_(s)  # h = (x + 2b) * s
    (h * h).sum().backward()  # L = sum(((x + 2b) s)^2)
    xv, bv, sv = np.array([1.0, 2.0]), 3.0, np.array([4.0, 5.0])
    u = (xv + 2 * bv) * sv
    np.testing.assert_allclose(x.grad.numpy(), 2 * u * sv)
    np.testing.assert_allclose(b.grad.numpy(), [np.sum(2 * u * sv * 2)])
    np.testing.assert_allclose(s.grad.numpy(), 2 * u * (xv + 2 * bv))
    src = ta.tensor([9.0], dtype=ta.float64, requires_grad=True)
    c = x * 1.0
    c.copy_(src)  # broadcast: the gradient sums back to src's shape; x gets none through c
    (c * ta.tensor([1.0, 2.0], dtype=ta.float64)).sum().backward()
    np.testing.assert_array_equal(src.grad.numpy(), [3.0])


def test_in_place_on_a_leaf_that_requires_grad_is_refused_before_writing():
    x = ta.tensor([1.0, 2.0], requires_grad=True)
    for op in (x.zero_, lambda: x.fill_(3.0), lambda: x.add_(1.0), lambda: x.mul_(0.0)):
        with pytest.raises(RuntimeError, match=LEAF):
            op()
    np.testing.assert_array_equal(x.numpy(), [1.0, 2.0])
    assert x._version == 0
    with pytest.raises(RuntimeError, match=LEAF):  # a user Function too
        ReLUInPlace.apply(x)
    with ta.no_grad():  # what an optimizer does
        x.zero_()
    assert x._version == 2 and x.is_leaf and x.requires_grad


def test_mark_dirty_must_return_the_marked_array():
    class Wrong(Function):
        @staticmethod
        def forward(ctx, x):
            x += 1
            ctx.mark_dirty(x)
            return x.copy()

        @staticmethod
        def backward(ctx, grad):
            return grad

    with pytest.raises(RuntimeError, match="Wrong.forward called ctx.mark_dirty"):
        Wrong.apply(ta.ones(2))


def test_in_place_write_that_does_not_fit_is_refused():
    with pytest.raises(RuntimeError, match=r"add_: a source of shape \(3,\).*\(2,\)"):
        ta.zeros(2).add_(ta.ones(3))
    with pytest.raises(RuntimeError, match=r"copy_: a source of shape \(2, 2\)"):
        ta.zeros(2).copy_(ta.ones(2, 2))


def test_the_error_names_the_version_at_save_time_after_several_writes():
    w = ta.tensor([1.0, 2.0], requires_grad=True)
    h = ta.tensor([1.0, 1.0], requires_grad=True) * 1.0
    h.add_(1.0)
    h.mul_(2.0)  # version 2 when Mul saves it below
    y = (h * w).sum()
    h.add_(1.0)
    h.add_(1.0)
    with pytest.raises(RuntimeError, match="is at version 4; expected version 2 instead"):
        y.backward()


def test_writes_to_unsaved_inputs_and_to_other_tensors_are_fine():
    x = ta.tensor([1.0, 2.0], dtype=ta.float64, requires_grad=True)
    a = x * 1.0
    y = a + 1.0  # Add saves nothing: writing into a afterwards cannot change its backward
    z = (x * 3.0).sum()  # Mul saves x (a leaf) and a constant
    with ta.no_grad():
        a.fill_(7.0)
        ta.zeros(3).add_(1.0)  # unrelated in-place writes
    y.sum().backward()
    z.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [4.0, 4.0])


def test_in_place_into_a_view_of_a_graph_tensor_is_refused_not_silently_wrong():
    # PyTorch rewrites h's history (CopySlices); without that, h's gradient would ignore the
    # write, so the engine refuses before writing
    x = ta.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    h = x * 1.0
    v = h.reshape(2, 2)
    with pytest.raises(RuntimeError, match=r"zero_: an in-place write into a view \(Reshape"):
        v.zero_()
    np.testing.assert_array_equal(h.numpy(), [1.0, 2.0, 3.0, 4.0])
    with pytest.raises(RuntimeError, match="ReLUInPlace: an in-place write into a view"):
        ReLUInPlace.apply(h.reshape(4))
    buf = ta.zeros(4)
    buf.reshape(2, 2).add_(ta.ones(2, 2))  # a view of a tensor outside the graph: fine
    np.testing.assert_array_equal(buf.numpy(), [1.0, 1.0, 1.0, 1.0])
