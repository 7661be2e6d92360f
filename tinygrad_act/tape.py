"""The tape of a captured step (capture.py): `Recorder` builds it while the step runs eagerly,
`Recording` holds it with its guards and replays it.

An instruction is a function of no arguments that recomputes some recorded arrays in place:
an op's forward or backward (its own `capture_forward`/`capture_backward`, or by default the op
run again with its result copied into the recorded array), a gradient cast, copy or sum of the
backward engine, a `.grad` assignment, an optimizer update, a `recording.call`. The layers below
report to the Recorder through `recording.ACTIVE` (see recording.py); docs/compile.md walks
through a tape.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from .autograd import Context
from .recording import MODULE_EDITS
from .tensor import Tensor
from .versions import bump


def detached(out: Any) -> Any:
    """The step's result with every tensor replaced by a detached copy: the recorded arrays are
    overwritten by the next replay, and the graph behind them is gone."""
    if isinstance(out, Tensor):
        return Tensor._wrap(out.data.copy())
    if isinstance(out, (tuple, list)):
        return type(out)(detached(o) for o in out)
    if isinstance(out, dict):
        return {k: detached(v) for k, v in out.items()}
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
        self.new_arrays: dict[int, tuple] = {}  # arrays the step made (ta.zeros): (array, values)
        self.written: set[int] = set()  # arrays the tape writes into in place

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
        self._append(thunk)
        if any(data is r for r in raw):  # written in place (mark_dirty)
            self.written.add(id(data))
        self._made(data)
        self.keep.append((raw, kwargs))
        return out

    def _append(self, thunk: Any) -> None:
        """An op's replay: one function, or a sequence of them (one tape entry each: a call
        less per instruction than a function that calls them in turn)."""
        if isinstance(thunk, (list, tuple)):
            self.tape.extend(thunk)
        else:
            self.tape.append(thunk)

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
        self._append(thunk)
        for g in raw:
            if g is not None:
                self._made(g)

    def computed(self, fn: Callable, args: tuple, out: np.ndarray, read: list) -> None:
        """A value computed outside the graph (Tensor._computed): compute it again."""
        for t in read:
            self._read(t)
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
        self.written.add(id(out))
        self._made(out)

    def created(self, a: np.ndarray) -> None:
        """A tensor made by the step itself (ta.zeros, ta.tensor): eager makes it anew at every
        step; if the tape writes into it, a replay first gives it back its first values."""
        if not self.busy:
            self.new_arrays[id(a)] = (a, a.copy())

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
        self.busy = True  # the update runs eagerly now; it makes any missing state
        try:
            opt._update(groups)
        finally:
            self.busy = False
        replay = []
        for group, updates in groups:
            kept = []
            for p, data, grad, _ in updates:
                if not (np.shares_memory(data, p.data) and np.shares_memory(grad, p.grad.data)):
                    self.unsupported(
                        f"{type(opt).__name__} updates a copy of a parameter or of its gradient"
                    )
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
        fresh = [
            functools.partial(np.copyto, a, values)
            for key, (a, values) in self.new_arrays.items()
            if key in self.written
        ]
        self.tape[:0] = fresh
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
        return detached(self.out)
