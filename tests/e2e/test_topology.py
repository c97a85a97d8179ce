"""Three `benchshare serve` behind nginx on one database: a rolling restart under load loses no
request, and a booking race through the proxy books the slot once."""

from __future__ import annotations

import shutil

import pytest

from tests.rig.load import Load, booking_race, double_bookings, make_world
from tests.rig.proxy import NGINX
from tests.rig.topology import Topology

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(not shutil.which(NGINX), reason="apt-get install -y nginx")]


@pytest.fixture(scope="module")
def rig(fresh_database, tmp_path_factory):
    """Three instances (one worker each) behind nginx, no scheduler, a world to book in."""
    topology = Topology(tmp_path_factory.mktemp("rig"), fresh_database("benchshare_rig"),
                        instances=3, workers=1, schedulers=0, drain_seconds=1)
    with topology:
        yield topology, make_world(topology.database_url, students=20, items=4)


def test_a_rolling_restart_of_every_instance_under_load_loses_no_request(rig):
    topology, world = rig
    load = Load(topology.proxy_port, world, clients=2).start()
    try:
        # Replacements start together (a surge of 3) to keep the test short; the old
        # instances still drain and stop one at a time under the load.
        turns = topology.rolling_restart(surge=3)
    finally:
        tally = load.stop()
    assert [turn.exit_status for turn in turns] == [0, 0, 0]
    assert tally.sent > 0 and tally.statuses[201] > 0
    assert (tally.failed, tally.examples) == (0, [])
    assert set(tally.statuses) <= {200, 201, 409}, tally.statuses


def test_twenty_students_racing_for_one_slot_through_the_proxy_book_it_once(rig):
    topology, world = rig
    outcomes = booking_race(topology.proxy_port, world)
    assert outcomes == {(201, None): 1, (409, "reservation_conflict"): 19}
    assert double_bookings(topology.database_url) == 0
