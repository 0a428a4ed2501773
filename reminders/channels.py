"""Channels other than the in-app notification: e-mail through Django's mail backend (SMTP settings from the
environment, the console backend by default) and, for SMS and 政务微信, a logging stand-in until a provider is
contracted. A provider plugs in with `register("sms", SomeChannel)` from an AppConfig.ready().

A channel's `send_many` gets messages one at a time from the delivery service, which has already claimed each one.
It must raise `NotSent` only when it knows the message did not leave (the connection could not be opened): the claim
is then released and the message retried. Any other exception leaves the message marked failed, never resent."""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string

from org.masking import mask_phone
from reminders.kinds import CHANNEL_LABELS, EMAIL, SMS, WECOM

logger = logging.getLogger("reminders.channels")


class NotSent(Exception):
    """The message certainly did not leave (e.g. the server refused the connection): safe to retry."""


@dataclass
class Message:
    outbox_id: int
    channel: str
    address: str
    title: str
    body: str
    url: str
    recipient_name: str
    kind_label: str


class Channel:
    key = ""

    @property
    def label(self) -> str:
        return CHANNEL_LABELS[self.key]

    def open(self) -> None:
        """Prepare for a run of messages (open a connection). Raise NotSent if that fails."""

    def send(self, message: Message) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Release what open() took."""


def site_link(url: str) -> str:
    """An absolute link for messages read outside the app: the first trusted origin (set in production behind
    HTTPS), else the path alone."""
    origins = getattr(settings, "CSRF_TRUSTED_ORIGINS", None) or []
    return f"{origins[0].rstrip('/')}{url}" if origins and url.startswith("/") else url


class EmailChannel(Channel):
    key = EMAIL

    def __init__(self):
        self.connection = None

    def open(self) -> None:
        self.connection = get_connection(fail_silently=False)
        try:
            self.connection.open()
        except OSError as exc:  # refused, unreachable, DNS: nothing was sent
            self.connection = None
            raise NotSent(f"无法连接邮件服务器：{exc}") from exc

    def send(self, message: Message) -> None:
        link = site_link(message.url)
        context = {"m": message, "link": link, "absolute": link.startswith(("http://", "https://"))}
        subject = render_to_string("reminders/email/notification-subject.txt", context).strip()
        text = render_to_string("reminders/email/notification-body.txt", context)
        html = render_to_string("reminders/email/notification-body.html", context)
        mail = EmailMultiAlternatives(
            subject=subject,
            body=text,
            to=[message.address],
            connection=self.connection,
            headers={"X-Reminder-Outbox": str(message.outbox_id)},
        )
        mail.attach_alternative(html, "text/html")
        mail.send()

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


class LoggingChannel(Channel):
    """Writes what would be sent to the log (masked), for a channel without a contracted provider."""

    def __init__(self, key: str):
        self.key = key

    def send(self, message: Message) -> None:
        address = mask_phone(message.address) if self.key == SMS else message.address
        logger.warning(
            "%s未接入服务商，仅记录：发往 %s（%s）【%s】%s",
            self.label,
            address,
            message.recipient_name,
            message.kind_label,
            message.title,
        )


_FACTORIES: dict[str, Callable[[], Channel]] = {}


def register(key: str, factory: Callable[[], Channel]) -> None:
    """Make `factory()` the implementation of a channel (one instance per delivery run)."""
    _FACTORIES[key] = factory


def make(key: str) -> Channel:
    return _FACTORIES[key]()


register(EMAIL, EmailChannel)
register(SMS, lambda: LoggingChannel(SMS))
register(WECOM, lambda: LoggingChannel(WECOM))
