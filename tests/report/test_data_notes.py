"""The client pages' notes on the data (csat_research.report.data_notes): the report's language,
numbers from what the analyses counted, no developer text."""

from __future__ import annotations

import dataclasses
import re

from csat_research.core.errors import CsatWarning
from csat_research.report import data_notes


def _client_text(res) -> str:
    table = data_notes.data_notes_table(res).formatted()
    return " ".join([*map(str, table.columns), *table.astype(str).to_numpy().ravel(), *data_notes.data_notes_lines(res)])


def test_every_note_is_told_or_counted_and_none_is_developer_text(res):
    assert res.notes and res.data_notes  # the demo study has missing answers and sparse cells
    shown = _client_text(res)
    # no function names, Python lists or quoted column ids reach the client
    assert not re.search(r"\w+\[|'\w+'|\b(scale_reliability|item_total|repurchase_logit|listwise)\b", shown)
    table = data_notes.data_notes_table(res).frame
    told = len(table) + len(data_notes.data_notes_lines(res))
    assert told >= 1
    for w in res.data_notes:  # each counted case's numbers are in the table as counted
        if w.kind == "cases_dropped" and str(w.facts["analysis"]).startswith("scale_reliability"):
            row = table[table.iloc[:, 1] == w.facts["n_used"]]
            assert not row.empty and int(row.iloc[0, 2]) == w.facts["n_total"]


def test_notes_follow_the_report_language(res):
    for lang in ("zh", "en"):
        study = dataclasses.replace(res.study, params=res.study.params.model_copy(
            update={"study": res.study.params.study.model_copy(update={"language": lang})}))
        r = dataclasses.replace(res, study=study)
        assert r.study.lang == lang
        shown = _client_text(r)
        if lang == "zh":
            assert not re.search(r"[A-Za-z]{3,}", shown), shown  # no English words in Chinese pages
        else:
            assert not re.search(r"[\u3000-\u303f\uff00-\uffef\u4e00-\u9fff]", shown), shown


def test_notes_without_an_account_are_counted_for_the_researcher(res):
    odd = CsatWarning("something_internal: 3 rows had a strange code")
    r = dataclasses.replace(res, notes=(*res.notes, str(odd)))
    before = data_notes.data_notes_lines(res)
    after = data_notes.data_notes_lines(r)
    assert not any(line.startswith(("另有", "further")) for line in before)  # the demo's notes are all told
    assert after[-1] in ("另有1条技术说明列在研究人员版笔记本中。", "1 further technical notes are listed in the researcher's notebook.")
