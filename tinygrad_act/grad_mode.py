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


state = _GradMode()  # this thread's mode: Function.apply reads `state.enabled` once per op


def is_grad_enabled() -> bool:
    """True unless this thread is inside `no_grad()`."""
    return state.enabled


class set_grad_enabled:
    """Context manager and decorator: this thread's grad mode is `mode` inside (restored after)."""

    def __init__(self, mode: bool = True) -> None:
        self.mode = bool(mode)

    def __enter__(self) -> None:
        state.prev.append(state.enabled)
        state.enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        state.enabled = state.prev.pop()

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
