"""Django's file e-mail backend, one message at a time with a pause after each (REMINDERS_TEST_MAIL_DELAY seconds):
a worker killed during a batch leaves some messages written and the rest not."""

import os
import re
import time
from collections import Counter
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend

HEADER = re.compile(rb"^X-Reminder-Outbox: (\d+)$", re.MULTILINE)


class SlowFileBackend(EmailBackend):
    def send_messages(self, email_messages):
        sent = 0
        for message in email_messages:
            sent += super().send_messages([message])
            time.sleep(float(os.environ.get("REMINDERS_TEST_MAIL_DELAY", "0")))
        return sent


def written(folder: Path) -> Counter:
    """How many times each outbox row's message was written to `folder`."""
    counts = Counter()
    for path in folder.glob("*.log"):
        counts.update(int(m) for m in HEADER.findall(path.read_bytes()))
    return counts
