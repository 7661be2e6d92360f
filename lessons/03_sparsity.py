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
  network is frozen, the output of the last hidden layer is computed for the training and test
  sets, and a fresh linear softmax classifier (nn.Linear + cross-entropy, full-batch Adam on
  standardized features) is trained on it. Probes on the raw inputs and on the last ReLU layer's
  on/off pattern alone (1 where the unit is on, else 0) give two reference points.
- Every number is a mean over seeds with its 95% interval; ReLU and leaky ReLU of one seed share
  data, init and batches, so their differences are paired. MNIST-1D trains on a 2000-row subset.

What to look for: ReLU layers are about half zeros or more, leaky ones have none; both codes are
about equally linearly separable (the sparsity is a property of the code, not an accuracy win);
the on/off pattern alone carries most of what the linear classifier needs.
"""

from __future__ import annotations

import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from lessons._common import (  # noqa: E402
    half_widths,
    lesson_main,
    load_dataset,
    make_run,
    pyplot,
    save_figure,
)
from lessons._lesson03 import (  # noqa: E402  (the network, its training and the probe)
    ACTIVATIONS,
    HIDDEN_LAYERS,
    hidden_codes,
    linear_probe,
    train_net,
)
from lessons._stats import capital, difference_sentence, mean_ci, paired_diff  # noqa: E402

# per dataset: hidden width, Adam learning rate, epochs (full, quick), training rows (full, quick)
DATASETS = {
    "spirals": dict(width=64, lr=1e-2, epochs=30, quick_epochs=12, train=None, quick_train=None),
    "mnist1d": dict(width=128, lr=2e-3, epochs=15, quick_epochs=6, train=2000, quick_train=1000),
}
PROBE_STEPS, QUICK_PROBE_STEPS = 200, 100
N_SEEDS, QUICK_N_SEEDS = 10, 3
MIN_RELU_ZEROS = 0.3  # claimed: every trained ReLU layer has at least this share of exact zeros
CODE_ROWS = 60  # test inputs shown in the code picture


def measure(seed: int, quick: bool = False) -> dict:
    """Per dataset and activation: exact zeros, negative side and dead units per layer, and
    linear probes on the last hidden layer (ReLU also on its on/off pattern)."""
    out = dict(seed=seed, quick=quick)
    steps = QUICK_PROBE_STEPS if quick else PROBE_STEPS
    for name, cfg in DATASETS.items():
        ds = load_dataset(name, seed, cfg["quick_train" if quick else "train"])
        Xtr, ytr, Xte, yte, k = ds
        res = {"probe_raw": linear_probe(Xtr, ytr, Xte, yte, k, steps, seed)}
        for act in ACTIVATIONS:
            epochs = cfg["quick_epochs" if quick else "epochs"]
            model, acc, at_init, after = train_net(ds, cfg, act, epochs, seed)
            sts = list(after.values())
            tr, te = hidden_codes(model, Xtr)[-1], hidden_codes(model, Xte)[-1]
            r = dict(
                accuracy=acc,
                zeros=[s.sparsity for s in sts],
                zeros_init=[s.sparsity for s in at_init.values()],
                negative=[1.0 - float(s.activity.mean()) for s in sts],
                dead=[s.dead_fraction for s in sts],
                min_out=float(te.min()),
                probe=linear_probe(tr, ytr, te, yte, k, steps, seed),
                active_per_input=float((te != 0).mean()),
            )
            if act == "relu":
                r["probe_onoff"] = linear_probe(tr > 0, ytr, te > 0, yte, k, steps, seed)
            res[act] = r
        out[name] = res
    return out


def _get(run: dict, path: tuple):
    for key in path:
        run = run[key]
    return run


def aggregate(runs: list[dict]) -> dict:
    t = dict(n=len(runs), seeds=[r["seed"] for r in runs], quick=runs[0]["quick"])

    def ci(*path):
        return mean_ci([_get(r, path) for r in runs])

    def diff(a: tuple, b: tuple):
        return paired_diff([_get(r, a) for r in runs], [_get(r, b) for r in runs])

    for n in DATASETS:
        d = t[n] = dict(probe_raw=ci(n, "probe_raw"))
        for a in ACTIVATIONS:
            d[a] = {f: [ci(n, a, f, i) for i in range(HIDDEN_LAYERS)]
                    for f in ("zeros", "zeros_init", "negative", "dead")}  # fmt: skip
            for f in ("accuracy", "probe", "active_per_input"):
                d[a][f] = ci(n, a, f)
            d[a]["max_zeros"] = max(max(r[n][a]["zeros"]) for r in runs)
            d[a]["min_out"] = min(r[n][a]["min_out"] for r in runs)
        d["relu"]["probe_onoff"] = ci(n, "relu", "probe_onoff")
        relu, leaky, raw = (n, "relu", "probe"), (n, "leaky", "probe"), (n, "probe_raw")
        d["diff"] = {
            "ReLU code - leaky code": diff(relu, leaky),
            "ReLU code - raw input": diff(relu, raw),
            "ReLU on/off - raw input": diff((n, "relu", "probe_onoff"), raw),
            "ReLU net - leaky net": diff((n, "relu", "accuracy"), (n, "leaky", "accuracy")),
        }
    return t


def claims(t: dict) -> dict[str, bool]:
    out = {}
    for n in DATASETS:
        d = t[n]
        out[f"{n}: every ReLU layer >= {MIN_RELU_ZEROS:.0%} exact zeros"] = all(
            iv.lo >= MIN_RELU_ZEROS for iv in d["relu"]["zeros"]
        )
        out[f"{n}: leaky layers have no exact zero (every seed)"] = d["leaky"]["max_zeros"] == 0
        out[f"{n}: leaky layers are >= 30% on the negative side"] = all(
            iv.lo >= 0.3 for iv in d["leaky"]["negative"]
        )
        out[f"{n}: the ReLU code beats the raw input as probe input"] = (
            d["diff"]["ReLU code - raw input"].lo > 0
        )
    # on spirals the on/off pattern is enough; on MNIST-1D it is not claimed (undertrained in quick)
    out["spirals: the ReLU on/off pattern alone beats the raw input"] = (
        t["spirals"]["diff"]["ReLU on/off - raw input"].lo > 0
    )
    return out


def summarize(t: dict) -> list[str]:
    s = []
    for n in DATASETS:
        d = t[n]
        rz, lz = d["relu"]["zeros"], d["leaky"]["negative"]
        s.append(
            f"{n}: the trained ReLU layers output exact zeros for "
            + ", ".join(f"{iv}" for iv in rz)
            + " of the (test input, unit) pairs (layers 1..3; at init: "
            + ", ".join(f"{iv.mean:.2f}" for iv in d["relu"]["zeros_init"])
            + "); the leaky layers have "
            + ("no exact zero" if d["leaky"]["max_zeros"] == 0 else "some exact zeros")
            + " in any seed, although " + ", ".join(f"{iv.mean:.2f}" for iv in lz)
            + " of their pre-activations are <= 0: the same on/off pattern, with small negative "
            "outputs where ReLU has zeros."
        )  # fmt: skip
        s.append(
            f"{n}, linear probe on the last hidden layer: ReLU code {d['relu']['probe']}, leaky "
            f"code {d['leaky']['probe']}, ReLU on/off pattern alone {d['relu']['probe_onoff']}, "
            f"raw input {d['probe_raw']}; "
            + difference_sentence("the ReLU code", "the leaky code",
                                  d["diff"]["ReLU code - leaky code"], "probe accuracy")
            + "; " + difference_sentence("the ReLU network", "the leaky network",
                                         d["diff"]["ReLU net - leaky net"], "test accuracy") + "."
        )  # fmt: skip
    s.append(
        capital(
            "the sparsity is a property of the code (cheap, interpretable on/off patterns); "
            "the probes say whether it also costs or buys linear separability here."
        )
    )
    return s


def render(t: dict) -> list[tuple[str, list[str], list[list]]]:
    rows, probe, diffs = [], [], []
    for n in DATASETS:
        d = t[n]
        for a in ACTIVATIONS:
            for i in range(HIDDEN_LAYERS):
                rows.append([n, a, i + 1, *(d[a][f][i] for f in ("zeros_init", "zeros",
                                                                 "negative", "dead"))])  # fmt: skip
        probe.append([n, d["probe_raw"], d["relu"]["probe"], d["leaky"]["probe"],
                      d["relu"]["probe_onoff"], d["relu"]["accuracy"], d["leaky"]["accuracy"],
                      d["relu"]["active_per_input"]])  # fmt: skip
        diffs += [[n, k, v] for k, v in d["diff"].items()]
    return [
        (f"Exact zeros per hidden layer (test set): mean (95% CI), {t['n']} seeds",
         ["dataset", "activation", "layer", "exact zeros at init", "exact zeros trained",
          "pre <= 0 trained", "never positive units"], rows),
        ("Linear classifier on the frozen last hidden layer (test accuracy), mean (95% CI)",
         ["dataset", "raw input", "ReLU code", "leaky code", "ReLU on/off only", "ReLU net",
          "leaky net", "ReLU units on per input"], probe),
        ("Paired differences (same seed), mean (95% CI)", ["dataset", "difference",
                                                           "mean (95% CI)"], diffs),
    ]  # fmt: skip


def figures(t: dict, out: str) -> list[str]:
    return [save_figure(sparsity_figure(t), out, "03_sparsity.png"),
            save_figure(codes_figure(t, "mnist1d"), out, "03_codes.png")]  # fmt: skip


def sparsity_figure(t: dict):
    """Exact zeros / negative side per layer, probe accuracies, paired differences (95% CIs)."""
    fig, ax = pyplot().subplots(1, 3, figsize=(17, 4.2))
    series = (("relu", "zeros_init", "ReLU zeros at init", "#aec7e8", "o"),
              ("relu", "zeros", "ReLU zeros trained", "#1f77b4", "o"),
              ("leaky", "zeros", "leaky zeros trained", "#ff7f0e", "D"),
              ("leaky", "negative", "leaky pre <= 0 trained", "#ffbb78", "s"))  # fmt: skip
    ticks, labels = [], []
    for j, n in enumerate(DATASETS):
        base = np.arange(HIDDEN_LAYERS) + j * (HIDDEN_LAYERS + 1)
        ticks += list(base)
        labels += [f"{n}\nlayer {i + 1}" for i in range(HIDDEN_LAYERS)]
        for k, (a, f, lab, c, m) in enumerate(series):
            iv = t[n][a][f]
            ax[0].errorbar(base + (k - 1.5) * 0.18, [v.mean for v in iv], yerr=half_widths(iv),
                           fmt=m, color=c, capsize=2, label=lab if j == 0 else None)  # fmt: skip
    ax[0].set_xticks(ticks, labels, fontsize=7)
    ax[0].set(ylabel="fraction of outputs (test set)", ylim=(-0.03, 1.03),
              title="exact zeros per hidden layer (95% CI)")  # fmt: skip
    names = ["raw input", "ReLU code", "leaky code", "ReLU on/off"]
    for j, n in enumerate(DATASETS):
        d = t[n]
        iv = [d["probe_raw"], d["relu"]["probe"], d["leaky"]["probe"], d["relu"]["probe_onoff"]]
        ax[1].errorbar(np.arange(4) + 0.15 * j, [v.mean for v in iv], yerr=half_widths(iv),
                       fmt="os"[j], capsize=3, label=n)  # fmt: skip
        diff = d["diff"]
        y = np.arange(len(diff))[::-1] + 0.15 * j
        ax[2].errorbar([v.mean for v in diff.values()], y, xerr=half_widths(list(diff.values())),
                       fmt="os"[j], capsize=3, label=n)  # fmt: skip
    ax[1].set_xticks(range(4), names)
    ax[1].set(ylabel="test accuracy", ylim=(0, 1.02), title="linear probe on the last layer")
    ax[2].set_yticks(np.arange(len(diff))[::-1], list(diff), fontsize=8)
    ax[2].axvline(0, color="gray", lw=1)
    ax[2].set(xlabel="accuracy difference (same seed)", title="paired differences (95% CI)")
    for a in ax:
        a.grid(alpha=0.3)
        a.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    return fig


def codes_figure(t: dict, name: str):
    """The last hidden layer's code for CODE_ROWS test inputs, ReLU vs leaky (first seed)."""
    import matplotlib

    seed, cfg = t["seeds"][0], DATASETS[name]
    ds = load_dataset(name, seed, cfg["quick_train" if t["quick"] else "train"])
    epochs = cfg["quick_epochs" if t["quick"] else "epochs"]
    codes = {a: hidden_codes(train_net(ds, cfg, a, epochs, seed)[0], ds[2])[-1][:CODE_ROWS]
             for a in ACTIVATIONS}  # fmt: skip
    fig, axes = pyplot().subplots(1, 2, figsize=(12, 3.8), gridspec_kw=dict(wspace=0.3))
    # positives in viridis (never white), negatives grey, exact zeros white
    cmap = matplotlib.colormaps["viridis"].with_extremes(under="#999999", bad="white")
    vmax = max(float(c.max()) for c in codes.values())
    for ax, (act, code) in zip(axes, codes.items()):
        order = np.argsort(-(code > 0).mean(axis=0))  # most active units first
        img = np.ma.masked_equal(code[:, order], 0.0)  # exact zeros: white ("bad")
        im = ax.imshow(img, aspect="auto", cmap=cmap, interpolation="nearest", vmin=1e-12,
                       vmax=vmax)  # fmt: skip
        zeros, neg = float(np.mean(code == 0)), float(np.mean(code < 0))
        ax.set(title=f"{act}: {zeros:.0%} exact zeros (white), {neg:.0%} negative (grey)",
               xlabel="unit (most active first)", ylabel="test input")  # fmt: skip
        fig.colorbar(im, ax=ax, fraction=0.04, label="positive output")
    fig.suptitle(f"{name}, seed {seed}: the last hidden layer's code for {CODE_ROWS} test inputs")
    return fig


run = make_run(__name__)

if __name__ == "__main__":
    lesson_main(__name__)
