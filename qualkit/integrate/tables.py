"""Integration tables as pandas DataFrames with their provenance, and their files.

Every table carries, in ``DataFrame.attrs``: ``title``, ``coders`` (``consensus``, a coder's name
or ``union of ...``), ``documents`` (names), ``notes`` (warnings and method lines) and any extra
results (e.g. a saturation summary). The writers put that provenance in every format: JSON as
keys beside ``rows``; CSV as ``#`` lines above the header (``pandas.read_csv(comment="#")``
reads it back); XLSX as an ``about`` sheet beside the ``table`` sheet; Markdown as lines under
the heading. Cells that hold lists (quotes, linked themes) are flattened to text in CSV, XLSX and
Markdown, and kept structured in JSON.

Files are written owner-only (0600): quotes are transcript text.
"""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from qualkit.errors import InputError
from qualkit.files import check_target, neutralise, write_private

FORMATS = ("json", "csv", "xlsx", "markdown")


def make_table(rows: Any, *, title: str, scope: dict | None = None, notes: list[str] | None = None,
               columns: list[str] | None = None, **extra: Any):
    """A DataFrame with its provenance in ``attrs``."""
    import pandas as pd

    df = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows, columns=columns)
    df.attrs.update({"title": title, **(scope or {}), "notes": list(notes or []), **extra})
    return df


def plain(value: Any) -> Any:
    """A JSON value: numpy scalars unwrapped, NaN and infinities as ``None``."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, bool | int | float | str):
        return value
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def to_json(df) -> dict:
    """The whole table with its provenance, JSON-safe."""
    about = {k: plain(v) for k, v in df.attrs.items()}
    frame = df.reset_index() if _named_index(df) else df
    rows = [{str(k): plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]
    return {**about, "columns": [str(c) for c in frame.columns], "rows": rows}


def _named_index(df) -> bool:
    return df.index.name is not None


def flat(value: Any) -> Any:
    """A cell as text for CSV/XLSX/Markdown: lists of quotes and themes become lines."""
    if isinstance(value, list):
        return "\n".join(_line(v) for v in value)
    if isinstance(value, dict):
        return _line(value)
    return value


def _line(item: Any) -> str:
    if not isinstance(item, dict):
        return str(item)
    if "text" in item:  # a quote
        where = ", ".join(str(item[k]) for k in ("document", "speaker", "role") if item.get(k))
        return f"“{item['text']}” ({where})"
    if "code" in item:  # a linked theme
        return f"{item['code']}: {item.get('prevalence', '')}"
    return json.dumps(plain(item), ensure_ascii=False)


def flattened(df):
    """A copy with every list/dict cell turned into text."""
    out = df.copy()
    for column in out.columns:
        if out[column].dtype == object:
            out[column] = out[column].map(flat)
    return out


def provenance_lines(df) -> list[str]:
    """``key: value`` lines describing a table (title, coders, documents, notes, extras)."""
    lines = [str(df.attrs.get("title", ""))]
    for key, value in df.attrs.items():
        if key == "title" or value in (None, [], ""):
            continue
        if key == "documents" and isinstance(value, list) and len(value) > 12:
            value = f"{len(value)} documents: " + ", ".join(value[:12]) + ", …"
        elif isinstance(value, list) and key == "notes":
            lines += [f"note: {v}" for v in value]
            continue
        elif isinstance(value, list | dict):
            value = json.dumps(plain(value), ensure_ascii=False)
        lines.append(f"{key}: {value}")
    return lines


def spreadsheet_safe(df):
    """A flattened copy whose text cells, column names and index labels a spreadsheet will not
    run as formulas (a quote or a theme starting with ``=``, ``+``, ``-`` or ``@``)."""
    out = flattened(df)
    for column in out.columns:
        if _textual(out[column].dtype):
            out[column] = out[column].map(neutralise)
    if out.columns.nlevels == 1:
        out.columns = [neutralise(c) for c in out.columns]
    if out.index.nlevels == 1 and _textual(out.index.dtype):
        out.index = out.index.map(neutralise)
    return out


def _textual(dtype) -> bool:
    """Object or string columns (pandas 3 gives text the ``str`` dtype); numbers never."""
    return str(dtype) == "object" or str(dtype).startswith("str")


def write_table(df, path: str | Path, fmt: str) -> Path:
    """Write a table as ``json``, ``csv``, ``xlsx`` or ``markdown`` (0600, all at once)."""
    if fmt not in FORMATS:
        raise InputError(f"unknown format '{fmt}'; use one of {', '.join(FORMATS)}")
    path = check_target(path)
    if fmt == "json":
        data: bytes | str = json.dumps(to_json(df), indent=2, ensure_ascii=False,
                                       allow_nan=False) + "\n"
    elif fmt == "csv":
        out = io.StringIO()
        for line in provenance_lines(df):
            out.write("# " + line.replace("\n", " ") + "\n")
        spreadsheet_safe(df).to_csv(out, index=_named_index(df))
        data = out.getvalue()
    elif fmt == "markdown":
        data = to_markdown(df)
    else:
        data = _xlsx_bytes(df)
    return write_private(path, data)


def _xlsx_bytes(df) -> bytes:
    import pandas as pd

    about = pd.DataFrame({"about": [neutralise(line) for line in provenance_lines(df)]})
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        spreadsheet_safe(df).to_excel(writer, sheet_name="table", index=_named_index(df))
        about.to_excel(writer, sheet_name="about", index=False)
    return buffer.getvalue()


def _md_cell(value: Any) -> str:
    value = flat(value)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        value = f"{value:.4g}"
    return str(value).replace("|", "\\|").replace("\n", "<br>")


def to_markdown(df) -> str:
    """A Markdown table with the provenance lines under its heading."""
    lines = provenance_lines(df)
    out = [f"### {lines[0]}", ""] + [f"- {line}" for line in lines[1:]] + [""]
    head = ([str(df.index.name)] if _named_index(df) else []) + [str(c) for c in df.columns]
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "---|" * len(head))
    for key, row in zip(df.index, df.itertuples(index=False, name=None), strict=True):
        cells = ([_md_cell(key)] if _named_index(df) else []) + [_md_cell(v) for v in row]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"
