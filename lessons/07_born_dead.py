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

The experiment. For every width N in (2, 3, 5, 10) and depth L from 2 to 50 each seed draws
NETWORKS = 150 networks (2 inputs, one output; 1,500 per cell over 10 seeds) and evaluates each
on the same 100 inputs drawn uniformly from [-sqrt(3), sqrt(3)]^2 (variance 1 per coordinate). A
network is born dead when some hidden layer has every unit never positive on those inputs
(`diagnostics.stats.dead_mask`). One nn.Sequential per network would take minutes, so the sampler
stacks a cell's networks: one `nn.init.kaiming_normal_` call on an (n * N, fan_in) tensor draws n
layers at once (each row independently, with a scale that depends only on fan_in) and one batched
matmul evaluates them; a few cells are re-measured on real nn models with `diagnostics.born_dead`
and must agree within sampling error.

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

Every probability is a mean over seeds with its 95% interval. "Never above the bound" pools the
seeds' networks and asks whether the exact (Clopper-Pearson) interval at the Bonferroni level
1 - 0.05 / (number of cells) lies above the bound, so that 44 cells do not raise false alarms.

What to look for: the probability rises with depth and falls with width, never exceeds the bound,
the bound is nearly tight for N = 2 and loose for wide layers, a positive bias or RAI lowers it --
and how much of the remaining flatness is collapse rather than a dead layer.
"""

from __future__ import annotations

import math
import pathlib
import sys
from typing import NamedTuple

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import tinygrad_act as ta  # noqa: E402
from lessons._common import lesson_main, make_run, mlp, pyplot, save_figure  # noqa: E402
from lessons._stats import difference_sentence, fmt, mean_ci, paired_diff  # noqa: E402
from tinygrad_act import diagnostics, nn  # noqa: E402
from tinygrad_act.diagnostics import stats  # noqa: E402

WIDTHS = (2, 3, 5, 10)  # N: units per hidden layer
DEPTHS = (2, 3, 4, 5, 7, 10, 15, 20, 30, 40, 50)  # L: hidden ReLU layers
QUICK_DEPTHS = (2, 5, 10, 20, 50)
NETWORKS = 150  # sampled networks per (width, depth, init) cell and seed
QUICK_NETWORKS = 60
N_SEEDS, QUICK_N_SEEDS = 10, 4
INPUT_DIM = 2  # d_in
N_INPUTS = 100  # points of the input domain each network is evaluated on
INPUT_HALF_WIDTH = math.sqrt(3.0)  # uniform on [-a, a]: variance a^2 / 3 = 1
SMALL_BIASES = (0.01, 0.1)  # the "small positive bias" remedy (with He weights)
NEAR_CONSTANT_RTOL = 1e-6  # "constant": output spread <= this * max |output| (~8 float32 ulps)
Z = 3.5  # cross-check: pooled two-proportion margin, Z standard errors (+ one count)
CROSSCHECK = ((2, 10), (3, 20), (5, 50))  # (width, depth) cells re-measured on real nn models
CROSSCHECK_NETWORKS, QUICK_CROSSCHECK_NETWORKS = 20, 10  # per seed
REF = (5, 50)  # the cell where the remedies and collapse are compared

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
    # stats.is_constant's rule (spread over the inputs <= atol; NaN never constant), for n at once
    constant = (out.max(axis=1) - out.min(axis=1)) <= tol
    return dead, constant


def build_model(width: int, depth: int, init: Init, d_in: int = INPUT_DIM) -> nn.Sequential:
    """The same network as a real nn.Sequential (for the cross-check with diagnostics)."""
    return mlp(d_in, 1, width, depth, nn.ReLU, init=lambda m: apply_init(init, m.weight, m.bias))


def key(init: str, width: int, depth: int) -> str:
    return f"{init} | N={width} | L={depth}"


def measure(seed: int, quick: bool = False) -> dict:
    """Per (init, width, depth) cell: [born-dead fraction, near-constant fraction] of NETWORKS
    sampled networks; per cross-check cell: born_dead() verdicts on real nn models."""
    ta.manual_seed(seed)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-INPUT_HALF_WIDTH, INPUT_HALF_WIDTH, size=(N_INPUTS, INPUT_DIM))
    X = X.astype(np.float32)
    n, depths = (QUICK_NETWORKS, QUICK_DEPTHS) if quick else (NETWORKS, DEPTHS)
    n_x = QUICK_CROSSCHECK_NETWORKS if quick else CROSSCHECK_NETWORKS
    out = dict(depths=list(depths), networks=n, crosscheck_networks=n_x)
    for s in init_schemes():
        for w in WIDTHS:
            for d in depths:
                dead, const = sample_networks(w, d, s, n, X)
                out[key(s.name, w, d)] = [float(dead.mean()), float(const.mean())]
    sym = init_schemes(())[0]
    out["crosscheck"] = {
        f"N={w} | L={d}": float(np.mean([diagnostics.born_dead(build_model(w, d, sym), X)
                                          .has_dead_layer for _ in range(n_x)]))
        for w, d in CROSSCHECK
    }  # fmt: skip
    return out


def lower_limit(k: float, n: int, level: float) -> float:
    """Clopper-Pearson lower limit of a proportion seen k times in n draws (two-sided `level`):
    exact, so that 1.000 from all-dead seeds still leaves room below 1 (a t interval would not)."""
    from scipy.stats import beta

    k = round(k)
    return 0.0 if k == 0 else float(beta.ppf((1 - level) / 2, k, n - k + 1))


def _crosscheck(p_sampler: float, n: int, p_engine: float, x_n: int) -> dict:
    """The two estimates of one cell and the margin they must agree within (pooled proportion,
    Z standard errors of the difference, plus one count)."""
    pooled = (p_sampler * n + p_engine * x_n) / (n + x_n)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n + 1 / x_n))
    return dict(sampler=p_sampler, engine=p_engine, n=x_n, margin=Z * se + 1 / x_n)


def aggregate(runs: list[dict]) -> dict:
    cells = [k for k in runs[0] if " | " in k]
    dead = {k: [r[k][0] for r in runs] for k in cells}
    const = {k: [r[k][1] for r in runs] for k in cells}
    depths, n = runs[0]["depths"], len(runs) * runs[0]["networks"]
    sym = {key(SYMMETRIC, w, d): bound(w, d) for w in WIDTHS for d in depths}
    strict = 1 - 0.05 / len(sym)  # Bonferroni over the cells checked against the bound
    names = [s.name for s in init_schemes()]
    x_n = len(runs) * runs[0]["crosscheck_networks"]
    return dict(
        widths=list(WIDTHS),
        depths=list(depths),
        inits=names,
        n_seeds=len(runs),
        networks=n,
        dead={k: mean_ci(v) for k, v in dead.items()},
        constant={k: mean_ci(v) for k, v in const.items()},
        bound=sym,
        strict_lo={k: lower_limit(np.sum(dead[k]) * n / len(runs), n, strict) for k in sym},
        rise={  # deepest minus shallowest, per width
            f"N={w}": paired_diff(
                dead[key(SYMMETRIC, w, depths[-1])], dead[key(SYMMETRIC, w, depths[0])]
            )  # fmt: skip
            for w in WIDTHS
        },
        remedy={s: paired_diff(dead[key(s, *REF)], dead[key(SYMMETRIC, *REF)]) for s in names[1:]},
        collapse={s: paired_diff(const[key(s, *REF)], dead[key(s, *REF)]) for s in names},
        crosscheck={
            f"N={w} | L={d}": _crosscheck(
                float(np.mean(dead[key(SYMMETRIC, w, d)])),
                n,
                float(np.mean([r["crosscheck"][f"N={w} | L={d}"] for r in runs])),
                x_n,
            )  # fmt: skip
            for w, d in CROSSCHECK
        },
    )


def _falls_with_width(t: dict, depth: int) -> bool:
    """No wider net clearly above a narrower one, and N=3 clearly above N=10 (95% CIs)."""
    p = [t["dead"][key(SYMMETRIC, w, depth)] for w in t["widths"]]
    no_rise = all(b.lo <= a.hi for a, b in zip(p[:-1], p[1:]))
    return bool(no_rise and t["dead"][key(SYMMETRIC, 3, depth)].lo > p[-1].hi)


def claims(t: dict) -> dict[str, bool]:
    over = [k for k, lo in t["strict_lo"].items() if lo > t["bound"][k]]
    narrow = [w for w in t["widths"] if w <= 5]
    return {
        "no cell's born-dead probability is above the bound 1-(1-2^-N)^L": not over,
        "it rises from the shallowest to the deepest net for N <= 5": all(
            t["rise"][f"N={w}"].lo > 0.3 for w in narrow
        ),
        "it falls with width (at L=10 and at the deepest L)": _falls_with_width(t, 10)
        and _falls_with_width(t, t["depths"][-1]),
        f"a bias of 0.01 and RAI both lower it at N={REF[0]}, L={REF[1]}": all(
            t["remedy"][s].hi < -0.1 for s in ("He + bias 0.01", RAI)
        ),
        f"with RAI at N={REF[0]}, L={REF[1]} more nets are flat (collapse) than born dead": bool(
            t["collapse"][RAI].lo > 0.05
        ),
        "diagnostics.born_dead on real nn models agrees with the sampler": all(
            abs(c["engine"] - c["sampler"]) <= c["margin"] for c in t["crosscheck"].values()
        ),
    }


def summarize(t: dict) -> list[str]:
    lo, hi = t["depths"][0], t["depths"][-1]
    sym = {(w, d): t["dead"][key(SYMMETRIC, w, d)] for w in t["widths"] for d in t["depths"]}
    worst = max(sym, key=lambda c: sym[c].mean - bound(*c))
    out = [
        f"Symmetric init ({t['n_seeds']} seeds x {t['networks'] // t['n_seeds']} networks per "
        f"cell): P(born dead) at N=3 went from {sym[(3, lo)]} at L={lo} to {sym[(3, hi)]} at "
        f"L={hi}; at L={hi} by width: "
        + ", ".join(f"N={w} {fmt(sym[(w, hi)].mean)}" for w in t["widths"])
        + ".",
        "No cell lies above the bound beyond its Bonferroni interval"
        if claims(t)["no cell's born-dead probability is above the bound 1-(1-2^-N)^L"]
        else "SOME CELL LIES ABOVE THE BOUND",
    ]
    out[-1] += (f"; the closest is N={worst[0]}, L={worst[1]}: {fmt(sym[worst].mean)} vs bound "
                f"{fmt(bound(*worst))}. The bound asks for a dead layer at ONE input; born dead "
                f"needs it on all {N_INPUTS}, which matters more the wider the layer.")  # fmt: skip
    for s, d in t["remedy"].items():
        out.append(f"At N={REF[0]}, L={REF[1]}: " + difference_sentence(s, "the symmetric init",
                   d, "born-dead probability") + ".")  # fmt: skip
    for s in (SYMMETRIC, RAI):
        gap = t["collapse"][s]
        out.append(
            f"{s} at N={REF[0]}, L={REF[1]}: flat to float32 precision "
            f"{t['constant'][key(s, *REF)]}, born dead {t['dead'][key(s, *REF)]}; "
            + (
                f"{fmt(gap.mean)} more are flat than dead ({gap.ci()}): collapse -- no layer "
                "dead, yet the input's influence squeezed below float32 resolution (Lu, Su & "
                "Karniadakis 2018)."
                if gap.excludes_zero
                else f"no gap detected ({gap.ci()}): every flat network has a dead layer."
            )
        )
    out.append(
        "diagnostics.born_dead on real nn models: "
        + ", ".join(
            f"{c} {fmt(v['engine'])} vs sampler {fmt(v['sampler'])}"
            for c, v in t["crosscheck"].items()
        )  # fmt: skip
        + ". Leaky ReLU has no such failure: a negative input still passes slope x, so no layer "
        "is ever exactly 0 on every input."
    )
    return out


def render(t: dict) -> list[tuple[str, list[str], list[list]]]:
    head = ["depth L"] + [h for w in t["widths"] for h in (f"N={w}", f"bound N={w}")]
    rows = [
        [d]
        + [
            v for w in t["widths"] for v in (str(t["dead"][key(SYMMETRIC, w, d)]), fmt(bound(w, d)))
        ]  # fmt: skip
        for d in t["depths"]
    ]
    hi = t["depths"][-1]
    rem = [
        [s, w, str(t["dead"][key(s, w, hi)]), str(t["constant"][key(s, w, hi)])]
        for s in t["inits"]
        for w in t["widths"]
    ]
    return [
        (f"P(born dead), symmetric init ({t['n_seeds']} seeds, 95% CI)", head, rows),
        (f"Remedies and collapse at L={hi}", ["init", "N", "born dead", "near-constant"], rem),
    ]


def figures(t: dict, out: str) -> list[str]:
    return [save_figure(figure(t), out, "07_born_dead.png")]


def figure(t: dict):
    """Left: P(born dead) vs depth with the bound. Middle: the remedies. Right: born dead vs
    near-constant (collapse) at N=REF[0] for every init."""
    fig, axes = pyplot().subplots(1, 3, figsize=(16, 4.4))
    d = np.array(t["depths"])
    dense = np.arange(1, d.max() + 1)
    for i, w in enumerate(t["widths"]):
        _dots(axes[0], d, [t["dead"][key(SYMMETRIC, w, x)] for x in d], f"C{i}", f"N={w}")
        axes[0].plot(dense, [bound(w, x) for x in dense], "--", color=f"C{i}", lw=1)
    axes[0].set_title("Symmetric init: measured (95% CI)\nvs bound 1-(1-2^-N)^L (dashed)")
    w = REF[0]
    for i, s in enumerate(t["inits"]):
        _dots(axes[1], d, [t["dead"][key(s, w, x)] for x in d], f"C{i}", s)
    for i, s in ((0, SYMMETRIC), (3, RAI)):  # the colours of the middle panel
        _dots(axes[2], d, [t["constant"][key(s, w, x)] for x in d], f"C{i}", f"{s}: flat")
        _dots(axes[2], d, [t["dead"][key(s, w, x)] for x in d], f"C{i}", f"{s}: born dead",
              ls=":")  # fmt: skip
    axes[1].set_title(f"The remedies, N={w}: P(born dead)")
    axes[2].set_title(f"Collapse, N={w}: output flat to float32 (solid)\nvs a dead layer (dotted)")
    for ax in axes:
        ax.set(xlabel="depth L (hidden layers)", ylabel="fraction of networks", ylim=(-0.02, 1.02))
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(0.0, -0.15), ncol=2)
    fig.tight_layout()
    return fig


def _dots(ax, x, ivs, color, label, ls="-") -> None:
    m = np.array([v.mean for v in ivs])
    err = np.array([m - [v.lo for v in ivs], [v.hi for v in ivs] - m])
    ax.errorbar(x, m, yerr=err, fmt="o", ls=ls, ms=3, capsize=2, color=color, label=label)


run = make_run(__name__)

if __name__ == "__main__":
    lesson_main(__name__)
