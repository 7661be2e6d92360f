"""gradcheck: compare a function's analytical gradient with float64 central differences.

    from tinygrad_act import gradcheck
    def test_my_op():
        assert gradcheck(my_op, (ta.randn(4, 3, dtype=ta.float64, requires_grad=True),))

Small problems compare the full Jacobian, element by element. Large ones compare random
vector-Jacobian projections u^T J v plus the gradient of u^T f at a sample of coordinates, which
catches a wrong sign, factor or branch without 2n forward passes per output.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .autograd import backward, no_grad
from .tensor import Tensor

__all__ = ["GradcheckError", "GradcheckKinkWarning", "gradcheck", "numerical_jacobian"]

FULL_JACOBIAN_BUDGET = 4096  # forward + backward passes we allow for the exact Jacobian
SAMPLED_COORDINATES = 64


class GradcheckError(RuntimeError):
    """The analytical gradient disagrees with finite differences (message says where)."""


class GradcheckKinkWarning(UserWarning):
    """An input lies within eps of a point where the derivative jumps."""


def _outputs(fn: Callable, args: list) -> list[Tensor]:
    out = fn(*args)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    for o in outs:
        if not isinstance(o, Tensor):
            raise TypeError(f"gradcheck: fn must return Tensors, got {type(o).__name__}")
    return outs


def _flat_out(fn: Callable, args: list) -> np.ndarray:
    with no_grad():
        outs = _outputs(fn, args)
    return np.concatenate([o.data.astype(np.float64).ravel() for o in outs])


def numerical_jacobian(fn: Callable, args: list, i: int, eps: float) -> np.ndarray:
    """J[k, j] = d out_k / d args[i]_j by central differences, shape (outputs, args[i].size)."""
    flat = args[i].data.reshape(-1)
    cols = []
    for j in range(flat.size):
        v = flat[j]
        flat[j] = v + eps
        plus = _flat_out(fn, args)
        flat[j] = v - eps
        minus = _flat_out(fn, args)
        flat[j] = v
        cols.append((plus - minus) / (2 * eps))
    return np.stack(cols, axis=1) if cols else np.zeros((0, 0))


def _coordinate_grads(fn: Callable, args: list, flat: np.ndarray, js, u: np.ndarray, eps: float):
    """d(u . f)/d flat[j] by central differences, for each sampled coordinate j."""
    nums = []
    for j in js:
        s = flat[j]
        flat[j] = s + eps
        fp = _flat_out(fn, args)
        flat[j] = s - eps
        fm = _flat_out(fn, args)
        flat[j] = s
        # subtract before projecting: outputs the nudge does not move cancel exactly, so a large
        # output (t*t + 1e5) adds no rounding error of |u.f| * ulp / eps to the difference
        nums.append(((fp - fm) @ u) / (2 * eps))
    return np.array(nums)


def _vjp(fn: Callable, args: list, diff: list[int], cotangent: np.ndarray) -> list[np.ndarray]:
    """Gradient of <cotangent, fn(args)> with respect to each args[i], i in diff."""
    for i in diff:
        args[i].grad = None
    outs = _outputs(fn, args)
    offset = 0
    for o in outs:
        n = o.data.size
        if o.requires_grad:
            g = cotangent[offset : offset + n].reshape(o.shape).astype(o.dtype)
            backward(o, g)
        offset += n
    return [
        np.zeros(args[i].data.size) if args[i].grad is None else args[i].grad.data.ravel().copy()
        for i in diff
    ]


def _kink_warnings(fn: Callable, args: list, eps: float) -> list[str]:
    """Walk the graph once and name every op whose input sits within eps of one of its kinks."""
    found = []
    seen = set()
    stack = [o._ctx for o in _outputs(fn, args) if o._ctx is not None]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        kinks = node.fn.kink_points(node)
        first = node.parents[0] if node.parents else None
        if kinks and isinstance(first, Tensor):
            x = first.data
            for k in kinks:
                near = np.abs(x - k) <= eps
                if near.any():
                    idx = np.unravel_index(int(np.argmax(near)), x.shape) if x.ndim else ()
                    idx = tuple(int(i) for i in idx)
                    found.append(
                        f"{node.fn.__name__}: input element {idx} = {float(x[idx]):.3g} is within "
                        f"eps={eps} "
                        f"of its kink at {k}; central differences straddle the kink there"
                    )
        stack.extend(p._ctx for p in node.parents if isinstance(p, Tensor) and p._ctx is not None)
    return found


def _compare(num: np.ndarray, ana: np.ndarray, atol: float, rtol: float):
    """Index of the worst violation of |ana - num| <= atol + rtol*|num|, or None if all pass."""
    both_nan = np.isnan(num) & np.isnan(ana)
    err = np.where(both_nan, 0.0, np.abs(ana - num) - (atol + rtol * np.abs(num)))
    err = np.where(np.isnan(err), np.inf, err)
    worst = int(np.argmax(err)) if err.size else 0
    return worst if err.size and err.flat[worst] > 0 else None


def _describe(i: int, shape: tuple, worst_in: int, num: float, ana: float, extra: str) -> str:
    idx = np.unravel_index(worst_in, shape) if shape else ()
    hint = ""
    if np.isfinite(num) and np.isfinite(ana) and abs(num) > 1e-12:
        ratio = ana / num
        if abs(ratio + 1) < 1e-2:
            hint = " (analytical = -numerical: sign flipped?)"
        elif abs(ratio - round(ratio)) < 1e-2 and round(ratio) not in (0, 1):
            hint = f" (analytical = {round(ratio)} x numerical: a constant factor off?)"
        elif abs(ana) < 1e-12:
            hint = " (analytical is 0: gradient dropped?)"
    return (
        f"gradcheck: gradient of input {i} (shape {shape}) is wrong at element "
        f"{tuple(map(int, idx))}"
        f"{extra}: numerical {num:.6g}, analytical {ana:.6g}{hint}"
    )


def gradcheck(
    fn: Callable[..., Any],
    inputs: Tensor | Sequence[Any],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    n_projections: int = 3,
    seed: int = 0,
) -> bool:
    """Check fn's analytical gradients against float64 central differences.

    inputs: a Tensor or a sequence; Tensors with requires_grad=True are checked and must be
    float64. Returns True when every gradient matches (|ana - num| <= atol + rtol*|num|); otherwise
    raises GradcheckError naming the input, the worst element and both values (or returns False
    when raise_exception=False). Warns (GradcheckKinkWarning) when an op's input lies within eps
    of a kink, where finite differences are meaningless.
    """
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    args: list = []
    diff: list[int] = []
    for i, x in enumerate(inputs):
        if isinstance(x, Tensor) and x.requires_grad:
            if x.dtype != np.float64:
                raise ValueError(
                    f"gradcheck: input {i} is {x.dtype}; finite differences need float64 - "
                    "create it with dtype=ta.float64 or call .double()"
                )
            args.append(Tensor(x.data.copy(), dtype=np.float64, requires_grad=True))
            diff.append(i)
        else:
            args.append(x)
    if not diff:
        raise ValueError("gradcheck: no input has requires_grad=True, so there is nothing to check")

    def fail(msg: str, cause: BaseException | None = None) -> bool:
        if raise_exception:
            raise GradcheckError(msg) from cause
        return False

    for msg in _kink_warnings(fn, args, eps):
        warnings.warn(msg, GradcheckKinkWarning, stacklevel=2)
    m = _flat_out(fn, args).size
    n_total = sum(args[i].data.size for i in diff)
    rng = np.random.default_rng(seed)
    try:
        if 2 * n_total + m <= FULL_JACOBIAN_BUDGET:
            ana_rows = [_vjp(fn, args, diff, row) for row in np.eye(m)]
            for pos, i in enumerate(diff):
                num = numerical_jacobian(fn, args, i, eps)
                ana = np.array([r[pos] for r in ana_rows]).reshape(num.shape)
                bad = _compare(num, ana, atol, rtol)
                if bad is not None:
                    k, j = np.unravel_index(bad, num.shape)
                    extra = f" for output element {int(k)} (full Jacobian)"
                    return fail(_describe(i, args[i].shape, j, num[k, j], ana[k, j], extra))
            return True
        for p in range(n_projections):
            u = rng.standard_normal(m)
            grads = _vjp(fn, args, diff, u)
            for pos, i in enumerate(diff):
                flat = args[i].data.reshape(-1)
                v = rng.standard_normal(flat.size)
                saved = flat.copy()
                flat += eps * v
                plus = _flat_out(fn, args)
                flat[:] = saved - eps * v
                minus = _flat_out(fn, args)
                flat[:] = saved
                num, ana = float((plus - minus) @ u) / (2 * eps), float(grads[pos] @ v)
                if (
                    _compare(np.array([num]), np.array([ana]), atol * np.sqrt(flat.size), rtol)
                    is None
                ):
                    continue
                # localize: gradient of u.f at sampled coordinates, then the worst one
                js = rng.choice(
                    flat.size, size=min(flat.size, SAMPLED_COORDINATES * 4), replace=False
                )
                nums_a = _coordinate_grads(fn, args, flat, js, u, eps)
                bad = _compare(nums_a, grads[pos][js], atol, rtol)
                extra = (
                    f" (random projection {p}: u.J.v numerical {num:.6g} vs analytical {ana:.6g})"
                )
                if bad is None:
                    return fail(
                        f"gradcheck: gradient of input {i} (shape {args[i].shape}) fails a random "
                        f"projection{extra}, though the sampled elements agree"
                    )
                return fail(
                    _describe(
                        i, args[i].shape, int(js[bad]), nums_a[bad], grads[pos][js][bad], extra
                    )
                )
            # sampled coordinates catch errors confined to a few elements
            for pos, i in enumerate(diff):
                flat = args[i].data.reshape(-1)
                js = rng.choice(flat.size, size=min(flat.size, SAMPLED_COORDINATES), replace=False)
                nums_a = _coordinate_grads(fn, args, flat, js, u, eps)
                bad = _compare(nums_a, grads[pos][js], atol, rtol)
                if bad is not None:
                    extra = f" (gradient of a random projection u.f, projection {p})"
                    return fail(
                        _describe(
                            i, args[i].shape, int(js[bad]), nums_a[bad], grads[pos][js][bad], extra
                        )
                    )
        return True
    except GradcheckError:
        raise
    except Exception as e:  # a backward that crashes is a failed check, with its reason
        return fail(f"gradcheck: computing the gradient raised {type(e).__name__}: {e}", e)
