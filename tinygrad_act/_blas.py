"""Set how many threads numpy's BLAS (OpenBLAS) uses, without extra dependencies.

Why: the networks in the lessons are small (100 x 100 matmuls take ~30 us on one thread). OpenBLAS
threads busy-wait, and on a machine whose cores are already busy a 2-thread 100 x 100 matmul was
measured at ~16 ms instead of ~27 us: 500x slower. Lessons and tests therefore run BLAS on one
thread; call `set_blas_threads(n)` to choose otherwise.
"""

from __future__ import annotations

import ctypes

import numpy as np  # noqa: F401 - BLAS must be loaded before we look for it

_SETTERS = (
    "scipy_openblas_set_num_threads64_",
    "scipy_openblas_set_num_threads",
    "openblas_set_num_threads64_",
    "openblas_set_num_threads",
)


def _openblas_libraries() -> list[str]:
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "openblas" in line.lower()}
    except OSError:  # not Linux: nothing we can do without threadpoolctl
        return []
    return sorted(p for p in paths if p.startswith("/"))


def set_blas_threads(n: int) -> bool:
    """Ask every loaded OpenBLAS to use `n` threads; True if one was found and set."""
    done = False
    for path in _openblas_libraries():
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in _SETTERS:
            fn = getattr(lib, name, None)
            if fn is not None:
                fn(ctypes.c_int(int(n)))
                done = True
                break
    return done
