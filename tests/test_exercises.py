"""tinygrad_act.exercises: every reference solution passes its checker, every untouched stub fails
with "not implemented yet", a solved exercise registers an op usable in a model, and the CLI's
exit status says pass / fail / usage error. Wrong solutions and their diagnoses:
tests/test_exercises_wrong.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from activation_golden import markdown
from numba.core import config as numba_config

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import exercises, nn
from tinygrad_act.exercises import EXERCISES, check
from tinygrad_act.exercises.__main__ import main
from tinygrad_act.exercises.loader import solution_path, stub_path
from tinygrad_act.ops.activations import TABLE

ROOT = Path(__file__).resolve().parents[1]
NAMES = [ex.name for ex in EXERCISES]


def test_at_least_the_eight_exercises_of_the_issue():
    assert NAMES == [
        "softsign",
        "elu",
        "relu_subgradient",
        "gelu_tanh",
        "swish",
        "prelu",
        "linear_relu",
        "broadcast_add",
    ]
    for ex in EXERCISES:
        assert stub_path(ex.name).exists() and solution_path(ex.name).exists()
        assert len(ex.hints) >= 3
        assert "SPOILER" in solution_path(ex.name).read_text()[:400]
        assert "SPOILER" not in stub_path(ex.name).read_text()


@pytest.mark.parametrize("name", NAMES)
def test_reference_solution_passes(name):
    report = check(name, file=solution_path(name))
    assert report.passed, report.format()
    assert len(report.steps) >= 6  # forward, backward, gradcheck, edges, float32, ...
    assert "PASSED" in report.format()


@pytest.mark.parametrize("name", NAMES)
def test_untouched_stub_fails_saying_it_is_not_implemented(name):
    report = check(name, file=stub_path(name))
    assert not report.passed
    text = report.format()
    assert "FAILED" in text
    assert "not implemented yet" in report.failure
    assert "raise NotImplementedError" in report.failure  # what to replace
    assert f"hint {name}" in text  # where to get help
    # the message names the function still to write
    assert any(w in report.failure for w in ("_forward", ".forward", ".backward"))


def test_missing_file_and_broken_file_explain_themselves(tmp_path):
    report = check("elu", directory=tmp_path)
    assert not report.passed and "exercises start" in report.failure
    bad = tmp_path / "elu.py"
    bad.write_text("def elu_forward(x, out, alpha):\n    return x +\n")
    report = check("elu", file=bad)
    assert not report.passed and "SyntaxError" in report.failure


def test_numba_compile_errors_are_explained(tmp_path):
    text = stub_path("softsign").read_text()
    broken = text.replace(
        'raise NotImplementedError("softsign_forward: write the loop that fills out")',
        "out[0] = undefined_name(x[0])",
    )
    path = tmp_path / "softsign.py"
    path.write_text(broken)
    report = check("softsign", file=path)
    assert not report.passed
    if numba_config.DISABLE_JIT:  # the kernel ran as Python: the NameError and where it is
        assert "NameError" in report.failure and "line" in report.failure
    else:
        assert "Numba could not compile your kernel" in report.failure
        assert "NUMBA_DISABLE_JIT=1" in report.failure


# ---- using a solved exercise: the activation table, F, nn, a model ----------------------------
@pytest.fixture
def registered():
    names = []

    def use(name):
        names.append(name)
        return exercises.use(name, file=solution_path(name))

    yield use
    for n in names:
        exercises.forget(n)
    assert not [k for k in TABLE if k.startswith("my_")]


def test_a_solved_activation_becomes_f_and_nn_like_a_builtin(registered):
    reg = registered("elu")
    assert reg.op == "my_elu" and "my_elu" in TABLE and "my_elu" in markdown()
    x = ta.tensor([-2.0, -0.5, 0.0, 1.5], dtype=ta.float64, requires_grad=True)
    y = F.my_elu(x, alpha=1.5)
    np.testing.assert_allclose(y.numpy(), F.elu(x, alpha=1.5).numpy(), rtol=1e-15)
    assert repr(nn.MyELU(1.5)) == "MyELU(alpha=1.5)"
    assert ta.gradcheck(lambda t: F.my_elu(t, alpha=1.5), (ta.tensor([-1.0, 0.3], dtype=ta.float64,
                        requires_grad=True),))  # fmt: skip
    # an edited file can be used again in the same session: the registration is replaced
    again = registered("elu")
    assert again.function is not reg.function and TABLE["my_elu"] is again.function.spec


def test_solved_parametric_ops_train_in_a_model(registered):
    swish, prelu = registered("swish"), registered("prelu")
    assert isinstance(nn.MySwish(), nn.Module) and nn.MySwish is swish.module
    x = ta.tensor([[-1.0, 2.0, 0.5]], requires_grad=True)
    np.testing.assert_allclose(
        F.my_swish(x, nn.MySwish().beta).numpy(), F.silu(x).numpy(), rtol=1e-6
    )  # fmt: skip  beta = 1 is SiLU
    ta.manual_seed(0)
    X, y = ta.randn(32, 2), ta.tensor(np.arange(32) % 2)
    model = nn.Sequential(nn.Linear(2, 16), swish.module(), nn.Linear(16, 8), prelu.module(8),
                          nn.Linear(8, 2))  # fmt: skip
    opt = ta.optim.Adam(model.parameters(), lr=0.05)
    beta, slopes = model[1].beta.data.copy(), model[3].weight.data.copy()
    losses = []
    for _ in range(20):
        loss = F.cross_entropy(model(X), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]
    assert not np.array_equal(model[1].beta.data, beta)  # the learnable beta learned
    assert not np.array_equal(model[3].weight.data, slopes)


def test_the_function_exercises_are_usable_but_stay_out_of_the_table(registered):
    lr, add = registered("linear_relu"), registered("broadcast_add")
    assert lr.op is None and add.op is None
    layer = lr.module(3, 4)
    out = layer(ta.randn(5, 3))
    assert out.shape == (5, 4) and (out.numpy() >= 0).all()
    a = ta.randn(2, 1, 3, requires_grad=True)
    add.functional(a, ta.ones(4, 1)).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), np.full((2, 1, 3), 4.0))


def test_use_refuses_an_unsolved_exercise():
    with pytest.raises(exercises.ExerciseNotSolved, match="not implemented yet"):
        exercises.use("softsign", file=stub_path("softsign"))
    assert "my_softsign" not in TABLE


# ---- the student's folder and the command line ------------------------------------------------
def test_start_copies_the_stubs_and_never_overwrites(tmp_path):
    copied = exercises.start(tmp_path)
    assert sorted(p.name for p in copied) == sorted(f"{n}.py" for n in NAMES)
    assert exercises.status("elu", tmp_path) == "untouched"
    (tmp_path / "elu.py").write_text("# my work\n")
    assert exercises.start(tmp_path) == []
    assert (tmp_path / "elu.py").read_text() == "# my work\n"
    assert exercises.status("elu", tmp_path) == "edited"
    (tmp_path / "gelu_tanh.py").unlink()
    assert exercises.status("gelu_tanh", tmp_path) == "not started"


def test_cli_list_hint_start_in_process(tmp_path, capsys):
    assert main(["start", "--dir", str(tmp_path)]) == 0
    assert main(["list", "--dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "8 stub(s) copied" in out and "prelu" in out and "[untouched]" in out
    assert main(["hint", "prelu", "3"]) == 0
    assert "+=" in capsys.readouterr().out
    assert main(["hint", "no_such_exercise"]) == 2
    assert main(["check", "2", "--file", str(solution_path("elu"))]) == 0  # by number
    assert main(["check", "elu", "--dir", str(tmp_path)]) == 1


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "tinygrad_act.exercises", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )


def test_cli_exit_status_pass_fail_and_usage_error():
    ok = _cli("check", "softsign", "--file", str(solution_path("softsign")))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "PASSED" in ok.stdout
    bad = _cli("check", "all", "--dir", str(stub_path("softsign").parent))
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert bad.stdout.count("not implemented yet") == len(NAMES)
    assert "0 of 8 exercises pass" in bad.stdout
    usage = _cli("check", "no_such_exercise")
    assert usage.returncode == 2 and "choose one of" in usage.stderr
