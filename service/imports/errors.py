"""Refusals of an import file as a whole (each row's own problems go in the report)."""

from __future__ import annotations

from ..errors import DomainError


class FileTooLarge(DomainError):
    status, code, title = 413, "file_too_large", "The file is too large"


class TooManyRows(DomainError):
    status, code, title = 413, "too_many_rows", "The file has too many rows"


class UnsupportedFileType(DomainError):
    status, code, title = 415, "unsupported_file_type", "Not a CSV or XLSX file"


class MissingColumns(DomainError):
    status, code, title = 422, "missing_columns", "Required columns are missing"


class UnreadableFile(DomainError):
    status, code, title = 422, "unreadable_file", "The file cannot be read"


class ImportHasProblems(DomainError):
    status, code, title = 422, "import_has_problems", "The file has problems; nothing was written"
