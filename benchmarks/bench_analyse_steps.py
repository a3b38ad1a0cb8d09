"""Benchmark: the steps of the report's load + analyse cell on a large study, this tree beside a baseline.

Issue 17 (one ``csat report`` on 1,000,000 respondents within 60 s on 2 cores). The notebook's
second cell runs :func:`csat_research.report.study.load_study` then
:func:`csat_research.report.analyse.analyse`; this benchmark runs the same two calls on the study
of ``bench_large.py`` (demo generator, seed 2026, beauty; cached in ``~/.cache/csat-bench``) in a
child process, once with the baseline (``git archive <ref>`` of this repository, default ``main``,
first on the child's ``PYTHONPATH``) and once with this tree, alternately (``--repeats`` pairs).
In the child, the functions of :data:`STEPS` are wrapped (module attribute replaced by a timer
around it) so that each step's wall seconds are summed over its calls; a step called inside
another is counted in both. Printed per step: the baseline's and this tree's wall seconds and
CPU seconds (the process's, all its threads: less sensitive than wall time to other work on a
shared machine), the smallest over the repeats, and the load average before each child (a shared machine: compare runs made under a similar load).
Results are compared elsewhere (``benchmarks/diff_summaries.py`` on the demo study).

Usage: ``python benchmarks/bench_analyse_steps.py [--n 1000000] [--baseline main] [--repeats 1]``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

#: (module, attribute) pairs timed in the child; missing ones (other versions) are skipped
STEPS = [
    ("csat_research.report.study", "read_responses"),
    ("csat_research.report.study", "read_tickets"),
    ("csat_research.report.study", "screen"),
    ("csat_research.report.study", "dimension_scores"),
    ("csat_research.report.study", "_index_weights"),
    ("csat_research.stats.scoring", "overall_index"),
    ("csat_research.stats.scoring", "score_summary"),
    ("csat_research.stats.scoring", "reverse_key"),
    ("csat_research.report.guards", "constant_items"),
    ("csat_research.stats.reliability", "scale_reliability"),
    ("csat_research.stats.alpha", "item_total"),
    ("csat_research.stats.cfa", "cfa"),
    ("csat_research.stats.group_compare", "satisfaction_by_segment"),
    ("csat_research.report.analyse", "_segment_tests"),
    ("csat_research.stats.logit", "repurchase_logit"),
    ("csat_research.stats.ordinal", "repurchase_ordered"),
    ("csat_research.stats.drivers", "relative_importance"),
    ("csat_research.report.analyse", "_in_codebook_order"),
    ("csat_research.report.analyse", "crosstab"),
    ("csat_research.report.analyse", "_text"),
    ("csat_research.stats.kpi", "service_kpis"),
    ("csat_research.stats.kpi", "kpi_trend"),
    ("csat_research.stats.kpi", "expectation_gap"),
    ("csat_research.stats.kpi", "satisfaction_by_wait"),
    ("csat_research.report.analyse", "_history"),
    ("csat_research.report.analyse", "_item_scores"),
]

CHILD = r"""
import functools, importlib, json, sys, tempfile, time, warnings
from pathlib import Path
warnings.simplefilter("ignore")
sys.path.insert(0, sys.argv[3])
from bench_large import study_params
steps = json.loads(sys.argv[2])
seconds = {}
for mod_name, attr in steps:
    mod = importlib.import_module(mod_name)
    fn = getattr(mod, attr, None)
    if fn is None:
        continue
    key = f"{mod_name.rsplit('.', 1)[-1]}.{attr}"
    def timed(*a, __fn=fn, __key=key, **k):
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            return __fn(*a, **k)
        finally:
            wall, cpu = seconds.get(__key, (0.0, 0.0))
            seconds[__key] = (wall + time.perf_counter() - t0, cpu + time.process_time() - c0)
    setattr(mod, attr, functools.wraps(fn)(timed))
from csat_research.io.params import load_params
from csat_research.report.analyse import analyse
from csat_research.report.study import load_study
with tempfile.TemporaryDirectory() as tmp:
    p = load_params(study_params("beauty", Path(sys.argv[1]), Path(tmp), None))
    t0, c0 = time.perf_counter(), time.process_time()
    study = load_study(p)
    t1, c1 = time.perf_counter(), time.process_time()
    analyse(study)
    t2, c2 = time.perf_counter(), time.process_time()
seconds["load_study"], seconds["analyse"] = (t1 - t0, c1 - c0), (t2 - t1, c2 - c1)
print(json.dumps(seconds))
"""


def main(argv: list[str] | None = None) -> None:
    from bench_large import baseline_tree, cached_study, run_child

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--baseline", default="main")
    ap.add_argument("--repeats", type=int, default=1)
    args = ap.parse_args(argv)
    data = cached_study("beauty", args.n)
    with tempfile.TemporaryDirectory(prefix="csat-bench-baseline-") as tmp:
        base = baseline_tree(args.baseline, tmp)
        runs: dict[str, list[dict]] = {"base": [], "this": []}
        loads = []
        for _ in range(args.repeats):
            for label, root in (("base", base), ("this", ROOT)):
                loads.append(f"{label} {os.getloadavg()[0]:.2f}")
                runs[label].append(run_child(root, CHILD, str(data), json.dumps(STEPS), str(ROOT / "benchmarks")))
    print(f"n = {args.n:,}; baseline {args.baseline} vs this tree ({ROOT}); load avg before each child: "
          + ", ".join(loads))
    print("seconds: the smallest over the repeats, wall and CPU (CPU: the process's, all threads)")
    print(f"{'step':<38} {'base wall':>9} {'this wall':>9} {'base CPU':>9} {'this CPU':>9}")
    keys = list(dict.fromkeys([k for r in runs["base"] + runs["this"] for k in r]))
    nan = (float("nan"), float("nan"))
    for k in keys:
        b = [min((r.get(k, nan)[i] for r in runs["base"])) for i in (0, 1)]
        t = [min((r.get(k, nan)[i] for r in runs["this"])) for i in (0, 1)]
        print(f"{k:<38} {b[0]:>9.2f} {t[0]:>9.2f} {b[1]:>9.2f} {t[1]:>9.2f}")


if __name__ == "__main__":
    main()
