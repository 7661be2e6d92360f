"""Lessons 1-4 in quick mode: every claim holds, each arm is what it says, figures draw the tables'
numbers, claims fail when the evidence is removed, and runs are reproducible."""

from __future__ import annotations

import copy
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest
from conftest import load_lesson as _load

from lessons._results import read_results
from lessons._seeds import run_seeds
from lessons._stats import Interval

ROOT = pathlib.Path(__file__).resolve().parents[1]
STEMS = ["01_autograd_tour", "02_vanishing_gradients", "03_sparsity", "04_dead_units"]


@pytest.mark.parametrize("stem", STEMS)
def test_quick_run_holds_every_claim_and_writes_results(lesson_results, stem):
    r = lesson_results(stem)
    assert r.claims and all(r.claims.values()), [k for k, v in r.claims.items() if not v]
    for _, headers, rows in r.rendered:
        assert rows and all(len(row) == len(headers) for row in rows)
    assert r.summary and all(isinstance(s, str) and len(s) > 20 for s in r.summary)
    saved = read_results(r.results_path)
    assert saved["claims"] == r.claims and saved["summary"] == r.summary
    assert saved["seeds"] == r.seeds == list(range(len(r.seeds))) and saved["quick"] is True
    assert saved["metadata"]["numpy"] and "blas" in saved["metadata"]
    assert r.figures and all(os.path.basename(p).startswith(stem[:3]) for p in r.figures)
    for p in r.figures:
        with open(p, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"


def _ydata(ax) -> list[np.ndarray]:
    return [np.asarray(line.get_ydata(), dtype=float) for line in ax.get_lines()]


# --- lesson 1 -----------------------------------------------------------------------------------
def test_lesson1_off_unit_and_derivatives_at_zero(lesson_results):
    t = lesson_results("01_autograd_tour").tables
    mod = _load("01_autograd_tour")
    g, s = mod.GRAPH, mod.LEAKY_SLOPE
    z1, z2 = g["w1"] * g["x"] + g["b1"], g["w2"] * g["x"] + g["b2"]
    assert z1 > 0 > z2  # unit 2 is off
    out_leaky = g["v1"] * z1 + g["v2"] * s * z2 + g["c"]
    w2 = next(row for row in t["rows"] if row[0] == "w2")
    assert w2[3] == 0.0  # ReLU: no gradient through the off unit
    assert w2[5] == pytest.approx((out_leaky - g["t"]) * g["v2"] * s * g["x"])  # leaky: slope x
    at0 = {k: v[1] for k, v in t["grads"].items()}
    assert at0["F.relu(x)"] == 0 and at0["ta.maximum(x, 0)"] == 0.5 and at0["x.clamp(min=0)"] == 1
    assert at0[f"F.leaky_relu(x, {s:g})"] == pytest.approx(s)
    assert (
        t["gradcheck"]["F.relu(x)"]["away"] == t["n"] and t["gradcheck"]["F.relu(x)"]["kink"] == 0
    )


def test_lesson1_figure_draws_the_derivatives():
    mod = _load("01_autograd_tour")
    fig = mod.derivatives_figure(0.25)
    deriv = fig.axes[1]
    lines = [(np.asarray(ln.get_xdata()), np.asarray(ln.get_ydata())) for ln in deriv.get_lines()]
    relu_neg, relu_pos, leaky_neg, leaky_pos = lines[:4]
    assert np.all(relu_neg[0] < 0) and np.all(relu_neg[1] == 0)
    assert np.all(relu_pos[0] > 0) and np.all(relu_pos[1] == 1)
    assert np.allclose(leaky_neg[1], 0.25) and np.all(leaky_pos[1] == 1)
    marks = [float(y[0]) for _, y in lines[4:8]]  # f'(0): relu, maximum, clamp, leaky
    assert marks == [0.0, 0.5, 1.0, 0.25]


def test_lesson1_claims_fail_when_the_convention_changes(lesson_results):
    mod = _load("01_autograd_tour")
    t = copy.deepcopy(lesson_results("01_autograd_tour").tables)
    t["grads"]["F.relu(x)"][1] = 0.5
    assert not mod.claims(t)["d/dx at 0: relu 0, maximum 0.5, clamp 1, leaky = slope"]


# --- lesson 2 -----------------------------------------------------------------------------------
def test_lesson2_ratio_figure_draws_the_geometric_means(lesson_results):
    mod = _load("02_vanishing_gradients")
    t = lesson_results("02_vanishing_gradients").tables
    fig = mod.ratio_figure(t)
    drawn = fig.axes[0].containers[0].lines[0].get_ydata()  # sigmoid, Xavier init
    want = [10 ** t["log_ratio"][f"sigmoid/xavier/{d}"].mean for d in mod.DEPTHS]
    assert np.allclose(drawn, want)
    assert want[0] > 1e2 * want[1] > 1e4 * want[2]  # the data itself shows the vanishing
    curve = mod.training_figure(t).axes[0].get_lines()[0].get_ydata()
    assert np.allclose(curve, [v.mean for v in t["curves"]["mnist1d/sigmoid + SGD"]])


def test_lesson2_claims_fail_when_arms_are_swapped(lesson_results):
    mod = _load("02_vanishing_gradients")
    t = copy.deepcopy(lesson_results("02_vanishing_gradients").tables)
    for d in mod.DEPTHS:
        t["log_ratio"][f"relu/he/{d}"] = t["log_ratio"][f"sigmoid/xavier/{d}"]
    for k in t["diff"]:
        t["diff"][k] = Interval(0.0, 0.0, 0.0, t["n"], 1.0)  # identical arms
    c = mod.claims(t)
    assert not c["ReLU (He) ratio > 0.1 at every depth"]
    assert not c["mnist1d: relu + SGD beats sigmoid + SGD"]


# --- lesson 3 -----------------------------------------------------------------------------------
def test_lesson3_arms_are_what_they_say(lesson_results):
    t = lesson_results("03_sparsity").tables
    for n in ("spirals", "mnist1d"):
        assert t[n]["leaky"]["min_out"] < 0  # leaky: negative outputs ...
        assert t[n]["leaky"]["max_zeros"] == 0  # ... and no exact zero
        assert t[n]["relu"]["min_out"] == 0.0  # ReLU: never below 0, zeros present
        assert min(iv.mean for iv in t[n]["relu"]["zeros"]) > 0


def test_lesson3_figure_draws_the_table(lesson_results):
    mod = _load("03_sparsity")
    t = lesson_results("03_sparsity").tables
    ax = mod.sparsity_figure(t).axes[0]
    relu_trained = ax.containers[1].lines[0].get_ydata()  # spirals: ReLU zeros trained
    assert np.allclose(relu_trained, [iv.mean for iv in t["spirals"]["relu"]["zeros"]])
    leaky_zeros = ax.containers[2].lines[0].get_ydata()
    assert np.all(leaky_zeros == 0)  # not 1 - zeros


def test_lesson3_claims_fail_on_a_leaky_arm_that_is_relu(lesson_results):
    mod = _load("03_sparsity")
    t = copy.deepcopy(lesson_results("03_sparsity").tables)
    t["mnist1d"]["leaky"] = t["mnist1d"]["relu"]
    assert not mod.claims(t)["mnist1d: leaky layers have no exact zero (every seed)"]


# --- lesson 4 -----------------------------------------------------------------------------------
def test_lesson4_arms_are_what_they_say(lesson_results):
    t = lesson_results("04_dead_units").tables
    for key, r in {**t["A"], **t["B"]}.items():
        if r["min_out"] is None:  # every seed diverged: nothing to look at
            continue
        if "leaky" in key:  # negative outputs, and never-positive units still pass gradient
            assert r["min_out"] < 0 and r["nograd2_max"] == 0, key
        else:  # ReLU blocks exactly the never-positive units
            assert r["min_out"] >= 0 and r["nograd2"].mean == r["dead2"].mean, key
    assert t["A"]["relu lr=2"]["dead1"].mean > t["A"]["relu lr=0.1"]["dead1"].mean


def test_lesson4_figure_draws_dead_fractions_and_marks_diverged_runs(lesson_results):
    mod = _load("04_dead_units")
    t = lesson_results("04_dead_units").tables
    fig = mod.curves_figure(t)
    dead = _ydata(fig.axes[0])
    for i, lr in enumerate(mod.LEARNING_RATES):  # layer 1, layer 2 per rate
        r = t["A"][f"relu lr={lr:g}"]
        assert np.allclose(dead[2 * i], [v.mean for v in r["dead1_curve"]])  # not 1 - dead
        assert np.allclose(dead[2 * i + 1], [v.mean for v in r["dead2_curve"]])
    stopped = sum(len(r["stopped"]) for r in t["A"].values())
    crosses = [ln for ln in fig.axes[2].get_lines() if ln.get_marker() == "x"]
    assert len(crosses) == stopped
    for ln in crosses:  # at a diverged run's last measured epoch
        assert ln.get_xdata()[0] + 1 in {s[0] for r in t["A"].values() for s in r["stopped"]}


def test_lesson4_kill_claim_fails_when_the_rate_is_fine(lesson_results):
    mod = _load("04_dead_units")
    t = copy.deepcopy(lesson_results("04_dead_units").tables)
    t["A"]["relu lr=2"] = t["A"]["relu lr=0.1"]
    assert not mod.claims(t)["lr 2 kills units in >= 90% of seeds"]


def test_lesson4_jobs_2_is_bit_identical_to_serial(lesson_results):
    serial = lesson_results("04_dead_units").runs[:2]
    parallel = run_seeds(_load("04_dead_units").measure, [0, 1], jobs=2, quick=True)
    assert json.dumps(parallel) == json.dumps(serial)


# --- the runner ----------------------------------------------------------------------------------
def test_runner_lists_lessons_1_to_4():
    out = subprocess.run(
        [sys.executable, "-m", "lessons"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    for stem in STEMS:
        assert stem in out


def test_script_run_with_flags(tmp_path):
    env = dict(os.environ, PYTHONPATH="")
    script = str(ROOT / "lessons" / "01_autograd_tour.py")
    # --jobs 2: the workers must find `measure` of a file that ran as __main__
    args = ["--quick", "--seed", "2", "--seeds", "2", "--jobs", "2", "--no-plots", "--out",
            str(tmp_path)]  # fmt: skip
    p = subprocess.run([sys.executable, script, *args], cwd=tmp_path, capture_output=True,
                       text=True, env=env, check=True)  # fmt: skip
    assert "== Lesson 1" in p.stdout and "gradcheck" in p.stdout and "seeds 2000..2001" in p.stdout
    files = sorted(os.listdir(tmp_path / "01_autograd_tour"))
    assert files == ["results.json"]  # --no-plots: no figure
    assert read_results(tmp_path / "01_autograd_tour" / "results.json")["seeds"] == [2000, 2001]
