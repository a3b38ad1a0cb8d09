"""Study parameter files: the shipped ones validate, broken ones are refused precisely."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from csat_research.core.errors import ParamsError
from csat_research.core.schema import DEFAULT_RULE_ACTIONS
from csat_research.io.params import load_params

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "params").glob("*.yaml"))


def _base(tmp_path: Path) -> dict:
    (tmp_path / "responses.csv").write_text("respondent_id\nR1\n", encoding="utf-8")
    return {
        "study": {"brand": "Demo", "category": "beauty", "wave": "2026Q3"},
        "data": {"responses": {"path": "responses.csv"}},
    }


def _write(tmp_path: Path, doc: dict | str) -> Path:
    path = tmp_path / "study.yaml"
    text = doc if isinstance(doc, str) else yaml.safe_dump(doc, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_four_category_files_are_shipped():
    assert {p.stem for p in SHIPPED} >= {"appliances", "apparel", "beauty", "baby"}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_params_validate(path):
    p = load_params(path, check_files=False)
    assert p.study.category == path.stem
    assert p.source == path.resolve()
    # relative data paths are resolved against the params folder
    assert p.data.responses.path == (ROOT / "data" / "demo" / path.stem / "responses.csv").resolve()
    assert p.report_dir == (ROOT / "reports" / path.stem / p.study.wave).resolve()


def test_minimal_file_gets_documented_defaults(tmp_path):
    p = load_params(_write(tmp_path, _base(tmp_path)))
    assert p.study.language == "zh"
    assert p.quality.rules == DEFAULT_RULE_ACTIONS
    assert p.targets["first_reply_5min"] == 0.90 and p.targets["resolved_24h"] == 0.70
    assert p.weighting.method == "expert" and abs(sum(p.weighting.expert.values()) - 1) < 1e-9


def test_params_are_frozen(tmp_path):
    p = load_params(_write(tmp_path, _base(tmp_path)))
    with pytest.raises(Exception, match="frozen"):
        p.study.brand = "other"


def test_ahp_fractions_are_read(tmp_path):
    doc = _base(tmp_path)
    doc["weighting"] = {"method": "ahp", "ahp": {"labels": ["a", "b"], "matrices": [[[1, "1/3"], [3, 1]]]}}
    p = load_params(_write(tmp_path, doc))
    assert p.weighting.ahp.matrices[0][0][1] == pytest.approx(1 / 3)


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"study": {"brnad": "x"}}, r"study\.brnad: unknown key \(did you mean 'brand'\?\); allowed keys here: brand"),
        ({"colour": "red"}, r"colour: unknown key; allowed keys here: study, data"),
        ({"study": {"category": "toys"}}, r"study\.category: 'toys' is not allowed; expected one of 'appliances'"),
        ({"study": {"language": "fr"}}, r"study\.language: 'fr' is not allowed; expected one of 'zh' or 'en'"),
        ({"study": {"wave": "2026 Q3/"}}, r"study\.wave: String should match pattern"),
        ({"weighting": {"method": "expert", "expert": {"quality": 0.5, "efficiency": 0.2}}},
         r"weighting: expert weights must sum to 1; they sum to 0\.7"),
        ({"weighting": {"method": "expert", "expert": {"quality": 1.5, "efficiency": -0.5}}},
         r"weighting: expert weights must be positive"),
        ({"weighting": {"method": "ahp"}}, r"weighting: method is 'ahp' but no 'ahp' block"),
        ({"weighting": {"method": "ahp", "ahp": {"matrices": [[[1, 2], [0.5, 1]]]}}},
         r"weighting\.ahp: matrices\[0\] must be 5 x 5"),
        ({"weighting": {"method": "ahp", "ahp": {"labels": ["a", "b"], "matrices": [[[1, "x"], [1, 1]]]}}},
         r"weighting\.ahp\.matrices\[0\]\[0\]\[1\]: Input should be a valid number.*found 'x'"),
        ({"quality": {"rules": {"trapp": "flag"}}}, r"quality\.rules: unknown rule\(s\) \['trapp'\]; allowed: trap,"),
        ({"quality": {"rules": {"trap": "drop"}}}, r"quality\.rules\.trap: 'drop' is not allowed; expected one of 'flag' or 'exclude'"),
        ({"quality": {"speed_share": 1.5}}, r"quality\.speed_share: Input should be less than 1"),
        ({"targets": {"nps": 300}}, r"targets: nps target must be within -100\.\.100; got 300"),
        ({"targets": {"first_reply_5min": 90}}, r"first_reply_5min target is a share and must be within 0\.\.1; got 90"),
        ({"targets": {"reply_speed": 0.9}}, r"targets: unknown target\(s\) \['reply_speed'\]"),
        ({"thresholds": {"alfa": 0.7}}, r"thresholds: unknown threshold\(s\) \['alfa'\]"),
        ({"analysis": {"n_boot": "many"}}, r"analysis\.n_boot: Input should be a valid integer.*found 'many'"),
        ({"output": {"formats": ["docx"]}}, r"output\.formats\[0\]: 'docx' is not allowed; expected one of 'html'"),
        ({"data": {"responses": {"path": "responses.csv", "format": "sas"}}},
         r"data\.responses\.format: 'sas' is not allowed"),
    ],
)
def test_broken_params_are_refused_with_the_key(tmp_path, patch, message):
    doc = _base(tmp_path)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(doc.get(key), dict):
            doc[key] = {**doc[key], **value}
        else:
            doc[key] = value
    path = _write(tmp_path, doc)
    with pytest.raises(ParamsError, match=message) as info:
        load_params(path)
    assert str(path) in str(info.value)


def test_missing_required_block(tmp_path):
    path = _write(tmp_path, {"study": {"brand": "Demo", "category": "beauty", "wave": "W1"}})
    with pytest.raises(ParamsError, match=r"study\.yaml: data: required key is missing"):
        load_params(path)


def test_missing_data_file_is_named(tmp_path):
    doc = _base(tmp_path)
    doc["data"]["tickets"] = {"path": "no_such_tickets.csv"}
    with pytest.raises(ParamsError, match=r"data\.tickets\.path: file not found: .*no_such_tickets\.csv"):
        load_params(_write(tmp_path, doc))


def test_not_yaml_names_line(tmp_path):
    path = _write(tmp_path, "study:\n  brand: [unclosed\n")
    with pytest.raises(ParamsError, match=r"study\.yaml: not valid YAML at line \d+, column \d+"):
        load_params(path)


def test_a_repeated_key_is_refused_not_silently_overwritten(tmp_path):
    path = _write(tmp_path, "study:\n  brand: A\ntargets:\n  nps: 30\n  csat_mean: 4.0\n  nps: 40\n")
    with pytest.raises(ParamsError, match=r"study\.yaml: not valid YAML at line 6, column 3: duplicate key 'nps'"):
        load_params(path)


def test_empty_and_non_mapping_files(tmp_path):
    with pytest.raises(ParamsError, match="the file is empty"):
        load_params(_write(tmp_path, ""))
    with pytest.raises(ParamsError, match="must hold a mapping of keys; found list"):
        load_params(_write(tmp_path, "- a\n- b\n"))


def test_params_file_not_found(tmp_path):
    with pytest.raises(ParamsError, match=r"nope\.yaml: params file not found"):
        load_params(tmp_path / "nope.yaml")


def test_non_utf8_file(tmp_path):
    path = tmp_path / "gbk.yaml"
    path.write_bytes("study:\n  brand: 示例\n".encode("gbk"))
    with pytest.raises(ParamsError, match="params files must be UTF-8"):
        load_params(path)


def test_every_key_is_documented():
    doc = (ROOT / "params" / "README.md").read_text(encoding="utf-8")
    from csat_research.io import params as mod

    for model in (mod.StudyParams, mod.Study, mod.Source, mod.TicketSource, mod.Data, mod.Instrument,
                  mod.AHP, mod.Weighting, mod.SurveyWeights, mod.Quality, mod.Analysis, mod.Text, mod.Output,
                  mod.HistoryWave, mod.HistorySource, mod.HistoryTickets):
        for key in model.model_fields:
            if key == "source":
                continue
            assert f"`{key}`" in doc, f"params/README.md does not document {model.__name__}.{key}"
    for key in mod.DEFAULT_TARGETS:
        assert f"`{key}`" in doc
    for key in mod.DEFAULT_THRESHOLDS:
        assert f"`{key}`" in doc


@pytest.mark.parametrize(("section", "key"), [("study", "wave"), ("output", "slug")])
@pytest.mark.parametrize("name", [".", ".."])
def test_a_wave_or_slug_of_dots_is_refused(tmp_path, section, key, name):
    """'..' as wave or slug would put the report outside its folder (two such studies replaced
    each other's files)."""
    doc = _base(tmp_path)
    doc.setdefault(section, {})[key] = name
    with pytest.raises(ParamsError, match=rf"{section}\.{key}: must name a folder, not '{re.escape(name)}'"):
        load_params(_write(tmp_path, doc))


_POINTS = {"dimension": "after_sales", "label": {"zh": "积分问题", "en": "Loyalty points"},
           "zh": {"phrases": ["积分清零"], "aspects": ["积分"], "cues": ["没加上"]}}


def test_extra_themes_are_read(tmp_path):
    doc = _base(tmp_path)
    doc["text"] = {"extra_themes": {"loyalty_points": _POINTS}}
    theme = load_params(_write(tmp_path, doc)).text.extra_themes["loyalty_points"]
    assert theme.dimension == "after_sales" and theme.label.en == "Loyalty points"
    assert theme.zh.phrases == ["积分清零"] and theme.en.phrases == [] and theme.general_cues


@pytest.mark.parametrize(("theme_id", "patch", "message"), [
    ("Points", {}, r"text\.extra_themes: theme ids must be snake_case ASCII identifiers .*\['Points'\]"),
    ("points", {"label": {"zh": "积分问题"}}, r"text\.extra_themes\.points\.label\.en: required key is missing"),
    ("points", {"zh": {"phrase": ["积分清零"]}},
     r"text\.extra_themes\.points\.zh\.phrase: unknown key \(did you mean 'phrases'\?\); allowed keys here: "
     r"phrases, aspects, cues, exclude, unless"),
    ("points", {"zh": {"phrases": "积分清零"}}, r"text\.extra_themes\.points\.zh\.phrases: Input should be a valid list"),
    ("points", {"zh": {"aspects": ["积分"]}, "general_cues": False},
     r"text\.extra_themes\.points: a theme needs phrases, or aspects together with cues"),
])
def test_bad_extra_themes_are_refused_with_the_key(tmp_path, theme_id, patch, message):
    doc = _base(tmp_path)
    doc["text"] = {"extra_themes": {theme_id: {**_POINTS, **patch}}}
    with pytest.raises(ParamsError, match=message):
        load_params(_write(tmp_path, doc))


# --------------------------------------------------------------------------- history (issue 15)
def _with_history(tmp_path: Path, waves: list[str]) -> dict:
    doc = _base(tmp_path)
    doc["data"]["responses"].update({"format": "csv", "encoding": "gb18030"})
    doc["history"] = []
    for w in waves:
        (tmp_path / f"{w}.csv").write_text("respondent_id\nR1\n", encoding="utf-8")
        doc["history"].append({"wave": w, "responses": {"path": f"{w}.csv"}})
    return doc


def test_history_is_read_resolved_and_inherits_the_format(tmp_path):
    from csat_research.io.params import history_params

    doc = _with_history(tmp_path, ["2026Q1", "2026Q2"])
    doc["history"][1]["responses"]["encoding"] = "utf-8"
    p = load_params(_write(tmp_path, doc))
    assert [h.wave for h in p.history] == ["2026Q1", "2026Q2"]
    assert p.history[0].responses.path == (tmp_path / "2026Q1.csv").resolve()
    first, second = history_params(p, 0), history_params(p, 1)
    assert first.study.wave == "2026Q1" and first.history == [] and first.study.brand == "Demo"
    assert first.data.responses.path == (tmp_path / "2026Q1.csv").resolve()
    assert (first.data.responses.format, first.data.responses.encoding) == ("csv", "gb18030")  # inherited
    assert second.data.responses.encoding == "utf-8"  # given for that wave
    assert first.data.tickets is None


def test_repeated_history_labels_are_refused(tmp_path):
    doc = _with_history(tmp_path, ["2026Q1", "2026Q1"])
    with pytest.raises(ParamsError, match=r"history: wave labels must be unique; 2026Q1 listed more than once "
                                          r"\(labels: \['2026Q1', '2026Q1'\]\).*params history"):
        load_params(_write(tmp_path, doc))


@pytest.mark.parametrize("label", ["2026Q3", "2026Q4", "2027Q1"])
def test_a_history_wave_not_before_the_study_wave_is_refused(tmp_path, label):
    doc = _with_history(tmp_path, ["2026Q1", label])
    with pytest.raises(ParamsError, match=rf"history\[1\]\.wave: '{label}' does not sort before study\.wave "
                                          r"'2026Q3'; params history lists earlier waves only"):
        load_params(_write(tmp_path, doc))


def test_a_missing_history_file_is_named(tmp_path):
    doc = _with_history(tmp_path, ["2026Q2"])
    doc["history"][0]["tickets"] = {"path": "no_tickets.csv"}
    with pytest.raises(ParamsError, match=r"history\[0\]\.tickets\.path: file not found: .*no_tickets\.csv"):
        load_params(_write(tmp_path, doc))


def test_change_correction_is_holm_or_fdr_bh(tmp_path):
    doc = _base(tmp_path)
    assert load_params(_write(tmp_path, doc)).analysis.change_correction == "holm"
    doc["analysis"] = {"change_correction": "bonferonni"}
    with pytest.raises(ParamsError, match=r"analysis\.change_correction: 'bonferonni' is not allowed; expected "
                                          r"one of 'holm' or 'fdr_bh'"):
        load_params(_write(tmp_path, doc))
