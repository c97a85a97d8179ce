"""The schema comes only from migrations: they match the models and run down and up again."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from service import schema
from service.models import metadata

from ..conftest import MIGRATIONS_DIR


def test_models_and_migrations_agree(database_url):
    engine = create_engine(database_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    engine.dispose()
    assert differences == []


@pytest.mark.slow
def test_upgrade_from_empty_and_downgrade_to_empty_round_trip(fresh_database):
    url = fresh_database("benchshare_migrations")
    engine = create_engine(url)
    schema.upgrade(MIGRATIONS_DIR, url)
    assert schema.current_revision(engine) == schema.head_revision(MIGRATIONS_DIR)
    assert {"users", "equipment", "qualifications"} <= set(inspect(engine).get_table_names())

    schema.downgrade(MIGRATIONS_DIR, url, "base")
    inspector = inspect(engine)
    assert set(inspector.get_table_names()) <= {"alembic_version"}
    with engine.connect() as connection:
        assert connection.execute(text(
            "SELECT count(*) FROM pg_extension WHERE extname = 'btree_gist'")).scalar() == 0

    schema.upgrade(MIGRATIONS_DIR, url)
    assert schema.current_revision(engine) == schema.head_revision(MIGRATIONS_DIR)
    engine.dispose()


def test_every_revision_has_a_downgrade_and_is_not_empty():
    from alembic.script import ScriptDirectory

    for revision in ScriptDirectory(MIGRATIONS_DIR).walk_revisions():
        source = open(revision.path, encoding="utf-8").read()
        assert "def downgrade" in source
        upgrade_body = source.split("def upgrade")[1].split("def downgrade")[0]
        assert "op." in upgrade_body, f"{revision.revision} upgrades nothing"


def test_tenancy_migration_makes_every_existing_placement_an_ownership(fresh_database):
    """Equipment already standing at another organisation's base stays: its owner becomes a
    co-owner of that base, so the new foreign key refuses nothing that was there."""
    url = fresh_database("benchshare_tenancy")
    schema.upgrade(MIGRATIONS_DIR, url, "0002")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("""
            INSERT INTO organisations (id, name, kind, version)
                VALUES (1, 'School', 'school', 1), (2, 'Enterprise', 'enterprise', 1);
            INSERT INTO training_bases (id, name, kind, organisation_id, timezone, version)
                VALUES (1, 'Co-built lab', 'co_built', 1, 'Asia/Shanghai', 1),
                       (2, 'Empty campus', 'campus', 1, 'Asia/Shanghai', 1);
            INSERT INTO equipment_categories (id, code, name, version) VALUES (1, 'cnc', 'CNC', 1);
            INSERT INTO equipment (name, asset_tag, base_id, owner_organisation_id,
                                   category_id, version)
                VALUES ('Theirs', 'T-1', 1, 2, 1, 1), ('Ours', 'O-1', 1, 1, 1, 1);
        """))
    schema.upgrade(MIGRATIONS_DIR, url)
    with engine.connect() as connection:
        owners = connection.execute(text(
            "SELECT base_id, organisation_id FROM training_base_owners ORDER BY 1, 2")).all()
    assert [tuple(row) for row in owners] == [(1, 1), (1, 2), (2, 1)]
    schema.downgrade(MIGRATIONS_DIR, url, "0002")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM equipment")).scalar() == 2
    engine.dispose()


def test_the_lapsed_migration_turns_past_undecided_requests_into_lapses_and_back(
        fresh_database):
    """Requests the scheduler called off because nobody decided them were `cancelled`; they
    become `lapsed` (event included). A waitlist offer not taken up and a holder's own
    cancellation stay cancellations. Downgrade gives the old status back."""
    url = fresh_database("benchshare_lapsed")
    schema.upgrade(MIGRATIONS_DIR, url, "0011")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("""
            INSERT INTO organisations (id, name, kind, version) VALUES (1, 'School', 'school', 1);
            INSERT INTO users (id, organisation_id, email, full_name, role, password_hash,
                               version)
                VALUES (1, 1, 's@school.example', 'Ada', 'student', 'x', 1);
            INSERT INTO training_bases (id, name, kind, organisation_id, timezone, version)
                VALUES (1, 'Lab', 'campus', 1, 'Asia/Shanghai', 1);
            INSERT INTO training_base_owners (base_id, organisation_id) VALUES (1, 1);
            INSERT INTO equipment_categories (id, code, name, version) VALUES (1, 'cnc', 'CNC', 1);
            INSERT INTO equipment (id, name, asset_tag, base_id, owner_organisation_id,
                                   category_id, version)
                VALUES (1, 'Lathe', 'L-1', 1, 1, 1, 1);
            INSERT INTO reservations (id, equipment_id, holder_id, created_by_id, status,
                                      starts_at, ends_at, blocked_until, version)
                SELECT n, 1, 1, 1, 'cancelled', t, t + interval '1 hour', t + interval '1 hour', 1
                FROM (SELECT n, timestamptz '2026-03-02 02:00+00' + n * interval '1 day' AS t
                      FROM generate_series(1, 4) AS n) AS days;
            INSERT INTO reservation_events (reservation_id, actor_id, from_status, to_status,
                                            reason)
                VALUES (1, NULL, 'pending', 'cancelled', 'the owner did not decide in time'),
                       (2, NULL, 'pending', 'cancelled', 'not approved before the start'),
                       (3, NULL, 'pending', 'cancelled', 'waitlist offer expired'),
                       (4, 1, 'confirmed', 'cancelled', 'cancelled by the holder');
        """))

    def statuses():
        with engine.connect() as connection:
            return (connection.execute(text("SELECT status FROM reservations ORDER BY id"))
                    .scalars().all(),
                    connection.execute(text("SELECT to_status FROM reservation_events "
                                            "ORDER BY reservation_id")).scalars().all())

    schema.upgrade(MIGRATIONS_DIR, url)
    lapsed = ["lapsed", "lapsed", "cancelled", "cancelled"]
    assert statuses() == (lapsed, lapsed)
    schema.downgrade(MIGRATIONS_DIR, url, "0011")
    assert statuses() == (["cancelled"] * 4, ["cancelled"] * 4)
    engine.dispose()
