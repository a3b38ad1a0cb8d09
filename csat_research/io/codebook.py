"""The survey instrument (codebook): dimensions, items, traps, outcomes, open questions, segments.

An instrument is described by a YAML file (the shipped default is
``csat_research/data/instrument_default.yaml``). :func:`load_codebook` reads it, validates it
and returns a frozen :class:`Codebook` whose accessors every other module uses to find the
items of a dimension, the reverse-keyed items and their twins, the trap expectations, the
outcome variables, the segment levels, the display labels (Chinese and English) and the
canonical column names of the survey frame.

Validation is strict and every problem is reported at once, each line naming the file and
the key path (list indices are 0-based, as in the YAML list)::

    instrument.yaml: items[3].dimension: 'effciency' is not a declared dimension; allowed: ...

Notes
-----
Rules checked besides the types: unknown keys (also duplicated keys inside one YAML mapping),
ids unique across all sections (dimensions, items, traps, outcomes, open questions,
segments) and not clashing with the metadata columns, ids usable as column names, declared
dimensions and scales, ``twin`` only on reverse-keyed items and pointing at an existing
non-reverse item available in at least the same categories, trap expectations inside the
scale, ``min < max``, scale labels one per code, categories in :data:`CATEGORIES`, at least
two items per dimension in every category, two of them not ``optional`` (reverse-keyed items
and their twins cannot be optional), Chinese and English labels everywhere.
"""

from __future__ import annotations

import difflib
import importlib.resources
import os
import re
import types
import typing
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationError,
)

from csat_research.core.errors import CodebookError
from csat_research.core.schema import METADATA_COLUMNS, WEIGHT
from csat_research.io.yamlio import load_yaml

__all__ = [
    "CATEGORIES",
    "LANGUAGES",
    "OUTCOME_ROLES",
    "Codebook",
    "Dimension",
    "Item",
    "Labels",
    "LevelLabels",
    "OpenQuestion",
    "Outcome",
    "Scale",
    "ScaleLabels",
    "Segment",
    "Trap",
    "codebook_from_mapping",
    "load_codebook",
]

#: Product categories an item can be restricted to (``other`` is a catch-all study).
CATEGORIES = ("appliances", "apparel", "beauty", "baby", "other")
#: Display languages of every label.
LANGUAGES = ("zh", "en")
#: Roles an outcome variable can play (each at most once per instrument).
OUTCOME_ROLES = ("overall", "nps", "repurchase", "repurchase_intent", "expected_reply")

_DEFAULT_NAME = "instrument_default.yaml"
_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=False)


class Labels(_Frozen):
    """A display label in Chinese (``zh``) and English (``en``)."""

    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        """Return the label in ``lang`` (``"zh"`` or ``"en"``)."""
        return getattr(self, _check_lang(lang))


class ScaleLabels(_Frozen):
    """One label per scale code (lowest code first), in Chinese and English."""

    zh: tuple[str, ...]
    en: tuple[str, ...]


class LevelLabels(_Frozen):
    """One label per segment level (in the order of the levels), in Chinese and English."""

    zh: tuple[str, ...]
    en: tuple[str, ...]


class Scale(_Frozen):
    """A response scale: integer codes ``min..max`` with optional labels, or a numeric range.

    Parameters
    ----------
    min, max : int or float
        Lowest and highest allowed value (``min < max``).
    labels : ScaleLabels, optional
        One label per code, lowest code first (ordinal scales only).
    numeric : bool, default False
        ``True`` for a free numeric answer (any real number in ``[min, max]``, e.g. minutes);
        ``False`` for an ordinal scale of integer codes.

    Examples
    --------
    >>> s = Scale(min=1, max=5)
    >>> s.codes, s.describe(), s.contains(7)
    ((1, 2, 3, 4, 5), '1-5', False)
    """

    min: float | StrictInt
    max: float | StrictInt
    labels: ScaleLabels | None = None
    numeric: StrictBool = False

    @property
    def codes(self) -> tuple[int, ...]:
        """All integer codes of an ordinal scale (empty for a numeric scale)."""
        if self.numeric:
            return ()
        return tuple(range(int(self.min), int(self.max) + 1))

    def describe(self) -> str:
        """The range as text, e.g. ``'1-5'``."""
        return f"{_fmt_num(self.min)}-{_fmt_num(self.max)}"

    def contains(self, value: float) -> bool:
        """Whether ``value`` is an allowed answer (an integer code for ordinal scales)."""
        if not self.min <= value <= self.max:
            return False
        return self.numeric or float(value).is_integer()

    def label_of(self, code: int, lang: str = "zh") -> str | None:
        """The label of ``code`` in ``lang`` (``None`` when the scale has no labels)."""
        if self.labels is None:
            return None
        return getattr(self.labels, _check_lang(lang))[int(code) - int(self.min)]

    def code_of_label(self) -> dict[str, int]:
        """Map every label (both languages, stripped) to its code."""
        out: dict[str, int] = {}
        if self.labels is not None:
            for lang in LANGUAGES:
                for offset, text in enumerate(getattr(self.labels, lang)):
                    out[text.strip()] = int(self.min) + offset
        return out


class Dimension(_Frozen):
    """A service dimension (efficiency, quality, ...)."""

    id: str
    label: Labels


class Item(_Frozen):
    """A rated item of one dimension.

    ``categories`` (``None`` = all categories) restricts a category-specific item;
    ``reverse`` marks a reverse-keyed item whose ``twin`` is the positively worded item
    it should agree with; ``optional`` marks an item an export may lack (not every survey
    asks it): the import then notes it and the report works with the items present.
    """

    id: str
    dimension: str
    scale: str
    label: Labels
    reverse: StrictBool = False
    twin: str | None = None
    categories: tuple[str, ...] | None = None
    optional: StrictBool = False


class Trap(_Frozen):
    """An attention / consistency trap: an attentive respondent answers one of ``expected``."""

    id: str
    scale: str
    expected: tuple[StrictInt, ...]
    label: Labels


class Outcome(_Frozen):
    """An outcome variable (overall satisfaction, NPS, repurchase, ...).

    Either ``scale`` names a declared scale, or ``type: numeric`` with ``min`` and ``max``.
    """

    id: str
    role: str
    label: Labels
    scale: str | None = None
    type: Literal["numeric"] | None = None
    min: float | StrictInt | None = None
    max: float | StrictInt | None = None


class OpenQuestion(_Frozen):
    """An open-ended question (free text)."""

    id: str
    role: str
    label: Labels


class Segment(_Frozen):
    """A segment variable with text level codes (``new``/``returning``, ...)."""

    id: str
    label: Labels
    levels: tuple[str, ...]
    level_labels: LevelLabels


class Codebook(_Frozen):
    """A validated survey instrument.

    Build it with :func:`load_codebook` (or :func:`codebook_from_mapping`); constructing it
    directly skips the cross-reference checks.

    Examples
    --------
    >>> cb = load_codebook()
    >>> cb.dimensions
    ['efficiency', 'quality', 'communication', 'after_sales', 'digital']
    >>> cb.dimension_items("beauty")["digital"]
    ['dig_selfservice', 'dig_consistency', 'dig_bot_handoff', 'dig_privacy']
    >>> cb.twins("apparel")
    {'eff_wait_r': 'eff_first_reply', 'qual_repeat_r': 'qual_no_repeat'}
    >>> cb.label("efficiency", lang="en"), cb.scale_of("nps").describe()
    ('Response efficiency', '0-10')
    """

    instrument: str
    version: str
    scales: dict[str, Scale]
    dimension_defs: tuple[Dimension, ...] = Field(alias="dimensions")
    items: tuple[Item, ...]
    traps: tuple[Trap, ...] = ()
    outcomes: tuple[Outcome, ...] = ()
    open_questions: tuple[OpenQuestion, ...] = ()
    segments: tuple[Segment, ...] = ()

    def model_post_init(self, context: Any, /) -> None:  # noqa: D102 - pydantic hook
        self._source = "<codebook>"
        self._by_id: dict[str, BaseModel] = {}
        for section in (self.dimension_defs, self.items, self.traps, self.outcomes,
                        self.open_questions, self.segments):
            for entry in section:
                self._by_id.setdefault(entry.id, entry)

    # ------------------------------------------------------------------ basics
    @property
    def source(self) -> str:
        """Name of the file (or other origin) the codebook was read from."""
        return self._source

    @property
    def dimensions(self) -> list[str]:
        """Dimension ids in the instrument's order."""
        return [d.id for d in self.dimension_defs]

    def _check_category(self, category: str) -> str:
        if not isinstance(category, str):
            raise TypeError(f"category must be a str, got {type(category).__name__}")
        if category not in CATEGORIES:
            raise ValueError(
                f"category {category!r} is not known; allowed: {', '.join(CATEGORIES)}"
            )
        return category

    def _unknown(self, what: str, value: str, choices: Iterable[str]) -> CodebookError:
        choices = list(choices)
        close = difflib.get_close_matches(str(value), choices, n=3, cutoff=0.5)
        close += [c for c in choices if str(value) in c and c not in close][: 3 - len(close)]
        hint = f"; closest: {', '.join(close)}" if close else ""
        return CodebookError(
            f"{self._source}: {value!r} is not {what} of instrument {self.instrument!r}{hint}"
        )

    # ------------------------------------------------------------------ items
    def items_for(self, category: str) -> list[Item]:
        """Items asked in ``category``: generic items plus those restricted to it."""
        self._check_category(category)
        return [i for i in self.items if i.categories is None or category in i.categories]

    def dimension_items(self, category: str) -> dict[str, list[str]]:
        """Dimension id -> ids of its items in ``category`` (instrument order)."""
        out: dict[str, list[str]] = {d: [] for d in self.dimensions}
        for item in self.items_for(category):
            out[item.dimension].append(item.id)
        return out

    def reverse_items(self, category: str) -> list[str]:
        """Ids of the reverse-keyed items asked in ``category``."""
        return [i.id for i in self.items_for(category) if i.reverse]

    def optional_items(self, category: str) -> list[str]:
        """Ids of the items asked in ``category`` that an export may lack (``optional: true``)."""
        return [i.id for i in self.items_for(category) if i.optional]

    def twins(self, category: str) -> dict[str, str]:
        """Reverse item id -> id of its positively worded twin, for ``category``."""
        return {i.id: i.twin for i in self.items_for(category) if i.reverse and i.twin}

    def trap_expectations(self) -> dict[str, tuple[int, ...]]:
        """Trap id -> codes an attentive respondent gives."""
        return {t.id: tuple(t.expected) for t in self.traps}

    def outcome(self, role: str) -> Outcome:
        """The outcome with ``role`` (one of :data:`OUTCOME_ROLES`)."""
        if role not in OUTCOME_ROLES:
            raise ValueError(f"role {role!r} is not known; allowed: {', '.join(OUTCOME_ROLES)}")
        for out in self.outcomes:
            if out.role == role:
                return out
        raise CodebookError(
            f"{self._source}: instrument {self.instrument!r} declares no outcome with role "
            f"{role!r}; declared roles: {', '.join(o.role for o in self.outcomes) or 'none'}"
        )

    def open_ids(self) -> list[str]:
        """Ids of the open-ended questions."""
        return [q.id for q in self.open_questions]

    def segment_ids(self) -> list[str]:
        """Ids of the segment variables."""
        return [s.id for s in self.segments]

    def _segment(self, segment_id: str) -> Segment:
        for seg in self.segments:
            if seg.id == segment_id:
                return seg
        raise self._unknown("a segment id", segment_id, self.segment_ids())

    def segment_levels(self, segment_id: str) -> list[str]:
        """Level codes of a segment variable, in order."""
        return list(self._segment(segment_id).levels)

    def level_labels(self, segment_id: str, lang: str = "zh") -> dict[str, str]:
        """Level code -> display label of a segment variable."""
        seg = self._segment(segment_id)
        return dict(zip(seg.levels, getattr(seg.level_labels, _check_lang(lang)), strict=True))

    def label(self, id: str, lang: str = "zh") -> str:  # noqa: A002 - public name
        """Display label of a question, dimension or segment id in ``lang``."""
        _check_lang(lang)
        entry = self._by_id.get(id)
        if entry is None:
            raise self._unknown("a question, dimension or segment id", id, self._by_id)
        return entry.label.get(lang)

    def scale_of(self, id: str) -> Scale:  # noqa: A002 - public name
        """The :class:`Scale` of a rated question (item, trap, outcome), or a scale by its id."""
        entry = self._by_id.get(id)
        if isinstance(entry, Outcome) and entry.type == "numeric":
            return Scale(min=entry.min, max=entry.max, numeric=True)
        if isinstance(entry, (Item, Trap, Outcome)):
            return self.scales[entry.scale]
        if id in self.scales:
            return self.scales[id]
        raise self._unknown(
            "a rated question or scale id", id, [*self.numeric_ids(None), *self.scales]
        )

    # ------------------------------------------------------------------ columns
    def kind_of(self, id: str) -> str:  # noqa: A002 - public name
        """``'item'``, ``'trap'``, ``'outcome'``, ``'open'``, ``'segment'`` or ``'dimension'``."""
        entry = self._by_id.get(id)
        kinds = {Item: "item", Trap: "trap", Outcome: "outcome", OpenQuestion: "open",
                 Segment: "segment", Dimension: "dimension"}
        if entry is None:
            raise self._unknown("a question, dimension or segment id", id, self._by_id)
        return kinds[type(entry)]

    def numeric_ids(self, category: str | None) -> list[str]:
        """Ids of coded questions (items of ``category`` or of all categories, traps, outcomes)."""
        items = self.items if category is None else self.items_for(category)
        return [*(i.id for i in items), *(t.id for t in self.traps), *(o.id for o in self.outcomes)]

    def question_ids(self, category: str) -> list[str]:
        """Every question column of ``category``: items, traps, outcomes, open, segments."""
        return [*self.numeric_ids(category), *self.open_ids(), *self.segment_ids()]

    def columns_for(self, category: str) -> list[str]:
        """All canonical columns of a survey frame for ``category`` (metadata first).

        The optional ``weight`` column is not included.
        """
        return [*METADATA_COLUMNS, *self.question_ids(category)]

    def with_extra_items(self, items: Iterable[Item | Mapping[str, Any]]) -> Codebook:
        """A new, validated codebook with ``items`` appended (dicts or :class:`Item`)."""
        data = self.model_dump(by_alias=True, exclude_none=True)
        extra = [i.model_dump(exclude_none=True) if isinstance(i, Item) else dict(i)
                 for i in items]
        data["items"] = [*data["items"], *extra]
        return codebook_from_mapping(data, source=self._source)


# ---------------------------------------------------------------------- loading
def load_codebook(path: str | os.PathLike[str] | None = None) -> Codebook:
    """Read and validate an instrument YAML file.

    Parameters
    ----------
    path : str or os.PathLike, optional
        The instrument file; ``None`` (default) reads the shipped default instrument.

    Returns
    -------
    Codebook
        The validated, immutable codebook.

    Raises
    ------
    CodebookError
        The file is missing, is not valid YAML, or breaks a rule of the schema; the
        message lists every problem as ``file: key.path: what is wrong``.
    TypeError
        ``path`` is not a path.

    Examples
    --------
    >>> cb = load_codebook()
    >>> cb.instrument, len(cb.items_for("appliances")), cb.outcome("nps").id
    ('csat-default', 25, 'nps')
    """
    if path is None:
        resource = importlib.resources.files("csat_research") / "data" / _DEFAULT_NAME
        text = resource.read_text(encoding="utf-8")
        name = _DEFAULT_NAME
    else:
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
        p = Path(path)
        name = p.name
        if not p.is_file():
            raise CodebookError(f"{name}: instrument file not found ({p})")
        try:
            text = p.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CodebookError(
                f"{name}: instrument files must be UTF-8; byte {exc.object[exc.start]:#04x} "
                f"at offset {exc.start} is not"
            ) from None
    try:
        data = load_yaml(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise CodebookError(f"{name}:{where}: invalid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise CodebookError(f"{name}: invalid YAML: {exc}") from None
    return codebook_from_mapping(data, source=name)


def codebook_from_mapping(data: Any, *, source: str = "<mapping>") -> Codebook:
    """Validate an already-parsed instrument (a dict shaped like the YAML file).

    Parameters
    ----------
    data : Mapping
        The instrument as nested dicts and lists.
    source : str
        Name used in error messages (normally the file name).

    Returns
    -------
    Codebook

    Raises
    ------
    CodebookError
        Every problem found, one per line, each naming ``source`` and the key path.
    """
    if not isinstance(data, Mapping):
        raise CodebookError(
            f"{source}: the top level must be a mapping with keys "
            f"{', '.join(_allowed_keys(Codebook))}; found {type(data).__name__}"
        )
    try:
        book = Codebook.model_validate(dict(data))
    except ValidationError as exc:
        problems = [_describe_pydantic(err) for err in exc.errors()]
        raise _codebook_error(source, problems) from None
    problems = _cross_check(book)
    if problems:
        raise _codebook_error(source, problems)
    book._source = source
    return book


def _codebook_error(source: str, problems: list[str]) -> CodebookError:
    lines = [f"{source}: {p}" for p in dict.fromkeys(problems)]
    if len(lines) == 1:
        return CodebookError(lines[0])
    return CodebookError(f"{source}: {len(lines)} problems:\n" + "\n".join(lines))


def _loc_path(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _unwrap(annotation: Any) -> Any:
    """Strip Optional / Union-with-None around an annotation."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        if models:
            return models[0]
        return args[0] if len(args) == 1 else annotation
    return annotation


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The model class describing the mapping at ``loc`` (None when not a model)."""
    current: Any = Codebook
    parts = list(loc)
    while parts:
        part = parts.pop(0)
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            if not isinstance(part, str):
                return None
            field = next((f for n, f in current.model_fields.items()
                          if (f.alias or n) == part), None)
            if field is None:
                return None
            current = field.annotation
            continue
        origin = typing.get_origin(current)
        args = typing.get_args(current)
        if origin in (tuple, list) and args:
            current = args[0]
        elif origin is dict and len(args) == 2:
            current = args[1]
        else:
            return None
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return current
    return None


def _allowed_keys(model: type[BaseModel]) -> list[str]:
    return [f.alias or n for n, f in model.model_fields.items()]


def _describe_pydantic(err: dict) -> str:
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
    path = _loc_path(loc)
    kind = err["type"]
    found = err.get("input")
    if kind == "extra_forbidden":
        model = _model_at(loc[:-1])
        allowed = f"; allowed keys: {', '.join(_allowed_keys(model))}" if model else ""
        return f"{path}: unknown key {loc[-1]!r}{allowed}"
    if kind == "missing":
        return f"{path}: required key is missing"
    if kind == "string_too_short":
        return f"{path}: must not be empty"
    shown = repr(found)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"{path}: {err['msg'][0].lower()}{err['msg'][1:]}; found {shown}"


def _cross_check(book: Codebook) -> list[str]:  # noqa: C901 - one flat list of rules
    problems: list[str] = []
    scales = book.scales

    for sid, scale in scales.items():
        where = f"scales.{sid}"
        if scale.min >= scale.max:
            problems.append(
                f"{where}: min ({_fmt_num(scale.min)}) must be smaller than max "
                f"({_fmt_num(scale.max)})"
            )
            continue
        if not scale.numeric and not (float(scale.min).is_integer()
                                      and float(scale.max).is_integer()):
            problems.append(f"{where}: min and max of an ordinal scale must be integers "
                            "(add 'numeric: true' for a free numeric range)")
            continue
        if scale.labels is not None:
            if scale.numeric:
                problems.append(f"{where}.labels: a numeric scale cannot have labels")
                continue
            n = len(scale.codes)
            for lang in LANGUAGES:
                got = getattr(scale.labels, lang)
                if len(got) != n:
                    problems.append(
                        f"{where}.labels.{lang}: expected {n} labels (one per code "
                        f"{scale.describe()}), found {len(got)}"
                    )
                elif any(not t.strip() for t in got):
                    problems.append(f"{where}.labels.{lang}: labels must not be empty")

    # ids: unique across sections, usable as column names
    seen: dict[str, str] = {}
    sections = [("dimensions", book.dimension_defs), ("items", book.items),
                ("traps", book.traps), ("outcomes", book.outcomes),
                ("open_questions", book.open_questions), ("segments", book.segments)]
    reserved = {*METADATA_COLUMNS, WEIGHT}
    for name, entries in sections:
        for k, entry in enumerate(entries):
            where = f"{name}[{k}].id"
            if not _ID_PATTERN.match(entry.id):
                problems.append(
                    f"{where}: {entry.id!r} is not a valid id (lower-case letters, digits "
                    "and '_', starting with a letter)"
                )
            if entry.id in reserved:
                problems.append(
                    f"{where}: {entry.id!r} is a reserved metadata column name "
                    f"({', '.join(sorted(reserved))})"
                )
            if entry.id in seen:
                problems.append(
                    f"{where}: duplicate id {entry.id!r} (first used at {seen[entry.id]})"
                )
            else:
                seen[entry.id] = where

    dims = book.dimensions
    scale_ids = ", ".join(scales)

    def check_scale(where: str, sid: str | None, *, ordinal: bool) -> Scale | None:
        if sid not in scales:
            problems.append(f"{where}: {sid!r} is not a declared scale; allowed: {scale_ids}")
            return None
        if ordinal and scales[sid].numeric:
            problems.append(
                f"{where}: {sid!r} is a numeric scale; this question needs coded answers"
            )
        return scales[sid]

    items_by_id = {i.id: i for i in book.items}
    twin_ids = {i.twin for i in book.items if i.twin}
    for k, item in enumerate(book.items):
        where = f"items[{k}]"
        if item.dimension not in dims:
            problems.append(
                f"{where}.dimension: {item.dimension!r} is not a declared dimension; "
                f"allowed: {', '.join(dims)}"
            )
        check_scale(f"{where}.scale", item.scale, ordinal=True)
        if item.categories is not None:
            if not item.categories:
                problems.append(f"{where}.categories: must list at least one category "
                                "(omit the key for an item asked in every category)")
            for j, cat in enumerate(item.categories):
                if cat not in CATEGORIES:
                    problems.append(
                        f"{where}.categories[{j}]: {cat!r} is not a category; "
                        f"allowed: {', '.join(CATEGORIES)}"
                    )
        if item.optional and (item.reverse or item.id in twin_ids):
            problems.append(
                f"{where}.optional: {item.id!r} is "
                + ("reverse-keyed" if item.reverse else "the twin of a reverse-keyed item")
                + "; the consistency check needs both items of a pair, so it cannot be optional"
            )
        if item.twin is not None:
            if not item.reverse:
                problems.append(
                    f"{where}.twin: only reverse-keyed items have a twin; add 'reverse: true' "
                    f"to item {item.id!r} or remove its twin"
                )
            twin = items_by_id.get(item.twin)
            if twin is None:
                close = difflib.get_close_matches(item.twin, items_by_id, n=3)
                hint = f"; closest: {', '.join(close)}" if close else ""
                problems.append(f"{where}.twin: {item.twin!r} is not an item id{hint}")
            elif twin.reverse:
                problems.append(
                    f"{where}.twin: {item.twin!r} is itself reverse-keyed; the twin must be "
                    "a positively worded item"
                )
            elif twin.id == item.id:
                problems.append(f"{where}.twin: an item cannot be its own twin")
            elif twin.categories is not None and (
                item.categories is None or not set(item.categories) <= set(twin.categories)
            ):
                problems.append(
                    f"{where}.twin: {twin.id!r} is asked only in "
                    f"{', '.join(twin.categories)}, but {item.id!r} is asked in "
                    f"{', '.join(item.categories or CATEGORIES)}"
                )

    for k, trap in enumerate(book.traps):
        where = f"traps[{k}]"
        scale = check_scale(f"{where}.scale", trap.scale, ordinal=True)
        if not trap.expected:
            problems.append(f"{where}.expected: must list at least one code")
        if scale is not None and scale.min < scale.max:
            bad = [c for c in trap.expected if not scale.contains(c)]
            if bad:
                problems.append(
                    f"{where}.expected: {', '.join(map(str, bad))} outside scale "
                    f"{trap.scale!r} ({scale.describe()})"
                )

    roles_seen: dict[str, int] = {}
    for k, out in enumerate(book.outcomes):
        where = f"outcomes[{k}]"
        if out.role not in OUTCOME_ROLES:
            problems.append(
                f"{where}.role: {out.role!r} is not an outcome role; "
                f"allowed: {', '.join(OUTCOME_ROLES)}"
            )
        elif out.role in roles_seen:
            problems.append(
                f"{where}.role: role {out.role!r} already used by outcomes[{roles_seen[out.role]}]"
            )
        else:
            roles_seen[out.role] = k
        if out.type == "numeric":
            if out.scale is not None:
                problems.append(f"{where}: give either 'scale' or 'type: numeric', not both")
            if out.min is None or out.max is None:
                problems.append(f"{where}: a numeric outcome needs 'min' and 'max'")
            elif out.min >= out.max:
                problems.append(
                    f"{where}: min ({_fmt_num(out.min)}) must be smaller than max "
                    f"({_fmt_num(out.max)})"
                )
        else:
            if out.min is not None or out.max is not None:
                problems.append(f"{where}: 'min'/'max' are only allowed with 'type: numeric'")
            if out.scale is None:
                problems.append(f"{where}.scale: required key is missing "
                                "(or give 'type: numeric' with 'min' and 'max')")
            else:
                check_scale(f"{where}.scale", out.scale, ordinal=False)

    for k, seg in enumerate(book.segments):
        where = f"segments[{k}]"
        if len(seg.levels) < 2:
            problems.append(f"{where}.levels: a segment needs at least 2 levels, found "
                            f"{len(seg.levels)}")
        dup = sorted({lv for lv in seg.levels if seg.levels.count(lv) > 1})
        if dup:
            problems.append(f"{where}.levels: duplicate levels {', '.join(dup)}")
        for j, lv in enumerate(seg.levels):
            if not _ID_PATTERN.match(lv):
                problems.append(f"{where}.levels[{j}]: {lv!r} is not a valid level code "
                                "(lower-case letters, digits and '_')")
        for lang in LANGUAGES:
            got = getattr(seg.level_labels, lang)
            if len(got) != len(seg.levels):
                problems.append(
                    f"{where}.level_labels.{lang}: expected {len(seg.levels)} labels "
                    f"(one per level), found {len(got)}"
                )

    if not book.dimension_defs:
        problems.append("dimensions: at least one dimension must be declared")
    for k, dim in enumerate(book.dimension_defs):
        for cat in CATEGORIES:
            ids = [i.id for i in book.items if i.dimension == dim.id
                   and (i.categories is None or cat in i.categories)]
            if len(ids) < 2:
                listed = f" ({', '.join(ids)})" if ids else ""
                problems.append(
                    f"dimensions[{k}]: dimension {dim.id!r} has {len(ids)} item"
                    f"{'' if len(ids) == 1 else 's'}{listed} in "
                    f"category {cat!r}; each dimension needs at least 2 items"
                )
                break
            required = [i.id for i in book.items if i.dimension == dim.id and not i.optional
                        and (i.categories is None or cat in i.categories)]
            if len(required) < 2:
                problems.append(
                    f"dimensions[{k}]: dimension {dim.id!r} has {len(required)} item"
                    f"{'' if len(required) == 1 else 's'} not marked optional in category "
                    f"{cat!r}; each dimension needs at least 2 items every export has"
                )
                break
    return problems


# ---------------------------------------------------------------------- helpers
def _check_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}; got {lang!r}")
    return lang


def _fmt_num(value: float) -> str:
    """Format a number without a spurious ``.0`` (``7.0`` -> ``'7'``)."""
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value)
