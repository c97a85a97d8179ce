"""An import file is refused early when too large, too long or not a sheet, never read whole:
a 50 MB upload, a 1,000,000-row file, a 1,000,000-row workbook of a few kilobytes."""

from __future__ import annotations

import io
import json

import pytest
from werkzeug.test import EnvironBuilder, run_wsgi_app

from service.imports.errors import TooManyRows
from service.imports.readers import read_sheet

from .rosters import PEOPLE_HEADER, CountingStream, csv_bytes, upload

MB = 1024 * 1024
ROW = b"someone@school.example,Someone,student\r\n"
HEADER = b"email,full_name,role\r\n"


def people_url(world) -> str:
    return f"/api/v1/organisations/{world.school.id}/imports/people"


def test_a_50_mb_upload_is_refused_on_its_length_before_a_byte_is_read(client, world):
    body = CountingStream(50 * MB, ROW, b"--xyz\r\nContent-Disposition: form-data; "
                                        b"name=\"file\"; filename=\"big.csv\"\r\n\r\n" + HEADER)
    response = client.post(people_url(world), input_stream=body,
                           headers={**world.headers("admin"),
                                    "Content-Type": "multipart/form-data; boundary=xyz"})
    problem = response.get_json()
    assert response.status_code == 413, problem
    assert problem["code"] == "file_too_large" and problem["limit_bytes"] == 20 * MB
    assert problem["errors"] == {"file": ["Too large."]}
    assert body.read_bytes == 0


def test_a_chunked_50_mb_upload_is_refused_once_it_passes_the_limit(client, world):
    body = CountingStream(50 * MB, ROW, b"--xyz\r\nContent-Disposition: form-data; "
                                        b"name=\"file\"; filename=\"big.csv\"\r\n\r\n" + HEADER)
    environ = EnvironBuilder(
        path=people_url(world), method="POST", input_stream=body,
        headers={**world.headers("admin"), "Transfer-Encoding": "chunked",
                 "Content-Type": "multipart/form-data; boundary=xyz"}).get_environ()
    del environ["CONTENT_LENGTH"]  # chunked: the length is known only once read
    environ["wsgi.input_terminated"] = True  # as gunicorn de-chunks a body
    # Straight to the app: the test client would measure the stream by reading it.
    answer, status, _headers = run_wsgi_app(client.application, environ, buffered=True)
    problem = json.loads(b"".join(answer))
    assert status.startswith("413"), problem
    assert problem["code"] == "file_too_large"
    assert 20 * MB < body.read_bytes < 21 * MB


def test_a_million_row_file_is_refused_after_reading_its_first_rows_only():
    rows = 1_000_000
    stream = CountingStream(len(HEADER) + rows * len(ROW), ROW, HEADER)
    with pytest.raises(TooManyRows) as refused:
        read_sheet(stream, filename="roster.csv", max_bytes=50 * MB, max_rows=20_000)
    assert refused.value.code == "too_many_rows" and refused.value.status == 413
    assert stream.read_bytes < 2 * MB  # 20,001 rows and a chunk: not 41 MB


def test_an_upload_of_too_many_rows_answers_413_too_many_rows(client, world):
    content = HEADER + ROW * 250_000  # 10 MB: under the size limit, over 20,000 rows
    response = upload(client, people_url(world), content, world.headers("admin"))
    problem = response.get_json()
    assert response.status_code == 413, problem
    assert problem["code"] == "too_many_rows" and problem["limit_rows"] == 20_000


def test_a_small_workbook_spanning_a_million_rows_is_refused_before_its_cells_are_read(
        client, world):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(PEOPLE_HEADER)
    book.active.cell(row=1_000_001, column=1, value="last@school.example")
    out = io.BytesIO()
    book.save(out)
    assert len(out.getvalue()) < 10_000
    response = upload(client, people_url(world), out.getvalue(), world.headers("admin"),
                      name="roster.xlsx")
    problem = response.get_json()
    assert response.status_code == 413, problem
    assert problem["code"] == "too_many_rows"


@pytest.mark.parametrize("content, name", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "roster.xls"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "roster.png"),
])
def test_a_file_that_is_not_a_sheet_is_refused_as_unsupported(client, world, content, name):
    response = upload(client, people_url(world), content, world.headers("admin"), name=name)
    problem = response.get_json()
    assert response.status_code == 415, problem
    assert problem["code"] == "unsupported_file_type"
    assert problem["errors"] == {"file": ["Not a CSV or XLSX file."]}


def test_a_broken_workbook_is_unreadable(client, world):
    response = upload(client, people_url(world), b"PK\x03\x04 not really a zip",
                      world.headers("admin"), name="roster.xlsx")
    problem = response.get_json()
    assert response.status_code == 422, problem
    assert problem["code"] == "unreadable_file"


def test_a_sheet_without_a_required_column_names_the_missing_columns(client, world):
    content = csv_bytes(["email", "姓名"], [["a@school.example", "A"]])
    response = upload(client, people_url(world), content, world.headers("admin"))
    problem = response.get_json()
    assert response.status_code == 422, problem
    assert problem["code"] == "missing_columns" and problem["missing"] == ["role"]
    assert problem["errors"] == {"file": ["Missing columns: role."]}


def test_a_json_body_or_no_file_is_refused(client, world):
    as_json = client.post(people_url(world), json={"file": "email,full_name,role"},
                          headers=world.headers("admin"))
    assert as_json.status_code == 415, as_json.get_json()
    assert as_json.get_json()["code"] == "unsupported_media_type"
    no_file = client.post(people_url(world), data={"other": "x"},
                          headers=world.headers("admin"), content_type="multipart/form-data")
    assert no_file.status_code == 422, no_file.get_json()
    assert no_file.get_json()["errors"] == {"file": ["Missing data for required field."]}

