"""kernels/_parallel.py: the thread pool behind large kernels survives fork() and
set_num_threads() from another thread (issue 10, item 5).

Both failures were hangs or errors in a *running* program, so each test runs a child interpreter
with a time limit: a hang fails the test instead of blocking the suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import tinygrad_act as ta
from tinygrad_act.kernels import _parallel

# 4M float32 elements: above PARALLEL_THRESHOLD (2M), so relu runs on the pool's threads
_PRELUDE = """
import os, sys, threading, time, warnings
warnings.simplefilter("ignore", DeprecationWarning)  # Python 3.12 warns about fork + threads
import numpy as np
import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act.kernels import _parallel
assert _parallel.get_num_threads() >= 2, _parallel.get_num_threads()
N = max(1 << 22, 2 * _parallel.PARALLEL_THRESHOLD)
x = ta.tensor(np.linspace(-1, 1, N, dtype=np.float32))
"""


def _run(body: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = dict(os.environ, TINYGRAD_ACT_NUM_THREADS="4")
    env.pop("TINYGRAD_ACT_PARALLEL_THRESHOLD", None)
    code = _PRELUDE + textwrap.dedent(body)
    try:
        return subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, env=env
        )
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"the child hung for {timeout} s (stdout so far: {e.stdout!r})")


def test_large_op_in_a_forked_child_does_not_hang():
    proc = _run(
        """
        assert float(F.relu(x).sum().item()) > 0  # starts the pool's threads in the parent
        pid = os.fork()
        if pid == 0:  # the child inherits the pool object but not its threads
            try:
                y = F.relu(x)
                ok = float(y.sum().item()) > 0 and y.shape == x.shape
            finally:
                os._exit(0 if ok else 3)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                sys.exit(os.waitstatus_to_exitcode(status))
            time.sleep(0.01)
        os.kill(pid, 9)  # never leave a hung child behind
        os.waitpid(pid, 0)
        print("child hung")
        sys.exit(2)
        """
    )
    assert proc.returncode == 0, (proc.returncode, proc.stdout, proc.stderr[-2000:])


def test_parent_pool_still_works_after_a_fork():
    proc = _run(
        """
        F.relu(x)
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
        assert float(F.relu(x).sum().item()) > 0
        print("ok")
        """
    )
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr[-2000:]


def test_set_num_threads_while_another_thread_runs_large_kernels():
    proc = _run(
        """
        errors = []
        stop = threading.Event()

        def work():
            try:
                while not stop.is_set():
                    F.relu(x)
            except BaseException as e:
                errors.append(f"{type(e).__name__}: {e}")

        workers = [threading.Thread(target=work) for _ in range(2)]
        for w in workers:
            w.start()
        end = time.monotonic() + 3
        n = 0
        while time.monotonic() < end and not errors:
            _parallel.set_num_threads(1 + n % 4)
            n += 1
            time.sleep(0.001)
        stop.set()
        for w in workers:
            w.join(30)
        assert not any(w.is_alive() for w in workers), "a worker hung"
        print(errors[0] if errors else f"ok {n}")
        """
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.startswith("ok"), proc.stdout


def test_set_num_threads_refuses_nonsense():
    old = _parallel.get_num_threads()
    try:
        with pytest.raises(ValueError, match="set_num_threads: .* >= 1, got 0"):
            ta.set_num_threads(0)
        with pytest.raises(TypeError, match="set_num_threads: .* int"):
            ta.set_num_threads(2.5)
        assert _parallel.get_num_threads() == old
    finally:
        _parallel.set_num_threads(old)


def test_results_do_not_depend_on_the_thread_count(monkeypatch):
    import tinygrad_act.functional as F

    monkeypatch.setattr(_parallel, "PARALLEL_THRESHOLD", 0)
    x = ta.tensor(np.random.default_rng(0).standard_normal(1001).astype(np.float32))
    outs = []
    old = _parallel.get_num_threads()
    try:
        for n in (1, 2, 3, 7):
            _parallel.set_num_threads(n)
            outs.append(F.relu(x).numpy())
    finally:
        _parallel.set_num_threads(old)
    for o in outs[1:]:
        np.testing.assert_array_equal(o, outs[0])
