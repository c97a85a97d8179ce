"""The kit for the app's browser tests: a real `benchshare serve --demo` under a movable clock,
Debian's chromium, phone and desktop pages, sign-in, axe-core, screenshots and the public API.

Its fixtures (served_app, app_chromium, open_page) reach every e2e module through
tests/e2e/conftest.py; a test module imports the helpers by name. Everything here goes through
HTTP, as a user's browser and a user's scripts would: nothing reads the service's database.

The clock: serve (and its embedded PostgreSQL, which inherits serve's environment) runs under
libfaketime from Debian's `faketime` package, reading its offset from a shared file that it
re-reads within a second or two (FAKETIME_CACHE_DURATION). `Clock.move_to(instant)` writes the
offset, waits for it to take, and sets every open page's clock (Playwright's `page.clock`) to
the same instant, so the server and the browser agree on what "now" is. The clock only moves
forward: a worker's monotonic clock moves with it and going back would confuse gunicorn. A
token issued before a jump longer than its lifetime (12 h) has lapsed after it: sign in again.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import pytest

from service.config import PROJECT_ROOT

from .outage import call, free_port
from .served import Service

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts" / "app"
PASSWORD = "benchshare-demo"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
SERIOUS = ("serious", "critical")
# libfaketime re-reads the offset file once its cache (1 s here) has lapsed: wait a little more.
CLOCK_SETTLE_SECONDS = 2.5
# The served apps hash (and so verify) passwords as cheaply as the in-process tests do
# (tests/conftest.py): each sign-in and each Api() otherwise spends a strong argon2id's tenths of
# a second of CPU, hundreds of times a run. The demo is seeded with it, so its hashes are cheap.
SERVED = {"SCHEDULER_ENABLED": "false", "LOG_LEVEL": "WARNING", "ARGON2_TIME_COST": "1",
          "ARGON2_MEMORY_KIB": "64"}


# ---------------------------------------------------------------- the clock

class Clock:
    """The service's wall clock, as an offset from the machine's, in a file libfaketime reads."""

    def __init__(self, path: Path, movable: bool = True):
        self.path, self.movable = path, movable
        self.offset = 0.0
        self.pages: list = []
        self._write()

    def _write(self) -> None:
        # Written whole then renamed: a reader never sees half a number.
        partial = self.path.with_suffix(".partial")
        partial.write_text(f"{self.offset:+.0f}\n")
        partial.chmod(0o644)
        partial.replace(self.path)

    def now(self) -> datetime:
        """What the service (and every page this kit opened) reads as the time now, in UTC."""
        return datetime.fromtimestamp(time.time() + self.offset, UTC)

    def move_to(self, instant: datetime) -> None:
        """Move the service's and the pages' clocks forward to `instant` (aware)."""
        if not self.movable:
            raise RuntimeError("this module shares its served app with others: it cannot move "
                               "their clock (use a served_app of its own)")
        offset = instant.timestamp() - time.time()
        if offset < self.offset - 1:
            raise ValueError(f"the clock only moves forward: {instant} is before {self.now()}")
        self.offset = offset
        self._write()
        time.sleep(CLOCK_SETTLE_SECONDS)
        for page in self.pages:
            if not page.is_closed():
                page.clock.set_system_time(self.now())

    def environment(self) -> dict[str, str]:
        """What a process needs to run on this clock."""
        return {"LD_PRELOAD": LIBFAKETIME, "FAKETIME_TIMESTAMP_FILE": str(self.path),
                "FAKETIME_CACHE_DURATION": "1"}


# ---------------------------------------------------------------- the service

class AppService(Service):
    """`benchshare serve --demo` on its own data directory and port, on a movable clock."""

    def __init__(self, root: Path, clock: Clock | None, **env: str):
        super().__init__(root / "data", free_port())
        self.root, self.clock, self.env = root, clock, env

    def start(self, *args: str) -> float:
        extra = dict(self.env)
        if self.clock is not None:
            extra.update(self.clock.environment())
        return super().start(*args, env=extra)


def _private_root(prefix: str) -> Path:
    # Not under pytest's temp root (reset to 0700 by another run), and readable by the embedded
    # server's unprivileged user, who reads the clock file too.
    root = Path(tempfile.mkdtemp(prefix=prefix))
    root.chmod(0o755)
    return root


_seeded: dict[str, Path] = {}


def _seed_demo(root: Path) -> Path:
    service = AppService(root, None, **SERVED)
    service.start("--demo")
    service.stop()
    return service.data_dir


def _demo_data() -> Path:
    """A data directory holding today's demo, seeded once per test run by a real
    `serve --demo` and then stopped: each module's server starts on a copy of it (`cp -a` keeps
    the embedded PostgreSQL's owner), which takes a second where seeding takes tens. Under
    pytest-xdist the workers of one run share it (the first seeds it under a lock, the others
    wait); the demo's days are relative to the day it was seeded, so a new day seeds again."""
    today = datetime.now(UTC).date().isoformat()
    if today in _seeded:
        return _seeded[today]
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if not run:
        _seeded[today] = _seed_demo(_private_root("benchshare-demo-"))
        return _seeded[today]
    shared = Path(tempfile.gettempdir()) / f"benchshare-demo-{run}-{today}"
    with open(f"{shared}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared / "seeded").exists():
            for old in Path(tempfile.gettempdir()).glob("benchshare-demo-*"):
                # Runs before this one left theirs (no worker knows it is the last).
                if time.time() - old.stat().st_mtime < 6 * 3600 or old == Path(f"{shared}.lock"):
                    continue
                if old.is_dir():
                    shutil.rmtree(old, ignore_errors=True)
                else:
                    old.unlink(missing_ok=True)
            shared.mkdir(mode=0o755, exist_ok=True)
            shared.chmod(0o755)
            _seed_demo(shared)
            (shared / "seeded").touch()
    _seeded[today] = shared / "data"
    return _seeded[today]


def _serve_demo_copy(*, movable: bool):
    """(AppService, Clock) of a real `benchshare serve --demo` on a fresh copy of the seeded
    demo, stopped and removed when the generator is closed."""
    if not os.path.exists(LIBFAKETIME):
        pytest.fail(f"{LIBFAKETIME} is missing: install Debian's faketime "
                    "(apt-get install -y faketime); .ci/run does so by itself")
    seeded = _demo_data()
    root = _private_root("benchshare-app-")
    subprocess.run(["cp", "-a", str(seeded), str(root / "data")], check=True)
    clock = Clock(root / "clock", movable=movable)
    service = AppService(root, clock, **SERVED)
    try:
        service.start("--demo")
        yield service, clock
    finally:
        _stop_behind(service, root)


def _stop_behind(service: AppService, root: Path) -> None:
    """Stop the service and remove its directory in a thread of its own: gunicorn's graceful
    stop and PostgreSQL's take seconds of waiting, during which the next module can start. The
    thread is not a daemon: the test process waits for it before exiting."""
    def stop() -> None:
        process = service.process
        try:
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                # Nobody waits on it: let a loaded machine take its time (serve stops its
                # PostgreSQL on the way out), and only then kill it.
                try:
                    service.output += process.communicate(timeout=180)[0]
                except subprocess.TimeoutExpired:
                    process.kill()
                    service.output += process.communicate()[0]
        finally:
            shutil.rmtree(root, ignore_errors=True)

    threading.Thread(target=stop, name=f"stop {service.url}").start()


@pytest.fixture(scope="module")
def served_app():
    """(AppService, Clock): a real `benchshare serve --demo` for this module alone, its clock
    movable. A module that moves the clock, or changes what other modules read (an
    organisation's sign-in, the demo's offers or quotas), keeps this server of its own."""
    yield from _serve_demo_copy(movable=True)


@pytest.fixture(scope="session")
def shared_app():
    """(AppService, Clock): one `benchshare serve --demo` per test process, shared by the
    modules that opt in by overriding served_app with it (starting a server costs seconds of
    CPU). They only add data of their own (unique names) beside the demo's and leave what they
    change as they found it; its clock cannot move (Clock.move_to raises)."""
    yield from _serve_demo_copy(movable=False)


# ---------------------------------------------------------------- the browser and its pages

@pytest.fixture(scope="session")
def app_chromium():
    """Debian's chromium, headless, once per test process (each page has its own context)."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium "
                    "(apt-get install -y chromium); .ci/run does so by itself")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def open_page(served_app, app_chromium):
    """open_page(path="/", device="phone"|"desktop", locale="en-GB"|"zh-CN") -> a page on the
    served app, its clock at the service's, its script and console errors in `page.problems`."""
    service, clock = served_app
    contexts = []

    def opener(path: str = "/", device: str = "phone", locale: str = "en-GB"):
        context = app_chromium.new_context(locale=locale, accept_downloads=True,
                                      **(PHONE if device == "phone" else DESKTOP))
        contexts.append(context)
        page = context.new_page()
        page.problems = []
        page.on("pageerror", lambda error: page.problems.append(str(error)))
        # Script errors and CSP refusals; an API's error status is the page's to show.
        page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" and
                not m.text.startswith("Failed to load resource") else None)
        page.clock.install(time=clock.now())
        clock.pages.append(page)
        page.base_url = service.url
        if path is not None:
            page.goto(service.url + path)
        return page

    yield opener
    for context in contexts:
        for page in context.pages:
            if page in clock.pages:
                clock.pages.remove(page)
        context.close()


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    """Sign in through the app's own form (the app shows it at /signin for any path while
    signed out, and goes back there after) and wait until the page it went to is drawn."""
    if page.get_by_test_id("signin").count() == 0:
        page.goto(page.base_url + "/signin")
    page.get_by_test_id("email").fill(email)
    page.get_by_test_id("password").fill(password)
    page.get_by_test_id("signin-submit").click()
    wait_until(page, "document.body.dataset.ready && document.body.dataset.ready !== 'signin'",
               what="the page after signing in")


def wait_until(page, expression: str, arg=None, *, timeout: float = 15.0, what: str = ""):
    """Poll `expression` (a JavaScript function of `arg` when arg is given) until it is truthy;
    its value. Not page.wait_for_function: that evaluates its predicate as a string inside the
    page, which the app's CSP (no 'unsafe-eval') refuses; page.evaluate is not the page's eval."""
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(expression, arg) if arg is not None else page.evaluate(expression)
        if value:
            return value
        if time.monotonic() > deadline:
            said = page.locator("main [role=alert], main [role=status]").all_inner_texts()
            raise AssertionError(
                f"{what or expression} did not happen within {timeout} s: "
                f"ready={page.evaluate('document.body.dataset.ready')!r}, errors {page.problems},"
                f" the page's messages {said}, its text {page.inner_text('body')[:800]!r}")
        page.wait_for_timeout(100)


def wait_ready(page, module: str, timeout: float = 15.0) -> None:
    """Wait until the router has drawn page module `module` (its render() resolved)."""
    wait_until(page, "(m) => document.body.dataset.ready === m", module, timeout=timeout,
               what=f"page module {module} drawn")


def visible(page, testid: str, timeout: float = 15_000):
    """The element with this data-testid once visible; if it never shows, fail with what the
    page says instead (and its script errors)."""
    element = page.get_by_test_id(testid).first
    try:
        element.wait_for(state="visible", timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - say what the page shows instead
        said = page.locator("main [role=alert], main [role=status]").all_inner_texts()
        raise AssertionError(f"{testid} never showed: errors {page.problems}, the page's "
                             f"messages {said}, its text {page.inner_text('main')[:800]!r}"
                             ) from exc
    return element


def tab_through(page, presses: int = 60) -> list[dict]:
    """Press Tab `presses` times from the top of the page; for each stop, the focused element's
    tag, data-testid, accessible text and whether its focus is drawn (an outline or a ring)."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    stops = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        stops.append(page.evaluate("""() => {
            const e = document.activeElement;
            if (!e || e === document.body) return null;
            const style = getComputedStyle(e);
            return {tag: e.tagName.toLowerCase(), testid: e.dataset.testid || null,
                    text: (e.getAttribute('aria-label') || e.textContent || '').trim(),
                    drawn: (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
                           || style.boxShadow !== 'none'};
        }"""))
    return [stop for stop in stops if stop]


def check_axe(page, name: str) -> dict:
    """Run axe-core on the page as it is; fail on any serious or critical violation, listing
    each with the elements it found. The full answer is kept beside the screenshots."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name}.axe.json").write_text(json.dumps(results.response["violations"],
                                                           indent=1))
    serious = [v for v in results.response["violations"] if v.get("impact") in SERIOUS]
    listed = "\n".join(
        f"- {v['impact']} {v['id']}: {v['help']} ({len(v['nodes'])}x) "
        + "; ".join(" ".join(n["target"]) if isinstance(n["target"][0], str) else str(n["target"])
                    for n in v["nodes"][:5])
        for v in serious)
    assert not serious, f"axe-core on {name} ({page.url}):\n{listed}"
    return results.response


def shot(page, name: str) -> Path:
    """A full-page screenshot in tests/artifacts/app/ (git-ignored), kept as a CI artefact."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


# ---------------------------------------------------------------- the public API

class Api:
    """One user's calls to the public API, to prepare and check data: (status, body) each."""

    def __init__(self, base_url: str, email: str, password: str = PASSWORD):
        self.base_url = base_url
        status, _, body = call(base_url + "/api/v1/auth/token", "POST",
                               {"email": email, "password": password})
        assert status == 200, body
        self.token = body["access_token"]
        status, _, self.me = call(base_url + "/api/v1/me", token=self.token)
        assert status == 200, self.me

    def request(self, method: str, path: str, body=None, **params):
        query = ("?" + urlencode(params)) if params else ""
        status, _, answer = call(f"{self.base_url}/api/v1{path}{query}", method, body,
                                 self.token)
        return status, answer

    def get(self, path: str, **params):
        return self.request("GET", path, **params)

    def post(self, path: str, body=None, **params):
        return self.request("POST", path, {} if body is None else body, **params)

    def ok(self, method: str, path: str, body=None, **params):
        """The body of a call that must succeed (any 2xx)."""
        status, answer = self.request(method, path, body, **params)
        assert 200 <= status < 300, (method, path, status, answer)
        return answer

    def all(self, path: str, **params) -> list:
        """Every item of a paged collection."""
        items, page = [], 1
        while True:
            body = self.ok("GET", path, page=page, page_size=100, **params)
            items += body["items"]
            if page * body["page_size"] >= body["total"]:
                return items
            page += 1

    def equipment(self, asset_tag: str) -> dict:
        """The item with this asset tag (as the caller sees it)."""
        found = [e for e in self.all("/equipment") if e["asset_tag"] == asset_tag]
        assert found, f"{asset_tag} is not visible to {self.me['email']}"
        return found[0]

    def user(self, email: str) -> dict:
        found = [u for u in self.all("/users", q=email.split("@")[0]) if u["email"] == email]
        assert found, f"{email} is not visible to {self.me['email']}"
        return found[0]


def api(page_or_service, email: str) -> Api:
    """An Api for `email` on the app a page (or an AppService) talks to."""
    base_url = getattr(page_or_service, "base_url", None) or page_or_service.url
    return Api(base_url, email)


def unique(prefix: str = "t") -> str:
    """A short unique text, for names a test creates."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"
