"""tinygrad_act.diagnostics: watch sparsity, dead units and gradient flow inside a network.

    from tinygrad_act import diagnostics
    mon = diagnostics.watch(model)                 # hooks on nn.ReLU, nn.LeakyReLU, ... layers
    stats = mon.measure(X)                         # one no_grad pass: name -> LayerStats
    stats["1"].never_positive, stats["1"].activity, stats["1"].sparsity
    for epoch in range(epochs):
        ...train...                                # live counts + dL/dpre per unit
        rec = mon.end_epoch(X)                     # rec.died / rec.revived per layer
    print(mon.report())
    diagnostics.plots.save_all(mon, "out/", X=X2d) # PNGs when matplotlib is installed
    diagnostics.born_dead(model, X).constant       # constant function over X?
    diagnostics.layer_grad_norms(model)            # after loss.backward()

Modules: stats (pure functions over arrays), record (LayerStats), monitor (hooks), grads
(parameter gradients), born_dead, report (text tables), plots (matplotlib, imported only
when a plot is drawn, so the package works without it).
"""

from . import plots, stats
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
    "summary_table",
    "unit_table",
    "watch",
]
