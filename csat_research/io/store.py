"""The study store: an embedded DuckDB file keeping every brand / category / wave a report ran.

A report run stores its wave (:func:`store_wave`): the respondent-level results later waves are
compared with (one row per respondent and variable: dimension and item scores, the overall
index, outcomes, segments, survey weight, quality flags) and the wave's headline figures
(``summary.json`` as JSON text plus typed columns), with the params file, the input files and
their sha256, the package version and the time stored. Later reports read it back with
:func:`load_history` (headline figures, oldest wave first) and :func:`load_wave_data`
(respondent rows of one wave).

Where: :func:`store_path` - ``$CSAT_STORE`` when set, else the params' ``output.store``, else
``<output.dir>/csat-store.duckdb``.

Semantics
---------
* A wave is identified by (brand, category, wave). Storing a wave whose content (headline
  figures and respondent values to :data:`DIGITS` digits, input hash, params path, package
  version) equals the stored one changes nothing, not even its time stored; anything else
  replaces the wave's rows whole (a changed input file: ``"refreshed"``).
* DuckDB lets one process write a file at a time. Writers take an exclusive ``flock`` on
  ``<store>.lock`` (readers a shared one) and retry DuckDB's own lock until ``timeout``,
  so parallel report runs (threads or processes) serialise and lose no write.
* A missing store is created. A store DuckDB cannot open as a database is moved aside to
  ``<name>.corrupt-<timestamp>`` by the next write (with a :class:`CsatWarning` saying so) and
  rebuilt from the waves stored from then on; reading one raises :class:`StoreError`.

Tables (schema version :data:`SCHEMA_VERSION`, created on first use): ``store_meta`` (key,
value); ``waves`` (one row per wave: ``wave_id``, identity, typed headline figures, ``summary``
JSON text, provenance); ``variables`` (per wave: ``variable_id``, ``variable``, ``role``);
``respondents`` (per wave: ``row_number`` in the import, ``respondent_id``); ``responses`` (per
wave, respondent and numeric variable: ``value``) and ``levels`` (per wave, respondent and text
variable - segment levels, exclusion reasons: ``level``). Normalised so that storing a wave of
2,000 respondents writes little.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import os
import time
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from csat_research.core.errors import CsatWarning, StoreError
from csat_research.core.version import __version__

SCHEMA_VERSION = 1
STORE_ENV = "CSAT_STORE"
STORE_NAME = "csat-store.duckdb"
#: seconds a writer or reader waits for the store's lock before giving up
TIMEOUT = 300.0
#: roles of the respondent-level variables (column ``role`` of the ``responses`` table)
ROLES = ("respondent", "dimension", "item", "outcome", "segment", "flag")
#: respondent-level variables every wave has (role ``respondent``)
RESPONDENT_VARIABLES = ("excluded", "reasons", "weight", "overall_index")

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS store_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)",
    """CREATE TABLE IF NOT EXISTS waves (
        wave_id INTEGER NOT NULL UNIQUE,
        brand VARCHAR NOT NULL, category VARCHAR NOT NULL, wave VARCHAR NOT NULL,
        n_responses INTEGER, n_analysed INTEGER, n_excluded INTEGER,
        overall_index DOUBLE, csat_top2box DOUBLE, nps DOUBLE,
        summary VARCHAR NOT NULL, params_path VARCHAR, data_files VARCHAR NOT NULL,
        data_hash VARCHAR NOT NULL, content_hash VARCHAR NOT NULL, package_version VARCHAR NOT NULL,
        stored_at TIMESTAMP NOT NULL,
        PRIMARY KEY (brand, category, wave))""",
    """CREATE TABLE IF NOT EXISTS variables (
        wave_id INTEGER NOT NULL, variable_id SMALLINT NOT NULL, variable VARCHAR NOT NULL, role VARCHAR NOT NULL,
        is_text BOOLEAN NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS respondents (
        wave_id INTEGER NOT NULL, row_number INTEGER NOT NULL, respondent_id VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS responses (
        wave_id INTEGER NOT NULL, row_number INTEGER NOT NULL, variable_id SMALLINT NOT NULL, value DOUBLE)""",
    """CREATE TABLE IF NOT EXISTS levels (
        wave_id INTEGER NOT NULL, row_number INTEGER NOT NULL, variable_id SMALLINT NOT NULL, level VARCHAR)""",
)
#: the tables of a wave's respondent-level data (keyed by ``waves.wave_id``)
_WAVE_TABLES = ("responses", "levels", "respondents", "variables")
#: digits to which numbers must agree for a re-run to count as unchanged (:meth:`WaveRecord.content_hash`)
DIGITS = 10
#: the columns of :func:`list_waves`
LIST_COLUMNS = ("brand", "category", "wave", "n_analysed", "overall_index", "csat_top2box", "nps", "stored_at",
                "data_hash")


@dataclass(frozen=True)
class WaveRecord:
    """What one report run stores.

    Attributes
    ----------
    brand, category, wave : str
        The wave's identity.
    summary : dict
        The headline figures (``summary.json``); ``n_responses``, ``n_analysed``, ``n_excluded``,
        ``overall_index``, ``csat_top2box`` and ``nps`` are also kept as typed columns.
    responses : pandas.DataFrame
        Respondent-level rows (:func:`csat_research.report.wave.wave_responses`): one row per
        respondent, index (``row_number`` - position in the import -, ``respondent_id``), columns
        a (``role``, ``variable``) MultiIndex with roles from :data:`ROLES`; numeric columns are
        stored in ``responses.value``, text columns (segments, reasons) in ``levels.level``.
    data_files : tuple of (str, str)
        The input files and their sha256 (:func:`file_sha256`), responses first.
    params_path : str or None
        The params file of the run.
    package_version : str
        ``csat_research.__version__`` of the run.
    """

    brand: str
    category: str
    wave: str
    summary: dict[str, Any]
    responses: pd.DataFrame
    data_files: tuple[tuple[str, str], ...]
    params_path: str | None
    package_version: str

    @property
    def data_hash(self) -> str:
        """sha256 of the input files' hashes (one file: its own sha256), :func:`data_hash`."""
        return data_hash([h for _, h in self.data_files])

    def content_hash(self) -> str:
        """sha256 of everything stored except the time: equal hashes, nothing to write.

        Numbers count to :data:`DIGITS` significant digits (summary) or decimals (respondent
        values): iterative fits such as the CFA differ in their last bits between two runs on
        the same data, which is no reason to rewrite a wave. The respondent values, their text
        levels and the index are each hashed as one stream, block by block (:meth:`blocks`), so
        that a wave is hashed in the same pass that writes it (:func:`store_wave`).
        """
        hasher = _ContentHash(self)
        for block in self.blocks():
            hasher.update(block)
        return hasher.hexdigest()

    @functools.cached_property
    def text_columns(self) -> list[int]:
        """Positions of the text columns of ``responses`` (stored in ``levels``), the others numeric."""
        return [i for i, (_, col) in enumerate(self.responses.items()) if not _numeric(col)]

    def blocks(self, *, values: bool = True, levels: bool = True) -> Iterator[_Block]:
        """``responses`` in blocks of :data:`BLOCK_ROWS` respondents, each as a respondents x
        variables float array (text columns NaN; empty unless ``values``) and an Arrow string
        array of the text columns' levels row by row (null when missing; empty unless
        ``levels``): a large wave is hashed and written without a copy of the whole of it."""
        import pyarrow as pa

        frame = self.responses
        n, k = frame.shape
        size = BLOCK_ROWS
        text = self.text_columns
        columns = [col for _, col in frame.items()]
        for start in range(0, max(n, 1), size):
            stop = min(n, start + size)
            floats = np.empty((stop - start, k if values else 0))  # every column is filled below
            if values:
                floats[:, text] = np.nan
            texts = pa.array([], pa.string())
            if levels and text and stop > start:
                m = stop - start
                by_column = pa.concat_arrays([_text_array(columns[i].iloc[start:stop]) for i in text])
                texts = by_column.take(pa.array((np.arange(m)[:, None] + np.arange(len(text)) * m).ravel()))
            for i, col in enumerate(columns):
                if values and i not in text:
                    floats[:, i] = col.iloc[start:stop].to_numpy(dtype=float, na_value=np.nan)
            yield _Block(start, stop, floats, texts)


class _ContentHash:
    """:meth:`WaveRecord.content_hash` fed block by block: the values (respondents x variables,
    rounded to :data:`DIGITS` decimals), the text columns' levels row by row joined by \\x1f and
    the index as one JSON list, each a sha256 stream of its own (the same for any block size),
    hashed after the wave's identity, provenance, summary and columns."""

    def __init__(self, record: WaveRecord) -> None:
        self.record = record
        self.values, self.levels, self.index = hashlib.sha256(), hashlib.sha256(), hashlib.sha256()
        self.index.update(b"[")
        self.sep = b""

    def update(self, block: _Block) -> None:
        self.values.update(np.ascontiguousarray(np.round(block.values, DIGITS)))  # its bytes, no copy
        if len(block.levels):
            self.levels.update(self.sep + _joined(block.levels).encode())
            self.sep = b"\x1f"
        part = self.record.responses.index[block.start:block.stop]
        if len(part):
            # the index's tuples, from its levels' values (MultiIndex.tolist() is slow)
            pairs = list(zip(*(part.get_level_values(i).tolist() for i in range(part.nlevels)), strict=True))
            self.index.update(((", " if block.start else "") + json.dumps(pairs, default=str)[1:-1]).encode())

    def hexdigest(self) -> str:
        r = self.record
        h = hashlib.sha256()
        h.update(json.dumps([r.brand, r.category, r.wave, r.params_path, r.package_version,
                             list(map(list, r.data_files)), _rounded(r.summary)], sort_keys=True,
                            ensure_ascii=False, default=str).encode())
        h.update(json.dumps([list(map(str, c)) for c in r.responses.columns]).encode())
        index = self.index.copy()
        index.update(b"]")
        for part in (self.values, self.levels, index):
            h.update(part.digest())
        return h.hexdigest()


#: respondents per block when a wave is hashed and written (:meth:`WaveRecord.blocks`)
BLOCK_ROWS = 100_000


@dataclass(frozen=True)
class _Block:
    start: int
    stop: int
    values: np.ndarray
    levels: Any  # pyarrow.StringArray


def _text_array(part: pd.Series) -> Any:
    """A text column's cells as an Arrow string array, null where missing (``str()`` of cells
    that are not text)."""
    import pyarrow as pa

    try:
        arr = pa.array(part, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        arr = None
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if arr is not None and (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return arr.cast(pa.string())
    cells = part.astype(object).where(part.notna(), None).tolist()
    return pa.array([None if v is None else str(v) for v in cells], pa.string())


def _joined(levels: Any) -> str:
    """``"\\x1f".join`` of the levels, ``"None"`` for a missing one (as :meth:`WaveRecord.content_hash`
    has always hashed them)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    lists = pa.ListArray.from_arrays(pa.array([0, len(levels)], pa.int32()), levels.fill_null("None"))
    return pc.binary_join(lists, "\x1f")[0].as_py()


def _numeric(col: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)


def _rounded(x: Any) -> Any:
    """``x`` with every float at :data:`DIGITS` significant digits (for :meth:`WaveRecord.content_hash`)."""
    if isinstance(x, float):
        return float(f"{x:.{DIGITS}g}")
    if isinstance(x, dict):
        return {k: _rounded(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_rounded(v) for v in x]
    return x


@dataclass(frozen=True)
class StoreResult:
    """What :func:`store_wave` did: ``action`` is ``"added"``, ``"replaced"`` (same input,
    other results), ``"refreshed"`` (the input files changed) or ``"unchanged"``;
    ``moved_aside`` is where a corrupt store went (else None)."""

    path: Path
    action: str
    moved_aside: Path | None = None

    @property
    def message(self) -> str:
        """One line for a person: what happened to the wave (and to a corrupt store)."""
        line = f"wave {self.action} in the study store {self.path}"
        if self.moved_aside is not None:
            line += f" (the corrupt store was moved aside to {self.moved_aside} and rebuilt)"
        return line


@dataclass(frozen=True)
class StoredWave:
    """One stored wave's headline figures (:func:`load_history`)."""

    brand: str
    category: str
    wave: str
    n_responses: int | None
    n_analysed: int | None
    n_excluded: int | None
    overall_index: float | None
    csat_top2box: float | None
    nps: float | None
    summary: dict[str, Any]
    params_path: str | None
    data_files: tuple[tuple[str, str], ...]
    data_hash: str
    package_version: str
    stored_at: datetime


def store_path(params: Any = None) -> Path:
    """The store file: ``$CSAT_STORE`` if set, else ``params.output.store``, else
    ``<params.output.dir>/csat-store.duckdb`` (without params: ``reports/csat-store.duckdb``).

    Examples
    --------
    >>> import os
    >>> os.environ.pop("CSAT_STORE", None) and None
    >>> store_path().as_posix()
    'reports/csat-store.duckdb'
    """
    env = os.environ.get(STORE_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    if params is None:
        return Path("reports") / STORE_NAME
    output = params.output
    return Path(output.store) if getattr(output, "store", None) else Path(output.dir) / STORE_NAME


def wave_record(params: Any, summary: dict[str, Any], responses: pd.DataFrame) -> WaveRecord:
    """The :class:`WaveRecord` of a report run: identity from ``params.study``, the input files
    (responses, then tickets when named) hashed now, the params file and the package version."""
    files = [params.data.responses.path] + ([params.data.tickets.path] if params.data.tickets is not None else [])
    return WaveRecord(
        brand=params.study.brand, category=params.study.category, wave=params.study.wave, summary=summary,
        responses=responses, data_files=tuple((str(f), file_sha256(f)) for f in files),
        params_path=None if params.source is None else str(params.source), package_version=__version__,
    )


def data_hash(hashes: Sequence[str]) -> str:
    """The hash of a wave's input files from their sha256 (:func:`file_sha256`, responses first):
    one file's own hash, or the sha256 of the concatenated hashes."""
    if len(hashes) == 1:
        return hashes[0]
    return hashlib.sha256("".join(hashes).encode()).hexdigest()


def file_sha256(path: str | os.PathLike[str]) -> str:
    """sha256 (hex) of a file's bytes, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _duckdb():
    try:
        import duckdb
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise StoreError("the study store needs the duckdb package: pip install duckdb") from exc
    return duckdb


@contextlib.contextmanager
def _locked(path: Path, *, exclusive: bool, timeout: float) -> Iterator[None]:
    """Hold ``flock`` on ``<store>.lock`` (exclusive for writers, shared for readers)."""
    lock = path.with_name(path.name + ".lock")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        deadline = time.monotonic() + timeout
        mode = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
        delay = 0.01
        while True:
            try:
                fcntl.flock(fd, mode)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise StoreError(f"the study store {path} stayed locked for {timeout:.0f} s (lock file {lock}); "
                                     "is another csat run still writing it?") from None
                time.sleep(delay)
                delay = min(delay * 2, 0.5)
        yield
    finally:
        os.close(fd)  # releases the lock


def _busy(exc: Exception) -> bool:
    return "Could not set lock" in str(exc) or "Conflicting lock" in str(exc)


def _corrupt(exc: Exception) -> bool:
    """DuckDB's errors for a file that is not (or no longer) a database."""
    text = str(exc)
    if "not a valid DuckDB database" in text or "orrupt" in text or "checksum" in text.lower():
        return True
    duckdb = _duckdb()
    return isinstance(exc, duckdb.SerializationException | duckdb.InternalException)


def _connect(path: Path, *, read_only: bool, timeout: float):
    """A DuckDB connection, retried while another process (not using our lock) holds the file."""
    duckdb = _duckdb()
    deadline = time.monotonic() + timeout
    delay = 0.02
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as exc:
            if _busy(exc) and time.monotonic() < deadline:
                time.sleep(delay)
                delay = min(delay * 2, 0.5)
                continue
            raise


def _check_schema(con: Any, path: Path) -> int:
    """The store's schema version (0: an empty database); refuse a database that is not a csat
    store, or one of a newer schema."""
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    if not tables:
        return 0
    if "store_meta" not in tables:
        raise StoreError(f"{path} is a DuckDB database but not a csat study store (tables {sorted(tables)}); "
                         "point --store / output.store / CSAT_STORE at another file")
    row = con.execute("SELECT value FROM store_meta WHERE key = 'schema_version'").fetchone()
    version = int(row[0]) if row else 0
    if version > SCHEMA_VERSION:
        raise StoreError(f"{path} has store schema version {version}; this csat-research reads up to "
                         f"{SCHEMA_VERSION}: upgrade csat-research")
    return version


def _create(con: Any) -> None:
    for statement in _SCHEMA:
        con.execute(statement)
    con.execute("INSERT OR REPLACE INTO store_meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])


def _move_aside(path: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    os.replace(path, target)
    wal = path.with_name(path.name + ".wal")
    if wal.exists():
        os.replace(wal, target.with_name(target.name + ".wal"))
    return target


def _corrupt_message(path: Path, exc: Exception) -> str:
    return f"the study store {path} is not a readable DuckDB database ({str(exc).splitlines()[0]})"


def _corrupt_read_message(path: Path, exc: Exception) -> str:
    return (f"{_corrupt_message(path, exc)}; the next report run moves it aside to {path.name}.corrupt-<timestamp> "
            "and builds a new store from the waves it runs")


def store_wave(store: str | os.PathLike[str], record: WaveRecord, *, timeout: float = TIMEOUT) -> StoreResult:
    """Store (or replace) one wave; a wave with identical content is left as it is.

    Parameters
    ----------
    store : path
        The store file; created with its folder when missing.
    record : WaveRecord
        The wave.
    timeout : float, default :data:`TIMEOUT`
        Seconds to wait for other writers.

    Returns
    -------
    StoreResult

    Raises
    ------
    TypeError
        If ``record`` is not a :class:`WaveRecord`.
    StoreError
        The store stayed locked, is not a csat store, or has a newer schema.

    Warns
    -----
    CsatWarning
        When a corrupt store was moved aside to ``<name>.corrupt-<timestamp>`` and rebuilt.
    """
    if not isinstance(record, WaveRecord):
        raise TypeError(f"store_wave: record must be a WaveRecord; got {type(record).__name__}")
    frame = record.responses
    if frame.columns.nlevels != 2 or frame.index.nlevels != 2:
        raise ValueError("store_wave: responses must have (role, variable) columns and a (row_number, respondent_id) "
                         f"index; got {frame.columns.nlevels} column and {frame.index.nlevels} index level(s)")
    bad = sorted(set(frame.columns.get_level_values(0)) - set(ROLES))
    if bad:
        raise ValueError(f"store_wave: responses' roles must be among {ROLES}; got {bad}")
    path = Path(store)
    path.parent.mkdir(parents=True, exist_ok=True)
    moved = None
    with _locked(path, exclusive=True, timeout=timeout):
        try:
            action = _store_locked(path, record, timeout)
        except StoreError:
            raise
        except Exception as exc:
            if not _corrupt(exc):
                raise StoreError(f"cannot write the study store {path}: {exc}") from exc
            moved = _move_aside(path)
            warnings.warn(CsatWarning(
                f"{_corrupt_message(path, exc)}: moved aside to {moved}; a new store is built from the waves "
                "being run (run the earlier waves' reports again to bring them back)",
                kind="store_corrupt", store=str(path), moved_to=str(moved)), stacklevel=2)
            action = _store_locked(path, record, timeout)
    return StoreResult(path, action, moved)


def _store_locked(path: Path, record: WaveRecord, timeout: float) -> str:
    """Open (or create) the store, compare and write the wave; the caller holds the lock. A new
    wave is hashed as it is written (one pass over its rows); a stored one is compared first."""
    con = _connect(path, read_only=False, timeout=timeout)
    try:
        if _check_schema(con, path) < SCHEMA_VERSION:
            _create(con)
        key = [record.brand, record.category, record.wave]
        old = con.execute("SELECT content_hash, data_hash, wave_id FROM waves WHERE brand = ? AND category = ? "
                          "AND wave = ?", key).fetchone()
        if old is not None and old[0] == record.content_hash():
            return "unchanged"
        _write(con, record, None if old is None else int(old[2]))
        return "added" if old is None else ("replaced" if old[1] == record.data_hash else "refreshed")
    finally:
        con.close()


def _typed(summary: dict[str, Any], key: str, kind: type) -> Any:
    value = summary.get(key)
    return None if value is None else kind(value)


def _tables(record: WaveRecord, wave_id: int, hasher: _ContentHash) -> Iterator[list[tuple[str, Any]]]:
    """The wave's respondent-level rows as Arrow tables, block by block (:meth:`WaveRecord.blocks`,
    each also fed to ``hasher``): ``variables``, then per block of respondents ``respondents``,
    ``responses`` (every respondent x numeric variable) and ``levels`` (x text variable), as lists
    of (table name, rows); DuckDB scans Arrow without Python objects."""
    import pyarrow as pa

    frame = record.responses
    k = frame.shape[1]
    text = record.text_columns
    numeric = np.array([i for i in range(k) if i not in set(text)], dtype=np.int16)
    texts = np.arange(len(text), dtype=np.int16)
    variable_of_text = np.array(text, dtype=np.int16)
    string = pa.string()

    def wave(m: int) -> Any:
        return pa.array(np.full(m, wave_id, dtype=np.int32))

    yield [("variables", pa.table({
        "wave_id": wave(k), "variable_id": pa.array(np.arange(k, dtype=np.int16)),
        "variable": pa.array([str(v) for v in frame.columns.get_level_values(1)], string),
        "role": pa.array([str(r) for r in frame.columns.get_level_values(0)], string),
        "is_text": pa.array([i in set(text) for i in range(k)], pa.bool_()),
    }))]
    all_rows = frame.index.get_level_values(0)
    all_ids = frame.index.get_level_values(1)
    for block in record.blocks():
        hasher.update(block)
        m = block.stop - block.start
        if not m:
            continue
        rows = all_rows[block.start:block.stop].to_numpy(dtype=np.int32)
        ids = all_ids[block.start:block.stop]
        yield [
            ("respondents", pa.table({
                "wave_id": wave(m), "row_number": pa.array(rows),
                "respondent_id": pa.array(ids.astype(object).where(ids.notna(), None), string, from_pandas=True),
            })),
            ("responses", pa.table({
                "wave_id": wave(m * len(numeric)), "row_number": pa.array(np.repeat(rows, len(numeric))),
                "variable_id": pa.array(np.tile(numeric, m)),
                "value": pa.array(block.values[:, numeric].ravel(), pa.float64(), from_pandas=True),
            })),
            ("levels", pa.table({
                "wave_id": wave(m * len(texts)), "row_number": pa.array(np.repeat(rows, len(texts))),
                "variable_id": pa.array(np.tile(variable_of_text[texts], m)),
                "level": block.levels,
            })),
        ]


def _one_ahead(items: Iterator[Any]) -> Iterator[Any]:
    """``items``, each made in a worker thread while the caller uses the one before (NumPy,
    Arrow, hashlib and DuckDB release the GIL for large arrays: the two overlap). The iterator
    is advanced by one thread at a time, in order; its exceptions reach the caller."""
    from concurrent.futures import ThreadPoolExecutor

    end = object()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="csat-store") as pool:
        ahead = pool.submit(next, items, end)
        while (item := ahead.result()) is not end:
            ahead = pool.submit(next, items, end)
            yield item


def _write(con: Any, record: WaveRecord, old_id: int | None) -> None:
    key = [record.brand, record.category, record.wave]
    s = record.summary
    con.execute("BEGIN TRANSACTION")
    try:
        if old_id is None:
            wave_id = int(con.execute("SELECT coalesce(max(wave_id), 0) + 1 FROM waves").fetchall()[0][0])
        else:  # a replaced wave keeps its id
            wave_id = old_id
            for table in _WAVE_TABLES:
                con.execute(f"DELETE FROM {table} WHERE wave_id = ?", [wave_id])
            con.execute("DELETE FROM waves WHERE wave_id = ?", [wave_id])
        hasher = _ContentHash(record)
        # the next block is built and hashed in a worker thread while DuckDB inserts this one
        for batch in _one_ahead(_tables(record, wave_id, hasher)):
            for table, rows in batch:
                con.register("new_rows", rows)
                con.execute(f"INSERT INTO {table} SELECT * FROM new_rows")
                con.unregister("new_rows")
        con.execute(  # after its rows: their pass also hashed them
            "INSERT INTO waves VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [wave_id, *key, _typed(s, "n_responses", int), _typed(s, "n_analysed", int), _typed(s, "n_excluded", int),
             _typed(s, "overall_index", float), _typed(s, "csat_top2box", float), _typed(s, "nps", float),
             json.dumps(s, ensure_ascii=False, sort_keys=True), record.params_path,
             json.dumps([list(f) for f in record.data_files], ensure_ascii=False), record.data_hash,
             hasher.hexdigest(), record.package_version, datetime.now(UTC).replace(tzinfo=None)],
        )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


@contextlib.contextmanager
def _reading(store: str | os.PathLike[str], timeout: float) -> Iterator[Any]:
    """A read-only connection (None when the store does not exist), under the shared lock."""
    path = Path(store)
    if not path.exists():
        yield None
        return
    with _locked(path, exclusive=False, timeout=timeout):
        try:
            con = _connect(path, read_only=True, timeout=timeout)
            _check_schema(con, path)
        except StoreError:
            raise
        except Exception as exc:
            if _corrupt(exc):
                raise StoreError(_corrupt_read_message(path, exc)) from exc
            raise StoreError(f"cannot open the study store {path}: {exc}") from exc
        try:
            tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
            yield con if "waves" in tables else None
        except Exception as exc:
            if isinstance(exc, StoreError) or not _corrupt(exc):
                raise
            raise StoreError(_corrupt_read_message(path, exc)) from exc
        finally:
            con.close()


def _where(brand: str | None, category: str | None, wave: str | None = None) -> tuple[str, list[str]]:
    terms, args = [], []
    for column, value in (("brand", brand), ("category", category), ("wave", wave)):
        if value is not None:
            if not isinstance(value, str):
                raise TypeError(f"{column} must be a str; got {type(value).__name__}")
            terms.append(f"{column} = ?")
            args.append(value)
    return (" WHERE " + " AND ".join(terms)) if terms else "", args


def list_waves(store: str | os.PathLike[str], *, timeout: float = TIMEOUT) -> pd.DataFrame:
    """Every stored wave, sorted by brand, category and wave: the columns :data:`LIST_COLUMNS`
    (``data_hash`` in full). An empty frame when the store does not exist.

    Raises
    ------
    StoreError
        The store is corrupt (said so, with what happens next) or not a csat store.
    """
    with _reading(store, timeout) as con:
        if con is None:
            return pd.DataFrame(columns=list(LIST_COLUMNS))
        return con.execute(f"SELECT {', '.join(LIST_COLUMNS)} FROM waves ORDER BY brand, category, wave").df()


def drop_wave(store: str | os.PathLike[str], name: str, wave: str, *, timeout: float = TIMEOUT) -> pd.DataFrame:
    """Remove the waves ``wave`` whose brand or category is ``name``; return the removed waves
    (the columns of :func:`list_waves`; empty when nothing matched)."""
    for label, value in (("name", name), ("wave", wave)):
        if not isinstance(value, str) or not value:
            raise TypeError(f"drop_wave: {label} must be a non-empty str; got {value!r}")
    path = Path(store)
    if not path.exists():
        return pd.DataFrame(columns=list(LIST_COLUMNS))
    listed = list_waves(path, timeout=timeout)
    match = listed[((listed["brand"] == name) | (listed["category"] == name)) & (listed["wave"] == wave)]
    if match.empty:
        return match.reset_index(drop=True)
    with _locked(path, exclusive=True, timeout=timeout):
        con = _connect(path, read_only=False, timeout=timeout)
        try:
            con.execute("BEGIN TRANSACTION")
            ids = "SELECT wave_id FROM waves WHERE (brand = ? OR category = ?) AND wave = ?"
            for table in _WAVE_TABLES:
                con.execute(f"DELETE FROM {table} WHERE wave_id IN ({ids})", [name, name, wave])
            con.execute(f"DELETE FROM waves WHERE wave_id IN ({ids})", [name, name, wave])
            con.execute("COMMIT")
        finally:
            con.close()
    return match.reset_index(drop=True)


#: the columns of ``waves`` that make a :class:`StoredWave`, in its field order
_WAVE_SELECT = ("SELECT brand, category, wave, n_responses, n_analysed, n_excluded, overall_index, csat_top2box, "
                "nps, summary, params_path, data_files, data_hash, package_version, stored_at")


def _stored_wave(r: Sequence[Any]) -> StoredWave:
    """A :class:`StoredWave` from a row of ``_WAVE_SELECT`` (JSON columns decoded)."""
    return StoredWave(*r[:9], json.loads(r[9]), r[10], tuple(tuple(f) for f in json.loads(r[11])), *r[12:15])


def load_history(
    store: str | os.PathLike[str], *, brand: str | None = None, category: str | None = None,
    timeout: float = TIMEOUT,
) -> list[StoredWave]:
    """The stored waves of a brand and/or category with their headline figures, oldest first.

    Waves are ordered by their label (``2026Q1`` < ``2026Q2``: labels must sort in time order),
    then brand and category. A missing store has no history (``[]``).

    Raises
    ------
    StoreError
        The store is corrupt or not a csat store.
    """
    where, args = _where(brand, category)
    with _reading(store, timeout) as con:
        if con is None:
            return []
        rows = con.execute(f"{_WAVE_SELECT} FROM waves{where} ORDER BY wave, brand, category", args).fetchall()
    return [_stored_wave(r) for r in rows]


def load_history_data(
    store: str | os.PathLike[str], *, brand: str, category: str, variables: Sequence[str],
    timeout: float = TIMEOUT,
) -> list[tuple[StoredWave, pd.DataFrame]]:
    """The stored waves of a brand and category, oldest first, each with its respondents' numeric
    ``variables``: what a report needs of its earlier waves, read with one connection.

    Each frame has one row per respondent (import order): ``row_number``, ``excluded`` (bool),
    ``weight``, then the requested numeric variables the wave has (dimension scores, outcomes,
    ``overall_index``; a variable the wave lacks is left out, text variables are not read).
    A missing store has no history (``[]``).

    Raises
    ------
    StoreError
        The store is corrupt or not a csat store.
    """
    where, args = _where(brand, category)
    wanted = list(dict.fromkeys(["excluded", "weight", *variables]))
    with _reading(store, timeout) as con:
        if con is None:
            return []
        rows = con.execute(f"{_WAVE_SELECT}, wave_id FROM waves{where} ORDER BY wave, brand, category",
                           args).fetchall()
        if not rows:
            return []
        ids = [r[15] for r in rows]
        marks = ", ".join("?" for _ in ids)
        names = ", ".join("?" for _ in wanted)
        cells = con.execute(
            "SELECT r.wave_id, r.row_number, v.variable, r.value FROM responses r JOIN variables v "
            "ON r.wave_id = v.wave_id AND r.variable_id = v.variable_id "
            f"WHERE r.wave_id IN ({marks}) AND v.variable IN ({names}) AND NOT v.is_text "
            "ORDER BY r.wave_id, r.row_number, r.variable_id", [*ids, *wanted]).fetchnumpy()
    out = []
    for r in rows:
        keep = cells["wave_id"] == r[15]
        row_number = np.asarray(cells["row_number"][keep])
        variable = np.asarray(cells["variable"][keep], dtype=object)
        value = np.ma.filled(np.ma.asarray(cells["value"][keep], dtype=float), np.nan)  # NULL: a missing value
        people = np.unique(row_number)
        k = len(value) // max(len(people), 1)
        frame = pd.DataFrame({"row_number": people})
        if len(people):
            names_k = variable[:k]
            grid = value.reshape(len(people), k)
            for j, name in sorted(enumerate(names_k), key=lambda t: wanted.index(t[1])):
                frame[str(name)] = grid[:, j]
        if "excluded" in frame:
            frame["excluded"] = frame["excluded"].astype(bool)
        wave = _stored_wave(r)
        out.append((wave, frame))
    return out


def load_wave_data(
    store: str | os.PathLike[str], *, wave: str, brand: str | None = None, category: str | None = None,
    roles: Sequence[str] | None = None, timeout: float = TIMEOUT,
) -> pd.DataFrame:
    """The respondent-level rows of one stored wave, one row per respondent (import order).

    Columns: ``row_number``, ``respondent_id``, ``excluded`` (bool), ``reasons``, ``weight``,
    ``overall_index``, then one column per stored variable (dimension and item scores, outcomes
    as numbers; segments as text), restricted to ``roles`` when given.

    Raises
    ------
    StoreError
        Nothing stored matches, or the match is not one wave (name ``brand`` / ``category``).
    """
    if roles is not None:
        bad = sorted(set(roles) - set(ROLES))
        if bad:
            raise ValueError(f"load_wave_data: roles must be among {ROLES}; got {bad}")
    where, args = _where(brand, category, wave)
    with _reading(store, timeout) as con:
        waves = [] if con is None else con.execute(f"SELECT brand, category, wave_id FROM waves{where}",
                                                   args).fetchall()
        if len(waves) != 1:
            found = "nothing" if not waves else ", ".join(f"{b}/{c}" for b, c, _ in waves)
            raise StoreError(f"{store}: expected one stored wave {wave} (brand={brand!r}, category={category!r}); "
                             f"found {found}")
        wave_id = waves[0][2]
        variables = con.execute("SELECT variable, role, is_text FROM variables WHERE wave_id = ? "
                                "ORDER BY variable_id", [wave_id]).fetchall()
        people = con.execute("SELECT row_number, respondent_id FROM respondents WHERE wave_id = ? ORDER BY row_number",
                             [wave_id]).df()
        values = con.execute("SELECT value FROM responses WHERE wave_id = ? ORDER BY row_number, variable_id",
                             [wave_id]).df()["value"]
        levels = con.execute("SELECT level FROM levels WHERE wave_id = ? ORDER BY row_number, variable_id",
                             [wave_id]).df()["level"]
    return _wide(people, variables, values, levels, roles)


def _wide(people: pd.DataFrame, variables: list[tuple[str, str, bool]], values: pd.Series, levels: pd.Series,
          roles: Sequence[str] | None) -> pd.DataFrame:
    """One row per respondent from the stored grids (respondents x numeric / text variables, in order)."""
    n = len(people)
    n_text = sum(1 for v in variables if v[2])
    n_num = len(variables) - n_text
    if len(values) != n * n_num or len(levels) != n * n_text:
        raise StoreError(f"stored wave is incomplete: {len(values)} values and {len(levels)} levels for {n} "
                         f"respondents x {n_num} numeric and {n_text} text variables")
    numbers = values.to_numpy(dtype=float, na_value=np.nan).reshape(n, n_num)
    texts = levels.astype(object).where(levels.notna(), None).to_numpy().reshape(n, n_text)
    out = {"row_number": people["row_number"].to_numpy(), "respondent_id": people["respondent_id"].to_numpy(dtype=object)}
    i_num = i_text = 0
    for variable, role, is_text in variables:
        keep = roles is None or role == "respondent" or role in roles
        if is_text:
            if keep:
                out[variable] = texts[:, i_text]
            i_text += 1
        else:
            if keep:
                out[variable] = numbers[:, i_num]
            i_num += 1
    frame = pd.DataFrame(out)
    if "excluded" in frame:
        frame["excluded"] = frame["excluded"].astype(bool)
    return frame
