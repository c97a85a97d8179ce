"""What the rig sends through its proxy: a world to book in, a steady load that counts every
request it could not get answered, and a booking race on one slot."""

from __future__ import annotations

import http.client
import itertools
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
from sqlalchemy import make_url

from .processes import request

SHANGHAI = ZoneInfo("Asia/Shanghai")
PAUSE_SECONDS = 0.01  # between one client's requests: a steady load on a shared machine
SLOTS_A_DAY = 23  # 30 minutes at the top of each hour 00:00-22:00, the base open 00:00-23:30


@dataclass(frozen=True)
class World:
    school_id: int
    item_ids: list[int]
    tokens: list[str]  # one per student
    operator_token: str


def make_world(database_url: str, *, students: int = 20, items: int = 10) -> World:
    """A school with items open around the clock, its students' tokens and an operator's,
    written by the use cases on the rig's (migrated) database."""
    from service import create_app
    from service.accounts.services import (
        issue_token,
        platform_organisation,
        register_organisation,
        register_user,
    )
    from service.catalogue.equipment import build_equipment
    from service.db import db
    from tests.concurrency.races import open_base_and_category

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SCHEDULER_ENABLED": False,
                      "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_KIB": 64})
    with app.app_context():
        school = register_organisation(db.session, name="Rig School", kind="school")
        base, category = open_base_and_category(school, "rig")
        built = [build_equipment(db.session, name=f"Rig lathe {n}", asset_tag=f"RIG-{n}",
                                 base_id=base.id, category_id=category.id,
                                 owner_organisation_id=school.id, booking_horizon_days=365)
                 for n in range(items)]
        people = [register_user(db.session, organisation=school, email=f"s{n}@rig.example",
                                full_name=f"Rig Student {n}", role="student", password=None)
                  for n in range(students)]
        operator = register_user(db.session, organisation=platform_organisation(db.session),
                                 email="operator@rig.example", full_name="Rig Operator",
                                 role="operator", password=None)
        tokens = [issue_token(db.session, user=p, ttl_minutes=600).access_token for p in people]
        operator_token = issue_token(db.session, user=operator, ttl_minutes=600).access_token
        db.session.commit()
        world = World(school.id, [item.id for item in built], tokens, operator_token)
        db.engine.dispose()
    return world


def slot_start(day: int, hour: int) -> datetime:
    return (datetime.now(SHANGHAI) + timedelta(days=day)).replace(
        hour=hour, minute=0, second=0, microsecond=0)


def booking(item_id: int, start: datetime) -> dict:
    return {"equipment_id": item_id, "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(minutes=30)).isoformat()}


@dataclass
class Tally:
    """Every request sent and what came of it. Failed: no answer at all, or a 5xx."""

    statuses: Counter = field(default_factory=Counter)
    transport_errors: Counter = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)

    @property
    def sent(self) -> int:
        return sum(self.statuses.values()) + sum(self.transport_errors.values())

    @property
    def failed(self) -> int:
        return (sum(n for status, n in self.statuses.items() if status >= 500)
                + sum(self.transport_errors.values()))


class Load:
    """Client threads through the proxy, each a fresh connection per request: GET /me, then a
    POST booking a slot no other request of the run asks for (201; anything but a 5xx or no
    answer is the app's own answer, not a failure)."""

    def __init__(self, port: int, world: World, clients: int = 4, first_day: int = 2):
        self.port, self.world, self.clients = port, world, clients
        self.first_day = first_day
        self.tally = Tally()
        self._slots = itertools.count()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    def _next_slot(self) -> dict:
        with self._lock:
            k = next(self._slots)
        items = self.world.item_ids
        day, hour = divmod(k // len(items), SLOTS_A_DAY)
        return booking(items[k % len(items)], slot_start(self.first_day + day, hour))

    def _one(self, method: str, path: str, body, token: str) -> None:
        try:
            status, _, answer = request(self.port, method, path, body, token)
        except (OSError, http.client.HTTPException) as exc:
            with self._lock:
                self.tally.transport_errors[type(exc).__name__] += 1
                if len(self.tally.examples) < 5:
                    self.tally.examples.append(f"{method} {path}: {exc!r}")
            return
        with self._lock:
            self.tally.statuses[status] += 1
            if status >= 500 and len(self.tally.examples) < 5:
                self.tally.examples.append(f"{method} {path}: {status} {str(answer)[:200]}")

    def _client(self, index: int) -> None:
        token = self.world.tokens[index % len(self.world.tokens)]
        while not self._stopping.is_set():
            self._one("GET", "/api/v1/me", None, token)
            self._one("POST", "/api/v1/reservations", self._next_slot(), token)
            time.sleep(PAUSE_SECONDS)

    def start(self) -> Load:
        self._threads = [threading.Thread(target=self._client, args=(i,), daemon=True)
                         for i in range(self.clients)]
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> Tally:
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=60)
        return self.tally


def booking_race(port: int, world: World, *, day: int = 300, hour: int = 10) -> Counter:
    """Every student asks for the same slot of the first item at once, through the proxy; the
    statuses they got (and the problem codes of the refusals)."""
    body = booking(world.item_ids[0], slot_start(day, hour))
    barrier = threading.Barrier(len(world.tokens))
    outcomes: Counter = Counter()
    lock = threading.Lock()

    def run(token: str) -> None:
        barrier.wait()
        status, _, answer = request(port, "POST", "/api/v1/reservations", body, token)
        code = answer.get("code") if isinstance(answer, dict) and status != 201 else None
        with lock:
            outcomes[(status, code)] += 1

    threads = [threading.Thread(target=run, args=(t,)) for t in world.tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def double_bookings(database_url: str) -> int:
    """Pairs of active reservations of one item whose times overlap (the exclusion constraint
    says 0; counted here rather than trusted)."""
    uri = make_url(database_url).set(drivername="postgresql").render_as_string(
        hide_password=False)
    with psycopg.connect(uri) as connection:
        return connection.execute(
            "SELECT count(*) FROM reservations a JOIN reservations b"
            " ON a.equipment_id = b.equipment_id AND a.id < b.id"
            " AND tstzrange(a.starts_at, a.ends_at) && tstzrange(b.starts_at, b.ends_at)"
            " WHERE a.status IN ('pending', 'confirmed', 'checked_in')"
            " AND b.status IN ('pending', 'confirmed', 'checked_in')").fetchone()[0]
