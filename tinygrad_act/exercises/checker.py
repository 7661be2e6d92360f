"""check(name): load the student's file and run the exercise's checks into a Report."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from . import check_activation, check_broadcast_add, check_linear_relu, check_parametric
from .catalog import Exercise, get
from .isolate import DEFAULT_TIMEOUT, run_check
from .loader import load, record_result, workspace_path
from .report import Report, Step, StopCheck, explain_exception

_CHECKS = {
    "activation": check_activation.check,
    "parametric": check_parametric.check,
    "linear_relu": check_linear_relu.check,
    "broadcast_add": check_broadcast_add.check,
}


def check(
    name: str,
    file: str | Path | None = None,
    directory: str | Path | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    isolate: bool = True,
) -> Report:
    """Check exercise `name` in `file` (default: ./exercises/<name>.py, or DIR/<name>.py).

    The learner's code runs in a child process (isolate=True): sys.exit, an endless loop
    (stopped after `timeout` seconds; None waits forever) or a segfault becomes a failed step,
    never the end of the caller. isolate=False runs it here, e.g. to step through it in a
    debugger with NUMBA_DISABLE_JIT=1.
    """
    ex = get(name)
    path = Path(file) if file is not None else workspace_path(ex.name, directory)
    shown = os.path.relpath(path) if path.is_absolute() else str(path)
    if not path.exists():
        report = Report(ex.name, shown)
        detail = (
            f"there is no {shown}. Copy the stubs into ./exercises/ with\n"
            "    python -m tinygrad_act.exercises start\n"
            f"then edit exercises/{ex.name}.py (or check another file with --file PATH)."
        )
        report.steps.append(Step("the file exists", False, detail))
        return report
    if isolate:
        report = run_check(ex.name, path.resolve(), shown, timeout)
    else:
        report = Report(ex.name, shown)
        ns = load_step(path, report)
        if ns is not None:
            check_namespace(ex, ns, report)
    record_result(ex.name, path, report.passed)
    return report


def load_step(path: Path, report: Report):
    """The learner's file as a module, or None after recording why it does not load."""
    try:
        return load(path)
    except Exception as e:  # a syntax error, a bad import, a crash at import time
        detail = explain_exception(e, str(path), report.exercise)
        report.steps.append(Step("the file loads", False, detail))
        return None


def check_namespace(ex: Exercise | str, ns, report: Report | None = None) -> Report:
    """Run the checks of `ex` on `ns`: a loaded module, or any object with the same names
    (the tests pass a solution with one function swapped for a wrong one)."""
    ex = get(ex) if isinstance(ex, str) else ex
    report = report or Report(ex.name, getattr(ns, "__file__", None) or "<namespace>")
    kind = ex.kind if ex.kind != "function" else ex.name
    try:
        # edge inputs overflow on purpose; under NUMBA_DISABLE_JIT=1 numpy would warn about it
        with np.errstate(all="ignore"):
            _CHECKS[kind](ex, ns, report)
    except StopCheck:
        pass
    return report
