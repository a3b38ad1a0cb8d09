"""Study parameters: one YAML file per brand or category wave, validated into a frozen object.

A params file is validated at the entry (:func:`load_params`): unknown keys, wrong types,
missing files and impossible values are refused with a :class:`~csat_research.core.errors.ParamsError`
naming the file, the key path and what is allowed. Relative paths inside the file are resolved
against the folder of the params file. Every key is documented in ``params/README.md``.

Examples
--------
>>> from csat_research.io.params import params_from_dict
>>> p = params_from_dict({"study": {"brand": "Demo", "category": "beauty", "wave": "2026Q3"},
...                       "data": {"responses": {"path": "responses.csv"}}}, check_files=False)
>>> p.study.language, p.weighting.method, p.quality.rules["trap"]
('zh', 'expert', 'exclude')
"""

from __future__ import annotations

import difflib
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from csat_research.core.errors import ParamsError
from csat_research.core.schema import DEFAULT_RULE_ACTIONS, DIMENSIONS, QUALITY_RULES
from csat_research.io.yamlio import load_yaml

CATEGORIES = ("appliances", "apparel", "beauty", "baby", "other")
DEFAULT_TARGETS = {
    "first_reply_5min": 0.90,
    "resolved_24h": 0.70,
    "fcr": 0.80,
    "bot_containment": 0.70,
    "handoff_30min": 0.90,
    "high_severity_15min": 0.90,
    "median_first_response_min": 5.8,
    "csat_mean": 4.0,
    "csat_top2box": 0.70,
    "nps": 30.0,
}
DEFAULT_THRESHOLDS = {
    "alpha": 0.70,
    "omega": 0.70,
    "cfi": 0.90,
    "tli": 0.90,
    "rmsea": 0.08,
    "srmr": 0.08,
    "ave": 0.50,
    "composite_reliability": 0.70,
    "htmt": 0.85,
}


def _fraction(x: Any) -> Any:
    if isinstance(x, str):
        m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)\s*", x)
        if m and float(m.group(2)) != 0:
            return float(m.group(1)) / float(m.group(2))
    return x


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


def _folder_name(v: str) -> str:
    """A name used as one folder of the report path: "." and ".." would leave the report folder."""
    if v.strip(".") == "":
        raise ValueError(f"must name a folder, not {v!r} (it would leave the report folder); "
                         "use letters, digits, '_', '-' or '.' as in 2026Q3")
    return v


class Study(_Model):
    """Who and when: ``brand``, ``category``, ``wave``, report ``language``."""

    brand: str = Field(min_length=1)
    category: Literal["appliances", "apparel", "beauty", "baby", "other"]
    wave: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.\-]+$")
    language: Literal["zh", "en"] = "zh"
    title: str | None = None

    @field_validator("wave")
    @classmethod
    def _wave(cls, v: str) -> str:
        return _folder_name(v)


class Source(_Model):
    """One data file: ``path`` (relative to the params file), ``format``, ``encoding``."""

    path: Path
    format: Literal["auto", "csv", "excel", "spss", "parquet", "qualtrics", "wjx"] = "auto"
    encoding: str | None = None
    column_map: dict[str, str] = Field(default_factory=dict)
    value_maps: dict[str, dict[str, int]] = Field(default_factory=dict)
    on_invalid: Literal["error", "exclude"] = "error"


class TicketSource(_Model):
    """The optional service-ticket log."""

    path: Path
    format: Literal["auto", "csv", "excel", "parquet"] = "auto"
    encoding: str | None = None
    on_invalid: Literal["error", "exclude"] = "error"


class Data(_Model):
    """Data sources: ``responses`` (required) and ``tickets`` (optional)."""

    responses: Source
    tickets: TicketSource | None = None


class HistorySource(_Model):
    """An earlier wave's responses file; ``format``, ``encoding``, ``column_map``, ``value_maps`` and
    ``on_invalid`` are those of ``data.responses`` unless given here."""

    path: Path
    format: Literal["auto", "csv", "excel", "spss", "parquet", "qualtrics", "wjx"] | None = None
    encoding: str | None = None
    column_map: dict[str, str] | None = None
    value_maps: dict[str, dict[str, int]] | None = None
    on_invalid: Literal["error", "exclude"] | None = None


class HistoryTickets(_Model):
    """An earlier wave's service-ticket log; unset keys are those of ``data.tickets``."""

    path: Path
    format: Literal["auto", "csv", "excel", "parquet"] | None = None
    encoding: str | None = None
    on_invalid: Literal["error", "exclude"] | None = None


class HistoryWave(_Model):
    """One earlier wave of the same study: its label and data files (params ``history``)."""

    wave: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.\-]+$")
    responses: HistorySource
    tickets: HistoryTickets | None = None

    @field_validator("wave")
    @classmethod
    def _wave(cls, v: str) -> str:
        return _folder_name(v)


class Instrument(_Model):
    """The codebook: ``codebook: default`` (the shipped instrument) or a path to a YAML file."""

    codebook: str = "default"


class AHP(_Model):
    """AHP pairwise judgements; several experts' matrices are aggregated by geometric mean."""

    labels: list[str] = Field(default_factory=lambda: list(DIMENSIONS))
    matrices: list[list[list[float]]] = Field(min_length=1)
    max_cr: float = Field(default=0.10, gt=0, le=1)
    allow_inconsistent: bool = False

    @field_validator("matrices", mode="before")
    @classmethod
    def _fractions(cls, v: Any) -> Any:
        """Accept Saaty-scale fractions written as text, e.g. ``1/3``."""
        if not isinstance(v, list):
            return v
        return [
            [[_fraction(x) for x in row] if isinstance(row, list) else row for row in m] if isinstance(m, list) else m
            for m in v
        ]

    @model_validator(mode="after")
    def _square(self) -> AHP:
        k = len(self.labels)
        for e, m in enumerate(self.matrices):
            if len(m) != k or any(len(row) != k for row in m):
                raise ValueError(
                    f"matrices[{e}] must be {k} x {k} to match labels {self.labels}; "
                    f"got {len(m)} rows of lengths {[len(r) for r in m]}"
                )
        return self


class Weighting(_Model):
    """Weights of the overall index: ``method`` = ahp | expert | data."""

    method: Literal["ahp", "expert", "data"] = "expert"
    expert: dict[str, float] = Field(
        default_factory=lambda: {
            "efficiency": 0.30,
            "quality": 0.40,
            "communication": 0.10,
            "after_sales": 0.10,
            "digital": 0.10,
        }
    )
    ahp: AHP | None = None

    @model_validator(mode="after")
    def _check(self) -> Weighting:
        if self.method == "ahp" and self.ahp is None:
            raise ValueError("method is 'ahp' but no 'ahp' block (labels, matrices) is given")
        if self.method == "expert":
            bad = {k: v for k, v in self.expert.items() if not v > 0}
            if bad:
                raise ValueError(f"expert weights must be positive; got {bad}")
            total = sum(self.expert.values())
            if abs(total - 1.0) > 1e-6:
                raise ValueError(f"expert weights must sum to 1; they sum to {total:.6g}")
        return self


class SurveyWeights(_Model):
    """Survey weights: an existing ``column`` or raking to population ``margins``."""

    column: str | None = None
    margins: dict[str, dict[str, float]] = Field(default_factory=dict)
    trim: tuple[float, float] | None = None


class Quality(_Model):
    """Data-quality screening: an action per rule (``flag`` or ``exclude``) and thresholds."""

    rules: dict[str, Literal["flag", "exclude"]] = Field(default_factory=lambda: dict(DEFAULT_RULE_ACTIONS))
    speed_share: float = Field(default=0.35, gt=0, lt=1)
    contradiction_gap: int = Field(default=3, ge=1, le=4)
    duplicate_window_days: int = Field(default=182, ge=0)
    min_answered: float = Field(default=0.5, gt=0, le=1)

    @field_validator("rules")
    @classmethod
    def _rules(cls, v: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(v) - set(QUALITY_RULES))
        if unknown:
            raise ValueError(f"unknown rule(s) {unknown}; allowed: {', '.join(QUALITY_RULES)}")
        return {**DEFAULT_RULE_ACTIONS, **v}


class Analysis(_Model):
    """Which segments and cross tables to report, model controls, bootstrap size."""

    segments: list[str] = Field(
        default_factory=lambda: ["customer_type", "frequency_band", "value_band", "age_group", "channel"]
    )
    crosstabs: list[tuple[str, str]] = Field(
        default_factory=lambda: [("preferred_channel", "age_group"), ("overall_sat", "value_band")]
    )
    controls: list[str] = Field(default_factory=lambda: ["customer_type"])
    n_boot: int = Field(default=200, ge=0, le=10000)
    seed: int = 2026
    #: multiple-comparison correction of the change since the previous wave (Holm: family-wise
    #: error rate; fdr_bh: Benjamini-Hochberg false discovery rate)
    change_correction: Literal["holm", "fdr_bh"] = "holm"


class ThemeTerms(_Model):
    """Terms of a theme in one language, as in ``csat_research/data/themes.yaml``."""

    phrases: list[str] = Field(default_factory=list)
    aspects: list[str] = Field(default_factory=list)
    cues: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    unless: list[str] = Field(default_factory=list)


class ThemeLabel(_Model):
    """Display label of a theme in both report languages."""

    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class ExtraTheme(_Model):
    """A theme added to the lexicon from params (e.g. promoted from an emerging topic).

    ``dimension`` is checked against the lexicon's dimensions when the lexicon is built
    (:func:`csat_research.text.topics.extend_lexicon`).
    """

    dimension: str = Field(min_length=1)
    label: ThemeLabel
    zh: ThemeTerms = Field(default_factory=ThemeTerms)
    en: ThemeTerms = Field(default_factory=ThemeTerms)
    general_cues: bool = True

    @model_validator(mode="after")
    def _has_terms(self) -> ExtraTheme:
        phrases = self.zh.phrases or self.en.phrases
        pairs = (self.zh.aspects or self.en.aspects) and (self.zh.cues or self.en.cues or self.general_cues)
        if not phrases and not pairs:
            raise ValueError("a theme needs phrases, or aspects together with cues (zh or en)")
        return self


class Text(_Model):
    """Open-answer analysis: dictionary words, stopwords, a theme lexicon file, extra themes."""

    user_words: list[str] = Field(default_factory=list)
    stopwords: list[str] = Field(default_factory=list)
    lexicon: Path | None = None
    extra_themes: dict[str, ExtraTheme] = Field(default_factory=dict)
    quotes_per_theme: int = Field(default=3, ge=0, le=20)

    @field_validator("extra_themes")
    @classmethod
    def _theme_ids(cls, v: dict[str, ExtraTheme]) -> dict[str, ExtraTheme]:
        bad = [k for k in v if not re.fullmatch(r"[a-z][a-z0-9_]*", k)]
        if bad:
            raise ValueError(f"theme ids must be snake_case ASCII identifiers (like loyalty_points); got {bad}")
        return v


class Output(_Model):
    """Output formats and folder (``reports/<brand-or-category>/<wave>/``)."""

    formats: list[Literal["html", "pdf", "xlsx", "pptx", "ipynb"]] = Field(
        default_factory=lambda: ["html", "pdf", "xlsx", "pptx", "ipynb"]
    )
    dir: Path = Path("../reports")
    slug: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.\-]+$")
    pptx_template: Path | None = None  # a client .pptx whose masters and layouts the deck uses
    store: Path | None = None  # the study store (csat_research.io.store); default <dir>/csat-store.duckdb

    @field_validator("slug")
    @classmethod
    def _slug(cls, v: str | None) -> str | None:
        return None if v is None else _folder_name(v)


class StudyParams(_Model):
    """A whole params file. ``source`` is the file it was read from (None if built in code)."""

    study: Study
    data: Data
    instrument: Instrument = Field(default_factory=Instrument)
    weighting: Weighting = Field(default_factory=Weighting)
    survey_weights: SurveyWeights = Field(default_factory=SurveyWeights)
    quality: Quality = Field(default_factory=Quality)
    analysis: Analysis = Field(default_factory=Analysis)
    text: Text = Field(default_factory=Text)
    targets: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_TARGETS))
    thresholds: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))
    output: Output = Field(default_factory=Output)
    history: list[HistoryWave] = Field(default_factory=list)
    source: Path | None = None

    @field_validator("targets")
    @classmethod
    def _targets(cls, v: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(v) - set(DEFAULT_TARGETS))
        if unknown:
            raise ValueError(f"unknown target(s) {unknown}; allowed: {', '.join(DEFAULT_TARGETS)}")
        for k, x in v.items():
            if k == "nps" and not -100 <= x <= 100:
                raise ValueError(f"nps target must be within -100..100; got {x}")
            if k == "csat_mean" and not 1 <= x <= 5:
                raise ValueError(f"csat_mean target must be within 1..5; got {x}")
            if k == "median_first_response_min" and not x > 0:
                raise ValueError(f"median_first_response_min target is minutes and must be > 0; got {x}")
            if k not in ("nps", "csat_mean", "median_first_response_min") and not 0 <= x <= 1:
                raise ValueError(f"{k} target is a share and must be within 0..1; got {x}")
        return {**DEFAULT_TARGETS, **v}

    @field_validator("thresholds")
    @classmethod
    def _thresholds(cls, v: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(v) - set(DEFAULT_THRESHOLDS))
        if unknown:
            raise ValueError(f"unknown threshold(s) {unknown}; allowed: {', '.join(DEFAULT_THRESHOLDS)}")
        return {**DEFAULT_THRESHOLDS, **v}

    @property
    def slug(self) -> str:
        """Folder name of the report: ``output.slug``, else the category (or a safe brand name)."""
        if self.output.slug:
            return self.output.slug
        if self.study.category != "other":
            return self.study.category
        return re.sub(r"[^A-Za-z0-9_.\-]+", "-", self.study.brand).strip("-") or "study"

    @property
    def report_dir(self) -> Path:
        """``<output.dir>/<slug>/<wave>``."""
        return self.output.dir / self.slug / self.study.wave


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model class that owns the key at ``loc`` (for 'allowed keys' hints)."""
    model: Any = StudyParams
    key_next = False  # the part after a dict field is one of its keys (text.extra_themes.<id>)
    for part in loc[:-1]:
        if isinstance(part, int) or model is None or key_next:
            key_next = False
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return None
        ann = field.annotation
        key_next = getattr(ann, "__origin__", None) is dict
        candidates = [ann, *getattr(ann, "__args__", ())]
        model = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
    return model


def _format_error(err: Mapping[str, Any], where: str) -> str:
    loc = tuple(err.get("loc", ()))
    key = _loc(loc)
    kind = err.get("type", "")
    found = err.get("input")
    if kind == "extra_forbidden":
        model = _model_at(loc)
        allowed = [k for k in model.model_fields if k != "source"] if model else []
        hint = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        msg = f"{where}: {key}: unknown key"
        if hint:
            msg += f" (did you mean '{hint[0]}'?)"
        if allowed:
            msg += f"; allowed keys here: {', '.join(allowed)}"
        return msg
    if kind == "missing":
        return f"{where}: {key}: required key is missing"
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return f"{where}: {key}: {found!r} is not allowed; expected one of {expected}"
    text = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
    return f"{where}: {key}: {text} (found {found!r})" if not isinstance(found, dict) else f"{where}: {key}: {text}"


def params_from_dict(
    raw: Mapping[str, Any], *, source: str | Path | None = None, check_files: bool = True
) -> StudyParams:
    """Validate a params mapping into a frozen :class:`StudyParams`.

    Parameters
    ----------
    raw : mapping
        The parsed YAML document.
    source : path, optional
        The file it came from; relative paths are resolved against its folder and
        messages name it.
    check_files : bool, default True
        Refuse data files that do not exist.

    Raises
    ------
    ParamsError
        With one line per problem, each naming the file, the key path and what is allowed.
    """
    where = str(source) if source is not None else "<params>"
    if not isinstance(raw, Mapping):
        raise ParamsError(f"{where}: the file must hold a mapping of keys; found {type(raw).__name__}")
    try:
        params = StudyParams.model_validate({k: v for k, v in raw.items() if k != "source"})
    except ValidationError as exc:
        lines = [_format_error(e, where) for e in exc.errors()]
        raise ParamsError("\n".join(lines)) from None
    if "source" in raw:
        raise ParamsError(f"{where}: source: unknown key (reserved)")
    _check_history(params, where)
    base = Path(source).resolve().parent if source is not None else Path.cwd()
    params = _resolve_paths(params, base, source)
    if check_files:
        _check_files(params, where)
    return params


def _check_history(p: StudyParams, where: str) -> None:
    """Earlier waves: each label once, every label sorting before ``study.wave`` (labels sort in
    time order, as the study store orders them: 2026Q1 < 2026Q2)."""
    labels = [h.wave for h in p.history]
    problems = []
    repeated = sorted({w for w in labels if labels.count(w) > 1})
    if repeated:
        problems.append(f"{where}: history: wave labels must be unique; {', '.join(repeated)} listed more than once "
                        f"(labels: {labels}); name each earlier wave once under params history")
    for i, label in enumerate(labels):
        if not label < p.study.wave:
            problems.append(
                f"{where}: history[{i}].wave: {label!r} does not sort before study.wave {p.study.wave!r}; params "
                f"history lists earlier waves only, with labels that sort in time order (e.g. 2026Q1 < 2026Q2); "
                f"labels: {labels}")
    if problems:
        raise ParamsError("\n".join(problems))


def _resolve_paths(p: StudyParams, base: Path, source: str | Path | None) -> StudyParams:
    def res(path: Path | None) -> Path | None:
        if path is None:
            return None
        return path if path.is_absolute() else (base / path).resolve()

    data = p.data.model_copy(
        update={
            "responses": p.data.responses.model_copy(update={"path": res(p.data.responses.path)}),
            "tickets": (
                p.data.tickets.model_copy(update={"path": res(p.data.tickets.path)}) if p.data.tickets else None
            ),
        }
    )
    instrument = p.instrument
    if instrument.codebook != "default":
        instrument = instrument.model_copy(update={"codebook": str(res(Path(instrument.codebook)))})
    text = p.text.model_copy(update={"lexicon": res(p.text.lexicon)})
    output = p.output.model_copy(update={"dir": res(p.output.dir), "pptx_template": res(p.output.pptx_template),
                                     "store": res(p.output.store)})
    history = [h.model_copy(update={
        "responses": h.responses.model_copy(update={"path": res(h.responses.path)}),
        "tickets": None if h.tickets is None else h.tickets.model_copy(update={"path": res(h.tickets.path)}),
    }) for h in p.history]
    return p.model_copy(
        update={
            "history": history,
            "data": data,
            "instrument": instrument,
            "text": text,
            "output": output,
            "source": Path(source).resolve() if source is not None else None,
        }
    )


def _check_files(p: StudyParams, where: str) -> None:
    missing = []
    if not p.data.responses.path.is_file():
        missing.append(f"{where}: data.responses.path: file not found: {p.data.responses.path}")
    if p.data.tickets is not None and not p.data.tickets.path.is_file():
        missing.append(f"{where}: data.tickets.path: file not found: {p.data.tickets.path}")
    if p.instrument.codebook != "default" and not Path(p.instrument.codebook).is_file():
        missing.append(f"{where}: instrument.codebook: file not found: {p.instrument.codebook}")
    if p.text.lexicon is not None and not p.text.lexicon.is_file():
        missing.append(f"{where}: text.lexicon: file not found: {p.text.lexicon}")
    for i, h in enumerate(p.history):
        if not h.responses.path.is_file():
            missing.append(f"{where}: history[{i}].responses.path: file not found: {h.responses.path}")
        if h.tickets is not None and not h.tickets.path.is_file():
            missing.append(f"{where}: history[{i}].tickets.path: file not found: {h.tickets.path}")
    if p.output.pptx_template is not None:
        problem = pptx_problem(p.output.pptx_template)
        if problem:
            missing.append(f"{where}: output.pptx_template: expected a PowerPoint .pptx file; found {problem}")
    if missing:
        raise ParamsError("\n".join(missing))


def pptx_problem(path: Path) -> str | None:
    """What keeps ``path`` from being a PowerPoint presentation (``None`` if it is one): missing,
    not a zip package, or a package without ``ppt/presentation.xml``."""
    if not path.is_file():
        return f"no file at {path}"
    if not zipfile.is_zipfile(path):
        return f"{path}, which is not a .pptx (zip) package"
    with zipfile.ZipFile(path) as package:
        if "ppt/presentation.xml" not in package.namelist():
            return f"{path}, a zip package without ppt/presentation.xml (not a presentation)"
    return None


def history_params(p: StudyParams, index: int) -> StudyParams:
    """The params of the earlier wave ``p.history[index]``: the same study with that wave's label and
    data files (format, encoding, column and value maps inherited from ``data`` unless given) and
    no history of its own."""
    h = p.history[index]
    inherit = p.data.responses
    given = {k: v for k, v in h.responses.model_dump().items() if v is not None and k != "path"}
    responses = inherit.model_copy(update={"path": h.responses.path, **given})
    tickets = None
    if h.tickets is not None:
        base = p.data.tickets if p.data.tickets is not None else TicketSource(path=h.tickets.path)
        given_t = {k: v for k, v in h.tickets.model_dump().items() if v is not None and k != "path"}
        tickets = base.model_copy(update={"path": h.tickets.path, **given_t})
    return p.model_copy(update={
        "study": p.study.model_copy(update={"wave": h.wave}),
        "data": p.data.model_copy(update={"responses": responses, "tickets": tickets}),
        "history": [],
    })


def load_params(path: str | Path, *, check_files: bool = True) -> StudyParams:
    """Read and validate a params YAML file.

    Raises
    ------
    ParamsError
        File missing, not YAML, or invalid (see :func:`params_from_dict`).
    """
    path = Path(path)
    if not path.is_file():
        raise ParamsError(f"{path}: params file not found")
    try:
        raw = load_yaml(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ParamsError(f"{path}: params files must be UTF-8 ({exc.reason} at byte {exc.start})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ParamsError(f"{path}: not valid YAML{at}: {getattr(exc, 'problem', exc)}") from None
    if raw is None:
        raise ParamsError(f"{path}: the file is empty")
    return params_from_dict(raw, source=path, check_files=check_files)
