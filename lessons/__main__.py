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
    name = f"lessons.l{path.stem}"
    if name in sys.modules and pathlib.Path(sys.modules[name].__file__) == path:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses (and pickle) look their module up by name
    spec.loader.exec_module(mod)
    return mod


def find(key: str) -> list[pathlib.Path]:
    """`all`, a lesson number (1, 01) or a word of a lesson's name; anything else exits clearly."""
    files = lesson_files()
    if key == "all":
        return files
    if key.isdigit():
        hits = [p for p in files if int(p.stem.split("_")[0]) == int(key)]
    else:
        hits = [p for p in files if key and key.lower() in p.stem.lower()]
    if not hits:
        numbers = ", ".join(str(int(p.stem[:2])) for p in files)
        names = ", ".join(p.stem for p in files)
        raise SystemExit(
            f"lessons: no lesson matches {key!r}. Give a number ({numbers}), a name ({names}) "
            "or all, e.g. `python -m lessons 4`."
        )
    return hits


def usage() -> None:
    from lessons._runner import SEEDS_HELP

    print("Lessons (run one with `python -m lessons N`, or `python -m lessons all`):\n")
    for p in lesson_files():
        doc = (load(p).__doc__ or "").strip().splitlines()
        print(f"  {p.stem:<28} {doc[0] if doc else ''}")
    print(
        "\nFlags for every lesson: --quick, --seed S, --seeds N, --jobs N, --scheduler ADDRESS, "
        "--out DIR, --no-plots\n" + SEEDS_HELP
    )


def main(argv: list[str] | None = None) -> int:
    from lessons._runner import main_for, parser

    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("list", "-h", "--help"):
        usage()
        return 0
    key, rest = argv[0], argv[1:]
    paths = find(key)
    parser().parse_args(rest)  # every flag checked (e.g. --seed -1) before anything runs
    t_all = time.perf_counter()
    for path in paths:
        main_for(load(path), rest)
    if len(paths) > 1:
        print(f"[{len(paths)} lessons took {time.perf_counter() - t_all:.1f} s]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
