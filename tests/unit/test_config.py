"""Configuration from the environment."""

from __future__ import annotations

import secrets

import pytest

from service.config import ConfigurationError, from_env, sqlalchemy_url, weak_secret_reason


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


WEAK_SECRETS = {
    "one character repeated": "a" * 32,
    "a word repeated": "changeme" * 4,
    "only spaces": " " * 40,
    "padded with spaces": " " + secrets.token_urlsafe(48),
    "a trailing newline": secrets.token_urlsafe(48) + "\n",
    "31 distinct characters": "abcdefghijklmnopqrstuvwxyz01234",
    "15 distinct characters repeated": "0123456789abcde" * 4,
    "the development default": "dev-only-insecure-secret-key",
}


@pytest.mark.parametrize("secret", WEAK_SECRETS.values(), ids=WEAK_SECRETS.keys())
def test_production_refuses_a_low_entropy_secret_and_says_how_to_make_one(secret):
    with pytest.raises(ConfigurationError, match="SECRET_KEY") as refused:
        from_env({"BENCHSHARE_ENV": "production", "SECRET_KEY": secret})
    assert "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'" in str(refused.value)


@pytest.mark.parametrize("secret", WEAK_SECRETS.values(), ids=WEAK_SECRETS.keys())
def test_the_strength_rule_names_why_a_secret_is_weak(secret):
    assert weak_secret_reason(secret)


def test_production_accepts_a_generated_secret():
    secret = secrets.token_urlsafe(48)
    assert weak_secret_reason(secret) is None
    config = from_env({"BENCHSHARE_ENV": "production", "SECRET_KEY": secret})
    assert config["ENV_MODE"] == "production" and config["SECRET_KEY"] == secret


def test_development_keeps_its_default_secret():
    assert from_env({})["SECRET_KEY"] == "dev-only-insecure-secret-key"


@pytest.mark.parametrize("name, value", [("TOKEN_TTL_MINUTES", "soon"),
                                         ("TOKEN_TTL_MINUTES", "0"),
                                         ("SCHEDULER_ENABLED", "maybe"),
                                         ("BENCHSHARE_ENV", "staging")])
def test_bad_settings_are_refused_with_their_name(name, value):
    with pytest.raises(ConfigurationError, match=name):
        from_env({name: value})


@pytest.mark.parametrize(("raw", "kept"), [
    ("https://benchshare.example.edu", "https://benchshare.example.edu"),
    ("https://benchshare.example.edu/", "https://benchshare.example.edu"),
    ("http://10.0.0.5:8000/bench/", "http://10.0.0.5:8000/bench"),
])
def test_public_url_is_kept_without_its_trailing_slash(raw, kept):
    assert from_env({"PUBLIC_URL": raw})["PUBLIC_URL"] == kept


def test_public_url_unset_means_the_requests_own_host():
    assert from_env({})["PUBLIC_URL"] is None


@pytest.mark.parametrize("raw", [
    "benchshare.example.edu", "ftp://benchshare.example.edu", "https://", "https:///path",
    "https://benchshare.example.edu/?a=1", "https://benchshare.example.edu/#top",
    "https://benchshare.example.edu/?", "https://user:pw@benchshare.example.edu",
    " https://benchshare.example.edu", "https://bench share.example.edu",
    "https://benchshare.example.edu:port", "javascript:alert(1)",
])
def test_public_url_refuses_what_is_not_a_plain_http_url(raw):
    with pytest.raises(ConfigurationError, match="PUBLIC_URL"):
        from_env({"PUBLIC_URL": raw})


@pytest.mark.parametrize(("name", "value"), [
    ("DATABASE_PORT", "99999"), ("SMTP_PORT", "70000"), ("SMTP_PORT", "0"),
    ("SCHEDULER_METRICS_PORT", "70000"),
])
def test_a_port_past_65535_is_refused_rather_than_wrapped_around(name, value):
    # The socket layer would listen on 70000 % 65536 = 4464; libpq refuses only at connect.
    with pytest.raises(ConfigurationError, match=f"{name} must be a TCP port"):
        from_env({"DATABASE_HOST": "db", name: value})


def test_no_scheduler_metrics_port_means_none_and_a_port_is_kept():
    assert from_env({})["SCHEDULER_METRICS_PORT"] is None
    assert from_env({"SCHEDULER_METRICS_PORT": "9464"})["SCHEDULER_METRICS_PORT"] == 9464


@pytest.mark.parametrize("name", ["DATABASE_URL", "DATABASE_REPLICA_URL"])
@pytest.mark.parametrize(("url", "says"), [
    ("garbage", "is not a database URL"),
    ("postgresql://u:s3cret@db:port/bs", "is not a database URL"),
    ("mysql://u:s3cret@db/bs", "must be a PostgreSQL URL"),
    ("postgresql+psycopg2://u:s3cret@db/bs", "must use the psycopg driver"),
    ("postgresql://u:s3cret@db:99999/bs", "port must be 1-65535"),
    ("postgresql://u:s3cret@db/bs?colour=blue", 'invalid URI query parameter: "colour"'),
])
def test_a_database_url_the_service_cannot_use_is_refused_at_start(name, url, says):
    # Else a traceback at start, or (the replica's) a 500 on every report read.
    with pytest.raises(ConfigurationError, match=f"^{name}") as refused:
        from_env({name: url})
    assert says in str(refused.value)
    assert "s3cret" not in str(refused.value)


def test_a_usable_replica_url_is_given_the_psycopg_driver():
    config = from_env({"DATABASE_REPLICA_URL": "postgres://u:p@replica:5433/bs?sslmode=require"})
    assert config["DATABASE_REPLICA_URL"] == (
        "postgresql+psycopg://u:p@replica:5433/bs?sslmode=require")


@pytest.mark.parametrize("host", ["db host", " db", "db\n"])
def test_a_database_host_with_spaces_is_refused_by_name(host):
    with pytest.raises(ConfigurationError, match="DATABASE_HOST must be a host name"):
        from_env({"DATABASE_HOST": host})
