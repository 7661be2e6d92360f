"""Lesson 7: born dead -- how likely is a deep, narrow ReLU network to be a constant at init?

Lessons 4 and 5 watched units die during training. Some networks never get the chance: they are
"born dead". Lu, Shin, Su & Karniadakis (2020, "Dying ReLU and Initialization: Theory and
Numerical Examples", Commun. Comput. Phys. 28) call a ReLU network born dead when some hidden
layer outputs 0 on every input. Everything after that layer sees a constant, so the network is a
constant function, and no gradient reaches the layers before it: plain gradient descent cannot
repair it, and the output layer can only learn the mean of the targets.

The bound. Take hidden layers of N units each (the width N) and L hidden ReLU layers (the depth L),
weights drawn from a distribution symmetric about 0 (He normal, N(0, 2 / fan_in), here) and zero
biases -- Lu et al.'s "symmetric initialization". Fix one input x. Given the layer below, the N
pre-activations of a layer are independent and symmetric, so all N are <= 0 with probability
2^-N, whatever happened below; the layer is then dead at x (and with zero biases every layer
above it is 0 at x too). So

    P(some layer dead at x) = 1 - (1 - 2^-N)^L.

Being dead on EVERY input of a domain is harder than being dead at one point, hence

    P(born dead) <= 1 - (1 - 2^-N)^L,    N = width, L = number of hidden ReLU layers.

(Lu et al. count layers as affine maps, the output one included: their L-layer network has L - 1
hidden layers, so their exponent L - 1 is our L.) As L grows the bound tends to 1: any deep
enough narrow ReLU network with a symmetric init is born dead. A wider layer (larger N) makes the
all-negative event exponentially rarer.

The experiment. For every width N in (2, 3, 5, 10) and depth L from 2 to 50 we draw >= 1,000
networks (d_in = 2 inputs, one output) and evaluate each on the same 100 inputs drawn uniformly
from [-sqrt(3), sqrt(3)]^2 (mean 0, variance 1 per coordinate). A network counts as born dead when
some hidden layer has every unit never positive on those inputs (`diagnostics.stats.dead_mask`).
Building 180,000 nn.Sequential models and calling `diagnostics.born_dead` on each would take
minutes (about 1-3 ms per network), so the sampler stacks the networks of a cell: one
`nn.init.kaiming_normal_` call on an (n * N, fan_in) tensor draws n layers at once (every row is
drawn independently with a scale that depends only on fan_in, exactly as for n separate layers),
and one batched matmul evaluates them. Sampling random weights and checking constancy IS the
experiment; to make sure the shortcut measures the same thing, a few cells are re-measured on
real nn models with `diagnostics.born_dead` and must agree within sampling error.

Then the remedies, on the same cells: a small positive bias (0.01 and 0.1, He weights), which
nudges every pre-activation towards "on"; and Lu et al.'s randomized asymmetric initialization
(`nn.init.randomized_asymmetric_`, RAI), which gives each neuron one positive Beta(2, 1) weight (or
bias) and small symmetric normal weights elsewhere. The bound does not apply to these asymmetric
inits; we just measure.

Born dead vs constant. A dead layer makes the output exactly constant. The converse fails: the
second table also counts networks whose output is constant to float32 precision on all inputs
(spread <= 1e-6 x |output|, via `diagnostics.stats.is_constant`). Deep, narrow networks can squeeze
the variation of their input below float32 resolution with no layer dead at all (Lu, Su &
Karniadakis 2018 call it "collapse"); the gap between the two columns measures it.

What to look for: the probability rises with depth and falls with width, never exceeds the bound
(beyond a binomial margin of Z standard errors), the bound is nearly tight for N = 2 and loose for
wide layers, and a positive bias or RAI lowers it.
"""

from __future__ import annotations

import math
import pathlib
import sys
import time
from typing import NamedTuple

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import tinygrad_act as ta  # noqa: E402
from lessons._common import LessonResult, lesson_main, mlp, pyplot, save_figure  # noqa: E402
from lessons._common import progress as progress_bar  # noqa: E402
from tinygrad_act import diagnostics, nn  # noqa: E402
from tinygrad_act.diagnostics import stats  # noqa: E402

WIDTHS = (2, 3, 5, 10)  # N: units per hidden layer
DEPTHS = (2, 3, 4, 5, 7, 10, 15, 20, 30, 40, 50)  # L: hidden ReLU layers
QUICK_DEPTHS = (2, 5, 10, 20, 50)
NETWORKS = 1000  # sampled networks per (width, depth, init) cell
QUICK_NETWORKS = 400
INPUT_DIM = 2  # d_in
N_INPUTS = 100  # points of the input domain each network is evaluated on
INPUT_HALF_WIDTH = math.sqrt(3.0)  # uniform on [-a, a]: variance a^2 / 3 = 1
SMALL_BIASES = (0.01, 0.1)  # the "small positive bias" remedy (with He weights)
NEAR_CONSTANT_RTOL = 1e-6  # "constant": output spread <= this * max |output| (~8 float32 ulps)
Z = 3.0  # binomial margin: Z standard errors (+ half a count) before calling a difference real
TABLE_DEPTHS = (10, 50)  # depths shown in the init-comparison table
PLOT_WIDTHS = (3, 5)  # widths drawn in the init-comparison panel
CROSSCHECK = ((2, 10), (3, 20), (5, 50))  # (width, depth) cells re-measured on real nn models
QUICK_CROSSCHECK = ((2, 10), (3, 20))
CROSSCHECK_NETWORKS = 200
QUICK_CROSSCHECK_NETWORKS = 80

SYMMETRIC = "symmetric (He, bias 0)"
RAI = "RAI (Lu et al.)"


class Init(NamedTuple):
    """How a layer is initialized: He normal weights + a constant bias, or RAI."""

    name: str
    kind: str  # "he" or "rai"
    bias: float = 0.0


def init_schemes(small_biases=SMALL_BIASES) -> list[Init]:
    return [
        Init(SYMMETRIC, "he", 0.0),
        *(Init(f"He + bias {b:g}", "he", b) for b in small_biases),
        Init(RAI, "rai"),
    ]


def bound(width: int, depth: int) -> float:
    """Upper bound on P(born dead) for a symmetric init: 1 - (1 - 2^-N)^L."""
    return 1.0 - (1.0 - 2.0**-width) ** depth


def margin(p: float, n: int, z: float = Z) -> float:
    """z binomial standard errors of a proportion p estimated from n draws, plus half a count."""
    return z * math.sqrt(max(p * (1.0 - p), 0.0) / n) + 0.5 / n


def apply_init(init: Init, weight, bias) -> None:
    """Draw a Linear layer's weight and bias (or a stack of layers', see init_layers)."""
    if init.kind == "rai":
        nn.init.randomized_asymmetric_(weight, bias)
    else:
        nn.init.kaiming_normal_(weight, nonlinearity="relu")
        nn.init.constant_(bias, init.bias)


def init_layers(init: Init, n: int, fan_out: int, fan_in: int) -> tuple[np.ndarray, np.ndarray]:
    """n independent layers: weights (n, fan_out, fan_in), biases (n, 1, fan_out), via nn.init.

    He normal and RAI draw each neuron's row independently with a scale that depends only on
    fan_in, so one call on a stacked (n * fan_out, fan_in) tensor samples n layers at once.
    """
    w, b = ta.zeros(n * fan_out, fan_in), ta.zeros(n * fan_out)
    apply_init(init, w, b)
    return w.data.reshape(n, fan_out, fan_in), b.data.reshape(n, 1, fan_out)


def sample_networks(
    width: int, depth: int, init: Init, n: int, X: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Draw n networks (depth hidden ReLU layers of `width` units, one output) and run X through.

    Returns (born_dead, constant), two (n,) bool arrays: some hidden layer never positive on any
    row of X; the output constant over the rows of X to float32 precision (spread <= rtol * max
    |output|: BLAS may round identical rows differently in the last bit, so 0 would be too strict).
    """
    m = X.shape[0]
    h = np.broadcast_to(X, (n, *X.shape))  # (n, inputs, fan_in): every network sees the same X
    dead = np.zeros(n, dtype=bool)
    for _ in range(depth):
        W, b = init_layers(init, n, width, h.shape[2])
        pre = np.matmul(h, W.transpose(0, 2, 1)) + b  # (n, inputs, width)
        # dead_mask wants (inputs, units): lay the n networks' units side by side
        never_positive = stats.dead_mask(pre.transpose(1, 0, 2).reshape(m, n * width))
        dead |= never_positive.reshape(n, width).all(axis=1)
        h = np.maximum(pre, 0.0)
    W, b = init_layers(init, n, 1, width)
    out = (np.matmul(h, W.transpose(0, 2, 1)) + b)[:, :, 0]  # (n, inputs)
    tol = NEAR_CONSTANT_RTOL * np.abs(out).max(axis=1)
    constant = np.array([stats.is_constant(o, atol=t) for o, t in zip(out, tol)])
    return dead, constant


def build_model(width: int, depth: int, init: Init, d_in: int = INPUT_DIM) -> nn.Sequential:
    """The same network as a real nn.Sequential (for the cross-check with diagnostics)."""
    return mlp(d_in, 1, width, depth, nn.ReLU, init=lambda m: apply_init(init, m.weight, m.bias))


def crosscheck(cells, n_vec: dict, p_vec: dict, n_models: int, X: np.ndarray) -> list[dict]:
    """Re-measure (width, depth) cells of the symmetric init with diagnostics.born_dead."""
    init = init_schemes(())[0]
    rows = []
    for width, depth in cells:
        verdicts = [
            diagnostics.born_dead(build_model(width, depth, init), X) for _ in range(n_models)
        ]
        p_engine = float(np.mean([v.has_dead_layer for v in verdicts]))
        p_const = float(np.mean([v.constant for v in verdicts]))
        p = p_vec[(width, depth)]
        pooled = (p * n_vec[(width, depth)] + p_engine * n_models) / (
            n_vec[(width, depth)] + n_models
        )
        se = math.sqrt(max(pooled * (1 - pooled), 0.0) * (1 / n_models + 1 / n_vec[(width, depth)]))
        rows.append(
            dict(
                width=width,
                depth=depth,
                n=n_models,
                sampler=p,
                engine=p_engine,
                engine_constant=p_const,
                diff=abs(p - p_engine),
                margin=Z * se + 1.0 / n_models,
            )
        )
    return rows


def plot(widths, depths, results, schemes, n, out: str) -> list[str]:
    plt = pyplot()
    if plt is None:
        return []
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    dense = np.arange(1, max(depths) + 1)
    sym = results[SYMMETRIC]["dead"]
    for i, w in enumerate(widths):
        color = f"C{i}"
        p = np.array([sym[(w, d)] for d in depths])
        err = 2 * np.sqrt(p * (1 - p) / n)
        ax1.errorbar(depths, p, yerr=err, fmt="o-", color=color, ms=4, capsize=2, label=f"N={w}")
        ax1.plot(dense, [bound(w, d) for d in dense], "--", color=color, lw=1)
    ax1.set(xlabel="depth L (hidden layers)", ylabel="P(born dead)", ylim=(-0.02, 1.02))
    ax1.set_title(
        "Symmetric init (He, bias 0): measured (dots, ±2 s.e.)\nvs bound 1-(1-2^-N)^L (dashed)"
    )
    ax1.legend(title="width", loc="lower right")
    styles = ["-", "--", ":"]
    shown = [w for w in PLOT_WIDTHS if w in widths] or list(widths[:1])
    for j, w in enumerate(shown):
        for i, s in enumerate(schemes):
            p = [results[s.name]["dead"][(w, d)] for d in depths]
            label = s.name if j == 0 else None
            ax2.plot(depths, p, styles[j % 3], marker="o", ms=3, color=f"C{i}", label=label)
    ax2.set(xlabel="depth L (hidden layers)", ylabel="P(born dead)", ylim=(-0.02, 1.02))
    names = ", ".join(f"{st} N={w}" for st, w in zip(["solid", "dashed", "dotted"], shown))
    ax2.set_title(f"The remedies ({names})")
    ax2.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return [save_figure(fig, out, "07_born_dead.png")]


def run(
    quick: bool = False,
    seed: int = 0,
    out: str = "lesson_output",
    plots: bool = True,
    widths=WIDTHS,
    depths=None,
    networks: int | None = None,
    small_biases=SMALL_BIASES,
    crosscheck_cells=None,
    crosscheck_networks: int | None = None,
    progress: bool = True,
) -> LessonResult:
    start = time.perf_counter()
    depths = tuple(depths or (QUICK_DEPTHS if quick else DEPTHS))
    n = networks or (QUICK_NETWORKS if quick else NETWORKS)
    cells_x = crosscheck_cells or (QUICK_CROSSCHECK if quick else CROSSCHECK)
    n_x = crosscheck_networks or (QUICK_CROSSCHECK_NETWORKS if quick else CROSSCHECK_NETWORKS)
    ta.manual_seed(seed)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-INPUT_HALF_WIDTH, INPUT_HALF_WIDTH, size=(N_INPUTS, INPUT_DIM))
    X = X.astype(np.float32)

    schemes = init_schemes(small_biases)
    results = {s.name: {"dead": {}, "constant": {}} for s in schemes}
    jobs = [(s, w, d) for s in schemes for w in widths for d in depths]
    for s, w, d in progress_bar(jobs, "sampling networks", progress):
        dead, const = sample_networks(w, d, s, n, X)
        results[s.name]["dead"][(w, d)] = float(dead.mean())
        results[s.name]["constant"][(w, d)] = float(const.mean())
    sym = results[SYMMETRIC]["dead"]
    bounds = {(w, d): bound(w, d) for w in widths for d in depths}
    n_cells = {k: n for k in sym}
    checks = crosscheck([c for c in cells_x if c in sym], n_cells, sym, n_x, X)

    # the claims, each with its binomial margin
    excess = {k: sym[k] - bounds[k] for k in sym}
    over = {k: e for k, e in excess.items() if e > margin(bounds[k], n)}
    drops_depth = [  # a deeper net with a clearly lower probability (should not happen)
        (w, d0, d1)
        for w in widths
        for d0, d1 in zip(depths, depths[1:])
        if sym[(w, d1)] < sym[(w, d0)] - margin(0.5, n)
    ]
    rises_width = [  # a wider net with a clearly higher probability (should not happen)
        (d, w0, w1)
        for d in depths
        for w0, w1 in zip(widths, widths[1:])
        if sym[(w1, d)] > sym[(w0, d)] + margin(0.5, n)
    ]

    headers = ["depth L"] + [h for w in widths for h in (f"N={w}", f"bound N={w}")]
    rows = [[d] + [v for w in widths for v in (sym[(w, d)], bounds[(w, d)])] for d in depths]
    cmp_depths = [d for d in TABLE_DEPTHS if d in depths] or [depths[-1]]
    cmp_headers = ["init", "width N"] + [f"born dead L={d}" for d in cmp_depths]
    cmp_headers += [f"near-constant L={cmp_depths[-1]}"]
    cmp_rows = [
        [s.name, w]
        + [results[s.name]["dead"][(w, d)] for d in cmp_depths]
        + [results[s.name]["constant"][(w, cmp_depths[-1])]]
        for s in schemes
        for w in widths
    ]
    x_headers = [
        "width N",
        "depth L",
        "nn models",
        "sampler",
        "born_dead()",
        "constant()",
        "|diff|",
    ]
    x_headers += ["margin"]
    x_rows = [
        [
            c["width"],
            c["depth"],
            c["n"],
            c["sampler"],
            c["engine"],
            c["engine_constant"],
            c["diff"],
            c["margin"],
        ]
        for c in checks
    ]
    plot_paths = plot(widths, depths, results, schemes, n, out) if plots else []
    elapsed = time.perf_counter() - start

    summary = _summary(widths, depths, n, results, bounds, over, drops_depth, rises_width, checks)
    summary += f"\n\n({len(jobs)} cells x {n} networks in {elapsed:.1f} s.)"
    return LessonResult(
        title=f"Lesson 7: P(born dead) of ReLU nets, symmetric init, {n} networks per cell",
        headers=headers,
        rows=rows,
        summary=summary,
        measured=dict(
            widths=tuple(widths),
            depths=depths,
            networks=n,
            born_dead=sym,
            bound=bounds,
            by_init={k: v["dead"] for k, v in results.items()},
            constant={k: v["constant"] for k, v in results.items()},
            over_bound=over,
            drops_with_depth=drops_depth,
            rises_with_width=rises_width,
            crosscheck=checks,
            seconds=elapsed,
        ),
        plots=plot_paths,
        extra_tables=[
            (
                "Remedies: P(born dead), and P(output constant to float32 precision)",
                cmp_headers,
                cmp_rows,
            ),
            ("Cross-check on real nn models (diagnostics.born_dead)", x_headers, x_rows),
        ],
    )


def _summary(widths, depths, n, results, bounds, over, drops_depth, rises_width, checks) -> str:
    sym = results[SYMMETRIC]["dead"]
    lo, hi = depths[0], depths[-1]
    mid = widths[len(widths) // 2 - 1] if len(widths) > 1 else widths[0]
    parts = []
    trend = (
        "rose with depth for every width"
        if not drops_depth
        else (f"mostly rose with depth, but fell beyond sampling error at {drops_depth}")
    )
    parts.append(
        f"With a symmetric init the born-dead probability {trend}: at N={mid} it went from "
        f"{sym[(mid, lo)]:.3f} at L={lo} to {sym[(mid, hi)]:.3f} at L={hi}."
    )
    at_hi = ", ".join(f"N={w}: {sym[(w, hi)]:.3f}" for w in widths)
    width_trend = (
        "fell with width at every depth"
        if not rises_width
        else (f"fell with width except at {rises_width}")
    )
    parts.append(f"It {width_trend} (L={hi}: {at_hi}).")
    worst = max(sym, key=lambda k: sym[k] - bounds[k])
    if not over:
        parts.append(
            f"No cell exceeded the bound 1-(1-2^-N)^L beyond sampling error ({Z:g} s.e.); the "
            f"closest was N={worst[0]}, L={worst[1]} ({sym[worst]:.3f} vs {bounds[worst]:.3f})."
        )
    else:
        parts.append(f"Cells above the bound beyond sampling error: {sorted(over)}.")
    ref = next((d for d in TABLE_DEPTHS if d in depths), hi)
    ratio = {w: sym[(w, ref)] / bounds[(w, ref)] for w in widths}
    ratios = ", ".join(f"N={w}: {r:.2f}" for w, r in ratio.items())
    parts.append(
        f"Measured/bound at L={ref}: {ratios}. The bound only asks for a dead layer at ONE input; "
        f"born dead needs it on all {N_INPUTS}, which matters more the wider the layer."
    )
    w_r = max(widths, key=lambda w: sym[(w, hi)] * (1 - sym[(w, hi)]))  # the most informative width
    remedies = ", ".join(
        f"{name}: {res['dead'][(w_r, hi)]:.3f}"
        for name, res in results.items()
        if name != SYMMETRIC
    )
    parts.append(f"Remedies at N={w_r}, L={hi} (symmetric: {sym[(w_r, hi)]:.3f}): {remedies}.")
    rai_dead, rai_const = results[RAI]["dead"][(w_r, hi)], results[RAI]["constant"][(w_r, hi)]
    if rai_const > rai_dead + margin(0.5, n):
        parts.append(
            f"Fewer dead layers is not yet a lively function: with RAI {rai_const:.3f} of those "
            f"networks are flat to float32 precision on every input (only {rai_dead:.3f} have a "
            "dead layer): 50 narrow layers squeeze out the input's influence (Lu et al. 2018's "
            '"collapse").'
        )
    agree = all(c["diff"] <= c["margin"] for c in checks)
    if checks:
        cells = ", ".join(
            f"N={c['width']} L={c['depth']}: {c['engine']:.3f} vs {c['sampler']:.3f}"
            for c in checks
        )
        verdict = "agreed with the sampler within sampling error" if agree else "DISAGREED with it"
        parts.append(f"diagnostics.born_dead on real nn models {verdict} ({cells}).")
    parts.append(
        "Leaky ReLU has no such failure: a negative pre-activation still passes slope x, so no "
        "layer is ever exactly 0 on every input."
    )
    return " ".join(parts)


if __name__ == "__main__":
    lesson_main(run, __doc__)
