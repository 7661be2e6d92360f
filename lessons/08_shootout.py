"""Lesson 8: the shoot-out -- nine activations, one task, several seeds.

The earlier lessons took the claims apart one by one. This one puts the candidates side by side
on the same task, with the same budget, and lets the numbers answer the question of the series:
why isn't leaky ReLU always preferable to ReLU?

Setup: MNIST-1D (4000 training and 1000 test sequences of 40 numbers, 10 classes), an MLP with
two hidden layers of 100 units, Adam (lr 3e-3, batches of 100) for 30 epochs, once per seed and
activation: ReLU, leaky ReLU (0.01), PReLU (one learned slope per layer, init 0.25), ELU, SELU,
GELU, SiLU, tanh and sigmoid. Each activation gets its textbook initialization so that no
candidate is handicapped by a mismatched scale: He normal (kaiming_normal_, gain sqrt(2)) for the
ReLU family and its smooth cousins, LeCun normal for SELU (what its self-normalization assumes),
Xavier normal for tanh (gain 5/3) and sigmoid (gain 1); biases start at 0. With the same seed every
activation starts from the same random draws (up to that scale) and sees the same batches, so the
per-seed differences against ReLU are paired.

Measured per run, with `tinygrad_act.diagnostics` on the training set after training:
- test accuracy (mean and std over seeds; and the paired difference to ReLU, mean +- std);
- sparsity: the fraction of hidden outputs that are exactly 0 (ReLU's hard zeros);
- dead fraction: hidden units whose local derivative f'(pre) is 0 on EVERY training input
  (for ReLU: never positive; for sigmoid/tanh: saturated to float32 precision), i.e. units that
  pass no gradient at all;
- time per epoch: the median over epochs and seeds; the models train side by side, one epoch
  each in turn, so that every activation is timed under the same machine load.

The budget (the full run must finish in under a minute on 2 cores): one epoch of this MLP takes
about 15 ms here, so 9 activations x 5 seeds x 30 epochs is about 20 s of training. Quick mode
runs 3 seeds x 8 epochs.

What to look for: is leaky ReLU's advantage over ReLU larger than the seed-to-seed noise? How many
ReLU units are actually dead when training starts well? What does ReLU's sparsity cost or buy?
Which activation wins, and by how much?
"""

from __future__ import annotations

import math
import pathlib
import sys
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import tinygrad_act as ta  # noqa: E402
from lessons._common import (  # noqa: E402
    LessonResult,
    lesson_main,
    mlp,
    pyplot,
    save_figure,
    train_side_by_side,
)
from tinygrad_act import data, diagnostics, nn, optim, train  # noqa: E402

WIDTH, DEPTH = 100, 2  # hidden layers
EPOCHS = 30
QUICK_EPOCHS = 8
SEEDS = 5
QUICK_SEEDS = 3
LR = 3e-3
BATCH = 100
LEAKY_SLOPE = 0.01

# name -> (module factory, init of the Linear weights)
ACTIVATIONS = {
    "ReLU": (nn.ReLU, "he"),
    "LeakyReLU": (lambda: nn.LeakyReLU(LEAKY_SLOPE), "he"),
    "PReLU": (nn.PReLU, "he"),
    "ELU": (nn.ELU, "he"),
    "SELU": (nn.SELU, "lecun"),
    "GELU": (nn.GELU, "he"),
    "SiLU": (nn.SiLU, "he"),
    "Tanh": (nn.Tanh, "xavier-tanh"),
    "Sigmoid": (nn.Sigmoid, "xavier"),
}


def init_linear(layer: nn.Linear, scheme: str) -> None:
    if scheme == "he":
        nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
    elif scheme == "lecun":
        nn.init.lecun_normal_(layer.weight)
    elif scheme == "xavier-tanh":
        nn.init.xavier_normal_(layer.weight, gain=nn.init.calculate_gain("tanh"))
    elif scheme == "xavier":
        nn.init.xavier_normal_(layer.weight)
    else:
        raise ValueError(f"lesson 8: unknown init {scheme!r}")
    nn.init.zeros_(layer.bias)


def make_model(name: str, width: int, depth: int, n_in: int, n_out: int, seed: int):
    factory, scheme = ACTIVATIONS[name]
    ta.manual_seed(seed)
    return mlp(n_in, n_out, width, depth, factory, init=lambda layer: init_linear(layer, scheme))


def hidden_stats(model: nn.Module, X: np.ndarray) -> tuple[float, float]:
    """(sparsity, dead fraction) over all hidden units, from one diagnostics pass over X."""
    with diagnostics.watch(model, track_grads=False) as mon:
        layers = mon.measure(X)
    units = sum(st.n_units for st in layers.values())
    zeros = sum(st.sparsity * st.n_units for st in layers.values()) / units
    dead = sum(int(st.blocks_gradient.sum()) for st in layers.values()) / units
    return float(zeros), float(dead)


def run_seed(names, width, depth, split, epochs: int, seed: int, show_progress: bool) -> dict:
    """Train one model per activation side by side (an epoch each in turn); measure each."""
    X_train, y_train, X_test, y_test = split
    models = {n: make_model(n, width, depth, X_train.shape[1], 10, seed) for n in names}
    opts = {n: optim.Adam(m.parameters(), lr=LR) for n, m in models.items()}
    loaders = {n: data.DataLoader(X_train, y_train, BATCH, shuffle=True, seed=seed) for n in names}
    desc = f"seed {seed}: epochs of {len(names)} models"
    times = train_side_by_side(models, opts, loaders, epochs, desc, show_progress)
    test = data.DataLoader(X_test, y_test, batch_size=1000)
    result = {}
    for n, m in models.items():
        sparsity, dead = hidden_stats(m, X_train)
        acc = train.evaluate(m, test)[1]
        result[n] = dict(acc=acc, sparsity=sparsity, dead=dead, times=times[n])
    return result


def plot(names, acc, sparsity, dead, epoch_time, out: str) -> list[str]:
    plt = pyplot()
    if plt is None:
        return []
    fig, axes = plt.subplots(1, 3, figsize=(13, 4))
    x = np.arange(len(names))
    colors = ["C3" if n in ("ReLU", "LeakyReLU") else "C0" for n in names]
    a = np.array([acc[n] for n in names])  # (activations, seeds)
    axes[0].bar(x, a.mean(1), yerr=a.std(1), color=colors, capsize=3)
    for i, row in enumerate(a):
        axes[0].plot(np.full(len(row), i), row, "k.", ms=4)
    axes[0].set(ylabel="test accuracy", title="Test accuracy (bar: mean, dots: seeds)")
    axes[0].set_ylim(max(0.0, a.min() - 0.05), min(1.0, a.max() + 0.03))
    width = 0.4
    axes[1].bar(x - width / 2, [np.mean(sparsity[n]) for n in names], width, label="exact zeros")
    axes[1].bar(x + width / 2, [np.mean(dead[n]) for n in names], width, label="dead units")
    axes[1].set(ylabel="fraction", title="Hidden layers after training (train set)")
    axes[1].legend()
    axes[2].bar(x, [epoch_time[n] * 1e3 for n in names], color=colors)
    axes[2].set(ylabel="ms per epoch (median)", title="Time per epoch")
    for ax in axes:
        ax.set_xticks(x, names, rotation=45, ha="right")
    fig.tight_layout()
    return [save_figure(fig, out, "08_shootout.png")]


def run(
    quick: bool = False,
    seed: int = 0,
    out: str = "lesson_output",
    plots: bool = True,
    width: int = WIDTH,
    depth: int = DEPTH,
    epochs: int | None = None,
    seeds: int | None = None,
    activations=tuple(ACTIVATIONS),
    progress: bool = True,
) -> LessonResult:
    start = time.perf_counter()
    epochs = epochs or (QUICK_EPOCHS if quick else EPOCHS)
    n_seeds = seeds or (QUICK_SEEDS if quick else SEEDS)
    names = list(activations)
    if "ReLU" not in names:
        raise ValueError("lesson 8: the comparison needs 'ReLU' among the activations")
    split = data.load_mnist1d()

    acc = {n: [] for n in names}
    sparsity = {n: [] for n in names}
    dead = {n: [] for n in names}
    times = {n: [] for n in names}
    for s in range(seed, seed + n_seeds):
        res = run_seed(names, width, depth, split, epochs, s, progress)
        for n in names:
            acc[n].append(res[n]["acc"])
            sparsity[n].append(res[n]["sparsity"])
            dead[n].append(res[n]["dead"])
            times[n].extend(res[n]["times"])
    epoch_time = {n: float(np.median(times[n])) for n in names}
    diff = {n: np.array(acc[n]) - np.array(acc["ReLU"]) for n in names}  # paired, per seed

    headers = ["activation", "test acc", "± std", "vs ReLU (paired)", "± std", "exact zeros"]
    headers += ["dead units", "ms / epoch", "time vs ReLU"]
    order = sorted(names, key=lambda n: -np.mean(acc[n]))
    rows = [
        [
            n,
            float(np.mean(acc[n])),
            float(np.std(acc[n])),
            float(diff[n].mean()),
            float(diff[n].std()),
            float(np.mean(sparsity[n])),
            float(np.mean(dead[n])),
            epoch_time[n] * 1e3,
            epoch_time[n] / epoch_time["ReLU"],
        ]
        for n in order
    ]
    plot_paths = plot(names, acc, sparsity, dead, epoch_time, out) if plots else []
    elapsed = time.perf_counter() - start
    summary = _summary(names, acc, diff, sparsity, dead, epoch_time, n_seeds)
    summary += (
        f"\n\n({len(names)} activations x {n_seeds} seeds x {epochs} epochs, MLP "
        f"{[width] * depth}, in {elapsed:.1f} s.)"
    )
    return LessonResult(
        title=f"Lesson 8: the shoot-out on MNIST-1D ({n_seeds} seeds, {epochs} epochs)",
        headers=headers,
        rows=rows,
        summary=summary,
        measured=dict(
            accuracy=acc,
            paired_diff={n: d.tolist() for n, d in diff.items()},
            sparsity=sparsity,
            dead=dead,
            epoch_time=epoch_time,
            seeds=n_seeds,
            epochs=epochs,
            seconds=elapsed,
        ),
        plots=plot_paths,
    )


def _summary(names, acc, diff, sparsity, dead, epoch_time, n_seeds) -> str:
    mean = {n: float(np.mean(acc[n])) for n in names}
    ranking = sorted(names, key=lambda n: -mean[n])
    parts = []
    if "LeakyReLU" in names:
        d = diff["LeakyReLU"]
        se = float(d.std(ddof=1)) / math.sqrt(len(d)) if len(d) > 1 else float("nan")
        if math.isnan(se):
            verdict = "one seed cannot tell whether that is more than noise"
        elif abs(d.mean()) <= 2 * se:
            verdict = (
                f"within two standard errors of zero (s.e. {se:.3f}): no measurable difference"
            )
        elif d.mean() > 0:
            verdict = f"more than two standard errors (s.e. {se:.3f}) in leaky ReLU's favour"
        else:
            verdict = f"more than two standard errors (s.e. {se:.3f}) in ReLU's favour"
        parts.append(
            f"Leaky ReLU vs ReLU, paired over {n_seeds} seeds: {d.mean():+.3f} test accuracy, "
            f"{verdict}."
        )
        parts.append(
            f"The reason leaky ReLU exists barely shows: with He init and Adam only "
            f"{np.mean(dead['ReLU']):.1%} of ReLU's hidden units ended up dead, so there was "
            "little for the negative slope to rescue."
        )
        parts.append(
            f"What ReLU keeps that leaky ReLU gives up: {np.mean(sparsity['ReLU']):.0%} of its "
            f"hidden outputs are exact zeros (leaky ReLU: {np.mean(sparsity['LeakyReLU']):.1%}), "
            "a sparse code (lesson 3 measures what it is worth)."
        )
        t = epoch_time["LeakyReLU"] / epoch_time["ReLU"]
        parts.append(f"Time per epoch: leaky ReLU {t:.2f}x ReLU's.")
    best = ranking[0]
    best_d = diff[best]
    best_se = float(best_d.std(ddof=1)) / math.sqrt(len(best_d)) if len(best_d) > 1 else 0.0
    parts.append(
        f"Ranking by mean test accuracy: {', '.join(f'{n} {mean[n]:.3f}' for n in ranking)}."
    )
    if best != "ReLU":
        sig = "beyond" if best_d.mean() > 2 * best_se else "within"
        cost = epoch_time[best] / epoch_time["ReLU"]
        parts.append(
            f"The winner, {best}, beats ReLU by {best_d.mean():+.3f} ({sig} two standard errors) "
            f"at {cost:.2f}x the time per epoch."
        )
    if "LeakyReLU" in names:
        place = ranking.index("LeakyReLU") + 1
        parts.append(
            f"Leaky ReLU ranks {place} of {len(names)}: if ReLU is to be replaced, the evidence "
            f"here points {'to it' if place == 1 else 'elsewhere first'}."
        )
    worst = ranking[-1]
    why = (
        f"{np.mean(dead[worst]):.1%} of its units pass no gradient at all"
        if np.mean(dead[worst]) >= 0.01
        else f"not from dead units ({np.mean(dead[worst]):.1%}): its gradient is merely small "
        "everywhere (lesson 2)"
    )
    parts.append(
        f"The clear loser is {worst} ({mean[worst]:.3f}, {mean['ReLU'] - mean[worst]:.3f} below "
        f"ReLU; {why})."
    )
    return " ".join(parts)


if __name__ == "__main__":
    lesson_main(run, __doc__)
