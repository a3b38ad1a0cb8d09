"""HTML sanitiser of the client report: allow-listed markup is kept, anything else is shown as text.

Survey answers are data, never markup. Every HTML fragment that reaches the report
(``text/html`` and ``text/markdown`` outputs, markdown cells, raw HTML cells) passes
:func:`sanitize_html`: known formatting and table tags are kept, anything else
(``<script>``, ``<iframe>``, ``<object>``, event handlers, ``javascript:`` links) is
*escaped* and so shown as text. This matters for pandas ``Styler``, whose ``to_html``
does not escape cell values by default, and for ``display(Markdown(...))`` built from
open answers.

Besides cleaning, the sanitiser lays out tables that come without layout classes (a DataFrame a
custom notebook displays: numeric columns get class ``csat-num``, long text ``csat-text``, wide
tables ``csat-wide`` / ``csat-xwide``; the report's own :class:`~csat_research.report.display.DisplayTable`
sets these itself), shows
the URL of an external link beside its text, and refuses what a self-contained report
cannot hold (images that are not ``data:`` URIs, CSS ``url()`` / ``@import``).

Why not nh3 (ammonia): it removes disallowed markup - ``<script>`` with its content - where
the report must show an open answer such as ``<script>alert(1)</script>`` as text; it parses
a fragment in ``<body>`` context (``nh3.clean("<td>x</td>")`` gives ``"x"``, ``"a<b"`` gives
``"a"``); and an exception raised in its ``attribute_filter`` is swallowed, so a non-embedded
image would silently lose its ``src`` instead of stopping the report.
"""

from __future__ import annotations

import html as _html
import re
from html.parser import HTMLParser
from typing import Any

from csat_research.core.errors import ReportError

__all__ = ["sanitize_html"]

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
        """Set the layout classes: csat-num (numeric columns), csat-text, csat-(x)wide.

        A table built by :class:`csat_research.report.display.DisplayTable` (class
        ``csat-table``) carries its classes already, from what it knows about its columns; only
        other tables (a DataFrame or Styler a custom notebook displays) are classed from their text.
        """
        if "csat-table" in dict(self.start.attrs).get("class", "").split():
            return
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
    """Allow-list HTML sanitiser; disallowed markup is escaped (shown as text).

    Hand-written rather than nh3: nh3 drops disallowed markup, the report shows it as text (module docstring).
    """

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
