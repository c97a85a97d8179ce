"""How far behind a replica is, from WAL positions alone: no database needed."""

from __future__ import annotations

from service.replica import lsn, staleness_of


def test_wal_positions_compare_as_numbers():
    assert lsn("0/3000000") == 0x3000000
    assert lsn("16/B374D848") == (0x16 << 32) + 0xB374D848
    assert lsn("1/0") > lsn("0/FFFFFFFF")


def test_a_replica_that_replayed_the_primarys_position_is_fresh_however_old_its_commit():
    assert staleness_of(500, 500, [], now=100.0, since_replayed_commit=3600.0) == 0.0
    assert staleness_of(600, 500, [], now=100.0, since_replayed_commit=None) == 0.0


def test_a_replica_behind_is_as_old_as_the_last_primary_position_it_reached():
    seen = [(90.0, 100), (95.0, 200), (99.0, 300)]
    assert staleness_of(250, 300, seen, now=100.0, since_replayed_commit=None) == 5.0


def test_the_time_since_its_last_replayed_commit_bounds_it_too():
    seen = [(40.0, 100), (99.0, 300)]
    assert staleness_of(250, 300, seen, now=100.0, since_replayed_commit=2.5) == 2.5


def test_a_replica_behind_with_nothing_to_date_it_by_is_not_trusted():
    assert staleness_of(50, 300, [(99.0, 300)], now=100.0, since_replayed_commit=None) is None
