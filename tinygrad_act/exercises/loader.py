"""Where exercise files live, and loading one as a module.

    tinygrad_act/exercises/stubs/<name>.py      the pristine stubs (shipped with the package)
    tinygrad_act/exercises/solutions/<name>.py  reference solutions (spoilers; tests only)
    ./exercises/<name>.py                       YOUR copies, made by `... exercises start`

The checker reads your copy in ./exercises/ (or --dir DIR, or --file PATH); the stubs stay
untouched, so the test suite can prove that an untouched stub fails.
"""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

from .catalog import EXERCISES

HERE = Path(__file__).resolve().parent
STUBS = HERE / "stubs"
SOLUTIONS = HERE / "solutions"
WORKSPACE = Path("exercises")  # relative to the current directory


def stub_path(name: str) -> Path:
    return STUBS / f"{name}.py"


def solution_path(name: str) -> Path:
    return SOLUTIONS / f"{name}.py"


def workspace_path(name: str, directory: str | Path | None = None) -> Path:
    return Path(WORKSPACE if directory is None else directory) / f"{name}.py"


def load(path: str | Path) -> ModuleType:
    """Import the file at `path` as a fresh module (a new module object on every call, so an
    edited file is read again). Numba's on-disk cache is keyed by the file, so kernels compile
    once per edit, not once per check."""
    path = Path(path).resolve()
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:10]
    name = f"tinygrad_act_exercise_{path.stem}_{digest}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path} as Python")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look modules up by name
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def status(name: str, directory: str | Path | None = None) -> str:
    """'not started' (no copy), 'untouched' (same text as the stub) or 'edited'."""
    mine = workspace_path(name, directory)
    if not mine.exists():
        return "not started"
    return "untouched" if mine.read_text() == stub_path(name).read_text() else "edited"


def start(directory: str | Path | None = None) -> list[Path]:
    """Copy every stub into `directory` (./exercises by default); never overwrite a file."""
    target = Path(WORKSPACE if directory is None else directory)
    target.mkdir(parents=True, exist_ok=True)
    copied = []
    for ex in EXERCISES:
        dest = target / f"{ex.name}.py"
        if not dest.exists():
            shutil.copyfile(stub_path(ex.name), dest)
            copied.append(dest)
    return copied
