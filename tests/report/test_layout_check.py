"""Tests of csat_research.report.layout: the layout check of rendered reports.

The check itself is shown to fail on pages made to fail (a 30-column table, a page left nearly
empty), then it runs on the four demo reports rendered in Chinese and in English, which must
pass it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml
from pypdf import PdfReader

from csat_research.core.errors import ReportError
from csat_research.core.files import atomic_write_text
from csat_research.report.html import notebook_to_html
from csat_research.report.layout import (
    Problem,
    check_layout,
    content_box_px,
    pdf_problems,
)
from csat_research.report.pdf import PdfRenderer, find_chromium
from tests.report.notebook_helpers import code, display, nb

ROOT = Path(__file__).resolve().parents[2]
CATEGORIES = ("appliances", "apparel", "beauty", "baby")
v4_md = nbformat.v4.new_markdown_cell


def test_problem_names_report_page_and_element():
    p = Problem("baby/en", 7, "table 9 'Customer type | n'", "too_wide", "right edge at 1103 px")
    assert str(p) == "baby/en p.7: table 9 'Customer type | n': too wide: right edge at 1103 px"
    assert "page ?" in str(Problem("r", None, "figure 1", "no_title", "no title"))


def test_content_box_is_a4_less_the_margins():
    assert content_box_px() == pytest.approx((210 - 32) / 25.4 * 96)


def test_missing_pdf_is_named(tmp_path):
    with pytest.raises(ReportError, match="PDF file .*missing.pdf does not exist"):
        pdf_problems(tmp_path / "missing.pdf")


# =========================================================================== e2e
@pytest.fixture(scope="module")
def renderer():
    try:
        find_chromium()
    except ReportError as exc:
        pytest.skip(str(exc))
    if shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None:
        pytest.fail("pdftoppm and pdftotext (Debian poppler-utils) are required")
    with PdfRenderer(engine="playwright") as pdf:
        yield pdf


def _render(renderer, tmp_path, notebook, name):
    html = tmp_path / f"{name}.html"
    atomic_write_text(html, notebook_to_html(notebook, title="Layout check", lang="en"))
    pdf = renderer.render(html, tmp_path / f"{name}.pdf", lang="en")
    return html, pdf


def _html_output(frame: pd.DataFrame):
    return code([display({"text/html": frame.to_html(index=False)})])


def _paragraphs(n: int) -> str:
    return "\n\n".join(f"Paragraph {i} of the section, long enough to fill a line of the page "
                       "with ordinary report prose about satisfaction." for i in range(n))


@pytest.mark.e2e
@pytest.mark.slow
def test_check_fails_on_a_too_wide_table_and_names_it(renderer, tmp_path):
    wide = pd.DataFrame([[f"value_{r}_{c:02d}" for c in range(30)] for r in range(4)],
                        columns=[f"Column {c:02d}" for c in range(30)])
    narrow = pd.DataFrame({"Dimension": ["Quality", "Efficiency"], "Mean": [3.9, 3.2]})
    notebook = nb(v4_md("## Wide table section"), _html_output(narrow), _html_output(wide))
    html, pdf = _render(renderer, tmp_path, notebook, "wide")
    problems = check_layout(html, pdf, report="wide-demo")
    too_wide = [p for p in problems if p.kind == "too_wide"]
    assert len(too_wide) == 1, [str(p) for p in problems]
    p = too_wide[0]
    assert p.report == "wide-demo" and p.page == 2
    assert p.element.startswith("table 2 'Column 00 | Column 01")
    assert "printable width is 673 px" in p.detail
    text = str(p)
    assert text.startswith("wide-demo p.2: table 2 'Column 00") and "too wide" in text
    # Chromium shrinks the whole document to fit the table: the cover no longer fills its page
    assert any(p.kind == "cover" for p in problems)


@pytest.mark.e2e
@pytest.mark.slow
def test_check_fails_on_a_nearly_empty_page_and_sections_flow_on(renderer, tmp_path):
    # a forced page break after a short tail leaves page 2 nearly empty: a fault
    broken = v4_md(_paragraphs(12))
    broken.metadata["tags"] = ["page-break"]
    notebook = nb(v4_md("## First section\n\n" + _paragraphs(2)), broken,
                  v4_md("## Second section\n\n" + _paragraphs(3)))
    html, pdf = _render(renderer, tmp_path, notebook, "empty")
    problems = check_layout(html, pdf, report="empty-demo")
    assert [(p.kind, p.page) for p in problems] == [("near_empty_page", 2)], [str(p) for p in problems]
    assert problems[0].detail.startswith("filled to ")
    # without a forced break the next section starts on the page where the last one ends
    # (page 3 holds the tail of the first section and the second section): no short page
    notebook = nb(v4_md("## First section\n\n" + _paragraphs(23)), v4_md("## Second section\n\n" + _paragraphs(3)))
    html, pdf = _render(renderer, tmp_path, notebook, "tail")
    tail = subprocess.run(["pdftotext", "-f", "3", "-l", "3", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Paragraph 22 of the section" in tail and "Second section" in tail
    assert len(PdfReader(pdf).pages) == 3
    assert check_layout(html, pdf, report="tail-demo") == []


@pytest.mark.e2e
@pytest.mark.slow
def test_a_heading_stays_with_the_block_after_it(renderer, tmp_path):
    # the heading of a section is its own output block (as tables.heading writes it), followed by
    # an empty block and a table: the heading must not be left alone at the foot of a page
    frame = pd.DataFrame({"Dimension": [f"Dimension {i}" for i in range(14)], "Mean": [3.5] * 14})
    frame_html = frame.to_html(index=False).replace("<table", '<table class="csat-keep"')
    notebook = nb(v4_md("## First section\n\n" + _paragraphs(19)),
                  code([display({"text/html": "<h2>Second section</h2>"}), display({"text/html": ""}),
                        display({"text/html": frame_html})]))
    html, pdf = _render(renderer, tmp_path, notebook, "keep")
    pages = [subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"], capture_output=True,
                            text=True, check=True).stdout for n in range(1, len(PdfReader(pdf).pages) + 1)]
    heading = [n for n, text in enumerate(pages, 1) if "Second section" in text]
    table = [n for n, text in enumerate(pages, 1) if "Dimension 0" in text]
    assert heading == table and len(heading) == 1, (heading, table)


@pytest.fixture(scope="module")
def demo_reports(tmp_path_factory):
    """The four shipped params, each rendered in Chinese and in English, on a small demo study."""
    from csat_research.demo.generator import write_demo_study
    from csat_research.run.runner import run_batch

    tmp = tmp_path_factory.mktemp("layout")
    data = tmp / "data"
    write_demo_study(data, seed=7, n=400, categories=CATEGORIES)
    folders = []
    for lang in ("zh", "en"):
        folder = tmp / "params" / lang
        folder.mkdir(parents=True)
        for category in CATEGORIES:
            doc = yaml.safe_load((ROOT / "params" / f"{category}.yaml").read_text(encoding="utf-8"))
            doc.pop("history", None)  # one wave only: the earlier waves are not written here
            doc["data"]["responses"]["path"] = str(data / category / "responses.csv")
            doc["data"]["tickets"]["path"] = str(data / category / "tickets.csv")
            if doc["study"].get("language", "zh") != lang:
                doc["study"]["language"] = lang
                doc["study"].pop("title", None)
            doc["output"] = {"dir": str(tmp / "reports" / lang), "formats": ["html", "pdf"]}
            doc["analysis"]["n_boot"] = 50
            (folder / f"{category}.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
        folders.append(folder)
    result = run_batch(folders, workers=2, progress=False)
    assert not result.failed, [f.error for f in result.failed]
    return {(category, lang): tmp / "reports" / lang / category / "2026Q3"
            for lang in ("zh", "en") for category in CATEGORIES}


@pytest.mark.e2e
@pytest.mark.slow
def test_demo_reports_pass_the_layout_check_in_both_languages(demo_reports):
    problems = []
    for (category, lang), folder in demo_reports.items():
        html, pdf = folder / "report.html", folder / "report.pdf"
        assert html.is_file() and pdf.is_file(), folder
        problems += check_layout(html, pdf, report=f"{category}/{lang}")
    assert problems == [], "\n".join(map(str, problems))
