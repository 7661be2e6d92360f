"""Activation Functions (graph nodes), one per row of the activation table, PyTorch-named.

    class ReLU(Activation): spec = TABLE["relu"]

`Activation.forward` flattens the input to a contiguous 1-D array, allocates the output (and a
bool mask when the spec saves one), runs the forward kernel through `launch` (threads for large
inputs) and saves exactly what the spec says; `Activation.backward` runs the backward kernel on the
saved array. PReLU (a weight input with its own gradient) and RReLU (random slopes) are written
out below. `register_activation(spec)` builds the class for a new op and makes it reachable as
F.<name> and nn.<Class>.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..kernels import _parallel
from ..kernels import activations as K
from ..kernels._parallel import launch
from ..random import default_generator
from .activation_spec import STANDARD_SAVES, TABLE, ActivationSpec
from .activation_table import BUILTIN

__all__ = [
    "Activation",
    "ActivationSpec",
    "PReLU",
    "RReLU",
    "function_for",
    "register_activation",
    "unregister_activation",
]


def as_kernel_input(op: str, x: np.ndarray) -> np.ndarray:
    """`x` as a writable C-contiguous 1-D float32/float64 array (a view when it already is one).

    Read-only arrays are copied: Numba compiles a separate kernel for them.
    """
    if x.dtype.char not in "fd":
        hint = "call .float() first" if x.dtype.kind in "iub" else "use float32 or float64"
        raise TypeError(f"{op}: needs a float32 or float64 tensor, got {x.dtype}; {hint}")
    flags = x.flags
    if flags.c_contiguous and flags.writeable:
        return x.reshape(-1)
    flat = np.ascontiguousarray(x).reshape(-1)
    return flat if flat.flags.writeable else flat.copy()


def as_kernel_grad(grad: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """An incoming gradient as a writable contiguous 1-D array of `dtype` (it may be a view)."""
    flags = grad.flags
    if grad.dtype == dtype and flags.c_contiguous and flags.writeable:
        return grad.reshape(-1)
    flat = np.ascontiguousarray(grad, dtype=dtype).reshape(-1)
    return flat if flat.flags.writeable else flat.copy()


class Activation(Function):
    """Generic elementwise activation driven by `spec` (an ActivationSpec)."""

    spec: ActivationSpec

    @classmethod
    def forward(cls, ctx, x, **params):
        spec = cls.spec
        args = spec.args(params)
        if type(x) is not np.ndarray:
            x = np.asarray(x)
        flat = as_kernel_input(spec.name, x)
        out = np.empty_like(flat)
        arrays = (flat, out)
        if spec.saves == "mask":
            saved = np.empty(flat.shape, dtype=np.bool_)
            arrays = (flat, out, saved)
        else:
            saved = flat if spec.saves == "input" else out
        work = flat.size * spec.cost
        if work < _parallel.PARALLEL_THRESHOLD:  # launch()'s serial case, inlined: 4K elements
            spec.forward(*arrays, *args)  # take ~10 us in all, so calls count
        else:
            launch(spec.forward, arrays, args, work=work)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(saved)
            ctx.args = args if spec.backward_args else ()
            ctx.params, ctx.shape, ctx.dtype = params, x.shape, flat.dtype
        return out if x.ndim == 1 else out.reshape(x.shape)

    @classmethod
    def backward(cls, ctx, grad):
        (saved,) = ctx.saved_tensors
        g = as_kernel_grad(grad, ctx.dtype)
        grad_in = np.empty_like(g)
        work = g.size * cls.spec.cost
        if work < _parallel.PARALLEL_THRESHOLD:
            cls.spec.backward(g, saved, grad_in, *ctx.args)
        else:
            launch(cls.spec.backward, (g, saved, grad_in), ctx.args, work=work)
        return grad_in if len(ctx.shape) == 1 else grad_in.reshape(ctx.shape)

    @classmethod
    def kink_points(cls, ctx) -> tuple:
        return cls.spec.kink_points(getattr(ctx, "params", {}))


class PReLU(Function):
    """prelu(x, weight) = x if x > 0 else weight[c] * x, c the index along dim 1 (weight (C,)),
    or one shared slope (weight (1,)). Saves x and weight; returns gradients for both:
    dx = g if x > 0 else weight[c] * g (the slope at 0); dweight[c] = sum of x * g where x <= 0.
    """

    spec = TABLE.get("prelu")
    kinks = (0.0,)

    @staticmethod
    def forward(ctx, x, weight):
        x, w = np.asarray(x), np.asarray(weight)
        flat = as_kernel_input("prelu", x)
        if w.dtype != x.dtype:
            raise TypeError(
                f"prelu: weight is {w.dtype} but input is {x.dtype}; convert one to match "
                "(e.g. weight.double() for a float64 input)"
            )
        if w.ndim > 1:
            raise ValueError(f"prelu: weight must be a scalar or 1-D, got shape {w.shape}")
        channels = x.shape[1] if x.ndim >= 2 else 1
        if w.size not in (1, channels):
            raise ValueError(
                f"prelu: weight of shape {w.shape} does not match the input of shape {x.shape}, "
                f"which has {channels} channel(s) along dim 1; pass a weight of shape (1,) or "
                f"({channels},), e.g. nn.PReLU(num_parameters={channels})"
            )
        wk = np.ascontiguousarray(w).reshape(-1)
        # (N, C, S) so the kernel finds each element's channel without dividing indices; one
        # shared slope uses (N, 1, rest). The leading axis is what launch() splits over threads.
        n = x.shape[0] if x.ndim else 1
        c = wk.size if x.ndim >= 2 else 1
        x3 = flat.reshape(n, c, flat.size // (n * c) if n * c else 0)
        out = np.empty_like(x3)
        launch(K.prelu_forward, (x3, out), (wk,))
        if any(ctx.needs_input_grad):
            ctx.save_for_backward(x3, wk)
            ctx.shape, ctx.wshape = x.shape, w.shape
        return out.reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        x3, wk = ctx.saved_tensors
        g = as_kernel_grad(grad, x3.dtype).reshape(x3.shape)
        grad_in = np.empty_like(x3)
        rows = np.empty((x3.shape[0], x3.shape[1]), dtype=np.float64)
        launch(K.prelu_backward, (g, x3, grad_in, rows), (wk,))
        gw = rows.sum(axis=0).astype(wk.dtype).reshape(ctx.wshape)
        return grad_in.reshape(ctx.shape), gw


class RReLU(Function):
    """Randomized leaky ReLU. training=True: each element's slope a ~ U(lower, upper), drawn from
    the library's seeded generator (ta.manual_seed) and saved; y = x if x > 0 else a * x, and
    x = 0 takes the slope. training=False: leaky_relu with slope (lower + upper) / 2 (saves a mask).
    """

    spec = TABLE.get("rrelu")
    kinks = (0.0,)

    @staticmethod
    def forward(ctx, x, lower=1.0 / 8.0, upper=1.0 / 3.0, training=False):
        if lower > upper:
            raise ValueError(f"rrelu: lower ({lower}) must be <= upper ({upper}); swap the bounds")
        x = np.asarray(x)
        flat = as_kernel_input("rrelu", x)
        out = np.empty_like(flat)
        ctx.shape, ctx.training = x.shape, bool(training)
        ctx.dtype = flat.dtype
        if training:
            noise = default_generator().random(flat.size, dtype=flat.dtype)  # U[0, 1)
            noise *= flat.dtype.type(upper - lower)
            noise += flat.dtype.type(lower)
            launch(K.rrelu_train_forward, (flat, noise, out))
            ctx.save_for_backward(noise)
        else:
            mask = np.empty(flat.shape, dtype=np.bool_)
            ctx.slope = (lower + upper) / 2.0
            launch(K.leaky_relu_forward, (flat, out, mask), (ctx.slope,))
            ctx.save_for_backward(mask)
        return out.reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        (saved,) = ctx.saved_tensors
        g = as_kernel_grad(grad, ctx.dtype)
        grad_in = np.empty_like(g)
        if ctx.training:
            launch(K.rrelu_train_backward, (g, saved, grad_in))
        else:
            launch(K.leaky_relu_backward, (g, saved, grad_in), (ctx.slope,))
        return grad_in.reshape(ctx.shape)


_FUNCTIONS: dict[str, type[Function]] = {}


def register_activation(spec: ActivationSpec, function: type[Function] | None = None):
    """Add an op to the table and build its Function class (returned).

    The op becomes `F.<spec.name>` and `nn.<spec.cls>`. `spec.forward`/`spec.backward` follow
    the kernel convention in ops/activation_spec.py; pass `function` only for ops that do not
    (like PReLU). Registering a name twice raises ValueError.
    """
    if not isinstance(spec, ActivationSpec):
        raise TypeError(f"register_activation: expected an ActivationSpec, got {type(spec)}")
    if spec.name in TABLE:
        raise ValueError(f"register_activation: {spec.name!r} is already registered")
    if function is None:
        if spec.saves not in STANDARD_SAVES:
            raise ValueError(
                f"register_activation: {spec.name}: saves must be one of {STANDARD_SAVES} "
                f"(got {spec.saves!r}), or pass function= a hand-written Function"
            )
        doc = f"{spec.name}(x) = {spec.formula}. At the kink: {spec.kink}. Saves: {spec.saves}."
        function = type(spec.cls, (Activation,), {"spec": spec, "__doc__": doc})
        function.__module__ = __name__
    TABLE[spec.name] = spec
    _FUNCTIONS[spec.name] = function
    return function


def unregister_activation(name: str) -> None:
    """Remove an op added with register_activation (built-ins stay): lets an edited exercise be
    registered again in the same Python session, and lets tests clean up after themselves."""
    if any(spec.name == name for spec in BUILTIN):
        raise ValueError(f"unregister_activation: {name!r} is built in and cannot be removed")
    TABLE.pop(name, None)
    _FUNCTIONS.pop(name, None)


def function_for(name: str) -> type[Function]:
    """The Function class of a registered activation."""
    try:
        return _FUNCTIONS[name]
    except KeyError:
        raise KeyError(f"no activation named {name!r}; registered: {sorted(_FUNCTIONS)}") from None


_CUSTOM = {"prelu": PReLU, "rrelu": RReLU}
for _spec in BUILTIN:
    register_activation(_spec, _CUSTOM.get(_spec.name))
PReLU.spec, RReLU.spec = TABLE["prelu"], TABLE["rrelu"]

ReLU = function_for("relu")
LeakyReLU = function_for("leaky_relu")
ELU = function_for("elu")
CELU = function_for("celu")
SELU = function_for("selu")
GELU = function_for("gelu")
SiLU = function_for("silu")
Mish = function_for("mish")
Softplus = function_for("softplus")
ReLU6 = function_for("relu6")
Hardtanh = function_for("hardtanh")
Hardswish = function_for("hardswish")
Hardsigmoid = function_for("hardsigmoid")
Softsign = function_for("softsign")
Sigmoid = function_for("sigmoid")
Tanh = function_for("tanh")
Threshold = function_for("threshold")
