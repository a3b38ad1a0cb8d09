"""HTML report -> A4 PDF with one headless Chromium (Playwright, or one CLI process per file).

:class:`PdfRenderer` prints HTML files (from :func:`csat_research.report.html.notebook_to_html`)
to A4 PDF with ONE headless Chromium driven by Playwright, adding a running header and page
numbers (:func:`csat_research.report.html.page_css`); :func:`find_chromium` locates the
browser. Each PDF is written with :func:`csat_research.core.files.atomic_write_bytes`, so a
failed render never replaces a good earlier PDF.

Examples
--------
>>> from csat_research.report.pdf import PdfRenderer
>>> with PdfRenderer() as pdf:  # doctest: +SKIP
...     pdf.render("report.html", "report.pdf")
"""

from __future__ import annotations

import html as _html
import logging
import os
import re
import shutil
import subprocess
import tempfile
import threading
import warnings
from pathlib import Path
from typing import Any

from csat_research.core.errors import CsatWarning, ReportError
from csat_research.core.files import atomic_write_bytes
from csat_research.report.html import FONT_STACK, HTML_LANG, page_css

_log = logging.getLogger(__name__)

__all__ = ["CHROMIUM_ARGS", "PdfRenderer", "find_chromium"]

# Chromium features of a browser window that printing never uses. The omnibox popup WebUI is a
# renderer process of its own, started with every window (each Playwright context), costing
# about 0.9 CPU-s although a headless browser never shows it.
_UNUSED_FEATURES = ("WebUIOmniboxPopup", "WebUIOmniboxAimPopup", "PreloadTopChromeWebUI")
# Chromium reads only the last --disable-features switch, and Playwright passes its own list
# first (playwright-core chromiumSwitches.ts, Playwright 1.65): ours repeats it.
# tests/report/test_pdf.py checks on a running browser that it still does.
_PLAYWRIGHT_DISABLED_FEATURES = (
    "AvoidUnnecessaryBeforeUnloadCheckSync", "DestroyProfileOnBrowserClose", "HttpsUpgrades",
    "HttpsFirstBalancedModeAutoEnable", "LensOverlay", "MediaRouter", "PaintHolding",
    "ThirdPartyStoragePartitioning", "AvoidCorsURLLoaderRestartOnRedirect", "TcpPortRandomizationWin",
    "OptimizationHints", "NetworkTimeServiceQuerying", "AimEnabled", "PreconnectToSearch",
    "msForceBrowserSignIn", "msEdgeUpdateLaunchServicesPreferredVersion",
)

#: Chromium switches: headless in a container, and nothing that reaches the network.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-extensions",
    "--disable-default-apps",
    "--mute-audio",
    "--font-render-hinting=none",
    "--disable-features=" + ",".join((*_PLAYWRIGHT_DISABLED_FEATURES, *_UNUSED_FEATURES)),
)

# Opened in every tab when the browser starts: text in the report fonts, regular and bold.
_WARM_PAGE = (
    '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><style>'
    f"body{{font-family:{FONT_STACK}}}</style></head><body><h1>客户服务满意度 CSAT</h1>"
    "<p>响应效率 解决质量 沟通专业 0123456789 %</p></body></html>"
)

_CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_INSTALL_HINT = "install it with: apt-get install chromium fonts-noto-cjk"


def _use_node_compile_cache() -> None:
    """Let Playwright's Node.js driver keep its compiled JavaScript in the on-disk cache.

    Node (22.1 and later) reads ``NODE_COMPILE_CACHE``; the driver then starts on about 0.30
    instead of 0.38 CPU-s. A value already set, or the cache switched off
    (:func:`csat_research.core.cache.cache_dir`), is left alone.
    """
    from csat_research.core.cache import cache_dir

    folder = cache_dir()
    if folder is not None and "NODE_COMPILE_CACHE" not in os.environ:
        os.environ["NODE_COMPILE_CACHE"] = str(folder / "node-compile-cache")


def find_chromium() -> str:
    """Locate a Chromium / Chrome executable for PDF printing.

    The environment variable ``CSAT_CHROMIUM`` (a path or a command name) wins; else the
    first of ``chromium``, ``chromium-browser``, ``google-chrome``,
    ``google-chrome-stable`` on ``PATH``.

    Returns
    -------
    str
        Absolute path of the executable.

    Raises
    ------
    ReportError
        If none is found (with the Debian install hint).

    Examples
    --------
    >>> find_chromium()  # doctest: +SKIP
    '/usr/bin/chromium'
    """
    override = os.environ.get("CSAT_CHROMIUM", "").strip()
    if override:
        found = shutil.which(override)
        if found is None:
            raise ReportError(
                f"CSAT_CHROMIUM={override!r} is not an executable file or command; "
                f"point it at a Chromium binary or unset it ({_INSTALL_HINT})"
            )
        return str(Path(found).resolve()) if os.sep in override else found
    for name in _CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise ReportError(
        f"no Chromium found on PATH (looked for {', '.join(_CHROMIUM_NAMES)}); PDF reports "
        f"need a headless Chromium: {_INSTALL_HINT} (or set CSAT_CHROMIUM to its path)"
    )


def _html_title(text: str) -> str:
    match = re.search(r"<title>(.*?)</title>", text[:20000], re.IGNORECASE | re.DOTALL)
    return _html.unescape(match.group(1)).strip() if match else ""


def _check_pdf(data: bytes, source: Path) -> bytes:
    if not data.startswith(b"%PDF-") or len(data) < 500:
        raise ReportError(f"Chromium produced no valid PDF for {source} ({len(data)} bytes)")
    return data


class PdfRenderer:
    """Print HTML reports to A4 PDF with one headless Chromium.

    Starting Chromium costs about a second; rendering a report afterwards costs a
    fraction of that. Use one renderer for a batch of reports::

        with PdfRenderer() as pdf:
            for html in html_files:
                pdf.render(html, html.with_suffix(".pdf"))

    Parameters
    ----------
    engine : {"auto", "playwright", "cli"}, default "auto"
        ``"playwright"``: one browser for all files, driven through Playwright (fast).
        ``"cli"``: one ``chromium --headless --print-to-pdf`` process per file. Needs no
        Playwright, but pays the browser start-up (~1-2 s) for every file and cannot wait on
        ``document.fonts.ready`` (a virtual-time budget stands in; fine for system
        fonts, which is all the reports use). ``"auto"``: Playwright, falling back to
        the CLI with a :class:`~csat_research.core.errors.CsatWarning` when Playwright cannot
        start.
    executable_path : str, optional
        Chromium binary; default :func:`find_chromium`.
    timeout : float, default 120
        Seconds allowed for loading and printing one file (and for starting Chromium).
    tabs : int, default 2
        Files printed at the same time (Playwright engine): each tab is a browser context of
        its own, so Chromium lays out and prints them in separate renderer processes, on
        separate cores. Calls beyond that wait for a free tab.

    Attributes
    ----------
    blocked_requests : list of str
        URLs of network requests the pages tried and that were blocked.

    Raises
    ------
    ValueError
        If ``engine``, ``timeout`` or ``tabs`` is invalid.

    Notes
    -----
    Thread safety: :meth:`render` may be called from any thread, and from several at once.
    The Playwright engine drives Chromium through Playwright's asyncio API on a private
    thread with its own event loop, so it also works where an event loop is already running
    (a Jupyter kernel). The CLI engine runs one process per call.

    If Chromium dies between two files, the next :meth:`render` starts a new browser
    (with a :class:`~csat_research.core.errors.CsatWarning`), so one crash costs one report,
    not the batch.

    Page layout: A4, backgrounds printed, the cover page without header/footer, a running
    header (default: the document ``<title>``) and page numbers ("第 x / y 页" or
    "Page x of y") drawn with CSS page-margin boxes (:func:`page_css`), identical for
    both engines. JavaScript is disabled in the page and requests other than ``file:``
    and ``data:`` are blocked (Playwright engine; the CLI engine cannot switch JavaScript
    off for printing, which matters little: the reports contain no scripts).

    Each PDF is produced in memory and written with :func:`atomic_write_bytes`: a failed
    render never replaces a good earlier PDF.
    """

    def __init__(self, *, engine: str = "auto", executable_path: str | None = None,
                 timeout: float = 120.0, tabs: int = 2) -> None:
        if engine not in ("auto", "playwright", "cli"):
            raise ValueError(
                f"PdfRenderer: engine must be 'auto', 'playwright' or 'cli', got {engine!r}"
            )
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
            raise ValueError(f"PdfRenderer: timeout must be a positive number, got {timeout!r}")
        if isinstance(tabs, bool) or not isinstance(tabs, int) or tabs < 1:
            raise ValueError(f"PdfRenderer: tabs must be an int >= 1, got {tabs!r}")
        self._requested = engine
        self._executable = executable_path
        self._timeout = float(timeout)
        self._tabs = tabs
        self._engine: str | None = None
        self._lock = threading.Lock()  # start / close
        # Playwright engine: its objects live on (and are only touched from) the loop thread.
        self._loop: Any = None
        self._loop_thread: threading.Thread | None = None
        self._pw: Any = None
        self._browser: Any = None
        self._free_tabs: list[tuple[Any, Any]] = []  # (context, page) ready for the next file
        self._all_tabs: list[tuple[Any, Any]] = []
        self._tab_slots: Any = None  # asyncio.Semaphore(tabs)
        self._relaunch: Any = None  # asyncio.Lock
        self._warming: Any = None  # asyncio.Task opening the tabs after start
        self.blocked_requests: list[str] = []

    # -- life cycle
    @property
    def engine(self) -> str | None:
        """The engine in use ("playwright" or "cli"), None before :meth:`start`."""
        return self._engine

    def start(self) -> PdfRenderer:
        """Start Chromium (idempotent). Returns ``self``.

        Raises
        ------
        ReportError
            If no Chromium is found, or Playwright fails with ``engine="playwright"``.
        """
        with self._lock:
            if self._engine is not None:
                return self
            executable = self._executable or find_chromium()
            self._executable = executable
            if self._requested in ("auto", "playwright"):
                try:
                    self._start_playwright(executable)
                    self._engine = "playwright"
                    return self
                except Exception as exc:
                    self._stop_playwright()
                    if self._requested == "playwright":
                        raise ReportError(
                            f"Playwright could not start Chromium ({executable}): {exc}"
                        ) from exc
                    warnings.warn(
                        f"Playwright could not start Chromium ({exc}); falling back to one "
                        "'chromium --print-to-pdf' process per file (slower)",
                        CsatWarning, stacklevel=2,
                    )
            self._engine = "cli"
            return self

    def _start_playwright(self, executable: str) -> None:
        import asyncio

        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="csat-pdf-renderer", daemon=True)
        thread.start()
        self._loop, self._loop_thread = loop, thread
        self._call(self._astart(), self._timeout + 30)

    def _call(self, coro: Any, timeout: float) -> Any:
        """Run ``coro`` on the renderer's loop; wait up to ``timeout`` seconds for its result."""
        import asyncio
        import concurrent.futures

        if threading.current_thread() is self._loop_thread:  # pragma: no cover - a bug, not a use
            coro.close()
            raise RuntimeError("PdfRenderer: called from its own event loop thread")
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError(f"no answer from Chromium within {timeout:g} s") from None

    async def _astart(self) -> None:
        import asyncio

        from playwright.async_api import async_playwright

        self._tab_slots = asyncio.Semaphore(self._tabs)
        self._relaunch = asyncio.Lock()
        _use_node_compile_cache()
        self._pw = await async_playwright().start()
        self._browser = await self._launch()
        # Open the tabs now, in the background: their renderer processes start and load the
        # report fonts while the caller's first reports are still being computed.
        self._warming = asyncio.get_running_loop().create_task(self._warm_tabs())

    async def _warm_tabs(self) -> None:
        import asyncio

        with tempfile.TemporaryDirectory(prefix="csat-pdf-warm-") as tmp:
            page_file = Path(tmp) / "warm.html"
            page_file.write_text(_WARM_PAGE, encoding="utf-8")

            async def one() -> None:
                async with self._tab_slots:
                    tab = await self._new_tab()
                    try:
                        await tab[1].goto(page_file.as_uri(), wait_until="load")
                        await tab[1].evaluate("document.fonts.ready.then(() => document.fonts.status)")
                        await tab[1].goto("about:blank")
                    except Exception:  # a tab that cannot even load this is not kept
                        await self._drop_tab(tab)
                        raise
                    self._free_tabs.append(tab)

            results = await asyncio.gather(*(one() for _ in range(self._tabs)), return_exceptions=True)
        for r in results:
            if isinstance(r, BaseException):  # the first render opens its own tab (and reports)
                _log.debug("PdfRenderer: warming a tab failed: %s", r)

    async def _launch(self) -> Any:
        return await self._pw.chromium.launch(
            executable_path=self._executable, args=list(CHROMIUM_ARGS), headless=True,
            timeout=self._timeout * 1000,
        )

    async def _new_tab(self) -> tuple[Any, Any]:
        context = await self._browser.new_context(java_script_enabled=False)
        try:
            await context.route(re.compile(r"^(?!(file|data|about|blob):)"), self._block)
            page = await context.new_page()
        except BaseException:
            await _aclose_quietly(context)
            raise
        self._all_tabs.append((context, page))
        return context, page

    async def _drop_tab(self, tab: tuple[Any, Any]) -> None:
        if tab in self._all_tabs:
            self._all_tabs.remove(tab)
        await _aclose_quietly(tab[0])

    async def _block(self, route: Any) -> None:
        self.blocked_requests.append(route.request.url)
        await route.abort()

    async def _astop(self) -> None:
        if self._warming is not None and not self._warming.done():
            self._warming.cancel()
        self._all_tabs, self._free_tabs = [], []
        if self._browser is not None:  # closes its contexts too
            await _aclose_quietly(self._browser)
        if self._pw is not None:
            try:
                await self._pw.stop()
            except Exception:  # already gone: nothing left to release
                pass

    def _stop_playwright(self) -> None:
        loop, thread = self._loop, self._loop_thread
        if loop is None or thread is None:
            return
        try:
            if thread.is_alive() and not loop.is_closed():
                try:
                    self._call(self._astop(), 30)
                except Exception:  # a hung browser: the driver ends with this process
                    pass
                loop.call_soon_threadsafe(loop.stop)
                thread.join(10)
            if not thread.is_alive():
                loop.close()
        finally:
            self._loop = self._loop_thread = self._pw = self._browser = None

    def close(self) -> None:
        """Stop Chromium and Playwright (idempotent; from any thread)."""
        with self._lock:
            self._stop_playwright()
            self._engine = None

    def __enter__(self) -> PdfRenderer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:  # best effort; close() is the contract
        if getattr(self, "_loop", None) is not None and threading.current_thread() is not self._loop_thread:
            try:
                self.close()
            except Exception:
                pass

    async def _ensure_browser(self) -> bool:
        """Relaunch Chromium if it has exited since the last file; True if it did."""
        async with self._relaunch:
            if self._browser is not None and self._browser.is_connected():
                return False
            tabs, self._all_tabs, self._free_tabs = self._all_tabs, [], []
            for context, _page in tabs:
                await _aclose_quietly(context)
            if self._browser is not None:
                await _aclose_quietly(self._browser)
            self._browser = await self._launch()
            return True

    # -- rendering
    def render(
        self,
        html_path: str | os.PathLike[str],
        pdf_path: str | os.PathLike[str],
        *,
        lang: str,
        header: str | None = None,
        page_numbers: bool = True,
        timeout: float | None = None,
    ) -> Path:
        """Print one HTML file to an A4 PDF.

        Parameters
        ----------
        html_path : str or os.PathLike
            The HTML report (e.g. from :func:`notebook_to_html`).
        pdf_path : str or os.PathLike
            Target PDF; replaced atomically, only after a successful render.
        header : str, optional
            Running header text; default the document ``<title>``; "" for none.
        page_numbers : bool, default True
            Print "第 x / y 页" / "Page x of y" at the bottom of each page but the cover.
        lang : {"zh", "en"}
            Report language (page-number wording); passed in, never guessed from the page.
        timeout : float, optional
            Seconds for this file; default the renderer's ``timeout``.

        Returns
        -------
        pathlib.Path
            ``pdf_path``.

        Raises
        ------
        ReportError
            If the HTML file is missing, Chromium fails or times out, or the PDF cannot be
            written. The previous ``pdf_path`` is then left as it was.
        """
        source = Path(html_path)
        target = Path(pdf_path)
        if not source.is_file():
            raise ReportError(f"PdfRenderer.render: HTML file {source} does not exist")
        if lang not in HTML_LANG:
            raise ValueError(f"PdfRenderer.render: lang must be one of {sorted(HTML_LANG)}, got {lang!r}")
        if timeout is None:
            timeout = self._timeout
        elif isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
            raise ValueError(f"PdfRenderer.render: timeout must be a positive number, got {timeout!r}")
        if self._engine is None:
            self.start()
        text = source.read_text(encoding="utf-8", errors="replace")
        css = page_css(
            lang=lang,
            header=_html_title(text) if header is None else header,
            page_numbers=page_numbers,
        )
        # The page CSS goes into a temporary copy of the page (a <base> keeps relative
        # links working): Playwright's add_style_tag needs JavaScript, which is disabled.
        with tempfile.TemporaryDirectory(prefix="csat-pdf-") as tmp:
            page = Path(tmp) / "page.html"
            page.write_text(_inject_head(text, source, css), encoding="utf-8")
            if self._engine == "playwright":
                data = self._render_playwright(page, source, timeout)
            else:
                data = self._render_cli(page, source, Path(tmp), timeout)
        return atomic_write_bytes(target, _check_pdf(data, source))

    def _render_playwright(self, page_file: Path, source: Path, timeout: float) -> bytes:
        try:
            restarted, data = self._call(self._arender(page_file, timeout), timeout * 2 + 30)
        except Exception as exc:
            raise ReportError(f"Chromium failed to print {source} to PDF: {exc}") from exc
        if restarted:
            warnings.warn("Chromium had exited; started a new browser", CsatWarning, stacklevel=3)
        return data

    async def _arender(self, page_file: Path, timeout: float) -> tuple[bool, bytes]:
        async with self._tab_slots:
            restarted = await self._ensure_browser()
            tab = self._free_tabs.pop() if self._free_tabs else await self._new_tab()
            page = tab[1]
            try:
                page.set_default_timeout(timeout * 1000)
                await page.goto(page_file.as_uri(), wait_until="load")
                await page.evaluate("document.fonts.ready.then(() => document.fonts.status)")
                data = await page.pdf(prefer_css_page_size=True, print_background=True,
                                      outline=True, tagged=True)
                await page.goto("about:blank")  # release the report's memory until the next file
            except BaseException:  # a tab in an unknown state is not reused
                await self._drop_tab(tab)
                raise
            self._free_tabs.append(tab)
            return restarted, data

    def _render_cli(self, page_file: Path, source: Path, tmp: Path, timeout: float) -> bytes:
        out = tmp / "out.pdf"
        cmd = [
            str(self._executable), "--headless", *CHROMIUM_ARGS,
            f"--user-data-dir={tmp / 'profile'}",
            "--no-pdf-header-footer", "--virtual-time-budget=5000",
            f"--print-to-pdf={out}", page_file.as_uri(),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise ReportError(
                f"chromium --print-to-pdf timed out after {timeout:g} s on {source}"
            ) from exc
        except OSError as exc:
            raise ReportError(f"cannot run {self._executable}: {exc}") from exc
        if proc.returncode != 0 or not out.is_file():
            tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
            raise ReportError(
                f"chromium --print-to-pdf failed on {source} (exit {proc.returncode}): "
                + " | ".join(tail)
            )
        return out.read_bytes()


async def _aclose_quietly(obj: Any) -> None:
    """Close a Playwright context or browser that may already be gone."""
    try:
        await obj.close()
    except Exception:  # already closed or the browser died: nothing left to release
        pass


def _inject_head(text: str, source: Path, css: str) -> str:
    """Return ``text`` with a <base> for ``source``'s folder and ``css`` at the end of <head>."""
    base = f'<base href="{_html.escape(source.resolve().parent.as_uri() + "/")}">'
    style = f'<style type="text/css">\n{css}</style>'
    if re.search(r"</head\s*>", text, re.IGNORECASE):
        return re.sub(r"</head\s*>", lambda _m: f"{base}{style}</head>", text, count=1,
                      flags=re.IGNORECASE)
    return base + style + text
