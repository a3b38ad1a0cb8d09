"""Benchmark: what storing a report's wave in the study store costs, beside the report's analysis.

On the demo beauty study (2,000 respondents; ``data/demo``, written if missing), measured in the
same run: the baseline, ``analyse(load_study(...))`` plus ``summary()`` (the part of a report that
computes its numbers, warm: run in one process, its caches filled; a real report also starts
from a kernel, draws its charts and renders HTML and PDF, so the share printed is an upper bound
of the store's share of a report), then each step the store adds:

* **rows** - the hand-over file of the wave's respondent rows,
  :func:`csat_research.report.wave.write_wave` (in the kernel) and ``read_wave`` (in the runner);
* **store (added)** - :func:`csat_research.io.store.store_wave` of the wave into a store that
  already holds three other waves (lock, open, compare, write, close), file hashes included;
* **store (unchanged)** - the same again (a re-run on the same data: compare only).

Prints the median of ``--repeats`` runs of each. First, though, it runs ``--reports`` real reports
(``run_report``: the notebook, HTML, PDF, xlsx, pptx; the first creates the store, each later one
adds its wave again to the existing store after the wave was dropped) and prints each one's wall time and the store's share of it (its store step, which
includes importing duckdb in the first, plus the rows measured in-process). Target: < 2 %.
Usage: ``python benchmarks/bench_store.py [--repeats 5] [--reports 3]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _params(tmp: Path) -> Path:
    from csat_research.demo.generator import write_demo_study

    data = ROOT / "data" / "demo"
    if not (data / "beauty" / "responses.csv").is_file():
        write_demo_study(data, seed=2026, n=2000, categories=("beauty",))
    doc = yaml.safe_load((ROOT / "params" / "beauty.yaml").read_text(encoding="utf-8"))
    doc.pop("history", None)  # one wave only: the earlier waves are not written here
    for key in ("responses", "tickets"):
        doc["data"][key]["path"] = str(data / "beauty" / f"{key}.csv")
    doc["output"] = {"dir": str(tmp / "reports"), "formats": ["html"]}
    path = tmp / "beauty.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def _timed(fn, repeats: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--reports", type=int, default=3, help="real reports run (default 3)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    from csat_research.io.params import load_params
    from csat_research.io.store import store_wave, wave_record
    from csat_research.report.analyse import analyse
    from csat_research.report.outputs import summary
    from csat_research.report.study import load_study
    from csat_research.report.wave import WAVE_FILE, read_wave, write_wave

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        params_path = _params(tmp)
        params = load_params(params_path)
        # real reports first (notebook, HTML, PDF, xlsx, pptx), as `csat report` runs them: the first
        # store step of the process includes importing duckdb, as in a one-off `csat report`
        from csat_research.run.runner import run_report

        doc_params = yaml.safe_load(params_path.read_text(encoding="utf-8"))
        doc_params["output"] = {"dir": str(tmp / "real")}
        real_params = tmp / "beauty_real.yaml"
        real_params.write_text(yaml.safe_dump(doc_params, allow_unicode=True), encoding="utf-8")
        real = []
        for i in range(args.reports):
            if i:  # the store exists now: drop the wave so that this report adds it again
                from csat_research.io.store import drop_wave

                drop_wave(tmp / "real" / "csat-store.duckdb", "beauty", params.study.wave)
            t0 = time.perf_counter()
            outcome = run_report(real_params, write_index=False)
            real.append((time.perf_counter() - t0, outcome))
        base_repeats = max(1, min(args.repeats, 3))
        t_report, res = _timed(lambda: (r := analyse(load_study(params)), summary(r))[0], base_repeats)
        doc = json.loads(json.dumps(summary(res)))
        hand_over = tmp / WAVE_FILE

        def rows() -> pd.DataFrame:
            write_wave(res, hand_over)
            return read_wave(hand_over)

        t_rows, frame = _timed(rows, args.repeats)
        store = tmp / "csat-store.duckdb"
        for wave in ("2025Q4", "2026Q1", "2026Q2"):  # three earlier waves already stored
            other = params.model_copy(update={"study": params.study.model_copy(update={"wave": wave})})
            store_wave(store, wave_record(other, {**doc, "wave": wave}, frame))
        added = []
        for i in range(args.repeats):
            wave = f"2026Q3-{i}"
            p = params.model_copy(update={"study": params.study.model_copy(update={"wave": wave})})
            t0 = time.perf_counter()
            assert store_wave(store, wave_record(p, {**doc, "wave": wave}, frame)).action == "added"
            added.append(time.perf_counter() - t0)
        t_added = statistics.median(added)
        t_same, result = _timed(lambda: store_wave(store, wave_record(params, doc, frame)), args.repeats)
        size_mb = store.stat().st_size / 1e6

    n_rows = frame.size
    print(f"demo beauty study, {res.study.responses.n_rows_read} respondents, {n_rows} stored cells per wave; "
          f"median of {args.repeats} runs (baseline: {base_repeats})")
    print(f"  baseline: load_study + analyse + summary        {t_report:8.3f} s")
    for label, t in (("rows: write_wave + read_wave hand-over", t_rows), ("store_wave (added; 3+ waves stored)", t_added),
                     ("store_wave (unchanged re-run)", t_same)):
        print(f"  {label:<46} {t:8.3f} s  ({t / t_report:6.2%} of the baseline)")
    total = t_rows + t_added
    print(f"  store cost of a report (rows + added)          {total:8.3f} s  ({total / t_report:6.2%} of the baseline)")
    print(f"  store file after {3 + args.repeats + 1} waves: {size_mb:.1f} MB")
    print("real reports (run_report: notebook, HTML, PDF, xlsx, pptx), one after another; the store step reads "
          "the hand-over file, hashes the input files and stores the wave:")
    for i, (wall, outcome) in enumerate(real, 1):
        share = (t_rows + outcome.seconds["store"]) / wall
        print(f"  report {i}: {wall:5.1f} s wall ({', '.join(f'{k} {v:.2f} s' for k, v in outcome.seconds.items())}); "
              f"store cost (its store step + rows {t_rows:.3f} s) = {share:.2%} of the report; {outcome.stored.split(' in ')[0]}")
    later = real[1:] or real
    walls = [w for w, _ in later]
    steps = [o.seconds["store"] for _, o in later]
    share = (t_rows + statistics.median(steps)) / statistics.median(walls)
    print(f"  median of reports {'2' if len(real) > 1 else '1'}-{len(real)} (adding to an existing store): report "
          f"{statistics.median(walls):.1f} s, store step {statistics.median(steps):.3f} s: store cost {share:.2%} of a "
          "report (target < 2 %)")


if __name__ == "__main__":
    main()
