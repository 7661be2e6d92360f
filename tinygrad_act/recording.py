"""The switch `ta.compile` turns on while it records a step, read by the layers below it.

`ACTIVE[0]` is the Recorder of capture.py while a step is being recorded, else None. The layers
that a replay must repeat (Function.apply, the backward engine, `.grad` assignment, the
optimizers' update, Module calls) check it and report what they did; the places a replay could
NOT repeat (reading a tensor's value in Python, drawing random numbers outside an op) call
`note(...)`, which makes that recording fall back to eager execution. This file imports nothing,
so tensor.py and random.py can use it.
"""

from __future__ import annotations

from typing import Any

ACTIVE: list[Any] = [None]

# Bumped by every Module attribute assignment (nn/module.py): while it is unchanged, no Module can
# have changed, and a recording's guard skips comparing their attributes.
MODULE_EDITS = [0]


def note(what: str) -> None:
    """Report, to a recording in progress, something its replay could not repeat.

    Ignored while an op's own forward or backward runs (`busy`): a replay runs those again, so a
    value they read or a random number they draw is read or drawn again."""
    rec = ACTIVE[0]
    if rec is not None and not rec.busy:
        rec.unsupported(what)


def call(fn: Any, *args: Any) -> Any:
    """`fn(*args)`, run again at every replay when a step is being recorded: for code that reads
    values on purpose, like fit's check that the gradients are finite (it may raise there)."""
    rec = ACTIVE[0]
    if rec is None or rec.busy:
        return fn(*args)
    return rec.call(fn, *args)


def grad_read(t: Any) -> None:
    """Report that library code decided something on whether `t.grad` is None."""
    rec = ACTIVE[0]
    if rec is not None and not rec.busy:
        rec.grad_read(t)


def zero_grad_of(t: Any) -> None:
    """zero_grad(set_to_none=False) for one tensor: zeros in its .grad, if it has one; a replay
    zeros them again."""
    grad_read(t)
    g = t._grad
    if g is not None:
        call(_fill_zero, g.data)


def _fill_zero(a: Any) -> None:
    a[...] = 0
