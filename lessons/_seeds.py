"""Which seeds a lesson runs, and running them: serially, in local processes, or on a Dask cluster.

Seeds: `--seed S --seeds N` runs seeds S*SEED_STRIDE + 0 .. S*SEED_STRIDE + N-1. Different bases
never share a seed, so `--seed 1` is a fresh replication of `--seed 0`, not a shifted copy of it.

Running: `measure(seed, **kwargs)` must be a module-level function of a lesson (it is sent to
other processes). jobs > 1 uses joblib's loky processes, and a scheduler address (or a
dask.distributed Client) joblib's Dask backend. Every call runs with BLAS limited to one thread
(threadpoolctl): the thread count changes how a matmul is split and so its rounding, and one
thread per worker is what makes every backend give results bit-identical to jobs=1.
"""

from __future__ import annotations

import importlib.util
import pathlib
import sys
from collections.abc import Callable, Sequence
from typing import Any

SEED_STRIDE = 1000
LESSONS_DIR = pathlib.Path(__file__).resolve().parent


def seed_list(base: int, n: int) -> list[int]:
    """[base*SEED_STRIDE + i for i in range(n)]: seed sets of different bases never overlap."""
    if isinstance(base, bool) or not isinstance(base, int) or base < 0:
        raise ValueError(f"seed_list: base seed must be an integer >= 0, got {base!r}")
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= SEED_STRIDE:
        raise ValueError(f"seed_list: the number of seeds must be 1..{SEED_STRIDE}, got {n!r}")
    return [base * SEED_STRIDE + i for i in range(n)]


class _LessonFunction:
    """A picklable reference to a function of a lesson file (lesson modules have no importable
    name: their file names start with digits). The worker loads the file itself."""

    def __init__(self, fn: Callable):
        self.name = fn.__name__
        self.file = pathlib.Path(sys.modules[fn.__module__].__file__).name

    def resolve(self) -> Callable:
        # the name lessons/__main__.py gives it (also when the parent ran the file as a script)
        name = f"lessons.l{pathlib.Path(self.file).stem}"
        mod = sys.modules.get(name) or _load_lesson_file(LESSONS_DIR / self.file, name)
        return getattr(mod, self.name)


def _load_lesson_file(path: pathlib.Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod  # dataclasses (and pickle) look their module up by name
    spec.loader.exec_module(mod)
    return mod


def _portable(measure: Callable):
    """What to send to a worker: a reference for lesson-file functions, else the function."""
    mod = sys.modules.get(getattr(measure, "__module__", ""), None)
    file = getattr(mod, "__file__", None)
    if file and pathlib.Path(file).resolve().parent == LESSONS_DIR:
        return _LessonFunction(measure)
    return measure


def _call(measure, seed: int, kwargs: dict) -> Any:
    """One seed, BLAS on one thread (in the worker, or in this process for jobs=1)."""
    from threadpoolctl import threadpool_limits

    fn = measure.resolve() if isinstance(measure, _LessonFunction) else measure
    with threadpool_limits(limits=1):
        return fn(seed, **kwargs)


def run_seeds(
    measure: Callable[..., dict],
    seeds: Sequence[int],
    jobs: int = 1,
    scheduler: Any = None,
    **kwargs,
) -> list[dict]:
    """[measure(seed, **kwargs) for seed in seeds], in seed order, bit-identical for any backend.

    jobs: processes on this machine (joblib/loky); scheduler: a Dask scheduler address
    ("tcp://host:8786") or a dask.distributed.Client, run through joblib's Dask backend.
    """
    seeds = [int(s) for s in seeds]
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"run_seeds: jobs must be an integer >= 1, got {jobs!r}")
    if scheduler is None and (jobs == 1 or len(seeds) == 1):
        return [_call(measure, s, kwargs) for s in seeds]

    from joblib import Parallel, delayed, parallel_config

    fn = _portable(measure)
    tasks = [delayed(_call)(fn, s, kwargs) for s in seeds]
    if scheduler is None:
        # inner_max_num_threads=1 also sets the BLAS thread variables of the loky workers
        with parallel_config(backend="loky", n_jobs=jobs, inner_max_num_threads=1):
            return list(Parallel()(tasks))

    from dask.distributed import Client

    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    try:
        with parallel_config(backend="dask", client=client):
            return list(Parallel(n_jobs=-1)(tasks))
    finally:
        if client is not scheduler:
            client.close()
