"""Benchmark: one whole ``csat report`` on a large study (100,000 and 1,000,000 respondents).

The demo generator (:func:`csat_research.demo.generator.write_demo_study`, seed 2026, one
category) writes each study once into ``~/.cache/csat-bench/<category>-s<seed>-n<n>/`` (or
``$CSAT_BENCH_CACHE``; generated data, never committed) and later runs reuse it. The category's
shipped params file (``params/<category>.yaml``) is copied into a temporary folder with its data
paths pointed at the generated files and its output folder inside the temporary folder; the
output formats stay as shipped (html, pdf, xlsx, pptx, ipynb) unless ``--formats`` names others.
Each report runs the way a user runs it: a child process runs what ``csat report PARAMS`` runs
(:func:`csat_research.run.runner.run_report`: papermill kernel, nbconvert, headless Chromium for
the PDF, the study store) and prints the runner's timings.

Printed per n, side by side so the growth with n shows:

* **wall** - seconds from the start of ``csat report`` to its exit;
* **tree RSS** - the peak over time of the *sum* of the resident set sizes of the whole
  process tree (the ``csat`` runner, the papermill kernel, Chromium and its helpers, every other
  descendant), sampled with psutil every 0.2 s in a thread. Summing RSS counts a page shared by
  two processes twice, so it is an upper bound of the memory the tree holds at that moment (a
  spike shorter than 0.2 s can be missed; the next figure bounds that);
* **tree PSS** - the same sum of proportional set sizes (a page shared by k processes counts
  1/k in each: Chromium's many processes share most of theirs), the tree's real footprint;
* **max single RSS** - ``getrusage(RUSAGE_CHILDREN).ru_maxrss``: the kernel's own
  high-water mark (the largest descendant reaped), exact but for one process only;
* where the time went: the wall time of every notebook cell, as papermill records it in the
  executed ``report.ipynb`` (``metadata.papermill.duration``; the cell that loads and analyses
  the study is the one starting ``params = load_params``) and the runner's timings (execute:
  kernel start and notebook; html; pdf; store).

With ``--profile``, the study is also loaded and analysed in this process under cProfile and
the functions with the most cumulative time are printed (``--profile-only`` skips the reports).
Targets (issue 17): 1,000,000 respondents within 60 s and 2.5 GB for the whole tree, on 2 cores.
Usage: ``python benchmarks/bench_large.py [--n 100000 1000000] [--category beauty] [--repeats 1]
[--formats html pdf ...] [--profile] [--profile-only]``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import yaml

ROOT = Path(__file__).resolve().parents[1]
SEED = 2026
INTERVAL = 0.2  # seconds between samples of the process tree


def cached_study(category: str, n: int, seed: int = SEED) -> Path:
    """Folder of the generated study (``<folder>/<category>/responses.csv``), written once."""
    from csat_research.demo.generator import write_demo_study

    cache = Path(os.environ.get("CSAT_BENCH_CACHE") or Path.home() / ".cache" / "csat-bench")
    folder = cache / f"{category}-s{seed}-n{n}"
    if (folder / ".complete").is_file():
        return folder
    t0 = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=cache if cache.is_dir() else None))
    cache.mkdir(parents=True, exist_ok=True)
    write_demo_study(tmp, seed=seed, n=n, categories=(category,))
    (tmp / ".complete").write_text(f"seed {seed}, n {n}\n")
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)
    print(f"generated {category} n={n:,} (seed {seed}) in {time.perf_counter() - t0:.1f} s -> {folder}")
    return folder


def baseline_tree(ref: str, folder: str | os.PathLike) -> Path:
    """``csat_research`` as it is at git revision `ref`, extracted into `folder` (``git archive``):
    the baseline that other benchmarks run beside this tree, each in a child process."""
    import tarfile

    archive = Path(folder) / "base.tar"
    subprocess.run(["git", "-C", str(ROOT), "archive", "-o", str(archive), ref, "csat_research"], check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
    return Path(folder)


def run_child(code_root: Path, code: str, *args: str, what: str = "child") -> dict:
    """Run `code` (``python -c``) with `code_root` first on the path; its last line of output, JSON."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(code_root)
    out = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True,
                         cwd=code_root)
    if out.returncode:
        raise SystemExit(f"{what} failed under {code_root}:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def best_of_trees(base: str, tmp: Path, code: str, inputs, repeats: int, *args: str) -> dict[str, dict[str, float]]:
    """`code` (a child's ``python -c`` program) run on `inputs` by this tree and by git revision
    `base` (:func:`baseline_tree`), each in child processes, alternately `repeats` times so that both
    see the same machine load. The child is called with the pickled inputs' path, its output path
    ``tmp/<tree>.pkl`` (tree: ``baseline`` or ``ours``) and `args`, and prints its seconds per step
    as JSON; returned: the best seconds per step and tree."""
    import pickle

    with open(tmp / "inputs.pkl", "wb") as f:
        pickle.dump(inputs, f)
    (tmp / "base").mkdir()
    trees = {"baseline": baseline_tree(base, tmp / "base"), "ours": ROOT}
    best: dict[str, dict[str, float]] = {}
    for _ in range(repeats):
        for name, root in trees.items():
            seconds = run_child(root, code, str(tmp / "inputs.pkl"), str(tmp / f"{name}.pkl"), *args, what=name)
            best[name] = {k: min(v, best.get(name, {}).get(k, v)) for k, v in seconds.items()}
    return best


def study_params(category: str, data: Path, out: Path, formats: list[str] | None) -> Path:
    """The shipped params of ``category`` pointed at ``data``, writing into ``out``."""
    params = yaml.safe_load((ROOT / "params" / f"{category}.yaml").read_text(encoding="utf-8"))
    params.pop("history", None)  # one wave: the shipped earlier waves are demo-sized files
    params["data"]["responses"]["path"] = str(data / category / "responses.csv")
    if "tickets" in params["data"]:
        params["data"]["tickets"]["path"] = str(data / category / "tickets.csv")
    params["output"]["dir"] = str(out / "reports")
    if formats is not None:
        params["output"]["formats"] = formats
    path = out / f"{category}.yaml"
    path.write_text(yaml.safe_dump(params, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


class TreeSampler(threading.Thread):
    """Peak of the summed RSS of a process and all its descendants, sampled every INTERVAL s."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.peak = 0
        self.peak_procs = 0
        self.peak_pss = 0
        self.with_pss = True
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
            except psutil.NoSuchProcess:
                break
            total = pss = 0
            for proc in procs:
                try:
                    total += proc.memory_info().rss
                    if self.with_pss:
                        pss += proc.memory_full_info().pss
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
            if total > self.peak:
                self.peak, self.peak_procs = total, len(procs)
            self.peak_pss = max(self.peak_pss, pss)
            self.stop.wait(INTERVAL)


#: the child process: what ``csat report PARAMS`` runs (``run_report``), then the runner's own
#: timings (execute = the notebook in its kernel, html, pdf, store) as the last line
CHILD = """import json, sys
from csat_research.run.runner import NOTEBOOK, run_report
outcome = run_report(sys.argv[1], notebook=NOTEBOOK)
print('TIMINGS ' + json.dumps(outcome.seconds))
"""


def run_report(params: Path) -> dict:
    """One ``csat report`` in a child process: wall seconds, peak tree RSS, the executed notebook."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    env["CSAT_STORE"] = str(params.parent / "csat-store.duckdb")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(params)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    out, _ = proc.communicate()
    wall = time.perf_counter() - t0
    sampler.stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"csat report {params} failed (exit {proc.returncode}) after {wall:.1f} s, "
                         f"tree RSS peak {gib(sampler.peak)} GiB:\n{out}")
    maxrss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    report_dir = next((params.parent / "reports").glob("*/*/report.ipynb"), None)
    cells = []
    if report_dir is not None:
        nb = json.loads(report_dir.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] != "code":
                continue
            first = next((ln for ln in "".join(cell["source"]).splitlines()
                          if ln.strip() and not ln.startswith(("#", "import", "from"))), "")
            cells.append((first.strip()[:60], float(cell["metadata"].get("papermill", {}).get("duration") or 0)))
    timings = next((json.loads(ln[8:]) for ln in out.splitlines() if ln.startswith("TIMINGS ")), {})
    return {"wall": wall, "tree_rss": sampler.peak, "tree_pss": sampler.peak_pss, "procs": sampler.peak_procs,
            "timings": timings,
            "max_single": maxrss * 1024 if maxrss > before else None, "cells": cells, "stdout": out}


def profile(params: Path, top: int = 60) -> None:
    """cProfile of load_study + analyse in this process (the notebook's second cell)."""
    from csat_research.io.params import load_params
    from csat_research.report.analyse import analyse
    from csat_research.report.study import load_study

    p = load_params(params)
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    study = load_study(p)
    t1 = time.perf_counter()
    analyse(study)
    prof.disable()
    t2 = time.perf_counter()
    print(f"  in-process: load_study {t1 - t0:.1f} s, analyse {t2 - t1:.1f} s (under cProfile), "
          f"max RSS of this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.2f} GiB")
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(top)
    print("\n".join("    " + ln for ln in buf.getvalue().splitlines() if ln.strip()))


def gib(nbytes: int | None) -> str:
    return "-" if nbytes is None else f"{nbytes / 2**30:.2f}"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, nargs="+", default=[100_000, 1_000_000], help="respondents per study")
    ap.add_argument("--category", default="beauty", help="demo category (its params/<category>.yaml is used)")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--repeats", type=int, default=1, help="reports per n (the machine is noisy)")
    ap.add_argument("--formats", nargs="+", default=None, help="output.formats (default: as shipped)")
    ap.add_argument("--profile", action="store_true", help="also cProfile load_study + analyse in-process")
    ap.add_argument("--profile-only", action="store_true", help="only the in-process profile")
    args = ap.parse_args(argv)

    rows = []
    for n in args.n:
        data = cached_study(args.category, n, args.seed)
        if args.profile or args.profile_only:
            with tempfile.TemporaryDirectory(prefix="csat-bench-") as tmp:
                print(f"\nprofile n={n:,}:")
                profile(study_params(args.category, data, Path(tmp), args.formats))
        if args.profile_only:
            continue
        for rep in range(args.repeats):
            with tempfile.TemporaryDirectory(prefix="csat-bench-") as tmp:
                r = run_report(study_params(args.category, data, Path(tmp), args.formats))
            r["n"], r["rep"] = n, rep + 1
            rows.append(r)
            print(f"\nn={n:,} run {rep + 1}: wall {r['wall']:.1f} s, tree RSS peak {gib(r['tree_rss'])} GiB "
                  f"({r['procs']} processes; PSS {gib(r['tree_pss'])} GiB), max single RSS "
                  f"{gib(r['max_single'])} GiB")
            cell_total = sum(d for _, d in r["cells"])
            for first, dur in sorted(r["cells"], key=lambda c: -c[1])[:8]:
                print(f"    {dur:7.2f} s  {first}")
            print(f"    {cell_total:7.2f} s  all notebook cells")
            t = r["timings"]
            print("    runner: " + ", ".join(f"{k} {v:.2f} s" for k, v in t.items())
                  + f"; the rest {r['wall'] - sum(t.values()):.2f} s (python start, imports, publish)")
    if rows:
        print(f"\n{'n':>10}  {'run':>3}  {'wall s':>7}  {'tree RSS GiB':>12}  {'tree PSS GiB':>12}  {'max 1 proc GiB':>14}")
        for r in rows:
            print(f"{r['n']:>10,}  {r['rep']:>3}  {r['wall']:7.1f}  {gib(r['tree_rss']):>12}  {gib(r['tree_pss']):>12}  "
                  f"{gib(r['max_single']):>14}")
        print("targets for 1,000,000: wall <= 60 s, tree RSS <= 2.5 GB (2.33 GiB); "
              f"cpus {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
