"""A row of the activation table (`ActivationSpec`) and the graph node that runs one (`Activation`).

The rows themselves, one `class <Name>(Activation)` each, are in ops/activations.py. A row names
only what defines an op: its formula, its forward and backward kernels, what backward needs
saved, its parameters with PyTorch's defaults, the derivative it takes at each kink and its
limits at +-inf. Test tolerances live in tests/, doc prose in tools/gen_activation_docs.py.

Kernel calling convention (1-D contiguous arrays, outputs preallocated, scalars last):
    saves="mask":            forward(x, out, mask, *args)  backward(grad_out, mask, grad_in, *args)
    saves="input"/"output":  forward(x, out, *args)        backward(grad_out, saved, grad_in, *args)
where `args = spec.args(params)`: `kernel_args(**params)`, or the parameter values in order. A
backward kernel that declares only the three arrays (mask_backward) gets no scalars.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from numbers import Real
from typing import Any

import numpy as np

from ..autograd import Function
from ..kernels import bind, launch
from ..recording import ACTIVE as _recording
from ..tensor import Tensor

INF = math.inf
REQUIRED: Any = type("Required", (), {"__repr__": lambda self: "<required>"})()
STANDARD_SAVES = ("mask", "input", "output")


def _default_limits(**params: Any) -> tuple:
    return ((0.0, 0.0), (INF, 1.0))


@dataclass(frozen=True)
class ActivationSpec:
    """One op. `params` are (name, default) pairs in PyTorch's positional order; a default of
    REQUIRED makes the parameter mandatory (threshold's `threshold` and `value`). A parameter
    takes what its default is: a number (a float, an int, or a one-element tensor, read at every
    call), a str, or a bool; REQUIRED parameters take numbers."""

    name: str  # functional name: F.<name>
    cls: str  # PyTorch class name: the Function and the nn.Module
    formula: str  # the math, for docs and docstrings
    forward: Callable  # Numba kernels, calling convention above
    backward: Callable
    saves: str = "input"  # "mask" | "input" | "output"; hand-written ops describe theirs in words
    params: tuple = ()
    kernel_args: Callable[..., tuple] | None = None  # params -> kernel scalars
    kink: str = "smooth"  # derivative convention at kinks / boundaries, in words
    kinks: Callable[..., tuple] | tuple = ()  # x where the derivative jumps (params -> tuple)
    at_inf: Callable[..., tuple] = _default_limits  # ((y, dy/dx) at -inf, (y, dy/dx) at +inf)
    inplace: bool = True  # PyTorch's signature has `inplace=`
    inputs: tuple = ("input",)  # tensor arguments (prelu: input, weight)
    _args_cache: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        # whether the backward kernel takes the scalars (mask_backward takes only the arrays);
        # read once here, not on every forward
        code = getattr(getattr(self.backward, "py_func", self.backward), "__code__", None)
        object.__setattr__(self, "backward_args", code is None or code.co_argcount > 3)

    @property
    def custom(self) -> bool:
        """True for ops with a hand-written Function (their `saves` is prose, like prelu's)."""
        return self.saves not in STANDARD_SAVES

    def bind(self, params: dict) -> dict:
        """All parameters with defaults filled in and checked; bad names or types raise
        TypeError naming the op, the parameter and what it takes."""
        names = [n for n, _ in self.params]
        unknown = sorted(set(params) - set(names))
        if unknown:
            raise TypeError(f"{self.name}: unexpected parameter(s) {unknown}; it takes {names}")
        bound = {n: params.get(n, d) for n, d in self.params}
        missing = [n for n, v in bound.items() if v is REQUIRED]
        if missing:
            raise TypeError(f"{self.name}: missing required parameter(s) {missing}")
        defaults = dict(self.params)
        return {n: _checked(self.name, n, v, defaults[n]) for n, v in bound.items()}

    def args(self, params: dict) -> tuple:
        """The scalars passed to both kernels after the arrays. Cached for plain values (ops call
        this on every forward, and at 4K elements microseconds matter); a tensor parameter is
        read at every call, so editing it in place takes effect."""
        try:
            hit = self._args_cache.get(tuple(params.items()))
        except TypeError:  # an unhashable value (a list): bind() names what was expected
            hit = None
        if hit is not None:
            return hit
        p = self.bind(params)
        out = self.kernel_args(**p) if self.kernel_args else tuple(float(v) for v in p.values())
        # never cache a numeric zero: -0.0 == 0.0 would hand one's kernel scalars to the other
        plain = all(_cacheable(v) for v in params.values())
        if plain and len(self._args_cache) < 256:
            self._args_cache[tuple(params.items())] = out
        return out

    @cached_property
    def default_args(self) -> tuple:
        """args({}), computed once: the kernel scalars of most calls (relu, F.elu(x), ...)."""
        return self.args({})

    def kink_points(self, params: dict) -> tuple:
        return self.kinks(**self.bind(params)) if callable(self.kinks) else tuple(self.kinks)

    def limits(self, params: dict) -> tuple:
        return self.at_inf(**self.bind(params))

    def saved_bytes(self, itemsize: int = 4) -> int | None:
        """Bytes saved for backward per element (None for hand-written ops)."""
        return {"mask": 1, "input": itemsize, "output": itemsize}.get(self.saves)


def _cacheable(v: Any) -> bool:
    """Immutable plain values (a cache hit can never go stale), numeric zeros excepted."""
    t = type(v)
    return t is bool or t is str or ((t is float or t is int) and v != 0)


def _checked(op: str, name: str, value: Any, default: Any) -> Any:
    """`value` as the type `default` has; a tensor or numpy scalar number becomes a float now."""
    if isinstance(default, (str, bool)):
        if type(value) is type(default):
            return value
        want = type(default).__name__
    elif isinstance(value, Real) and not isinstance(value, bool):
        return value
    elif isinstance(value, Tensor) and value.data.size == 1 and value.data.dtype.kind == "f":
        return float(value.data.reshape(()))  # read now: an in-place edit counts next call
    else:
        want = "a number (float or int, or a one-element float tensor)"
    raise TypeError(f"{op}: {name} must be {want}, got {type(value).__name__} {value!r}")


def _check_inplace(spec: ActivationSpec, x: np.ndarray) -> bool:
    """Refuse inplace=True where PyTorch has none or x cannot be written; True if x is
    C-contiguous (the kernel can write into it directly)."""
    if not spec.inplace:
        names = [n for n, _ in spec.params]
        raise TypeError(f"{spec.name}: unexpected parameter(s) ['inplace']; it takes {names}")
    if not x.flags.writeable:
        raise ValueError(f"{spec.name}: inplace=True needs a writable array; use inplace=False")
    return x.flags.c_contiguous


def as_kernel_input(op: str, x: np.ndarray) -> np.ndarray:
    """`x` as a writable C-contiguous 1-D float32/float64 array (a view when it already is one).

    Read-only arrays are copied: Numba compiles a separate kernel for them.
    """
    if x.dtype.char not in "fd":
        hint = "call .float() first" if x.dtype.kind in "iub" else "use float32 or float64"
        raise TypeError(f"{op}: needs a float32 or float64 tensor, got {x.dtype}; {hint}")
    flags = x.flags
    if flags.c_contiguous and flags.writeable:
        return x if x.ndim == 1 else x.reshape(-1)  # a 1-D x is used as is: no view to make
    flat = np.ascontiguousarray(x).reshape(-1)
    return flat if flat.flags.writeable else flat.copy()


def as_kernel_grad(grad: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """An incoming gradient as a writable contiguous 1-D array of `dtype` (it may be a view)."""
    flags = grad.flags
    if grad.dtype == dtype and flags.c_contiguous and flags.writeable:
        return grad if grad.ndim == 1 else grad.reshape(-1)
    flat = np.ascontiguousarray(grad, dtype=dtype).reshape(-1)
    return flat if flat.flags.writeable else flat.copy()


class Activation(Function):
    """The graph node of one table row (`spec`): flatten the input, run the forward kernel into a
    new output (and a bool mask when the row saves one), save exactly what the row says; backward
    runs the backward kernel on it. `cost` is the work per element relative to relu: `launch`
    splits a kernel over threads once n * cost passes its threshold (bench_threshold.py).
    """

    spec: ActivationSpec
    cost: float = 1.0

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        spec = cls.__dict__.get("spec")
        if spec is not None and cls.__doc__ is None:
            cls.__doc__ = f"{spec.name}(x) = {spec.formula}. At the kink: {spec.kink}."

    @classmethod
    def forward(cls, ctx, x, inplace=False, **params):
        spec = cls.spec
        args = spec.args(params) if params else spec.default_args
        if type(x) is not np.ndarray:
            x = np.asarray(x)
        flat = as_kernel_input(spec.name, x)
        # inplace=True: the result goes into x's own array (the kernels read x[i] before writing
        # out[i]); a non-contiguous x is computed on a copy and written back below
        direct = inplace and _check_inplace(spec, x)
        out = flat if direct else np.empty_like(flat)
        if spec.saves == "mask":
            saved = np.empty(flat.shape, dtype=np.bool_)
            arrays = (flat, out, saved)
        else:  # writing in place destroys the input: save a copy (PyTorch's elu_ saves its result)
            saved = out if spec.saves == "output" else flat.copy() if inplace else flat
            arrays = (flat, out)
        launch(spec.forward, arrays, args, flat.size * cls.cost)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(saved)
            ctx.args = args if spec.backward_args else ()
            ctx.params, ctx.shape, ctx.dtype = params, x.shape, flat.dtype
            if _recording[0] is not None:  # ta.compile: capture_forward relaunches this
                ctx.launched = (arrays, args, not inplace and np.shares_memory(flat, x))
        if not inplace:
            return out if x.ndim == 1 else out.reshape(x.shape)
        if not direct:
            x[...] = out.reshape(x.shape)
        ctx.mark_dirty(x)  # apply returns the input Tensor itself, its version bumped
        return x

    @classmethod
    def backward(cls, ctx, grad):
        (saved,) = ctx.saved_tensors
        g = as_kernel_grad(grad, ctx.dtype)
        grad_in = np.empty_like(g)
        launch(cls.spec.backward, (g, saved, grad_in), ctx.args, g.size * cls.cost)
        return grad_in if len(ctx.shape) == 1 else grad_in.reshape(ctx.shape)

    @classmethod
    def capture_forward(cls, ctx, out, x, inplace=False, **params):
        """Replay = the same kernel launch on the same arrays, when the kernel reads x itself
        (not a contiguous copy of it) and no parameter is a tensor (read at every call)."""
        launched = getattr(ctx, "launched", None)  # hand-written rows (prelu) have their own
        if (
            launched is None
            or not launched[2]
            or any(isinstance(v, Tensor) for v in params.values())
        ):
            return None
        arrays, args, _ = launched
        return bind(cls.spec.forward, arrays, args, arrays[0].size * cls.cost)

    @classmethod
    def capture_backward(cls, ctx, grad, grads):
        if grad.dtype != ctx.dtype or not (grad.flags.c_contiguous and grad.flags.writeable):
            return None  # backward worked on a converted copy of grad: run it again
        (saved,) = ctx.saved_tensors
        g, grad_in = grad.reshape(-1), grads[0].reshape(-1)  # views: the kernel writes grads[0]
        return bind(cls.spec.backward, (g, saved, grad_in), ctx.args, g.size * cls.cost)

    @classmethod
    def kink_points(cls, ctx) -> tuple:
        return cls.spec.kink_points(getattr(ctx, "params", {}))
