"""Print docs/activations.md, the API table of every activation, generated from the table.

    python tools/gen_activation_docs.py > docs/activations.md

tests/test_activation_table.py fails when the checked-in page differs from this output.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import tinygrad_act  # noqa: E402, F401 - registers the built-in activations
from tinygrad_act.ops.activation_spec import markdown  # noqa: E402

if __name__ == "__main__":
    sys.stdout.write(markdown())
