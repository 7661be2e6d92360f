"""Tensor: a numpy array, its gradient, and the graph node (`grad_fn`) that made it.

Every differentiable method delegates to a `Function` in `tinygrad_act.ops`; this file holds no
math of its own. `Tensor.data` is the underlying numpy array (as in micrograd); `Tensor.grad` is a
Tensor (as in PyTorch).
"""

from __future__ import annotations

import builtins
import operator as _operator
from collections.abc import Callable
from typing import Any

import numpy as np

from . import dtypes as _dt
from .recording import ACTIVE as _recording
from .recording import note as _note_read

_int = builtins.int
_float = builtins.float

# Tensor's methods delegate to the layers above this file: the ops (tinygrad_act.ops) and the
# backward engine (engine.py). Those import Tensor, so this file imports nothing from them:
# tinygrad_act/ops/__init__.py hands them in through `bind_layers` when it loads, and a method
# call then costs one global lookup (an import inside each method would cost ~1 us per call).
_ops: Any = None
_act: Any = None
_backward: Any = None


def bind_layers(ops: Any, activations: Any, backward: Callable) -> None:
    """Connect Tensor's methods to `tinygrad_act.ops`, `ops.activations` and `engine.backward`."""
    global _ops, _act, _backward
    _ops, _act, _backward = ops, activations, backward


class Tensor:
    """An n-dimensional array that records the operations applied to it for backpropagation."""

    # `_vc` is the version cell (versions.py), shared by tensors that view the same memory
    # (detach(), reshape/permute/slicing outputs), bumped by every in-place write (autograd.py)
    __slots__ = ("data", "_grad", "requires_grad", "_ctx", "_hooks", "_vc", "__weakref__")
    # numpy must hand `ndarray + Tensor` to Tensor.__radd__ instead of looping over elements
    __array_ufunc__ = None

    def __init__(self, data: Any, dtype: Any = None, requires_grad: bool = False) -> None:
        self.data = _dt.as_array(data.data if isinstance(data, Tensor) else data, dtype)
        self._grad: Tensor | None = None
        self._ctx = None
        self._hooks: list | None = None
        self._vc: list | None = None
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)
        if _recording[0] is not None:  # ta.compile: a tensor made inside a step (creation.py too)
            _recording[0].created(self.data)

    # ---- basic properties -------------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def ndim(self) -> _int:
        return self.data.ndim

    @property
    def grad_fn(self):
        """The node that produced this tensor (None for leaves and under no_grad)."""
        return self._ctx

    @property
    def is_leaf(self) -> bool:
        return self._ctx is None

    @property
    def device(self) -> str:
        return "cpu"

    @property
    def T(self) -> Tensor:
        return _ops.Permute.apply(self, dims=tuple(range(self.data.ndim - 1, -1, -1)))

    def size(self, dim: _int | None = None):
        return self.data.shape if dim is None else self.data.shape[dim]

    def dim(self) -> _int:
        return self.data.ndim

    def numel(self) -> _int:
        return self.data.size

    def __len__(self) -> _int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    # ---- interop: other libraries see the same memory, never the graph (docs/interop.md) -------
    def __array__(self, dtype=None, copy=None):
        """numpy's protocol: `np.asarray(t)` shares memory, `np.array(t)` copies (copy=True)."""
        _note_read("np.asarray(tensor) read a value")
        if copy:
            return np.array(self.data, dtype=dtype, copy=True)
        if dtype is None or np.dtype(dtype) == self.data.dtype:
            return self.data
        if copy is False:
            raise ValueError(
                f"__array__: a {self.data.dtype} tensor cannot be viewed as {np.dtype(dtype)} "
                "without a copy (copy=False was asked)"
            )
        return self.data.astype(dtype)

    @property
    def __array_interface__(self) -> dict:
        """numpy's array interface: the same memory, described by pointer, shape and strides.

        The 'data' entry is the array that owns the memory (plus an offset), not a bare
        pointer, so a consumer keeps that memory alive even if `t.data` is replaced later.
        """
        _note_read("np.asarray(tensor) read a value")
        return _interface(self.data)

    def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
        """Export by DLPack (`torch.from_dlpack(t)`, `np.from_dlpack(t)`): shared memory.

        As in PyTorch, a tensor that requires grad is refused: the graph does not travel with
        the memory, so export `t.detach()` and say so in your code.
        """
        if self.requires_grad:
            raise BufferError(
                "Can't export tensors that require gradient, use tensor.detach() (the autograd "
                "graph does not travel with the memory)"
            )
        # pass on only what the caller gave: numpy < 2.1 knows just `stream`
        given = {"max_version": max_version, "dl_device": dl_device, "copy": copy}
        kwargs = {k: v for k, v in given.items() if v is not None}
        return self.data.__dlpack__(stream=stream, **kwargs)

    def __dlpack_device__(self) -> tuple:
        return self.data.__dlpack_device__()

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied, as in PyTorch)."""
        _note_read(".numpy() read a value")
        return self.data

    def item(self):
        _note_read(".item() (or float(), int(), bool()) read a value")
        if self.data.size != 1:
            raise ValueError(
                f"item: only a one-element tensor converts to a Python number, got shape "
                f"{self.shape}"
            )
        return self.data.reshape(()).item()

    def tolist(self):
        _note_read(".tolist() read a value")
        return self.data.tolist()

    def __repr__(self) -> str:
        _note_read("printing a tensor read a value")
        body = np.array2string(self.data, separator=", ", prefix="tensor(", precision=4)
        extras = []
        if self.data.dtype not in (_dt.float32, _dt.int64, _dt.bool_):
            extras.append(f"dtype={self.data.dtype}")
        if self._ctx is not None:
            extras.append(f"grad_fn={self._ctx!r}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"

    # ---- autograd -----------------------------------------------------------------------------
    def _set_grad(self, value: Tensor | None) -> None:
        # checked where it enters: the optimizer's Numba loops trust the sizes they are given, so
        # a gradient of another shape would read or write out of bounds there
        if value is not None:
            _check_assigned_grad(self, value)
        self._grad = value
        rec = _recording[0]
        if rec is not None and not rec.busy:  # ta.compile: replay this assignment too
            rec.grad_set(self, value)

    # the getter is C (attrgetter): optimizers read .grad of every parameter every step
    grad = property(
        _operator.attrgetter("_grad"),
        _set_grad,
        doc="dL/d(self) after backward(): a Tensor of this tensor's shape and dtype, or None.",
    )

    @property
    def _version(self) -> _int:
        """How many in-place writes this tensor's memory has had (PyTorch's `Tensor._version`).

        Shared with `detach()` and with view outputs (reshape, permute, slicing), which alias the
        same memory. Backward compares it with the version each node saved (autograd.py).
        """
        return 0 if self._vc is None else self._vc[0]

    def _cell(self) -> list:
        """This tensor's version cell, made on first need: most tensors are never written in
        place, and not allocating a cell for each keeps every op call cheaper."""
        c = self._vc
        if c is None:
            c = self._vc = [0]
        return c

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if requires_grad and not _dt.is_floating(self.data.dtype):
            raise TypeError(
                f"requires_grad: only floating-point tensors can require gradients, got "
                f"{self.data.dtype}; convert with .float() or create it with dtype=ta.float32"
            )
        if self._ctx is not None and not requires_grad:
            raise RuntimeError("requires_grad_: use .detach() to stop gradients at a non-leaf")
        self.requires_grad = bool(requires_grad)
        return self

    def backward(self, gradient: Any = None, retain_graph: bool = False) -> None:
        """Backpropagate from this tensor, accumulating into the `.grad` of every leaf."""
        _backward(self, gradient, retain_graph)

    def detach(self) -> Tensor:
        """A tensor sharing this data (and its version counter), cut from the graph."""
        t = Tensor.__new__(Tensor)
        t.data, t._grad, t.requires_grad, t._ctx, t._hooks = self.data, None, False, None, None
        t._vc = self._cell()
        return t

    def register_hook(self, hook: Callable[[Tensor], Any]):
        """Call `hook(grad)` when this tensor's gradient is computed; a returned Tensor replaces.

        The replacement must keep the gradient's shape and dtype (PyTorch's rule): a hook that
        changes them raises here, before any kernel sees the array.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "register_hook: cannot register a hook on a tensor that doesn't require grad"
            )
        name = getattr(hook, "__name__", type(hook).__name__)

        def wrapped(g: np.ndarray):
            out = hook(Tensor._wrap(g))
            return None if out is None else _check_hook_result(name, g, out)

        if self._ctx is None:
            hooks = self._hooks = self._hooks or []
        else:
            hooks = self._ctx._hooks = self._ctx._hooks or []
        hooks.append(wrapped)
        return _RemovableHandle(hooks, wrapped)

    def retain_grad(self) -> None:
        """Keep `.grad` on a non-leaf tensor after backward (leaves always keep it)."""
        if self._ctx is None:
            return

        def keep(grad: Tensor) -> None:
            if self._grad is None:
                self._grad = Tensor._wrap(grad.data.copy())
            else:
                self._grad.data += grad.data

        self.register_hook(keep)

    # ---- in-place writes (ops/inplace.py): each bumps the version counter ------------------------
    def zero_(self) -> Tensor:
        """Set every element to 0 in place; refused on a leaf that requires grad (use no_grad)."""
        return _ops.zero_(self)

    def fill_(self, value: Any) -> Tensor:
        """Set every element to `value` in place."""
        return _ops.fill_(self, value)

    def copy_(self, src: Any) -> Tensor:
        """Copy `src` (broadcast to this shape, cast to this dtype) into this tensor in place."""
        return _ops.copy_(self, src)

    def add_(self, other: Any, alpha: Any = 1) -> Tensor:
        """self += alpha * other, in place (other broadcasts to this shape)."""
        return _ops.add_(self, other, alpha)

    def mul_(self, other: Any) -> Tensor:
        """self *= other, in place (other broadcasts to this shape)."""
        return _ops.mul_(self, other)

    @staticmethod
    def _computed(fn: Callable, *args: Any) -> Tensor:
        """fn(*args) as a tensor outside the graph (a comparison, a cast, argmax): no grad_fn.
        Tensor arguments are passed as their arrays. While ta.compile records a step, the
        computation goes on its tape too, to be redone, and the tensors it read are guarded."""
        raw = tuple(a.data if isinstance(a, Tensor) else a for a in args)
        out = np.asarray(fn(*raw))
        rec = _recording[0]
        if rec is not None and not rec.busy:
            rec.computed(fn, raw, out, [a for a in args if isinstance(a, Tensor)])
        return Tensor._wrap(out)

    @staticmethod
    def _wrap(arr: np.ndarray) -> Tensor:
        t = Tensor.__new__(Tensor)
        t.data, t._grad, t.requires_grad, t._ctx, t._hooks = arr, None, False, None, None
        t._vc = None
        return t

    # ---- dtype conversion (differentiable between float dtypes) --------------------------------
    def to(self, dtype: Any) -> Tensor:
        """This tensor in `dtype` (itself if it has it already), like PyTorch's `.to(dtype)`.

        An explicit cast: floats truncate toward zero (`[1.7, -1.7]` -> `[1, -1]`) and ints wrap;
        a NaN, inf or out-of-range float to an int dtype, which has no defined result, raises.
        `.to(other_tensor)` takes its dtype; `.to("cpu")` is a no-op (everything is on the CPU).
        """
        if isinstance(dtype, Tensor):
            dtype = dtype.dtype
        elif isinstance(dtype, str) and dtype == "cpu":
            return self
        return self._cast(_dt.to_dtype(dtype, "to"), "to")

    def _cast(self, dt: np.dtype, where: str) -> Tensor:
        if dt == self.data.dtype:
            return self
        if _dt.is_floating(dt) and self.requires_grad:
            return _ops.Cast.apply(self, dt)
        return Tensor._computed(_dt.cast, self, dt, where)

    def float(self) -> Tensor:
        return self._cast(_dt.float32, "float")

    def double(self) -> Tensor:
        return self._cast(_dt.float64, "double")

    def long(self) -> Tensor:
        """int64, truncating floats toward zero (PyTorch's `.long()`)."""
        return self._cast(_dt.int64, "long")

    def int(self) -> Tensor:
        """int32, truncating floats toward zero (PyTorch's `.int()`)."""
        return self._cast(_dt.int32, "int")

    def bool(self) -> Tensor:
        return Tensor(self.data != 0)

    # ---- arithmetic ---------------------------------------------------------------------------
    def __add__(self, other):
        return _ops.Add.apply(self, other)

    def __radd__(self, other):
        return _ops.Add.apply(other, self)

    def __sub__(self, other):
        return _ops.Sub.apply(self, other)

    def __rsub__(self, other):
        return _ops.Sub.apply(other, self)

    def __mul__(self, other):
        return _ops.Mul.apply(self, other)

    def __rmul__(self, other):
        return _ops.Mul.apply(other, self)

    def __truediv__(self, other):
        return _ops.Div.apply(self, other)

    def __rtruediv__(self, other):
        return _ops.Div.apply(other, self)

    def __neg__(self):
        return _ops.Neg.apply(self)

    def __pow__(self, exponent):
        return _ops.Pow.apply(self, exponent=exponent)

    def __matmul__(self, other):
        return _ops.MatMul.apply(self, _ops.as_tensor_like(other, self))

    def __rmatmul__(self, other):
        return _ops.MatMul.apply(_ops.as_tensor_like(other, self), self)

    # comparisons build no graph: their outputs are bool tensors with no gradient. They compare
    # in the promoted dtype, as PyTorch does (float32 [0.1] == np.float64(0.1) is True)
    def __lt__(self, other):
        return Tensor._computed(_ops.compare, "lt", np.less, self, other)

    def __le__(self, other):
        return Tensor._computed(_ops.compare, "le", np.less_equal, self, other)

    def __gt__(self, other):
        return Tensor._computed(_ops.compare, "gt", np.greater, self, other)

    def __ge__(self, other):
        return Tensor._computed(_ops.compare, "ge", np.greater_equal, self, other)

    def __eq__(self, other):  # type: ignore[override]
        if other is None or isinstance(other, str):
            return False  # as PyTorch: `t == None` is False, not an elementwise comparison
        return Tensor._computed(_ops.compare, "eq", np.equal, self, other)

    def __ne__(self, other):  # type: ignore[override]
        if other is None or isinstance(other, str):
            return True
        return Tensor._computed(_ops.compare, "ne", np.not_equal, self, other)

    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        _note_read("`if tensor:` (bool of a tensor) read a value")
        if self.data.size != 1:
            raise RuntimeError(
                f"bool(): a tensor of shape {self.shape} has no single truth value; use .any() "
                "or .all()"
            )
        return bool(self.data.reshape(()))

    def __float__(self) -> _float:
        return _float(self.item())

    def __int__(self) -> _int:
        return _int(self.item())

    def __index__(self) -> _int:
        if self.data.dtype.kind not in "iu":
            raise TypeError(f"only integer tensors can be used as an index, got {self.data.dtype}")
        return _int(self.item())

    def any(self) -> Tensor:
        return Tensor._computed(np.any, self)

    def all(self) -> Tensor:
        return Tensor._computed(np.all, self)

    # ---- elementwise math ---------------------------------------------------------------------
    def exp(self):
        return _ops.Exp.apply(self)

    def log(self):
        return _ops.Log.apply(self)

    def sqrt(self):
        return _ops.Sqrt.apply(self)

    def abs(self):
        return _ops.Abs.apply(self)

    def clamp(self, min=None, max=None):  # noqa: A002 - PyTorch's names
        return _ops.clamp(self, min, max)

    clip = clamp

    def maximum(self, other):
        return _ops.maximum(self, other)

    def minimum(self, other):
        return _ops.minimum(self, other)

    # ---- reductions ---------------------------------------------------------------------------
    def sum(self, dim=None, keepdim: bool = False):
        return _ops.Sum.apply(self, dim=dim, keepdim=keepdim)

    def mean(self, dim=None, keepdim: bool = False):
        return _ops.Mean.apply(self, dim=dim, keepdim=keepdim)

    def max(self, dim=None, keepdim: bool = False):
        return _ops.max(self, dim, keepdim)

    def min(self, dim=None, keepdim: bool = False):
        return _ops.min(self, dim, keepdim)

    def amax(self, dim=None, keepdim: bool = False):
        return _ops.Amax.apply(self, dim=dim, keepdim=keepdim)

    def amin(self, dim=None, keepdim: bool = False):
        return _ops.Amin.apply(self, dim=dim, keepdim=keepdim)

    def argmax(self, dim=None, keepdim: bool = False):
        return _ops.argmax(self, dim, keepdim)

    def argmin(self, dim=None, keepdim: bool = False):
        return _ops.argmin(self, dim, keepdim)

    def logsumexp(self, dim, keepdim: bool = False):
        return _ops.LogSumExp.apply(self, dim=dim, keepdim=keepdim)

    def softmax(self, dim: _int = -1):
        return _ops.Softmax.apply(self, dim=dim)

    def log_softmax(self, dim: _int = -1):
        return _ops.LogSoftmax.apply(self, dim=dim)

    # ---- linear algebra and shapes ------------------------------------------------------------
    def matmul(self, other):
        return self @ other

    def reshape(self, *shape):
        return _ops.Reshape.apply(self, shape=_ops.shape_arg(shape))

    view = reshape

    def flatten(self, start_dim: _int = 0, end_dim: _int = -1):
        return _ops.flatten(self, start_dim, end_dim)

    def transpose(self, dim0: _int, dim1: _int):
        return _ops.transpose(self, dim0, dim1)

    def permute(self, *dims):
        return _ops.Permute.apply(self, dims=_ops.shape_arg(dims))

    def squeeze(self, dim=None):
        return _ops.squeeze(self, dim)

    def unsqueeze(self, dim: _int):
        return _ops.unsqueeze(self, dim)

    def expand(self, *sizes):
        return _ops.Expand.apply(self, shape=_ops.shape_arg(sizes))

    def __getitem__(self, index):
        return _ops.getitem(self, index)

    # ---- activations (ops/activations.py; the rest are in tinygrad_act.functional) -----------
    def relu(self) -> Tensor:
        return _act.ReLU.apply(self)

    def sigmoid(self) -> Tensor:
        return _act.Sigmoid.apply(self)

    def tanh(self) -> Tensor:
        return _act.Tanh.apply(self)


def _interface(a: np.ndarray) -> dict:
    """`a.__array_interface__` with its memory owner as 'data' (see Tensor.__array_interface__)."""
    d = dict(a.__array_interface__)
    root = a
    while isinstance(root.base, np.ndarray):
        root = root.base
    if not (root.flags.c_contiguous or root.flags.f_contiguous):
        # no single buffer describes this memory; numpy then falls back to __array__
        raise AttributeError("__array_interface__: memory not owned by one contiguous array")
    d["offset"] = d["data"][0] - root.__array_interface__["data"][0]
    d["data"] = root if root.flags.c_contiguous else root.T
    if d.get("strides") is None:
        d["strides"] = a.strides
    return d


def _check_assigned_grad(t: Tensor, g: Any) -> None:
    """PyTorch's checks on `t.grad = g`: a Tensor of t's shape and dtype."""
    if not isinstance(g, Tensor):
        raise TypeError(
            f"assigned grad expected to be a Tensor or None but got grad of type "
            f"{type(g).__name__}; wrap an array with ta.tensor(...)"
        )
    if g.data.shape != t.data.shape:
        raise RuntimeError(
            f"assigned grad has data of a different size: a gradient of shape {g.data.shape} for "
            f"a tensor of shape {t.data.shape}; assign a gradient of the tensor's shape"
        )
    if g.data.dtype != t.data.dtype:
        raise RuntimeError(
            f"assigned grad has data of a different type: {g.data.dtype} for a {t.data.dtype} "
            f"tensor; convert it with .to({t.data.dtype})"
        )


def _check_hook_result(name: str, g: np.ndarray, out: Any) -> np.ndarray:
    """PyTorch's checks on what a tensor hook returns: a Tensor of the gradient's shape/dtype."""
    if not isinstance(out, Tensor):
        raise TypeError(
            f"expected Tensor, but hook '{name}' returned '{type(out).__name__}'; return a Tensor "
            "shaped like the gradient, or None to keep it"
        )
    r = out.data
    if r.shape != g.shape:
        raise RuntimeError(
            f"hook '{name}' has changed the size of value: it returned shape {r.shape} for a "
            f"gradient of shape {g.shape}; return a gradient of the same shape"
        )
    if r.dtype != g.dtype:
        raise RuntimeError(
            f"hook '{name}' has changed the type of value (was {g.dtype} got {r.dtype}); "
            f"convert it back with .to({g.dtype})"
        )
    return r


class _RemovableHandle:
    """Returned by register_hook; `.remove()` unregisters the hook."""

    def __init__(self, hooks: list, hook: Any) -> None:
        self._hooks, self._hook = hooks, hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)
