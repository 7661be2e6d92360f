"""Every module imports first in a fresh interpreter, and the package's import graph has no cycle.

A cycle (tensor.py -> ops -> tensor.py) works only in the order the package happens to load
its modules; the static check below finds one before a new import order exposes it.
"""

import ast
import os
import pkgutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import tinygrad_act

PACKAGE_DIR = Path(tinygrad_act.__file__).parent


def _modules() -> list[str]:
    return ["tinygrad_act"] + [
        m.name for m in pkgutil.walk_packages(tinygrad_act.__path__, "tinygrad_act.")
    ]


def _source(name: str) -> tuple[Path, bool]:
    rel = Path(*name.split(".")[1:])
    pkg = PACKAGE_DIR / rel / "__init__.py"
    return (pkg, True) if pkg.exists() else ((PACKAGE_DIR / rel).with_suffix(".py"), False)


def _import_time_edges(name: str, known: set[str]) -> set[str]:
    """Modules of the package that `name` imports while it loads (not inside functions, not
    under TYPE_CHECKING): `from .x import y` is an edge to x.y if that is a module, else to x."""
    path, is_pkg = _source(name)
    here = name if is_pkg else name.rpartition(".")[0]
    edges: set[str] = set()

    def visit(body):
        for node in body:
            if isinstance(node, ast.If):
                if "TYPE_CHECKING" not in ast.dump(node.test):
                    visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body + node.orelse + node.finalbody)
                for h in node.handlers:
                    visit(h.body)
            elif isinstance(node, ast.ClassDef):
                visit(node.body)
            elif isinstance(node, ast.Import):
                edges.update(a.name for a in node.names if a.name in known)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    parts = here.split(".")
                    src = ".".join(parts[: len(parts) - node.level + 1] + [node.module or ""])
                    src = src.rstrip(".")
                else:
                    src = node.module or ""
                if src in known:
                    edges.update(
                        f"{src}.{a.name}" if f"{src}.{a.name}" in known else src for a in node.names
                    )

    visit(ast.parse(path.read_text()).body)
    edges.discard(name)
    return edges


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a path [a, b, ..., a], or None (iterative DFS with colors)."""
    color = dict.fromkeys(graph, 0)  # 0 new, 1 on the current path, 2 finished
    for start in graph:
        if color[start]:
            continue
        path, stack = [start], [iter(sorted(graph[start]))]
        color[start] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                color[path.pop()] = 2
                stack.pop()
            elif color[nxt] == 1:
                return path[path.index(nxt) :] + [nxt]
            elif color[nxt] == 0:
                color[nxt] = 1
                path.append(nxt)
                stack.append(iter(sorted(graph[nxt])))
    return None


def test_no_module_imports_a_module_that_imports_it_back():
    mods = _modules()
    known = set(mods)
    graph = {m: _import_time_edges(m, known) for m in mods}
    assert graph["tinygrad_act.ops.arithmetic"] >= {"tinygrad_act.tensor"}  # the parser works
    cycle = _cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


@pytest.mark.skipif(
    not hasattr(os, "fork"), reason="uses os.fork to give each module a fresh start"
)
def test_every_module_imports_first_in_a_fresh_interpreter():
    # Importing tinygrad_act.X first runs the package's __init__ first (Python imports parents
    # before children), so one fresh interpreter that imports the package covers every module
    # the __init__ loads. Each module it does not load (exercises, stubs, CLIs) is then imported
    # in its own forked child of that interpreter: the state a first import of it would see.
    script = textwrap.dedent(
        """
        import importlib, os, sys, traceback
        import numpy, numba  # slow third-party imports, not what this test is about
        assert not any(m.startswith("tinygrad_act") for m in sys.modules)
        import tinygrad_act
        failed = []
        for name in sys.argv[1:]:
            if name in sys.modules:
                continue
            pid = os.fork()
            if pid == 0:
                try:
                    importlib.import_module(name)
                except BaseException:
                    traceback.print_exc()
                    os._exit(1)
                os._exit(0)
            if os.waitpid(pid, 0)[1] != 0:
                failed.append(name)
        print("FAILED:", failed)
        sys.exit(1 if failed else 0)
        """
    )
    mods = _modules()
    r = subprocess.run(
        [sys.executable, "-c", script, *mods], capture_output=True, text=True, timeout=600
    )
    assert r.returncode == 0, r.stdout + r.stderr[-4000:]
    assert "FAILED: []" in r.stdout and len(mods) > 50
