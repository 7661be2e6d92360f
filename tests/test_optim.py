"""Optimizers and schedulers (tinygrad_act/optim) against PyTorch's golden runs and closed forms."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import numpy as np
import pytest

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import nn, optim

GOLDEN = np.load(Path(__file__).parent / "golden" / "optim.npz")
VARIANTS = ast.literal_eval(str(GOLDEN["variants"]))
STEPS = GOLDEN["grads|g"].shape[0]


def _fixed_grads(cls: str, kw: dict) -> np.ndarray:
    p = nn.Parameter(GOLDEN["grads|p0"].copy())
    opt = getattr(optim, cls)([p], **kw)
    for g in GOLDEN["grads|g"]:
        p.grad = ta.tensor(g)
        opt.step()
    return p.data


def _ulps(a: np.ndarray, b: np.ndarray) -> int:
    """Largest distance in float32 units in the last place."""
    ia = a.astype(np.float32).view(np.int32).astype(np.int64)
    ib = b.astype(np.float32).view(np.int32).astype(np.int64)
    return int(np.abs(ia - ib).max())


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_update_rule_matches_pytorch(name):
    cls, kw = VARIANTS[name]
    ours, theirs = _fixed_grads(cls, kw), GOLDEN[f"grads|{name}|p"]
    if cls == "SGD":
        np.testing.assert_array_equal(ours, theirs)  # same float32 ops, same FMAs: bit for bit
    else:
        assert _ulps(ours, theirs) <= 4  # torch's MKL sqrt is sometimes 1 ulp off


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_five_training_steps_match_pytorch(name):
    cls, kw = VARIANTS[name]
    lin = nn.Linear(4, 3)
    lin.weight.data[...] = GOLDEN["model|W0"]
    lin.bias.data[...] = GOLDEN["model|b0"]
    X, Y = ta.tensor(GOLDEN["model|X"]), ta.tensor(GOLDEN["model|Y"])
    opt = getattr(optim, cls)(lin.parameters(), **kw)
    for _ in range(STEPS):
        loss = F.mse_loss(lin(X), Y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    # gradients differ from torch's in the last bits (summation order), hence a tolerance
    np.testing.assert_allclose(lin.weight.numpy(), GOLDEN[f"model|{name}|W"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(lin.bias.numpy(), GOLDEN[f"model|{name}|b"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "wrong",
    [
        ("SGD", {"lr": 0.1, "momentum": 0.9}, "sgd_dampening"),  # dampening ignored
        ("SGD", {"lr": 0.1, "momentum": 0.9}, "sgd_nesterov"),  # nesterov ignored
        ("Adam", {"lr": 0.01, "weight_decay": 0.1}, "adamw_weight_decay"),  # L2 is not decoupled
    ],
)
def test_golden_check_tells_variants_apart(wrong):
    # the comparison above must fail when a variant's option has no effect
    cls, kw, name = wrong
    assert _ulps(_fixed_grads(cls, kw), GOLDEN[f"grads|{name}|p"]) > 1000


def test_first_momentum_step_skips_dampening():
    # torch's rule: buf_1 = g (not (1 - dampening) g), so step 1 is plain SGD
    p = nn.Parameter(np.array([1.0], dtype=np.float32))
    opt = optim.SGD([p], lr=0.5, momentum=0.9, dampening=0.5)
    p.grad = ta.tensor([2.0])
    opt.step()
    assert p.data[0] == 1.0 - 0.5 * 2.0
    p.grad = ta.tensor([2.0])
    opt.step()  # buf = 0.9 * 2 + 0.5 * 2 = 2.8
    assert p.data[0] == pytest.approx(0.0 - 0.5 * 2.8)


def test_adam_first_step_is_lr_times_sign():
    # bias correction makes step 1 equal to lr * g / (|g| + eps') ~ lr * sign(g)
    p = nn.Parameter(np.array([0.0, 0.0], dtype=np.float64))
    opt = optim.Adam([p], lr=0.1)
    p.grad = ta.tensor([3.0, -0.02], dtype=ta.float64)
    opt.step()
    np.testing.assert_allclose(p.data, [-0.1, 0.1], rtol=1e-6)


def test_zero_grad_sets_to_none_or_zero():
    lin = nn.Linear(2, 2)
    opt = optim.SGD(lin.parameters(), lr=0.1)
    F.mse_loss(lin(ta.ones(1, 2)), ta.zeros(1, 2)).backward()
    opt.zero_grad(set_to_none=False)
    assert lin.weight.grad is not None and not lin.weight.grad.numpy().any()
    opt.zero_grad()
    assert lin.weight.grad is None and lin.bias.grad is None
    before = lin.weight.numpy().copy()
    opt.step()  # parameters without gradients are skipped
    np.testing.assert_array_equal(before, lin.weight.numpy())


@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam, optim.AdamW])
def test_state_dict_round_trip_resumes_identically(cls):
    def make():
        ta.manual_seed(0)
        lin = nn.Linear(3, 2)
        kw = {"momentum": 0.9} if cls is optim.SGD else {}
        return lin, cls(lin.parameters(), lr=0.05, **kw)

    X, Y = ta.randn(8, 3), ta.randn(8, 2)

    def train(lin, opt, n):
        for _ in range(n):
            opt.zero_grad()
            F.mse_loss(lin(X), Y).backward()
            opt.step()

    a, opt_a = make()
    train(a, opt_a, 6)
    b, opt_b = make()
    train(b, opt_b, 3)
    sd = opt_b.state_dict()
    assert sorted(sd) == ["param_groups", "state"]
    assert sd["param_groups"][0]["params"] == [0, 1]
    c, opt_c = make()
    c.load_state_dict(b.state_dict())
    opt_c.load_state_dict(sd)
    sd["state"][0][next(iter(sd["state"][0]))] += 1  # a saved dict is a copy, not a view
    train(c, opt_c, 3)
    np.testing.assert_array_equal(a.weight.numpy(), c.weight.numpy())


def test_load_state_dict_rejects_other_layouts():
    lin = nn.Linear(2, 2)
    opt = optim.SGD(lin.parameters(), lr=0.1)
    other = optim.SGD([nn.Linear(2, 2).weight], lr=0.1)
    with pytest.raises(ValueError, match="doesn't match the size"):
        opt.load_state_dict(other.state_dict())


def test_param_groups_and_repr():
    lin = nn.Linear(2, 2)
    opt = optim.SGD([{"params": [lin.weight]}, {"params": [lin.bias], "lr": 0.5}], lr=0.1)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert opt.param_groups[1]["momentum"] == 0
    assert repr(opt).startswith("SGD (\nParameter Group 0\n    dampening: 0\n")
    with pytest.raises(ValueError, match="more than one parameter group"):
        optim.SGD([{"params": [lin.weight]}, {"params": [lin.weight]}], lr=0.1)
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.Adam([])
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        optim.SGD(lin.parameters(), lr=-1)
    with pytest.raises(ValueError, match="Nesterov momentum requires"):
        optim.SGD(lin.parameters(), lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="Invalid beta parameter at index 1"):
        optim.Adam(lin.parameters(), betas=(0.9, 1.0))


def test_defaults_are_pytorchs():
    p = [nn.Parameter(np.zeros(1, dtype=np.float32))]
    assert optim.SGD(p).defaults["lr"] == 1e-3
    d = optim.Adam(p).defaults
    assert (d["lr"], d["betas"], d["eps"], d["weight_decay"]) == (1e-3, (0.9, 0.999), 1e-8, 0)
    assert optim.AdamW(p).defaults["weight_decay"] == 1e-2


def _lrs(make_sched, epochs: int, lr: float = 0.1) -> list[float]:
    opt = optim.SGD([nn.Parameter(np.zeros(1, dtype=np.float32))], lr=lr)
    sched = make_sched(opt)
    out = []
    for _ in range(epochs):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert sched.get_last_lr() == [opt.param_groups[0]["lr"]]
    return out


def test_step_lr_sequence():
    got = _lrs(lambda o: optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5), 8)
    expected = [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025]  # 0.1 * 0.5^(t // 3)
    np.testing.assert_allclose(got, expected, rtol=1e-15)


def test_cosine_annealing_sequence():
    T, eta_min = 5, 0.01
    got = _lrs(lambda o: optim.lr_scheduler.CosineAnnealingLR(o, T_max=T, eta_min=eta_min), 12)
    # closed form, continued past T_max (the cosine goes back up, as in torch)
    expected = [eta_min + (0.1 - eta_min) * (1 + math.cos(math.pi * t / T)) / 2 for t in range(12)]
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert got[T] == pytest.approx(eta_min)


def test_scheduler_state_dict_round_trip():
    opt = optim.SGD([nn.Parameter(np.zeros(1, dtype=np.float32))], lr=0.1)
    sched = optim.lr_scheduler.StepLR(opt, step_size=2)
    for _ in range(3):
        sched.step()
    sd = sched.state_dict()
    assert "optimizer" not in sd and sd["last_epoch"] == 3
    fresh = optim.lr_scheduler.StepLR(opt, step_size=7)
    fresh.load_state_dict(sd)
    assert fresh.step_size == 2 and fresh.last_epoch == 3


def test_kernels_run_as_plain_python():
    # what NUMBA_DISABLE_JIT=1 runs: the kernels' Python source, same bits as the compiled code
    from tinygrad_act.kernels import optim as K

    start = np.random.default_rng(0).standard_normal(9).astype(np.float32)
    g = np.linspace(-1, 1, 9).astype(np.float32)

    def sgd(fn):
        p = start.copy()
        fn(p, g, np.zeros_like(p), 0.1, 0.9, 0.0, 0.01, True, 1.0, True)
        return p

    def adam(fn):
        p, m, v = start.copy(), np.zeros_like(start), np.zeros_like(start)
        fn(p, g, m, v, v, 0.01, 0.9, 0.999, 1e-8, 0.01, True, False, 1.0, 0.1, 0.0447)
        return p

    np.testing.assert_array_equal(sgd(K.sgd_step), sgd(K.sgd_step.py_func))
    np.testing.assert_array_equal(adam(K.adam_step), adam(K.adam_step.py_func))
    assert not np.array_equal(sgd(K.sgd_step), start)


def test_training_step_runs_with_numba_jit_disabled():
    # a student stepping through a kernel in a debugger runs everything as plain Python
    import os
    import subprocess
    import sys

    code = (
        "import numpy as np, tinygrad_act as ta\n"
        "from tinygrad_act import nn, optim\n"
        "import tinygrad_act.functional as F\n"
        "m = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Dropout(0.1), nn.Linear(8, 3))\n"
        "x, y = ta.randn(16, 2), ta.tensor(np.arange(16) % 3)\n"
        "sgd = optim.SGD(m.parameters(), lr=0.1, momentum=0.9)\n"
        "for opt in (sgd, optim.AdamW(m.parameters())):\n"
        "    out = m(x)\n"
        "    loss = (F.cross_entropy(out, y, label_smoothing=0.1) + F.mse_loss(out, out * 0)\n"
        "            + F.binary_cross_entropy_with_logits(out, out.detach() * 0)\n"
        "            + F.nll_loss(F.log_softmax(out, 1), y))\n"
        "    opt.zero_grad(); loss.backward(); opt.step()\n"
        "    assert np.isfinite(loss.item())\n"
    )
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=120)


@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam])
def test_threaded_update_equals_serial(cls, monkeypatch):
    from tinygrad_act.kernels import _parallel

    def run():
        p = nn.Parameter(np.linspace(-1, 1, 1001, dtype=np.float32))
        opt = cls([p], lr=0.1, **({"momentum": 0.9} if cls is optim.SGD else {}))
        for k in range(3):
            p.grad = ta.tensor(np.cos(np.arange(1001) * (k + 1)).astype(np.float32))
            opt.step()
        return p.data

    serial = run()
    monkeypatch.setattr(_parallel, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(_parallel, "_num_threads", 2)
    np.testing.assert_array_equal(serial, run())


def test_step_accepts_a_closure_like_torch():
    lin = nn.Linear(2, 1)
    opt = optim.SGD(lin.parameters(), lr=0.1)
    X, Y = ta.randn(4, 2), ta.randn(4, 1)

    def closure():
        opt.zero_grad()
        loss = F.mse_loss(lin(X), Y)
        loss.backward()
        return loss

    first = opt.step(closure)
    with ta.no_grad():  # the closure still builds its graph (torch runs it under enable_grad)
        second = opt.step(closure)
    assert second.item() < first.item()
    assert opt.step() is None
