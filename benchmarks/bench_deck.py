"""Benchmark: what the PowerPoint deck (``report.pptx``) adds to one report.

On the demo beauty study (``data/demo``, written if missing; 2,000 respondents), measured in the
same run:

* **deck build** - :func:`csat_research.report.deck.write_deck` in one process on the analysed
  results, timed with ``time.perf_counter``: the first build (python-pptx imported inside the
  timing, as in a kernel that did not pre-import it) and the median of the next builds (as in a
  warm kernel, whose :func:`csat_research.report.warmup.warm_up` imports python-pptx);
* beside it, the same process's ``load_study`` + ``analyse`` (the notebook's own computation);
* **one report** - ``csat report`` (:func:`csat_research.run.runner.run_report`: notebook, HTML,
  PDF, publishing) with ``output.formats`` without and with ``pptx``, interleaved, median of
  ``--repeats`` runs each.

Prints every time and the deck's share of a report. Target: the deck adds < 5 % to a report.
Run: ``.venv/bin/python benchmarks/bench_deck.py [--repeats 2] [--builds 5]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _params(tmp: Path, demo: Path, formats: list[str], name: str) -> Path:
    doc = yaml.safe_load((ROOT / "params" / "beauty.yaml").read_text(encoding="utf-8"))
    doc.pop("history", None)  # one wave only: the earlier waves are not written here
    for key in ("responses", "tickets"):
        doc["data"][key]["path"] = str(demo / "beauty" / f"{key}.csv")
    doc["output"]["dir"] = str(tmp / name)
    doc["output"]["formats"] = formats
    path = tmp / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=2, help="csat report runs per variant")
    ap.add_argument("--builds", type=int, default=5, help="warm deck builds (median)")
    args = ap.parse_args(argv)

    import warnings

    from csat_research.demo.generator import write_demo_study

    demo = ROOT / "data" / "demo"
    if not (demo / "beauty" / "responses.csv").exists():
        write_demo_study(demo, seed=2026, categories=("beauty",))
    with tempfile.TemporaryDirectory(prefix="bench-deck-") as t:
        tmp = Path(t)
        with_deck = _params(tmp, demo, ["html", "pdf", "xlsx", "pptx", "ipynb"], "with")
        without = _params(tmp, demo, ["html", "pdf", "xlsx", "ipynb"], "without")

        from csat_research.report.analyse import analyse
        from csat_research.report.outputs import summary_document
        from csat_research.report.study import load_study

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t0 = time.perf_counter()
            res = analyse(load_study(with_deck))
            t_analyse = time.perf_counter() - t0
        doc = summary_document(res)
        t0 = time.perf_counter()
        from csat_research.report.deck import write_deck

        write_deck(res, tmp / "cold.pptx", summary=doc)
        t_cold = time.perf_counter() - t0
        warm = []
        for i in range(args.builds):
            t0 = time.perf_counter()
            write_deck(res, tmp / f"warm{i}.pptx", summary=doc)
            warm.append(time.perf_counter() - t0)
        t_warm = statistics.median(warm)

        from csat_research.run.runner import run_report

        runs: dict[str, list[float]] = {"without": [], "with": []}
        for _ in range(args.repeats):
            for name, path in (("without", without), ("with", with_deck)):
                t0 = time.perf_counter()
                outcome = run_report(path, write_index=False)
                runs[name].append(time.perf_counter() - t0)
                if not outcome.ok:
                    print(f"report failed: {outcome.error}", file=sys.stderr)
                    return 1
        assert (tmp / "with" / "beauty" / "2026Q3" / "report.pptx").exists()
        r_without, r_with = statistics.median(runs["without"]), statistics.median(runs["with"])

    print(f"demo beauty study, {len(res.study.data):,} respondents analysed")
    print(f"load_study + analyse (baseline, same process):  {t_analyse:6.3f} s")
    print(f"deck build, first (imports python-pptx):         {t_cold:6.3f} s")
    print(f"deck build, warm (median of {args.builds}):                {t_warm:6.3f} s")
    print(f"csat report without pptx (median of {args.repeats}):        {r_without:6.2f} s  {runs['without']}")
    print(f"csat report with pptx (median of {args.repeats}):           {r_with:6.2f} s  {runs['with']}")
    print(f"deck share of a report: warm {t_warm / r_with:.1%}, cold {t_cold / r_with:.1%}; "
          f"report with / without: {r_with / r_without - 1:+.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
