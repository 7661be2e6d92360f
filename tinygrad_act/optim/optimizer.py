"""Optimizer base class: param_groups, per-parameter state, zero_grad, state_dict (PyTorch's API).

An optimizer holds `param_groups`, a list of dicts each with a 'params' list and its own
hyperparameters (defaults filled in), and `state`, a dict from parameter to its buffers
(momentum, Adam moments). `step()` updates `param.data` in place, outside the graph.

Every step starts the same way (`_begin_step`): run the closure, then collect each group's
parameters that have a gradient, as flat views the kernels update in place. The kernels index
their arrays without bounds checks, so this is also where shapes are checked: a gradient or a
state buffer whose shape is not the parameter's (a `.data` or `.grad` replaced by the user, a
hook's result) would make them read or write out of bounds. Every parameter is checked before
the first one is updated, so a refused step leaves all weights as they were.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

import numpy as np

from ..autograd import enable_grad
from ..kernels._parallel import FLOAT_DTYPES
from ..recording import ACTIVE as _recording
from ..recording import zero_grad_of
from ..tensor import Tensor
from ..versions import bump

__all__ = ["Optimizer"]

# (parameter, its data as a flat view, its gradient as a flat array of the data's dtype, its state
# dict or None before the first step)
Update = tuple[Tensor, np.ndarray, np.ndarray, "dict | None"]


class Optimizer:
    """Base class: subclasses set `defaults` and implement `step()`.

    `_state_key` names a state buffer every parameter's state has once it has any (all buffers
    are created together at the parameter's shape): `_begin_step` checks its shape each step.
    """

    _state_key = ""

    def __init__(self, params: Iterable[Any], defaults: dict) -> None:
        self.defaults = dict(defaults)
        self.state: dict = {}
        self.param_groups: list[dict] = []
        if isinstance(params, Tensor):
            raise TypeError(
                f"{type(self).__name__}: params should be an iterable of Tensors or dicts, got a "
                "Tensor; pass model.parameters() or [tensor]"
            )
        groups = list(params)
        if not groups:
            raise ValueError(
                f"{type(self).__name__}: optimizer got an empty parameter list (did the model "
                "register its layers as attributes?)"
            )
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for g in groups:
            self.add_param_group(g)

    def add_param_group(self, param_group: dict) -> None:
        """Add a group of parameters with its own hyperparameters (missing ones from defaults)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, got {type(param_group).__name__}")
        group = dict(param_group)
        params = group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"{type(self).__name__}: optimizer can only optimize Tensors, got "
                    f"{type(p).__name__}"
                )
            if not p.is_leaf:
                raise ValueError(f"{type(self).__name__}: can't optimize a non-leaf Tensor")
            if p.dtype not in FLOAT_DTYPES:
                raise TypeError(
                    f"{type(self).__name__}: a parameter is {p.dtype}; the optimizers support "
                    "float32, float64 (convert it with .float() or .double())"
                )
        group["params"] = params
        for k, v in self.defaults.items():
            group.setdefault(k, v)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget gradients: set `.grad = None` (default, as torch) or fill them with zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none:
                    p.grad = None
                else:
                    zero_grad_of(p)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient, in place.

        closure: optional function that re-evaluates the model and returns the loss (as in
        torch); it runs with gradients enabled and its loss is returned.
        """
        loss, groups = self._begin_step(closure)
        rec = _recording[0]
        if rec is not None and not rec.busy:  # ta.compile records the update to replay it
            rec.optimizer_step(self, groups)
        else:
            self._update(groups)
        return loss

    def _update(self, groups: list[tuple[dict, list[Update]]]) -> None:
        """Write the update of every checked parameter (subclasses: the kernel calls). It reads
        the hyperparameters from each group, so a replayed step sees a scheduler's changes."""
        raise NotImplementedError

    def capture_update(self, groups: list[tuple[dict, list[Update]]]) -> Callable[[], None]:
        """For ta.compile: a function that applies this update again to the same arrays (the
        parameters' state exists by now). Subclasses may return a leaner one."""
        return partial(self._update, groups)

    def _begin_step(
        self, closure: Callable[[], Any] | None
    ) -> tuple[Any, list[tuple[dict, list[Update]]]]:
        """The common start of every step(): the closure's loss (run with gradients enabled, as
        in torch) and, per param group, the checked updates of the parameters with a gradient."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        key = self._state_key
        groups = []
        for group in self.param_groups:
            updates = []
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                d, g = p.data, g.data
                flags = d.flags
                state = self.state.get(p)
                if (
                    g.shape != d.shape
                    or d.dtype not in FLOAT_DTYPES
                    or not (flags.c_contiguous and flags.writeable)
                    or (state and (buf := state.get(key)) is not None and buf.shape != d.shape)
                ):
                    self._refuse(group, p, state)
                if g.dtype != d.dtype:
                    g = g.astype(d.dtype)
                # ravel: a view of a C-contiguous array (d is one), a contiguous copy of any other
                updates.append((p, d.ravel(), g.ravel(), state))
            groups.append((group, updates))
        # the update writes every parameter in place: a graph that saved one of them and has not
        # run its backward yet must raise instead of using the new values (PyTorch does the same)
        for _, updates in groups:
            for u in updates:
                bump(u[0]._cell())
        return loss, groups

    def _refuse(self, group: dict, p: Tensor, state: dict | None) -> None:
        """Raise the error that says what is wrong with this parameter and how to fix it."""
        d, g = p.data, p.grad.data
        gi = next(i for i, other in enumerate(self.param_groups) if other is group)
        pi = next(i for i, other in enumerate(group["params"]) if other is p)
        where = f"{type(self).__name__}.step: param_groups[{gi}]['params'][{pi}]"
        if d.dtype not in FLOAT_DTYPES:
            raise TypeError(
                f"{where} is {d.dtype}; the optimizers support float32, float64: convert the "
                "model with model.float() (or p.data = p.data.astype(np.float32))"
            )
        if g.shape != d.shape:
            raise RuntimeError(
                f"{where} has shape {d.shape} but its .grad has shape {g.shape}; a gradient "
                "must have the shape of its parameter (PyTorch: 'assigned grad has data of a "
                f"different size'): set p.grad = None or assign a gradient of shape {d.shape}"
            )
        for name, v in (state or {}).items():
            if isinstance(v, np.ndarray) and v.shape != d.shape:
                raise RuntimeError(
                    f"{where} has shape {d.shape} but its optimizer state {name!r} has shape "
                    f"{v.shape}: the parameter's .data was replaced by an array of another "
                    "shape after the optimizer's first step; build a new optimizer for the "
                    "resized parameter (or give .data its old shape back)"
                )
        if not d.flags.writeable:
            raise RuntimeError(
                f"{where}.data is read-only (e.g. from np.load(..., mmap_mode='r') or a broadcast "
                "view) and the update is written in place: assign p.data = p.data.copy()"
            )
        raise RuntimeError(
            f"{where}.data is not C-contiguous and the update is written in place: assign "
            "p.data = np.ascontiguousarray(p.data)"
        )

    # ---- state_dict --------------------------------------------------------------------------
    def state_dict(self) -> dict:
        """{'state': {index: {name: value}}, 'param_groups': [{hyperparams, 'params': [index]}]}.

        Parameters are numbered in group order, as torch does; arrays are copies.
        """
        index: dict[int, int] = {}
        groups = []
        for g in self.param_groups:
            packed = {k: v for k, v in g.items() if k != "params"}
            packed["params"] = []
            for p in g["params"]:
                index.setdefault(id(p), len(index))
                packed["params"].append(index[id(p)])
            groups.append(packed)
        state = {}
        for g in self.param_groups:
            for p in g["params"]:
                if p in self.state:
                    state[index[id(p)]] = copy.deepcopy(self.state[p])
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore hyperparameters and buffers saved by state_dict() (same param layout)."""
        saved = state_dict["param_groups"]
        if len(saved) != len(self.param_groups):
            raise ValueError(
                f"loaded state dict has a different number of parameter groups ({len(saved)}) "
                f"than the optimizer ({len(self.param_groups)})"
            )
        sizes = [(len(s["params"]), len(g["params"])) for s, g in zip(saved, self.param_groups)]
        if any(a != b for a, b in sizes):
            raise ValueError(
                "loaded state dict contains a parameter group that doesn't match the size of "
                f"optimizer's group (saved, current sizes: {sizes})"
            )
        new_state: dict = {}
        for s, g in zip(saved, self.param_groups):
            for idx, p in zip(s["params"], g["params"]):
                if idx in state_dict["state"]:
                    new_state[p] = {
                        k: _cast_like(v, p) for k, v in state_dict["state"][idx].items()
                    }
            for k, v in s.items():
                if k != "params":
                    g[k] = copy.deepcopy(v)
        self.state = new_state

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, g in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for k in sorted(g):
                if k != "params":
                    lines.append(f"    {k}: {g[k]}")
        lines.append(")")
        return "\n".join(lines)


def _cast_like(v: Any, p: Tensor) -> Any:
    if isinstance(v, np.ndarray):
        if v.shape != p.shape:
            raise ValueError(
                f"load_state_dict: a saved buffer has shape {v.shape} but its parameter has "
                f"shape {p.shape}"
            )
        # C order: the kernels update a buffer through its ravel(), which must be a view
        return np.array(v, dtype=p.dtype, order="C", copy=True)
    return copy.deepcopy(v)
