"""The lesson machinery: intervals, paired differences, Holm, seeds, parallel runs, results.json,
and the runner's command line (lessons/_stats.py, _seeds.py, _results.py, _runner.py, __main__.py).

Expected t values come from a printed Student-t table (two-sided 95%: t_{0.975, df}), not from
scipy, which the code under test uses.
"""

from __future__ import annotations

import json
import math
import os
import pathlib
import subprocess
import sys
import types

import numpy as np
import pytest

from lessons import _results, _runner
from lessons._seeds import SEED_STRIDE, run_seeds, seed_list
from lessons._stats import Interval, difference_sentence, holm, mean_ci, paired_diff

ROOT = pathlib.Path(__file__).resolve().parents[1]
T975 = {1: 12.706, 2: 4.303, 4: 2.776, 9: 2.262, 29: 2.045}  # two-sided 95% critical values


@pytest.mark.parametrize("n", [2, 3, 5, 10, 30])
def test_mean_ci_matches_the_t_table(n):
    values = np.arange(1.0, n + 1) ** 1.5  # any spread will do
    half = T975[n - 1] * values.std(ddof=1) / math.sqrt(n)
    iv = mean_ci(values)
    assert iv.n == n and iv.mean == pytest.approx(values.mean())
    # the table has 3 decimals: half-widths agree to 0.0005 / t
    assert iv.mean - iv.lo == pytest.approx(half, rel=3e-4)
    assert iv.hi - iv.mean == pytest.approx(half, rel=3e-4)


def test_mean_ci_by_hand_and_its_text():
    iv = mean_ci([1, 2, 3, 4, 5])  # mean 3, s = sqrt(2.5), half = 2.776 * 0.7071 = 1.963
    assert (iv.lo, iv.hi) == (pytest.approx(1.037, abs=1e-3), pytest.approx(4.963, abs=1e-3))
    assert str(iv) == "3.000 (95% CI 1.037..4.963)"
    assert iv.excludes_zero and not mean_ci([-1, 1, 2]).excludes_zero


def test_one_run_has_no_interval():
    iv = mean_ci([0.5])
    assert math.isnan(iv.lo) and math.isnan(iv.hi) and not iv.excludes_zero
    assert "one run: no interval" in str(iv)


def test_non_finite_values_are_refused():
    with pytest.raises(ValueError, match="diverged"):
        mean_ci([0.5, float("nan")])
    with pytest.raises(ValueError, match="pair one value"):
        paired_diff([1, 2], [1, 2, 3])


def test_paired_diff_p_value_from_the_t_table():
    d = paired_diff([1, 2, 3, 4, 5], [0, 0, 0, 0, 0])  # t = 3 / (sqrt(2.5)/sqrt(5)) = 4.243, df 4
    # the table: t_{0.99,4} = 3.747 < 4.243 < t_{0.995,4} = 4.604, so 0.01 < p < 0.02
    assert 0.01 < d.p < 0.02
    assert d.mean == 3 and d.lo == pytest.approx(1.037, abs=1e-3)


def test_pairing_removes_the_seed_noise():
    seed_effect = np.array([0.3, 0.5, 0.7, 0.4, 0.6])  # large between-seed spread
    a = seed_effect + np.array([0.011, 0.009, 0.010, 0.012, 0.008])
    d = paired_diff(a, seed_effect)
    # t = 0.01 / (0.00158 / sqrt(5)) = 14.1 > t_{0.9995,4} = 8.610 (table): p < 0.001
    assert d.excludes_zero and d.p < 1e-3  # unpaired, the 0.01 drowns in the 0.16 spread
    assert not mean_ci(a).lo > mean_ci(seed_effect).hi


def test_identical_arms_show_no_difference():
    same = [0.61, 0.63, 0.60]
    d = paired_diff(same, same)
    assert d.mean == 0 and d.p == 1.0 and not d.excludes_zero
    assert difference_sentence("ReLU", "ReLU", d, "accuracy").startswith("no difference detected")


def test_holm_textbook_example():
    # Holm (1979) as in the usual worked example: four hypotheses at alpha = 0.05. Sorted: 0.005
    # <= 0.05/4 (reject), 0.01 <= 0.05/3 (reject), 0.03 > 0.05/2: stop; 0.04 is not rejected.
    got = holm({"H1": 0.01, "H2": 0.04, "H3": 0.03, "H4": 0.005})
    assert got == {"H1": True, "H2": False, "H3": False, "H4": True}
    # uncorrected, three of the four would pass 0.05; Bonferroni (0.0125) would keep only H4
    assert holm({"a": 0.04}) == {"a": True} and holm({}) == {}


def test_difference_sentence_states_a_difference_only_when_it_holds():
    up = Interval(0.012, 0.004, 0.020, 10, 0.01)
    assert difference_sentence("ReLU", "leaky ReLU", up, "accuracy") == (
        "ReLU's accuracy is higher than leaky ReLU's by 0.012 (95% CI 0.004..0.020)"
    )
    down = Interval(-0.012, -0.020, -0.004, 10, 0.01)
    assert difference_sentence("ReLU", "leaky", down, "x") == (
        "ReLU's x is lower than leaky's by 0.012 (95% CI 0.004..0.020)"  # the amount's interval
    )
    flat = Interval(0.002, -0.004, 0.009, 10, 0.5)
    assert difference_sentence("ReLU", "leaky ReLU", flat, "accuracy") == (
        "no difference detected in accuracy between ReLU and leaky ReLU (95% CI -0.004..0.009)"
    )
    s = difference_sentence("ReLU", "ELU", up, "accuracy", significant=False)
    assert s.startswith("no difference detected") and "Holm" in s


def test_seed_sets_of_different_bases_never_overlap():
    sets = [set(seed_list(b, SEED_STRIDE)) for b in range(4)]
    assert all(len(s) == SEED_STRIDE for s in sets)
    assert len(set().union(*sets)) == 4 * SEED_STRIDE
    assert seed_list(1, 3) == [1000, 1001, 1002]
    for bad in ((-1, 3), (0, 0), (0, SEED_STRIDE + 1), (1.5, 3)):
        with pytest.raises(ValueError):
            seed_list(*bad)


def blas_measure(seed: int, size: int = 200) -> dict:
    """A run whose numbers depend on matmul rounding: a few steps of a small linear regression."""
    rng = np.random.default_rng(seed)
    X, w = rng.standard_normal((size, size)), np.zeros(size)
    y = X @ rng.standard_normal(size)
    for _ in range(5):
        w -= 1e-3 * X.T @ (X @ w - y)
    return {"seed": seed, "w": w.tolist(), "loss": float(np.mean((X @ w - y) ** 2))}


def test_jobs_2_is_bit_identical_to_jobs_1():
    seeds = seed_list(2, 4)
    serial = run_seeds(blas_measure, seeds, jobs=1)
    parallel = run_seeds(blas_measure, seeds, jobs=2)
    assert [r["seed"] for r in parallel] == seeds  # in seed order
    assert json.dumps(parallel) == json.dumps(serial)  # bit for bit (floats printed exactly)


def test_run_seeds_rejects_bad_jobs():
    with pytest.raises(ValueError, match="jobs"):
        run_seeds(blas_measure, [0], jobs=0)


def test_results_roundtrip_revives_intervals(tmp_path):
    tables = {"acc": {"relu": mean_ci([0.5, 0.6, 0.55])}, "d": paired_diff([1, 2], [0, 0.5])}
    path = _results.write_results(str(tmp_path), "99_test", {"tables": tables, "seeds": [0, 1]})
    back = _results.read_results(path)
    assert back["tables"] == tables and isinstance(back["tables"]["d"], Interval)
    meta = back["metadata"]
    for key in ("numpy", "numba", "tinygrad_act", "python", "cpu", "blas", "OPENBLAS_CORETYPE"):
        assert key in meta
    assert not os.path.exists(path + ".tmp")


# --- a tiny lesson in the contract's shape, to test run_lesson without training anything --------
def _fake_lesson(tmp_path, figures):
    mod = types.ModuleType("fake_lesson")
    mod.__file__ = str(tmp_path / "99_fake.py")
    mod.__doc__ = "Lesson 99: a fake."
    mod.measure = lambda seed, quick=False: {"x": seed % 7 / 10}
    mod.aggregate = lambda runs: {"x": mean_ci([r["x"] for r in runs])}
    mod.summarize = lambda t: [f"x is {t['x']}"]
    mod.claims = lambda t: {"x below 1": t["x"].hi < 1}
    mod.render = lambda t: [("table", ["x"], [[t["x"].mean]])]
    mod.figures = figures
    return mod


def test_run_lesson_saves_numbers_before_drawing(tmp_path, capsys):
    def broken_figures(tables, out):
        raise RuntimeError("the figure code broke")

    mod = _fake_lesson(tmp_path, broken_figures)
    with pytest.raises(RuntimeError, match="figure code"):
        _runner.run_lesson(mod, seeds=4, out=str(tmp_path / "out"), plots=True)
    printed = capsys.readouterr().out
    assert "x is 0.150 (95% CI" in printed and "[ok] x below 1" in printed
    saved = _results.read_results(tmp_path / "out" / "99_fake" / "results.json")
    assert saved["seeds"] == [0, 1, 2, 3] and saved["claims"] == {"x below 1": True}
    assert saved["summary"] == [f"x is {mean_ci([0, 0.1, 0.2, 0.3])}"]


def _cli(*args, **kw):
    return subprocess.run(
        [sys.executable, "-m", "lessons", *args], cwd=ROOT, capture_output=True, text=True, **kw
    )


@pytest.mark.parametrize("key", ["0", "99", "xyz"])
def test_unknown_lesson_is_refused_with_the_list(key):
    p = _cli(key, "--quick", "--no-plots")
    assert p.returncode != 0 and "==" not in p.stdout
    assert "no lesson matches" in p.stderr and "04_dead_units" in p.stderr


@pytest.mark.parametrize("flag", [["--seed", "-1"], ["--seeds", "0"], ["--jobs", "0"]])
def test_bad_numbers_are_refused(flag):
    p = _cli("1", "--quick", *flag)
    assert p.returncode == 2 and "==" not in p.stdout
    assert flag[0] in p.stderr


def test_help_says_how_seeds_map_to_runs():
    p = _cli("4", "--help")
    assert p.returncode == 0 and f"S*{SEED_STRIDE}" in p.stdout and "never" in p.stdout


def test_bad_out_fails_before_training(tmp_path):
    a_file = tmp_path / "a_file"
    a_file.write_text("keep me")
    for out, message in ((str(a_file), "existing file"), ("", "empty")):
        p = _cli("4", "--quick", "--out", out)
        assert p.returncode != 0 and message in p.stderr, p.stderr
        assert "==" not in p.stdout  # nothing ran
    assert a_file.read_text() == "keep me"


def _read_only_dir(tmp_path) -> str:
    """A directory this process cannot write into. Root ignores permission bits, so as root use
    a sysfs directory (the kernel refuses new files there for everyone)."""
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    candidates = [str(ro), "/sys/kernel"] if os.geteuid() == 0 else [str(ro)]
    for d in candidates:
        try:
            with open(os.path.join(d, "probe"), "w"):
                pass
        except OSError:
            return d
        os.remove(os.path.join(d, "probe"))
    raise AssertionError(f"no read-only directory found among {candidates}")


def test_read_only_out_fails_before_training(tmp_path):
    p = _cli("4", "--quick", "--out", _read_only_dir(tmp_path))
    assert p.returncode != 0 and "cannot write to --out" in p.stderr, p.stderr
    assert "==" not in p.stdout


def _no_clock(obj):
    """obj without its wall-clock fields (keys ending in "_s": seconds)."""
    if isinstance(obj, dict):
        return {k: _no_clock(v) for k, v in obj.items() if not k.endswith("_s")}
    if isinstance(obj, list):
        return [_no_clock(v) for v in obj]
    return obj


def test_dask_cluster_runs_lesson_8_like_serial(lesson_results):
    """--scheduler: lesson 8's quick seeds through joblib's Dask backend on a 2-worker
    LocalCluster (given by its address) give the serial run's numbers bit for bit."""
    import distributed  # the `cluster` extra; README's test command installs it
    from conftest import load_lesson

    serial = lesson_results("08_shootout")
    measure = load_lesson("08_shootout").measure
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        address = cluster.scheduler_address
        on_cluster = run_seeds(measure, serial.seeds, scheduler=address, quick=True)
    # every number but the epoch times (a clock, not a result) is identical
    assert json.dumps(_no_clock(on_cluster)) == json.dumps(_no_clock(serial.runs))
    assert _no_clock(serial.runs) != serial.runs  # (the clock really was there to drop)


def test_dask_accepts_a_client(tmp_path):
    import distributed

    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        got = run_seeds(blas_measure, [5, 6], scheduler=client, size=50)
    assert json.dumps(got) == json.dumps(run_seeds(blas_measure, [5, 6], size=50))


STEPS = ("measure", "aggregate", "summarize", "claims", "figures", "render")


@pytest.mark.parametrize("path", sorted((ROOT / "lessons").glob("[0-9][0-9]_*.py")), ids=str)
def test_each_lesson_reads_as_the_experiment(path):
    """measure / aggregate / summarize / claims / figures / render, each a short module-level
    function (issue 14: a reader learns the experiment, not bookkeeping)."""
    import ast

    tree = ast.parse(path.read_text())
    funcs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    for name in STEPS:
        assert name in funcs, f"{path.name} has no module-level {name}()"
        length = funcs[name].end_lineno - funcs[name].lineno + 1
        assert length <= 60, f"{path.name}: {name}() is {length} lines; split it"
    params = [a.arg for a in funcs["measure"].args.args]
    assert params[:2] == ["seed", "quick"], params
