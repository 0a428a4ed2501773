from celery import shared_task
from django.db import connection


@shared_task(name="org.tasks.heartbeat", acks_late=True)
def heartbeat(token: str = "") -> dict:
    """Proves the worker reaches the broker and the database; the beat schedules it hourly."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        row = cursor.fetchone()
    return {"token": token, "db": row[0] == 1, "vendor": connection.vendor}
