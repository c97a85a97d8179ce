"""The demo data's accounts share a published password: in production, `seed demo` and
`serve --demo` refuse them unless asked for by the flag that names them."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from service import cli
from service.accounts.models import User


@pytest.fixture
def production(app, monkeypatch):
    """The app as BENCHSHARE_ENV=production builds it (the test database underneath)."""
    monkeypatch.setitem(app.config, "ENV_MODE", "production")
    monkeypatch.setattr(cli, "_app", lambda: app)
    return app


def count_users(session) -> int:
    return session.scalar(select(func.count()).select_from(User))


@pytest.mark.parametrize("command", [["seed", "demo"], ["serve", "--demo"]])
def test_production_refuses_the_demo_accounts_and_says_what_they_are(
        production, session, command):
    before = count_users(session)
    result = CliRunner().invoke(cli.main, command)
    assert result.exit_code == 1, result.output
    # Refused before anything was set up: no metrics directory for the servers this
    # process starts later to inherit.
    assert "PROMETHEUS_MULTIPROC_DIR" not in os.environ
    assert "BENCHSHARE_ENV=production: the demo data would create 14 accounts (1 of them " \
           "platform operators) whose password is the published 'benchshare-demo'. Pass " \
           "--with-public-demo-accounts to load it anyway." in result.output
    assert count_users(session) == before


def test_the_flag_loads_the_demo_in_production(production, session, monkeypatch):
    loaded = []
    monkeypatch.setattr("service.seeding.load_demo",
                        lambda session, seeds_dir: loaded.append(seeds_dir) or {"users": 14})
    monkeypatch.setattr(cli, "_migrate", lambda app, revision="head": None)
    result = CliRunner().invoke(cli.main, ["seed", "demo", "--with-public-demo-accounts"])
    assert result.exit_code == 0, result.output
    assert loaded == [production.config["SEEDS_DIR"]] and "Added {'users': 14}" in result.output


def test_development_loads_the_demo_without_the_flag(app, monkeypatch):
    monkeypatch.setattr(cli, "_app", lambda: app)
    monkeypatch.setattr(cli, "_migrate", lambda app, revision="head": None)
    monkeypatch.setattr("service.seeding.load_demo", lambda session, seeds_dir: {"users": 0})
    assert app.config["ENV_MODE"] == "development"
    result = CliRunner().invoke(cli.main, ["seed", "demo"])
    assert result.exit_code == 0 and "Added {'users': 0}" in result.output
