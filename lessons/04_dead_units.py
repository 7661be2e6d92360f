"""Lesson 4: dead units -- how ReLU units die, why they stay dead, and what leaky ReLU changes.

A ReLU unit is dead on a dataset when its pre-activation is <= 0 on every input: it outputs 0
everywhere and ReLU'(pre) = 0 everywhere, so no gradient reaches the weights feeding it. This is
the cost of ReLU's zero gradient that leaky ReLU (slope 0.01 for x < 0) was designed to remove.

Setup (MLPs with two hidden layers, He-normal weights; "dead" = never positive on the whole
training set, measured after every epoch with diagnostics.watch(model).end_epoch(X_train))
A. A too-high learning rate. Spirals (2-D), plain SGD (no momentum) at LEARNING_RATES: a fine one,
   a high one and a too-high one. One large step can push a unit's bias far below zero, and a
   first-layer unit whose line w.x + b = 0 leaves the data cloud never comes back. The same runs
   with leaky ReLU.
B. A negative bias initialization: every hidden bias starts at NEGATIVE_BIAS (-3). The first
   layer's units are mostly off; the second layer sees inputs near 0 plus a bias of -3, so
   nearly all of its units are dead from the first step: no gradient flows below them and the
   network predicts one class (accuracy at chance = the majority class's share of the test set).
   ReLU and leaky ReLU, each with SGD and with Adam, on spirals and MNIST-1D. Leaky ReLU passes
   slope * gradient through the dead layer -- 100x smaller, which plain SGD barely notices, but
   Adam divides each parameter's step by the running RMS of its gradient, so a consistently small
   gradient still makes full-size steps.
C. Dead stays dead: in every ReLU run with plain SGD, each first-layer unit is snapshotted at the
   first epoch it is found dead and compared with the final weights. Its gradient is exactly 0 on
   every batch (each batch is part of the training set), so w <- w - lr * 0 leaves its weights
   bit-identical, and since the first layer's inputs never change, it can never revive. (With
   momentum, Adam or weight decay, a freshly dead unit still drifts for a while: the check is
   for plain SGD.) Deeper units can revive, because their inputs change.

What to look for: the dead fraction jumps in the first epochs of the too-high learning rate and
never recovers in the first layer; with bias -3 ReLU with SGD is stuck at chance, and so is
ReLU with Adam when the second layer is entirely dead (with a unit or two alive, Adam can revive
it: a dead layer is only hopeless when no gradient at all gets through); leaky ReLU trains with
Adam; a leaky network at the too-high learning rate can diverge instead of dying.
"""

from __future__ import annotations

import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import tinygrad_act as ta  # noqa: E402
from lessons._common import (  # noqa: E402
    LessonResult,
    lesson_main,
    load_dataset,
    mlp,
    pyplot,
    save_figure,
)
from tinygrad_act import data, diagnostics, nn, optim, train  # noqa: E402

HIDDEN_LAYERS = 2
LEAKY_SLOPE = 0.01
NEGATIVE_BIAS = -3.0
LEARNING_RATES = (0.1, 1.0, 2.0)  # plain SGD on spirals: fine, high, too high
BIAS_SGD_LR = 0.05
BATCH_SIZE = 32
# per dataset: hidden width, Adam learning rate, epochs (full, quick), training rows in quick mode
DATASETS = {
    "spirals": dict(width=64, adam_lr=1e-2, epochs=30, quick_epochs=10, quick_train=None),
    "mnist1d": dict(width=128, adam_lr=3e-3, epochs=15, quick_epochs=4, quick_train=2000),
}
ACTIVATIONS = {"relu": nn.ReLU, "leaky": lambda: nn.LeakyReLU(LEAKY_SLOPE)}
FIRST, SECOND = "1", "3"  # names of the two activation layers in mlp(...)
CHANCE_MARGIN = 0.05  # "at chance": test accuracy <= majority-class share + this


def init_fn(hidden_bias: float, n_classes: int):
    """He-normal weights; hidden biases = hidden_bias, output bias 0."""

    def init(lin: nn.Linear) -> None:
        nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
        nn.init.constant_(lin.bias, 0.0 if lin.out_features == n_classes else hidden_bias)

    return init


def train_watched(ds, act, opt_name, lr, bias, width, epochs, seed, progress) -> dict:
    """Train, measuring after every epoch; snapshot first-layer units when they are found dead.

    Returns per-epoch dead fractions, no-gradient fractions and test accuracy, the snapshot
    check, and the model. A run whose loss becomes NaN/inf stops there (diverged_epoch)."""
    Xtr, ytr, Xte, yte, k = ds
    ta.manual_seed(seed)
    model = mlp(Xtr.shape[1], k, width, HIDDEN_LAYERS, ACTIVATIONS[act], init_fn(bias, k))
    if opt_name == "sgd":
        opt = optim.SGD(model.parameters(), lr=lr)  # plain SGD: no momentum, no weight decay
    else:
        opt = optim.Adam(model.parameters(), lr=lr)
    first = model[0]
    loader = data.DataLoader(Xtr, ytr, batch_size=BATCH_SIZE, shuffle=True, seed=seed)
    test = data.DataLoader(Xte, yte, batch_size=len(Xte))
    snap: dict[int, tuple[int, np.ndarray, float]] = {}  # unit -> (epoch, weights, bias)
    acc = [train.evaluate(model, test)[1]]
    rec = dict(dead={FIRST: [], SECOND: []}, nograd={FIRST: [], SECOND: []}, diverged_epoch=None)

    with diagnostics.watch(model) as mon:

        def record(epoch: int, history=None) -> None:
            layers = mon.end_epoch(Xtr).layers
            for n in (FIRST, SECOND):
                rec["dead"][n].append(layers[n].dead_fraction)
                rec["nograd"][n].append(float(np.mean(layers[n].blocks_gradient)))
            if history is not None:
                acc.append(history["val_accuracy"][-1])
            for u in np.flatnonzero(layers[FIRST].never_positive):
                if u not in snap:
                    snap[int(u)] = (
                        epoch,
                        first.weight.numpy()[u].copy(),
                        float(first.bias.data[u]),
                    )

        record(0)
        w0 = first.weight.numpy().copy()
        try:
            with np.errstate(over="ignore", invalid="ignore"):  # a diverging run is reported
                train.fit(
                    model,
                    loader,
                    opt,
                    epochs=epochs,
                    val_loader=test,
                    progress=progress,
                    on_epoch_end=record,
                )
        except RuntimeError:
            rec["diverged_epoch"] = len(acc)  # the epoch during which the loss became NaN/inf
    W, b = first.weight.numpy(), first.bias.numpy()
    unchanged = [bool(np.array_equal(W[u], w) and b[u] == bb) for u, (_, w, bb) in snap.items()]
    alive = np.setdiff1d(np.arange(W.shape[0]), list(snap))
    moved = float(np.abs(W[alive] - w0[alive]).max()) if alive.size else 0.0
    rec.update(
        acc=np.array(acc),
        model=model,
        snapshots=len(snap),
        unchanged=int(sum(unchanged)),
        alive_moved=moved,
    )
    return rec


def _row(experiment, name, act, opt_name, lr, bias, r, chance) -> list:
    d1, d2, ng2 = r["dead"][FIRST], r["dead"][SECOND], r["nograd"][SECOND]
    div = r["diverged_epoch"]
    if div is not None:  # nothing was measured after the last finished epoch
        d1, d2, ng2 = d1[:1] + [float("nan")], d2[:1] + [float("nan")], [float("nan")]
    status = f"loss NaN in epoch {div}" if div is not None else ""
    if div is None and r["acc"][-1] <= chance + CHANCE_MARGIN:
        status = "at chance"
    return [
        experiment,
        name,
        act,
        opt_name,
        lr,
        bias,
        d1[0],
        d1[-1],
        d2[0],
        d2[-1],
        ng2[-1],
        float(r["acc"][-1]) if div is None else float("nan"),
        chance,
        status,
    ]


def _legend(ax, entries, **kw) -> None:
    """A compact legend: entries = [(label, line style kwargs)], one per colour/style meaning."""
    from matplotlib.lines import Line2D

    ax.legend(
        [Line2D([], [], **st) for _, st in entries], [lab for lab, _ in entries], fontsize=7, **kw
    )


def _plot_curves(out, runs_a, runs_b) -> str:
    plt = pyplot()
    fig, axes = plt.subplots(2, 2, figsize=(12, 7.5), sharex="col")
    palette = ("#2ca02c", "#ff7f0e", "#d62728", "#9467bd", "#8c564b")
    colors = {lr: palette[i % len(palette)] for i, lr in enumerate(sorted({k[1] for k in runs_a}))}
    dash = {"relu": "-", "leaky": "--"}
    for (act, lr), r in runs_a.items():
        e = np.arange(len(r["dead"][SECOND]))
        c, ls = colors[lr], dash[act]
        axes[0][0].plot(e, r["dead"][FIRST], ls, color=c, lw=1.5, marker=".")
        axes[0][0].plot(e, r["dead"][SECOND], ls, color=c, lw=4, alpha=0.35)
        axes[1][0].plot(np.arange(len(r["acc"])), r["acc"], ls, color=c, marker=".")
    lr_entries = [(f"lr = {lr:g}", dict(color=c, lw=2)) for lr, c in colors.items()]
    act_entries = [("ReLU", dict(color="k", ls="-")), ("leaky ReLU", dict(color="k", ls="--"))]
    _legend(
        axes[0][0],
        lr_entries
        + act_entries
        + [
            ("layer 1", dict(color="grey", lw=1.5, marker=".")),
            ("layer 2", dict(color="grey", lw=4, alpha=0.35)),
        ],
        loc="center right",
        bbox_to_anchor=(1.0, 0.7),
        ncol=2,
    )
    _legend(axes[1][0], lr_entries + act_entries, loc="center right", bbox_to_anchor=(1.0, 0.62))
    axes[0][0].set(
        title="A: spirals, plain SGD -- units never positive (train set)",
        ylabel="fraction of units",
        ylim=(-0.03, 1.03),
    )
    axes[1][0].set(
        title="A: test accuracy (a line that stops: the loss became NaN)",
        xlabel="epoch",
        ylabel="test accuracy",
        ylim=(0, 1.02),
    )
    col = {"relu": "#1f77b4", "leaky": "#ff7f0e"}
    dots = {"sgd": "-", "adam": ":"}
    for (name, act, opt_name), r in runs_b.items():
        if name != "spirals":
            continue
        c, ls = col[act], dots[opt_name]
        e = np.arange(len(r["dead"][SECOND]))
        axes[0][1].plot(e, r["dead"][SECOND], ls, color=c, lw=1.5, marker=".")
        axes[0][1].plot(e, r["nograd"][SECOND], ls, color=c, lw=6, alpha=0.3)
        axes[1][1].plot(np.arange(len(r["acc"])), r["acc"], ls, color=c, marker=".")
    b_entries = [
        ("ReLU", dict(color=col["relu"], lw=2)),
        ("leaky ReLU", dict(color=col["leaky"], lw=2)),
        ("SGD", dict(color="k", ls="-")),
        ("Adam", dict(color="k", ls=":")),
    ]
    _legend(
        axes[0][1],
        b_entries
        + [
            ("never positive", dict(color="grey", lw=1.5, marker=".")),
            ("no gradient (f' = 0 on all inputs)", dict(color="grey", lw=6, alpha=0.3)),
        ],
        loc="center right",
    )
    _legend(axes[1][1], b_entries, loc="center right", bbox_to_anchor=(1.0, 0.62))
    axes[0][1].set(
        title=f"B: spirals, hidden biases {NEGATIVE_BIAS:g} -- second layer",
        ylabel="fraction of units",
        ylim=(-0.03, 1.03),
    )
    axes[1][1].set(
        title=f"B: test accuracy, hidden biases {NEGATIVE_BIAS:g}",
        xlabel="epoch",
        ylabel="test accuracy",
        ylim=(0, 1.02),
    )
    for a in axes.ravel():
        a.grid(alpha=0.3)
    return save_figure(fig, out, "04_dead_units.png")


def run(
    quick: bool = False,
    seed: int = 0,
    out: str = "lesson_output",
    plots: bool = True,
    progress: bool = True,
    learning_rates: tuple = LEARNING_RATES,
    negative_bias: float = NEGATIVE_BIAS,
) -> LessonResult:
    rows, check_rows = [], []
    datasets = {
        n: load_dataset(n, seed, DATASETS[n]["quick_train"] if quick else None) for n in DATASETS
    }
    chance = {n: float(np.bincount(d[3]).max() / len(d[3])) for n, d in datasets.items()}

    # A. too-high learning rate (spirals, plain SGD)
    cfg = DATASETS["spirals"]
    epochs = cfg["quick_epochs"] if quick else cfg["epochs"]
    runs_a = {}
    for act in ACTIVATIONS:
        for lr in learning_rates:
            r = train_watched(
                datasets["spirals"], act, "sgd", lr, 0.0, cfg["width"], epochs, seed, progress
            )
            runs_a[(act, lr)] = r
            rows.append(_row("A: lr", "spirals", act, "sgd", lr, 0.0, r, chance["spirals"]))

    # B. negative bias initialization (both datasets, SGD and Adam)
    runs_b = {}
    for name, cfg in DATASETS.items():
        epochs = cfg["quick_epochs"] if quick else cfg["epochs"]
        for act in ACTIVATIONS:
            for opt_name in ("sgd", "adam"):
                lr = BIAS_SGD_LR if opt_name == "sgd" else cfg["adam_lr"]
                r = train_watched(
                    datasets[name],
                    act,
                    opt_name,
                    lr,
                    negative_bias,
                    cfg["width"],
                    epochs,
                    seed,
                    progress,
                )
                runs_b[(name, act, opt_name)] = r
                rows.append(
                    _row("B: bias", name, act, opt_name, lr, negative_bias, r, chance[name])
                )

    # C. dead first-layer units under plain SGD: bit-identical?
    relu_sgd = [(f"A: spirals lr={lr:g}", runs_a[("relu", lr)]) for lr in learning_rates]
    relu_sgd += [(f"B: {n} bias {negative_bias:g}", runs_b[(n, "relu", "sgd")]) for n in DATASETS]
    for label, r in relu_sgd:
        check_rows.append([label, r["snapshots"], r["unchanged"], r["alive_moved"]])
    n_checked = sum(r["snapshots"] for _, r in relu_sgd)
    n_same = sum(r["unchanged"] for _, r in relu_sgd)
    moved_a = max(runs_a[("relu", lr)]["alive_moved"] for lr in learning_rates)
    moved_b = max(runs_b[(n, "relu", "sgd")]["alive_moved"] for n in DATASETS)
    frozen = (
        f"with bias {negative_bias:g} the dead second layer stops every gradient, so nothing in "
        "the first layer moves"
        if moved_b == 0
        else f"with bias {negative_bias:g} the few live second-layer units let the live "
        f"first-layer units move by at most {moved_b:.2g}"
    )

    paths = []
    if plots and pyplot() is not None:
        paths.append(_plot_curves(out, runs_a, runs_b))
        worst = runs_a[("relu", max(learning_rates))]
        Xs, ys = datasets["spirals"][0], datasets["spirals"][1]
        paths.append(
            diagnostics.plots.unit_lines(worst["model"], Xs, f"{out}/04_unit_lines.png", y=ys)
        )

    # the numbers the summary and the tests use
    b2 = {k: r["dead"][SECOND] for k, r in runs_b.items()}
    accb = {k: float(r["acc"][-1]) for k, r in runs_b.items()}
    relu_sgd_b = [k for k in runs_b if k[1:] == ("relu", "sgd")]
    revived = [
        k[0]
        for k, d in b2.items()
        if k[1:] == ("relu", "adam") and d[-1] < d[0] - 0.2 and accb[k] > chance[k[0]] + 0.1
    ]
    leaky_adam_b = [k for k in runs_b if k[1:] == ("leaky", "adam")]
    hi, top = learning_rates[1], max(learning_rates)
    lo = min(learning_rates)
    ra_lo, ra_hi, ra_top = runs_a[("relu", lo)], runs_a[("relu", hi)], runs_a[("relu", top)]
    la_top = runs_a[("leaky", top)]
    leaky_top = (
        f"diverges (the loss becomes NaN in epoch {la_top['diverged_epoch']}): its units keep "
        "passing gradient, and the too-high learning rate shows up as divergence instead"
        if la_top["diverged_epoch"] is not None
        else f"ends at {la_top['acc'][-1]:.0%} test accuracy"
    )
    d2_top = ra_top["dead"][SECOND]
    early = len(d2_top) > 1 and d2_top[1] >= 0.5 * d2_top[-1] > 0
    when = f", {d2_top[1]:.0%} of the second layer already after epoch 1" if early else ""
    summary = (
        f"A. With plain SGD on spirals, lr = {hi:g} leaves {ra_hi['dead'][FIRST][-1]:.0%} of the "
        f"first-layer and {ra_hi['dead'][SECOND][-1]:.0%} of the second-layer ReLU units dead "
        f"(test accuracy {ra_hi['acc'][-1]:.0%}); lr = {top:g} kills "
        f"{ra_top['dead'][FIRST][-1]:.0%} and {ra_top['dead'][SECOND][-1]:.0%} (accuracy "
        f"{ra_top['acc'][-1]:.0%}, chance {chance['spirals']:.0%}){when}; at lr = {lo:g}, "
        f"{ra_lo['dead'][FIRST][-1]:.0%} and {ra_lo['dead'][SECOND][-1]:.0%}. Leaky ReLU at lr = "
        f"{top:g} {leaky_top}. "
        f"B. With every hidden bias at {negative_bias:g}, "
        + "the second ReLU layer starts "
        + " and ".join(f"{b2[k][0]:.0%} dead on {k[0]}" for k in relu_sgd_b)
        + "; trained with SGD, ReLU ends at "
        + ", ".join(
            f"{accb[k]:.0%} on {k[0]} (chance {chance[k[0]]:.0%}, {b2[k][-1]:.0%} dead)"
            for k in relu_sgd_b
        )
        + "; ReLU with Adam at "
        + ", ".join(f"{accb[(k[0], 'relu', 'adam')]:.0%} on {k[0]}" for k in relu_sgd_b)
        + (
            " (on " + " and ".join(revived) + " a few second-layer units were alive at init: "
            "they carried gradient down, the first layer moved, and Adam's full-size steps "
            "revived the dead ones)"
            if revived
            else ""
        )
        + "; leaky ReLU with SGD at "
        + ", ".join(f"{accb[(k[0], 'leaky', 'sgd')]:.0%} on {k[0]}" for k in relu_sgd_b)
        + ", and leaky ReLU with Adam trains: "
        + ", ".join(f"{accb[k]:.0%} on {k[0]}" for k in leaky_adam_b)
        + ". Leaky units that are never positive still receive slope x gradient, and Adam "
        "rescales that small gradient to a full step. "
        f"C. Of {n_checked} first-layer ReLU units found dead under plain SGD, {n_same} kept "
        "bit-identical weights and bias to the end, while in the learning-rate runs the live "
        f"units of the same layer moved by up to {moved_a:.2g} ({frozen}): a dead first-layer "
        "unit is dead for good."
    )
    measured = dict(
        chance=chance,
        lr_runs={
            f"{a} lr={lr:g}": dict(
                dead_first=r["dead"][FIRST],
                dead_second=r["dead"][SECOND],
                acc=r["acc"].tolist(),
                diverged_epoch=r["diverged_epoch"],
            )
            for (a, lr), r in runs_a.items()
        },
        bias_runs={
            "/".join(k): dict(
                dead_first=r["dead"][FIRST],
                dead_second=r["dead"][SECOND],
                nograd_second=r["nograd"][SECOND],
                acc=r["acc"].tolist(),
                final_acc=float(r["acc"][-1]),
            )
            for k, r in runs_b.items()
        },
        dead_units_checked=n_checked,
        dead_units_unchanged=n_same,
        alive_units_moved={lab: r["alive_moved"] for lab, r in relu_sgd},
    )
    return LessonResult(
        title="Lesson 4: dead units -- a too-high learning rate and a negative bias init",
        headers=[
            "exp",
            "data",
            "act",
            "opt",
            "lr",
            "bias",
            "dead L1 init",
            "dead L1 end",
            "dead L2 init",
            "dead L2 end",
            "no grad L2 end",
            "test acc",
            "chance",
            "note",
        ],
        rows=rows,
        summary=summary,
        measured=measured,
        plots=paths,
        extra_tables=[
            (
                "C. First-layer ReLU units found dead under plain SGD: weights at death vs. end",
                ["run", "dead units", "bit-identical", "max |dW| of live units"],
                check_rows,
            )
        ],
    )


if __name__ == "__main__":
    lesson_main(run, __doc__)
