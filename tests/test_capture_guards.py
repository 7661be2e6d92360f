"""ta.compile's guards: whatever changes between calls, a compiled step gives the eager results.

A changed input signature gets its own recording; a changed parameter array, Module attribute or
optimizer state makes the step record again; what the tape reads at every replay (learning
rates, .grad objects) just works. Each test compares with an eager run of the same setup
(tests/_capture_util.py) and checks the replays happened.
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
    default_drive,
    loss_fn,
    mlp,
)

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import nn, optim


def test_the_last_partial_batch_gets_its_own_recording():
    def setup():
        run = classifier("rrelu", "adam")()
        run.extra["batches"] = batches(size=20)  # 96 rows: 4 batches of 20, then one of 16
        return run

    eager, comp = assert_exact(setup, 60, min_replays=60 - 4)
    assert comp.step.stats["recorded"] == 2


def test_an_input_dtype_change_gets_its_own_recording():
    def setup():
        w = nn.Parameter(np.linspace(-1, 1, 5))  # float64: float32 inputs are promoted
        opt = optim.SGD([w], lr=0.01, momentum=0.9)
        model = nn.Module()
        model.w = w

        def step(xb):
            opt.zero_grad()
            loss = ((xb * w).sum(1).tanh() ** 2).mean()
            loss.backward()
            opt.step()
            return loss

        data = [x for x, _ in batches("float32")] + [x for x, _ in batches("float64")]
        return Run(model, opt, step, {"batches": [(x,) for x in data[::2] + data[1::2]]})

    eager, comp = assert_exact(setup, 48, min_replays=48 - 4)
    assert {o.dtype for o in comp.outs} == {np.dtype("float64")}
    assert comp.step.stats["recorded"] == 2


def _switching_mode(every):
    def drive(step, run, i):
        if i % every == 0:
            run.model.train(i // every % 2 == 0)
        return default_drive(step, run, i)

    return drive


@pytest.mark.parametrize(
    "kind",
    ["rrelu", "dropout"],
)
def test_train_eval_switches_follow_the_mode(kind):
    eager, comp = assert_exact(classifier(kind, "adam"), 80, _switching_mode(10), min_replays=70)
    assert comp.step.stats["recorded"] <= 8  # at most one per switch


def test_evaluating_between_training_calls_does_not_record_again():
    """The usual loop: train with the compiled step, model.eval() for a validation pass without
    it, model.train() again: the recording of the training step still holds."""
    val = []

    def drive(step, run, i):
        out = default_drive(step, run, i)
        if i % 10 == 9:
            run.model.eval()
            with ta.no_grad():
                val.append(run.model(run.extra["batches"][0][0]).data.copy())
            run.model.train()
        return out

    eager, comp = assert_exact(classifier("rrelu", "adam"), 60, drive)
    assert comp.step.stats["recorded"] == 1
    assert all(np.array_equal(a, b) for a, b in zip(val[:6], val[6:])) and len(val) == 12


def _edit_at(i0, edit):
    def drive(step, run, i):
        if i == i0:
            edit(run)
        return default_drive(step, run, i)

    return drive


def _rescale_weight(run):
    w = run.model[0].weight
    w.data = w.data * 0.5  # a new array


def _add_noise_layer(run):
    run.model[1] = nn.RReLU(0.2, 0.4)  # a submodule replaced


EDITS = {
    "p.data replaced": ("plain", _rescale_weight),
    "leaky slope": ("leaky", lambda run: setattr(run.model[1], "negative_slope", 0.5)),
    "rrelu bounds": ("rrelu", lambda run: setattr(run.model[1], "upper", 0.9)),
    "dropout p": ("dropout", lambda run: setattr(run.model[2], "p", 0.6)),
    "submodule replaced": ("plain", _add_noise_layer),
    "layer frozen": ("plain", lambda run: run.model[2].requires_grad_(False)),
}


@pytest.mark.parametrize(
    "edit",
    list(EDITS),
)
def test_an_edit_between_calls_makes_the_step_record_again(edit):
    kind, fn = EDITS[edit]
    eager, comp = assert_exact(classifier(kind, "sgd_momentum"), 40, _edit_at(20, fn))
    assert comp.step.stats["recorded"] == 2
    assert not np.array_equal(comp.params[18][0], comp.params[22][0])


def test_an_lr_scheduler_is_honored_without_recording_again():
    def setup():
        run = classifier("rrelu", "sgd_momentum")()
        run.extra["sched"] = optim.lr_scheduler.StepLR(run.opt, step_size=15, gamma=0.5)
        return run

    def drive(step, run, i):
        out = default_drive(step, run, i)
        run.extra["sched"].step()
        return out, run.opt.param_groups[0]["lr"]

    eager, comp = assert_exact(setup, 100, drive)
    assert comp.step.stats["recorded"] == 1
    assert comp.outs[-1][1] == OPTIMIZERS["sgd_momentum"][1]["lr"] * 0.5**6


def test_a_hyperparameter_set_by_hand_is_read_at_every_replay():
    def drive(step, run, i):
        run.opt.param_groups[0]["betas"] = (0.9 - 0.002 * i, 0.999)
        run.opt.param_groups[0]["weight_decay"] = 1e-3 * (i % 3)
        return default_drive(step, run, i)

    assert_exact(classifier("rrelu", "adam"), 60, drive)


def test_optimizer_load_state_dict_and_add_param_group():
    def setup():
        model = mlp("rrelu")
        opt = optim.Adam(model[0].parameters(), lr=1e-2)  # the first layer only, at first
        lf = loss_fn("cross_entropy")

        def step(xb, yb):
            loss = lf(model(xb), yb)
            model.zero_grad()
            loss.backward()
            opt.step()
            return loss

        return Run(model, opt, step, {"batches": batches()})

    def drive(step, run, i):
        if i == 10:
            run.extra["saved"] = run.opt.state_dict()
        if i == 20:
            run.opt.load_state_dict(run.extra["saved"])
        if i == 30:
            rest = [p for m in list(run.model)[1:] for p in m.parameters()]
            run.opt.add_param_group({"params": rest, "lr": 3e-3})
        return default_drive(step, run, i)

    eager, comp = assert_exact(setup, 60, drive)
    assert comp.step.stats["recorded"] == 3
    assert len(comp.run.opt.state) == len(list(comp.run.model.parameters()))


ZERO_GRAD = ["inside-none", "inside-zeros", "outside-none", "outside-zeros", "never"]


@pytest.mark.parametrize("opt", ["sgd_nesterov", "adam"])
@pytest.mark.parametrize("pattern", ZERO_GRAD)
def test_zero_grad_patterns(pattern, opt):
    where, how = (pattern.split("-") + [""])[:2]

    def setup():
        model = mlp("rrelu")
        cls, kw = OPTIMIZERS[opt]
        o = getattr(optim, cls)(model.parameters(), **{**kw, "lr": kw["lr"] / 10})
        lf = loss_fn("mse")

        def step(xb, yb):
            if where == "inside":
                o.zero_grad(set_to_none=how == "none")
            loss = lf(model(xb), yb)
            loss.backward()
            o.step()
            return loss

        return Run(model, o, step, {"batches": batches()})

    def drive(step, run, i):
        if where == "outside":
            run.opt.zero_grad(set_to_none=how == "none")
        return default_drive(step, run, i)

    eager, comp = assert_exact(setup, 50, drive)
    assert comp.step.stats["recorded"] == 1
    if pattern == "never":  # the gradients really accumulated
        g = [np.abs(grads[0]).sum() for grads in comp.grads]
        assert g[-1] > 5 * g[0]


def _functional_setup(body, **extra):
    """A setup whose step is loss = body(model, xb, yb, extra) with the usual update."""

    def setup():
        model = mlp("plain")
        opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        consts = {k: f() for k, f in extra.items()}

        def step(xb, yb):
            loss = body(model, xb, yb, consts)
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss

        return Run(model, opt, step, {"batches": batches()})

    return setup


def _tied(m, x, y, c):
    h = m[1](m[0](x))
    h = m[2](h)
    h = m[3](m[2](h))  # the same 16x16 weight twice
    return F.cross_entropy(m[4](h), y)


def _reused_node(m, x, y, c):
    h = m[1](m[0](x))
    z = h * h + h.sum(1, keepdim=True) * 0.1 - h  # h feeds three ops
    return F.cross_entropy(m[4](m[3](m[2](z))), y)


def _inplace_relu(m, x, y, c):
    h = F.relu(m[0](x), inplace=True)
    h = F.leaky_relu(m[2](h), 0.1, inplace=True)
    return F.cross_entropy(m[4](h), y)


def _constants(m, x, y, c):
    h = m[1](m[0](x)) * c["outside"] + ta.tensor(np.linspace(-1, 1, 16).astype(np.float32))
    h = m[3](m[2](h)) * ta.ones(16) - ta.arange(16, dtype=ta.float32) * 0.01
    return F.cross_entropy(m[4](h) * 0.5 + c["bias"], y)


@pytest.mark.parametrize(
    "body,extra",
    [
        (_tied, {}),
        (_reused_node, {}),
        (_inplace_relu, {}),
        (
            _constants,
            {
                "outside": lambda: ta.tensor(np.linspace(0.5, 1.5, 16).astype(np.float32)),
                "bias": lambda: ta.tensor([0.1, -0.2, 0.3]),
            },
        ),
    ],
    ids=["tied weight", "non-leaf used thrice", "inplace relu", "tensor constants"],
)
def test_graph_shapes(body, extra):
    assert_exact(_functional_setup(body, **extra), 60)


def test_inplace_activation_modules():
    def setup():
        run = classifier("plain", "adam")()
        run.model[1] = nn.ReLU(inplace=True)
        run.model[3] = nn.LeakyReLU(0.2, inplace=True)
        return run

    assert_exact(setup, 60)


def test_a_non_tensor_argument_selects_a_recording():
    def setup():
        run = classifier("plain", "sgd")()
        model, opt = run.model, run.opt

        def step(xb, yb, scale, *, reduction="mean"):
            loss = F.cross_entropy(model(xb), yb, reduction=reduction) * scale
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss

        run.step = step
        return run

    def drive(step, run, i):
        xb, yb = run.extra["batches"][i % 6]
        return step(xb, yb, (1.0, 0.5)[i % 2], reduction=("mean", "sum")[i // 3 % 2])

    eager, comp = assert_exact(setup, 48, drive, min_replays=48 - 8)
    assert comp.step.stats["recorded"] == 4


def test_a_tensor_read_only_outside_the_graph_is_guarded():
    """A threshold read only by a comparison (no op reads it): replacing its array re-records."""
    thr = ta.tensor(0.5)
    step = ta.compile(lambda x: (x > thr).float().sum())
    x = ta.tensor(np.array([0.4, 0.6, 0.9], dtype=np.float32))
    assert [float(step(x).data) for _ in range(3)] == [2.0, 2.0, 2.0]
    thr.data = np.array(0.8, dtype=np.float32)
    assert float(step(x).data) == float((x > thr).float().sum().data) == 1.0
    assert step.stats["recorded"] == 2


def test_a_tensor_made_inside_the_step_starts_fresh_at_every_replay():
    """Eager makes `acc` anew at every step; the tape writes into it (an in-place add, a .grad
    accumulated into it), so a replay must give it back its first values before running."""
    w = ta.tensor(np.array([1.0, 2.0, 3.0], dtype=np.float32), requires_grad=True)

    def step(x):
        acc = ta.zeros(3)
        with ta.no_grad():
            acc.add_(x)  # in place, on a tensor the step made
        w.grad = ta.zeros(3)  # backward accumulates into this fresh .grad
        (w * x).sum().backward()
        return acc, w.grad

    compiled = ta.compile(step)
    xs = [ta.tensor(np.full(3, k, dtype=np.float32)) for k in (1.0, 2.0, 3.0, 4.0, 5.0)]
    got = [[t.data.copy() for t in compiled(x)] for x in xs]
    want = [[t.data.copy() for t in step(x)] for x in xs]
    assert compiled.stats["replayed"] == 3
    assert all(np.array_equal(g, e) for gs, es in zip(got, want) for g, e in zip(gs, es))
