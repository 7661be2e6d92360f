"""The lesson runner: `python -m lessons` lists; `python -m lessons N|name|all [flags]` runs."""

from __future__ import annotations

import importlib.util
import pathlib
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent


def lesson_files() -> list[pathlib.Path]:
    return sorted(p for p in HERE.glob("[0-9][0-9]_*.py"))


def load(path: pathlib.Path):
    """Import a lesson file (its name starts with digits, so not with a plain import)."""
    if str(HERE.parent) not in sys.path:
        sys.path.insert(0, str(HERE.parent))
    spec = importlib.util.spec_from_file_location(f"lessons.l{path.stem}", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses (and pickle) look their module up by name
    spec.loader.exec_module(mod)
    return mod


def find(key: str) -> list[pathlib.Path]:
    files = lesson_files()
    if key == "all":
        return files
    hits = [
        p for p in files if p.stem == key or p.stem.split("_")[0].lstrip("0") == key.lstrip("0")
    ]
    hits = hits or [p for p in files if key in p.stem]
    if not hits:
        names = ", ".join(p.stem for p in files)
        raise SystemExit(f"lessons: no lesson matches {key!r}; choose one of: {names}, or all")
    return hits


def main(argv: list[str] | None = None) -> int:
    from lessons._common import lesson_main

    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("list", "-h", "--help"):
        print("Lessons (run one with `python -m lessons N`, or `python -m lessons all`):\n")
        for p in lesson_files():
            doc = (load(p).__doc__ or "").strip().splitlines()
            print(f"  {p.stem:<28} {doc[0] if doc else ''}")
        print("\nFlags for every lesson: --quick, --seed N, --out DIR, --no-plots")
        return 0
    key, rest = argv[0], argv[1:]
    for path in find(key):
        mod = load(path)
        t0 = time.perf_counter()
        lesson_main(mod.run, mod.__doc__, rest)
        print(f"\n[{path.stem} took {time.perf_counter() - t0:.1f} s]\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
