"""Executed notebook -> one self-contained HTML client report (nbconvert).

:func:`notebook_to_html` turns an *executed* notebook into one self-contained HTML file with
nbconvert and the ``csat_report`` template shipped in ``csat_research/templates/``: no code,
no prompts, no stderr, a cover block, the narrative (markdown cells), the tables and the
figures (embedded as data URIs), all CSS inline and nothing fetched from the network. Every
HTML fragment passes :func:`csat_research.report.sanitize.sanitize_html`.

:func:`page_css` holds the A4 page rules (running header, page numbers) that
:class:`csat_research.report.pdf.PdfRenderer` adds when it prints such a file.

Examples
--------
>>> from csat_research.core.files import atomic_write_text
>>> from csat_research.report.html import notebook_to_html
>>> html = notebook_to_html("executed.ipynb", title="家电品类客户服务满意度研究报告",
...                         meta={"品牌": "示例家电旗舰店", "波次": "2026Q3"})  # doctest: +SKIP
>>> atomic_write_text("report.html", html)  # doctest: +SKIP
"""

from __future__ import annotations

import copy
import os
import re
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import nbformat

from csat_research.core.errors import ReportError
from csat_research.report.i18n import text
from csat_research.report.sanitize import sanitize_html

__all__ = [
    "FONT_STACK", "HTML_LANG", "PAGE_MARGINS", "TEMPLATE_DIR", "notebook_to_html", "page_css",
]

TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "templates"
TEMPLATE_NAME = "csat_report"

#: ``lang`` value -> ``<html lang>`` attribute.
HTML_LANG = {"zh": "zh-CN", "en": "en"}

#: Font stack of the report (CSS syntax); the first installed font wins.
FONT_STACK = ("'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'PingFang SC', "
              "'Microsoft YaHei', sans-serif")

#: A4 page margins (top, right, bottom, left), also used by the template's CSS.
PAGE_MARGINS = ("20mm", "16mm", "20mm", "16mm")



def page_number_css(lang: str) -> str:
    """CSS ``content`` of the page number in ``lang``, from the catalogue's ``page.number``.

    >>> page_number_css("en")
    '"Page " counter(page) " of " counter(pages)'
    """
    parts = re.split(r"(\{page\}|\{pages\})", text("page.number", lang))
    css = {"{page}": "counter(page)", "{pages}": "counter(pages)"}
    return " ".join(css.get(p) or '"' + p.replace('"', '\\"') + '"' for p in parts if p)

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
    """Drop what a client must not see: stderr, error outputs, matplotlib reprs, empty HTML blocks."""
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
            if kind == "display_data" and "text/html" in data and not "".join(data["text/html"]).strip():
                continue  # an empty paragraph block: it would sit between a heading and its content
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
    if lang not in HTML_LANG:
        raise ValueError(f"page_css: lang must be one of {sorted(HTML_LANG)}, got {lang!r}")
    box = f"font-family: {FONT_STACK}; font-size: 8pt; color: #6b7280;"
    top, right, bottom, left = PAGE_MARGINS
    rules = [f"@page {{ size: A4; margin: {top} {right} {bottom} {left};"]
    if header:
        escaped = header.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
        rules.append(f'  @top-left {{ content: "{escaped}"; {box} vertical-align: bottom; '
                     "padding-bottom: 4mm; }")
        rules.append("  @top-right { content: none; }")
    if page_numbers:
        rules.append(f"  @bottom-center {{ content: {page_number_css(lang)}; {box} "
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
    ``page-break`` starts it on a new page (sections otherwise flow on in print, a heading kept
    with the block after it; empty HTML blocks are left out). LaTeX math is not typeset (no MathJax); it appears as its source.

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
            "figure_alt": text("page.figure_alt", lang),
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
