"""Print the size of the engine's core and fail when it grows past the budget.

    python tools/line_budget.py [--budget N]

The core is what a reader must understand to follow one training step: tensor.py, autograd.py,
testing.py and the ops/, kernels/ and functional/ packages. A line counts when it holds code or a
docstring; blank lines and comment-only lines do not (tokenize decides, so a '#' inside a string
is not a comment). Exit status 1 when the total exceeds the budget: a change that adds features
raises BUDGET by what it adds and says so in its commit message.
"""

from __future__ import annotations

import argparse
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "tinygrad_act"
CORE = (
    "tensor.py",
    "autograd.py",
    "engine.py",
    "grad_mode.py",
    "versions.py",
    "testing.py",
    "ops",
    "kernels",
    "functional",
)
# 3,700 for the features before issue 10 (3,689 lines after the activation redesign, 3,807
# before it). Then, counted on the integrated tree: +790 for issue 10 (version counters and
# ctx.mark_dirty, in-place ops and activations, per-thread grad mode, graphs freed after backward
# and the engine split out of autograd.py, checked .grad and hooks, PyTorch's type promotion and
# indexing order, creation and optimizer checks, stable log_softmax, fit's gradient check) and
# +205 for issue 12's zero-skipping Linear (ops/sparse_linear.py, kernels/sparse.py); +682 for
# issue 13's Conv1d, pooling and BatchNorm1d (ops/, kernels/ and functional/ conv, pool, norm).
# +254 for issue 15's captured step: the recording hooks in apply, the engine and tensor.py,
# Tensor._computed, capture_forward/backward of Linear, the activation table and cross entropy,
# the bias and pairwise-sum kernels, kernels.bind (capture.py, tape.py and recording.py sit above
# the core and do not count).
# engine.py, grad_mode.py and versions.py were split out of autograd.py: they count.
BUDGET = 5631
_SKIP = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT}
_SKIP |= {tokenize.ENCODING, tokenize.ENDMARKER}


def count_lines(path: Path) -> int:
    """Lines of `path` that carry a token other than a comment or whitespace."""
    lines: set[int] = set()
    with path.open("rb") as f:
        for tok in tokenize.tokenize(f.readline):
            if tok.type not in _SKIP:
                lines.update(range(tok.start[0], tok.end[0] + 1))
    return len(lines)


def core_files() -> list[Path]:
    files: list[Path] = []
    for entry in CORE:
        path = PACKAGE / entry
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=BUDGET)
    args = parser.parse_args(argv)
    sizes = {p.relative_to(ROOT): count_lines(p) for p in core_files()}
    width = max(len(str(p)) for p in sizes)
    for p, n in sizes.items():
        print(f"{str(p):<{width}}  {n:5d}")
    total = sum(sizes.values())
    print(f"{'core':<{width}}  {total:5d}  (budget {args.budget})")
    if total > args.budget:
        print(
            f"line_budget: the core is {total} lines, {total - args.budget} over the budget of "
            f"{args.budget}; make it smaller, or raise BUDGET in tools/line_budget.py by what a "
            "new feature adds and say so in the commit message",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
