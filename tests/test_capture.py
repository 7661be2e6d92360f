"""ta.compile (tinygrad_act/capture.py): a replayed training step is bit-identical to the eager one.

Every test trains the same setup twice from the same seed, eagerly and through ta.compile, and
compares returned values, parameters and gradients after every call and the optimizer state at
the end (tests/_capture_util.py). Each also checks that the compiled run really replayed.
"""

from __future__ import annotations

import numpy as np
import pytest
from _capture_util import (
    OPTIMIZERS,
    Run,
    assert_exact,
    batches,
    classifier,
    eager_and_compiled,
    first_difference,
    mlp,
)

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import nn, optim
from tinygrad_act.ops.linear import Linear as LinearOp

STEPS = 200


def _cases():
    """Each optimizer with both dtypes, both losses and both random models (not all products)."""
    cases = []
    for i, name in enumerate(OPTIMIZERS):
        for j, dtype in enumerate(("float32", "float64")):
            kind = ("dropout", "rrelu")[(i + j) % 2]
            loss = ("cross_entropy", "mse")[(i // 2 + j) % 2]
            marks = []
            case_id = f"{name}-{dtype}-{kind}-{loss}"
            cases.append(pytest.param(name, dtype, kind, loss, id=case_id, marks=marks))
    return cases


@pytest.mark.parametrize("opt,dtype,kind,loss", _cases())
def test_every_optimizer_replays_bit_identically(opt, dtype, kind, loss):
    eager, comp = assert_exact(classifier(kind, opt, dtype, loss), STEPS)
    assert comp.step.stats == {"eager": 1, "recorded": 1, "replayed": STEPS - 2}
    # the run trained (a frozen replay would also be 'equal' if nothing moved)
    assert not np.array_equal(eager.params[0][0], eager.params[-1][0])
    assert all(g is not None for g in comp.grads[-1])
    assert len({float(o) for o in comp.outs}) > STEPS // 2  # fresh losses, not one repeated


def test_plain_model_without_randomness_replays_exactly():
    assert_exact(classifier("plain", "adam", "float32", "mse"), STEPS)


@pytest.mark.parametrize("opt", ["sgd_nesterov", "adamw"])
@pytest.mark.parametrize("kind", ["rrelu", "dropout"])
def test_zero_argument_closure_replays_exactly(opt, kind):
    """A step with no arguments (full-batch training on tensors the closure holds)."""

    def setup():
        model = mlp(kind)
        cls, kw = OPTIMIZERS[opt]
        o = getattr(optim, cls)(model.parameters(), **kw)
        x, y = batches(size=48)[0]

        def step():
            o.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            o.step()
            return loss

        return Run(model, o, step)

    assert_exact(setup, 60, drive=lambda step, run, i: step())


def test_random_streams_match_eager_draw_for_draw():
    """Replays draw fresh noise (rrelu) in the eager order: the generator ends in the same state."""
    after = []
    for compiled in (False, True):
        ta.manual_seed(3)
        step = classifier("rrelu")().step
        step = ta.compile(step) if compiled else step
        for xb, yb in batches() * 3:
            step(xb, yb)
        after.append((ta.rand(4).data, step))
    assert np.array_equal(after[0][0], after[1][0])
    assert after[1][1].stats["replayed"] == 16


def test_step_returning_several_tensors_and_numbers():
    def setup():
        run = classifier("rrelu", "adam")()

        def step(xb, yb):
            out = run.model(xb)
            loss = F.cross_entropy(out, yb)
            run.opt.zero_grad()
            loss.backward()
            run.opt.step()
            return {"loss": loss, "logits": out, "n": len(yb)}, (loss * 2, out.sum())

        return Run(run.model, run.opt, step, run.extra)

    eager, comp = assert_exact(setup, 40)
    assert comp.outs[-1][0]["n"] == 16


# ---- inputs and outputs -----------------------------------------------------------------------


def test_the_callers_input_arrays_are_never_written():
    data = ta.tensor(np.random.default_rng(0).standard_normal((64, 5)).astype(np.float32))
    labels = ta.tensor(np.arange(64) % 3)
    before = data.data.copy(), labels.data.copy()

    def setup():
        run = classifier("rrelu", "sgd_momentum")()
        # views of the dataset arrays (slicing shares memory)
        run.extra["batches"] = [(data[i : i + 8], labels[i : i + 8]) for i in range(0, 64, 8)]
        assert np.shares_memory(run.extra["batches"][1][0].data, data.data)
        return run

    assert_exact(setup, 50)
    assert np.array_equal(data.data, before[0]) and np.array_equal(labels.data, before[1])


def test_a_step_writing_into_its_input_does_not_reach_the_callers_array():
    data = ta.tensor(np.random.default_rng(0).standard_normal((8, 5)).astype(np.float32))
    before = data.data.copy()

    @ta.compile
    def step(xb):
        return F.relu(xb, inplace=True).sum()

    sums = [float(step(data[i : i + 1]).data) for i in range(8)]
    assert step.stats == {"eager": 1, "recorded": 1, "replayed": 6}
    assert sums == [float(np.maximum(row, 0).sum(dtype=np.float32)) for row in before]
    # the first call ran eagerly (as without ta.compile: row 0 was relu'd in place); the
    # recording and the replays worked on a private copy of their input
    assert np.array_equal(data.data[0], np.maximum(before[0], 0))
    assert np.array_equal(data.data[1:], before[1:])


def test_returned_tensors_are_detached_copies():
    run = classifier("plain", "sgd")()
    step = ta.compile(run.step)
    losses = [step(*b) for b in batches() * 2]
    assert step.stats["replayed"] == 10
    values = [loss.data.copy() for loss in losses]
    assert len({float(v) for v in values}) == len(values)  # each call kept its own value
    assert all(not loss.requires_grad and loss._ctx is None for loss in losses)
    # writing into a returned tensor changes neither the next result nor the kept ones
    losses[-1].data[...] = 123.0
    again = step(*batches()[0])
    assert float(again.data) != 123.0 and float(losses[-2].data) == float(values[-2])


# ---- the comparison catches a wrong replay ----------------------------------------------------


def _forgets_bias(ctx, out, x, weight, bias=None):
    return lambda: np.matmul(x, weight.T, out=out)


def _skips_weight_grad(ctx, grad, grads):
    x, weight = ctx.saved_tensors
    gx, gw, gb = grads
    g2 = grad.reshape(-1, grad.shape[-1])

    def run():
        if gx is not None:
            np.matmul(grad, weight, out=gx)
        if gb is not None:
            np.add.reduce(g2, 0, None, gb)
        # gw: not recomputed, keeps the recorded call's values

    return run


@pytest.mark.parametrize(
    "attr,bad", [("capture_forward", _forgets_bias), ("capture_backward", _skips_weight_grad)]
)
def test_a_wrong_capture_method_is_caught_by_the_comparison(monkeypatch, attr, bad):
    setup = classifier("rrelu", "adam")
    eager, comp, _ = eager_and_compiled(setup, 30)
    assert first_difference(eager, comp) is None  # the real methods: exact
    monkeypatch.setattr(LinearOp, attr, staticmethod(bad))
    eager, comp, _ = eager_and_compiled(setup, 30)
    assert comp.step.stats["replayed"] == 28
    assert first_difference(eager, comp) is not None
    assert first_difference(eager, comp).startswith("call 2:")  # the first replay


class Cube(ta.Function):
    """A student's op: numpy forward and backward, no capture methods."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 3.0 * x * x * grad


class Jitter(ta.Function):
    """A student's random op: draws its noise inside forward (so a replay draws again)."""

    @staticmethod
    def forward(ctx, x):
        from tinygrad_act.random import default_generator

        noise = (1.0 + 0.1 * default_generator().standard_normal(x.shape)).astype(x.dtype)
        ctx.save_for_backward(noise)
        return x * noise

    @staticmethod
    def backward(ctx, grad):
        (noise,) = ctx.saved_tensors
        return grad * noise


def test_a_students_custom_function_is_replayed_exactly():
    def setup():
        model = nn.Sequential(nn.Linear(5, 16), nn.Linear(16, 3))
        opt = optim.Adam(model.parameters(), lr=1e-2)

        def step(xb, yb):
            h = Jitter.apply(Cube.apply(model[0](xb)))
            loss = F.cross_entropy(model[1](h), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss

        return Run(model, opt, step, {"batches": batches()})

    assert_exact(setup, 100)


def test_the_eager_path_is_used_before_recording():
    run = classifier("plain")()
    step = ta.compile(run.step, warmup=3)
    for i, b in enumerate(batches()):
        step(*b)
        assert step.stats["recorded"] == (i >= 3)
    assert step.stats == {"eager": 3, "recorded": 1, "replayed": 2}
    with pytest.raises(ValueError, match="warmup"):
        ta.compile(run.step, warmup=-1)
    with pytest.raises(TypeError, match="expects a function"):
        ta.compile(3)
