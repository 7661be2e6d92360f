"""Numba kernels: pure functions of numpy arrays (no Tensor here), outputs passed in.

Each is a top-level `@njit(cache=True, nogil=True)` function so Numba's on-disk cache can reuse
it across processes; `_parallel.launch` runs it on one thread or splits it over several.
"""

from ._parallel import PARALLEL_THRESHOLD, bind, get_num_threads, launch, njit, set_num_threads

__all__ = ["PARALLEL_THRESHOLD", "bind", "get_num_threads", "launch", "njit", "set_num_threads"]
