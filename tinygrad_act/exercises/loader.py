"""Where exercise files live, and loading one as a module.

    tinygrad_act/exercises/stubs/<name>.py      the pristine stubs (shipped with the package)
    tinygrad_act/exercises/solutions/<name>.py  reference solutions (spoilers; tests only)
    ./exercises/<name>.py                       YOUR copies, made by `... exercises start`

    ./exercises/.progress.json                  the last check of each of your copies (and
                                                which hints you have seen), for `list`

The checker reads your copy in ./exercises/ (or --dir DIR, or --file PATH); the stubs stay
untouched, so the test suite can prove that an untouched stub fails.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import secrets
import shutil
import sys
from pathlib import Path
from types import ModuleType

from .catalog import EXERCISES

HERE = Path(__file__).resolve().parent
STUBS = HERE / "stubs"
SOLUTIONS = HERE / "solutions"
WORKSPACE = Path("exercises")  # relative to the current directory
PROGRESS = ".progress.json"  # in the learner's folder, next to their copies


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
    """'not started' (no copy), 'untouched' (same text as the stub), 'passed' or 'failing' (the
    last check of this very text), or 'edited' (changed since the last check, or never checked)."""
    mine = workspace_path(name, directory)
    if not mine.exists():
        return "not started"
    text = mine.read_bytes()
    if text == stub_path(name).read_bytes():
        return "untouched"
    last = read_progress(mine.parent).get("checks", {}).get(name)
    if last and last.get("sha1") == hashlib.sha1(text).hexdigest():
        return "passed" if last.get("passed") else "failing"
    return "edited"


def read_progress(directory: str | Path) -> dict:
    """The learner's progress file in `directory` ({} when missing or unreadable)."""
    try:
        data = json.loads((Path(directory) / PROGRESS).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def update_progress(directory: str | Path, section: str, name: str, value) -> bool:
    """Set progress[section][name] = value; whether it was saved. Skipped where nothing can be
    written (the package's own stubs and solutions, a missing or read-only folder): progress is
    a convenience, never a reason to fail."""
    directory = Path(directory).resolve()
    if directory in (STUBS, SOLUTIONS) or not directory.is_dir():
        return False
    data = read_progress(directory)
    data.setdefault(section, {})[name] = value
    tmp = directory / f".progress.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    try:
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
        os.replace(tmp, directory / PROGRESS)  # a concurrent reader never sees half a file
    except OSError:
        tmp.unlink(missing_ok=True)
        return False
    return True


def record_result(name: str, path: str | Path, passed: bool) -> None:
    """Remember that the copy of `name` at `path`, as it reads now, passed or failed."""
    path = Path(path)
    if path.name != f"{name}.py":
        return  # a file checked with --file under another name is not the learner's copy
    try:
        digest = hashlib.sha1(path.read_bytes()).hexdigest()
    except OSError:
        return
    update_progress(path.parent, "checks", name, {"sha1": digest, "passed": bool(passed)})


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
