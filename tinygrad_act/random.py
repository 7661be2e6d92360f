"""The library's seeded random generator (numpy's PCG64), shared by randn, init, dropout, rrelu."""

from __future__ import annotations

from typing import Any

import numpy as np

from .recording import note

_generator = np.random.default_rng(0)


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the global generator; everything random in tinygrad_act draws from it.

    Like torch.manual_seed, any int in [-2**63, 2**64) is a seed, and a negative one stands for
    seed + 2**64 (so -1 and 2**64 - 1 give the same stream); numpy's generator takes only
    non-negative seeds, hence the wrap.
    """
    global _generator
    _generator = np.random.default_rng(seed_value(seed, "manual_seed"))
    return _generator


def seed_value(seed: Any, where: str) -> int:
    """`seed` as the non-negative int numpy needs, by PyTorch's rule (negative: + 2**64)."""
    try:
        s = int(seed)  # PyTorch also calls int(): 3.0, np.int64(3) and "3" are accepted
    except (TypeError, ValueError):
        raise TypeError(
            f"{where}: seed must be an int, got {type(seed).__name__} {seed!r}"
        ) from None
    if not -(2**63) <= s < 2**64:
        raise ValueError(
            f"{where}: seed {s} is out of range; use an int in [-2**63, 2**64) (as PyTorch)"
        )
    return s % 2**64


def default_generator() -> np.random.Generator:
    """The current global generator (call it each time: manual_seed replaces it)."""
    # inside an op (dropout, rrelu) a replay draws again; anywhere else it would reuse old draws
    note("it drew random numbers outside an op (ta.randn, shuffling, init)")
    return _generator
