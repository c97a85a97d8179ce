"""The API tour (docs/api-tour.md), run literally: its marked ```sh blocks replayed by bash and
curl against the app served over a freshly migrated, demo-loaded database (as `benchshare serve
--demo` leaves it), each request's status checked against the one its comment promises.

The form the tour keeps: a tour block follows a `<!-- tour -->` line; in it, every command that
calls curl ends with a comment that starts with the HTTP status its last request answers
(`# 201 ...`); any other request in that command (a sign-in inside `$(...)`) must answer 2xx. A
refusal's comment may name its problem code after the status (`# 409 already_onboarded`), which
the answer must carry. The tour names the service's address once, `BASE=...` on its first line,
and every request goes through `$BASE`: the replay sets it to the test server's address."""

from __future__ import annotations

import csv
import io
import json
import re
import shlex
import shutil
import subprocess

import pytest

from service.config import PROJECT_ROOT

from .demo_server import demo_server

pytestmark = pytest.mark.e2e

TOUR = PROJECT_ROOT / "docs" / "api-tour.md"
MARKER = "<!-- tour -->"
# The one line that says where the service answers, as `benchshare serve` prints it.
BASE = re.compile(r"^BASE=(\S+)$", re.M)
TOUR_URL = "http://127.0.0.1:8000"
# A trailing comment that starts with a status, and perhaps the problem's code: `# 409 code_name`.
STATUS = re.compile(r"\s#\s*(\d{3})\b(?:\s+([a-z]+(?:_[a-z]+)+)\b)?")


def tour_blocks(text: str) -> list[str]:
    """The ```sh blocks that follow a tour marker, in the tour's order."""
    return re.findall(re.escape(MARKER) + r"\s*\n```sh\n(.*?)\n```", text, flags=re.S)


def _complete(command: str) -> bool:
    """Whether the lines so far make a whole shell command, as bash itself parses them."""
    if command.rstrip().endswith("\\"):
        return False
    return subprocess.run(["bash", "-n", "-c", command], capture_output=True).returncode == 0


def steps(block: str) -> list[tuple[str, tuple[int, str | None] | None]]:
    """The block's commands, each with the status (and problem code) its trailing comment
    promises, or None."""
    found, lines = [], []
    for line in block.splitlines():
        if not lines and (not line.strip() or line.lstrip().startswith("#")):
            continue
        lines.append(line)
        command = "\n".join(lines)
        if _complete(command):
            promised = STATUS.search(lines[-1])
            found.append((command, (int(promised.group(1)), promised.group(2))
                              if promised else None))
            lines = []
    assert not lines, f"an unfinished command in the tour: {lines}"
    return found


@pytest.fixture(scope="module")
def served(fresh_database):
    """The base URL of the app on a free port, its database migrated and demo-loaded."""
    with demo_server(fresh_database, "benchshare_tour") as (url, _app):
        yield url


def _script(commands: list[str], base_url: str, log: str) -> str:
    # Each request's status goes to the log, tagged with its step, and its answer to the
    # step's file too; the tour's own output goes on to stdout, as on a newcomer's terminal.
    prelude = [f"LOG={shlex.quote(log)}",
               'curl() { command curl -w "%{stderr}$STEP %{http_code}\\n" "$@" 2>>"$LOG" '
               '| tee -a "$LOG.$STEP"; }']
    body = []
    for n, command in enumerate(commands):
        body += [f"STEP={n}", BASE.sub(f"BASE={base_url}", command)]
    return "\n".join([*prelude, *body, 'echo "tour finished"']) + "\n"


def test_the_tour_is_in_the_parseable_form():
    blocks = tour_blocks(TOUR.read_text(encoding="utf-8"))
    assert len(blocks) >= 4
    for command, promised in (step for block in blocks for step in steps(block)):
        if re.search(r"\bcurl\b", command):
            assert promised is not None, f"no status promised for: {command}"


def test_the_tour_names_the_services_address_once_and_only_there():
    tour = "\n".join(tour_blocks(TOUR.read_text(encoding="utf-8")))
    assert BASE.findall(tour) == [TOUR_URL]
    assert tour.splitlines()[0] == f"BASE={TOUR_URL}"
    elsewhere = BASE.sub("", tour)
    assert "://" not in elsewhere and ":8000" not in elsewhere, "an address besides $BASE"


# What a newcomer is shown on the demo data must not be empty: the tour's practice hours and
# impact ask about days the demo's history and past sessions fill.
def _practice(answer: str) -> None:
    rows = json.loads(answer)["rows"]
    assert rows and sum(row["hours"] for row in rows) > 0, answer


def _impact(answer: str) -> None:
    totals = json.loads(answer)["totals"]
    assert all(totals[name] > 0 for name in
               ("hours_offered", "hours_booked", "hours_used", "sessions")), totals


def _csv_rows(answer: str) -> None:
    rows = list(csv.reader(io.StringIO(answer)))
    assert len(rows) > 1, answer  # more than the header


FIGURES = {"practice": (re.compile(r"/reports/practice\?"), _practice),
           "impact": (re.compile(r"/organisations/\$\w+/impact\?"), _impact)}


def test_the_tour_runs_literally_on_a_fresh_demo_database(served, tmp_path):
    assert shutil.which("curl") and shutil.which("bash"), "the tour needs bash and curl"
    tour = [step for block in tour_blocks(TOUR.read_text(encoding="utf-8"))
            for step in steps(block)]
    log = tmp_path / "statuses"
    log.touch()
    run = subprocess.run(["bash", "-c", _script([c for c, _ in tour], served, str(log))],
                         capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert run.stdout.rstrip().endswith("tour finished"), run.stdout + run.stderr
    answered: dict[int, list[int]] = {}
    for line in log.read_text().splitlines():
        step, status = line.split()
        answered.setdefault(int(step), []).append(int(status))
    for n, (command, promised) in enumerate(tour):
        statuses = answered.get(n, [])
        if promised is None:
            assert all(200 <= s < 300 for s in statuses), (command, statuses, run.stdout)
            continue
        assert statuses, f"step {n} made no request: {command}"
        *before, last = statuses
        status, code = promised
        assert all(200 <= s < 300 for s in before), (command, statuses, run.stdout)
        assert last == status, (f"step {n} answered {last}, the README says {status}:\n"
                                f"{command}\n--- output:\n{run.stdout[-3000:]}")
        if code:
            answer = (tmp_path / f"statuses.{n}").read_text()
            assert f'"code":"{code}"' in answer.replace(" ", ""), (command, answer)

    shown = set()
    for n, (command, _) in enumerate(tour):
        for name, (asks, check) in FIGURES.items():
            if asks.search(command):
                assert len(answered[n]) == 1, command
                answer = (tmp_path / f"statuses.{n}").read_text()
                (_csv_rows if "text/csv" in command else check)(answer)
                shown.add(name)
    assert shown == set(FIGURES), "the tour no longer shows practice hours and impact"
