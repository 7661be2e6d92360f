"""Lesson 9: the price of insurance -- what ReLU's exact zeros buy, and what leaky ReLU gives up.

Leaky ReLU keeps units alive but gives up ReLU's exact zeros. Lessons 3 and 8 counted the zeros;
this lesson prices them with engine features a learner can reuse:
  pruning   nn.prune.prune_dead_units removes never-positive units (rows of a Linear, columns of
            the next). For ReLU the outputs do not change (a dead unit adds exact zeros); the same
            removal from a leaky network changes them. Then nn.prune.prune_inactive_units removes
            units positive on fewer than p of the training inputs: accuracy vs parameters kept.
  sparsity  nn.ActivationL1 (weight * mean |h| over the hidden layers) at STRENGTHS: exact-zero
            fraction vs test accuracy. Leaky ReLU has no exact zero to give at any strength.
  storage   diagnostics.storage: bytes each activation keeps for backward, and the last hidden
            layer's code stored densely, as bitmask + nonzeros, or as CSR.
  compute   ops/sparse_linear.py skips the zeros in the next Linear; whether that beats BLAS is
            benchmarks/bench_sparse.py's question (its numbers: results/09_*/bench_sparse.json).

Setup: MNIST-1D (40 inputs, 10 classes) and scikit-learn's digits (64 inputs, 10 classes), MLPs
with DEPTH hidden layers of WIDTH units, He-normal weights and zero biases, Adam; ReLU and
LeakyReLU(LEAKY_SLOPE) with the same seed, data order and init. Dead units are removed from the
networks trained at the L1 weight DEAD_STRENGTH, pruning by activity acts on those trained at
CURVE_STRENGTH; "never positive" is measured on the training inputs.
"""

from __future__ import annotations

import json
import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import tinygrad_act as ta  # noqa: E402
import tinygrad_act.functional as F  # noqa: E402
from lessons._common import lesson_main, load_dataset, make_run, mlp, pyplot, save_figure  # noqa: E402
from lessons._lesson09 import plot_bench, plot_code, plot_sweep_and_pruning  # noqa: E402
from lessons._stats import difference_sentence, fmt, mean_ci, paired_diff  # noqa: E402
from tinygrad_act import data, nn, optim, train  # noqa: E402
from tinygrad_act.diagnostics import storage  # noqa: E402

DEPTH, WIDTH, LEAKY_SLOPE, BATCH_SIZE, LR = 2, 128, 0.01, 128, 2e-3
ACTS = {"relu": nn.ReLU, "leaky": lambda: nn.LeakyReLU(LEAKY_SLOPE)}
SAY = {"relu": "ReLU", "leaky": "leaky ReLU"}
# ActivationL1 weight (times mean |h| over the hidden layers): none, sparse (Glorot et al.'s
# regime: many more zeros at little cost), too strong (units die: the pruning demonstration)
STRENGTHS = (0.0, 3.0, 10.0)
CURVE_STRENGTH, DEAD_STRENGTH = 3.0, 10.0
AMOUNTS = (0.0, 0.01, 0.03, 0.1, 0.2, 0.3)  # prune units positive on < this share of inputs
PRUNE_AMOUNT = 0.1  # the summary's point on that curve
# per dataset: epochs (full, quick), training rows in quick mode
DATASETS = {"mnist1d": (20, 5, 1000), "digits": (20, 6, None)}
# leaky(pre) = 0 needs pre = 0 exactly, or slope * pre underflowing: a strong penalty drives a
# few pre-activations there (1 output in 256,000 was seen at weight 10), never a real share
LEAKY_ZEROS_MAX = 1e-4
EXACT_REL = 1e-5  # |change| / max |logit| below this is float32 rounding (K * eps ~ 1.5e-5)
BENCH_FILE = pathlib.Path(__file__).parent / "results" / "09_sparsity_price" / "bench_sparse.json"
N_SEEDS, QUICK_N_SEEDS = 10, 3


def load(name: str, seed: int, quick: bool):
    """(X_train, y_train, X_test, y_test, classes), standardized; the split is fixed."""
    if name == "mnist1d":
        return load_dataset("mnist1d", seed, DATASETS[name][2] if quick else None)
    Xtr, ytr, Xte, yte = data.load_digits(seed=0)
    Xtr, Xte = data.standardize(Xtr, Xte)
    return Xtr, ytr, Xte, yte, 10


def he_init(lin: nn.Linear) -> None:
    nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
    nn.init.zeros_(lin.bias)


def train_net(ds, act: str, strength: float, epochs: int, seed: int):
    Xtr, ytr, _, _, k = ds
    ta.manual_seed(seed)
    model = mlp(Xtr.shape[1], k, WIDTH, DEPTH, ACTS[act], he_init)
    opt = optim.Adam(model.parameters(), lr=LR)
    pen = nn.ActivationL1(model, weight=strength)
    loss = (lambda out, y: F.cross_entropy(out, y) + pen()) if strength else F.cross_entropy
    loader = data.DataLoader(Xtr, ytr, batch_size=BATCH_SIZE, shuffle=True, seed=seed)
    train.fit(model, loader, opt, loss_fn=loss, epochs=epochs, progress=False)
    pen.remove()
    return model


def forward(model, X) -> tuple[np.ndarray, list[np.ndarray]]:
    """(logits, [hidden code of each hidden layer]) on X, under no_grad."""
    codes, h = [], ta.tensor(X)
    with ta.no_grad():
        for i, m in enumerate(model):
            h = m(h)
            if i % 2 == 1:
                codes.append(h.numpy())
    return h.numpy(), codes


def accuracy(logits, y) -> float:
    return float(np.mean(logits.argmax(axis=1) == y))


def leaky_twin(model):
    """The same weights with LeakyReLU(LEAKY_SLOPE) in place of every ReLU."""
    layers = [nn.LeakyReLU(LEAKY_SLOPE) if isinstance(m, nn.ReLU) else m for m in model]
    return nn.Sequential(*layers)


def dead_removal(model, X) -> tuple[float, float, float]:
    """Remove the ReLU net's never-positive units (on X) from it and from its leaky twin:
    (parameters kept, relative change of the ReLU net's logits, of the twin's)."""
    dead = nn.prune.dead_units(model, X)
    changes = []
    for net in (model, leaky_twin(model)):
        small = nn.prune.prune_units(net, dead)
        full = forward(net, X)[0]
        changes.append(float(np.abs(forward(small, X)[0] - full).max() / np.abs(full).max()))
    kept = nn.prune.prune_units(model, dead).num_parameters() / model.num_parameters()
    return kept, changes[0], changes[1]


def activity_curve(model, ds) -> dict:
    """Test accuracy and share of parameters kept after prune_inactive_units at AMOUNTS."""
    Xtr, _, Xte, yte, _ = ds
    nets = [nn.prune.prune_inactive_units(model, Xtr, a) for a in AMOUNTS]
    n = model.num_parameters()
    return dict(
        params=[m.num_parameters() / n for m in nets],
        acc=[accuracy(forward(m, Xte)[0], yte) for m in nets],
    )


def measure(seed: int, quick: bool = False) -> dict:
    """One seed: every dataset x activation x L1 strength, then pruning and storage."""
    out: dict = {}
    for name, (epochs, quick_epochs, _) in DATASETS.items():
        ds = load(name, seed, quick)
        res: dict = {}
        for act in ACTS:
            r: dict = {"acc": [], "zeros": [], "dead": []}
            for s in STRENGTHS:
                model = train_net(ds, act, s, quick_epochs if quick else epochs, seed)
                logits, codes = forward(model, ds[2])
                r["acc"].append(accuracy(logits, ds[3]))
                r["zeros"].append(float(np.mean([np.mean(c == 0) for c in codes])))
                activity = np.concatenate(list(nn.prune.unit_activity(model, ds[0]).values()))
                r["dead"].append(float(np.mean(activity == 0)))
                if s == CURVE_STRENGTH:
                    r["curve"] = activity_curve(model, ds)
                if s == DEAD_STRENGTH and act == "relu":
                    r["kept"], r["change"], r["twin_change"] = dead_removal(model, ds[0])
                if s == 0.0:  # the last hidden layer's code, bytes per dense byte
                    b = storage.code_bytes(codes[-1])
                    r["code"] = {k: v / b["dense"] for k, v in b.items()}
            res[act] = r
        out[name] = res
    return out


def aggregate(runs: list[dict]) -> dict:
    """Means with 95% intervals over seeds, and the paired differences the summary states."""
    t: dict = {"strengths": list(STRENGTHS), "amounts": list(AMOUNTS), "datasets": {}}
    for name in DATASETS:
        rs = [r[name] for r in runs]
        d: dict = {}
        for act in ACTS:
            a = [r[act] for r in rs]
            d[act] = {
                k: [mean_ci([x[k][i] for x in a]) for i in range(len(STRENGTHS))]
                for k in ("acc", "zeros", "dead")
            }
            for k in ("params", "acc"):
                d[act][f"curve_{k}"] = [
                    mean_ci([x["curve"][k][i] for x in a]) for i in range(len(AMOUNTS))
                ]
            d[act]["code"] = {k: mean_ci([x["code"][k] for x in a]) for k in ("bitmask", "csr")}
            d[act]["max_zeros"] = max(max(x["zeros"]) for x in a)
        rel = [r["relu"] for r in rs]
        d["kept"] = mean_ci([r["kept"] for r in rel])
        d["change"] = mean_ci([r["change"] for r in rel])
        d["max_change"] = max(r["change"] for r in rel)
        d["twin_change"] = mean_ci([r["twin_change"] for r in rel])
        d["twin_minus_relu"] = paired_diff(
            [r["twin_change"] for r in rel], [r["change"] for r in rel]
        )
        i = STRENGTHS.index(CURVE_STRENGTH)
        d["zeros_gain"] = paired_diff([r["zeros"][i] for r in rel], [r["zeros"][0] for r in rel])
        d["acc_cost"] = {
            a: paired_diff([r[a]["acc"][i] for r in rs], [r[a]["acc"][0] for r in rs]) for a in ACTS
        }
        j = AMOUNTS.index(PRUNE_AMOUNT)
        curve = {a: [r[a]["curve"] for r in rs] for a in ACTS}
        d["kept_relu_minus_leaky"] = paired_diff(
            [c["params"][j] for c in curve["relu"]], [c["params"][j] for c in curve["leaky"]]
        )
        d["prune_cost"] = {
            a: paired_diff([c["acc"][j] for c in curve[a]], [c["acc"][0] for c in curve[a]])
            for a in ACTS
        }
        d["relu_minus_leaky"] = [
            paired_diff([r["relu"]["acc"][j] for r in rs], [r["leaky"]["acc"][j] for r in rs])
            for j in range(len(STRENGTHS))
        ]
        t["datasets"][name] = d
    t["saved_bytes"] = storage.saved_bytes_per_element()
    t["bench"] = json.loads(BENCH_FILE.read_text()) if BENCH_FILE.exists() else None
    return t


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _penalty_sentence(name: str, d: dict) -> str:
    z0, z1 = d["relu"]["zeros"][0], d["relu"]["zeros"][STRENGTHS.index(CURVE_STRENGTH)]
    m = d["leaky"]["max_zeros"]
    leaky = (
        "leaky ReLU has no exact zero at any strength"
        if m == 0
        else f"leaky ReLU's exact zeros stay at or below {fmt(m)} at every strength"
    )
    cost = "; ".join(
        difference_sentence(
            f"{SAY[a]} at L1 {CURVE_STRENGTH:g}", f"{SAY[a]} at L1 0", d["acc_cost"][a],
            "test accuracy",
        )
        for a in ACTS
    )  # fmt: skip
    return (
        f"{name}: an L1 penalty of {CURVE_STRENGTH:g} raises ReLU's exact zeros from {z0} to "
        f"{z1}; {leaky}. {_cap(cost)}."
    )


def _pruning_sentences(name: str, d: dict) -> list[str]:
    twin = d["twin_minus_relu"]
    leaky = (
        f"the same removal from its leaky twin changes them by {d['twin_change']}"
        if twin.excludes_zero
        else f"no change detected for its leaky twin either ({twin.ci()})"
    )
    j = AMOUNTS.index(PRUNE_AMOUNT)
    kept = [d[a]["curve_params"][j] for a in ACTS]
    cost = "; ".join(
        difference_sentence(f"pruned {SAY[a]}", f"unpruned {SAY[a]}", d["prune_cost"][a],
                            "accuracy")
        for a in ACTS
    )  # fmt: skip
    share = difference_sentence("ReLU", "leaky ReLU", d["kept_relu_minus_leaky"], "share kept")
    full = difference_sentence("ReLU", "leaky ReLU", d["relu_minus_leaky"][0], "test accuracy")
    return [
        f"{name}: removing the units never positive on the training inputs (L1 "
        f"{DEAD_STRENGTH:g}; {fmt(1 - d['kept'].mean)} of the parameters) changes the ReLU "
        f"network's logits by at most {fmt(d['max_change'])} of their size (float32 rounding); "
        f"{leaky}.",
        f"{name}: pruning units positive on fewer than {PRUNE_AMOUNT:.0%} of the training inputs "
        f"(L1 {CURVE_STRENGTH:g}) keeps {kept[0]} of ReLU's parameters and {kept[1]} of leaky "
        f"ReLU's ({share}); against the unpruned networks: {cost}. At full size, without the "
        f"penalty: {full}.",
    ]


def _kernel_sentence(t: dict) -> str:
    cross = t["bench"]["crossovers"]
    zs = [d["relu"]["zeros"][i].mean for d in t["datasets"].values() for i in (0, 1)]
    wins = "; ".join(
        f"at {k} (batch x in x out) the sparse kernel beats BLAS from "
        + (f"{v:.0%} zeros" if v is not None else "no measured sparsity")
        for k, v in cross.items()
    )
    verdict = (
        ": BLAS wins at every one of them"
        if all(v is None or v > max(zs) for v in cross.values())
        else ""
    )
    return (
        f"Skipping zeros pays late: {wins} (benchmarks/bench_sparse.py, "
        f"{t['bench']['blas'][0]['architecture']} kernels). ReLU's codes here are "
        f"{min(zs):.0%}..{max(zs):.0%} zeros (with or without the penalty){verdict}."
    )


def summarize(t: dict) -> list[str]:
    """Sentences built from the numbers; a difference only where its interval excludes zero."""
    out = []
    for name, d in t["datasets"].items():
        out.append(_penalty_sentence(name, d))
        out += _pruning_sentences(name, d)
        c, z0 = (d["relu"]["code"]["bitmask"], d["leaky"]["code"]["bitmask"]), d["relu"]["zeros"][0]
        out.append(
            f"{name}: stored as bitmask + nonzeros, the last hidden code costs {c[0]} of its "
            f"dense size for ReLU (zeros {z0}) and {c[1]} for leaky ReLU (no zeros to drop)."
        )
    sb = t["saved_bytes"]
    out.append(
        f"Backward keeps {fmt(sb['relu'])} byte per element for ReLU and leaky ReLU (a mask) and "
        f"{fmt(sb['elu'])} for ELU, GELU, SiLU (the float input): leaky ReLU's mask costs the "
        "same as ReLU's."
    )
    if t["bench"]:
        out.append(_kernel_sentence(t))
    return out


def claims(t: dict) -> dict[str, bool]:
    """Every claim the summary and the README make, by name."""
    c = {}
    for name, d in t["datasets"].items():
        c[f"{name}: L1 raises ReLU's exact zeros"] = d["zeros_gain"].lo > 0
        c[f"{name}: leaky ReLU's exact zeros stay below {LEAKY_ZEROS_MAX:g} at every strength"] = (
            d["leaky"]["max_zeros"] < LEAKY_ZEROS_MAX
        )
        c[f"{name}: removing dead ReLU units changes outputs only by rounding"] = (
            d["max_change"] <= EXACT_REL
        )
        c[f"{name}: ReLU's code is smaller than dense as bitmask + nonzeros"] = (
            d["relu"]["code"]["bitmask"].hi < 1
        )
        c[f"{name}: leaky ReLU's code is larger than dense as bitmask + nonzeros"] = (
            d["leaky"]["code"]["bitmask"].lo > 1
        )

    d = t["datasets"]["mnist1d"]
    c["mnist1d: the same removal from the leaky twin changes its outputs"] = (
        d["twin_minus_relu"].lo > 0
    )
    c["mnist1d: at the same activity threshold ReLU keeps fewer parameters than leaky ReLU"] = (
        d["kept_relu_minus_leaky"].hi < 0
    )
    sb = t["saved_bytes"]
    c["relu and leaky_relu keep 1 byte per element for backward"] = (
        sb["relu"] == sb["leaky_relu"] == 1
    )
    return c


def render(t: dict) -> list[tuple[str, list[str], list[list]]]:
    """The tables to print and to put in the README."""
    sweep, curve, dead, code = [], [], [], []
    for name, d in t["datasets"].items():
        for act in ACTS:
            r = d[act]
            sweep += [[name, act, s, r["acc"][i], r["zeros"][i], r["dead"][i]]
                      for i, s in enumerate(t["strengths"])]  # fmt: skip
            curve += [[name, act, a, r["curve_params"][i], r["curve_acc"][i]]
                      for i, a in enumerate(t["amounts"])]  # fmt: skip
            code.append([name, act, r["zeros"][0], 1.0, r["code"]["bitmask"], r["code"]["csr"]])
        dead.append([name, d["kept"], d["max_change"], d["twin_change"]])
    tables = [
        ("L1 penalty on the hidden activations (test set), mean (95% CI) over seeds",
         ["data", "activation", "L1 weight", "accuracy", "exact zeros", "never-positive units"],
         sweep),
        (f"Pruning units positive on < p of the training inputs (L1 {CURVE_STRENGTH:g}), "
         "mean (95% CI)", ["data", "activation", "p", "parameters kept", "accuracy"], curve),
        (f"Removing the ReLU net's never-positive units (L1 {DEAD_STRENGTH:g}), on the training "
         "set, mean (95% CI); max over seeds for ReLU",
         ["data", "parameters kept", "ReLU: max change / max |logit|", "leaky twin: change"],
         dead),
        ("Last hidden code, bytes per dense byte (no penalty), mean (95% CI)",
         ["data", "activation", "exact zeros", "dense", "bitmask + nonzeros", "CSR"], code),
        ("Bytes an activation keeps for backward, per element (float32)", ["activation", "bytes"],
         [[k, v] for k, v in t["saved_bytes"].items()]),
    ]  # fmt: skip
    if t["bench"]:
        rows = [[r["size"], r["sparsity"], r["dense_ms"], r["sparse_ms"], r["ratio"]]
                for r in t["bench"]["rows"]]  # fmt: skip
        tables.append(("Sparse kernel vs BLAS, forward + weight gradient (bench_sparse.json)",
                       ["N x in x out", "sparsity", "BLAS ms", "sparse ms", "BLAS / sparse"],
                       rows))  # fmt: skip
    return tables


def figures(t: dict, out: str) -> list[str]:
    """The four prices side by side (error bars: 95% intervals over seeds): exact zeros vs
    accuracy along the L1 sweep, accuracy vs parameters kept when pruning by activity, the code's
    size in sparse formats, and the sparse kernel's speed against BLAS vs sparsity."""
    fig, ax = pyplot().subplots(1, 4, figsize=(20, 4.6))
    plot_sweep_and_pruning(ax, t, CURVE_STRENGTH)
    plot_code(ax[2], t)
    if t["bench"]:
        plot_bench(ax[3], t, CURVE_STRENGTH)
    for a in ax:
        a.grid(alpha=0.3)
        a.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
    return [save_figure(fig, out, "09_sparsity_price.png")]


run = make_run(__name__)

if __name__ == "__main__":
    lesson_main(__name__)
