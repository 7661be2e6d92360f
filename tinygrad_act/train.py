"""A small training loop: `fit` (epochs of forward, loss, backward, step) and `evaluate`.

    history = fit(model, train_loader, optimizer, epochs=20, val_loader=test_loader)
    history["loss"][-1], history["val_accuracy"][-1]
    test_loss, test_acc = evaluate(model, test_loader)

The loop is the one you would write by hand (lessons may write their own):
    for xb, yb in loader:
        loss = loss_fn(model(xb), yb); opt.zero_grad(); loss.backward(); opt.step()
fit(..., compile=True) records that step once and replays it (ta.compile): the same numbers, less
Python per step.

Accuracy is computed when the targets are class indices (integer, one dimension fewer than the
output: argmax over the last dim) or binary labels (0/1 floats, same shape as the output, which
are logits: predicted 1 where the logit > 0); otherwise it is NaN.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from . import functional as F
from . import recording
from .autograd import no_grad
from .capture import compile as _compile
from .kernels.optim import any_non_finite8
from .nn.module import Module
from .optim.optimizer import Optimizer
from .tensor import Tensor

LossFn = Callable[[Tensor, Tensor], Tensor]
History = dict[str, list[float]]


def _n_correct(output: np.ndarray, target: np.ndarray) -> int | None:
    """Correct predictions in a batch, or None when accuracy has no meaning for these targets."""
    if target.dtype.kind in "iu" and output.ndim == target.ndim + 1:
        return int((output.argmax(axis=-1) == target).sum())
    if output.shape == target.shape and target.dtype.kind in "fb":
        if np.all((target == 0) | (target == 1)):
            return int(((output > 0) == (target == 1)).sum())
    return None


def _diverged(value: float, epoch: int, epochs: int, step: int, steps: int, xb, optimizer) -> str:
    where = f"fit: the loss became {value} at epoch {epoch} (of {epochs}), step {step} (of {steps})"
    if not np.all(np.isfinite(xb.data)):
        return where + ". The input batch itself holds NaN or inf: clean the data first."
    groups = getattr(optimizer, "param_groups", None)
    lr = groups[0].get("lr") if groups else None
    hint = f"The learning rate ({lr:g}) is probably too high: lower it (e.g. to {lr / 10:g})"
    if lr is None:
        hint = "The learning rate is probably too high: lower it"
    return (
        f"{where}. {hint}; also check that the inputs are standardized (data.standardize) and "
        "that the model's output and the loss fit together."
    )


_PAD = (np.empty(0, np.float32),) * 8  # fills the kernel's unused arguments


def _first_non_finite(arrays: list[np.ndarray]) -> int | None:
    """Index of the first array holding NaN or inf, else None: one kernel call per 8 arrays
    (a Python loop of np.isfinite(g).all() costs ~1 us a parameter, 5% of a small step).
    ravel() is a view of a C-contiguous array (and cheaper than reshape(-1))."""
    flat = [a.ravel() for a in arrays]
    for start in range(0, len(flat), 8):
        chunk = flat[start : start + 8]
        if any_non_finite8(*chunk, *_PAD[len(chunk) :]):
            for i, a in enumerate(arrays[start : start + 8]):
                if not np.isfinite(a).all():
                    return start + i
    return None


def _trained(optimizer: Any, model: Any) -> tuple[list[str], list[Tensor]]:
    """The parameters the optimizer updates and their names: the state_dict key when the model
    is a Module, else their place in the optimizer."""
    groups = getattr(optimizer, "param_groups", None)
    if groups is None:
        named = list(model.named_parameters()) if isinstance(model, Module) else []
        return [n for n, _ in named], [p for _, p in named]
    names = {id(p): n for n, p in model.named_parameters()} if isinstance(model, Module) else {}
    pairs = [
        (names.get(id(p), f"param_groups[{gi}]['params'][{pi}]"), p)
        for gi, g in enumerate(groups)
        for pi, p in enumerate(g["params"])
    ]
    return [n for n, _ in pairs], [p for _, p in pairs]


def _check_grads(names: list[str], params: list[Tensor], value: float, *where: int) -> None:
    """Raise before the optimizer step if a gradient holds NaN or inf (the weights stay as they
    are); naming the parameter points at the op whose backward produced it. The common case
    (all finite, at most 8 gradients) is one list and one kernel call: it runs every step."""
    flat = [p.grad.data.ravel() for p in params if p.grad is not None]
    if len(flat) <= 8 and not any_non_finite8(*flat, *_PAD[len(flat) :]):
        return
    have = [(n, p.grad.data) for n, p in zip(names, params) if p.grad is not None]
    bad = _first_non_finite([g for _, g in have])
    if bad is None:
        return
    name, g = have[bad]
    kinds = [k for k, n in (("NaN", np.isnan(g).sum()), ("inf", np.isinf(g).sum())) if n]
    epoch, epochs, step, steps = where
    raise RuntimeError(
        f"fit: the gradient of {name!r} holds {' and '.join(kinds)} "
        f"({int((~np.isfinite(g)).sum())} of {g.size} elements) at epoch {epoch} (of {epochs}), "
        f"step {step} (of {steps}), although the loss ({value:g}) is finite; the optimizer step "
        "was skipped, so the weights are those before this step. Look for an op whose "
        "derivative is infinite at this input (sqrt or log at 0, a division by ~0, pow of a "
        "negative base) or a hook or custom backward that returns NaN."
    )


class _Where:
    """Where fit is, and the loss it read: the checks of a compiled step read this at every
    replay (the step's Python runs only when it is recorded, so a number passed in would be
    frozen at the recording's epoch and step)."""

    __slots__ = ("epoch", "epochs", "step", "steps", "names", "params", "value")


def _loss_finite(loss: Tensor, xb: Tensor, optimizer: Any, at: _Where) -> None:
    """Raise if the loss is NaN or inf (before backward: nothing has changed yet)."""
    value = float(loss.item())
    if not math.isfinite(value):
        raise RuntimeError(_diverged(value, at.epoch, at.epochs, at.step, at.steps, xb, optimizer))
    at.value = value


def _grads_finite(at: _Where) -> None:
    _check_grads(at.names, at.params, at.value, at.epoch, at.epochs, at.step, at.steps)


def _training_step(model: Callable, loss_fn: LossFn, optimizer: Any, at: _Where) -> Callable:
    """fit's step: forward, loss, backward and update, with the two checks; returns (output,
    loss). The checks run through recording.call, so a compiled step runs them (and may raise)
    at every replay too."""

    def fit_step(xb: Tensor, yb: Tensor) -> tuple[Tensor, Tensor]:
        output = model(xb)
        loss = loss_fn(output, yb)
        recording.call(_loss_finite, loss, xb, optimizer, at)
        optimizer.zero_grad()
        loss.backward()
        recording.call(_grads_finite, at)
        optimizer.step()
        return output, loss

    return fit_step


def _compiled(step: Callable, optimizer: Any) -> Callable:
    """ta.compile(step), or step itself (with a warning) when a replay could not repeat the
    update: an optimizer that is not one of the library's, or one that writes its own step()."""
    if isinstance(optimizer, Optimizer) and type(optimizer).step is Optimizer.step:
        return _compile(step)
    warnings.warn(
        f"fit(compile=True): runs eagerly because the optimizer ({type(optimizer).__name__}) "
        "is not a tinygrad_act.optim.Optimizer, or overrides its step(): a replay would not "
        "repeat an update written by hand",
        RuntimeWarning,
        stacklevel=3,
    )
    return step


class _Progress:
    """A tqdm bar over all steps when tqdm is installed, else one printed line per epoch."""

    def __init__(self, enabled: bool, total: int) -> None:
        self.bar, self.enabled = None, enabled
        if enabled:
            try:
                from tqdm.auto import tqdm
            except ImportError:
                return
            self.bar = tqdm(total=total, unit="step", dynamic_ncols=True)

    def start_epoch(self, epoch: int, epochs: int) -> None:
        if self.bar is not None:
            self.bar.set_description(f"epoch {epoch}/{epochs}")

    def step(self) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def end_epoch(self, epoch: int, epochs: int, metrics: dict[str, float]) -> None:
        shown = {k: f"{v:.4g}" for k, v in metrics.items() if not math.isnan(v)}
        if self.bar is not None:
            self.bar.set_postfix(shown, refresh=True)
        elif self.enabled:
            print(f"epoch {epoch}/{epochs} " + " ".join(f"{k}={v}" for k, v in shown.items()))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def fit(
    model: Callable[[Tensor], Tensor],
    train_loader: Iterable[tuple[Tensor, Tensor]],
    optimizer: Any,
    loss_fn: LossFn = F.cross_entropy,
    epochs: int = 1,
    val_loader: Iterable[tuple[Tensor, Tensor]] | None = None,
    progress: bool = True,
    scheduler: Any = None,
    on_epoch_end: Callable[[int, History], bool | None] | None = None,
    compile: bool = False,  # noqa: A002 - torch's name
) -> History:
    """Train for `epochs` passes over train_loader; return the history of per-epoch metrics.

    Each step: loss = loss_fn(model(xb), yb); optimizer.zero_grad(); loss.backward();
    optimizer.step(). After each epoch: evaluate on val_loader (if given), scheduler.step() (if
    given, per epoch as for StepLR / CosineAnnealingLR), then on_epoch_end(epoch, history), which
    may return True to stop early. Epochs and steps count from 1.

    history keys (one float per epoch): "loss" (mean over the epoch's samples, assuming the loss
    averages over its batch), "accuracy" (running, measured while the weights change, as Keras
    does; NaN if not a classification), "lr" (of the first param group, during the epoch), "time"
    (seconds, including validation) and, with val_loader, "val_loss" and "val_accuracy".

    A NaN or inf loss stops training with a RuntimeError naming the epoch and step; so does a
    finite loss with a NaN or inf gradient, before the optimizer step (the weights stay as they
    were), naming the parameter (its state_dict key) too.
    progress=True shows a tqdm bar (or prints a line per epoch without tqdm).

    compile=True runs each step through `ta.compile` (tinygrad_act/capture.py): recorded on its
    second call (per batch shape), replayed after that without building a graph. The results are
    bit-identical to compile=False, checks and errors included, and it is faster when the step's
    Python costs more than its arithmetic (small models and batches). What a replay cannot
    repeat (a forward hook, e.g. diagnostics.watch; an optimizer with a hand-written step) makes
    the steps run eagerly, with a warning (once per reason, not per step).
    """
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"fit: epochs must be an int >= 0, got {epochs!r}")
    steps = len(train_loader)  # type: ignore[arg-type]
    if steps == 0:
        raise ValueError(
            "fit: train_loader yields no batches (empty dataset, or drop_last=True with fewer "
            "samples than batch_size)"
        )
    keys = ["loss", "accuracy", "lr", "time"] + (
        ["val_loss", "val_accuracy"] if val_loader is not None else []
    )
    history: History = {k: [] for k in keys}
    bar = _Progress(progress, total=epochs * steps)
    at = _Where()
    at.epochs, at.steps = epochs, steps
    run = _training_step(model, loss_fn, optimizer, at)
    if compile:  # ta.compile warns once per reason it cannot replay, not once per step
        run = _compiled(run, optimizer)
    try:
        for epoch in range(1, epochs + 1):
            start = time.perf_counter()
            bar.start_epoch(epoch, epochs)
            groups = getattr(optimizer, "param_groups", None)
            history["lr"].append(float(groups[0]["lr"]) if groups else math.nan)
            if isinstance(model, Module):
                model.train()
            total, seen, correct = 0.0, 0, 0
            at.names, at.params = _trained(optimizer, model)  # per epoch: a callback may add one
            at.epoch = epoch
            for step, (xb, yb) in enumerate(train_loader, start=1):
                at.step = step
                output, loss = run(xb, yb)  # compiled: detached copies of the step's results
                value = float(loss.item())
                n = len(xb)
                total, seen = total + value * n, seen + n
                right = _n_correct(output.data, yb.data)
                correct = None if right is None or correct is None else correct + right
                bar.step()
            history["loss"].append(total / seen)
            history["accuracy"].append(math.nan if correct is None else correct / seen)
            if val_loader is not None:
                val_loss, val_acc = evaluate(model, val_loader, loss_fn)
                history["val_loss"].append(val_loss)
                history["val_accuracy"].append(val_acc)
            if scheduler is not None:
                scheduler.step()
            history["time"].append(time.perf_counter() - start)
            bar.end_epoch(epoch, epochs, {k: v[-1] for k, v in history.items() if k != "time"})
            if on_epoch_end is not None and on_epoch_end(epoch, history):
                break
    finally:
        bar.close()
    return history


def evaluate(
    model: Callable[[Tensor], Tensor],
    loader: Iterable[tuple[Tensor, Tensor]],
    loss_fn: LossFn = F.cross_entropy,
) -> tuple[float, float]:
    """(mean loss, accuracy) over the loader, under no_grad with the model in eval mode.

    Each module's train/eval mode is restored afterwards, so evaluating mid-training is safe.
    Accuracy is NaN when the targets are not class indices or binary labels (see module doc).
    """
    modes = [(m, m.training) for m in model.modules()] if isinstance(model, Module) else []
    if isinstance(model, Module):
        model.eval()
    total, seen, correct = 0.0, 0, 0
    try:
        with no_grad():
            for xb, yb in loader:
                output = model(xb)
                n = len(xb)
                total += float(loss_fn(output, yb).item()) * n
                seen += n
                right = _n_correct(output.data, yb.data)
                correct = None if right is None or correct is None else correct + right
    finally:
        for m, mode in modes:
            m.training = mode
    if seen == 0:
        raise ValueError("evaluate: the loader yielded no batches")
    return total / seen, (math.nan if correct is None else correct / seen)
