"""The backward engine: accumulation, deep graphs, freeing, no_grad, hooks, error messages."""

import numpy as np
import pytest

import tinygrad_act as ta
from tinygrad_act import Function


def test_tensor_used_twice_gets_the_sum():
    x = ta.tensor([3.0, -2.0], requires_grad=True)
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [6.0, -4.0])


def test_two_branches_accumulate():
    x = ta.tensor([1.0, 2.0], requires_grad=True)
    a = x * 3.0
    b = x.exp()
    (a + b).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 3.0 + np.exp([1.0, 2.0]), rtol=1e-6)


def test_gradients_accumulate_across_backward_calls_and_zero_resets():
    x = ta.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).sum().backward()
    (x * 5).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [7.0, 7.0])
    x.grad = None
    (x * 1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 1.0])


def test_accumulation_does_not_alias_between_leaves():
    # Add's backward hands the same array to both inputs; accumulating into one must not touch
    # the other.
    a = ta.tensor([1.0], requires_grad=True)
    b = ta.tensor([1.0], requires_grad=True)
    (a + b).sum().backward()
    a.grad.data += 10
    np.testing.assert_array_equal(b.grad.numpy(), [1.0])


def test_deep_chain_has_no_recursion_error():
    x = ta.tensor([0.5], dtype=ta.float64, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.sum().backward()
    assert x.grad.item() == 1.0


def test_second_backward_through_freed_graph_raises():
    x = ta.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_retain_graph_allows_second_backward():
    x = ta.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [4.0, 8.0])


def test_graph_frees_saved_arrays():
    x = ta.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    node = y.grad_fn
    y.sum().backward()
    with pytest.raises(RuntimeError, match="freed"):
        _ = node.saved_tensors


def test_nonscalar_backward_needs_gradient():
    x = ta.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"shape \(2,\).*gradient"):
        (x * 2).backward()
    (x * 2).backward(gradient=ta.tensor([1.0, 10.0]))
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 20.0])


def test_backward_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="requires_grad"):
        ta.tensor([1.0]).sum().backward()


def test_no_grad_context_and_decorator():
    x = ta.tensor([1.0], requires_grad=True)
    with ta.no_grad():
        y = x * 2
    assert y.grad_fn is None and not y.requires_grad

    @ta.no_grad()
    def f(t):
        return t * 2

    assert f(x).grad_fn is None
    assert ta.is_grad_enabled()
    z = x * 2
    assert z.grad_fn is not None


def test_enable_grad_inside_no_grad():
    x = ta.tensor([1.0], requires_grad=True)
    with ta.no_grad():
        with ta.enable_grad():
            y = x * 2
    assert y.requires_grad


def test_detach_cuts_the_graph():
    x = ta.tensor([2.0], requires_grad=True)
    y = x * x
    z = y.detach() * x
    z.sum().backward()
    assert x.grad.item() == 4.0  # only through the second factor


def test_integer_tensor_cannot_require_grad():
    with pytest.raises(TypeError, match="int64.*float"):
        ta.tensor([1, 2], requires_grad=True)


def test_hooks_see_and_replace_gradients():
    x = ta.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    seen = []
    handle = y.register_hook(lambda g: seen.append(g.numpy().copy()))
    x.register_hook(lambda g: g * 0 + 7)
    y.sum().backward()
    np.testing.assert_array_equal(seen[0], [1.0, 1.0])
    np.testing.assert_array_equal(x.grad.numpy(), [7.0, 7.0])
    handle.remove()
    (x * 3).sum().backward()
    assert len(seen) == 1


def test_retain_grad_on_intermediate():
    x = ta.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.retain_grad()
    (y * y).sum().backward()
    np.testing.assert_array_equal(y.grad.numpy(), [6.0, 12.0])


class _WrongShape(Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        return grad.sum(axis=0)


class _WrongCount(Function):
    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, grad):
        return grad


def test_engine_names_a_backward_that_returns_the_wrong_shape():
    x = ta.ones(3, 2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"_WrongShape.backward.*\(2,\).*\(3, 2\)"):
        _WrongShape.apply(x).sum().backward()


def test_engine_names_a_backward_that_returns_too_few_gradients():
    x = ta.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="_WrongCount.backward returned 1 gradients for 2"):
        _WrongCount.apply(x, x).sum().backward()


def test_user_function_in_their_own_file_style():
    class Cube(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return 3 * x**2 * grad

    x = ta.tensor([2.0, -1.0], dtype=ta.float64, requires_grad=True)
    Cube.apply(x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [12.0, 3.0])
    assert ta.gradcheck(Cube.apply, (ta.randn(4, dtype=ta.float64, requires_grad=True),))


def test_needs_input_grad_reflects_inputs():
    seen = {}

    class Probe(Function):
        @staticmethod
        def forward(ctx, a, b):
            seen["needs"] = ctx.needs_input_grad
            return a * b

        @staticmethod
        def backward(ctx, grad):
            return grad, grad

    Probe.apply(ta.ones(1, requires_grad=True), ta.ones(1))
    assert seen["needs"] == (True, False)
    with ta.no_grad():
        Probe.apply(ta.ones(1, requires_grad=True), ta.ones(1))
    assert seen["needs"] == (False, False)


def test_repr_shows_grad_fn():
    x = ta.tensor([1.0], requires_grad=True)
    assert "grad_fn=<MulBackward>" in repr(x * 2)
    assert "requires_grad=True" in repr(x)


def test_shared_intermediate_gets_every_path_before_its_own_backward():
    # a feeds the sum directly and through a*3: a's backward must wait for both paths
    x = ta.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    (a + a * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [8.0, 8.0])
    x.grad = None
    b = x.exp()
    c = b * b
    (c + b + c * b).sum().backward()  # a diamond with three paths into b
    e = np.exp([1.0, 2.0])
    np.testing.assert_allclose(x.grad.numpy(), (2 * e + 1 + 3 * e**2) * e, rtol=1e-6)


def test_leaf_grad_never_aliases_the_callers_gradient_or_a_view():
    x = ta.tensor([1.0, 2.0], requires_grad=True)
    g = np.array([1.0, 1.0], dtype=np.float32)
    (x + 0.0).backward(gradient=g)  # Add hands the incoming gradient straight to x
    x.grad.data += 5
    np.testing.assert_array_equal(g, [1.0, 1.0])
    w = ta.ones(2, 2, requires_grad=True)
    h = np.ones((4,), dtype=np.float32)
    w.reshape(4).backward(gradient=h)  # reshape's backward returns a view of h
    w.grad.data += 1
    np.testing.assert_array_equal(h, np.ones(4))


def test_assigned_grad_of_another_shape_dtype_or_type_is_refused():
    # a wrong-shape .grad used to reach the optimizer's Numba loop (out-of-bounds writes)
    p = ta.nn.Parameter(ta.zeros(2, 3))
    with pytest.raises(RuntimeError, match=r"assigned grad has data of a different size.*\(3,\)"):
        p.grad = ta.zeros(3)
    with pytest.raises(RuntimeError, match="assigned grad has data of a different type.*float64"):
        p.grad = ta.zeros(2, 3, dtype=ta.float64)
    with pytest.raises(TypeError, match="expected to be a Tensor or None.*ndarray"):
        p.grad = np.zeros((2, 3), dtype=np.float32)
    assert p.grad is None
    p.grad = ta.ones(2, 3)  # the right one is accepted, and so is None
    ta.optim.SGD([p], lr=0.5).step()
    np.testing.assert_array_equal(p.numpy(), np.full((2, 3), -0.5))
    p.grad = None
    assert p.grad is None


def test_hook_that_changes_the_size_or_type_of_the_gradient_raises():
    def halve(g):
        return g[:1]

    x = ta.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.register_hook(halve)
    with pytest.raises(RuntimeError, match="hook 'halve' has changed the size of value"):
        y.sum().backward()
    x.register_hook(halve)  # on a leaf: refused before it reaches .grad
    with pytest.raises(RuntimeError, match="hook 'halve' has changed the size of value"):
        (x * 3).sum().backward()
    assert x.grad is None

    z = ta.tensor([1.0, 2.0], requires_grad=True)
    z.register_hook(lambda g: g.double())
    with pytest.raises(RuntimeError, match="has changed the type of value.*float32 got float64"):
        (z * 3).sum().backward()
    w = ta.tensor([1.0, 2.0], requires_grad=True)
    w.register_hook(lambda g: 3)
    with pytest.raises(TypeError, match="expected Tensor, but hook '<lambda>' returned 'int'"):
        (w * 3).sum().backward()


def _mlp_step_holding_losses(batch: int = 64):
    """The issue's logging habit: a 784-1024-1024-10 MLP, each step's loss kept in a list."""
    ta.manual_seed(0)
    nn = ta.nn
    model = nn.Sequential(
        nn.Linear(784, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(), nn.Linear(1024, 10)
    )
    opt = ta.optim.SGD(model.parameters(), lr=0.01)
    rng = np.random.default_rng(0)
    xb = ta.tensor(rng.standard_normal((batch, 784)).astype(np.float32))
    yb = ta.tensor(rng.integers(0, 10, batch))
    losses = []

    def step():
        loss = ta.F.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss)

    return model, step, losses


def test_a_held_loss_does_not_keep_the_steps_activations_alive():
    import gc
    import weakref

    model, step, losses = _mlp_step_holding_losses()
    refs = []
    model[1].register_forward_hook(lambda m, i, out: refs.append(weakref.ref(out.data)))
    step()
    gc.collect()
    assert len(losses) == 1 and refs[0]() is None  # the hidden activation is gone
    # the freed graph still says what happened when asked to backpropagate again
    with pytest.raises(RuntimeError, match="already freed.*retain_graph=True"):
        losses[0].backward()


def test_memory_stays_flat_over_steps_that_hold_their_losses():
    import gc
    import tracemalloc

    _, step, losses = _mlp_step_holding_losses()
    tracemalloc.start()
    try:
        for _ in range(3):  # gradients and optimizer state exist from here on
            step()
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(10):
            step()
        gc.collect()
        growth = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    # each step makes ~1 MB of activations (64 x 1024 float32 outputs, inputs and masks saved
    # for backward); 10 held steps kept 10 MB alive before the fix
    assert len(losses) == 13 and growth < 256 * 1024, f"{growth / 2**20:.1f} MB kept by 10 losses"
