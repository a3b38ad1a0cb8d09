"""Layout check of a rendered report: what a consultant would notice before sending the PDF.

:func:`check_layout` measures an HTML report and its PDF (from
:class:`csat_research.report.pdf.PdfRenderer`) and returns the :class:`Problem` s found, each
naming the report, the page and the element:

* **too wide** - every table, figure and preformatted block is measured in headless Chromium at
  print size (print media, a viewport as wide as the A4 content box: 210 mm less the margins of
  :data:`csat_research.report.html.PAGE_MARGINS`): its right edge must stay inside the content
  box and its ``scrollWidth`` must not exceed its ``clientWidth`` (content cut inside it);
* **text beyond the margin** - in the PDF, no word (``pdftotext -bbox``) may end right of the
  content box (what was clipped at the paper's edge);
* **split row / orphaned header / orphaned row** - from the PDF's structure tree (the PDF is
  tagged): no table row on two pages, no page of a table holding its header but no rows, no
  page holding a single row of a longer table;
* **near-empty page** - from the PDF rendered to grey pixels (``pdftoppm``): every page but the
  last is filled to at least a third of the content box (sections flow on from the previous one
  in print, so a short page is a fault wherever it is: a block too big for the rest of the page,
  or a forced page break after a short tail);
* **cover** - the cover (page 1) is coloured to the bottom of the page.

:func:`figure_problems` checks a matplotlib figure: a title, and tick labels that neither
overlap nor leave the figure.

Examples
--------
>>> from csat_research.report.layout import check_layout
>>> for problem in check_layout("report.html", "report.pdf"):  # doctest: +SKIP
...     print(problem)
baby/en p.7: table 'Customer type | n | Response efficiency | ...': too wide: 912 px > 673 px
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from csat_research.core.errors import ReportError
from csat_research.report.html import PAGE_MARGINS

__all__ = ["A4_MM", "Problem", "check_layout", "content_box_px", "figure_problems",
           "measure_html", "pdf_problems"]

#: A4 paper (width, height) in mm.
A4_MM = (210.0, 297.0)
#: Smallest share of a page's content box that must be filled.
MIN_FILL = 1 / 3
_PX_PER_MM = 96 / 25.4
_PT_PER_MM = 72 / 25.4
_TOLERANCE_PX = 1.0


def _mm(value: str) -> float:
    if not value.endswith("mm"):
        raise ValueError(f"page margin must be given in mm, got {value!r}")
    return float(value[:-2])


def content_box_px() -> float:
    """Width of the A4 content box in CSS px (96 per inch), from the report's page margins.

    >>> round(content_box_px(), 1)
    672.8
    """
    _, right, _, left = (_mm(m) for m in PAGE_MARGINS)
    return (A4_MM[0] - left - right) * _PX_PER_MM


@dataclass(frozen=True)
class Problem:
    """One layout fault: where (report, page, element) and what.

    ``page`` is 1-based, None where the element could not be placed on a page.
    ``kind`` is one of "too_wide", "beyond_margin", "split_row", "orphaned_header",
    "orphaned_row", "near_empty_page", "cover", "no_title", "overlapping_ticks",
    "outside_figure".
    """

    report: str
    page: int | None
    element: str
    kind: str
    detail: str

    def __str__(self) -> str:
        where = f"p.{self.page}" if self.page is not None else "page ?"
        return f"{self.report} {where}: {self.element}: {self.kind.replace('_', ' ')}: {self.detail}"


# ------------------------------------------------------------------------------ browser
_MEASURE_JS = """
(limit) => {
  const clean = (s) => (s || '').replace(/\\s+/g, ' ').trim();
  const out = [];
  let heading = '';
  let counts = {table: 0, figure: 0, pre: 0};
  for (const el of document.querySelectorAll('h1, h2, h3, h4, table, img, svg, pre')) {
    const tag = el.tagName.toLowerCase();
    if (/^h[1-4]$/.test(tag)) { heading = clean(el.textContent); continue; }
    if (tag === 'svg' && el.closest('img')) continue;
    const kind = tag === 'table' ? 'table' : tag === 'pre' ? 'pre' : 'figure';
    const index = counts[kind]++;
    let name = '';
    if (kind === 'table') {
      const prev = el.previousElementSibling;
      const caption = el.querySelector('caption');
      const row = el.querySelector('tr');
      const cells = row ? Array.from(row.children).map((c) => clean(c.textContent)).filter(Boolean) : [];
      name = clean(caption ? caption.textContent
                   : (prev && prev.classList.contains('csat-caption')) ? prev.textContent : '');
      const head = cells.slice(0, 4).join(' | ') + (cells.length > 4 ? ' | ...' : '');
      name = name ? `${name} (${head})` : head;
    } else if (kind === 'pre') {
      name = clean(el.textContent).slice(0, 40);
    }
    const rect = el.getBoundingClientRect();
    out.push({kind, index, name, heading,
              left: rect.left, right: rect.right, width: rect.width,
              scroll: el.scrollWidth, client: el.clientWidth,
              parent: el.parentElement ? el.parentElement.clientWidth : 0});
  }
  return out;
}
"""


def measure_html(html_path: str | Path, *, executable_path: str | None = None) -> list[dict[str, Any]]:
    """Measure the tables, figures and ``pre`` blocks of an HTML report at A4 print size.

    The page is laid out by headless Chromium with print media emulated in a viewport as wide
    as the A4 content box (:func:`content_box_px`), as the PDF printer lays it out.

    Parameters
    ----------
    html_path : str or pathlib.Path
        The HTML report.
    executable_path : str, optional
        Chromium binary; default :func:`csat_research.report.pdf.find_chromium`.

    Returns
    -------
    list of dict
        One dict per element in document order: ``kind`` ("table", "figure", "pre"),
        ``index`` (within its kind), ``name`` (caption and first header cells of a table),
        ``heading`` (the heading above it), ``left``/``right``/``width`` (bounding box, px),
        ``scroll``/``client`` (``scrollWidth``/``clientWidth``) and ``parent`` (its
        container's ``clientWidth``).

    Raises
    ------
    ReportError
        If the file is missing or Chromium cannot be started.
    """
    from csat_research.report.pdf import CHROMIUM_ARGS, find_chromium

    source = Path(html_path)
    if not source.is_file():
        raise ReportError(f"measure_html: HTML file {source} does not exist")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - Playwright is a dependency
        raise ReportError(f"measure_html needs Playwright: {exc}") from exc
    width = content_box_px()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable_path or find_chromium(),
                                     args=list(CHROMIUM_ARGS), headless=True)
        try:
            page = browser.new_page(viewport={"width": int(width), "height": 1000})
            page.route(re.compile(r"^(?!(file|data|about|blob):)"), lambda route: route.abort())
            page.emulate_media(media="print")
            page.goto(source.resolve().as_uri(), wait_until="load")
            page.evaluate("document.fonts.ready.then(() => document.fonts.status)")
            return page.evaluate(_MEASURE_JS, width)
        finally:
            browser.close()


def _width_problems(report: str, elements: Iterable[dict[str, Any]],
                    pages: dict[tuple[str, int], int]) -> list[Problem]:
    limit = content_box_px()
    out = []
    for el in elements:
        where = pages.get((el["kind"], el["index"]))
        name = _element_name(el)
        if el["right"] > limit + _TOLERANCE_PX:
            out.append(Problem(report, where, name, "too_wide",
                               f"right edge at {el['right']:.0f} px, the printable width is "
                               f"{limit:.0f} px ({el['width']:.0f} px wide)"))
        elif el["scroll"] > el["client"] + _TOLERANCE_PX and el["kind"] != "figure":
            out.append(Problem(report, where, name, "too_wide",
                               f"content {el['scroll']} px wide in a box of {el['client']} px (cut)"))
    return out


def _element_name(el: dict[str, Any]) -> str:
    label = el.get("name") or ""
    if el["kind"] == "figure":
        label = f"below '{el['heading']}'" if el.get("heading") else ""
    text = f"{el['kind']} {el['index'] + 1}"
    return f"{text} '{label}'" if label else text


# ------------------------------------------------------------------------------ PDF
def _structure(pdf_path: Path) -> tuple[int, list[dict[str, Any]]]:
    """Page count and the tagged elements (tables with their rows' pages, figures, h2)."""
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    reader = PdfReader(pdf_path)
    page_no = {p.indirect_reference.idnum: i + 1 for i, p in enumerate(reader.pages)}
    root = reader.trailer["/Root"]
    if "/StructTreeRoot" not in root:
        raise ReportError(f"{pdf_path} is not a tagged PDF (print it with PdfRenderer)")

    def page_of(node: DictionaryObject, inherited: int | None) -> int | None:
        ref = node.raw_get("/Pg") if "/Pg" in node else None
        return page_no.get(ref.idnum, inherited) if isinstance(ref, IndirectObject) else inherited

    def kids(node: DictionaryObject) -> list[Any]:
        k = node.get("/K")
        if k is None:
            return []
        k = k.get_object()
        return list(k) if isinstance(k, ArrayObject) else [k]

    def pages_in(node: Any, page: int | None, found: set[int]) -> set[int]:
        node = node.get_object()
        if isinstance(node, int) and page is not None:  # a marked-content id on ``page``
            found.add(page)
        elif isinstance(node, DictionaryObject):
            here = page_of(node, page)
            if "/MCID" in node and here is not None:
                found.add(here)
            for kid in kids(node):
                pages_in(kid, here, found)
        return found

    def elements(node: DictionaryObject) -> list[DictionaryObject]:
        out = []
        for kid in kids(node):
            kid = kid.get_object()
            if isinstance(kid, DictionaryObject) and "/S" in kid:
                out.append(kid)
        return out

    def rows(table: DictionaryObject) -> list[DictionaryObject]:
        out = []
        for kid in elements(table):
            if kid["/S"] == "/TR":
                out.append(kid)
            elif kid["/S"] in ("/THead", "/TBody", "/TFoot"):
                out += [r for r in elements(kid) if r["/S"] == "/TR"]
        return out

    found: list[dict[str, Any]] = []

    def walk(node: DictionaryObject, page: int | None) -> None:
        here = page_of(node, page)
        tag = node.get("/S")
        if tag == "/Table":
            info = []
            for row in rows(node):
                header = all(c.get("/S") == "/TH" for c in elements(row)) and bool(elements(row))
                info.append({"header": header, "pages": sorted(pages_in(row, here, set()))})
            found.append({"kind": "table", "rows": info})
            return
        if tag in ("/Figure", "/H2"):
            found.append({"kind": "figure" if tag == "/Figure" else "h2",
                          "pages": sorted(pages_in(node, here, set()))})
            if tag == "/Figure":
                return
        for kid in elements(node):
            walk(kid, here)

    walk(root["/StructTreeRoot"].get_object(), None)
    return len(reader.pages), found


def _fill(pdf_path: Path, n_pages: int) -> list[tuple[float, float]]:
    """Per page: (share of the content box filled from its top, share of the page's rows inked)."""
    import numpy as np
    from PIL import Image

    top, _, bottom, _ = (_mm(m) for m in PAGE_MARGINS)
    if shutil.which("pdftoppm") is None:
        raise ReportError("the layout check needs pdftoppm: apt-get install poppler-utils")
    out = []
    with tempfile.TemporaryDirectory(prefix="csat-layout-") as tmp:
        subprocess.run(["pdftoppm", "-gray", "-r", "30", str(pdf_path), f"{tmp}/p"],
                       check=True, capture_output=True)
        files = sorted(Path(tmp).glob("p-*.pgm"), key=lambda p: int(p.stem.split("-")[1]))
        for f in files[:n_pages]:
            pixels = np.asarray(Image.open(f), dtype=float)
            inked = (pixels < 235).any(axis=1)
            height = pixels.shape[0]
            y0 = round(height * top / A4_MM[1])
            y1 = round(height * (A4_MM[1] - bottom) / A4_MM[1])
            body = np.flatnonzero(inked[y0:y1])
            filled = (body[-1] + 1) / (y1 - y0) if body.size else 0.0
            out.append((float(filled), float(inked.mean())))
    return out


def _beyond_margin(report: str, pdf_path: Path) -> list[Problem]:
    """Words of the PDF that end right of the content box."""
    if shutil.which("pdftotext") is None:
        raise ReportError("the layout check needs pdftotext: apt-get install poppler-utils")
    text = subprocess.run(["pdftotext", "-bbox", "-enc", "UTF-8", str(pdf_path), "-"],
                          capture_output=True, check=True, text=True).stdout
    _, right, _, _ = (_mm(m) for m in PAGE_MARGINS)
    out = []
    pages = re.split(r"<page ", text)[1:]
    for number, page in enumerate(pages, 1):
        width = float(re.match(r'width="([\d.]+)"', page).group(1))
        limit = width - right * _PT_PER_MM + 1.0
        words = [(float(m.group(1)), m.group(2)) for m in
                 re.finditer(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', page)]
        over = [w for x, w in words if x > limit]
        if over and number > 1:
            out.append(Problem(report, number, f"text {' '.join(over[:6])!r}", "beyond_margin",
                               f"{len(over)} word(s) end right of the printable width "
                               f"({limit:.0f} pt of {width:.0f} pt)"))
    return out


def pdf_problems(pdf_path: str | Path, *, report: str | None = None,
                 names: dict[tuple[str, int], str] | None = None) -> list[Problem]:
    """The problems that the PDF itself shows (rows, page fill, cover, clipped text).

    Parameters
    ----------
    pdf_path : str or pathlib.Path
        A tagged PDF printed by :class:`~csat_research.report.pdf.PdfRenderer`.
    report : str, optional
        Name of the report in the messages; default the PDF's path.
    names : dict, optional
        ("table", index) -> element name (from :func:`measure_html`).

    Returns
    -------
    list of Problem

    Raises
    ------
    ReportError
        If the file is missing or not a tagged PDF, or poppler-utils are not installed.
    """
    path = Path(pdf_path)
    if not path.is_file():
        raise ReportError(f"pdf_problems: PDF file {path} does not exist")
    report = report or str(path)
    names = names or {}
    n_pages, found = _structure(path)
    out: list[Problem] = []
    tables = [f for f in found if f["kind"] == "table"]
    for index, table in enumerate(tables):
        name = f"table {index + 1} '{names[('table', index)]}'" if ("table", index) in names \
            else f"table {index + 1}"
        body = [r for r in table["rows"] if not r["header"]]
        head = [r for r in table["rows"] if r["header"]]
        for number, row in enumerate(body, 1):
            if len(row["pages"]) > 1:
                out.append(Problem(report, row["pages"][0], name, "split_row",
                                   f"row {number} runs over pages {row['pages']}"))
        table_pages = sorted({p for r in table["rows"] for p in r["pages"]})
        for page in table_pages:
            on_page = sum(1 for r in body if page in r["pages"])
            if on_page == 0 and any(page in r["pages"] for r in head) and body:
                out.append(Problem(report, page, name, "orphaned_header",
                                   "the header is on this page, its rows on the next"))
            elif on_page == 1 and len(body) > 1 and len(table_pages) > 1:
                out.append(Problem(report, page, name, "orphaned_row",
                                   f"one of its {len(body)} rows alone on this page"))
    fills = _fill(path, n_pages)
    if fills and fills[0][1] < 0.97:
        out.append(Problem(report, 1, "cover", "cover",
                           f"coloured over {fills[0][1]:.0%} of the page height, not all of it"))
    for page in range(2, n_pages):  # the last page may end anywhere
        filled = fills[page - 1][0]
        if filled >= MIN_FILL:
            continue
        out.append(Problem(report, page, f"page {page}", "near_empty_page",
                           f"filled to {filled:.0%} of its height (at least {MIN_FILL:.0%} "
                           "expected)"))
    out += _beyond_margin(report, path)
    return out


def _figure_pages(found_pages: list[list[int]]) -> dict[tuple[str, int], int]:
    return {("figure", i): p[0] for i, p in enumerate(found_pages) if p}


def check_layout(html_path: str | Path, pdf_path: str | Path, *, report: str | None = None,
                 executable_path: str | None = None) -> list[Problem]:
    """Check the layout of a rendered report: its HTML (measured in Chromium) and its PDF.

    Parameters
    ----------
    html_path : str or pathlib.Path
        The HTML report the PDF was printed from.
    pdf_path : str or pathlib.Path
        Its PDF (tagged, from :class:`~csat_research.report.pdf.PdfRenderer`).
    report : str, optional
        Name of the report in the messages (e.g. "baby/en"); default the PDF's path.
    executable_path : str, optional
        Chromium binary; default :func:`csat_research.report.pdf.find_chromium`.

    Returns
    -------
    list of Problem
        Empty when the layout is clean. See the module docstring for what is checked.

    Raises
    ------
    ReportError
        If a file is missing, the PDF is not tagged, or Chromium / poppler-utils are missing.
    """
    report = report or str(pdf_path)
    elements = measure_html(html_path, executable_path=executable_path)
    names = {(e["kind"], e["index"]): e["name"] for e in elements if e["name"]}
    n_pages, found = _structure(Path(pdf_path))
    del n_pages
    pages: dict[tuple[str, int], int] = {}
    tables = [f for f in found if f["kind"] == "table"]
    for index, table in enumerate(tables):
        all_pages = sorted({p for r in table["rows"] for p in r["pages"]})
        if all_pages:
            pages[("table", index)] = all_pages[0]
    pages.update(_figure_pages([f["pages"] for f in found if f["kind"] == "figure"]))
    return _width_problems(report, elements, pages) + pdf_problems(pdf_path, report=report, names=names)


# ------------------------------------------------------------------------------ figures
def figure_problems(fig: Any, *, name: str = "figure") -> list[Problem]:
    """Check a matplotlib figure: a title, tick labels that do not overlap or leave the figure.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure, as it will be saved (it is drawn once to measure its texts).
    name : str, default "figure"
        Name of the figure in the messages.

    Returns
    -------
    list of Problem
        ``page`` is None; ``report`` is "figure".

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(2, 2))
    >>> _ = ax.set_xticks(range(5), ["a long label"] * 5, fontsize=10)
    >>> kinds = {p.kind for p in figure_problems(fig)}
    >>> sorted(kinds & {"no_title", "overlapping_ticks"})
    ['no_title', 'overlapping_ticks']
    >>> plt.close(fig)
    >>> fig, ax = plt.subplots(figsize=(4, 3))
    >>> _ = ax.set_title("Scores")
    >>> _ = ax.set_xticks(range(5), list("abcde"), fontsize=10)
    >>> figure_problems(fig)
    []
    >>> plt.close(fig)
    """
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    bounds = fig.bbox
    out: list[Problem] = []
    axes = [ax for ax in fig.get_axes() if ax.get_label() != "<colorbar>"]
    titled = bool(fig.get_suptitle())
    if not titled and not any(ax.get_title(loc=loc) for ax in axes for loc in ("left", "center", "right")):
        out.append(Problem("figure", None, name, "no_title", "the figure has no title"))
    for number, ax in enumerate(fig.get_axes(), 1):
        for axis_name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            if not (ax.axison and axis.get_visible()):
                continue
            # only the labels drawn: a locator also labels ticks beyond the view limits
            lo, hi = sorted(axis.get_view_interval())
            span = (hi - lo) * 1e-9
            labels = [t for loc, t in zip(axis.get_ticklocs(), axis.get_ticklabels(), strict=False)
                      if lo - span <= loc <= hi + span]
            boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in labels
                     if t.get_visible() and t.get_text().strip()]
            for (text_a, a), (text_b, b) in zip(boxes, boxes[1:]):
                if a.overlaps(b) and a.intersection(a, b).width > 0.5 and a.intersection(a, b).height > 0.5:
                    out.append(Problem("figure", None, f"{name}, axes {number}", "overlapping_ticks",
                                       f"{axis_name} tick labels {text_a!r} and {text_b!r} overlap"))
            for text, box in boxes:
                if box.x0 < bounds.x0 - 1 or box.x1 > bounds.x1 + 1 or box.y0 < bounds.y0 - 1 \
                        or box.y1 > bounds.y1 + 1:
                    out.append(Problem("figure", None, f"{name}, axes {number}", "outside_figure",
                                       f"{axis_name} tick label {text!r} leaves the figure"))
    return out
