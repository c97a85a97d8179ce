"""Rosters and inventories as a school's spreadsheet holds them: CSV (UTF-8, GB18030), XLSX."""

from __future__ import annotations

import csv
import io

PEOPLE_HEADER = ["email", "full_name", "role", "class", "student_number", "language"]
# The same columns as Excel in a Chinese school names them.
PEOPLE_HEADER_ZH = ["邮箱", "姓名", "角色", "班级", "学号", "语言"]
EQUIPMENT_HEADER = ["name", "asset_tag", "category", "base", "status", "slot_minutes",
                    "min_duration_minutes", "requires_approval"]


def roster(size: int = 300, domain: str = "roster.example") -> list[list[str]]:
    """`size` people: mostly students in six classes, every tenth an instructor."""
    rows = []
    for n in range(1, size + 1):
        if n % 10 == 0:
            rows.append([f"teacher{n}@{domain}", f"Teacher {n}", "instructor", "", "", "en"])
        else:
            rows.append([f"student{n}@{domain}", f"学生 {n}", "student",
                         f"CNC 2026 {'ABCDEF'[n % 6]}", f"2026{n:04d}",
                         "zh-Hans" if n % 2 else "en"])
    return rows


def csv_bytes(header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    """A workbook as Excel writes one: numbers as numbers (a student number 20260001 too)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append([int(cell) if cell.isdigit() and len(cell) < 15 else cell for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, path: str, content: bytes, headers: dict, name: str = "roster.csv",
           **query):
    """POST a file as the upload page does (multipart/form-data, field `file`)."""
    params = "&".join(f"{k}={'true' if v else 'false'}" for k, v in query.items())
    return client.post(f"{path}?{params}" if params else path, headers=headers,
                       data={"file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


class CountingStream(io.RawIOBase):
    """A file of `size` bytes made on demand by `chunk(n)`, counting what was read of it."""

    def __init__(self, size: int, line: bytes, header: bytes = b""):
        self.size, self.line, self.header, self.read_bytes = size, line, header, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return getattr(self, "_at", self.read_bytes)

    def seek(self, offset: int, whence: int = 0) -> int:
        # Only the test client's measuring of the length (to the end and back) is served.
        self._at = self.size if whence == 2 else offset
        return self._at

    def readinto(self, buffer) -> int:
        left = self.size - self.read_bytes
        if left <= 0:
            return 0
        start = self.read_bytes
        wanted = min(len(buffer), left)
        data = bytearray()
        if start < len(self.header):
            data += self.header[start:start + wanted]
        offset = max(0, start - len(self.header)) % len(self.line)
        while len(data) < wanted:
            data += self.line[offset:offset + wanted - len(data)]
            offset = 0
        buffer[:wanted] = data[:wanted]
        self.read_bytes += wanted
        return wanted
