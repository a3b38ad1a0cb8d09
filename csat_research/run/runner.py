"""Report pipeline: validate params -> papermill -> HTML -> PDF, one study or a whole batch.

Output of one run, under ``<output.dir>/<slug>/<wave>/``:

* ``report.ipynb`` - the executed notebook;
* ``report.html`` - self-contained client report (no code, nothing fetched from a network);
* ``report.pdf`` - the same, printed by headless Chromium with real CJK fonts;
* ``summary.json`` - the headline figures in machine-readable form;
* ``tables.xlsx`` - the report tables for consultants;
* ``report.pptx`` - the editable deck, one slide per key finding (:mod:`csat_research.report.deck`).

Every file is written to a temporary name first and moved into place, so a failed run never
replaces a good earlier report. A failed run keeps its executed notebook (up to the failing
cell) and the error under ``<report dir>/failed/``. ``reports/index.html`` links all reports.
Once published, the report's wave (headline figures and respondent rows) goes into the study
store (:mod:`csat_research.io.store`); :attr:`ReportOutcome.stored` says what happened to it.

A batch executes notebooks in parallel (threads driving separate kernels, or a Dask cluster) and
prints every PDF with one browser. It then writes the portfolio overview of its latest wave under
``<output.dir>/overview/`` (:mod:`csat_research.report.overview`, printed with the same browser),
which ``reports/index.html`` links first.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from csat_research.core.errors import CsatError, CsatWarning, ReportError, StoreError
from csat_research.core.files import atomic_write_text, swap_in_folder
from csat_research.io.params import StudyParams, load_params
from csat_research.run.engine import KernelPool, WarmKernel
from csat_research.run.zygote import Zygote
from csat_research.run.zygote import available as zygote_available

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "csat_report.ipynb"
OUTPUT_FILES = ("report.ipynb", "report.html", "report.pdf", "summary.json", "tables.xlsx", "report.pptx")
#: PDFs printed at once in a local batch (tabs of the one browser; each lays out on its own core).
PRINTERS = 2


@dataclass(frozen=True)
class ReportOutcome:
    """What one report run produced (or why it failed)."""

    params_path: Path
    ok: bool
    report_dir: Path | None = None
    files: tuple[Path, ...] = ()
    error: str | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    #: what happened to the wave in the study store (:mod:`csat_research.io.store`), one line
    stored: str | None = None

    @property
    def name(self) -> str:
        return self.params_path.stem


@dataclass(frozen=True)
class BatchResult:
    """All outcomes of a batch, in the order of the params files."""

    outcomes: tuple[ReportOutcome, ...]
    index_path: Path | None
    seconds: float
    #: ``<reports>/overview/overview.html`` of each reports folder of the batch
    #: (:mod:`csat_research.report.overview`)
    overview_paths: tuple[Path, ...] = ()
    #: why an overview could not be written (one line per reports folder), if it could not
    overview_errors: tuple[str, ...] = ()

    @property
    def failed(self) -> tuple[ReportOutcome, ...]:
        return tuple(o for o in self.outcomes if not o.ok)

    @property
    def ok(self) -> bool:
        return not self.failed


def _executed(
    params: StudyParams, workdir: Path, *, notebook: Path, kernel_name: str | None, kernel: WarmKernel | None = None
) -> Path:
    """Execute the report notebook into ``workdir`` (on ``kernel`` when given, else on a kernel
    of its own, started without preload and shut down afterwards); return its path."""
    out_nb = workdir / "report.ipynb"
    parameters = {"params_path": str(params.source), "output_dir": str(workdir)}
    own = None if kernel is not None else WarmKernel(kernel_name or _notebook_kernel(notebook), preload="")
    try:
        (kernel or own).execute(notebook, out_nb, parameters=parameters, cwd=notebook.parent)
    except Exception as exc:
        raise ReportError(f"{params.source}: notebook execution failed: {_short(exc)}") from exc
    finally:
        if own is not None:
            own.shutdown()
    return out_nb


def _notebook_kernel(notebook: Path) -> str:
    """The kernel the notebook names in its metadata (as papermill picks it), else python3."""
    try:
        meta = json.loads(notebook.read_text(encoding="utf-8")).get("metadata", {})
        return str(meta.get("kernelspec", {}).get("name") or "python3")
    except (OSError, ValueError):
        return "python3"


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    # papermill's PapermillExecutionError ends with the exception line of the cell
    tail = [line for line in text if line.strip()]
    return tail[-1][:500] if tail else type(exc).__name__


def _publish(workdir: Path, report_dir: Path, names: Iterable[str]) -> tuple[Path, ...]:
    """Publish the report's files as one set: ``workdir`` (beside the report folder) keeps only
    ``names``, takes over what else the old folder held (not an earlier ``failed/``), and is
    swapped in for the report folder in one exchange (:func:`~csat_research.core.files.swap_in_folder`).
    A kill at any moment leaves the old set or the new one, never a new notebook beside an old PDF."""
    keep = set(names)
    for entry in workdir.iterdir():
        if entry.name not in keep:
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    if report_dir.is_dir():
        for entry in report_dir.iterdir():
            if entry.name in keep or entry.name in OUTPUT_FILES or entry.name == "failed":
                continue
            (shutil.copytree if entry.is_dir() else shutil.copy2)(entry, workdir / entry.name)
    swap_in_folder(workdir, report_dir)  # readable like any folder, although mkdtemp made it 0700
    return tuple(report_dir / n for n in names if (report_dir / n).exists())


#: hidden working folders of a run: ``.<wave>-<pid>-<random>`` beside the report folders
_WORKDIR = re.compile(r"^\..+-(?P<pid>\d+)-[A-Za-z0-9_]+$")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_workdirs(folder: Path) -> list[Path]:
    """Remove the hidden working folders in ``folder`` whose run was killed (its process is gone)."""
    removed = []
    if not folder.is_dir():
        return removed
    for entry in folder.iterdir():
        m = _WORKDIR.match(entry.name)
        if m and entry.is_dir() and int(m["pid"]) != os.getpid() and not _pid_alive(int(m["pid"])):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def _record_failure(report_dir: Path, workdir: Path) -> None:
    """``<report>/failed/``: the executed notebook (if any) and the traceback being handled."""
    failed = report_dir / "failed"
    failed.mkdir(parents=True, exist_ok=True)
    if (workdir / "report.ipynb").exists():
        os.replace(workdir / "report.ipynb", failed / "report.ipynb")
    (failed / "error.txt").write_text(traceback.format_exc(), encoding="utf-8")


def prepare_report(
    params_path: str | Path,
    *,
    notebook: Path = NOTEBOOK,
    kernel_name: str | None = None,
    pool: KernelPool | None = None,
) -> tuple[StudyParams, Path, dict[str, float]]:
    """Validate and execute the notebook into a temporary folder next to the report folder.

    Returns the params, the temporary folder (holding report.ipynb, summary.json,
    tables.xlsx, report.pptx) and timings. :func:`finish_report` renders HTML and PDF and publishes, so
    a batch's kernel can start its next notebook meanwhile.
    """
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    if not Path(notebook).is_file():
        raise ReportError(
            f"report notebook not found: {notebook}; run from a checkout of csat-research (pip install -e .) "
            "or pass --notebook PATH/TO/csat_report.ipynb"
        )
    params = load_params(params_path)
    report_dir = params.report_dir
    report_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_workdirs(report_dir.parent)
    workdir = Path(tempfile.mkdtemp(prefix=f".{params.study.wave}-{os.getpid()}-", dir=report_dir.parent))
    try:
        kernel = pool.kernel() if pool is not None else None
        _executed(params, workdir, notebook=notebook, kernel_name=kernel_name, kernel=kernel)
    except ReportError:
        _record_failure(report_dir, workdir)
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    timings["execute"] = time.perf_counter() - t0
    return params, workdir, timings


def _write_html(params: StudyParams, workdir: Path) -> None:
    from csat_research.report.html import notebook_to_html

    summary = json.loads((workdir / "summary.json").read_text(encoding="utf-8"))
    page = notebook_to_html(
        workdir / "report.ipynb",
        title=summary.get("title") or params.study.title or params.study.brand,
        subtitle=summary.get("subtitle"),
        lang=params.study.language,
        meta=summary.get("meta_line"),
    )
    atomic_write_text(workdir / "report.html", page)


def finish_report(
    params: StudyParams, workdir: Path, timings: dict[str, float], *, renderer: object | None,
    printed: Callable[[], None] | None = None,
) -> ReportOutcome:
    """Render the HTML and the PDF (with ``renderer``), publish the files and clean up.

    ``printed`` is called once the PDF is printed (or was not asked for), before the files are
    published and the wave stored: :func:`run_report` closes its own Chromium there."""
    try:
        t1 = time.perf_counter()
        if "html" in params.output.formats or "pdf" in params.output.formats:
            _write_html(params, workdir)
        timings["html"] = time.perf_counter() - t1
        t0 = time.perf_counter()
        if "pdf" in params.output.formats:
            if renderer is None:
                raise ReportError(f"{params.source}: output.formats asks for pdf but no PDF renderer is running")
            renderer.render(workdir / "report.html", workdir / "report.pdf", lang=params.study.language)
        if printed is not None:
            printed()
        timings["pdf"] = time.perf_counter() - t0
        wanted = {"summary.json"}
        wanted |= {f"report.{fmt}" for fmt in params.output.formats if fmt in ("html", "pdf", "ipynb")}
        if "xlsx" in params.output.formats:
            wanted.add("tables.xlsx")
        if "pptx" in params.output.formats:
            wanted.add("report.pptx")
        t0 = time.perf_counter()
        wave = _wave_rows(workdir)
        timings["store"] = time.perf_counter() - t0
        files = _publish(workdir, params.report_dir, [n for n in OUTPUT_FILES if n in wanted])
        t0 = time.perf_counter()
        stored = None if wave is None else _store_wave(params, wave)
        timings["store"] += time.perf_counter() - t0
        return ReportOutcome(params.source, True, params.report_dir, files, None, timings, stored)
    except Exception:
        # rendering or publishing failed (e.g. the PDF renderer): the error goes where a failed
        # notebook's goes, the published report (if any) stays as it was
        _record_failure(params.report_dir, workdir)
        raise
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _wave_rows(workdir: Path) -> tuple[dict, object] | None:
    """The executed notebook's ``summary.json`` and respondent rows (read before publishing drops
    the hand-over file), or None when the notebook wrote none."""
    from csat_research.report.wave import WAVE_FILE, read_wave

    if not (workdir / WAVE_FILE).is_file():
        return None
    summary = json.loads((workdir / "summary.json").read_text(encoding="utf-8"))
    return summary, read_wave(workdir / WAVE_FILE)


def _store_wave(params: StudyParams, wave: tuple[dict, object]) -> str:
    """Store the published report's wave; a corrupt store is moved aside (said in the result)."""
    import warnings

    from csat_research.io.store import store_path, store_wave, wave_record

    path = store_path(params)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CsatWarning)  # StoreResult.message says it
            result = store_wave(path, wave_record(params, *wave))
    except CsatError as exc:
        raise StoreError(f"{params.source}: the report was published but its wave was not stored: {exc}") from exc
    return result.message


def _import_store_modules() -> None:
    """Import what storing a wave needs (duckdb, the Arrow file reader: ~0.1-0.3 s) while a kernel
    runs the notebook, so that the store step after publishing does not wait for it."""
    try:
        import duckdb  # noqa: F401
        import pyarrow.feather  # noqa: F401

        import csat_research.io.store  # noqa: F401
    except ImportError:  # noqa: S110 - the store step raises it again with its message
        pass


def _warm_store_modules() -> threading.Thread:
    thread = threading.Thread(target=_import_store_modules, name="csat-store-import", daemon=True)
    thread.start()
    return thread


def run_report(
    params_path: str | Path,
    *,
    renderer: object | None = None,
    notebook: Path = NOTEBOOK,
    kernel_name: str | None = None,
    write_index: bool = True,
) -> ReportOutcome:
    """Run one report end to end. Raises the project's errors; see :func:`run_batch` for isolation.

    Without a ``renderer``, the report's own Chromium (one tab) starts in the background once
    the notebook has run (while the HTML is written: the kernel's memory is free by then), and
    is closed as soon as the PDF is printed, before the wave is stored.
    """
    from csat_research.report.pdf import PdfRenderer

    _warm_store_modules()
    own = starting = None
    try:
        params, workdir, timings = prepare_report(params_path, notebook=notebook, kernel_name=kernel_name)
        if renderer is None and "pdf" in params.output.formats:
            own = PdfRenderer(tabs=1)
            starting = threading.Thread(target=_start_quietly, args=(own,), name="csat-pdf-start", daemon=True)
            starting.start()
            renderer = own  # render() waits for a start still under way, or raises its error
        outcome = finish_report(params, workdir, timings, renderer=renderer,
                                printed=None if own is None else own.close)
    finally:
        if starting is not None:
            starting.join()
        if own is not None:
            own.close()
    if write_index:
        write_index_page(params.output.dir)
    return outcome


def _start_quietly(renderer: object) -> None:
    """Start ``renderer`` ahead of use; a failure is raised again by its first ``render()``."""
    try:
        renderer.start()  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001, S110 - PdfRenderer.render starts it again and raises
        pass


def find_params(paths: Sequence[str | Path]) -> list[Path]:
    """Expand folders into their ``*.yaml`` / ``*.yml`` files (sorted); keep files as given."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found.extend(sorted([*p.glob("*.yaml"), *p.glob("*.yml")]))
        else:
            found.append(p)
    if not found:
        raise ReportError(f"no params files (*.yaml) found in {', '.join(map(str, paths))}")
    return found


def _failure(path: Path, exc: BaseException) -> ReportOutcome:
    msg = str(exc) if isinstance(exc, CsatError) else f"{type(exc).__name__}: {exc}"
    return ReportOutcome(Path(path), False, None, (), msg)


def _remote_report(params_path: str) -> ReportOutcome:
    """A whole report on a Dask worker (its own browser), errors captured."""
    try:
        return run_report(params_path, write_index=False)
    except Exception as exc:  # noqa: BLE001 - isolate every failure of a batch member
        return _failure(Path(params_path), exc)


def refuse_shared_report_folders(files: Sequence[Path]) -> None:
    """Refuse a batch in which two params files would write the same report folder.

    Their reports would replace each other's files. Files that do not load are left to fail on
    their own in the batch.

    Raises
    ------
    CsatError
        Naming both files, the folder, and the settings that decide it.
    """
    seen: dict[Path, Path] = {}
    for f in files:
        try:
            folder = load_params(f).report_dir.resolve()
        except CsatError:
            continue
        if folder in seen:
            raise CsatError(
                f"{seen[folder]} and {f} both write their report to {folder} (same output.dir, "
                "output.slug or category, and study.wave): give one of them another output.slug "
                "or study.wave"
            )
        seen[folder] = f


def run_batch(
    paths: Sequence[str | Path],
    *,
    workers: int = 2,
    scheduler: str | None = None,
    notebook: Path = NOTEBOOK,
    kernel_name: str | None = None,
    progress: bool = True,
    on_done: Callable[[ReportOutcome], None] | None = None,
    warm_kernels: bool = True,
    zygote: Zygote | None = None,
) -> BatchResult:
    """Run many reports; one failing study never stops the others.

    Parameters
    ----------
    paths : sequence of paths
        Params files or folders of them.
    workers : int, default 2
        Notebooks executed at once in the local pool.
    scheduler : str, optional
        Address of a Dask distributed scheduler (``tcp://host:8786``); each report then runs
        whole on a Dask worker. Without it a local thread pool drives the kernels and this
        process prints every PDF with a single browser.
    warm_kernels : bool, default True
        Local pool only: each worker thread keeps one kernel with the report's modules imported
        and resets its namespace between notebooks (:mod:`csat_research.run.engine`); False starts
        a fresh kernel for every report.
    zygote : Zygote, optional
        Local pool with warm kernels only: the fork server the kernels start from
        (:mod:`csat_research.run.zygote`); by default the batch starts its own where the platform
        allows it. The caller owns a zygote it passes.
    """
    from tqdm.auto import tqdm

    t0 = time.perf_counter()
    files = find_params(paths)
    if workers < 1:
        raise ValueError(f"workers must be >= 1; got {workers}")
    refuse_shared_report_folders(files)
    outcomes: dict[Path, ReportOutcome] = {}
    bar = tqdm(total=len(files), desc="reports", unit="report", disable=not progress)

    def done(outcome: ReportOutcome) -> None:
        outcomes[outcome.params_path] = outcome
        bar.set_postfix_str(f"{outcome.name}: {'ok' if outcome.ok else 'FAILED'}")
        bar.update(1)
        if on_done is not None:
            on_done(outcome)

    keys = [f.resolve() for f in files]
    overviews: list[Path] = []
    errors: list[str] = []

    def write_overviews(renderer: object | None) -> None:
        """Every outcome is in: the overview of each reports folder (with the batch's browser)."""
        ordered = tuple(outcomes[k] for k in keys if k in outcomes)
        for root in _roots(ordered):
            try:
                overviews.append(write_batch_overview(root, ordered, renderer=renderer))
            except Exception as exc:  # noqa: BLE001 - the reports stand; the overview's failure is reported
                errors.append(f"{root / 'overview'}: {exc if isinstance(exc, CsatError) else repr(exc)}")

    if scheduler:
        from distributed import Client

        with Client(scheduler) as client:
            futures = client.map(_remote_report, [str(k) for k in keys], pure=False)
            for fut, key in zip(futures, keys, strict=True):
                try:
                    outcome = fut.result()
                except Exception as exc:  # noqa: BLE001
                    outcome = _failure(key, exc)
                done(ReportOutcome(key, outcome.ok, outcome.report_dir, outcome.files, outcome.error, outcome.seconds,
                                   outcome.stored))
        bar.close()
        write_overviews(None)
    else:
        _local_batch(keys, workers=workers, notebook=notebook, kernel_name=kernel_name, done=done, warm=warm_kernels,
                     zygote=zygote, after=lambda renderer: (bar.close(), write_overviews(renderer)))
    ordered = tuple(outcomes[k] for k in keys)
    index = None
    for root in _roots(ordered):
        index = write_index_page(root)
    return BatchResult(ordered, index, time.perf_counter() - t0, tuple(overviews), tuple(errors))


def _roots(outcomes: Iterable[ReportOutcome]) -> list[Path]:
    """The reports folders of the published reports, sorted."""
    return sorted({o.report_dir.parents[1] for o in outcomes if o.ok and o.report_dir})


def write_batch_overview(root: Path, outcomes: Sequence[ReportOutcome], *, renderer: object | None = None) -> Path:
    """Write ``<root>/overview/`` (HTML, JSON and, when a study wants one, PDF) for a batch's
    outcomes (:mod:`csat_research.report.overview`) and return the HTML's path.

    The files are built in a hidden folder beside it and swapped in as one set, like a report's.
    Without a ``renderer`` one Chromium tab is started for the PDF, and closed.
    """
    from csat_research.report.overview import (
        OVERVIEW_DIR,
        build_overview,
        write_overview,
    )

    ov = build_overview(root, outcomes)
    remove_stale_workdirs(root)
    workdir = Path(tempfile.mkdtemp(prefix=f".{OVERVIEW_DIR}-{os.getpid()}-", dir=root))
    own = None
    try:
        if ov.wants_pdf and renderer is None:
            from csat_research.report.pdf import PdfRenderer

            renderer = own = PdfRenderer(tabs=1)
        write_overview(workdir, ov, renderer=renderer)
        swap_in_folder(workdir, root / OVERVIEW_DIR)
    finally:
        if own is not None:
            own.close()
        shutil.rmtree(workdir, ignore_errors=True)
    return root / OVERVIEW_DIR / "overview.html"


def _local_batch(
    keys: list[Path],
    *,
    workers: int,
    notebook: Path,
    kernel_name: str | None,
    done: Callable[[ReportOutcome], None],
    warm: bool = True,
    zygote: Zygote | None = None,
    after: Callable[[object | None], object] | None = None,
) -> None:
    """Worker threads execute notebooks on warm kernels (one per thread); printer threads turn
    each executed notebook into HTML and PDF at once, with one browser (two tabs), while the
    kernel runs its next notebook; this thread reports outcomes as they come.

    The kernels are shut down as soon as the last notebook has run, while PDFs still print.
    ``after`` is called with the batch's PDF renderer (None when no report printed one) once
    every outcome is done, before the browser closes (the portfolio overview prints with it).
    """
    renderer = None
    _warm_store_modules()
    own_zygote = Zygote() if warm and zygote is None and zygote_available() else None
    kernels = KernelPool(kernel_name, zygote=zygote or own_zygote) if warm else None
    closing: list[threading.Thread] = []
    try:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="csat-report") as pool, \
                ThreadPoolExecutor(max_workers=PRINTERS, thread_name_prefix="csat-print") as printers:
            preparing: dict[Future, Path] = {
                pool.submit(prepare_report, k, notebook=notebook, kernel_name=kernel_name, pool=kernels): k
                for k in keys
            }
            if _wants_pdf(keys):  # start the browser while the kernels start
                from csat_research.report.pdf import PdfRenderer

                renderer = PdfRenderer(tabs=PRINTERS).start()
            finishing: dict[Future, Path] = {}
            pending = set(preparing)
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in finished:
                    if fut in finishing:
                        try:
                            outcome = fut.result()
                            done(ReportOutcome(finishing[fut], True, outcome.report_dir, outcome.files, None,
                                               outcome.seconds, outcome.stored))
                        except Exception as exc:  # noqa: BLE001 - isolate every failure of a batch member
                            done(_failure(finishing[fut], exc))
                        continue
                    key = preparing[fut]
                    try:
                        params, workdir, timings = fut.result()
                    except Exception as exc:  # noqa: BLE001
                        done(_failure(key, exc))
                    else:
                        if renderer is None and "pdf" in params.output.formats:
                            from csat_research.report.pdf import PdfRenderer

                            renderer = PdfRenderer(tabs=PRINTERS).start()
                        job = printers.submit(finish_report, params, workdir, timings, renderer=renderer)
                        finishing[job] = key
                        pending.add(job)
                    if kernels is not None and not closing and not any(f in pending for f in preparing):
                        # every notebook has run: free the kernels while the last PDFs print
                        closing.append(threading.Thread(target=kernels.close, name="csat-kernels-close"))
                        closing[-1].start()
        if after is not None:
            after(renderer)
    finally:
        for t in closing:
            t.join()
        if renderer is not None:
            renderer.close()
        if kernels is not None:
            kernels.close()
        if own_zygote is not None:
            own_zygote.close()


def _wants_pdf(keys: Sequence[Path]) -> bool:
    """True if any readable params file asks for a PDF (broken files fail later, in their own run)."""
    for k in keys:
        try:
            if "pdf" in load_params(k).output.formats:
                return True
        except Exception:  # noqa: BLE001, S112 - reported by the report's own run
            continue
    return False


#: Files of a report linked from ``reports/index.html``, with their link text.
INDEX_LINKS = (("report.html", "HTML"), ("report.pdf", "PDF"), ("report.pptx", "PPTX"), ("tables.xlsx", "XLSX"),
               ("summary.json", "JSON"))
#: ``reports/index.html`` is a page to be read by others (a web server, colleagues): rw-r--r--.
INDEX_MODE = 0o644


def _number(x: object, spec: str) -> str:
    """``x`` formatted with ``spec``, or "-" when it is not a number."""
    return format(x, spec) if isinstance(x, int | float) and not isinstance(x, bool) else "-"


def _index_rows(root: Path) -> list[dict[str, object]]:
    """One row of display strings per ``<root>/<slug>/<wave>/summary.json`` (unreadable ones skipped)."""
    rows: list[dict[str, object]] = []
    for summary_path in sorted(root.glob("*/*/summary.json")):
        try:
            s = json.loads(summary_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        rel = summary_path.parent.relative_to(root).as_posix()
        rows.append({
            "brand": str(s.get("brand", "")),
            "category": str(s.get("category", "")),
            "wave": str(s.get("wave", "")),
            "n": _number(s.get("n_analysed"), "d"),  # responses analysed, not received
            "overall_index": _number(s.get("overall_index"), ".2f"),
            "csat_top2box": _number(s.get("csat_top2box"), ".1%"),
            "nps": _number(s.get("nps"), "+.1f"),  # with its sign: +12.3 / -4.0
            "links": [(f"{rel}/{name}", label) for name, label in INDEX_LINKS
                      if (summary_path.parent / name).exists()],
        })
    return rows


#: Files of the portfolio overview (``<root>/overview/``) linked first on ``reports/index.html``.
OVERVIEW_LINKS = (("overview/overview.html", "HTML"), ("overview/overview.pdf", "PDF"), ("overview/overview.json", "JSON"))


def _overview_links(root: Path) -> list[tuple[str, str]]:
    return [(href, label) for href, label in OVERVIEW_LINKS if (root / href).is_file()]


def write_index_page(root: Path) -> Path:
    """Write ``<root>/index.html`` linking the portfolio overview (when there is one) first, then
    every report found under ``root``.

    The page is rendered from ``csat_research/templates/reports_index.html.j2`` (Jinja2,
    autoescaped) and written atomically with mode :data:`INDEX_MODE` (0644).
    """
    import jinja2

    from csat_research.report.html import FONT_STACK, TEMPLATE_DIR

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)), autoescape=True,
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
    )
    page = env.get_template("reports_index.html.j2").render(rows=_index_rows(root), overview=_overview_links(root),
                                                            font_stack=FONT_STACK)
    root.mkdir(parents=True, exist_ok=True)
    return atomic_write_text(root / "index.html", page, mode=INDEX_MODE)
