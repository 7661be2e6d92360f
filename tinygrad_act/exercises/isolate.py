"""Run one exercise check in a child process, so that the learner's code cannot take the checker
down with it. What the parent sees, and reports as a FAIL line of the step that was running:

    sys.exit(0), os._exit(0)    the child ends without a result: "your code ended the process"
    an endless loop             no result within `timeout` seconds: the child is killed
    a segfault                  the child dies of SIGSEGV (Numba does not check indices, so an
                                out-of-bounds write in a kernel is a crash, not an IndexError)
    Ctrl-C                      the parent kills the child and lets KeyboardInterrupt propagate

The child streams each step's label before running it, so a crash is pinned on its step.

Speed: on POSIX the child is forked from multiprocessing's forkserver, a clean process that
imported the checker once; a check then costs a fork, not a new interpreter (about 0.6 s of
imports each). Kernels come from Numba's on-disk cache (`cache=True`), so they compile once per
edit of the learner's file, not once per check. The forkserver keeps the environment it was
started with: set NUMBA_BOUNDSCHECK / NUMBA_DISABLE_JIT before the first check of a session.
"""

from __future__ import annotations

import contextlib
import faulthandler
import multiprocessing as mp
import os
import re
import signal
import sys
import tempfile
import time
import types
from pathlib import Path

from .catalog import get
from .report import Report, Step, explain_location

WARM_ENV = "TINYGRAD_ACT_CHECK_WARM"  # which exercises _warm.py prepares (see there)
DEFAULT_TIMEOUT = 120.0  # seconds; a cold Numba compile on a busy laptop takes well under this
_LOADING = "the file loads (its top-level code runs)"


def _context():
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        # import the checker (numpy, Numba, tinygrad_act) and warm its kernels once, in the server
        ctx.set_forkserver_preload([f"{__package__}._warm"])
        return ctx
    return mp.get_context("spawn")  # Windows: a fresh interpreter per check


def run_check(name: str, path: Path, shown: str, timeout: float | None = DEFAULT_TIMEOUT) -> Report:
    """check exercise `name` on the file `path` in a child process; the Report it produced, or
    one whose last step says how the child ended (timeout, crash, exit)."""
    ex = get(name)
    ctx = _context()
    sys.stdout.flush()  # the child writes to the same terminal: keep the order of the lines
    sys.stderr.flush()
    with tempfile.TemporaryDirectory(prefix="tinygrad_act_check_") as tmp:
        crash_log = os.path.join(tmp, "crash.log")
        recv, send = ctx.Pipe(duplex=False)
        args = (send, ex.name, str(path), shown, os.getcwd(), crash_log)
        proc = ctx.Process(target=_child, args=args, name=f"check-{ex.name}", daemon=True)
        with _main_hidden():
            proc.start()
        send.close()  # the child holds the only write end: EOF on recv means it is gone
        labels: list[str] = []
        result, timed_out = None, False
        try:
            deadline = None if timeout is None else time.monotonic() + timeout
            while True:
                left = None if deadline is None else max(0.0, deadline - time.monotonic())
                if not recv.poll(left):
                    timed_out = True
                    break
                try:
                    kind, payload = recv.recv()
                except (EOFError, OSError):
                    break  # the child died
                if kind == "step":
                    labels.append(payload)
                else:
                    result = payload
                    break
            if result is not None:
                proc.join(10)
        finally:  # also on KeyboardInterrupt: never leave a child running
            if proc.is_alive():
                proc.kill()
            proc.join()
            recv.close()
        report = Report(ex.name, shown)
        if result is not None:
            report.steps, report.notes = result
            return report
        report.steps = [Step(label, True) for label in labels[:-1]]
        label = labels[-1] if labels else _LOADING
        detail = _how_it_ended(proc.exitcode, timed_out, timeout, ex.name, shown, crash_log)
        report.steps.append(Step(label, False, detail))
        return report


@contextlib.contextmanager
def _main_hidden():
    """Start the child without telling it about our __main__. multiprocessing's forkserver and
    spawn re-import the parent's main script in every child; a learner's script that calls
    check() or use() at top level (no `if __name__ == "__main__":` guard) would then run again
    in the child and fail. The child needs nothing from __main__: its target lives here."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")  # no __file__, no __spec__
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def _how_it_ended(code, timed_out, timeout, name, shown, crash_log) -> str:
    if timed_out:
        return (
            f"your code did not finish within {timeout:g} s, so the checker stopped it. An "
            "endless loop? Look for a `while` whose condition never changes, or an index that "
            "is never advanced. If your code is only slow, allow more time: --timeout SECONDS."
        )
    if code is not None and code >= 0:
        return (
            f"your code ended the checker's process (exit status {code}) before the check "
            "finished: sys.exit() or os._exit() in an exercise stops the whole program, not just "
            "your function. Return a value, or raise an exception, instead."
        )
    try:
        sig = signal.Signals(-code).name
    except (TypeError, ValueError):
        sig = f"signal {-code if code is not None else '?'}"
    where = _crash_location(crash_log, shown)
    at = f"\n    at {where}" if where else ""
    if sig in ("SIGSEGV", "SIGBUS"):
        return (
            f"your code crashed the checker's process ({sig}, a segmentation fault){at}\n"
            "A kernel read or wrote outside an array: Numba does not check indices. Compare "
            "your loop bounds and indices with the arrays' shapes; to get an IndexError that "
            f"names the line, run:\n    NUMBA_BOUNDSCHECK=1 python -m tinygrad_act.exercises "
            f"check {name} --file {shown}\n(or NUMBA_DISABLE_JIT=1 to run the kernels as plain "
            "Python)."
        )
    if sig == "SIGKILL":
        return "the checker's process was killed (SIGKILL): out of memory?" + at
    return f"your code crashed the checker's process ({sig}){at}"


def _crash_location(crash_log: str, path: str | Path) -> str:
    """The innermost frame in the learner's file that faulthandler wrote before the crash."""
    try:
        text = Path(crash_log).read_text(errors="replace")
    except OSError:
        return ""
    target = os.path.abspath(path)
    for m in re.finditer(r'File "(.+?)", line (\d+) in (\S+)', text):  # innermost first
        if os.path.abspath(m.group(1)) == target:
            return f"{os.path.basename(target)} line {m.group(2)}, in {m.group(3)}"
    return ""


def _child(conn, name: str, path: str, shown: str, cwd: str, crash_log: str) -> None:
    from .checker import check_namespace, load_step  # checker imports this module

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and kills us
    try:
        os.chdir(cwd)  # the forkserver's cwd is where the session started, not the caller's
    except OSError:
        pass
    log = open(crash_log, "w")  # noqa: SIM115 - faulthandler writes to it until we exit
    faulthandler.enable(log)
    ex = get(name)
    running = [_LOADING]

    def started(label: str) -> None:
        running[0] = label
        conn.send(("step", label))

    report = Report(ex.name, shown, on_step=started)
    try:
        ns = load_step(Path(path), report)
        if ns is not None:
            check_namespace(ex, ns, report)
    except (SystemExit, KeyboardInterrupt) as e:  # raised by the learner's code, not by us
        what = f"sys.exit({e.code!r})" if isinstance(e, SystemExit) else "KeyboardInterrupt"
        where = explain_location(e, path)
        report.steps.append(
            Step(
                running[0],
                False,
                f"your code raised {what}" + (f"\n    at {where}" if where else "") + "\n"
                "That would end the whole checker, not just your function: return a value, or "
                "raise an ordinary exception, instead.",
            )
        )
    report.on_step = None
    conn.send(("done", (report.steps, report.notes)))
    conn.close()
