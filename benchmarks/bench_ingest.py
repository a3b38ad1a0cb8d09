"""Benchmark: the load steps of a large report, this tree beside a baseline commit.

Steps, each run in a child process of its own (so that its peak RSS is its own):

* **responses** - :func:`csat_research.io.ingest.read_responses` of the generated study's
  ``responses.csv`` (``on_invalid="exclude"``, as the shipped params);
* **tickets** - :func:`csat_research.io.ingest.read_tickets` of its ``tickets.csv``;
* **store** - what the runner does after publishing a report: read the wave's respondent rows
  (from a parquet file here; the runner reads its Arrow hand-over file) and
  :func:`csat_research.io.store.store_wave` them into a new
  store. The wave is synthetic but shaped like
  :func:`csat_research.report.wave.wave_responses` (n respondents; 4 respondent, 5 flag,
  6 dimension, 30 item, 4 outcome and 3 segment variables) and written once beside the study.

The study is the one of ``bench_large.py`` (demo generator, seed 2026, beauty; cached in
``~/.cache/csat-bench``). The baseline is ``git archive <ref>`` of this repository (default
``main``) put first on the child's ``PYTHONPATH``; this tree is the other. Printed per step:
wall seconds and the child's peak RSS, baseline then this tree, with the load average of the
machine before each run (a shared machine: compare runs made under a similar load), and the
content hash of the stored wave for both (they must agree, unless the hash was defined anew between
the two: it was in the commit "Store: a new wave is hashed in the pass that writes it").
Usage: ``python benchmarks/bench_ingest.py [--n 1000000] [--baseline main] [--steps responses tickets store]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

CHILD = r"""
import json, resource, sys, tempfile, time, warnings
from pathlib import Path
warnings.simplefilter("ignore")
step, folder, wave = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
t0 = time.perf_counter()
extra = ""
if step == "responses":
    from csat_research.io.codebook import load_codebook
    from csat_research.io.ingest import read_responses
    res = read_responses(folder / "responses.csv", codebook=load_codebook(), category="beauty",
                         on_invalid="exclude")
    extra = f"{len(res.frame)} rows kept, {len(res.exclusions)} exclusion line(s)"
elif step == "tickets":
    from csat_research.io.ingest import read_tickets
    res = read_tickets(folder / "tickets.csv")
    extra = f"{len(res.frame)} rows"
else:
    import pandas as pd
    from csat_research.io.store import WaveRecord, store_wave
    frame = pd.read_parquet(wave)
    record = WaveRecord("bench", "beauty", "w1", {"n_responses": len(frame)}, frame,
                        (("responses.csv", "0" * 64),), None, "0")
    result = store_wave(Path(tempfile.mkdtemp()) / "s.duckdb", record)
    extra = f"{result.action}, content hash {record.content_hash()[:12]}"
seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                  "extra": extra}))
"""


def synthetic_wave(path: Path, n: int, seed: int = 1) -> Path:
    """A wave's respondent rows shaped like ``wave_responses`` (written once)."""
    import numpy as np
    import pandas as pd

    if path.is_file():
        return path
    rng = np.random.default_rng(seed)
    cols: dict[tuple[str, str], object] = {}
    excluded = (rng.random(n) < 0.08).astype(float)
    cols[("respondent", "excluded")] = excluded
    cols[("respondent", "reasons")] = np.where(excluded > 0, "trap", None).astype(object)
    cols[("respondent", "weight")] = np.ones(n)
    cols[("respondent", "overall_index")] = rng.random(n) * 100
    for rule in ("trap", "straightline", "speeder", "repeat_customer", "contradiction"):
        cols[("flag", rule)] = (rng.random(n) < 0.03).astype(float)
    for d in range(6):
        cols[("dimension", f"d{d}")] = rng.random(n) * 5
    for i in range(30):
        x = rng.integers(1, 6, n).astype(float)
        x[rng.random(n) < 0.05] = np.nan
        cols[("item", f"i{i}")] = x
    for o in ("overall_sat", "nps", "repurchase", "recommend"):
        cols[("outcome", o)] = rng.integers(0, 11, n).astype(float)
    for g, levels in (("customer_type", ["new", "returning"]), ("region", ["north", "south", "east", "west"]),
                      ("age", ["18-24", "25-34", "35-44", "45+"])):
        cols[("segment", g)] = np.array(levels, dtype=object)[rng.integers(0, len(levels), n)]
    frame = pd.DataFrame(cols)
    frame.columns = pd.MultiIndex.from_tuples(frame.columns, names=["role", "variable"])
    frame.index = pd.MultiIndex.from_arrays(
        [np.arange(n, dtype=np.int64), np.array([f"R{k:07d}" for k in range(n)], dtype=object)],
        names=["row_number", "respondent_id"])
    tmp = path.with_name(path.name + ".tmp")
    frame.to_parquet(tmp)
    tmp.rename(path)
    return path


def main(argv: list[str] | None = None) -> None:
    from bench_large import baseline_tree, cached_study, run_child

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--baseline", default="main")
    ap.add_argument("--steps", nargs="+", default=["responses", "tickets", "store"],
                    choices=["responses", "tickets", "store"])
    args = ap.parse_args(argv)
    study = cached_study("beauty", args.n)
    folder = study / "beauty"
    wave = synthetic_wave(study / "wave_responses.parquet", args.n)
    with tempfile.TemporaryDirectory(prefix="csat-bench-baseline-") as tmp:
        base = baseline_tree(args.baseline, tmp)
        print(f"n = {args.n:,}; baseline {args.baseline} vs this tree ({ROOT})")
        print(f"{'step':<10} {'version':<9} {'seconds':>8} {'peak RSS':>10}  load avg  detail")
        for step in args.steps:
            for label, root in ((args.baseline, base), ("this", ROOT)):
                load = os.getloadavg()[0]
                got = run_child(root, CHILD, step, str(folder), str(wave), what=step)
                print(f"{step:<10} {label:<9} {got['seconds']:>8.1f} {got['rss'] / 2**30:>8.2f} GiB  {load:>6.2f}  "
                      f"{got['extra']}", flush=True)


if __name__ == "__main__":
    main()
