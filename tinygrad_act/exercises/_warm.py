"""Imported once by the checker's forkserver (see isolate.py): load the checker and run every
reference solution's check in the server, so that each forked check starts with the library's
kernels already loaded from Numba's cache (a cold process spends about 1.5 s on that, every
check). Solutions run with small inputs only: no kernel starts a thread pool before the fork.
Any failure here only costs speed, so it is swallowed: a forkserver dies on a preload error.
"""

from __future__ import annotations


def _warm() -> None:
    try:
        from .catalog import EXERCISES
        from .checker import check_namespace
        from .loader import load, solution_path

        for ex in EXERCISES:
            check_namespace(ex, load(solution_path(ex.name)))
    except BaseException:  # noqa: BLE001 - a cold start is slower, never wrong
        pass


_warm()
