"""Reading export files into memory, one reader per container.

:func:`read_raw` reads a CSV (delimiter sniffed; encoding given, or detected: UTF-8 with or
without BOM, else GB18030 or Big5 weighed by :func:`encoding_confidence` and refused when
unsure, charset-normalizer breaking UTF-8/GB18030 ties or guessing), Excel (``.xlsx``
with openpyxl, ``.xls`` with xlrd; first sheet), SPSS (pyreadstat, value labels kept) or
Parquet file into a :class:`~csat_research.io.tables.RawFile`; nothing is interpreted yet.
:func:`container_of` chooses the reader from ``format=`` and the extension. These readers are
the only code of csat_research that opens data files; they never modify them.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from pathlib import Path
from typing import Any

import pandas as pd

from csat_research.core.errors import DataError
from csat_research.io.tables import RawFile, value_text

__all__ = [
    "EXTENSIONS",
    "MIN_ENCODING_CONFIDENCE",
    "check_path",
    "container_of",
    "encoding_confidence",
    "read_raw",
]

EXTENSIONS = {
    ".csv": "csv", ".txt": "csv", ".tsv": "csv",
    ".xlsx": "excel", ".xlsm": "excel", ".xls": "excel",
    ".sav": "spss", ".zsav": "spss",
    ".parquet": "parquet", ".pq": "parquet",
}


def check_path(path: Any) -> Path:
    """The file at ``path``; ``TypeError`` for a non-path, ``DataError`` when it is missing."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    p = Path(path)
    if not p.exists():
        raise DataError(f"{p.name}: file not found ({p})")
    if not p.is_file():
        raise DataError(f"{p.name}: not a file ({p})")
    return p


def container_of(p: Path, fmt: str, allowed: tuple[str, ...]) -> str:
    """The reader (csv, excel, spss, parquet) for ``p`` given ``format=`` and its extension."""
    by_ext = EXTENSIONS.get(p.suffix.lower())
    if fmt == "auto":
        ok = by_ext is not None and by_ext in allowed
        expect = ", ".join(e for e, c in EXTENSIONS.items() if c in allowed)
    elif fmt in ("qualtrics", "wjx"):
        ok = by_ext in ("csv", "excel")
        expect = f".csv, .txt, .xlsx or .xls for a {fmt} export"
    else:
        return fmt
    if not ok:
        raise DataError(
            f"{p.name}: cannot tell the file format from the extension "
            f"{p.suffix or '(none)'!r}; expected {expect}, or set the params' format (data.responses.format or data.tickets.format; "
            f"argument format= in Python) to {'/'.join(a for a in allowed if a not in ('auto', 'qualtrics', 'wjx'))}"
        )
    return by_ext


def read_raw(p: Path, container: str, encoding: str | None, *,
             setting: str = "encoding=") -> RawFile:
    """Read ``p`` with the reader of ``container`` (``encoding`` only for CSV and SPSS).

    ``setting`` is what error hints tell the user to set (``data.responses.encoding``).
    """
    if container == "csv":
        return _read_csv(p, encoding, setting)
    if encoding is not None and container not in ("spss",):
        raise ValueError(
            f"encoding applies to CSV and SPSS files only; {p.name} is read as {container}, "
            f"got encoding={encoding!r}"
        )
    if container == "excel":
        return _read_excel(p)
    if container == "spss":
        return _read_spss(p, encoding)
    return _read_parquet(p)


#: Below this confidence (share of the evidence, see :func:`encoding_confidence`) a detected
#: encoding is refused rather than guessed.
MIN_ENCODING_CONFIDENCE = 0.95
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_SAMPLE_CHARS = 20_000


def encoding_confidence(texts: dict[str, str]) -> dict[str, float]:
    """How much each candidate decoding of the same bytes looks like real text (shares, sum 1).

    Each candidate's non-ASCII runs (the first 20,000 characters of them) are scored with
    charset-normalizer's mess ratio ``c`` (the share of characters that look wrong: private-use
    code points, kana or box-drawing between Han characters, unusual sequences), clipped to
    [0, 0.9]; the candidate's weight is ``(1 - c) ** n`` with ``n`` the number of non-ASCII
    characters (the fewest over the candidates), i.e. the chance that ``n`` characters all
    look right. The weights are normalised to shares. A long text decoded the wrong way gets a
    share near 0; a few characters that decode cleanly both ways leave the shares near 50 %.

    Examples
    --------
    >>> data = "評價,服務很好，下次還會再買".encode("big5")
    >>> shares = encoding_confidence({e: data.decode(e) for e in ("big5", "gb18030")})
    >>> {e: round(v, 3) for e, v in shares.items()}
    {'big5': 1.0, 'gb18030': 0.0}
    >>> data = "好".encode("gb18030")
    >>> encoding_confidence({e: data.decode(e) for e in ("big5", "gb18030")})
    {'big5': 0.5, 'gb18030': 0.5}
    """
    from charset_normalizer.md import mess_ratio

    samples = {}
    for enc, text in texts.items():
        runs, size = [], 0
        for run in _NON_ASCII.finditer(text):
            runs.append(run.group())
            size += len(runs[-1])
            if size >= _SAMPLE_CHARS:
                break
        samples[enc] = "\n".join(runs)
    n = min(sum(len(line) for line in sample.split("\n")) for sample in samples.values())
    weights = {enc: (1.0 - min(max(mess_ratio(sample, 1.0), 0.0), 0.9)) ** n
               for enc, sample in samples.items()}
    total = sum(weights.values())
    return {enc: w / total for enc, w in weights.items()}


def _fmt_share(share: float) -> str:
    return f"{100 * share:.1f} %"


def _decode(p: Path, data: bytes, encoding: str | None, setting: str
            ) -> tuple[str, str, list[str], str]:
    """Decode CSV bytes; return (text, encoding used, notes, how it was chosen)."""
    notes: list[str] = []
    if encoding is not None:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise ValueError(f"encoding {encoding!r} is not a known text encoding") from None
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise DataError(
                f"{p.name}: cannot decode with encoding {encoding!r}: byte "
                f"{data[exc.start]:#04x} at offset {exc.start} (line {line}) is invalid "
                f"({exc.reason}); set {setting} to the right encoding (e.g. 'gb18030', "
                "'big5' or 'utf-8-sig'), or leave it out to detect it"
            ) from None
        if text.startswith("\ufeff"):
            text = text[1:]
            if codec == "utf-8":
                encoding = "utf-8-sig"
        if codec not in ("utf-8", "utf-8-sig") and not data.isascii():
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                notes.append(
                    f"{p.name}: decoded as {encoding!r} as requested, but the bytes are valid "
                    "UTF-8; if the text looks garbled set the params' encoding (data.responses.encoding or data.tickets.encoding; argument encoding= in Python) to utf-8, or leave it out"
                )
        return text, encoding, notes, "as given"
    if data.isascii():
        return data.decode("ascii"), "utf-8", notes, "ASCII only"
    candidates: dict[str, str] = {}
    failures: list[str] = []
    for enc in ("utf-8-sig", "gb18030"):
        try:
            candidates[enc] = data.decode(enc)
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            failures.append(f"{enc} fails at offset {exc.start} (line {line})")
    if "utf-8-sig" in candidates:
        if "gb18030" in candidates and candidates["utf-8-sig"] != candidates["gb18030"]:
            enc_used = _charset_tie_break(data)
            how = (f"valid as UTF-8 and as GB18030; charset-normalizer chose "
                   f"{enc_used.replace('utf-8-sig', 'utf-8')}")
        else:
            enc_used, how = "utf-8-sig", "confidence 100 %: the bytes are valid UTF-8 only"
        text = candidates[enc_used]
    elif "gb18030" in candidates:
        # Big5 bytes always decode as GB18030 too (its byte ranges cover Big5's): weigh both
        text = candidates["gb18030"]
        big5 = None
        for enc in ("big5", "cp950"):
            try:
                big5 = (enc, data.decode(enc))
                break
            except UnicodeDecodeError:
                continue
        if big5 is None:
            enc_used, how = "gb18030", "confidence 100 %: GB18030 is the only candidate that decodes"
        else:
            shares = encoding_confidence({"gb18030": text, big5[0]: big5[1]})
            ranked = sorted(shares.items(), key=lambda kv: -kv[1])
            listed = ", ".join(f"{enc} {_fmt_share(v)}" for enc, v in ranked)
            enc_used, best = ranked[0]
            if best < MIN_ENCODING_CONFIDENCE:
                chars = len("".join(_NON_ASCII.findall(text)))
                raise DataError(
                    f"{p.name}: cannot tell the text encoding: the bytes decode both as "
                    f"GB18030 (Simplified or Traditional Chinese) and as Big5 (Traditional "
                    f"Chinese), and the {chars} non-ASCII character(s) do not settle which "
                    f"(confidence: {listed}; at least {_fmt_share(MIN_ENCODING_CONFIDENCE)} "
                    f"is needed); set {setting} to the encoding the survey tool wrote "
                    "(e.g. 'gb18030' or 'big5')"
                )
            text = big5[1] if enc_used == big5[0] else text
            how = f"confidence {_fmt_share(best)}; candidates: {listed}"
            if enc_used != "gb18030" or best < 0.999:
                notes.append(
                    f"{p.name}: encoding detected as {enc_used!r} ({how}; the bytes decode "
                    f"both as GB18030 and as Big5); if the text looks garbled set {setting}"
                )
    else:
        guess = _charset_guess(data)
        if guess is None:
            raise DataError(
                f"{p.name}: cannot detect the text encoding ({'; '.join(failures)}); "
                f"set {setting}"
            )
        enc_used, text = guess
        how = "guessed by charset-normalizer"
        notes.append(
            f"{p.name}: encoding is neither UTF-8 nor GB18030; decoded as {enc_used!r} "
            f"(guessed by charset-normalizer; set {setting} to be sure)"
        )
    if enc_used == "utf-8-sig" and not data.startswith(codecs.BOM_UTF8):
        enc_used = "utf-8"
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, enc_used, notes, how


def _charset_tie_break(data: bytes) -> str:
    """Choose utf-8-sig or gb18030 for bytes valid in both, with charset-normalizer."""
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["utf_8", "gb18030"]).best()
    if best is not None and best.encoding.replace("-", "_") == "gb18030":
        return "gb18030"
    return "utf-8-sig"


def _charset_guess(data: bytes) -> tuple[str, str] | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        return None
    return best.encoding, str(best)


def _read_csv(p: Path, encoding: str | None, setting: str) -> RawFile:
    data = p.read_bytes()
    text, enc, notes, how = _decode(p, data, encoding, setting)
    line_end = text.find("\n")
    first = text[: line_end if line_end >= 0 else len(text)]
    delimiter = max((",", "\t", ";"), key=first.count) if first else ","
    if first.count(delimiter) == 0:
        delimiter = ","
    if len(data) >= COLUMNAR_MIN_BYTES:
        utf8 = data[3:] if data.startswith(codecs.BOM_UTF8) else data
        if codecs.lookup(enc).name not in ("utf-8", "utf-8-sig", "ascii"):
            utf8 = text.encode("utf-8")
        del data, text  # a copy fewer while pyarrow reads (the text is decoded again if needed)
        columnar = _columnar_csv(utf8, delimiter)
        if columnar is not None:
            return RawFile(p.name, "csv", enc, columnar=columnar, notes=notes, encoding_detail=how)
        text = utf8.decode("utf-8")
        del utf8
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter,
                                  strict=True))
    except csv.Error as exc:
        raise DataError(f"{p.name}: not a readable CSV file: {exc}") from None
    return RawFile(p.name, "csv", enc, records=records, notes=notes, encoding_detail=how)


#: CSV files of at least this many bytes are read column-wise by pyarrow when that reads them
#: exactly as the csv module does (:func:`_columnar_csv`); smaller ones row by row
COLUMNAR_MIN_BYTES = 1 << 20
_CSV_FIELD_LIMIT = csv.field_size_limit()


def _quotes_as_csv_reads_them(data: bytes, delimiter: bytes) -> bool:
    """Whether every quoted field of ``data`` is well formed for :mod:`csv` (``strict=True``).

    The only input that pyarrow's CSV parser and the csv module read differently is a quoted
    field whose closing quote is followed by something else than the delimiter or a line end
    (``"ab"c``: the csv module refuses it, pyarrow reads ``abc``), and an unterminated quote.
    Walks the runs of quote characters (a few per quoted field) with the csv module's states:
    a run opens a quoted field when it starts a field; inside one, pairs are escaped quotes
    and an odd last quote closes it.
    """
    import numpy as np

    raw = np.frombuffer(data, dtype=np.uint8)
    at = np.flatnonzero(raw == 34)  # every quote character
    if not at.size:
        return True
    new_run = np.flatnonzero(np.diff(at) != 1) + 1
    starts = at[np.r_[0, new_run]].tolist()
    ends = (at[np.r_[new_run - 1, at.size - 1]] + 1).tolist()
    field_end = (delimiter[0], 10, 13)  # the delimiter, \n, \r
    quoted = False
    size = len(data)
    for start, end in zip(starts, ends, strict=True):
        length = end - start
        if not quoted:
            if start and data[start - 1] not in field_end:
                continue  # quotes inside an unquoted field are plain characters
            quoted, length = True, length - 1
        if length % 2:
            quoted = False
            if end < size and data[end] not in field_end:
                return False
    return not quoted


def _columnar_csv(data: bytes, delimiter: str) -> Any:
    """UTF-8 CSV bytes as a pyarrow table of string columns (header rows as data), or None
    when pyarrow would not read them exactly as ``csv.reader(..., strict=True)`` does (malformed
    quotes, NUL bytes, rows of different lengths, a field over the csv module's size limit):
    those files are read row by row, with the csv module's errors."""
    import pyarrow as pa
    import pyarrow.compute as pc
    from pyarrow import csv as pa_csv

    if b"\0" in data or not _quotes_as_csv_reads_them(data, delimiter.encode()):
        return None
    line_end = data.find(b"\n")
    n_max = data[: line_end if line_end >= 0 else len(data)].count(delimiter.encode()) + 1  # at least the number of columns
    try:
        table = pa_csv.read_csv(
            pa.py_buffer(data),
            read_options=pa_csv.ReadOptions(autogenerate_column_names=True),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                              ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(
                column_types={f"f{j}": pa.string() for j in range(n_max)},
                strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    if table.num_columns < 2 or table.num_columns > n_max or table.num_rows == 0:
        return None
    if any(not pa.types.is_string(c.type) for c in table.columns):
        return None
    longest = max((pc.max(pc.utf8_length(c)).as_py() or 0) for c in table.columns)
    if longest > _CSV_FIELD_LIMIT:
        return None
    return table


def _read_excel(p: Path) -> RawFile:
    notes: list[str] = []
    if p.suffix.lower() == ".xls":
        import xlrd

        try:
            book = xlrd.open_workbook(str(p), on_demand=True)
        except Exception as exc:  # xlrd raises several unrelated classes
            raise DataError(f"{p.name}: not a readable .xls workbook: {exc}") from None
        try:
            if book.nsheets > 1:
                notes.append(f"{p.name}: workbook has {book.nsheets} sheets; read the first "
                             f"({book.sheet_names()[0]!r})")
            sheet = book.sheet_by_index(0)
            records = []
            for r in range(sheet.nrows):
                row = []
                for c in range(sheet.ncols):
                    cell = sheet.cell(r, c)
                    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                        row.append(None)
                    elif cell.ctype == xlrd.XL_CELL_DATE:
                        row.append(xlrd.xldate_as_datetime(cell.value, book.datemode))
                    elif cell.ctype == xlrd.XL_CELL_ERROR:
                        row.append(xlrd.error_text_from_code.get(cell.value, "#ERROR"))
                    elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                        row.append(bool(cell.value))
                    else:
                        row.append(cell.value)
                records.append(row)
        finally:
            book.release_resources()
        return RawFile(p.name, "excel", None, records=records, notes=notes)

    import openpyxl

    try:
        book = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except Exception as exc:  # zipfile / openpyxl raise several unrelated classes
        raise DataError(f"{p.name}: not a readable .xlsx workbook: {exc}") from None
    try:
        if len(book.worksheets) > 1:
            notes.append(f"{p.name}: workbook has {len(book.worksheets)} sheets; read the "
                         f"first ({book.sheetnames[0]!r})")
        sheet = book.worksheets[0]
        records = [list(r) for r in sheet.iter_rows(min_row=1, values_only=True)]
    finally:
        book.close()
    return RawFile(p.name, "excel", None, records=records, notes=notes)


def _read_spss(p: Path, encoding: str | None) -> RawFile:
    import pyreadstat

    try:
        frame, meta = pyreadstat.read_sav(str(p), encoding=encoding, apply_value_formats=False,
                                          user_missing=True)
    except Exception as exc:  # pyreadstat.ReadstatError and friends
        hint = f" with encoding {encoding!r}" if encoding else ""
        raise DataError(f"{p.name}: cannot read the SPSS file{hint}: {exc}") from None
    used = encoding or meta.file_encoding or None
    notes = []
    if encoding is not None:
        try:
            declared = pyreadstat.read_sav(str(p), metadataonly=True)[1].file_encoding
            differs = declared and codecs.lookup(declared).name != codecs.lookup(encoding).name
        except Exception:  # noqa: BLE001 - only a hint; the data were read already
            declared, differs = None, False
        if differs:
            notes.append(f"{p.name}: the file declares encoding {declared!r} but was read as "
                         f"{encoding!r} as requested; if text looks garbled leave out the params' encoding (data.responses.encoding or data.tickets.encoding; argument encoding= in Python)")
    labels = {str(k): dict(v) for k, v in (meta.variable_value_labels or {}).items()}
    frame, user_missing = _user_missing(frame, meta.missing_ranges or {}, labels)
    how = "as given" if encoding is not None else "declared in the file"
    return RawFile(p.name, "spss", used, frame=frame, value_labels=labels, notes=notes,
                   encoding_detail=how, user_missing=user_missing)


def _user_missing(frame: pd.DataFrame, ranges: dict[str, list[dict[str, Any]]],
                  labels: dict[str, dict[Any, str]]
                  ) -> tuple[pd.DataFrame, dict[str, dict[str, int]]]:
    """Set the SPSS user-missing values (``missing_ranges``) to missing; count them.

    Returns the frame and, per column, ``{"99 = no answer": count}`` (the value label when
    the file has one).
    """
    counts: dict[str, dict[str, int]] = {}
    frame = frame.copy()
    for col, spans in ranges.items():
        if col not in frame.columns:
            continue
        values = frame[col]
        numeric = pd.api.types.is_numeric_dtype(values)
        mask = pd.Series(False, index=values.index)
        for span in spans:
            lo, hi = span.get("lo"), span.get("hi")
            if numeric:
                mask |= values.between(lo, hi)
            else:
                mask |= values.astype(str).str.strip() == str(lo).strip()
        if not mask.any():
            continue
        found: dict[str, int] = {}
        for value, n in values[mask].value_counts(sort=False).items():
            code = value_text(value)
            label = labels.get(str(col), {}).get(value)
            found[f"{code} = {label}" if label else code] = int(n)
        counts[str(col)] = dict(sorted(found.items()))
        frame[col] = values.mask(mask)
    return frame, counts


def _read_parquet(p: Path) -> RawFile:
    try:
        frame = pd.read_parquet(p, engine="pyarrow")
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ...
        raise DataError(f"{p.name}: not a readable Parquet file: {exc}") from None
    return RawFile(p.name, "parquet", None, frame=frame)
