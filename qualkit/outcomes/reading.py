"""Reading a cohort table (CSV or Excel) that may come from anyone: one-line errors, size caps,
a workbook checked as a zip before openpyxl sees it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qualkit.errors import InputError, located

MAX_TABLE_BYTES = 256 * 1024 * 1024  # a cohort of a million rows is about 100 MB as CSV


def read_table(path: str | Path) -> Any:
    """Read a CSV or Excel file into a pandas DataFrame.

    Args:
        path: ``.csv``/``.txt``/``.tsv`` or ``.xlsx``/``.xlsm`` file.

    Returns:
        The table as a DataFrame.

    Raises:
        InputError: The file is missing, has an unknown extension or cannot be parsed.
    """
    import pandas as pd

    path = Path(path)
    if not path.exists():
        raise InputError(located(path, "file not found; check the path to the data file"))
    if not path.is_file():
        raise InputError(located(path, "is not a regular file (a folder, pipe or device); give "
                                 "the data file"))
    if path.stat().st_size > MAX_TABLE_BYTES:
        raise InputError(located(path, f"refused: larger than {MAX_TABLE_BYTES // 2**20} MB; "
                                 "keep the columns the analysis needs"))
    suffix = path.suffix.lower()
    try:
        if suffix in {".csv", ".txt"}:
            return pd.read_csv(path)
        if suffix == ".tsv":
            return pd.read_csv(path, sep="\t")
        if suffix in {".xlsx", ".xlsm"}:
            return _read_workbook(path)
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(located(path, f"cannot read the table ({first})")) from exc
    raise InputError(located(path, f"unknown file type '{suffix}'; use a .csv or .xlsx file"))


def _read_workbook(path: Path) -> Any:
    """An Excel workbook, checked as a zip first: anything else fails in openpyxl's depths
    (BadZipFile, KeyError, XML errors), and a zip bomb would unpack into memory."""
    import zipfile

    import pandas as pd

    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(located(path, f"is not an Excel workbook (.xlsx is a zip file: {exc}); "
                                 "save it again from Excel, or as CSV")) from None
    if unpacked > MAX_TABLE_BYTES:
        raise InputError(located(path, f"refused: unpacks to more than "
                                 f"{MAX_TABLE_BYTES // 2**20} MB (a zip bomb?); save it as CSV"))
    try:
        return pd.read_excel(path, engine="openpyxl")
    except (ValueError, OSError, KeyError, TypeError, zipfile.BadZipFile, SyntaxError) as exc:
        # openpyxl reports damaged parts with whatever its XML layer raised
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(located(path, f"cannot read the workbook ({first}); save it again "
                                 "from Excel, or as CSV")) from None
