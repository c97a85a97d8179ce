"""Benchmark of imports (issue 24): a school's 10,000 people and 2,000 items through the API.

Run from the repository root (a standalone script, not a pytest test):

    .venv/bin/python -m tests.benchmarks.bench_import [--people 10000] [--items 2000]

On a fresh embedded PostgreSQL with one school (its admin, a base, a category), the roster
(students in 40 classes, every tenth an instructor) and the inventory are uploaded as CSV to
POST /organisations/<id>/imports/people and /equipment, as the upload page sends them, three
times each: a dry run, the commit, and the same file again (every row unchanged). Printed: the
seconds of each, end to end in the app (multipart parsing, reading, checking, writing). The
target: each under 30 s; the exit status is 0 when all meet it, 1 otherwise.
"""

from __future__ import annotations

import argparse
import io
import shutil
import tempfile
import time

from service import create_app, embedded, schema
from service.config import PROJECT_ROOT
from service.db import db
from tests.api.rosters import EQUIPMENT_HEADER, PEOPLE_HEADER, csv_bytes
from tests.factories import Factory

TARGET_SECONDS = 30


def _roster(size: int) -> list[list[str]]:
    return [[f"teacher{n}@bench.example", f"Teacher {n}", "instructor", "", "", "en"]
            if n % 10 == 0 else
            [f"student{n}@bench.example", f"学生 {n}", "student", f"Class {n % 40:02d}",
             f"S{n:06d}", "zh-Hans" if n % 2 else "en"] for n in range(1, size + 1)]


def _inventory(size: int, base: str, category: str) -> list[list[str]]:
    return [[f"Machine {n}", f"BENCH-{n:05d}", category, base, "active", "30", "60",
             "yes" if n % 5 == 0 else "no"] for n in range(1, size + 1)]


def _timed(client, path: str, content: bytes, token: str, **query) -> tuple[float, dict]:
    params = "&".join(f"{k}=true" for k, v in query.items() if v)
    started = time.perf_counter()
    answer = client.post(f"{path}?{params}", headers={"Authorization": f"Bearer {token}"},
                         data={"file": (io.BytesIO(content), "sheet.csv")},
                         content_type="multipart/form-data")
    elapsed = time.perf_counter() - started
    body = answer.get_json()
    if answer.status_code != 200:
        raise SystemExit(f"{path}: {answer.status_code} {body}")
    return elapsed, body


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=2_000)
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="benchshare-bench-import-")
    try:
        url = embedded.start(data_dir, database="benchshare")
        schema.upgrade(str(PROJECT_ROOT / "migrations"), url)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SCHEDULER_ENABLED": False,
                          "LOG_LEVEL": "WARNING", "ARGON2_TIME_COST": 1,
                          "ARGON2_MEMORY_KIB": 64})
        with app.app_context():
            make = Factory(db.session)
            school = make.organisation("school", name="Bench School")
            token = make.token(make.user("admin", school))
            base = make.base(school, name="Bench Campus")
            make.category(code="cnc")
            db.session.commit()
            school_id, base_name = school.id, base.name
            db.session.remove()
        client = app.test_client()
        files = {
            "people": csv_bytes(PEOPLE_HEADER, _roster(args.people)),
            "equipment": csv_bytes(EQUIPMENT_HEADER, _inventory(args.items, base_name, "cnc")),
        }
        worst = 0.0
        for kind, content in files.items():
            path = f"/api/v1/organisations/{school_id}/imports/{kind}"
            dry, report = _timed(client, path, content, token)
            assert report["problems"] == [], report["problems"][:5]
            commit, report = _timed(client, path, content, token, commit=True)
            created = report["created"]
            again, report = _timed(client, path, content, token, commit=True)
            assert report["unchanged"] == report["rows"], report
            print(f"{kind}: {report['rows']} rows, {len(content) / 1024 / 1024:.1f} MB CSV: "
                  f"dry run {dry:.2f} s, commit {commit:.2f} s ({created} created), "
                  f"re-import {again:.2f} s (all {report['unchanged']} unchanged)")
            worst = max(worst, dry, commit, again)
        print(f"slowest: {worst:.2f} s (target {TARGET_SECONDS} s)")
        with app.app_context():
            db.engine.dispose()
        return 0 if worst < TARGET_SECONDS else 1
    finally:
        embedded.stop(data_dir)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
