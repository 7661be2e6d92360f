"""`ta.compile`: record a training step once, then replay what it computed on the same arrays.

    @ta.compile
    def step(xb, yb):
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    for xb, yb in loader:
        loss = step(xb, yb)            # a detached copy: read it with loss.item()

An eager step spends much of its time in Python that does not compute anything: building
Tensors and graph nodes, sorting the graph, Module calls, checks. At lesson sizes that is most
of the step (benchmarks/bench_compile.py: 61% of a 2-64-64-2 step, 39% of a 40-100-100-10
one). A captured step pays it once (the idea of tinygrad's TinyJit and of CUDA graphs):
1. The first call with a given signature (input shapes, dtypes, non-tensor arguments, grad
   mode) runs eagerly: optimizers make their state, Numba compiles the kernels.
2. The second call also runs eagerly, and records. Every op's forward (`Function.apply`), every
   node's backward and gradient accumulation (engine.py), every `.grad` assignment and every
   optimizer update becomes an instruction on a tape. An instruction holds the very arrays that
   call used: inputs, outputs, saved arrays, gradients.
3. Later calls check the guards (below), copy the new inputs into the recorded input arrays and
   run the tape. There are no Tensors, no graph, no topological sort and no Module calls.

An op replays in one of two ways (docs/compile.md):
- by default, forward (and backward) run again on the recorded arrays, and the result is
  copied into the recorded output. That works for every Function, a student's too. A random op
  (dropout, rrelu) draws fresh numbers from the library's generator, in the eager order.
- a Function may define `capture_forward` / `capture_backward`. They return a function that
  recomputes the outputs in place, with no allocation and no checks (Linear: two BLAS calls;
  the activation table: one kernel launch).
The replayed arithmetic is the eager arithmetic (same kernels, same BLAS calls, same order), so
a replayed step gives bit-identical parameters, losses and gradients (tests/test_capture*.py).

Guards: a call whose signature differs gets its own recording. A recording is replayed only if
nothing it depends on has changed: the same parameter and constant arrays (`p.data` not
replaced, same requires_grad), the same Module attributes (train/eval mode, dropout's p, ...),
the same optimizer state and param groups, and the `.grad` a backward would accumulate into.
Otherwise the step is recorded again. Hyperparameters are read at every replay, so a learning
rate scheduler works.

What a replay cannot repeat makes the step run eagerly, with one warning that says why: reading
a tensor's value in Python (`.item()`, `float(t)`, `if t > 0`, `.numpy()`; the step's Python is
not re-run, so a decision taken on it would be frozen), drawing random numbers outside an op
(`ta.randn` in the step), tensor hooks, Module hooks, backward through a graph built outside the
step, tensors that require grad as inputs. Not seen at all: writes into `.data` by hand, Python
numbers a step reads from globals or closures (frozen at their recorded values), ops run by other
threads while a step records. A replay writes every step's gradients into the same `.grad`
arrays, so a `.grad` kept from an earlier call changes with the next one (copy it to keep it).
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

from . import recording
from .grad_mode import is_grad_enabled
from .tape import Recorder, Recording, detached
from .tensor import Tensor

__all__ = ["compile", "CompiledStep"]

# signatures per compiled function, and recordings per signature; past it, that call runs eagerly
# (torch.compile's recompile limit is 8 too)
MAX_RECORDINGS = 8


def compile(fn: Callable | None = None, *, warmup: int = 1) -> Any:  # noqa: A001 - torch's name
    """Capture `fn` (a training step) on its second call and replay it after (see module doc).

    Use as `step = ta.compile(step)` or as a decorator (`@ta.compile` or
    `@ta.compile(warmup=2)`). `warmup` is how many eager calls a signature gets before the
    call that records it.
    """
    if fn is None:
        return lambda f: CompiledStep(f, warmup=warmup)
    return CompiledStep(fn, warmup=warmup)


class CompiledStep:
    """A step function with its recordings; `stats` counts eager calls, recordings and replays."""

    def __init__(self, fn: Callable, warmup: int = 1) -> None:
        if not callable(fn):
            raise TypeError(f"ta.compile: expects a function, got {type(fn).__name__}")
        if isinstance(warmup, bool) or not isinstance(warmup, int) or warmup < 0:
            raise ValueError(f"ta.compile: warmup must be an int >= 0, got {warmup!r}")
        functools.update_wrapper(self, fn)
        self.fn, self.warmup = fn, warmup
        self.stats = {"eager": 0, "recorded": 0, "replayed": 0}
        self._recordings: dict[tuple, list[Recording]] = {}  # per signature, newest last
        self._calls: dict[tuple, int] = {}  # eager calls per signature so far
        self._eager: dict[tuple, str] = {}  # signatures that run eagerly, and why
        self._warned: set[str] = set()

    def reset(self) -> None:
        """Forget every recording (e.g. after changing something no guard watches)."""
        self._recordings.clear()
        self._calls.clear()
        self._eager.clear()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if recording.ACTIVE[0] is not None:  # inside a step being recorded: part of it
            self.stats["eager"] += 1
            return self.fn(*args, **kwargs)
        key = _signature(args, kwargs)
        if isinstance(key, str):  # an argument a replay cannot take
            return self._run_eagerly(args, kwargs, key)
        recs = self._recordings.get(key)
        if recs is not None:
            # several recordings of one signature: e.g. one in train mode, one in eval mode
            for rec in recs:
                if rec.guards_hold():
                    self.stats["replayed"] += 1
                    return rec.replay(args, kwargs)
            if len(recs) >= MAX_RECORDINGS:
                self._give_up(key, f"it was recorded {MAX_RECORDINGS} times with this signature")
                return self._run_eagerly(args, kwargs, None)
        elif key in self._eager:
            return self._run_eagerly(args, kwargs, None)
        elif len(self._recordings) >= MAX_RECORDINGS:
            self._give_up(key, f"it was called with more than {MAX_RECORDINGS} signatures")
            return self._run_eagerly(args, kwargs, None)
        else:
            calls = self._calls.get(key, 0)
            if calls < self.warmup:
                self._calls[key] = calls + 1
                return self._run_eagerly(args, kwargs, None)
        return self._record(key, args, kwargs)

    def _run_eagerly(self, args: tuple, kwargs: dict, why: str | None) -> Any:
        """A warm-up or fallback call; its tensors come back detached, as a replay's do."""
        if why is not None:
            self._warn(why)
        self.stats["eager"] += 1
        return detached(self.fn(*args, **kwargs))

    def _record(self, key: tuple, args: tuple, kwargs: dict) -> Any:
        # the step runs on private copies of its tensor inputs: a replay copies each new input
        # into them, and must never write into the caller's arrays
        inputs = [Tensor._wrap(a.data.copy()) if isinstance(a, Tensor) else None for a in args]
        private = [t if t is not None else a for t, a in zip(inputs, args)]
        named = {k: Tensor._wrap(v.data.copy()) for k, v in kwargs.items() if isinstance(v, Tensor)}
        rec = Recorder([t.data for t in inputs if t is not None] + [t.data for t in named.values()])
        recording.ACTIVE[0] = rec
        try:
            out = self.fn(*private, **{**kwargs, **named})
        finally:
            recording.ACTIVE[0] = None
        if rec.reasons:
            self._give_up(key, rec.reasons[0])
            self.stats["eager"] += 1
            return detached(out)
        self.stats["recorded"] += 1
        done = rec.finish(inputs, list(named.values()), list(named), out)
        self._recordings.setdefault(key, []).append(done)
        return detached(out)

    def _give_up(self, key: tuple, why: str) -> None:
        self._eager[key] = why
        self._recordings.pop(key, None)
        self._warn(why)

    def _warn(self, why: str) -> None:
        if why in self._warned:  # once per reason, not once per step
            return
        self._warned.add(why)
        name = getattr(self.fn, "__name__", "step")
        warnings.warn(
            f"ta.compile({name}): runs eagerly because {why}. A replay repeats only what the "
            "step computed with tensor ops, backward() and optimizer steps; return tensors from "
            "the step and read them (.item()) outside it (docs/compile.md)",
            RuntimeWarning,
            stacklevel=3,
        )


def _signature(args: tuple, kwargs: dict) -> tuple | str:
    """What selects a recording: each tensor's shape, dtype and requires_grad, the other
    arguments' values, grad mode. A str says why these arguments cannot be replayed."""
    parts: list = [is_grad_enabled()]
    for name, a in [(None, a) for a in args] + sorted(kwargs.items()):
        if isinstance(a, Tensor):
            if a.requires_grad:
                return (
                    f"an input {'' if name is None else name + ' '}requires grad (its .grad "
                    "would go to a private copy); keep parameters in the model, not the "
                    "arguments"
                )
            parts.append((name, a.data.shape, a.data.dtype))
        else:
            try:
                hash(a)
            except TypeError:
                return f"an argument of type {type(a).__name__} is not hashable"
            parts.append((name, type(a), a))
    return tuple(parts)
