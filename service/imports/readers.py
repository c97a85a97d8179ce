"""Reading an uploaded sheet as rows of text: CSV (UTF-8, with or without BOM, or GB18030) or
XLSX (its first sheet), streamed and refused as soon as it is too large or too long."""

from __future__ import annotations

import codecs
import csv
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import BinaryIO

from ..i18n import gettext
from .errors import FileTooLarge, TooManyRows, UnreadableFile, UnsupportedFileType

CHUNK = 64 * 1024
# csv's own limit on one cell is 128 KiB; ours is the file's, cells are checked per column.
csv.field_size_limit(1024 * 1024)
XLSX_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls and other pre-2007 Office files
# An XLSX is compressed: what its sheet unpacks to is bounded too (a few cells can be made to
# unpack to gigabytes), as a multiple of the upload limit.
XLSX_UNPACKED_FACTOR = 20
_DIMENSION = re.compile(rb'<dimension ref="[A-Z]+\d+(?::[A-Z]+(\d+))?"')


@dataclass
class Sheet:
    """What a file holds: its kind, its text encoding (CSV) and its rows as read."""

    format: str
    encoding: str | None
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (row number as the spreadsheet shows it, cells)


class CountingStream:
    """A binary stream that refuses to hand on more than `limit` bytes in all."""

    def __init__(self, stream: BinaryIO, limit: int):
        self._stream, self._limit, self.read_bytes = stream, limit, 0

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self._limit + 1 - self.read_bytes
        data = self._stream.read(max(0, min(size, self._limit + 1 - self.read_bytes)))
        self.read_bytes += len(data)
        if self.read_bytes > self._limit:
            raise too_large(self._limit)
        return data


def too_large(limit: int) -> FileTooLarge:
    return FileTooLarge(gettext("A file may have at most %(megabytes)s MB.",
                                megabytes=round(limit / 1024 / 1024, 1)),
                        errors={"file": [gettext("Too large.")]}, limit_bytes=limit)


def too_many_rows(limit: int) -> TooManyRows:
    return TooManyRows(gettext("A file may have at most %(rows)s rows; split it.", rows=limit),
                       errors={"file": [gettext("Too many rows.")]}, limit_rows=limit)


def read_sheet(stream: BinaryIO, *, filename: str = "", max_bytes: int,
               max_rows: int) -> Sheet:
    """The header and the non-blank rows of an uploaded file (at most `max_rows`)."""
    counted = CountingStream(stream, max_bytes)
    head = counted.read(8)
    name = filename.lower()
    if head.startswith(XLSX_MAGIC):
        return _read_xlsx(head + counted.read(), max_bytes=max_bytes, max_rows=max_rows)
    if head.startswith(OLE2_MAGIC) or name.endswith((".xls", ".ods", ".numbers", ".pdf")):
        raise UnsupportedFileType(
            gettext("Save the sheet as .xlsx or .csv (UTF-8 or GB18030) and upload that."),
            errors={"file": [gettext("Not a CSV or XLSX file.")]})
    return _read_csv(head, counted, max_rows=max_rows, max_bytes=max_bytes)


# ---------------------------------------------------------------- CSV

def _decoded(first: bytes, stream: CountingStream, encoding: str) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder(encoding)()
    chunk = first
    while True:
        more = stream.read(CHUNK)
        yield decoder.decode(chunk, final=not more)
        if not more:
            return
        chunk = more


def _lines(pieces: Iterator[str]) -> Iterator[str]:
    """Lines ending in \\n only (csv then reads quoted line breaks as part of a cell; other
    Unicode line separators stay inside their cell)."""
    rest = ""
    for piece in pieces:
        rest += piece
        *lines, rest = rest.split("\n")
        for line in lines:
            yield line + "\n"
    if rest:
        yield rest


def _read_csv(head: bytes, stream: CountingStream, *, max_rows: int, max_bytes: int) -> Sheet:
    buffered = head + stream.read(CHUNK)
    if b"\x00" in buffered:
        raise UnsupportedFileType(
            gettext("Save the sheet as .xlsx or .csv (UTF-8 or GB18030) and upload that."),
            errors={"file": [gettext("Not a CSV or XLSX file.")]})
    # Valid UTF-8 is read as UTF-8 (a BOM says so too); anything else as GB18030, which is
    # what Excel in China saves as "CSV". The first chunk decides; a later byte that is not
    # UTF-8 starts the read again as GB18030 (the upload is kept, so it can be read twice).
    encoding = "utf-8-sig"
    # hostile: a BOM says UTF-8 for the whole file; read as GB18030, its header would be
    # mojibake and the refusal a misleading missing_columns.
    marked = buffered.startswith(codecs.BOM_UTF8)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(buffered, final=False)
    except UnicodeDecodeError:
        if marked:
            raise _unreadable() from None
        encoding = "gb18030"
    try:
        return _csv_rows(buffered, stream, encoding, max_rows)
    except UnicodeDecodeError:
        if encoding == "gb18030" or marked or not _rewind(stream):
            raise _unreadable() from None
    fresh = CountingStream(stream._stream, max_bytes)
    try:
        return _csv_rows(fresh.read(CHUNK), fresh, "gb18030", max_rows)
    except UnicodeDecodeError:
        raise _unreadable() from None


def _rewind(stream: CountingStream) -> bool:
    inner = stream._stream
    if not (hasattr(inner, "seekable") and inner.seekable()):
        return False
    inner.seek(0)
    return True


def _unreadable() -> UnreadableFile:
    return UnreadableFile(gettext("The file is neither UTF-8 nor GB18030 text."),
                          errors={"file": [gettext("Not readable as text.")]})


def _csv_rows(first: bytes, stream: CountingStream, encoding: str, max_rows: int) -> Sheet:
    lines = _lines(_decoded(first, stream, encoding))
    header_line = next(lines, "")
    # Excel saves ";"-separated CSV where the comma is the decimal mark, and some save tabs.
    delimiter = max(",;\t", key=header_line.count) if header_line.strip() else ","
    reader = csv.reader(_chain(header_line, lines), delimiter=delimiter)
    header = next(reader, [])
    rows = []
    for number, cells in enumerate(reader, start=2):
        if any(cell.strip() for cell in cells):
            rows.append((number, cells))
            if len(rows) > max_rows:
                raise too_many_rows(max_rows)
    return Sheet("csv", "utf-8" if encoding == "utf-8-sig" else encoding, header, rows)


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


# ---------------------------------------------------------------- XLSX

def _read_xlsx(data: bytes, *, max_bytes: int, max_rows: int) -> Sheet:
    from io import BytesIO

    from python_calamine import CalamineError, CalamineWorkbook

    try:
        _check_xlsx_size(BytesIO(data), max_bytes=max_bytes, max_rows=max_rows)
        book = CalamineWorkbook.from_filelike(BytesIO(data))
        sheet = book.get_sheet_by_index(0)
        rows_read = sheet.iter_rows()
    except (CalamineError, zipfile.BadZipFile, ValueError, IndexError, KeyError) as exc:
        raise UnreadableFile(gettext("The file is not a workbook this service can read."),
                             errors={"file": [gettext("Not a readable XLSX file.")]}) from exc
    header = [_cell_text(cell) for cell in next(rows_read, [])]
    rows = []
    for number, values in enumerate(rows_read, start=2):
        cells = [_cell_text(cell) for cell in values]
        if any(cell.strip() for cell in cells):
            rows.append((number, cells))
            if len(rows) > max_rows:
                raise too_many_rows(max_rows)
    return Sheet("xlsx", None, header, rows)


def _check_xlsx_size(data: BinaryIO, *, max_bytes: int, max_rows: int) -> None:
    """Refuse a workbook whose first sheet is too long or unpacks too large before reading
    its cells: the sheet's <dimension> says how many rows it spans."""
    with zipfile.ZipFile(data) as archive:
        sheets = sorted((i for i in archive.infolist()
                         if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", i.filename)),
                        key=lambda i: int(re.sub(r"\D", "", i.filename)))
        if not sheets:
            raise ValueError("no worksheet")
        if sum(i.file_size for i in archive.infolist()) > XLSX_UNPACKED_FACTOR * max_bytes:
            raise too_large(max_bytes)
        with archive.open(sheets[0]) as sheet:
            head = sheet.read(4096)
            found = _DIMENSION.search(head)
            if found and found.group(1) and int(found.group(1)) > max_rows + 1:
                raise too_many_rows(max_rows)
            # hostile: the <dimension> is the writer's word, and may be missing or lie (or
            # the sizes in the directory may): count the rows that hold something, and the
            # bytes, while unpacking, before the reader loads the whole sheet.
            _count_rows(head, sheet, max_rows=max_rows,
                        max_unpacked=XLSX_UNPACKED_FACTOR * max_bytes, max_bytes=max_bytes)


# A row's start tag that is not empty (`<row r="7" s="2"/>`, a formatted blank row, is).
_ROW = re.compile(rb"<(?:\w+:)?row(?:\s[^>]*)?(?<!/)>")


def _count_rows(head: bytes, sheet: BinaryIO, *, max_rows: int, max_unpacked: int,
                max_bytes: int) -> None:
    rows, unpacked, tail, chunk = 0, 0, b"", head
    while chunk:
        unpacked += len(chunk)
        if unpacked > max_unpacked:
            raise too_large(max_bytes)
        text = tail + chunk
        # A tag cut by the chunk's end is counted with the next chunk.
        cut = max(text.rfind(b"<"), len(text) - 512, 0)
        rows += len(_ROW.findall(text, 0, cut))
        if rows > max_rows + 1:
            raise too_many_rows(max_rows)
        tail, chunk = text[cut:], sheet.read(CHUNK)


def _cell_text(value) -> str:
    """A cell as the text a CSV of it would hold: 2026001.0 reads 2026001, TRUE reads true."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return str(value)
