"""`make backup` and `make restore` for real: seed, dump with scripts/backup.sh, restore with
scripts/restore.sh into a database created for the test, and compare every table's row count;
an encrypted identity still decrypts with the same keys. The restore refuses a non-empty
target unless FORCE=1."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from accounts.models import Role
from complaints.models import VictimIdentity
from tests.factories.complaints_intake import PLANTED_NAME, make_complaint
from tests.factories.people import CitizenFactory

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db(transaction=True)


def _url(name: str) -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{name}"


def _run(script: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(ROOT / "scripts" / script), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def _row_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url, autocommit=True) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        return {
            table: db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608
            for table in tables
        }


@pytest.fixture
def fresh_database() -> Iterator[str]:
    """An empty database on the same server, dropped afterwards."""
    name = f"thana_restore_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_url("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _url(name)
    finally:
        with psycopg.connect(_url("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_then_restore_into_a_fresh_database_keeps_every_row(
    world, fresh_database, tmp_path
) -> None:
    complaint = make_complaint(station=world.station, by=world.user(Role.STATION_IC))
    CitizenFactory.create_batch(25, station=world.station)
    source = _url(connection.settings_dict["NAME"])

    backup = _run("backup.sh", DATABASE_URL=source, BACKUP_DIR=str(tmp_path))
    assert backup.returncode == 0, backup.stderr
    dump = Path(backup.stdout.strip().splitlines()[-1])
    assert dump.parent == tmp_path and dump.suffix == ".dump" and dump.stat().st_size > 0
    assert "SECRET_KEY and SALT_KEY" in backup.stderr  # the keys warning

    restore = _run("restore.sh", str(dump), DATABASE_URL=fresh_database)
    assert restore.returncode == 0, restore.stderr

    before, after = _row_counts(source), _row_counts(fresh_database)
    assert after == before
    assert before["people_citizen"] >= 25 and before["complaints_victimidentity"] >= 1
    print(f"BACKUP tables={len(after)} rows={sum(after.values())} identical=1")

    # The identity is stored encrypted and decrypts with the same keys after the restore.
    identity = VictimIdentity.objects.get(complaint=complaint)
    field = VictimIdentity._meta.get_field("name")
    with psycopg.connect(fresh_database) as db:
        raw = db.execute(
            "SELECT name FROM complaints_victimidentity WHERE id = %s", [identity.pk]
        ).fetchone()[0]
    assert PLANTED_NAME not in raw  # ciphertext at rest
    assert field.from_db_value(raw, None, connection) == PLANTED_NAME == identity.name


def test_restore_refuses_a_non_empty_database_unless_forced(world, tmp_path) -> None:
    source = _url(connection.settings_dict["NAME"])
    backup = _run("backup.sh", DATABASE_URL=source, BACKUP_DIR=str(tmp_path))
    assert backup.returncode == 0, backup.stderr
    dump = backup.stdout.strip().splitlines()[-1]
    refused = _run("restore.sh", dump, DATABASE_URL=source)
    assert refused.returncode == 3
    assert "refusing to overwrite" in refused.stderr
    assert _row_counts(source)["stations_station"] == 4  # untouched


def test_scripts_refuse_missing_inputs(tmp_path) -> None:
    assert _run("restore.sh", DATABASE_URL=_url("x")).returncode == 2
    assert _run("restore.sh", str(tmp_path / "nope.dump"), DATABASE_URL=_url("x")).returncode == 2
    sqlite = _run("backup.sh", DATABASE_URL="sqlite:///var/db.sqlite3", BACKUP_DIR=str(tmp_path))
    assert sqlite.returncode == 2 and "not PostgreSQL" in sqlite.stderr
