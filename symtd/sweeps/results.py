"""Results files (CSV or Parquet): rows as data with a provenance, never trusted.

Reading checks every value before anything uses it: the columns (each ``reach_Z<z>`` with
z a positive integer), integers where integers belong (at most 19 digits, no null, NaN,
float or text), ranges (0 <= rank <= upper, N, M >= 1), the rank kind, the seed and the
fingerprint's form, a training sweep's losses and metrics (numbers, NaN allowed, no
infinity, losses >= 0, metrics <= 1) and ranks (at most the matrix size; the teacher's -1
exactly for digits), and no two rows for one (cell, partition, draw). A file to resume
must moreover come from the same sweep: the same columns and fingerprint, only cells,
partitions and draws of this sweep, every column this sweep determines before it
computes (all but ``rank`` and a training sweep's measurements) exactly what it
writes (a ``lower`` sweep's rows are never marked ``exact``), and every task complete.

Writing: CSV rows are appended batch by batch, each batch one write of whole lines (after
a newline when the file's last line lacks one); Parquet row groups go to a ``.partial``
file that replaces RESULTS when the sweep stops. Nothing is created before the existing
rows are accepted.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from symtd.errors import SymtdError, escape
from symtd.sweeps.definition import COLUMNS, Sweep, expected_row, is_integer_column
from symtd.sweeps.training import TRAINED_COLUMNS, check_float, is_float_column

REQUIRED = (
    "cell",
    "architecture",
    "N",
    "M",
    "widths",
    "operator",
    "partition",
    "draw",
    "rank",
    "rank_kind",
    "upper",
    "upper_bound",
)
KNOWN = frozenset(COLUMNS + TRAINED_COLUMNS)
REACH = re.compile(r"reach_Z([1-9][0-9]{0,9})")
INTEGER = re.compile(r"-?[0-9]{1,19}")
FLOAT = re.compile(r"-?(?:[0-9]{1,400}(?:\.[0-9]{0,400})?(?:[eE][-+]?[0-9]{1,4})?|nan)")
MAX_TEXT = 10_000  # characters in one text value
_NONEMPTY = {"cell", "architecture", "widths", "operator", "partition", "upper_bound"}
_LOWEST = {"N": 1, "M": 1, "teacher_rank": -1, "teacher_numerical": -1}  # others >= 0


def _where(path: Path) -> str:
    return escape(str(path), 120, quote=False)


# -- reading ---------------------------------------------------------------------------------
def read_results(path: str | Path) -> list[dict[str, Any]]:
    """The rows of a results file (CSV or Parquet), every value checked (module docstring):
    dicts of strings and integers, unknown columns left out."""
    return load_results(path)[1]


def load_results(path: str | Path) -> tuple[list[str], list[dict[str, Any]]]:
    """(columns, checked rows) of a results file; SymtdError, one line, on anything wrong."""
    path = Path(path)
    where = _where(path)
    parquet = path.suffix.lower() == ".parquet"
    try:
        columns, raw = _parquet_rows(path) if parquet else _csv_rows(path)
    except SymtdError as exc:
        raise SymtdError(f"{where}: {exc}") from None
    except IsADirectoryError:
        raise SymtdError(f"cannot read results {where}: it is a directory") from None
    except FileNotFoundError:
        raise SymtdError(f"cannot read results {where}: no such file") from None
    except OSError as exc:
        raise SymtdError(
            f"cannot read results {where}: {escape(exc.strerror, quote=False)}"
        ) from None
    except MemoryError:
        raise SymtdError(f"cannot read results {where}: out of memory") from None
    except Exception as exc:  # csv.Error, UnicodeError, pyarrow's errors on a damaged file
        raise SymtdError(
            f"cannot read results {where}: {escape(str(exc), 160, quote=False)}"
        ) from None
    try:
        kept = check_columns(columns)
        rows = [_check_row(row, kept, label) for label, row in raw]
        check_unique(rows, [label for label, _ in raw])
    except SymtdError as exc:
        raise SymtdError(f"{where}: {exc}") from None
    return columns, rows


def _csv_rows(path: Path) -> tuple[list[str], list[tuple[str, dict]]]:
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise SymtdError("the file is empty: no header line")
        rows = []
        for record in reader:
            if not record:
                continue  # a blank line
            label = f"line {reader.line_num}"
            if len(record) != len(header):
                raise SymtdError(
                    f"{label} has {len(record)} fields, the header {len(header)} "
                    f"(a damaged or glued line?)"
                )
            rows.append((label, dict(zip(header, record))))
    return header, rows


def _parquet_rows(path: Path) -> tuple[list[str], list[tuple[str, dict]]]:
    import pyarrow.parquet as pq

    if not path.is_file():
        open(path, "rb").close()  # the OSError of a missing file or a directory
    table = pq.read_table(path)
    columns = list(table.column_names)
    rows = table.to_pylist()
    return columns, [(f"row {k + 1}", row) for k, row in enumerate(rows)]


def check_columns(columns: list[str]) -> list[str]:
    """The columns kept (known ones and ``reach_Z<z>``); refuses duplicates, a missing
    required column, no or a malformed ``reach_`` column."""
    names = [c if isinstance(c, str) else repr(c) for c in columns]
    if len(set(names)) != len(names):
        raise SymtdError(f"column {escape(next(c for c in names if names.count(c) > 1))} twice")
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise SymtdError(f"no {', '.join(missing[:4])} column: not a symtd sweep results file")
    reach = []
    for name in names:
        if name.startswith("reach_"):
            if not REACH.fullmatch(name):
                raise SymtdError(
                    f"column {escape(name, 60)}: expected reach_Z<z> with z a positive integer"
                )
            reach.append(name)
    if not reach:
        raise SymtdError("no reach_Z<z> column: the file says nothing about shallow widths")
    return [c for c in names if c in KNOWN] + reach


def _check_row(row: dict[str, Any], columns: list[str], label: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in columns:
        value = row.get(column)
        if is_integer_column(column):
            out[column] = _integer_value(value, column, label)
        elif is_float_column(column):
            out[column] = _float_value(value, column, label)
        else:
            out[column] = _text_value(value, column, label)
    if out["rank_kind"] not in ("exact", "lower"):
        raise SymtdError(
            f'{label}: rank_kind must be "exact" or "lower", got {_show(out["rank_kind"])}'
        )
    if out["rank"] > out["upper"]:
        raise SymtdError(f"{label}: rank {out['rank']} above the proven upper bound {out['upper']}")
    if "teacher_rank" in out:
        _check_trained(out, label)
    if "seed" in out and not re.fullmatch(r"[0-9]{1,20}", out["seed"]):
        raise SymtdError(f"{label}: seed must be a non-negative integer, got {_show(out['seed'])}")
    if "fingerprint" in out and not re.fullmatch(r"[0-9a-f]{16}", out["fingerprint"]):
        raise SymtdError(
            f"{label}: fingerprint must be 16 hex digits, got {_show(out['fingerprint'])}"
        )
    return out


def _check_trained(row: dict[str, Any], label: str) -> None:
    """A training sweep's row: teacher ranks -1 exactly for digits, and every rank at most
    the matrix size M^min(|I|, N - |I|) (|I| read from ``rows``), the teacher's numerical
    rank at most its exact rank."""
    digits = row.get("data") == "digits"
    teacher = (row["teacher_rank"], row.get("teacher_numerical", -1))
    if digits != (teacher == (-1, -1)) or digits != (-1 in teacher):
        raise SymtdError(f"{label}: teacher ranks are -1 exactly for digits (no teacher)")
    if "rows" in row:
        side = min(len(row["rows"].split()), row["N"] - len(row["rows"].split()))
        if side < 0:
            raise SymtdError(f"{label}: rows lists more positions than N = {row['N']}")
        bits = side * math.log2(row["M"]) if row["M"] > 1 else 0.0
        size = row["M"] ** side if bits < 63 else 2**63  # no computing a huge power
        for column in ("numerical", "teacher_rank", "teacher_numerical"):
            if column in row and row[column] > size:
                raise SymtdError(f"{label}: {column} {row[column]} above the matrix size {size}")
    if teacher[1] > teacher[0]:
        raise SymtdError(f"{label}: the teacher's numerical rank is above its exact rank")


def _show(value: Any) -> str:
    return escape(value, 40)


def _integer_value(value: Any, column: str, label: str) -> int:
    if isinstance(value, str) and INTEGER.fullmatch(value):
        number = int(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        what = (
            "null"
            if value is None or value == ""
            else "NaN"
            if isinstance(value, float) and math.isnan(value)
            else _show(value)
        )
        raise SymtdError(f"{label}: {column} must be an integer, got {what}")
    if not _LOWEST.get(column, 0) <= number < 2**63:
        raise SymtdError(
            f"{label}: {column} = {_show(number)} is out of range "
            f"({_LOWEST.get(column, 0)}..2^63-1)"
        )
    return number


def _float_value(value: Any, column: str, label: str) -> float:
    if isinstance(value, str) and FLOAT.fullmatch(value):
        number = float(value)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    else:
        what = "null" if value is None or value == "" else _show(value)
        raise SymtdError(f"{label}: {column} must be a number, got {what}")
    why = check_float(column, number)
    if why:
        raise SymtdError(f"{label}: {column} = {_show(value)} is {why}")
    return number


def _text_value(value: Any, column: str, label: str) -> str:
    if not isinstance(value, str):
        what = "null" if value is None else f"a {type(value).__name__}"
        raise SymtdError(f"{label}: {column} must be text, got {what}")
    if len(value) > MAX_TEXT:
        raise SymtdError(f"{label}: {column} is longer than {MAX_TEXT:,} characters")
    if column in _NONEMPTY and not value:
        raise SymtdError(f"{label}: {column} is empty")
    return value


def check_unique(rows: list[dict[str, Any]], labels: list[str]) -> None:
    """No two rows for one (cell, partition, draw); one fingerprint for the whole file."""
    seen: dict[tuple, str] = {}
    for row, label in zip(rows, labels):
        key = (row["cell"], row["partition"], row["draw"])
        if key in seen:
            raise SymtdError(
                f"{label} repeats {seen[key]}: cell {escape(key[0], 60)}, partition "
                f"{escape(key[1], 30)}, draw {key[2]} (a duplicate row is not another draw)"
            )
        seen[key] = label
    prints = {row["fingerprint"] for row in rows if "fingerprint" in row}
    if len(prints) > 1:
        raise SymtdError(
            f"rows of {len(prints)} different sweeps (fingerprints "
            f"{', '.join(sorted(prints)[:3])}); report one sweep at a time"
        )


# -- resuming ----------------------------------------------------------------------------------
def check_resumable(columns: list[str], rows: list[dict[str, Any]], sweep: Sweep) -> None:
    """Refuse rows that this sweep would not have written: other columns or fingerprint,
    unknown cells, partitions or draws, any column but ``rank`` differing from what this
    sweep determines, incomplete tasks."""
    if columns != sweep.columns:
        raise SymtdError(
            "it has other columns than this sweep writes (an older symtd's file, or another "
            "sweep's); it is not this sweep's results"
        )
    cells = {c.key: c for c in sweep.cells}
    partitions = set(sweep.partitions)
    per_task: dict[tuple[str, int], int] = {}
    for k, row in enumerate(rows):
        label = f"row {k + 1}"
        if row["fingerprint"] != sweep.fingerprint:
            raise SymtdError(
                f"{label} comes from another sweep (fingerprint {escape(row['fingerprint'])}, "
                f"this sweep's is {sweep.fingerprint}: another sweep file, seed or rank kind)"
            )
        cell = cells.get(row["cell"])
        if cell is None:
            raise SymtdError(f"{label}: cell {escape(row['cell'], 80)} is not in this sweep")
        if row["partition"] not in partitions:
            raise SymtdError(f"{label}: partition {escape(row['partition'], 40)} is not swept")
        if not 0 <= row["draw"] < sweep.draws:
            raise SymtdError(f"{label}: draw {row['draw']} is outside 0..{sweep.draws - 1}")
        expected = expected_row(sweep, cell, row["partition"], row["draw"])
        for column, value in expected.items():
            if row[column] != value:
                raise SymtdError(
                    f"{label}: {column} is {escape(row[column], 40)}, this sweep writes "
                    f"{escape(value, 40)}"
                )
        task = (row["cell"], row["draw"])
        per_task[task] = per_task.get(task, 0) + 1
    for (key, draw), count in per_task.items():
        if count != len(sweep.partitions):
            raise SymtdError(
                f"cell {escape(key, 80)} draw {draw} has {count} of "
                f"{len(sweep.partitions)} partition rows (an incomplete task)"
            )


# -- writing -----------------------------------------------------------------------------------
def check_out_path(path: str | Path) -> Path:
    """RESULTS must end in .csv or .parquet, not be a folder, and lie in an existing folder
    this process can write in (tried with a temporary file, which is removed)."""
    path = Path(path)
    where = _where(path)
    if path.suffix.lower() not in (".csv", ".parquet"):
        raise SymtdError(f"RESULTS must end in .csv or .parquet, got {escape(str(path))}")
    folder = path.parent
    try:
        if path.is_dir():
            raise SymtdError(f"RESULTS {where} is a directory, not a file")
        if not folder.exists():
            raise SymtdError(f"cannot write RESULTS {where}: no folder {_where(folder)}")
        if not folder.is_dir():
            raise SymtdError(f"cannot write RESULTS {where}: {_where(folder)} is not a folder")
        if path.exists() and not os.access(path, os.W_OK):
            raise SymtdError(f"cannot write RESULTS {where}: permission denied")
        handle, probe = tempfile.mkstemp(prefix=".symtd-probe-", dir=folder)
        os.close(handle)
        os.unlink(probe)
    except OSError as exc:
        raise SymtdError(
            f"cannot write RESULTS {where}: {escape(exc.strerror, quote=False)}"
        ) from None
    return path


class Results:
    """RESULTS for one sweep, as CSV (rows appended as batches come) or Parquet (row groups in
    ``RESULTS.partial``, which replaces RESULTS when the sweep stops).

    Creating it checks the path and, with ``resume``, reads and checks the rows already there
    (``check_resumable``); no file is touched until the first :meth:`write` or
    :meth:`close`."""

    def __init__(self, path: str | Path, sweep: Sweep, resume: bool = False) -> None:
        self.path = check_out_path(path)
        self.sweep, self.columns = sweep, sweep.columns
        self.parquet = self.path.suffix.lower() == ".parquet"
        self.existing: list[dict[str, Any]] = []
        self.append = resume and self.path.exists() and self.path.stat().st_size > 0
        if self.append:
            columns, self.existing = load_results(self.path)
            try:
                check_resumable(columns, self.existing, sweep)
            except SymtdError as exc:
                raise SymtdError(f"cannot resume {_where(self.path)}: {exc}") from None
        self.written = len(self.existing)
        self._writer: Any = None
        self._fd: int | None = None

    @property
    def done(self) -> set[tuple[str, int]]:
        """The (cell, draw) tasks RESULTS already holds."""
        return {(r["cell"], r["draw"]) for r in self.existing}

    def _open(self) -> None:
        try:
            if self.parquet:
                self._open_parquet()
            else:
                self._open_csv()
        except OSError as exc:
            raise SymtdError(
                f"cannot write RESULTS {_where(self.path)}: {escape(exc.strerror, quote=False)}"
            ) from None

    def _open_csv(self) -> None:
        if self.append:
            lead = _missing_newline(self.path)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
            if lead:
                _write_all(self._fd, lead)
        else:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
            _write_all(self._fd, _csv_text([self.columns]))

    def _open_parquet(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        def kind(c: str) -> Any:
            if is_integer_column(c):
                return pa.int64()
            return pa.float64() if is_float_column(c) else pa.string()

        self.schema = pa.schema([(c, kind(c)) for c in self.columns])
        self.tmp = self.path.with_name(self.path.name + ".partial")
        self._writer = pq.ParquetWriter(self.tmp, self.schema)
        if self.existing:
            self._parquet(self.existing)

    def write(self, rows: list[dict[str, Any]]) -> None:
        """Append rows (dicts by column): CSV lines in one write, or a Parquet row group."""
        if self._writer is None and self._fd is None:
            self._open()
        if self.parquet:
            self._parquet(rows)
        elif self._fd is not None:
            _write_all(self._fd, _csv_text([[row[c] for c in self.columns] for row in rows]))
        self.written += len(rows)

    def _parquet(self, rows: list[dict[str, Any]]) -> None:
        import pyarrow as pa

        columns = {c: [r[c] for r in rows] for c in self.columns}
        self._writer.write_table(pa.table(columns, schema=self.schema))

    def close(self) -> None:
        """Finish RESULTS: a Parquet file replaces the old one only now, a CSV file is closed."""
        if self._writer is None and self._fd is None:
            self._open()
        if self.parquet:
            self._writer.close()
            os.replace(self.tmp, self.path)
        elif self._fd is not None:
            os.close(self._fd)
        self._writer = self._fd = None


def _csv_text(records: Iterable[list[Any]]) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(records)
    return buffer.getvalue().encode("utf-8")


def _missing_newline(path: Path) -> bytes:
    """The line end to write first when the file's last line lacks one (else nothing)."""
    with open(path, "rb") as handle:
        handle.seek(-1, os.SEEK_END)
        last = handle.read(1)
    return b"" if last == b"\n" else b"\n" if last == b"\r" else b"\r\n"


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
