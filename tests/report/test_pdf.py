"""Tests of csat_research.report.pdf: HTML report -> A4 PDF with headless Chromium.

The e2e tests print the HTML of a notebook executed by a real kernel (fixtures ``executed_nb``
and ``report_html`` in ``conftest.py``) with headless Chromium, then read the PDF text back
with pdftotext / pypdf.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from csat_research.core.errors import CsatWarning, ReportError
from csat_research.core.files import atomic_write_text
from csat_research.report import pdf as pdf_module
from csat_research.report.html import notebook_to_html
from csat_research.report.pdf import PdfRenderer, find_chromium
from tests.report.notebook_helpers import code as _code
from tests.report.notebook_helpers import display as _display
from tests.report.notebook_helpers import nb as _nb
from tests.report.notebook_helpers import stream as _stream

v4 = nbformat.v4
SCRIPT = "<script>alert(1)</script>"




def _pdftotext(pdf: Path, *, first: int | None = None, last: int | None = None,
               layout: bool = False) -> str:
    cmd = ["pdftotext", "-enc", "UTF-8"] + (["-layout"] if layout else [])
    if first is not None:
        cmd += ["-f", str(first), "-l", str(last if last is not None else first)]
    return subprocess.run(cmd + [str(pdf), "-"], capture_output=True, check=True,
                          text=True).stdout


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --------------------------------------------------------------------------- chromium lookup
def test_find_chromium_env_override(monkeypatch, tmp_path):
    fake = tmp_path / "my-chrome"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("CSAT_CHROMIUM", str(fake))
    assert find_chromium() == str(fake.resolve())
    monkeypatch.setenv("CSAT_CHROMIUM", str(tmp_path / "missing"))
    with pytest.raises(ReportError, match="CSAT_CHROMIUM=.*missing.*apt-get install chromium fonts-noto-cjk"):
        find_chromium()


def test_find_chromium_missing_gives_install_hint(monkeypatch, tmp_path):
    monkeypatch.delenv("CSAT_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ReportError, match="no Chromium found.*apt-get install chromium fonts-noto-cjk"):
        find_chromium()
    with pytest.raises(ReportError, match="no Chromium found"):
        PdfRenderer().start()


def test_pdf_renderer_rejects_bad_arguments():
    with pytest.raises(ValueError, match="engine must be 'auto', 'playwright' or 'cli', got 'wk'"):
        PdfRenderer(engine="wk")
    with pytest.raises(ValueError, match="timeout must be a positive number"):
        PdfRenderer(timeout=0)
    for bad in (0, 1.5, True):
        with pytest.raises(ValueError, match=f"tabs must be an int >= 1, got {bad!r}"):
            PdfRenderer(tabs=bad)


def test_pdf_renderer_falls_back_to_cli_when_playwright_fails(monkeypatch):
    chromium = shutil.which("chromium") or "/bin/true"

    def broken(self, executable):
        raise RuntimeError("playwright driver missing")

    monkeypatch.setattr(PdfRenderer, "_start_playwright", broken)
    with pytest.warns(CsatWarning, match="playwright driver missing.*falling back"):
        renderer = PdfRenderer(executable_path=chromium).start()
    assert renderer.engine == "cli"
    renderer.close()
    with pytest.raises(ReportError, match="Playwright could not start Chromium"):
        PdfRenderer(engine="playwright", executable_path=chromium).start()


# =========================================================================== e2e
def _require_chromium() -> None:
    """Skip the test where no Chromium is installed (the message says how to install it)."""
    try:
        find_chromium()
    except ReportError as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def pdf_renderer():
    _require_chromium()
    with PdfRenderer(engine="playwright") as renderer:
        yield renderer


@pytest.mark.e2e
def test_e2e_pdf_text_pages_and_fonts(report_html, pdf_renderer, tmp_path):
    from pypdf import PdfReader

    pdf = pdf_renderer.render(report_html, tmp_path / "report.pdf", lang="zh")
    reader = PdfReader(pdf)
    n_pages = len(reader.pages)
    assert n_pages >= 4  # cover, summary, long table over >= 2 pages
    text = _pdftotext(pdf)
    flat = _compact(text)
    for expected in ("家电品类客户服务满意度研究报告", "执行摘要", "整体满意度", "响应效率",
                     "客服很耐心", "回答不在点上", "示例家电旗舰店", SCRIPT):
        assert expected in flat, expected
    assert "import" not in text and "debug: loaded" not in text
    # page numbers from page 2 on, none on the cover
    assert re.search(rf"第\s*2\s*/\s*{n_pages}\s*页", text)
    # PDF bookmarks from the headings
    titles = [item.title for item in reader.outline[1]] if len(reader.outline) > 1 else []
    assert titles == ["执行摘要", "原声明细"], reader.outline
    assert not re.search(r"第\s*1\s*/", _pdftotext(pdf, first=1))
    # Text is real, searchable text: every font embedded and with a ToUnicode map.
    # (Chromium's Skia writes the CFF-based Noto CJK faces as Type 3 fonts: vector glyphs,
    # so no font name to check; the Chinese strings found above prove the mapping.)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts
    for line in fonts:  # columns: name type encoding emb sub uni object-id gen
        emb, uni = line.split()[-5], line.split()[-3]
        assert emb == "yes" and uni == "yes", line


@pytest.mark.e2e
def test_e2e_long_table_repeats_header_and_keeps_rows_whole(report_html, pdf_renderer, tmp_path):
    pdf = pdf_renderer.render(report_html, tmp_path / "report.pdf", lang="zh")
    from pypdf import PdfReader

    n_pages = len(PdfReader(pdf).pages)
    # one list of compacted text lines per page (-layout keeps table rows on one line)
    pages = [[_compact(line) for line in _pdftotext(pdf, first=i, layout=True).splitlines()]
             for i in range(1, n_pages + 1)]
    table_pages = [i for i, lines in enumerate(pages) if any(re.match(r"R\d{3}", x) for x in lines)]
    assert len(table_pages) >= 2
    for i in table_pages:  # header row on every page of the table
        assert "编号渠道评分原声" in pages[i], i
    for k in range(1, 121):  # every row whole on one page: id, channel, score and text together
        row = (f"R{k:03d}" + ["微信", "App", "网页"][(k - 1) % 3] + str(((k - 1) % 5) + 1)
               + f"第{k}条：物流更新太慢，客服回答不在点上")
        assert sum(row in lines for lines in pages) == 1, row


@pytest.mark.e2e
def test_e2e_one_renderer_two_files_and_english(executed_nb, report_html, pdf_renderer, tmp_path):
    html_en = notebook_to_html(executed_nb, title="Appliances CSAT report", lang="en",
                               meta={"Brand": "Demo store", "Wave": "2026Q3"})
    en_path = atomic_write_text(tmp_path / "report_en.html", html_en)
    browser = pdf_renderer._browser
    first = pdf_renderer.render(report_html, tmp_path / "a.pdf", lang="zh")
    second = pdf_renderer.render(en_path, tmp_path / "b.pdf", lang="en", header="Appliances · 2026Q3")
    assert pdf_renderer._browser is browser and pdf_renderer.engine == "playwright"
    assert "执行摘要" in _compact(_pdftotext(first))
    text_en = _pdftotext(second)
    assert re.search(r"Page 2 of \d+", text_en) and "Appliances · 2026Q3" in text_en
    assert not re.search(r"第\s*\d+\s*/\s*\d+\s*页", text_en)


@pytest.mark.e2e
def test_e2e_sections_from_html_outputs_start_right_after_the_cover(pdf_renderer, tmp_path):
    # Report notebooks often write headings with display(HTML("<h2>...</h2>")).
    def cell(*fragments):
        return _code([_stream("stdout", "  \n")] + [_display({"text/html": f}) for f in fragments])

    nb = _nb(cell("<h2>执行摘要</h2>", "<p>正文一</p>"), cell("<h2>数据质量</h2>", "<p>正文二</p>"))
    html = atomic_write_text(tmp_path / "r.html", notebook_to_html(nb, title="分节测试"))
    pdf = pdf_renderer.render(html, tmp_path / "r.pdf", lang="zh")
    from pypdf import PdfReader

    # cover, then the sections flow on one page (no page forced per h2, no blank page)
    assert len(PdfReader(pdf).pages) == 2
    page = _compact(_pdftotext(pdf, first=2))
    assert "执行摘要" in page and "数据质量" in page and page.index("执行摘要") < page.index("数据质量")


@pytest.mark.e2e
def test_e2e_failed_render_keeps_previous_pdf(report_html, pdf_renderer, tmp_path):
    target = tmp_path / "report.pdf"
    pdf_renderer.render(report_html, target, lang="zh")
    good = target.read_bytes()
    assert good.startswith(b"%PDF-")
    with pytest.raises(ReportError, match="HTML file .*missing.html does not exist"):
        pdf_renderer.render(tmp_path / "missing.html", target, lang="zh")
    # A real failure half-way: Chromium cannot load and print the page in 1 ms.
    with pytest.raises(ReportError, match="Chromium failed to print .*report.html.*Timeout"):
        pdf_renderer.render(report_html, target, timeout=0.001, lang="zh")
    assert target.read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.pdf"]


@pytest.mark.e2e
def test_e2e_renderer_restarts_a_dead_browser(report_html, pdf_renderer, tmp_path):
    pdf_renderer._call(pdf_renderer._browser.close(), 30)  # Chromium dies between two reports
    with pytest.warns(CsatWarning, match="Chromium had exited"):
        pdf = pdf_renderer.render(report_html, tmp_path / "after_crash.pdf", lang="zh")
    assert "执行摘要" in _compact(_pdftotext(pdf))
    assert pdf_renderer._browser.is_connected()


@pytest.mark.e2e
def test_e2e_renderer_prints_from_several_threads_at_once(report_html, pdf_renderer, tmp_path):
    """Worker threads share one browser; two files print at once in two tabs (contexts)."""
    from concurrent.futures import ThreadPoolExecutor

    targets = [tmp_path / f"t{i}.pdf" for i in range(4)]
    with ThreadPoolExecutor(4) as pool:
        done = list(pool.map(lambda t: pdf_renderer.render(report_html, t, lang="zh"), targets))
    assert done == targets
    for t in targets:
        assert "执行摘要" in _compact(_pdftotext(t))
    assert 1 <= len(pdf_renderer._all_tabs) <= 2 and len(pdf_renderer._free_tabs) == len(pdf_renderer._all_tabs)
    assert sorted(p.name for p in tmp_path.iterdir()) == [t.name for t in targets]


@pytest.mark.e2e
def test_e2e_chromium_keeps_playwrights_switches_and_starts_no_omnibox_webui(report_html, pdf_renderer, tmp_path):
    import psutil

    pdf_renderer.render(report_html, tmp_path / "r.pdf", lang="zh")
    procs = []
    for p in psutil.Process().children(recursive=True):
        try:
            procs.append(p.cmdline())
        except psutil.Error:
            continue
    browsers = [c for c in procs if "--remote-debugging-pipe" in c and not any(a.startswith("--type=") for a in c)]
    assert browsers, "no Chromium browser process found"
    lists = [a.split("=", 1)[1].split(",") for a in browsers[0] if a.startswith("--disable-features=")]
    # Playwright's own list comes first; Chromium reads only the last switch, ours
    assert len(lists) == 2
    assert set(lists[0]) <= set(lists[-1]), f"Playwright disables more now: {set(lists[0]) - set(lists[-1])}"
    assert {"WebUIOmniboxPopup", "WebUIOmniboxAimPopup"} <= set(lists[-1])
    renderers = [c for c in procs if "--type=renderer" in c]
    assert renderers and not [c for c in renderers if "--top-chrome-webui" in c]


@pytest.mark.e2e
def test_e2e_renderer_blocks_network_requests(pdf_renderer, tmp_path):
    page = tmp_path / "foreign.html"
    page.write_text('<!DOCTYPE html><html lang="en"><head><title>Foreign</title>'
                    '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">'
                    '</head><body><h1>Hello</h1><img src="https://example.com/x.png"></body></html>',
                    encoding="utf-8")
    pdf = pdf_renderer.render(page, tmp_path / "foreign.pdf", lang="zh")
    assert "Hello" in _pdftotext(pdf)
    assert "https://fonts.googleapis.com/css?family=Roboto" in pdf_renderer.blocked_requests
    assert "https://example.com/x.png" in pdf_renderer.blocked_requests


@pytest.mark.e2e
def test_e2e_cli_engine(report_html, tmp_path):
    _require_chromium()
    with PdfRenderer(engine="cli") as renderer:
        assert renderer.engine == "cli"
        pdf = renderer.render(report_html, tmp_path / "cli.pdf", lang="zh")
    text = _pdftotext(pdf)
    assert "执行摘要" in _compact(text) and re.search(r"第\s*2\s*/\s*\d+\s*页", text)


@pytest.mark.e2e
def test_e2e_playwright_driver_keeps_compiled_javascript_in_the_cache(tmp_path, monkeypatch):
    _require_chromium()
    monkeypatch.setenv("CSAT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("NODE_COMPILE_CACHE", raising=False)
    page = tmp_path / "p.html"
    page.write_text('<!DOCTYPE html><html lang="en"><title>T</title><p>Hello</p></html>', encoding="utf-8")
    with PdfRenderer(engine="playwright") as renderer:
        renderer.render(page, tmp_path / "p.pdf", lang="zh")
    assert os.environ["NODE_COMPILE_CACHE"] == str(tmp_path / "cache" / "node-compile-cache")
    written = [p for p in (tmp_path / "cache" / "node-compile-cache").rglob("*") if p.is_file()]
    assert written, "the driver wrote no compile cache"
    monkeypatch.setenv("NODE_COMPILE_CACHE", str(tmp_path / "mine"))  # a value already set wins
    pdf_module._use_node_compile_cache()
    assert os.environ["NODE_COMPILE_CACHE"] == str(tmp_path / "mine")


def test_render_takes_the_language_and_never_guesses_it():
    from csat_research.report.html import page_number_css

    assert page_number_css("zh") == '"第 " counter(page) " / " counter(pages) " 页"'
    assert page_number_css("en") == '"Page " counter(page) " of " counter(pages)'
    renderer = PdfRenderer()
    with pytest.raises(TypeError, match="lang"):
        renderer.render("a.html", "a.pdf")  # no default: the caller knows the report language
    with pytest.raises(ValueError, match=r"lang must be one of \['en', 'zh'\], got 'fr'"):
        renderer.render(__file__, "a.pdf", lang="fr")
