"""Access-matrix rows for this app's URLs (merged into tests/test_access_matrix.py MATRIX). Everyone has their own
notifications and settings; a notification belongs to one user (township A's admin here): anyone else gets 404. The
sent log is the county admin's (the audit-log permission)."""

from tests.matrix_helpers import ALL, everyone, only  # noqa: F401

ROWS = {
    "notification_list": ("GET", None, everyone(200), 302),
    # The bell's badge is fetched by htmx: an expired session gets 204 (nothing to swap), not the login page.
    "notification_bell": ("GET", None, everyone(200), 204),
    "notification_read": ("POST", "notification", only({"township_a_admin"}, ok=302), 302),
    "notification_read_all": ("POST", None, everyone(302), 302),
    "reminder_preferences": ("GET", None, everyone(200), 302),
    "reminder_sent_log": ("GET", None, only({"county_admin"}), 302),
}


def objects(cast, people) -> dict:
    """Extra keys for the matrix's `objects` fixture: key -> URL kwargs."""
    from reminders.models import Notification

    notification = Notification.objects.create(
        recipient=cast.township_a_admin,
        kind="mentor_missing",
        subject=f"reserves.reserverecord:{people['a2'].pk}",
        period="2026Q4",
        title="结对帮带未落实",
        url="/notifications/",
        unit_code=cast.village_a2.code,
        batch="matrix",
    )
    return {"notification": {"pk": notification.pk}}
