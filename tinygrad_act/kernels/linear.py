"""Linear's bias: the add in forward (out[i, :] += bias) and its gradient (the sum of the rows).

numpy gives the same bits (`out += bias` is one IEEE addition per element; `g.sum(axis=0)` of a
C-contiguous array with more than one column adds the rows one after another, in order) but
costs ~1 us of ufunc set-up per call, most of the time at lesson sizes, where a captured step
(ta.compile) calls each once per layer. With one column numpy sums pairwise: sum_rows is not
used there (ops/linear.py).
"""

from __future__ import annotations

from ._parallel import njit


@njit
def add_bias(out, bias):
    rows, cols = out.shape
    for i in range(rows):
        for j in range(cols):
            out[i, j] += bias[j]


@njit
def sum_rows(g, out):
    rows, cols = g.shape
    for j in range(cols):
        out[j] = g[0, j]
    for i in range(1, rows):
        for j in range(cols):
            out[j] += g[i, j]
