"""Helpers for tests/test_capture*.py: train the same setup twice from the same seed, once eagerly
and once through ta.compile, and record everything a step leaves behind, to compare bit for bit.

A setup is a function returning a `Run` (model, optimizer, the plain step function and anything
a driver needs). A driver `drive(step, run, i)` makes call i (by default: step(*batch i)). Both
runs are built after ta.manual_seed(seed) and trained after ta.manual_seed(seed + 1), so
dropout and rrelu draw the same stream in both.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import nn, optim

IN, HID, OUT = 5, 16, 3
_DATA = np.random.default_rng(1234)  # the data never comes from the library's generator
X32 = _DATA.standard_normal((96, IN)).astype(np.float32)
LABELS = _DATA.integers(0, OUT, 96)
TARGETS32 = _DATA.standard_normal((96, OUT)).astype(np.float32)

# name -> (class, kwargs): every optimizer variant the exactness test covers
OPTIMIZERS = {
    "sgd": ("SGD", dict(lr=0.05)),
    "sgd_momentum": ("SGD", dict(lr=0.05, momentum=0.9)),
    "sgd_nesterov": ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    "sgd_weight_decay": ("SGD", dict(lr=0.05, momentum=0.5, weight_decay=1e-2)),
    "sgd_dampening": ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3)),
    "sgd_maximize": ("SGD", dict(lr=1e-3, momentum=0.5, maximize=True)),
    "adam": ("Adam", dict(lr=1e-2)),
    "adam_amsgrad": ("Adam", dict(lr=1e-2, amsgrad=True, weight_decay=1e-3)),
    "adamw": ("AdamW", dict(lr=1e-2)),
}


def mlp(kind: str, dtype: str = "float32") -> nn.Module:
    """5-16-16-3 nets. 'dropout': ReLU, Dropout, LeakyReLU; 'rrelu': RReLU, GELU, Tanh (random
    without dropout); 'plain': ReLU, Tanh and 'leaky': LeakyReLU, ELU (nothing random)."""
    acts = {
        "dropout": [nn.ReLU(), nn.Dropout(0.25), nn.LeakyReLU(0.05)],
        "rrelu": [nn.RReLU(), nn.GELU(), nn.Tanh()],
        "plain": [nn.ReLU(), nn.Tanh()],
        "leaky": [nn.LeakyReLU(0.05), nn.ELU()],
    }[kind]
    layers = [nn.Linear(IN, HID), acts[0], *acts[1:-1], nn.Linear(HID, HID), acts[-1]]
    m = nn.Sequential(*layers, nn.Linear(HID, OUT))
    return m.double() if dtype == "float64" else m


def batches(dtype: str = "float32", size: int = 16) -> list[tuple[ta.Tensor, ta.Tensor]]:
    """(x, labels) and (x, regression targets) batches, as ta Tensors, cycling over X32."""
    x = ta.tensor(X32.astype(dtype))
    out = []
    for i in range(0, len(X32), size):
        out.append((x[i : i + size], ta.tensor(LABELS[i : i + size])))
    return out


def loss_fn(name: str, dtype: str = "float32") -> Callable:
    targets = ta.tensor(TARGETS32.astype(dtype))
    if name == "cross_entropy":
        return lambda out, y: F.cross_entropy(out, y)
    # mse: the labels pick rows of a fixed target table, so each batch has its own targets
    return lambda out, y: F.mse_loss(out, targets[y])


@dataclass
class Run:
    model: Any
    opt: Any = None
    step: Callable | None = None
    extra: dict = field(default_factory=dict)


def default_drive(step: Callable, run: Run, i: int) -> Any:
    data = run.extra["batches"]
    return step(*data[i % len(data)])


@dataclass
class Trace:
    outs: list  # per call: the returned value, as nested numpy copies
    params: list  # per call: every parameter's data
    grads: list  # per call: every parameter's .grad (None kept)
    run: Run
    step: Any


def _arrays(out: Any) -> Any:
    if isinstance(out, ta.Tensor):
        return out.data.copy()
    if isinstance(out, (tuple, list)):
        return [_arrays(o) for o in out]
    if isinstance(out, dict):
        return {k: _arrays(v) for k, v in out.items()}
    return out


def trace(
    setup: Callable[[], Run],
    steps: int,
    compiled: bool,
    drive: Callable = default_drive,
    seed: int = 0,
    grads: bool = True,
) -> Trace:
    ta.manual_seed(seed)
    run = setup()
    step = ta.compile(run.step) if compiled else run.step
    ta.manual_seed(seed + 1)
    t = Trace([], [], [], run, step)
    params = list(run.model.parameters())
    for i in range(steps):
        t.outs.append(_arrays(drive(step, run, i)))
        t.params.append([p.data.copy() for p in params])
        if grads:
            t.grads.append([None if p.grad is None else p.grad.data.copy() for p in params])
    return t


def same(a: Any, b: Any) -> bool:
    """Bit-identical nested values (arrays: same dtype, shape and bits)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray)
            and isinstance(b, np.ndarray)
            and a.dtype == b.dtype
            and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
        )
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def first_difference(a: Trace, b: Trace) -> str | None:
    """Where two traces first differ (None: identical)."""
    for i, (oa, ob) in enumerate(zip(a.outs, b.outs)):
        if not same(oa, ob):
            return f"call {i}: returned values differ"
        if not same(a.params[i], b.params[i]):
            return f"call {i}: parameters differ"
        if a.grads and not same(a.grads[i], b.grads[i]):
            return f"call {i}: gradients differ"
    if len(a.outs) != len(b.outs):
        return "different number of calls"
    if a.run.opt is not None and not same(opt_state(a.run.opt), opt_state(b.run.opt)):
        return "optimizer state differs"
    return None


def opt_state(opt: Any) -> list:
    """The optimizer's per-parameter state and hyperparameters, in parameter order."""
    groups = [{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups]
    params = [p for g in opt.param_groups for p in g["params"]]
    state = [{k: _arrays(v) for k, v in opt.state.get(p, {}).items()} for p in params]
    return [groups, state]


def eager_and_compiled(setup, steps, drive=default_drive, seed=0, grads=True):
    """Both traces; warnings from the compiled run are returned for the caller to check."""
    eager = trace(setup, steps, False, drive, seed, grads)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        comp = trace(setup, steps, True, drive, seed, grads)
    return eager, comp, [str(w.message) for w in caught]


def assert_exact(setup, steps, drive=default_drive, min_replays=None, seed=0, grads=True):
    """Compiled == eager after every call, and the compiled run really replayed."""
    eager, comp, caught = eager_and_compiled(setup, steps, drive, seed, grads)
    assert first_difference(eager, comp) is None, first_difference(eager, comp)
    assert not caught, caught
    want = steps - 10 if min_replays is None else min_replays
    assert comp.step.stats["replayed"] >= want, comp.step.stats
    return eager, comp


def classifier(kind="plain", opt="sgd_momentum", dtype="float32", loss="cross_entropy", **kw):
    """A setup: mlp + optimizer + the usual step (zero_grad, backward, step; returns the loss)."""

    def setup() -> Run:
        model = mlp(kind, dtype)
        cls, okw = OPTIMIZERS[opt]
        o = getattr(optim, cls)(model.parameters(), **okw)
        lf = loss_fn(loss, dtype)

        def step(xb, yb):
            loss = lf(model(xb), yb)
            o.zero_grad(**kw)
            loss.backward()
            o.step()
            return loss

        return Run(model, o, step, {"batches": batches(dtype)})

    return setup
