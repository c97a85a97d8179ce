"""`benchshare import`: a dry run prints each problem by row and column and exits 1; the fixed
file commits and exits 0; unknown organisations and options are refused."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import select

from service import cli
from service.accounts.models import User
from tests.api.rosters import PEOPLE_HEADER, csv_bytes


def run(app, monkeypatch, tmp_path, rows, *options):
    monkeypatch.setattr(cli, "_app", lambda: app)
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_bytes(PEOPLE_HEADER, rows))
    return CliRunner().invoke(cli.main, ["import", "people", str(path), *options])


def test_a_dry_run_with_a_mistake_prints_it_by_row_and_column_and_exits_1(
        app, session, world, monkeypatch, tmp_path):
    result = run(app, monkeypatch, tmp_path,
                 [["a@cli.example", "A", "student", "", "", ""],
                  ["not-an-email", "B", "student", "", "", ""]],
                 "--organisation", world.school.name, "--commit")
    assert result.exit_code == 1, result.output
    assert "1 problems; nothing was written:" in result.output
    assert "  row 3, email: Not an e-mail address. (invalid_email)" in result.output
    assert session.scalar(select(User.id).where(User.email == "a@cli.example")) is None


def test_the_fixed_file_commits_by_organisation_id_and_exits_0(
        app, session, world, monkeypatch, tmp_path):
    name = world.school.name  # the command's session ends with it: read it first
    result = run(app, monkeypatch, tmp_path,
                 [["a@cli.example", "A", "student", "CNC", "S1", "中文"]],
                 "--organisation", str(world.school.id), "--commit")
    assert result.exit_code == 0, result.output
    assert f"Imported: people into {name}, 1 rows (csv, utf-8): 1 new, 0 updated, " \
        "0 unchanged, 0 disabled.\n" in result.output
    person = session.scalar(select(User).where(User.email == "a@cli.example"))
    assert (person.language, person.student_number) == ("zh-Hans", "S1")


def test_an_unknown_organisation_or_a_misplaced_option_is_refused(
        app, session, world, monkeypatch, tmp_path):
    school = world.school.name
    unknown = run(app, monkeypatch, tmp_path, [], "--organisation", "No Such School")
    assert unknown.exit_code == 1 and "No organisation 'No Such School'." in unknown.output
    monkeypatch.setattr(cli, "_app", lambda: app)
    path = tmp_path / "items.csv"
    path.write_text("name,asset_tag,category,base\n")
    misplaced = CliRunner().invoke(cli.main, ["import", "equipment", str(path),
                                              "--organisation", school,
                                              "--disable-missing"])
    assert misplaced.exit_code == 2 and "--disable-missing is for people only." in \
        misplaced.output
