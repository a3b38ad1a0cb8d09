"""Benchmark: what three stored earlier waves cost a report (change since the previous wave, trend).

On the demo beauty study (2,000 respondents per wave, written to a temporary folder with its two
earlier waves 2026Q1-Q2 plus a third, 2025Q4), in one process: a report's numbers and outputs -
``analyse(load_study(...))`` and ``write_outputs`` (``summary.json``, the wave's respondent rows,
``tables.xlsx``, ``report.pptx``) - of the latest wave (a real report also runs its notebook, draws
its charts and renders HTML and PDF, the same with and without history: the ratio printed is an
upper bound of a report's)

* **without history** (params ``history`` removed, an empty store): the baseline;
* **with history**: params ``history`` names the three earlier waves, which the study store already
  holds (a first, unmeasured run analysed and stored them): the report hashes their files, reads
  them from the store, compares the current wave with the previous one and builds the trend.

The two are run alternately, ``--repeats`` times each; prints the medians and their ratio
(target <= 1.10). Usage: ``python benchmarks/bench_history.py [--repeats 5]``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import warnings
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
EXTRA = "2025Q4"


def _study(tmp: Path) -> tuple[Path, Path]:
    """Params of the latest beauty wave with and without its three earlier waves."""
    from csat_research.demo.csv_writer import write_csv
    from csat_research.demo.generator import (
        _RESPONSE_DECIMALS,
        _TICKET_DECIMALS,
        generate_wave,
        write_demo_study,
    )

    data = tmp / "data"
    write_demo_study(data, seed=2026, n=2000, categories=("beauty",), history=True)
    extra = generate_wave("beauty", n=2000, seed=2026, wave=EXTRA)
    folder = data / "beauty" / "history" / EXTRA
    folder.mkdir(parents=True)
    write_csv(extra.responses, folder / "responses.csv", decimals=_RESPONSE_DECIMALS)
    write_csv(extra.tickets, folder / "tickets.csv", decimals=_TICKET_DECIMALS)
    doc = yaml.safe_load((ROOT / "params" / "beauty.yaml").read_text(encoding="utf-8"))
    for key in ("responses", "tickets"):
        doc["data"][key]["path"] = str(data / "beauty" / f"{key}.csv")
    doc["history"] = [{"wave": w, **{k: {"path": str(data / "beauty" / "history" / w / f"{k}.csv")}
                                     for k in ("responses", "tickets")}} for w in (EXTRA, "2026Q1", "2026Q2")]
    doc["output"] = {"dir": str(tmp / "with"), "formats": ["xlsx", "pptx"]}
    with_history = tmp / "with.yaml"
    with_history.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    doc.pop("history")
    doc["output"] = {"dir": str(tmp / "without"), "formats": ["xlsx", "pptx"]}
    without = tmp / "without.yaml"
    without.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return with_history, without


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    from csat_research.io.params import load_params
    from csat_research.io.store import list_waves, store_path
    from csat_research.report.analyse import analyse
    from csat_research.report.outputs import write_outputs
    from csat_research.report.study import load_study

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        paths = _study(tmp)
        params = {name: load_params(p) for name, p in zip(("with", "without"), paths, strict=True)}
        t0 = time.perf_counter()
        first = analyse(load_study(params["with"]))  # analyses and stores the three earlier waves
        t_first = time.perf_counter() - t0
        stored = list_waves(store_path(params["with"]))
        assert list(stored["wave"]) == [EXTRA, "2026Q1", "2026Q2"], stored
        write_outputs(analyse(load_study(params["without"])), tmp / "out" / "warm")  # modules, caches loaded
        times: dict[str, list[float]] = {"with": [], "without": []}
        for _ in range(args.repeats):
            for name in ("without", "with"):
                t0 = time.perf_counter()
                res = analyse(load_study(params[name]))
                write_outputs(res, tmp / "out" / name)
                times[name].append(time.perf_counter() - t0)
                assert (res.trend is None) == (name == "without")
        med = {k: statistics.median(v) for k, v in times.items()}

    print(f"demo beauty study, 2,000 respondents per wave; earlier waves {EXTRA}, 2026Q1, 2026Q2 in the store; "
          f"median of {args.repeats} alternating runs of load_study + analyse + write_outputs (summary.json, rows, "
          "xlsx, pptx)")
    print(f"  first run with history (analyses and stores the 3 earlier waves): {t_first:8.3f} s")
    print(f"  without history (baseline)                                        {med['without']:8.3f} s")
    print(f"  with 3 stored earlier waves                                       {med['with']:8.3f} s")
    print(f"  ratio with / without: {med['with'] / med['without']:.3f} (target <= 1.10); "
          f"{first.previous_wave} -> {first.study.params.study.wave}, {len(first.trend)} waves in the trend")


if __name__ == "__main__":
    main()
