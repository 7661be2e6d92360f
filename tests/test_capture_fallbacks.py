"""ta.compile falls back to eager, with a RuntimeWarning that says why, for what a replay cannot
repeat; the results are then the eager ones. And values that a replay would silently freeze
."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from _capture_util import Run, batches, classifier, default_drive, first_difference, trace

import tinygrad_act as ta
import tinygrad_act.functional as F


def _step_with(extra):
    """A setup whose step calls extra(model, xb, loss) between forward and backward; extra may
    return a replacement loss."""

    def setup():
        run = classifier("rrelu", "adam")()
        model, opt = run.model, run.opt

        def step(xb, yb):
            loss = F.cross_entropy(model(xb), yb)
            new = extra(model, xb, loss)
            loss = loss if new is None else new
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss

        run.step = step
        return run

    return setup


def _if_positive(m, x, loss):
    if loss > 0:
        return loss * 1.0
    return loss * 2.0


def _tensor_hook(m, x, loss):
    h = m[0](x)
    h.register_hook(lambda g: g * 0.5)
    return loss + (h * h).mean()


def _forward_hook(m, x, loss):
    if not m[0]._forward_hooks:
        m[0].register_forward_hook(lambda mod, args, out: None)
    return loss + (m[0](x) ** 2).mean()


def _randn(m, x, loss):
    return loss + (m[0](x + 0.01 * ta.randn(*x.shape)) ** 2).mean()


FALLBACKS = {
    ".item()": (lambda m, x, loss: loss * (1.0 if loss.item() > 0 else 2.0), r"\.item\(\)"),
    "float()": (lambda m, x, loss: loss * min(1.0, float(loss)), r"\.item\(\) \(or float"),
    "if loss > 0": (_if_positive, r"bool of a tensor"),
    ".numpy()": (lambda m, x, loss: loss * float(loss.numpy() > 0), r"\.numpy\(\) read a value"),
    "print": (lambda m, x, loss: print(loss), r"printing a tensor"),
    "ta.randn": (_randn, r"drew random numbers outside an op"),
    "tensor hook": (_tensor_hook, r"a hook on the output of Linear \(a hook runs Python"),
    "module hook": (_forward_hook, r"Linear has forward hooks"),
}


@pytest.mark.parametrize("what", FALLBACKS)
def test_a_step_the_replay_cannot_repeat_runs_eagerly_with_one_warning(what, capsys):
    extra, match = FALLBACKS[what]
    setup = _step_with(extra)
    eager = trace(setup, 12, compiled=False)
    with pytest.warns(RuntimeWarning, match=match) as caught:
        comp = trace(setup, 12, compiled=True)
    assert first_difference(eager, comp) is None
    # the second call tried to record, gave up, and counts as eager: no recording is kept
    assert comp.step.stats == {"eager": 12, "recorded": 0, "replayed": 0}
    assert len([w for w in caught if "ta.compile" in str(w.message)]) == 1
    assert "runs eagerly because" in str(caught[0].message)


def test_a_hook_on_a_parameter_runs_eagerly():
    def setup():
        run = classifier("plain", "sgd")()
        run.model[0].weight.register_hook(lambda g: g * 2.0)
        return run

    eager = trace(setup, 8, compiled=False)
    with pytest.warns(RuntimeWarning, match="a hook on a leaf tensor"):
        comp = trace(setup, 8, compiled=True)
    assert first_difference(eager, comp) is None and comp.step.stats["replayed"] == 0


def test_backward_through_a_graph_made_outside_the_step_runs_eagerly():
    x, y = batches()[0]

    def setup():
        run = classifier("plain", "sgd")()
        model, opt = run.model, run.opt
        h = model[1](model[0](x))  # built once, outside the step

        def step(scale):
            opt.zero_grad()
            loss = F.cross_entropy(model[4](model[3](model[2](h))), y) * scale
            loss.backward(retain_graph=True)
            opt.step()
            return loss

        return Run(model, opt, step)

    drive = lambda step, run, i: step(1.0)  # noqa: E731
    eager = trace(setup, 6, False, drive)
    with pytest.warns(RuntimeWarning, match="made outside the step"):
        comp = trace(setup, 6, True, drive)
    assert first_difference(eager, comp) is None and comp.step.stats["replayed"] == 0


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda step, xb, yb: step(xb.requires_grad_(True), yb), "an input requires grad"),
        (lambda step, xb, yb: step(xb, yb, [1.0]), "type list is not hashable"),
        (lambda step, xb, yb: step(xb, yb, opts={"scale": 1.0}), "type dict is not hashable"),
    ],
    ids=["requires-grad input", "list argument", "dict keyword"],
)
def test_arguments_a_replay_cannot_take_run_eagerly(call, match):
    def setup():
        run = classifier("plain", "sgd_momentum")()
        plain = run.step
        run.step = lambda xb, yb, *args, **kw: plain(xb, yb)
        return run

    def drive(step, run, i):
        xb, yb = run.extra["batches"][i % 6]
        return call(step, ta.tensor(xb.data), yb)

    eager = trace(setup, 6, False, drive)
    with pytest.warns(RuntimeWarning, match=match):
        comp = trace(setup, 6, True, drive)
    assert first_difference(eager, comp) is None
    assert comp.step.stats == {"eager": 6, "recorded": 0, "replayed": 0}


def test_too_many_signatures_run_eagerly():
    run = classifier("plain", "sgd")()
    step = ta.compile(run.step)
    xb, yb = batches(size=96)[0]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(2):
            for n in range(1, 12):  # eleven batch sizes
                step(xb[:n], yb[:n])
    assert step.stats["recorded"] == 8 and step.stats["replayed"] == 0
    assert any("more than 8 signatures" in str(w.message) for w in caught)


# ---- values computed outside ops: a replay must not freeze them -------------------------------


def _value_steps():
    def mask_multiply(x):
        return (x * (x > 0).float()).sum()

    def where(x):
        return ta.where(x > 0, x, x * 0.1).sum()

    def argmax(x):
        return (x.argmax(1) == 0).float().mean()

    def max_dim(x):
        return x.max(dim=1).values.sum()

    def cast(x):
        return x.double().sum()

    return [mask_multiply, where, argmax, max_dim, cast]


@pytest.mark.parametrize("fn", _value_steps(), ids=lambda f: f.__name__)
def test_values_computed_outside_ops_follow_the_inputs(fn):
    rng = np.random.default_rng(5)
    xs = [ta.tensor(rng.standard_normal((6, 4)).astype(np.float32)) for _ in range(8)]
    compiled = ta.compile(fn)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a fallback with a warning would be fine too
        got = [compiled(x).data.copy() for x in xs]
    assert all(np.array_equal(g, fn(x).data) for g, x in zip(got, xs))
    assert compiled.stats["replayed"] == len(xs) - 2  # really replayed, nothing frozen


class Positives(ta.Function):
    """A student's op whose output has as many elements as its input has positives."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x > 0)
        return x[x > 0]

    @staticmethod
    def backward(ctx, grad):
        (mask,) = ctx.saved_tensors
        out = np.zeros(mask.shape, dtype=grad.dtype)
        out[mask] = grad
        return out


def test_an_output_shape_that_depends_on_the_values_is_refused_at_replay():
    """Replayable while the number of positives stays the recorded one, refused with the reason
    when it changes (never a silently wrong shape)."""
    compiled = ta.compile(lambda x: Positives.apply(x).sum())
    same = [ta.tensor(np.array([1.0, -1.0, 2.0 + k], dtype=np.float32)) for k in range(4)]
    got = [float(compiled(x).data) for x in same]
    assert got == [float(Positives.apply(x).sum().data) for x in same]
    assert compiled.stats["replayed"] == 2
    with pytest.raises(RuntimeError, match="shape depends on the values"):
        compiled(ta.tensor(np.array([1.0, 1.0, 2.0], dtype=np.float32)))


def test_a_bool_mask_index_runs_eagerly():
    """x[x > 0]: the mask's positions are read outside the op, so the step falls back."""
    compiled = ta.compile(lambda x: x[x > 0].sum())
    xs = [ta.tensor(np.array([1.0, -1.0, 2.0, k], dtype=np.float32)) for k in (-1, 1, 2, 3)]
    with pytest.warns(RuntimeWarning, match="bool mask"):
        got = [float(compiled(x).data) for x in xs]
    assert got == [float(x[x > 0].sum().data) for x in xs] and compiled.stats["replayed"] == 0


def test_a_training_step_reporting_accuracy():
    def setup():
        run = classifier("rrelu", "adam")()
        model, opt = run.model, run.opt

        def step(xb, yb):
            out = model(xb)
            loss = F.cross_entropy(out, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss, (out.argmax(1) == yb).float().mean()

        run.step = step
        return run

    eager, comp = trace(setup, 30, False), trace(setup, 30, True)
    assert comp.step.stats["replayed"] == 28
    assert first_difference(eager, comp) is None


@pytest.mark.parametrize("momentum", [0.1, None])
def test_batchnorm_running_statistics_follow_eager(momentum):
    """The batch count is replayed; momentum=None's factor (1/count) would be frozen: eager."""

    def setup():
        run = classifier("plain", "sgd")()
        run.model[1] = ta.nn.BatchNorm1d(16, momentum=momentum)
        return run

    eager = trace(setup, 20, False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        comp = trace(setup, 20, True)
    assert first_difference(eager, comp) is None
    if momentum is None:
        assert comp.step.stats["replayed"] == 0
        assert any("momentum=None" in str(w.message) for w in caught)
    else:
        assert comp.step.stats["replayed"] == 18 and not caught
    bn_e, bn_c = eager.run.model[1], comp.run.model[1]
    assert int(bn_c.num_batches_tracked.data) == int(bn_e.num_batches_tracked.data) == 20
    assert np.array_equal(bn_c.running_mean.data, bn_e.running_mean.data)


def test_replacing_a_tensor_attribute_of_a_module():
    class Scaled(ta.nn.Module):
        def __init__(self):
            super().__init__()
            self.k = ta.tensor(2.0)

        def forward(self, x):
            return x * self.k

    m = Scaled()
    step = ta.compile(lambda x: m(x).sum())
    x = ta.ones(3)
    for _ in range(3):
        step(x)
    m.k = ta.tensor(3.0)
    assert float(step(x).data) == float(m(x).sum().data) == 9.0


def test_the_harness_tells_seeds_apart():
    """The harness itself: two eager traces of a random setup are identical (same seeds)."""
    a = trace(classifier("rrelu", "adam"), 10, False)
    b = trace(classifier("rrelu", "adam"), 10, False, default_drive)
    assert first_difference(a, b) is None
    c = trace(classifier("rrelu", "adam"), 10, False, seed=7)
    assert first_difference(a, c) is not None
