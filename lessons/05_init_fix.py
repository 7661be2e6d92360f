"""Lesson 5: the fix through initialization -- start every unit alive, then compare.

Lesson 4 killed ReLU units on purpose: a negative bias (or a too-high learning rate) pushes a
unit's pre-activation below 0 on every input, its gradient is 0 from then on, and it never
recovers; leaky ReLU's small negative slope is the textbook rescue. But the rescue is only needed
if units die. The other fix acts earlier: initialize so that units START active, and keep them so.

Two knobs, both in `nn.init`:
- the weight scale. Xavier/Glorot (xavier_normal_, Var w = 2 / (fan_in + fan_out)) keeps the
  variance of a LINEAR layer's signal; He/Kaiming (kaiming_normal_ with nonlinearity="relu",
  Var w = 2 / fan_in) doubles it to make up for ReLU zeroing half of a symmetric input, so the
  signal neither shrinks nor grows with depth.
- the bias. 0 is the default; a small positive constant (0.01 is the folklore value, 0.1 a bolder
  one) shifts every pre-activation up, so that more units are positive on more inputs at the start.

Setup: MNIST-1D, an MLP with three hidden layers of 64 units, SGD with momentum 0.9 (lr 0.05,
batches of 100) for 20 epochs; every combination of {He, Xavier} x bias {0, 0.01, 0.1} x {ReLU,
leaky ReLU (0.01)}, over 3 seeds -- plus, for contrast, a bad start (bias -1 with either init)
that puts units below zero from the first step. With the same seed ReLU and leaky ReLU start from
the same weights and see the same batches, so their accuracy difference is paired. `diagnostics`
measures on the training set the dead fraction (units never positive on any training input; for
leaky ReLU such a unit still passes 0.01 x the gradient) at initialization and after training,
and the activity of each unit at init (the fraction of inputs on which it is positive).

What to look for: the dead fraction at init (is any unit born dead with these inits?), whether the
bias moves it, what a bad start does to both activations, and the claim: when units start active,
ReLU and leaky ReLU end up alike -- their accuracies differ by less than the seed-to-seed noise,
and the negative slope has nothing to rescue.
"""

from __future__ import annotations

import pathlib
import sys
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import tinygrad_act as ta  # noqa: E402
from lessons._common import LessonResult, lesson_main, mlp, pyplot, save_figure  # noqa: E402
from lessons._common import progress as progress_bar  # noqa: E402
from tinygrad_act import data, diagnostics, nn, optim, train  # noqa: E402

WIDTH, DEPTH = 64, 3  # hidden layers
INITS = ("He", "Xavier")
BIASES = (0.0, 0.01, 0.1)
CONTRAST_BIAS = -1.0  # a bad start, for contrast (lesson 4 goes further, to -3)
ACTIVATIONS = ("ReLU", "LeakyReLU")
LEAKY_SLOPE = 0.01
EPOCHS = 20
QUICK_EPOCHS = 6
SEEDS = 3
QUICK_SEEDS = 2
LR = 0.05
MOMENTUM = 0.9
BATCH = 100
ACTIVE_AT_INIT = 0.01  # "units start active": at most this fraction dead at initialization
CHANCE = 0.1  # MNIST-1D: 10 balanced classes
ALIKE = 0.02  # "alike": the mean paired accuracy difference over the active starts within this


def init_linear(layer: nn.Linear, init: str, bias: float) -> None:
    if init == "He":
        nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
    elif init == "Xavier":
        nn.init.xavier_normal_(layer.weight)
    else:
        raise ValueError(f"lesson 5: unknown init {init!r}; use one of {INITS}")
    nn.init.constant_(layer.bias, bias)


def make_model(act: str, init: str, bias: float, width, depth, n_in: int, n_out: int, seed: int):
    ta.manual_seed(seed)
    factory = nn.ReLU if act == "ReLU" else (lambda: nn.LeakyReLU(LEAKY_SLOPE))
    return mlp(n_in, n_out, width, depth, factory, init=lambda m: init_linear(m, init, bias))


def dead_fraction(layers) -> float:
    """Fraction of all hidden units never positive (unit-weighted over the layers)."""
    units = sum(st.n_units for st in layers.values())
    return sum(int(st.never_positive.sum()) for st in layers.values()) / units


def run_one(act, init, bias, width, depth, split, epochs, seed) -> dict:
    X_train, y_train, X_test, y_test = split
    model = make_model(act, init, bias, width, depth, X_train.shape[1], 10, seed)
    opt = optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    loader = data.DataLoader(X_train, y_train, BATCH, shuffle=True, seed=seed)
    with diagnostics.watch(model, track_grads=False) as mon:
        start = mon.measure(X_train)
        train.fit(model, loader, opt, epochs=epochs, progress=False)
        end = mon.measure(X_train)
    acc = train.evaluate(model, data.DataLoader(X_test, y_test, batch_size=1000))[1]
    activity = np.concatenate([st.activity for st in start.values()])
    return dict(
        acc=acc, dead_init=dead_fraction(start), dead_end=dead_fraction(end), activity=activity
    )


def plot(configs, res, out: str) -> list[str]:
    plt = pyplot()
    if plt is None:
        return []
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4))
    labels = [f"{i}\nbias {b:g}" for i, b in configs]
    x = np.arange(len(configs))
    w = 0.38
    for k, act in enumerate(ACTIVATIONS):
        a = np.array([res[(act, i, b)]["acc"] for i, b in configs])  # (configs, seeds)
        ax1.bar(x + (k - 0.5) * w, a.mean(1), w, yerr=a.std(1), capsize=3, label=act)
    top = max(np.max(res[k]["acc"]) for k in res)
    ax1.axhline(CHANCE, color="gray", ls=":", lw=1)
    ax1.text(len(configs) - 0.5, CHANCE, "chance", color="gray", va="bottom", ha="right")
    ax1.set_ylim(0.0, min(1.0, top + 0.15))
    ax1.set_xticks(x, labels, fontsize=8)
    ax1.set(ylabel="test accuracy", title="Test accuracy after training (mean ± std over seeds)")
    ax1.legend(loc="upper center", ncol=2)
    acts = [res[("ReLU", i, b)]["activity"] for i, b in configs]
    ax2.boxplot(acts, whis=(0, 100))
    ax2.set_xticks(x + 1, labels, fontsize=8)
    ax2.axhline(0, color="C3", lw=1, ls="--")
    ax2.set(
        ylabel="fraction of training inputs with pre > 0",
        title="ReLU units at init: activity (box 25-75%, whiskers min-max)\n0 = dead",
        ylim=(-0.03, 1.03),
    )
    fig.tight_layout()
    return [save_figure(fig, out, "05_init_fix.png")]


def run(
    quick: bool = False,
    seed: int = 0,
    out: str = "lesson_output",
    plots: bool = True,
    width: int = WIDTH,
    depth: int = DEPTH,
    inits=INITS,
    biases=BIASES,
    contrast_bias: float | None = CONTRAST_BIAS,
    epochs: int | None = None,
    seeds: int | None = None,
    progress: bool = True,
) -> LessonResult:
    start = time.perf_counter()
    epochs = epochs or (QUICK_EPOCHS if quick else EPOCHS)
    n_seeds = seeds or (QUICK_SEEDS if quick else SEEDS)
    split = data.load_mnist1d()
    configs = [(i, b) for i in inits for b in biases]
    if contrast_bias is not None:
        configs += [(i, contrast_bias) for i in inits]
    jobs = [
        (a, i, b, s) for s in range(seed, seed + n_seeds) for i, b in configs for a in ACTIVATIONS
    ]
    runs = {}
    for a, i, b, s in progress_bar(jobs, "training runs", progress):
        runs[(a, i, b, s)] = run_one(a, i, b, width, depth, split, epochs, s)
    seeds_ = range(seed, seed + n_seeds)
    res = {
        (a, i, b): {
            key: [runs[(a, i, b, s)][key] for s in seeds_]
            for key in ("acc", "dead_init", "dead_end")
        }
        for a in ACTIVATIONS
        for i, b in configs
    }
    for a in ACTIVATIONS:
        for i, b in configs:
            res[(a, i, b)]["activity"] = runs[(a, i, b, seed)]["activity"]
    diff = {
        c: np.subtract(res[("LeakyReLU", *c)]["acc"], res[("ReLU", *c)]["acc"]) for c in configs
    }

    headers = ["init", "bias", "dead@init ReLU", "dead@end ReLU", "dead@end leaky"]
    headers += ["acc ReLU", "acc leaky", "leaky - ReLU (paired)", "± std"]
    rows = [
        [
            i,
            b,
            float(np.mean(res[("ReLU", i, b)]["dead_init"])),
            float(np.mean(res[("ReLU", i, b)]["dead_end"])),
            float(np.mean(res[("LeakyReLU", i, b)]["dead_end"])),
            float(np.mean(res[("ReLU", i, b)]["acc"])),
            float(np.mean(res[("LeakyReLU", i, b)]["acc"])),
            float(diff[(i, b)].mean()),
            float(diff[(i, b)].std()),
        ]
        for i, b in configs
    ]
    active = [c for c in configs if np.mean(res[("ReLU", *c)]["dead_init"]) <= ACTIVE_AT_INIT]
    noise = (  # seed-to-seed std of one accuracy, over the active starts
        float(np.mean([np.std(res[(a, *c)]["acc"]) for a in ACTIVATIONS for c in active]))
        if n_seeds > 1 and active
        else float("nan")
    )
    plot_paths = plot(configs, res, out) if plots else []
    elapsed = time.perf_counter() - start
    summary = _summary(configs, res, diff, active, noise, n_seeds)
    summary += (
        f"\n\n({len(jobs)} runs: {len(configs)} inits x {len(ACTIVATIONS)} activations x "
        f"{n_seeds} seeds, {epochs} epochs each, in {elapsed:.1f} s.)"
    )
    return LessonResult(
        title=f"Lesson 5: initialization vs dead units, MNIST-1D MLP {[width] * depth}, SGD",
        headers=headers,
        rows=rows,
        summary=summary,
        measured=dict(
            configs=configs,
            accuracy={k: v["acc"] for k, v in res.items()},
            dead_init={k: v["dead_init"] for k, v in res.items()},
            dead_end={k: v["dead_end"] for k, v in res.items()},
            paired_diff={c: d.tolist() for c, d in diff.items()},
            active_configs=active,
            mean_paired_diff=(
                float(np.mean(np.concatenate([diff[c] for c in active]))) if active else None
            ),
            seed_noise=noise,
            seeds=n_seeds,
            seconds=elapsed,
        ),
        plots=plot_paths,
    )


def _summary(configs, res, diff, active, noise, n_seeds) -> str:
    dead0 = {c: float(np.mean(res[("ReLU", *c)]["dead_init"])) for c in configs}
    dead1 = {c: float(np.mean(res[("ReLU", *c)]["dead_end"])) for c in configs}
    grid = [c for c in configs if c[1] >= 0]  # the inits under test (not the bad starts)
    parts = []
    if grid:
        parts.append(
            f"With bias >= 0 (He or Xavier) at most {max(dead0[c] for c in grid):.1%} of ReLU's "
            f"hidden units were dead at initialization, and at most "
            f"{max(dead1[c] for c in grid):.1%} after training."
        )
    mins = {c: float(np.min(res[("ReLU", *c)]["activity"])) for c in configs}
    by_bias = {}
    for (i, b), m in mins.items():
        by_bias.setdefault(i, []).append((b, m))
    txt = "; ".join(
        f"{i}: " + ", ".join(f"bias {b:g} -> {m:.3f}" for b, m in v) for i, v in by_bias.items()
    )
    parts.append(
        f"The least active ReLU unit at init was positive on this fraction of inputs: {txt}."
    )
    dead_starts = [c for c in configs if c not in active]
    if dead_starts:
        bad = "; ".join(
            f"{i}, bias {b:g}: {dead0[(i, b)]:.1%} dead at init, test accuracy ReLU "
            f"{np.mean(res[('ReLU', i, b)]['acc']):.3f}, leaky "
            f"{np.mean(res[('LeakyReLU', i, b)]['acc']):.3f}"
            for i, b in dead_starts
        )
        parts.append(f"Starts with more than {ACTIVE_AT_INIT:.0%} dead units: {bad}.")
    if not active:
        parts.append(
            f"No configuration started with at most {ACTIVE_AT_INIT:.0%} dead units, so the claim "
            "could not be tested here."
        )
        return " ".join(parts)
    d = {c: float(diff[c].mean()) for c in active}
    pooled = np.concatenate([diff[c] for c in active])
    mean = float(pooled.mean())
    se = float(pooled.std(ddof=1) / np.sqrt(len(pooled))) if len(pooled) > 1 else float("nan")
    biggest = max(d, key=lambda c: abs(d[c]))
    noise_txt = f"; seed-to-seed std of one accuracy {noise:.3f}" if n_seeds > 1 else ""
    verdict = (
        f"ReLU and leaky ReLU ended up alike (|mean| <= {ALIKE})"
        if abs(mean) <= ALIKE
        else f"they did NOT end up alike (|mean| > {ALIKE})"
    )
    parts.append(
        f"In the {len(active)} configurations where units started active, leaky ReLU minus ReLU "
        f"test accuracy averaged {mean:+.3f} (s.e. {se:.3f}, {len(pooled)} paired runs): "
        f"{verdict}. Per configuration the mean difference ranged from {min(d.values()):+.3f} to "
        f"{max(d.values()):+.3f} (largest: {biggest[0]}, bias {biggest[1]:g}{noise_txt})."
    )
    acc = {c: float(np.mean(res[("ReLU", *c)]["acc"])) for c in active}
    best, worst = max(acc, key=acc.get), min(acc, key=acc.get)
    parts.append(
        f"Among the active starts the init itself moved ReLU's accuracy by "
        f"{acc[best] - acc[worst]:.3f} (best {best[0]}, bias {best[1]:g}: {acc[best]:.3f}; "
        f"worst {worst[0]}, bias {worst[1]:g}: {acc[worst]:.3f})."
    )
    return " ".join(parts)


if __name__ == "__main__":
    lesson_main(run, __doc__)
