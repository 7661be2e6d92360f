"""set_blas_threads (tinygrad_act/_blas.py): through threadpoolctl, and a one-time warning
without it."""

from __future__ import annotations

import sys
import warnings

import pytest

import tinygrad_act as ta
from tinygrad_act import _blas

threadpoolctl = pytest.importorskip("threadpoolctl")


def _blas_threads() -> set[int]:
    return {i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"}


def test_sets_every_loaded_blas_and_reports_it():
    try:
        assert ta.set_blas_threads(2) is True
        assert _blas_threads() == {2}
        assert ta.set_blas_threads(1) is True
        assert _blas_threads() == {1}
    finally:
        ta.set_blas_threads(1)  # what tests/conftest.py set


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2", True])
def test_bad_counts_raise(bad):
    with pytest.raises(ValueError, match="set_blas_threads: n must be a positive int"):
        ta.set_blas_threads(bad)


def test_without_threadpoolctl_it_warns_once_and_returns_false(monkeypatch):
    monkeypatch.setitem(sys.modules, "threadpoolctl", None)  # import now raises ImportError
    monkeypatch.setattr(_blas, "_warned", False)
    with pytest.warns(RuntimeWarning, match="threadpoolctl is not installed"):
        assert ta.set_blas_threads(1) is False
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ta.set_blas_threads(1) is False  # no second warning
