"""Alert channels against real servers on loopback: a webhook receiver and an SMTP server."""

from __future__ import annotations

import json
import random
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from madoguchi.retry import backoff_seconds
from services.sla_monitor.adapters.email import EmailSender, RecipientsRefused, message_id
from services.sla_monitor.adapters.webhook import WebhookSender, sign, verify
from services.sla_monitor.application.delivery import DeliveryError
from services.sla_monitor.domain.oncall.notifications import Notification
from services.sla_monitor.domain.oncall.routing import AlertFacts
from tests.support.loopback_servers import Collector, LoopbackController, Receiver

SECRET = b"shared-secret-\xe7\xaa\x93\xe5\x8f\xa3"
TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture(autouse=True)
def _no_proxy_for_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """urllib honours HTTP(S)_PROXY; these servers are on loopback."""
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
                 "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


def closed_port() -> int:
    """A loopback port nobody listens on (bound once, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def notification() -> Notification:
    due = datetime(2024, 5, 1, 18, 0, tzinfo=TOKYO)
    alerts = [AlertFacts(alert_id=f"A-{i}", inquiry_id=f"INQ-{i}", target="FIRST_RESPONSE",
                         kind="BREACH", agreement_id="city-a", priority="P1", category="道路",
                         department="土木課", subject=subject, due_at=due,
                         raised_at=due + timedelta(minutes=1))
              for i, subject in enumerate(["道路の陥没について", "街灯が消えています"])]
    return Notification.create("kumin", alerts, due + timedelta(minutes=2),
                              team_name="区民相談チーム")


# ----- a webhook receiver -----


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    instance = Receiver(SECRET)
    instance.start()
    yield instance
    instance.stop()


def test_a_notification_arrives_signed_with_its_idempotency_key(receiver: Receiver) -> None:
    note = notification()

    status = WebhookSender(SECRET).send(receiver.url, note.to_json(), note.key)

    assert status == 200
    [got] = receiver.received
    assert got.signature_ok
    assert got.headers["Idempotency-Key"] == note.key
    assert got.headers["Content-Type"] == "application/json; charset=utf-8"
    assert got.headers["User-Agent"] == "madoguchi-sla-monitor"
    assert got.headers["X-Madoguchi-Signature"].startswith("sha256=")
    assert "道路の陥没について".encode() in got.body           # UTF-8, not \\u escapes
    payload = json.loads(got.body.decode("utf-8"))
    assert got.body == json.dumps(payload, ensure_ascii=False,     # compact
                                  separators=(",", ":")).encode("utf-8")
    assert payload == note.to_json()
    assert payload["team_name"] == "区民相談チーム"
    assert payload["title"] == "[Madoguchi] 2 SLA breaches for 区民相談チーム"


def test_a_retry_carries_the_same_key_and_a_fresh_signature(receiver: Receiver) -> None:
    note = notification()
    first = WebhookSender(SECRET, clock=lambda: datetime.now(UTC).timestamp() - 60)
    retry = WebhookSender(SECRET)
    stale = WebhookSender(SECRET, clock=lambda: datetime.now(UTC).timestamp() - 301)

    first.send(receiver.url, note.to_json(), note.key)
    retry.send(receiver.url, note.to_json(), note.key)
    with pytest.raises(DeliveryError) as caught:   # a replayed (stale) request is refused
        stale.send(receiver.url, note.to_json(), note.key)

    a, b, c = receiver.received
    assert a.headers["Idempotency-Key"] == b.headers["Idempotency-Key"] == note.key
    assert a.body == b.body
    assert a.signature_ok and b.signature_ok and not c.signature_ok
    assert a.headers["X-Madoguchi-Signature"] != b.headers["X-Madoguchi-Signature"]
    assert caught.value.status == 401


def test_a_wrong_secret_is_refused_for_good(receiver: Receiver) -> None:
    with pytest.raises(DeliveryError) as caught:
        WebhookSender(b"not the secret").send(receiver.url, {"a": 1}, "k-1")

    assert caught.value.status == 401
    assert not caught.value.retryable
    assert "token" not in str(caught.value)   # the URL's query may hold a credential


@pytest.mark.parametrize(("status", "retryable"), [
    (500, True), (502, True), (503, True), (408, True), (425, True), (429, True),
    (400, False), (404, False), (410, False), (422, False),
])
def test_failures_say_whether_to_retry(receiver: Receiver, status: int, retryable: bool) -> None:
    receiver.status = status

    with pytest.raises(DeliveryError) as caught:
        WebhookSender(SECRET).send(receiver.url, {"a": 1}, "k-1")

    assert caught.value.status == status
    assert caught.value.retryable is retryable


def test_retry_after_is_passed_on(receiver: Receiver) -> None:
    receiver.status = 503
    receiver.extra_headers = {"Retry-After": "7"}

    with pytest.raises(DeliveryError) as caught:
        WebhookSender(SECRET).send(receiver.url, {"a": 1}, "k-1")

    assert caught.value.retryable
    assert caught.value.retry_after == 7.0


def test_a_redirect_is_not_followed(receiver: Receiver) -> None:
    elsewhere = Receiver(SECRET)
    elsewhere.start()
    try:
        receiver.status = 307
        receiver.extra_headers = {"Location": elsewhere.url}
        with pytest.raises(DeliveryError) as caught:
            WebhookSender(SECRET).send(receiver.url, {"a": 1}, "k-1")
    finally:
        elsewhere.stop()

    assert caught.value.status == 307
    assert not caught.value.retryable
    assert elsewhere.received == []


def test_a_refused_connection_is_retryable() -> None:
    with pytest.raises(DeliveryError) as caught:
        WebhookSender(SECRET).send(f"http://127.0.0.1:{closed_port()}/", {"a": 1}, "k-1")

    assert caught.value.retryable
    assert caught.value.status is None


def test_a_receiver_that_does_not_answer_in_time_is_retryable(receiver: Receiver) -> None:
    receiver.delay = threading.Event()

    with pytest.raises(DeliveryError) as caught:
        WebhookSender(SECRET, timeout=0.3).send(receiver.url, {"a": 1}, "k-1")

    assert caught.value.retryable


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.jp/x", "not a url",
                                 "http://", "http://127.0.0.1:99999/"])
def test_only_http_urls_are_posted_to(url: str) -> None:
    with pytest.raises(DeliveryError) as caught:
        WebhookSender(SECRET).send(url, {"a": 1}, "k-1")

    assert not caught.value.retryable


def test_verify_rejects_stale_tampered_and_missing_signatures() -> None:
    now = datetime(2024, 5, 1, tzinfo=UTC)
    timestamp = str(int(now.timestamp()))
    body = '{"件名":"道路"}'.encode()
    signature = sign(SECRET, timestamp, body)

    assert verify(SECRET, timestamp, body, signature, now=now + timedelta(seconds=300))
    assert not verify(SECRET, timestamp, body, signature, now=now + timedelta(seconds=301))
    assert not verify(SECRET, timestamp, body, signature, now=now - timedelta(seconds=301))
    assert not verify(SECRET, timestamp, body + b" ", signature, now=now)
    assert not verify(SECRET, str(int(timestamp) + 1), body, signature, now=now)
    assert not verify(b"other", timestamp, body, signature, now=now)
    assert not verify(SECRET, timestamp, body, signature.upper(), now=now)
    assert not verify(SECRET, timestamp, body, "sha256=日本", now=now)
    assert not verify(SECRET, None, body, signature, now=now)  # type: ignore[arg-type]
    assert not verify(SECRET, "１７", body, signature, now=now)   # full-width digits
    assert signature == "sha256=" + __import__("hmac").new(
        SECRET, timestamp.encode() + b"." + body, "sha256").hexdigest()


class Highest(random.Random):
    """Always the top of the range: shows each attempt's ceiling."""

    def uniform(self, a: float, b: float) -> float:
        return b


def test_backoff_grows_exponentially_and_is_capped() -> None:
    ceilings = [backoff_seconds(n, base=1.0, cap=60.0, rng=Highest()) for n in range(1, 10)]

    assert ceilings == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert backoff_seconds(10_000, rng=Highest()) == 300.0
    draws = [backoff_seconds(3, base=2.0) for _ in range(200)]
    assert all(0 <= d <= 8.0 for d in draws)
    assert len(set(draws)) > 100                      # jittered, not in lockstep
    assert all(backoff_seconds(1) <= 1.0 for _ in range(100))
    with pytest.raises(ValueError):
        backoff_seconds(0)


# ----- an SMTP server -----


def mailer(controller: LoopbackController, **options: Any) -> EmailSender:
    return EmailSender("127.0.0.1", controller.port, "窓口 SLA <sla@city.example>", **options)


def test_japanese_subject_and_body_arrive_intact(smtp: tuple[Any, Collector]) -> None:
    controller, handler = smtp
    note = notification()

    mailer(controller).send(["佐藤 花子 <sato@city.example>", "lead@city.example"],
                            note.title(), note.text(), note.key)

    [envelope] = handler.envelopes
    assert envelope.mail_from == "sla@city.example"
    assert envelope.rcpt_tos == ["sato@city.example", "lead@city.example"]
    [message] = handler.messages()
    assert message["Subject"] == "[Madoguchi] 2 SLA breaches for 区民相談チーム"
    assert message["From"].addresses[0].display_name == "窓口 SLA"
    assert message["To"].addresses[0].display_name == "佐藤 花子"
    assert message["Auto-Submitted"] == "auto-generated"
    body = message.get_content()
    assert "道路の陥没について" in body and "街灯が消えています" in body
    assert "due 2024-05-01 18:00+09:00 (JST)" in body
    assert body.replace("\r\n", "\n") == note.text()
    assert all(line.isascii() for line in (envelope.original_content or b"").decode(
        "latin-1").splitlines())   # 7-bit on the wire: any relay takes it


def test_the_message_id_follows_from_the_key(smtp: tuple[Any, Collector]) -> None:
    controller, handler = smtp
    sender = mailer(controller)

    sender.send(["a@city.example"], "件名", "本文", "notification-1")
    sender.send(["a@city.example"], "件名", "本文", "notification-1")   # a retry
    sender.send(["a@city.example"], "件名", "本文", "notification-2")

    ids = [m["Message-ID"] for m in handler.messages()]
    assert ids[0] == ids[1] == message_id("notification-1", "sla@city.example")
    assert ids[2] != ids[0]
    assert ids[0].endswith("@city.example>")


def test_a_line_break_in_the_subject_cannot_add_headers(smtp: tuple[Any, Collector]) -> None:
    controller, handler = smtp

    mailer(controller).send(["a@city.example"], "件名\r\nBcc: x@evil.example", "本文", "k")

    [message] = handler.messages()
    assert message["Bcc"] is None
    assert handler.envelopes[0].rcpt_tos == ["a@city.example"]


def test_a_server_that_is_down_is_retryable() -> None:
    sender = EmailSender("127.0.0.1", closed_port(), "sla@city.example", timeout=2)

    with pytest.raises(DeliveryError) as caught:
        sender.send(["a@city.example"], "件名", "本文", "k")

    assert caught.value.retryable


def test_a_permanent_refusal_of_one_recipient_is_final_for_that_one(
        smtp: tuple[Any, Collector]) -> None:
    controller, handler = smtp
    handler.refuse = {"gone@city.example": "550 5.1.1 no such user"}

    with pytest.raises(RecipientsRefused) as caught:
        mailer(controller).send(["a@city.example", "gone@city.example"], "件名", "本文", "k")

    assert caught.value.partial
    assert not caught.value.retryable
    assert caught.value.refused == {"gone@city.example": (550, "5.1.1 no such user")}
    assert handler.envelopes[0].rcpt_tos == ["a@city.example"]


def test_a_temporary_refusal_of_everyone_is_retryable(smtp: tuple[Any, Collector]) -> None:
    controller, handler = smtp
    handler.refuse = {"a@city.example": "450 4.2.1 mailbox busy"}

    with pytest.raises(DeliveryError) as caught:
        mailer(controller).send(["a@city.example"], "件名", "本文", "k")

    assert isinstance(caught.value, RecipientsRefused) and not caught.value.partial
    assert caught.value.retryable
    assert handler.envelopes == []


@pytest.mark.parametrize(("reply", "retryable"), [
    ("451 4.3.0 try again later", True),
    ("554 5.7.1 message refused", False),
])
def test_a_refused_message_says_whether_to_retry(smtp: tuple[Any, Collector], reply: str,
                                                 retryable: bool) -> None:
    controller, handler = smtp
    handler.data_reply = reply

    with pytest.raises(DeliveryError) as caught:
        mailer(controller).send(["a@city.example"], "件名", "本文", "k")

    assert caught.value.retryable is retryable
    assert caught.value.status == int(reply[:3])


@pytest.mark.parametrize("options", [{"starttls": True},
                                     {"username": "u", "password": "p"}])
def test_a_relay_without_starttls_or_auth_is_a_set_up_error(
        smtp: tuple[Any, Collector], options: dict[str, Any]) -> None:
    controller, handler = smtp

    with pytest.raises(DeliveryError) as caught:
        mailer(controller, **options).send(["a@city.example"], "件名", "本文", "k")

    assert not caught.value.retryable
    assert handler.envelopes == []
