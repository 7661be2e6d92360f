"""The checker runs the learner's code in a child process: sys.exit, os._exit, an endless loop
and a segfault each become a FAIL line of the step that was running, `check all` goes on with
the next exercise, and Ctrl-C stops the run cleanly (no traceback, no child left running).

Each misbehaving file is the softsign reference solution with its backward kernel replaced."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tinygrad_act.exercises import EXERCISES, check
from tinygrad_act.exercises.__main__ import main
from tinygrad_act.exercises.loader import solution_path

ROOT = Path(__file__).resolve().parents[1]
HEADER = "@njit\ndef softsign_backward(grad_out, x, grad_in):\n"
BACKWARD_STEP = "backward, float64, random inputs and upstream gradients"


def softsign_with_backward(tmp_path: Path, body: str, jit: bool = False, top: str = "") -> Path:
    """A softsign.py whose backward kernel is `body`. Unless jit, both kernels are plain Python:
    nothing to compile, so the check reaches the backward step at once."""
    text = solution_path("softsign").read_text()
    assert HEADER in text
    if not jit:
        text = text.replace("@njit\ndef softsign_forward", "def softsign_forward")
    head = HEADER if jit else HEADER.removeprefix("@njit\n")
    code = head + "".join(f"    {line}\n" for line in body.splitlines())
    code += "\n\ndef _solution_backward(grad_out, x, grad_in):\n"
    path = tmp_path / "softsign.py"
    path.write_text(top + text.replace(HEADER, code))
    return path


def failed_step(report):
    assert not report.passed, report.format()
    assert "FAILED" in report.format() and "[FAIL]" in report.format()
    (bad,) = [s for s in report.steps if not s.ok]
    return bad


def test_sys_exit_zero_is_a_failure_not_a_success(tmp_path):
    path = softsign_with_backward(tmp_path, "import sys\nsys.exit(0)")
    bad = failed_step(check("softsign", file=path))
    assert bad.label == BACKWARD_STEP
    assert "sys.exit(0)" in bad.detail and "softsign.py line" in bad.detail


def test_sys_exit_at_import_time(tmp_path):
    path = tmp_path / "softsign.py"
    path.write_text("import sys\nsys.exit(0)\n")
    bad = failed_step(check("softsign", file=path))
    assert "the file loads" in bad.label and "sys.exit(0)" in bad.detail


def test_os_exit_ends_the_child_and_is_reported(tmp_path):
    path = softsign_with_backward(tmp_path, "import os\nos._exit(0)")
    bad = failed_step(check("softsign", file=path))
    assert bad.label == BACKWARD_STEP
    assert "ended the checker's process (exit status 0)" in bad.detail


def test_endless_loop_is_stopped_after_the_timeout(tmp_path):
    path = softsign_with_backward(tmp_path, "while True:\n    pass")
    report = check("softsign", file=path, timeout=3)
    bad = failed_step(report)
    assert bad.label == BACKWARD_STEP and "did not finish within 3 s" in bad.detail
    assert "--timeout" in bad.detail
    assert [s.ok for s in report.steps[:-1]] == [True] * (len(report.steps) - 1)  # up to there


def test_segfault_is_reported_with_the_line(tmp_path):
    body = "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)"
    bad = failed_step(check("softsign", file=softsign_with_backward(tmp_path, body)))
    assert bad.label == BACKWARD_STEP and "SIGSEGV" in bad.detail
    assert "softsign.py line" in bad.detail and "NUMBA_BOUNDSCHECK=1" in bad.detail


def test_out_of_bounds_write_in_a_numba_kernel(tmp_path):
    # 2**40 elements past the end: far outside any mapping. Compiled (bounds unchecked) this is
    # a segfault; with NUMBA_DISABLE_JIT=1 the kernel is Python and raises IndexError.
    body = "for i in range(x.shape[0]):\n    grad_in[i + 2**40] = grad_out[i]"
    bad = failed_step(check("softsign", file=softsign_with_backward(tmp_path, body, jit=True)))
    assert bad.label == BACKWARD_STEP
    assert "SIGSEGV" in bad.detail or "IndexError" in bad.detail


def _cli(*args, **kwargs):
    return subprocess.Popen(
        [sys.executable, "-m", "tinygrad_act.exercises", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def test_check_all_goes_on_after_a_crash_and_exits_nonzero(tmp_path, capsys):
    for ex in EXERCISES:
        shutil.copyfile(solution_path(ex.name), tmp_path / f"{ex.name}.py")
    softsign_with_backward(tmp_path, "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)")
    (tmp_path / "elu.py").write_text("import sys\nsys.exit(0)\n")
    assert main(["check", "all", "--dir", str(tmp_path)]) == 1  # the CLI's exit status
    out = capsys.readouterr().out
    assert "SIGSEGV" in out and "sys.exit(0)" in out, out
    assert "check broadcast_add: PASSED" in out  # the last one still ran
    assert "6 of 8 exercises pass" in out
    assert main(["check", "elu", "--dir", str(tmp_path)]) == 1
    assert "[FAIL]" in capsys.readouterr().out


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to one process: POSIX")
def test_ctrl_c_stops_check_all_cleanly_and_kills_the_child(tmp_path):
    pidfile = tmp_path / "child.pid"
    top = f"import os\nopen({str(pidfile)!r}, 'w').write(str(os.getpid()))\n"
    # compiled: Numba code never returns to the interpreter, so the child cannot see SIGINT
    body = "i = 0\nwhile i >= 0:\n    i = (i + 1) % 7"
    softsign_with_backward(tmp_path, body, jit=True, top=top)
    proc = _cli("check", "all", "--dir", str(tmp_path), "--timeout", "600")
    try:
        while not pidfile.exists() or not pidfile.read_text():
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.1)
        child = int(pidfile.read_text())
        time.sleep(1.0)  # let it get into the loop (not required: any moment must work)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, out + err
    assert "interrupted" in err and "Traceback" not in err
    assert "exercises pass" not in out  # it stopped; it did not go on to the next exercise
    for _ in range(100):  # the child is killed, not left spinning
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"the check's child process {child} is still running")


def test_check_and_use_from_an_unguarded_script(tmp_path):
    # multiprocessing re-imports the parent's main script in its children: a learner's script
    # without `if __name__ == "__main__":` must not run again (and fail) in the check's child
    script = tmp_path / "mine.py"
    script.write_text(
        "from tinygrad_act import exercises\n"
        f"report = exercises.check('softsign', file={str(solution_path('softsign'))!r})\n"
        f"reg = exercises.use('softsign', file={str(solution_path('softsign'))!r})\n"
        "print('RESULT', report.passed, reg.op)\n"
    )
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=600, cwd=tmp_path)  # fmt: skip
    assert out.returncode == 0 and out.stdout.count("RESULT") == 1, out.stdout + out.stderr
    assert "RESULT True my_softsign" in out.stdout
