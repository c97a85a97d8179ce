"""Reading an import file's text: the encoding told from the bytes (also when the first
non-ASCII byte comes late), Excel's separators, quoted line breaks, blank rows skipped."""

from __future__ import annotations

import io

from service.imports.readers import CHUNK, read_sheet


def read(content: bytes):
    return read_sheet(io.BytesIO(content), filename="f.csv", max_bytes=10 * CHUNK,
                      max_rows=1000)


def test_a_gb18030_file_whose_first_chunk_is_ascii_is_read_again_as_gb18030():
    padding = b"x" * (CHUNK + 10)
    sheet = read(b"email,full_name\r\n" + b"a@b.cn," + padding + b"\r\n"
                 + "c@d.cn,王芳\r\n".encode("gb18030"))
    assert sheet.encoding == "gb18030"
    assert sheet.rows[-1] == (3, ["c@d.cn", "王芳"])


def test_a_bom_marks_utf8_and_is_not_part_of_the_first_header():
    sheet = read("\ufeff邮箱,姓名\r\nc@d.cn,王芳\r\n".encode())
    assert (sheet.encoding, sheet.header, sheet.rows) == ("utf-8", ["邮箱", "姓名"],
                                                          [(2, ["c@d.cn", "王芳"])])


def test_semicolons_quoted_line_breaks_and_blank_rows_read_as_a_spreadsheet_shows_them():
    sheet = read(b'email;full_name\n\n"a@b.cn";"Ann\nLee"\n;\nc@d.cn;Cy\n')
    assert sheet.rows == [(3, ["a@b.cn", "Ann\nLee"]), (5, ["c@d.cn", "Cy"])]
