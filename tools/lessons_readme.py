"""Regenerate the numbers in lessons/README.md from the committed results files.

    python tools/lessons_readme.py            # rewrite lessons/README.md in place
    python tools/lessons_readme.py --check    # exit 1 if it is out of date (the test runs this)

The prose is written by hand; every table and every number comes from a file:
- between `<!-- results NN_name -->` and `<!-- /results NN_name -->`: the lesson's tables (its
  `render`), summary sentences, claims and figures, from lessons/results/NN_name/results.json;
- between `<!-- blas-claims -->` and `<!-- /blas-claims -->`: the table of lessons/results/
  blas_claims.json (tools/blas_claims.py);
- `<!--n 04 > A > relu lr=2 > dead1 -->...<!--/n-->` inline: the value at that path of lesson
  04's tables (" > " separates the keys; list positions are numbers), formatted by an optional
  `::fmt` suffix: ci "0.46 (95% CI 0.31..0.60)" (the default for intervals), mean, abs (|mean|),
  pct (mean as a percentage), range "lo..hi", int, pow10 (10**mean of a log10 interval), g.
  The key names the file and the path, so every sentence can be traced to its number.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
README = ROOT / "lessons" / "README.md"
RESULTS = ROOT / "lessons" / "results"
sys.path.insert(0, str(ROOT))

from lessons._common import format_cell  # noqa: E402
from lessons._results import read_results  # noqa: E402
from lessons._stats import Interval, fmt  # noqa: E402

BLOCK = re.compile(r"(<!-- results (\S+) -->\n).*?(<!-- /results \2 -->)", re.S)
BLAS = re.compile(r"(<!-- blas-claims -->\n).*?(<!-- /blas-claims -->)", re.S)
TIMING = re.compile(r"(<!-- timing -->\n).*?(<!-- /timing -->)", re.S)
INLINE = re.compile(r"(<!--n (.*?) -->).*?(<!--/n-->)", re.S)


def markdown_table(headers, rows) -> str:
    esc = [str(h).replace("|", "\\|") for h in headers]
    lines = ["| " + " | ".join(esc) + " |", "|" + "---|" * len(headers)]
    for row in rows:
        lines.append("| " + " | ".join(format_cell(v).replace("|", "\\|") for v in row) + " |")
    return "\n".join(lines)


def load_results(stem: str) -> dict:
    path = RESULTS / stem / "results.json"
    if not path.exists():
        raise SystemExit(f"lessons_readme: {path} is missing; run `python -m lessons "
                         f"{int(stem[:2])} --jobs 2 --out lessons/results`")  # fmt: skip
    return read_results(path)


def lesson_module(stem: str):
    from lessons.__main__ import HERE, load

    return load(HERE / f"{stem}.py")


def results_block(stem: str) -> str:
    res = load_results(stem)
    mod = lesson_module(stem)
    t, meta, seeds = res["tables"], res["metadata"], res["seeds"]
    blas = ", ".join(f"{b['internal_api']} {b['version']} ({b['architecture']})"
                     for b in sorted(meta["blas"], key=lambda b: b["version"]))  # fmt: skip
    mode = "quick mode" if res["quick"] else "full mode"
    out = [f"*{mode}, {len(seeds)} seeds ({seeds[0]}..{seeds[-1]}), {meta['cpu']}, {blas}, "
           f"numpy {meta['numpy']}, measured {meta['date'][:10]}; from "
           f"`results/{stem}/results.json`.*", ""]  # fmt: skip
    for title, headers, rows in mod.render(t):
        out += [f"**{title}**", "", markdown_table(headers, rows), ""]
    out += [f"- {s}" for s in res["summary"]] + [""]
    held = [k for k, v in res["claims"].items() if v]
    failed = [k for k, v in res["claims"].items() if not v]
    out.append(f"Claims checked ({len(held)} of {len(res['claims'])} hold): "
               + "; ".join(held) + ("." if held else ""))  # fmt: skip
    if failed:
        out.append(f"**Not holding:** {'; '.join(failed)}.")
    out.append("")
    out += [f"![{f}](results/{stem}/{f})" for f in res.get("figures", [])]
    return "\n".join(out).rstrip() + "\n"


def _value(key: str) -> str:
    spec, _, form = key.partition("::")
    stem_key, *path = [p.strip() for p in spec.split(" > ")]
    stem = next((p.parent.name for p in RESULTS.glob(f"{stem_key}_*/results.json")), None)
    if stem is None:
        raise SystemExit(f"lessons_readme: no results for lesson {stem_key!r} (inline {key!r})")
    v = load_results(stem)["tables"]
    for p in path:
        v = v[int(p)] if isinstance(v, list) else v[p]
    return format_value(v, form or ("ci" if isinstance(v, Interval) else "g"))


def format_value(v, form: str) -> str:
    if isinstance(v, Interval):
        if form == "ci":
            return str(v)
        if form == "range":
            return f"{fmt(v.lo)}..{fmt(v.hi)}"
        if form == "pow10":
            return f"{10**v.mean:.2g}"
        v = v.mean
    if form == "pct":
        return f"{100 * v:.0f}%"
    if form == "abs":
        return fmt(abs(v))
    if form == "int":
        return f"{int(v)}"
    if form == "mean":
        return fmt(v)
    return f"{v:.3g}" if isinstance(v, float) else str(v)


def generate(text: str) -> str:
    text = BLOCK.sub(lambda m: m.group(1) + results_block(m.group(2)) + m.group(3), text)
    text = BLAS.sub(lambda m: m.group(1) + blas_table() + m.group(2), text)
    text = TIMING.sub(lambda m: m.group(1) + timing_table() + m.group(2), text)
    return INLINE.sub(lambda m: m.group(1) + _value(m.group(2)) + m.group(3), text)


def timing_table() -> str:
    """How long each committed full run took to run its seeds (results.json "seconds")."""
    rows = []
    for path in sorted(RESULTS.glob("[0-9][0-9]_*/results.json")):
        res = read_results(path)
        rows.append([path.parent.name, len(res["seeds"]), res.get("jobs", 1),
                     f"{res.get('seconds', float('nan')):.0f}"])  # fmt: skip
    head = ["lesson", "seeds", "--jobs", "seconds to run the seeds (wall clock)"]
    return markdown_table(head, rows) + "\n"


def blas_table() -> str:
    path = RESULTS / "blas_claims.json"
    if not path.exists():
        return "(run `python tools/blas_claims.py` to fill this table)\n"
    sys.path.insert(0, str(ROOT / "tools"))
    from blas_claims import table

    result = json.loads(path.read_text())
    rows = table(result)
    held = sum(r[2:] == ["ok"] * len(result["coretypes"]) for r in rows)
    head = (
        f"*{held} of {len(rows)} claims hold under every core type (quick mode, "
        f"{result['cpu']}, {result['date'][:10]}; `results/blas_claims.json`).*\n\n"
    )
    return head + markdown_table(["lesson", "claim", *result["coretypes"]], rows) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if README.md is out of date")
    a = ap.parse_args(argv)
    old = README.read_text()
    new = generate(old)
    if a.check:
        if new != old:
            print("lessons/README.md is out of date: run `python tools/lessons_readme.py`")
            return 1
        return 0
    README.write_text(new)
    print(f"wrote {README.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
