"""optimizer.step() checks every parameter before any kernel runs (issue 10 items 4 and 19).

A Numba kernel indexes its arrays without bounds checks: a gradient or a state buffer smaller than
the parameter makes it read or write out of bounds (a segfault, exit 139, or weights like -7.6e31).
The cases run in one child process, so a crash fails the tests instead of killing pytest; for
each case the child prints the error it got and whether the weights stayed untouched.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import tinygrad_act as ta
from tinygrad_act import nn, optim

_PRELUDE = """
import json, sys
import numpy as np
import tinygrad_act as ta
from tinygrad_act import nn, optim

def first_step(opt_name, model):
    opt = {"sgd": lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9),
           "adam": lambda ps: optim.Adam(ps, lr=0.1)}[opt_name](model.parameters())
    model(ta.ones(1, 1000)).sum().backward()
    opt.step()  # creates the state buffers (momentum, Adam moments) at the parameter's shape
    return opt

def report(model, opt):
    before = [p.data.copy() for p in model.parameters()]
    try:
        opt.step()
        err = None
    except Exception as e:
        err = f"{type(e).__name__}: {e}"
    same = all(np.array_equal(a, p.data) for a, p in zip(before, model.parameters()))
    print(json.dumps({"case": CASE, "opt": OPT, "error": err, "untouched": same}), flush=True)
"""

CASES = {
    # the bias is params[1]: the weight, params[0], would be updated before the bias is reached
    # .data replaced by a larger array; grad and state buffers keep the old size
    "data_grew": """
model = nn.Linear(1000, 1000); opt = first_step(OPT, model)
model.bias.data = np.ones(400_000, np.float32)
report(model, opt)
""",
    # .data and .grad both replaced by larger arrays: only the state buffers are stale
    "data_and_grad_grew": """
model = nn.Linear(1000, 1000); opt = first_step(OPT, model)
model.bias.data = np.ones(400_000, np.float32)
model.bias.grad = ta.ones(400_000)
report(model, opt)
""",
    # .data replaced by a smaller array, grad of the old size
    "data_shrank": """
model = nn.Linear(1000, 1000); opt = first_step(OPT, model)
model.bias.data = np.ones(10, np.float32)
report(model, opt)
""",
    # a gradient of the wrong shape, with a fresh optimizer (no state yet): `p.grad = ...` refuses
    # it (tensor.py), but replacing the gradient's own array goes around that check
    "grad_wrong_shape": """
model = nn.Linear(1000, 1000)
opt = {"sgd": optim.SGD, "adam": optim.Adam}[OPT](model.parameters(), lr=0.1)
model.weight.grad = ta.ones(1000, 1000)
model.bias.grad = ta.ones(1000)
model.bias.grad.data = np.ones(400_000, np.float32)
report(model, opt)
""",
}


@pytest.fixture(scope="module")
def child_results() -> tuple[dict, str]:
    """Run every case for both optimizers in one child; a segfault ends it (exit -11)."""
    code = _PRELUDE
    for opt in ("sgd", "adam"):
        for case, body in sorted(CASES.items()):
            code += f"OPT, CASE = {opt!r}, {case!r}\n" + textwrap.dedent(body)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    got = {}
    for line in proc.stdout.splitlines():
        row = json.loads(line)
        got[row["case"], row["opt"]] = row
    return got, f"child exit {proc.returncode}: {proc.stderr[-1500:]}"


@pytest.mark.parametrize("opt", ["sgd", "adam"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_step_refuses_mismatched_shapes_before_touching_any_weight(case, opt, child_results):
    results, crash = child_results
    assert (case, opt) in results, f"the child crashed before or during this case ({crash})"
    got = results[case, opt]
    assert got["error"] is not None, "step() ran on mismatched arrays"
    assert got["error"].startswith(("RuntimeError", "ValueError"))
    assert "shape" in got["error"] and "(1000,)" in got["error"]
    assert "param_groups[0]['params'][1]" in got["error"]
    # every parameter is checked before any update: the bias (updated after the weight in the
    # same step) is untouched too
    assert got["untouched"]


def test_error_names_the_shapes_and_the_fix():
    model = nn.Linear(3, 2)
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(ta.ones(1, 3)).sum().backward()
    opt.step()
    model.weight.data = np.ones((5, 3), np.float32)
    model.weight.grad = ta.ones(5, 3)
    with pytest.raises(RuntimeError) as e:
        opt.step()
    msg = str(e.value)
    assert "SGD.step" in msg and "momentum_buffer" in msg
    assert "(2, 3)" in msg and "(5, 3)" in msg
    assert "new optimizer" in msg


def test_grad_shape_error_reads_like_pytorchs():
    p = nn.Parameter(np.zeros((2, 3), np.float32))
    opt = optim.Adam([p])
    p.grad = ta.ones(2, 3)
    p.grad.data = np.ones((3, 2), np.float32)  # same size, other shape: still refused
    with pytest.raises(RuntimeError, match=r"Adam.step: .*grad has shape \(3, 2\).*\(2, 3\)"):
        opt.step()


# ---- read-only and unsupported arrays (issue 10 item 19) ----------------------------------------


def test_parameter_from_a_read_only_array_is_a_writable_copy(tmp_path):
    np.save(tmp_path / "w.npy", np.arange(6, dtype=np.float32).reshape(2, 3))
    mm = np.load(tmp_path / "w.npy", mmap_mode="r")
    p = nn.Parameter(mm)
    assert p.data.flags.writeable
    opt = optim.SGD([p], lr=1.0)
    p.grad = ta.ones(2, 3)
    opt.step()  # was a Numba TypingError (a read-only array type)
    np.testing.assert_array_equal(p.numpy(), np.arange(6).reshape(2, 3) - 1.0)
    np.testing.assert_array_equal(mm, np.arange(6).reshape(2, 3))  # the file is not written


def test_parameter_shares_a_writable_array_like_torch():
    a = np.zeros(3, np.float32)
    p = nn.Parameter(a)
    a[0] = 5.0
    assert p.data[0] == 5.0


def test_read_only_data_assigned_later_is_refused_clearly():
    p = nn.Parameter(np.zeros(3, np.float32))
    opt = optim.SGD([p], lr=1.0, momentum=0.9)
    p.data = np.broadcast_to(np.float32(1.0), (3,))  # a read-only view
    p.grad = ta.ones(3)
    with pytest.raises(RuntimeError, match="read-only"):
        opt.step()


def test_unsupported_parameter_dtype_is_refused_in_step():
    p = nn.Parameter(np.zeros(3, np.float32))
    opt = optim.Adam([p])
    p.grad = ta.ones(3)
    p.data, p.grad.data = np.zeros(3, np.float16), np.ones(3, np.float16)  # around the checks
    with pytest.raises(TypeError, match=r"float16.*float32, float64"):
        opt.step()


@pytest.mark.parametrize(
    "make",
    [
        lambda: nn.Linear(2, 3, dtype=ta.float16),
        lambda: nn.Linear(2, 3).to(ta.float16),
        lambda: nn.Linear(2, 3).to("float16"),
        lambda: nn.Parameter(np.zeros(3, np.float16)),
    ],
    ids=["Linear(dtype)", "Module.to", "Module.to(str)", "Parameter"],
)
def test_float16_is_refused_where_it_enters(make):
    with pytest.raises(TypeError, match=r"float16.*float32, float64"):
        make()


def test_module_to_float16_leaves_the_model_unchanged():
    model = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    with pytest.raises(TypeError):
        model.to(ta.float16)
    assert all(p.dtype == ta.float32 for p in model.parameters())


@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam])
def test_optimizer_refuses_a_float16_tensor_where_it_enters(cls):
    t = ta.zeros(3, requires_grad=True)
    t.data = np.zeros(3, np.float16)  # ta.Tensor refuses float16 itself; .data goes around it
    expected = rf"{cls.__name__}: a parameter is float16.*float32, float64"
    with pytest.raises(TypeError, match=expected):
        cls([t], lr=0.1)


def test_loaded_state_in_fortran_order_is_still_updated_in_place():
    # the kernels update a momentum buffer through a flat view; a buffer loaded in Fortran order
    # would be flattened into a copy and every update to it lost
    def run(reload):
        p = nn.Parameter(np.arange(6, dtype=np.float32).reshape(2, 3))
        opt = optim.SGD([p], lr=0.1, momentum=0.9)
        for i in range(3):
            p.grad = ta.Tensor(np.full((2, 3), i + 1.0, np.float32))
            opt.step()
            if reload and i == 0:
                sd = opt.state_dict()
                sd["state"][0]["momentum_buffer"] = np.asfortranarray(
                    sd["state"][0]["momentum_buffer"]
                )
                opt.load_state_dict(sd)
        return p.numpy()

    np.testing.assert_array_equal(run(True), run(False))


@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam])
def test_step_between_forward_and_backward_raises_like_pytorch(cls):
    # the update writes w in place; the graph saved w for the gradient of w * w: backward must
    # not use the updated values (it used to, silently: w.grad = 2 * w_new instead of 2 * w_old)
    w = nn.Parameter(np.array([1.0, 2.0], np.float32))
    opt = cls([w], lr=0.1)
    w.grad = ta.ones(2)
    loss = (w * w).sum()
    opt.step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_the_usual_order_still_works_after_many_steps():
    w = nn.Parameter(np.array([1.0, 2.0], np.float32))
    opt = optim.SGD([w], lr=0.1, momentum=0.9)
    for _ in range(40):  # more steps than a version cell keeps stamps for
        opt.zero_grad()
        (w * w).sum().backward()
        opt.step()
    assert w._version == 40 and np.all(np.abs(w.numpy()) < 1.0)
