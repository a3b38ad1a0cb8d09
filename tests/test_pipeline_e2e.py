"""End to end: demo data -> params -> papermill -> nbconvert HTML -> Chromium PDF, in a batch.

Runs the real chain on a small demo study (400 respondents per category) for a Chinese
(beauty) and an English (baby) report plus one deliberately broken study, and checks the
artefacts' content: the PDF text, summary.json, the HTML (no code, no external URLs, open
answers escaped), the xlsx tables, the index page, failure isolation and atomic publishing.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import yaml

from csat_research.demo.generator import write_demo_study
from csat_research.run.cli import main as cli_main
from csat_research.run.runner import run_batch

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
SUMMARY_KEYS = {"brand", "category", "wave", "n_responses", "n_excluded", "overall_index", "dimensions",
                "csat_top2box", "nps", "alpha", "cfa", "top_drivers", "top_themes", "kpi", "emerging_topics"}


def _params(tmp: Path, category: str, data: Path, out: Path) -> Path:
    doc = yaml.safe_load((ROOT / "params" / f"{category}.yaml").read_text(encoding="utf-8"))
    doc.pop("history", None)  # one wave only: the earlier waves are not written here
    doc["data"]["responses"]["path"] = str(data / category / "responses.csv")
    doc["data"]["tickets"]["path"] = str(data / category / "tickets.csv")
    doc["output"]["dir"] = str(out)
    doc["analysis"]["n_boot"] = 50
    path = tmp / "params" / f"{category}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (Debian poppler-utils) is required: apt-get install poppler-utils")
    tmp = tmp_path_factory.mktemp("e2e")
    data = tmp / "data"
    write_demo_study(data, seed=7, n=400, categories=("beauty", "baby", "apparel"))
    out = tmp / "reports"
    _params(tmp, "beauty", data, out)
    _params(tmp, "baby", data, out)
    # a broken study: an out-of-range answer code in its responses
    broken = _params(tmp, "apparel", data, out)
    frame = pd.read_csv(data / "apparel" / "responses.csv", dtype=str, keep_default_na=False)
    frame.loc[5, "eff_first_reply"] = "7"
    frame.to_csv(data / "apparel" / "responses.csv", index=False)
    # an earlier good report of the broken study must survive its failed re-run
    old = out / "apparel" / "2026Q3"
    old.mkdir(parents=True)
    (old / "report.pdf").write_bytes(b"%PDF-1.4 earlier good report")
    result = run_batch([tmp / "params"], workers=2, progress=False)
    return {"tmp": tmp, "out": out, "result": result, "broken": broken}


def _report(batch, category):
    return batch["out"] / category / "2026Q3"


def test_broken_study_fails_alone(batch):
    res = batch["result"]
    status = {o.name: o.ok for o in res.outcomes}
    assert status == {"apparel": False, "baby": True, "beauty": True}
    failed = res.failed[0]
    assert "eff_first_reply" in failed.error and "7" in failed.error
    # its executed notebook (up to the failing cell) and the error are kept
    failed_dir = _report(batch, "apparel") / "failed"
    assert (failed_dir / "report.ipynb").exists()
    assert "eff_first_reply" in (failed_dir / "error.txt").read_text(encoding="utf-8")
    # the earlier good report was not replaced
    assert (_report(batch, "apparel") / "report.pdf").read_bytes() == b"%PDF-1.4 earlier good report"


@pytest.mark.parametrize("category", ["beauty", "baby"])
def test_outputs_written(batch, category):
    d = _report(batch, category)
    for name in ("report.ipynb", "report.html", "report.pdf", "summary.json", "tables.xlsx", "report.pptx"):
        assert (d / name).stat().st_size > 1000, name
    assert not list(d.parent.glob(".2026Q3-*")), "temporary folder left behind"


@pytest.mark.parametrize("category", ["beauty", "baby"])
def test_summary_json(batch, category):
    s = json.loads((_report(batch, category) / "summary.json").read_text(encoding="utf-8"))
    assert SUMMARY_KEYS <= set(s)
    assert s["category"] == category and s["wave"] == "2026Q3"
    assert s["n_responses"] == 400 and 0 < s["n_excluded"] < 100
    assert set(s["dimensions"]) == {"efficiency", "quality", "communication", "after_sales", "digital"}
    assert all(1 <= v <= 5 for v in s["dimensions"].values())
    assert -100 <= s["nps"] <= 100 and 0 <= s["csat_top2box"] <= 1
    assert set(s["cfa"]) >= {"cfi", "tli", "rmsea", "srmr"}
    assert len(s["top_drivers"]) == 5 and len(s["top_themes"]) >= 3
    assert s["kpi"]["first_reply_5min"]["target"] == 0.9


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_chinese_pdf_has_sections_and_summary_figures(batch):
    d = _report(batch, "beauty")
    text = _pdf_text(d / "report.pdf")
    s = json.loads((d / "summary.json").read_text(encoding="utf-8"))
    for title in ("执行摘要", "数据质量与样本排除", "量表信度与效度", "满意度与复购", "关键驱动因素",
                  "开放题分析", "服务水平指标", "方法说明"):
        assert title in text, title
    assert f"{s['overall_index']:.2f}" in text
    assert f"{s['nps']:+.1f}" in text
    assert f"{s['csat_top2box']:.1%}" in text
    assert "品类专项服务" in text and "过敏无忧退服务" in text  # beauty's category item
    assert "主题之外的新话题" in text and "NMF" in text  # emerging topics: table or note, and the method
    assert "\ufffd" not in text  # no replacement characters


def test_english_pdf(batch):
    text = _pdf_text(_report(batch, "baby") / "report.pdf")
    for title in ("Executive summary", "Scale reliability and validity", "Service-level KPIs", "Methodology"):
        assert title in text
    assert "Parenting-advisor service" in text
    assert "Emerging topics beyond the themes" in text


@pytest.mark.parametrize("category", ["beauty", "baby"])
def test_html_is_clean_and_self_contained(batch, category):
    page = (_report(batch, category) / "report.html").read_text(encoding="utf-8")
    # no code cells
    for code in ("load_study(", "import warnings", "params_path =", "display("):
        assert code not in page
    # the researcher's notes of the notebook stay out of client pages
    for note in ("CSAT report notebook", "How to read it", "researcher-note"):
        assert note not in page
    # nothing fetched from a network
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert not re.search(r"url\(\s*['\"]?https?:", page, re.I)
    assert "<script src" not in page.lower()
    # open answers are data, never markup
    assert "<script>alert(1)</script>" not in page
    assert "data:image/png;base64," in page


def test_xlsx_and_index(batch):
    xl = pd.ExcelFile(_report(batch, "beauty") / "tables.xlsx")
    assert {"scores", "reliability", "excluded", "drivers_satisfaction", "kpis", "themes",
            "ordered_intention"} <= set(xl.sheet_names)
    scores = pd.read_excel(xl, sheet_name="scores")
    assert len(scores) == 5 and scores["mean"].between(1, 5).all()
    index = (batch["out"] / "index.html").read_text(encoding="utf-8")
    assert "beauty/2026Q3/report.pdf" in index and "baby/2026Q3/report.html" in index
    assert "beauty/2026Q3/report.pptx" in index and "baby/2026Q3/report.pptx" in index


@pytest.mark.parametrize("category", ["beauty", "baby"])
def test_deck_published_with_summary_figures(batch, category):
    from pptx import Presentation
    from pptx.enum.chart import XL_CHART_TYPE

    d = _report(batch, category)
    s = json.loads((d / "summary.json").read_text(encoding="utf-8"))
    prs = Presentation(d / "report.pptx")
    charts = [sh.chart for slide in prs.slides for sh in slide.shapes if sh.has_chart]
    assert [c.chart_type for c in charts] == [XL_CHART_TYPE.BAR_CLUSTERED, XL_CHART_TYPE.XY_SCATTER,
                                              XL_CHART_TYPE.BAR_CLUSTERED]
    assert sorted(charts[0].plots[0].series[-1].values) == sorted(s["dimensions"].values())
    cards = "".join(sh.text_frame.text for sh in prs.slides[1].shapes if sh.has_text_frame)
    assert f"{s['overall_index']:.2f}" in cards and f"{s['nps']:+.1f}" in cards


def test_cli_batch_exit_status_names_failure(batch, capsys):
    status = cli_main(["batch", str(batch["broken"]), "--no-progress"])
    captured = capsys.readouterr()
    assert status == 1
    assert "FAILED  apparel" in captured.err and "eff_first_reply" in captured.err


def test_a_single_report_holds_its_browser_only_to_print_the_pdf(tmp_path, monkeypatch):
    """`csat report`: Chromium starts in the background once the notebook has run (its kernel's
    memory is free by then), while the HTML is written, and closes once the PDF is printed,
    before the wave is stored."""
    import threading

    from csat_research.report import pdf
    from csat_research.run import runner

    data = tmp_path / "data"
    write_demo_study(data, seed=3, n=400, categories=("beauty",))
    params = _params(tmp_path, "beauty", data, tmp_path / "reports")
    events: list[tuple[str, str]] = []
    real_start, real_close = pdf.PdfRenderer.start, pdf.PdfRenderer.close
    real_prepare, real_store = runner.prepare_report, runner._store_wave

    def start(self):
        events.append(("browser start", threading.current_thread().name))
        return real_start(self)

    def close(self):
        events.append(("browser close", ""))
        return real_close(self)

    def prepare(*args, **kwargs):
        events.append(("notebook", "begins"))
        try:
            return real_prepare(*args, **kwargs)
        finally:
            events.append(("notebook", "ends"))

    def store(*args, **kwargs):
        events.append(("store", ""))
        return real_store(*args, **kwargs)

    monkeypatch.setattr(pdf.PdfRenderer, "start", start)
    monkeypatch.setattr(pdf.PdfRenderer, "close", close)
    monkeypatch.setattr(runner, "prepare_report", prepare)
    monkeypatch.setattr(runner, "_store_wave", store)
    outcome = runner.run_report(params, write_index=False)
    assert outcome.ok and outcome.report_dir == tmp_path / "reports" / "beauty" / "2026Q3"
    assert "开放题分析" in _pdf_text(outcome.report_dir / "report.pdf")
    first = next(i for i, e in enumerate(events) if e[0] == "browser start")
    closed = events.index(("browser close", ""))
    assert events[first] == ("browser start", "csat-pdf-start")
    assert events.index(("notebook", "ends")) < first < closed < events.index(("store", ""))
