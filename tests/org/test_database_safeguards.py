"""PostgreSQL safeguards: the application's role cannot change or delete audit entries (docs/sql/app_role.sql), and
the restore drill brings back every row."""

import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from org.audit import audit
from org.models import AuditLog

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def postgres(settings):
    if connection.vendor != "postgresql":
        if settings.REQUIRE_SERVICES:
            pytest.fail("REQUIRE_SERVICES=1 but the tests do not run on PostgreSQL")
        pytest.skip("需要 PostgreSQL（设置 DATABASE_URL）")
    return connection.settings_dict


def _sql_for(role: str, db: str) -> str:
    """docs/sql/app_role.sql with psql's :"var" placeholders filled in."""
    text = (ROOT / "docs/sql/app_role.sql").read_text()
    body = "\n".join(line for line in text.splitlines() if not line.startswith("--"))
    return body.replace(':"app_role"', f'"{role}"').replace(':"db"', f'"{db}"')


def test_the_application_role_may_append_to_the_audit_log_but_never_change_or_delete(cast, postgres):
    import psycopg

    audit(cast.county_admin, "person.update", cast.county, unit=cast.county)
    role = f"reserves_app_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{role}" LOGIN')
        cursor.execute(_sql_for(role, postgres["NAME"]))
    info = {"dbname": postgres["NAME"], "user": role, "host": postgres.get("HOST") or "127.0.0.1"}
    if postgres.get("PORT"):
        info["port"] = str(postgres["PORT"])
    try:
        with psycopg.connect(**info, autocommit=True) as app:
            assert app.execute("SELECT count(*) FROM org_auditlog").fetchone()[0] >= 1
            app.execute(
                "INSERT INTO org_auditlog (at, actor_label, action, object_type, object_id, object_repr, unit_code,"
                " changes) VALUES (now(), '系统', 'test.append', '', '', '', '', '{}')"
            )
            assert app.execute("SELECT count(*) FROM reserves_person").fetchone()[0] >= 0
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                app.execute("UPDATE org_auditlog SET action = 'tampered'")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                app.execute("DELETE FROM org_auditlog")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                app.execute("TRUNCATE org_auditlog")
            # Other tables stay writable for the application.
            app.execute("UPDATE org_orgunit SET name = name WHERE id = %s", [cast.county.pk])
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP OWNED BY "{role}"')
            cursor.execute(f'DROP ROLE "{role}"')
    assert AuditLog.objects.filter(action="test.append").count() == 1
    assert not AuditLog.objects.filter(action="tampered").exists()


def test_the_restore_drill_brings_back_every_row(cast, people, postgres, capsys, tmp_path):
    audit(cast.county_admin, "person.update", cast.county, unit=cast.county)
    dump = tmp_path / "backup.dump"
    call_command("backup_drill", keep_dump=str(dump))
    out = capsys.readouterr().out
    assert "恢复演练通过" in out
    assert dump.stat().st_size > 0
