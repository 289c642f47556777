"""DataFrames, Series and arrays as a table bundle: column names and dtypes, the first and last
rows (copied from slices, never the whole object), the omitted count and the shape.

The table (``application/vnd.nbagent.table+json``)::

    {"kind": "DataFrame", "shape": [rows, columns],
     "columns": [{"name": "a", "dtype": "int64"}, ...],   # the first TABLE_COLUMNS
     "index": {"name": "date"} | None,                     # a pandas index that says something
     "head": [["1", "x"], ...], "tail": [[...], ...],      # cells as display text
     "head_index": ["2024-01-01", ...], "tail_index": [...],   # with "index" only
     "omitted_rows": 999985, "omitted_columns": 0}

The libraries are recognized by their types' modules and used only through the object at
hand: nbagent imports none of pandas, polars or numpy.
"""

from __future__ import annotations

import contextlib
import math
import sys
from typing import Any

from nbagent.core.data.limits import CELL_CHARS, TABLE_COLUMNS, TABLE_HEAD_ROWS, TABLE_TAIL_ROWS
from nbagent.core.values import type_is

__all__ = ["TABLE_MIME", "array_text", "table_markdown", "table_of"]

TABLE_MIME = "application/vnd.nbagent.table+json"


def table_of(obj: Any) -> dict[str, Any] | None:
    """The table of a pandas/polars DataFrame or Series or a 1-D/2-D numpy array; else None."""
    if type_is(obj, "pandas", "DataFrame", "Series"):
        return _pandas_frame(obj)
    if type_is(obj, "polars", "DataFrame"):
        return _polars_frame(obj)
    if type_is(obj, "polars", "Series"):
        return _polars_series(obj)
    if type_is(obj, "numpy", "ndarray") and obj.ndim in (1, 2):
        return _array(obj)
    return None


def _spans(rows: int) -> tuple[int, int, int]:
    """(head, tail, omitted) row counts for a table of ``rows`` rows."""
    if rows <= TABLE_HEAD_ROWS + TABLE_TAIL_ROWS:
        return rows, 0, 0
    return TABLE_HEAD_ROWS, TABLE_TAIL_ROWS, rows - TABLE_HEAD_ROWS - TABLE_TAIL_ROWS


def _table(
    kind: str, shape: list[int], ncols: int, columns: list[dict[str, str]]
) -> dict[str, Any]:
    return {
        "kind": kind,
        "shape": shape,
        "columns": columns[:TABLE_COLUMNS],
        "index": None,
        "head": [],
        "tail": [],
        "omitted_rows": 0,
        "omitted_columns": max(0, ncols - TABLE_COLUMNS),
    }


def _pandas_frame(obj: Any) -> dict[str, Any]:
    """A pandas DataFrame or Series: only its first and last rows are sliced and read."""
    series = type_is(obj, "pandas", "Series")
    rows = len(obj)
    ncols = 1 if series else obj.shape[1]
    head, tail, omitted = _spans(rows)
    if series:
        columns = [{"name": _name(obj.name, ""), "dtype": str(obj.dtype)}]
        first, last = obj.iloc[:head].to_frame(), obj.iloc[rows - tail :].to_frame()
    else:
        dtypes = obj.dtypes.iloc[:TABLE_COLUMNS]
        names = obj.columns[:TABLE_COLUMNS]
        columns = [
            {"name": _name(n, ""), "dtype": str(t)} for n, t in zip(names, dtypes, strict=True)
        ]
        # Rows first: pandas 2 slices the columns of a frame of several blocks by copying
        # them whole (160 MB for 10 million rows), and the few rows left are cheap to cut.
        first = obj.iloc[:head].iloc[:, :TABLE_COLUMNS]
        last = obj.iloc[rows - tail :].iloc[:, :TABLE_COLUMNS]
    table = _table("Series" if series else "DataFrame", [rows, ncols], ncols, columns)
    table["head"] = [[_cell(v) for v in row] for row in first.itertuples(index=False, name=None)]
    if tail:
        table["tail"] = [[_cell(v) for v in row] for row in last.itertuples(index=False, name=None)]
    table["omitted_rows"] = omitted
    index = obj.index
    default = type(index).__name__ == "RangeIndex" and index.start == 0 and index.step == 1
    if not default:
        names = [n for n in index.names if n is not None]
        table["index"] = {"name": ", ".join(_name(n, "") for n in names) or None}
        table["head_index"] = [_cell(v) for v in index[:head]]
        table["tail_index"] = [_cell(v) for v in index[rows - tail :]] if tail else []
    return table


def _polars_frame(df: Any) -> dict[str, Any]:
    rows, ncols = df.shape
    head, tail, omitted = _spans(rows)
    schema = list(df.schema.items())
    columns = [{"name": str(n), "dtype": str(t)} for n, t in schema[:TABLE_COLUMNS]]
    table = _table("polars.DataFrame", [rows, ncols], ncols, columns)
    part = df.select(df.columns[:TABLE_COLUMNS])  # columns are shared, not copied
    table["head"] = [[_cell(v) for v in row] for row in part.head(head).rows()]
    if tail:
        table["tail"] = [[_cell(v) for v in row] for row in part.tail(tail).rows()]
    table["omitted_rows"] = omitted
    return table


def _polars_series(s: Any) -> dict[str, Any]:
    rows = len(s)
    head, tail, omitted = _spans(rows)
    table = _table("polars.Series", [rows, 1], 1, [{"name": str(s.name), "dtype": str(s.dtype)}])
    table["head"] = [[_cell(v)] for v in s.head(head).to_list()]
    if tail:
        table["tail"] = [[_cell(v)] for v in s.tail(tail).to_list()]
    table["omitted_rows"] = omitted
    return table


def _array(a: Any) -> dict[str, Any]:
    rows = a.shape[0]
    ncols = 1 if a.ndim == 1 else a.shape[1]
    head, tail, omitted = _spans(rows)
    dtype = str(a.dtype)
    names = [""] if a.ndim == 1 else [str(i) for i in range(min(ncols, TABLE_COLUMNS))]
    columns = [{"name": n, "dtype": dtype} for n in names]
    table = _table("ndarray", list(a.shape), ncols, columns)

    def rows_of(part: Any) -> list[list[str]]:
        if a.ndim == 1:
            return [[_cell(v)] for v in part.tolist()]
        return [[_cell(v) for v in row] for row in part[:, :TABLE_COLUMNS].tolist()]

    table["head"] = rows_of(a[:head])
    table["tail"] = rows_of(a[rows - tail :]) if tail else []
    table["omitted_rows"] = omitted
    table["index"] = {"name": None}
    table["head_index"] = [str(i) for i in range(head)]
    table["tail_index"] = [str(i) for i in range(rows - tail, rows)] if tail else []
    return table


def _name(value: Any, empty: str) -> str:
    if value is None:
        return empty
    if isinstance(value, tuple):  # a MultiIndex column
        return " / ".join(str(v) for v in value)
    return str(value)


def _cell(value: Any) -> str:
    """A cell as text: floats with 6 significant digits, NaN as such, long text cut."""
    if hasattr(value, "item") and type(value).__module__ == "numpy":
        with contextlib.suppress(ValueError, TypeError):
            value = value.item()  # a numpy scalar: its Python value
    if isinstance(value, float):
        text = "NaN" if math.isnan(value) else format(value, ".6g")
    elif isinstance(value, str):
        text = value
    else:
        try:
            text = str(value)
        except Exception:  # noqa: BLE001 - a cell whose __str__ fails
            text = f"<{type(value).__name__}>"
    return text if len(text) <= CELL_CHARS else text[: CELL_CHARS - 1] + "…"


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def table_markdown(table: dict[str, Any]) -> str:
    """A table as a caption line and a GFM table (head, a "…" row, tail): the model's text and
    the panel's markdown copy."""
    shape = table["shape"]
    rows, ncols = shape[0], shape[1] if len(shape) > 1 else 1
    shown = len(table["columns"])
    caption = f"{table['kind']}: {rows:,} rows x {ncols:,} columns"
    if table["omitted_rows"]:
        caption += f" (first {len(table['head'])} and last {len(table['tail'])} rows shown"
        caption += f", {shown} of {ncols} columns)" if table["omitted_columns"] else ")"
    elif table["omitted_columns"]:
        caption += f" ({shown} of {ncols} columns shown)"
    indexed = table.get("index") is not None
    names = [_md_cell(c["name"]) for c in table["columns"][:shown]]
    header = ([_md_cell(table["index"].get("name") or "")] if indexed else []) + names
    lines = [caption, "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]

    def emit(cells: list[list[str]], index: list[str]) -> None:
        for i, row in enumerate(cells):
            lead = [_md_cell(index[i])] if indexed and i < len(index) else []
            lines.append("| " + " | ".join(lead + [_md_cell(c) for c in row]) + " |")

    emit(table["head"], table.get("head_index", []))
    if table["omitted_rows"]:
        lines.append("| " + " | ".join(["…"] * len(header)) + " |")
    emit(table["tail"], table.get("tail_index", []))
    return "\n".join(lines)


def array_text(a: Any) -> str:
    """A numpy array's shape, dtype and a summarized head (numpy's own formatting)."""
    numpy = sys.modules.get("numpy")
    body = (
        numpy.array2string(a, threshold=200, edgeitems=3, max_line_width=100)
        if numpy is not None
        else repr(a)
    )
    return f"array of shape {tuple(a.shape)}, dtype {a.dtype}\n{body}"
