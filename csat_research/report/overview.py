"""The portfolio overview of a batch: every brand / category of the latest wave side by side.

``csat batch`` writes it under the reports folder, after the batch's reports are published and
their waves stored (:mod:`csat_research.io.store`):

* ``overview/overview.html`` - a league table (n analysed, overall index, each dimension, CSAT
  top-2-box, NPS, the change of the overall index since each study's previous wave), each cell
  marked ▲ / ▼ where the study differs significantly from the portfolio average, a chart of the
  overall index with its confidence interval against the portfolio average, notes and the
  method; the look of the reports (same template, cover and print rules:
  :func:`csat_research.report.html.notebook_to_html`);
* ``overview/overview.pdf`` - the same printed by Chromium, when any study asks for a PDF;
* ``overview/overview.json`` - one row per brand / category (:data:`ROW_KEYS`).

Which studies: those of the batch whose ``output.dir`` is the reports folder and whose
``study.wave`` is the latest of them (the largest wave name); studies of other waves are left out
and named, as are the studies that failed. The tests are those of
:func:`csat_research.stats.portfolio.portfolio_comparison` on the respondent-level data of the
study store (excluded respondents left out, survey weights when a study has them), Holm over all
cells of the table. A batch with one study of the latest wave still gets its overview, without
marks and with a note that there is nothing to compare (so ``reports/index.html`` always links one).
"""

from __future__ import annotations

import html
import json
import math
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from csat_research.core.errors import CsatError, CsatWarning
from csat_research.core.files import atomic_write_text
from csat_research.report.i18n import join, text

__all__ = [
    "ALPHA", "CORRECTION", "OVERVIEW_DIR", "OVERVIEW_FILES", "ROW_KEYS", "Overview", "build_overview",
    "overview_html", "write_overview",
]

#: Folder of the overview under the reports root, and its files.
OVERVIEW_DIR = "overview"
OVERVIEW_FILES = ("overview.html", "overview.pdf", "overview.json")
#: Keys of one row of ``overview.json``.
ROW_KEYS = ("brand", "category", "wave", "n_analysed", "overall_index", "dimensions", "csat_top2box", "nps",
            "marks", "p_adjusted", "change", "report")
#: Significance level and multiple-comparison correction of the marks (one family: the whole table).
ALPHA = 0.05
CORRECTION = "holm"
#: Files are read by others (a web server, colleagues), like ``reports/index.html``.
FILE_MODE = 0o644
#: Outcome columns of the stored respondent rows behind CSAT top-2-box and NPS
#: (:mod:`csat_research.report.analyse`).
OVERALL_SAT, RECOMMEND = "overall_sat", "nps"
GOOD, BAD = "#3a9e6f", "#c2454a"


@dataclass(frozen=True)
class _Study:
    """One params file of the batch, as the overview sees it."""

    name: str  # params file stem
    ok: bool
    error: str | None
    params: Any | None  # StudyParams, or None when the file does not load
    report_dir: Path | None

    @property
    def wave(self) -> str | None:
        return None if self.params is None else str(self.params.study.wave)

    def label(self, lang: str) -> str:
        """"brand · category" in ``lang`` (the params file's name when it does not load)."""
        if self.params is None:
            return self.name
        s = self.params.study
        return f"{s.brand} · {text('category.' + s.category, lang)}"


@dataclass(frozen=True)
class Overview:
    """The overview of one reports folder: its rows, the comparison behind the marks, the notes.

    Attributes
    ----------
    root : Path
        The reports folder.
    wave : str or None
        The latest wave of the batch's studies (None when no study loaded).
    lang : {"zh", "en"}
        Language of the page: the studies' language when they all agree, else zh.
    rows : list of dict
        ``overview.json``: one row per brand / category shown (:data:`ROW_KEYS`).
    labels : list of str
        Display label of each row ("brand · category").
    dimensions : list of str
        Dimension ids (columns of the table), with their display labels in ``dimension_labels``.
    comparison : PortfolioResult or None
        The tests (None when fewer than two studies could be compared).
    notes : list of str
        What the page says about studies left out, failed or not testable.
    wants_pdf : bool
        Whether any study of the folder asks for a PDF.
    """

    root: Path
    wave: str | None
    lang: str
    rows: list[dict[str, Any]]
    labels: list[str]
    dimensions: list[str]
    dimension_labels: dict[str, str]
    comparison: Any | None
    notes: list[str] = field(default_factory=list)
    wants_pdf: bool = False
    #: the analysed respondents of each compared study (by label), from the store
    data: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    def to_json(self) -> str:
        return json.dumps(self.rows, ensure_ascii=False, indent=2, allow_nan=False)


def _studies(outcomes: Iterable[Any]) -> list[_Study]:
    from csat_research.io.params import load_params

    out = []
    for o in outcomes:
        path = Path(o.params_path)
        try:
            params = load_params(path, check_files=False)
        except CsatError:
            params = None
        out.append(_Study(path.stem, bool(o.ok), getattr(o, "error", None), params, getattr(o, "report_dir", None)))
    return out


def _in_root(study: _Study, root: Path) -> bool:
    if study.params is None:
        return True  # a file that does not load belongs to no folder: named in every overview
    return Path(study.params.output.dir).resolve() == root.resolve()


def _number(x: Any) -> float | None:
    return float(x) if isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x) else None


def _summary(study: _Study) -> dict[str, Any] | None:
    try:
        return json.loads((study.report_dir / "summary.json").read_text(encoding="utf-8"))
    except (OSError, TypeError, ValueError):
        return None


def _analysed(study: _Study) -> pd.DataFrame | None:
    """The study's analysed respondents from the store (excluded rows dropped), or None.

    Survey weights are scaled to mean 1 within the study, so that pooled with other studies
    each study counts by its number of respondents whatever the scale of its weights (the
    study's own estimates and tests do not depend on the scale)."""
    from csat_research.io.store import load_wave_data, store_path

    s = study.params.study
    try:
        data = load_wave_data(store_path(study.params), wave=s.wave, brand=s.brand, category=s.category,
                              roles=("dimension", "outcome"))
    except CsatError:
        return None
    kept = data[~data["excluded"]].reset_index(drop=True)
    mean = kept["weight"].mean()
    if len(kept) and mean > 0:
        kept["weight"] = kept["weight"] / mean
    return kept


def _dimension_labels(studies: Sequence[_Study], dims: Sequence[str], lang: str) -> dict[str, str]:
    """Column headers of the dimensions: the catalogue's short name of the instrument's five
    dimensions (``overview.dim_short.<id>``), else the codebook's label, else the id."""
    from csat_research.io.codebook import load_codebook
    from csat_research.report.i18n import texts

    short = texts("overview.dim_short", lang)
    labels = {d: short.get(d, d) for d in dims}
    for st in studies:
        if all(labels[d] != d for d in dims):
            break
        book = st.params.instrument.codebook
        try:
            codebook = load_codebook(None if book == "default" else book)
        except CsatError:
            continue
        for d in dims:
            if labels[d] == d:
                try:
                    labels[d] = codebook.label(d, lang)
                except (CsatError, KeyError, ValueError):
                    pass
    return labels


def _report_link(study: _Study, root: Path) -> str | None:
    if study.report_dir is None:
        return None
    for name in ("report.html", "report.pdf", "summary.json"):
        if (study.report_dir / name).is_file():
            return (study.report_dir / name).resolve().relative_to(root.resolve()).as_posix()
    return None


def _change(summary: dict[str, Any]) -> dict[str, Any] | None:
    """``summary.json`` ``changes`` as it is (a non-finite number as None), when it names a previous
    wave and holds metrics; else None."""
    changes = summary.get("changes")
    if not isinstance(changes, dict) or not changes.get("previous_wave") or not isinstance(changes.get("metrics"), dict):
        return None
    return _finite(changes)


def _finite(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_finite(v) for v in x]
    return x


def build_overview(root: str | Path, outcomes: Iterable[Any]) -> Overview:
    """The overview of the reports folder ``root`` from a batch's outcomes.

    Parameters
    ----------
    root : path
        The reports folder (``output.dir`` of the studies).
    outcomes : iterable
        The batch's :class:`~csat_research.run.runner.ReportOutcome` objects (anything with
        ``params_path``, ``ok``, ``error`` and ``report_dir``).

    Returns
    -------
    Overview
    """
    from csat_research.stats.portfolio import portfolio_comparison

    root = Path(root)
    studies = [s for s in _studies(outcomes) if _in_root(s, root)]
    loaded = [s for s in studies if s.params is not None]
    wave = max((s.wave for s in loaded), default=None)
    current = [s for s in loaded if s.wave == wave]
    langs = {s.params.study.language for s in current}
    lang = langs.pop() if len(langs) == 1 else "zh"
    shown = [s for s in current if s.ok]
    failed = [s for s in studies if not s.ok and (s.params is None or s.wave == wave)]
    other = [s for s in loaded if s.wave != wave]
    notes: list[str] = []
    names = [s.label(lang) for s in shown]
    label = {s.name: (n if names.count(n) == 1 else f"{n} ({s.name})") for s, n in zip(shown, names, strict=True)}
    summaries = {s.name: _summary(s) or {} for s in shown}
    data = {s.name: _analysed(s) for s in shown}
    dims: list[str] = []
    for s in shown:
        dims += [d for d in summaries[s.name].get("dimensions") or {} if d not in dims]
    metrics: dict[str, dict[str, Any]] = {"overall_index": {"kind": "mean", "column": "overall_index"}}
    metrics |= {d: {"kind": "mean", "column": d} for d in dims}
    metrics |= {"csat_top2box": {"kind": "top2box", "column": OVERALL_SAT}, "nps": {"kind": "nps", "column": RECOMMEND}}

    comparable = {label[s.name]: data[s.name] for s in shown if data[s.name] is not None and len(data[s.name])}
    not_stored = [s for s in shown if label[s.name] not in comparable]
    comparison = None
    if len(comparable) >= 2:
        weighted = any(not frame["weight"].eq(1.0).all() for frame in comparable.values())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CsatWarning)
            comparison = portfolio_comparison(comparable, metrics=metrics,
                                              survey_weights="weight" if weighted else None,
                                              alpha=ALPHA, correction=CORRECTION)
    cells = {} if comparison is None else {
        (r.study, r.metric): r for r in comparison.table.itertuples(index=False)}

    rows = []
    for s in shown:
        summ = summaries[s.name]
        marks = {m: getattr(cells.get((label[s.name], m)), "direction", None) for m in metrics}
        p_adj = {m: _number(getattr(cells.get((label[s.name], m)), "p_adjusted", None)) for m in metrics}
        st = s.params.study
        rows.append({
            "brand": st.brand, "category": st.category, "wave": st.wave,
            "n_analysed": summ.get("n_analysed"),
            "overall_index": _number(summ.get("overall_index")),
            "dimensions": {d: _number((summ.get("dimensions") or {}).get(d)) for d in dims},
            "csat_top2box": _number(summ.get("csat_top2box")), "nps": _number(summ.get("nps")),
            "marks": marks, "p_adjusted": p_adj, "change": _change(summ), "report": _report_link(s, root),
        })
    if other:
        notes.append(text("overview.note_other_waves", lang, wave=wave,
                          studies=join([f"{s.label(lang)} ({s.wave})" for s in other], lang)))
    if failed:
        notes.append(text("overview.note_failed", lang, studies=join([s.label(lang) for s in failed], lang)))
    if not_stored and len(shown) > 1:
        notes.append(text("overview.note_not_stored", lang, studies=join([label[s.name] for s in not_stored], lang)))
    if comparison is not None:
        untested = sorted({r.study for r in comparison.table.itertuples() if isinstance(r.note, str)})
        if untested:
            notes.append(text("overview.note_untested", lang, studies=join(untested, lang)))
    wants_pdf = any("pdf" in s.params.output.formats for s in current)
    return Overview(root, wave, lang, rows, [label[s.name] for s in shown], dims,
                    _dimension_labels(shown, dims, lang), comparison, notes, wants_pdf, comparable)


# --------------------------------------------------------------------------- page
_MARK = {"above": ("▲", GOOD, "#e6f4ec"), "below": ("▼", BAD, "#f9e3e4")}


def _cell(value: float | None, spec: str, mark: str | None, title: str | None = None) -> str:
    shown = "" if value is None else format(value, spec)
    attr = f' title="{html.escape(title)}"' if title else ""
    if mark in _MARK:
        symbol, colour, tint = _MARK[mark]
        return (f'<td class="csat-num" style="background:{tint};color:{colour};font-weight:600"{attr}>'
                f"{html.escape(shown)}&#8202;{symbol}</td>")
    return f'<td class="csat-num"{attr}>{html.escape(shown)}</td>'


def _change_cell(change: dict[str, Any] | None, lang: str) -> str:
    metric = (change or {}).get("metrics", {}).get("overall_index") if change else None
    delta = _number((metric or {}).get("delta"))
    if delta is None:
        return '<td class="csat-num">—</td>'
    mark = None
    if (metric or {}).get("significant") is True:
        mark = "above" if delta > 0 else "below"
    prev = html.escape(text("overview.change_since", lang, wave=change["previous_wave"]))
    cell = _cell(delta, "+.2f", mark)
    return cell.replace("</td>", f'<br><small style="color:#6b7280;font-weight:400">{prev}</small></td>')


def _th(label: str) -> str:
    """A numeric column's header: a short one (up to 4 CJK characters or one word) is never broken,
    a longer Chinese one is broken in its middle (沟通与 / 专业度), not before its last character."""
    if label.isascii() or len(label) <= 4:
        nowrap = len(label) <= 4 or " " not in label
        style = ' style="white-space:nowrap"' if nowrap else ""
        return f'<th class="csat-num"{style}>{html.escape(label)}</th>'
    k = len(label) // 2
    return (f'<th class="csat-num" style="white-space:nowrap">{html.escape(label[:k])}<br>'
            f"{html.escape(label[k:])}</th>")


def _table_html(ov: Overview) -> str:
    t = lambda key, **kw: html.escape(text(key, ov.lang, **kw))  # noqa: E731
    head = [f"<th>{t('overview.col_study')}</th>", _th(text("overview.col_n", ov.lang)),
            _th(text("overview.col_overall", ov.lang))]
    head += [_th(ov.dimension_labels[d]) for d in ov.dimensions]
    head += [_th(text(f"overview.col_{k}", ov.lang)) for k in ("top2box", "nps", "change")]
    body = []
    for label, row in zip(ov.labels, ov.rows, strict=True):
        m = row["marks"]
        cells = [f"<th>{html.escape(label)}</th>",
                 f'<td class="csat-num">{"" if row["n_analysed"] is None else int(row["n_analysed"]):,}</td>'
                 if row["n_analysed"] is not None else '<td class="csat-num"></td>',
                 _cell(row["overall_index"], ".2f", m["overall_index"])]
        cells += [_cell(row["dimensions"][d], ".2f", m.get(d)) for d in ov.dimensions]
        cells += [_cell(row["csat_top2box"], ".1%", m["csat_top2box"]), _cell(row["nps"], "+.1f", m["nps"]),
                  _change_cell(row["change"], ov.lang)]
        body.append("<tr>" + "".join(cells) + "</tr>")
    if ov.comparison is not None:
        avg = ov.comparison.average.set_index("metric")["estimate"]
        n = sum(int(r["n_analysed"] or 0) for r in ov.rows)
        cells = [f"<th>{t('overview.portfolio_row')}</th>", f'<td class="csat-num">{n:,}</td>',
                 _cell(_number(avg.get("overall_index")), ".2f", None)]
        cells += [_cell(_number(avg.get(d)), ".2f", None) for d in ov.dimensions]
        cells += [_cell(_number(avg.get("csat_top2box")), ".1%", None), _cell(_number(avg.get("nps")), "+.1f", None),
                  '<td class="csat-num"></td>']
        body.append('<tr style="border-top:2px solid #1f2933;font-style:italic">' + "".join(cells) + "</tr>")
    n_cols = len(head)
    classes = "csat-table" + (" csat-xwide" if n_cols >= 13 else " csat-wide" if n_cols >= 9 else "")
    classes += " csat-keep" if len(body) <= 12 else ""
    marks = (f'<span style="color:{GOOD};font-weight:600">▲</span> {t("overview.legend_above")}'
             f' &nbsp; <span style="color:{BAD};font-weight:600">▼</span> {t("overview.legend_below")} &nbsp; '
             if ov.comparison is not None else "")
    legend = f'<p class="csat-note">{marks}{t("overview.legend_top2box")} {t("overview.legend_change")}</p>'
    return (f'<table class="{classes}"><thead><tr>{"".join(head)}</tr></thead><tbody>{"".join(body)}</tbody>'
            f"</table>{legend}")


def _chart_png(ov: Overview) -> str | None:
    """The overall index of each study (mean and CI from the store data) against the portfolio average."""
    if ov.comparison is None:
        return None
    import matplotlib as mpl
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from csat_research.report.plots import portfolio_dots
    from csat_research.report.style import figure_png_base64, report_rc
    t = ov.comparison.table
    cells = t[t["metric"] == "overall_index"].set_index("study")
    rows = []
    for label in ov.labels:
        if label not in cells.index or not math.isfinite(cells.loc[label, "estimate"]):
            continue
        rows.append({"label": label, "estimate": cells.loc[label, "estimate"],
                     "direction": cells.loc[label, "direction"]})
    if not rows:
        return None
    frame = pd.DataFrame(rows)
    # each study's own interval (the test's interval is of its difference with the rest)
    intervals = [_index_ci(ov.data[label]) for label in frame["label"]]
    frame["ci_low"] = [lo for lo, _ in intervals]
    frame["ci_high"] = [hi for _, hi in intervals]
    frame = frame.sort_values("estimate", ascending=False, kind="mergesort")
    avg = ov.comparison.average.set_index("metric").loc["overall_index", "estimate"]
    with mpl.rc_context(report_rc(ov.lang)):
        fig = Figure(figsize=(7.0, 0.36 * len(frame) + 1.5), layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        legend = {k: text(f"overview.chart_{k}", ov.lang) for k in ("above", "same", "below")}
        portfolio_dots(frame, average=float(avg), average_label=text("overview.chart_average", ov.lang, value=avg),
                       legend=legend, xlabel=text("overview.chart_xlabel", ov.lang),
                       title=text("overview.chart_title", ov.lang, wave=ov.wave), ax=ax)
        return figure_png_base64(fig)


def _index_ci(frame: pd.DataFrame) -> tuple[float, float]:
    from csat_research.stats.estimates import mean_ci

    w = None if frame["weight"].eq(1.0).all() else frame["weight"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CsatWarning)
        r = mean_ci(frame["overall_index"], survey_weights=w)
    return r.ci_low, r.ci_high


def overview_html(ov: Overview) -> str:
    """The overview page: cover, league table, chart, notes and method, in the report look."""
    import nbformat

    from csat_research.report.html import notebook_to_html

    lang = ov.lang

    def heading(key: str, *, new_page: bool = True) -> Any:
        tags = [] if new_page else ["no-page-break"]
        return nbformat.v4.new_markdown_cell("## " + text(key, lang), metadata={"tags": tags})

    def fragment(markup: str, tags: Sequence[str] = ()) -> Any:
        cell = nbformat.v4.new_code_cell("", metadata={"tags": list(tags)})
        cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": markup})]
        return cell

    def para(key: str, **kw: Any) -> str:
        return f"<p>{html.escape(text(key, lang, **kw))}</p>"

    n_cells = 0 if ov.comparison is None else int(ov.comparison.table["p_value"].notna().sum())
    cells = [heading("overview.section_table")]
    if ov.rows:
        if ov.comparison is not None:
            intro = para("overview.intro", n=len(ov.rows), wave=ov.wave)
        else:
            intro = para("overview.note_single" if len(ov.rows) == 1 else "overview.note_too_few", wave=ov.wave)
        cells.append(fragment(intro + _table_html(ov)))
    else:
        cells.append(fragment(para("overview.empty")))
    png = _chart_png(ov)
    if png is not None:
        cells.append(heading("overview.section_chart", new_page=False))
        cells.append(fragment(f'<figure><img src="data:image/png;base64,{png}" '
                              f'alt="{html.escape(text("overview.chart_title", lang, wave=ov.wave))}" '
                              'style="max-width:100%"></figure>'))
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in ov.notes)
    method = "" if ov.comparison is None else '<p class="csat-note">{}</p>'.format(html.escape(
        text("overview.method", lang, alpha=ALPHA, m=n_cells) + " " + text("overview.method_figures", lang)))
    if notes or method:
        cells.append(heading("overview.section_notes", new_page=False))
        cells.append(fragment((f"<ul>{notes}</ul>" if notes else "") + method))
    nb = nbformat.v4.new_notebook(cells=cells)
    n_studies = len(ov.rows)
    return notebook_to_html(
        nb, title=text("overview.title", lang), lang=lang,
        subtitle=text("overview.subtitle", lang, wave=ov.wave or "—"),
        meta={text("overview.meta_wave", lang): ov.wave or "—", text("overview.meta_studies", lang): n_studies},
    )


def write_overview(out_dir: str | Path, ov: Overview, *, renderer: Any | None = None) -> tuple[Path, ...]:
    """Write ``overview.json``, ``overview.html`` and (with a ``renderer``, when any study wants a
    PDF) ``overview.pdf`` into ``out_dir``, each atomically and with mode 0644; return the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [atomic_write_text(out / "overview.json", ov.to_json() + "\n", mode=FILE_MODE)]
    page = overview_html(ov)
    paths.append(atomic_write_text(out / "overview.html", page, mode=FILE_MODE))
    if ov.wants_pdf and renderer is not None:
        pdf = renderer.render(out / "overview.html", out / "overview.pdf", lang=ov.lang)
        Path(pdf).chmod(FILE_MODE)
        paths.append(Path(pdf))
    return tuple(paths)
