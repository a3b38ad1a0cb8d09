"""Command-line interface of csat-research.

``csat validate PARAMS.yaml``      check a params file and its data by a dry run of the report (no HTML/PDF)
``csat demo-data --out DIR``       write the bundled demo study (four categories)
``csat report PARAMS.yaml``        run one report (notebook -> HTML + PDF + summary.json + xlsx + pptx)
``csat batch params/ [--workers N] [--scheduler ADDRESS]``  run many reports, then the portfolio overview
``csat store list [--store PATH]``  the waves in the study store
``csat store drop BRAND_OR_CATEGORY WAVE [--store PATH]``  remove a wave from the study store

The study store (a DuckDB file keeping every wave a report ran) is ``$CSAT_STORE`` when set,
else the params' ``output.store``, else ``<output.dir>/csat-store.duckdb``; ``csat store``
without ``--store`` reads ``$CSAT_STORE`` or ``reports/csat-store.duckdb``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from csat_research.core.errors import CsatError


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="csat", description="csat-research: CSAT survey research and reporting",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n", 2)[2].replace("``", ""),
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    val = sub.add_parser("validate", help="check params files and their data by a dry run of the report (every analysis and section, no HTML or PDF): OK means csat report will succeed")
    val.add_argument("params", nargs="+", help="params YAML files (or folders of them)")

    demo = sub.add_parser("demo-data", help="generate the bundled demo study")
    demo.add_argument("--out", required=True, help="output folder (one subfolder per category)")
    demo.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same bytes)")
    demo.add_argument("--n", type=int, default=2000, help="respondents per category (default 2000)")
    demo.add_argument("--categories", nargs="+", default=None,
                      help="categories to generate (default: appliances apparel beauty baby)")

    rep = sub.add_parser("report", help="run one report")
    rep.add_argument("params", help="params YAML file")
    rep.add_argument("--notebook", default=None, help="report notebook (default: notebooks/csat_report.ipynb)")

    bat = sub.add_parser(
        "batch", help="run the reports of many params files",
        description="Run the reports of many params files, then write the portfolio overview of the latest wave "
                    "(<output.dir>/overview/) and <output.dir>/index.html.")
    bat.add_argument("params", nargs="+", help="params YAML files or folders of them")
    bat.add_argument("--workers", type=int, default=2, help="reports executed at once (default 2)")
    bat.add_argument("--scheduler", default=None,
                     help="Dask distributed scheduler address (tcp://host:8786); default: a local pool")
    bat.add_argument("--no-progress", action="store_true", help="no progress bar")
    bat.add_argument("--notebook", default=None, help="report notebook (default: notebooks/csat_report.ipynb)")
    bat.add_argument("--fresh-kernels", action="store_true",
                     help="start a new kernel for every report instead of reusing one warm kernel per worker")

    store = sub.add_parser("store", help="list or drop the waves in the study store")
    store_sub = store.add_subparsers(dest="store_command", required=True, metavar="ACTION")
    lst = store_sub.add_parser("list", help="the stored waves")
    drop = store_sub.add_parser("drop", help="remove a stored wave")
    drop.add_argument("name", metavar="BRAND_OR_CATEGORY", help="brand or category of the wave")
    drop.add_argument("wave", help="the wave, e.g. 2026Q3")
    for p in (lst, drop):
        p.add_argument("--store", default=None,
                       help="store file (default: $CSAT_STORE, else reports/csat-store.duckdb)")
    return parser


def _store_table(frame) -> list[str]:
    """The stored waves as an aligned text table."""
    header = ("brand", "category", "wave", "n", "overall index", "stored at (UTC)", "data hash")
    rows = [header] + [
        (str(r.brand), str(r.category), str(r.wave), "-" if r.n_analysed is None or r.n_analysed != r.n_analysed
         else str(int(r.n_analysed)), "-" if r.overall_index is None or r.overall_index != r.overall_index
         else f"{r.overall_index:.2f}", f"{r.stored_at:%Y-%m-%d %H:%M:%S}", str(r.data_hash)[:12])
        for r in frame.itertuples()
    ]
    widths = [max(_width(row[i]) for row in rows) for i in range(len(header))]
    return ["  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in rows]


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal: Chinese characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _store(args: argparse.Namespace) -> int:
    from csat_research.io.store import drop_wave, list_waves, store_path

    path = Path(args.store) if args.store else store_path()
    if args.store_command == "list":
        if not path.exists():
            print(f"no study store at {path} (a report run creates it)")
            return 0
        frame = list_waves(path)
        if frame.empty:
            print(f"{path}: no waves stored")
            return 0
        print(f"{path}: {len(frame)} wave{'s' if len(frame) != 1 else ''}")
        for line in _store_table(frame):
            print(line)
        return 0
    removed = drop_wave(path, args.name, args.wave)
    if removed.empty:
        print(f"{path}: no stored wave {args.wave} of a brand or category {args.name!r}; nothing removed")
        return 1
    for r in removed.itertuples():
        print(f"removed {r.brand} / {r.category} / {r.wave} (n={r.n_analysed}) from {path}")
    return 0


def _validate(paths: list[str]) -> int:
    from csat_research.report.checkup import validate_study
    from csat_research.run.runner import find_params

    status = 0
    for path in find_params(paths):
        try:
            report = validate_study(path)
        except CsatError as exc:
            print(f"FAIL {path}\n{exc}", file=sys.stderr)
            status = 2
            continue
        print(f"OK   {path}")
        for line in report:
            print(f"     {line}")
    return status


def _demo(args: argparse.Namespace) -> int:
    from csat_research.demo.config import DEMO_WAVES
    from csat_research.demo.generator import write_demo_study

    kwargs = {"seed": args.seed, "n": args.n}
    if args.categories:
        kwargs["categories"] = tuple(args.categories)
    written = write_demo_study(args.out, history=True, **kwargs)
    print(f"demo study (seed {args.seed}, n={args.n} per category and wave, waves {', '.join(DEMO_WAVES)}) "
          f"written to {args.out}")
    for category, paths in sorted(written.items()):
        folder = Path(args.out) / category
        names = ", ".join(Path(p).relative_to(folder).as_posix()
                          for p in (paths.values() if isinstance(paths, dict) else paths))
        print(f"  {category}: {names}")
    return 0


def _report(path: str, notebook: str | None) -> int:
    from csat_research.run.runner import NOTEBOOK, run_report

    outcome = run_report(path, notebook=Path(notebook) if notebook else NOTEBOOK)
    print(f"report written to {outcome.report_dir}")
    for f in outcome.files:
        print(f"  {f.name}")
    if outcome.stored:
        print(outcome.stored)
    return 0


def _batch(args: argparse.Namespace) -> int:
    from csat_research.run import zygote as zg

    # Start the kernels' fork server first: its imports (seconds) overlap this process's own.
    server = zg.Zygote() if zg.available() and not args.fresh_kernels and not args.scheduler else None
    try:
        from csat_research.run.runner import NOTEBOOK, run_batch

        result = run_batch(args.params, workers=args.workers, scheduler=args.scheduler, progress=not args.no_progress,
                           warm_kernels=not args.fresh_kernels, zygote=server,
                           notebook=Path(args.notebook) if args.notebook else NOTEBOOK)
    finally:
        if server is not None:
            server.close()
    for o in result.outcomes:
        if o.ok:
            print(f"ok      {o.name}: {o.report_dir}" + (f" ({o.stored})" if o.stored else ""))
        else:
            print(f"FAILED  {o.name}: {o.error}", file=sys.stderr)
    for path in result.overview_paths:
        print(f"overview: {path}")
    for error in result.overview_errors:
        print(f"overview FAILED: {error}", file=sys.stderr)
    if result.index_path:
        print(f"index: {result.index_path}")
    print(f"{len(result.outcomes) - len(result.failed)} of {len(result.outcomes)} reports in {result.seconds:.1f} s")
    if result.failed:
        print(f"failed: {', '.join(o.name for o in result.failed)}", file=sys.stderr)
        return 1
    return 1 if result.overview_errors else 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``csat`` command; returns the exit status."""
    args = _build_parser().parse_args(argv)
    try:
        if args.command == "validate":
            return _validate(args.params)
        if args.command == "demo-data":
            return _demo(args)
        if args.command == "report":
            return _report(args.params, args.notebook)
        if args.command == "batch":
            return _batch(args)
        if args.command == "store":
            return _store(args)
    except CsatError as exc:
        print(f"csat {args.command}: error: {exc}", file=sys.stderr)
        return 2
    return 0  # pragma: no cover


def run() -> None:
    """The ``csat`` console script: :func:`main`, then exit.

    Before exiting, every live object moves to the collector's permanent generation
    (:func:`gc.freeze`): the interpreter's final garbage collections then skip the ~1,200
    modules a batch imported, which saves about 0.25 s at the end of every command. Exit
    handlers and finalizers still run.
    """
    import gc

    code = main()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
