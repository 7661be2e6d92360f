"""tinygrad_act.diagnostics: watch sparsity, dead units and gradient flow inside a network.

    from tinygrad_act import data, diagnostics, nn, optim, train
    model = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(),
                          nn.Linear(32, 3))
    with diagnostics.watch(model) as mon:          # hooks on every nn.ReLU / LeakyReLU / ... layer
        mon.end_epoch(X)                           # epoch 0: the state at initialization
        train.fit(model, loader, opt, epochs=5, on_epoch_end=mon.epoch_callback(X))
        print(mon.report())                        # summary + a table per layer
        st = mon.history[-1].layers["3"]           # LayerStats of the second ReLU
        st.sparsity, st.dead_fraction, st.activity, st.never_positive, st.no_gradient
        mon.dead_fractions()                       # {"1": (E,), "3": (E,)} over epochs
        diagnostics.plots.save_all(mon, "out/", X=X, y=y)   # PNGs (matplotlib)
        mon.measure(X_test)                        # any data, any time: name -> LayerStats
    diagnostics.born_dead(model, X).constant       # is the network a constant function on X?
    diagnostics.layer_grad_norms(model)            # after loss.backward(): per-layer ||dL/dW||

Modules: stats (pure functions over arrays), record (LayerStats), monitor (hooks), grads
(parameter gradients), born_dead, report (text tables), plots (matplotlib, imported only
when a plot is drawn, so the package works without it).
"""

from . import plots, stats, storage
from .born_dead import BornDead, born_dead
from .grads import GradientRecorder, grad_norms, layer_grad_norms
from .monitor import ActivationMonitor, EpochRecord, watch
from .record import LayerStats
from .report import format_report, summary_table, unit_table

__all__ = [
    "ActivationMonitor",
    "BornDead",
    "EpochRecord",
    "GradientRecorder",
    "LayerStats",
    "born_dead",
    "format_report",
    "grad_norms",
    "layer_grad_norms",
    "plots",
    "stats",
    "storage",
    "summary_table",
    "unit_table",
    "watch",
]
