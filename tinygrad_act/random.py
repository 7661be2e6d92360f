"""The library's seeded random generator (numpy's PCG64), shared by randn, init, dropout, rrelu."""

from __future__ import annotations

import numpy as np

_generator = np.random.default_rng(0)


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the global generator; everything random in tinygrad_act draws from it."""
    global _generator
    _generator = np.random.default_rng(int(seed))
    return _generator


def default_generator() -> np.random.Generator:
    """The current global generator (call it each time: manual_seed replaces it)."""
    return _generator
