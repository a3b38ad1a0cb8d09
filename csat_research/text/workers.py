"""Open-answer work shared by several processes: how many, and running a function on the parts.

Segmenting and tagging tens of thousands of distinct answers is Python work that one process does
on one core. :func:`map_split` runs a function on the parts of a list at once, the first part in
this process and each other part in a child process forked from it (Linux), and hands the results
back in order; :func:`plan_workers` says how many processes a list of a given length gets.

Forked children share this process's memory pages (nothing is copied to start them, the
segmenter and the lexicon are there already), but each counts the pages it maps in its resident
size: to keep a large study's report within its memory, the automatic choice forks only while
this process holds less than :data:`MAX_PARENT_RSS`. A child that fails or dies has its part
redone in this process, so the results never depend on the number of processes (tested).
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Sequence

from csat_research.text.inputs import check_int

__all__ = ["MAX_PARENT_RSS", "MIN_PER_WORKER", "available_cpus", "check_workers", "map_split", "plan_workers"]

MIN_PER_WORKER = 10_000
"""Fewest items (distinct answers) per process in the automatic choice: below, starting a process
and handing its result back cost more than its share of the work saves."""

MAX_PARENT_RSS = 1 << 30
"""Resident size (bytes) above which the automatic choice keeps to one process (1 GiB)."""

FORK = sys.platform.startswith("linux")
"""Whether children are forked (Linux); elsewhere everything runs in this process."""


def available_cpus() -> int:
    """CPUs this process may run on (its affinity mask where the platform has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def resident_bytes() -> int:
    """This process's resident size in bytes (``/proc/self/statm``; 0 where it cannot be read)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def check_workers(workers) -> int | None:
    """``workers`` argument: ``None`` (automatic) or an int >= 1."""
    return check_int(workers, "workers", minimum=1, allow_none=True)


def plan_workers(n_items: int, workers: int | None = None) -> int:
    """How many processes share `n_items` items.

    Parameters
    ----------
    n_items : int
        Items to share (distinct answers).
    workers : int, optional
        ``None``: automatic - one process per :data:`MIN_PER_WORKER` items, at most one per
        available CPU, and one while this process holds more than :data:`MAX_PARENT_RSS`; an int:
        at most that many (one per item at most).

    Returns
    -------
    int
        Processes to use, 1 where children cannot be forked (not Linux).

    Examples
    --------
    >>> plan_workers(500), plan_workers(5, 1)
    (1, 1)
    """
    workers = check_workers(workers)
    if not FORK or n_items < 2 or workers == 1:
        return 1
    if workers is not None:
        return min(workers, n_items)
    k = min(available_cpus(), n_items // MIN_PER_WORKER)
    if k < 2 or resident_bytes() > MAX_PARENT_RSS:
        return 1
    return k


def map_split(func: Callable, items: Sequence, workers: int) -> list:
    """``[func(part) for part in parts]`` of `items` cut into `workers` consecutive parts of
    (nearly) equal length, the parts after the first in forked child processes.

    `func` and what it refers to (a tokenizer, a lexicon) are not pickled: the children are forks
    of this process. Only each child's result is pickled back. A child that raises or dies has
    its part redone in this process, so an exception is raised here as in one process.

    Examples
    --------
    >>> map_split(sum, [1, 2, 3, 4, 5], 2)
    [3, 12]
    """
    workers = max(1, min(workers, len(items)))
    bounds = [len(items) * k // workers for k in range(workers + 1)]
    parts = [items[bounds[k]: bounds[k + 1]] for k in range(workers)]
    if workers == 1 or not FORK:
        return [func(part) for part in parts]
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    children = []
    # the collector walks every object it tracks: after the fork each walk writes to (and so
    # copies) the pages this process now shares with its children; frozen objects are not walked
    gc.freeze()
    try:  # (a child that cannot be started leaves the others joined and the collector as it was)
        for part in parts[1:]:
            receive, send = ctx.Pipe(duplex=False)
            child = ctx.Process(target=_child, args=(func, part, send), daemon=True)
            child.start()
            send.close()
            children.append((child, receive))
        results = [func(parts[0])]
        for (child, receive), part in zip(children, parts[1:], strict=True):
            try:
                ok, value = receive.recv()
            except (EOFError, OSError):  # the child died before handing back (killed, out of memory)
                ok, value = False, None
            results.append(value if ok else func(part))
    finally:
        for child, receive in children:
            receive.close()
            child.join(timeout=5)
            if child.is_alive():
                child.kill()
                child.join()
        gc.unfreeze()
    return results


def _child(func: Callable, part, send) -> None:
    """A child's work: `func` of its part, sent back as ``(True, result)``; ``(False, None)`` if
    it raised (the parent redoes the part and raises the error itself)."""
    try:
        result = (True, func(part))
    except BaseException:  # noqa: BLE001 - the parent redoes the part and raises it there
        result = (False, None)
    try:
        send.send(result)
    finally:
        send.close()
