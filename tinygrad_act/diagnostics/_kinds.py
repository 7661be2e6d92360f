"""Which modules are activation layers, and what each kind means for sparsity and gradients.

A module is watched when it is an instance of a class defined in `tinygrad_act.nn.activations`
(nn.ReLU, nn.LeakyReLU, ...; Softmax-like layers excluded: they normalize over units rather than
act on each unit), or when a class in its MRO carries a PyTorch activation name (so a student's own
`class ReLU(nn.Module)` is watched too).

"Passing" = the local derivative f'(pre) is nonzero, i.e. the activation lets gradient through to
the unit's weights on that input. ReLU passes where pre > 0; leaky ReLU with slope != 0 and PReLU
with weight != 0 pass everywhere - which is exactly why "never positive" and "receives no gradient"
are different questions for them.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np

from ..autograd import enable_grad
from ..nn.module import Module
from ..tensor import Tensor
from .stats import as_units, count_true

# PyTorch's elementwise activation module names (lower-cased); the fallback when nn.activations
# does not define the class, e.g. a student's own ReLU module.
TORCH_ACTIVATIONS = frozenset(
    "relu relu6 leakyrelu prelu rrelu elu selu celu gelu silu mish sigmoid tanh hardtanh "
    "hardsigmoid hardswish softplus softsign tanhshrink hardshrink softshrink logsigmoid "
    "threshold".split()
)
NOT_UNITWISE = frozenset({"softmax", "logsoftmax", "softmin", "softmax2d"})
# kinds whose zeros are exact (piecewise linear): "near zero" adds nothing there
EXACT_ZERO_KINDS = frozenset(
    {"relu", "relu6", "leakyrelu", "prelu", "rrelu", "hardtanh", "threshold", "hardshrink"}
)
SATURATING_KINDS = frozenset({"sigmoid", "tanh"})


def activation_classes() -> tuple[type, ...]:
    """The Module classes defined in tinygrad_act.nn.activations, including its private base
    class, so activations added later with register_activation are found too."""
    try:
        from ..nn import activations as mod
    except ImportError:
        return ()
    return tuple(
        c
        for c in vars(mod).values()
        if isinstance(c, type)
        and issubclass(c, Module)
        and c.__module__ == mod.__name__
        and c.__name__.lower() not in NOT_UNITWISE
    )


def kind_of(module: Module) -> str:
    """Lower-case PyTorch name of the module's activation ('relu', 'leakyrelu', ...)."""
    for cls in type(module).__mro__:
        name = cls.__name__.lower()
        if name in TORCH_ACTIVATIONS:
            return name
    return type(module).__name__.lower()


def is_activation(module: Module, classes: tuple[type, ...] | None = None) -> bool:
    classes = activation_classes() if classes is None else classes
    if classes and isinstance(module, classes):
        return True
    return any(c.__name__.lower() in TORCH_ACTIVATIONS for c in type(module).__mro__)


def find_activation_layers(model: Module) -> list[tuple[str, Module]]:
    """(name, module) of every activation layer in `model`, in registration order."""
    classes = activation_classes()
    named = model.named_modules()
    return [(n or type(m).__name__, m) for n, m in named if is_activation(m, classes)]


def passing_counts_fast(
    module: Module, kind: str, pos: np.ndarray, rows: int, ndim: int
) -> np.ndarray | None:
    """Per-unit count of inputs where f'(pre) != 0, from the positive counts `pos` when the kind
    allows (no extra pass over the data); None when only the generic derivative can tell.
    ndim: the pre-activation's original number of dims (PReLU's channels are dim 1)."""
    if kind == "relu":
        return pos
    if kind == "leakyrelu":
        slope = float(getattr(module, "negative_slope", 0.01))
        return np.full_like(pos, rows) if slope != 0 else pos
    if kind == "prelu":
        w = getattr(module, "weight", None)
        if w is None:
            return None
        w = np.asarray(w.data).reshape(-1)
        if w.size != 1 and not (ndim >= 2 and w.size == pos.size):
            return None  # per-channel slopes (dim 1) must line up with the units (channels)
        return np.where(np.broadcast_to(w != 0, pos.shape), rows, pos)
    if kind == "rrelu":
        lower = float(getattr(module, "lower", 1 / 8))
        upper = float(getattr(module, "upper", 1 / 3))
        # eval slope (l+u)/2; train slopes ~ U(l, u) are 0 with probability 0 unless u == 0
        slope_zero = (lower + upper) / 2 == 0 if not module.training else upper == 0
        return pos if slope_zero else np.full_like(pos, rows)
    return None


def passing_counts_generic(module: Module, pre: np.ndarray) -> np.ndarray:
    """Per-unit count of inputs where f'(pre) != 0, by backpropagating ones through the module.

    For an elementwise activation d(sum_i y_i)/dx_j = f'(x_j). Calls module.forward (not
    __call__, so no hooks fire) on a detached copy and restores the module's parameter grads.
    """
    params = list(module.parameters())
    saved = [(p, p.grad) for p in params]
    try:
        x = Tensor._wrap(np.array(pre, copy=True))
        x.requires_grad_(True)
        with enable_grad():
            y = module.forward(x)
            if not isinstance(y, Tensor) or y.shape != x.shape:
                raise ValueError(
                    f"diagnostics: {type(module).__name__} maps shape {x.shape} to "
                    f"{getattr(y, 'shape', type(y))}; only elementwise activations can be watched"
                )
            if y.requires_grad:
                y.backward(np.ones_like(y.data))
        g = x.grad.data if x.grad is not None else np.zeros_like(x.data)
    finally:
        for p, grad in saved:
            p.grad = grad
    return count_true(as_units(g) != 0)


def resolve_layers(model: Module, layers: Any) -> OrderedDict[str, Module]:
    """name -> module to watch: every activation layer (layers=None), or the modules / names /
    dict given; errors name the model and say how to pass layers."""
    name = type(model).__name__
    named = OrderedDict((n or name, m) for n, m in model.named_modules())
    if layers is None:
        found = OrderedDict(find_activation_layers(model))
        if not found:
            raise ValueError(
                f"ActivationMonitor: found no activation layers in {name} (its modules: "
                f"{', '.join(sorted({type(m).__name__ for m in model.modules()}))}); activations "
                "applied as functions (F.relu) have no module to hook. Use nn.ReLU() etc. as "
                "layers, or pass the modules to watch explicitly: watch(model, layers=[model.act])"
            )
        return found
    items = layers.items() if isinstance(layers, dict) else None
    if items is None:
        if isinstance(layers, (Module, str)):
            layers = [layers]
        by_id = {id(m): n for n, m in named.items()}
        items = []
        for item in layers:
            if isinstance(item, str):
                if item not in named:
                    raise ValueError(f"ActivationMonitor: {name} has no submodule {item!r}")
                items.append((item, named[item]))
            elif isinstance(item, Module):
                items.append((by_id.get(id(item), type(item).__name__), item))
            else:
                raise TypeError(
                    f"ActivationMonitor: layers must be modules or names, got {type(item).__name__}"
                )
    out = OrderedDict()
    for n, m in items:
        if not isinstance(m, Module):
            raise TypeError(f"ActivationMonitor: layer {n!r} is a {type(m).__name__}, not a Module")
        out[n if n not in out else f"{n}#{len(out)}"] = m
    if not out:
        raise ValueError(f"ActivationMonitor: the layers given for {name} are empty")
    return out
