"""Benchmark: the four demo category reports (HTML + PDF) as one batch, beside the naive chain.

Measured in the same run on the same demo study (``data/demo``, written if missing):

* **batch** - ``csat batch`` as the README runs it: a local pool of 2 workers on warm kernels
  forked from one zygote that imported the report modules once (:mod:`csat_research.run.zygote`),
  one Chromium for every PDF;
* **batch, fresh kernels** - the same with a new kernel per report (``--fresh-kernels``);
* **naive chain** - per report, one after another: the ``papermill`` CLI, then
  ``jupyter nbconvert --to html --no-input`` and Chromium's ``--print-to-pdf`` CLI.

Prints the wall time of each (the batch: median of three runs) and, for the two batches, peak
memory from separate runs: the proportional set size (PSS) summed over the command's process
tree, sampled every 0.5 s (forked kernels share pages; PSS counts them once), and the largest
single process's resident set (``getrusage(RUSAGE_CHILDREN)``); then the speed-up of the batch
over the naive chain. Target: the batch within 12 s on the 2-core machine and >= 3x faster
than the naive chain.
With ``--shims``, the batch also runs with every shim of :mod:`csat_research.core.shims` off
(``CSAT_SHIMS=off``) and with each one off alone (``CSAT_SHIMS_OFF=name``), interleaved with runs
with all of them on, and prints what each buys (a shim is kept only while it buys >= 10 %).
With ``--against REF`` (a git commit or branch), the batch of that commit (checked out into a
temporary git worktree, run with this environment's Python) is timed interleaved with today's,
as shipped and with ``CSAT_SHIMS=off``, and the change against it is printed: how a change of the
code moved the batch, on the same machine in the same run.
Usage: ``python benchmarks/bench_batch.py [--skip-naive] [--shims] [--against REF] [--repeats N]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CATEGORIES = ("appliances", "apparel", "beauty", "baby")
REPEATS = 3  # batch runs; the median is reported (the shared machine is noisy)


PEAK = {"pss_mb": 0.0}


def _tree_pss_mb(root: psutil.Process) -> float:
    """Proportional set size of ``root`` and all its descendants (shared pages split fairly)."""
    total = 0
    for proc in [root, *root.children(recursive=True)]:
        try:
            total += proc.memory_full_info().pss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return total / 2**20


def _run(cmd: list[str], *, sample_memory: bool = False, **kw) -> float:
    """Run ``cmd``; return its wall time. With ``sample_memory``, record the peak PSS of its tree.

    Sampling reads ``/proc/PID/smaps`` of every process (~65 ms of CPU for a batch's ~13
    processes, and it takes each process's memory-map lock), so timed runs do not sample.
    """
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
    ps = psutil.Process(proc.pid)
    while proc.poll() is None:
        if sample_memory:
            try:
                PEAK["pss_mb"] = max(PEAK["pss_mb"], _tree_pss_mb(ps))
            except psutil.NoSuchProcess:
                pass
        time.sleep(0.5 if sample_memory else 0.02)
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, cmd)
    return time.perf_counter() - t0


def _params(tmp: Path, tree: Path = ROOT, name: str = "params") -> Path:
    """Copies of the params shipped in ``tree`` (today's checkout, or an earlier commit's, whose
    code may not know today's keys), reading today's demo data and writing into ``tmp/reports``."""
    out = tmp / name
    out.mkdir()
    for c in CATEGORIES:
        doc = yaml.safe_load((tree / "params" / f"{c}.yaml").read_text(encoding="utf-8"))
        doc.pop("history", None)  # one wave only: the earlier waves are not written here
        for key in ("responses", "tickets"):
            doc["data"][key]["path"] = str(ROOT / "data" / "demo" / c / f"{key}.csv")
        doc["output"]["dir"] = str(tmp / "reports")
        (out / f"{c}.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return out


def _reference_loop_s() -> float:
    """CPU seconds of a fixed pure-Python loop: how fast this (shared, noisy) machine is right now."""
    t0 = time.process_time()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.process_time() - t0


def _peak_children_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _naive(params: Path, tmp: Path) -> float:
    from csat_research.report.pdf import find_chromium

    chromium = find_chromium()
    out = tmp / "naive"
    out.mkdir()
    t0 = time.perf_counter()
    for c in CATEGORIES:
        nb = out / f"{c}.ipynb"
        _run([str(BIN / "papermill"), str(ROOT / "notebooks" / "csat_report.ipynb"), str(nb), "-p", "params_path",
              str(params / f"{c}.yaml"), "-p", "output_dir", str(out / c), "--cwd", str(ROOT / "notebooks")])
        _run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(nb), "--output-dir", str(out)])
        profile = tempfile.mkdtemp(prefix="chromium-")
        _run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
              f"--user-data-dir={profile}", f"--print-to-pdf={out / (c + '.pdf')}", "--no-pdf-header-footer",
              (out / f"{c}.html").as_uri()])
        shutil.rmtree(profile, ignore_errors=True)
    return time.perf_counter() - t0


def _compare_shims(csat: list[str], tmp: Path, repeats: int) -> None:
    """Batch wall time with all shims on, all off, and each one off alone (runs interleaved)."""
    from csat_research.core.shims import SHIMS

    configs = [("all shims on", {}), ("all shims off (CSAT_SHIMS=off)", {"CSAT_SHIMS": "off"})]
    configs += [(f"without {name}", {"CSAT_SHIMS_OFF": name}) for name in SHIMS]
    times: dict[str, list[float]] = {label: [] for label, _ in configs}
    for _ in range(repeats):
        for label, env in configs:
            shutil.rmtree(tmp / "reports", ignore_errors=True)
            times[label].append(_run(csat, env={**os.environ, **env}))
    base = statistics.median(times["all shims on"])
    print(f"shims: batch wall time, median of {repeats} interleaved runs; change against all shims on")
    for label, _ in configs:
        t = statistics.median(times[label])
        runs = ", ".join(f"{r:.1f}" for r in times[label])
        print(f"  {label:44s} {t:6.2f} s  {100 * (t - base) / base:+6.1f} %   ({runs})")


def _cli_command(tree: Path) -> tuple[list[str], dict[str, str]]:
    """How to run the ``csat`` entry point of the source tree ``tree`` with this Python.

    ``PYTHONPATH`` puts ``tree`` first for the command and for the kernels it starts.
    """
    import tomllib

    target = tomllib.loads((tree / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]["csat"]
    module, func = target.split(":")
    return [sys.executable, "-c", f"from {module} import {func}; {func}()"], {"PYTHONPATH": str(tree)}


def _compare_commit(ref: str, params: Path, tmp: Path, repeats: int) -> None:
    """Batch wall time of commit ``ref`` against today's tree, as shipped and with shims off."""
    tree = tmp / "against"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(tree), ref], check=True)
    try:
        old_params = _params(tmp, tree, "params-against")
        args = ["batch", "{params}", "--workers", "2", "--no-progress"]
        (old, old_env), (new, new_env) = _cli_command(tree), _cli_command(ROOT)
        configs = [
            (f"{ref}", old, old_env, old_params),
            ("today, as shipped", new, new_env, params),
            ("today, CSAT_SHIMS=off", new, {**new_env, "CSAT_SHIMS": "off"}, params),
        ]
        times: dict[str, list[float]] = {label: [] for label, _, _, _ in configs}
        for _ in range(repeats):
            for label, cmd, env, folder in configs:
                shutil.rmtree(tmp / "reports", ignore_errors=True)
                run_args = [str(folder) if a == "{params}" else a for a in args]
                times[label].append(_run([*cmd, *run_args], env={**os.environ, **env}, cwd=tmp))
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)
    base = statistics.median(times[ref])
    print(f"batch wall time against {ref}, median of {repeats} interleaved runs")
    for label, _, _, _ in configs:
        t = statistics.median(times[label])
        runs = ", ".join(f"{r:.1f}" for r in times[label])
        print(f"  {label:44s} {t:6.2f} s  {100 * (t - base) / base:+6.1f} %   ({runs})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--skip-naive", action="store_true")
    ap.add_argument("--shims", action="store_true", help="measure what each shim buys")
    ap.add_argument("--against", metavar="REF", help="time the batch of git commit REF beside today's")
    ap.add_argument("--repeats", type=int, default=REPEATS, help="runs per configuration of --shims / --against")
    args = ap.parse_args()
    if not (ROOT / "data" / "demo" / "beauty" / "responses.csv").exists():
        _run([str(BIN / "csat"), "demo-data", "--out", str(ROOT / "data" / "demo")])
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        params = _params(tmp)
        csat = [str(BIN / "csat"), "batch", str(params), "--workers", "2", "--no-progress"]
        if args.shims:
            _compare_shims(csat, tmp, args.repeats)
            return
        if args.against:
            _compare_commit(args.against, params, tmp, args.repeats)
            return
        speed_before = _reference_loop_s()
        runs = []
        for _ in range(REPEATS):
            shutil.rmtree(tmp / "reports", ignore_errors=True)
            runs.append(_run(csat))
        t_batch = statistics.median(runs)
        mem_batch = _peak_children_mb()
        pdfs = sorted((tmp / "reports").glob("*/*/report.pdf"))
        shutil.rmtree(tmp / "reports")
        t_fresh = _run([*csat, "--fresh-kernels"])
        memory = {}
        for label, cmd in (("warm", csat), ("fresh", [*csat, "--fresh-kernels"])):
            shutil.rmtree(tmp / "reports")
            PEAK["pss_mb"] = 0.0
            _run(cmd, sample_memory=True)
            memory[label] = PEAK["pss_mb"]
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; reference loop "
              f"(10 M additions) {speed_before:.2f} CPU-s before the batch, {_reference_loop_s():.2f} after "
              "(it varies on this shared machine: compare runs at similar values)")
        print("memory (separate runs, sampled every 0.5 s): peak PSS summed over the command's process tree "
              "(pages shared by forked kernels counted once); largest single process's peak RSS")
        print(f"batch (2 workers, zygote-forked warm kernels, one browser): {t_batch:6.1f} s wall (median of "
              f"{', '.join(f'{r:.1f}' for r in runs)}), "
              f"peak PSS {memory['warm']:,.0f} MB, largest process {mem_batch:,.0f} MB (target <= 12 s), "
              f"{len(pdfs)} PDFs")
        print(f"batch (2 workers, fresh kernel per report):                 {t_fresh:6.1f} s wall, "
              f"peak PSS {memory['fresh']:,.0f} MB")
        if not args.skip_naive:
            t_naive = _naive(params, tmp)
            print(f"naive chain (papermill CLI + nbconvert CLI + chromium CLI, sequential): {t_naive:6.1f} s wall")
            print(f"speed-up of the batch over the naive chain: {t_naive / t_batch:4.1f}x (target >= 3x)")


if __name__ == "__main__":
    main()
