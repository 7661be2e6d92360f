"""Set how many threads numpy's BLAS uses (OpenBLAS, MKL, BLIS or Accelerate), via threadpoolctl.

Why: the networks in the lessons are small (100 x 100 matmuls take ~30 us on one thread). OpenBLAS
threads busy-wait, and on a machine whose cores are already busy a 2-thread 100 x 100 matmul was
measured at ~16 ms instead of ~27 us: 500x slower. Lessons and tests therefore run BLAS on one
thread; call `set_blas_threads(n)` to choose otherwise.

threadpoolctl finds every BLAS loaded in the process on every platform. It comes with
scikit-learn (the `lessons` extra); without it BLAS keeps its own thread count and
`set_blas_threads` says so once.
"""

from __future__ import annotations

import warnings

import numpy as np  # noqa: F401 - BLAS must be loaded before threadpoolctl looks for it

_warned = False


def set_blas_threads(n: int) -> bool:
    """Ask every BLAS loaded in this process to use `n` threads (n >= 1); True if one was found
    and set, False when there is none or threadpoolctl is not installed (warned once)."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"set_blas_threads: n must be a positive int, got {n!r}")
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        _warn_once()
        return False
    blas = ThreadpoolController().select(user_api="blas")
    if not blas.info():
        return False
    blas.limit(limits=n)
    return True


def _warn_once() -> None:
    global _warned
    if not _warned:
        _warned = True
        warnings.warn(
            "set_blas_threads: threadpoolctl is not installed, so BLAS keeps its own thread "
            "count (small matmuls may be slow on busy cores); pip install threadpoolctl, or the "
            "'lessons' extra, which brings it",
            RuntimeWarning,
            stacklevel=3,
        )
