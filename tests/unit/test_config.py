"""Configuration from the environment."""

from __future__ import annotations

import pytest

from service.config import ConfigurationError, from_env, sqlalchemy_url


def test_development_defaults_start_an_embedded_database():
    config = from_env({})
    assert config["SQLALCHEMY_DATABASE_URI"] is None
    assert config["TOKEN_TTL_MINUTES"] == 720


def test_database_url_is_given_the_psycopg_driver():
    assert from_env({"DATABASE_URL": "postgres://u:p@db/bs"})["SQLALCHEMY_DATABASE_URI"] == (
        "postgresql+psycopg://u:p@db/bs")
    assert sqlalchemy_url("postgresql+psycopg://x/y") == "postgresql+psycopg://x/y"


@pytest.mark.parametrize("secret", [None, "", "short", "dev-only-insecure-secret-key"])
def test_production_refuses_a_missing_or_weak_secret(secret):
    env = {"BENCHSHARE_ENV": "production"}
    if secret is not None:
        env["SECRET_KEY"] = secret
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        from_env(env)


def test_production_accepts_a_long_random_secret():
    config = from_env({"BENCHSHARE_ENV": "production", "SECRET_KEY": "x" * 40})
    assert config["ENV_MODE"] == "production"


@pytest.mark.parametrize("name, value", [("TOKEN_TTL_MINUTES", "soon"),
                                         ("TOKEN_TTL_MINUTES", "0"),
                                         ("SCHEDULER_ENABLED", "maybe"),
                                         ("BENCHSHARE_ENV", "staging")])
def test_bad_settings_are_refused_with_their_name(name, value):
    with pytest.raises(ConfigurationError, match=name):
        from_env({name: value})
