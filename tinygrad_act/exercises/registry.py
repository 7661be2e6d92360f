"""use(name): check a solved exercise, register its op, and hand back how to call it.

    from tinygrad_act import exercises, nn
    elu = exercises.use("elu")          # checks ./exercises/elu.py, then registers it
    F.my_elu(x, alpha=1.5)              # the table's functional entry, like F.elu
    model = nn.Sequential(nn.Linear(2, 16), elu.module(), nn.Linear(16, 3))   # nn.MyELU()

Activations join the activation table through its public API (register_activation; and
nn.register_module for a hand-written module with a learnable parameter), so everything that
reads the table - F.<name>, nn.<Class>, the generated docs, a lesson that takes an activation
by name - sees them like the built-ins. linear_relu and broadcast_add are not activations:
`use` returns their Function (and module) without touching the table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .. import functional as F
from .. import nn
from ..autograd import Function
from ..nn.activations import register_module
from ..ops.activations import TABLE, register_activation, unregister_activation
from .catalog import get
from .checker import check as run_checks
from .loader import load, workspace_path


class ExerciseNotSolved(RuntimeError):
    """use() found the exercise's checks failing; the message is the checker's report."""


@dataclass(frozen=True)
class Registered:
    """How to call a solved exercise's op."""

    exercise: str
    op: str | None  # its name in the activation table (F.<op>), None for non-activations
    function: type[Function]  # the graph node: function.apply(...)
    functional: Callable  # F.<op>, or function.apply
    module: type | None  # nn.<Class> (call it to make a layer), or None


_USED: dict[str, Registered] = {}


def use(
    name: str,
    file: str | Path | None = None,
    directory: str | Path | None = None,
    check: bool = True,
) -> Registered:
    """Load exercise `name` from `file` (default ./exercises/<name>.py), check it (raises
    ExerciseNotSolved with the report when a check fails; check=False skips that), register
    its op and return a Registered. Calling it again replaces the earlier registration, so an
    edited file can be used in the same session. The check runs in a child process, like
    `python -m tinygrad_act.exercises check`: a crash or an endless loop in it fails the check
    instead of ending this session."""
    ex = get(name)
    path = Path(file) if file is not None else workspace_path(ex.name, directory)
    if check:
        report = run_checks(ex.name, file=path)
        if not report.passed:
            raise ExerciseNotSolved(report.format())
    ns = load(path)
    forget(ex.name)
    if ex.kind == "function":
        fn = getattr(ns, ex.function)
        module = getattr(ns, ex.module) if ex.module else None
        reg = Registered(ex.name, None, fn, fn.apply, module)
    else:
        spec = ns.SPEC
        if spec.name in TABLE:
            raise ValueError(
                f"use({name!r}): an op named {spec.name!r} is already in the activation table "
                "and was not registered by an exercise; rename SPEC.name"
            )
        if ex.kind == "parametric":
            fn = register_activation(spec, getattr(ns, ex.function))
            register_module(spec.name, getattr(ns, ex.module))
        else:
            fn = register_activation(spec)
        reg = Registered(ex.name, spec.name, fn, getattr(F, spec.name), getattr(nn, spec.cls))
    _USED[ex.name] = reg
    return reg


def forget(name: str) -> None:
    """Undo use(name): its op leaves the activation table (no-op if it was not used)."""
    reg = _USED.pop(get(name).name, None)
    if reg is not None and reg.op is not None:
        unregister_activation(reg.op)


def used() -> dict[str, Registered]:
    """The exercises registered in this session, by exercise name."""
    return dict(_USED)
