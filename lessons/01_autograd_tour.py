"""Lesson 1: an autograd tour -- the chain rule by hand, gradcheck, and what ReLU'(0) is.

The question of these lessons is about ONE number: ReLU's derivative, which is 0 for x < 0 (so a
unit that is negative on every input never learns again) and 1 for x > 0. Before measuring what
that zero does to training, we check that the engine computes derivatives the way we think.

Setup
1. A graph small enough to differentiate on paper: one input x, two hidden ReLU units, one output
   and a squared-error loss,

       z1 = w1 x + b1,  z2 = w2 x + b2,  h_i = relu(z_i),  out = v1 h1 + v2 h2 + c,
       L = (out - t)^2 / 2.

   The weights are chosen so that z1 > 0 (unit 1 is "on") and z2 < 0 (unit 2 is "off"). The chain
   rule gives dL/dout = out - t, dL/dh_i = (out - t) v_i, dL/dz_i = dL/dh_i relu'(z_i),
   dL/dw_i = dL/dz_i x, dL/db_i = dL/dz_i, dL/dx = sum_i dL/dz_i w_i. The table prints each one
   computed with plain Python floats next to what `backward()` put in `.grad` (intermediate nodes
   keep theirs through `retain_grad()`). Unit 2 is off, so every gradient that flows through it is
   exactly 0 -- and the same graph with leaky_relu gives it a small non-zero gradient.
2. `ta.gradcheck` compares the backward pass with central differences (f(x+e) - f(x-e)) / 2e. Away
   from 0 it passes for ReLU; with an input exactly at 0 the difference straddles the kink and
   returns the average of the two slopes, 0.5, while ReLU's backward says 0: gradcheck warns
   (GradcheckKinkWarning) and fails. Neither number is "wrong": any value in [0, 1] is a valid
   subgradient at 0. A library has to pick one.
3. The convention. `F.relu` uses the mask `x > 0`, so ReLU'(0) = 0 (PyTorch, JAX and TensorFlow do
   the same). Writing the same function another way picks another subgradient: `maximum(x, 0)`
   gives 0.5 at a tie in PyTorch and here (each side gets half: tinygrad's source warns about
   exactly this), `x.clamp(min=0)` gives 1 (the boundary counts as inside). The forward values
   are identical; only the gradient at exactly 0 differs. Exact zeros do happen: a zero-initialized
   bias fed by a layer that is all zero on an input, or low-precision arithmetic (Bertoin et al.
   2021, "Numerical influence of ReLU'(0) on backpropagation").
4. A plot of ReLU and leaky ReLU and their derivatives, as computed by autograd on a grid that
   contains 0 (a visible slope is used for the leaky one).

Nothing here trains: the graph and the derivatives at 0 are the same for every seed; the seed
draws gradcheck's random inputs (seed k: one input array away from 0, one with an element at 0).

What to look for: every hand value equals autograd's; gradcheck passes away from the kink and
warns at it, for every seed; the derivative at 0 depends on how ReLU is written.
"""

from __future__ import annotations

import pathlib
import sys
import warnings

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import tinygrad_act as ta  # noqa: E402
import tinygrad_act.functional as F  # noqa: E402
from lessons._common import lesson_main, make_run, pyplot, save_figure  # noqa: E402
from tinygrad_act.testing import GradcheckKinkWarning  # noqa: E402

# the hand-built graph: unit 1 on (z1 = 1.0 > 0), unit 2 off (z2 = -1.0 < 0)
N_SEEDS, QUICK_N_SEEDS = 10, 3
GRAPH = dict(x=1.5, w1=0.8, b1=-0.2, w2=-1.0, b2=0.5, v1=1.5, v2=2.0, c=0.1, t=1.0)
LEAKY_SLOPE = 0.01  # PyTorch's default negative_slope
PLOT_SLOPE = 0.1  # a slope you can see in the plot (0.01 would look like ReLU)
GRADCHECK_SIZE = 64  # elements in each gradcheck input (quick: QUICK_GRADCHECK_SIZE)
QUICK_GRADCHECK_SIZE = 16
KINK_MARGIN = 0.1  # "away from the kink": |x| >= this, far beyond gradcheck's eps
GRADCHECK_EPS = 1e-6  # ta.gradcheck's default step
PLOT_RANGE = 2.0
PLOT_POINTS = 401  # odd, so that the grid contains 0 exactly


def _graph(act, p: dict) -> dict:
    """Build the graph with activation `act`, backpropagate, return every node's value and grad."""
    leaves = {k: ta.tensor(p[k], dtype=ta.float64, requires_grad=True) for k in p if k != "t"}
    x, w1, b1, w2, b2 = (leaves[k] for k in ("x", "w1", "b1", "w2", "b2"))
    v1, v2, c = leaves["v1"], leaves["v2"], leaves["c"]
    z1, z2 = w1 * x + b1, w2 * x + b2
    h1, h2 = act(z1), act(z2)
    out = v1 * h1 + v2 * h2 + c
    loss = (out - p["t"]) ** 2 * 0.5
    inner = dict(z1=z1, z2=z2, h1=h1, h2=h2, out=out)
    for t in inner.values():
        t.retain_grad()  # keep .grad on intermediate nodes (PyTorch's retain_grad)
    loss.backward()
    nodes = {**inner, **leaves}
    return {k: (float(t.item()), float(t.grad.item())) for k, t in nodes.items()}


def _by_hand(p: dict, slope: float = 0.0) -> list[tuple[str, str, float]]:
    """The chain rule in plain Python floats: (node, formula, dL/dnode). slope = act'(z) for z<0."""
    z1, z2 = p["w1"] * p["x"] + p["b1"], p["w2"] * p["x"] + p["b2"]

    def act(z: float) -> float:
        return z if z > 0 else slope * z

    def dact(z: float) -> float:
        return 1.0 if z > 0 else slope

    out = p["v1"] * act(z1) + p["v2"] * act(z2) + p["c"]
    g_out = out - p["t"]
    g_h1, g_h2 = g_out * p["v1"], g_out * p["v2"]
    g_z1, g_z2 = g_h1 * dact(z1), g_h2 * dact(z2)
    return [
        ("out", "out - t", g_out),
        ("v1", "(out - t) h1", g_out * act(z1)),
        ("v2", "(out - t) h2", g_out * act(z2)),
        ("c", "out - t", g_out),
        ("h1", "(out - t) v1", g_h1),
        ("h2", "(out - t) v2", g_h2),
        ("z1", "dL/dh1 act'(z1)", g_z1),
        ("z2", "dL/dh2 act'(z2)", g_z2),
        ("w1", "dL/dz1 x", g_z1 * p["x"]),
        ("b1", "dL/dz1", g_z1),
        ("w2", "dL/dz2 x", g_z2 * p["x"]),
        ("b2", "dL/dz2", g_z2),
        ("x", "dL/dz1 w1 + dL/dz2 w2", g_z1 * p["w1"] + g_z2 * p["w2"]),
    ]


def _gradcheck(fn, x: np.ndarray) -> tuple[bool, bool]:
    """(passed, warned about a kink) for ta.gradcheck(fn, x) in float64."""
    t = ta.tensor(x, dtype=ta.float64, requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ok = ta.gradcheck(fn, (t,), eps=GRADCHECK_EPS, raise_exception=False)
    return bool(ok), any(issubclass(w.category, GradcheckKinkWarning) for w in caught)


def _grad(fn, x: np.ndarray) -> np.ndarray:
    """d/dx of sum(fn(x)), elementwise: the derivative autograd assigns at each x."""
    t = ta.tensor(x, dtype=ta.float64, requires_grad=True)
    fn(t).sum().backward()
    return t.grad.numpy().copy()


def _central_difference(fn, x: float, eps: float) -> float:
    with ta.no_grad():
        hi = fn(ta.tensor([x + eps], dtype=ta.float64)).item()
        lo = fn(ta.tensor([x - eps], dtype=ta.float64)).item()
    return (hi - lo) / (2 * eps)


def _formulations(slope: float) -> dict:
    """Ways to write the same forward function; they differ only in the gradient at 0."""
    return {
        "F.relu(x)": F.relu,
        "x * (x > 0)": lambda x: x * (x > 0),
        "ta.where(x > 0, x, 0)": lambda x: ta.where(x > 0, x, 0.0),
        "ta.maximum(x, 0)": lambda x: ta.maximum(x, 0.0),
        "x.clamp(min=0)": lambda x: x.clamp(min=0.0),
        f"F.leaky_relu(x, {slope:g})": lambda x: F.leaky_relu(x, slope),
    }


def measure(seed: int, quick: bool = False) -> dict:
    """The graph by hand and by autograd, gradcheck on the seed's inputs, derivatives at 0."""
    p, s = GRAPH, LEAKY_SLOPE
    relu, leaky = _graph(F.relu, p), _graph(lambda z: F.leaky_relu(z, s), p)
    leaky_hand = {n: g for n, _, g in _by_hand(p, s)}
    rows = [[n, f, g, relu[n][1], leaky_hand[n], leaky[n][1]] for n, f, g in _by_hand(p)]
    rng = np.random.default_rng(seed)
    n = QUICK_GRADCHECK_SIZE if quick else GRADCHECK_SIZE
    z = rng.standard_normal(n)
    away = np.sign(z) * (np.abs(z) + KINK_MARGIN)  # every |x| >= KINK_MARGIN
    at_kink = away.copy()
    at_kink[rng.integers(n)] = 0.0  # one element exactly on the kink
    forms = _formulations(s)
    gc = {}
    for name in ("F.relu(x)", f"F.leaky_relu(x, {s:g})", "ta.maximum(x, 0)"):
        fn = forms[name]
        ok_kink, warned = _gradcheck(fn, at_kink)
        gc[name] = dict(away=_gradcheck(fn, away)[0], kink=ok_kink, warned=warned,
                        numerical=_central_difference(fn, 0.0, GRADCHECK_EPS),
                        analytical=float(_grad(fn, np.array([0.0]))[0]))  # fmt: skip
    xs = np.array([-1.0, 0.0, 1.0])
    with ta.no_grad():
        ref = F.relu(ta.tensor(xs, dtype=ta.float64)).numpy()
        same = all(np.array_equal(fn(ta.tensor(xs, dtype=ta.float64)).numpy(), ref)
                   for name, fn in forms.items() if "leaky" not in name)  # fmt: skip
    grads = {name: _grad(fn, xs).tolist() for name, fn in forms.items()}
    return dict(rows=rows, z2=relu["z2"][0], gradcheck=gc, grads=grads, forward_identical=same,
                inputs=n)  # fmt: skip


def aggregate(runs: list[dict]) -> dict:
    first, n = runs[0], len(runs)
    gc = {name: {k: sum(r["gradcheck"][name][k] for r in runs) for k in ("away", "kink", "warned")}
          for name in first["gradcheck"]}  # fmt: skip
    for name, g in gc.items():
        g.update({k: first["gradcheck"][name][k] for k in ("numerical", "analytical")})
    diffs = [abs(row[2] - row[3]) for r in runs for row in r["rows"]]
    diffs += [abs(row[4] - row[5]) for r in runs for row in r["rows"]]
    same_graph = all(r["rows"] == first["rows"] and r["grads"] == first["grads"] for r in runs)
    return dict(n=n, seeds=n, rows=first["rows"], z2=first["z2"], max_diff=max(diffs),
                gradcheck=gc, grads=first["grads"], inputs=first["inputs"],
                forward_identical=all(r["forward_identical"] for r in runs),
                same_every_seed=same_graph)  # fmt: skip


def _w2(t: dict) -> tuple[float, float, float]:
    """dL/dw2 (the off unit's weight): ReLU autograd, leaky by hand, leaky autograd."""
    row = next(r for r in t["rows"] if r[0] == "w2")
    return row[3], row[4], row[5]


def claims(t: dict) -> dict[str, bool]:
    n, gc, g = t["n"], t["gradcheck"], t["grads"]
    relu, maxi = gc["F.relu(x)"], gc["ta.maximum(x, 0)"]
    w2_relu, w2_leaky_hand, w2_leaky = _w2(t)
    return {
        "hand = autograd for all gradients (|diff| < 1e-12)": t["max_diff"] < 1e-12,
        "the off unit's weight gets 0 under ReLU": w2_relu == 0.0 and t["z2"] < 0,
        "the off unit's weight gets slope x gradient under leaky ReLU": (
            abs(w2_leaky - w2_leaky_hand) < 1e-12 and w2_leaky != 0
        ),
        "gradcheck passes ReLU away from 0 (every seed)": relu["away"] == n,
        "gradcheck fails ReLU with an input at 0 and warns (every seed)": (
            relu["kink"] == 0 and relu["warned"] == n
        ),
        "ta.maximum(x, 0) passes at 0 (every seed)": maxi["kink"] == n,
        "d/dx at 0: relu 0, maximum 0.5, clamp 1, leaky = slope": (
            [g[k][1] for k in ("F.relu(x)", "ta.maximum(x, 0)", "x.clamp(min=0)")] == [0, 0.5, 1]
            and g[f"F.leaky_relu(x, {LEAKY_SLOPE:g})"][1] == LEAKY_SLOPE
        ),
        "the ReLU spellings compute identical values": t["forward_identical"],
    }


def summarize(t: dict) -> list[str]:
    n, relu, maxi = t["n"], t["gradcheck"]["F.relu(x)"], t["gradcheck"]["ta.maximum(x, 0)"]
    w2_relu, _, w2_leaky = _w2(t)
    g = {k: v[1] for k, v in t["grads"].items()}
    return [
        f"By hand and by backward() the {len(t['rows'])} gradients of the graph differ by at "
        f"most {t['max_diff']:.1e} for ReLU and for leaky ReLU.",
        f"Unit 2 is off (z2 = {t['z2']:g} < 0): with ReLU its weight gets dL/dw2 = {w2_relu:g}, "
        f"with leaky ReLU {w2_leaky:.3g} -- a small gradient, but not none.",
        f"gradcheck on ReLU passed with every |x| >= {KINK_MARGIN:g} for {relu['away']} of {n} "
        f"seeds; with one input at 0 it passed for {relu['kink']} and warned about the kink for "
        f"{relu['warned']}: the central difference there is {relu['numerical']:.3g}, backward "
        f"says {relu['analytical']:.3g}. ta.maximum(x, 0) passed at 0 for {maxi['kink']} of {n}: "
        f"its tie rule gives {maxi['analytical']:.3g}, which equals the central difference.",
        f"At x = 0 the derivative is {g['F.relu(x)']:g} for F.relu, {g['ta.maximum(x, 0)']:g} "
        f"for ta.maximum(x, 0), {g['x.clamp(min=0)']:g} for x.clamp(min=0) and "
        f"{g[f'F.leaky_relu(x, {LEAKY_SLOPE:g})']:g} for leaky ReLU, while the ReLU spellings "
        f"compute {'identical' if t['forward_identical'] else 'DIFFERENT'} values: the derivative "
        "at the kink is a convention, and this library (like PyTorch) picks 0 for relu.",
    ]


def render(t: dict) -> list[tuple[str, list[str], list[list]]]:
    n = t["n"]
    gc = [[name, f"{g['away']} of {n}", f"{g['kink']} of {n}", f"{g['warned']} of {n}",
           g["numerical"], g["analytical"]] for name, g in t["gradcheck"].items()]  # fmt: skip
    return [
        ("The graph: dL/dnode by the chain rule and by autograd",
         ["node", "dL/dnode", "relu: by hand", "relu: autograd", f"leaky {LEAKY_SLOPE:g}: by hand",
          "leaky: autograd"], t["rows"]),
        (f"gradcheck (eps {GRADCHECK_EPS:g}, {t['inputs']} float64 inputs per seed; 'at 0': one "
         "input is 0)", ["function", "passes away from 0", "passes at 0", "kink warning",
                         "central diff at 0", "backward at 0"], gc),
        ("Same forward, different derivative at 0 (d/dx of the sum at x = -1, 0, 1)",
         ["written as", "x = -1", "x = 0", "x = +1"], [[k, *v] for k, v in t["grads"].items()]),
    ]  # fmt: skip


def figures(t: dict, out: str) -> list[str]:
    return [save_figure(derivatives_figure(PLOT_SLOPE), out, "01_relu_derivatives.png")]


def derivatives_figure(slope: float):
    """ReLU and leaky ReLU (slope visible) and their autograd derivatives; markers at x = 0."""
    plt = pyplot()
    grid = np.linspace(-PLOT_RANGE, PLOT_RANGE, PLOT_POINTS)
    fig, (a0, a1) = plt.subplots(1, 2, figsize=(11, 3.8))
    curves = {"relu": F.relu, f"leaky_relu({slope:g})": lambda x: F.leaky_relu(x, slope)}
    # relu wide and solid, leaky dashed on top: where they coincide (x > 0) both stay visible
    styles = (dict(color="#1f77b4", lw=3.5), dict(color="#ff7f0e", lw=1.8, ls="--"))
    for (name, fn), style in zip(curves.items(), styles):
        with ta.no_grad():
            y = fn(ta.tensor(grid, dtype=ta.float64)).numpy()
        a0.plot(grid, y, label=name, **style)
        d = _grad(fn, grid)
        # draw each branch separately so the jump at 0 is not joined by a vertical line
        for part in (grid < 0, grid > 0):
            a1.plot(grid[part], d[part], label=name if part[0] else None, **style)
    marks = {
        "F.relu: 0": (F.relu, "#1f77b4", "o"),
        "ta.maximum(x, 0): 0.5": (lambda x: ta.maximum(x, 0.0), "#2ca02c", "s"),
        "x.clamp(min=0): 1": (lambda x: x.clamp(min=0.0), "#9467bd", "^"),
        f"leaky_relu: {slope:g}": (lambda x: F.leaky_relu(x, slope), "#ff7f0e", "D"),
    }
    for name, (fn, color, m) in marks.items():
        a1.plot(0.0, _grad(fn, np.zeros(1))[0], m, color=color, ms=8, label=f"at x = 0, {name}")
    a0.set(title="forward: f(x)", xlabel="x")
    a1.set(title="backward: f'(x) from autograd; markers: f'(0)", xlabel="x", ylim=(-0.15, 1.15))
    a0.legend(fontsize=8, loc="upper left")
    a1.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.02, 0.5))  # outside: no overlap
    for a in (a0, a1):
        a.axvline(0, color="k", lw=0.6)
        a.grid(alpha=0.3)
    return fig


run = make_run(__name__)

if __name__ == "__main__":
    lesson_main(__name__)
