"""results.json: every number a lesson prints, with what is needed to tell where it came from.

A lesson's tables may hold `Interval`s (lessons/_stats.py); they are stored as objects with the
keys mean, lo, hi, n, p, level and come back as Interval from read_results, so a table read from
a file renders exactly like the one just computed. The metadata says which seeds, which versions
and which CPU and BLAS kernel: single runs differ between matmul kernels, the conclusions do not.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
import platform
import sys
from typing import Any

from lessons._stats import Interval

_INTERVAL_KEYS = {f.name for f in dataclasses.fields(Interval)}


def _encode(obj: Any) -> Any:
    if isinstance(obj, Interval):
        return dataclasses.asdict(obj)
    if hasattr(obj, "tolist"):  # numpy arrays and scalars
        return obj.tolist()
    raise TypeError(f"results.json: cannot store {type(obj).__name__} {obj!r}; use numbers/lists")


def _decode(d: dict) -> Any:
    return Interval(**d) if set(d) == _INTERVAL_KEYS else d


def dumps(obj: Any) -> str:
    return json.dumps(obj, default=_encode, indent=1, sort_keys=False)


def loads(text: str) -> Any:
    return json.loads(text, object_hook=_decode)


def roundtrip(obj: Any) -> Any:
    """obj as it will read back from results.json (tuples become lists, keys strings)."""
    return loads(dumps(obj))


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def blas_info() -> list[dict]:
    """The BLAS libraries numpy uses (threadpoolctl): name, version, core type, threads."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return []
    keys = ("internal_api", "version", "architecture", "num_threads")
    return [{k: i.get(k) for k in keys} for i in threadpool_info() if i.get("user_api") == "blas"]


def metadata() -> dict:
    import numba
    import numpy

    import tinygrad_act

    return dict(
        numpy=numpy.__version__,
        numba=numba.__version__,
        tinygrad_act=tinygrad_act.__version__,
        python=sys.version.split()[0],
        cpu=cpu_model(),
        blas=blas_info(),
        OPENBLAS_CORETYPE=os.environ.get("OPENBLAS_CORETYPE"),
        OPENBLAS_L2_SIZE=os.environ.get("OPENBLAS_L2_SIZE"),
        date=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    )


def write_results(out_dir: str, lesson: str, result: dict) -> str:
    """Write out_dir/results.json: {"lesson", **result, "metadata"}; return its path.

    `result` holds the lesson's tables, summary, claims, seeds and quick flag. Written to a
    temporary file and renamed, so an interrupted run never leaves half a file.
    """
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "results.json")
    text = dumps({"lesson": lesson, **result, "metadata": metadata()})
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text + "\n")
    os.replace(tmp, path)
    return path


def read_results(path: str) -> dict:
    """A results.json as written by write_results, Intervals revived."""
    with open(path) as f:
        return loads(f.read())
