"""Reverse-mode autograd: `Function`, `Context`, the backward engine and grad mode.

An op is a `Function` subclass with two static methods that work on *numpy arrays*:

    class Square(Function):
        @staticmethod
        def forward(ctx, x):                 # x: np.ndarray
            ctx.save_for_backward(x)         # keep only what backward needs
            return x * x
        @staticmethod
        def backward(ctx, grad):             # grad: dL/d(output), same shape as the output
            (x,) = ctx.saved_tensors
            return 2.0 * x * grad            # dL/dx, same shape as x

    y = Square.apply(t)                      # t: Tensor -> y: Tensor with y.grad_fn

`backward` returns one gradient per positional input of `forward` (a tuple when there are several,
`None` for an input that has no gradient). Because forward/backward see numpy arrays, the engine
computes first derivatives only (no double backward) - enough for training, and it keeps every op a
short story of array code.

The engine (`backward`, in engine.py) walks the graph in an iterative topological order, so a
100,000-op chain does not hit Python's recursion limit, and frees the graph afterwards unless
`retain_graph=True`: each used node drops its saved arrays and its edges to its inputs, so a
loss tensor kept for logging does not keep the step's activations alive.

In-place writes (PyTorch's contract):
- Every Tensor carries a version counter, `t._version` (an int; shared with `detach()` and with
  the outputs of view ops, which alias its memory). Every in-place method (`zero_`, `fill_`,
  `copy_`, `add_`, `mul_`) adds 1; `increment_version(t)` does it for code that writes into
  `t.data` by hand.
- `ctx.save_for_backward(*arrays)`: before the node's backward runs, the engine checks that no
  Tensor whose own array was saved (an input's, or the output's) was written in place since the
  node was made (versions.py; one comparison per node when there was no in-place write at all);
  one that was raises "one of the variables needed for gradient computation has been modified
  by an inplace operation: ... is at version N; expected version M instead".
- A forward that writes into an input's array calls `ctx.mark_dirty(x)` and returns `x`.
  `apply` then bumps that input's version and returns the SAME Tensor object, rebased onto the
  new node (its previous self becomes the node's parent). With grad mode on it refuses a leaf
  that requires grad ("a leaf Variable that requires grad is being used in an in-place
  operation.") and a view of a graph tensor (`check_in_place`, which in-place functions call
  before writing); under `no_grad()` (an optimizer's step) the write is allowed and only bumps.

    class ReLUInPlace(Function):
        @staticmethod
        def forward(ctx, x):
            mask = x > 0
            x *= mask                        # write into the input's own array
            ctx.save_for_backward(mask)
            ctx.mark_dirty(x)
            return x                         # apply returns the input Tensor itself
        @staticmethod
        def backward(ctx, grad):
            (mask,) = ctx.saved_tensors
            return grad * mask

Grad mode (`no_grad`, `enable_grad`, `set_grad_enabled`; grad_mode.py) is per thread, as in
PyTorch. This module re-exports it and the engine's `backward`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .engine import backward
from .grad_mode import DISABLED, enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .grad_mode import state as _mode
from .recording import ACTIVE as _recording
from .tensor import Tensor
from .versions import WRITES, bump, increment_version

__all__ = [
    "Context",
    "Function",
    "backward",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "set_grad_enabled",
    "increment_version",
    "check_in_place",
]


class Context:
    """What a Function's forward leaves for its backward; also the graph node.

    Attributes set by the engine: `needs_input_grad` (one bool per positional input),
    `parents` (the input Tensors while the graph is alive). Ops may set any other attribute
    (`ctx.negative_slope = 0.01`) for backward to read.
    """

    # slots: the engine reads and writes these on every op call, and a slot is cheaper than an
    # instance-dict entry; ops' own attributes (ctx.negative_slope) go to __dict__
    __slots__ = (
        "fn",
        "parents",
        "needs_input_grad",
        "_saved",
        "_dirty",
        "_freed",
        "_epoch",
        "_out",
        "_oid",
        "__dict__",
    )
    _hooks: list | None = None  # tensor hooks of the output (register_hook on a non-leaf)

    def __init__(self, fn: type[Function], parents: tuple | None, needs_input_grad: tuple) -> None:
        self.fn = fn
        self.parents = parents
        self.needs_input_grad = needs_input_grad
        self._saved: tuple = ()
        self._dirty: tuple = ()
        self._freed = False
        # set by apply when forward saved arrays: _epoch = in-place writes so far; if forward
        # saved its own output, _out = its version cell and _oid = the id of its array (read
        # only then): what the version check needs (versions.py), without keeping out alive
        self._epoch = 0

    def save_for_backward(self, *arrays: Any) -> None:
        """Keep `arrays` for backward. Save the least you can: a bool mask beats a float copy.

        Saving an input's (or the output's) own array records that tensor's version: backward
        raises if an in-place write changed it in between.
        """
        self._saved = arrays

    def mark_dirty(self, *arrays: np.ndarray) -> None:
        """Declare that forward wrote into these input arrays in place (PyTorch's mark_dirty).

        forward must then return the array it modified; `apply` returns the input Tensor itself,
        bumps its version and makes it the output of this node (see the module docstring).
        """
        self._dirty = arrays

    @property
    def saved_tensors(self) -> tuple:
        if self._freed:
            raise RuntimeError(
                f"{self.fn.__name__}: its saved arrays were freed by an earlier backward(); "
                "pass retain_graph=True to the first backward() to call backward twice"
            )
        return self._saved

    @property
    def name(self) -> str:
        return self.fn.__name__

    def __repr__(self) -> str:
        return f"<{self.fn.__name__}Backward>"


class Function:
    """Base class of every differentiable op; subclass it and call `YourOp.apply(...)`.

    Optional class attribute `kinks`: input values where the derivative jumps (relu: (0.0,)),
    or a `kink_points(ctx)` staticmethod when they depend on parameters. gradcheck warns when
    an input lies within eps of one, because central differences straddle the jump there.
    """

    kinks: tuple = ()

    @staticmethod
    def forward(ctx: Context, *args: Any, **kwargs: Any) -> np.ndarray:
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray) -> Any:
        raise NotImplementedError

    @classmethod
    def kink_points(cls, ctx: Context) -> tuple:
        return cls.kinks

    # ta.compile (capture.py) replays an op by calling forward/backward again and copying the
    # results into the recorded arrays. An op may instead return a function (or a list of
    # functions, run in order) that recomputes them in place, with the same arithmetic: `out`
    # (forward) or `grads` (backward: the arrays it returned, None where it returned none) from
    # the same input arrays, and every array forward saved in ctx. Return None to keep the
    # default (docs/compile.md).
    @staticmethod
    def capture_forward(ctx: Context, out: np.ndarray, *args: Any, **kwargs: Any) -> Any:
        return None

    @staticmethod
    def capture_backward(ctx: Context, grad: np.ndarray, grads: tuple) -> Any:
        return None

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Tensor:
        """Run forward on the inputs' arrays and, when gradients are wanted, record the node."""
        # this runs once per op call: keep it lean (see benchmarks/bench_overhead.py)
        rec = _recording[0]
        if rec is not None and not rec.busy:  # ta.compile is recording a step
            return rec.apply(cls, args, kwargs)
        if len(args) == 1:  # one input (activations, reductions, shape ops): no lists
            a = args[0]
            if isinstance(a, Tensor):
                raw = (a.data,)
                track = a.requires_grad and (not DISABLED[0] or _mode.enabled)
            else:
                raw, track = args, False
            ctx = Context(cls, args if track else None, (track,))
        else:
            raw = []
            needs = []
            track = False
            for a in args:
                if isinstance(a, Tensor):
                    raw.append(a.data)
                    r = a.requires_grad
                    needs.append(r)
                    if r:
                        track = True
                else:
                    raw.append(a)
                    needs.append(False)
            if track and (not DISABLED[0] or _mode.enabled):
                ctx = Context(cls, args, tuple(needs))
            else:
                track = False
                ctx = Context(cls, None, (False,) * len(args))
        out = cls.forward(ctx, *raw, **kwargs)
        if type(out) is not np.ndarray:
            out = np.asarray(out)
        if ctx._dirty:
            return _rebase_in_place(ctx, args, out, track)
        t = Tensor.__new__(Tensor)
        t.data = out
        t._grad = None
        t.requires_grad = track
        t._hooks = None
        # an output that views an input's memory (reshape, permute, basic slicing) shares its
        # version counter: an in-place write through either one is a write to both
        base = out.base
        if base is not None and len(args) == 1 and isinstance(a, Tensor):
            ad = a.data
            t._vc = a._cell() if base is ad or base is ad.base else None
        else:
            t._vc = None
        if track:
            t._ctx = ctx
            saved = ctx._saved
            if saved:  # for the version check: the write count now, and out if it was saved
                ctx._epoch = WRITES[0]
                for s in saved:
                    if s is out:
                        ctx._out = t._vc if t._vc is not None else t._cell()
                        ctx._oid = id(out)
                        break
        else:
            t._ctx = None
        return t


def check_in_place(x: Tensor, op: str) -> None:
    """Refuse an in-place write into `x` that autograd could not follow (PyTorch's rules).

    With grad mode on: a leaf that requires grad (its .grad would belong to values that no
    longer exist; an optimizer writes under no_grad()), and a view of a tensor in the graph
    (reshape/slicing output: PyTorch rewrites the base's history, this engine refuses instead
    of silently giving the base a wrong gradient). In-place functions call this before writing.
    """
    if not (x.requires_grad and is_grad_enabled()):
        return
    node = x._ctx
    if node is None:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation. "
            f"({op} on a leaf of shape {x.data.shape}); do it under ta.no_grad() (as an "
            "optimizer does), or on a copy (x * 1)"
        )
    if node._dirty:  # x is the output of an earlier in-place write: its input was x itself
        return
    for p in node.parents or ():
        if isinstance(p, Tensor) and p._vc is x._vc is not None and p.requires_grad:
            raise RuntimeError(
                f"{op}: an in-place write into a view ({node.fn.__name__} output) of a tensor "
                "that requires grad is not supported: the viewed tensor's gradient would not "
                "see it; write into that tensor itself, or into a copy (v * 1)"
            )


def _rebase_in_place(ctx: Context, args: tuple, out: np.ndarray, track: bool) -> Tensor:
    """Finish a forward that called ctx.mark_dirty: the modified input Tensor is the output.

    PyTorch's contract: the input's version goes up by one; when a graph is recorded, the input
    Tensor object becomes this node's output (its old self, as a parent, is a new Tensor object
    holding the previous grad_fn), so `y = f_(x)` returns `x` itself.
    """
    name = ctx.fn.__name__
    target = None
    for i, a in enumerate(args):
        if isinstance(a, Tensor) and a.data is out:
            target = i
    if target is None or not any(d is out for d in ctx._dirty):
        raise RuntimeError(
            f"{name}.forward called ctx.mark_dirty but returned an array that is not the marked "
            "input's array; an in-place forward must return the input array it modified"
        )
    x = args[target]
    bump(x._cell())  # before any refusal: forward has already written into the array
    check_in_place(x, name)
    if track:
        old = Tensor.__new__(Tensor)  # x as it was: the edge to its previous grad_fn
        old.data, old._grad, old.requires_grad = x.data, None, x.requires_grad
        old._ctx, old._hooks, old._vc = x._ctx, x._hooks, x._vc
        ctx.parents = tuple(old if i == target else p for i, p in enumerate(args))
        x._ctx = ctx
        x.requires_grad = True
        # x's saved array is matched through `old`, which shares x's version cell
        ctx._epoch = WRITES[0]
    return x
