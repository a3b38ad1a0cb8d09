"""Open answers of the demo: planted themes, the shared theme vocabulary, realistic text."""

from __future__ import annotations

import pytest

from csat_research.demo.answers import THEMES
from tests.demo.demo_helpers import CATEGORIES, N, read_study


# ---------------------------------------------------------------------------- text
@pytest.mark.parametrize("category", CATEGORIES)
def test_planted_top_themes_are_most_frequent(study, category):
    responses, _, truth, themes = read_study(study, category)
    exploded = themes["themes"].str.split(";").explode()
    counts = exploded[exploded != ""].value_counts()
    assert set(counts.index) <= set(THEMES)
    assert list(counts.index[:2]) == truth["top_themes"]
    assert counts.iloc[1] > 1.5 * counts.iloc[2]
    share = counts / len(themes)
    for theme, value in truth["themes"]["realised_share"].items():
        assert share.get(theme, 0.0) == pytest.approx(value, abs=1e-6)


def test_theme_ids_are_the_shared_vocabulary():
    assert THEMES == ("slow_reply", "logistics_updates", "refund_slow", "bot_unhelpful",
                           "off_topic_answer", "attitude", "product_knowledge",
                           "return_process", "installation_repair", "repeat_contact",
                           "privacy")


def test_open_answers_are_realistic(study):
    responses, _, truth, themes = read_study(study, "baby")
    text = responses["open_improve"]
    has_theme = themes["themes"] != ""
    # complaints come with text; dissatisfied respondents complain more
    assert text[has_theme].notna().all()
    low = responses["overall_sat"] <= 2
    high = responses["overall_sat"] >= 4
    assert has_theme[low].mean() > has_theme[high].mean() + 0.15
    # verbatim repeats, short answers and negated praise
    assert text.value_counts().iloc[0] >= 20
    assert text.isin(["无", "没有", "还行"]).sum() >= 20
    assert text[~has_theme].isin(truth["text"]["negated_praise_texts"]).sum() >= 20
    # PII and script injections where recorded
    pii = responses["respondent_id"].isin(truth["text"]["pii_respondent_ids"])
    assert pii.sum() == round(0.05 * N)
    pattern = r"1\d{10}|\d{3}-\d{4}-\d{4}|@|\d{16,19}|先生|女士|小姐"
    assert text[pii].str.contains(pattern).all()
    script = responses["respondent_id"].isin(truth["text"]["script_respondent_ids"])
    both = responses["open_improve"].fillna("") + responses["open_exceed"].fillna("")
    assert both[script].str.contains("<script>alert(1)</script>", regex=False).all()
    assert not both[~script].str.contains("<script>", regex=False).any()
    # typos, English, praise
    assert text.str.contains("客腹|快第|物留|退欵|师父|回付|太度", na=False).sum() >= 5
    assert text.str.contains(r"[A-Za-z]{4,}", na=False).sum() >= 10
    assert responses["open_exceed"].notna().mean() > 0.3
