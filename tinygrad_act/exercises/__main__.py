"""python -m tinygrad_act.exercises list | start | check NAME|all | hint NAME

Exit status: 0 when every check passed, 1 when a check failed, 2 for a usage error (an unknown
exercise name).
"""

from __future__ import annotations

import argparse
import sys

from .catalog import EXERCISES, get
from .checker import check
from .loader import WORKSPACE, start, status, stub_path, workspace_path


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m tinygrad_act.exercises",
        description="Write your own op; the checker tells you what is wrong and why.",
    )
    sub = p.add_subparsers(dest="cmd")
    ls = sub.add_parser("list", help="the exercises and the state of your copies")
    st = sub.add_parser("start", help=f"copy the stubs into ./{WORKSPACE}/ (never overwrites)")
    ck = sub.add_parser("check", help="check one exercise (or all)")
    ck.add_argument("name", help="an exercise name or number, or 'all'")
    ck.add_argument("--file", help="check this file instead of ./exercises/NAME.py")
    hn = sub.add_parser("hint", help="hints for one exercise, gentle first")
    hn.add_argument("name")
    for q in (ls, st, ck):
        q.add_argument("--dir", help=f"your exercise folder (default ./{WORKSPACE})")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.cmd in (None, "list"):
            return _list(getattr(args, "dir", None))
        if args.cmd == "start":
            return _start(args.dir)
        if args.cmd == "hint":
            return _hint(args.name)
        return _check(args.name, args.file, args.dir)
    except KeyError as e:
        print(f"error: {e.args[0]}", file=sys.stderr)
        return 2


def _list(directory) -> int:
    print("Exercises (python -m tinygrad_act.exercises check NAME):\n")
    for ex in EXERCISES:
        print(f"{ex.number:>2}. {ex.name:<17} {ex.title}  [{status(ex.name, directory)}]")
        solved = f"F.{ex.op} and nn.{ex.cls}" if ex.op else f"{ex.function}.apply"
        print(f"      you write: {ex.you_write}; once solved: {solved}")
    if all(status(ex.name, directory) == "not started" for ex in EXERCISES):
        print("\nStart with: python -m tinygrad_act.exercises start")
    return 0


def _start(directory) -> int:
    copied = start(directory)
    where = directory or WORKSPACE
    for path in copied:
        print(f"copied {path}")
    print(f"{len(copied)} stub(s) copied into {where}/ (existing files are never overwritten).")
    print(f"Edit {workspace_path(EXERCISES[0].name, directory)} first, then run:")
    print(f"    python -m tinygrad_act.exercises check {EXERCISES[0].name}")
    return 0


def _hint(name: str) -> int:
    ex = get(name)
    print(f"Hints for exercise {ex.number}, {ex.name} ({ex.title}), gentlest first:\n")
    for i, h in enumerate(ex.hints, 1):
        print(f"  {i}. {h}")
    mine = workspace_path(ex.name, None)
    where = mine if mine.exists() else stub_path(ex.name)
    print(f"\nThe docstrings in {where} state the math, the shapes and the conventions.")
    return 0


def _check(name: str, file, directory) -> int:
    if name == "all":
        if file:
            print("error: --file checks one exercise; use --dir for all", file=sys.stderr)
            return 2
        reports = [check(ex.name, directory=directory) for ex in EXERCISES]
        for r in reports:
            print(r.format() if not r.passed else f"check {r.exercise}: PASSED", end="\n\n")
        n = sum(r.passed for r in reports)
        print(f"{n} of {len(reports)} exercises pass.")
        return 0 if n == len(reports) else 1
    report = check(name, file=file, directory=directory)
    print(report.format())
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main())
