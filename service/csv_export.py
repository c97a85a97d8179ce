"""Answers as CSV, for every package that offers them: a header line, a line a row, a file name."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from flask import Response, request

CSV = "text/csv"
# A spreadsheet runs a cell that starts like a formula; names are free text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def wants_csv() -> bool:
    """Whether the client prefers CSV to JSON (JSON when it does not say)."""
    return request.accept_mimetypes.best_match(["application/json", CSV]) == CSV


def _cell(value) -> str:
    if value is None:
        return ""
    text = str(value)
    if isinstance(value, str) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_response(columns: Sequence[str], rows: Iterable[Sequence], filename: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return Response(buffer.getvalue(), mimetype=CSV, headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})
