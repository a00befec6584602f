"""Sending email through the council's relay: the settings, the message as it goes out, and the connection.

The relay is named by one URL (FSDASH_SMTP_URL): `smtp://` insists on STARTTLS (port 587 unless given),
`smtps://` is TLS from the first byte (465), and `smtp+insecure://` sends in the clear, which is allowed only to a
relay on this machine (a local postfix that does the encryption onwards). A user and password in the URL are used
to log in; without them there is no login. The relay's certificate is always checked, against the system's
authorities or FSDASH_SMTP_CA_FILE.

Two kinds of failure are told apart, because they call for different things. `RelayUnavailable`: the relay cannot
be reached, refuses the login or the sender, or goes away; nothing more can be sent in this run, and the message
says what to fix. `AddressRefused`: the relay refused one message (a bad address, say); the others still go.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Literal
from urllib.parse import unquote, urlsplit

from db.errors import ServiceError
from db.settings import MAIL_FROM, PUBLIC_URL, SMTP_CA_FILE, SMTP_URL, SettingProblem
from risk.reminders import Message

Security = Literal["starttls", "tls", "none"]
SCHEMES: dict[str, tuple[Security, int]] = {
    "smtp": ("starttls", 587),
    "smtps": ("tls", 465),
    "smtp+insecure": ("none", 25),
}
LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
TIMEOUT_SECONDS = 30


class RelayUnavailable(ServiceError):
    """Nothing more can be sent this run; the message says what to fix."""


class AddressRefused(ServiceError):
    """The relay refused this one message; the others can still be sent."""


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    security: Security
    username: str | None
    password: str | None
    sender: str
    public_url: str
    ca_file: str | None = None

    def describe(self) -> str:
        """The relay as a message may name it: host, port and how it is secured, never the password."""
        how = {"starttls": "STARTTLS", "tls": "TLS", "none": "no encryption"}[self.security]
        login = f", logging in as {self.username}" if self.username else ""
        return f"{self.host}:{self.port} ({how}{login})"

    def link(self, path: str) -> str:
        return f"{self.public_url}/{path.lstrip('/')}"


def mail_settings() -> MailSettings:
    """The relay, sender and public address from the environment, or SettingProblem saying what to set."""
    url = SMTP_URL.value()
    if not url:
        raise SettingProblem(
            f"{SMTP_URL.name} is not set, so no reminder can be sent. Set it to the council's mail relay, e.g. "
            "smtp://user:password@relay.example.gov.uk:587."
        )
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise SettingProblem(
            f"{SMTP_URL.name} must start smtp:// (STARTTLS), smtps:// (TLS) or smtp+insecure:// (this machine's own "
            "relay only) and name the relay's host."
        )
    security, default_port = SCHEMES[parts.scheme]
    if security == "none" and parts.hostname not in LOOPBACK:
        raise SettingProblem(
            f"{SMTP_URL.name}: smtp+insecure:// sends mail unencrypted, so it is allowed only to a relay on this "
            "machine (localhost). Use smtp:// (STARTTLS) or smtps:// for the council's relay."
        )
    try:
        port = parts.port or default_port
    except ValueError:
        raise SettingProblem(f"{SMTP_URL.name} has a port that is not a number.") from None
    sender = MAIL_FROM.value()
    if not sender or "@" not in sender:
        raise SettingProblem(
            f"{MAIL_FROM.name} is not set to an email address; set it to the address reminders come from."
        )
    public_url = PUBLIC_URL.value().rstrip("/")
    if not public_url.startswith(("https://", "http://")):
        raise SettingProblem(
            f"{PUBLIC_URL.name} is not set to the dashboard's address (https://…), so reminders would have no link."
        )
    return MailSettings(
        host=parts.hostname,
        port=port,
        security=security,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        sender=sender,
        public_url=public_url,
        ca_file=SMTP_CA_FILE.value() or None,
    )


def build_email(message: Message, settings: MailSettings, to: str) -> EmailMessage:
    """The message as it goes out: plain text first, the same words as HTML as the alternative, and a pointer to
    My account (where reminders are turned off) in the List-Unsubscribe header as well as in the text."""
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = Address("Supervision dashboard", addr_spec=settings.sender)
    email["To"] = to
    email["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2])
    email["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    email["List-Unsubscribe"] = f"<{settings.link('account')}>"
    email["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies to a robot
    email.set_content(message.text)
    email.add_alternative(message.html, subtype="html")
    return email


def _tls_context(settings: MailSettings) -> ssl.SSLContext:
    try:
        return ssl.create_default_context(cafile=settings.ca_file)
    except (OSError, ssl.SSLError) as error:
        raise SettingProblem(
            f"{SMTP_CA_FILE.name}={settings.ca_file!r} cannot be read as a certificate file "
            f"({error.__class__.__name__})."
        ) from error


class Relay:
    """One connection to the relay for a run, opened at the first message and reused for the rest."""

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        settings = self.settings
        where = settings.describe()
        context = _tls_context(settings)
        try:
            if settings.security == "tls":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    settings.host, settings.port, timeout=TIMEOUT_SECONDS, context=context
                )
            else:
                smtp = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_SECONDS)
            smtp.ehlo()
            if settings.security == "starttls":
                if not smtp.has_extn("starttls"):
                    smtp.close()
                    raise RelayUnavailable(
                        f"The mail relay at {where} does not offer STARTTLS, so nothing was sent unencrypted. Use "
                        "smtps:// if it speaks TLS from the start, or ask for STARTTLS to be turned on."
                    )
                smtp.starttls(context=context)
                smtp.ehlo()
            if settings.username:
                smtp.login(settings.username, settings.password or "")
        except RelayUnavailable:
            raise
        except smtplib.SMTPAuthenticationError as error:
            raise RelayUnavailable(
                f"The mail relay at {where} refused the login ({error.smtp_code}). Check the user and password in "
                f"{SMTP_URL.name}."
            ) from error
        except smtplib.SMTPNotSupportedError as error:
            raise RelayUnavailable(
                f"The mail relay at {where} does not offer a login. Remove the user and password from "
                f"{SMTP_URL.name} if it takes mail from this machine without one."
            ) from error
        except ssl.SSLCertVerificationError as error:
            raise RelayUnavailable(
                f"The mail relay at {where} offered a certificate that could not be checked ({error.verify_message}). "
                f"If the council signs its own certificates, set {SMTP_CA_FILE.name} to its authority's PEM file."
            ) from error
        except (OSError, smtplib.SMTPException) as error:
            raise RelayUnavailable(
                f"Could not reach the mail relay at {where} ({_cause(error)}). Check {SMTP_URL.name} and that the "
                "relay is running and lets this machine connect."
            ) from error
        return smtp

    def send(self, email: EmailMessage) -> None:
        if self._smtp is None:
            self._smtp = self._connect()
        where = self.settings.describe()
        try:
            refused = self._smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as error:
            codes = sorted({code for code, _ in error.recipients.values()})
            raise AddressRefused(f"the relay refused the address (code {', '.join(map(str, codes))})") from error
        except smtplib.SMTPSenderRefused as error:
            self.close()
            raise RelayUnavailable(
                f"The mail relay at {where} refused the sender address ({error.smtp_code}). Check {MAIL_FROM.name} "
                "is an address the relay accepts mail from."
            ) from error
        except smtplib.SMTPDataError as error:
            if error.smtp_code == 421:  # "service not available, closing": the relay is going away
                self.close()
                raise RelayUnavailable(
                    f"The mail relay at {where} stopped taking mail ({error.smtp_code}). Check that it is running."
                ) from error
            raise AddressRefused(f"the relay refused the message (code {error.smtp_code})") from error
        except (OSError, smtplib.SMTPException) as error:
            self.close()
            raise RelayUnavailable(
                f"The mail relay at {where} went away while sending ({_cause(error)}). Check that it is running."
            ) from error
        if refused:
            raise AddressRefused("the relay refused the address")

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def _cause(error: BaseException) -> str:
    if isinstance(error, socket.timeout | TimeoutError):
        return f"no answer within {TIMEOUT_SECONDS} seconds"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, socket.gaierror):
        return "the host name is not known"
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return "it closed the connection"
    return error.__class__.__name__


@contextmanager
def relay(settings: MailSettings) -> Iterator[Relay]:
    """A relay connection for one run, closed however the run ends."""
    connection = Relay(settings)
    try:
        yield connection
    finally:
        connection.close()
