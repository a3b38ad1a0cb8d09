"""A report renders what it can, and ``csat validate`` runs the report's own checks.

Each case of issue 17 (a rare segment level whose respondents all gave the same answer, a
constant item, a constant repurchase column, a study of 80 respondents, nothing left to report,
a lexicon file that is not a lexicon) is checked with the note it expects in both languages; a
property test over perturbed demo studies checks that validate passing means the report's
functions all succeed, and validate failing means the report fails with the same message.
"""

from __future__ import annotations

import os
import re
import tempfile
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from csat_research.core.errors import CsatError, DataError, ParamsError
from csat_research.demo.generator import write_demo_study
from csat_research.report import checkup, narrative
from csat_research.report.analyse import analyse
from csat_research.report.data_notes import data_notes_lines
from csat_research.report.outputs import write_outputs
from csat_research.report.study import MIN_ANALYSED, load_study
from tests.report.perturb import OPTIONAL, Perturbation, write_study

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> Path:
    """The small demo study every perturbation starts from (beauty, n = 300)."""
    data = tmp_path_factory.mktemp("demo300")
    write_demo_study(data, seed=11, n=300, categories=("beauty",))
    return data / "beauty"


def _quiet(fn, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args)


def _report(params: Path):
    """What ``csat report`` runs, in-process: load, analyse, every notebook section, the outputs."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = analyse(load_study(params))
        checkup.report_sections(res)
        with tempfile.TemporaryDirectory() as tmp:
            write_outputs(res, tmp)
    return res


def _notes(res) -> str:
    return "\n".join(data_notes_lines(res))


# --------------------------------------------------------------------------- the notebook's calls
def _calls(source: str) -> set[str]:
    return set(re.findall(r"\b((?:tables|narrative|plots|tracking|data_notes)\.\w+)\(", source))


def test_report_sections_call_every_function_the_notebook_calls():
    import json

    nb = json.loads((ROOT / "notebooks" / "csat_report.ipynb").read_text(encoding="utf-8"))
    notebook = set().union(*(_calls("".join(c["source"])) for c in nb["cells"] if c["cell_type"] == "code"))
    dry = _calls(Path(checkup.__file__).read_text(encoding="utf-8"))
    assert "plots.probability_curve" in notebook and "narrative.segment_text" in notebook
    assert notebook - dry == set()


# --------------------------------------------------------------------------- the cases
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_rare_constant_level_is_shown_with_its_n_and_not_tested(demo, tmp_path, lang):
    params = write_study(demo, tmp_path, Perturbation(rare=("age_group", "post70", 3), rare_constant=True,
                                                      language=lang))
    _quiet(checkup.validate_study, params)
    res = _report(params)
    expected = {"zh": "年龄段：70后（n = 3）的受访者总体满意度完全相同；列出人数，但不纳入显著性检验。",
                "en": "Age group: everyone in Born 1970s (n = 3) gave the same overall satisfaction; shown with their n, "
                      "left out of the significance test."}[lang]
    assert narrative.segment_text(res) == [expected]
    assert expected in _notes(res)
    tested = res.segment_tests[res.segment_tests["segment"] == "age_group"]
    assert len(tested) and tested["p_value"].notna().all()  # the other age groups are still tested
    by = res.by_segment[(res.by_segment["segment"] == "age_group") & (res.by_segment["level"] == "post70")]
    assert set(by["n"]) == {3}  # ... and post-70s keep their row in the segment table


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_constant_item_is_left_out_of_reliability_with_a_note(demo, tmp_path, lang):
    params = write_study(demo, tmp_path, Perturbation(constant_item=("comm_script", 4), language=lang))
    _quiet(checkup.validate_study, params)
    res = _report(params)
    expected = {"zh": "客服用语规范、不敷衍：所有受访者的回答完全相同，这些题目不纳入α、ω与因子模型（没有变异的题目无法反映信度）。",
                "en": "Courteous scripted language without evasive answers: every respondent gave the same answer, so "
                      "these items are left out of alpha, omega and the factor model (an item without variation "
                      "says nothing about reliability)."}[lang]
    assert narrative.reliability_text(res) == [expected]
    assert expected in _notes(res)
    comm = res.reliability.set_index("dimension").loc["communication"]
    assert comm["n_items"] == 4 and comm["alpha"] > 0  # alpha of the other four items
    assert "comm_script" not in set(res.cfa.loadings["item"])
    assert "comm_script" in set(res.item_scores["item"])  # its score is still shown


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_constant_repurchase_model_is_reported_as_not_estimable(demo, tmp_path, lang):
    params = write_study(demo, tmp_path, Perturbation(constant_repurchase=1, language=lang))
    _quiet(checkup.validate_study, params)
    res = _report(params)
    n = int(res.study.data["repurchase"].notna().sum())
    expected = {"zh": f"复购模型：无法估计，因为全部{n}名受访者的90天内实际复购均为1；模型需要结果变量有变化。",
                "en": f"Repurchase model: not estimable, because Repurchased within 90 days is 1 for all {n} "
                      "respondents; a model needs variation in its outcome."}[lang]
    assert narrative.repurchase_text(res) == [expected]
    assert res.logit_overall is None and res.logit_dimensions is None and res.repurchase_curve.empty
    assert len(narrative.drivers_text(res)) == 1 and res.drivers_repurchase.empty
    assert len(res.drivers_satisfaction) == 5  # the satisfaction drivers are still there
    assert expected in _notes(res)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_study_of_80_renders_with_notes_where_a_method_needs_more(demo, tmp_path, lang):
    params = write_study(demo, tmp_path, Perturbation(n=80, language=lang))
    _quiet(checkup.validate_study, params)
    res = _report(params)
    n = len(res.study.data)
    assert n <= 80
    expected = {"zh": f"本次仅分析了{n}名受访者（小样本：不超过100人），各项结果仅供参考。验证性因子分析：需要超过100名受访者，本次未显示。",
                "en": f"Only {n} respondents were analysed (a small study: at most 100); read every figure as "
                      "indicative. Confirmatory factor analysis: needs more than 100 respondents and is not "
                      "shown."}[lang]
    assert data_notes_lines(res)[0] == expected
    assert res.cfa is None and expected in narrative.reliability_text(res)
    assert len(res.reliability) == 6  # alpha and omega of the five dimensions and of all items


def test_nothing_to_report_fails_validate_and_report_with_one_message(demo, tmp_path):
    params = write_study(demo, tmp_path, Perturbation(trap_share=0.98))
    with pytest.raises(DataError) as validated:
        _quiet(checkup.validate_study, params)
    with pytest.raises(DataError) as reported:
        _report(params)
    assert str(validated.value) == str(reported.value)
    assert re.search(rf"nothing to report: \d analysed respondent\(s\) with an overall_sat answer, a report needs "
                     rf"at least {MIN_ANALYSED} \(300 rows read, 0 set aside by the import, 29\d of 300 excluded by "
                     r"the screening rules of params quality.rules", str(validated.value))


@pytest.mark.parametrize("content", ["themes: []\n", "not: a lexicon\n", "a,b\n1,2\n"])
def test_lexicon_that_is_not_a_lexicon_fails_validate_like_the_report(demo, tmp_path, content):
    lexicon = tmp_path / "lexicon.yaml"
    lexicon.write_text(content, encoding="utf-8")
    params = write_study(demo, tmp_path, Perturbation(extra={"text": {"lexicon": str(lexicon)}}))
    with pytest.raises(ParamsError, match=r"text.lexicon: .*lexicon.yaml is not a theme lexicon") as validated:
        _quiet(checkup.validate_study, params)
    with pytest.raises(ParamsError) as reported:
        _report(params)
    assert str(validated.value) == str(reported.value)


def test_validate_reports_the_dry_run(demo, tmp_path):
    params = write_study(demo, tmp_path, Perturbation(constant_item=("comm_script", 4)))
    lines = _quiet(checkup.validate_study, params)
    assert any(re.fullmatch(r"report: every section built \(\d+ respondents analysed, \d+ notes on the data\)", line)
               for line in lines)


# --------------------------------------------------------------------------- validate == report
ITEMS = ("eff_first_reply", "qual_fcr", "comm_script", "aft_policy_clarity", "dig_privacy", "bty_allergy_return")
LEVELS = (("age_group", "post70"), ("age_group", "post00"), ("channel", "web"), ("channel", "phone"),
          ("customer_type", "new"), ("value_band", "high"), ("frequency_band", "high"))

#: examples of the property test (CSAT_PROPERTY_EXAMPLES overrides, e.g. for a quick local run)
EXAMPLES = int(os.environ.get("CSAT_PROPERTY_EXAMPLES", "200"))

perturbations = st.builds(
    Perturbation,
    n=st.sampled_from([300, 300, 200, 150, 101, 100, 80, 40, 20, 12, 9]),
    rare=st.none() | st.tuples(st.sampled_from(LEVELS), st.integers(0, 4)).map(lambda t: (*t[0], t[1])),
    rare_constant=st.booleans(),
    constant_item=st.none() | st.tuples(st.sampled_from(ITEMS), st.integers(1, 5)),
    constant_repurchase=st.none() | st.sampled_from([0, 1]),
    constant_intent=st.none() | st.integers(1, 5),
    constant_overall=st.none() | st.integers(1, 5),
    drop=st.lists(st.sampled_from(OPTIONAL), max_size=3, unique=True).map(tuple),
    trap_share=st.sampled_from([0.0, 0.0, 0.0, 0.5, 0.85, 0.97]),
    no_open_answers=st.booleans(),
    tickets=st.sampled_from(["normal", "none", "empty", "unmatched", "few"]),
    language=st.sampled_from(["zh", "en"]),
)


@pytest.mark.slow
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
          derandomize=True, phases=[Phase.explicit, Phase.generate])  # no shrinking: an example takes seconds
@given(p=perturbations)
def test_validate_passes_iff_the_report_succeeds(demo, p):
    with tempfile.TemporaryDirectory(prefix="csat-perturbed-") as tmp:
        params = write_study(demo, Path(tmp), p)
        try:
            _quiet(checkup.validate_study, params)
        except CsatError as exc:
            event(f"validate failed: {type(exc).__name__} {str(exc).split(':')[1].strip()[:40]}")
            with pytest.raises(type(exc)) as reported:
                _report(params)
            assert str(reported.value) == str(exc)
        else:
            event("validate OK")
            _report(params)  # must not raise


def test_property_examples_cover_every_perturbation():
    """The strategy reaches each kind of perturbation (guards against a strategy that never varies)."""
    seen = {"rare": 0, "item": 0, "rep": 0, "drop": 0, "traps": 0, "tickets": 0}

    @settings(max_examples=200, derandomize=True, database=None)
    @given(p=perturbations)
    def collect(p):
        seen["rare"] += p.rare is not None and p.rare_constant
        seen["item"] += p.constant_item is not None
        seen["rep"] += p.constant_repurchase is not None
        seen["drop"] += bool(p.drop)
        seen["traps"] += p.trap_share >= 0.9
        seen["tickets"] += p.tickets != "normal"

    collect()
    assert min(seen.values()) >= 10, seen


# --------------------------------------------------------------------------- hints name real keys
_TOP = r"(?:study|data|instrument|weighting|survey_weights|quality|analysis|text|targets|thresholds|output)"


def _resolves(dotted: str) -> bool:
    """Whether a dotted params key (``data.responses.encoding``) is a field of StudyParams."""
    import typing

    from pydantic import BaseModel

    from csat_research.io.params import StudyParams

    model: object = StudyParams
    for part in dotted.split("."):
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return True  # below a mapping (targets.nps, text.extra_themes.<id>): any key
        if part not in model.model_fields:
            return False
        ann = model.model_fields[part].annotation
        args = [a for a in typing.get_args(ann) if a is not type(None)]
        model = args[0] if args and typing.get_origin(ann) is not dict and not isinstance(ann, type) else ann
    return True


def test_hints_name_real_params_keys():
    """Every dotted params key named in a string of the package that speaks of the params (error
    messages, hints: "set the params' encoding (data.responses.encoding ...)") exists."""
    import ast

    found = {}
    for path in (ROOT / "csat_research").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = {id(n.body[0].value) for n in ast.walk(tree)
                if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef)) and ast.get_docstring(n) is not None}
        for node in ast.walk(tree):
            if id(node) in docs:
                continue
            # strings that speak of the params (hints, error messages), not i18n keys or code
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "params" in node.value:
                for key in re.findall(rf"(?<![\w.]){_TOP}(?:\.[a-z_]+)+", node.value):
                    found.setdefault(key, f"{path.relative_to(ROOT)}:{node.lineno}")
    assert {"data.responses.encoding", "data.tickets.encoding", "quality.rules", "weighting.method"} <= set(found)
    assert not _resolves("data.responses.encodings") and not _resolves("analysis.items")  # the check can fail
    bad = {k: where for k, where in found.items() if not _resolves(k)}
    assert bad == {}


# --------------------------------------------------------------------------- one real PDF
def _pdf_text(path: Path) -> str:
    import subprocess

    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


@pytest.mark.e2e
@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_heavily_perturbed_study_renders_to_pdf_with_its_notes(demo, tmp_path, lang):
    """A study of 80 with a rare constant age group, a constant item and constant repurchase: the
    real report (papermill, HTML, Chromium PDF) renders, and says in its pages what it left out."""
    from csat_research.run.runner import run_report

    p = Perturbation(n=80, rare=("age_group", "post70", 3), rare_constant=True, constant_item=("comm_script", 4),
                     constant_repurchase=1, language=lang, n_boot=20)
    params = write_study(demo, tmp_path / "study", p)
    _quiet(checkup.validate_study, params)
    res = _report(params)
    outcome = run_report(params, write_index=False)
    assert outcome.ok, outcome
    pdf = re.sub(r"\s+", "", _pdf_text(outcome.report_dir / "report.pdf"))
    expected = [*narrative.segment_text(res), *narrative.reliability_text(res), *narrative.repurchase_text(res),
                data_notes_lines(res)[0]]
    assert len(expected) == 5  # the level, the item, the small study (no CFA), the repurchase model, notes' first
    for sentence in expected:
        assert re.sub(r"\s+", "", sentence) in pdf, sentence
