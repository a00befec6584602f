"""A real SMTP server for the reminder tests: aiosmtpd, speaking STARTTLS (or TLS from the start) with a certificate
made at test time by trustme, optionally asking for a login, refusing chosen addresses, and able to go away in the
middle of a run (it drops the connection instead of answering a message, as a relay that crashes does)."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from db.mail import MailSettings

USER, PASSWORD = "fsdash", "relay password"


@dataclass
class Received:
    to: str
    email: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.email["Subject"])

    def part(self, subtype: str) -> str:
        found = self.email.get_body(preferencelist=(subtype,))
        assert found is not None, f"no text/{subtype} part"
        return str(found.get_content()).replace("\r\n", "\n")  # type: ignore[attr-defined]  # SMTP sends CRLF


@dataclass
class Handler:
    refuse: set[str] = field(default_factory=set)
    drop_after: int | None = None
    """Close the connection instead of answering the message after this many have been accepted."""
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            if self.drop_after is not None and len(self.received) >= self.drop_after:
                server.transport.close()  # gone, with the message unanswered
                return "421 closing"
            parsed = message_from_bytes(envelope.content, policy=policy.default)
            assert isinstance(parsed, EmailMessage)
            for to in envelope.rcpt_tos:
                self.received.append(Received(to, parsed))
        return "250 Message accepted for delivery"


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)  # a refusal is answered "535", as a real relay does


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class MailServer:
    handler: Handler
    settings: MailSettings
    ca_file: Path
    controller: Controller | None

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@contextmanager
def mail_server(
    tmp_path: Path,
    *,
    implicit_tls: bool = False,
    login: bool = False,
    public_url: str = "https://fsdash.example.gov.uk",
) -> Iterator[MailServer]:
    """A relay on 127.0.0.1 that insists on STARTTLS (or speaks TLS from the start), with its certificate's
    authority in a PEM file for FSDASH_SMTP_CA_FILE."""
    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1", "localhost")
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(server_context)
    ca_file = tmp_path / "relay-ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    handler = Handler()
    port = free_port()
    options: dict[str, Any] = {}
    if login:
        options |= {"authenticator": _authenticate, "auth_required": True}
    if implicit_tls:
        # aiosmtpd only counts STARTTLS as encrypted; this connection is TLS from its first byte
        options["auth_require_tls"] = False
        controller = Controller(
            handler, hostname="127.0.0.1", port=port, ssl_context=server_context, server_hostname="127.0.0.1", **options
        )
    else:
        controller = Controller(
            handler, hostname="127.0.0.1", port=port, tls_context=server_context, require_starttls=True, **options
        )
    controller.start()
    settings = MailSettings(
        host="127.0.0.1",
        port=port,
        security="tls" if implicit_tls else "starttls",
        username=USER if login else None,
        password=PASSWORD if login else None,
        sender="supervision-dashboard@example.gov.uk",
        public_url=public_url,
        ca_file=str(ca_file),
    )
    server = MailServer(handler, settings, ca_file, controller)
    try:
        yield server
    finally:
        server.stop()
