"""``csat batch`` writes the portfolio overview (real notebooks, store, Chromium): HTML, JSON and
PDF under <reports>/overview/, rows equal to the reports' summary.json, the failed study named,
and reports/index.html linking the overview first."""

from __future__ import annotations

import json
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
import yaml

from csat_research.demo.generator import write_demo_study
from csat_research.run.runner import run_batch

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
CATEGORIES = ("appliances", "apparel", "beauty")


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("overview")
    write_demo_study(tmp / "data", seed=5, n=200, categories=CATEGORIES)
    (tmp / "params").mkdir()
    for category in (*CATEGORIES, "baby"):
        doc = yaml.safe_load((ROOT / "params" / f"{category}.yaml").read_text(encoding="utf-8"))
        for key in ("responses", "tickets"):  # baby's data were not written: its report fails
            doc["data"][key]["path"] = str(tmp / "data" / category / f"{key}.csv")
        doc["output"] = {"dir": str(tmp / "reports"), "formats": ["html", "pdf"] if category == "beauty" else ["html"]}
        doc["study"]["language"] = "en"
        doc["analysis"]["n_boot"] = 0
        doc.pop("history", None)  # one wave per study here
        (tmp / "params" / f"{category}.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    result = run_batch([tmp / "params"], workers=2, progress=False)
    return tmp, result


def test_the_batch_writes_the_overview_of_its_successful_studies(batch):
    tmp, result = batch
    root = tmp / "reports"
    assert [o.ok for o in result.outcomes] == [True, True, False, True]  # apparel, appliances, baby, beauty
    assert result.overview_paths == (root / "overview" / "overview.html",) and result.overview_errors == ()
    files = sorted(p.name for p in (root / "overview").iterdir())
    assert files == ["overview.html", "overview.json", "overview.pdf"]  # beauty asks for a PDF
    for name in files:
        assert stat.S_IMODE((root / "overview" / name).stat().st_mode) == 0o644
    rows = json.loads((root / "overview" / "overview.json").read_text(encoding="utf-8"))
    assert [r["category"] for r in rows] == ["apparel", "appliances", "beauty"]
    for row in rows:
        summary = json.loads((root / row["category"] / "2026Q3" / "summary.json").read_text(encoding="utf-8"))
        assert (row["brand"], row["wave"], row["n_analysed"]) == (summary["brand"], "2026Q3", summary["n_analysed"])
        assert row["overall_index"] == summary["overall_index"] and row["nps"] == summary["nps"]
        assert row["dimensions"] == summary["dimensions"]
        assert row["report"] == f"{row['category']}/2026Q3/report.html"
        for metric, mark in row["marks"].items():
            assert mark in ("above", "below", None)
            assert (mark is not None) == (row["p_adjusted"][metric] < 0.05)
    page = (root / "overview" / "overview.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "Failed in this batch and therefore not shown: Demo Baby Store · Baby." \
        in page


def test_the_overview_pdf_is_the_page_printed(batch):
    tmp, _ = batch
    pdf = tmp / "reports" / "overview" / "overview.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (Debian poppler-utils) is required: apt-get install poppler-utils")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert "Portfolio overview" in text and "League table" in text and "Holm" in text
    assert "Portfolio average" in text


def test_index_links_the_overview_first(batch):
    tmp, result = batch
    page = result.index_path.read_text(encoding="utf-8")
    hrefs = re.findall(r'href="([^"]+)"', page)
    assert hrefs[:3] == ["overview/overview.html", "overview/overview.pdf", "overview/overview.json"]
    assert "apparel/2026Q3/report.html" in hrefs[3:]
