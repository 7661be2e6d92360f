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
Tensors and graph nodes, sorting the graph, Module calls, checks. At lesson sizes that is a third
of the step. A captured step pays it once (the idea of tinygrad's TinyJit and of CUDA graphs):
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
step, tensors that require grad as inputs. Writes into `.data` by hand are not seen at all.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from . import recording
from .autograd import Context
from .grad_mode import is_grad_enabled
from .recording import MODULE_EDITS
from .tensor import Tensor
from .versions import bump

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
        key = _signature(args, kwargs)
        if isinstance(key, str) or recording.ACTIVE[0] is not None:
            # an argument a replay cannot take, or called while an outer step records
            return self._run_eagerly(args, kwargs, None if isinstance(key, tuple) else key)
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
                return _detached(self._run_eagerly(args, kwargs, None))
        return self._record(key, args, kwargs)

    def _run_eagerly(self, args: tuple, kwargs: dict, why: str | None) -> Any:
        if why is not None:
            self._warn(why)
        self.stats["eager"] += 1
        return self.fn(*args, **kwargs)

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
        self.stats["recorded"] += 1
        if rec.reasons:
            self._give_up(key, rec.reasons[0])
            return out
        done = rec.finish(inputs, list(named.values()), list(named), out)
        self._recordings.setdefault(key, []).append(done)
        return _detached(out)

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


def _detached(out: Any) -> Any:
    """The step's result with every tensor replaced by a detached copy: the recorded arrays are
    overwritten by the next replay, and the graph behind them is gone."""
    if isinstance(out, Tensor):
        return Tensor._wrap(out.data.copy())
    if isinstance(out, (tuple, list)):
        return type(out)(_detached(o) for o in out)
    if isinstance(out, dict):
        return {k: _detached(v) for k, v in out.items()}
    return out


# ---- recording ----------------------------------------------------------------------------------


class _Node:
    """What a recorded op's backward needs at replay: the Context whose saved arrays hold this
    replay's values (a fresh one per replay when forward runs again), and whether forward was
    captured by the op itself (only then may its backward be)."""

    __slots__ = ("ctx", "fast")

    def __init__(self, ctx: Any, fast: bool) -> None:
        self.ctx, self.fast = ctx, fast


class Recorder:
    """Builds the tape while the step runs eagerly; `recording.ACTIVE[0]` points here.

    `busy` is True while an op's own code runs (its forward or backward, an optimizer's update):
    what happens inside is repeated by running that code again, so it is not recorded twice,
    and the values it reads are not reported as reads.
    """

    def __init__(self, inputs: list[np.ndarray]) -> None:
        self.tape: list[Callable[[], None]] = []
        self.reasons: list[str] = []
        self.busy = False
        self.made = {id(a) for a in inputs}  # arrays the tape (or the input copy) rewrites
        self.keep: list = list(inputs)  # keeps every recorded array alive: ids stay unique
        self.leaves: dict[int, tuple] = {}  # other tensors read: (tensor, data, requires_grad)
        self.modules: dict[int, Any] = {}
        self.optimizers: dict[int, tuple] = {}
        self.grads_expected: dict[int, tuple] = {}  # (tensor, .grad object) read before written
        self.grads_assigned: set[int] = set()

    def unsupported(self, what: str) -> None:
        self.reasons.append(what)

    # ---- forward --------------------------------------------------------------------------------
    def apply(self, cls: type, args: tuple, kwargs: dict) -> Tensor:
        """Run `cls.apply` eagerly and put its replay on the tape."""
        raw = tuple(a.data if isinstance(a, Tensor) else a for a in args)
        for a in args:
            if isinstance(a, Tensor):
                self._read(a)
        self.busy = True
        try:
            out = cls.apply(*args, **kwargs)
        finally:
            self.busy = False
        ctx = out._ctx if out._ctx is not None and out._ctx.fn is cls else None
        data = out.data
        thunk = cls.capture_forward(ctx, data, *raw, **kwargs) if ctx is not None else None
        if thunk is None:
            needs = ctx.needs_input_grad if ctx is not None else (False,) * len(args)
            node = _Node(ctx, False)
            thunk = _forward_again(cls, raw, kwargs, needs, data, node)
        else:
            node = _Node(ctx, True)
        if ctx is not None:
            ctx._capture = node
        self.tape.append(thunk)
        self._made(data)
        self.keep.append((raw, kwargs))
        return out

    def _read(self, t: Tensor) -> None:
        """A tensor an op reads: made by the tape, or a leaf the guards must watch."""
        d = t.data
        if id(d) not in self.made and id(t) not in self.leaves:
            self.leaves[id(t)] = (t, d, t.requires_grad)

    def _made(self, a: np.ndarray) -> None:
        self.made.add(id(a))
        self.keep.append(a)

    def module(self, m: Any) -> None:
        if m._forward_hooks or m._forward_pre_hooks:
            self.unsupported(f"{type(m).__name__} has forward hooks (they run Python on values)")
        self.modules.setdefault(id(m), (m, _module_state(m)))

    # ---- backward -------------------------------------------------------------------------------
    def backward_node(self, node: Context, grad: np.ndarray, grads: tuple) -> None:
        """Put the replay of `node.fn.backward` on the tape (called right after it ran)."""
        rec: _Node | None = getattr(node, "_capture", None)
        if rec is None:
            self.unsupported(f"backward() went through {node.fn.__name__}, made outside the step")
            return
        raw = tuple(g if isinstance(g, np.ndarray) else None for g in grads)
        thunk = node.fn.capture_backward(node, grad, raw) if rec.fast else None
        if thunk is None:
            if rec.fast:  # forward is replayed in place: keep this node's saved arrays
                rec.ctx = _copy_context(node)
            thunk = _backward_again(node.fn, rec, grad, raw)
        self.tape.append(thunk)
        for g in raw:
            if g is not None:
                self._made(g)

    def computed(self, fn: Callable, args: tuple, out: np.ndarray) -> None:
        """A value computed outside the graph (Tensor._computed): compute it again."""
        name = getattr(fn, "__name__", "a computation")
        self.tape.append(lambda: _copy_result(name, "call", out, fn(*args)))
        self._made(out)
        self.keep.append(args)

    def hook(self, what: str) -> None:
        self.unsupported(f"{what} (a hook runs Python on gradient values)")

    def cast(self, src: np.ndarray, dst: np.ndarray) -> None:
        """A gradient cast to its input's dtype (engine._check_grad)."""
        self.tape.append(functools.partial(np.copyto, dst, src, casting="unsafe"))
        self._made(dst)

    def copy(self, src: np.ndarray, dst: np.ndarray) -> None:
        self.tape.append(functools.partial(np.copyto, dst, src))
        self._made(dst)

    def add(self, a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
        """out = a + b (a new array; or out is a: accumulation into an existing .grad)."""
        self.tape.append(functools.partial(np.add, a, b, out=out))
        self._made(out)

    def grad_read(self, t: Tensor) -> None:
        """Code looked at `t.grad` (None or not) before the step assigned it: guard on it."""
        if id(t) not in self.grads_assigned and id(t) not in self.grads_expected:
            self.grads_expected[id(t)] = (t, t._grad)

    def grad_set(self, t: Tensor, value: Tensor | None) -> None:
        """`t.grad = value` (zero_grad, the engine adopting a gradient): replayed as is."""
        self.grads_assigned.add(id(t))
        self.tape.append(functools.partial(object.__setattr__, t, "_grad", value))
        self.keep.append((t, value))

    # ---- optimizer and extra instructions -------------------------------------------------------
    def optimizer_step(self, opt: Any, groups: list) -> None:
        """Run `opt._update(groups)` now and put it on the tape (hyperparameters are read at
        each replay: a scheduler's new lr counts)."""
        for group in opt.param_groups:
            for p in group["params"]:
                self.grad_read(p)
        self.call(opt._update, groups)  # an update makes missing state: record after it
        self.tape.pop()
        replay = []
        for group, updates in groups:
            kept = []
            for p, data, grad, _ in updates:
                if not (np.shares_memory(data, p.data) and np.shares_memory(grad, p.grad.data)):
                    self.unsupported(f"{type(opt).__name__} updates a copy of a parameter")
                kept.append((p, data, grad, opt.state.get(p)))
            replay.append((group, kept))
        cells = [u[0]._cell() for _, kept in replay for u in kept]
        self.optimizers.setdefault(id(opt), (opt, opt.state, len(opt.param_groups)))
        apply = opt.capture_update(replay)

        def update() -> None:
            for cell in cells:  # as eager: a graph that saved a parameter must see the write
                bump(cell)
            apply()

        self.tape.append(update)

    def call(self, fn: Callable, *args: Any) -> Any:
        """Run `fn(*args)` now and at every replay (recording.call)."""
        self.busy = True
        try:
            result = fn(*args)
        finally:
            self.busy = False
        self.tape.append(functools.partial(fn, *args))
        return result

    def finish(self, inputs: list, named: list, names: list, out: Any) -> Recording:
        return Recording(self, inputs, named, names, out)


def _forward_again(cls, raw, kwargs, needs, out, node: _Node) -> Callable[[], None]:
    """The default replay of an op: run its forward again, copy the result into `out`."""
    forward, name = cls.forward, cls.__name__

    def run() -> None:
        ctx = Context(cls, None, needs)
        res = forward(ctx, *raw, **kwargs)
        node.ctx = ctx
        if res is not out:
            _copy_result(name, "forward", out, res)

    return run


def _backward_again(fn, node: _Node, grad, outs: tuple) -> Callable[[], None]:
    backward, name = fn.backward, fn.__name__
    pairs = [(i, o) for i, o in enumerate(outs) if o is not None]

    def run() -> None:
        res = backward(node.ctx, grad)
        if type(res) is not tuple:
            res = (res,)
        for i, o in pairs:
            r = res[i]
            if r is not o:
                _copy_result(name, "backward", o, r)

    return run


def _copy_result(name: str, where: str, out: np.ndarray, res: Any) -> None:
    if type(res) is not np.ndarray:
        res = np.asarray(res)
    if res.shape != out.shape or res.dtype != out.dtype:
        raise RuntimeError(
            f"ta.compile: {name}.{where} returned {res.dtype} {res.shape} at replay but "
            f"{out.dtype} {out.shape} when the step was recorded: its result's shape depends on "
            "the values (e.g. boolean-mask indexing), so this step cannot be replayed; call it "
            "without ta.compile"
        )
    np.copyto(out, res)


def _copy_context(node: Context) -> Context:
    """A recorded node's Context, kept for replays: the engine frees the original's arrays."""
    ctx = Context(node.fn, None, node.needs_input_grad)
    ctx.__dict__.update(node.__dict__)
    ctx._saved = node._saved
    return ctx


def _module_state(m: Any) -> tuple:
    """What a Module's forward may depend on: its plain attributes (training, p, slopes), and
    which parameters, buffers and submodules it holds."""
    plain = tuple((k, _value(v)) for k, v in vars(m).items() if k[0] != "_")
    held = tuple(
        (k, id(v)) for reg in (m._parameters, m._buffers, m._modules) for k, v in reg.items()
    )
    return plain + held


def _value(v: Any) -> Any:
    """A module attribute as the guard compares it: numbers and strings by value, anything
    else (a tensor, a function) by identity."""
    if type(v) in _PLAIN or (type(v) is tuple and all(type(e) in _PLAIN for e in v)):
        return v
    return ("id", id(v))


_PLAIN = (bool, int, float, str, type(None))


# ---- replay -------------------------------------------------------------------------------------


class Recording:
    """A tape and the guards that say when it may run."""

    def __init__(self, rec: Recorder, inputs: list, named: list, names: list, out: Any) -> None:
        self.tape = tuple(rec.tape)
        self.keep = rec.keep
        self.inputs = [(i, t.data) for i, t in enumerate(inputs) if t is not None]
        self.named = [(k, t.data) for k, t in zip(names, named)]
        self.out = out
        self.leaves = list(rec.leaves.values())
        self.modules = list(rec.modules.values())
        self.module_edits = MODULE_EDITS[0]
        self.optimizers = list(rec.optimizers.values())
        self.grads = list(rec.grads_expected.values())

    def guards_hold(self) -> bool:
        for t, data, requires_grad in self.leaves:
            if t.data is not data or t.requires_grad is not requires_grad:
                return False
        if MODULE_EDITS[0] != self.module_edits:  # a Module attribute was set since: compare
            if any(_module_state(m) != state for m, state in self.modules):
                return False
            self.module_edits = MODULE_EDITS[0]
        for opt, state, n_groups in self.optimizers:
            if opt.state is not state or len(opt.param_groups) != n_groups:
                return False
        for t, g in self.grads:
            if t._grad is not g:
                return False
        return True

    def replay(self, args: tuple, kwargs: dict) -> Any:
        for i, buf in self.inputs:
            np.copyto(buf, args[i].data)
        for k, buf in self.named:
            np.copyto(buf, kwargs[k].data)
        for instruction in self.tape:
            instruction()
        return _detached(self.out)
