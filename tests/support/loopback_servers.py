"""Real servers on loopback for the alert tests: a webhook receiver and an SMTP sink."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

from services.sla_monitor.adapters.webhook import verify


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    signature_ok: bool


@dataclass
class Receiver:
    """An HTTP server on loopback that checks signatures the way a receiver should."""

    secret: bytes
    status: int = 200
    extra_headers: dict[str, str] = field(default_factory=dict)
    delay: threading.Event | None = None
    received: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hooks/sla?token=abc"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                ok = verify(receiver.secret, self.headers["X-Madoguchi-Timestamp"], body,
                            self.headers["X-Madoguchi-Signature"])
                receiver.received.append(Received(dict(self.headers), body, ok))
                if receiver.delay is not None:
                    receiver.delay.wait(5)
                status = receiver.status if ok else 401
                self.send_response(status)
                for name, value in receiver.extra_headers.items():
                    self.send_header(name, value)
                reply = json.dumps({"ok": ok, "受付": "済"}, ensure_ascii=False).encode()
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        if self.delay is not None:
            self.delay.set()
        assert self.server is not None
        self.server.shutdown()
        self.server.server_close()


class Collector:
    """An aiosmtpd handler that keeps what it accepts and refuses what it is told to."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []
        self.refuse: dict[str, str] = {}
        self.data_reply = "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_reply.startswith("250"):
            self.envelopes.append(envelope)
        return self.data_reply

    def messages(self) -> list[EmailMessage]:
        parser = BytesParser(policy=policy.default)
        return [parser.parsebytes(e.original_content or e.content)  # type: ignore[misc]
                for e in self.envelopes]


class LoopbackController(Controller):
    """Controller on port 0: asks the listening socket which port it got."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()
