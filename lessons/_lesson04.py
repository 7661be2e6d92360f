"""Lesson 4's training runs and its figure (lessons/04_dead_units.py reads as the experiment)."""

from __future__ import annotations

import numpy as np

import tinygrad_act as ta
from lessons._common import half_widths, load_dataset, mlp, pyplot
from tinygrad_act import data, diagnostics, nn, optim, train

HIDDEN_LAYERS = 2
LEAKY_SLOPE = 0.01
NEGATIVE_BIAS = -3.0
# plain SGD on spirals: fine, high, too high. 2 kills >= 27% of layer 1 and >= 75% of layer 2 in
# each of 10 seeds under every OpenBLAS core type (tools/blas_claims.py); 3 already diverges.
LEARNING_RATES = (0.1, 1.0, 2.0)
BIAS_SGD_LR = 0.05
# per dataset: width, batch, Adam lr, epochs (full, quick), training rows (full, quick)
DATASETS = {
    "spirals": dict(width=64, batch=32, adam_lr=1e-2, epochs=15, quick_epochs=5,
                    train=None, quick_train=None),
    "mnist1d": dict(width=128, batch=64, adam_lr=3e-3, epochs=8, quick_epochs=3,
                    train=2000, quick_train=1000),
}  # fmt: skip
ACTIVATIONS = {"relu": nn.ReLU, "leaky": lambda: nn.LeakyReLU(LEAKY_SLOPE)}
FIRST, SECOND = "1", "3"  # names of the two activation layers in mlp(...)


def init_fn(hidden_bias: float, n_classes: int):
    """He-normal weights; hidden biases = hidden_bias, output bias 0."""

    def init(lin: nn.Linear) -> None:
        nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
        nn.init.constant_(lin.bias, 0.0 if lin.out_features == n_classes else hidden_bias)

    return init


def train_watched(ds, act, opt_name, lr, bias, cfg, quick, seed) -> dict:
    """Train, measuring after every epoch (index 0: at init); snapshot first-layer units when
    they are first found dead. A run whose loss becomes NaN/inf stops (diverged_epoch)."""
    Xtr, ytr, Xte, yte, k = ds
    ta.manual_seed(seed)
    model = mlp(Xtr.shape[1], k, cfg["width"], HIDDEN_LAYERS, ACTIVATIONS[act], init_fn(bias, k))
    opt_cls = optim.SGD if opt_name == "sgd" else optim.Adam  # SGD: no momentum, no decay
    opt = opt_cls(model.parameters(), lr=lr)
    first = model[0]
    loader = data.DataLoader(Xtr, ytr, batch_size=cfg["batch"], shuffle=True, seed=seed)
    test = data.DataLoader(Xte, yte, batch_size=len(Xte))
    snap: dict[int, tuple[np.ndarray, float]] = {}
    rec = dict(dead1=[], dead2=[], nograd2=[], acc=[train.evaluate(model, test)[1]])

    with diagnostics.watch(model) as mon:

        def record(epoch: int, history=None) -> None:
            layers = mon.end_epoch(Xtr).layers
            rec["dead1"].append(layers[FIRST].dead_fraction)
            rec["dead2"].append(layers[SECOND].dead_fraction)
            rec["nograd2"].append(float(np.mean(layers[SECOND].blocks_gradient)))
            if history is not None:
                rec["acc"].append(history["val_accuracy"][-1])
            for u in np.flatnonzero(layers[FIRST].never_positive):
                snap.setdefault(int(u), (first.weight.numpy()[u].copy(), float(first.bias.data[u])))

        record(0)
        w0 = first.weight.numpy().copy()
        epochs = cfg["quick_epochs" if quick else "epochs"]
        rec["diverged_epoch"] = None
        try:
            with np.errstate(over="ignore", invalid="ignore"):  # a diverging run is reported
                train.fit(model, loader, opt, epochs=epochs, val_loader=test, progress=False,
                          on_epoch_end=record)  # fmt: skip
        except RuntimeError:
            rec["diverged_epoch"] = len(rec["acc"])  # the epoch in which the loss became NaN
    W, b = first.weight.numpy(), first.bias.numpy()
    alive = np.setdiff1d(np.arange(W.shape[0]), list(snap))
    rec.update(
        model=model,
        snapshots=len(snap),
        unchanged=sum(bool(np.array_equal(W[u], w) and b[u] == bb) for u, (w, bb) in snap.items()),
        alive_moved=float(np.abs(W[alive] - w0[alive]).max()) if alive.size else 0.0,
        min_out=_min_output(model, Xtr) if rec["diverged_epoch"] is None else None,
    )
    return rec


def _min_output(model, X) -> float:
    """The smallest output of the two hidden activations (ReLU: 0; leaky: negative)."""
    with ta.no_grad():
        h1 = model[1](model[0](ta.tensor(X)))
        h2 = model[3](model[2](h1))
    return float(min(h1.numpy().min(), h2.numpy().min()))


def _dataset(name: str, seed: int, quick: bool):
    cfg = DATASETS[name]
    return load_dataset(name, seed, cfg["quick_train" if quick else "train"])


def _chance(ds) -> float:
    return float(np.bincount(ds[3]).max() / len(ds[3]))  # majority class of the test set


def run_a(seed: int, quick: bool) -> dict:
    """A: spirals, plain SGD at every learning rate, ReLU and leaky ReLU."""
    ds, cfg = _dataset("spirals", seed, quick), DATASETS["spirals"]
    runs = {}
    for act in ACTIVATIONS:
        for lr in LEARNING_RATES:
            r = train_watched(ds, act, "sgd", lr, 0.0, cfg, quick, seed)
            runs[f"{act} lr={lr:g}"] = r
    return {k: {f: v for f, v in r.items() if f != "model"} for k, r in runs.items()}


def run_b(seed: int, quick: bool) -> tuple[dict, dict]:
    """B: every hidden bias NEGATIVE_BIAS; ReLU/leaky x SGD/Adam on both datasets."""
    runs, chance = {}, {}
    for name, cfg in DATASETS.items():
        ds = _dataset(name, seed, quick)
        chance[name] = _chance(ds)
        for act in ACTIVATIONS:
            for opt_name, lr in (("sgd", BIAS_SGD_LR), ("adam", cfg["adam_lr"])):
                r = train_watched(ds, act, opt_name, lr, NEGATIVE_BIAS, cfg, quick, seed)
                runs[f"{name}/{act}/{opt_name}"] = {f: v for f, v in r.items() if f != "model"}
    return runs, chance


def _band(ax, ivs, color, label, lw=1.5, ls="-"):
    """Mean line with its 95% interval as a shaded band (x = epoch)."""
    x = np.arange(len(ivs))
    m = np.array([v.mean for v in ivs])
    lo = np.array([v.lo if v.n > 1 else v.mean for v in ivs])
    hi = np.array([v.hi if v.n > 1 else v.mean for v in ivs])
    ax.plot(x, m, ls, color=color, lw=lw, label=label)
    ax.fill_between(x, lo, hi, color=color, alpha=0.15, lw=0)


def curves_figure(t: dict):
    """A: dead fractions and accuracy per epoch (95% bands; x = a diverged run's last point);
    B: final accuracy and dead/no-gradient fractions per arm (dots with 95% CIs)."""
    fig, ax = pyplot().subplots(2, 2, figsize=(14, 8))
    colors = {lr: f"C{i + 2}" for i, lr in enumerate(LEARNING_RATES)}
    for lr, c in colors.items():
        r = t["A"][f"relu lr={lr:g}"]
        _band(ax[0][0], r["dead1_curve"], c, f"ReLU lr {lr:g}: layer 1")
        _band(ax[0][0], r["dead2_curve"], c, f"ReLU lr {lr:g}: layer 2", lw=3.5, ls=":")
        for act, ls in (("relu", "-"), ("leaky", "--")):
            r = t["A"][f"{act} lr={lr:g}"]
            _band(ax[1][0], r["acc_curve"], c, f"{act} lr {lr:g}", ls=ls)
            for epoch, acc, _ in r["stopped"]:  # in the colour of its learning rate
                ax[1][0].plot([epoch - 1], [acc], "x", color=c, ms=10, mew=2.5,
                              label=f"x: loss NaN, {act} lr {lr:g} stopped")  # fmt: skip
    ax[0][0].set(title="A: spirals, plain SGD -- ReLU units never positive (train set)",
                 ylabel="fraction dead", ylim=(-0.02, 1.02))  # fmt: skip
    ax[1][0].set(title="A: test accuracy (mean, 95% band)", xlabel="epoch",
                 ylabel="test accuracy", ylim=(0, 1.02))  # fmt: skip
    keys = list(t["B"])
    y = np.arange(len(keys))[::-1]
    acc = [t["B"][k]["acc"] for k in keys]
    ax[0][1].errorbar([v.mean for v in acc], y, xerr=half_widths(acc), fmt="o", capsize=3)
    for i, (name, iv) in enumerate(t["chance"].items()):
        ax[0][1].axvline(iv.mean, color=f"C{i + 5}", ls=":", label=f"chance ({name})")
    ax[0][1].set_yticks(y, keys, fontsize=8)
    ax[0][1].set(title=f"B: hidden biases {NEGATIVE_BIAS:g} -- final test accuracy (95% CI)",
                 xlim=(0, 1))  # fmt: skip
    for f, mk, lab in (("dead2", "o", "never positive"), ("nograd2", "s", "no gradient")):
        iv = [t["B"][k][f] for k in keys]
        ax[1][1].errorbar([v.mean for v in iv], y, xerr=half_widths(iv), fmt=mk, mfc="none",
                          capsize=3, label=f"layer 2: {lab}")  # fmt: skip
    ax[1][1].set_yticks(y, keys, fontsize=8)
    ax[1][1].set(title="B: second layer at the end (leaky: never positive, yet passes gradient)",
                 xlabel="fraction of units", xlim=(-0.02, 1.02))  # fmt: skip
    for a in ax.ravel():
        handles, labels = a.get_legend_handles_labels()
        uniq = dict(zip(labels, handles))
        a.legend(uniq.values(), uniq.keys(), fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
        a.grid(alpha=0.3)
    fig.tight_layout()
    return fig
