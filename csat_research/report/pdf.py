"""Client report rendering: executed notebook -> self-contained HTML -> A4 PDF.

The route has three steps, each usable alone:

1. :func:`notebook_to_html` turns an *executed* notebook into one self-contained HTML
   file with nbconvert and the ``csat_report`` template shipped in
   ``csat_research/templates/``: no code, no prompts, no stderr, a cover block, the
   narrative (markdown cells), the tables and the figures (embedded as data URIs), all
   CSS inline and nothing fetched from the network.
2. :class:`PdfRenderer` prints such HTML files to A4 PDF with ONE headless Chromium
   (driven by Playwright), adding a running header and page numbers.
3. :func:`atomic_write_bytes` / :func:`atomic_write_text` write every artefact through a
   temporary file in the target folder and :func:`os.replace`, so a failed run never
   leaves a half-written report or destroys a good one from an earlier run.

Safety of text answers
----------------------
Survey answers are data, never markup. Every HTML fragment that reaches the report
(``text/html`` and ``text/markdown`` outputs, markdown cells, raw HTML cells) passes an
allow-list sanitiser: known formatting and table tags are kept, anything else
(``<script>``, ``<iframe>``, ``<object>``, event handlers, ``javascript:`` links) is
*escaped* and so shown as text. This matters for pandas ``Styler``, whose ``to_html``
does not escape cell values by default, and for ``display(Markdown(...))`` built from
open answers.

Examples
--------
>>> from csat_research.report.pdf import notebook_to_html, PdfRenderer, atomic_write_text
>>> html = notebook_to_html("executed.ipynb", title="家电品类客户服务满意度研究报告",
...                         meta={"品牌": "示例家电旗舰店", "波次": "2026Q3"})  # doctest: +SKIP
>>> atomic_write_text("report.html", html)  # doctest: +SKIP
>>> with PdfRenderer() as pdf:  # doctest: +SKIP
...     pdf.render("report.html", "report.pdf")
"""

from __future__ import annotations

import copy
import html as _html
import logging
import os
import re
import shutil
import subprocess
import tempfile
import threading
import warnings
from collections.abc import Mapping, Sequence
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import nbformat

from csat_research.core.errors import CsatWarning, ReportError

_log = logging.getLogger(__name__)

__all__ = [
    "CHROMIUM_ARGS",
    "PdfRenderer",
    "atomic_write_bytes",
    "atomic_write_text",
    "find_chromium",
    "notebook_to_html",
    "page_css",
    "sanitize_html",
]

TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "templates"
TEMPLATE_NAME = "csat_report"

#: ``lang`` value -> ``<html lang>`` attribute.
HTML_LANG = {"zh": "zh-CN", "en": "en"}

#: Font stack of the report (CSS syntax); the first installed font wins.
FONT_STACK = ("'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'PingFang SC', "
              "'Microsoft YaHei', sans-serif")

# Chromium features of a browser window that printing never uses. The omnibox popup WebUI is a
# renderer process of its own, started with every window (each Playwright context), costing
# about 0.9 CPU-s although a headless browser never shows it.
_UNUSED_FEATURES = ("WebUIOmniboxPopup", "WebUIOmniboxAimPopup", "PreloadTopChromeWebUI")
# Chromium reads only the last --disable-features switch, and Playwright passes its own list
# first (playwright-core chromiumSwitches.ts, Playwright 1.65): ours repeats it.
# tests/test_render.py checks on a running browser that it still does.
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

# A4 page margins (top, right, bottom, left), also used by the template's CSS.
PAGE_MARGINS = ("20mm", "16mm", "20mm", "16mm")

_LABELS = {
    "zh": {"page": ('"第 " counter(page) " / " counter(pages) " 页"'), "figure": "图表"},
    "en": {"page": ('"Page " counter(page) " of " counter(pages)'), "figure": "Chart"},
}


# --------------------------------------------------------------------------- atomic writes
def _umask() -> int:
    """Return the process umask without changing it (Linux: /proc; else 0o022)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically.

    The bytes go to a temporary file in the same folder, are flushed to disk and then
    moved over ``path`` with :func:`os.replace`. Readers see either the old file or the
    complete new one, never a partial file; if anything fails, the old file is untouched
    and the temporary file is removed.

    Parameters
    ----------
    path : str or os.PathLike
        Target file. Its folder must exist.
    data : bytes
        Content to write.

    Returns
    -------
    pathlib.Path
        ``path`` as a :class:`~pathlib.Path`.

    Raises
    ------
    TypeError
        If ``data`` is not bytes-like.
    ReportError
        If the folder does not exist or the file cannot be written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> atomic_write_bytes(folder / "a.bin", b"abc").read_bytes()
    b'abc'
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"atomic_write_bytes: data must be bytes, got {type(data).__name__}")
    target = Path(path)
    folder = target.parent
    if not folder.is_dir():
        raise ReportError(f"cannot write {target}: folder {folder} does not exist")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ReportError(f"cannot write {target}: {exc}") from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp creates 0600; give the report the permissions a normal open() would.
        mode = (target.stat().st_mode & 0o7777) if target.exists() else (0o666 & ~_umask())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise ReportError(f"cannot write {target}: {exc}") from exc
        raise
    return target


def atomic_write_text(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_write_bytes`).

    Parameters
    ----------
    path : str or os.PathLike
        Target file. Its folder must exist.
    text : str
        Content to write.
    encoding : str, default "utf-8"
        Text encoding.

    Returns
    -------
    pathlib.Path
        ``path`` as a :class:`~pathlib.Path`.

    Raises
    ------
    TypeError
        If ``text`` is not a str.
    ReportError
        If the file cannot be written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> atomic_write_text(folder / "a.html", "<p>满意</p>").read_text(encoding="utf-8")
    '<p>满意</p>'
    """
    if not isinstance(text, str):
        raise TypeError(f"atomic_write_text: text must be str, got {type(text).__name__}")
    return atomic_write_bytes(path, text.encode(encoding))


# --------------------------------------------------------------------------- sanitiser
_ALLOWED_TAGS = frozenset(
    "a abbr b blockquote br caption cite code col colgroup dd del details dfn div dl dt em "
    "figcaption figure h1 h2 h3 h4 h5 h6 hr i img ins kbd li mark ol p pre q s samp section "
    "small span strong style sub summary sup table tbody td tfoot th thead time tr u ul var "
    "article aside".split()
)
_VOID_TAGS = frozenset("br col hr img".split())
_ALLOWED_ATTRS = frozenset(
    "class id title lang dir style align valign colspan rowspan scope headers width height "
    "border cellpadding cellspacing alt src href start type span open datetime".split()
)
_IMG_DATA_URI = re.compile(r"^data:image/(png|jpeg|gif|webp|svg\+xml)[;,]", re.IGNORECASE)
_CSS_URL = re.compile(r"url\(\s*(['\"]?)\s*(?!data:)([^)'\"]*)\1\s*\)", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"@import\b", re.IGNORECASE)
_NUM = (
    r"[<>≤≥]?\s*[+\-−–]?\s*[¥$€£]?\s*(?:\d[\d,\u202f\u00a0]*(?:\.\d+)?|\.\d+)"
    r"(?:[eE][+\-]?\d+)?\s*(?:%|‰|pp|pt|pts|分|元|人|次|个|天|小时|分钟|h|min|s)?"
)
# A number ("3.21", "62.0%", "1,876", "<0.001", "0.03**") or a range / interval of two
# ("3.43 – 3.50", "[3.1, 3.5]", "-6.6 至 +0.7"): such cells are right-aligned.
_NUMBER = re.compile(
    rf"^(?:{_NUM}|[\[(]?\s*{_NUM}\s*(?:–|—|-|~|～|至|to|,)\s*{_NUM}\s*[\])]?)\s*\*{{0,3}}$"
)
_PLACEHOLDERS = frozenset({"", "-", "—", "–", "nan", "NaN", "<NA>", "NaT", "None", "n/a", "N/A", "NA"})


class _Cell:
    """A table cell seen by the sanitiser (start tag kept editable until the table ends)."""

    __slots__ = ("tag", "attrs", "row", "col", "colspan", "in_head", "text")

    def __init__(self, tag: str, attrs: list[tuple[str, str]], row: int, col: int,
                 colspan: int, in_head: bool) -> None:
        self.tag, self.attrs, self.row, self.col = tag, attrs, row, col
        self.colspan, self.in_head, self.text = colspan, in_head, []

    def __str__(self) -> str:
        return _start_tag(self.tag, self.attrs)


class _StartTag:
    """A start tag whose attributes can still change (the <table> of a table being read)."""

    __slots__ = ("tag", "attrs")

    def __init__(self, tag: str, attrs: list[tuple[str, str]]) -> None:
        self.tag, self.attrs = tag, attrs

    def __str__(self) -> str:
        return _start_tag(self.tag, self.attrs)


#: Tables with at least this many columns get class csat-wide / csat-xwide (smaller type).
WIDE_COLUMNS, XWIDE_COLUMNS = 9, 13
#: Body cells with at least this many characters get class csat-text (may wrap anywhere).
LONG_TEXT = 40


class _Table:
    """Row/column bookkeeping of one table (rowspans included) for its layout classes."""

    def __init__(self, start: _StartTag) -> None:
        self.start = start
        self.n_cols = 0
        self.row = -1
        self.in_head = False
        self.occupied: set[tuple[int, int]] = set()
        self.next_col = 0
        self.cells: list[_Cell] = []
        self.open_cell: _Cell | None = None

    def new_row(self) -> None:
        self.row += 1
        self.next_col = 0

    def place(self, tag: str, attrs: list[tuple[str, str]]) -> _Cell:
        if self.row < 0:
            self.new_row()
        col = self.next_col
        while (self.row, col) in self.occupied:
            col += 1
        span = dict(attrs)
        colspan, rowspan = _int_attr(span.get("colspan")), _int_attr(span.get("rowspan"))
        for r in range(self.row, self.row + rowspan):
            for c in range(col, col + colspan):
                self.occupied.add((r, c))
        self.next_col = col + colspan
        self.n_cols = max(self.n_cols, self.next_col)
        cell = _Cell(tag, attrs, self.row, col, colspan, self.in_head)
        self.cells.append(cell)
        return cell

    def finish(self) -> None:
        """Set the layout classes: csat-num (numeric columns), csat-text, csat-(x)wide."""
        if self.n_cols >= XWIDE_COLUMNS:
            _add_class(self.start.attrs, "csat-xwide")
        elif self.n_cols >= WIDE_COLUMNS:
            _add_class(self.start.attrs, "csat-wide")
        for cell in self.cells:
            if cell.tag == "td" and len("".join(cell.text).strip()) >= LONG_TEXT:
                _add_class(cell.attrs, "csat-text")
        body: dict[int, list[str]] = {}
        for cell in self.cells:
            if cell.tag == "td" and not cell.in_head and cell.colspan == 1:
                body.setdefault(cell.col, []).append("".join(cell.text).strip())
        numeric = {
            col for col, texts in body.items()
            if any(_NUMBER.match(t) for t in texts)
            and all(_NUMBER.match(t) or t in _PLACEHOLDERS for t in texts)
        }
        for cell in self.cells:
            if cell.colspan != 1 or cell.col not in numeric:
                continue
            if cell.tag == "td" or cell.in_head:
                _add_class(cell.attrs, "csat-num")


def _int_attr(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 1000))
    except ValueError:
        return 1


def _add_class(attrs: list[tuple[str, str]], name: str) -> None:
    for i, (key, value) in enumerate(attrs):
        if key == "class":
            attrs[i] = (key, f"{value} {name}".strip())
            return
    attrs.append(("class", name))


def _start_tag(tag: str, attrs: list[tuple[str, str]], *, void: bool = False) -> str:
    parts = [tag] + [f'{k}="{_html.escape(v, quote=True)}"' for k, v in attrs]
    return "<" + " ".join(parts) + (" />" if void else ">")


def _check_css(css: str, where: str) -> str:
    """Refuse CSS that would load something (``url(http...)``, ``@import``)."""
    if _CSS_IMPORT.search(css):
        raise ReportError(f"{where}: CSS @import is not allowed in a self-contained report")
    for match in _CSS_URL.finditer(css):
        raise ReportError(
            f"{where}: CSS url({match.group(2)!r}) would load a file or the network; "
            "embed it as a data: URI instead"
        )
    # "<" has no place in CSS outside strings; as an escape it cannot end <style> early.
    return css.replace("<", "\\3c ")


class _Sanitizer(HTMLParser):
    """Allow-list HTML sanitiser; disallowed markup is escaped (shown as text)."""

    def __init__(self, where: str) -> None:
        super().__init__(convert_charrefs=False)
        self.where = where
        self.out: list[Any] = []
        self.tables: list[_Table] = []
        self.links: list[tuple[str | None, list[str]]] = []
        self.in_style = False
        self.stack: list[str] = []  # open allowed elements, innermost last

    # -- helpers
    def _text(self, text: str) -> None:
        self.out.append(text)
        if self.tables and self.tables[-1].open_cell is not None:
            self.tables[-1].open_cell.text.append(_html.unescape(text))
        for _url, buf in self.links:
            buf.append(_html.unescape(text))

    def _escaped_tag(self) -> None:
        raw = self.get_starttag_text() or ""
        self._text(_html.escape(raw, quote=False))

    def _clean_attrs(self, tag: str, attrs: list[tuple[str, str | None]]) -> tuple[list[tuple[str, str]], str | None]:
        clean: list[tuple[str, str]] = []
        external: str | None = None
        for key, value in attrs:
            key = key.lower()
            value = "" if value is None else value
            if key not in _ALLOWED_ATTRS:
                continue
            if key == "style":
                if tag == "tr":  # pandas' to_html puts text-align: right on header rows
                    value = re.sub(r"text-align\s*:\s*[a-z]+\s*;?", "", value, flags=re.I).strip()
                if "javascript:" in value.lower() or "expression(" in value.lower():
                    continue
                value = _check_css(value, self.where)
                if not value:
                    continue
            elif key == "src":
                if tag != "img":
                    continue
                if not _IMG_DATA_URI.match(value.strip()):
                    raise ReportError(
                        f"{self.where}: image {value[:80]!r} is not embedded; a self-contained "
                        "report needs data: URIs (matplotlib figures are embedded automatically)"
                    )
            elif key == "href":
                if tag != "a":
                    continue
                target = value.strip()
                if target.startswith("#"):
                    pass
                elif re.match(r"^(https?:|mailto:|ftp:)", target, re.I):
                    external = target
                    continue
                else:
                    continue  # javascript:, file paths, relative links: dropped
            clean.append((key, value))
        return clean, external

    # -- HTMLParser interface
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, self_closing=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, self_closing=True)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], *, self_closing: bool) -> None:
        if tag not in _ALLOWED_TAGS:
            self._escaped_tag()
            return
        clean, external = self._clean_attrs(tag, attrs)
        if tag in _VOID_TAGS:
            self.out.append(_start_tag(tag, clean, void=True))
            return
        table = self.tables[-1] if self.tables else None
        self.stack.append(tag)
        if tag == "table":
            start = _StartTag(tag, clean)
            self.tables.append(_Table(start))
            self.out.append(start)
            if self_closing:
                self._close(tag)
            return
        elif table is not None and tag == "thead":
            table.in_head = True
        elif table is not None and tag in ("tbody", "tfoot"):
            table.in_head = False
        elif table is not None and tag == "tr":
            table.new_row()
        elif table is not None and tag in ("td", "th"):
            cell = table.place(tag, clean)
            table.open_cell = cell
            self.out.append(cell)
            if self_closing:
                self._close(tag)
            return
        if tag == "a":
            if external is not None:
                _add_class(clean, "csat-extlink")
            self.links.append((external, []))
        if tag == "style":
            self.in_style = True
        self.out.append(_start_tag(tag, clean))
        if self_closing:  # <div/> is not a void element: close it at once
            self._close(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag not in _ALLOWED_TAGS:
            self._text(_html.escape(f"</{tag}>", quote=False))
            return
        if tag not in self.stack:
            return  # a stray end tag must not close the report's own elements
        while self.stack:
            if self._close(self.stack[-1]) == tag:
                break

    def _close(self, tag: str) -> str:
        """Close the innermost open element (``tag``): bookkeeping and end tag."""
        self.stack.pop()
        if tag == "style":
            self.in_style = False
        table = self.tables[-1] if self.tables else None
        if table is not None and tag in ("td", "th"):
            table.open_cell = None
        elif table is not None and tag == "thead":
            table.in_head = False
        elif tag == "table" and table is not None:
            table.finish()
            self.tables.pop()
        self.out.append(f"</{tag}>")
        if tag == "a" and self.links:
            url, text = self.links.pop()
            if url is not None and "".join(text).strip() != url:
                self.out.append(f'<span class="csat-url"> ({_html.escape(url)})</span>')
        return tag

    def handle_data(self, data: str) -> None:
        if self.in_style:
            self.out.append(_check_css(data, self.where))
        else:
            # Raw text of an escaped <script> etc. arrives here unescaped: escape it.
            self._text(_html.escape(data, quote=False))

    def handle_entityref(self, name: str) -> None:
        self._text(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self._text(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        pass

    def handle_decl(self, decl: str) -> None:
        pass

    def handle_pi(self, data: str) -> None:
        pass

    def unknown_decl(self, data: str) -> None:
        pass

    def result(self) -> str:
        self.close()
        while self.stack:  # the fragment always comes out balanced
            self._close(self.stack[-1])
        return "".join(str(part) for part in self.out)


def sanitize_html(fragment: str, *, where: str = "HTML output") -> str:
    """Return ``fragment`` with only allow-listed markup; the rest is escaped.

    Kept: formatting, lists, headings, tables (numeric columns get class ``csat-num``),
    ``<style>`` without external ``url()``/``@import``, images with ``data:`` URIs,
    in-page links. External links lose their ``href`` (the URL is shown in brackets).
    Everything else, ``<script>`` first, is escaped so that it is shown as text.

    Parameters
    ----------
    fragment : str
        An HTML fragment (a DataFrame, a Styler table, rendered markdown).
    where : str, default "HTML output"
        Where the fragment comes from, used in error messages.

    Returns
    -------
    str
        Safe HTML.

    Raises
    ------
    ReportError
        If the fragment refers to an image or a stylesheet that is not embedded.

    Examples
    --------
    >>> sanitize_html("<td><script>alert(1)</script></td>")
    '<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>'
    >>> sanitize_html('<b onclick="x()">满意</b></div>')
    '<b>满意</b>'
    >>> sanitize_html('<p>未闭合的 <i>标签')
    '<p>未闭合的 <i>标签</i></p>'
    """
    parser = _Sanitizer(where)
    parser.feed(str(fragment))
    return parser.result()


# --------------------------------------------------------------------------- HTML export
_MPL_REPR = re.compile(
    r"^\s*\[?\s*(?:<(?:matplotlib\.|mpl_toolkits\.|seaborn\.|Axes[:\s>]|Figure[\s>]|"
    r"AxesSubplot|BarContainer|Axes3D)|Text\(|\(\s*<matplotlib)"
)
_ANCHOR_LINK = re.compile(r'<a class="anchor-link" href="#[^"]*">[^<]*</a>')
_EXTERNAL_REF = re.compile(
    r"""(?:\b(?:src|href|srcset|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:url\(\s*["']?\s*(?:https?:)?//)|(?:@import\b)|(?:<script\b[^>]*\bsrc\s*=)""",
    re.IGNORECASE,
)


def _load_notebook(nb: Any) -> tuple[nbformat.NotebookNode, Path | None]:
    if isinstance(nb, (str, os.PathLike)):
        path = Path(nb)
        if not path.is_file():
            raise ReportError(f"notebook_to_html: notebook file {path} does not exist")
        try:
            return nbformat.read(path, as_version=4), path
        except Exception as exc:  # nbformat raises several unrelated types
            raise ReportError(f"notebook_to_html: cannot read notebook {path}: {exc}") from exc
    if isinstance(nb, Mapping) and "cells" in nb:
        return nbformat.from_dict(copy.deepcopy(dict(nb))), None
    raise TypeError(
        "notebook_to_html: nb must be an nbformat NotebookNode or a path to an .ipynb file, "
        f"got {type(nb).__name__}"
    )


def _prepare(nb: nbformat.NotebookNode, *, allow_errors: bool, where: str) -> None:
    """Drop what a client must not see: stderr, error outputs, matplotlib reprs."""
    for index, cell in enumerate(nb.cells):
        tags = set(cell.get("metadata", {}).get("tags", []))
        if cell.cell_type != "code":
            continue
        if tags & {"remove_output", "remove-output"}:
            cell.outputs = []
            continue
        outputs = cell.get("outputs", [])
        has_image = any(
            set(o.get("data", {})) & {"image/png", "image/jpeg", "image/svg+xml"} for o in outputs
        )
        kept = []
        for output in outputs:
            kind = output.get("output_type")
            if kind == "stream" and (output.get("name") != "stdout"
                                     or not str(output.get("text", "")).strip()):
                continue
            if kind == "error":
                if allow_errors:
                    continue
                raise ReportError(
                    f"{where}: cell {index} failed with {output.get('ename')}: "
                    f"{output.get('evalue')}; the report is not rendered (allow_errors=False)"
                )
            data = output.get("data", {})
            if kind in ("execute_result", "display_data") and set(data) <= {"text/plain"}:
                # The value of a figure cell's last line ("Text(0.5, 1.0, ...)",
                # "(1.0, 5.0)", "[<matplotlib.lines.Line2D ...>]") is noise, not content.
                if (kind == "execute_result" and has_image) or _MPL_REPR.match(
                        str(data.get("text/plain", ""))):
                    continue
            kept.append(output)
        cell.outputs = kept
    nb.cells = [
        c for c in nb.cells
        if not set(c.get("metadata", {}).get("tags", [])) & {"remove_cell", "remove-cell"}
    ]


def _meta_items(meta: Any) -> list[tuple[str, str]]:
    if meta is None:
        return []
    if isinstance(meta, str):
        return [("", meta)] if meta.strip() else []
    if isinstance(meta, Mapping):
        return [(str(k), str(v)) for k, v in meta.items() if v is not None and str(v) != ""]
    if isinstance(meta, Sequence):
        return [("", str(v)) for v in meta if v is not None and str(v) != ""]
    raise TypeError(
        "notebook_to_html: meta must be None, a str, a mapping (label -> value) or a sequence "
        f"of str, got {type(meta).__name__}"
    )


def page_css(*, lang: str = "zh", header: str | None = None, page_numbers: bool = True) -> str:
    """CSS ``@page`` rules for A4 printing with a running header and page numbers.

    Uses CSS page-margin boxes (``@top-left``, ``@bottom-center``; Chromium >= 131), so
    the same rules work in Playwright and in the ``chromium --print-to-pdf`` fallback.
    The first page (the cover) has no margins, header or page number.

    Parameters
    ----------
    lang : {"zh", "en"}, default "zh"
        Page-number wording: "第 x / y 页" or "Page x of y".
    header : str, optional
        Text of the running header (e.g. the report title); none if None or empty.
    page_numbers : bool, default True
        Whether to print page numbers at the bottom.

    Returns
    -------
    str
        A CSS stylesheet.

    Raises
    ------
    ValueError
        If ``lang`` is not "zh" or "en".

    Examples
    --------
    >>> "counter(pages)" in page_css(lang="en")
    True
    """
    if lang not in _LABELS:
        raise ValueError(f"page_css: lang must be one of {sorted(_LABELS)}, got {lang!r}")
    box = f"font-family: {FONT_STACK}; font-size: 8pt; color: #6b7280;"
    top, right, bottom, left = PAGE_MARGINS
    rules = [f"@page {{ size: A4; margin: {top} {right} {bottom} {left};"]
    if header:
        text = header.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
        rules.append(f'  @top-left {{ content: "{text}"; {box} vertical-align: bottom; '
                     "padding-bottom: 4mm; }")
        rules.append("  @top-right { content: none; }")
    if page_numbers:
        rules.append(f"  @bottom-center {{ content: {_LABELS[lang]['page']}; {box} "
                     "vertical-align: top; padding-top: 4mm; }")
    rules.append("}")
    rules.append("@page :first { margin: 0; @top-left { content: none; } "
                 "@bottom-center { content: none; } }")
    return "\n".join(rules) + "\n"


def notebook_to_html(
    nb: Any,
    *,
    title: str,
    lang: str = "zh",
    subtitle: str | None = None,
    meta: Mapping[str, Any] | Sequence[str] | str | None = None,
    allow_errors: bool = False,
) -> str:
    """Render an executed notebook as a self-contained client report (HTML).

    Code cells show only their outputs (no source, no ``In``/``Out`` prompts, no stderr
    or warnings, no error tracebacks); markdown cells are the narrative; figures are
    embedded as data URIs and all CSS is inline, so the file opens offline and loads
    nothing from the network (no require.js, MathJax, web fonts). A cover block carries
    ``title``, ``subtitle`` and the ``meta`` line; the print stylesheet lays the report
    out on A4 (cover page, h2 sections on new pages, repeated table headers, rows never
    split).

    Parameters
    ----------
    nb : nbformat.NotebookNode or str or os.PathLike
        The executed notebook (papermill output) or the path of its ``.ipynb``. It is
        not modified.
    title : str
        Report title (cover and ``<title>``).
    lang : {"zh", "en"}, default "zh"
        Report language; sets ``<html lang="zh-CN">`` or ``<html lang="en">``.
    subtitle : str, optional
        Line under the title on the cover.
    meta : mapping or sequence of str or str, optional
        Cover meta line, e.g. ``{"品牌": "示例家电旗舰店", "波次": "2026Q3", "样本量": 1876}``;
        a mapping is shown as "label value" pairs, a sequence or str as given.
    allow_errors : bool, default False
        If False, a cell with an error output stops the rendering (a client report must
        not silently miss a section). If True, error outputs are left out.

    Returns
    -------
    str
        The HTML document.

    Raises
    ------
    TypeError
        If ``nb`` or ``meta`` has a wrong type.
    ValueError
        If ``lang`` is not "zh" or "en" or ``title`` is empty.
    ReportError
        If the notebook cannot be read, contains an error output (``allow_errors=False``),
        refers to an image or stylesheet that cannot be embedded, or nbconvert fails.

    Notes
    -----
    HTML from outputs (pandas / Styler tables, ``display(Markdown(...))``) and markdown
    cells passes :func:`sanitize_html`: a ``<script>`` inside a text answer is shown as
    text. Also left out: stderr streams (warnings, logging), blank stdout, and a
    ``text/plain``-only result next to a figure or looking like a matplotlib repr
    (``Text(0.5, 1.0, ...)``, ``(1.0, 5.0)`` from ``ax.set_xlim``). Numeric table
    columns are right-aligned (class ``csat-num``); tables with 9+ / 13+ columns get
    smaller type in print. Cell tags: ``remove_cell`` drops a cell, ``remove_output`` its outputs,
    ``page-break`` starts it on a new page, ``no-page-break`` keeps an h2 in it on the
    current page. LaTeX math is not typeset (no MathJax); it appears as its source.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("## 执行摘要")])
    >>> html = notebook_to_html(nb, title="客户服务满意度报告", meta={"品牌": "示例"})
    >>> '<html lang="zh-CN">' in html and "执行摘要" in html
    True
    """
    if lang not in HTML_LANG:
        raise ValueError(f"notebook_to_html: lang must be one of {sorted(HTML_LANG)}, got {lang!r}")
    if not isinstance(title, str) or not title.strip():
        raise ValueError(f"notebook_to_html: title must be a non-empty str, got {title!r}")
    if subtitle is not None and not isinstance(subtitle, str):
        raise TypeError(f"notebook_to_html: subtitle must be a str or None, got {type(subtitle).__name__}")
    meta_items = _meta_items(meta)
    notebook, path = _load_notebook(nb)
    where = str(path) if path is not None else "notebook"
    _prepare(notebook, allow_errors=allow_errors, where=where)

    if not (TEMPLATE_DIR / TEMPLATE_NAME / "index.html.j2").is_file():
        raise ReportError(
            f"report template {TEMPLATE_DIR / TEMPLATE_NAME} is missing from the installation; "
            "its files must be package data (pyproject: csat_research = ['templates/**/*'])"
        )
    exporter = _exporter()
    _RENDERING.where = where
    resources = {
        "metadata": {
            "name": path.stem if path is not None else "report",
            "path": str(path.parent) if path is not None else os.getcwd(),
        },
        "csat": {
            "title": title,
            "subtitle": subtitle or "",
            "meta": meta_items,
            "html_lang": HTML_LANG[lang],
            "lang": lang,
            "figure_alt": _LABELS[lang]["figure"],
        },
    }
    try:
        body, _ = exporter.from_notebook_node(notebook, resources=resources)
    except ReportError:
        raise
    except Exception as exc:
        raise ReportError(f"{where}: nbconvert failed to render the report: {exc}") from exc
    finally:
        _RENDERING.where = None
    # nbconvert writes heading text as character references (&#25191;...); as characters they
    # stay readable in the file and searchable. Only non-ASCII ones: never markup.
    body = _NONASCII_CHARREF.sub(_charref_to_char, body)
    match = _EXTERNAL_REF.search(body)
    if match:
        start = max(0, match.start() - 60)
        raise ReportError(
            f"{where}: the rendered report would load from the network "
            f"(...{body[start:match.end() + 60]}...)"
        )
    return body


_NONASCII_CHARREF = re.compile(r"&#(?:([0-9]{3,7})|[xX]([0-9a-fA-F]{2,6}));")


def _charref_to_char(match: re.Match[str]) -> str:
    code = int(match.group(1)) if match.group(1) else int(match.group(2), 16)
    if code < 0x80 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return match.group(0)
    return chr(code)


_RENDERING = threading.local()  # per thread: its exporter and the notebook being rendered


def _sanitize_fragment(fragment: Any) -> str:
    """Template filter ``csat_sanitize``: one output's HTML, made safe (:func:`sanitize_html`)."""
    # nbconvert's heading permalinks ("¶") mean nothing on paper and end up in the PDF
    # bookmarks ("执行摘要执行摘要"): drop them.
    return sanitize_html(_ANCHOR_LINK.sub("", str(fragment)), where=getattr(_RENDERING, "where", None) or "notebook")


def _exporter() -> Any:
    """This thread's report exporter, built once: its compiled templates serve every report."""
    exporter = getattr(_RENDERING, "exporter", None)
    if exporter is not None:
        return exporter
    # Imported here: nbconvert pulls in a lot and only report rendering needs it.
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML

    class _ReportExporter(HTMLExporter):
        """nbconvert's HTML exporter without its closing BeautifulSoup pass.

        That pass re-parses the whole page (a third of the rendering time of a report) to add
        ``alt`` text to images and ``tabindex`` to input and output wrappers; the report
        template writes the ``alt`` text of every figure itself and has no input cells.
        """

        def from_notebook_node(self, nb: Any, resources: dict[str, Any] | None = None, **kw: Any) -> Any:
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", _widgets_filter(self, resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    exporter = _ReportExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
        # validate the notebook once after the preprocessors, not after each of the twelve
        optimistic_validation=True,
    )
    exporter.register_filter("csat_sanitize", _sanitize_fragment)
    # the template compiles code-cell branches even though the report shows no input
    exporter.register_filter("highlight_code", Highlight2HTML(pygments_lexer="ipython3", parent=exporter))
    _RENDERING.exporter = exporter
    return exporter


def _widgets_filter(exporter: Any, resources: dict[str, Any]) -> Any:
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    return WidgetsDataTypeFilter(notebook_metadata=exporter._nb_metadata, parent=exporter, resources=resources)


# --------------------------------------------------------------------------- PDF
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


def _html_lang(text: str) -> str:
    match = re.search(r"<html[^>]*\blang\s*=\s*[\"']?([A-Za-z]+)", text[:4096], re.IGNORECASE)
    return "en" if match and match.group(1).lower() == "en" else "zh"


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
        header: str | None = None,
        page_numbers: bool = True,
        lang: str | None = None,
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
        lang : {"zh", "en"}, optional
            Page-number wording; default from ``<html lang>``.
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
        if lang is not None and lang not in _LABELS:
            raise ValueError(f"PdfRenderer.render: lang must be one of {sorted(_LABELS)}, got {lang!r}")
        if timeout is None:
            timeout = self._timeout
        elif isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
            raise ValueError(f"PdfRenderer.render: timeout must be a positive number, got {timeout!r}")
        if self._engine is None:
            self.start()
        text = source.read_text(encoding="utf-8", errors="replace")
        css = page_css(
            lang=lang or _html_lang(text),
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
