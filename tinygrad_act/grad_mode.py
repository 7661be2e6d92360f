"""Grad mode: whether ops record a graph, per thread (`no_grad`, `enable_grad`, PyTorch's rule).

A thread inside `no_grad()` stops graph building in that thread only; every new thread starts with
grad enabled, as in PyTorch. `tinygrad_act.autograd` re-exports these names.
"""

from __future__ import annotations

import functools
import threading

__all__ = ["no_grad", "enable_grad", "is_grad_enabled", "set_grad_enabled"]


class _GradMode(threading.local):
    """Per-thread grad mode, as in PyTorch: a thread inside no_grad() leaves the others alone.

    Every new thread starts with grad enabled (the class attribute); `prev` is this thread's stack
    of modes to restore, so even one no_grad() object shared by two threads restores correctly.
    """

    enabled = True

    def __init__(self) -> None:
        self.prev: list[bool] = []


state = _GradMode()  # this thread's mode

# How many threads have grad disabled right now. While it is 0 (training: no thread is inside
# no_grad), Function.apply knows grad is on without reading the thread-local `state`, which
# costs ~10x a list read on every op call. Updated under a lock on entering or leaving a mode.
DISABLED = [0]
_lock = threading.Lock()


def is_grad_enabled() -> bool:
    """True unless this thread is inside `no_grad()`."""
    return not DISABLED[0] or state.enabled


def _switch(prev: bool, mode: bool) -> None:
    """This thread goes from `prev` to `mode`: keep the count of disabled threads."""
    if prev != mode:
        with _lock:
            DISABLED[0] += -1 if mode else 1


class set_grad_enabled:
    """Context manager and decorator: this thread's grad mode is `mode` inside (restored after)."""

    def __init__(self, mode: bool = True) -> None:
        self.mode = bool(mode)

    def __enter__(self) -> None:
        prev = state.enabled
        state.prev.append(prev)
        _switch(prev, self.mode)
        state.enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        mode, prev = state.enabled, state.prev.pop()
        state.enabled = prev
        _switch(mode, prev)

    def __call__(self, fn):
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper


class no_grad(set_grad_enabled):
    """Build no graph inside this block (or decorated function): outputs have no grad_fn."""

    def __init__(self) -> None:
        super().__init__(False)


class enable_grad(set_grad_enabled):
    """Re-enable graph building inside a `no_grad()` block."""

    def __init__(self) -> None:
        super().__init__(True)
