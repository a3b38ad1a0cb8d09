"""Command-line interface: ``csat validate | demo-data | report | batch``."""

from __future__ import annotations

import argparse
import sys

from csat_research.errors import CsatError


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="csat", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo-data", help="generate the bundled demo study")
    demo.add_argument("--out", required=True, help="output folder")
    demo.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same bytes)")
    demo.add_argument("--n", type=int, default=2000, help="respondents per category")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)
    try:
        if args.command == "demo-data":
            from csat_research.demo import write_demo_study

            write_demo_study(args.out, seed=args.seed, n=args.n)
    except CsatError as exc:
        print(f"csat {args.command}: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
