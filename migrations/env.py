"""Alembic environment: BenchShare's metadata, run online against the configured database."""

from alembic import context
from sqlalchemy import create_engine, pool

from service.models import metadata

config = context.config


def _no_empty_revisions(context_, revision, directives):
    """Autogenerate writes nothing when the models did not change."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool,
                           connect_args={"options": "-c timezone=UTC"})
    with engine.connect() as connection:
        _run(connection)


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, compare_type=True,
                      process_revision_directives=_no_empty_revisions)
    with context.begin_transaction():
        # Two instances starting at once must not both migrate.
        connection.exec_driver_sql("SELECT pg_advisory_xact_lock(74210531)")
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("BenchShare migrations run online only.")
run_migrations_online()
