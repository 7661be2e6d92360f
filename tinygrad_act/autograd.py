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

The engine (`backward`) walks the graph in an iterative topological order, so a 100,000-op
chain does not hit Python's recursion limit, and frees the graph afterwards unless
`retain_graph=True`: each used node drops its saved arrays and its edges to its inputs, so a
loss tensor kept for logging does not keep the step's activations alive.

In-place writes (PyTorch's contract):
- Every Tensor carries a version counter, `t._version` (an int; shared with `detach()` and with
  the outputs of view ops, which alias its memory). Every in-place method (`zero_`, `fill_`,
  `copy_`, `add_`, `mul_`) adds 1; `increment_version(t)` does it for code that writes into
  `t.data` by hand.
- `ctx.save_for_backward(*arrays)` records, for each saved array that is an input's (or the
  output's) own array, that tensor's version. Before the node's backward runs, the engine
  compares: a changed version raises "one of the variables needed for gradient computation has
  been modified by an inplace operation: ... is at version N; expected version M instead".
- A forward that writes into an input's array calls `ctx.mark_dirty(x)` and returns `x`.
  `apply` then bumps that input's version and returns the SAME Tensor object, rebased onto the
  new node (its previous self becomes the node's parent). It refuses a leaf that requires grad
  while grad mode is on ("a leaf Variable that requires grad is being used in an in-place
  operation."); under `no_grad()` (an optimizer's step) the write is allowed and only bumps.

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

Grad mode (`no_grad`, `enable_grad`, `set_grad_enabled`) is per thread, as in PyTorch.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

import numpy as np

from .tensor import Tensor

__all__ = [
    "Context",
    "Function",
    "backward",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "set_grad_enabled",
    "increment_version",
]


class _GradMode(threading.local):
    """Per-thread grad mode, as in PyTorch: a thread inside no_grad() leaves the others alone.

    Every new thread starts with grad enabled (the class attribute); `prev` is this thread's stack
    of modes to restore, so even one no_grad() object shared by two threads restores correctly.
    """

    enabled = True

    def __init__(self) -> None:
        self.prev: list[bool] = []


_grad_mode = _GradMode()


def is_grad_enabled() -> bool:
    """True unless this thread is inside `no_grad()`."""
    return _grad_mode.enabled


class set_grad_enabled:
    """Context manager and decorator: this thread's grad mode is `mode` inside (restored after)."""

    def __init__(self, mode: bool = True) -> None:
        self.mode = bool(mode)

    def __enter__(self) -> None:
        state = _grad_mode
        state.prev.append(state.enabled)
        state.enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        state = _grad_mode
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


class Context:
    """What a Function's forward leaves for its backward; also the graph node.

    Attributes set by the engine: `needs_input_grad` (one bool per positional input),
    `parents` (the input Tensors while the graph is alive). Ops may set any other attribute
    (`ctx.negative_slope = 0.01`) for backward to read.
    """

    # class-level defaults keep node creation cheap: one node is made per op call
    _saved: tuple = ()
    _versions: tuple = ()  # (version cell, version at save time, array) per saved input/output
    _dirty: tuple = ()
    _freed = False
    _hooks: list | None = None

    def __init__(self, fn: type[Function], parents: tuple | None, needs_input_grad: tuple) -> None:
        self.fn = fn
        self.parents = parents
        self.needs_input_grad = needs_input_grad

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

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Tensor:
        """Run forward on the inputs' arrays and, when gradients are wanted, record the node."""
        # this runs once per op call: keep it lean (see benchmarks/bench_overhead.py)
        if len(args) == 1:  # one input (activations, reductions, shape ops): no lists
            a = args[0]
            if isinstance(a, Tensor):
                raw = (a.data,)
                track = a.requires_grad and _grad_mode.enabled
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
            if track and _grad_mode.enabled:
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
            t._vc = a._vc if base is ad or base is ad.base else [0]
        else:
            t._vc = [0]
        if track:
            t._ctx = ctx
            if ctx._saved:
                ctx._versions = _saved_versions(ctx._saved, args, t)
        else:
            t._ctx = None
        return t


def _saved_versions(saved: tuple, args: tuple, out: Tensor) -> tuple:
    """(version cell, version now, array) for each saved array that is an input's or the output's.

    Saved arrays are matched to Tensors by identity (or a view of the same memory); anything
    else the op saved (a mask, a copy) belongs to the node alone and cannot be overwritten.
    """
    found = []
    for s in saved:
        if type(s) is not np.ndarray:
            continue
        mem = s if s.base is None else s.base
        if out.data is s:
            found.append((out._vc, out._vc[0], s))
            continue
        for a in args:
            if type(a) is Tensor or isinstance(a, Tensor):
                d = a.data
                if d is s or d is mem or d.base is mem:
                    found.append((a._vc, a._vc[0], s))
                    break
    return tuple(found)


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
    x._vc[0] += 1  # before any refusal: forward has already written into the array
    if x.requires_grad and x._ctx is None and _grad_mode.enabled:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation. "
            f"({name} on a leaf of shape {x.data.shape}); do it under ta.no_grad(), or on a "
            "copy (x * 1)"
        )
    if track:
        old = Tensor.__new__(Tensor)  # x as it was: the edge to its previous grad_fn
        old.data, old._grad, old.requires_grad = x.data, None, x.requires_grad
        old._ctx, old._hooks, old._vc = x._ctx, x._hooks, x._vc
        ctx.parents = tuple(old if i == target else p for i, p in enumerate(args))
        x._ctx = ctx
        x.requires_grad = True
        if ctx._saved:
            ctx._versions = _saved_versions(ctx._saved, ctx.parents, x)
    return x


def _check_versions(node: Context) -> None:
    for cell, version, arr in node._versions:
        if cell[0] != version:
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: [{arr.dtype} tensor of shape {arr.shape}], saved by "
                f"{node.fn.__name__}, is at version {cell[0]}; expected version {version} "
                "instead. Hint: the in-place write (zero_, add_, relu(inplace=True), ...) came "
                "after this op used the tensor; write into a copy, or do it before the op"
            )


def increment_version(t: Tensor) -> None:
    """Record an in-place write into `t.data` made outside the in-place methods.

    PyTorch's `torch.autograd.graph.increment_version`: a backward that saved `t` then raises
    instead of using the overwritten values.
    """
    t._vc[0] += 1


def _topological_order(root: Context) -> list[Context]:
    """Nodes reachable from `root`, each before every node it feeds (iterative DFS, post-order).

    A node is emitted only after all of its inputs' nodes are finished, so reversing the
    emission order puts every consumer before the nodes it consumes: when a node's backward
    runs, all paths into it have delivered their gradient (a + a*3 sums both paths first).
    """
    if root._freed:
        _raise_freed(root)
    for p in root.parents:
        if isinstance(p, Tensor) and p._ctx is not None:
            break
    else:  # every input is a leaf or a constant: a one-node graph
        return [root]
    order: list[Context] = []
    visited = {id(root)}
    stack = [(root, iter(root.parents))]
    while stack:
        node, inputs = stack[-1]
        for p in inputs:
            child = p._ctx if isinstance(p, Tensor) else None
            if child is not None and id(child) not in visited:
                if child._freed:
                    _raise_freed(child)
                visited.add(id(child))
                stack.append((child, iter(child.parents)))
                break
        else:  # every input finished: emit this node
            stack.pop()
            order.append(node)
    order.reverse()
    return order


def _raise_freed(node: Context) -> None:
    raise RuntimeError(
        f"backward: the graph through {node.fn.__name__} was already freed by an earlier "
        "backward(); call the first backward(retain_graph=True) to backpropagate twice"
    )


def _position(parents: tuple, p: Tensor) -> int:
    """Index of `p` among the inputs, by identity (Tensor == is elementwise)."""
    return next(i for i, q in enumerate(parents) if q is p)


def _check_grad(node: Context, i: int, g: Any, p: Tensor) -> np.ndarray:
    if type(g) is not np.ndarray:
        g = np.asarray(g)
    if g.shape != p.data.shape:
        raise RuntimeError(
            f"{node.fn.__name__}.backward returned a gradient of shape {g.shape} for input {i} "
            f"of shape {p.data.shape}; it must match the input (sum over broadcast dims with "
            "unbroadcast(grad, shape))"
        )
    if g.dtype != p.data.dtype:
        g = g.astype(p.data.dtype)
    return g


def backward(root: Tensor, gradient: Any = None, retain_graph: bool = False) -> None:
    """Accumulate d(root)/d(leaf) into every leaf's `.grad` that requires grad."""
    if not root.requires_grad:
        raise RuntimeError(
            "backward: this tensor does not require grad and has no grad_fn; create the inputs "
            "with requires_grad=True (and not inside no_grad())"
        )
    if (
        isinstance(gradient, Tensor)
        and gradient.data.shape == root.data.shape
        and gradient.data.dtype == root.data.dtype
    ):
        g0 = gradient.data  # the common explicit case, checked inline (this runs per backward)
    else:
        g0 = _initial_grad(root, gradient)
    if root._ctx is None:  # a leaf: d(root)/d(root) = 1
        _accumulate_leaf(root, g0)
        return
    grads: dict[int, np.ndarray] = {id(root._ctx): g0}
    pop, get = grads.pop, grads.get
    for node in _topological_order(root._ctx):
        g = pop(id(node), None)
        if g is None:
            continue
        if node._hooks:
            for hook in node._hooks:
                new = hook(g)
                if new is not None:
                    g = new
        if node._versions:
            _check_versions(node)
        in_grads = node.fn.backward(node, g)
        if type(in_grads) is not tuple:
            in_grads = (in_grads,)
        parents, needs = node.parents, node.needs_input_grad
        if len(in_grads) != len(parents):
            raise RuntimeError(
                f"{node.fn.__name__}.backward returned {len(in_grads)} gradients for "
                f"{len(parents)} inputs; return one per forward input (None where there is none)"
            )
        for p, gi, need in zip(parents, in_grads, needs):
            if gi is None or not need:
                continue
            pd = p.data
            if type(gi) is not np.ndarray or gi.shape != pd.shape or gi.dtype != pd.dtype:
                gi = _check_grad(node, _position(parents, p), gi, p)
            if p._ctx is None:
                if p._grad is None and not p._hooks:
                    # Adopt a freshly computed array as .grad; copy one that may be shared: the
                    # incoming gradient itself (Add passes it on), one handed to two inputs, or a
                    # view. Copying a 784x256 weight gradient every step costs ~50 us.
                    flags = gi.flags
                    if (
                        gi is g
                        or retain_graph
                        or not (flags.owndata and flags.writeable)
                        or (len(in_grads) > 1 and _handed_twice(in_grads, gi))
                    ):
                        gi = gi.copy()
                    p._grad = Tensor._wrap(gi)
                else:
                    _accumulate_leaf(p, gi)
            else:
                key = id(p._ctx)
                prev = get(key)
                # never add in place: gi may alias a gradient another input also received
                grads[key] = gi if prev is None else prev + gi
        if not retain_graph:
            _free(node)


def _free(node: Context) -> None:
    """Drop what a used node keeps alive: its saved arrays and its edges to the input Tensors.

    A caller that holds the loss (a logging habit) holds its node; without this, the parents'
    arrays (every activation of the step) would stay alive with it. The node keeps `fn` and the
    `_freed` mark, so a second backward through it still names the op in its error.
    """
    node._saved = ()
    node._versions = ()
    node.parents = ()
    node._freed = True


def _handed_twice(in_grads: tuple, gi: np.ndarray) -> bool:
    """Is the same array object returned for more than one input?"""
    n = 0
    for other in in_grads:
        if other is gi:
            n += 1
    return n > 1


def _initial_grad(root: Tensor, gradient: Any) -> np.ndarray:
    """The seed gradient: 1 for a scalar output, else the user's `gradient` (checked)."""
    if gradient is None:
        if root.data.size != 1:
            raise RuntimeError(
                f"backward: grad can be implicitly created only for scalar outputs, but the "
                f"output has shape {root.data.shape}; reduce it (e.g. .sum()) or pass "
                "backward(gradient=...) with that shape"
            )
        return np.ones_like(root.data)
    g0 = gradient.data if isinstance(gradient, Tensor) else np.asarray(gradient)
    if g0.shape != root.data.shape:
        raise RuntimeError(
            f"backward: gradient has shape {g0.shape} but the output has shape "
            f"{root.data.shape}; pass a gradient of the output's shape"
        )
    return g0 if g0.dtype == root.data.dtype else g0.astype(root.data.dtype)


def _accumulate_leaf(p: Tensor, g: np.ndarray) -> None:
    if p._hooks:
        for hook in p._hooks:
            new = hook(g)
            if new is not None:
                g = new
    if p._grad is None:
        # copy: g may be shared with another input (Add hands both the same array)
        p._grad = Tensor._wrap(np.array(g, dtype=p.data.dtype, copy=True))
    else:
        p._grad.data += g
