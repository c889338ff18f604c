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

import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from qualkit.errors import InputError

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


def private_file(path: Path) -> None:
    """Create the file owner-only before anything is written into it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def _target(path: str | Path) -> Path:
    path = Path(path)
    if not path.parent.is_dir():
        raise InputError(f"{path}: folder {path.parent} does not exist; create it first")
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give a file name")
    return path


def write_table(df, path: str | Path, fmt: str) -> Path:
    """Write a table as ``json``, ``csv``, ``xlsx`` or ``markdown`` (0600)."""
    if fmt not in FORMATS:
        raise InputError(f"unknown format '{fmt}'; use one of {', '.join(FORMATS)}")
    path = _target(path)
    private_file(path)
    if fmt == "json":
        path.write_text(json.dumps(to_json(df), indent=2, ensure_ascii=False, allow_nan=False)
                        + "\n", encoding="utf-8")
    elif fmt == "csv":
        with open(path, "w", encoding="utf-8", newline="") as handle:
            for line in provenance_lines(df):
                handle.write("# " + line.replace("\n", " ") + "\n")
            flattened(df).to_csv(handle, index=_named_index(df))
    elif fmt == "markdown":
        path.write_text(to_markdown(df), encoding="utf-8")
    else:
        _write_xlsx(df, path)
    return path


def _write_xlsx(df, path: Path) -> None:
    import pandas as pd

    about = pd.DataFrame({"about": provenance_lines(df)})
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        flattened(df).to_excel(writer, sheet_name="table", index=_named_index(df))
        about.to_excel(writer, sheet_name="about", index=False)


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
