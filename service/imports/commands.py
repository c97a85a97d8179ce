"""`benchshare import people|equipment FILE`: a roster or an inventory from the terminal."""

from __future__ import annotations

import sys

import click

from ..db import db


@click.command("import")
@click.argument("kind", type=click.Choice(["people", "equipment"]))
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--organisation", required=True, help="The organisation's name or id.")
@click.option("--commit", is_flag=True, help="Write the file (all or nothing); else a dry run.")
@click.option("--disable-missing", is_flag=True,
              help="People only: disable the organisation's people the file leaves out.")
@click.pass_obj
def import_file(make_app, kind: str, file: str, organisation: str, commit: bool,
                disable_missing: bool) -> None:
    """Import a roster (people) or an inventory (equipment) from CSV or XLSX.

    Prints the report; exits 1 when a row has a problem (nothing is written then). `make_app`
    is the command line's app factory (`benchshare` hands it down)."""
    from sqlalchemy import select

    from ..accounts.models import Organisation
    from ..errors import DomainError
    from .errors import ImportHasProblems
    from .readers import read_sheet
    from .services import import_sheet

    if disable_missing and kind != "people":
        raise click.UsageError("--disable-missing is for people only.")
    app = make_app()
    with app.app_context():
        column = Organisation.id if organisation.isdigit() else Organisation.name
        org = db.session.scalar(select(Organisation).where(
            column == (int(organisation) if organisation.isdigit() else organisation),
            Organisation.kind != "platform"))
        if org is None:
            raise click.ClickException(f"No organisation {organisation!r}.")
        name = org.name
        try:
            with open(file, "rb") as stream:
                sheet = read_sheet(stream, filename=file, max_bytes=app.config["IMPORT_MAX_BYTES"],
                                   max_rows=app.config["IMPORT_MAX_ROWS"])
            with click.progressbar(length=len(sheet.rows), label=f"Checking {file}",
                                   file=sys.stderr) as bar:
                report = import_sheet(db.session, None, kind=kind, organisation=org, sheet=sheet,
                                      commit=commit, disable_missing=disable_missing,
                                      progress=bar.update).as_dict()
        except ImportHasProblems as exc:
            report = exc.extra["report"]
        except DomainError as exc:
            raise click.ClickException(exc.detail) from exc
    for line in report_lines(report, name):
        click.echo(line)
    sys.exit(1 if report["problems"] else 0)


def report_lines(report: dict, organisation: str) -> list[str]:
    """An import report as a terminal shows it: counts, then one line per problem."""
    done = "Imported" if report["committed"] else "Dry run (nothing written; add --commit)"
    lines = [f"{done}: {report['kind']} into {organisation}, {report['rows']} rows "
             f"({report['format']}{', ' + report['encoding'] if report['encoding'] else ''}): "
             f"{report['created']} new, {report['updated']} updated, "
             f"{report['unchanged']} unchanged, {report['disabled']} disabled."]
    if report["problems"]:
        lines.append(f"{len(report['problems'])} problems; nothing was written:")
        lines += [f"  row {p['row']}, {p['column']}: {p['message']} ({p['code']})"
                  for p in report["problems"]]
    if report["missing"]:
        lines.append(f"{len(report['missing'])} active people are not in the file"
                     f"{' (disabled)' if report['committed'] and report['disabled'] else ''}:")
        lines += [f"  {m['email']} ({m['full_name']})" for m in report["missing"]]
    return lines
