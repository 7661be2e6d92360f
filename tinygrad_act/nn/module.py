"""nn.Module and nn.Parameter, following PyTorch's contract.

A Module registers every Parameter and sub-Module assigned as an attribute, so `parameters()`,
`state_dict()` (keys like `0.weight`, as PyTorch names them) and `train()/eval()` reach the whole
tree. `__call__` runs forward pre-hooks, `forward`, then forward hooks; the diagnostics use hooks
to watch activations without touching model code.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ..kernels._parallel import FLOAT_DTYPES
from ..recording import ACTIVE as _recording
from ..recording import MODULE_EDITS, zero_grad_of
from ..tensor import Tensor, _RemovableHandle
from .checkpoint import load_arrays, save_arrays


def check_param_dtype(where: str, dtype: Any) -> np.dtype:
    """`dtype` if parameters may have it (float32, float64: what the kernels are built for)."""
    dt = np.dtype(dtype)
    if dt not in FLOAT_DTYPES:
        kind = "floating-point dtypes" if dt.kind == "f" else "only floating-point dtypes"
        raise TypeError(
            f"{where}: {dt} is not supported; parameters support {kind} float32, float64 "
            "(the default is float32)"
        )
    return dt


class Parameter(Tensor):
    """A Tensor that a Module registers as a learnable parameter (requires_grad=True).

    It shares memory with `data` when that is a writable C-contiguous float32/float64 array, like
    torch.nn.Parameter; any other array (read-only, e.g. np.load(..., mmap_mode='r'), or a
    non-contiguous view) is copied, because the optimizers update parameters in place.
    """

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        arr = np.zeros(0, dtype=np.float32) if data is None else data
        arr = arr.data if isinstance(arr, Tensor) else np.asarray(arr)
        if arr.dtype.kind != "f":
            raise TypeError(f"Parameter: needs floating-point data, got {arr.dtype}")
        check_param_dtype("Parameter", arr.dtype)
        if not (arr.flags.writeable and arr.flags.c_contiguous):
            arr = np.array(arr, order="C", copy=True)
        self.data = arr
        self.grad = None
        self._ctx = None
        self._hooks = None
        self._vc = None  # version cell, made on first in-place write (tensor.py)
        self.requires_grad = bool(requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class Module:
    """Base class for layers and models: subclass it, assign layers in __init__, write forward."""

    def __init__(self) -> None:
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_forward_hooks", [])
        object.__setattr__(self, "_forward_pre_hooks", [])

    # ---- registration ----------------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"cannot assign {name!r} before Module.__init__() - call super().__init__() first"
            )
        MODULE_EDITS[0] += 1  # a compiled step's guard compares modules only after an edit
        for registry in (self._parameters, self._modules, self._buffers):
            registry.pop(name, None)
        if isinstance(value, (Parameter, Module)):
            # a plain attribute of the same name (e.g. bias=None) would shadow the registry
            self.__dict__.pop(name, None)
            registry = self._parameters if isinstance(value, Parameter) else self._modules
            registry[name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        d = self.__dict__
        for registry in ("_parameters", "_modules", "_buffers"):
            if registry in d and name in d[registry]:
                return d[registry][name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __delattr__(self, name: str) -> None:
        MODULE_EDITS[0] += 1
        for registry in (self._parameters, self._modules, self._buffers):
            if name in registry:
                del registry[name]
                return
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        MODULE_EDITS[0] += 1
        if param is None:
            self._parameters.pop(name, None)
            object.__setattr__(self, name, None)
        else:
            self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None) -> None:
        """State saved in state_dict but not trained (e.g. running statistics)."""
        MODULE_EDITS[0] += 1
        self._buffers[name] = tensor

    def add_module(self, name: str, module: Module | None) -> None:
        self._modules[name] = module

    # ---- traversal ---------------------------------------------------------------------------
    def named_children(self) -> Iterator[tuple[str, Module]]:
        for name, m in self._modules.items():
            if m is not None:
                yield name, m

    def children(self) -> Iterator[Module]:
        for _, m in self.named_children():
            yield m

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module and every descendant, depth first, each once."""
        seen: set[int] = set()
        stack = [(prefix, self)]
        while stack:
            name, mod = stack.pop()
            if id(mod) in seen:
                continue
            seen.add(id(mod))
            yield name, mod
            kids = [(f"{name}.{n}" if name else n, m) for n, m in mod.named_children()]
            stack.extend(reversed(kids))

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def named_parameters(
        self, prefix: str = "", recurse: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        seen: set[int] = set()
        mods = self.named_modules(prefix) if recurse else iter([(prefix, self)])
        for mname, mod in mods:
            for pname, p in mod._parameters.items():
                if p is not None and id(p) not in seen:
                    seen.add(id(p))
                    yield (f"{mname}.{pname}" if mname else pname), p

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, Tensor]]:
        for mname, mod in self.named_modules(prefix):
            for bname, b in mod._buffers.items():
                if b is not None:
                    yield (f"{mname}.{bname}" if mname else bname), b

    def apply(self, fn: Callable[[Module], None]) -> Module:
        """Call fn on every submodule (children first) and on self, as in PyTorch."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    # ---- modes and gradients -------------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        MODULE_EDITS[0] += 1
        for m in self.modules():
            object.__setattr__(m, "training", bool(mode))
        return self

    def eval(self) -> Module:
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.parameters():
            if set_to_none:
                p.grad = None
            else:
                zero_grad_of(p)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def to(self, dtype: Any) -> Module:
        """Convert every floating-point parameter and buffer to `dtype`, in place (as torch)."""
        from .. import dtypes as _dt

        dt = check_param_dtype("Module.to", _dt.to_dtype(dtype))
        tensors = list(self.parameters()) + [b for _, b in self.named_buffers()]
        for t in tensors:
            if t.data.dtype.kind == "f" and t.data.dtype != dt:
                t.data = t.data.astype(dt)
                if t.grad is not None:
                    t.grad.data = t.grad.data.astype(dt)
        return self

    def float(self) -> Module:
        return self.to(np.float32)

    def double(self) -> Module:
        return self.to(np.float64)

    def num_parameters(self) -> int:
        """Total count of trainable numbers."""
        return sum(p.data.size for p in self.parameters())

    # ---- calling -----------------------------------------------------------------------------
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        rec = _recording[0]
        if rec is not None and not rec.busy:  # ta.compile: guard on this module's attributes
            rec.module(self)
        if self._forward_pre_hooks:
            for hook in list(self._forward_pre_hooks):
                res = hook(self, args)
                if res is not None:
                    args = res if isinstance(res, tuple) else (res,)
        out = self.forward(*args, **kwargs)
        if self._forward_hooks:
            for hook in list(self._forward_hooks):
                res = hook(self, args, out)
                if res is not None:
                    out = res
        return out

    def register_forward_hook(self, hook: Callable[[Module, tuple, Any], Any]) -> _RemovableHandle:
        """hook(module, inputs, output) after every forward; a non-None return replaces output."""
        self._forward_hooks.append(hook)
        return _RemovableHandle(self._forward_hooks, hook)

    def register_forward_pre_hook(self, hook: Callable[[Module, tuple], Any]) -> _RemovableHandle:
        """hook(module, inputs) before every forward; a non-None return replaces the inputs."""
        self._forward_pre_hooks.append(hook)
        return _RemovableHandle(self._forward_pre_hooks, hook)

    # ---- state -------------------------------------------------------------------------------
    def _named_state(self, prefix: str = "") -> Iterator[tuple[str, Tensor]]:
        """Every (name, tensor) of state_dict, in PyTorch's order: a module's own parameters,
        then its buffers, then each child's. Unlike named_parameters() nothing is deduplicated:
        a tied (shared) parameter or module appears under each of its names, as in torch."""
        for name, p in self._parameters.items():
            if p is not None:
                yield prefix + name, p
        for name, b in self._buffers.items():
            if b is not None:
                yield prefix + name, b
        for name, m in self._modules.items():
            if m is not None:
                yield from m._named_state(prefix + name + ".")

    def state_dict(self) -> OrderedDict:
        """name -> numpy array copy, with PyTorch's key names (e.g. '0.weight').

        A parameter shared by two modules (tied weights) is listed under both names, as in
        PyTorch, so `torch_model.load_state_dict(...)` and back both work."""
        return OrderedDict((name, t.data.copy()) for name, t in self._named_state())

    def load_state_dict(self, state_dict: dict, strict: bool = True) -> tuple[list, list]:
        """Copy arrays into parameters; lists missing, unexpected and mis-shaped keys on error."""
        own = dict(self._named_state())
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        wrong = []
        for k, t in own.items():
            if k in state_dict:
                shape = np.shape(_raw(state_dict[k]))
                if shape != t.data.shape:
                    wrong.append(f"{k}: checkpoint {shape} vs model {t.data.shape}")
        if wrong or (strict and (missing or unexpected)):
            parts = []
            if missing:
                parts.append(f"missing keys: {missing}")
            if unexpected:
                parts.append(f"unexpected keys: {unexpected}")
            if wrong:
                parts.append(f"shape mismatches: {wrong}")
            raise RuntimeError(
                f"load_state_dict for {type(self).__name__}: "
                + "; ".join(parts)
                + " (build the same architecture, or pass strict=False to skip missing/unexpected)"
            )
        for k, t in own.items():
            if k in state_dict:
                t.data[...] = np.asarray(_raw(state_dict[k]), dtype=t.data.dtype)
        return missing, unexpected

    def save(self, path: str | os.PathLike) -> str:
        """Write the state_dict's arrays to an .npz file, atomically; return the file's name.

        The file is `path` if it ends in '.npz', else `path + '.npz'` (load uses the same rule).
        It is written to a temporary file in the same directory and renamed over the old one
        only when complete (see nn/checkpoint.py): a crash mid-save keeps the old checkpoint.
        `np.load(file)` gives the arrays under PyTorch's names.
        """
        return save_arrays(path, {name: t.data for name, t in self._named_state()})

    def load(self, path: str | os.PathLike, strict: bool = True) -> Module:
        """Load a checkpoint written by save(path) (same name rule) into this module."""
        self.load_state_dict(load_arrays(path), strict=strict)
        return self

    # ---- printing ----------------------------------------------------------------------------
    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        # torch's layout: one line when there is only a one-line extra_repr, else one item a line
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        kids = [f"({n}): " + repr(m).replace("\n", "\n  ") for n, m in self._modules.items()]
        lines = extra_lines + kids
        head = f"{type(self).__name__}("
        if not lines:
            return head + ")"
        if len(extra_lines) == 1 and not kids:
            return head + extra_lines[0] + ")"
        return head + "\n  " + "\n  ".join(lines) + "\n)"


def _raw(x: Any) -> Any:
    return x.data if isinstance(x, Tensor) else x
