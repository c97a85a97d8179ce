"""The `benchshare` command: serve, db, seed demo, reports build, users create, import."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from . import create_app, schema
from .accounts.models import ROLES
from .db import db
from .gunicorn_worker import default_workers
from .imports.commands import import_file
from .reports.commands import reports as reports_group
from .scheduler import STOP as STOP_JOBS


def _app():
    return create_app()


def _migrate(app, revision: str = "head") -> None:
    """Wait for the database while it comes up (a container's first start), then migrate."""
    from .database_start import wait_until_reachable

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    wait_until_reachable(url, timeout=app.config["DATABASE_WAIT_SECONDS"])
    schema.upgrade(app.config["MIGRATIONS_DIR"], url, revision)


# The flag that loads the demo data in production anyway, named after what it creates.
DEMO_IN_PRODUCTION = "--with-public-demo-accounts"


def _demo_allowed(app, forced: bool) -> None:
    """The demo's accounts (an operator among them) share a published password: in production
    they are refused unless asked for by name."""
    if app.config["ENV_MODE"] != "production" or forced:
        return
    users = json.loads((Path(app.config["SEEDS_DIR"]) / "users.json").read_text("utf-8"))
    operators = sum(1 for row in users["users"] if row["role"] == "operator")
    raise click.ClickException(
        f"BENCHSHARE_ENV=production: the demo data would create {len(users['users'])} "
        f"accounts ({operators} of them platform operators) whose password is the published "
        f"'{users['password']}'. Pass {DEMO_IN_PRODUCTION} to load it anyway.")


class _Commands(click.Group):
    """The commands, with what the operator set wrong (settings, the database's refusals)
    told in one line instead of a traceback."""

    def invoke(self, ctx):
        from sqlalchemy.exc import OperationalError

        from .config import ConfigurationError

        try:
            return super().invoke(ctx)
        except ConfigurationError as exc:
            raise click.ClickException(str(exc)) from None
        except OperationalError as exc:
            # A command that does not wait for the database (db current, users create, reports
            # build ...) found it out of reach, or refusing: said as the start-up wait says it.
            raise click.ClickException(_unreachable(exc)) from None


def _unreachable(exc) -> str:
    import psycopg

    from .config import database_url
    from .database_start import refusal, where

    reason = (str(exc.orig).strip().splitlines() or [type(exc.orig).__name__])[0]
    try:
        url = database_url(os.environ)
    except Exception:  # noqa: BLE001 - the settings were read once already; only words here
        url = None
    if url is None:
        return f"The database cannot be reached: {reason}"
    said = refusal(exc.orig, url) if isinstance(exc.orig, psycopg.OperationalError) else None
    return said or f"The database at {where(url)} cannot be reached: {reason}"


@click.group(cls=_Commands)
@click.pass_context
def main(ctx: click.Context) -> None:
    """BenchShare: booking shared vocational training equipment."""
    ctx.obj = _app  # what the commands of the domains' own modules build the app with


def _default_workers() -> int:
    try:
        return default_workers()
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="WEB_CONCURRENCY") from None


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=_default_workers, type=click.IntRange(1, 64),
              show_default="WEB_CONCURRENCY, else one per usable core")
@click.option("--demo", is_flag=True, help="Load the demo data (only what is missing).")
@click.option(DEMO_IN_PRODUCTION, "public_demo", is_flag=True,
              help="With --demo in production: create the demo's accounts anyway.")
def serve(host: str, port: int, workers: int, demo: bool, public_demo: bool) -> None:
    """Migrate the database, optionally load the demo data, and serve with gunicorn."""
    from gunicorn.app.base import BaseApplication

    from .observability import process as metrics_process  # metrics: before any value

    app = _app()
    if demo:
        _demo_allowed(app, public_demo)
    # After the refusals (nothing set up for a serve that does not start), before any value
    # is recorded: building the app records none.
    metrics_process.use_multiprocess_dir()
    _migrate(app)
    if demo:
        with app.app_context():
            from .seeding import load_demo

            added = load_demo(db.session, app.config["SEEDS_DIR"])
        click.echo(f"Demo data: added {added}")
    with app.app_context():
        # Connections opened before the fork must not be shared by the workers.
        db.engine.dispose()

    for line in banner(f"http://{host}:{port}", app.config["SEEDS_DIR"] if demo else None):
        click.echo(line)
    sys.stdout.flush()

    if app.config["SCHEDULER_ENABLED"]:
        from . import scheduler

        scheduler.start(app)

    from .drain import DrainFlag, draining_arbiter

    # Made before the fork, so the workers' /readyz sees the master's SIGTERM.
    drain = DrainFlag().init_app(app)

    class Server(BaseApplication):
        def run(self):
            # gunicorn's own run(), with an arbiter that drains before its graceful stop.
            try:
                draining_arbiter(drain, app.config["DRAIN_SECONDS"])(self).run()
            except RuntimeError as exc:
                click.echo(f"\nError: {exc}\n", err=True)
                sys.exit(1)

        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("accesslog", None)
            self.cfg.set("post_fork", lambda server, worker: _dispose(app))
            self.cfg.set("child_exit", metrics_process.child_exit)  # metrics
            from .gunicorn_worker import SETTINGS  # its own refusals as problem+json too

            for name, value in SETTINGS.items():
                self.cfg.set(name, value)
            if "control_socket_disable" in self.cfg.settings:
                # gunicorn 27's control socket sits at one path per user: two services on
                # one machine would share it. We use none of its commands.
                self.cfg.set("control_socket_disable", True)

        def load(self):
            return app

    from .supervision import supervised_database

    # Restarts the embedded PostgreSQL if it dies, and stops it when gunicorn stops.
    with supervised_database(app):
        try:
            Server().run()
        finally:
            # The scheduler's lease handed over before an embedded database stops (a forked
            # worker leaving through here does nothing).
            app.extensions.get(STOP_JOBS, lambda: None)()


def banner(url: str, seeds_dir: str | Path | None = None) -> list[str]:
    """What `serve` prints on starting: where to go and, with the demo data's directory, every
    demo account, read from the seed file the load itself reads (so the two never differ)."""
    lines = [f"BenchShare is serving at {url}",
             f"  API:      {url}/api/v1   (OpenAPI: {url}/api/v1/openapi.json)",
             f"  API docs: {url}/api/docs/",
             f"  Ready:    {url}/readyz",
             f"  Dashboard: {url}/dashboard"]
    if seeds_dir is not None:
        with open(Path(seeds_dir) / "users.json", encoding="utf-8") as handle:
            seeded = json.load(handle)
        accounts = seeded["users"]
        width = max(len(account["email"]) for account in accounts)
        lines.append(f"  Demo accounts (password '{seeded['password']}'):")
        for account in accounts:
            role = account["role"] + (" (manager)" if account.get("is_manager") else "")
            lines.append(f"    {account['email']:<{width}}  {role}, {account['organisation']}")
    return lines


def _dispose(app) -> None:
    with app.app_context():
        db.engine.dispose(close=False)


@main.group(name="db")
def db_group() -> None:
    """Database schema (Alembic migrations)."""


@db_group.command()
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Upgrade the schema to REVISION (default: head)."""
    _migrate(_app(), revision)
    click.echo(f"Upgraded to {revision}.")


@db_group.command()
@click.argument("revision", default="-1")
def downgrade(revision: str) -> None:
    """Downgrade the schema to REVISION (default: one step; 'base' empties it)."""
    app = _app()
    schema.downgrade(app.config["MIGRATIONS_DIR"], app.config["SQLALCHEMY_DATABASE_URI"],
                     revision)
    click.echo(f"Downgraded to {revision}.")


@db_group.command()
def current() -> None:
    """Print the schema revision of the database and the migrations' head."""
    app = _app()
    with app.app_context():
        click.echo(f"current: {schema.current_revision(db.engine)}")
    click.echo(f"head:    {schema.head_revision(app.config['MIGRATIONS_DIR'])}")


@db_group.command()
@click.option("-m", "--message", required=True)
def revision(message: str) -> None:
    """Autogenerate a migration from the models (then read and hand-edit it)."""
    from alembic import command

    app = _app()
    config = schema.alembic_config(app.config["MIGRATIONS_DIR"],
                                   app.config["SQLALCHEMY_DATABASE_URI"])
    command.revision(config, message=message, autogenerate=True)


@main.group()
def seed() -> None:
    """Load data files from seeds/."""


@seed.command()
@click.option(DEMO_IN_PRODUCTION, "public_demo", is_flag=True,
              help="In production: create the demo's accounts (published password) anyway.")
def demo(public_demo: bool) -> None:
    """Load the demo data; running it twice adds nothing."""
    app = _app()
    _demo_allowed(app, public_demo)
    _migrate(app)
    with app.app_context():
        from .seeding import load_demo

        click.echo(f"Added {load_demo(db.session, app.config['SEEDS_DIR'])}")


@main.command("run-jobs")
def run_jobs() -> None:
    """Run every scheduled job once now (no-shows, completions, holds, reminders, e-mail)."""
    from . import scheduler

    app = _app()
    for name, body in scheduler.jobs(app.config).items():
        click.echo(f"{name}: {scheduler.run_job(app, name, body)}")


@main.command("scheduler")
def run_scheduler() -> None:
    """Run the scheduled jobs in this process, without the web server, until SIGTERM/SIGINT."""
    from . import scheduler
    from .observability.process import serve_scrapes  # metrics: this process's job runs

    app = _app()
    serve_scrapes(app)
    scheduler.run_in_foreground(app)


@main.group()
def users() -> None:
    """User accounts."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--organisation", default=None,
              help="Organisation name (not for operators: they belong to the platform).")
@click.option("--manager", "is_manager", is_flag=True,
              help="Enterprise staff who also manage the enterprise's people and bases.")
@click.password_option()
def create_user(email: str, full_name: str, role: str, organisation: str | None,
                is_manager: bool, password: str) -> None:
    """Create a user: the platform's first operator, or anyone in an existing organisation."""
    from sqlalchemy import select

    from .accounts.models import Organisation
    from .accounts.services import platform_organisation, register_user
    from .errors import DomainError

    app = _app()
    with app.app_context():
        if role == "operator":
            org = platform_organisation(db.session)
        elif organisation is None:
            raise click.UsageError("--organisation is required for this role.")
        else:
            org = db.session.scalar(
                select(Organisation).where(Organisation.name == organisation))
            if org is None:
                raise click.ClickException(f"No organisation named {organisation!r}.")
        try:
            user = register_user(db.session, organisation=org, email=email, full_name=full_name,
                                 role=role, password=password, is_manager=is_manager)
        except DomainError as exc:
            raise click.ClickException(exc.detail) from exc
        db.session.commit()
        click.echo(f"Created user {user.id} <{user.email}> ({user.role}"
                   f"{', manager' if user.is_manager else ''}) in {org.name}.")


main.add_command(import_file)
main.add_command(reports_group)


if __name__ == "__main__":
    main()
