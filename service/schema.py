"""The database schema is built only by the Alembic migrations in migrations/."""

from __future__ import annotations

from functools import lru_cache

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine


def alembic_config(migrations_dir: str, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", migrations_dir)
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(migrations_dir: str, database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(migrations_dir, database_url), revision)


def downgrade(migrations_dir: str, database_url: str, revision: str = "-1") -> None:
    command.downgrade(alembic_config(migrations_dir, database_url), revision)


@lru_cache(maxsize=4)
def head_revision(migrations_dir: str) -> str | None:
    return ScriptDirectory(migrations_dir).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
