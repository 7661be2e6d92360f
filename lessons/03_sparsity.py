"""Lesson 3: sparsity -- ReLU's exact zeros, which leaky ReLU gives up.

The zero gradient for x < 0 comes with a zero OUTPUT for x < 0. A trained ReLU network maps each
input to a sparse code: in every layer a large share of the units output exactly 0. Glorot, Bordes
& Bengio (2011, "Deep sparse rectifier neural networks") counted this as one of ReLU's advantages:
sparse codes are cheap to store and compute on, and each input switches on only a subset of the
units (a different linear model per region of the input space). Leaky ReLU outputs slope * x < 0
instead: its code has the same on/off pattern but not a single exact zero.

Setup
- Two datasets: the 2-D spirals (3 classes) and MNIST-1D (40 inputs, 10 classes).
- An MLP with HIDDEN_LAYERS hidden layers (width per dataset in DATASETS), He-normal weights and
  zero biases (so that at init about half of the pre-activations are positive), trained with Adam,
  once with ReLU and once with LeakyReLU(LEAKY_SLOPE), same seed and same batches.
- After training, diagnostics.watch(model).measure(X_test) counts per layer, over the test set:
    exact zeros  = #{outputs == 0} / (inputs x units)            (LayerStats.sparsity)
    negative side = 1 - mean activity = #{pre <= 0} / (inputs x units)
    dead units   = units with pre <= 0 on every test input       (LayerStats.dead_fraction)
  For ReLU "exact zeros" and "negative side" coincide; leaky ReLU has the same negative side but
  outputs slope * pre there, not 0.
- The hidden representation as input to a linear classifier ("linear probe"): the trained
  network is frozen, the output of each hidden layer is computed for the training and test sets,
  and a fresh linear softmax classifier (nn.Linear + cross-entropy, full-batch Adam on
  standardized features) is trained on it. Probes on the raw inputs and on the last ReLU layer's
  on/off pattern alone (1 where the unit is on, else 0) give two reference points.

What to look for: ReLU layers are about half zeros or more, leaky ones have none; both codes are
about equally linearly separable (the sparsity is a property of the code, not an accuracy win);
the on/off pattern alone carries most of what the linear classifier needs.
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

HIDDEN_LAYERS = 3
LEAKY_SLOPE = 0.01
BATCH_SIZE = 64
# per dataset: hidden width, Adam learning rate, epochs (full, quick), training rows in quick mode
DATASETS = {
    "spirals": dict(width=64, lr=1e-2, epochs=40, quick_epochs=15, quick_train=None),
    "mnist1d": dict(width=128, lr=1e-3, epochs=30, quick_epochs=6, quick_train=2000),
}
PROBE_STEPS, QUICK_PROBE_STEPS, PROBE_LR = 300, 150, 1e-2
CODE_ROWS = 60  # test inputs shown in the code picture
ACTIVATIONS = {"relu": nn.ReLU, "leaky": lambda: nn.LeakyReLU(LEAKY_SLOPE)}


def he_init(lin: nn.Linear) -> None:
    nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
    nn.init.zeros_(lin.bias)


def hidden_codes(model: nn.Sequential, X: np.ndarray) -> list[np.ndarray]:
    """The output of every hidden layer's activation on X, (N, width) each, under no_grad."""
    codes, h = [], ta.tensor(X)
    with ta.no_grad():
        for i, m in enumerate(model):
            h = m(h)
            if i % 2 == 1 and i < 2 * HIDDEN_LAYERS:  # activations sit at odd indices
                codes.append(h.numpy().copy())
    return codes


def linear_probe(Htr, ytr, Hte, yte, n_classes: int, steps: int, seed: int) -> float:
    """Test accuracy of a linear softmax classifier trained on frozen features (full batch)."""
    Htr, Hte = data.standardize(Htr.astype(np.float32), Hte.astype(np.float32))
    ta.manual_seed(seed)
    head = nn.Linear(Htr.shape[1], n_classes)
    opt = optim.Adam(head.parameters(), lr=PROBE_LR)
    X, y = ta.tensor(Htr), ta.tensor(ytr)
    for _ in range(steps):
        loss = F.cross_entropy(head(X), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with ta.no_grad():
        pred = head(ta.tensor(Hte)).numpy().argmax(axis=1)
    return float(np.mean(pred == yte))


def train_net(ds, cfg: dict, act: str, epochs: int, seed: int, progress: bool):
    """Train one network; return (model, test accuracy, stats at init, stats after training)."""
    Xtr, ytr, Xte, yte, k = ds
    ta.manual_seed(seed)
    model = mlp(Xtr.shape[1], k, cfg["width"], HIDDEN_LAYERS, ACTIVATIONS[act], he_init)
    opt = optim.Adam(model.parameters(), lr=cfg["lr"])
    loader = data.DataLoader(Xtr, ytr, batch_size=BATCH_SIZE, shuffle=True, seed=seed)
    with diagnostics.watch(model, track_grads=False) as mon:
        at_init = mon.measure(Xte)
        train.fit(model, loader, opt, epochs=epochs, progress=progress)
        after = mon.measure(Xte)
    _, acc = train.evaluate(model, data.DataLoader(Xte, yte, batch_size=len(Xte)))
    return model, acc, at_init, after


def _plot_sparsity(out, res) -> str:
    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(15, 3.9))
    names = list(res)
    w = 0.2
    for j, name in enumerate(names):
        layers = np.arange(1, HIDDEN_LAYERS + 1) + j * (HIDDEN_LAYERS + 1)
        r, lk = res[name]["relu"], res[name]["leaky"]
        axes[0].bar(
            layers - 1.5 * w,
            r["zeros_init"],
            w,
            color="#aec7e8",
            label="ReLU at init" if j == 0 else None,
        )
        axes[0].bar(
            layers - 0.5 * w,
            r["zeros"],
            w,
            color="#1f77b4",
            label="ReLU trained" if j == 0 else None,
        )
        axes[0].bar(
            layers + 0.5 * w,
            lk["zeros"],
            w,
            color="#ff7f0e",
            label="leaky trained (exact zeros)" if j == 0 else None,
        )
        axes[0].bar(
            layers + 1.5 * w,
            lk["negative"],
            w,
            color="#ffbb78",
            label="leaky trained: pre <= 0" if j == 0 else None,
        )
        for x, v in zip(layers + 0.5 * w, lk["zeros"]):
            axes[0].text(x, v + 0.01, f"{v:.0%}", ha="center", fontsize=7, color="#ff7f0e")
    ticks = [
        i + j * (HIDDEN_LAYERS + 1) for j in range(len(names)) for i in range(1, HIDDEN_LAYERS + 1)
    ]
    axes[0].set_xticks(
        ticks, [f"{n}\nlayer {i}" for n in names for i in range(1, HIDDEN_LAYERS + 1)], fontsize=7
    )
    axes[0].set(
        ylabel="fraction of outputs (test set)", ylim=(0, 1), title="exact zeros per hidden layer"
    )
    axes[0].legend(fontsize=7, loc="upper left")
    for name, color in zip(names, ("#2ca02c", "#9467bd")):
        frac = res[name]["relu"]["active_per_input"]
        axes[1].hist(
            frac,
            bins=np.linspace(0, 1, 41),
            alpha=0.6,
            color=color,
            label=f"{name} (mean {frac.mean():.0%})",
        )
    axes[1].set(
        xlabel="fraction of last-layer ReLU units that are non-zero",
        ylabel="test inputs",
        title="how sparse is each input's code?",
    )
    axes[1].legend(fontsize=8)
    for name, color in zip(names, ("#2ca02c", "#9467bd")):
        layers = np.arange(1, HIDDEN_LAYERS + 1)
        axes[2].plot(layers, res[name]["relu"]["probe"], "o-", color=color, label=f"{name} ReLU")
        axes[2].plot(layers, res[name]["leaky"]["probe"], "s--", color=color, label=f"{name} leaky")
        axes[2].axhline(res[name]["probe_raw"], color=color, ls=":", label=f"{name} raw input")
    axes[2].set_xticks(np.arange(1, HIDDEN_LAYERS + 1))
    axes[2].set(
        xlabel="hidden layer",
        ylabel="test accuracy",
        ylim=(0, 1.02),
        title="linear classifier on the frozen hidden code",
    )
    axes[2].legend(fontsize=7, loc="lower right")
    for a in axes:
        a.grid(alpha=0.3)
    return save_figure(fig, out, "03_sparsity.png")


def _plot_codes(out, res, name) -> str:
    plt = pyplot()
    import matplotlib

    fig, axes = plt.subplots(1, 2, figsize=(12, 3.8), gridspec_kw=dict(wspace=0.3))
    # positives in viridis (never white), negatives grey, exact zeros white
    cmap = matplotlib.colormaps["viridis"].with_extremes(under="#999999", bad="white")
    vmax = max(float(res[name][a]["code"].max()) for a in ("relu", "leaky"))
    for ax, act in zip(axes, ("relu", "leaky")):
        code = res[name][act]["code"]
        order = np.argsort(-(code > 0).mean(axis=0))  # most active units first
        img = np.ma.masked_equal(code[:, order], 0.0)  # exact zeros: white ("bad")
        # vmin just above 0: every negative output (leaky) is drawn in the "under" colour
        im = ax.imshow(
            img, aspect="auto", cmap=cmap, interpolation="nearest", vmin=1e-12, vmax=vmax
        )
        zeros, neg = float(np.mean(code == 0)), float(np.mean(code < 0))
        ax.set(
            title=f"{act}: {zeros:.0%} exact zeros (white), {neg:.0%} negative (grey)",
            xlabel="unit (most active first)",
            ylabel="test input",
        )
        fig.colorbar(im, ax=ax, fraction=0.04, label="positive output")
    fig.suptitle(f"{name}: the last hidden layer's code for {len(code)} test inputs")
    return save_figure(fig, out, "03_codes.png")


def run(
    quick: bool = False,
    seed: int = 0,
    out: str = "lesson_output",
    plots: bool = True,
    progress: bool = True,
) -> LessonResult:
    res, rows, probe_rows = {}, [], []
    steps = QUICK_PROBE_STEPS if quick else PROBE_STEPS
    for name, cfg in DATASETS.items():
        ds = load_dataset(name, seed, DATASETS[name]["quick_train"] if quick else None)
        Xtr, ytr, Xte, yte, k = ds
        epochs = cfg["quick_epochs"] if quick else cfg["epochs"]
        res[name] = {"probe_raw": linear_probe(Xtr, ytr, Xte, yte, k, steps, seed)}
        for act in ACTIVATIONS:
            model, acc, at_init, after = train_net(ds, cfg, act, epochs, seed, progress)
            sts = list(after.values())
            tr_codes, te_codes = hidden_codes(model, Xtr), hidden_codes(model, Xte)
            r = dict(
                accuracy=acc,
                zeros=np.array([s.sparsity for s in sts]),
                zeros_init=np.array([s.sparsity for s in at_init.values()]),
                negative=np.array([1.0 - float(s.activity.mean()) for s in sts]),
                dead=np.array([s.dead_fraction for s in sts]),
                probe=np.array(
                    [
                        linear_probe(a, ytr, b, yte, k, steps, seed)
                        for a, b in zip(tr_codes, te_codes)
                    ]
                ),
                active_per_input=(te_codes[-1] != 0).mean(axis=1),
                code=te_codes[-1][:CODE_ROWS],
            )
            if act == "relu":
                on_tr, on_te = (tr_codes[-1] > 0), (te_codes[-1] > 0)
                r["probe_onoff"] = linear_probe(on_tr, ytr, on_te, yte, k, steps, seed)
            res[name][act] = r
            for i in range(HIDDEN_LAYERS):
                rows.append(
                    [
                        name,
                        act,
                        i + 1,
                        float(r["zeros_init"][i]),
                        float(r["zeros"][i]),
                        float(r["negative"][i]),
                        float(r["dead"][i]),
                    ]
                )
        rl, lk = res[name]["relu"], res[name]["leaky"]
        probe_rows.append(
            [
                name,
                res[name]["probe_raw"],
                float(rl["probe"][-1]),
                float(lk["probe"][-1]),
                rl["probe_onoff"],
                rl["accuracy"],
                lk["accuracy"],
                float(rl["active_per_input"].mean()),
            ]
        )

    paths = []
    if plots and pyplot() is not None:
        paths = [_plot_sparsity(out, res), _plot_codes(out, res, "mnist1d")]

    relu_min, least = min(
        (float(res[n]["relu"]["zeros"][i]), f"{n} layer {i + 1}")
        for n in res
        for i in range(HIDDEN_LAYERS)
    )
    changed = {n: res[n]["relu"]["zeros"] - res[n]["relu"]["zeros_init"] for n in res}
    relu_max = max(float(res[n]["relu"]["zeros"].max()) for n in res)
    leaky_max = max(float(res[n]["leaky"]["zeros"].max()) for n in res)
    leaky_neg = min(float(res[n]["leaky"]["negative"].min()) for n in res)
    parts = []
    for n in res:
        rl, lk = res[n]["relu"], res[n]["leaky"]
        parts.append(
            f"on {n} the linear classifier reaches {rl['probe'][-1]:.0%} on the last ReLU code, "
            f"{lk['probe'][-1]:.0%} on the leaky code and {rl['probe_onoff']:.0%} on the ReLU "
            f"on/off pattern alone (raw inputs: {res[n]['probe_raw']:.0%}; the networks "
            f"themselves: {rl['accuracy']:.0%} ReLU, {lk['accuracy']:.0%} leaky), and an input "
            f"switches on {rl['active_per_input'].mean():.0%} of the last layer's ReLU units"
        )
    gap = max(abs(float(res[n]["relu"]["probe"][-1] - res[n]["leaky"]["probe"][-1])) for n in res)
    summary = (
        f"After training, every ReLU hidden layer outputs exact zeros for between "
        f"{relu_min:.0%} (the least sparse: {least}) and {relu_max:.0%} of the (test input, unit) "
        "pairs; at init (He weights, zero biases) it was about half everywhere, and training "
        + " and ".join(
            f"{'raised' if changed[n].mean() > 0 else 'lowered'} it on {n} by "
            f"{100 * abs(changed[n].mean()):.0f} percentage points on average"
            for n in res
        )
        + "; the leaky ReLU "
        f"layers have {'no exact zero at all' if leaky_max == 0 else f'at most {leaky_max:.2%}'}"
        f", although {leaky_neg:.0%} or more of their pre-activations are negative -- the same "
        "on/off pattern, with small negative outputs where ReLU has zeros. "
        + "; ".join(parts).capitalize()[:1]
        + "; ".join(parts)[1:]
        + f". The ReLU and leaky codes are within {gap:.0%} of each other as inputs to a linear "
        "classifier: on these tasks the sparsity is a property of the code (cheap, interpretable "
        "on/off patterns), not a gain in linear separability."
    )
    measured = dict(
        relu_zeros={n: res[n]["relu"]["zeros"].tolist() for n in res},
        leaky_zeros={n: res[n]["leaky"]["zeros"].tolist() for n in res},
        leaky_negative={n: res[n]["leaky"]["negative"].tolist() for n in res},
        dead={n: {a: res[n][a]["dead"].tolist() for a in ACTIVATIONS} for n in res},
        probe={n: {a: res[n][a]["probe"].tolist() for a in ACTIVATIONS} for n in res},
        probe_raw={n: res[n]["probe_raw"] for n in res},
        probe_onoff={n: res[n]["relu"]["probe_onoff"] for n in res},
        accuracy={n: {a: res[n][a]["accuracy"] for a in ACTIVATIONS} for n in res},
        active_per_input={n: float(res[n]["relu"]["active_per_input"].mean()) for n in res},
    )
    return LessonResult(
        title="Lesson 3: sparsity -- exact zeros per hidden layer (test set)",
        headers=[
            "dataset",
            "activation",
            "layer",
            "exact zeros at init",
            "exact zeros trained",
            "pre <= 0 trained",
            "never positive units",
        ],
        rows=rows,
        summary=summary,
        measured=measured,
        plots=paths,
        extra_tables=[
            (
                "Linear classifier on the frozen last hidden layer (test accuracy)",
                [
                    "dataset",
                    "raw input",
                    "ReLU code",
                    "leaky code",
                    "ReLU on/off only",
                    "ReLU net",
                    "leaky net",
                    "ReLU units on per input",
                ],
                probe_rows,
            )
        ],
    )


if __name__ == "__main__":
    lesson_main(run, __doc__)
