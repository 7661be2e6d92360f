"""The checker's report: a list of steps (passed, or failed with a message that teaches), and
the translation of an exception raised by the student's code into such a message.

A check runs its steps in order and stops at the first failure: later steps would only repeat
it. `Report.format()` is what `python -m tinygrad_act.exercises check NAME` prints.
"""

from __future__ import annotations

import os
import textwrap
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field


class CheckFailed(Exception):
    """Raised inside a step: the message says what is wrong and the likely cause."""


class StopCheck(Exception):
    """A step failed; the report already holds its message."""


@dataclass
class Step:
    label: str
    ok: bool
    detail: str = ""


@dataclass
class Report:
    exercise: str
    path: str
    steps: list[Step] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # called with each step's label before it runs (the isolated checker streams progress to
    # its parent, so a crash can be pinned on the step that was running)
    on_step: Callable[[str], None] | None = field(default=None, repr=False, compare=False)

    @property
    def passed(self) -> bool:
        return bool(self.steps) and all(s.ok for s in self.steps)

    @property
    def failure(self) -> str:
        """The failed step's message ("" when everything passed)."""
        return next((f"{s.label}\n{s.detail}" for s in self.steps if not s.ok), "")

    def step(self, label: str, fn: Callable[[], None]) -> None:
        """Run one check; on failure record the message and raise StopCheck."""
        if self.on_step is not None:
            self.on_step(label)
        try:
            fn()
        except CheckFailed as e:
            self._fail(label, str(e))
        except StopCheck:
            raise
        except Exception as e:  # the student's code crashed: say where and why
            self._fail(label, explain_exception(e, self.path, self.exercise))
        else:
            self.steps.append(Step(label, True))

    def _fail(self, label: str, detail: str) -> None:
        self.steps.append(Step(label, False, detail))
        raise StopCheck

    def format(self) -> str:
        head = f"check {self.exercise} ({self.path}): " + ("PASSED" if self.passed else "FAILED")
        lines = [head]
        for s in self.steps:
            lines.append(f"  [{'ok' if s.ok else 'FAIL'}] {s.label}")
            if not s.ok:
                lines += [_wrap(ln, "         ") for ln in s.detail.splitlines()]
        for n in self.notes:
            lines.append(f"  note: {n}")
        if not self.passed:
            lines.append(f"  stuck? python -m tinygrad_act.exercises hint {self.exercise}")
        return "\n".join(lines)


def _wrap(line: str, indent: str, width: int = 100) -> str:
    """One message line, wrapped to `width`, keeping its own indentation on continuations."""
    own = indent + " " * (len(line) - len(line.lstrip()))
    return textwrap.fill(line.strip(), width, initial_indent=own, subsequent_indent=own + "  ")


def not_implemented(e: BaseException, path: str, exercise: str) -> str:
    what = str(e) or "a function"
    return (
        f"not implemented yet: {what}\n"
        f"Open {path}, read the docstring of that function, and replace its "
        "`raise NotImplementedError(...)` line with your code. Then run the check again."
    )


def explain_exception(e: BaseException, path: str, exercise: str) -> str:
    """A crash in the student's code, explained: what was raised, where, and a way forward."""
    if isinstance(e, NotImplementedError):
        return not_implemented(e, path, exercise)
    name = type(e).__name__
    if _is_numba_error(e):
        first = "\n".join("    " + ln for ln in str(e).strip().splitlines()[:8])
        return (
            f"Numba could not compile your kernel ({name}):\n{first}\n"
            "Numba compiles a subset of Python: loops over arrays, arithmetic, math/np "
            "functions on numbers; no lists of mixed types, no Tensor methods. To step through "
            f"the kernel as plain Python: NUMBA_DISABLE_JIT=1 python -m tinygrad_act.exercises "
            f"check {exercise}"
        )
    where = explain_location(e, path)
    text = f"your code raised {name}: {e}"
    if where:
        text += f"\n    at {where}"
    if isinstance(e, (ValueError, IndexError)) and "shape" in str(e) + name.lower():
        text += "\nA shape error: print the shapes of the arrays in that line (see the docstring)."
    return text


def _is_numba_error(e: BaseException) -> bool:
    return any(c.__module__.startswith("numba") for c in type(e).__mro__[:-1])


def explain_location(e: BaseException, path: str) -> str:
    """The deepest frame in the student's file: 'file line N, in fn: code'."""
    target = os.path.abspath(path) if path else ""
    found = ""
    for frame in traceback.extract_tb(e.__traceback__):
        if target and os.path.abspath(frame.filename) == target:
            found = f"{os.path.basename(frame.filename)} line {frame.lineno}, in {frame.name}: "
            found += (frame.line or "").strip()
    return found
