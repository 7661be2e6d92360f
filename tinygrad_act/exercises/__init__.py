"""Exercises: write your own op, and a checker that tells you what is wrong.

    python -m tinygrad_act.exercises start           # copy the stubs into ./exercises/
    python -m tinygrad_act.exercises list            # untouched / edited / failing / passed
    python -m tinygrad_act.exercises check elu       # check ./exercises/elu.py (exit 1 if wrong)
    python -m tinygrad_act.exercises check all
    python -m tinygrad_act.exercises hint elu        # one more hint per call

In Python: `check(name, file=None)` returns a Report; `use(name)` checks a solved exercise and
registers its op (F.my_elu, nn.MyELU) for use in a model or a lesson. docs/write_your_own_op.md
walks through a complete example.

Layout: catalog.py (the exercises and their hints), checker.py (check), isolate.py (a check in
a child process with a time limit, forked from a server that _warm.py prepares), check_*.py (the
checks per kind of exercise), references.py (what the answers are compared with), compare.py
and diagnose.py (tolerances and likely causes), report.py, loader.py (where files live, the
learner's progress), registry.py (use). stubs/ holds the pristine stubs, solutions/ the
reference solutions (spoilers: the tests use them to prove the checker passes a right answer).
"""

from .catalog import EXERCISES, Exercise, get
from .checker import check, check_namespace
from .loader import SOLUTIONS, STUBS, WORKSPACE, start, status, stub_path, workspace_path
from .registry import ExerciseNotSolved, Registered, forget, use, used
from .report import Report

__all__ = [
    "EXERCISES",
    "Exercise",
    "ExerciseNotSolved",
    "Registered",
    "Report",
    "SOLUTIONS",
    "STUBS",
    "WORKSPACE",
    "check",
    "check_namespace",
    "forget",
    "get",
    "start",
    "status",
    "stub_path",
    "use",
    "used",
    "workspace_path",
]
