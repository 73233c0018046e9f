"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives: the counterpart of the
outbox in the tests and in `make faults` (integrations are tested against a real peer, never by
mocking the mail library). It can refuse for a while (451) the way a busy server does."""

from __future__ import annotations

import email
import email.message
import email.policy
import socket
import threading
from typing import Any

from aiosmtpd.controller import Controller


class SmtpSink:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.refusing = False
        self.refused = 0
        self._lock = threading.Lock()
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            if self.refusing:
                self.refused += 1
                return "451 4.3.0 Serveur occupé, réessayez plus tard"
            self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 2.0.0 OK"

    def message_ids(self) -> list[str]:
        with self._lock:
            return [str(message["Message-ID"]) for message in self.messages]

    def start(self) -> SmtpSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()
