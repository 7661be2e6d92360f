"""python -m tinygrad_act.exercises list | start | check NAME|all | hint NAME [LEVEL]

Exit status: 0 when every check passed, 1 when a check failed, 2 for a usage error (an unknown
exercise name), 130 when interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import os
import sys

from .catalog import EXERCISES, get
from .checker import check
from .isolate import DEFAULT_TIMEOUT, WARM_ENV
from .loader import (
    WORKSPACE,
    read_progress,
    start,
    status,
    stub_path,
    update_progress,
    workspace_path,
)


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
    ck.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help=f"seconds a check may take before it is stopped (default {DEFAULT_TIMEOUT:g}; "
        "0: no limit)",
    )
    ck.add_argument(
        "--in-process",
        action="store_true",
        help="run the check in this process (to use a debugger; no time limit, no crash guard)",
    )
    hn = sub.add_parser("hint", help="the next hint for one exercise, one level at a time")
    hn.add_argument("name")
    hn.add_argument("level", nargs="?", type=int, help="show the hints up to this level")
    for q in (ls, st, ck, hn):
        q.add_argument("--dir", help=f"your exercise folder (default ./{WORKSPACE})")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        try:
            code = _run(args)
            sys.stdout.flush()  # a closed pipe shows up here, while we can still handle it
            return code
        except KeyError as e:
            print(f"error: {e.args[0]}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:  # the running check's process is already stopped
            print("\ninterrupted", file=sys.stderr)
            return 130
    except BrokenPipeError:
        # `... list | head`: the reader left. Point stdout at devnull so that the interpreter's
        # final flush does not print a second BrokenPipeError (the recipe in Python's docs).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


def _run(args) -> int:
    if args.cmd in (None, "list"):
        return _list(getattr(args, "dir", None))
    if args.cmd == "start":
        return _start(args.dir)
    if args.cmd == "hint":
        return _hint(args.name, args.level, args.dir)
    timeout = None if args.timeout <= 0 else args.timeout
    return _check(args.name, args.file, args.dir, timeout, not args.in_process)


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


def _hint(name: str, level: int | None, directory) -> int:
    """Reveal one more hint than last time (remembered in the learner's folder), or up to
    `level`; never all of them at once."""
    ex = get(name)
    n = len(ex.hints)
    folder = workspace_path(ex.name, directory).parent
    seen = read_progress(folder).get("hints", {}).get(ex.name, 0)
    if level is None:
        level = min(seen + 1, n)
    if not 1 <= level <= n:
        print(f"error: {ex.name} has hints 1 to {n}, not {level}", file=sys.stderr)
        return 2
    saved = level <= seen or update_progress(folder, "hints", ex.name, level)
    print(f"Exercise {ex.number}, {ex.name} ({ex.title}): hint {level} of {n}\n")
    for i in range(1, level + 1):
        print(f"  {i}. {ex.hints[i - 1]}")
    mine = workspace_path(ex.name, directory)
    where = mine if mine.exists() else stub_path(ex.name)
    print(f"\nThe docstrings in {where} state the task, the math and the shapes.")
    if level < n:
        more = "" if saved else f" {level + 1}"  # nowhere to remember the level: say it
        more += f" --dir {directory}" if directory else ""
        print(f"Still stuck? The next hint: python -m tinygrad_act.exercises hint {ex.name}{more}")
    return 0


def _check(name: str, file, directory, timeout, isolate: bool = True) -> int:
    if name == "all":
        if file:
            print("error: --file checks one exercise; use --dir for all", file=sys.stderr)
            return 2
        passed = 0
        for ex in EXERCISES:  # each in its own process: one crash does not stop the rest
            r = check(ex.name, directory=directory, timeout=timeout, isolate=isolate)
            print(r.format() if not r.passed else f"check {r.exercise}: PASSED", end="\n\n")
            sys.stdout.flush()
            passed += r.passed
        print(f"{passed} of {len(EXERCISES)} exercises pass.")
        return 0 if passed == len(EXERCISES) else 1
    # this process checks one exercise: its checker's server need not warm up the other seven
    os.environ.setdefault(WARM_ENV, get(name).name)
    report = check(name, file=file, directory=directory, timeout=timeout, isolate=isolate)
    print(report.format())
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main())
