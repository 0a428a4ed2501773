"""`make demo` on a weekend or a holiday still fills the bells: the scan runs as of the last working day."""

import datetime

from django.core.management import call_command

from reminders.management.commands.send_reminders import previous_working_day
from reminders.models import Notification

D = datetime.date


def test_a_weekend_or_holiday_goes_back_to_the_last_working_day():
    assert previous_working_day(D(2026, 12, 5)) == D(2026, 12, 4)  # Saturday -> Friday
    assert previous_working_day(D(2026, 12, 4)) == D(2026, 12, 4)
    assert previous_working_day(D(2026, 10, 5)) == D(2026, 9, 30)  # National Day week -> the day before it


def test_the_demo_scan_on_a_sunday_writes_reminders(cast, capsys):
    from tests.conftest import make_person, make_record

    make_record(make_person(cast.village_a1))  # unpaired under QS: a pairing reminder
    call_command("send_reminders", "--now", "--date", "2026-12-06", "--last-working-day")
    assert Notification.objects.exists()
    assert "不是工作日" not in capsys.readouterr().out
