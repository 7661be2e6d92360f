"""Lesson 6: PReLU and RReLU -- let the network pick the negative slope, or randomize it.

Leaky ReLU fixes the negative slope by hand (0.01). Two variants refuse to:

- PReLU (He et al. 2015, "Delving Deep into Rectifiers") learns it. f(x) = x for x > 0 and a x
  for x <= 0, where a is a Parameter trained by backprop like any weight: dL/da = sum over the
  inputs with x <= 0 of dL/df * x. "Channel-shared" PReLU has one a per layer
  (nn.PReLU(num_parameters=1)); "channel-wise" one per unit (nn.PReLU(num_parameters=width)).
  Both start at a = 0.25 (PyTorch's default, the paper's choice).
- RReLU (Xu et al. 2015, "Empirical Evaluation of Rectified Activations") draws a fresh slope
  a ~ U(1/8, 1/3) for every element in training and uses the mean (1/8 + 1/3) / 2 at test time: a
  leaky ReLU with noise, as a regularizer. It has no parameters, but it must draw one random number
  per activation per step (and save the slopes for backward).

Setup: the same MLP on MNIST-1D (40 inputs, three hidden layers, 10 classes), trained with Adam
from the same initial weights and the same batches, once per activation: ReLU, leaky ReLU (0.01),
channel-shared PReLU, channel-wise PReLU, RReLU. The models are trained side by side, one epoch
each in turn, so that every model's epoch is timed under the same machine load (the time per
epoch is the median over epochs). After each epoch we record every PReLU layer's slopes.

What to look for: (1) the learned slopes leave 0.25 -- and where they go differs per layer (the
paper found slopes larger in early layers and smaller in deep ones); (2) the price: PReLU adds
exactly one parameter per layer (shared) or per unit (channel-wise) -- next to the weights that
is nothing -- but it adds a backward computation for the slopes, and RReLU adds a random draw per
activation, which shows in the time per epoch; (3) whether any of that buys test accuracy on this
task, compared with the spread across seeds.
"""

from __future__ import annotations

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
from tinygrad_act import data, nn, optim, train  # noqa: E402

WIDTH, DEPTH = 100, 3  # hidden layers
LEAKY_SLOPE = 0.01
PRELU_INIT = 0.25  # PyTorch's (and He et al.'s) initial slope
EPOCHS = 30
QUICK_EPOCHS = 10
SEEDS = 3  # full mode: accuracies are mean +- std over this many seeds
QUICK_SEEDS = 1
LR = 3e-3  # Adam; no weight decay (He et al. keep it off the slopes: it would pull them to 0)
BATCH = 100
MOVED = 0.05  # a slope "moved" when it ends at least this far from PRELU_INIT

MODELS = ("ReLU", "LeakyReLU", "PReLU (shared)", "PReLU (channel-wise)", "RReLU")


def activation(name: str, width: int) -> nn.Module:
    if name == "ReLU":
        return nn.ReLU()
    if name == "LeakyReLU":
        return nn.LeakyReLU(LEAKY_SLOPE)
    if name == "PReLU (shared)":
        return nn.PReLU(num_parameters=1, init=PRELU_INIT)
    if name == "PReLU (channel-wise)":
        return nn.PReLU(num_parameters=width, init=PRELU_INIT)
    if name == "RReLU":
        return nn.RReLU()
    raise ValueError(f"lesson 6: unknown activation {name!r}; choose one of {MODELS}")


def make_model(name: str, width: int, depth: int, n_in: int, n_out: int, seed: int):
    """An MLP whose Linear layers start from the same weights for every activation (same seed:
    the activations draw no random numbers when built)."""
    ta.manual_seed(seed)
    return mlp(n_in, n_out, width, depth, lambda: activation(name, width))


def n_params(model: nn.Module) -> int:
    return int(sum(p.data.size for p in model.parameters()))


def prelu_slopes(model: nn.Module) -> list[np.ndarray]:
    """The slopes of every PReLU layer, in order (copies)."""
    return [m.weight.data.copy() for m in model.modules() if isinstance(m, nn.PReLU)]


def train_models(names, width, depth, split, epochs, seed, show_progress):
    """One model per activation, trained side by side; their slopes after every epoch, epoch
    times and test accuracies."""
    X_train, y_train, X_test, y_test = split
    models = {n: make_model(n, width, depth, X_train.shape[1], 10, seed) for n in names}
    opts = {n: optim.Adam(m.parameters(), lr=LR) for n, m in models.items()}
    loaders = {n: data.DataLoader(X_train, y_train, BATCH, shuffle=True, seed=seed) for n in names}
    slopes = {n: [prelu_slopes(m)] for n, m in models.items()}  # epoch 0 = init
    times = train_side_by_side(
        models,
        opts,
        loaders,
        epochs,
        f"training (seed {seed})",
        show_progress,
        on_epoch_end=lambda n, m: slopes[n].append(prelu_slopes(m)),
    )
    test = data.DataLoader(X_test, y_test, batch_size=1000)
    acc = {n: train.evaluate(m, test)[1] for n, m in models.items()}
    return models, acc, slopes, times


def plot(slopes: dict, out: str) -> list[str]:
    plt = pyplot()
    if plt is None:
        return []
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    for ax, name in zip(axes, ("PReLU (shared)", "PReLU (channel-wise)")):
        per_epoch = slopes[name]  # [epoch][layer] -> array
        epochs = np.arange(len(per_epoch))
        for layer in range(len(per_epoch[0])):
            a = np.array([e[layer] for e in per_epoch])  # (epochs, units)
            color = f"C{layer}"
            ax.plot(epochs, a.mean(axis=1), color=color, label=f"hidden layer {layer + 1}")
            if a.shape[1] > 1:
                lo, hi = np.percentile(a, [10, 90], axis=1)
                ax.fill_between(epochs, lo, hi, color=color, alpha=0.2)
        ax.axhline(PRELU_INIT, color="gray", ls=":", lw=1)
        ax.axhline(LEAKY_SLOPE, color="gray", ls="--", lw=1)
        ax.set(xlabel="epoch", title=name)
    axes[0].set_ylabel("negative slope a")
    axes[1].set_title("PReLU (channel-wise): mean, band = 10-90% of units")
    last = len(slopes["PReLU (shared)"]) - 1
    for y, text in ((PRELU_INIT, f"init {PRELU_INIT}"), (LEAKY_SLOPE, f"leaky {LEAKY_SLOPE}")):
        axes[1].text(last, y, text + " ", va="bottom", ha="right", color="gray", fontsize=8)
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    return [save_figure(fig, out, "06_prelu_slopes.png")]


def run(
    quick: bool = False,
    seed: int = 0,
    out: str = "lesson_output",
    plots: bool = True,
    width: int = WIDTH,
    depth: int = DEPTH,
    epochs: int | None = None,
    seeds: int | None = None,
    progress: bool = True,
) -> LessonResult:
    start = time.perf_counter()
    epochs = epochs or (QUICK_EPOCHS if quick else EPOCHS)
    n_seeds = seeds or (QUICK_SEEDS if quick else SEEDS)
    split = data.load_mnist1d()

    accs = {n: [] for n in MODELS}
    times = {n: [] for n in MODELS}
    first = None
    for s in range(seed, seed + n_seeds):
        models, acc, slopes, t = train_models(MODELS, width, depth, split, epochs, s, progress)
        for n in MODELS:
            accs[n].append(acc[n])
            times[n].extend(t[n])
        first = first or (models, slopes)
    models, slopes = first

    base = n_params(models["ReLU"])
    params = {n: n_params(m) for n, m in models.items()}
    extra = {n: params[n] - base for n in MODELS}
    epoch_time = {n: float(np.median(times[n])) for n in MODELS}
    final = {  # per PReLU model: per layer, the mean final slope and its distance from init
        n: [float(a.mean()) for a in slopes[n][-1]] for n in MODELS if slopes[n][-1]
    }
    moved = {n: max(float(np.abs(a - PRELU_INIT).max()) for a in slopes[n][-1]) for n in final}
    moved_mean = {n: max(abs(m - PRELU_INIT) for m in final[n]) for n in final}

    headers = ["activation", "parameters", "extra vs ReLU", "s / epoch", "time vs ReLU"]
    headers += ["test acc (mean)", "test acc (std)", "final slopes per layer"]
    rows = []
    for n in MODELS:
        slope_txt = ", ".join(f"{v:.3f}" for v in final[n]) if n in final else "-"
        if n == "LeakyReLU":
            slope_txt = f"{LEAKY_SLOPE} (fixed)"
        elif n == "RReLU":
            r = nn.RReLU()
            slope_txt = f"U({r.lower:.3f}, {r.upper:.3f}) / eval {(r.lower + r.upper) / 2:.3f}"
        rows.append(
            [
                n,
                params[n],
                extra[n],
                epoch_time[n],
                epoch_time[n] / epoch_time["ReLU"],
                float(np.mean(accs[n])),
                float(np.std(accs[n])),
                slope_txt,
            ]
        )
    plot_paths = plot(slopes, out) if plots else []
    elapsed = time.perf_counter() - start

    hidden = (width,) * depth
    summary = _summary(hidden, extra, epoch_time, accs, final, moved_mean, n_seeds, epochs)
    summary += (
        f"\n\n({n_seeds} seed(s) x {len(MODELS)} models x {epochs} epochs in {elapsed:.1f} s.)"
    )
    return LessonResult(
        title=f"Lesson 6: PReLU and RReLU on MNIST-1D (MLP {list(hidden)}, {epochs} epochs)",
        headers=headers,
        rows=rows,
        summary=summary,
        measured=dict(
            hidden=tuple(hidden),
            params=params,
            extra_params=extra,
            epoch_time=epoch_time,
            accuracy={n: list(v) for n, v in accs.items()},
            final_slopes=final,
            max_slope_move=moved,
            max_mean_slope_move=moved_mean,
            slopes_history={n: slopes[n] for n in final},
            seconds=elapsed,
        ),
        plots=plot_paths,
    )


def _summary(hidden, extra, epoch_time, accs, final, moved_mean, n_seeds, epochs) -> str:
    parts = []
    for n in ("PReLU (shared)", "PReLU (channel-wise)"):
        layers = ", ".join(f"{v:.3f}" for v in final[n])
        went = "left" if moved_mean[n] >= MOVED else "barely left"
        parts.append(
            f"{n} slopes {went} their init {PRELU_INIT}: after {epochs} epochs the layers' mean "
            f"slopes are {layers} (largest move {moved_mean[n]:.3f})."
        )
    sh = final["PReLU (shared)"]
    order = (
        "decrease"
        if all(a > b for a, b in zip(sh, sh[1:]))
        else (
            "increase" if all(a < b for a, b in zip(sh, sh[1:])) else "do not change monotonically"
        )
    )
    parts.append(f"Across depth the shared slopes {order} from the first hidden layer to the last.")
    negative = [f"{n} layer {i + 1}" for n in final for i, v in enumerate(final[n]) if v < 0]
    if negative:
        parts.append(
            f"Some slopes went negative ({', '.join(negative)}): nothing keeps a >= 0, and with "
            "a < 0 the unit is no longer monotonic (a = -1 would be |x|) -- a function neither "
            "ReLU nor leaky ReLU can express."
        )
    total = extra["PReLU (channel-wise)"]
    parts.append(
        f"The price in parameters: {extra['PReLU (shared)']} extra for the shared version "
        f"(one per layer), {total} for the channel-wise one (one per hidden unit, "
        f"sum of widths = {sum(hidden)}); RReLU and leaky ReLU add none."
    )
    t0 = epoch_time["ReLU"]
    costs = ", ".join(
        f"{n} {epoch_time[n] * 1e3:.0f} ms ({epoch_time[n] / t0:.2f}x)" for n in epoch_time
    )
    parts.append(f"The price in time per epoch (median): {costs}.")
    mean = {n: float(np.mean(v)) for n, v in accs.items()}
    best = max(mean, key=mean.get)
    spread = max(mean.values()) - min(mean.values())
    noise = max(float(np.std(v)) for v in accs.values()) if n_seeds > 1 else float("nan")
    if n_seeds > 1:
        verdict = (
            "within two seed-to-seed standard deviations, i.e. noise"
            if spread <= 2 * noise
            else "larger than two seed-to-seed standard deviations"
        )
        parts.append(
            f"Test accuracy ({n_seeds} seeds): best {best} at {mean[best]:.3f}; the gap between "
            f"best and worst ({spread:.3f}) is {verdict} (largest std {noise:.3f})."
        )
    else:
        parts.append(
            f"Test accuracy (one seed, so differences under a few points are noise): best {best} "
            f"at {mean[best]:.3f}, gap to the worst {spread:.3f}."
        )
    return " ".join(parts)


if __name__ == "__main__":
    lesson_main(run, __doc__)
