"""Run a serial Numba kernel on one thread for small inputs, split over threads for large ones.

Every kernel is a top-level `@njit(cache=True, nogil=True)` function whose array arguments share a
leading axis (flat elements, or rows). Because the kernel releases the GIL, `launch` can run it on
slices of that axis in a few Python threads: one compiled function per op and dtype, no second
`parallel=True` build to compile and cache, and `NUMBA_DISABLE_JIT=1` still works (slowly).

Starting threads costs tens of microseconds, so below `PARALLEL_THRESHOLD` elements the kernel runs
on the calling thread. `benchmarks/bench_threshold.py` measures the crossover on this machine.

The pool is made on first use and is safe to use from several threads. `set_num_threads` never
shuts down a pool another thread may be submitting to: it drops the global reference, and the old
pool's threads exit once its last user is done (ThreadPoolExecutor's own garbage collection).
A child made by os.fork() inherits the pool object but none of its threads (a submit would wait
forever), so a fork hook forgets the pool in the child, which makes its own on first use.
"""

from __future__ import annotations

import operator
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import numpy as np
from numba import njit as _njit

# The dtypes every kernel is written, compiled and tested for; parameters and optimizers refuse
# others where they enter (float16 would reach a kernel as NotImplementedError much later).
FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))

# Measured by benchmarks/bench_threshold.py on the 2-core dev machine (a KVM guest): handing half
# of a kernel to a pool thread and waiting for it costs ~100-250 us here (thread wake-ups), so
# relu fwd+bwd (memory-bound) first wins with 2 threads at ~2M float32 elements (1.1x; 0.5x at
# 512K), gelu fwd+bwd (compute-bound, ~4x relu's work per element) at ~512K (1.3x). The unit is
# work: launch(..., work=n * cost) lets expensive kernels split earlier (activation table `cost`).
PARALLEL_THRESHOLD = int(os.environ.get("TINYGRAD_ACT_PARALLEL_THRESHOLD", 1 << 21))


def _default_threads() -> int:
    env = os.environ.get("TINYGRAD_ACT_NUM_THREADS")
    if env:
        return max(1, int(env))
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


_num_threads = _default_threads()
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def set_num_threads(n: int) -> None:
    """How many threads large kernels use (1 disables splitting); safe while kernels run."""
    global _num_threads, _pool
    try:
        k = operator.index(n)
    except TypeError:
        raise TypeError(f"set_num_threads: expects an int, got {n!r}") from None
    if k < 1:
        raise ValueError(f"set_num_threads: the number of threads must be >= 1, got {k}")
    with _pool_lock:
        _num_threads = k
        _pool = None  # not shutdown(): another thread may be about to submit to it


def _get_pool() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=_num_threads, thread_name_prefix="tinygrad_act")
        return _pool


def _forget_pool_in_child() -> None:
    """After fork(): the inherited pool has no threads here, and the lock may be held."""
    global _pool, _pool_lock
    _pool = None
    _pool_lock = threading.Lock()


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
    os.register_at_fork(after_in_child=_forget_pool_in_child)


def get_num_threads() -> int:
    return _num_threads


def njit(fn=None, **kwargs):
    """Numba's njit with this project's defaults: cached on disk, GIL released, numpy error model.

    error_model='numpy' lets division follow IEEE (no ZeroDivisionError branch), which also keeps
    serial loops free of the checks that stop them from vectorizing.
    """
    opts = {"cache": True, "nogil": True, "error_model": "numpy"}
    opts.update(kwargs)
    if fn is None:
        return lambda f: _njit(**opts)(f)
    return _njit(**opts)(fn)


def launch(kernel, arrays: tuple, scalars: tuple = (), work: int | None = None) -> None:
    """Call `kernel(*arrays, *scalars)`, splitting the arrays' leading axis over threads when large.

    `arrays` must all be C-contiguous with the same leading length; the kernel must treat each
    slice independently (elementwise ops, or row-wise ops like softmax).
    """
    size = arrays[0].size if work is None else work
    n = arrays[0].shape[0]
    if size < PARALLEL_THRESHOLD or _num_threads <= 1 or n <= 1:
        kernel(*arrays, *scalars)
        return
    threads = min(_num_threads, n)
    pool = _get_pool()
    bounds = np.linspace(0, n, threads + 1).astype(np.int64)
    futures = [
        pool.submit(kernel, *[a[lo:hi] for a in arrays], *scalars)
        for lo, hi in zip(bounds[1:-1], bounds[2:])
    ]
    kernel(*[a[bounds[0] : bounds[1]] for a in arrays], *scalars)
    for f in futures:
        f.result()


def bind(kernel, arrays: tuple, scalars: tuple = (), work: int | None = None):
    """`launch(kernel, arrays, scalars, work)` as a function, for ta.compile's replays: a call
    small enough to run on this thread becomes a direct kernel call. Arguments given to the
    function are more scalars (an optimizer's hyperparameters, read at each call)."""
    size = arrays[0].size if work is None else work
    if size < PARALLEL_THRESHOLD or arrays[0].shape[0] <= 1:
        return partial(kernel, *arrays, *scalars)
    return lambda *more: launch(kernel, arrays, scalars + more, work)
