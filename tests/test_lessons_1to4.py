"""Lessons 1-4 in quick mode: each asserts the claim it makes, with a margin that held for seeds
0-4 (see the margins noted at each assertion); plus the runner and a script run."""

from __future__ import annotations

import importlib.util
import math
import os
import pathlib
import subprocess
import sys

import pytest
from conftest import load_lesson as _load

ROOT = pathlib.Path(__file__).resolve().parents[1]
SEED = 0


def _has_matplotlib() -> bool:
    return importlib.util.find_spec("matplotlib") is not None


@pytest.fixture
def results(lesson_results):
    """Each lesson run once in quick mode, seed 0 (tests/conftest.py)."""
    return lesson_results


STEMS = ["01_autograd_tour", "02_vanishing_gradients", "03_sparsity", "04_dead_units"]


@pytest.mark.parametrize("stem", STEMS)
def test_lesson_reports_table_summary_and_plots(results, stem):
    r = results(stem)
    assert r.rows and all(len(row) == len(r.headers) for row in r.rows)
    for _, headers, rows in r.extra_tables:
        assert all(len(row) == len(headers) for row in rows)
    assert len(r.summary) > 200  # the computed closing paragraph
    if not _has_matplotlib():
        pytest.skip("matplotlib not installed: no plots")
    assert r.plots
    for p in r.plots:
        assert os.path.basename(p).startswith(stem[:2] + "_")
        with open(p, "rb") as f:
            head = f.read(8)
        assert head == b"\x89PNG\r\n\x1a\n" and os.path.getsize(p) > 10_000


def test_lesson1_chain_rule_and_relu_convention(results):
    m = results("01_autograd_tour").measured
    mod = _load("01_autograd_tour")
    g, s = mod.GRAPH, mod.LEAKY_SLOPE
    assert m["max_abs_diff"] < 1e-12
    # unit 2 is off (z2 < 0): no gradient through ReLU, slope * ... through leaky ReLU
    z1, z2 = g["w1"] * g["x"] + g["b1"], g["w2"] * g["x"] + g["b2"]
    assert z1 > 0 > z2
    out_leaky = g["v1"] * z1 + g["v2"] * s * z2 + g["c"]
    assert m["relu_w2_grad"] == 0.0
    assert m["leaky_w2_grad"] == pytest.approx((out_leaky - g["t"]) * g["v2"] * s * g["x"])
    gc = m["gradcheck"]
    relu = gc["F.relu(x)"]
    assert relu["away"] and not relu["kink"] and relu["warned"]
    assert relu["numerical"] == pytest.approx(0.5) and relu["analytical"] == 0.0
    maxi = gc["ta.maximum(x, 0)"]
    assert maxi["kink"] and maxi["analytical"] == 0.5
    z = m["grad_at_zero"]
    assert z["F.relu(x)"] == 0.0 and z["x * (x > 0)"] == 0.0 and z["ta.where(x > 0, x, 0)"] == 0.0
    assert z["ta.maximum(x, 0)"] == 0.5  # PyTorch splits ties: half to each side
    assert z["x.clamp(min=0)"] == 1.0  # PyTorch's clamp passes the gradient at the boundary
    assert z[f"F.leaky_relu(x, {s:g})"] == pytest.approx(s)
    assert m["forward_identical"]


def test_lesson2_vanishing_gradient_claim(results):
    m = results("02_vanishing_gradients").measured
    # seeds 0-4: sigmoid's worst network <= 3.1e-6 (30x margin); ReLU's geometric mean >= 0.25
    assert m["ratio_max"]["sigmoid"][10] < 1e-4
    for depth, ratio in m["ratio"]["relu"].items():
        assert ratio > 0.1, depth
    # sigmoid shrinks with depth, every step by orders of magnitude
    r = m["ratio"]["sigmoid"]
    assert r[5] > 100 * r[10] > 100 * 100 * r[20]
    for name, chance in m["chance"].items():
        final = m["final_accuracy"][name]
        # seeds 0-4: sigmoid within 0.01 of chance; ReLU >= chance + 0.18 (mnist1d), + 0.5 (spirals)
        assert final["sigmoid + SGD"] <= chance + 0.05, name
        assert final["relu + SGD"] >= chance + 0.1, name


def test_lesson3_sparsity_claim(results):
    m = results("03_sparsity").measured
    for name, zeros in m["relu_zeros"].items():
        # seeds 0-4: every ReLU layer >= 45% exact zeros; leaky exactly none
        assert min(zeros) >= 0.40, (name, zeros)
        assert max(m["leaky_zeros"][name]) == 0.0, name
        # leaky has the same on/off pattern: a large share of negative pre-activations
        assert min(m["leaky_negative"][name]) > 0.3
        # the two codes are about equally good inputs to a linear classifier (seeds: <= 1.2%)
        p = m["probe"][name]
        assert abs(p["relu"][-1] - p["leaky"][-1]) < 0.05
        assert p["relu"][-1] > m["probe_raw"][name] - 0.02


def test_lesson4_dead_unit_claim(results):
    m = results("04_dead_units").measured
    runs = m["bias_runs"]
    for name, chance in m["chance"].items():
        relu = runs[f"{name}/relu/sgd"]
        # seeds 0-4: >= 98% of the second layer dead at init and throughout
        assert relu["dead_second"][0] >= 0.9 and min(relu["dead_second"]) >= 0.9, name
        assert relu["final_acc"] <= chance + 0.05, name  # seeds: at or below chance
        # seeds 0-4: leaky + Adam ends >= chance + 0.28 (mnist1d), + 0.5 (spirals)
        assert runs[f"{name}/leaky/adam"]["final_acc"] >= chance + 0.2, name
        # leaky units that are never positive still pass gradient
        assert runs[f"{name}/leaky/sgd"]["nograd_second"][-1] == 0.0
    # every first-layer unit found dead under plain SGD kept bit-identical weights ...
    assert m["dead_units_checked"] > 0
    assert m["dead_units_unchanged"] == m["dead_units_checked"]
    # ... in runs where the live units of the same layer did move
    assert max(m["alive_units_moved"].values()) > 0.1


def test_lesson4_is_deterministic_for_a_seed():
    mod = _load("04_dead_units")
    a = mod.run(quick=True, seed=3, plots=False, progress=False).measured
    b = mod.run(quick=True, seed=3, plots=False, progress=False).measured
    assert a["bias_runs"] == b["bias_runs"] and a["lr_runs"] == b["lr_runs"]
    assert a["dead_units_checked"] == b["dead_units_checked"]


def test_summaries_are_computed_from_the_numbers(results):
    r = results("04_dead_units")
    acc = r.measured["bias_runs"]["spirals/leaky/adam"]["final_acc"]
    assert f"{acc:.0%} on spirals" in r.summary
    r2 = results("02_vanishing_gradients")
    ratio = r2.measured["ratio"]["sigmoid"][10]
    assert f"{ratio:.1e}" in r2.summary
    assert not any(isinstance(v, float) and math.isnan(v) for v in r2.measured["chance"].values())


def test_runner_lists_lessons_1_to_4():
    out = subprocess.run(
        [sys.executable, "-m", "lessons"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    for stem in STEMS:
        assert stem in out


def test_script_run_with_flags(tmp_path):
    env = dict(os.environ, PYTHONPATH="")
    p = subprocess.run(
        [
            sys.executable,
            str(ROOT / "lessons" / "01_autograd_tour.py"),
            "--quick",
            "--seed",
            "2",
            "--no-plots",
            "--out",
            str(tmp_path),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert "== Lesson 1" in p.stdout and "gradcheck" in p.stdout
    assert not list(tmp_path.iterdir())  # --no-plots: nothing written


def test_lesson_constants_are_named_arguments():
    """No magic numbers in run(): every keyword has a default (the CLI passes only the flags)."""
    import inspect

    for stem in STEMS:
        sig = inspect.signature(_load(stem).run)
        assert all(p.default is not inspect.Parameter.empty for p in sig.parameters.values())
        assert {"quick", "seed", "out", "plots"} <= set(sig.parameters)
