"""Compare the ``summary.json`` files of two sets of reports, value by value.

A change made for speed must leave the demo study's results as they were. Run the reports
before the change, keep their ``summary.json`` files, run them after, then:

``python benchmarks/diff_summaries.py BEFORE AFTER``

BEFORE and AFTER are ``summary.json`` files or folders searched for them (matched by their
first folder below the root, e.g. ``beauty`` of ``beauty/2026Q3/summary.json``, or by the
file name of ``<category>.json`` files in a flat folder). Every key is compared exactly (floats bit for bit); each
difference is printed with its key path, both values and, for numbers, the relative
difference. Exit status 0 when all files are identical, 1 otherwise.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path


def _files(root: Path) -> dict[str, Path]:
    if root.is_file():
        return {root.name: root}
    found = {p.relative_to(root).parts[0]: p for p in sorted(root.rglob("summary.json"))}
    return found or {p.stem: p for p in sorted(root.glob("*.json"))}


def diff(a: object, b: object, path: str = "") -> list[str]:
    """Key paths at which ``a`` and ``b`` differ, with both values."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in list(a) + [k for k in b if k not in a]:
            if k not in a or k not in b:
                out.append(f"{path}/{k}: only in {'before' if k in a else 'after'}")
            else:
                out += diff(a[k], b[k], f"{path}/{k}")
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items before, {len(b)} after"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in diff(x, y, f"{path}[{i}]")]
    if a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)):
        return []
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        rel = abs(a - b) / max(abs(a), abs(b), 1e-300)
        return [f"{path}: {a!r} -> {b!r} (relative difference {rel:.2e})"]
    return [f"{path}: {a!r} -> {b!r}"]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print(__doc__)
        return 2
    before, after = (_files(Path(a)) for a in args)
    if not before:
        print(f"no summary.json under {args[0]}")
        return 2
    status = 0
    for key in sorted(set(before) | set(after)):
        if key not in before or key not in after:
            print(f"{key}: only {'before' if key in before else 'after'}")
            status = 1
            continue
        a, b = (json.loads(f[key].read_text(encoding="utf-8")) for f in (before, after))
        found = diff(a, b)
        print(f"{key}: {'identical' if not found else f'{len(found)} difference(s)'}")
        for line in found[:50]:
            print(f"    {line}")
        status |= bool(found)
    return status


if __name__ == "__main__":
    sys.exit(main())
