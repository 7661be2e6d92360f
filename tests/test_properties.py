"""Property test: every op and every activation in F against a float64 numpy reference.

Hypothesis draws the shape (0-3 dims, sides 1-4), the layout of the input (contiguous,
transposed or sliced: the op then sees a non-contiguous view, and the gradient flows back
through the view), the dim/keepdim of reductions and a seed for the values; each op runs in
float32 and float64. Values are compared with the numpy formula (tests/property_ops.py), and
gradients with central differences of that formula in float64: a reference that shares no code
with the engine. Tolerances are per dtype.

Values are finite, distinct and at least 0.05 away from every kink, where finite differences
mean nothing; NaN, inf and the kink conventions are tested in tests/test_activations.py and
tests/test_activation_table.py. Derandomized and bounded: the same examples on every run, a
few seconds in all. A case that finds a bug in the engine is marked xfail(strict=True) with
the reason, so that the fix shows up as an XPASS failure to act on.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from property_ops import ACTIVATIONS, NOT_ACTIVATIONS, OPS, Op

import tinygrad_act as ta
import tinygrad_act.functional as F

TOL = {  # ((rtol, atol) of values, (rtol, atol) of gradients)
    np.float32: ((1e-4, 1e-5), (1e-3, 1e-4)),
    np.float64: ((1e-9, 1e-12), (1e-5, 1e-7)),
}
DTYPES = [np.float32, np.float64]
SETTINGS = settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
# op name -> a bug this test found in the engine (fix it there, then drop the entry). Empty: the
# 0-d boolean mask it found (ta.tensor(2.0)[ta.tensor(True)]) is fixed in ops/indexing.py.
XFAIL: dict[str, str] = {}


@st.composite
def setups(draw, op: Op):
    ndim = draw(st.integers(*op.ndims))
    shape = tuple(draw(st.integers(1, 4)) for _ in range(ndim))
    layouts = ["contiguous"] + (["sliced"] if ndim else [])
    layout = draw(st.sampled_from(layouts + (["transposed", "both"] if ndim > 1 else [])))
    dim, keepdim = None, False
    if op.dim:
        dims = st.integers(-ndim, ndim - 1)
        if "tuple" in op.dim:  # several dims at once, as PyTorch's sum/mean/amax/logsumexp take
            several = st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True)
            dims = st.one_of(dims, several.map(lambda d: tuple(sorted(d))))
        dim = draw(st.one_of(st.none(), dims) if op.dim.startswith("optional") else dims)
        keepdim = dim is not None and draw(st.booleans())
    return shape, layout, dim, keepdim, draw(st.integers(0, 2**32 - 1))


# Explicit examples for every op, on top of the drawn ones: the largest rank the op takes, each
# non-contiguous layout, size-1 dims, a reduction over a middle dim with keepdim.
_EXAMPLES = [((3, 2, 4), "transposed", 1, True), ((2, 3, 4), "sliced", -1, False),
             ((1, 4, 1), "contiguous", 0, True), ((4, 3), "both", None, False)]  # fmt: skip


def _with_examples(op: Op, test):
    lo, hi = op.ndims
    for shape, layout, dim, keepdim in _EXAMPLES:
        nd = max(lo, min(hi, len(shape)))
        shape = (shape + (2, 2, 2))[:nd]
        if (layout in ("transposed", "both") and nd < 2) or (layout == "sliced" and nd < 1):
            layout = "contiguous"
        if not op.dim:
            dim, keepdim = None, False
        elif dim is None and op.dim == "required":
            dim = -1
        if dim is not None:
            dim = min(max(dim, -nd), nd - 1)
        test = example((shape, layout, dim, keepdim, 7))(test)
    return test


def _values(rng, size: int, op: Op) -> np.ndarray:
    # distinct values (no ties for max/min), spread over the op's domain, kept off the kinks
    v = (rng.permutation(size) + rng.uniform(0.2, 0.8, size)) / max(size, 1)
    x = {"real": 6 * v - 3, "wide": 16 * v - 8, "positive": 0.25 + 4 * v}[op.domain]
    for k in op.kinks:
        near = np.abs(x - k) < 0.05
        x[near] += np.where(x[near] >= k, 0.1, -0.1)
    return x


def _base_shape(shape, layout):
    if layout == "contiguous":
        return shape
    doubled = (2 * shape[0], *shape[1:]) if layout in ("sliced", "both") else shape
    return doubled[::-1] if layout in ("transposed", "both") else doubled


def _view(b, layout):
    """The op's input as a view of the leaf b (Tensor or numpy array): "transposed" reverses
    the dims, "sliced" takes every other row, "both" does one then the other."""
    if layout in ("transposed", "both"):
        b = b.permute(*reversed(range(b.ndim))) if isinstance(b, ta.Tensor) else b.transpose()
    return b[::2] if layout in ("sliced", "both") else b


def _central_differences(loss, leaves, i, eps=1e-6):
    a = leaves[i]
    grad = np.zeros_like(a)
    for j in range(a.size):
        v = a.flat[j]
        a.flat[j] = v + eps
        up = loss(leaves)
        a.flat[j] = v - eps
        down = loss(leaves)
        a.flat[j] = v
        grad.flat[j] = (up - down) / (2 * eps)
    return grad


def run(op: Op, dtype, setup) -> None:
    shape, layout, dim, keepdim, seed = setup
    rng = np.random.default_rng(seed)
    base = _values(rng, int(np.prod(_base_shape(shape, layout))), op)
    base = base.reshape(_base_shape(shape, layout)).astype(dtype)
    x_np = np.asarray(_view(base.astype(np.float64), layout))
    extra = [np.array(e, dtype=dtype) for e in (op.extra(rng, x_np) if op.extra else [])]
    consts = op.consts(rng, x_np) if op.consts else {}
    params = dict(consts, **({"dim": dim, "keepdim": keepdim} if op.dim else {}))
    leaves64 = [np.array(a, dtype=np.float64) for a in [base, *extra]]  # writable copies

    tensors = [ta.tensor(a, requires_grad=True) for a in [base, *extra]]
    out = op.ta_fn(_view(tensors[0], layout), *tensors[1:], **params)
    ref = op.np_fn(_view(leaves64[0], layout), *leaves64[1:], **params)
    (v_rtol, v_atol), (g_rtol, g_atol) = TOL[dtype]
    assert out.dtype == dtype, f"{op.name}: {out.dtype} output for {np.dtype(dtype)} input"
    assert out.shape == np.shape(ref), f"{op.name}: shape {out.shape}, numpy {np.shape(ref)}"
    np.testing.assert_allclose(out.numpy().astype(np.float64), ref, v_rtol, v_atol,
                               err_msg=f"{op.name} values")  # fmt: skip

    g = rng.standard_normal(out.shape).astype(dtype)
    out.backward(gradient=g)

    def loss(leaves):
        return float(np.sum(g * op.np_fn(_view(leaves[0], layout), *leaves[1:], **params)))

    for i, t in enumerate(tensors):
        expected = _central_differences(loss, leaves64, i)
        assert t.grad is not None, f"{op.name}: no gradient for input {i}"
        got = t.grad.numpy()
        assert got.dtype == dtype and got.shape == expected.shape, (op.name, i, got.dtype)
        scale = max(1.0, float(np.abs(expected).max(initial=0)))  # sums of many terms
        np.testing.assert_allclose(got.astype(np.float64), expected, g_rtol, g_atol * scale,
                                   err_msg=f"{op.name} gradient of input {i}")  # fmt: skip


def _params(ops):
    return [
        pytest.param(op, marks=pytest.mark.xfail(strict=True, reason=XFAIL[op.name]))
        if op.name in XFAIL
        else op
        for op in ops
    ]


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("op", _params(OPS), ids=lambda op: op.name)
def test_op_matches_numpy(op, dtype):
    SETTINGS(_with_examples(op, given(setups(op))(lambda setup: run(op, dtype, setup))))()


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("op", _params(ACTIVATIONS), ids=lambda op: op.name)
def test_activation_matches_numpy(op, dtype):
    SETTINGS(_with_examples(op, given(setups(op))(lambda setup: run(op, dtype, setup))))()


def _takes_input_first(fn) -> bool:
    try:
        first = next(iter(inspect.signature(fn).parameters), None)
    except (TypeError, ValueError):
        return False
    return first == "input" and not inspect.isclass(fn)


def test_every_activation_in_F_has_a_reference():
    # F's functions of a tensor `input` (PyTorch's convention): each activation must be here
    public = {n for n in dir(F) if not n.startswith("_") and _takes_input_first(getattr(F, n))}
    covered = {op.name.split("_")[0] for op in ACTIVATIONS} | {"dropout", "leaky_relu"}
    missing = public - NOT_ACTIVATIONS - covered
    assert not missing, f"F has activations without a reference in property_ops.py: {missing}"
    assert {"relu", "elu", "gelu", "softplus", "prelu"} <= public  # the check looks at F
