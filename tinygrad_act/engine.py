"""The backward engine: topological order, gradient accumulation into leaves, freeing the graph.

`backward(root)` walks the graph built by `Function.apply` (autograd.py) from `root` back to the
leaves in an iterative topological order, so a 100,000-op chain does not hit Python's recursion
limit. Before a node's backward runs, the versions of the tensors it saved are checked (an
in-place write in between raises). Afterwards, unless `retain_graph=True`, each used node drops
its saved arrays and its edges to its inputs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .recording import ACTIVE as _recording
from .tensor import Tensor
from .versions import WRITES, check_saved

if TYPE_CHECKING:
    from .autograd import Context

__all__ = ["backward"]


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
    # ta.compile recording this step: each array the loop makes is reported, to be remade
    rec = _recording[0]
    if rec is not None and rec.busy:
        rec = None
    if root._ctx is None:  # a leaf: d(root)/d(root) = 1
        _accumulate_leaf(root, g0, rec)
        return
    grads: dict[int, np.ndarray] = {id(root._ctx): g0}
    pop, get = grads.pop, grads.get
    for node in _topological_order(root._ctx):
        g = pop(id(node), None)
        if g is None:
            continue
        if node._hooks:
            if rec is not None:
                rec.hook(f"a hook on the output of {node.fn.__name__}")
            for hook in node._hooks:
                new = hook(g)
                if new is not None:
                    g = new
        if node._saved and node._epoch != WRITES[0]:  # an in-place write since node was made
            check_saved(node)
        if rec is None:
            in_grads = node.fn.backward(node, g)
        else:
            rec.busy = True
            try:
                in_grads = node.fn.backward(node, g)
            finally:
                rec.busy = False
        if type(in_grads) is not tuple:
            in_grads = (in_grads,)
        parents, needs = node.parents, node.needs_input_grad
        if len(in_grads) != len(parents):
            raise RuntimeError(
                f"{node.fn.__name__}.backward returned {len(in_grads)} gradients for "
                f"{len(parents)} inputs; return one per forward input (None where there is none)"
            )
        if rec is not None:
            rec.backward_node(node, g, in_grads)
        for p, gi, need in zip(parents, in_grads, needs):
            if gi is None or not need:
                continue
            pd = p.data
            if type(gi) is not np.ndarray or gi.shape != pd.shape or gi.dtype != pd.dtype:
                raw = gi
                gi = _check_grad(node, _position(parents, p), gi, p)
                if rec is not None:
                    rec.cast(raw, gi)
            if p._ctx is None:
                if p._grad is None and not p._hooks:
                    if rec is not None:  # a replay adopts only where eager found no .grad
                        rec.grad_read(p)
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
                        src, gi = gi, gi.copy()
                        if rec is not None:
                            rec.copy(src, gi)
                    p._grad = Tensor._wrap(gi)
                    if rec is not None:
                        rec.grad_set(p, p._grad)
                else:
                    _accumulate_leaf(p, gi, rec)
            else:
                key = id(p._ctx)
                prev = get(key)
                # never add in place: gi may alias a gradient another input also received
                if prev is None:
                    grads[key] = gi
                else:
                    grads[key] = total = prev + gi
                    if rec is not None:
                        rec.add(prev, gi, total)
        if not retain_graph:
            # drop what a used node keeps alive: its saved arrays and its edges to the inputs.
            # A caller that holds the loss (a logging habit) holds its node; without this, every
            # activation of the step stays alive with it. `_freed` lets a second backward through
            # this node name the op in its error.
            node._saved = ()
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


def _accumulate_leaf(p: Tensor, g: np.ndarray, rec: Any = None) -> None:
    if p._hooks:
        if rec is not None:
            rec.hook("a hook on a leaf tensor")
        for hook in p._hooks:
            new = hook(g)
            if new is not None:
                g = new
    if rec is not None:
        rec.grad_read(p)
    if p._grad is None:
        # copy: g may be shared with another input (Add hands both the same array)
        p._grad = Tensor._wrap(np.array(g, dtype=p.data.dtype, copy=True))
        if rec is not None:
            rec.copy(g, p._grad.data)
            rec.grad_set(p, p._grad)
    else:
        p._grad.data += g
        if rec is not None:
            rec.add(p._grad.data, g, p._grad.data)
