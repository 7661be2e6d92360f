"""The activation table (ops/activations.py, rows of ops/activation_spec.ActivationSpec): its
invariants, one graph-node class per row, F and nn built from the rows, the generated docs,
register_activation end to end, and that the test checkers catch wrong answers."""

from __future__ import annotations

import ast
import inspect
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from activation_golden import cases, check_close, check_exact, golden, markdown, run_op

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import gradcheck, nn
from tinygrad_act.kernels._parallel import njit
from tinygrad_act.ops import activations as A
from tinygrad_act.ops.activation_spec import STANDARD_SAVES, Activation, ActivationSpec
from tinygrad_act.ops.activations import BUILTIN, TABLE

# numpy or Numba warnings (also while compiling, on a cold cache) fail these tests
pytestmark = pytest.mark.filterwarnings("error")

ROOT = Path(__file__).resolve().parents[1]
ISSUE_OPS = (
    "relu leaky_relu prelu rrelu elu celu selu gelu silu mish softplus relu6 hardtanh hardswish "
    "hardsigmoid softsign sigmoid tanh threshold"
).split()


def test_every_op_of_the_issue_is_one_row_reachable_from_f_and_nn():
    assert [s.name for s in BUILTIN] == ISSUE_OPS
    for spec in BUILTIN:
        assert TABLE[spec.name] is spec
        assert callable(getattr(F, spec.name))
        assert issubclass(getattr(nn, spec.cls), nn.Module)
        assert A.function_for(spec.name).__name__ == spec.cls
        assert hasattr(spec.forward, "py_func") and hasattr(spec.backward, "py_func")  # Numba
        assert spec.kink and spec.formula
        if not spec.custom:
            assert spec.saves in STANDARD_SAVES
    assert len({s.cls for s in BUILTIN}) == len(BUILTIN)
    assert {k.split("|")[0] for k in golden() if k.endswith("|cases")} == set(ISSUE_OPS)


def test_every_graph_node_is_a_class_holding_its_row():
    """`grep "class ELU(Activation)"` finds ELU's node, and its row is right there."""
    source = inspect.getsource(A)
    for spec in BUILTIN:
        node = A.function_for(spec.name)
        assert node.spec is spec and node.__qualname__ == spec.cls
        base = "Activation" if issubclass(node, Activation) else "Function"
        assert f"\nclass {spec.cls}({base}):\n    " in source, spec.cls
        assert f'name="{spec.name}"' in inspect.getsource(node)  # the row sits in the class
    kernels = (ROOT / "tinygrad_act" / "kernels").glob("activations*.py")
    for path in kernels:  # no aliases to chase: every kernel is a def
        assert not re.search(r"^\w+ = \w+_(forward|backward)\b", path.read_text(), re.M), path


def test_activation_forward_runs_through_launch_only():
    src = inspect.getsource(Activation.forward) + inspect.getsource(Activation.backward)
    assert src.count("launch(") == 2 and "PARALLEL_THRESHOLD" not in src


# PyTorch 2.13's parameter names and defaults (inspect.signature of torch.nn.functional.<name>;
# gelu, softplus and prelu are builtins without one: from their documentation).
TORCH_SIGNATURES = {
    "relu": [("input", None), ("inplace", False)],
    "leaky_relu": [("input", None), ("negative_slope", 0.01), ("inplace", False)],
    "prelu": [("input", None), ("weight", None)],
    "rrelu": [("input", None), ("lower", 0.125), ("upper", 1 / 3), ("training", False)]
    + [("inplace", False)],
    "elu": [("input", None), ("alpha", 1.0), ("inplace", False)],
    "celu": [("input", None), ("alpha", 1.0), ("inplace", False)],
    "selu": [("input", None), ("inplace", False)],
    "gelu": [("input", None), ("approximate", "none")],
    "silu": [("input", None), ("inplace", False)],
    "mish": [("input", None), ("inplace", False)],
    "softplus": [("input", None), ("beta", 1.0), ("threshold", 20.0)],
    "relu6": [("input", None), ("inplace", False)],
    "hardtanh": [("input", None), ("min_val", -1.0), ("max_val", 1.0), ("inplace", False)],
    "hardswish": [("input", None), ("inplace", False)],
    "hardsigmoid": [("input", None), ("inplace", False)],
    "softsign": [("input", None)],
    "sigmoid": [("input", None)],
    "tanh": [("input", None)],
    "threshold": [("input", None), ("threshold", None), ("value", None), ("inplace", False)],
}


@pytest.mark.parametrize("name", ISSUE_OPS)
def test_functional_signature_and_docstring_come_from_the_row(name):
    spec, fn = TABLE[name], getattr(F, name)
    got = [
        (p.name, None if p.default is inspect.Parameter.empty else p.default)
        for p in inspect.signature(fn).parameters.values()
    ]
    assert got == TORCH_SIGNATURES[name]
    assert fn.__name__ == name and spec.formula in fn.__doc__ and spec.kink in fn.__doc__
    if name != "prelu":
        module = getattr(nn, spec.cls)
        assert spec.formula in module.__doc__ and module.__module__ == "tinygrad_act.nn.activations"


def test_positional_and_keyword_arguments_bind_like_pytorch():
    x = ta.tensor([-2.0, 0.5], dtype=ta.float64)
    np.testing.assert_array_equal(F.leaky_relu(x, 0.2).numpy(), [-0.4, 0.5])
    np.testing.assert_array_equal(F.threshold(x, 0.0, 7.0).numpy(), [7.0, 0.5])
    with pytest.raises(TypeError, match="multiple values for argument 'negative_slope'"):
        F.leaky_relu(x, 0.2, negative_slope=0.3)
    with pytest.raises(TypeError, match=r"leaky_relu\(\) takes from 1 to 3 positional"):
        F.leaky_relu(x, 0.2, False, 3)
    with pytest.raises(TypeError, match=r"gelu\(\) got an unexpected keyword argument 'inplace'"):
        F.gelu(x, inplace=True)
    with pytest.raises(TypeError, match=r"threshold\(\) missing 1 required positional .*'value'"):
        F.threshold(x, 0.5)
    with pytest.raises(TypeError, match="gelu: unexpected parameter.*inplace"):
        ta.ops.activations.GELU.apply(x, inplace=True)  # the graph node refuses it too


def _golden_cases_of_the_generator() -> dict:
    """CASES from tools/make_golden_activations.py, read without importing torch."""
    tree = ast.parse((ROOT / "tools" / "make_golden_activations.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "CASES":
            return ast.literal_eval(node.value)
    raise AssertionError("tools/make_golden_activations.py has no CASES")


def test_golden_file_covers_every_case_of_the_generator():
    want = _golden_cases_of_the_generator()
    for spec in BUILTIN:
        assert cases(spec.name) == want.get(spec.name, [{}]), f"regenerate: {spec.name}"


def test_docs_are_generated_from_the_table():
    page = (ROOT / "docs" / "activations.md").read_text()
    assert page == markdown(), "run: python tools/gen_activation_docs.py > docs/activations.md"
    for spec in BUILTIN:
        assert f"`{spec.cls}`" in page
    assert "## NaN" in page


def test_first_import_compiles_nothing():
    """Kernels compile (or load from the cache) on first use, not at import."""
    code = (
        "import tinygrad_act\n"
        "from tinygrad_act.ops.activations import TABLE\n"
        "print(sum(len(s.forward.signatures) + len(s.backward.signatures) "
        "for s in TABLE.values()))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "0", out.stderr


# ---- register_activation: a student's new op is one kernel pair plus one entry ----------------
@njit
def square_relu_forward(x, out):
    """out = x * x if x > 0 else 0."""
    zero = x.dtype.type(0)
    for i in range(x.shape[0]):
        v = x[i]
        out[i] = v * v if v > zero else zero


@njit
def square_relu_backward(grad_out, x, grad_in):
    """d/dx = 2x if x > 0 else 0."""
    zero, two = x.dtype.type(0), x.dtype.type(2)
    for i in range(x.shape[0]):
        v = x[i]
        grad_in[i] = grad_out[i] * two * v if v > zero else zero


@pytest.fixture
def square_relu():
    spec = ActivationSpec(
        name="square_relu",
        cls="SquareReLU",
        formula="x^2 if x > 0 else 0",
        forward=square_relu_forward,
        backward=square_relu_backward,
        saves="input",
        kink="0 at x = 0",
        kinks=(0.0,),
    )
    fn = A.register_activation(spec)
    yield fn
    A.unregister_activation("square_relu")


def test_register_activation_makes_function_functional_and_module(square_relu):
    x = ta.tensor([-1.0, 0.5, 2.0], dtype=ta.float64, requires_grad=True)
    y = F.square_relu(x)
    np.testing.assert_array_equal(y.numpy(), [0.0, 0.25, 4.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1.0, 4.0])
    assert repr(nn.SquareReLU()) == "SquareReLU()"
    np.testing.assert_array_equal(nn.SquareReLU()(x).numpy(), y.numpy())
    assert square_relu.apply(x).grad_fn.saved_tensors[0] is not None
    assert gradcheck(
        F.square_relu, (ta.tensor([-1.3, 0.7, 2.1], dtype=ta.float64, requires_grad=True),)
    )
    assert "square_relu" in markdown()
    with pytest.raises(ValueError, match="already registered"):
        A.register_activation(TABLE["square_relu"])


def test_names_that_cannot_be_python_names_are_refused():
    spec = ActivationSpec("my-act", "MyAct", "x", square_relu_forward, square_relu_backward)
    with pytest.raises(ValueError, match=r"\['my-act'\] must be Python identifiers"):
        A.register_activation(spec)
    assert "my-act" not in TABLE


def test_unknown_names_raise_attribute_errors():
    assert not hasattr(F, "no_such_activation")
    assert not hasattr(nn, "NoSuchActivation")
    with pytest.raises(ValueError, match="saves must be one of"):
        A.register_activation(
            ActivationSpec("bad", "Bad", "x", square_relu_forward, square_relu_backward, saves="x")
        )


# ---- the checkers used by the golden tests fail on wrong answers --------------------------------
def test_exact_checker_catches_a_maximum_style_relu_at_zero():
    pts = golden()["relu|0|float32|pts"]
    _, g = run_op("relu", {}, pts, np.ones_like(pts))
    refs = (golden()["relu|0|float32|g_vec"], golden()["relu|0|float32|g_sca"])
    check_exact("relu grad", g, refs, pts)  # ours passes
    half_at_zero = np.where(pts == 0, 0.5, g)  # what autograd through maximum(x, 0) gives
    with pytest.raises(AssertionError, match="relu grad: at x="):
        check_exact("relu grad", half_at_zero, refs, pts)


def test_exact_checker_catches_one_ulp_and_a_lost_nan():
    pts = golden()["elu|1|float64|pts"]
    y, _ = run_op("elu", {"alpha": 1.5}, pts, np.ones_like(pts))
    refs = (golden()["elu|1|float64|y_vec"], golden()["elu|1|float64|y_sca"])
    check_exact("elu", y, refs, pts)
    bumped = y.copy()
    i = int(np.flatnonzero(np.isfinite(y) & (y != 0))[0])
    bumped[i] = np.nextafter(bumped[i], np.inf)
    with pytest.raises(AssertionError):
        check_exact("elu", bumped, refs, pts)
    with pytest.raises(AssertionError):
        check_exact("elu", np.nan_to_num(y), refs, pts)


def test_close_checker_respects_rtol_and_nan():
    ref = np.array([1.0, -2.0, np.nan, np.inf])
    check_close("ok", ref * (1 + 5e-7), ref, 1e-6)
    with pytest.raises(AssertionError, match="1 of 4 differ"):
        check_close("bad", ref * np.array([1, 1 + 2e-6, 1, 1]), ref, 1e-6)
    with pytest.raises(AssertionError):
        check_close("nan", np.array([1.0, -2.0, 0.0, np.inf]), ref, 1e-6)
    with pytest.raises(AssertionError):
        check_close("inf", np.array([1.0, -2.0, np.nan, -np.inf]), ref, 1e-6)
