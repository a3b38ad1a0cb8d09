"""Instrument / codebook: the shipped default validates, its accessors, broken files refused."""

from __future__ import annotations

import copy
import importlib.resources
from pathlib import Path

import pydantic
import pytest
import yaml

from csat_research.core.errors import CodebookError
from csat_research.core.schema import METADATA_COLUMNS
from csat_research.io.codebook import (
    CATEGORIES,
    Codebook,
    Item,
    Scale,
    codebook_from_mapping,
    load_codebook,
)

DEFAULT_TEXT = (importlib.resources.files("csat_research") / "data" / "instrument_default.yaml"
                ).read_text(encoding="utf-8")
DEFAULT = yaml.safe_load(DEFAULT_TEXT)


@pytest.fixture(scope="module")
def cb() -> Codebook:
    return load_codebook()


def _item_index(doc: dict, item_id: str) -> int:
    return next(k for k, i in enumerate(doc["items"]) if i["id"] == item_id)


def _write(tmp_path: Path, doc: dict | str, name: str = "instrument.yaml") -> Path:
    path = tmp_path / name
    text = doc if isinstance(doc, str) else yaml.safe_dump(doc, allow_unicode=True,
                                                          sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def _broken(tmp_path: Path, mutate) -> Path:
    doc = copy.deepcopy(DEFAULT)
    mutate(doc)
    return _write(tmp_path, doc)


# ---------------------------------------------------------------- the shipped default
def test_default_instrument_loads(cb):
    assert cb.instrument == "csat-default"
    assert cb.source == "instrument_default.yaml"
    assert cb.dimensions == ["efficiency", "quality", "communication", "after_sales", "digital"]


def test_default_labels_survive_yaml_commas(cb):
    # Unquoted commas inside a flow mapping used to split these labels into bogus keys.
    assert cb.label("eff_aftersales_speed", "en") == (
        "Speed of after-sales handling (returns, complaints)")
    assert cb.label("dig_consistency", "en") == "Consistency across channels (WeChat, app, web)"


def test_same_codebook_from_path_and_default(cb):
    import csat_research

    path = Path(csat_research.__file__).parent / "data" / "instrument_default.yaml"
    assert load_codebook(path) == cb


@pytest.mark.parametrize("category", CATEGORIES)
def test_every_dimension_has_two_items_in_every_category(cb, category):
    dims = cb.dimension_items(category)
    assert list(dims) == cb.dimensions
    assert all(len(ids) >= 2 for ids in dims.values())


def test_items_for_adds_category_items(cb):
    generic = {i.id for i in cb.items_for("other")}
    appliances = {i.id for i in cb.items_for("appliances")}
    assert appliances - generic == {"app_tech_support", "app_spare_parts"}
    assert {i.id for i in cb.items_for("apparel")} - generic == {"apl_exchange_flow",
                                                                 "apl_refund_qc"}
    assert "bty_allergy_return" not in appliances
    assert all(isinstance(i, Item) for i in cb.items_for("baby"))


def test_dimension_items_keep_instrument_order(cb):
    assert cb.dimension_items("apparel")["efficiency"] == [
        "eff_first_reply", "eff_order_notice", "eff_logistics_alert", "eff_aftersales_speed",
        "eff_wait_r", "apl_refund_qc"]


def test_reverse_items_and_twins(cb):
    assert cb.reverse_items("beauty") == ["eff_wait_r", "qual_repeat_r"]
    assert cb.twins("beauty") == {"eff_wait_r": "eff_first_reply",
                                  "qual_repeat_r": "qual_no_repeat"}


def test_trap_expectations(cb):
    assert cb.trap_expectations() == {"trap_attention": (2,), "trap_rude": (1, 2, 3)}


@pytest.mark.parametrize(("role", "qid"), [("overall", "overall_sat"), ("nps", "nps"),
                                           ("repurchase", "repurchase"),
                                           ("repurchase_intent", "repurchase_intent"),
                                           ("expected_reply", "expected_reply_min")])
def test_outcome_roles(cb, role, qid):
    assert cb.outcome(role).id == qid


def test_outcome_unknown_role_is_refused(cb):
    with pytest.raises(ValueError, match="role 'loyalty' is not known; allowed: overall, nps"):
        cb.outcome("loyalty")


def test_outcome_role_not_declared(tmp_path):
    def drop_nps(doc):
        doc["outcomes"] = [o for o in doc["outcomes"] if o["role"] != "nps"]

    book = load_codebook(_broken(tmp_path, drop_nps))
    with pytest.raises(CodebookError, match="instrument.yaml: .*declares no outcome with role "
                                            "'nps'; declared roles: overall, repurchase_intent"):
        book.outcome("nps")


def test_open_and_segment_accessors(cb):
    assert cb.open_ids() == ["open_improve", "open_exceed"]
    assert cb.segment_ids() == ["customer_type", "frequency_band", "value_band", "age_group",
                                "channel", "preferred_channel"]
    assert cb.segment_levels("customer_type") == ["new", "returning"]
    assert cb.level_labels("customer_type") == {"new": "新客", "returning": "老客"}
    assert cb.level_labels("value_band", "en") == {"normal": "Normal", "high": "High"}


def test_unknown_segment_is_refused(cb):
    with pytest.raises(CodebookError, match="'age' is not a segment id .*closest: age_group"):
        cb.segment_levels("age")


def test_labels_in_both_languages(cb):
    assert cb.label("eff_first_reply") == "在线/电话客服首次回复的速度"
    assert cb.label("efficiency", "en") == "Response efficiency"
    assert cb.label("customer_type", "zh") == "客户类型"
    assert cb.label("open_improve", "en") == "Which part of the service most needs improvement?"


def test_label_of_unknown_id(cb):
    with pytest.raises(CodebookError,
                       match="'effciency' is not a question, dimension or segment id of "
                             "instrument 'csat-default'; closest: efficiency"):
        cb.label("effciency")


def test_label_language_is_checked(cb):
    with pytest.raises(ValueError, match="lang must be one of zh, en; got 'fr'"):
        cb.label("nps", "fr")


def test_scale_of(cb):
    likert = cb.scale_of("eff_first_reply")
    assert (likert.min, likert.max, likert.codes) == (1, 5, (1, 2, 3, 4, 5))
    assert likert.label_of(5, "zh") == "非常满意"
    assert likert.code_of_label()["Very dissatisfied"] == 1
    assert cb.scale_of("eff_wait_r").labels.en[-1] == "Strongly agree"
    assert cb.scale_of("nps").describe() == "0-10"
    assert cb.scale_of("nps").labels is None
    minutes = cb.scale_of("expected_reply_min")
    assert minutes.numeric and minutes.contains(2.5) and not minutes.contains(1441)
    assert cb.scale_of("binary") == cb.scale_of("repurchase")


def test_scale_of_unknown_and_text_question(cb):
    with pytest.raises(CodebookError, match="'open_improve' is not a rated question or scale"):
        cb.scale_of("open_improve")


def test_scale_contains_only_whole_codes():
    scale = Scale(min=1, max=5)
    assert scale.contains(3) and not scale.contains(3.5) and not scale.contains(0)


def test_columns_for(cb):
    cols = cb.columns_for("baby")
    assert cols[: len(METADATA_COLUMNS)] == list(METADATA_COLUMNS)
    assert "baby_advisor" in cols and "app_tech_support" not in cols
    assert cols[-6:] == cb.segment_ids()
    assert len(cols) == len(set(cols)) == 6 + 24 + 2 + 5 + 2 + 6
    assert cb.kind_of("baby_advisor") == "item" and cb.kind_of("age_group") == "segment"


def test_bad_category_is_refused(cb):
    with pytest.raises(ValueError, match="category 'toys' is not known; allowed: appliances"):
        cb.items_for("toys")
    with pytest.raises(TypeError, match="category must be a str, got int"):
        cb.columns_for(3)


def test_codebook_is_frozen(cb):
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        cb.instrument = "other"


def test_with_extra_items(cb):
    new = cb.with_extra_items([{"id": "dig_app_rating", "dimension": "digital",
                                "scale": "likert5", "label": {"zh": "App评分", "en": "App"}}])
    assert new.dimension_items("beauty")["digital"][-1] == "dig_app_rating"
    assert "dig_app_rating" not in cb.columns_for("beauty")
    with pytest.raises(CodebookError, match=r"items\[29\].dimension: 'digitl' is not a "
                                            r"declared dimension"):
        cb.with_extra_items([Item(id="x_new", dimension="digitl", scale="likert5",
                                  label={"zh": "新", "en": "new"})])


def test_codebook_from_mapping_reports_source():
    with pytest.raises(CodebookError, match="^mine: the top level must be a mapping"):
        codebook_from_mapping(["not", "a", "mapping"], source="mine")


# ---------------------------------------------------------------- broken instruments
def _set_item(item_id, key, value):
    def mutate(doc):
        doc["items"][_item_index(doc, item_id)][key] = value
    return mutate


BROKEN = {
    "unknown dimension": (
        _set_item("eff_aftersales_speed", "dimension", "effciency"),
        r"instrument.yaml: items\[3\].dimension: 'effciency' is not a declared dimension; "
        r"allowed: efficiency, quality, communication, after_sales, digital"),
    "unknown scale": (
        _set_item("qual_fcr", "scale", "likert7"),
        r"items\[5\].scale: 'likert7' is not a declared scale; allowed: likert5, agree5, "
        r"nps11, binary"),
    "unknown item key": (
        _set_item("qual_fcr", "reversed", True),
        r"items\[5\].reversed: unknown key 'reversed'; allowed keys: id, dimension, scale, "
        r"label, reverse, twin, categories"),
    "unknown top-level key": (
        lambda doc: doc.update(weights={"efficiency": 0.3}),
        r"instrument.yaml: weights: unknown key 'weights'; allowed keys: instrument, version"),
    "missing en label": (
        lambda doc: doc["items"][0]["label"].pop("en"),
        r"items\[0\].label.en: required key is missing"),
    "empty zh label": (
        lambda doc: doc["dimensions"][1]["label"].update(zh=""),
        r"dimensions\[1\].label.zh: must not be empty"),
    "missing segment label": (
        lambda doc: doc["segments"][2].pop("label"),
        r"segments\[2\].label: required key is missing"),
    "duplicate id across sections": (
        lambda doc: doc["outcomes"][0].update(id="qual_fcr"),
        r"outcomes\[0\].id: duplicate id 'qual_fcr' \(first used at items\[5\].id\)"),
    "dimension id reused by an item": (
        _set_item("comm_script", "id", "quality"),
        r"items\[10\].id: duplicate id 'quality' \(first used at dimensions\[1\].id\)"),
    "id not a column name": (
        _set_item("comm_script", "id", "Comm Script"),
        r"items\[10\].id: 'Comm Script' is not a valid id"),
    "id is a metadata column": (
        lambda doc: doc["open_questions"][0].update(id="order_id"),
        r"open_questions\[0\].id: 'order_id' is a reserved metadata column name"),
    "twin does not exist": (
        _set_item("eff_wait_r", "twin", "eff_first_replay"),
        r"items\[4\].twin: 'eff_first_replay' is not an item id; closest: eff_first_reply"),
    "twin on a non-reverse item": (
        _set_item("eff_order_notice", "twin", "eff_first_reply"),
        r"items\[1\].twin: only reverse-keyed items have a twin; add 'reverse: true' to item "
        r"'eff_order_notice'"),
    "twin is reverse itself": (
        _set_item("eff_wait_r", "twin", "qual_repeat_r"),
        r"items\[4\].twin: 'qual_repeat_r' is itself reverse-keyed"),
    "twin only in one category": (
        _set_item("eff_wait_r", "twin", "apl_refund_qc"),
        r"items\[4\].twin: 'apl_refund_qc' is asked only in apparel, but 'eff_wait_r' is "
        r"asked in appliances, apparel"),
    "trap code outside scale": (
        lambda doc: doc["traps"][1].update(expected=[1, 6]),
        r"traps\[1\].expected: 6 outside scale 'agree5' \(1-5\)"),
    "trap without codes": (
        lambda doc: doc["traps"][0].update(expected=[]),
        r"traps\[0\].expected: must list at least one code"),
    "min not below max": (
        lambda doc: doc["scales"]["nps11"].update(min=10),
        r"scales.nps11: min \(10\) must be smaller than max \(10\)"),
    "numeric outcome min above max": (
        lambda doc: doc["outcomes"][4].update(min=60, max=5),
        r"outcomes\[4\]: min \(60\) must be smaller than max \(5\)"),
    "fractional ordinal scale": (
        lambda doc: doc["scales"]["likert5"].update(max=5.5),
        r"scales.likert5: min and max of an ordinal scale must be integers"),
    "wrong number of scale labels": (
        lambda doc: doc["scales"]["agree5"]["labels"]["en"].pop(),
        r"scales.agree5.labels.en: expected 5 labels \(one per code 1-5\), found 4"),
    "unknown category": (
        _set_item("bty_allergy_return", "categories", ["beauty", "toys"]),
        r"items\[27\].categories\[1\]: 'toys' is not a category; allowed: appliances, "
        r"apparel, beauty, baby, other"),
    "empty category list": (
        _set_item("baby_advisor", "categories", []),
        r"items\[28\].categories: must list at least one category"),
    "dimension with one item": (
        lambda doc: doc.update(items=[i for i in doc["items"] if i["dimension"] != "digital"
                                      or i["id"] == "dig_privacy"]),
        r"dimensions\[4\]: dimension 'digital' has 1 item \(dig_privacy\) in category "
        r"'appliances'; each dimension needs at least 2 items"),
    "dimension without items": (
        lambda doc: doc["dimensions"].append({"id": "loyalty",
                                              "label": {"zh": "忠诚", "en": "Loyalty"}}),
        r"dimensions\[5\]: dimension 'loyalty' has 0 items"),
    "unknown outcome role": (
        lambda doc: doc["outcomes"][0].update(role="overal"),
        r"outcomes\[0\].role: 'overal' is not an outcome role; allowed: overall, nps"),
    "outcome role twice": (
        lambda doc: doc["outcomes"][2].update(role="nps"),
        r"outcomes\[2\].role: role 'nps' already used by outcomes\[1\]"),
    "outcome without scale": (
        lambda doc: doc["outcomes"][0].pop("scale"),
        r"outcomes\[0\].scale: required key is missing \(or give 'type: numeric'"),
    "segment labels do not match levels": (
        lambda doc: doc["segments"][0]["level_labels"]["en"].append("Lapsed"),
        r"segments\[0\].level_labels.en: expected 2 labels \(one per level\), found 3"),
    "segment with one level": (
        lambda doc: doc["segments"][1].update(levels=["low"],
                                              level_labels={"zh": ["低"], "en": ["Low"]}),
        r"segments\[1\].levels: a segment needs at least 2 levels, found 1"),
    "optional reverse item": (
        _set_item("eff_wait_r", "optional", True),
        r"items\[4\].optional: 'eff_wait_r' is reverse-keyed; the consistency check needs both "
        r"items of a pair, so it cannot be optional"),
    "optional twin": (
        _set_item("eff_first_reply", "optional", True),
        r"items\[0\].optional: 'eff_first_reply' is the twin of a reverse-keyed item; the "
        r"consistency check needs both items of a pair"),
    "dimension with one required item": (
        lambda doc: [doc["items"][_item_index(doc, i)].update(optional=True)
                     for i in ("dig_selfservice", "dig_consistency")],
        r"dimensions\[4\]: dimension 'digital' has 1 item not marked optional in category "
        r"'appliances'; each dimension needs at least 2 items every export has"),
    "optional not a bool": (
        _set_item("aft_warranty", "optional", "yes"),
        r"items\[17\].optional: input should be a valid boolean; found 'yes'"),
    "reverse not a bool": (
        _set_item("eff_wait_r", "reverse", "yes"),
        r"items\[4\].reverse: input should be a valid boolean; found 'yes'"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_instrument_is_refused(tmp_path, case):
    mutate, message = BROKEN[case]
    path = _broken(tmp_path, mutate)
    with pytest.raises(CodebookError, match=message):
        load_codebook(path)


def test_all_problems_are_reported_together(tmp_path):
    def mutate(doc):
        _set_item("eff_aftersales_speed", "dimension", "effciency")(doc)
        doc["traps"][0]["expected"] = [9]

    with pytest.raises(CodebookError, match=r"instrument.yaml: 2 problems:\n") as info:
        load_codebook(_broken(tmp_path, mutate))
    assert "items[3].dimension: 'effciency'" in str(info.value)
    assert "traps[0].expected: 9 outside scale 'likert5' (1-5)" in str(info.value)


def test_duplicated_yaml_key_is_refused(tmp_path):
    text = DEFAULT_TEXT.replace("instrument: csat-default\n",
                                "instrument: csat-default\ninstrument: other\n")
    with pytest.raises(CodebookError, match=r"instrument.yaml: line 6, column 1: invalid YAML: "
                                            r"duplicate key 'instrument'"):
        load_codebook(_write(tmp_path, text))


def test_yaml_syntax_error_names_the_line(tmp_path):
    text = DEFAULT_TEXT.replace("  likert5:\n    min: 1", "  likert5:\n    min: [1")
    with pytest.raises(CodebookError, match=r"instrument.yaml: line \d+, column \d+: invalid YAML"):
        load_codebook(_write(tmp_path, text))


def test_top_level_must_be_a_mapping(tmp_path):
    with pytest.raises(CodebookError, match="instrument.yaml: the top level must be a mapping "
                                            "with keys instrument, version"):
        load_codebook(_write(tmp_path, "- just\n- a list\n"))


def test_missing_file(tmp_path):
    with pytest.raises(CodebookError, match="nowhere.yaml: instrument file not found"):
        load_codebook(tmp_path / "nowhere.yaml")


def test_non_utf8_file(tmp_path):
    path = tmp_path / "instrument.yaml"
    path.write_bytes(DEFAULT_TEXT.encode("gb18030"))
    with pytest.raises(CodebookError, match="instrument.yaml: instrument files must be UTF-8"):
        load_codebook(path)


def test_path_type_is_checked():
    with pytest.raises(TypeError, match="path must be a str or os.PathLike, got int"):
        load_codebook(3)
