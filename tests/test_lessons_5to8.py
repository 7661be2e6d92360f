"""Lessons 5-8: every claim holds in quick mode; each arm is the model it says; the figures draw
the numbers of the tables; claims fail when the experiment is wrong (identical arms, data above
a bound). Timing is reported by the lessons, never asserted here."""

from __future__ import annotations

import copy
import importlib.util
import math

import numpy as np
import pytest
from conftest import load_lesson as _load

import tinygrad_act as ta
from lessons._results import read_results, roundtrip
from tinygrad_act import nn

STEMS = ["05_init_fix", "06_prelu_rrelu", "07_born_dead", "08_shootout"]


@pytest.fixture
def results(lesson_results):
    """Each lesson run once in quick mode, base seed 0 (tests/conftest.py)."""
    pytest.importorskip("mnist1d")
    return lesson_results


def _errorbar_x(ax) -> list[np.ndarray]:
    """The x data of every errorbar drawn on ax, in drawing order (not the caps or bars)."""
    return [np.asarray(c.lines[0].get_xdata(), float) for c in ax.containers]


def _errorbar_y(ax) -> list[np.ndarray]:
    return [np.asarray(c.lines[0].get_ydata(), float) for c in ax.containers]


def _matplotlib():
    if importlib.util.find_spec("matplotlib") is None:
        pytest.skip("matplotlib not installed: no figures")


@pytest.mark.parametrize("stem", STEMS)
def test_every_claim_holds_in_quick_mode(results, stem):
    r = results(stem)
    assert len(r.claims) >= 4
    assert all(r.claims.values()), [k for k, v in r.claims.items() if not v]
    assert r.summary and all(isinstance(s, str) and s for s in r.summary)
    for _, head, rows in r.rendered:
        assert rows and all(len(row) == len(head) for row in rows)
    saved = read_results(r.results_path)
    assert saved["tables"] == r.tables and saved["claims"] == r.claims
    assert saved["seeds"] == r.seeds and len(set(r.seeds)) == len(r.seeds) >= 4


# ---- lesson 5: the arms, the claim, identical arms, the figure ----------------------------------
def _hidden(model, x):
    """Outputs and input gradients of the first activation module for input x."""
    act = model[1]
    t = ta.tensor(x, requires_grad=True)
    y = act(t)
    y.sum().backward()
    return y.numpy(), t.grad.numpy()


def test_lesson5_arms_are_relu_and_a_true_leaky_relu():
    mod = _load("05_init_fix")
    assert mod.LEAKY_SLOPE > 0
    x = np.array([-2.0, -0.5, 0.5, 2.0], np.float32)
    relu, leaky = (mod.make_model(a, "He", 0.0, 3) for a in ("ReLU", "LeakyReLU"))
    y, g = _hidden(leaky, x)
    assert np.allclose(y[:2], mod.LEAKY_SLOPE * x[:2]) and np.all(y[:2] < 0)
    assert np.all(g != 0)  # no blocked gradient anywhere
    y, g = _hidden(relu, x)
    assert np.all(y[:2] == 0) and np.all(g[:2] == 0)
    # same seed -> same weights and biases in both arms (the difference is paired)
    for a, b in zip(relu.parameters(), leaky.parameters()):
        assert np.array_equal(a.data, b.data)
    bad = mod.make_model("ReLU", *mod.BAD_START, 3)
    assert np.all(bad[0].bias.data == np.float32(mod.BAD_START[1]))


def test_lesson5_measure_sees_negative_outputs_only_in_the_leaky_arm(results):
    t = results("05_init_fix").tables
    for k, v in t["min_negative"].items():
        assert (v > 0) == k.startswith("LeakyReLU"), (k, v)


def _lesson5_identical_arms(runs):
    runs = copy.deepcopy(runs)
    for r in runs:
        for k in [k for k in r if k.startswith("LeakyReLU")]:
            r[k] = dict(r[k.replace("LeakyReLU", "ReLU")])
    return runs


def test_lesson5_alike_claim_fails_when_both_arms_are_relu(results):
    mod = _load("05_init_fix")
    t = roundtrip(mod.aggregate(_lesson5_identical_arms(results("05_init_fix").runs)))
    assert t["diff_active"].mean == 0  # the interval alone would "pass"...
    alike = [k for k in mod.claims(t) if "~" in k]
    assert alike and not any(mod.claims(t)[k] for k in alike)  # ...the claim must not


def test_lesson5_figure_draws_the_dead_fractions_and_differences(results):
    _matplotlib()
    mod = _load("05_init_fix")
    t = results("05_init_fix").tables
    fig = mod.figure(t)
    ax1, ax2 = fig.axes
    labels = t["labels"]
    (xs,) = _errorbar_x(ax1)
    assert np.allclose(xs, [t["diff"][c].mean for c in labels])
    drawn = _errorbar_x(ax2)
    want = [("dead_init", "ReLU"), ("dead_end", "ReLU"), ("dead_end", "LeakyReLU")]
    assert len(drawn) == len(want)
    for x, (k, a) in zip(drawn, want):
        assert np.allclose(x, [t[k][f"{a} | {c}"].mean for c in labels])
    bad = labels.index(mod.label(*mod.BAD_START))
    assert drawn[0][bad] >= 0.3  # not 1 - dead: the bad start is mostly dead


# ---- lesson 6 ---------------------------------------------------------------------------------
def test_lesson6_rrelu_arm_draws_random_slopes_inside_its_range():
    mod = _load("06_prelu_rrelu")
    m = mod.activation("RReLU")
    lo, hi, sd = mod.train_slopes(m, 0)
    assert m.lower <= lo < hi <= m.upper and sd > 0.03
    assert mod.train_slopes(mod.activation("RReLU"), 1) != mod.train_slopes(m, 0)
    x = ta.tensor(-np.ones(8, np.float32))
    assert np.allclose(-m.eval()(x).numpy(), (m.lower + m.upper) / 2)  # eval: the mean slope
    # a leaky ReLU (the audit's mutation) has one fixed slope: the check must tell them apart
    assert mod.train_slopes(mod.activation("LeakyReLU"), 0)[2] == 0


def test_lesson6_arms_are_what_they_say():
    mod = _load("06_prelu_rrelu")
    leaky = mod.activation("LeakyReLU")
    assert np.allclose(leaky(ta.tensor([-1.0])).numpy(), -mod.LEAKY_SLOPE) and mod.LEAKY_SLOPE > 0
    shared, wise = mod.activation("PReLU (shared)"), mod.activation("PReLU (channel-wise)")
    assert shared.weight.data.shape == (1,) and wise.weight.data.shape == (mod.WIDTH,)
    assert np.all(shared.weight.data == np.float32(mod.PRELU_INIT))
    assert type(mod.activation("ReLU")) is nn.ReLU


def test_lesson6_prelu_slopes_start_at_init_and_learn(results):
    r = results("06_prelu_rrelu")
    mod = _load("06_prelu_rrelu")
    for run in r.runs:
        for n in mod.PRELUS:
            assert np.allclose(run[n]["slopes"][0], mod.PRELU_INIT)  # epoch 0 = init
            assert len(run[n]["slopes"][0]) == mod.DEPTH
        assert run["ReLU"]["slopes"][0] == []


def test_lesson6_claims_fail_when_every_arm_is_relu(results):
    mod = _load("06_prelu_rrelu")
    runs = copy.deepcopy(results("06_prelu_rrelu").runs)
    for r in runs:
        for n in mod.MODELS[1:]:
            r[n] = copy.deepcopy(r["ReLU"])
        r["rrelu_train_slopes"] = mod.train_slopes(nn.ReLU(), 0)
    c = mod.claims(roundtrip(mod.aggregate(runs * 3)))  # >= 10 runs: the bounded claim too
    assert not c["no variant is more accurate than ReLU (Holm over 4 comparisons)"]
    assert not c["RReLU's training slopes are random, inside [1/8, 1/3]"]
    assert not c[f"no variant beats ReLU by {mod.NO_GAIN} or more (paired 95% CI)"]


def test_lesson6_figure_draws_the_slope_curves(results):
    _matplotlib()
    mod = _load("06_prelu_rrelu")
    t = results("06_prelu_rrelu").tables
    fig = mod.figure(t)
    for ax, n in zip(fig.axes, mod.PRELUS):
        curves = [line.get_ydata() for line in ax.lines if len(line.get_ydata()) > 2]
        assert len(curves) == mod.DEPTH
        for y, want in zip(curves, t["slope_curve"][n]):
            assert np.allclose(y, [iv.mean for iv in want])


# ---- lesson 7 ---------------------------------------------------------------------------------
def test_lesson7_sampler_matches_a_hand_derived_probability():
    """Width-1, zero-bias nets on a domain around 0: layer 1 (w x) is positive somewhere; every
    later layer multiplies a nonnegative, non-zero signal by one symmetric weight, dead with
    probability 1/2, and a dead layer zeroes everything above it: P = 1 - 2^-(L-1)."""
    mod = _load("07_born_dead")
    ta.manual_seed(1)
    X = np.random.default_rng(1).uniform(-1, 1, size=(50, 2)).astype(np.float32)
    n, depth = 4000, 3
    dead, constant = mod.sample_networks(1, depth, mod.init_schemes(())[0], n, X)
    expected = 1 - 0.5 ** (depth - 1)
    assert abs(dead.mean() - expected) <= 3 * math.sqrt(expected * (1 - expected) / n)
    assert np.all(constant[dead])  # a dead layer makes the output constant


def test_lesson7_claims_fail_on_data_that_break_them(results):
    mod = _load("07_born_dead")
    runs = copy.deepcopy(results("07_born_dead").runs)
    for r in runs:  # wide nets all born dead: above the bound, and rising with width
        for d in r["depths"]:
            r[mod.key(mod.SYMMETRIC, 10, d)] = [1.0, 1.0]
    c = mod.claims(roundtrip(mod.aggregate(runs)))
    assert not c["no cell's born-dead probability is above the bound 1-(1-2^-N)^L"]
    assert not c["it falls with width (at L=10 and at the deepest L)"]


def test_lesson7_figure_draws_the_collapse_fractions(results):
    _matplotlib()
    mod = _load("07_born_dead")
    t = results("07_born_dead").tables
    fig = mod.figure(t)
    w = mod.REF[0]
    ys = [tuple(np.round(y, 9)) for y in _errorbar_y(fig.axes[2])]
    for s in (mod.SYMMETRIC, mod.RAI):
        for k in ("constant", "dead"):
            want = tuple(np.round([t[k][mod.key(s, w, d)].mean for d in t["depths"]], 9))
            assert want in ys, (s, k)
    assert (
        t["constant"][mod.key(mod.RAI, *mod.REF)].mean > t["dead"][mod.key(mod.RAI, *mod.REF)].mean
    )


def test_lesson7_measure_is_deterministic_for_a_seed():
    mod = _load("07_born_dead")
    assert mod.measure(5, quick=True) == mod.measure(5, quick=True)


# ---- lesson 8 ---------------------------------------------------------------------------------
def test_lesson8_arms_are_the_named_activations():
    mod = _load("08_shootout")
    for name in mod.ACTIVATIONS:
        act = mod.make_model(name, 0)[1]
        assert type(act).__name__ == name, name
    leaky = mod.make_model("LeakyReLU", 0)[1]
    assert np.allclose(leaky(ta.tensor([-1.0])).numpy(), -mod.LEAKY_SLOPE) and mod.LEAKY_SLOPE > 0


def test_lesson8_picks_the_rate_on_validation_and_tests_once(monkeypatch):
    pytest.importorskip("mnist1d")
    mod = _load("08_shootout")
    (_, _), (_, _), (Xs, _) = mod.splits(True)
    calls = []
    real = mod.accuracy
    monkeypatch.setattr(
        mod, "accuracy", lambda m, X, y: calls.append(np.array_equal(X, Xs)) or real(m, X, y)
    )
    monkeypatch.setattr(mod, "LRS", (1e-3, 3e-2))
    monkeypatch.setattr(mod, "QUICK_EPOCHS", 1)
    out = mod.measure(3, quick=True, names=("ReLU", "Sigmoid"))
    assert calls.count(True) == 2  # the test set: once per activation
    for r in out.values():
        assert r["lr"] == mod.LRS[int(np.argmax(r["val"]))]  # the best validation accuracy


def test_lesson8_chosen_rates_are_inside_the_grid_and_reported(results):
    t = results("08_shootout").tables
    assert len(t["lrs"]) >= 4
    for n, idx in t["chosen"].items():
        assert len(idx) == t["n_seeds"] and all(0 < i < len(t["lrs"]) - 1 for i in idx), n


def test_lesson8_claims_fail_when_leaky_is_relu(results):
    mod = _load("08_shootout")
    runs = copy.deepcopy(results("08_shootout").runs)
    for r in runs:
        r["LeakyReLU"] = dict(r["ReLU"])
    t = roundtrip(mod.aggregate(runs * 3))  # even with many seeds
    assert t["diff"]["LeakyReLU"].mean == 0
    c = mod.claims(t)
    leaky = [k for k in c if "leaky ReLU" in k and ("~" in k or "no difference" in k)]
    assert len(leaky) == 2 and not any(c[k] for k in leaky)


def test_lesson8_holm_controls_the_family(results):
    t = results("08_shootout").tables
    from lessons._stats import holm

    assert t["holm"] == holm({n: d.p for n, d in t["diff"].items()})
    assert set(t["holm"]) == set(t["names"]) - {"ReLU"}


def test_lesson8_figure_draws_differences_and_small_fractions(results):
    _matplotlib()
    mod = _load("08_shootout")
    t = results("08_shootout").tables
    fig = mod.figure(t)
    ax1, _, ax3 = fig.axes[:3]
    others = [n for n in t["names"] if n != "ReLU"]
    xs = [x[0] for x in _errorbar_x(ax1)]
    assert np.allclose(xs, [t["diff"][n].mean for n in others])
    zeros, dead = _errorbar_x(ax3)
    assert np.allclose(zeros, [t["sparsity"][n].mean for n in t["names"]])
    assert np.allclose(dead, [t["dead"][n].mean for n in t["names"]])
    assert ax3.get_xscale() == "symlog"  # 0.001 and 0.5 both readable
