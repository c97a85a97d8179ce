"""`benchshare reports build`: backfill or rebuild closed report periods from the terminal."""

from __future__ import annotations

import sys

import click

from ..db import db


@click.group()
def reports() -> None:
    """Utilisation reports."""


@reports.command("build")
@click.option("--from", "first", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="First local day (YYYY-MM-DD).")
@click.option("--to", "last", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="Last local day, inclusive.")
@click.option("--granularity", "granularities", multiple=True,
              type=click.Choice(["day", "week", "month"]),
              help="Repeat for several; all three when left out.")
@click.pass_obj
def build_reports(make_app, first, last, granularities) -> None:
    """Build (backfill) or rebuild every closed period holding a day of --from..--to."""
    from ..catalogue.queries import base_zones
    from ..db import utcnow
    from . import rules
    from .services import build_reports as build_periods

    if last < first:
        raise click.BadParameter("--to must not be before --from.", param_hint="--to")
    app = make_app()
    failed = 0
    with app.app_context():
        now = utcnow()
        due = rules.closed_periods(first.date(), now, base_zones(db.session), last=last.date(),
                                   granularities=granularities or ("day", "week", "month"))
        db.session.rollback()
        with click.progressbar(length=len(due), label="Building reports") as bar:
            for batch in build_periods(db.session, due, now=now):
                bar.update(len(batch.starts))
                if batch.error is not None:  # recorded as failed runs
                    failed += len(batch.starts)
                    click.echo(f"\n{batch.granularity} {batch.starts[0]}..{batch.starts[-1]}:"
                               f" {batch.error}", err=True)
    click.echo(f"Built {len(due) - failed} period(s), {failed} failed; periods not yet over "
               f"are left to the schedule.")
    if failed:
        sys.exit(1)
