"""Imported once by the checker's forkserver (see isolate.py): load the checker and run the
reference solutions' checks in the server, so that each forked check starts with the library's
kernels already loaded from Numba's cache (a cold process spends about 1.5 s on that, every
check). Solutions run with small inputs only: no kernel starts a thread pool before the fork.

$TINYGRAD_ACT_CHECK_WARM (exercise names, comma-separated) limits the warm-up: the command line
sets it to the one exercise that `check NAME` runs. Unset, every exercise is warmed (check all,
and a Python session that may check any of them). Any failure here only costs speed, so it is
swallowed: a forkserver dies on a preload error.
"""

from __future__ import annotations

import os

from .isolate import WARM_ENV


def _warm() -> None:
    try:
        from .catalog import EXERCISES
        from .checker import check_namespace
        from .loader import load, solution_path

        wanted = os.environ.get(WARM_ENV)
        names = set(wanted.split(",")) if wanted else {ex.name for ex in EXERCISES}
        for ex in EXERCISES:
            if ex.name in names:
                check_namespace(ex, load(solution_path(ex.name)))
    except BaseException:  # noqa: BLE001 - a cold start is slower, never wrong
        pass


_warm()  # at import: only the forkserver imports this module
