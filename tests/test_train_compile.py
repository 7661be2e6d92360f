"""fit(..., compile=True): the same numbers as compile=False, bit for bit, errors included.

Every test compares a compiled fit with an eager one started from the same seed, and checks (via
a spy on train._compile) that the compiled one really replayed its steps.
"""

import math
import warnings

import numpy as np
import pytest

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import data, nn, optim, train
from tinygrad_act.train import fit


@pytest.fixture
def spy(monkeypatch):
    """The CompiledSteps fit made, to check that they replayed."""
    made = []

    def compile_and_keep(fn):
        made.append(ta.compile(fn))
        return made[-1]

    monkeypatch.setattr(train, "_compile", compile_and_keep)
    return made


def _model(seed=0, hook=False):
    ta.manual_seed(seed)
    model = nn.Sequential(
        nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 3)
    )
    if hook:
        model[1].register_forward_hook(lambda m, args, out: None)
    return model


def _spirals(n=100):
    X, y = data.make_spirals(n, n_classes=3, seed=0)
    return data.standardize(X), y


def _train(compile, make_opt, epochs=4, batch_size=32, val=False, sched=False, stop_at=None):
    """(history without "time", parameters, optimizer state) of one fit; 100 samples, batches
    of 32: three full batches and a last one of 4."""
    X, y = _spirals()
    model = _model()
    opt = make_opt(model.parameters())
    loader = data.DataLoader(X, y, batch_size=batch_size, shuffle=True, seed=1)
    kwargs = {}
    if val:
        kwargs["val_loader"] = data.DataLoader(X[:40], y[:40], batch_size=16)
    if sched:
        kwargs["scheduler"] = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    if stop_at is not None:
        kwargs["on_epoch_end"] = lambda epoch, history: epoch == stop_at
    history = fit(model, loader, opt, epochs=epochs, progress=False, compile=compile, **kwargs)
    history.pop("time")
    return history, model.state_dict(), opt.state_dict()


def _same(a, b):
    """Equal bit for bit (NaN equal to NaN), through dicts and lists."""
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            _same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    elif isinstance(a, (np.ndarray, ta.Tensor)):
        a, b = np.asarray(getattr(a, "data", a)), np.asarray(getattr(b, "data", b))
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes()
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b)
    else:
        assert a == b


SGD_MOMENTUM = lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9)  # noqa: E731
ADAM = lambda ps: optim.Adam(ps, lr=1e-2)  # noqa: E731


@pytest.mark.parametrize("make_opt", [SGD_MOMENTUM, ADAM], ids=["sgd_momentum", "adam"])
def test_compiled_fit_is_bit_identical_with_a_last_partial_batch(spy, make_opt):
    eager = _train(False, make_opt)
    compiled = _train(True, make_opt)
    _same(compiled, eager)
    (step,) = spy
    # 4 epochs x 4 batches: per batch shape one eager call and one recording, the rest replays
    assert step.stats == {"eager": 2, "recorded": 2, "replayed": 12}
    assert eager[0]["loss"][-1] < eager[0]["loss"][0]  # it trained


def test_compiled_fit_with_val_loader_scheduler_and_early_stop(spy):
    kwargs = dict(epochs=8, val=True, sched=True, stop_at=5)
    eager = _train(False, SGD_MOMENTUM, **kwargs)
    compiled = _train(True, SGD_MOMENTUM, **kwargs)
    _same(compiled, eager)
    history = compiled[0]
    assert len(history["loss"]) == 5 and len(history["val_accuracy"]) == 5
    assert history["lr"] == [0.1, 0.1, 0.05, 0.05, 0.025]  # the replays used the scheduler's lr
    assert spy[0].stats["replayed"] == 5 * 4 - 4


class _Loader:
    """Fixed batches; `bad(epoch, step, xb)` may change a batch, and the model's weights are
    saved just before that batch is handed out."""

    def __init__(self, X, y, batch_size, bad, model):
        self.batches = [
            (X[i : i + batch_size], y[i : i + batch_size]) for i in range(0, len(X), batch_size)
        ]
        self.bad, self.model, self.epoch, self.before = bad, model, 0, None

    def __len__(self):
        return len(self.batches)

    def __iter__(self):
        self.epoch += 1
        for step, (xb, yb) in enumerate(self.batches, start=1):
            changed = self.bad(self.epoch, step, xb.copy())
            if changed is not None:
                self.before = {k: v.copy() for k, v in self.model.state_dict().items()}
                xb = changed
            yield ta.tensor(xb), ta.tensor(yb)


def _fail(compile, model, bad, make_opt=SGD_MOMENTUM):
    """The RuntimeError fit raised, the weights before the bad batch and after the error."""
    X, y = _spirals()
    opt = make_opt(model.parameters())
    loader = _Loader(X.astype(np.float32), y, 25, bad, model)
    with pytest.raises(RuntimeError) as info:
        fit(model, loader, opt, epochs=4, progress=False, compile=compile)
    return str(info.value), loader.before, model.state_dict(), opt.state_dict()


def _nan_input(epoch, step, xb):  # epoch 3, step 2: a replayed step
    if (epoch, step) == (3, 2):
        xb[3, 1] = np.nan
        return xb
    return None


def test_a_nan_loss_in_a_replayed_step_raises_as_eager(spy):
    eager = _fail(False, _model(), _nan_input)
    compiled = _fail(True, _model(), _nan_input)
    msg = compiled[0]
    assert "the loss became nan at epoch 3 (of 4), step 2 (of 4)" in msg
    assert "input batch itself holds NaN" in msg
    assert msg == eager[0]
    _same(compiled[1:], eager[1:])
    _same(compiled[2], compiled[1])  # the weights are those before the bad batch
    assert spy[0].stats["replayed"] == 8  # epoch 3, step 2 was the 9th step: a replay


class _Sqrt(nn.Module):
    def forward(self, x):
        return x.abs().sqrt()  # infinite derivative where x is exactly 0


def _sqrt_model():
    ta.manual_seed(0)
    return nn.Sequential(nn.Linear(2, 8, bias=False), _Sqrt(), nn.Linear(8, 3))


def _zero_row(epoch, step, xb):  # a zero input row: the first layer's output row is exactly 0
    if (epoch, step) == (3, 3):
        xb[5] = 0
        return xb
    return None


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")
@pytest.mark.parametrize("make_opt", [SGD_MOMENTUM, ADAM], ids=["sgd_momentum", "adam"])
def test_a_nan_gradient_in_a_replayed_step_raises_as_eager_and_skips_the_update(spy, make_opt):
    eager = _fail(False, _sqrt_model(), _zero_row, make_opt)
    compiled = _fail(True, _sqrt_model(), _zero_row, make_opt)
    msg = compiled[0]
    assert "fit: the gradient of '0.weight' holds NaN" in msg
    assert "at epoch 3 (of 4), step 3 (of 4), although the loss" in msg
    assert "the optimizer step was skipped" in msg
    assert msg == eager[0]
    _same(compiled[1:], eager[1:])
    _same(compiled[2], compiled[1])  # the weights are those before the bad batch
    assert spy[0].stats["replayed"] == 9


def test_what_cannot_be_replayed_runs_eagerly_with_one_warning(spy):
    # a forward hook (diagnostics.watch adds them) and two batch shapes: one warning, not two
    def run(compile):
        X, y = _spirals()
        model = _model(hook=True)
        opt = SGD_MOMENTUM(model.parameters())
        loader = data.DataLoader(X, y, batch_size=32, shuffle=True, seed=1)
        history = fit(model, loader, opt, epochs=3, progress=False, compile=compile)
        history.pop("time")
        return history, model.state_dict()

    eager = run(False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        compiled = run(True)
    assert [str(w.message)[:64] for w in caught] == [
        "ta.compile(fit_step): runs eagerly because ReLU has forward hook"
    ]
    _same(compiled, eager)
    assert spy[0].stats["replayed"] == 0


def test_an_optimizer_that_is_not_the_librarys_runs_eagerly_with_one_warning(spy):
    class PlainSGD:  # writes the weights itself: a replay would not see it
        def __init__(self, params, lr):
            self.params, self.lr = list(params), lr

        def zero_grad(self):
            for p in self.params:
                p.grad = None

        def step(self):
            for p in self.params:
                p.data -= self.lr * p.grad.data

    X, y = _spirals()
    model = _model()
    loader = data.DataLoader(X, y, batch_size=32)
    with pytest.warns(RuntimeWarning, match=r"fit\(compile=True\): runs eagerly .*PlainSGD") as w:
        history = fit(model, loader, PlainSGD(model.parameters(), 0.1), F.cross_entropy, 3,
                      progress=False, compile=True)  # fmt: skip
    assert len(w) == 1 and not spy
    assert history["loss"][-1] < history["loss"][0]
