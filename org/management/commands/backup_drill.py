"""Restore drill: dump the database with pg_dump, restore the dump into a scratch database with pg_restore, and
compare the row count of every table; the scratch database is dropped afterwards.

    manage.py backup_drill [--keep-dump PATH]

Exit status 1 when a count differs. PostgreSQL only (the backup procedure is in docs/operations.md)."""

import os
import subprocess
import tempfile
import time
import uuid

import psycopg
from django.core.management.base import BaseCommand, CommandError
from django.db import connection


def _conninfo(settings: dict, dbname: str | None = None) -> dict:
    info = {"dbname": dbname or settings["NAME"], "user": settings.get("USER") or None}
    if settings.get("HOST"):
        info["host"] = settings["HOST"]
    if settings.get("PORT"):
        info["port"] = str(settings["PORT"])
    if settings.get("PASSWORD"):
        info["password"] = settings["PASSWORD"]
    return {k: v for k, v in info.items() if v}


def _env(info: dict) -> dict:
    env = os.environ.copy()
    env.update({"PGHOST": info.get("host", ""), "PGPORT": info.get("port", ""), "PGUSER": info.get("user", "")})
    if info.get("password"):
        env["PGPASSWORD"] = info["password"]
    return env


def table_counts(info: dict) -> dict[str, int]:
    with psycopg.connect(**info, autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            ).fetchall()
        ]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


class Command(BaseCommand):
    help = "备份恢复演练：pg_dump 导出，恢复到临时数据库，逐表核对行数。"

    def add_arguments(self, parser):
        parser.add_argument("--keep-dump", help="把备份文件保存到此路径")

    def handle(self, *args, keep_dump=None, **options):
        if connection.vendor != "postgresql":
            raise CommandError("备份恢复演练需要 PostgreSQL（请设置 DATABASE_URL）。")
        source = _conninfo(connection.settings_dict)
        scratch_name = f"restore_drill_{uuid.uuid4().hex[:8]}"
        scratch = {**source, "dbname": scratch_name}
        env = _env(source)
        started = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            dump = keep_dump or os.path.join(tmp, "backup.dump")
            subprocess.run(["pg_dump", "-Fc", "--no-owner", "-f", dump, source["dbname"]], env=env, check=True)
            dumped = time.perf_counter()
            before = table_counts(source)
            with psycopg.connect(**{**source, "dbname": "postgres"}, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{scratch_name}"')
            try:
                subprocess.run(
                    ["pg_restore", "--no-owner", "--exit-on-error", "-d", scratch_name, dump], env=env, check=True
                )
                restored = time.perf_counter()
                after = table_counts(scratch)
            finally:
                with psycopg.connect(**{**source, "dbname": "postgres"}, autocommit=True) as admin:
                    admin.execute(f'DROP DATABASE IF EXISTS "{scratch_name}" WITH (FORCE)')
        size = os.path.getsize(keep_dump) if keep_dump else None
        differ = {t: (before.get(t), after.get(t)) for t in set(before) | set(after) if before.get(t) != after.get(t)}
        rows = sum(before.values())
        self.stdout.write(
            f"备份 {dumped - started:.1f} 秒，恢复 {restored - dumped:.1f} 秒；{len(before)} 张表，共 {rows} 行"
            + (f"，备份文件 {size} 字节" if size else "")
        )
        for table in ("org_auditlog", "reserves_person", "reserves_reserverecord"):
            if table in before:
                self.stdout.write(f"  {table}: {before[table]} → {after.get(table)}")
        if differ:
            for table, (b, a) in sorted(differ.items()):
                self.stderr.write(f"行数不一致：{table} {b} → {a}")
            raise CommandError("恢复后的行数与原库不一致。")
        self.stdout.write("恢复演练通过：每张表的行数一致。")
