"""Lesson 2: vanishing gradients -- why ReLU replaced sigmoid in deep networks.

ReLU's zero gradient for x < 0 is the price; this lesson shows what it buys. A sigmoid's
derivative is at most 1/4, and backpropagation multiplies one such factor per layer, so the
gradient that reaches the first layers of a deep sigmoid network is tiny. ReLU's derivative is
exactly 1 wherever the unit is on, so (with a matching initialization) the gradient keeps its size.

Setup
1. Gradient ratio at initialization. MLPs of width WIDTH with D = 5, 10, 20 hidden layers
   (Linear -> activation, then a Linear output layer) on MNIST-1D (40 inputs, 10 classes).
   L = mean cross-entropy over a batch of training examples. For each network

       ratio = ||dL/dW_1||_F / ||dL/dW_D||_F

   where W_1 is the weight of the first hidden layer (input -> hidden 1) and W_D the weight of the
   last hidden layer (hidden D-1 -> hidden D); ||.||_F is the Frobenius norm
   (diagnostics.layer_grad_norms). ratio ~ 1: every layer learns at the same pace; ratio << 1:
   the gradient vanished on its way down. The table gives the geometric mean over several
   independently initialized networks (and the range at depth 10).
   Initialization -- the classic experiment (Glorot & Bengio 2010; He et al. 2015), biases 0:
     sigmoid, tanh: Xavier/Glorot uniform, U(-a, a), a = sqrt(6 / (fan_in + fan_out)) (gain 1);
     ReLU:          He/Kaiming normal, N(0, 2 / fan_in).
   A second table repeats it with PyTorch's default nn.Linear init (U(+-1/sqrt(fan_in)) for
   weights and biases) for all three: ReLU's gradients then vanish too. ReLU is not immune; it
   needs the He init, whose factor 2 makes up for the half of the units that are off.
2. Training. The same 10-hidden-layer networks are trained with SGD (momentum) on MNIST-1D and on
   the 2-D spirals, and the test accuracy is recorded after every epoch. Sigmoid stays at chance
   (its first layers get ~1e-6 of the gradient of its last ones); ReLU and tanh learn. A last row
   trains the sigmoid network with Adam, which divides each parameter's gradient by its own running
   RMS and so undoes part of the vanishing: it moves, slowly.

What to look for: the sigmoid column shrinks by about 4x per layer (sigmoid' <= 1/4); ReLU with He
init stays within an order of magnitude of 1 at every depth; the training curves.
"""

from __future__ import annotations

import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import tinygrad_act as ta  # noqa: E402
import tinygrad_act.functional as F  # noqa: E402
from lessons._common import (  # noqa: E402
    LessonResult,
    lesson_main,
    load_dataset,
    mlp,
    pyplot,
    save_figure,
)
from tinygrad_act import data, diagnostics, nn, optim, train  # noqa: E402

WIDTH = 64
DEPTHS = (5, 10, 20)
N_NETS = 8  # networks per (activation, depth) cell; quick: QUICK_N_NETS
QUICK_N_NETS = 3
RATIO_BATCH = 512  # examples in the loss whose gradient is measured
ACTIVATIONS = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}
CLASSIC_INIT = {"sigmoid": "xavier", "tanh": "xavier", "relu": "he"}
TRAIN_DEPTH = 10
BATCH_SIZE = 64
MOMENTUM = 0.9
ADAM_LR = 1e-3
# per dataset: SGD learning rate, epochs (full, quick), training-set size in quick mode
DATASETS = {
    "mnist1d": dict(lr=0.05, epochs=20, quick_epochs=4, quick_train=2000),
    "spirals": dict(lr=0.02, epochs=30, quick_epochs=12, quick_train=None),
}
# (label, activation, optimizer) of each training run
RUNS = (
    ("sigmoid + SGD", "sigmoid", "sgd"),
    ("tanh + SGD", "tanh", "sgd"),
    ("relu + SGD", "relu", "sgd"),
    ("sigmoid + Adam", "sigmoid", "adam"),
)
COLORS = {"sigmoid": "#d62728", "tanh": "#2ca02c", "relu": "#1f77b4"}
NET_SEED_STRIDE = 1000  # network k of a cell uses seed * NET_SEED_STRIDE + k


def init_fn(kind: str):
    """The weight init `kind` for every Linear: 'xavier', 'he' (biases 0) or 'pytorch' (default)."""
    if kind == "pytorch":
        return None

    def init(lin: nn.Linear) -> None:
        if kind == "xavier":
            nn.init.xavier_uniform_(lin.weight)
        elif kind == "he":
            nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
        else:
            raise ValueError(f"init_fn: unknown init {kind!r}; use 'xavier', 'he' or 'pytorch'")
        nn.init.zeros_(lin.bias)

    return init


def layer_norms(model: nn.Module, X: ta.Tensor, y: ta.Tensor) -> np.ndarray:
    """||dL/dW_l||_F for every Linear layer l (hidden layers, then the output layer)."""
    F.cross_entropy(model(X), y).backward()
    return np.array(list(diagnostics.layer_grad_norms(model).values()))


def ratio_table(X, y, n_classes: int, act: str, init: str, depths, n_nets: int, seed: int):
    """depth -> (ratios over the networks, mean per-layer norms of the first network's depth)."""
    out = {}
    for depth in depths:
        ratios, norms = [], []
        for k in range(n_nets):
            ta.manual_seed(seed * NET_SEED_STRIDE + k)
            model = mlp(X.shape[1], n_classes, WIDTH, depth, ACTIVATIONS[act], init_fn(init))
            g = layer_norms(model, X, y)
            ratios.append(g[0] / g[depth - 1])
            norms.append(g[:depth])
        out[depth] = (np.array(ratios), np.exp(np.log(norms).mean(axis=0)))
    return out


def geomean(a: np.ndarray) -> float:
    return float(np.exp(np.mean(np.log(a))))


def train_run(ds, act: str, opt_name: str, lr: float, epochs: int, seed: int, progress: bool):
    """Test accuracy after each epoch of a TRAIN_DEPTH-layer network (classic init)."""
    Xtr, ytr, Xte, yte, k = ds
    ta.manual_seed(seed)
    model = mlp(Xtr.shape[1], k, WIDTH, TRAIN_DEPTH, ACTIVATIONS[act], init_fn(CLASSIC_INIT[act]))
    if opt_name == "sgd":
        opt = optim.SGD(model.parameters(), lr=lr, momentum=MOMENTUM)
    else:
        opt = optim.Adam(model.parameters(), lr=ADAM_LR)
    loader = data.DataLoader(Xtr, ytr, batch_size=BATCH_SIZE, shuffle=True, seed=seed)
    test = data.DataLoader(Xte, yte, batch_size=len(Xte))
    h = train.fit(model, loader, opt, epochs=epochs, val_loader=test, progress=progress)
    return np.array(h["val_accuracy"])


def _plot_ratios(out, classic, default, depth_shown) -> str:
    plt = pyplot()
    fig, (a0, a1) = plt.subplots(1, 2, figsize=(11, 4))
    for act, res in classic.items():
        d = sorted(res)
        a0.plot(
            d,
            [geomean(res[k][0]) for k in d],
            "o-",
            color=COLORS[act],
            label=f"{act} ({CLASSIC_INIT[act]} init)",
        )
        a0.plot(
            d,
            [geomean(default[act][k][0]) for k in d],
            "x--",
            color=COLORS[act],
            label=f"{act} (PyTorch default init)",
        )
        norms = res[depth_shown][1]
        a1.plot(np.arange(1, len(norms) + 1), norms / norms[-1], "o-", color=COLORS[act], label=act)
    a0.set(
        yscale="log",
        xlabel="hidden layers D",
        ylabel="||dL/dW_1|| / ||dL/dW_D||",
        title="gradient ratio first / last hidden layer at init",
    )
    a0.set_xticks(sorted(classic["relu"]))
    a1.set(
        yscale="log",
        xlabel="hidden layer l",
        ylabel="||dL/dW_l|| / ||dL/dW_D||",
        title=f"per-layer gradient norm, D = {depth_shown} (classic init)",
    )
    for a in (a0, a1):
        a.axhline(1.0, color="k", lw=0.6)
        a.grid(alpha=0.3, which="both")
        a.legend(fontsize=8)
    return save_figure(fig, out, "02_gradient_ratio.png")


def _plot_training(out, curves, chance) -> str:
    plt = pyplot()
    fig, axes = plt.subplots(1, len(curves), figsize=(5 * len(curves) + 1.5, 3.8), squeeze=False)
    for ax, (name, runs) in zip(axes[0], curves.items()):
        for (label, act, opt_name), acc in zip(RUNS, runs.values()):
            style = "o-" if opt_name == "sgd" else "s--"
            ax.plot(np.arange(1, len(acc) + 1), acc, style, ms=3, color=COLORS[act], label=label)
        ax.axhline(chance[name], color="k", ls=":", label="chance (majority class)")
        ax.set(
            title=f"{name}: {TRAIN_DEPTH} hidden layers of {WIDTH}",
            xlabel="epoch",
            ylabel="test accuracy",
            ylim=(0, 1.02),
        )
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(alpha=0.3)
    axes[0][-1].legend(fontsize=8, loc="center left", bbox_to_anchor=(1.02, 0.5))
    return save_figure(fig, out, "02_training.png")


def run(
    quick: bool = False,
    seed: int = 0,
    out: str = "lesson_output",
    plots: bool = True,
    progress: bool = True,
    depths: tuple = DEPTHS,
    n_nets: int | None = None,
) -> LessonResult:
    n_nets = (QUICK_N_NETS if quick else N_NETS) if n_nets is None else n_nets
    Xtr, ytr, _, _ = data.load_mnist1d()
    Xtr = data.standardize(Xtr)
    rng = np.random.default_rng(seed)
    idx = rng.choice(len(Xtr), size=RATIO_BATCH, replace=False)
    Xb, yb = ta.tensor(Xtr[idx]), ta.tensor(ytr[idx])
    n_classes = int(ytr.max() + 1)

    # 1. the ratio at initialization, classic init and PyTorch's default init
    classic = {
        a: ratio_table(Xb, yb, n_classes, a, CLASSIC_INIT[a], depths, n_nets, seed)
        for a in ACTIVATIONS
    }
    default = {
        a: ratio_table(Xb, yb, n_classes, a, "pytorch", depths, n_nets, seed) for a in ACTIVATIONS
    }
    mid = TRAIN_DEPTH if TRAIN_DEPTH in depths else depths[len(depths) // 2]
    rows = []
    for table, name in ((classic, None), (default, "pytorch")):
        for act, res in table.items():
            lo, hi = res[mid][0].min(), res[mid][0].max()
            rows.append(
                [
                    act,
                    name or CLASSIC_INIT[act],
                    *(geomean(res[d][0]) for d in depths),
                    f"{lo:.2g} .. {hi:.2g}",
                ]
            )

    # 2. training the TRAIN_DEPTH-layer networks
    curves, chance, train_rows = {}, {}, []
    for name, cfg in DATASETS.items():
        ds = load_dataset(name, seed, DATASETS[name]["quick_train"] if quick else None)
        chance[name] = float(
            np.bincount(ds[3]).max() / len(ds[3])
        )  # majority class of the test set
        epochs = cfg["quick_epochs"] if quick else cfg["epochs"]
        curves[name] = {}
        for label, act, opt_name in RUNS:
            acc = train_run(ds, act, opt_name, cfg["lr"], epochs, seed, progress)
            curves[name][label] = acc
            train_rows.append(
                [name, label, float(acc[0]), float(acc[-1]), float(acc.max()), chance[name]]
            )

    paths = []
    if plots and pyplot() is not None:
        paths = [_plot_ratios(out, classic, default, mid), _plot_training(out, curves, chance)]

    sig, relu, tanh = (geomean(classic[a][mid][0]) for a in ("sigmoid", "relu", "tanh"))
    per_layer = geomean(classic["sigmoid"][mid][0]) ** (1 / (mid - 1))
    relu_min = float(min(classic["relu"][d][0].min() for d in depths))
    relu_def_deep = geomean(default["relu"][max(depths)][0])
    final = {n: {lab: float(c[-1]) for lab, c in runs.items()} for n, runs in curves.items()}
    learned = [n for n in final if final[n]["relu + SGD"] > chance[n] + 0.1]
    stuck = [n for n in final if final[n]["sigmoid + SGD"] < chance[n] + 0.05]
    summary = (
        f"At initialization, with {mid} hidden layers, the first hidden layer's weight gradient is "
        f"{sig:.1e} times the last one's for sigmoid (Xavier init): the gradient shrinks by about "
        f"{1 / per_layer:.1f}x per layer on its way down (sigmoid' <= 1/4). For tanh (Xavier) the "
        f"ratio is {tanh:.2g} and for ReLU (He init) {relu:.2g}; ReLU's smallest ratio over all "
        f"depths and networks is {relu_min:.2g}. With PyTorch's default init ReLU's ratio falls "
        f"to {relu_def_deep:.1e} at depth {max(depths)}: ReLU keeps gradients alive only together "
        "with an init that keeps the signal's scale. "
        f"Training {TRAIN_DEPTH}-layer networks with SGD: sigmoid ends at "
        + ", ".join(
            f"{final[n]['sigmoid + SGD']:.0%} on {n} (chance {chance[n]:.0%})" for n in final
        )
        + "; ReLU at "
        + ", ".join(f"{final[n]['relu + SGD']:.0%} on {n}" for n in final)
        + "; tanh at "
        + ", ".join(f"{final[n]['tanh + SGD']:.0%} on {n}" for n in final)
        + f". Sigmoid {'stays at chance on ' + ' and '.join(stuck) if stuck else 'leaves chance'}"
        f"{' while ReLU learns on ' + ' and '.join(learned) if learned else ''}. Adam, which "
        "rescales each parameter's gradient, moves the sigmoid network to "
        + ", ".join(f"{final[n]['sigmoid + Adam']:.0%} on {n}" for n in final)
        + ". This is what ReLU's zero gradient is traded for: where it is on, its derivative is "
        "1, so depth does not starve the first layers."
    )
    measured = dict(
        ratio={a: {d: geomean(classic[a][d][0]) for d in depths} for a in ACTIVATIONS},
        ratio_min={a: {d: float(classic[a][d][0].min()) for d in depths} for a in ACTIVATIONS},
        ratio_max={a: {d: float(classic[a][d][0].max()) for d in depths} for a in ACTIVATIONS},
        ratio_default={a: {d: geomean(default[a][d][0]) for d in depths} for a in ACTIVATIONS},
        final_accuracy=final,
        chance=chance,
        curves={n: {lab: c.tolist() for lab, c in r.items()} for n, r in curves.items()},
    )
    return LessonResult(
        title="Lesson 2: vanishing gradients -- ||dL/dW_1|| / ||dL/dW_D|| at initialization",
        headers=[
            "activation",
            "init",
            *(f"ratio D={d}" for d in depths),
            f"range D={mid} ({n_nets} nets)",
        ],
        rows=rows,
        summary=summary,
        measured=measured,
        plots=paths,
        extra_tables=[
            (
                f"Training {TRAIN_DEPTH} hidden layers of {WIDTH} (test accuracy)",
                ["dataset", "run", "epoch 1", "final", "best", "chance"],
                train_rows,
            )
        ],
    )


if __name__ == "__main__":
    lesson_main(run, __doc__)
